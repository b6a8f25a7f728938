//! The database: connection pool, migrations, and the transactions of each use case.
//!
//! Queries come from the generated `codegen` crate (see `queries/*.sql`). Functions
//! here own their transactions: a use case that writes twice writes in one.

mod conn;
mod database;
mod deposit;
pub(crate) mod error;
mod gate;
pub mod migrate;
mod monitoring;
mod pressure;
mod purge;
mod readers;
mod records;
mod retry;
mod transfer;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use deadpool_postgres::{Object, Pool, PoolError};
use prometheus_client::metrics::histogram::Histogram;

pub use crate::db_url::redacted_url;
pub use codegen::queries::{
    accounts::Account, entries::Entry, idempotency_keys::IdempotencyRecord,
    monitoring::BlockedQuery, sessions::Session, transfers::Transfer, users::User,
};
pub use database::{connect, create_database_if_missing, database_name};
pub use deposit::Deposit;
pub use error::{UNAVAILABLE_CAUSES, unavailable_cause};
pub use monitoring::format_blocked_queries;
pub use pressure::{Pressure, PressureSnapshot};
pub use purge::{PURGE_LOCK_ID, PurgeReport, PurgeSettings};
pub use records::{BankStore, NewSession, NewUserRecord, TransferWithOwners, UserUpdate};
pub use retry::MAX_ATTEMPTS;
pub use transfer::{IdempotentRequest, TransferOrder, TransferOutcome, TransferResult};

use crate::{
    config::{DatabaseConfig, PoolMode, StorageHorizon},
    error::AppError,
};
use conn::{Conn, Shapes};

/// A handle to the bank's database. Cheap to clone: clones share one pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    money_gate: Arc<gate::MoneyGate>,
    pressure: Arc<Pressure>,
    /// How long each checkout waited for a connection (shared by clones).
    pool_wait: Histogram,
    /// After this an idempotency key counts as absent (`IDEMPOTENCY_KEY_TTL`).
    idempotency_key_ttl: Duration,
    pool_mode: PoolMode,
    /// What opens a unit's transaction: `BEGIN`, and in transaction mode the timeouts.
    begin: Arc<str>,
    /// Transaction mode: the parameter types of each query (shared by clones).
    shapes: Arc<Shapes>,
    /// Session mode: the connections that single-statement reads share.
    readers: Arc<readers::SharedReaders>,
}

/// Upper bounds (seconds) of the buckets of the store's wait histograms (a checkout, a
/// turn at the money gate): most find what they wait for at once, both give up at 5 s.
const WAIT_BUCKETS: [f64; 12] = [
    0.000_05, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0,
];

impl Store {
    /// A pool for `config`. Connections are made lazily, so this does not touch the network.
    pub fn new(config: &DatabaseConfig) -> anyhow::Result<Self> {
        Ok(Self {
            pool: database::build_pool(config)?,
            money_gate: Arc::new(gate::MoneyGate::new(
                config.max_connections,
                config.money_connections,
                config.lock_timeout,
            )),
            pressure: Arc::default(),
            pool_wait: Histogram::new(WAIT_BUCKETS),
            idempotency_key_ttl: StorageHorizon::default().idempotency_key_ttl,
            pool_mode: config.pool_mode,
            begin: database::transaction_begin(config).into(),
            shapes: Arc::default(),
            readers: Arc::new(readers::SharedReaders::new(match config.pool_mode {
                PoolMode::Session => config
                    .shared_read_connections
                    .min(config.max_connections / 4),
                // A transaction-mode pooler gives each transaction its own server session.
                PoolMode::Transaction => 0,
            })),
        })
    }

    /// How the pool reaches PostgreSQL (`DB_POOL_MODE`).
    pub fn pool_mode(&self) -> PoolMode {
        self.pool_mode
    }

    /// Keys older than `ttl` are taken over by a new request with the same key.
    pub fn with_idempotency_key_ttl(mut self, ttl: Duration) -> Self {
        self.idempotency_key_ttl = ttl;
        self
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Requests refused because a lock, statement or queue bound was hit.
    pub fn pressure(&self) -> PressureSnapshot {
        self.pressure.snapshot()
    }

    /// The histogram of checkout waits, for the metrics registry.
    pub fn pool_wait_histogram(&self) -> Histogram {
        self.pool_wait.clone()
    }

    /// The histogram of waits for a turn on the accounts and a connection for money
    /// (see `gate`), for the metrics registry.
    pub fn money_gate_wait_histogram(&self) -> Histogram {
        self.money_gate.wait_histogram()
    }

    /// A connection from the pool; every checkout goes through here so its wait is measured.
    pub(crate) async fn checkout(&self) -> Result<Object, PoolError> {
        let started = Instant::now();
        let connection = self.pool.get().await;
        self.pool_wait.observe(started.elapsed().as_secs_f64());
        connection
    }

    /// A pooled connection as it is, for tests and tools that manage it themselves.
    pub async fn client(&self) -> Result<Object, AppError> {
        Ok(self.checkout().await?)
    }

    /// A connection for one statement; end it with `Conn::finish`.
    pub(crate) async fn single(&self) -> Result<Conn, AppError> {
        Ok(Conn::single(
            self.checkout().await?,
            self.pool_mode,
            &self.begin,
            &self.shapes,
        ))
    }

    /// A connection for one plain read (a single statement that writes nothing): in
    /// session mode a shared one (see `readers`), else as `single`. End it with
    /// `Conn::finish`.
    pub(crate) async fn read(&self) -> Result<Conn, AppError> {
        if self.readers.is_empty() {
            return self.single().await;
        }
        Ok(Conn::shared(self.readers.get(self).await?, &self.shapes))
    }

    /// A connection for one transaction; end it with `Conn::finish`.
    pub(crate) async fn transaction(&self) -> Result<Conn, AppError> {
        Ok(Conn::transaction(
            self.checkout().await?,
            self.pool_mode,
            &self.begin,
            &self.shapes,
        ))
    }

    /// Whether the database answers a trivial query now.
    pub async fn ping(&self) -> Result<(), AppError> {
        self.client().await?.simple_query("SELECT 1").await?;
        Ok(())
    }
}
