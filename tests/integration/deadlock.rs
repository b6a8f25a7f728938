//! The course's deadlock ("queries order matters") and why the shipped transfer
//! cannot run into it: two opposite transfers between the same two accounts.
//!
//! Updating the two accounts in transfer order (from, then to) lets tx1 hold A and
//! wait for B while tx2 holds B and waits for A. The shipped transfer instead locks
//! both rows with one statement in ascending id order, so the second transfer
//! waits for the first before it holds anything, and then proceeds.

use std::time::Duration;

use futures::future::join_all;
use simplebank::{
    domain::{AccountId, Amount, Currency},
    store::{Account, TransferOrder},
};
use tokio_postgres::{Client, error::SqlState};

use crate::{
    harness::TestDb,
    random::{create_account_with, create_random_user},
};

const START_BALANCE: i64 = 1_000;
const AMOUNT: i64 = 10;

const DEBIT: &str = "UPDATE accounts SET balance = balance - 10 WHERE id = $1";
const CREDIT: &str = "UPDATE accounts SET balance = balance + 10 WHERE id = $1";
/// The shipped `lock_account_pair` (queries/accounts.sql).
const LOCK_PAIR: &str =
    "SELECT id, balance FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE";

#[tokio::test]
async fn opposite_update_order_deadlocks_and_postgres_aborts_exactly_one() {
    // Arrange: tx1 moves 10 from A to B, tx2 moves 10 from B to A, each updating
    // the source first. Each holds its source row.
    let db = TestDb::new().await;
    let (a, b) = two_accounts(&db).await;
    let (tx1, tx2) = (db.connect().await, db.connect().await);
    for tx in [&tx1, &tx2] {
        shorten_deadlock_timeout(tx).await;
        run(tx, "BEGIN").await;
    }
    execute(&tx1, DEBIT, a).await;
    execute(&tx2, DEBIT, b).await;

    // Act: each now wants the row the other holds. Both statements are in flight
    // at once; PostgreSQL's deadlock detector breaks the cycle.
    let (credit1, credit2) =
        tokio::join!(try_execute(&tx1, CREDIT, b), try_execute(&tx2, CREDIT, a));

    // Assert
    let tx1_won = match (deadlocked(credit1), deadlocked(credit2)) {
        (false, true) => true,
        (true, false) => false,
        (victim1, victim2) => panic!(
            "exactly one transaction must be aborted with a deadlock: tx1 {}, tx2 {}",
            if victim1 { "aborted" } else { "succeeded" },
            if victim2 { "aborted" } else { "succeeded" },
        ),
    };
    let (winner, loser) = if tx1_won { (&tx1, &tx2) } else { (&tx2, &tx1) };
    run(winner, "COMMIT").await;
    run(loser, "ROLLBACK").await;
    let expected = if tx1_won {
        (START_BALANCE - AMOUNT, START_BALANCE + AMOUNT)
    } else {
        (START_BALANCE + AMOUNT, START_BALANCE - AMOUNT)
    };
    assert_eq!(
        balances(&db, a, b).await,
        expected,
        "only the surviving transfer (tx1 won: {tx1_won}) moved money"
    );
}

#[tokio::test]
async fn opposite_transfers_through_the_store_all_succeed_and_keep_balances() {
    // Arrange: 20 transfers from A to B and 20 from B to A, all at once.
    let db = TestDb::new().await;
    let (a, b) = two_accounts(&db).await;
    let pairs = 20;
    let orders: Vec<TransferOrder> = (0..pairs)
        .flat_map(|_| [order(a, b), order(b, a)])
        .collect();

    // Act
    let results = join_all(orders.iter().map(|order| db.store.transfer(order, None))).await;

    // Assert
    let failures: Vec<String> = results
        .iter()
        .zip(&orders)
        .filter_map(|(result, order)| {
            result.as_ref().err().map(|err| {
                format!(
                    "{} -> {}: {err:?}",
                    order.from_account_id, order.to_account_id
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "every transfer must succeed, {} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        results
            .iter()
            .flatten()
            .all(|outcome| !outcome.replayed && outcome.result.transfer.amount == AMOUNT),
        "each transfer moved its own money"
    );
    assert_eq!(
        balances(&db, a, b).await,
        (START_BALANCE, START_BALANCE),
        "equal opposite transfers leave both balances as they were"
    );
    let client = db.connect().await;
    let written: (i64, i64, i64) = {
        let row = client
            .query_one(
                "SELECT (SELECT count(*) FROM transfers), (SELECT count(*) FROM entries), \
                 (SELECT COALESCE(SUM(amount), 0)::bigint FROM entries)",
                &[],
            )
            .await
            .expect("count what the transfers wrote");
        (row.get(0), row.get(1), row.get(2))
    };
    assert_eq!(
        written,
        (2 * pairs, 4 * pairs, 0),
        "(transfers, entries, sum of entries): one transfer and two entries each, no money created"
    );
}

#[tokio::test]
async fn ordered_pair_lock_makes_the_opposite_transfer_wait_instead_of_deadlocking() {
    // Arrange: tx1 (A to B) takes the shipped pair lock first.
    let db = TestDb::new().await;
    let (a, b) = two_accounts(&db).await;
    let (tx1, tx2, observer) = (db.connect().await, db.connect().await, db.connect().await);
    for tx in [&tx1, &tx2] {
        shorten_deadlock_timeout(tx).await;
        run(tx, "BEGIN").await;
    }
    let (tx1_pid, tx2_pid) = (backend_pid(&tx1).await, backend_pid(&tx2).await);
    let locked1 = lock_pair(&tx1, a, b)
        .await
        .expect("the first transaction locks both accounts");
    assert_eq!(locked1, vec![(a, START_BALANCE), (b, START_BALANCE)]);

    // Act: tx2 (B to A) asks for the same pair with its ids the other way round.
    // The lock order is by id, so it waits for A before holding B: tx1 can still
    // update B (the step that deadlocked above) and commit, which lets tx2 go on.
    let (locked2, ()) = tokio::join!(lock_pair(&tx2, b, a), async {
        wait_until_blocked(&observer, tx2_pid, tx1_pid).await;
        execute(&tx1, DEBIT, a).await;
        execute(&tx1, CREDIT, b).await;
        run(&tx1, "COMMIT").await;
    });
    let locked2 = locked2.expect("the second transaction waits, then locks both (no deadlock)");
    execute(&tx2, DEBIT, b).await;
    execute(&tx2, CREDIT, a).await;
    run(&tx2, "COMMIT").await;

    // Assert
    assert_eq!(
        locked2,
        vec![(a, START_BALANCE - AMOUNT), (b, START_BALANCE + AMOUNT)],
        "after waiting, the second transaction sees the first one's committed balances"
    );
    assert_eq!(
        balances(&db, a, b).await,
        (START_BALANCE, START_BALANCE),
        "equal opposite transfers leave both balances as they were"
    );
}

/// Two accounts in the same currency, of two new owners, `a` with the lower id.
async fn two_accounts(db: &TestDb) -> (i64, i64) {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let owner = create_random_user(&db.store).await;
        let Account { id, .. } =
            create_account_with(&db.store, &owner.username, START_BALANCE, Currency::Usd).await;
        ids.push(id);
    }
    ids.sort_unstable();
    (ids[0], ids[1])
}

fn order(from: i64, to: i64) -> TransferOrder {
    TransferOrder {
        from_account_id: AccountId::parse(from).expect("a valid source account id"),
        to_account_id: AccountId::parse(to).expect("a valid destination account id"),
        amount: Amount::parse(AMOUNT).expect("a positive amount"),
        currency: Currency::Usd,
        required_owner: None,
    }
}

/// PostgreSQL looks for a deadlock once a lock wait lasts `deadlock_timeout`, 1 s
/// by default; a tenth of that keeps the test quick. Changing it needs superuser
/// (or a grant): without one the default stands and the test only takes longer.
async fn shorten_deadlock_timeout(client: &Client) {
    match client.batch_execute("SET deadlock_timeout = '100ms'").await {
        Ok(()) => {}
        Err(err) if err.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {}
        Err(err) => panic!("SET deadlock_timeout: {err:?}"),
    }
}

/// Whether a statement was aborted to break a deadlock; any other error fails the test.
fn deadlocked(result: Result<u64, tokio_postgres::Error>) -> bool {
    match result {
        Ok(rows) => {
            assert_eq!(rows, 1, "the update changes one account");
            false
        }
        Err(err) if err.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) => true,
        Err(err) => panic!("expected success or a deadlock, got {err:?}"),
    }
}

/// Runs the shipped pair lock; returns the locked (id, balance) rows in lock order.
async fn lock_pair(
    client: &Client,
    first: i64,
    second: i64,
) -> Result<Vec<(i64, i64)>, tokio_postgres::Error> {
    let rows = client.query(LOCK_PAIR, &[&first, &second]).await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Returns once `waiting` is blocked by a lock `holder` holds, asking PostgreSQL
/// rather than guessing with a sleep.
async fn wait_until_blocked(observer: &Client, waiting: i32, holder: i32) {
    let blocked = async {
        loop {
            let blockers: Vec<i32> = observer
                .query_one("SELECT pg_blocking_pids($1)", &[&waiting])
                .await
                .expect("ask which sessions block the second transaction")
                .get(0);
            if blockers.contains(&holder) {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), blocked)
        .await
        .expect("the second transaction waits for the first one's lock");
}

async fn backend_pid(client: &Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .expect("the session's backend pid")
        .get(0)
}

async fn run(client: &Client, statement: &str) {
    client
        .batch_execute(statement)
        .await
        .unwrap_or_else(|err| panic!("{statement}: {err:?}"));
}

async fn try_execute(
    client: &Client,
    statement: &str,
    account: i64,
) -> Result<u64, tokio_postgres::Error> {
    client.execute(statement, &[&account]).await
}

async fn execute(client: &Client, statement: &str, account: i64) {
    let updated = client
        .execute(statement, &[&account])
        .await
        .unwrap_or_else(|err| panic!("{statement} (account {account}): {err:?}"));
    assert_eq!(
        updated, 1,
        "{statement} (account {account}) changes one row"
    );
}

async fn balances(db: &TestDb, a: i64, b: i64) -> (i64, i64) {
    let client = db.connect().await;
    let balance = async |id: i64| -> i64 {
        client
            .query_one("SELECT balance FROM accounts WHERE id = $1", &[&id])
            .await
            .expect("read a balance")
            .get(0)
    };
    let (balance_a, balance_b) = (balance(a).await, balance(b).await);
    assert_eq!(
        balance_a + balance_b,
        2 * START_BALANCE,
        "the total money of the two accounts never changes"
    );
    (balance_a, balance_b)
}
