//! Many random transfers in both directions at once: every money invariant holds after.

use std::collections::HashMap;

use rand::Rng;
use simplebank::{
    domain::{AccountId, Amount, Currency},
    store::{Account, TransferOrder, TransferResult},
};

use crate::{harness::TestDb, random::create_account_with, random::create_random_user};

const ACCOUNTS: usize = 10;
const TASKS: usize = 16;
const TRANSFERS_PER_TASK: usize = 64; // 16 * 64 = 1,024 transfers
const OPENING_DEPOSIT: i64 = 1_000_000;
const MAX_AMOUNT: i64 = 100; // at most 102,400 can leave one account: no overdraft possible

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_concurrent_transfers_keep_every_invariant() {
    let db = TestDb::with_pool_size(TASKS + 2).await;
    let mut accounts: Vec<Account> = Vec::new();
    for _ in 0..ACCOUNTS {
        let owner = create_random_user(&db.store).await;
        let account = create_account_with(&db.store, &owner.username, 0, Currency::Usd).await;
        db.store
            .deposit(
                AccountId::parse(account.id).expect("id"),
                Amount::parse(OPENING_DEPOSIT).expect("amount"),
            )
            .await
            .expect("opening deposit");
        accounts.push(account);
    }
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();

    let tasks = (0..TASKS).map(|_| {
        let (store, ids) = (db.store.clone(), ids.clone());
        tokio::spawn(async move {
            let mut results = Vec::with_capacity(TRANSFERS_PER_TASK);
            for _ in 0..TRANSFERS_PER_TASK {
                let (from, to, amount) = {
                    let mut rng = rand::rng();
                    let from = rng.random_range(0..ids.len());
                    let to = (from + rng.random_range(1..ids.len())) % ids.len();
                    (ids[from], ids[to], rng.random_range(1..=MAX_AMOUNT))
                };
                let order = TransferOrder {
                    from_account_id: AccountId::parse(from).expect("id"),
                    to_account_id: AccountId::parse(to).expect("id"),
                    amount: Amount::parse(amount).expect("amount"),
                    currency: Currency::Usd,
                    required_owner: None,
                };
                results.push(store.transfer(&order, None).await);
            }
            results
        })
    });
    let mut results: Vec<TransferResult> = Vec::new();
    for task in futures::future::join_all(tasks).await {
        for result in task.expect("task") {
            results.push(
                result
                    .expect("no transfer may fail: no error surfaced")
                    .result,
            );
        }
    }

    let client = db.connect().await;
    assert_eq!(results.len(), TASKS * TRANSFERS_PER_TASK);

    let total: i64 = client
        .query_one("SELECT sum(balance)::bigint FROM accounts", &[])
        .await
        .expect("total")
        .get(0);
    assert_eq!(
        total,
        OPENING_DEPOSIT * ACCOUNTS as i64,
        "money was created or destroyed"
    );

    let negative: i64 = client
        .query_one("SELECT count(*) FROM accounts WHERE balance < 0", &[])
        .await
        .expect("negative")
        .get(0);
    assert_eq!(negative, 0);

    let mismatched = client
        .query(
            "SELECT a.id, a.balance, coalesce(sum(e.amount), 0)::bigint
             FROM accounts a LEFT JOIN entries e ON e.account_id = a.id
             GROUP BY a.id HAVING a.balance <> coalesce(sum(e.amount), 0)",
            &[],
        )
        .await
        .expect("balances vs entries");
    assert!(
        mismatched.is_empty(),
        "balance differs from its entries for {} accounts",
        mismatched.len()
    );

    // Every account's statement is numbered 1, 2, ... in id order, with no gap: what the
    // offset pages (a range of positions) rely on, under concurrent transfers.
    let misnumbered: i64 = client
        .query_one(
            "SELECT count(*) FROM (
               SELECT account_seq, row_number() OVER (PARTITION BY account_id ORDER BY id) AS n
               FROM entries) AS numbered
             WHERE account_seq <> n",
            &[],
        )
        .await
        .expect("statement positions")
        .get(0);
    assert_eq!(
        misnumbered, 0,
        "entries numbered out of id order or with gaps"
    );

    // Each transfer has exactly its two opposite entries, and no other entry exists
    // beyond the opening deposits.
    let entries: HashMap<i64, (i64, i64)> = client
        .query("SELECT id, account_id, amount FROM entries", &[])
        .await
        .expect("entries")
        .iter()
        .map(|row| (row.get(0), (row.get(1), row.get(2))))
        .collect();
    assert_eq!(entries.len(), ACCOUNTS + 2 * results.len());
    let transfers: i64 = client
        .query_one("SELECT count(*) FROM transfers", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(transfers as usize, results.len());
    let mut per_account_net: HashMap<i64, i64> = HashMap::new();
    for result in &results {
        let t = &result.transfer;
        assert_eq!(
            entries[&result.from_entry.id],
            (t.from_account_id, -t.amount)
        );
        assert_eq!(entries[&result.to_entry.id], (t.to_account_id, t.amount));
        *per_account_net.entry(t.from_account_id).or_default() -= t.amount;
        *per_account_net.entry(t.to_account_id).or_default() += t.amount;
    }
    for id in ids {
        let balance: i64 = client
            .query_one("SELECT balance FROM accounts WHERE id = $1", &[&id])
            .await
            .expect("balance")
            .get(0);
        assert_eq!(
            balance,
            OPENING_DEPOSIT + per_account_net.get(&id).copied().unwrap_or(0)
        );
    }
}
