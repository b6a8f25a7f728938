use super::Bank;
use crate::{
    config::StorageHorizon,
    error::AppError,
    store::{PurgeReport, PurgeSettings, Store},
};

impl Bank<Store> {
    /// Deletes expired idempotency keys, long-expired sessions and failed-login
    /// counters whose window has passed (see `Store::purge`).
    pub async fn purge(&self, horizon: &StorageHorizon) -> Result<PurgeReport, AppError> {
        self.store
            .purge(&PurgeSettings {
                idempotency_key_ttl: horizon.idempotency_key_ttl,
                session_retention: horizon.session_retention,
                login_window: self.login_limiter.window(),
                batch_size: horizon.purge_batch_size,
            })
            .await
    }
}
