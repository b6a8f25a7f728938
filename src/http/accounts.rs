use salvo::prelude::*;

use super::{
    auth::require_auth,
    dto::{AccountBody, CreateAccountRequest, DepositBody, DepositRequest, EntryBody, all},
    extract::{Created, Paged, bank, json_body, page, page_request, path_id, principal},
    json::JsonBody,
};
use crate::{
    domain::{AccountId, Amount, Currency, Violations, both},
    error::AppError,
};

pub fn router() -> Router {
    Router::with_path("accounts")
        .hoop(require_auth)
        .get(list_accounts)
        .post(create_account)
        .push(
            Router::with_path("{id}")
                .get(get_account)
                .push(Router::with_path("entries").get(list_entries))
                .push(Router::with_path("deposits").post(create_deposit)),
        )
}

fn account_id(req: &Request) -> Result<AccountId, AppError> {
    AccountId::parse(path_id(req, "id")?)
}

/// Open an account in a currency, owned by the caller, with balance 0.
#[endpoint(operation_id = "create_account", tags("accounts"), security(("bearer" = [])), request_body = CreateAccountRequest, status_codes(201, 400, 401, 409, 500, 503))]
pub async fn create_account(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Created<AccountBody>, AppError> {
    let caller = principal(depot)?;
    let body: CreateAccountRequest = json_body(req).await?;
    let mut violations = Violations::new();
    let currency = violations.required("currency", body.currency.as_deref(), Currency::parse);
    let currency = violations.finish(|| currency)?;
    let account = bank(depot)?.create_account(&caller, currency).await?;
    Ok(Created(account.into()))
}

/// One account: its owner or a banker.
#[endpoint(
    operation_id = "get_account",
    tags("accounts"),
    security(("bearer" = [])),
    parameters(("id" = i64, Path, description = "Account id, >= 1")),
    status_codes(200, 400, 401, 403, 404, 500, 503)
)]
pub async fn get_account(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<AccountBody>, AppError> {
    let caller = principal(depot)?;
    let account = bank(depot)?.get_account(&caller, account_id(req)?).await?;
    Ok(JsonBody(account.into()))
}

/// The caller's accounts, ordered by id.
#[endpoint(
    operation_id = "list_accounts",
    tags("accounts"),
    security(("bearer" = [])),
    parameters(
        ("page_id" = Option<i64>, Query, description = "From 1 (default 1)"),
        ("page_size" = Option<i64>, Query, description = "1 to 100 (default 10)")
    ),
    status_codes(200, 400, 401, 500, 503)
)]
pub async fn list_accounts(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<JsonBody<Vec<AccountBody>>, AppError> {
    let caller = principal(depot)?;
    let accounts = bank(depot)?.list_accounts(&caller, page(req)?).await?;
    Ok(JsonBody(all(accounts)))
}

/// An account's entries, newest first: its owner or a banker.
#[endpoint(
    operation_id = "list_entries",
    tags("accounts"),
    security(("bearer" = [])),
    parameters(
        ("id" = i64, Path, description = "Account id, >= 1"),
        ("page_id" = Option<i64>, Query, description = "From 1 (default 1); not with page_token"),
        ("page_size" = Option<i64>, Query, description = "1 to 100 (default 10)"),
        ("page_token" = Option<String>, Query, description = "Opaque: the Next-Page-Token of the previous page of this list; any other value is 400")
    ),
    status_codes(200, 400, 401, 403, 404, 500, 503)
)]
pub async fn list_entries(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Paged<EntryBody>, AppError> {
    let caller = principal(depot)?;
    let (account, page) = both(account_id(req), page_request(req))?;
    let entries = bank(depot)?.list_entries(&caller, account, page).await?;
    Ok(entries.into())
}

/// Put money into an account (bankers only): balance and entry change together.
///
/// 422 when the balance could not hold the amount.
#[endpoint(
    operation_id = "deposit",
    tags("accounts"),
    security(("bearer" = [])),
    request_body = DepositRequest,
    parameters(("id" = i64, Path, description = "Account id, >= 1")),
    status_codes(201, 400, 401, 403, 404, 422, 500, 503)
)]
pub async fn create_deposit(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Created<DepositBody>, AppError> {
    let caller = principal(depot)?;
    let account = account_id(req);
    let body: DepositRequest = json_body(req).await?;
    let mut violations = Violations::new();
    let amount = violations.required("amount", body.amount, Amount::parse);
    let (account, amount) = both(account, violations.finish(|| amount))?;
    let deposit = bank(depot)?.deposit(&caller, account, amount).await?;
    Ok(Created(deposit.into()))
}
