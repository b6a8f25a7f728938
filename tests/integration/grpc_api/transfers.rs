//! CreateTransfer (with `idempotency-key` metadata), GetTransfer, ListTransfers.

use simplebank::grpc::pb;
use tonic::{Code, Request, Response, Status};

use super::{
    GrpcApp, assert_code, assert_field_violations, authed, ok, order, replayed, with_metadata,
};
use crate::http_api::TestUser;

const MISSING: i64 = 987_654_321;

/// Two users with a USD account each: alice holds `balance`, bob nothing.
async fn alice_and_bob(app: &GrpcApp, balance: i64) -> ((TestUser, i64), (TestUser, i64)) {
    let alice = app.a_user_with_account("USD", balance).await;
    let bob = app.a_user_with_account("USD", 0).await;
    (alice, bob)
}

/// `request` sent as `user`, with `idempotency-key: <key>`.
fn keyed(
    request: pb::CreateTransferRequest,
    user: &TestUser,
    key: &str,
) -> Request<pb::CreateTransferRequest> {
    let bearer = format!("bearer {}", user.token);
    with_metadata(
        request,
        &[("authorization", &bearer), ("idempotency-key", key)],
    )
}

async fn transfer(
    app: &GrpcApp,
    request: Request<pb::CreateTransferRequest>,
) -> Result<Response<pb::CreateTransferResponse>, Status> {
    app.client().create_transfer(request).await
}

// ---- CreateTransfer ----

#[tokio::test]
async fn a_transfer_moves_money_and_returns_everything_it_wrote() {
    let app = GrpcApp::spawn().await;
    let ((alice, from), (bob, to)) = alice_and_bob(&app, 1_000).await;

    let response = transfer(&app, authed(order(from, to, 250, "USD"), &alice.token))
        .await
        .expect("the transfer succeeds");

    assert!(!replayed(&response), "a first request is no replay");
    let body = response.into_inner();
    let moved = body.transfer.expect("the transfer");
    assert!(moved.id >= 1);
    assert_eq!(
        (moved.from_account_id, moved.to_account_id, moved.amount),
        (from, to, 250)
    );
    let from_account = body.from_account.expect("the source account");
    let to_account = body.to_account.expect("the destination account");
    assert_eq!(
        (from_account.owner.as_str(), from_account.balance),
        (alice.username.as_str(), 750)
    );
    assert_eq!(
        (to_account.owner.as_str(), to_account.balance),
        (bob.username.as_str(), 250)
    );
    let from_entry = body.from_entry.expect("the source entry");
    let to_entry = body.to_entry.expect("the destination entry");
    assert_eq!((from_entry.account_id, from_entry.amount), (from, -250));
    assert_eq!((to_entry.account_id, to_entry.amount), (to, 250));
    assert_eq!(app.server.balance_in_db(from).await, 750);
    assert_eq!(app.server.balance_in_db(to).await, 250);
}

#[tokio::test]
async fn a_transfer_reports_every_invalid_field_and_the_idempotency_key_at_once() {
    let app = GrpcApp::spawn().await;
    let alice = app.a_user().await;
    let too_long = "k".repeat(65);

    let everything = transfer(&app, keyed(order(0, -1, -1, "GBP"), &alice, &too_long)).await;
    let only_the_key = transfer(&app, keyed(order(1, 2, 10, "USD"), &alice, "has space")).await;

    assert_field_violations(
        everything,
        &[
            "from_account_id",
            "to_account_id",
            "amount",
            "currency",
            "idempotency-key",
        ],
    );
    assert_field_violations(only_the_key, &["idempotency-key"]);
}

#[tokio::test]
async fn a_transfer_from_someone_elses_account_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let ((_alice, from), (bob, to)) = alice_and_bob(&app, 1_000).await;

    let stolen = transfer(&app, authed(order(from, to, 500, "USD"), &bob.token)).await;
    let to_nowhere = transfer(&app, authed(order(from, MISSING, 5, "USD"), &bob.token)).await;

    assert_code(stolen, Code::PermissionDenied);
    assert_code(to_nowhere, Code::PermissionDenied);
    assert_eq!(
        app.server.balance_in_db(from).await,
        1_000,
        "no money moved"
    );
    assert_eq!(app.server.transfer_and_entry_counts().await.0, 0);
}

#[tokio::test]
async fn a_transfer_to_or_from_a_missing_account_is_not_found() {
    let app = GrpcApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;

    let to_missing = transfer(&app, authed(order(from, MISSING, 10, "USD"), &alice.token)).await;
    let from_missing = transfer(&app, authed(order(MISSING, to, 10, "USD"), &alice.token)).await;

    assert_code(to_missing, Code::NotFound);
    assert_code(from_missing, Code::NotFound);
    assert_eq!(app.server.balance_in_db(from).await, 100);
}

#[tokio::test]
async fn a_transfer_in_another_currency_than_the_accounts_fails_its_precondition() {
    let app = GrpcApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;
    let (_carol, to_eur) = app.a_user_with_account("EUR", 0).await;

    let order_in_eur = transfer(&app, authed(order(from, to, 10, "EUR"), &alice.token)).await;
    let into_eur = transfer(&app, authed(order(from, to_eur, 10, "USD"), &alice.token)).await;

    assert_code(order_in_eur, Code::FailedPrecondition);
    assert_code(into_eur, Code::FailedPrecondition);
    assert_eq!(app.server.balance_in_db(from).await, 100);
    assert_eq!(app.server.balance_in_db(to_eur).await, 0);
}

#[tokio::test]
async fn a_transfer_to_the_same_account_fails_its_precondition() {
    let app = GrpcApp::spawn().await;
    let (alice, account) = app.a_user_with_account("USD", 100).await;

    let result = transfer(
        &app,
        authed(order(account, account, 10, "USD"), &alice.token),
    )
    .await;

    assert_code(result, Code::FailedPrecondition);
    assert_eq!(app.server.balance_in_db(account).await, 100);
}

#[tokio::test]
async fn a_transfer_beyond_the_balance_fails_its_precondition_and_moves_nothing() {
    let app = GrpcApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 100).await;

    let result = transfer(&app, authed(order(from, to, 101, "USD"), &alice.token)).await;

    let status = assert_code(result, Code::FailedPrecondition);
    assert!(
        status.message().contains("insufficient"),
        "says why: {status:?}"
    );
    assert_eq!(app.server.balance_in_db(from).await, 100);
    assert_eq!(app.server.balance_in_db(to).await, 0);
    assert_eq!(app.server.transfer_and_entry_counts().await.0, 0);
}

// ---- idempotency-key ----

#[tokio::test]
async fn a_repeat_with_the_same_key_returns_the_same_transfer_and_moves_no_money() {
    let app = GrpcApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 1_000).await;

    let first = transfer(
        &app,
        keyed(order(from, to, 100, "USD"), &alice, "pay-rent-2024-05"),
    )
    .await
    .expect("the first transfer succeeds");
    let repeat = transfer(
        &app,
        keyed(order(from, to, 100, "USD"), &alice, "pay-rent-2024-05"),
    )
    .await
    .expect("the repeat succeeds");

    assert!(!replayed(&first));
    assert!(replayed(&repeat), "the repeat says it is a replay");
    assert_eq!(
        repeat.into_inner(),
        first.into_inner(),
        "the same response, same transfer id"
    );
    assert_eq!(
        app.server.balance_in_db(from).await,
        900,
        "money moved once"
    );
    assert_eq!(app.server.balance_in_db(to).await, 100);
    assert_eq!(app.server.transfer_and_entry_counts().await.0, 1);
}

#[tokio::test]
async fn a_key_reused_with_a_different_request_already_exists() {
    let app = GrpcApp::spawn().await;
    let ((alice, from), (_bob, to)) = alice_and_bob(&app, 1_000).await;
    ok(transfer(&app, keyed(order(from, to, 100, "USD"), &alice, "key-1")).await);

    let result = transfer(&app, keyed(order(from, to, 999, "USD"), &alice, "key-1")).await;

    let status = assert_code(result, Code::AlreadyExists);
    assert!(
        status.message().contains("idempotency"),
        "says why: {status:?}"
    );
    assert_eq!(app.server.balance_in_db(from).await, 900);
    assert_eq!(app.server.transfer_and_entry_counts().await.0, 1);
}

#[tokio::test]
async fn idempotency_keys_are_scoped_to_the_caller() {
    let app = GrpcApp::spawn().await;
    let ((alice, a), (bob, b)) = alice_and_bob(&app, 500).await;
    app.deposit(b, 500).await;

    let from_alice = transfer(&app, keyed(order(a, b, 10, "USD"), &alice, "shared-key"))
        .await
        .expect("alice's transfer");
    let from_bob = transfer(&app, keyed(order(b, a, 20, "USD"), &bob, "shared-key"))
        .await
        .expect("bob's transfer");

    assert!(!replayed(&from_alice));
    assert!(!replayed(&from_bob), "bob's key is his own");
    assert_eq!(app.server.transfer_and_entry_counts().await.0, 2);
}

// ---- GetTransfer ----

/// Alice sent Bob 40 USD: both users, alice's account and the transfer.
async fn a_sent_transfer(app: &GrpcApp) -> (TestUser, TestUser, i64, pb::Transfer) {
    let ((alice, from), (bob, to)) = alice_and_bob(app, 100).await;
    let sent = app.a_transfer(&alice, from, to, 40).await;
    (alice, bob, from, sent)
}

async fn get_transfer(
    app: &GrpcApp,
    id: i64,
    reader: &TestUser,
) -> Result<Response<pb::GetTransferResponse>, Status> {
    app.client()
        .get_transfer(authed(pb::GetTransferRequest { id }, &reader.token))
        .await
}

#[tokio::test]
async fn both_parties_and_a_banker_read_a_transfer() {
    let app = GrpcApp::spawn().await;
    let (alice, bob, _from, sent) = a_sent_transfer(&app).await;
    let banker = app.banker().await.clone();

    for reader in [&alice, &bob, &banker] {
        let found = ok(get_transfer(&app, sent.id, reader).await).transfer;
        assert_eq!(
            found.as_ref(),
            Some(&sent),
            "as read by {}",
            reader.username
        );
    }
}

#[tokio::test]
async fn a_stranger_reading_a_transfer_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let (_alice, _bob, _from, sent) = a_sent_transfer(&app).await;
    let stranger = app.a_user().await;

    let result = get_transfer(&app, sent.id, &stranger).await;

    assert_code(result, Code::PermissionDenied);
}

#[tokio::test]
async fn reading_a_missing_transfer_is_not_found() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = get_transfer(&app, MISSING, &user).await;

    assert_code(result, Code::NotFound);
}

#[tokio::test]
async fn a_transfer_id_below_one_is_invalid() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    assert_field_violations(get_transfer(&app, 0, &user).await, &["id"]);
    assert_field_violations(get_transfer(&app, -3, &user).await, &["id"]);
}

// ---- ListTransfers ----

fn touching(account_id: i64, page_id: i64, page_size: i64) -> pb::ListTransfersRequest {
    pb::ListTransfersRequest {
        account_id,
        page_id,
        page_size,
        page_token: String::new(),
    }
}

async fn list_transfers(
    app: &GrpcApp,
    request: pb::ListTransfersRequest,
    reader: &TestUser,
) -> Result<Response<pb::ListTransfersResponse>, Status> {
    app.client()
        .list_transfers(authed(request, &reader.token))
        .await
}

fn ids(transfers: &[pb::Transfer]) -> Vec<i64> {
    transfers.iter().map(|transfer| transfer.id).collect()
}

#[tokio::test]
async fn an_accounts_transfers_are_listed_newest_first_page_by_page() {
    let app = GrpcApp::spawn().await;
    let ((alice, a), (bob, b)) = alice_and_bob(&app, 1_000).await;
    let (_carol, c) = app.a_user_with_account("USD", 0).await;
    let mut touching_a = vec![
        app.a_transfer(&alice, a, b, 10).await.id,
        app.a_transfer(&alice, a, c, 20).await.id,
        app.a_transfer(&bob, b, a, 5).await.id,
    ];
    let (dave, d) = app.a_user_with_account("USD", 50).await;
    app.a_transfer(&dave, d, b, 1).await;
    touching_a.reverse();

    let all = ok(list_transfers(&app, touching(a, 0, 0), &alice).await).transfers;
    let second_page = ok(list_transfers(&app, touching(a, 2, 2), &alice).await).transfers;

    assert_eq!(ids(&all), touching_a, "both directions, newest first");
    assert_eq!((all[0].from_account_id, all[0].to_account_id), (b, a));
    assert_eq!(ids(&second_page), touching_a[2..]);
}

#[tokio::test]
async fn an_account_without_transfers_lists_none() {
    let app = GrpcApp::spawn().await;
    let (alice, a) = app.a_user_with_account("USD", 0).await;

    let listed = ok(list_transfers(&app, touching(a, 1, 10), &alice).await);

    assert!(listed.transfers.is_empty());
}

#[tokio::test]
async fn a_banker_lists_any_accounts_transfers() {
    let app = GrpcApp::spawn().await;
    let (_alice, _bob, from, sent) = a_sent_transfer(&app).await;
    let banker = app.banker().await;

    let listed = ok(list_transfers(&app, touching(from, 1, 10), banker).await);

    assert_eq!(listed.transfers, [sent]);
}

#[tokio::test]
async fn listing_someone_elses_transfers_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let (_owner, a) = app.a_user_with_account("USD", 0).await;
    let stranger = app.a_user().await;

    let result = list_transfers(&app, touching(a, 1, 10), &stranger).await;

    assert_code(result, Code::PermissionDenied);
}

#[tokio::test]
async fn listing_the_transfers_of_a_missing_account_is_not_found() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = list_transfers(&app, touching(MISSING, 1, 10), &user).await;

    assert_code(result, Code::NotFound);
}

#[tokio::test]
async fn listing_transfers_needs_a_valid_account_id_and_page() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let missing = list_transfers(&app, touching(0, 1, 10), &user).await;
    let bad_page = list_transfers(&app, touching(1, 1, 101), &user).await;
    let everything = list_transfers(&app, touching(-1, -1, 101), &user).await;

    assert_field_violations(missing, &["account_id"]);
    assert_field_violations(bad_page, &["page_size"]);
    assert_field_violations(everything, &["account_id", "page_id", "page_size"]);
}
