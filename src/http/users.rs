use salvo::prelude::*;

use super::{
    auth::require_auth,
    dto::{
        CreateUserRequest, LoginBody, LoginRequest, RefreshTokenRequest, RenewBody,
        UpdateUserRequest, UserBody,
    },
    extract::{Created, NoContent, bank, client_info, json_body, principal},
    json::JsonBody,
};
use crate::{
    domain::Username,
    error::AppError,
    service::{LoginInput, NewUser, UserChanges},
};

pub fn public_router() -> Router {
    Router::new()
        .push(Router::with_path("users").post(create_user))
        .push(Router::with_path("users/login").post(login_user))
        .push(Router::with_path("users/logout").post(logout_user))
        .push(Router::with_path("tokens/renew_access").post(renew_access_token))
}

pub fn protected_router() -> Router {
    Router::new()
        .hoop(require_auth)
        .push(Router::with_path("users/me").get(get_me))
        .push(
            Router::with_path("users/{username}")
                // `/users/login` and the like are other routes, never a user (API.md): so
                // that `PATCH /users/me` is 405, not an attempt to change a user `me`.
                .filter_fn(|req, _| {
                    let last = req.uri().path().rsplit('/').next().unwrap_or_default();
                    !Username::RULE.reserved.contains(&last)
                })
                .patch(update_user),
        )
}

/// Register a user.
#[endpoint(operation_id = "create_user", tags("users"), request_body = CreateUserRequest, status_codes(201, 400, 409, 500, 503))]
pub async fn create_user(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Created<UserBody>, AppError> {
    let body: CreateUserRequest = json_body(req).await?;
    let new = NewUser::parse(
        body.username.as_deref(),
        body.password.as_deref(),
        body.full_name.as_deref(),
        body.email.as_deref(),
    )?;
    let user = bank(depot)?.create_user(new).await?;
    Ok(Created(user.into()))
}

/// Log in: opens a session and returns an access and a refresh token.
///
/// An unknown username and a wrong password give the same 401.
#[endpoint(operation_id = "login_user", tags("users"), request_body = LoginRequest, status_codes(200, 400, 401, 429, 500, 503))]
pub async fn login_user(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<LoginBody>, AppError> {
    let body: LoginRequest = json_body(req).await?;
    let input = LoginInput::parse(body.username.as_deref(), body.password.as_deref())?;
    let login = bank(depot)?.login(input, &client_info(req, depot)).await?;
    Ok(JsonBody(login.into()))
}

/// A new access token for a refresh token whose session is open.
#[endpoint(operation_id = "renew_access_token", tags("users"), request_body = RefreshTokenRequest, status_codes(200, 400, 401, 500, 503))]
pub async fn renew_access_token(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<RenewBody>, AppError> {
    let token = refresh_token(req).await?;
    let renewed = bank(depot)?.renew_access(&token).await?;
    Ok(JsonBody(renewed.into()))
}

/// Log out: blocks the session, so its refresh token stops working.
#[endpoint(operation_id = "logout", tags("users"), request_body = RefreshTokenRequest, status_codes(204, 400, 401, 500, 503))]
pub async fn logout_user(req: &mut Request, depot: &mut Depot) -> Result<NoContent, AppError> {
    let token = refresh_token(req).await?;
    bank(depot)?.logout(&token).await?;
    Ok(NoContent)
}

async fn refresh_token(req: &mut Request) -> Result<String, AppError> {
    let body: RefreshTokenRequest = json_body(req).await?;
    body.refresh_token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| AppError::invalid_field("refresh_token", "is required"))
}

/// The caller's own user.
#[endpoint(operation_id = "get_me", tags("users"), security(("bearer" = [])), status_codes(200, 401, 404, 500, 503))]
pub async fn get_me(depot: &mut Depot) -> Result<JsonBody<UserBody>, AppError> {
    let caller = principal(depot)?;
    let user = bank(depot)?.get_me(&caller).await?;
    Ok(JsonBody(user.into()))
}

/// Change any of full name, e-mail and password. Depositors may change only
/// themselves; bankers anyone. A new password sets `password_changed_at`.
#[endpoint(
    operation_id = "update_user",
    tags("users"),
    security(("bearer" = [])),
    request_body = UpdateUserRequest,
    parameters(("username" = String, Path, description = "The user to change")),
    status_codes(200, 400, 401, 403, 404, 409, 500, 503)
)]
pub async fn update_user(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<UserBody>, AppError> {
    let caller = principal(depot)?;
    let target = Username::parse(&req.param::<String>("username").unwrap_or_default())?;
    let body: UpdateUserRequest = json_body(req).await?;
    let changes = UserChanges::parse(
        body.full_name.as_deref(),
        body.email.as_deref(),
        body.password.as_deref(),
    )?;
    let user = bank(depot)?.update_user(&caller, &target, changes).await?;
    Ok(JsonBody(user.into()))
}
