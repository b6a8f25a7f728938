//! The one place that decides how an `AppError` looks over HTTP.

use salvo::{
    http::StatusCode,
    oapi::{self, Components, EndpointOutRegister, Operation, ToSchema},
    prelude::*,
};
use serde::Serialize;

use crate::{
    error::{AppError, FieldViolation},
    service::LoginLimiter,
};

/// Every error response: `{"error": "...", "code": "...", "field_violations": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A message for people.
    pub error: String,
    /// A stable code for programs, e.g. `invalid_argument`.
    pub code: String,
    /// Every invalid input field, for `invalid_argument`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_violations: Option<Vec<FieldViolationBody>>,
}

/// A 400 body: `ErrorBody` whose `field_violations` is always there. Documents the
/// shape only; the server writes `ErrorBody`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidArgumentBody {
    pub error: String,
    /// `invalid_argument`.
    pub code: String,
    /// Every invalid input field (a malformed body is the field `body`).
    pub field_violations: Vec<FieldViolationBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldViolationBody {
    pub field: String,
    pub description: String,
}

impl From<&FieldViolation> for FieldViolationBody {
    fn from(violation: &FieldViolation) -> Self {
        Self {
            field: violation.field.clone(),
            description: violation.description.clone(),
        }
    }
}

/// The HTTP status of each error. No wildcard: a new variant must be placed here.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::InvalidArgument(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::PermissionDenied(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::AlreadyExists(_) | AppError::IdempotencyConflict => StatusCode::CONFLICT,
        AppError::FailedPrecondition(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The body a client sees. For 5xx it is the variant's fixed public message only;
/// the cause chain goes to the log.
pub fn body_of(err: &AppError) -> ErrorBody {
    ErrorBody {
        error: err.to_string(),
        code: err.code().to_owned(),
        field_violations: match err {
            AppError::InvalidArgument(violations) => {
                Some(violations.iter().map(Into::into).collect())
            }
            _ => None,
        },
    }
}

/// The message and code of a status the HTTP stack answers by itself (unknown
/// route, wrong method, transport limits), so those bodies look like any other.
pub fn transport_error_of(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("the request is malformed", "invalid_argument"),
        StatusCode::NOT_FOUND => ("no such route", "not_found"),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method not allowed on this route", "method_not_allowed")
        }
        StatusCode::REQUEST_TIMEOUT => ("the request was not received in time", "request_timeout"),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "the request body is larger than 64 KiB",
            "payload_too_large",
        ),
        StatusCode::URI_TOO_LONG => ("the request URI is too long", "uri_too_long"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported media type", "unsupported_media_type"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            "the request headers are larger than 16 KiB",
            "headers_too_large",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "the service is temporarily unavailable, try again",
            "unavailable",
        ),
        status if status.is_client_error() => ("the request failed", "invalid_argument"),
        _ => ("internal error", "internal"),
    }
}

/// Answers `status` with the API's error body.
pub fn write_transport_error(res: &mut Response, status: StatusCode) {
    let (error, code) = transport_error_of(status);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.add_header("retry-after", "1", true).ok();
    }
    res.status_code(status);
    super::json::render(
        res,
        &ErrorBody {
            error: error.to_owned(),
            code: code.to_owned(),
            field_violations: None,
        },
    );
}

/// Seconds a client should wait before retrying, for the errors that invite a retry.
pub fn retry_after(err: &AppError) -> Option<u64> {
    match err {
        AppError::Unavailable(_) => Some(1),
        // The limiter forgets a failure once it is older than the window.
        AppError::RateLimited => Some(LoginLimiter::WINDOW.as_secs()),
        AppError::InvalidArgument(_)
        | AppError::Unauthenticated(_)
        | AppError::PermissionDenied(_)
        | AppError::NotFound(_)
        | AppError::AlreadyExists(_)
        | AppError::IdempotencyConflict
        | AppError::FailedPrecondition(_)
        | AppError::Internal(_) => None,
    }
}

#[async_trait]
impl Writer for AppError {
    async fn write(self, _req: &mut Request, depot: &mut Depot, res: &mut Response) {
        self.log();
        super::observe::count_unavailable(&self, depot);
        let status = status_of(&self);
        if let Some(seconds) = retry_after(&self) {
            res.add_header("retry-after", seconds.to_string(), true)
                .ok();
        }
        res.status_code(status);
        super::json::render(res, &body_of(&self));
    }
}

impl EndpointOutRegister for AppError {
    fn register(components: &mut Components, operation: &mut Operation) {
        let schema = ErrorBody::to_schema(components);
        let invalid = InvalidArgumentBody::to_schema(components);
        let retry_after = || {
            oapi::Header::new(oapi::Object::with_type(oapi::BasicType::Integer).minimum(0))
                .required(true)
                .description("Seconds to wait before retrying")
        };
        for (status, description) in [
            (
                "400",
                "Malformed request or invalid fields (`invalid_argument`)",
            ),
            (
                "401",
                "Missing, invalid, expired or wrong-kind token, or bad credentials (`unauthenticated`)",
            ),
            ("403", "Authenticated but not allowed (`permission_denied`)"),
            ("404", "The resource does not exist (`not_found`)"),
            (
                "409",
                "Already exists, or idempotency key reused with another body",
            ),
            ("422", "A business rule refused it (`failed_precondition`)"),
            ("429", "Too many failed logins (`rate_limited`)"),
            ("500", "Internal error; the body is opaque (`internal`)"),
            ("503", "The database is unreachable; retry (`unavailable`)"),
        ] {
            let body = if status == "400" { &invalid } else { &schema };
            let mut response =
                oapi::Response::new(description).add_content("application/json", body.clone());
            if status == "429" || status == "503" {
                response = response.add_header("Retry-After", retry_after());
            }
            operation.responses.insert(status, response);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BusinessRule;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let err = AppError::Internal(anyhow::anyhow!(
            "relation \"users\" does not exist at SELECT * FROM users"
        ));
        let body = serde_json::to_string(&body_of(&err)).unwrap();
        assert_eq!(status_of(&err), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body, r#"{"error":"internal error","code":"internal"}"#);
    }

    #[test]
    fn unavailable_errors_never_show_their_cause() {
        let err = AppError::Unavailable(anyhow::anyhow!("connection refused to 10.0.0.5:5432"));
        let body = serde_json::to_string(&body_of(&err)).unwrap();
        assert!(!body.contains("10.0.0.5"), "{body}");
        assert_eq!(status_of(&err), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn field_violations_are_listed() {
        let err = AppError::InvalidArgument(vec![
            FieldViolation::new("username", "bad"),
            FieldViolation::new("email", "bad too"),
        ]);
        let body = serde_json::to_value(body_of(&err)).unwrap();
        assert_eq!(body["code"], "invalid_argument");
        assert_eq!(body["field_violations"][1]["field"], "email");
    }

    #[test]
    fn business_rules_are_unprocessable() {
        let err = AppError::FailedPrecondition(BusinessRule::InsufficientFunds);
        assert_eq!(status_of(&err), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body_of(&err).error,
            "insufficient funds in the source account"
        );
    }
}
