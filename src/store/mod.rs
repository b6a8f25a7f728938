//! The database: connection pool, migrations, and the transactions of each use case.
//!
//! Queries come from the generated `codegen` crate (see `queries/*.sql`). Functions
//! here own their transactions: a use case that writes twice writes in one.

mod database;
mod deposit;
pub(crate) mod error;
pub mod migrate;
mod purge;
mod records;
mod retry;
mod transfer;

use std::time::Duration;

use deadpool_postgres::{Object, Pool};

pub use codegen::queries::{
    accounts::Account, entries::Entry, idempotency_keys::IdempotencyRecord, sessions::Session,
    transfers::Transfer, users::User,
};
pub use database::{
    connect, create_database_if_missing, database_name, load_root_certificates, redacted_url,
    root_cert_path,
};
pub use deposit::Deposit;
pub use purge::{PURGE_LOCK_ID, PurgeReport, PurgeSettings};
pub use records::{BankStore, NewSession, NewUserRecord, TransferWithOwners, UserUpdate};
pub use retry::MAX_ATTEMPTS;
pub use transfer::{IdempotentRequest, TransferOrder, TransferOutcome, TransferResult};

use crate::{
    config::{DatabaseConfig, StorageHorizon},
    error::AppError,
};

/// A handle to the bank's database. Cheap to clone: clones share one pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// After this an idempotency key counts as absent (`IDEMPOTENCY_KEY_TTL`).
    idempotency_key_ttl: Duration,
}

impl Store {
    /// A pool for `config`. Connections are made lazily, so this does not touch the network.
    pub fn new(config: &DatabaseConfig) -> anyhow::Result<Self> {
        Ok(Self {
            pool: database::build_pool(config)?,
            idempotency_key_ttl: StorageHorizon::default().idempotency_key_ttl,
        })
    }

    /// Keys older than `ttl` are taken over by a new request with the same key.
    pub fn with_idempotency_key_ttl(mut self, ttl: Duration) -> Self {
        self.idempotency_key_ttl = ttl;
        self
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// A pooled connection, for single statements that need no transaction.
    pub async fn client(&self) -> Result<Object, AppError> {
        Ok(self.pool.get().await?)
    }

    /// Whether the database answers a trivial query now.
    pub async fn ping(&self) -> Result<(), AppError> {
        self.client().await?.simple_query("SELECT 1").await?;
        Ok(())
    }
}
