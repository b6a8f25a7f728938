//! The one error vocabulary of the bank. Transports map it to their own status
//! codes in exactly one place each; nothing else decides what a client sees.

use std::fmt;

/// One invalid input field, reported together with all the others.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

/// A business rule that refused an otherwise valid request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessRule {
    InsufficientFunds,
    CurrencyMismatch,
    SameAccount,
    /// The receiving balance would pass the largest amount a balance can hold.
    BalanceLimit,
}

impl fmt::Display for BusinessRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InsufficientFunds => "insufficient funds in the source account",
            Self::CurrencyMismatch => "the accounts' currency does not match the transfer's",
            Self::SameAccount => "cannot transfer between an account and itself",
            Self::BalanceLimit => "the receiving account's balance would exceed its maximum",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    InvalidArgument(Vec<FieldViolation>),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("this idempotency key was already used with a different request")]
    IdempotencyConflict,
    #[error("{0}")]
    FailedPrecondition(BusinessRule),
    #[error("too many attempts, try again later")]
    RateLimited,
    /// The database could not serve the request now; the client may retry.
    #[error("the service is temporarily unavailable, try again")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unexpected failure. The cause goes to the log, never to the client.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn invalid_field(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![FieldViolation::new(field, description)])
    }

    /// Logs what the client will not see: the cause chain of 5xx errors. Every
    /// transport calls this once per error it answers.
    pub fn log(&self) {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(error = ?cause, "service unavailable"),
            other => tracing::debug!(error = %other, code = other.code(), "request refused"),
        }
    }

    /// A machine-readable code, the same for every transport.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgument(_) => "invalid_argument",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::PermissionDenied(_) => "permission_denied",
            Self::NotFound(_) => "not_found",
            Self::AlreadyExists(_) => "already_exists",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::FailedPrecondition(_) => "failed_precondition",
            Self::RateLimited => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}
