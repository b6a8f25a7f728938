//! Proto <-> domain conversions. Proto3 scalars cannot be absent, so an empty
//! string or a zero is read as "not given".

use chrono::{DateTime, Utc};
use prost_types::Timestamp;

use super::pb;
use crate::{
    service::{LoginResult, UserView},
    store::{Account, Deposit, Entry, Transfer, TransferResult},
};

pub fn timestamp(at: DateTime<Utc>) -> Option<Timestamp> {
    Some(Timestamp {
        seconds: at.timestamp(),
        nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0),
    })
}

/// `None` for the proto3 default (empty string).
pub fn given(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

/// `None` for the proto3 default (zero).
pub fn given_int(value: i64) -> Option<i64> {
    (value != 0).then_some(value)
}

impl From<UserView> for pb::User {
    fn from(user: UserView) -> Self {
        Self {
            username: user.username,
            full_name: user.full_name,
            email: user.email,
            role: user.role,
            password_changed_at: timestamp(user.password_changed_at),
            created_at: timestamp(user.created_at),
        }
    }
}

impl From<Account> for pb::Account {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            owner: account.owner,
            balance: account.balance,
            currency: account.currency,
            created_at: timestamp(account.created_at),
        }
    }
}

impl From<Entry> for pb::Entry {
    fn from(entry: Entry) -> Self {
        Self {
            id: entry.id,
            account_id: entry.account_id,
            amount: entry.amount,
            created_at: timestamp(entry.created_at),
        }
    }
}

impl From<Transfer> for pb::Transfer {
    fn from(transfer: Transfer) -> Self {
        Self {
            id: transfer.id,
            from_account_id: transfer.from_account_id,
            to_account_id: transfer.to_account_id,
            amount: transfer.amount,
            created_at: timestamp(transfer.created_at),
        }
    }
}

impl From<LoginResult> for pb::LoginUserResponse {
    fn from(login: LoginResult) -> Self {
        Self {
            user: Some(login.user.into()),
            session_id: login.session_id.to_string(),
            access_token: login.access_token,
            refresh_token: login.refresh_token,
            access_token_expires_at: timestamp(login.access_token_expires_at),
            refresh_token_expires_at: timestamp(login.refresh_token_expires_at),
        }
    }
}

impl From<Deposit> for pb::DepositResponse {
    fn from(deposit: Deposit) -> Self {
        Self {
            account: Some(deposit.account.into()),
            entry: Some(deposit.entry.into()),
        }
    }
}

impl From<TransferResult> for pb::CreateTransferResponse {
    fn from(result: TransferResult) -> Self {
        Self {
            transfer: Some(result.transfer.into()),
            from_account: Some(result.from_account.into()),
            to_account: Some(result.to_account.into()),
            from_entry: Some(result.from_entry.into()),
            to_entry: Some(result.to_entry.into()),
        }
    }
}

pub fn all<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}
