//! Bearer authentication: a hoop that proves the caller or answers 401.

use salvo::prelude::*;

use super::extract::bank;
use crate::error::AppError;

/// Puts the authenticated `Principal` in the depot, or stops with 401.
#[handler]
pub async fn require_auth(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    ctrl: &mut FlowCtrl,
) {
    let header = match req
        .headers()
        .get("authorization")
        .map(|value| value.to_str())
    {
        None => Ok(None),
        Some(Ok(value)) => Ok(Some(value)),
        Some(Err(_)) => Err(AppError::Unauthenticated(
            "the authorization header is not readable".to_owned(),
        )),
    };
    let principal = header.and_then(|header| bank(depot)?.authenticate_header(header));
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
