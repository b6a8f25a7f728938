use salvo::prelude::*;

use super::{
    auth::require_auth,
    dto::{CreateTransferRequest, TransferBody, TransferResultBody},
    extract::{Created, Paged, bank, json_body, page_request, path_id, principal, query_int},
    json::JsonBody,
};
use crate::{
    domain::{AccountId, IdempotencyKey, both},
    error::AppError,
    service::TransferInput,
};

pub fn router() -> Router {
    Router::with_path("transfers")
        .hoop(require_auth)
        .get(list_transfers)
        .post(create_transfer)
        .push(Router::with_path("{id}").get(get_transfer))
}

fn idempotency_key(req: &Request) -> Result<Option<IdempotencyKey>, AppError> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(value) => {
            let value = value.to_str().unwrap_or("\u{0}");
            IdempotencyKey::parse(value).map(Some).map_err(|_| {
                AppError::invalid_field(
                    "Idempotency-Key",
                    "must be 1 to 64 visible ASCII characters",
                )
            })
        }
    }
}

/// Move money from one of the caller's accounts.
///
/// With an `Idempotency-Key` header (1–64 visible ASCII characters), a repeat with
/// the same body returns the first response and moves no money; another body is 409.
#[endpoint(
    operation_id = "create_transfer",
    tags("transfers"),
    security(("bearer" = [])),
    request_body = CreateTransferRequest,
    parameters(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    status_codes(201, 400, 401, 403, 404, 409, 422, 500, 503)
)]
pub async fn create_transfer(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<Created<TransferResultBody>, AppError> {
    let caller = principal(depot)?;
    let key = idempotency_key(req);
    let body: CreateTransferRequest = json_body(req).await?;
    let input = TransferInput::parse(
        body.from_account_id,
        body.to_account_id,
        body.amount,
        body.currency.as_deref(),
    );
    let (input, key) = both(input, key)?;
    let outcome = bank(depot)?.create_transfer(&caller, input, key).await?;
    if outcome.replayed {
        res.add_header("idempotent-replayed", "true", true).ok();
    }
    Ok(Created(outcome.result.into()))
}

/// One transfer, if the caller owns either side (or is a banker).
#[endpoint(
    operation_id = "get_transfer",
    tags("transfers"),
    security(("bearer" = [])),
    parameters(("id" = i64, Path, description = "Transfer id, >= 1")),
    status_codes(200, 400, 401, 403, 404, 500, 503)
)]
pub async fn get_transfer(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<TransferBody>, AppError> {
    let caller = principal(depot)?;
    let transfer = bank(depot)?
        .get_transfer(&caller, path_id(req, "id")?)
        .await?;
    Ok(JsonBody(transfer.into()))
}

/// Transfers touching an account, newest first: its owner or a banker.
#[endpoint(
    operation_id = "list_transfers",
    tags("transfers"),
    security(("bearer" = [])),
    parameters(
        ("account_id" = i64, Query, description = "Account id, >= 1 (required)"),
        ("page_id" = Option<i64>, Query, description = "From 1 (default 1); not with page_token"),
        ("page_size" = Option<i64>, Query, description = "1 to 100 (default 10)"),
        ("page_token" = Option<String>, Query, description = "Opaque: the Next-Page-Token of the previous page of this list; any other value is 400")
    ),
    status_codes(200, 400, 401, 403, 404, 500, 503)
)]
pub async fn list_transfers(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Paged<TransferBody>, AppError> {
    let caller = principal(depot)?;
    let account = match query_int(req, "account_id") {
        Ok(Some(id)) => AccountId::parse_field(id, "account_id"),
        Ok(None) => Err(AppError::invalid_field("account_id", "is required")),
        Err(err) => Err(err),
    };
    let (account, page) = both(account, page_request(req))?;
    let transfers = bank(depot)?.list_transfers(&caller, account, page).await?;
    Ok(transfers.into())
}
