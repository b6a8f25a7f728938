//! Failed-login limiting: after too many failures for one username, or from one
//! client address, within a window, further attempts are refused until the
//! window passes. The counters live in PostgreSQL (`failed_logins`), so every
//! replica sees the same counts.

use std::time::Duration;

use crate::{error::AppError, store::BankStore};

/// The limits; the counting is the store's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimiter {
    window: Duration,
    per_username: usize,
    per_address: usize,
}

impl Default for LoginLimiter {
    /// 10 failures per username or 50 per address within 15 minutes.
    fn default() -> Self {
        Self::new(Self::WINDOW, 10, 50)
    }
}

/// What the check saw, so the success path skips a write it does not need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LoginCounts {
    pub username_failures: i64,
}

impl LoginLimiter {
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    pub fn new(window: Duration, per_username: usize, per_address: usize) -> Self {
        Self {
            window,
            per_username,
            per_address,
        }
    }

    /// How long a counter lives: the purge deletes rows older than this.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Refuses the attempt when either count has reached its limit (one round trip).
    pub(super) async fn check(
        &self,
        store: &impl BankStore,
        username: &str,
        address: &str,
    ) -> Result<LoginCounts, AppError> {
        let (by_user, by_address) = store
            .failed_login_counts(username, address, self.window)
            .await?;
        if reached(by_user, self.per_username) || reached(by_address, self.per_address) {
            Err(AppError::RateLimited)
        } else {
            Ok(LoginCounts {
                username_failures: by_user,
            })
        }
    }

    pub(super) async fn record_failure(
        &self,
        store: &impl BankStore,
        username: &str,
        address: &str,
    ) -> Result<(), AppError> {
        store
            .record_failed_login(username, address, self.window)
            .await
    }

    /// A successful login clears the username's count (not the address's).
    pub(super) async fn record_success(
        &self,
        store: &impl BankStore,
        username: &str,
        seen: LoginCounts,
    ) -> Result<(), AppError> {
        if seen.username_failures > 0 {
            store.reset_failed_logins(username).await?;
        }
        Ok(())
    }
}

fn reached(count: i64, limit: usize) -> bool {
    usize::try_from(count).is_ok_and(|count| count >= limit)
}

#[cfg(test)]
mod tests {
    use super::reached;

    #[test]
    fn a_limit_is_reached_at_its_count() {
        assert!(!reached(0, 10));
        assert!(!reached(9, 10));
        assert!(reached(10, 10));
        assert!(reached(11, 10));
        assert!(!reached(-1, 10));
    }
}
