//! The storage horizon: rows that only grow (idempotency keys, sessions, failed-login
//! counters) are deleted once they can no longer matter.
//!
//! The purge runs in small batches, one short transaction each, and deletes only rows
//! nobody holds (`FOR UPDATE SKIP LOCKED`), so it never waits on a request and never
//! makes one wait long. Each batch first takes a transaction-level advisory lock
//! without waiting: while one replica purges, the others skip their turn. A
//! session-level lock would not survive a transaction-mode pooler (PgBouncer).

use std::time::Duration;

use codegen::queries::{
    failed_logins::purge_expired_failed_logins, idempotency_keys::purge_expired_idempotency_keys,
    purge::try_purge_lock, sessions::purge_expired_sessions,
};
use serde::Serialize;

use super::Store;
use crate::error::AppError;

/// The purge's advisory lock key ("SBPURGE" in ASCII); the migration runner uses another.
pub const PURGE_LOCK_ID: i64 = 0x0053_4250_5552_4745;

/// What may be deleted, and how much per transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeSettings {
    pub idempotency_key_ttl: Duration,
    pub session_retention: Duration,
    pub login_window: Duration,
    pub batch_size: i64,
}

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub idempotency_keys: u64,
    pub sessions: u64,
    pub failed_logins: u64,
    /// Transactions that deleted something or found nothing left.
    pub batches: u64,
    /// Another replica held the purge lock, so this one stopped early.
    pub yielded_to_another_purge: bool,
}

impl PurgeReport {
    pub fn deleted(&self) -> u64 {
        self.idempotency_keys + self.sessions + self.failed_logins
    }
}

impl std::fmt::Display for PurgeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "deleted {} expired idempotency key(s), {} session(s), {} failed-login counter(s) in {} batch(es)",
            self.idempotency_keys, self.sessions, self.failed_logins, self.batches
        )?;
        if self.yielded_to_another_purge {
            f.write_str("; stopped: another purge is running")?;
        }
        Ok(())
    }
}

impl Store {
    /// Deletes everything past its horizon, batch by batch, until a batch finds less
    /// than a full batch of each kind, or another replica is purging.
    #[tracing::instrument(skip(self))]
    pub async fn purge(&self, settings: &PurgeSettings) -> Result<PurgeReport, AppError> {
        let mut report = PurgeReport::default();
        let batch = settings.batch_size.max(1);
        let key_ttl = settings.idempotency_key_ttl.as_secs_f64();
        let retention = settings.session_retention.as_secs_f64();
        let window = settings.login_window.as_secs_f64();
        loop {
            let tx = self.transaction().await?;
            let purged = async {
                let lock = try_purge_lock().bind(&tx, &PURGE_LOCK_ID).one().await?;
                if !lock.acquired {
                    return Ok(None);
                }
                let keys = purge_expired_idempotency_keys()
                    .bind(&tx, &key_ttl, &batch)
                    .await?;
                let sessions = purge_expired_sessions()
                    .bind(&tx, &retention, &batch)
                    .await?;
                let failed_logins = purge_expired_failed_logins()
                    .bind(&tx, &window, &batch)
                    .await?;
                Ok::<_, tokio_postgres::Error>(Some((keys, sessions, failed_logins)))
            }
            .await;
            let Some((keys, sessions, failed_logins)) = tx.finish(purged).await? else {
                report.yielded_to_another_purge = true;
                return Ok(report);
            };
            report.idempotency_keys += keys;
            report.sessions += sessions;
            report.failed_logins += failed_logins;
            report.batches += 1;
            let full = u64::try_from(batch).unwrap_or(u64::MAX);
            if keys < full && sessions < full && failed_logins < full {
                return Ok(report);
            }
        }
    }
}
