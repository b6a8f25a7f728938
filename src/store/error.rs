//! How database failures become the bank's errors. Constraint names come from
//! `schema/`; a renamed constraint must be renamed here too (the tests catch it).

use anyhow::anyhow;
use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

use crate::error::{AppError, BusinessRule};

/// What a transaction body can fail with: a database error that may be worth a
/// retry, a pool that could not hand out a connection, or a decided domain error.
#[derive(Debug)]
pub(crate) enum TxError {
    Db(tokio_postgres::Error),
    Pool(PoolError),
    App(AppError),
}

impl From<tokio_postgres::Error> for TxError {
    fn from(err: tokio_postgres::Error) -> Self {
        Self::Db(err)
    }
}

impl From<PoolError> for TxError {
    fn from(err: PoolError) -> Self {
        Self::Pool(err)
    }
}

impl From<AppError> for TxError {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

impl TxError {
    /// Deadlocks and serialization failures: PostgreSQL rolled the transaction
    /// back and running it again is safe and usually succeeds.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(err) if is_retryable_db_error(err))
    }
}

pub(crate) fn is_retryable_db_error(err: &tokio_postgres::Error) -> bool {
    matches!(
        err.code(),
        Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
    )
}

impl From<TxError> for AppError {
    fn from(err: TxError) -> Self {
        match err {
            TxError::App(err) => err,
            TxError::Pool(err) => {
                AppError::Unavailable(anyhow!(err).context("no database connection"))
            }
            TxError::Db(err) => db_error(err),
        }
    }
}

impl From<PoolError> for AppError {
    fn from(err: PoolError) -> Self {
        TxError::Pool(err).into()
    }
}

impl From<tokio_postgres::Error> for AppError {
    fn from(err: tokio_postgres::Error) -> Self {
        db_error(err)
    }
}

/// Every value `unavailable_cause` returns.
pub const UNAVAILABLE_CAUSES: [&str; 8] = [
    "pool_timeout",
    "pool_closed",
    "database_unreachable",
    "lock_timeout",
    "statement_timeout",
    "conflict_retries_exhausted",
    "too_many_connections",
    "other",
];

/// Why the database could not serve a request, for the `simplebank_unavailable_total`
/// metric: the first database or pool error in an `Unavailable` error's cause chain.
pub fn unavailable_cause(cause: &anyhow::Error) -> &'static str {
    for err in cause.chain() {
        if let Some(err) = err.downcast_ref::<PoolError>() {
            return match err {
                PoolError::Timeout(_) => "pool_timeout",
                PoolError::Closed => "pool_closed",
                _ => "database_unreachable",
            };
        }
        if let Some(err) = err.downcast_ref::<tokio_postgres::Error>() {
            return match err.code() {
                Some(code) if *code == SqlState::LOCK_NOT_AVAILABLE => "lock_timeout",
                Some(code) if *code == SqlState::QUERY_CANCELED => "statement_timeout",
                Some(code)
                    if *code == SqlState::T_R_DEADLOCK_DETECTED
                        || *code == SqlState::T_R_SERIALIZATION_FAILURE =>
                {
                    "conflict_retries_exhausted"
                }
                Some(code) if *code == SqlState::TOO_MANY_CONNECTIONS => "too_many_connections",
                _ => "database_unreachable",
            };
        }
    }
    "other"
}

fn db_error(err: tokio_postgres::Error) -> AppError {
    let Some(db) = err.as_db_error() else {
        // No server answer at all: the connection broke or could not be made.
        return AppError::Unavailable(anyhow!(err).context("database connection failed"));
    };
    let constraint = db.constraint().unwrap_or_default();
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        AppError::AlreadyExists(
            match constraint {
                "users_pkey" => "username already exists",
                "users_email_key" => "email already exists",
                "owner_currency_key" => "the owner already has an account in this currency",
                _ => "the record already exists",
            }
            .to_owned(),
        )
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        AppError::NotFound(
            match constraint {
                "accounts_owner_fkey" | "sessions_username_fkey" => "user not found",
                "entries_account_id_fkey"
                | "transfers_from_account_id_fkey"
                | "transfers_to_account_id_fkey" => "account not found",
                _ => "a referenced record does not exist",
            }
            .to_owned(),
        )
    } else if *code == SqlState::CHECK_VIOLATION {
        match constraint {
            "accounts_balance_nonnegative" => {
                AppError::FailedPrecondition(BusinessRule::InsufficientFunds)
            }
            "transfers_amount_positive" => {
                AppError::invalid_field("amount", "must be greater than 0")
            }
            "users_role_known" => {
                AppError::invalid_field("role", "must be 'depositor' or 'banker'")
            }
            _ => AppError::Internal(anyhow!(err).context("unexpected check violation")),
        }
    } else if *code == SqlState::NUMERIC_VALUE_OUT_OF_RANGE {
        // Only `balance + amount` can overflow: a valid amount the balance cannot take.
        AppError::FailedPrecondition(BusinessRule::BalanceLimit)
    } else if *code == SqlState::LOCK_NOT_AVAILABLE {
        // lock_timeout: the transaction rolled back; an idempotent retry is safe.
        AppError::Unavailable(anyhow!(err).context("waited too long for a row lock"))
    } else if *code == SqlState::QUERY_CANCELED {
        // statement_timeout (or an operator's pg_cancel_backend): rolled back too.
        AppError::Unavailable(anyhow!(err).context("statement ran too long"))
    } else if is_retryable_db_error(&err)
        || code.code().starts_with("08")
        || *code == SqlState::TOO_MANY_CONNECTIONS
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
    {
        AppError::Unavailable(anyhow!(err).context("database busy or unreachable"))
    } else {
        AppError::Internal(anyhow!(err).context("database error"))
    }
}
