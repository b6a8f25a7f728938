//! The store's operations as a trait, so the service can run against a fake in
//! tests of failures a healthy database cannot produce. `Store` is the real one.

use std::{future::Future, time::Duration};

use chrono::{DateTime, Utc};
use codegen::{
    client::Params,
    queries::{
        accounts::{create_account, get_account, list_accounts},
        entries::list_entries_newest_first,
        failed_logins::{
            count_failed_logins, record_failed_login, reset_failed_logins_of_username,
        },
        sessions::{block_session, create_session, get_session},
        transfers::{get_transfer_with_owners, list_transfers_of_account},
        users::{UpdateUserParams, create_user, get_user, set_user_role, update_user},
    },
};
use uuid::Uuid;

pub use codegen::queries::transfers::TransferWithOwners;

use super::{
    Account, Deposit, Entry, IdempotentRequest, Session, Store, Transfer, TransferOrder,
    TransferOutcome, User,
};
use crate::{
    domain::{AccountId, Amount, Currency, Page, Role, Window},
    error::AppError,
};

/// A user to insert; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUserRecord {
    pub username: String,
    pub hashed_password: String,
    pub full_name: String,
    pub email: String,
}

/// Fields to change on a user; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub hashed_password: Option<String>,
    pub password_changed_at: Option<DateTime<Utc>>,
    pub full_name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: Uuid,
    pub username: String,
    pub refresh_token: String,
    pub user_agent: String,
    pub client_ip: String,
    pub expires_at: DateTime<Utc>,
}

type Outcome<T> = Result<T, AppError>;

/// Everything the service asks of the database.
pub trait BankStore: Send + Sync + 'static {
    fn ping(&self) -> impl Future<Output = Outcome<()>> + Send;
    fn create_user(&self, user: &NewUserRecord) -> impl Future<Output = Outcome<User>> + Send;
    fn get_user(&self, username: &str) -> impl Future<Output = Outcome<Option<User>>> + Send;
    fn update_user(
        &self,
        username: &str,
        update: &UserUpdate,
    ) -> impl Future<Output = Outcome<Option<User>>> + Send;
    fn set_user_role(
        &self,
        username: &str,
        role: Role,
    ) -> impl Future<Output = Outcome<Option<User>>> + Send;
    fn create_session(&self, session: &NewSession)
    -> impl Future<Output = Outcome<Session>> + Send;
    fn get_session(&self, id: Uuid) -> impl Future<Output = Outcome<Option<Session>>> + Send;
    fn block_session(&self, id: Uuid) -> impl Future<Output = Outcome<Option<Session>>> + Send;
    fn create_account(
        &self,
        owner: &str,
        currency: Currency,
    ) -> impl Future<Output = Outcome<Account>> + Send;
    fn get_account(&self, id: AccountId) -> impl Future<Output = Outcome<Option<Account>>> + Send;
    fn list_accounts(
        &self,
        owner: &str,
        page: Page,
    ) -> impl Future<Output = Outcome<Vec<Account>>> + Send;
    /// An account's entries in `window`, newest first.
    fn list_entries(
        &self,
        account: AccountId,
        window: Window,
    ) -> impl Future<Output = Outcome<Vec<Entry>>> + Send;
    fn get_transfer(
        &self,
        id: i64,
    ) -> impl Future<Output = Outcome<Option<TransferWithOwners>>> + Send;
    /// The transfers touching an account in `window`, newest first.
    fn list_transfers(
        &self,
        account: AccountId,
        window: Window,
    ) -> impl Future<Output = Outcome<Vec<Transfer>>> + Send;
    fn transfer(
        &self,
        order: &TransferOrder,
        idempotency: Option<&IdempotentRequest>,
    ) -> impl Future<Output = Outcome<TransferOutcome>> + Send;
    fn deposit(
        &self,
        account: AccountId,
        amount: Amount,
    ) -> impl Future<Output = Outcome<Deposit>> + Send;
    /// Failures within `window` of a username and of a client address.
    fn failed_login_counts(
        &self,
        username: &str,
        address: &str,
        window: Duration,
    ) -> impl Future<Output = Outcome<(i64, i64)>> + Send;
    fn record_failed_login(
        &self,
        username: &str,
        address: &str,
        window: Duration,
    ) -> impl Future<Output = Outcome<()>> + Send;
    fn reset_failed_logins(&self, username: &str) -> impl Future<Output = Outcome<()>> + Send;
}

impl BankStore for Store {
    async fn ping(&self) -> Outcome<()> {
        Store::ping(self).await
    }

    async fn create_user(&self, user: &NewUserRecord) -> Outcome<User> {
        let conn = self.single().await?;
        let result = create_user()
            .bind(
                &conn,
                &user.username,
                &user.hashed_password,
                &user.full_name,
                &user.email,
            )
            .one()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn get_user(&self, username: &str) -> Outcome<Option<User>> {
        let conn = self.read().await?;
        let result = get_user().bind(&conn, &username).opt().await;
        Ok(conn.finish(result).await?)
    }

    async fn update_user(&self, username: &str, update: &UserUpdate) -> Outcome<Option<User>> {
        let conn = self.single().await?;
        let params = UpdateUserParams {
            hashed_password: update.hashed_password.as_deref(),
            password_changed_at: update.password_changed_at,
            full_name: update.full_name.as_deref(),
            email: update.email.as_deref(),
            username,
        };
        let result = update_user().params(&conn, &params).opt().await;
        Ok(conn.finish(result).await?)
    }

    async fn set_user_role(&self, username: &str, role: Role) -> Outcome<Option<User>> {
        let conn = self.single().await?;
        let result = set_user_role()
            .bind(&conn, &role.as_str(), &username)
            .opt()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn create_session(&self, session: &NewSession) -> Outcome<Session> {
        let conn = self.single().await?;
        let result = create_session()
            .bind(
                &conn,
                &session.id,
                &session.username,
                &session.refresh_token,
                &session.user_agent,
                &session.client_ip,
                &false,
                &session.expires_at,
            )
            .one()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn get_session(&self, id: Uuid) -> Outcome<Option<Session>> {
        let conn = self.read().await?;
        let result = get_session().bind(&conn, &id).opt().await;
        Ok(conn.finish(result).await?)
    }

    async fn block_session(&self, id: Uuid) -> Outcome<Option<Session>> {
        let conn = self.single().await?;
        let result = block_session().bind(&conn, &id).opt().await;
        Ok(conn.finish(result).await?)
    }

    async fn create_account(&self, owner: &str, currency: Currency) -> Outcome<Account> {
        let conn = self.single().await?;
        let result = create_account()
            .bind(&conn, &owner, &0, &currency.as_str())
            .one()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn get_account(&self, id: AccountId) -> Outcome<Option<Account>> {
        let conn = self.read().await?;
        let result = get_account().bind(&conn, &id.get()).opt().await;
        Ok(conn.finish(result).await?)
    }

    async fn list_accounts(&self, owner: &str, page: Page) -> Outcome<Vec<Account>> {
        let conn = self.read().await?;
        let result = list_accounts()
            .bind(&conn, &owner, &page.limit(), &page.offset())
            .all()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn list_entries(&self, account: AccountId, window: Window) -> Outcome<Vec<Entry>> {
        let (account, before, limit, offset) = (
            account.get(),
            window.before_id,
            window.limit(),
            window.offset,
        );
        let conn = self.read().await?;
        let result = list_entries_newest_first()
            .bind(&conn, &account, &before, &offset, &limit)
            .all()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn get_transfer(&self, id: i64) -> Outcome<Option<TransferWithOwners>> {
        let conn = self.read().await?;
        let result = get_transfer_with_owners().bind(&conn, &id).opt().await;
        Ok(conn.finish(result).await?)
    }

    async fn list_transfers(&self, account: AccountId, window: Window) -> Outcome<Vec<Transfer>> {
        let conn = self.read().await?;
        let result = list_transfers_of_account()
            .bind(
                &conn,
                &account.get(),
                &window.before_id,
                &window.limit(),
                &window.offset,
            )
            .all()
            .await;
        Ok(conn.finish(result).await?)
    }

    async fn transfer(
        &self,
        order: &TransferOrder,
        idempotency: Option<&IdempotentRequest>,
    ) -> Outcome<TransferOutcome> {
        Store::transfer(self, order, idempotency).await
    }

    async fn deposit(&self, account: AccountId, amount: Amount) -> Outcome<Deposit> {
        Store::deposit(self, account, amount).await
    }

    async fn failed_login_counts(
        &self,
        username: &str,
        address: &str,
        window: Duration,
    ) -> Outcome<(i64, i64)> {
        let conn = self.read().await?;
        let counts = count_failed_logins()
            .bind(&conn, &username, &window.as_secs_f64(), &address)
            .one()
            .await;
        let counts = conn.finish(counts).await?;
        Ok((
            counts.username_failures.into(),
            counts.address_failures.into(),
        ))
    }

    async fn record_failed_login(
        &self,
        username: &str,
        address: &str,
        window: Duration,
    ) -> Outcome<()> {
        let conn = self.single().await?;
        let recorded = record_failed_login()
            .bind(&conn, &username, &address, &window.as_secs_f64())
            .await;
        conn.finish(recorded).await?;
        Ok(())
    }

    async fn reset_failed_logins(&self, username: &str) -> Outcome<()> {
        let conn = self.single().await?;
        let reset = reset_failed_logins_of_username()
            .bind(&conn, &username)
            .await;
        conn.finish(reset).await?;
        Ok(())
    }
}
