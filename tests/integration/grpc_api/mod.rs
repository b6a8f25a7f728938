//! gRPC API tests through a real socket: every RPC of `pb.SimpleBank` and every
//! status code of API.md's gRPC section that it can return, reflection, health,
//! the grpc-gateway compatible routes, and parity with REST.
//!
//! Each test spawns its own server (`http_api::TestApp`, which binds HTTP and gRPC
//! on `127.0.0.1:0`) over a database of its own, and talks to it with the
//! generated tonic client, as a client would.

mod accounts;
mod gateway;
mod limits;
mod ops;
mod pages;
mod parity;
mod sessions;
mod transfers;
mod users;

use std::net::SocketAddr;

use simplebank::{
    grpc::pb::{self, simple_bank_client::SimpleBankClient},
    service::LoginLimiter,
};
use tokio::sync::OnceCell;
use tonic::{
    Code, Request, Response, Status,
    metadata::{MetadataKey, MetadataValue},
    transport::Channel,
};
use tonic_types::StatusExt;

use crate::{
    http_api::{TestApp, TestUser, random_full_name},
    random::{random_email, random_owner, random_string},
};

pub type Client = SimpleBankClient<Channel>;

/// The user agent this suite's client announces (tonic appends its own).
pub const USER_AGENT: &str = "simplebank-grpc-tests/1";

/// A channel to a gRPC server at `address`.
pub async fn channel(address: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{address}"))
        .expect("a valid endpoint URI")
        .user_agent(USER_AGENT)
        .expect("a valid user agent")
        .connect()
        .await
        .expect("connect to the gRPC server")
}

/// A test server (HTTP and gRPC over one database) and a gRPC client for it.
pub struct GrpcApp {
    /// The REST side and the database helpers of the same server.
    pub server: TestApp,
    client: Client,
    banker: OnceCell<TestUser>,
}

impl GrpcApp {
    pub async fn spawn() -> Self {
        Self::over(TestApp::spawn().await).await
    }

    pub async fn spawn_with_login_limiter(limiter: LoginLimiter) -> Self {
        Self::over(TestApp::spawn_with_login_limiter(limiter).await).await
    }

    async fn over(server: TestApp) -> Self {
        let client = SimpleBankClient::new(channel(server.grpc_address()).await);
        Self {
            server,
            client,
            banker: OnceCell::new(),
        }
    }

    /// A client on the app's channel (clients are cheap clones of it).
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    // ---- fixtures, all over gRPC ----

    /// Registers a random valid user with CreateUser and logs them in with LoginUser.
    pub async fn a_user(&self) -> TestUser {
        let mut user = TestUser {
            username: random_owner(),
            password: format!("pw-{}", random_string(12)),
            full_name: random_full_name(),
            email: random_email(),
            token: String::new(),
            refresh_token: String::new(),
            session_id: String::new(),
        };
        ok(self
            .client()
            .create_user(pb::CreateUserRequest {
                username: user.username.clone(),
                password: user.password.clone(),
                full_name: user.full_name.clone(),
                email: user.email.clone(),
            })
            .await);
        self.log_in(&mut user).await;
        user
    }

    /// Logs `user` in again with LoginUser and keeps the new tokens.
    pub async fn log_in(&self, user: &mut TestUser) {
        let login = ok(self
            .client()
            .login_user(pb::LoginUserRequest {
                username: user.username.clone(),
                password: user.password.clone(),
            })
            .await);
        user.token = login.access_token;
        user.refresh_token = login.refresh_token;
        user.session_id = login.session_id;
    }

    /// A user made a banker (as `simplebank user set-role` does), logged in again
    /// so that the access token carries the role.
    pub async fn a_banker(&self) -> TestUser {
        let mut user = self.a_user().await;
        self.server.make_banker(&user.username).await;
        self.log_in(&mut user).await;
        user
    }

    /// One banker per app, made on first use.
    pub async fn banker(&self) -> &TestUser {
        self.banker.get_or_init(|| self.a_banker()).await
    }

    /// Opens an account for `owner` with CreateAccount.
    pub async fn an_account(&self, owner: &TestUser, currency: &str) -> pb::Account {
        let request = authed(
            pb::CreateAccountRequest {
                currency: currency.to_owned(),
            },
            &owner.token,
        );
        ok(self.client().create_account(request).await)
            .account
            .expect("the new account")
    }

    /// Opens an account for `owner` and has the app's banker Deposit `balance`;
    /// returns the account id.
    pub async fn an_account_with(&self, owner: &TestUser, currency: &str, balance: i64) -> i64 {
        let id = self.an_account(owner, currency).await.id;
        if balance > 0 {
            self.deposit(id, balance).await;
        }
        id
    }

    /// The app's banker puts `amount` into `account`.
    pub async fn deposit(&self, account: i64, amount: i64) {
        let banker = self.banker().await;
        let request = authed(
            pb::DepositRequest {
                account_id: account,
                amount,
            },
            &banker.token,
        );
        ok(self.client().deposit(request).await);
    }

    /// A new user with one account holding `balance`.
    pub async fn a_user_with_account(&self, currency: &str, balance: i64) -> (TestUser, i64) {
        let user = self.a_user().await;
        let account = self.an_account_with(&user, currency, balance).await;
        (user, account)
    }

    /// `from` sends `amount` USD from `from_account` to `to_account`; returns the transfer.
    pub async fn a_transfer(
        &self,
        from: &TestUser,
        from_account: i64,
        to_account: i64,
        amount: i64,
    ) -> pb::Transfer {
        let request = authed(order(from_account, to_account, amount, "USD"), &from.token);
        ok(self.client().create_transfer(request).await)
            .transfer
            .expect("the transfer")
    }
}

// ---- requests ----

/// `message` with the given metadata entries.
pub fn with_metadata<T>(message: T, entries: &[(&'static str, &str)]) -> Request<T> {
    let mut request = Request::new(message);
    for (key, value) in entries {
        request.metadata_mut().insert(
            MetadataKey::from_static(key),
            MetadataValue::try_from(*value).expect("an ASCII metadata value"),
        );
    }
    request
}

/// `message` with `authorization: bearer <token>`.
pub fn authed<T>(message: T, token: &str) -> Request<T> {
    with_metadata(message, &[("authorization", &format!("bearer {token}"))])
}

pub fn order(from: i64, to: i64, amount: i64, currency: &str) -> pb::CreateTransferRequest {
    pb::CreateTransferRequest {
        from_account_id: from,
        to_account_id: to,
        amount,
        currency: currency.to_owned(),
    }
}

// ---- assertions ----

/// The response message of a call that must succeed.
#[track_caller]
pub fn ok<T>(result: Result<Response<T>, Status>) -> T {
    match result {
        Ok(response) => response.into_inner(),
        Err(status) => panic!("expected OK, got {status:?}"),
    }
}

/// The status of a call that must fail with `code`, with a message for humans.
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(result: Result<Response<T>, Status>, code: Code) -> Status {
    let status = result.expect_err("the call fails");
    assert_eq!(status.code(), code, "code of {status:?}");
    assert!(!status.message().is_empty(), "a message in {status:?}");
    status
}

/// Asserts InvalidArgument whose `google.rpc.BadRequest` details name exactly
/// `fields` (in any order), each with a description.
#[track_caller]
pub fn assert_field_violations<T: std::fmt::Debug>(
    result: Result<Response<T>, Status>,
    fields: &[&str],
) -> Status {
    let status = assert_code(result, Code::InvalidArgument);
    let mut named = violated_fields(&status);
    named.sort_unstable();
    let mut expected: Vec<String> = fields.iter().map(|&field| field.to_owned()).collect();
    expected.sort_unstable();
    assert_eq!(named, expected, "invalid fields in {status:?}");
    status
}

/// The fields of the BadRequest details of `status`, in order; each must be described.
#[track_caller]
pub fn violated_fields(status: &Status) -> Vec<String> {
    let details = status.get_error_details();
    let bad_request = details
        .bad_request()
        .unwrap_or_else(|| panic!("BadRequest details in {status:?}"));
    bad_request
        .field_violations
        .iter()
        .map(|violation| {
            assert!(
                !violation.description.is_empty(),
                "every violation is described: {violation:?}"
            );
            violation.field.clone()
        })
        .collect()
}

/// The code a call came to: `Ok` or its failure's.
pub fn code_of<T>(result: Result<Response<T>, Status>) -> Code {
    result.map_or_else(|status| status.code(), |_| Code::Ok)
}

/// Whether the response carries `idempotent-replayed: true`.
pub fn replayed<T>(response: &Response<T>) -> bool {
    response
        .metadata()
        .get("idempotent-replayed")
        .is_some_and(|value| value == "true")
}

/// `(seconds, nanos)` of a timestamp that must be present.
#[track_caller]
pub fn instant(timestamp: Option<&prost_types::Timestamp>) -> (i64, i32) {
    let timestamp = timestamp.expect("a timestamp");
    (timestamp.seconds, timestamp.nanos)
}

/// `message` with `authorization: <value>` metadata, or none for `None`.
pub fn with_authorization<T>(message: T, authorization: Option<&str>) -> Request<T> {
    match authorization {
        Some(value) => with_metadata(message, &[("authorization", value)]),
        None => Request::new(message),
    }
}

/// Calls each of the ten RPCs that need a caller once, with valid arguments and
/// the given `authorization` metadata, and returns each one's code.
pub async fn codes_of_rpcs_that_need_a_caller(
    client: &Client,
    authorization: Option<&str>,
) -> Vec<(&'static str, Code)> {
    let mut client = client.clone();
    let auth = authorization;
    let update = pb::UpdateUserRequest {
        username: "someone".to_owned(),
        full_name: Some("Some One".to_owned()),
        ..Default::default()
    };
    let currency = pb::CreateAccountRequest {
        currency: "USD".to_owned(),
    };
    let first_page = pb::ListAccountsRequest {
        page_id: 1,
        page_size: 10,
    };
    let entries = pb::ListEntriesRequest {
        account_id: 1,
        page_id: 1,
        page_size: 10,
        page_token: String::new(),
    };
    let deposit = pb::DepositRequest {
        account_id: 1,
        amount: 10,
    };
    let transfers = pb::ListTransfersRequest {
        account_id: 1,
        page_id: 1,
        page_size: 10,
        page_token: String::new(),
    };
    vec![
        (
            "GetMe",
            code_of(
                client
                    .get_me(with_authorization(pb::GetMeRequest {}, auth))
                    .await,
            ),
        ),
        (
            "UpdateUser",
            code_of(client.update_user(with_authorization(update, auth)).await),
        ),
        (
            "CreateAccount",
            code_of(
                client
                    .create_account(with_authorization(currency, auth))
                    .await,
            ),
        ),
        (
            "GetAccount",
            code_of(
                client
                    .get_account(with_authorization(pb::GetAccountRequest { id: 1 }, auth))
                    .await,
            ),
        ),
        (
            "ListAccounts",
            code_of(
                client
                    .list_accounts(with_authorization(first_page, auth))
                    .await,
            ),
        ),
        (
            "ListEntries",
            code_of(client.list_entries(with_authorization(entries, auth)).await),
        ),
        (
            "Deposit",
            code_of(client.deposit(with_authorization(deposit, auth)).await),
        ),
        (
            "CreateTransfer",
            code_of(
                client
                    .create_transfer(with_authorization(order(1, 2, 10, "USD"), auth))
                    .await,
            ),
        ),
        (
            "GetTransfer",
            code_of(
                client
                    .get_transfer(with_authorization(pb::GetTransferRequest { id: 1 }, auth))
                    .await,
            ),
        ),
        (
            "ListTransfers",
            code_of(
                client
                    .list_transfers(with_authorization(transfers, auth))
                    .await,
            ),
        ),
    ]
}

/// Each RPC name paired with `code`, to compare with `codes_of_rpcs_that_need_a_caller`.
pub fn all_with(names: &[&'static str], code: Code) -> Vec<(&'static str, Code)> {
    names.iter().map(|&name| (name, code)).collect()
}

/// The RPCs that need no caller, in the order of the proto file.
pub const RPCS_WITHOUT_A_CALLER: [&str; 4] =
    ["CreateUser", "LoginUser", "RenewAccessToken", "Logout"];

/// The RPCs that need a caller, in the order of the proto file, which is the
/// order `codes_of_rpcs_that_need_a_caller` calls them in.
pub const RPCS_THAT_NEED_A_CALLER: [&str; 10] = [
    "GetMe",
    "UpdateUser",
    "CreateAccount",
    "GetAccount",
    "ListAccounts",
    "ListEntries",
    "Deposit",
    "CreateTransfer",
    "GetTransfer",
    "ListTransfers",
];
