//! Behind a real PgBouncer in transaction mode (`DB_POOL_MODE=transaction`): the
//! money tests, idempotent replays, two replicas and a read load go through it with
//! no 5xx and no money created or lost; the timeouts still bound lock waits;
//! migrations take the direct URL (`DB_MIGRATION_SOURCE`); the purge works through it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use simplebank::{
    AppError,
    app::Application,
    config::{DatabaseConfig, PoolMode},
    domain::{AccountId, Amount, Currency},
    store::{PurgeSettings, Store},
};

use crate::{
    harness::TestDb,
    http_api::{TestApp, client, json_of, test_config},
    idempotency::{a_replay_moves_money_once, concurrent_replays_move_money_once},
    pgbouncer::{Pgbouncer, pooled_database_config},
    replicas::two_replicas_keep_every_invariant,
    transfers::{balance_of, concurrent_one_way_transfers, concurrent_opposite_transfers, order},
};

/// The settings of a server that reaches `db` through `pgbouncer`.
fn through(
    pgbouncer: &Pgbouncer,
    db: &TestDb,
) -> impl Fn(&mut std::collections::HashMap<String, String>) + use<> {
    let pooled = pooled_database_config(pgbouncer, &db.url);
    move |values| {
        values.insert("DB_SOURCE".into(), pooled.url.clone());
        values.insert("DB_POOL_MODE".into(), "transaction".into());
        values.insert("DB_MIGRATION_SOURCE".into(), pooled.migration_url.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_transfers_through_pgbouncer() {
    let db = TestDb::new().await;
    let (pgbouncer, store) = db.behind_pgbouncer();
    concurrent_one_way_transfers(&db, &store).await;
    let log = pgbouncer.log();
    assert!(
        !log.contains("does not exist"),
        "a statement outlived its transaction:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opposite_transfers_through_pgbouncer_do_not_deadlock() {
    let db = TestDb::new().await;
    let (_pgbouncer, store) = db.behind_pgbouncer();
    concurrent_opposite_transfers(&db, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotent_replay_through_pgbouncer() {
    let db = TestDb::new().await;
    let (_pgbouncer, store) = db.behind_pgbouncer();
    a_replay_moves_money_once(&db, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_through_pgbouncer() {
    let db = TestDb::new().await;
    let (_pgbouncer, store) = db.behind_pgbouncer();
    concurrent_replays_move_money_once(&db, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_through_pgbouncer_keep_every_invariant() {
    let db = TestDb::new().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    two_replicas_keep_every_invariant(&db, through(&pgbouncer, &db)).await;
}

/// Reads from many connections at once, more than PgBouncer has server
/// connections: every one answers 200 (none 5xx), and the balances add up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_load_through_pgbouncer_answers_every_request() {
    const TASKS: usize = 24;
    const READS_PER_TASK: usize = 25;
    let db = TestDb::new().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    let settings = through(&pgbouncer, &db);
    let pooled_url = pooled_database_config(&pgbouncer, &db.url).url;
    let app = TestApp::spawn_over(db, &pooled_url, settings).await;
    let (user, from) = app.a_user_with_account("USD", 10_000).await;
    let (_, to) = app.a_user_with_account("USD", 0).await;
    for amount in [100, 200, 300] {
        let body = json!({"from_account_id": from, "to_account_id": to, "amount": amount, "currency": "USD"});
        json_of(
            app.transfer(&user.token, &body, None).await,
            StatusCode::CREATED,
        )
        .await;
    }

    let reads = [
        format!("/accounts/{from}"),
        format!("/accounts/{from}/entries?page_id=1&page_size=5"),
        format!("/transfers?account_id={from}&page_id=1&page_size=5"),
    ];
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (http, token) = (client(), user.token.clone());
            let urls: Vec<String> = reads.iter().map(|path| app.url(path)).collect();
            tokio::spawn(async move {
                let mut statuses = Vec::with_capacity(READS_PER_TASK);
                for n in 0..READS_PER_TASK {
                    let url = &urls[(task + n) % urls.len()];
                    let response = http.get(url).bearer_auth(&token).send().await;
                    statuses.push(response.map_or(0, |r| r.status().as_u16()));
                }
                statuses
            })
        })
        .collect();
    let all = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(tasks))
        .await
        .expect("the read load finished within 60 s");
    let statuses: Vec<u16> = all
        .into_iter()
        .flat_map(|task| task.expect("task"))
        .collect();
    assert_eq!(statuses.len(), TASKS * READS_PER_TASK);
    let failed: Vec<_> = statuses.iter().filter(|&&status| status != 200).collect();
    assert!(
        failed.is_empty(),
        "{} of {} reads did not answer 200, e.g. {:?}",
        failed.len(),
        statuses.len(),
        &failed[..failed.len().min(5)]
    );
    assert_eq!(
        app.balance_in_db(from).await + app.balance_in_db(to).await,
        10_000
    );
    assert_eq!(app.balance_in_db(to).await, 600);
}

/// The pooler passes no startup options, so the lock timeout is set in each
/// transaction: a transfer into a row held elsewhere gives up after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_timeout_holds_through_pgbouncer() {
    let db = TestDb::new().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    let store = Store::new(&DatabaseConfig {
        lock_timeout: Duration::from_millis(300),
        ..pooled_database_config(&pgbouncer, &db.url)
    })
    .expect("pooled store");
    let (from, to) = crate::transfers::two_accounts(&db.store, 1_000, Currency::Usd).await;

    let mut holder = db.connect().await;
    let hold = holder.transaction().await.expect("begin");
    hold.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&to.id])
        .await
        .expect("hold the row");
    let refused = tokio::time::timeout(
        Duration::from_secs(10),
        store.transfer(&order(&from, &to, 10), None),
    )
    .await
    .expect("the lock wait is bounded (else no lock_timeout reached the server)");
    assert!(
        matches!(refused, Err(AppError::Unavailable(_))),
        "expected Unavailable, got {refused:?}"
    );
    hold.rollback().await.expect("release");

    store
        .transfer(&order(&from, &to, 10), None)
        .await
        .expect("the transfer goes through once the row is free");
    assert_eq!(balance_of(&db.store, from.id).await, 990);
}

/// The server starts on an empty database through the pooler: it creates and
/// migrates it through `DB_MIGRATION_SOURCE`, then serves through PgBouncer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_take_the_direct_url() {
    let db = TestDb::unmigrated().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    let config = test_config(&db.url, through(&pgbouncer, &db));
    assert_eq!(config.database.pool_mode, PoolMode::Transaction);
    let app = Application::build(config).await.expect("migrate and bind");
    let address = format!("http://{}", app.http_address());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let created = client()
        .post(format!("{address}/users"))
        .json(&json!({
            "username": "pooled_user", "password": "secret123",
            "full_name": "Pooled User", "email": "pooled_user@example.com",
        }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(created.status(), StatusCode::CREATED);
    let version: i64 = db
        .connect()
        .await
        .query_one("SELECT version FROM schema_migrations", &[])
        .await
        .expect("migrated")
        .get(0);
    assert!(version >= 7, "migrated to {version}");
    drop(stop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_works_through_pgbouncer() {
    let db = TestDb::new().await;
    let (_pgbouncer, store) = db.behind_pgbouncer();
    let direct = db.connect().await;
    direct
        .batch_execute(
            "INSERT INTO users (username, role, hashed_password, full_name, email)
                 VALUES ('purged_one', 'depositor', 'x', 'Purged One', 'purged_one@example.com');
             INSERT INTO sessions (id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at)
                 VALUES (gen_random_uuid(), 'purged_one', 't', 'a', '127.0.0.1', false, now() - interval '30 days'),
                        (gen_random_uuid(), 'purged_one', 't', 'a', '127.0.0.1', false, now() + interval '1 day');",
        )
        .await
        .expect("seed sessions");
    let report = store
        .purge(&PurgeSettings {
            idempotency_key_ttl: Duration::from_secs(3600),
            session_retention: Duration::from_secs(24 * 3600),
            login_window: Duration::from_secs(900),
            batch_size: 10,
        })
        .await
        .expect("purge through the pooler");
    assert_eq!(report.sessions, 1, "{report}");
    let left: i64 = direct
        .query_one("SELECT count(*) FROM sessions", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 1);
}

/// A request cancelled inside its transaction (its client went away) before its COMMIT
/// was sent is rolled back before its connection serves anyone else: nothing it did is
/// committed, and the next unit on that connection starts clean. A deposit is two
/// statements; its COMMIT goes out with the second, which never left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_transaction_is_rolled_back_before_its_connection_is_reused() {
    let db = TestDb::new().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    let store = one_connection_store(&pgbouncer, &db);
    let (from, to) = crate::transfers::two_accounts(&db.store, 1_000, Currency::Usd).await;

    let mut holder = db.connect().await;
    let hold = holder.transaction().await.expect("begin");
    hold.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&to.id])
        .await
        .expect("hold the row");
    let deposit = store.deposit(
        AccountId::parse(to.id).expect("id"),
        Amount::parse(500).expect("amount"),
    );
    let cancelled = tokio::time::timeout(Duration::from_millis(300), deposit).await;
    assert!(
        cancelled.is_err(),
        "the deposit was still waiting for the row"
    );
    // The cancelled statement now gets the row and runs; its transaction must not commit.
    hold.rollback().await.expect("release");

    store
        .transfer(&order(&from, &to, 10), None)
        .await
        .expect("the next transfer on the same connection");
    assert_eq!(balance_of(&db.store, from.id).await, 990);
    assert_eq!(balance_of(&db.store, to.id).await, 1_010);
    assert_eq!(crate::transfers::row_counts(&db.store).await, (1, 2));
}

/// A transfer is one statement sent with its BEGIN and COMMIT: once it left, a client
/// that goes away cannot stop it, as with an autocommit statement on a direct
/// connection. It is applied exactly once, and the connection serves the next unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_transfer_that_was_sent_commits_once() {
    let db = TestDb::new().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    let store = one_connection_store(&pgbouncer, &db);
    let (from, to) = crate::transfers::two_accounts(&db.store, 1_000, Currency::Usd).await;

    let mut holder = db.connect().await;
    let hold = holder.transaction().await.expect("begin");
    hold.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&to.id])
        .await
        .expect("hold the row");
    let cancelled = tokio::time::timeout(
        Duration::from_millis(300),
        store.transfer(&order(&from, &to, 100), None),
    )
    .await;
    assert!(
        cancelled.is_err(),
        "the transfer was still waiting for the row"
    );
    hold.rollback().await.expect("release");

    store
        .transfer(&order(&from, &to, 10), None)
        .await
        .expect("the next transfer on the same connection");
    assert_eq!(balance_of(&db.store, from.id).await, 890);
    assert_eq!(balance_of(&db.store, to.id).await, 1_110);
    assert_eq!(crate::transfers::row_counts(&db.store).await, (2, 4));
}

/// A pooled store with a single connection, so consecutive units share it.
fn one_connection_store(pgbouncer: &Pgbouncer, db: &TestDb) -> Store {
    Store::new(&DatabaseConfig {
        max_connections: 1,
        ..pooled_database_config(pgbouncer, &db.url)
    })
    .expect("pooled store")
}

/// Statements go out unnamed in transaction mode: after transfers, deposits and reads
/// (the first of each teaches the store its parameter types with a real prepare, which
/// it deallocates in the same transaction), the server sessions PgBouncer hands out
/// hold no prepared statement that another client could collide with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_prepared_statement_is_left_on_a_server_session() {
    let db = TestDb::new().await;
    let pgbouncer = Pgbouncer::start(&db.url);
    let store = one_connection_store(&pgbouncer, &db);
    let (from, to) = crate::transfers::two_accounts(&db.store, 1_000, Currency::Usd).await;
    for _ in 0..5 {
        store
            .transfer(&order(&from, &to, 1), None)
            .await
            .expect("transfer through pgbouncer");
        store
            .deposit(
                AccountId::parse(to.id).expect("id"),
                Amount::parse(1).expect("amount"),
            )
            .await
            .expect("deposit through pgbouncer");
    }
    let client = store.client().await.expect("pooled client");
    for _ in 0..5 {
        // The simple protocol: a check that prepared nothing itself.
        let rows = client
            .simple_query("SELECT count(*) FROM pg_prepared_statements")
            .await
            .expect("prepared statements of the server session");
        let left = rows.iter().find_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        });
        assert_eq!(
            left.as_deref(),
            Some("0"),
            "statements left on a server session"
        );
    }
    assert_eq!(balance_of(&db.store, from.id).await, 995);
    assert_eq!(balance_of(&db.store, to.id).await, 1_010);
}
