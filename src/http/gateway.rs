//! Compatibility with the course's grpc-gateway clients: `/v1/create_user`,
//! `/v1/login_user` and `/v1/update_user` take and return the gateway's JSON
//! (proto field names), and errors come as the gateway's `{code, message, details}`.
//! Same service functions as REST and gRPC.

use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    dto::{LoginBody, UserBody},
    extract::{bank, client_info, json_body},
    json::{self, JsonBody},
};
use crate::{
    domain::{Username, both},
    error::AppError,
    grpc::{convert::given, status::code_of},
    service::{LoginInput, NewUser, UserChanges},
};

pub fn router() -> Router {
    Router::with_path("v1")
        .push(Router::with_path("create_user").post(create_user))
        .push(Router::with_path("login_user").post(login_user))
        .push(Router::with_path("update_user").patch(update_user))
}

/// An error in grpc-gateway's shape, with its HTTP status derived from the gRPC code.
struct GatewayError(AppError);

impl From<AppError> for GatewayError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

#[async_trait]
impl Writer for GatewayError {
    async fn write(self, _req: &mut Request, depot: &mut Depot, res: &mut Response) {
        let code = code_of(&self.0);
        self.0.log();
        super::observe::count_unavailable(&self.0, depot);
        let details = match &self.0 {
            AppError::InvalidArgument(violations) => vec![json!({
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "field_violations": violations
                    .iter()
                    .map(|v| json!({"field": v.field, "description": v.description}))
                    .collect::<Vec<_>>(),
            })],
            _ => Vec::new(),
        };
        // grpc-gateway's runtime.HTTPStatusFromCode.
        let status = match code {
            tonic::Code::Ok => StatusCode::OK,
            tonic::Code::InvalidArgument
            | tonic::Code::FailedPrecondition
            | tonic::Code::OutOfRange => StatusCode::BAD_REQUEST,
            tonic::Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            tonic::Code::PermissionDenied => StatusCode::FORBIDDEN,
            tonic::Code::NotFound => StatusCode::NOT_FOUND,
            tonic::Code::AlreadyExists | tonic::Code::Aborted => StatusCode::CONFLICT,
            tonic::Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
            tonic::Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
            tonic::Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
            tonic::Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            tonic::Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
            tonic::Code::Unknown | tonic::Code::Internal | tonic::Code::DataLoss => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        res.status_code(status);
        json::render(
            res,
            &json!({
                "code": code as i32,
                "message": self.0.to_string(),
                "details": details,
            }),
        );
    }
}

/// The gateway wraps the user; its fields (proto names) and timestamps (RFC 3339 with 0,
/// 3, 6 or 9 fraction digits, as protojson writes them) are the REST body's.
#[derive(Serialize)]
struct UserEnvelope {
    user: UserBody,
}

/// protojson accepts absent fields as their defaults; so do we (then validation names them).
#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateUserRequest {
    username: String,
    password: String,
    full_name: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UpdateUserRequest {
    username: String,
    full_name: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

#[handler]
async fn create_user(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<UserEnvelope>, GatewayError> {
    let body: CreateUserRequest = json_body(req).await?;
    let new = NewUser::parse(
        given(&body.username),
        given(&body.password),
        given(&body.full_name),
        given(&body.email),
    )?;
    let user = bank(depot)?.create_user(new).await?;
    Ok(JsonBody(UserEnvelope { user: user.into() }))
}

#[handler]
async fn login_user(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<LoginBody>, GatewayError> {
    let body: LoginRequest = json_body(req).await?;
    let input = LoginInput::parse(given(&body.username), given(&body.password))?;
    let login = bank(depot)?.login(input, &client_info(req, depot)).await?;
    Ok(JsonBody(login.into()))
}

#[handler]
async fn update_user(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<UserEnvelope>, GatewayError> {
    let header = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bank = bank(depot)?;
    let caller = bank.authenticate_header(header.as_deref())?;
    let body: UpdateUserRequest = json_body(req).await?;
    let target = Username::parse(&body.username);
    let changes = UserChanges::parse(
        body.full_name.as_deref(),
        body.email.as_deref(),
        body.password.as_deref(),
    );
    let (target, changes) = both(target, changes)?;
    let user = bank.update_user(&caller, &target, changes).await?;
    Ok(JsonBody(UserEnvelope { user: user.into() }))
}
