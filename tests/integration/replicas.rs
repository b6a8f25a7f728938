//! Two server processes' worth of state (two applications, two pools) on one
//! database: concurrent transfers through both keep every money invariant.

use std::{collections::HashMap, sync::Arc};

use serde_json::json;
use simplebank::{
    app::{Application, bank_from_config},
    domain::{AccountId, Amount, Currency, Role, Username},
    service::{Bank, ClientInfo, LoginInput, NewUser, Principal},
    store::Store,
    token,
};
use tokio::sync::oneshot;

use crate::{
    harness::TestDb,
    http_api::{client, test_config},
};

const USERS: usize = 4;
const TRANSFERS_PER_USER: usize = 40;
const OPENING: i64 = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_database_keep_every_invariant() {
    let db = TestDb::new().await;
    two_replicas_keep_every_invariant(&db, |_| {}).await;
}

/// Two replicas on `db`, each configured by `configure` over the test defaults,
/// send transfers round robin; then every money invariant is checked directly.
pub async fn two_replicas_keep_every_invariant(
    db: &TestDb,
    configure: impl Fn(&mut HashMap<String, String>),
) {
    let mut replicas = Vec::new();
    let mut stops = Vec::new();
    for _ in 0..2 {
        let config = test_config(&db.url, &configure);
        // Each replica has a pool of its own, as separate processes would.
        let store = Store::new(&config.database).expect("pool");
        let tokens = token::maker_from_config(&config.token).expect("token maker");
        let bank = Arc::new(Bank::new(store, tokens, &config.token));
        let app = Application::with_bank(config, bank.clone())
            .await
            .expect("bind");
        let address = format!("http://{}", app.http_address());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        replicas.push((address, bank));
        stops.push(stop);
    }
    let bank = &replicas[0].1;
    let mut users = Vec::new();
    for i in 0..USERS {
        let name = format!("replica_user_{i}");
        let new = NewUser::parse(
            Some(&name),
            Some("secret123"),
            Some("Replica User"),
            Some(&format!("{name}@example.com")),
        )
        .expect("user");
        bank.create_user(new).await.expect("create user");
        let login = bank
            .login(
                LoginInput::parse(Some(&name), Some("secret123")).expect("input"),
                &ClientInfo::default(),
            )
            .await
            .expect("login");
        let owner = Principal {
            username: Username::parse(&name).expect("name"),
            role: Role::Depositor,
        };
        let account = bank
            .create_account(&owner, Currency::Usd)
            .await
            .expect("account");
        bank.deposit_as_operator(
            AccountId::parse(account.id).expect("id"),
            Amount::parse(OPENING).expect("amount"),
        )
        .await
        .expect("deposit");
        users.push((login.access_token, account.id));
    }

    // Every user sends to every other user, round robin, alternating replicas.
    let http = client();
    let mut tasks = Vec::new();
    for (i, (token, from)) in users.iter().enumerate() {
        let (http, token, from) = (http.clone(), token.clone(), *from);
        let targets: Vec<i64> = users
            .iter()
            .filter(|(_, id)| *id != from)
            .map(|(_, id)| *id)
            .collect();
        let addresses: Vec<String> = replicas
            .iter()
            .map(|(address, _)| address.clone())
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for n in 0..TRANSFERS_PER_USER {
                let to = targets[(n + i) % targets.len()];
                let response = http
                    .post(format!("{}/transfers", addresses[n % addresses.len()]))
                    .bearer_auth(&token)
                    .json(&json!({"from_account_id": from, "to_account_id": to, "amount": 7, "currency": "USD"}))
                    .send()
                    .await
                    .expect("an answer");
                statuses.push(response.status().as_u16());
            }
            statuses
        }));
    }
    for task in tasks {
        let statuses = task.await.expect("task");
        assert!(
            statuses.iter().all(|&status| status == 201),
            "a transfer failed: {statuses:?}"
        );
    }

    let client = db.connect().await;
    let row = client
        .query_one(
            "SELECT (SELECT sum(balance)::bigint FROM accounts),
                    (SELECT count(*) FROM accounts WHERE balance < 0),
                    (SELECT count(*) FROM transfers),
                    (SELECT count(*) FROM (
                        SELECT a.id FROM accounts a LEFT JOIN entries e ON e.account_id = a.id
                        GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)) mismatched)",
            &[],
        )
        .await
        .expect("invariants");
    let (total, negative, transfers, mismatched): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(
        total,
        OPENING * USERS as i64,
        "money was created or destroyed"
    );
    assert_eq!(negative, 0);
    assert_eq!(transfers as usize, USERS * TRANSFERS_PER_USER);
    assert_eq!(
        mismatched, 0,
        "a balance differs from the sum of its entries"
    );
    drop(stops);
}

/// A second server process's worth of state on `db`: its own pool and bank.
async fn spawn_replica(db: &TestDb) -> (String, oneshot::Sender<()>) {
    let config = test_config(&db.url, |_| {});
    let store = Store::new(&config.database).expect("pool");
    let bank = Arc::new(bank_from_config(store, &config).expect("bank"));
    let app = Application::with_bank(config, bank).await.expect("bind");
    let address = format!("http://{}", app.http_address());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    (address, stop)
}

async fn login_status(
    http: &reqwest::Client,
    address: &str,
    username: &str,
    password: &str,
) -> u16 {
    http.post(format!("{address}/users/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("an answer")
        .status()
        .as_u16()
}

#[tokio::test]
async fn failed_logins_counted_on_two_replicas_add_up() {
    let db = TestDb::new().await;
    let (a, _stop_a) = spawn_replica(&db).await;
    let (b, _stop_b) = spawn_replica(&db).await;
    let http = client();
    let user = json!({
        "username": "shared_count", "password": "secret123",
        "full_name": "Shared Count", "email": "shared_count@example.com",
    });
    let created = http
        .post(format!("{a}/users"))
        .json(&user)
        .send()
        .await
        .expect("answer");
    assert_eq!(created.status().as_u16(), 201);

    // Ten failures (the per-username limit), alternating replicas.
    for attempt in 0..10 {
        let replica = if attempt % 2 == 0 { &a } else { &b };
        assert_eq!(
            login_status(&http, replica, "shared_count", "wrong-password").await,
            401
        );
    }

    // Either replica now refuses even the right password.
    assert_eq!(
        login_status(&http, &a, "shared_count", "secret123").await,
        429
    );
    assert_eq!(
        login_status(&http, &b, "shared_count", "secret123").await,
        429
    );

    // The counter expires with its window (aged here instead of waited for).
    db.connect()
        .await
        .execute(
            "UPDATE failed_logins SET window_started_at = now() - interval '16 minutes'",
            &[],
        )
        .await
        .expect("age the counters");
    assert_eq!(
        login_status(&http, &b, "shared_count", "secret123").await,
        200
    );
}

#[tokio::test]
async fn a_success_on_one_replica_resets_the_count_the_other_kept() {
    let db = TestDb::new().await;
    let (a, _stop_a) = spawn_replica(&db).await;
    let (b, _stop_b) = spawn_replica(&db).await;
    let http = client();
    let user = json!({
        "username": "reset_count", "password": "secret123",
        "full_name": "Reset Count", "email": "reset_count@example.com",
    });
    let created = http
        .post(format!("{b}/users"))
        .json(&user)
        .send()
        .await
        .expect("answer");
    assert_eq!(created.status().as_u16(), 201);
    for _ in 0..9 {
        assert_eq!(
            login_status(&http, &a, "reset_count", "wrong-password").await,
            401
        );
    }

    assert_eq!(
        login_status(&http, &b, "reset_count", "secret123").await,
        200
    );

    // The username starts again from zero: nine more failures are still 401s.
    for _ in 0..9 {
        assert_eq!(
            login_status(&http, &a, "reset_count", "wrong-password").await,
            401
        );
    }
    assert_eq!(
        login_status(&http, &b, "reset_count", "secret123").await,
        200
    );
    let rows = db
        .connect()
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM failed_logins WHERE scope = 'username'),
                    (SELECT failures FROM failed_logins WHERE scope = 'address')",
            &[],
        )
        .await
        .expect("counters");
    let (username_rows, address_failures): (i64, i32) = (rows.get(0), rows.get(1));
    assert_eq!(username_rows, 0, "a success deletes the username's counter");
    assert_eq!(address_failures, 18, "the address keeps counting");
}
