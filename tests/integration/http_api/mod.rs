//! HTTP API tests through a real socket: every route of API.md and every error row
//! of its status table that the route can produce.
//!
//! Each test spawns its own server (`TestApp::spawn`) on `127.0.0.1:0` over a
//! database of its own, and talks to it with `reqwest`, as a client would.

mod accounts;
mod deposits;
mod limits;
mod ops;
mod pages;
mod sessions;
mod shutdown;
mod transfers;
mod users;

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use rand::Rng;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use simplebank::{
    app::{Application, bank_from_config},
    config::Config,
    domain::{Role, Username},
    service::{Bank, LoginLimiter},
    store::Store,
    token::{self, PasetoMaker, Payload, TokenKind, TokenMaker},
};
use tokio::sync::{OnceCell, oneshot};

use crate::{
    harness::TestDb,
    random::{random_email, random_owner, random_string},
};

/// The token key of every test server (32 bytes, not the development key).
pub const TEST_TOKEN_KEY: &str = "test-key-0123456789-abcdefghijkl";

/// A server bound to a free port, stopped when dropped.
pub struct RunningServer {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// Where the same server answers gRPC.
    pub grpc_address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl RunningServer {
    /// Binds the listener first (so requests queue instead of failing), then serves
    /// in a task until the value is dropped.
    pub async fn start(config: Config, bank: Arc<Bank>) -> Self {
        let app = Application::with_bank(config, bank)
            .await
            .expect("bind the test server's listener on 127.0.0.1:0");
        let address = format!("http://{}", app.http_address());
        let grpc_address = app.grpc_address();
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            // A dropped sender stops the server too.
            let _ = stop.await;
        }));
        Self {
            address,
            grpc_address,
            shutdown: Some(shutdown),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The configuration of a test server: a free local port, the given database,
/// PASETO tokens with the test key; `configure` may change any key.
pub fn test_config(db_url: &str, configure: impl FnOnce(&mut HashMap<String, String>)) -> Config {
    let mut values: HashMap<String, String> = [
        ("ENVIRONMENT", "test"),
        ("HTTP_SERVER_ADDRESS", "127.0.0.1:0"),
        ("GRPC_SERVER_ADDRESS", "127.0.0.1:0"),
        ("DB_SOURCE", db_url),
        // The size of `TestDb`'s own pool, which the test servers used before they
        // took their database settings (lock and statement timeouts) from here.
        ("DB_MAX_CONNECTIONS", "24"),
        ("TOKEN_KIND", "paseto"),
        ("TOKEN_SYMMETRIC_KEY", TEST_TOKEN_KEY),
        ("SHUTDOWN_TIMEOUT", "1s"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    configure(&mut values);
    Config::from_values(&values).expect("a valid test configuration")
}

/// A user the API created and logged in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub username: String,
    pub password: String,
    pub full_name: String,
    pub email: String,
    /// The access token of the last login.
    pub token: String,
    pub refresh_token: String,
    pub session_id: String,
}

/// A running server over a database of its own, and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub bank: Arc<Bank>,
    pub config: Config,
    /// Declared before `db`: the server stops before its database is dropped.
    _server: RunningServer,
    pub db: TestDb,
    banker: OnceCell<TestUser>,
}

impl TestApp {
    /// A server with the default settings (PASETO tokens, default login limits).
    pub async fn spawn() -> Self {
        Self::build(|_| {}, None).await
    }

    /// A server whose configuration `configure` adjusts, e.g. `TOKEN_KIND=jwt`.
    pub async fn spawn_with(configure: impl FnOnce(&mut HashMap<String, String>)) -> Self {
        Self::build(configure, None).await
    }

    /// A server whose bank uses `limiter` for failed logins.
    pub async fn spawn_with_login_limiter(limiter: LoginLimiter) -> Self {
        Self::build(|_| {}, Some(limiter)).await
    }

    async fn build(
        configure: impl FnOnce(&mut HashMap<String, String>),
        limiter: Option<LoginLimiter>,
    ) -> Self {
        let db = TestDb::new().await;
        Self::build_over(db, None, configure, limiter).await
    }

    /// A server that reaches its database at `database_url` (e.g. through a fault
    /// proxy) instead of `db.url`; the test still inspects `db` directly.
    pub async fn spawn_over(
        db: TestDb,
        database_url: &str,
        configure: impl FnOnce(&mut HashMap<String, String>),
    ) -> Self {
        Self::build_over(db, Some(database_url), configure, None).await
    }

    async fn build_over(
        db: TestDb,
        database_url: Option<&str>,
        configure: impl FnOnce(&mut HashMap<String, String>),
        limiter: Option<LoginLimiter>,
    ) -> Self {
        let config = test_config(database_url.unwrap_or(&db.url), configure);
        let store = Store::new(&config.database).expect("the test server's pool");
        // As the server builds it: the password pool and key lifetime follow `config`.
        let mut bank = bank_from_config(store, &config).expect("a bank");
        if let Some(limiter) = limiter {
            bank = bank.with_login_limiter(limiter);
        }
        let bank = Arc::new(bank);
        let server = RunningServer::start(config.clone(), bank.clone()).await;
        Self {
            address: server.address.clone(),
            client: client(),
            bank,
            config,
            _server: server,
            db,
            banker: OnceCell::new(),
        }
    }

    /// Where this server answers gRPC.
    pub fn grpc_address(&self) -> SocketAddr {
        self._server.grpc_address
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request without authorization.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request with `Authorization: Bearer <token>`.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    pub async fn get(&self, path: &str) -> Response {
        send(self.request(Method::GET, path)).await
    }

    // ---- users and sessions ----

    pub async fn create_user(&self, body: &Value) -> Response {
        send(self.request(Method::POST, "/users").json(body)).await
    }

    pub async fn login(&self, body: &Value) -> Response {
        send(self.request(Method::POST, "/users/login").json(body)).await
    }

    pub async fn login_as(&self, username: &str, password: &str) -> Response {
        self.login(&json!({ "username": username, "password": password }))
            .await
    }

    pub async fn renew_access(&self, body: &Value) -> Response {
        send(
            self.request(Method::POST, "/tokens/renew_access")
                .json(body),
        )
        .await
    }

    pub async fn logout(&self, body: &Value) -> Response {
        send(self.request(Method::POST, "/users/logout").json(body)).await
    }

    pub async fn get_me(&self, token: &str) -> Response {
        send(self.authed(Method::GET, "/users/me", token)).await
    }

    pub async fn update_user(&self, token: &str, username: &str, body: &Value) -> Response {
        send(
            self.authed(Method::PATCH, &format!("/users/{username}"), token)
                .json(body),
        )
        .await
    }

    // ---- accounts ----

    pub async fn create_account(&self, token: &str, body: &Value) -> Response {
        send(self.authed(Method::POST, "/accounts", token).json(body)).await
    }

    /// `id` is a path segment, so tests can send `abc` or `0` too.
    pub async fn get_account(&self, token: &str, id: impl std::fmt::Display) -> Response {
        send(self.authed(Method::GET, &format!("/accounts/{id}"), token)).await
    }

    /// `query` is the raw query string without `?`, e.g. `page_id=2&page_size=5`.
    pub async fn list_accounts(&self, token: &str, query: &str) -> Response {
        send(self.authed(Method::GET, &with_query("/accounts", query), token)).await
    }

    pub async fn list_entries(
        &self,
        token: &str,
        account_id: impl std::fmt::Display,
        query: &str,
    ) -> Response {
        let path = with_query(&format!("/accounts/{account_id}/entries"), query);
        send(self.authed(Method::GET, &path, token)).await
    }

    pub async fn deposit(
        &self,
        token: &str,
        account_id: impl std::fmt::Display,
        body: &Value,
    ) -> Response {
        let path = format!("/accounts/{account_id}/deposits");
        send(self.authed(Method::POST, &path, token).json(body)).await
    }

    // ---- transfers ----

    pub async fn transfer(
        &self,
        token: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Response {
        let mut request = self.authed(Method::POST, "/transfers", token).json(body);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        send(request).await
    }

    pub async fn get_transfer(&self, token: &str, id: impl std::fmt::Display) -> Response {
        send(self.authed(Method::GET, &format!("/transfers/{id}"), token)).await
    }

    pub async fn list_transfers(&self, token: &str, query: &str) -> Response {
        send(self.authed(Method::GET, &with_query("/transfers", query), token)).await
    }

    // ---- fixtures ----

    /// Registers a random valid user through the API and logs them in.
    pub async fn a_user(&self) -> TestUser {
        let (username, password) = (random_owner(), format!("pw-{}", random_string(12)));
        let (full_name, email) = (random_full_name(), random_email());
        let response = self
            .create_user(&json!({
                "username": username,
                "password": password,
                "full_name": full_name,
                "email": email,
            }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "create a user");
        let mut user = TestUser {
            username,
            password,
            full_name,
            email,
            token: String::new(),
            refresh_token: String::new(),
            session_id: String::new(),
        };
        self.log_in(&mut user).await;
        user
    }

    /// A user made a banker (as `simplebank user set-role` does), then logged in
    /// again so that the access token carries the role.
    pub async fn a_banker(&self) -> TestUser {
        let mut user = self.a_user().await;
        self.make_banker(&user.username).await;
        self.log_in(&mut user).await;
        user
    }

    /// One banker per app, made on first use.
    pub async fn banker(&self) -> &TestUser {
        self.banker.get_or_init(|| self.a_banker()).await
    }

    pub async fn make_banker(&self, username: &str) {
        self.bank
            .set_role(
                &Username::parse(username).expect("a valid username"),
                Role::Banker,
            )
            .await
            .expect("set the role to banker");
    }

    /// Logs `user` in again and keeps the new tokens.
    pub async fn log_in(&self, user: &mut TestUser) {
        let response = self.login_as(&user.username, &user.password).await;
        assert_eq!(response.status(), StatusCode::OK, "log in");
        let body: Value = response.json().await.expect("a JSON login body");
        user.token = string(&body["access_token"]);
        user.refresh_token = string(&body["refresh_token"]);
        user.session_id = string(&body["session_id"]);
    }

    /// Opens an account for `owner` through the API and returns its JSON.
    pub async fn an_account(&self, owner: &TestUser, currency: &str) -> Value {
        let response = self
            .create_account(&owner.token, &json!({ "currency": currency }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "open an account");
        response.json().await.expect("a JSON account")
    }

    /// Opens an account for `owner` and has the app's banker deposit `balance`;
    /// returns the account id.
    pub async fn an_account_with(&self, owner: &TestUser, currency: &str, balance: i64) -> i64 {
        let account = self.an_account(owner, currency).await;
        let id = account["id"].as_i64().expect("an account id");
        if balance > 0 {
            let banker = self.banker().await;
            let response = self
                .deposit(&banker.token, id, &json!({ "amount": balance }))
                .await;
            assert_eq!(response.status(), StatusCode::CREATED, "deposit");
        }
        id
    }

    /// A new user with one account holding `balance`.
    pub async fn a_user_with_account(&self, currency: &str, balance: i64) -> (TestUser, i64) {
        let user = self.a_user().await;
        let account = self.an_account_with(&user, currency, balance).await;
        (user, account)
    }

    // ---- looking in the database ----

    pub async fn balance_in_db(&self, account_id: i64) -> i64 {
        self.db
            .connect()
            .await
            .query_one("SELECT balance FROM accounts WHERE id = $1", &[&account_id])
            .await
            .expect("the account's row")
            .get(0)
    }

    /// Rows in `transfers` and `entries`.
    pub async fn transfer_and_entry_counts(&self) -> (i64, i64) {
        let row = self
            .db
            .connect()
            .await
            .query_one(
                "SELECT (SELECT count(*) FROM transfers), (SELECT count(*) FROM entries)",
                &[],
            )
            .await
            .expect("row counts");
        (row.get(0), row.get(1))
    }

    /// Runs one SQL statement on the test database, e.g. to age a session.
    pub async fn execute(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) {
        self.db
            .connect()
            .await
            .execute(sql, params)
            .await
            .expect("a test SQL statement");
    }

    /// A token as this server would make it, with any claims (e.g. already expired).
    pub fn token_with(&self, payload: &Payload) -> String {
        token::maker_from_config(&self.config.token)
            .expect("token maker")
            .create(payload)
            .expect("a token")
    }
}

/// A server over a database that does not answer (nothing listens on port 1).
pub async fn spawn_app_without_database() -> RunningServer {
    let config = test_config("postgresql://postgres@127.0.0.1:1/simple_bank", |_| {});
    let store = Store::new(&config.database).expect("a lazy pool");
    let tokens = token::maker_from_config(&config.token).expect("token maker");
    let bank = Arc::new(Bank::new(store, tokens, &config.token));
    RunningServer::start(config, bank).await
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("an HTTP client")
}

pub async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("the server answers")
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

pub fn string(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
        .to_owned()
}

/// Letters and a space only, as `full_name` wants.
pub fn random_full_name() -> String {
    let mut rng = rand::rng();
    let mut word = |len: usize| -> String {
        (0..len)
            .map(|_| char::from(rng.random_range(b'a'..=b'z')))
            .collect()
    };
    format!("Test {}", word(8))
}

/// Claims for a token of `username`, valid from `issued` to `expires` seconds from now.
pub fn payload(username: &str, kind: TokenKind, issued: i64, expires: i64) -> Payload {
    let now = chrono::Utc::now();
    Payload {
        id: uuid::Uuid::new_v4(),
        username: username.to_owned(),
        role: "depositor".to_owned(),
        kind,
        issued_at: now + chrono::Duration::seconds(issued),
        expires_at: now + chrono::Duration::seconds(expires),
    }
}

/// A PASETO token made with a key the server does not know.
pub fn token_from_another_key(username: &str) -> String {
    PasetoMaker::new(b"another-key-0123456789-abcdefghi")
        .expect("a 32-byte key")
        .create(&payload(username, TokenKind::Access, 0, 600))
        .expect("a token")
}

/// Asserts the status and the error body shape `{"error", "code"}`, and returns the body.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    let actual = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("a response body");
    assert_eq!(actual, status, "status; body: {text}");
    assert!(
        content_type.starts_with("application/json"),
        "an error body is JSON, got content-type {content_type:?}: {text}"
    );
    let body: Value = serde_json::from_str(&text).expect("an error body in JSON");
    assert_eq!(body["code"], code, "error code in {body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty()),
        "a human message in {body}"
    );
    let allowed = ["error", "code", "field_violations"];
    let keys = body.as_object().expect("an object").keys();
    for key in keys {
        assert!(
            allowed.contains(&key.as_str()),
            "unexpected key {key:?} in {body}"
        );
    }
    body
}

/// Asserts a 400 `invalid_argument` that names exactly `fields` (in any order),
/// each with a description.
pub async fn assert_field_violations(response: Response, fields: &[&str]) -> Value {
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let violations = body["field_violations"]
        .as_array()
        .unwrap_or_else(|| panic!("field_violations is a list in {body}"));
    let mut named: Vec<&str> = violations
        .iter()
        .map(|violation| {
            assert!(
                violation["description"]
                    .as_str()
                    .is_some_and(|text| !text.is_empty()),
                "every violation is described: {violation}"
            );
            violation["field"].as_str().expect("a field name")
        })
        .collect();
    named.sort_unstable();
    let mut expected = fields.to_vec();
    expected.sort_unstable();
    assert_eq!(named, expected, "invalid fields in {body}");
    body
}

/// Asserts the status and returns the JSON body.
pub async fn json_of(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("a response body");
    assert_eq!(actual, status, "status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("a JSON body ({err}): {text}"))
}

/// The `id` field of each element of a JSON list.
pub fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list}"))
        .iter()
        .map(|item| item["id"].as_i64().expect("an id"))
        .collect()
}

/// Parses an RFC 3339 timestamp field.
pub fn timestamp(value: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp string"))
        .unwrap_or_else(|err| panic!("{value} is not RFC 3339: {err}"))
}
