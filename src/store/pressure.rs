//! Counts of requests refused because a bound was hit, for operators (and metrics).

use std::sync::atomic::{AtomicU64, Ordering};

use tokio_postgres::error::SqlState;

#[derive(Debug, Default)]
pub struct Pressure {
    lock_timeouts: AtomicU64,
    statement_timeouts: AtomicU64,
    queue_timeouts: AtomicU64,
}

/// The counts since the store was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PressureSnapshot {
    /// Transactions PostgreSQL rolled back after `DB_LOCK_TIMEOUT` (55P03).
    pub lock_timeouts: u64,
    /// Statements PostgreSQL cancelled after `DB_STATEMENT_TIMEOUT` (57014).
    pub statement_timeouts: u64,
    /// Money transactions that waited `DB_LOCK_TIMEOUT` for their turn and never started.
    pub queue_timeouts: u64,
}

impl Pressure {
    /// Counts `err` if it is a lock or statement timeout.
    pub(crate) fn observe(&self, err: &tokio_postgres::Error) {
        match err.code() {
            Some(code) if *code == SqlState::LOCK_NOT_AVAILABLE => {
                self.lock_timeouts.fetch_add(1, Ordering::Relaxed);
            }
            Some(code) if *code == SqlState::QUERY_CANCELED => {
                self.statement_timeouts.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }

    pub(crate) fn queue_timeout(&self) {
        self.queue_timeouts.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> PressureSnapshot {
        PressureSnapshot {
            lock_timeouts: self.lock_timeouts.load(Ordering::Relaxed),
            statement_timeouts: self.statement_timeouts.load(Ordering::Relaxed),
            queue_timeouts: self.queue_timeouts.load(Ordering::Relaxed),
        }
    }
}
