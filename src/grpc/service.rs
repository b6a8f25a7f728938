//! The SimpleBank RPCs: authenticate, convert proto -> domain, call one service
//! function, convert back. No business rule lives here.

use std::sync::Arc;

use tonic::{Request, Response, Status, metadata::MetadataMap, service::Interceptor};

use super::{
    convert::{all, given, given_int},
    pb::{self, simple_bank_server::SimpleBank},
};
use crate::{
    domain::{
        AccountId, Amount, Currency, IdempotencyKey, Page, PageRequest, PageToken, Username,
        Violations,
    },
    error::AppError,
    service::{Bank, ClientInfo, LoginInput, NewUser, Principal, TransferInput, UserChanges},
};

/// What the interceptor learned from the `authorization` metadata. RPCs that
/// need no caller (login, renew, logout) ignore it, so a stale access token
/// never blocks a renewal.
#[derive(Clone)]
enum Caller {
    Anonymous,
    Authenticated(Principal),
    Rejected(String),
}

/// Reads `authorization: bearer <token>` once per call and records the outcome.
#[derive(Clone)]
pub struct Authenticate {
    pub bank: Arc<Bank>,
}

impl Interceptor for Authenticate {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let caller = match request.metadata().get("authorization") {
            None => Caller::Anonymous,
            Some(value) => match value.to_str() {
                Ok(value) => match self.bank.authenticate_header(Some(value)) {
                    Ok(principal) => Caller::Authenticated(principal),
                    Err(err) => Caller::Rejected(err.to_string()),
                },
                Err(_) => Caller::Rejected("the authorization metadata is not readable".to_owned()),
            },
        };
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}

fn principal<T>(request: &Request<T>) -> Result<Principal, AppError> {
    match request.extensions().get::<Caller>() {
        Some(Caller::Authenticated(principal)) => Ok(principal.clone()),
        Some(Caller::Rejected(reason)) => Err(AppError::Unauthenticated(reason.clone())),
        Some(Caller::Anonymous) | None => Err(AppError::Unauthenticated(
            "the authorization metadata is missing".to_owned(),
        )),
    }
}

fn client_info<T>(request: &Request<T>, trust_forwarded_for: bool) -> ClientInfo {
    let metadata = request.metadata();
    let text = |key: &str| {
        metadata
            .get(key)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let peer = request
        .remote_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_default();
    ClientInfo {
        user_agent: text("user-agent")
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect(),
        client_ip: crate::service::client_address(
            text("x-forwarded-for"),
            trust_forwarded_for,
            peer,
        ),
    }
}

fn idempotency_key(metadata: &MetadataMap) -> Result<Option<IdempotencyKey>, AppError> {
    match metadata.get("idempotency-key") {
        None => Ok(None),
        Some(value) => IdempotencyKey::parse(value.to_str().unwrap_or("\u{0}"))
            .map(Some)
            .map_err(|_| {
                AppError::invalid_field(
                    "idempotency-key",
                    "must be 1 to 64 visible ASCII characters",
                )
            }),
    }
}

fn page(page_id: i64, page_size: i64) -> Result<Page, AppError> {
    Page::parse(given_int(page_id), given_int(page_size))
}

/// An id field that must be given and at least 1; every violation collected.
fn required_id(violations: &mut Violations, field: &str, value: i64) -> Option<AccountId> {
    violations.required(field, given_int(value), |id| {
        AccountId::parse_field(id, field)
    })
}

/// The account and page of a listing scoped to one account, every violation at once.
fn account_page(
    account_id: i64,
    page_id: i64,
    page_size: i64,
    page_token: &str,
) -> Result<(AccountId, PageRequest), AppError> {
    let mut violations = Violations::new();
    let account = required_id(&mut violations, "account_id", account_id);
    let page = violations.check(PageRequest::parse(
        given_int(page_id),
        given_int(page_size),
        given(page_token),
    ));
    violations.finish(|| account.zip(page))
}

fn next_page_token(token: Option<PageToken>) -> String {
    token.map(|token| token.encode()).unwrap_or_default()
}

pub struct GrpcBank {
    pub bank: Arc<Bank>,
    pub trust_forwarded_for: bool,
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl SimpleBank for GrpcBank {
    async fn create_user(
        &self,
        request: Request<pb::CreateUserRequest>,
    ) -> Reply<pb::CreateUserResponse> {
        let body = request.into_inner();
        let new = NewUser::parse(
            given(&body.username),
            given(&body.password),
            given(&body.full_name),
            given(&body.email),
        )?;
        let user = self.bank.create_user(new).await?;
        Ok(Response::new(pb::CreateUserResponse {
            user: Some(user.into()),
        }))
    }

    async fn login_user(
        &self,
        request: Request<pb::LoginUserRequest>,
    ) -> Reply<pb::LoginUserResponse> {
        let client = client_info(&request, self.trust_forwarded_for);
        let body = request.into_inner();
        let input = LoginInput::parse(given(&body.username), given(&body.password))?;
        let login = self.bank.login(input, &client).await?;
        Ok(Response::new(login.into()))
    }

    async fn renew_access_token(
        &self,
        request: Request<pb::RenewAccessTokenRequest>,
    ) -> Reply<pb::RenewAccessTokenResponse> {
        let token = required_token(&request.get_ref().refresh_token)?;
        let renewed = self.bank.renew_access(token).await?;
        Ok(Response::new(pb::RenewAccessTokenResponse {
            access_token: renewed.access_token,
            access_token_expires_at: super::convert::timestamp(renewed.access_token_expires_at),
        }))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        let token = required_token(&request.get_ref().refresh_token)?;
        self.bank.logout(token).await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn get_me(&self, request: Request<pb::GetMeRequest>) -> Reply<pb::GetMeResponse> {
        let caller = principal(&request)?;
        let user = self.bank.get_me(&caller).await?;
        Ok(Response::new(pb::GetMeResponse {
            user: Some(user.into()),
        }))
    }

    async fn update_user(
        &self,
        request: Request<pb::UpdateUserRequest>,
    ) -> Reply<pb::UpdateUserResponse> {
        let caller = principal(&request)?;
        let body = request.into_inner();
        let target = Username::parse(&body.username);
        let changes = UserChanges::parse(
            body.full_name.as_deref(),
            body.email.as_deref(),
            body.password.as_deref(),
        );
        let (target, changes) = crate::domain::both(target, changes)?;
        let user = self.bank.update_user(&caller, &target, changes).await?;
        Ok(Response::new(pb::UpdateUserResponse {
            user: Some(user.into()),
        }))
    }

    async fn create_account(
        &self,
        request: Request<pb::CreateAccountRequest>,
    ) -> Reply<pb::CreateAccountResponse> {
        let caller = principal(&request)?;
        let mut violations = Violations::new();
        let currency = violations.required(
            "currency",
            given(&request.get_ref().currency),
            Currency::parse,
        );
        let currency = violations.finish(|| currency)?;
        let account = self.bank.create_account(&caller, currency).await?;
        Ok(Response::new(pb::CreateAccountResponse {
            account: Some(account.into()),
        }))
    }

    async fn get_account(
        &self,
        request: Request<pb::GetAccountRequest>,
    ) -> Reply<pb::GetAccountResponse> {
        let caller = principal(&request)?;
        let mut violations = Violations::new();
        let id = required_id(&mut violations, "id", request.get_ref().id);
        let id = violations.finish(|| id)?;
        let account = self.bank.get_account(&caller, id).await?;
        Ok(Response::new(pb::GetAccountResponse {
            account: Some(account.into()),
        }))
    }

    async fn list_accounts(
        &self,
        request: Request<pb::ListAccountsRequest>,
    ) -> Reply<pb::ListAccountsResponse> {
        let caller = principal(&request)?;
        let body = request.get_ref();
        let accounts = self
            .bank
            .list_accounts(&caller, page(body.page_id, body.page_size)?)
            .await?;
        Ok(Response::new(pb::ListAccountsResponse {
            accounts: all(accounts),
        }))
    }

    async fn list_entries(
        &self,
        request: Request<pb::ListEntriesRequest>,
    ) -> Reply<pb::ListEntriesResponse> {
        let caller = principal(&request)?;
        let body = request.get_ref();
        let (account, page) = account_page(
            body.account_id,
            body.page_id,
            body.page_size,
            &body.page_token,
        )?;
        let listed = self.bank.list_entries(&caller, account, page).await?;
        Ok(Response::new(pb::ListEntriesResponse {
            entries: all(listed.items),
            next_page_token: next_page_token(listed.next_page_token),
        }))
    }

    async fn deposit(&self, request: Request<pb::DepositRequest>) -> Reply<pb::DepositResponse> {
        let caller = principal(&request)?;
        let body = request.get_ref();
        let mut violations = Violations::new();
        let account = required_id(&mut violations, "account_id", body.account_id);
        let amount = violations.required("amount", given_int(body.amount), Amount::parse);
        let (account, amount) = violations.finish(|| account.zip(amount))?;
        let deposit = self.bank.deposit(&caller, account, amount).await?;
        Ok(Response::new(deposit.into()))
    }

    async fn create_transfer(
        &self,
        request: Request<pb::CreateTransferRequest>,
    ) -> Reply<pb::CreateTransferResponse> {
        let caller = principal(&request)?;
        let key = idempotency_key(request.metadata());
        let body = request.get_ref();
        let input = TransferInput::parse(
            given_int(body.from_account_id),
            given_int(body.to_account_id),
            given_int(body.amount),
            given(&body.currency),
        );
        let (input, key) = crate::domain::both(input, key)?;
        let outcome = self.bank.create_transfer(&caller, input, key).await?;
        let mut response = Response::new(outcome.result.into());
        if outcome.replayed {
            response.metadata_mut().insert(
                "idempotent-replayed",
                tonic::metadata::MetadataValue::from_static("true"),
            );
        }
        Ok(response)
    }

    async fn get_transfer(
        &self,
        request: Request<pb::GetTransferRequest>,
    ) -> Reply<pb::GetTransferResponse> {
        let caller = principal(&request)?;
        let mut violations = Violations::new();
        let id = required_id(&mut violations, "id", request.get_ref().id);
        let id = violations.finish(|| id)?;
        let transfer = self.bank.get_transfer(&caller, id.get()).await?;
        Ok(Response::new(pb::GetTransferResponse {
            transfer: Some(transfer.into()),
        }))
    }

    async fn list_transfers(
        &self,
        request: Request<pb::ListTransfersRequest>,
    ) -> Reply<pb::ListTransfersResponse> {
        let caller = principal(&request)?;
        let body = request.get_ref();
        let (account, page) = account_page(
            body.account_id,
            body.page_id,
            body.page_size,
            &body.page_token,
        )?;
        let listed = self.bank.list_transfers(&caller, account, page).await?;
        Ok(Response::new(pb::ListTransfersResponse {
            transfers: all(listed.items),
            next_page_token: next_page_token(listed.next_page_token),
        }))
    }
}

fn required_token(token: &str) -> Result<&str, AppError> {
    given(token).ok_or_else(|| AppError::invalid_field("refresh_token", "is required"))
}
