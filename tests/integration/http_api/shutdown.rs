//! Graceful shutdown: when the signal comes both listeners close at once (new
//! connections are refused), a request in flight still gets its answer (saying
//! `Connection: close`), then the server stops by itself.

use std::{sync::Arc, time::Duration};

use reqwest::StatusCode;
use serde_json::json;
use simplebank::{
    app::Application,
    domain::{AccountId, Amount, Currency, Role, Username},
    service::{Bank, ClientInfo, LoginInput, NewUser, Principal},
    token,
};
use tokio::sync::oneshot;

use super::{client, test_config};
use crate::harness::TestDb;

async fn user_with_account(bank: &Bank, name: &str, deposit: i64) -> (String, i64) {
    let new = NewUser::parse(
        Some(name),
        Some("secret123"),
        Some("Shut Down"),
        Some(&format!("{name}@example.com")),
    )
    .expect("valid user");
    bank.create_user(new).await.expect("create user");
    let login = bank
        .login(
            LoginInput::parse(Some(name), Some("secret123")).expect("login input"),
            &ClientInfo::default(),
        )
        .await
        .expect("login");
    let owner = Principal {
        username: Username::parse(name).expect("name"),
        role: Role::Depositor,
    };
    let account = bank
        .create_account(&owner, Currency::Usd)
        .await
        .expect("account");
    if deposit > 0 {
        let id = AccountId::parse(account.id).expect("id");
        bank.deposit_as_operator(id, Amount::parse(deposit).expect("amount"))
            .await
            .expect("deposit");
    }
    (login.access_token, account.id)
}

/// Waits (bounded) until `condition` holds, re-checking every 10 ms.
async fn until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1000 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn at_shutdown_new_connections_are_refused_and_a_request_in_flight_is_finished() {
    let db = TestDb::new().await;
    let config = test_config(&db.url, |values| {
        values.insert("SHUTDOWN_TIMEOUT".into(), "10s".into());
    });
    let tokens = token::maker_from_config(&config.token).expect("token maker");
    let bank = Arc::new(Bank::new(db.store.clone(), tokens, &config.token));
    let (alice, from) = user_with_account(&bank, "shutdown_alice", 100).await;
    let (_, to) = user_with_account(&bank, "shutdown_bob", 0).await;
    let app = Application::with_bank(config, bank).await.expect("bind");
    let address = app.http_address();
    let grpc_address = app.grpc_address();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    // Hold the destination row so the transfer blocks inside the server.
    let locker = db.connect().await;
    locker
        .batch_execute(&format!(
            "BEGIN; SELECT * FROM accounts WHERE id = {to} FOR UPDATE"
        ))
        .await
        .expect("lock the destination");
    let in_flight = tokio::spawn(
        client()
            .post(format!("http://{address}/transfers"))
            .bearer_auth(&alice)
            .json(&json!({"from_account_id": from, "to_account_id": to, "amount": 10, "currency": "USD"}))
            .send(),
    );
    let observer = db.connect().await;
    until("the transfer waits on the row lock", || async {
        let waiting: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE wait_event_type = 'Lock' AND datname = current_database()",
                &[],
            )
            .await
            .expect("pg_stat_activity")
            .get(0);
        waiting > 0
    })
    .await;

    stop.send(()).expect("signal shutdown");
    // Both listeners close at once, while the transfer still waits for its row.
    until("new HTTP and gRPC connections are refused", || async {
        tokio::net::TcpStream::connect(address).await.is_err()
            && tokio::net::TcpStream::connect(grpc_address).await.is_err()
    })
    .await;
    assert!(
        !in_flight.is_finished(),
        "the transfer still waits for its row"
    );
    locker
        .batch_execute("COMMIT")
        .await
        .expect("release the row");

    let response = in_flight
        .await
        .expect("request task")
        .expect("an answer, not a dropped connection");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response
            .headers()
            .get("connection")
            .and_then(|value| value.to_str().ok()),
        Some("close"),
        "a response during the drain tells the client this connection ends"
    );
    let finished = tokio::time::timeout(Duration::from_secs(10), server).await;
    finished
        .expect("the server stops once the request is answered")
        .expect("server task")
        .expect("clean stop");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "a stopped server refuses connections"
    );
    let moved: i64 = observer
        .query_one("SELECT balance FROM accounts WHERE id = $1", &[&to])
        .await
        .expect("balance")
        .get(0);
    assert_eq!(moved, 10, "the in-flight transfer committed");
}

/// A free loopback port (bound, then released for the child to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Stops the child if the test fails before it does.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test]
async fn sigterm_to_the_real_binary_refuses_new_connections_and_answers_the_request_in_flight() {
    let db = TestDb::new().await;
    let config = test_config(&db.url, |_| {});
    let tokens = token::maker_from_config(&config.token).expect("token maker");
    let bank = Bank::new(db.store.clone(), tokens, &config.token);
    let (alice, from) = user_with_account(&bank, "sigterm_alice", 100).await;
    let (_, to) = user_with_account(&bank, "sigterm_bob", 0).await;
    let (http_port, grpc_port) = (free_port(), free_port());
    let mut child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_simplebank"))
            .arg("serve")
            .env_clear()
            .env("APP_ENV_FILE", "/nonexistent/app.env")
            .env("DB_SOURCE", &db.url)
            .env("HTTP_SERVER_ADDRESS", format!("127.0.0.1:{http_port}"))
            .env("GRPC_SERVER_ADDRESS", format!("127.0.0.1:{grpc_port}"))
            .env("TOKEN_SYMMETRIC_KEY", super::TEST_TOKEN_KEY)
            .env("SHUTDOWN_TIMEOUT", "10s")
            .env("DB_LOCK_TIMEOUT", "10s")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start simplebank serve"),
    );
    let base = format!("http://127.0.0.1:{http_port}");
    until("the child serves", || async {
        client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|response| response.status() == StatusCode::OK)
    })
    .await;

    let locker = db.connect().await;
    locker
        .batch_execute(&format!(
            "BEGIN; SELECT * FROM accounts WHERE id = {to} FOR UPDATE"
        ))
        .await
        .expect("lock the destination");
    let in_flight = tokio::spawn(
        client()
            .post(format!("{base}/transfers"))
            .bearer_auth(&alice)
            .json(&json!({"from_account_id": from, "to_account_id": to, "amount": 10, "currency": "USD"}))
            .send(),
    );
    let observer = db.connect().await;
    until("the transfer waits on the row lock", || async {
        let waiting: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE wait_event_type = 'Lock' AND datname = current_database()",
                &[],
            )
            .await
            .expect("pg_stat_activity")
            .get(0);
        waiting > 0
    })
    .await;

    let pid = libc::pid_t::try_from(child.0.id()).expect("a pid");
    // SAFETY: kill(2) with a child process id we own; no memory is involved.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "send SIGTERM");
    until("new connections are refused", || async {
        tokio::net::TcpStream::connect(("127.0.0.1", http_port))
            .await
            .is_err()
            && tokio::net::TcpStream::connect(("127.0.0.1", grpc_port))
                .await
                .is_err()
    })
    .await;
    locker
        .batch_execute("COMMIT")
        .await
        .expect("release the row");

    let response = in_flight
        .await
        .expect("request task")
        .expect("an answer, not a dropped connection");
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut exited = None;
    for _ in 0..500 {
        exited = child.0.try_wait().expect("the child's state");
        if exited.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = exited.expect("the server exits by itself after the drain");
    assert!(status.success(), "a clean exit: {status}");
}
