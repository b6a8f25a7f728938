//! The bank under a bad day: a hot row held by someone else, connections to
//! PostgreSQL cut under load, the database unreachable or stalled. Every fault
//! is played by this test's own TCP proxy (`fault_proxy`), never by touching the
//! shared server. No timings are asserted; every loop is bounded.

use std::time::Duration;

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    fault_proxy::FaultProxy,
    harness::TestDb,
    http_api::{TestApp, assert_error, client, send},
};

/// Polls `condition` every 20 ms, at most 500 times (10 s), and fails naming `what`.
async fn until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

fn order(from: i64, to: i64, amount: i64) -> Value {
    json!({"from_account_id": from, "to_account_id": to, "amount": amount, "currency": "USD"})
}

/// Sessions of this test's database that wait for a row lock now.
async fn lock_waiters(observer: &tokio_postgres::Client) -> i64 {
    observer
        .query_one(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE wait_event_type = 'Lock' AND datname = current_database()",
            &[],
        )
        .await
        .expect("pg_stat_activity")
        .get(0)
}

#[tokio::test]
async fn transfers_into_a_held_row_give_up_with_503_and_write_nothing_while_other_accounts_move() {
    let app = TestApp::spawn_with(|values| {
        values.insert("DB_LOCK_TIMEOUT".into(), "1s".into());
    })
    .await;
    let (sender, from) = app.a_user_with_account("USD", 1_000).await;
    let (_, hot) = app.a_user_with_account("USD", 0).await;
    let (other, other_from) = app.a_user_with_account("USD", 1_000).await;
    let (_, other_to) = app.a_user_with_account("USD", 0).await;
    let counts_before = app.transfer_and_entry_counts().await;

    // Someone outside the bank holds the destination row.
    let locker = app.db.connect().await;
    locker
        .batch_execute(&format!(
            "BEGIN; SELECT * FROM accounts WHERE id = {hot} FOR UPDATE"
        ))
        .await
        .expect("hold the hot row");
    let keys: Vec<String> = (0..8).map(|i| format!("hot-row-{i}")).collect();
    let hot_order = order(from, hot, 10);
    let hot_transfers = join_all(
        keys.iter()
            .map(|key| app.transfer(&sender.token, &hot_order, Some(key))),
    );
    let observer = app.db.connect().await;
    let others = async {
        until("a transfer waits for the held row", || async {
            lock_waiters(&observer).await > 0
        })
        .await;
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(app.get_account(&other.token, other_from).await.status());
            statuses.push(
                app.transfer(&other.token, &order(other_from, other_to, 1), None)
                    .await
                    .status(),
            );
        }
        statuses
    };
    let (hot_responses, other_statuses) = tokio::join!(hot_transfers, others);

    for status in &other_statuses {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::CREATED,
            "requests that do not touch the held row succeed: {other_statuses:?}"
        );
    }
    for response in hot_responses {
        let retry_after = response.headers().get("retry-after").cloned();
        assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
        assert!(retry_after.is_some(), "a 503 says when to retry");
    }
    assert_eq!(
        app.balance_in_db(hot).await,
        0,
        "nothing reached the held row"
    );
    assert_eq!(
        app.balance_in_db(from).await,
        1_000,
        "nothing left the sender"
    );
    assert_eq!(app.balance_in_db(other_to).await, 5);
    assert_eq!(
        app.transfer_and_entry_counts().await,
        (counts_before.0 + 5, counts_before.1 + 10),
        "only the unrelated transfers were written"
    );
    let pressure = app.bank.store().pressure();
    assert_eq!(
        pressure.lock_timeouts + pressure.queue_timeouts,
        8,
        "every refused transfer was counted: {pressure:?}"
    );
    assert!(pressure.lock_timeouts >= 1, "{pressure:?}");

    // Once the row is free, a retry with the same key does the work, once.
    locker
        .batch_execute("COMMIT")
        .await
        .expect("release the row");
    let retried = app
        .transfer(&sender.token, &order(from, hot, 10), Some(&keys[0]))
        .await;
    assert_eq!(retried.status(), StatusCode::CREATED);
    let replayed = app
        .transfer(&sender.token, &order(from, hot, 10), Some(&keys[0]))
        .await;
    assert_eq!(replayed.status(), StatusCode::CREATED);
    assert_eq!(app.balance_in_db(hot).await, 10);
}

#[tokio::test]
async fn a_statement_past_its_time_is_503_and_rolled_back() {
    let app = TestApp::spawn_with(|values| {
        values.insert("DB_LOCK_TIMEOUT".into(), "100ms".into());
        values.insert("DB_STATEMENT_TIMEOUT".into(), "200ms".into());
    })
    .await;
    let (sender, from) = app.a_user_with_account("USD", 1_000).await;
    let (_, to) = app.a_user_with_account("USD", 0).await;
    // A trigger that makes every new entry take longer than the statement may.
    app.execute(
        "CREATE FUNCTION slow_entry() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$",
        &[],
    )
    .await;
    app.execute(
        "CREATE TRIGGER slow_entry BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION slow_entry()",
        &[],
    )
    .await;

    let response = app
        .transfer(&sender.token, &order(from, to, 10), None)
        .await;

    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_eq!(app.balance_in_db(from).await, 1_000);
    assert_eq!(app.transfer_and_entry_counts().await.0, 0);
    assert_eq!(app.bank.store().pressure().statement_timeouts, 1);
}

/// A test database reached through a fault proxy, and a server over the proxy.
async fn app_behind_proxy() -> (TestApp, FaultProxy) {
    let db = TestDb::new().await;
    let proxy = FaultProxy::start(&db.url).await;
    let proxied = proxy.url_for(&db.url);
    let app = TestApp::spawn_over(db, &proxied, |_| {}).await;
    (app, proxy)
}

#[tokio::test]
async fn cutting_every_database_connection_under_transfers_gives_201_or_503_and_keeps_the_money() {
    let (app, proxy) = app_behind_proxy().await;
    let mut users = Vec::new();
    for _ in 0..4 {
        users.push(app.a_user_with_account("USD", 10_000).await);
    }
    let accounts: Vec<i64> = users.iter().map(|(_, account)| *account).collect();
    let (_, deposit_entries) = app.transfer_and_entry_counts().await;

    let app = &app;
    let rounds = 4;
    let per_round = 24;
    let mut statuses = Vec::new();
    for round in 0..rounds {
        let transfers = (0..per_round).map(|i| {
            let (user, from) = &users[i % users.len()];
            let to = accounts[(i + 1 + round) % accounts.len()];
            let to = if to == *from {
                accounts[(i + 2) % accounts.len()]
            } else {
                to
            };
            let body = order(*from, to, 7);
            async move { app.transfer(&user.token, &body, None).await }
        });
        let cut = async {
            tokio::task::yield_now().await;
            proxy.cut_all();
        };
        let (responses, ()) = tokio::join!(join_all(transfers), cut);
        statuses.extend(responses.iter().map(|response| response.status()));
    }

    let unexpected: Vec<_> = statuses
        .iter()
        .filter(|status| {
            **status != StatusCode::CREATED && **status != StatusCode::SERVICE_UNAVAILABLE
        })
        .collect();
    assert!(unexpected.is_empty(), "only 201 or 503: {statuses:?}");
    let created = statuses
        .iter()
        .filter(|status| **status == StatusCode::CREATED)
        .count() as i64;
    let mut total = 0;
    for account in &accounts {
        total += app.balance_in_db(*account).await;
    }
    assert_eq!(total, 4 * 10_000, "no money created or lost");
    // A connection cut during COMMIT leaves the outcome unknown to the server (503),
    // so a 503 may have moved money; a 201 always did, and nothing moved half.
    let (transfers, entries) = app.transfer_and_entry_counts().await;
    assert!(
        transfers >= created,
        "{transfers} transfers, {created} answered 201"
    );
    assert_eq!(
        entries,
        deposit_entries + 2 * transfers,
        "every transfer has both entries"
    );
    let checker = app.db.connect().await;
    let mismatched: i64 = checker
        .query_one(
            "SELECT count(*) FROM accounts a WHERE a.balance <> \
             (SELECT coalesce(sum(e.amount), 0) FROM entries e WHERE e.account_id = a.id)",
            &[],
        )
        .await
        .expect("balances against entries")
        .get(0);
    assert_eq!(mismatched, 0, "every balance is the sum of its entries");
    // The pool heals by itself.
    let (user, from) = &users[0];
    let response = app
        .transfer(&user.token, &order(*from, accounts[1], 1), None)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_unreachable_database_gives_503_json_and_the_service_resumes_when_it_returns() {
    let (app, proxy) = app_behind_proxy().await;
    let (user, from) = app.a_user_with_account("USD", 1_000).await;
    let (_, to) = app.a_user_with_account("USD", 0).await;

    proxy.refuse_new(true);
    proxy.cut_all();
    let transfer = app.transfer(&user.token, &order(from, to, 10), None).await;
    let retry_after = transfer.headers().get("retry-after").cloned();
    assert_error(transfer, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(retry_after.is_some());
    assert_error(
        app.get_account(&user.token, from).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert_error(
        app.get("/readyz").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    proxy.refuse_new(false);
    until("the server is ready again", || async {
        app.get("/readyz").await.status() == StatusCode::OK
    })
    .await;
    let transfer = app.transfer(&user.token, &order(from, to, 10), None).await;
    assert_eq!(transfer.status(), StatusCode::CREATED);
    assert_eq!(app.balance_in_db(to).await, 10);
}

#[tokio::test]
async fn a_stalled_database_gives_503_instead_of_hanging() {
    let (app, proxy) = app_behind_proxy().await;
    let (user, from) = app.a_user_with_account("USD", 1_000).await;

    // Fresh connections only, and none of them gets an answer.
    proxy.stall(true);
    proxy.cut_all();
    let response = send(client().get(app.url("/readyz"))).await;
    assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert_error(
        app.get_account(&user.token, from).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;

    proxy.stall(false);
    until("the server is ready again", || async {
        app.get("/readyz").await.status() == StatusCode::OK
    })
    .await;
    assert_eq!(
        app.get_account(&user.token, from).await.status(),
        StatusCode::OK
    );
}
