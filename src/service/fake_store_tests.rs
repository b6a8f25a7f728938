//! Failures a healthy database cannot produce, through a fake store: the service
//! must turn them into opaque 5xx bodies and keep the cause for the log.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use uuid::Uuid;

use super::{Bank, ClientInfo, LoginInput, NewUser, Principal, TransferInput};
use crate::{
    config::{Secret, TokenConfig, TokenFormat},
    domain::{AccountId, Amount, Currency, Page, Role, Username, Window},
    error::AppError,
    http::error::{body_of, status_of},
    store::{
        Account, BankStore, Deposit, Entry, IdempotentRequest, NewSession, NewUserRecord, Session,
        Transfer, TransferOrder, TransferOutcome, TransferWithOwners, User, UserUpdate,
    },
    token::maker_from_config,
};

/// How the fake fails.
#[derive(Clone, Copy)]
enum Failure {
    /// Every call fails with an internal error whose text must never reach a client.
    Broken,
    /// Every call reports the database as unreachable.
    Down,
    /// Calls succeed but the stored user has a role the code does not know.
    CorruptRole,
}

struct FakeStore(Failure);

const SECRET_CAUSE: &str =
    "relation \"users\" violates invariant at 10.1.2.3:5432 (SELECT hashed_password ...)";

impl FakeStore {
    fn fail<T>(&self) -> Result<T, AppError> {
        Err(match self.0 {
            Failure::Broken | Failure::CorruptRole => {
                AppError::Internal(anyhow::anyhow!(SECRET_CAUSE))
            }
            Failure::Down => AppError::Unavailable(anyhow::anyhow!(SECRET_CAUSE)),
        })
    }
}

fn corrupt_user(username: &str) -> User {
    User {
        username: username.to_owned(),
        hashed_password: corrupt_user_hash().to_owned(),
        full_name: "Corrupt Role".to_owned(),
        email: "corrupt@example.com".to_owned(),
        role: "superuser".to_owned(),
        password_changed_at: Utc::now(),
        created_at: Utc::now(),
    }
}

const CORRUPT_USER_PASSWORD: &str = "whatever1";

fn corrupt_user_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(CORRUPT_USER_PASSWORD.as_bytes())
            .expect("hash")
            .to_string()
    })
}

impl BankStore for FakeStore {
    async fn ping(&self) -> Result<(), AppError> {
        self.fail()
    }
    async fn create_user(&self, _user: &NewUserRecord) -> Result<User, AppError> {
        self.fail()
    }
    async fn get_user(&self, username: &str) -> Result<Option<User>, AppError> {
        match self.0 {
            Failure::CorruptRole => Ok(Some(corrupt_user(username))),
            _ => self.fail(),
        }
    }
    async fn update_user(
        &self,
        _username: &str,
        _update: &UserUpdate,
    ) -> Result<Option<User>, AppError> {
        self.fail()
    }
    async fn set_user_role(&self, _username: &str, _role: Role) -> Result<Option<User>, AppError> {
        self.fail()
    }
    async fn create_session(&self, _session: &NewSession) -> Result<Session, AppError> {
        self.fail()
    }
    async fn get_session(&self, _id: Uuid) -> Result<Option<Session>, AppError> {
        self.fail()
    }
    async fn block_session(&self, _id: Uuid) -> Result<Option<Session>, AppError> {
        self.fail()
    }
    async fn create_account(&self, _owner: &str, _currency: Currency) -> Result<Account, AppError> {
        self.fail()
    }
    async fn get_account(&self, _id: AccountId) -> Result<Option<Account>, AppError> {
        self.fail()
    }
    async fn list_accounts(&self, _owner: &str, _page: Page) -> Result<Vec<Account>, AppError> {
        self.fail()
    }
    async fn list_entries(
        &self,
        _account: AccountId,
        _window: Window,
    ) -> Result<Vec<Entry>, AppError> {
        self.fail()
    }
    async fn get_transfer(&self, _id: i64) -> Result<Option<TransferWithOwners>, AppError> {
        self.fail()
    }
    async fn list_transfers(
        &self,
        _account: AccountId,
        _window: Window,
    ) -> Result<Vec<Transfer>, AppError> {
        self.fail()
    }
    async fn transfer(
        &self,
        _order: &TransferOrder,
        _idempotency: Option<&IdempotentRequest>,
    ) -> Result<TransferOutcome, AppError> {
        self.fail()
    }
    async fn deposit(&self, _account: AccountId, _amount: Amount) -> Result<Deposit, AppError> {
        self.fail()
    }
    async fn failed_login_counts(
        &self,
        _username: &str,
        _address: &str,
        _window: Duration,
    ) -> Result<(i64, i64), AppError> {
        match self.0 {
            Failure::CorruptRole => Ok((0, 0)),
            _ => self.fail(),
        }
    }
    async fn record_failed_login(
        &self,
        _username: &str,
        _address: &str,
        _window: Duration,
    ) -> Result<(), AppError> {
        match self.0 {
            Failure::CorruptRole => Ok(()),
            _ => self.fail(),
        }
    }
    async fn reset_failed_logins(&self, _username: &str) -> Result<(), AppError> {
        match self.0 {
            Failure::CorruptRole => Ok(()),
            _ => self.fail(),
        }
    }
}

fn bank(failure: Failure) -> Bank<FakeStore> {
    let config = TokenConfig {
        format: TokenFormat::Paseto,
        symmetric_key: Secret::new("0123456789abcdef0123456789abcdef"),
        access_duration: Duration::from_secs(60),
        refresh_duration: Duration::from_secs(600),
    };
    let tokens: Arc<dyn crate::token::TokenMaker> =
        maker_from_config(&config).expect("token maker");
    Bank::new(FakeStore(failure), tokens, &config)
}

fn alice() -> Principal {
    Principal {
        username: Username::parse("alice").expect("username"),
        role: Role::Depositor,
    }
}

/// The client sees the fixed public message and code only.
fn assert_opaque(err: &AppError, status: u16, code: &str) {
    let body = serde_json::to_string(&body_of(err)).expect("body");
    assert_eq!(status_of(err).as_u16(), status, "{body}");
    assert!(body.contains(&format!("\"code\":\"{code}\"")), "{body}");
    for leak in [
        "relation",
        "10.1.2.3",
        "SELECT",
        "hashed_password",
        "superuser",
    ] {
        assert!(!body.contains(leak), "the body leaks {leak:?}: {body}");
    }
}

#[tokio::test]
async fn a_broken_store_gives_an_opaque_500_on_transfer() {
    let input = TransferInput::parse(Some(1), Some(2), Some(10), Some("USD")).expect("input");

    let err = bank(Failure::Broken)
        .create_transfer(&alice(), input, None)
        .await
        .expect_err("fails");

    assert_opaque(&err, 500, "internal");
}

#[tokio::test]
async fn a_broken_store_gives_an_opaque_500_on_registration() {
    let new = NewUser::parse(
        Some("alice"),
        Some("secret123"),
        Some("Alice Liddell"),
        Some("a@example.com"),
    )
    .expect("input");

    let err = bank(Failure::Broken)
        .create_user(new)
        .await
        .expect_err("fails");

    assert_opaque(&err, 500, "internal");
}

#[tokio::test]
async fn an_unreachable_store_gives_an_opaque_503() {
    let bank = bank(Failure::Down);

    let readiness = bank.ready().await.expect_err("not ready");
    let listing = bank
        .list_accounts(&alice(), Page::parse(None, None).expect("page"))
        .await
        .expect_err("fails");

    assert_opaque(&readiness, 503, "unavailable");
    assert_opaque(&listing, 503, "unavailable");
}

#[tokio::test]
async fn a_stored_user_with_an_unknown_role_cannot_log_in_and_gives_an_opaque_500() {
    let bank = bank(Failure::CorruptRole);
    let input = LoginInput::parse(Some("alice"), Some(CORRUPT_USER_PASSWORD)).expect("input");

    let err = bank
        .login(input, &ClientInfo::default())
        .await
        .expect_err("fails closed");

    assert_opaque(&err, 500, "internal");
}

#[tokio::test]
async fn get_me_on_a_broken_store_is_opaque() {
    let err = bank(Failure::Broken)
        .get_me(&alice())
        .await
        .expect_err("fails");

    assert_opaque(&err, 500, "internal");
}
