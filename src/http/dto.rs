//! The JSON shapes of the API (the Go server's field names), and their conversions.
//! Request fields are optional so that a missing field is reported as an invalid
//! field, together with every other one.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use serde::{Deserialize, Deserializer, Serialize, de::Error as _};
use uuid::Uuid;

use crate::{
    service::{LoginResult, RenewResult, UserView},
    store::{Account, Deposit, Entry, Transfer, TransferResult},
};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    /// 3–100 characters of `[a-z0-9_]`.
    #[salvo(schema(required = true, nullable = false, example = "alice"))]
    pub username: Option<String>,
    /// 6–100 characters.
    #[salvo(schema(required = true, nullable = false, example = "secret123"))]
    pub password: Option<String>,
    /// 3–100 letters and spaces.
    #[salvo(schema(required = true, nullable = false, example = "Alice Liddell"))]
    pub full_name: Option<String>,
    #[salvo(schema(required = true, nullable = false, example = "alice@example.com"))]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[salvo(schema(required = true, nullable = false, example = "alice"))]
    pub username: Option<String>,
    #[salvo(schema(required = true, nullable = false, example = "secret123"))]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshTokenRequest {
    #[salvo(schema(required = true, nullable = false))]
    pub refresh_token: Option<String>,
}

/// Any of the fields; at least one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[serde(default, deserialize_with = "not_null")]
    #[salvo(schema(nullable = false))]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[salvo(schema(nullable = false))]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[salvo(schema(nullable = false))]
    pub password: Option<String>,
}

/// An optional field that, when given, is a string: `null` is not "leave it as is"
/// (found by `make api-fuzz`: `{"password": null, "email": ...}` was accepted).
fn not_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAccountRequest {
    /// `USD`, `EUR` or `CAD`.
    #[salvo(schema(required = true, nullable = false, example = "USD"))]
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DepositRequest {
    /// Minor units (cents), > 0.
    #[salvo(schema(required = true, nullable = false, example = 10000))]
    #[serde(default, deserialize_with = "integer")]
    pub amount: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTransferRequest {
    #[salvo(schema(required = true, nullable = false, example = 1))]
    #[serde(default, deserialize_with = "integer")]
    pub from_account_id: Option<i64>,
    #[salvo(schema(required = true, nullable = false, example = 2))]
    #[serde(default, deserialize_with = "integer")]
    pub to_account_id: Option<i64>,
    /// Minor units (cents), > 0.
    #[salvo(schema(required = true, nullable = false, example = 2500))]
    #[serde(default, deserialize_with = "integer")]
    pub amount: Option<i64>,
    #[salvo(schema(required = true, nullable = false, example = "USD"))]
    pub currency: Option<String>,
}

/// A JSON integer, also written with a zero fraction (`2500.0`): JSON Schema's
/// `integer`, which the spec promises, admits both. A fraction, or a float too large
/// to stand for exactly one integer (past 2^53), is refused rather than rounded.
/// serde_json's `float_roundtrip` makes the parse exact, so the float is the text's.
fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Some(integer) = number.as_i64() {
        return Ok(Some(integer));
    }
    match number.as_f64() {
        #[allow(clippy::cast_possible_truncation)]
        Some(float) if float.fract() == 0.0 && float.abs() <= EXACT => Ok(Some(float as i64)),
        _ => Err(D::Error::custom(format!(
            "{number} is not an integer (64-bit, or at most 2^53 when written with a fraction)"
        ))),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserBody {
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// `depositor` or `banker`.
    pub role: String,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub password_changed_at: DateTime<Utc>,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<UserView> for UserBody {
    fn from(user: UserView) -> Self {
        Self {
            username: user.username,
            full_name: user.full_name,
            email: user.email,
            role: user.role,
            password_changed_at: user.password_changed_at,
            created_at: user.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginBody {
    pub session_id: Uuid,
    pub access_token: String,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub refresh_token_expires_at: DateTime<Utc>,
    pub user: UserBody,
}

impl From<LoginResult> for LoginBody {
    fn from(login: LoginResult) -> Self {
        Self {
            session_id: login.session_id,
            access_token: login.access_token,
            access_token_expires_at: login.access_token_expires_at,
            refresh_token: login.refresh_token,
            refresh_token_expires_at: login.refresh_token_expires_at,
            user: login.user.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RenewBody {
    pub access_token: String,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub access_token_expires_at: DateTime<Utc>,
}

impl From<RenewResult> for RenewBody {
    fn from(renew: RenewResult) -> Self {
        Self {
            access_token: renew.access_token,
            access_token_expires_at: renew.access_token_expires_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountBody {
    pub id: i64,
    pub owner: String,
    /// Minor units (cents).
    pub balance: i64,
    pub currency: String,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<Account> for AccountBody {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            owner: account.owner,
            balance: account.balance,
            currency: account.currency,
            created_at: account.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryBody {
    pub id: i64,
    pub account_id: i64,
    /// Negative for money out, positive for money in.
    pub amount: i64,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<Entry> for EntryBody {
    fn from(entry: Entry) -> Self {
        Self {
            id: entry.id,
            account_id: entry.account_id,
            amount: entry.amount,
            created_at: entry.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferBody {
    pub id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount: i64,
    #[serde(serialize_with = "super::json::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<Transfer> for TransferBody {
    fn from(transfer: Transfer) -> Self {
        Self {
            id: transfer.id,
            from_account_id: transfer.from_account_id,
            to_account_id: transfer.to_account_id,
            amount: transfer.amount,
            created_at: transfer.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepositBody {
    pub account: AccountBody,
    pub entry: EntryBody,
}

impl From<Deposit> for DepositBody {
    fn from(deposit: Deposit) -> Self {
        Self {
            account: deposit.account.into(),
            entry: deposit.entry.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferResultBody {
    pub transfer: TransferBody,
    pub from_account: AccountBody,
    pub to_account: AccountBody,
    pub from_entry: EntryBody,
    pub to_entry: EntryBody,
}

impl From<TransferResult> for TransferResultBody {
    fn from(result: TransferResult) -> Self {
        Self {
            transfer: result.transfer.into(),
            from_account: result.from_account.into(),
            to_account: result.to_account.into(),
            from_entry: result.from_entry.into(),
            to_entry: result.to_entry.into(),
        }
    }
}

pub fn all<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}
