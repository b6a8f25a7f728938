//! Keyset pages over gRPC: `page_token` in ListEntries/ListTransfers requests,
//! `next_page_token` in their responses (empty on the last page).

use simplebank::grpc::pb;

use super::{GrpcApp, assert_field_violations, authed, ok};

fn statement(account_id: i64, page_size: i64, page_token: &str) -> pb::ListEntriesRequest {
    pb::ListEntriesRequest {
        account_id,
        page_id: 0,
        page_size,
        page_token: page_token.to_owned(),
    }
}

fn history(account_id: i64, page_size: i64, page_token: &str) -> pb::ListTransfersRequest {
    pb::ListTransfersRequest {
        account_id,
        page_id: 0,
        page_size,
        page_token: page_token.to_owned(),
    }
}

async fn ids_in_db(app: &GrpcApp, sql: &str, account: i64) -> Vec<i64> {
    app.server
        .db
        .connect()
        .await
        .query(sql, &[&account])
        .await
        .expect("ids")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Strictly newest first (no row twice) and exactly the rows at or below the first id
/// seen (no row skipped), each row that existed before the walk once.
fn assert_consistent(seen: &[i64], in_db: Vec<i64>, old: &[i64]) {
    assert!(seen.windows(2).all(|pair| pair[0] > pair[1]), "{seen:?}");
    let at_or_below_first: Vec<i64> = in_db.into_iter().filter(|id| *id <= seen[0]).collect();
    assert_eq!(seen, at_or_below_first, "no gaps");
    assert!(old.iter().all(|id| seen.contains(id)), "every old row seen");
}

#[tokio::test]
async fn list_entries_pages_by_token_consistently_while_entries_are_added() {
    let app = GrpcApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 1).await;
    for amount in 2..=9 {
        app.deposit(account, amount).await;
    }
    let sql = "SELECT id FROM entries WHERE account_id = $1 ORDER BY id DESC";
    let old = ids_in_db(&app, sql, account).await;

    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = ok(app
            .client()
            .list_entries(authed(statement(account, 4, &token), &user.token))
            .await);
        seen.extend(page.entries.iter().map(|entry| entry.id));
        pages += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        assert!(pages < 50, "the walk ends");
        token = page.next_page_token;
        app.deposit(account, 100).await;
    }

    assert!(pages >= 3, "several pages: {pages}");
    assert_consistent(&seen, ids_in_db(&app, sql, account).await, &old);
}

#[tokio::test]
async fn list_transfers_pages_by_token_consistently_while_transfers_are_added() {
    let app = GrpcApp::spawn().await;
    let (alice, mine) = app.a_user_with_account("USD", 1_000).await;
    let (bob, theirs) = app.a_user_with_account("USD", 1_000).await;
    for _ in 0..4 {
        app.a_transfer(&alice, mine, theirs, 1).await;
        app.a_transfer(&bob, theirs, mine, 1).await;
    }
    let sql =
        "SELECT id FROM transfers WHERE $1 IN (from_account_id, to_account_id) ORDER BY id DESC";
    let old = ids_in_db(&app, sql, mine).await;

    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = ok(app
            .client()
            .list_transfers(authed(history(mine, 3, &token), &alice.token))
            .await);
        seen.extend(page.transfers.iter().map(|transfer| transfer.id));
        pages += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        assert!(pages < 50, "the walk ends");
        token = page.next_page_token;
        app.a_transfer(&alice, mine, theirs, 1).await;
        app.a_transfer(&bob, theirs, mine, 1).await;
    }

    assert!(pages >= 3, "several pages: {pages}");
    assert_consistent(&seen, ids_in_db(&app, sql, mine).await, &old);
}

#[tokio::test]
async fn a_bad_or_foreign_page_token_is_invalid_argument_naming_page_token() {
    let app = GrpcApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 10).await;
    app.deposit(account, 1).await;
    let token = ok(app
        .client()
        .list_entries(authed(statement(account, 1, ""), &user.token))
        .await)
    .next_page_token;
    assert!(!token.is_empty(), "a next page");

    let garbage = app
        .client()
        .list_entries(authed(statement(account, 1, "garbage"), &user.token))
        .await;
    let other_list = app
        .client()
        .list_transfers(authed(history(account, 1, &token), &user.token))
        .await;

    assert_field_violations(garbage, &["page_token"]);
    assert_field_violations(other_list, &["page_token"]);
}
