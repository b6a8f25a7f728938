//! Every use case of the bank, once, for every transport. Functions take
//! validated input and the authenticated caller, and decide what is allowed.

mod accounts;
mod inputs;
mod login_limit;
mod purge;
mod transfers;
mod users;

use std::{sync::Arc, time::Duration};

pub use inputs::{LoginInput, NewUser, TransferInput, UserChanges};
pub use login_limit::LoginLimiter;
pub use users::{LoginResult, RenewResult, UserView};

use crate::{
    config::TokenConfig,
    domain::{Role, Username},
    error::AppError,
    metrics::BankMetrics,
    password::PasswordPool,
    store::{BankStore, Store},
    token::{TokenKind, TokenMaker},
};

/// Who is calling, as proven by an access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub username: Username,
    pub role: Role,
}

impl Principal {
    pub fn is_banker(&self) -> bool {
        self.role == Role::Banker
    }
}

/// What the transport knows about the client, recorded with a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub user_agent: String,
    pub client_ip: String,
}

/// The client's address: the last `X-Forwarded-For` entry (added by our own proxy)
/// when the deployment trusts it, else the connection's peer.
pub fn client_address(forwarded_for: Option<&str>, trusted: bool, peer: String) -> String {
    let forwarded = forwarded_for.filter(|_| trusted).and_then(|list| {
        list.rsplit(',')
            .map(str::trim)
            .find(|entry| !entry.is_empty())
    });
    forwarded.map_or(peer, |address| address.chars().take(64).collect())
}

/// The bank's use cases over a store (`Store` in production).
pub struct Bank<S: BankStore = Store> {
    store: S,
    tokens: Arc<dyn TokenMaker>,
    access_duration: Duration,
    refresh_duration: Duration,
    login_limiter: LoginLimiter,
    metrics: BankMetrics,
    passwords: PasswordPool,
}

impl<S: BankStore> Bank<S> {
    pub fn new(store: S, tokens: Arc<dyn TokenMaker>, config: &TokenConfig) -> Self {
        Self {
            store,
            tokens,
            access_duration: config.access_duration,
            refresh_duration: config.refresh_duration,
            login_limiter: LoginLimiter::default(),
            metrics: BankMetrics::default(),
            passwords: PasswordPool::default(),
        }
    }

    pub fn with_login_limiter(mut self, limiter: LoginLimiter) -> Self {
        self.login_limiter = limiter;
        self
    }

    /// The bank's counters (money, password hashing), for the metrics registry.
    pub fn metrics(&self) -> &BankMetrics {
        &self.metrics
    }

    /// Bounds password work with `pool` (sign-up, login, password change).
    pub fn with_password_pool(mut self, pool: PasswordPool) -> Self {
        self.passwords = pool;
        self
    }

    /// The password pool, for its gauges (running, queued, refused).
    pub fn password_pool(&self) -> &PasswordPool {
        &self.passwords
    }

    pub fn login_limiter(&self) -> &LoginLimiter {
        &self.login_limiter
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Whether the database answers: readiness.
    pub async fn ready(&self) -> Result<(), AppError> {
        self.store.ping().await
    }

    /// The caller proven by an `Authorization` value, `Bearer <access token>`
    /// (scheme case-insensitive), as both transports receive it.
    pub fn authenticate_header(&self, header: Option<&str>) -> Result<Principal, AppError> {
        let value = header
            .ok_or_else(|| {
                AppError::Unauthenticated("the authorization header is missing".to_owned())
            })?
            .trim();
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AppError::Unauthenticated(format!(
                "unsupported authorization type {scheme:?}, use Bearer"
            )));
        }
        match token.trim() {
            "" => Err(AppError::Unauthenticated(
                "the bearer token is missing".to_owned(),
            )),
            token => self.authenticate(token),
        }
    }

    /// The caller an access token proves.
    pub fn authenticate(&self, access_token: &str) -> Result<Principal, AppError> {
        let payload = self.tokens.verify(access_token, TokenKind::Access)?;
        let invalid = |_| AppError::Unauthenticated("the token is invalid".to_owned());
        Ok(Principal {
            username: Username::parse(&payload.username).map_err(invalid)?,
            role: Role::parse(&payload.role).map_err(invalid)?,
        })
    }
}

/// The refusal for a resource the caller may not see or change.
fn forbidden(what: impl std::fmt::Display) -> AppError {
    AppError::PermissionDenied(format!("{what} does not belong to you"))
}

#[cfg(test)]
mod fake_store_tests;

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn the_forwarded_address_counts_only_when_trusted() {
        let peer = || "10.0.0.9".to_owned();
        assert_eq!(
            client_address(Some("203.0.113.7"), false, peer()),
            "10.0.0.9"
        );
        assert_eq!(
            client_address(Some("203.0.113.7"), true, peer()),
            "203.0.113.7"
        );
        // The last entry is the one our proxy appended; earlier ones are the client's word.
        assert_eq!(
            client_address(Some("1.2.3.4, 203.0.113.7"), true, peer()),
            "203.0.113.7"
        );
        assert_eq!(client_address(None, true, peer()), "10.0.0.9");
        assert_eq!(client_address(Some(" , "), true, peer()), "10.0.0.9");
    }
}
