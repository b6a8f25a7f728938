//! `POST /accounts`, `GET /accounts/{id}`, `GET /accounts`, `GET /accounts/{id}/entries`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{TestApp, assert_error, assert_field_violations, ids, json_of, send, timestamp};

// ---- POST /accounts ----

#[tokio::test]
async fn opening_an_account_gives_the_caller_an_empty_account() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .create_account(&user.token, &json!({ "currency": "EUR" }))
        .await;

    let body = json_of(response, StatusCode::CREATED).await;
    assert!(body["id"].as_i64().is_some_and(|id| id >= 1));
    assert_eq!(body["owner"], user.username.as_str());
    assert_eq!(body["balance"], 0);
    assert_eq!(body["currency"], "EUR");
    timestamp(&body["created_at"]);
    let id = body["id"].as_i64().expect("an id");
    assert_eq!(app.balance_in_db(id).await, 0);
}

#[tokio::test]
async fn an_unknown_currency_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    for currency in [json!("GBP"), json!("usd"), json!("")] {
        let response = app
            .create_account(&user.token, &json!({ "currency": currency }))
            .await;
        assert_field_violations(response, &["currency"]).await;
    }
}

#[tokio::test]
async fn a_missing_currency_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.create_account(&user.token, &json!({})).await;

    assert_field_violations(response, &["currency"]).await;
}

#[tokio::test]
async fn opening_an_account_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = send(
        app.authed(Method::POST, "/accounts", &user.token)
            .header("content-type", "application/json")
            .body("{\"currency\": USD}"),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

#[tokio::test]
async fn a_second_account_in_the_same_currency_is_a_conflict() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    app.an_account(&user, "USD").await;

    let same = app
        .create_account(&user.token, &json!({ "currency": "USD" }))
        .await;
    let other_currency = app
        .create_account(&user.token, &json!({ "currency": "CAD" }))
        .await;

    assert_error(same, StatusCode::CONFLICT, "already_exists").await;
    assert_eq!(other_currency.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn opening_an_account_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = send(
        app.request(Method::POST, "/accounts")
            .json(&json!({ "currency": "USD" })),
    )
    .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

// ---- GET /accounts/{id} ----

#[tokio::test]
async fn the_owner_reads_their_account() {
    let app = TestApp::spawn().await;
    let (user, id) = app.a_user_with_account("USD", 1_500).await;

    let response = app.get_account(&user.token, id).await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["id"], id);
    assert_eq!(body["owner"], user.username.as_str());
    assert_eq!(body["balance"], 1_500);
    assert_eq!(body["currency"], "USD");
}

#[tokio::test]
async fn a_banker_reads_any_account() {
    let app = TestApp::spawn().await;
    let (user, id) = app.a_user_with_account("USD", 10).await;
    let banker = app.a_banker().await;

    let response = app.get_account(&banker.token, id).await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["owner"], user.username.as_str());
}

#[tokio::test]
async fn reading_someone_elses_account_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_owner, id) = app.a_user_with_account("USD", 10).await;
    let stranger = app.a_user().await;

    let response = app.get_account(&stranger.token, id).await;

    let body = assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
    assert!(body.get("balance").is_none());
}

#[tokio::test]
async fn reading_a_missing_account_is_not_found() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.get_account(&user.token, 987_654_321).await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_account_id_that_is_not_a_positive_integer_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    for id in ["abc", "0", "-3", "1.5", "99999999999999999999"] {
        let response = app.get_account(&user.token, id).await;
        assert_field_violations(response, &["id"]).await;
    }
}

#[tokio::test]
async fn reading_an_account_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (_owner, id) = app.a_user_with_account("USD", 0).await;

    let response = app.get(&format!("/accounts/{id}")).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

// ---- GET /accounts ----

#[tokio::test]
async fn a_user_without_accounts_gets_an_empty_list() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.list_accounts(&user.token, "").await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body, json!([]));
}

#[tokio::test]
async fn the_callers_accounts_are_listed_by_id() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let other = app.a_user().await;
    app.an_account(&other, "USD").await;
    let mut mine = Vec::new();
    for currency in ["CAD", "USD", "EUR"] {
        mine.push(
            app.an_account(&user, currency).await["id"]
                .as_i64()
                .expect("an id"),
        );
    }

    let response = app.list_accounts(&user.token, "").await;

    let body = json_of(response, StatusCode::OK).await;
    mine.sort_unstable();
    assert_eq!(ids(&body), mine, "only the caller's, ordered by id");
    for account in body.as_array().expect("a list") {
        assert_eq!(account["owner"], user.username.as_str());
    }
}

#[tokio::test]
async fn accounts_are_listed_page_by_page() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let mut mine = Vec::new();
    for currency in ["USD", "EUR", "CAD"] {
        mine.push(
            app.an_account(&user, currency).await["id"]
                .as_i64()
                .expect("an id"),
        );
    }

    let first = app
        .list_accounts(&user.token, "page_id=1&page_size=2")
        .await;
    let second = app
        .list_accounts(&user.token, "page_id=2&page_size=2")
        .await;
    let past_the_end = app
        .list_accounts(&user.token, "page_id=3&page_size=2")
        .await;

    assert_eq!(ids(&json_of(first, StatusCode::OK).await), mine[..2]);
    assert_eq!(ids(&json_of(second, StatusCode::OK).await), mine[2..]);
    assert_eq!(json_of(past_the_end, StatusCode::OK).await, json!([]));
}

#[tokio::test]
async fn a_bad_page_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let too_big = app.list_accounts(&user.token, "page_size=101").await;
    let zero = app.list_accounts(&user.token, "page_size=0").await;
    let not_a_number = app.list_accounts(&user.token, "page_id=abc").await;
    let both = app
        .list_accounts(&user.token, "page_id=0&page_size=101")
        .await;

    assert_field_violations(too_big, &["page_size"]).await;
    assert_field_violations(zero, &["page_size"]).await;
    assert_field_violations(not_a_number, &["page_id"]).await;
    assert_field_violations(both, &["page_id", "page_size"]).await;
}

#[tokio::test]
async fn the_largest_page_is_accepted() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .list_accounts(&user.token, "page_id=1&page_size=100")
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn listing_accounts_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = app.get("/accounts").await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

// ---- GET /accounts/{id}/entries ----

#[tokio::test]
async fn entries_are_listed_newest_first() {
    let app = TestApp::spawn().await;
    let (user, from) = app.a_user_with_account("USD", 1_000).await;
    let (_other, to) = app.a_user_with_account("USD", 0).await;
    let banker = app.banker().await;
    let deposit = app
        .deposit(&banker.token, from, &json!({ "amount": 250 }))
        .await;
    assert_eq!(deposit.status(), StatusCode::CREATED);
    let transfer = app
        .transfer(
            &user.token,
            &json!({ "from_account_id": from, "to_account_id": to, "amount": 100, "currency": "USD" }),
            None,
        )
        .await;
    assert_eq!(transfer.status(), StatusCode::CREATED);

    let response = app.list_entries(&user.token, from, "").await;

    let body = json_of(response, StatusCode::OK).await;
    let amounts: Vec<i64> = body
        .as_array()
        .expect("a list")
        .iter()
        .map(|entry| {
            assert_eq!(entry["account_id"], from);
            timestamp(&entry["created_at"]);
            entry["amount"].as_i64().expect("an amount")
        })
        .collect();
    assert_eq!(amounts, [-100, 250, 1_000], "newest first");
    let entry_ids = ids(&body);
    assert!(entry_ids.windows(2).all(|pair| pair[0] > pair[1]));
}

#[tokio::test]
async fn entries_are_listed_page_by_page() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 1).await;
    let banker = app.banker().await;
    for amount in [2, 3] {
        let response = app
            .deposit(&banker.token, account, &json!({ "amount": amount }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    let second_page = app
        .list_entries(&user.token, account, "page_id=2&page_size=2")
        .await;

    let body = json_of(second_page, StatusCode::OK).await;
    assert_eq!(body.as_array().expect("a list").len(), 1);
    assert_eq!(body[0]["amount"], 1, "the oldest entry is last");
}

#[tokio::test]
async fn an_account_without_entries_has_an_empty_statement() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("EUR", 0).await;

    let response = app.list_entries(&user.token, account, "").await;

    assert_eq!(json_of(response, StatusCode::OK).await, json!([]));
}

#[tokio::test]
async fn a_banker_reads_any_statement() {
    let app = TestApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 70).await;
    let banker = app.banker().await;

    let response = app.list_entries(&banker.token, account, "").await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body[0]["amount"], 70);
}

#[tokio::test]
async fn reading_someone_elses_statement_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_owner, account) = app.a_user_with_account("USD", 70).await;
    let stranger = app.a_user().await;

    let response = app.list_entries(&stranger.token, account, "").await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
}

#[tokio::test]
async fn the_statement_of_a_missing_account_is_not_found() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.list_entries(&user.token, 987_654_321, "").await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_bad_statement_request_reports_every_invalid_part() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let bad_id = app.list_entries(&user.token, "abc", "").await;
    let zero_id = app.list_entries(&user.token, 0, "").await;
    let bad_page = app.list_entries(&user.token, 1, "page_size=101").await;
    let everything = app
        .list_entries(&user.token, 0, "page_id=0&page_size=101")
        .await;

    assert_field_violations(bad_id, &["id"]).await;
    assert_field_violations(zero_id, &["id"]).await;
    assert_field_violations(bad_page, &["page_size"]).await;
    assert_field_violations(everything, &["id", "page_id", "page_size"]).await;
}

#[tokio::test]
async fn reading_a_statement_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (_owner, account) = app.a_user_with_account("USD", 0).await;

    let response = app.get(&format!("/accounts/{account}/entries")).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_page_far_beyond_the_end_is_answered_not_dropped() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 10).await;
    let far = format!("page_id={}&page_size=100", i64::MAX);

    for path in [
        format!("/accounts?{far}"),
        format!("/accounts/{account}/entries?{far}"),
        format!("/transfers?account_id={account}&{far}"),
    ] {
        let response = app
            .authed(Method::GET, &path, &user.token)
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: the server dropped the request: {err}"));
        let status = response.status();
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert!(
            (status == StatusCode::OK && body == json!([]))
                || (status == StatusCode::BAD_REQUEST && body["code"] == "invalid_argument"),
            "GET {path}: an empty page or a 400, got {status} {body}"
        );
    }
}
