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
