//! The storage horizon: expired idempotency keys, long-expired sessions and old
//! failed-login counters are purged in small batches, by one replica at a time;
//! live rows stay, and an expired key is a new request. Rows are aged with SQL
//! rather than waited for.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use simplebank::{config::StorageHorizon, store::PURGE_LOCK_ID};

use crate::http_api::{TestApp, TestUser, json_of};

fn horizon(batch_size: i64) -> StorageHorizon {
    StorageHorizon {
        purge_batch_size: batch_size,
        ..StorageHorizon::default()
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db
        .connect()
        .await
        .query_one(sql, &[])
        .await
        .expect("a count")
        .get(0)
}

/// A funded sender, a receiver, and the transfer body between them.
async fn a_transfer_order(app: &TestApp) -> (TestUser, Value) {
    let (sender, from) = app.a_user_with_account("USD", 10_000).await;
    let (_, to) = app.a_user_with_account("USD", 0).await;
    let body =
        json!({"from_account_id": from, "to_account_id": to, "amount": 100, "currency": "USD"});
    (sender, body)
}

async fn transfer_id(app: &TestApp, user: &TestUser, body: &Value, key: &str) -> i64 {
    let response = app.transfer(&user.token, body, Some(key)).await;
    json_of(response, StatusCode::CREATED).await["transfer"]["id"]
        .as_i64()
        .expect("a transfer id")
}

#[tokio::test]
async fn expired_keys_and_old_sessions_go_and_live_ones_stay() {
    let app = TestApp::spawn().await;
    let (sender, body) = a_transfer_order(&app).await;
    for key in ["old-1", "old-2", "old-3", "fresh-1"] {
        transfer_id(&app, &sender, &body, key).await;
    }
    app.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key LIKE 'old-%'",
        &[],
    )
    .await;
    // Sessions: three expired 8 days ago (past the 7-day retention), one expired
    // yesterday (kept a while longer), the rest live.
    let mut user = app.a_user().await;
    for _ in 0..4 {
        app.log_in(&mut user).await;
    }
    app.execute(
        "UPDATE sessions SET expires_at = now() - interval '8 days'
         WHERE id IN (SELECT id FROM sessions WHERE username = $1 ORDER BY created_at LIMIT 3)",
        &[&user.username],
    )
    .await;
    app.execute(
        "UPDATE sessions SET expires_at = now() - interval '1 day'
         WHERE id IN (SELECT id FROM sessions WHERE username = $1
                      AND expires_at > now() ORDER BY created_at LIMIT 1)",
        &[&user.username],
    )
    .await;
    let sessions_before = count(&app, "SELECT count(*) FROM sessions").await;
    // Failed-login counters: one from a window long past, one current.
    assert_eq!(
        app.login_as("nobody_here", "wrong-password").await.status(),
        401
    );
    app.execute(
        "INSERT INTO failed_logins (scope, subject, failures, window_started_at)
         VALUES ('username', 'long_ago', 3, now() - interval '1 hour')",
        &[],
    )
    .await;

    // A batch size of 2 makes the purge take several transactions.
    let report = app.bank.purge(&horizon(2)).await.expect("purge");

    assert_eq!(report.idempotency_keys, 3, "{report:?}");
    assert_eq!(report.sessions, 3, "{report:?}");
    assert_eq!(report.failed_logins, 1, "{report:?}");
    assert!(report.batches >= 2, "{report:?}");
    assert!(!report.yielded_to_another_purge);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM idempotency_keys WHERE key = 'fresh-1'"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM idempotency_keys").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM sessions").await,
        sessions_before - 3
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM sessions WHERE expires_at < now() - interval '7 days'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM failed_logins WHERE subject = 'long_ago'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM failed_logins WHERE subject = 'nobody_here'"
        )
        .await,
        1,
        "a counter of the current window stays"
    );
    // The live session still renews.
    let renewed = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;
    assert_eq!(renewed.status(), StatusCode::OK);

    let again = app.bank.purge(&horizon(2)).await.expect("purge again");
    assert_eq!(again.deleted(), 0, "{again:?}");
}

#[tokio::test]
async fn an_expired_key_makes_a_new_transfer() {
    let app = TestApp::spawn().await;
    let (sender, body) = a_transfer_order(&app).await;
    let first = transfer_id(&app, &sender, &body, "rent-2026-11").await;
    // A repeat within the lifetime replays.
    assert_eq!(
        transfer_id(&app, &sender, &body, "rent-2026-11").await,
        first
    );

    app.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'",
        &[],
    )
    .await;
    // Not purged yet: the claim itself treats the old row as absent.
    let second = transfer_id(&app, &sender, &body, "rent-2026-11").await;
    assert_ne!(second, first, "an expired key is a new request");
    assert_eq!(
        transfer_id(&app, &sender, &body, "rent-2026-11").await,
        second
    );

    // After a purge too, and with another body (no 409 for a forgotten key).
    app.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'",
        &[],
    )
    .await;
    let report = app.bank.purge(&horizon(100)).await.expect("purge");
    assert_eq!(report.idempotency_keys, 1);
    let mut other = body.clone();
    other["amount"] = json!(7);
    let third = transfer_id(&app, &sender, &other, "rent-2026-11").await;
    assert!(third != first && third != second);
    assert_eq!(
        count(&app, "SELECT count(*) FROM transfers").await,
        3,
        "three transfers moved money, the replay none"
    );
}

#[tokio::test]
async fn a_purge_yields_while_another_replica_purges() {
    let app = TestApp::spawn().await;
    let (sender, body) = a_transfer_order(&app).await;
    transfer_id(&app, &sender, &body, "old-key").await;
    app.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '2 days'",
        &[],
    )
    .await;
    // Another replica's purge transaction holds the lock.
    let mut other = app.db.connect().await;
    let holder = other.transaction().await.expect("a transaction");
    holder
        .execute("SELECT pg_advisory_xact_lock($1)", &[&PURGE_LOCK_ID])
        .await
        .expect("take the purge lock");

    let report = app.bank.purge(&horizon(100)).await.expect("purge");

    assert!(report.yielded_to_another_purge, "{report:?}");
    assert_eq!(report.deleted(), 0);
    holder.rollback().await.expect("release the lock");
    let report = app.bank.purge(&horizon(100)).await.expect("purge");
    assert_eq!(report.idempotency_keys, 1);
}

#[tokio::test]
async fn the_server_purges_every_interval() {
    let app = TestApp::spawn_with(|values| {
        values.insert("PURGE_INTERVAL".into(), "50ms".into());
        values.insert("SESSION_RETENTION".into(), "1h".into());
    })
    .await;
    let user = app.a_user().await;
    app.execute(
        "UPDATE sessions SET expires_at = now() - interval '2 hours' WHERE username = $1",
        &[&user.username],
    )
    .await;

    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&app, "SELECT count(*) FROM sessions").await > 0 {
        assert!(Instant::now() < deadline, "the server never purged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn simplebank_purge_deletes_and_says_what() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    app.execute(
        "UPDATE sessions SET expires_at = now() - interval '30 days' WHERE username = $1",
        &[&user.username],
    )
    .await;

    let url = app.db.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_simplebank"))
            .arg("purge")
            .env("APP_ENV_FILE", "/nonexistent/app.env")
            .env("DB_SOURCE", url)
            .env("RUST_LOG", "warn")
            .output()
    })
    .await
    .expect("the command's task")
    .expect("run simplebank purge");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("deleted 0 expired idempotency key(s), 1 session(s)"),
        "{stdout}"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM sessions").await, 0);
}
