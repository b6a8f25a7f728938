//! `POST /accounts/{id}/deposits`: money enters through the bank.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{TestApp, assert_error, assert_field_violations, json_of, send, timestamp};

#[tokio::test]
async fn a_banker_deposits_and_the_balance_and_entry_change_together() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 0).await;
    let banker = app.a_banker().await;

    let response = app
        .deposit(&banker.token, account, &json!({ "amount": 12_345 }))
        .await;

    let body = json_of(response, StatusCode::CREATED).await;
    assert_eq!(body["account"]["id"], account);
    assert_eq!(body["account"]["owner"], user.username.as_str());
    assert_eq!(body["account"]["balance"], 12_345);
    assert_eq!(body["entry"]["account_id"], account);
    assert_eq!(body["entry"]["amount"], 12_345);
    timestamp(&body["entry"]["created_at"]);
    assert_eq!(app.balance_in_db(account).await, 12_345);
    assert_eq!(app.transfer_and_entry_counts().await, (0, 1));
}

#[tokio::test]
async fn a_depositor_may_not_deposit() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 0).await;

    let response = app
        .deposit(&user.token, account, &json!({ "amount": 1_000_000 }))
        .await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
    assert_eq!(app.balance_in_db(account).await, 0, "no money appeared");
}

#[tokio::test]
async fn a_deposit_into_a_missing_account_is_not_found() {
    let app = TestApp::spawn().await;
    let banker = app.a_banker().await;

    let response = app
        .deposit(&banker.token, 987_654_321, &json!({ "amount": 100 }))
        .await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_deposit_amount_must_be_positive() {
    let app = TestApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 0).await;
    let banker = app.a_banker().await;

    for body in [
        json!({ "amount": 0 }),
        json!({ "amount": -5 }),
        json!({}),
        json!({ "amount": null }),
    ] {
        let response = app.deposit(&banker.token, account, &body).await;
        assert_field_violations(response, &["amount"]).await;
    }
    assert_eq!(app.balance_in_db(account).await, 0);
}

#[tokio::test]
async fn a_valid_deposit_the_balance_cannot_hold_is_a_business_rule_refusal() {
    // Found by `make api-fuzz`: a valid amount (the spec says integer >= 1) was
    // refused as 400 invalid_argument; the balance's limit is a business rule (422).
    let app = TestApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 1).await;
    let banker = app.banker().await;

    let response = app
        .deposit(&banker.token, account, &json!({ "amount": i64::MAX }))
        .await;

    let body = assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "failed_precondition",
    )
    .await;
    assert_eq!(
        body["error"],
        "the receiving account's balance would exceed its maximum"
    );
    assert_eq!(app.balance_in_db(account).await, 1, "nothing changed");
    assert_eq!(app.transfer_and_entry_counts().await, (0, 1));
}

#[tokio::test]
async fn a_deposit_reports_a_bad_id_and_a_bad_amount_together() {
    let app = TestApp::spawn().await;
    let banker = app.a_banker().await;

    let response = app.deposit(&banker.token, 0, &json!({ "amount": 0 })).await;

    assert_field_violations(response, &["id", "amount"]).await;
}

#[tokio::test]
async fn a_deposit_body_that_is_not_the_expected_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 0).await;
    let banker = app.a_banker().await;

    for body in [r#"{"amount": "100"}"#, r#"{"amount": 1.5}"#, "amount=1"] {
        let response = send(
            app.authed(
                Method::POST,
                &format!("/accounts/{account}/deposits"),
                &banker.token,
            )
            .header("content-type", "application/json")
            .body(body),
        )
        .await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
    }
}

#[tokio::test]
async fn a_deposit_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 0).await;

    let response = send(
        app.request(Method::POST, &format!("/accounts/{account}/deposits"))
            .json(&json!({ "amount": 100 })),
    )
    .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_role_change_applies_to_access_tokens_issued_after_it() {
    let app = TestApp::spawn().await;
    let (_owner, account) = app.a_user_with_account("USD", 0).await;
    let mut promoted = app.a_user().await;
    let token_before = promoted.token.clone();
    app.make_banker(&promoted.username).await;

    let with_old_token = app
        .deposit(&token_before, account, &json!({ "amount": 5 }))
        .await;
    let renewed = json_of(
        app.renew_access(&json!({ "refresh_token": promoted.refresh_token }))
            .await,
        StatusCode::OK,
    )
    .await;
    promoted.token = renewed["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let with_renewed_token = app
        .deposit(&promoted.token, account, &json!({ "amount": 5 }))
        .await;

    assert_error(with_old_token, StatusCode::FORBIDDEN, "permission_denied").await;
    assert_eq!(with_renewed_token.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_amount_written_with_a_zero_fraction_is_the_integer() {
    // Found by `make api-fuzz`: JSON Schema's `integer` (the spec's type) admits
    // `2500.0`, the server refused it. A real fraction, or a float too large to
    // stand for one integer, is still refused.
    let app = TestApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 0).await;
    let banker = app.banker().await;

    let whole = app
        .deposit(&banker.token, account, &json!({ "amount": 2500.0 }))
        .await;
    let fraction = app
        .deposit(&banker.token, account, &json!({ "amount": 2500.5 }))
        .await;
    let too_large = app
        .deposit(&banker.token, account, &json!({ "amount": 1.0e17 }))
        .await;
    // 16 significant digits: parsed exactly, not to the nearest float a fast parser finds.
    let exact = send(
        app.authed(
            Method::POST,
            &format!("/accounts/{account}/deposits"),
            &banker.token,
        )
        .header("content-type", "application/json")
        .body(r#"{"amount": 1899186148730005.0}"#),
    )
    .await;

    let body = json_of(whole, StatusCode::CREATED).await;
    assert_eq!(body["entry"]["amount"], 2500);
    assert_field_violations(fraction, &["body"]).await;
    assert_field_violations(too_large, &["body"]).await;
    let body = json_of(exact, StatusCode::CREATED).await;
    assert_eq!(body["entry"]["amount"], 1_899_186_148_730_005_i64);
    assert_eq!(
        app.balance_in_db(account).await,
        2500 + 1_899_186_148_730_005
    );
}
