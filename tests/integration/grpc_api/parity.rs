//! REST and gRPC are two doors to one bank: the same scenario through either
//! door comes to the same outcomes (API.md's status / code pairs) and leaves
//! the database in the same state.

use reqwest::StatusCode;
use serde_json::{Value, json};
use simplebank::grpc::pb;
use tonic::Code;

use super::{GrpcApp, authed, code_of, order, replayed, violated_fields, with_metadata};
use crate::http_api::{TestApp, string};

const PASSWORD: &str = "secret123";

/// What a transfer came to, and what its response said.
struct Transferred<O> {
    outcome: O,
    transfer_id: Option<i64>,
    replayed: bool,
}

/// The operations of the scenario, as one transport performs them.
trait Teller {
    type Outcome: Copy + std::fmt::Debug + PartialEq;

    fn server(&self) -> &TestApp;
    async fn register(&self, username: &str) -> Self::Outcome;
    /// The outcome and, on success, the access token.
    async fn log_in(&self, username: &str, password: &str) -> (Self::Outcome, String);
    /// The outcome and, on success, the account id.
    async fn open_account(&self, token: &str, currency: &str) -> (Self::Outcome, i64);
    async fn deposit(&self, token: &str, account: i64, amount: i64) -> Self::Outcome;
    async fn transfer(
        &self,
        token: &str,
        from: i64,
        to: i64,
        amount: i64,
        key: Option<&str>,
    ) -> Transferred<Self::Outcome>;
    async fn read_account(&self, token: &str, id: i64) -> Self::Outcome;
    /// GetMe without any token.
    async fn anonymous_me(&self) -> Self::Outcome;
}

struct Rest(TestApp);

impl Teller for Rest {
    type Outcome = StatusCode;

    fn server(&self) -> &TestApp {
        &self.0
    }

    async fn register(&self, username: &str) -> StatusCode {
        self.0
            .create_user(&json!({
                "username": username,
                "password": PASSWORD,
                "full_name": "Scenario Person",
                "email": format!("{username}@example.com"),
            }))
            .await
            .status()
    }

    async fn log_in(&self, username: &str, password: &str) -> (StatusCode, String) {
        let response = self.0.login_as(username, password).await;
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON body");
        (
            status,
            body["access_token"].as_str().unwrap_or_default().to_owned(),
        )
    }

    async fn open_account(&self, token: &str, currency: &str) -> (StatusCode, i64) {
        let response = self
            .0
            .create_account(token, &json!({ "currency": currency }))
            .await;
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON body");
        (status, body["id"].as_i64().unwrap_or_default())
    }

    async fn deposit(&self, token: &str, account: i64, amount: i64) -> StatusCode {
        self.0
            .deposit(token, account, &json!({ "amount": amount }))
            .await
            .status()
    }

    async fn transfer(
        &self,
        token: &str,
        from: i64,
        to: i64,
        amount: i64,
        key: Option<&str>,
    ) -> Transferred<StatusCode> {
        let body = json!({
            "from_account_id": from,
            "to_account_id": to,
            "amount": amount,
            "currency": "USD",
        });
        let response = self.0.transfer(token, &body, key).await;
        let outcome = response.status();
        let replayed = response
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|value| value == "true");
        let body: Value = response.json().await.expect("a JSON body");
        Transferred {
            outcome,
            transfer_id: body["transfer"]["id"].as_i64(),
            replayed,
        }
    }

    async fn read_account(&self, token: &str, id: i64) -> StatusCode {
        self.0.get_account(token, id).await.status()
    }

    async fn anonymous_me(&self) -> StatusCode {
        self.0.get("/users/me").await.status()
    }
}

struct Grpc(GrpcApp);

impl Teller for Grpc {
    type Outcome = Code;

    fn server(&self) -> &TestApp {
        &self.0.server
    }

    async fn register(&self, username: &str) -> Code {
        code_of(
            self.0
                .client()
                .create_user(pb::CreateUserRequest {
                    username: username.to_owned(),
                    password: PASSWORD.to_owned(),
                    full_name: "Scenario Person".to_owned(),
                    email: format!("{username}@example.com"),
                })
                .await,
        )
    }

    async fn log_in(&self, username: &str, password: &str) -> (Code, String) {
        let result = self
            .0
            .client()
            .login_user(pb::LoginUserRequest {
                username: username.to_owned(),
                password: password.to_owned(),
            })
            .await;
        match result {
            Ok(response) => (Code::Ok, response.into_inner().access_token),
            Err(status) => (status.code(), String::new()),
        }
    }

    async fn open_account(&self, token: &str, currency: &str) -> (Code, i64) {
        let request = authed(
            pb::CreateAccountRequest {
                currency: currency.to_owned(),
            },
            token,
        );
        match self.0.client().create_account(request).await {
            Ok(response) => (
                Code::Ok,
                response.into_inner().account.expect("the account").id,
            ),
            Err(status) => (status.code(), 0),
        }
    }

    async fn deposit(&self, token: &str, account: i64, amount: i64) -> Code {
        let request = authed(
            pb::DepositRequest {
                account_id: account,
                amount,
            },
            token,
        );
        code_of(self.0.client().deposit(request).await)
    }

    async fn transfer(
        &self,
        token: &str,
        from: i64,
        to: i64,
        amount: i64,
        key: Option<&str>,
    ) -> Transferred<Code> {
        let bearer = format!("bearer {token}");
        let mut metadata = vec![("authorization", bearer.as_str())];
        metadata.extend(key.map(|key| ("idempotency-key", key)));
        let request = with_metadata(order(from, to, amount, "USD"), &metadata);
        match self.0.client().create_transfer(request).await {
            Ok(response) => Transferred {
                outcome: Code::Ok,
                replayed: replayed(&response),
                transfer_id: response.into_inner().transfer.map(|t| t.id),
            },
            Err(status) => Transferred {
                outcome: status.code(),
                transfer_id: None,
                replayed: false,
            },
        }
    }

    async fn read_account(&self, token: &str, id: i64) -> Code {
        code_of(
            self.0
                .client()
                .get_account(authed(pb::GetAccountRequest { id }, token))
                .await,
        )
    }

    async fn anonymous_me(&self) -> Code {
        code_of(self.0.client().get_me(pb::GetMeRequest {}).await)
    }
}

/// Each step of the scenario with its REST status and gRPC code, as API.md pairs them.
#[rustfmt::skip]
const EXPECTED: [(&str, StatusCode, Code); 24] = [
    ("register alice",                      StatusCode::CREATED,              Code::Ok),
    ("register bob",                        StatusCode::CREATED,              Code::Ok),
    ("register carol",                      StatusCode::CREATED,              Code::Ok),
    ("register alice again",                StatusCode::CONFLICT,             Code::AlreadyExists),
    ("alice logs in with a wrong password", StatusCode::UNAUTHORIZED,         Code::Unauthenticated),
    ("alice logs in",                       StatusCode::OK,                   Code::Ok),
    ("bob logs in",                         StatusCode::OK,                   Code::Ok),
    ("carol, a banker, logs in",            StatusCode::OK,                   Code::Ok),
    ("alice opens a USD account",           StatusCode::CREATED,              Code::Ok),
    ("bob opens a USD account",             StatusCode::CREATED,              Code::Ok),
    ("bob opens an EUR account",            StatusCode::CREATED,              Code::Ok),
    ("alice opens a second USD account",    StatusCode::CONFLICT,             Code::AlreadyExists),
    ("carol deposits 1000 for alice",       StatusCode::CREATED,              Code::Ok),
    ("alice deposits for herself",          StatusCode::FORBIDDEN,            Code::PermissionDenied),
    ("alice sends bob 300 with a key",      StatusCode::CREATED,              Code::Ok),
    ("alice repeats it with the key",       StatusCode::CREATED,              Code::Ok),
    ("alice reuses the key for 301",        StatusCode::CONFLICT,             Code::AlreadyExists),
    ("alice sends more than she has",       StatusCode::UNPROCESSABLE_ENTITY, Code::FailedPrecondition),
    ("alice sends into bob's EUR account",  StatusCode::UNPROCESSABLE_ENTITY, Code::FailedPrecondition),
    ("alice sends a negative amount",       StatusCode::BAD_REQUEST,          Code::InvalidArgument),
    ("bob reads alice's account",           StatusCode::FORBIDDEN,            Code::PermissionDenied),
    ("carol reads alice's account",         StatusCode::OK,                   Code::Ok),
    ("alice reads a missing account",       StatusCode::NOT_FOUND,            Code::NotFound),
    ("someone asks GetMe without a token",  StatusCode::UNAUTHORIZED,         Code::Unauthenticated),
];

/// What one run of the scenario came to.
struct Run<O> {
    /// Each step, named as in `EXPECTED`, with its outcome.
    steps: Vec<(&'static str, O)>,
    replay_was_flagged: bool,
    replay_returned_the_first_transfer: bool,
}

impl<O> Run<O> {
    /// Records the outcome of the next step of `EXPECTED`.
    fn record(&mut self, outcome: O) {
        let step = EXPECTED[self.steps.len()].0;
        self.steps.push((step, outcome));
    }
}

/// The steps of `EXPECTED`, in order, through `teller`.
async fn scenario<T: Teller>(teller: &T) -> Run<T::Outcome> {
    let mut run = Run {
        steps: Vec::new(),
        replay_was_flagged: false,
        replay_returned_the_first_transfer: false,
    };
    for user in ["alice", "bob", "carol"] {
        run.record(teller.register(user).await);
    }
    run.record(teller.register("alice").await);
    teller.server().make_banker("carol").await;
    run.record(teller.log_in("alice", "wrong-password").await.0);
    let mut tokens = Vec::new();
    for user in ["alice", "bob", "carol"] {
        let (outcome, token) = teller.log_in(user, PASSWORD).await;
        run.record(outcome);
        tokens.push(token);
    }
    let [alice, bob, carol] = [&tokens[0], &tokens[1], &tokens[2]];
    let (outcome, alice_usd) = teller.open_account(alice, "USD").await;
    run.record(outcome);
    let (outcome, bob_usd) = teller.open_account(bob, "USD").await;
    run.record(outcome);
    let (outcome, bob_eur) = teller.open_account(bob, "EUR").await;
    run.record(outcome);
    run.record(teller.open_account(alice, "USD").await.0);
    run.record(teller.deposit(carol, alice_usd, 1_000).await);
    run.record(teller.deposit(alice, alice_usd, 1_000).await);
    let key = Some("rent-may");
    let first = teller.transfer(alice, alice_usd, bob_usd, 300, key).await;
    run.record(first.outcome);
    let repeat = teller.transfer(alice, alice_usd, bob_usd, 300, key).await;
    run.record(repeat.outcome);
    run.record(
        teller
            .transfer(alice, alice_usd, bob_usd, 301, key)
            .await
            .outcome,
    );
    for (to, amount) in [(bob_usd, 5_000), (bob_eur, 10), (bob_usd, -1)] {
        run.record(
            teller
                .transfer(alice, alice_usd, to, amount, None)
                .await
                .outcome,
        );
    }
    run.record(teller.read_account(bob, alice_usd).await);
    run.record(teller.read_account(carol, alice_usd).await);
    run.record(teller.read_account(alice, 987_654_321).await);
    run.record(teller.anonymous_me().await);
    run.replay_was_flagged = !first.replayed && repeat.replayed;
    run.replay_returned_the_first_transfer =
        first.transfer_id.is_some() && repeat.transfer_id == first.transfer_id;
    run
}

/// The rows the scenario leaves behind, by owner rather than by id.
#[derive(Debug, PartialEq, Eq)]
struct DatabaseState {
    /// (owner, currency, balance), by account id.
    accounts: Vec<(String, String, i64)>,
    /// (from owner, to owner, amount), by transfer id.
    transfers: Vec<(String, String, i64)>,
    /// (owner, amount), by entry id.
    entries: Vec<(String, i64)>,
    /// (username, role), by username.
    users: Vec<(String, String)>,
    sessions: i64,
    idempotency_keys: i64,
}

async fn database_state(server: &TestApp) -> DatabaseState {
    let db = server.db.connect().await;
    let rows = |sql: &'static str| {
        let db = &db;
        async move { db.query(sql, &[]).await.expect(sql) }
    };
    let count = |sql: &'static str| {
        let db = &db;
        async move { db.query_one(sql, &[]).await.expect(sql).get::<_, i64>(0) }
    };
    DatabaseState {
        accounts: rows("SELECT owner, currency, balance FROM accounts ORDER BY id")
            .await
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect(),
        transfers: rows(
            "SELECT f.owner, t.owner, tr.amount FROM transfers tr \
             JOIN accounts f ON f.id = tr.from_account_id \
             JOIN accounts t ON t.id = tr.to_account_id ORDER BY tr.id",
        )
        .await
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect(),
        entries: rows(
            "SELECT a.owner, e.amount FROM entries e JOIN accounts a ON a.id = e.account_id ORDER BY e.id",
        )
        .await
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect(),
        users: rows("SELECT username, role FROM users ORDER BY username")
            .await
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect(),
        sessions: count("SELECT count(*) FROM sessions").await,
        idempotency_keys: count("SELECT count(*) FROM idempotency_keys").await,
    }
}

#[tokio::test]
async fn the_same_scenario_over_rest_and_grpc_gives_the_same_outcomes_and_state() {
    let (rest, grpc) = tokio::join!(TestApp::spawn(), GrpcApp::spawn());
    let (rest, grpc) = (Rest(rest), Grpc(grpc));

    let over_rest = scenario(&rest).await;
    let over_grpc = scenario(&grpc).await;

    let statuses: Vec<_> = EXPECTED
        .iter()
        .map(|&(step, status, _)| (step, status))
        .collect();
    let codes: Vec<_> = EXPECTED
        .iter()
        .map(|&(step, _, code)| (step, code))
        .collect();
    assert_eq!(over_rest.steps, statuses, "REST statuses");
    assert_eq!(over_grpc.steps, codes, "gRPC codes");
    for (transport, flagged, same_transfer) in [
        (
            "REST",
            over_rest.replay_was_flagged,
            over_rest.replay_returned_the_first_transfer,
        ),
        (
            "gRPC",
            over_grpc.replay_was_flagged,
            over_grpc.replay_returned_the_first_transfer,
        ),
    ] {
        assert!(flagged, "{transport}: only the repeat is a replay");
        assert!(
            same_transfer,
            "{transport}: the repeat returns the first transfer"
        );
    }
    let after_rest = database_state(rest.server()).await;
    let after_grpc = database_state(grpc.server()).await;
    assert_eq!(after_rest, after_grpc, "the same rows either way");
    let owned = |owner: &str, currency: &str, balance: i64| {
        (owner.to_owned(), currency.to_owned(), balance)
    };
    assert_eq!(
        after_grpc.accounts,
        [
            owned("alice", "USD", 700),
            owned("bob", "USD", 300),
            owned("bob", "EUR", 0)
        ]
    );
    assert_eq!(
        after_grpc.transfers,
        [("alice".to_owned(), "bob".to_owned(), 300)],
        "the repeat moved no money"
    );
    assert_eq!(
        after_grpc.entries.len(),
        3,
        "one deposit and one transfer's two entries"
    );
    assert_eq!((after_grpc.sessions, after_grpc.idempotency_keys), (3, 1));
}

#[tokio::test]
async fn an_idempotency_key_used_over_rest_is_replayed_over_grpc() {
    let app = GrpcApp::spawn().await;
    let (alice, from) = app.a_user_with_account("USD", 1_000).await;
    let (_bob, to) = app.a_user_with_account("USD", 0).await;
    let body =
        json!({ "from_account_id": from, "to_account_id": to, "amount": 100, "currency": "USD" });
    let over_rest = app
        .server
        .transfer(&alice.token, &body, Some("one-key-two-doors"))
        .await;
    assert_eq!(over_rest.status(), StatusCode::CREATED);
    let over_rest: Value = over_rest.json().await.expect("a JSON body");

    let bearer = format!("bearer {}", alice.token);
    let over_grpc = app
        .client()
        .create_transfer(with_metadata(
            order(from, to, 100, "USD"),
            &[
                ("authorization", &bearer),
                ("idempotency-key", "one-key-two-doors"),
            ],
        ))
        .await
        .expect("the replay succeeds");

    assert!(replayed(&over_grpc), "flagged as a replay");
    let transfer = over_grpc.into_inner().transfer.expect("the transfer");
    assert_eq!(
        json!(transfer.id),
        over_rest["transfer"]["id"],
        "the same transfer"
    );
    assert_eq!(
        app.server.balance_in_db(from).await,
        900,
        "money moved once"
    );
    assert_eq!(app.server.transfer_and_entry_counts().await.0, 1);
}

#[tokio::test]
async fn both_transports_name_the_same_invalid_fields_in_the_same_order() {
    let app = GrpcApp::spawn().await;
    let bad_user =
        json!({ "username": "Not Valid!", "password": "123", "full_name": "x", "email": "nope" });

    let over_rest = app.server.create_user(&bad_user).await;
    let over_grpc = app
        .client()
        .create_user(pb::CreateUserRequest {
            username: string(&bad_user["username"]),
            password: string(&bad_user["password"]),
            full_name: string(&bad_user["full_name"]),
            email: string(&bad_user["email"]),
        })
        .await;

    assert_eq!(over_rest.status(), StatusCode::BAD_REQUEST);
    let rest_body: Value = over_rest.json().await.expect("a JSON body");
    let rest_fields: Vec<String> = rest_body["field_violations"]
        .as_array()
        .expect("field_violations")
        .iter()
        .map(|violation| string(&violation["field"]))
        .collect();
    let status = over_grpc.expect_err("invalid fields");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(violated_fields(&status), rest_fields);
    assert_eq!(rest_fields, ["username", "password", "full_name", "email"]);
}
