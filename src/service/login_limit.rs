//! Failed-login limiting: after too many failures for one username, or from one
//! client address, within a window, further attempts are refused until the
//! window passes. Kept in memory: each replica limits on its own.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::error::AppError;

pub struct LoginLimiter {
    window: Duration,
    per_username: usize,
    per_address: usize,
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    by_username: HashMap<String, VecDeque<Instant>>,
    by_address: HashMap<String, VecDeque<Instant>>,
}

impl Default for LoginLimiter {
    /// 10 failures per username or 50 per address within 15 minutes.
    fn default() -> Self {
        Self::new(Self::WINDOW, 10, 50)
    }
}

impl LoginLimiter {
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    pub fn new(window: Duration, per_username: usize, per_address: usize) -> Self {
        Self {
            window,
            per_username,
            per_address,
            failures: Mutex::new(Failures::default()),
        }
    }

    /// Refuses the attempt when either count has reached its limit.
    pub fn check(&self, username: &str, address: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let mut failures = self.lock();
        let by_user = recent(&mut failures.by_username, username, now, self.window);
        let by_address = recent(&mut failures.by_address, address, now, self.window);
        if by_user >= self.per_username || by_address >= self.per_address {
            Err(AppError::RateLimited)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, username: &str, address: &str) {
        let now = Instant::now();
        let mut failures = self.lock();
        if failures.by_username.len() + failures.by_address.len() > 100_000 {
            self.forget_expired(&mut failures, now);
        }
        failures
            .by_username
            .entry(username.to_owned())
            .or_default()
            .push_back(now);
        failures
            .by_address
            .entry(address.to_owned())
            .or_default()
            .push_back(now);
    }

    /// A successful login clears the username's count (not the address's).
    pub fn record_success(&self, username: &str) {
        self.lock().by_username.remove(username);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        // A panic while holding the lock leaves plain counters behind: keep using them.
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn forget_expired(&self, failures: &mut Failures, now: Instant) {
        for map in [&mut failures.by_username, &mut failures.by_address] {
            map.retain(|_, times| {
                times.retain(|t| now.duration_since(*t) < self.window);
                !times.is_empty()
            });
        }
    }
}

fn recent(
    map: &mut HashMap<String, VecDeque<Instant>>,
    key: &str,
    now: Instant,
    window: Duration,
) -> usize {
    let Some(times) = map.get_mut(key) else {
        return 0;
    };
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
    times.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_username_limit_applies_after_its_failures() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            limiter.check("alice", "1.1.1.1").unwrap();
            limiter.record_failure("alice", "1.1.1.1");
        }
        assert!(matches!(
            limiter.check("alice", "2.2.2.2"),
            Err(AppError::RateLimited)
        ));
        limiter.check("bob", "1.1.1.1").unwrap();
    }

    #[test]
    fn the_address_limit_spans_usernames() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 100, 2);
        limiter.record_failure("a", "9.9.9.9");
        limiter.record_failure("b", "9.9.9.9");
        assert!(matches!(
            limiter.check("c", "9.9.9.9"),
            Err(AppError::RateLimited)
        ));
    }

    #[test]
    fn success_resets_the_username_and_the_window_expires() {
        let limiter = LoginLimiter::new(Duration::from_millis(1), 1, 100);
        limiter.record_failure("alice", "1.1.1.1");
        limiter.record_success("alice");
        limiter.check("alice", "1.1.1.1").unwrap();
        limiter.record_failure("alice", "1.1.1.1");
        std::thread::sleep(Duration::from_millis(5));
        limiter.check("alice", "1.1.1.1").unwrap();
    }
}
