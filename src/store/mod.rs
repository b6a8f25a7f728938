//! The database: connection pool, migrations, and the transactions of each use case.
//!
//! Queries come from the generated `codegen` crate (see `queries/*.sql`). Functions
//! here own their transactions: a use case that writes twice writes in one.

mod database;
mod deposit;
pub(crate) mod error;
mod gate;
pub mod migrate;
mod pressure;
mod records;
mod retry;
mod transfer;

use std::sync::Arc;

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
pub use pressure::{Pressure, PressureSnapshot};
pub use records::{BankStore, NewSession, NewUserRecord, TransferWithOwners, UserUpdate};
pub use retry::MAX_ATTEMPTS;
pub use transfer::{IdempotentRequest, TransferOrder, TransferOutcome, TransferResult};

use crate::{config::DatabaseConfig, error::AppError};

/// A handle to the bank's database. Cheap to clone: clones share one pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    money_gate: Arc<gate::MoneyGate>,
    pressure: Arc<Pressure>,
}

impl Store {
    /// A pool for `config`. Connections are made lazily, so this does not touch the network.
    pub fn new(config: &DatabaseConfig) -> anyhow::Result<Self> {
        Ok(Self {
            pool: database::build_pool(config)?,
            money_gate: Arc::new(gate::MoneyGate::new(
                config.max_connections,
                config.lock_timeout,
            )),
            pressure: Arc::default(),
        })
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Requests refused because a lock, statement or queue bound was hit.
    pub fn pressure(&self) -> PressureSnapshot {
        self.pressure.snapshot()
    }

    /// How many more money transactions could hold a connection right now.
    pub fn money_budget_available(&self) -> usize {
        self.money_gate.budget()
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
