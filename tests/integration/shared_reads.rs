//! Session mode: single-statement reads share `DB_SHARED_READ_CONNECTIONS` of the
//! pool's connections, pipelined. They keep answering when every other pooled
//! connection is taken, and a shared connection that breaks is replaced.

use futures::future::join_all;
use simplebank::{
    config::DatabaseConfig,
    domain::{AccountId, Currency},
    store::{BankStore, Store},
};

use crate::{fault_proxy::FaultProxy, harness::TestDb};

fn store_with_one_shared_reader(url: &str) -> Store {
    Store::new(&DatabaseConfig {
        max_connections: 4,
        shared_read_connections: 1,
        ..DatabaseConfig::new(url)
    })
    .expect("store")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_reads_at_once_share_one_connection_while_the_rest_of_the_pool_is_taken() {
    let db = TestDb::new().await;
    let (account, _) = crate::transfers::two_accounts(&db.store, 500, Currency::Usd).await;
    let id = AccountId::parse(account.id).expect("id");
    let store = store_with_one_shared_reader(&db.url);
    // The first read opens the shared connection.
    assert!(store.get_account(id).await.expect("first read").is_some());
    // Every connection the pool can still give goes to someone else (three of four);
    // a read that needed its own would now wait for the pool and fail after 5 s.
    let status = store.pool().status();
    let obtainable = status.max_size - (status.size - status.available);
    assert_eq!(
        obtainable, 3,
        "the shared connection is out of the pool: {status:?}"
    );
    let mut taken = Vec::new();
    for _ in 0..obtainable {
        taken.push(store.client().await.expect("a pooled connection"));
    }
    let reads = join_all((0..200).map(|_| store.get_account(id))).await;
    for read in reads {
        let found = read
            .expect("a read on the shared connection")
            .expect("the account");
        assert_eq!(found.balance, 500);
    }
    drop(taken);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_shared_connection_is_replaced() {
    let db = TestDb::new().await;
    let (account, _) = crate::transfers::two_accounts(&db.store, 500, Currency::Usd).await;
    let id = AccountId::parse(account.id).expect("id");
    let proxy = FaultProxy::start(&db.url).await;
    let store = store_with_one_shared_reader(&proxy.url_for(&db.url));
    assert!(store.get_account(id).await.expect("first read").is_some());
    proxy.cut_all();
    // A read sent before the cut is noticed fails (503 to a client); within a bounded
    // number of tries the shared connection is replaced and reads answer again.
    let mut failures = 0;
    for _ in 0..50 {
        match store.get_account(id).await {
            Ok(found) => {
                assert!(found.is_some(), "the account after the cut");
                return;
            }
            Err(_) => {
                failures += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }
    panic!("reads still failing after {failures} tries: the shared connection was not replaced");
}
