//! The one place that decides how an `AppError` looks over gRPC.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::error::AppError;

/// The gRPC code of each error. No wildcard: a new variant must be placed here.
pub fn code_of(err: &AppError) -> Code {
    match err {
        AppError::InvalidArgument(_) => Code::InvalidArgument,
        AppError::Unauthenticated(_) => Code::Unauthenticated,
        AppError::PermissionDenied(_) => Code::PermissionDenied,
        AppError::NotFound(_) => Code::NotFound,
        AppError::AlreadyExists(_) | AppError::IdempotencyConflict => Code::AlreadyExists,
        AppError::FailedPrecondition(_) => Code::FailedPrecondition,
        AppError::RateLimited => Code::ResourceExhausted,
        AppError::Unavailable(_) => Code::Unavailable,
        AppError::Internal(_) => Code::Internal,
    }
}

impl From<AppError> for Status {
    fn from(err: AppError) -> Self {
        err.log();
        let code = code_of(&err);
        let message = err.to_string();
        match err {
            AppError::InvalidArgument(violations) => {
                let violations: Vec<FieldViolation> = violations
                    .into_iter()
                    .map(|v| FieldViolation::new(v.field, v.description))
                    .collect();
                Status::with_error_details(
                    code,
                    message,
                    ErrorDetails::with_bad_request(violations),
                )
            }
            AppError::Unavailable(cause) => {
                let mut status = Status::new(code, message);
                status.metadata_mut().insert(
                    super::observe::UNAVAILABLE_CAUSE,
                    tonic::metadata::MetadataValue::from_static(crate::store::unavailable_cause(
                        &cause,
                    )),
                );
                status
            }
            _ => Status::new(code, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldViolation as Violation;

    #[test]
    fn field_violations_travel_in_the_status_details() {
        let status = Status::from(AppError::InvalidArgument(vec![
            Violation::new("username", "bad"),
            Violation::new("email", "worse"),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let fields: Vec<_> = details
            .bad_request()
            .expect("BadRequest details")
            .field_violations
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["username", "email"]);
    }

    #[test]
    fn internal_causes_stay_out_of_the_message() {
        let status = Status::from(AppError::Internal(anyhow::anyhow!(
            "password authentication failed for user root"
        )));
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
    }
}
