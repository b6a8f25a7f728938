//! Bearer authentication: a hoop that proves the caller or answers 401.

use salvo::prelude::*;

use super::extract::bank;
use crate::error::AppError;

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(req: &Request) -> Result<&str, AppError> {
    let header = req.headers().get("authorization").ok_or_else(|| {
        AppError::Unauthenticated("the authorization header is missing".to_owned())
    })?;
    let value = header.to_str().map_err(|_| {
        AppError::Unauthenticated("the authorization header is not readable".to_owned())
    })?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::Unauthenticated(format!(
            "unsupported authorization type {scheme:?}, use Bearer"
        )));
    }
    match token.trim() {
        "" => Err(AppError::Unauthenticated(
            "the bearer token is missing".to_owned(),
        )),
        token => Ok(token),
    }
}

/// Puts the authenticated `Principal` in the depot, or stops with 401.
#[handler]
pub async fn require_auth(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    ctrl: &mut FlowCtrl,
) {
    let principal = bank(depot).and_then(|bank| bank.authenticate(bearer_token(req)?));
    match principal {
        Ok(principal) => {
            depot.insert_typed(principal);
        }
        Err(err) => {
            err.write(req, depot, res).await;
            ctrl.skip_rest();
        }
    }
}
