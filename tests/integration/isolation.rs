//! PostgreSQL's isolation levels against the four read phenomena, cell by cell as in
//! the course's table:
//!
//! | PostgreSQL            | Read Uncommitted | Read Committed | Repeatable Read | Serializable |
//! |-----------------------|------------------|----------------|-----------------|--------------|
//! | Dirty read            | No               | No             | No              | No           |
//! | Non-repeatable read   | Yes              | Yes            | No              | No           |
//! | Phantom read          | Yes              | Yes            | No              | No           |
//! | Serialization anomaly | Yes              | Yes            | Yes             | No           |
//!
//! Each case uses two real connections driven step by step from one task: every
//! statement is awaited before the next is sent, so the interleaving is exactly the
//! one written down. No step of these cases waits for a lock.

use std::fmt;

use simplebank::{domain::Currency, store::Account};
use tokio_postgres::{Client, error::SqlState};

use crate::{
    harness::TestDb,
    random::{create_account_with, create_random_user},
};

/// Every case starts from an account with this balance.
const START_BALANCE: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Accepted by PostgreSQL, which runs it as READ COMMITTED.
    ReadUncommitted,
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

impl Level {
    /// In the order of the table's columns.
    const ALL: [Level; 4] = [
        Level::ReadUncommitted,
        Level::ReadCommitted,
        Level::RepeatableRead,
        Level::Serializable,
    ];

    fn sql(self) -> &'static str {
        match self {
            Self::ReadUncommitted => "READ UNCOMMITTED",
            Self::ReadCommitted => "READ COMMITTED",
            Self::RepeatableRead => "REPEATABLE READ",
            Self::Serializable => "SERIALIZABLE",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql())
    }
}

/// One row of the table: whether the phenomenon occurs at each level of `Level::ALL`.
struct Row {
    phenomenon: &'static str,
    occurs: [bool; 4],
}

const DIRTY_READ: Row = Row {
    phenomenon: "dirty read",
    occurs: [false, false, false, false],
};
const NON_REPEATABLE_READ: Row = Row {
    phenomenon: "non-repeatable read",
    occurs: [true, true, false, false],
};
const PHANTOM_READ: Row = Row {
    phenomenon: "phantom read",
    occurs: [true, true, false, false],
};
const SERIALIZATION_ANOMALY: Row = Row {
    phenomenon: "serialization anomaly",
    occurs: [true, true, true, false],
};

/// Runs `scenario` once at every level and compares what it observed with the
/// table's row, naming each cell that differs.
async fn check_row(row: Row, scenario: impl AsyncFn(&TestDb, Level) -> bool) {
    let db = TestDb::new().await;
    let mut mismatches = Vec::new();
    for (level, expected) in Level::ALL.into_iter().zip(row.occurs) {
        let occurred = scenario(&db, level).await;
        if occurred != expected {
            mismatches.push(format!(
                "{} at {level}: expected it {}, but it {}",
                row.phenomenon,
                if expected { "to occur" } else { "not to occur" },
                if occurred {
                    "occurred"
                } else {
                    "did not occur"
                },
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn dirty_reads_occur_at_no_level() {
    check_row(DIRTY_READ, dirty_read_occurs).await;
}

#[tokio::test]
async fn non_repeatable_reads_occur_below_repeatable_read_only() {
    check_row(NON_REPEATABLE_READ, non_repeatable_read_occurs).await;
}

#[tokio::test]
async fn phantom_reads_occur_below_repeatable_read_only() {
    check_row(PHANTOM_READ, phantom_read_occurs).await;
}

#[tokio::test]
async fn serialization_anomalies_occur_below_serializable_only() {
    check_row(SERIALIZATION_ANOMALY, serialization_anomaly_occurs).await;
}

/// The reader reads a balance that the writer has changed but not committed.
async fn dirty_read_occurs(db: &TestDb, level: Level) -> bool {
    // Arrange
    let account = new_account(db).await.id;
    let (writer, reader) = (db.connect().await, db.connect().await);
    begin(&writer, level).await;
    begin(&reader, level).await;
    let before = balance(&reader, account).await;

    // Act
    execute(
        &writer,
        "UPDATE accounts SET balance = balance - 10 WHERE id = $1",
        &[&account],
    )
    .await;
    let during = balance(&reader, account).await;
    finish(&writer, "ROLLBACK").await;
    finish(&reader, "COMMIT").await;

    // Assert
    assert_eq!(before, START_BALANCE, "{level}: balance before the update");
    during != before
}

/// The reader reads the same row twice and gets the value the writer committed
/// in between the second time.
async fn non_repeatable_read_occurs(db: &TestDb, level: Level) -> bool {
    // Arrange
    let account = new_account(db).await.id;
    let (writer, reader) = (db.connect().await, db.connect().await);
    begin(&writer, level).await;
    begin(&reader, level).await;
    let first = balance(&reader, account).await;

    // Act
    execute(
        &writer,
        "UPDATE accounts SET balance = balance - 10 WHERE id = $1",
        &[&account],
    )
    .await;
    finish(&writer, "COMMIT").await;
    let second = balance(&reader, account).await;
    finish(&reader, "COMMIT").await;

    // Assert
    assert_eq!(first, START_BALANCE, "{level}: balance at the first read");
    second != first
}

/// The reader runs the same search twice and finds a row the writer inserted and
/// committed in between the second time.
async fn phantom_read_occurs(db: &TestDb, level: Level) -> bool {
    // Arrange
    let Account {
        id: account, owner, ..
    } = new_account(db).await;
    let (writer, reader) = (db.connect().await, db.connect().await);
    begin(&writer, level).await;
    begin(&reader, level).await;
    let search = "SELECT id FROM accounts WHERE owner = $1 AND balance >= 50 ORDER BY id";
    let first = ids(&reader, search, &owner).await;

    // Act
    execute(
        &writer,
        "INSERT INTO accounts (owner, balance, currency) VALUES ($1, $2, $3)",
        &[&owner, &START_BALANCE, &Currency::Eur.as_str()],
    )
    .await;
    finish(&writer, "COMMIT").await;
    let second = ids(&reader, search, &owner).await;
    finish(&reader, "COMMIT").await;

    // Assert
    assert_eq!(
        first,
        vec![account],
        "{level}: rows found by the first search"
    );
    second != first
}

/// The course's anomaly: each transaction sums the balances of an owner's accounts
/// and opens another account of that owner holding the sum. Run one after the
/// other, the second would count the first's new account; run concurrently, both
/// write the same sum, which no serial order produces. The new accounts are in
/// different currencies, so the (owner, currency) key never makes them conflict.
/// Returns whether both committed (the anomaly); otherwise PostgreSQL refused one
/// of them with a serialization failure.
async fn serialization_anomaly_occurs(db: &TestDb, level: Level) -> bool {
    // Arrange
    let owner = new_account(db).await.owner;
    let mut tx1 = SerializableTx::begin(db, level, "tx1").await;
    let mut tx2 = SerializableTx::begin(db, level, "tx2").await;

    // Act
    let sum1 = tx1.sum_of_balances(&owner).await;
    let sum2 = tx2.sum_of_balances(&owner).await;
    tx1.open_account(&owner, sum1, Currency::Eur).await;
    tx2.open_account(&owner, sum2, Currency::Cad).await;
    let committed1 = tx1.commit().await;
    let committed2 = tx2.commit().await;

    // Assert
    assert!(
        committed1 || committed2,
        "{level}: a serialization failure must leave one of the two transactions committed"
    );
    let balances = balances_of(db, &owner).await;
    if committed1 && committed2 {
        assert_eq!(
            balances,
            vec![
                (Currency::Cad.as_str().to_owned(), START_BALANCE),
                (Currency::Eur.as_str().to_owned(), START_BALANCE),
                (Currency::Usd.as_str().to_owned(), START_BALANCE),
            ],
            "{level}: both transactions committed, so both must have written the sum they read"
        );
    } else {
        assert_eq!(
            balances.len(),
            2,
            "{level}: only the committed transaction's account exists: {balances:?}"
        );
    }
    committed1 && committed2
}

/// A transaction whose statements may fail with a serialization failure; after one,
/// it is rolled back and its remaining steps are skipped. Any other error fails the test.
struct SerializableTx {
    client: Client,
    name: &'static str,
    level: Level,
    failed: bool,
}

impl SerializableTx {
    async fn begin(db: &TestDb, level: Level, name: &'static str) -> Self {
        let client = db.connect().await;
        begin(&client, level).await;
        Self {
            client,
            name,
            level,
            failed: false,
        }
    }

    async fn sum_of_balances(&mut self, owner: &str) -> Option<i64> {
        let result = self
            .client
            .query_one(
                "SELECT SUM(balance)::bigint FROM accounts WHERE owner = $1",
                &[&owner],
            )
            .await;
        self.step("sum the balances", result)
            .await
            .map(|row| row.get(0))
    }

    async fn open_account(&mut self, owner: &str, sum: Option<i64>, currency: Currency) {
        let Some(sum) = sum else { return };
        let result = self
            .client
            .execute(
                "INSERT INTO accounts (owner, balance, currency) VALUES ($1, $2, $3)",
                &[&owner, &sum, &currency.as_str()],
            )
            .await;
        self.step("open an account with the sum", result).await;
    }

    /// Whether the transaction committed.
    async fn commit(&mut self) -> bool {
        if self.failed {
            return false;
        }
        let result = self.client.batch_execute("COMMIT").await;
        self.step("commit", result).await.is_some()
    }

    async fn step<T>(&mut self, what: &str, result: Result<T, tokio_postgres::Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) if err.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE) => {
                self.failed = true;
                // Ends the aborted transaction block; a no-op after a failed COMMIT.
                finish(&self.client, "ROLLBACK").await;
                None
            }
            Err(err) => panic!("{} at {}: {what}: {err:?}", self.name, self.level),
        }
    }
}

/// A new USD account of a new owner, so cases never see each other's rows.
async fn new_account(db: &TestDb) -> Account {
    let owner = create_random_user(&db.store).await;
    create_account_with(&db.store, &owner.username, START_BALANCE, Currency::Usd).await
}

/// Starts a transaction at `level` and checks PostgreSQL took it as asked (it
/// reports READ UNCOMMITTED as requested, though it behaves as READ COMMITTED).
async fn begin(client: &Client, level: Level) {
    client
        .batch_execute(&format!("BEGIN ISOLATION LEVEL {level}"))
        .await
        .expect("begin a transaction");
    let reported: String = client
        .query_one("SHOW transaction_isolation", &[])
        .await
        .expect("show the transaction's isolation level")
        .get(0);
    assert_eq!(
        reported,
        level.sql().to_lowercase(),
        "isolation level in use"
    );
}

async fn finish(client: &Client, statement: &str) {
    client
        .batch_execute(statement)
        .await
        .unwrap_or_else(|err| panic!("{statement}: {err:?}"));
}

async fn execute(
    client: &Client,
    statement: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) {
    client
        .execute(statement, params)
        .await
        .unwrap_or_else(|err| panic!("{statement}: {err:?}"));
}

async fn balance(client: &Client, account: i64) -> i64 {
    client
        .query_one("SELECT balance FROM accounts WHERE id = $1", &[&account])
        .await
        .expect("read the balance")
        .get(0)
}

async fn ids(client: &Client, search: &str, owner: &str) -> Vec<i64> {
    client
        .query(search, &[&owner])
        .await
        .expect("search the owner's accounts")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// (currency, balance) of each of the owner's accounts, by currency.
async fn balances_of(db: &TestDb, owner: &str) -> Vec<(String, i64)> {
    let client = db.connect().await;
    client
        .query(
            "SELECT currency, balance FROM accounts WHERE owner = $1 ORDER BY currency",
            &[&owner],
        )
        .await
        .expect("list the owner's accounts")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}
