//! Password work is a bounded resource: at most `PASSWORD_HASH_CONCURRENCY` hashes or
//! verifications run at once, callers wait in a bounded queue, and past it they get
//! 503 `unavailable` (gRPC UNAVAILABLE). Nothing here times anything: the tests hold
//! the only slot themselves and count what runs and what waits.

use std::{
    sync::mpsc,
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use simplebank::{
    grpc::pb::{self, simple_bank_client::SimpleBankClient},
    password::PasswordPool,
};
use tokio::task::JoinHandle;
use tonic::Code;

use crate::{
    grpc_api::channel,
    http_api::{TestApp, assert_error, random_full_name},
    random::{random_email, random_owner},
};

/// A server whose password pool has one slot, `queue` waiting places and a long wait.
async fn one_slot_app(queue: usize) -> TestApp {
    TestApp::spawn_with(|values| {
        values.insert("PASSWORD_HASH_CONCURRENCY".into(), "1".into());
        values.insert("PASSWORD_HASH_QUEUE".into(), queue.to_string());
        values.insert("PASSWORD_HASH_QUEUE_TIMEOUT".into(), "60s".into());
    })
    .await
}

/// Occupies a slot of `pool` until the returned sender is used (or dropped).
async fn hold_a_slot(pool: &PasswordPool) -> (mpsc::Sender<()>, JoinHandle<()>) {
    let (release, released) = mpsc::channel::<()>();
    let (started, running) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn({
        let pool = pool.clone();
        async move {
            pool.run(move || {
                let _ = started.send(());
                let _ = released.recv();
            })
            .await
            .expect("the holder gets the free slot");
        }
    });
    running.await.expect("the holder runs");
    (release, holder)
}

/// Polls `condition` until it holds, for at most 30 s.
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn new_user_body() -> Value {
    json!({
        "username": random_owner(),
        "password": "secret123",
        "full_name": random_full_name(),
        "email": random_email(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_concurrency_one_concurrent_password_work_never_overlaps() {
    const SIGN_UPS: usize = 6;
    let app = one_slot_app(64).await;
    let pool = app.bank.password_pool().clone();
    let existing = app.a_user().await;
    let (release, holder) = hold_a_slot(&pool).await;

    // Sign-ups, a good login, a wrong password and an unknown user, all at once.
    let mut requests = Vec::new();
    for _ in 0..SIGN_UPS {
        let body = new_user_body();
        let client = app.client.clone();
        let url = app.url("/users");
        requests.push(tokio::spawn(async move {
            let response = client.post(url).json(&body).send().await.expect("answered");
            (response.status(), StatusCode::CREATED)
        }));
    }
    for (username, password, expected) in [
        (
            existing.username.clone(),
            existing.password.clone(),
            StatusCode::OK,
        ),
        (
            existing.username.clone(),
            "wrong-password".to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
        (
            random_owner(),
            "secret123".to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let client = app.client.clone();
        let url = app.url("/users/login");
        requests.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&json!({ "username": username, "password": password }))
                .send()
                .await
                .expect("answered");
            (response.status(), expected)
        }));
    }
    let all = requests.len();
    // Every request is now waiting for the one slot the test holds.
    wait_until("every request waits for the slot", || pool.queued() == all).await;
    assert_eq!(pool.in_flight(), 1);

    release.send(()).expect("release the slot");
    holder.await.expect("the holder finishes");
    for request in requests {
        let (status, expected) = request.await.expect("a request task");
        assert_eq!(status, expected);
    }
    assert_eq!(pool.peak_in_flight(), 1, "two password jobs ran at once");
    assert_eq!(pool.in_flight(), 0);
    assert_eq!(pool.queued(), 0);
    assert_eq!(pool.refused(), 0);
}

#[tokio::test]
async fn a_full_password_queue_answers_503_with_retry_after() {
    let app = one_slot_app(1).await;
    let pool = app.bank.password_pool().clone();
    let (release, holder) = hold_a_slot(&pool).await;

    // One sign-up takes the only waiting place...
    let queued_body = new_user_body();
    let queued = tokio::spawn({
        let (client, url) = (app.client.clone(), app.url("/users"));
        async move { client.post(url).json(&queued_body).send().await }
    });
    wait_until("the first sign-up waits", || pool.queued() == 1).await;

    // ...so sign-up, login and a password change are refused at once.
    let sign_up = app.create_user(&new_user_body()).await;
    assert_eq!(
        sign_up
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().ok()),
        Some(Some("1")),
        "a 503 says when to retry"
    );
    assert_error(sign_up, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let login = app.login_as(&random_owner(), "secret123").await;
    assert_error(login, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(pool.refused(), 2);

    // gRPC says UNAVAILABLE.
    let mut grpc = SimpleBankClient::new(channel(app.grpc_address()).await);
    let refused = grpc
        .create_user(pb::CreateUserRequest {
            username: random_owner(),
            password: "secret123".into(),
            full_name: random_full_name(),
            email: random_email(),
        })
        .await
        .expect_err("the queue is full");
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");

    // Once the slot frees, the waiting sign-up goes through and service resumes.
    release.send(()).expect("release the slot");
    holder.await.expect("the holder finishes");
    let queued = queued.await.expect("the task").expect("answered");
    assert_eq!(queued.status(), StatusCode::CREATED);
    let after = app.create_user(&new_user_body()).await;
    assert_eq!(after.status(), StatusCode::CREATED);
    assert_eq!(pool.peak_in_flight(), 1);
}

#[tokio::test]
async fn a_wait_past_the_queue_timeout_answers_503() {
    let app = TestApp::spawn_with(|values| {
        values.insert("PASSWORD_HASH_CONCURRENCY".into(), "1".into());
        values.insert("PASSWORD_HASH_QUEUE".into(), "8".into());
        values.insert("PASSWORD_HASH_QUEUE_TIMEOUT".into(), "20ms".into());
    })
    .await;
    let pool = app.bank.password_pool().clone();
    let (release, holder) = hold_a_slot(&pool).await;

    let waited_too_long = app.create_user(&new_user_body()).await;

    assert_error(
        waited_too_long,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert_eq!(pool.queued(), 0, "a refused caller leaves the queue");
    release.send(()).expect("release the slot");
    holder.await.expect("the holder finishes");
}
