use std::{future::Future, time::Duration};

use rand::Rng;
use tracing::Instrument;

use super::{error::TxError, pressure::Pressure};
use crate::error::AppError;

/// How many times a transaction is tried before a deadlock or serialization
/// failure is reported as `Unavailable`.
pub const MAX_ATTEMPTS: u32 = 6;

/// Runs `transaction` until it succeeds, fails for a reason a retry cannot fix,
/// or has failed with a retryable error `MAX_ATTEMPTS` times. Lock and statement
/// timeouts are not retried (the client may): the wait already took its bound.
pub(crate) async fn with_retry<T, F, Fut>(
    use_case: &'static str,
    pressure: &Pressure,
    mut transaction: F,
) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TxError>>,
{
    let mut attempt = 1;
    loop {
        // One span per database transaction (per attempt): a child of the request's span.
        let span = tracing::info_span!("db.transaction", use_case, attempt);
        match transaction().instrument(span).await {
            Ok(value) => return Ok(value),
            Err(err) if err.is_retryable() && attempt < MAX_ATTEMPTS => {
                let pause = backoff(attempt);
                tracing::debug!(use_case, attempt, ?pause, error = ?err, "retrying transaction");
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            Err(err) => {
                if let TxError::Db(db) = &err {
                    pressure.observe(db);
                }
                if err.is_retryable() {
                    tracing::warn!(
                        use_case,
                        attempts = attempt,
                        "giving up after repeated conflicts"
                    );
                }
                return Err(err.into());
            }
        }
    }
}

/// Full jitter over an exponential ceiling (5 ms, 10 ms, ... capped at 200 ms), so
/// transactions that collided once do not collide again in lockstep.
fn backoff(attempt: u32) -> Duration {
    let ceiling_ms = (5u64 << attempt.min(6)).min(200);
    Duration::from_millis(rand::rng().random_range(1..=ceiling_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        for attempt in 1..20 {
            let pause = backoff(attempt);
            assert!(pause >= Duration::from_millis(1));
            assert!(
                pause <= Duration::from_millis(200),
                "attempt {attempt}: {pause:?}"
            );
        }
    }
}
