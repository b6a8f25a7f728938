//! Keyset pages of `GET /accounts/{id}/entries` and `GET /transfers?account_id=`:
//! `Next-Page-Token` / `page_token` (API.md "Pages").

use reqwest::{Response, StatusCode};
use serde_json::json;

use super::{TestApp, assert_field_violations, ids, json_of};

fn next_page_token(response: &Response) -> Option<String> {
    response
        .headers()
        .get("next-page-token")
        .map(|value| value.to_str().expect("an ASCII token").to_owned())
}

/// One page: its ids and the token of the next one.
async fn page_of(response: Response) -> (Vec<i64>, Option<String>) {
    let token = next_page_token(&response);
    (ids(&json_of(response, StatusCode::OK).await), token)
}

/// The ids of `sql` (one bigint column) with `account` as $1.
async fn ids_in_db(app: &TestApp, sql: &str, account: i64) -> Vec<i64> {
    app.db
        .connect()
        .await
        .query(sql, &[&account])
        .await
        .expect("ids")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Walks a list by token from its first page, calling `between` after every page;
/// returns every id seen in order and the number of pages. Bounded: 100 pages.
async fn walk<F, Fut>(first: Response, mut next: F) -> (Vec<i64>, usize)
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let (mut seen, mut token) = page_of(first).await;
    let mut pages = 1;
    while let Some(current) = token {
        assert!(pages < 100, "the walk ends");
        let (ids, following) = page_of(next(current).await).await;
        assert!(!ids.is_empty(), "a token never leads to an empty page");
        seen.extend(ids);
        token = following;
        pages += 1;
    }
    (seen, pages)
}

/// What a consistent walk looks like: strictly newest first (so no row twice), and
/// exactly the rows the database holds at or below the first id seen (so no row
/// skipped), whatever was inserted meanwhile.
fn assert_consistent(seen: &[i64], in_db_at_or_below_first: &[i64], old: &[i64]) {
    assert!(
        seen.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first, no duplicates: {seen:?}"
    );
    assert_eq!(seen, in_db_at_or_below_first, "no gaps");
    for id in old {
        assert_eq!(
            seen.iter().filter(|seen| *seen == id).count(),
            1,
            "row {id} that existed before the walk is seen exactly once"
        );
    }
}

#[tokio::test]
async fn a_statement_paged_by_token_sees_every_entry_once_while_entries_are_added() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 1).await;
    let banker = app.banker().await;
    for amount in 2..=12 {
        let response = app
            .deposit(&banker.token, account, &json!({ "amount": amount }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let entries_sql = "SELECT id FROM entries WHERE account_id = $1 ORDER BY id DESC";
    let old = ids_in_db(&app, entries_sql, account).await;
    // A writer that keeps adding entries while the statement is read (bounded).
    let writer = {
        let (address, token) = (app.address.clone(), banker.token.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for amount in 100..120 {
                let response = client
                    .post(format!("{address}/accounts/{account}/deposits"))
                    .bearer_auth(&token)
                    .json(&json!({ "amount": amount }))
                    .send()
                    .await
                    .expect("a deposit");
                assert_eq!(response.status(), StatusCode::CREATED);
            }
        })
    };

    let first = app.list_entries(&user.token, account, "page_size=5").await;
    let (seen, pages) = walk(first, |token| {
        let (app, user) = (&app, &user);
        async move {
            // And one more entry between every two pages.
            let response = app
                .deposit(&app.banker().await.token, account, &json!({ "amount": 7 }))
                .await;
            assert_eq!(response.status(), StatusCode::CREATED);
            app.list_entries(
                &user.token,
                account,
                &format!("page_size=5&page_token={token}"),
            )
            .await
        }
    })
    .await;
    writer.await.expect("the writer finished");

    assert!(pages >= 3, "several pages: {pages}");
    let in_db = ids_in_db(&app, entries_sql, account).await;
    let at_or_below_first: Vec<i64> = in_db.into_iter().filter(|id| *id <= seen[0]).collect();
    assert_consistent(&seen, &at_or_below_first, &old);
}

#[tokio::test]
async fn a_transfer_history_paged_by_token_sees_every_transfer_once_while_transfers_are_added() {
    let app = TestApp::spawn().await;
    let (alice, mine) = app.a_user_with_account("USD", 1_000).await;
    let (bob, theirs) = app.a_user_with_account("USD", 1_000).await;
    let (carol, elsewhere) = app.a_user_with_account("USD", 1_000).await;
    let send = |who: &super::TestUser, from: i64, to: i64| {
        let body =
            json!({ "from_account_id": from, "to_account_id": to, "amount": 1, "currency": "USD" });
        let token = who.token.clone();
        let app = &app;
        async move {
            let response = app.transfer(&token, &body, None).await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
    };
    for _ in 0..4 {
        send(&alice, mine, theirs).await;
        send(&bob, theirs, mine).await;
        send(&carol, elsewhere, theirs).await;
    }
    let history_sql =
        "SELECT id FROM transfers WHERE $1 IN (from_account_id, to_account_id) ORDER BY id DESC";
    let old = ids_in_db(&app, history_sql, mine).await;

    let first = app
        .list_transfers(&alice.token, &format!("account_id={mine}&page_size=3"))
        .await;
    let (seen, pages) = walk(first, |token| {
        let (app, alice, bob, carol) = (&app, &alice, &bob, &carol);
        let send = &send;
        async move {
            // Both directions and an unrelated transfer between every two pages.
            send(alice, mine, theirs).await;
            send(bob, theirs, mine).await;
            send(carol, elsewhere, theirs).await;
            app.list_transfers(
                &alice.token,
                &format!("account_id={mine}&page_size=3&page_token={token}"),
            )
            .await
        }
    })
    .await;

    assert!(pages >= 3, "several pages: {pages}");
    let in_db = ids_in_db(&app, history_sql, mine).await;
    let at_or_below_first: Vec<i64> = in_db.into_iter().filter(|id| *id <= seen[0]).collect();
    assert_consistent(&seen, &at_or_below_first, &old);
}

#[tokio::test]
async fn an_offset_page_gives_the_token_of_the_page_after_it_and_the_last_page_none() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 1).await;
    let banker = app.banker().await;
    for amount in 2..=5 {
        let response = app
            .deposit(&banker.token, account, &json!({ "amount": amount }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    let (first, token) = page_of(
        app.list_entries(&user.token, account, "page_id=1&page_size=2")
            .await,
    )
    .await;
    let token = token.expect("a next page");
    let (by_token, after) = page_of(
        app.list_entries(
            &user.token,
            account,
            &format!("page_size=2&page_token={token}"),
        )
        .await,
    )
    .await;
    let (by_offset, _) = page_of(
        app.list_entries(&user.token, account, "page_id=2&page_size=2")
            .await,
    )
    .await;
    let (last, none) = page_of(
        app.list_entries(&user.token, account, "page_id=3&page_size=2")
            .await,
    )
    .await;

    assert_eq!(first.len(), 2);
    assert_eq!(by_token, by_offset);
    assert!(after.is_some());
    assert_eq!(last.len(), 1);
    assert_eq!(none, None, "no token on the last page");
    let exactly_full = app.list_entries(&user.token, account, "page_size=5").await;
    assert_eq!(
        next_page_token(&exactly_full),
        None,
        "a full last page has no token either"
    );
}

#[tokio::test]
async fn a_bad_or_foreign_page_token_is_a_bad_request_naming_page_token() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 10).await;
    let other_account = app.an_account_with(&user, "EUR", 10).await;
    let banker = app.banker().await;
    for _ in 0..2 {
        let response = app
            .deposit(&banker.token, account, &json!({ "amount": 1 }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let first = app.list_entries(&user.token, account, "page_size=1").await;
    let token = next_page_token(&first).expect("a next page");

    let garbage = app
        .list_entries(&user.token, account, "page_token=not-a-token")
        .await;
    // Empty is not "no token" over HTTP: the spec says 44 hex characters.
    let empty = app.list_entries(&user.token, account, "page_token=").await;
    let truncated = app
        .list_entries(
            &user.token,
            account,
            &format!("page_token={}", &token[..20]),
        )
        .await;
    let other_list = app
        .list_transfers(
            &user.token,
            &format!("account_id={account}&page_token={token}"),
        )
        .await;
    let other_account = app
        .list_entries(&user.token, other_account, &format!("page_token={token}"))
        .await;
    let with_page_id = app
        .list_entries(
            &user.token,
            account,
            &format!("page_id=2&page_token={token}"),
        )
        .await;

    for response in [
        garbage,
        empty,
        truncated,
        other_list,
        other_account,
        with_page_id,
    ] {
        assert_field_violations(response, &["page_token"]).await;
    }
}
