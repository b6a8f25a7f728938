//! The transfer and deposit transactions, including the course's concurrency tests.

use std::collections::HashSet;

use simplebank::{
    AppError,
    domain::{AccountId, Amount, Currency, Username},
    error::BusinessRule,
    store::{Account, Store, TransferOrder},
};

use crate::{
    harness::TestDb,
    random::{create_account_with, create_random_user},
};

pub fn order(from: &Account, to: &Account, amount: i64) -> TransferOrder {
    TransferOrder {
        from_account_id: AccountId::parse(from.id).expect("id"),
        to_account_id: AccountId::parse(to.id).expect("id"),
        amount: Amount::parse(amount).expect("amount"),
        currency: Currency::parse(&from.currency).expect("currency"),
        required_owner: None,
    }
}

/// Two accounts of two new users, both in `currency`, with `balance` each.
pub async fn two_accounts(store: &Store, balance: i64, currency: Currency) -> (Account, Account) {
    let (alice, bob) = (
        create_random_user(store).await,
        create_random_user(store).await,
    );
    (
        create_account_with(store, &alice.username, balance, currency).await,
        create_account_with(store, &bob.username, balance, currency).await,
    )
}

pub async fn balance_of(store: &Store, id: i64) -> i64 {
    let client = store.client().await.expect("client");
    client
        .query_one("SELECT balance FROM accounts WHERE id = $1", &[&id])
        .await
        .expect("balance")
        .get(0)
}

/// (transfers, entries) rows in the whole database.
pub async fn row_counts(store: &Store) -> (i64, i64) {
    let client = store.client().await.expect("client");
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM transfers), (SELECT count(*) FROM entries)",
            &[],
        )
        .await
        .expect("counts");
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn transfer_moves_money_and_records_everything() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 100, Currency::Usd).await;

    let outcome = db
        .store
        .transfer(&order(&from, &to, 30), None)
        .await
        .expect("transfer");

    let result = outcome.result;
    assert!(!outcome.replayed);
    assert_eq!(
        (
            result.transfer.from_account_id,
            result.transfer.to_account_id,
            result.transfer.amount
        ),
        (from.id, to.id, 30)
    );
    assert_eq!(
        (result.from_entry.account_id, result.from_entry.amount),
        (from.id, -30)
    );
    assert_eq!(
        (result.to_entry.account_id, result.to_entry.amount),
        (to.id, 30)
    );
    assert_eq!(
        (result.from_account.balance, result.to_account.balance),
        (70, 130)
    );
    assert_eq!(balance_of(&db.store, from.id).await, 70);
    assert_eq!(balance_of(&db.store, to.id).await, 130);
    assert_eq!(row_counts(&db.store).await, (1, 2));
}

/// The course's TestTransferTx: n concurrent transfers one way; each result shows
/// a distinct multiple k of the amount, and the final balances are exact.
#[tokio::test]
async fn concurrent_transfers_one_way_each_see_a_distinct_step() {
    let db = TestDb::new().await;
    concurrent_one_way_transfers(&db, &db.store).await;
}

/// The course's TestTransferTx, with the transfers sent through `store`.
pub async fn concurrent_one_way_transfers(db: &TestDb, store: &Store) {
    let (from, to) = two_accounts(&db.store, 1_000, Currency::Eur).await;
    let (n, amount) = (5_i64, 10_i64);

    let results = futures::future::join_all((0..n).map(|_| {
        let store = store.clone();
        let order = order(&from, &to, amount);
        tokio::spawn(async move { store.transfer(&order, None).await })
    }))
    .await;

    let mut seen_k = HashSet::new();
    for result in results {
        let result = result.expect("task").expect("transfer").result;
        let diff_from = from.balance - result.from_account.balance;
        let diff_to = result.to_account.balance - to.balance;
        assert_eq!(diff_from, diff_to);
        assert!(diff_from > 0 && diff_from % amount == 0, "diff {diff_from}");
        let k = diff_from / amount;
        assert!((1..=n).contains(&k), "k = {k}");
        assert!(
            seen_k.insert(k),
            "two transfers saw the same balance step {k}"
        );
        assert_eq!(
            (result.from_entry.amount, result.to_entry.amount),
            (-amount, amount)
        );
    }
    assert_eq!(
        balance_of(&db.store, from.id).await,
        from.balance - n * amount
    );
    assert_eq!(balance_of(&db.store, to.id).await, to.balance + n * amount);
}

/// The course's TestTransferTxDeadlock: 10 concurrent transfers alternating
/// direction between two accounts finish without error and change nothing.
#[tokio::test]
async fn concurrent_opposite_transfers_do_not_deadlock() {
    let db = TestDb::new().await;
    concurrent_opposite_transfers(&db, &db.store).await;
}

/// The course's TestTransferTxDeadlock, with the transfers sent through `store`.
pub async fn concurrent_opposite_transfers(db: &TestDb, store: &Store) {
    let (a, b) = two_accounts(&db.store, 1_000, Currency::Cad).await;

    let results = futures::future::join_all((0..10).map(|i| {
        let store = store.clone();
        let order = if i % 2 == 0 {
            order(&a, &b, 10)
        } else {
            order(&b, &a, 10)
        };
        tokio::spawn(async move { store.transfer(&order, None).await })
    }))
    .await;

    for result in results {
        result.expect("task").expect("no transfer may fail");
    }
    assert_eq!(balance_of(&db.store, a.id).await, a.balance);
    assert_eq!(balance_of(&db.store, b.id).await, b.balance);
    assert_eq!(row_counts(&db.store).await, (10, 20));
}

async fn assert_refused_and_nothing_written(
    db: &TestDb,
    order: TransferOrder,
    accounts: &[&Account],
    expected: impl Fn(&AppError) -> bool,
) {
    let err = db
        .store
        .transfer(&order, None)
        .await
        .expect_err("the transfer must be refused");
    assert!(expected(&err), "unexpected error {err:?}");
    assert_eq!(
        row_counts(&db.store).await,
        (0, 0),
        "a refused transfer wrote rows"
    );
    for account in accounts {
        assert_eq!(
            balance_of(&db.store, account.id).await,
            account.balance,
            "balance changed"
        );
    }
}

#[tokio::test]
async fn overdraft_is_refused_and_writes_nothing() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 50, Currency::Usd).await;

    assert_refused_and_nothing_written(&db, order(&from, &to, 51), &[&from, &to], |err| {
        matches!(
            err,
            AppError::FailedPrecondition(BusinessRule::InsufficientFunds)
        )
    })
    .await;
}

#[tokio::test]
async fn transfer_of_the_whole_balance_leaves_zero() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 50, Currency::Usd).await;

    db.store
        .transfer(&order(&from, &to, 50), None)
        .await
        .expect("transfer everything");

    assert_eq!(balance_of(&db.store, from.id).await, 0);
    assert_eq!(balance_of(&db.store, to.id).await, 100);
}

#[tokio::test]
async fn currency_mismatch_is_refused_and_writes_nothing() {
    let db = TestDb::new().await;
    let user = create_random_user(&db.store).await;
    let usd = create_account_with(&db.store, &user.username, 100, Currency::Usd).await;
    let eur = create_account_with(&db.store, &user.username, 100, Currency::Eur).await;
    let mismatch = |err: &AppError| {
        matches!(
            err,
            AppError::FailedPrecondition(BusinessRule::CurrencyMismatch)
        )
    };

    // The accounts differ from each other...
    assert_refused_and_nothing_written(&db, order(&usd, &eur, 10), &[&usd, &eur], mismatch).await;
    // ...or both differ from the order's currency.
    let (a, b) = two_accounts(&db.store, 100, Currency::Cad).await;
    let wrong_currency = TransferOrder {
        currency: Currency::Usd,
        ..order(&a, &b, 10)
    };
    assert_refused_and_nothing_written(&db, wrong_currency, &[&a, &b], mismatch).await;
}

#[tokio::test]
async fn same_account_transfer_is_refused_and_writes_nothing() {
    let db = TestDb::new().await;
    let (a, _) = two_accounts(&db.store, 100, Currency::Usd).await;

    assert_refused_and_nothing_written(&db, order(&a, &a, 10), &[&a], |err| {
        matches!(err, AppError::FailedPrecondition(BusinessRule::SameAccount))
    })
    .await;
}

#[tokio::test]
async fn transfer_with_a_missing_account_is_not_found() {
    let db = TestDb::new().await;
    let (a, _) = two_accounts(&db.store, 100, Currency::Usd).await;
    let ghost = Account {
        id: i64::MAX,
        ..a.clone()
    };

    for order in [order(&a, &ghost, 10), order(&ghost, &a, 10)] {
        assert_refused_and_nothing_written(&db, order, &[&a], |err| {
            matches!(err, AppError::NotFound(message) if message.contains(&i64::MAX.to_string()))
        })
        .await;
    }
}

#[tokio::test]
async fn transfer_from_someone_elses_account_is_forbidden() {
    let db = TestDb::new().await;
    let (alices, bobs) = two_accounts(&db.store, 100, Currency::Usd).await;
    let mallory = Username::parse(&bobs.owner).expect("username");

    let stolen = TransferOrder {
        required_owner: Some(mallory),
        ..order(&alices, &bobs, 10)
    };

    assert_refused_and_nothing_written(&db, stolen, &[&alices, &bobs], |err| {
        matches!(err, AppError::PermissionDenied(_))
    })
    .await;
}

#[tokio::test]
async fn transfer_by_the_owner_is_allowed() {
    let db = TestDb::new().await;
    let (alices, bobs) = two_accounts(&db.store, 100, Currency::Usd).await;
    let alice = Username::parse(&alices.owner).expect("username");

    let own = TransferOrder {
        required_owner: Some(alice),
        ..order(&alices, &bobs, 10)
    };

    db.store
        .transfer(&own, None)
        .await
        .expect("the owner may transfer");
    assert_eq!(balance_of(&db.store, alices.id).await, 90);
}

#[tokio::test]
async fn deposit_adds_an_entry_and_the_balance_together() {
    let db = TestDb::new().await;
    let (account, _) = two_accounts(&db.store, 0, Currency::Usd).await;

    let deposit = db
        .store
        .deposit(
            AccountId::parse(account.id).expect("id"),
            Amount::parse(500).expect("amount"),
        )
        .await
        .expect("deposit");

    assert_eq!(deposit.account.balance, 500);
    assert_eq!(
        (deposit.entry.account_id, deposit.entry.amount),
        (account.id, 500)
    );
    assert_eq!(balance_of(&db.store, account.id).await, 500);
    assert_eq!(row_counts(&db.store).await, (0, 1));
}

#[tokio::test]
async fn deposit_into_a_missing_account_is_not_found_and_writes_nothing() {
    let db = TestDb::new().await;

    let err = db
        .store
        .deposit(
            AccountId::parse(i64::MAX).expect("id"),
            Amount::parse(5).expect("amount"),
        )
        .await
        .expect_err("no such account");

    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    assert_eq!(row_counts(&db.store).await, (0, 0));
}

#[tokio::test]
async fn deposit_that_would_overflow_the_balance_is_refused() {
    let db = TestDb::new().await;
    let (account, _) = two_accounts(&db.store, i64::MAX - 10, Currency::Usd).await;

    let err = db
        .store
        .deposit(
            AccountId::parse(account.id).expect("id"),
            Amount::parse(11).expect("amount"),
        )
        .await
        .expect_err("overflow");

    // A valid amount the balance cannot hold: a business rule (422), not a bad field.
    assert!(
        matches!(
            err,
            AppError::FailedPrecondition(BusinessRule::BalanceLimit)
        ),
        "{err:?}"
    );
    assert_eq!(balance_of(&db.store, account.id).await, i64::MAX - 10);
    assert_eq!(row_counts(&db.store).await, (0, 0));
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_not_internal() {
    let store = Store::new(&simplebank::config::DatabaseConfig {
        max_connections: 1,
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        ..simplebank::config::DatabaseConfig::new("postgresql://nobody@127.0.0.1:1/none")
    })
    .expect("pool");

    let err = store
        .deposit(
            AccountId::parse(1).expect("id"),
            Amount::parse(1).expect("amount"),
        )
        .await
        .expect_err("no database");

    assert!(matches!(err, AppError::Unavailable(_)), "{err:?}");
}
