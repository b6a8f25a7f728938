//! `POST /transfers` (with `Idempotency-Key`), `GET /transfers/{id}`, `GET /transfers`.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::{TestApp, TestUser, assert_error, assert_field_violations, ids, json_of, send};

fn order(from: i64, to: i64, amount: i64, currency: &str) -> Value {
    json!({
        "from_account_id": from,
        "to_account_id": to,
        "amount": amount,
        "currency": currency,
    })
}

/// Two users with a USD account each: `alice` holds `balance`, `bob` nothing.
async fn alice_and_bob(app: &TestApp, balance: i64) -> ((TestUser, i64), (TestUser, i64)) {
    let alice = app.a_user_with_account("USD", balance).await;
    let bob = app.a_user_with_account("USD", 0).await;
    (alice, bob)
}

fn replayed(response: &Response) -> bool {
    response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|value| value == "true")
}

// ---- POST /transfers ----

#[tokio::test]
async fn a_transfer_moves_money_and_returns_everything_it_wrote() {
    let app = TestApp::spawn().await;
    let ((alice, from), (bob, to)) = alice_and_bob(&app, 1_000).await;

    let response = app
        .transfer(&alice.token, &order(from, to, 250, "USD"), None)
        .await;

    assert!(!replayed(&response));
    let body = json_of(response, StatusCode::CREATED).await;
    let transfer = &body["transfer"];
    assert!(transfer["id"].as_i64().is_some_and(|id| id >= 1));
    assert_eq!(transfer["from_account_id"], from);
    assert_eq!(transfer["to_account_id"], to);
    assert_eq!(transfer["amount"], 250);
    assert_eq!(body["from_account"]["balance"], 750);
    assert_eq!(body["from_account"]["owner"], alice.username.as_str());
    assert_eq!(body["to_account"]["balance"], 250);
    assert_eq!(body["to_account"]["owner"], bob.username.as_str());
    assert_eq!(body["from_entry"]["account_id"], from);
    assert_eq!(body["from_entry"]["amount"], -250);
    assert_eq!(body["to_entry"]["account_id"], to);
    assert_eq!(body["to_entry"]["amount"], 250);
    assert_eq!(app.balance_in_db(from).await, 750);
    assert_eq!(app.balance_in_db(to).await, 250);
}

#[tokio::test]
async fn a_transfer_can_empty_the_account_exactly() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 300).await;

    let response = app
        .transfer(&alice.token, &order(from, to, 300, "USD"), None)
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(app.balance_in_db(from).await, 0);
}

#[tokio::test]
async fn a_transfer_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;
    let alice = app.a_user().await;

    let response = app
        .transfer(
            &alice.token,
            &json!({ "from_account_id": 0, "amount": -1, "currency": "GBP" }),
            None,
        )
        .await;

    assert_field_violations(
        response,
        &["from_account_id", "to_account_id", "amount", "currency"],
    )
    .await;
}

#[tokio::test]
async fn a_bad_idempotency_key_is_reported_with_the_fields() {
    let app = TestApp::spawn().await;
    let alice = app.a_user().await;
    let too_long = "k".repeat(65);

    let with_bad_body = app
        .transfer(&alice.token, &json!({ "amount": 0 }), Some(&too_long))
        .await;
    let with_good_body = app
        .transfer(&alice.token, &order(1, 2, 10, "USD"), Some("has space"))
        .await;

    assert_field_violations(
        with_bad_body,
        &[
            "from_account_id",
            "to_account_id",
            "amount",
            "currency",
            "Idempotency-Key",
        ],
    )
    .await;
    assert_field_violations(with_good_body, &["Idempotency-Key"]).await;
}

#[tokio::test]
async fn a_transfer_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let alice = app.a_user().await;

    let response = send(
        app.authed(Method::POST, "/transfers", &alice.token)
            .header("content-type", "application/json")
            .body("{\"from_account_id\": 1,"),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

#[tokio::test]
async fn a_transfer_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let ((_alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;

    let response = send(
        app.request(Method::POST, "/transfers")
            .json(&order(from, to, 10, "USD")),
    )
    .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(app.balance_in_db(from).await, 100);
}

#[tokio::test]
async fn transfer_from_someone_elses_account_is_forbidden() {
    let app = TestApp::spawn().await;
    let ((_alice, from), (bob, to)) = alice_and_bob(&app, 1_000).await;

    let response = app
        .transfer(&bob.token, &order(from, to, 500, "USD"), None)
        .await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
    assert_eq!(app.balance_in_db(from).await, 1_000, "no money moved");
    assert_eq!(app.balance_in_db(to).await, 0);
    assert_eq!(app.transfer_and_entry_counts().await.0, 0);
}

#[tokio::test]
async fn a_transfer_from_someone_elses_account_to_a_missing_account_is_forbidden() {
    // API.md, rule 1 of POST /transfers: the caller owns `from_account_id` (else 403).
    let app = TestApp::spawn().await;
    let (_alice, from) = app.a_user_with_account("USD", 100).await;
    let mallory = app.a_user().await;

    let response = app
        .transfer(&mallory.token, &order(from, 987_654_321, 10, "USD"), None)
        .await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
    assert_eq!(app.balance_in_db(from).await, 100);
}

#[tokio::test]
async fn a_transfer_that_would_overflow_the_receiving_balance_is_refused() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;
    let banker = app.banker().await;
    let filled = app
        .deposit(&banker.token, to, &json!({ "amount": i64::MAX }))
        .await;
    assert_eq!(filled.status(), StatusCode::CREATED);

    let response = app
        .transfer(&alice.token, &order(from, to, 1, "USD"), None)
        .await;

    // A valid amount the receiving balance cannot hold: a business rule, not a bad field.
    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "failed_precondition",
    )
    .await;
    assert_eq!(app.balance_in_db(from).await, 100, "no money moved");
    assert_eq!(app.balance_in_db(to).await, i64::MAX);
}

#[tokio::test]
async fn a_transfer_to_a_missing_account_is_not_found() {
    let app = TestApp::spawn().await;
    let (alice, from) = app.a_user_with_account("USD", 100).await;

    let response = app
        .transfer(&alice.token, &order(from, 987_654_321, 10, "USD"), None)
        .await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.balance_in_db(from).await, 100);
}

#[tokio::test]
async fn a_transfer_from_a_missing_account_is_not_found() {
    let app = TestApp::spawn().await;
    let ((alice, _from), (_bob, to)) = alice_and_bob(&app, 100).await;

    let response = app
        .transfer(&alice.token, &order(987_654_321, to, 10, "USD"), None)
        .await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_transfer_in_another_currency_than_the_accounts_is_unprocessable() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;

    let response = app
        .transfer(&alice.token, &order(from, to, 10, "EUR"), None)
        .await;

    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "failed_precondition",
    )
    .await;
    assert_eq!(app.balance_in_db(from).await, 100);
}

#[tokio::test]
async fn a_transfer_between_accounts_of_different_currencies_is_unprocessable() {
    let app = TestApp::spawn().await;
    let (alice, from) = app.a_user_with_account("USD", 100).await;
    let (_bob, to_eur) = app.a_user_with_account("EUR", 0).await;

    let response = app
        .transfer(&alice.token, &order(from, to_eur, 10, "USD"), None)
        .await;

    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "failed_precondition",
    )
    .await;
    assert_eq!(app.balance_in_db(from).await, 100);
    assert_eq!(app.balance_in_db(to_eur).await, 0);
}

#[tokio::test]
async fn a_transfer_to_the_same_account_is_unprocessable() {
    let app = TestApp::spawn().await;
    let (alice, account) = app.a_user_with_account("USD", 100).await;

    let response = app
        .transfer(&alice.token, &order(account, account, 10, "USD"), None)
        .await;

    assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "failed_precondition",
    )
    .await;
    assert_eq!(app.balance_in_db(account).await, 100);
}

#[tokio::test]
async fn a_transfer_beyond_the_balance_is_unprocessable_and_moves_nothing() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;

    let response = app
        .transfer(&alice.token, &order(from, to, 101, "USD"), None)
        .await;

    let body = assert_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "failed_precondition",
    )
    .await;
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("insufficient"),
        "says why: {body}"
    );
    assert_eq!(app.balance_in_db(from).await, 100);
    assert_eq!(app.balance_in_db(to).await, 0);
    assert_eq!(app.transfer_and_entry_counts().await.0, 0);
}

// ---- Idempotency-Key ----

#[tokio::test]
async fn a_repeat_with_the_same_key_and_body_returns_the_first_response_and_moves_no_money() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 1_000).await;
    let body = order(from, to, 100, "USD");

    let first = app
        .transfer(&alice.token, &body, Some("pay-rent-2024-05"))
        .await;
    let repeat = app
        .transfer(&alice.token, &body, Some("pay-rent-2024-05"))
        .await;

    assert!(!replayed(&first));
    assert!(replayed(&repeat), "the repeat says it is a replay");
    let first = json_of(first, StatusCode::CREATED).await;
    let repeat = json_of(repeat, StatusCode::CREATED).await;
    assert_eq!(repeat, first, "same status, same body, same transfer id");
    assert_eq!(app.balance_in_db(from).await, 900, "money moved once");
    assert_eq!(app.balance_in_db(to).await, 100);
    assert_eq!(app.transfer_and_entry_counts().await.0, 1);
}

#[tokio::test]
async fn a_key_reused_with_a_different_body_is_a_conflict() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 1_000).await;
    let first = app
        .transfer(&alice.token, &order(from, to, 100, "USD"), Some("key-1"))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);

    let response = app
        .transfer(&alice.token, &order(from, to, 999, "USD"), Some("key-1"))
        .await;

    assert_error(response, StatusCode::CONFLICT, "idempotency_conflict").await;
    assert_eq!(app.balance_in_db(from).await, 900);
    assert_eq!(app.transfer_and_entry_counts().await.0, 1);
}

#[tokio::test]
async fn idempotency_keys_are_scoped_to_the_caller() {
    let app = TestApp::spawn().await;
    let ((alice, alice_account), (bob, bob_account)) = alice_and_bob(&app, 500).await;
    let deposit = app
        .deposit(
            &app.banker().await.token,
            bob_account,
            &json!({ "amount": 500 }),
        )
        .await;
    assert_eq!(deposit.status(), StatusCode::CREATED);

    let from_alice = app
        .transfer(
            &alice.token,
            &order(alice_account, bob_account, 10, "USD"),
            Some("shared-key"),
        )
        .await;
    let from_bob = app
        .transfer(
            &bob.token,
            &order(bob_account, alice_account, 20, "USD"),
            Some("shared-key"),
        )
        .await;

    assert!(!replayed(&from_alice));
    assert!(!replayed(&from_bob), "bob's key is his own");
    json_of(from_alice, StatusCode::CREATED).await;
    json_of(from_bob, StatusCode::CREATED).await;
    assert_eq!(app.transfer_and_entry_counts().await.0, 2);
}

#[tokio::test]
async fn a_refused_transfer_does_not_use_up_its_key() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 50).await;
    let refused = app
        .transfer(&alice.token, &order(from, to, 100, "USD"), Some("retry-me"))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let deposit = app
        .deposit(&app.banker().await.token, from, &json!({ "amount": 50 }))
        .await;
    assert_eq!(deposit.status(), StatusCode::CREATED);

    let retried = app
        .transfer(&alice.token, &order(from, to, 100, "USD"), Some("retry-me"))
        .await;

    assert!(
        !replayed(&retried),
        "the key was not stored for the refusal"
    );
    json_of(retried, StatusCode::CREATED).await;
    assert_eq!(app.balance_in_db(from).await, 0);
    assert_eq!(app.balance_in_db(to).await, 100);
}

#[tokio::test]
async fn concurrent_identical_transfers_with_one_key_move_money_once() {
    let app = TestApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 1_000).await;
    let body = order(from, to, 300, "USD");

    let (first, second) = tokio::join!(
        app.transfer(&alice.token, &body, Some("concurrent-key")),
        app.transfer(&alice.token, &body, Some("concurrent-key")),
    );

    let replays = [replayed(&first), replayed(&second)];
    assert_eq!(
        replays.iter().filter(|&&replay| replay).count(),
        1,
        "exactly one response is the replay: {replays:?}"
    );
    let first = json_of(first, StatusCode::CREATED).await;
    let second = json_of(second, StatusCode::CREATED).await;
    assert_eq!(first, second, "identical bodies, one transfer id");
    assert_eq!(
        app.transfer_and_entry_counts().await,
        (1, 3),
        "one deposit, and the two entries of one transfer"
    );
    assert_eq!(app.balance_in_db(from).await, 700, "money moved once");
    assert_eq!(app.balance_in_db(to).await, 300);
    let stored: i64 = app
        .db
        .connect()
        .await
        .query_one(
            "SELECT count(*) FROM idempotency_keys WHERE key = 'concurrent-key' AND response_status = 201",
            &[],
        )
        .await
        .expect("count idempotency records")
        .get(0);
    assert_eq!(stored, 1);
}

// ---- GET /transfers/{id} ----

/// Alice sent Bob 40 USD; returns both users and the transfer id.
async fn a_transfer(app: &TestApp) -> (TestUser, TestUser, i64) {
    let ((alice, from), (bob, to)) = alice_and_bob(app, 100).await;
    let response = app
        .transfer(&alice.token, &order(from, to, 40, "USD"), None)
        .await;
    let body = json_of(response, StatusCode::CREATED).await;
    let id = body["transfer"]["id"].as_i64().expect("a transfer id");
    (alice, bob, id)
}

#[tokio::test]
async fn both_parties_read_a_transfer() {
    let app = TestApp::spawn().await;
    let (alice, bob, id) = a_transfer(&app).await;

    let by_sender = app.get_transfer(&alice.token, id).await;
    let by_receiver = app.get_transfer(&bob.token, id).await;

    let by_sender = json_of(by_sender, StatusCode::OK).await;
    assert_eq!(by_sender["id"], id);
    assert_eq!(by_sender["amount"], 40);
    super::timestamp(&by_sender["created_at"]);
    assert_eq!(json_of(by_receiver, StatusCode::OK).await, by_sender);
}

#[tokio::test]
async fn a_banker_reads_any_transfer() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, id) = a_transfer(&app).await;
    let banker = app.banker().await;

    let response = app.get_transfer(&banker.token, id).await;

    assert_eq!(json_of(response, StatusCode::OK).await["id"], id);
}

#[tokio::test]
async fn a_stranger_may_not_read_a_transfer() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, id) = a_transfer(&app).await;
    let stranger = app.a_user().await;

    let response = app.get_transfer(&stranger.token, id).await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
}

#[tokio::test]
async fn reading_a_missing_transfer_is_not_found() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.get_transfer(&user.token, 987_654_321).await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_transfer_id_that_is_not_a_positive_integer_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    for id in ["abc", "0", "-1"] {
        let response = app.get_transfer(&user.token, id).await;
        assert_field_violations(response, &["id"]).await;
    }
}

#[tokio::test]
async fn reading_a_transfer_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let (_alice, _bob, id) = a_transfer(&app).await;

    let response = app.get(&format!("/transfers/{id}")).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

// ---- GET /transfers?account_id= ----

#[tokio::test]
async fn an_accounts_transfers_are_listed_newest_first() {
    let app = TestApp::spawn().await;
    let ((alice, a), (bob, b)) = alice_and_bob(&app, 1_000).await;
    let (_carol, c) = app.a_user_with_account("USD", 0).await;
    let mut touching_a = Vec::new();
    for (token, from, to, amount) in [
        (&alice.token, a, b, 10),
        (&alice.token, a, c, 20),
        (&bob.token, b, a, 5),
    ] {
        let body = json_of(
            app.transfer(token, &order(from, to, amount, "USD"), None)
                .await,
            StatusCode::CREATED,
        )
        .await;
        touching_a.push(body["transfer"]["id"].as_i64().expect("an id"));
    }
    let (dave, d) = app.a_user_with_account("USD", 50).await;
    let unrelated = app
        .transfer(&dave.token, &order(d, b, 1, "USD"), None)
        .await;
    assert_eq!(unrelated.status(), StatusCode::CREATED);

    let response = app
        .list_transfers(&alice.token, &format!("account_id={a}"))
        .await;

    let body = json_of(response, StatusCode::OK).await;
    touching_a.reverse();
    assert_eq!(ids(&body), touching_a, "both directions, newest first");
    assert_eq!(body[0]["from_account_id"], b);
    assert_eq!(body[0]["to_account_id"], a);
}

#[tokio::test]
async fn transfers_are_listed_page_by_page() {
    let app = TestApp::spawn().await;
    let ((alice, a), (_bob, b)) = alice_and_bob(&app, 1_000).await;
    let mut created = Vec::new();
    for amount in [1, 2, 3] {
        let body = json_of(
            app.transfer(&alice.token, &order(a, b, amount, "USD"), None)
                .await,
            StatusCode::CREATED,
        )
        .await;
        created.push(body["transfer"]["id"].as_i64().expect("an id"));
    }

    let second_page = app
        .list_transfers(
            &alice.token,
            &format!("account_id={a}&page_id=2&page_size=2"),
        )
        .await;

    assert_eq!(
        ids(&json_of(second_page, StatusCode::OK).await),
        [created[0]]
    );
}

#[tokio::test]
async fn an_account_without_transfers_lists_none() {
    let app = TestApp::spawn().await;
    let (alice, a) = app.a_user_with_account("USD", 0).await;

    let response = app
        .list_transfers(&alice.token, &format!("account_id={a}"))
        .await;

    assert_eq!(json_of(response, StatusCode::OK).await, json!([]));
}

#[tokio::test]
async fn a_banker_lists_any_accounts_transfers() {
    let app = TestApp::spawn().await;
    let (alice, _bob, id) = a_transfer(&app).await;
    let accounts = json_of(app.list_accounts(&alice.token, "").await, StatusCode::OK).await;
    let account = accounts[0]["id"].as_i64().expect("alice's account");
    let banker = app.banker().await;

    let response = app
        .list_transfers(&banker.token, &format!("account_id={account}"))
        .await;

    assert_eq!(ids(&json_of(response, StatusCode::OK).await), [id]);
}

#[tokio::test]
async fn listing_someone_elses_transfers_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_owner, a) = app.a_user_with_account("USD", 0).await;
    let stranger = app.a_user().await;

    let response = app
        .list_transfers(&stranger.token, &format!("account_id={a}"))
        .await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
}

#[tokio::test]
async fn listing_the_transfers_of_a_missing_account_is_not_found() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .list_transfers(&user.token, "account_id=987654321")
        .await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn listing_transfers_needs_a_valid_account_id_and_page() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let missing = app.list_transfers(&user.token, "").await;
    let zero = app.list_transfers(&user.token, "account_id=0").await;
    let not_a_number = app.list_transfers(&user.token, "account_id=abc").await;
    let bad_page = app
        .list_transfers(&user.token, "account_id=1&page_size=101")
        .await;
    let everything = app
        .list_transfers(&user.token, "page_id=0&page_size=101")
        .await;

    assert_field_violations(missing, &["account_id"]).await;
    assert_field_violations(zero, &["account_id"]).await;
    assert_field_violations(not_a_number, &["account_id"]).await;
    assert_field_violations(bad_page, &["page_size"]).await;
    assert_field_violations(everything, &["account_id", "page_id", "page_size"]).await;
}

#[tokio::test]
async fn listing_transfers_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = app.get("/transfers?account_id=1").await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
