//! CreateAccount, GetAccount, ListAccounts, ListEntries, Deposit.

use simplebank::grpc::pb;
use tonic::Code;

use super::{GrpcApp, assert_code, assert_field_violations, authed, instant, ok};

fn open(currency: &str) -> pb::CreateAccountRequest {
    pb::CreateAccountRequest {
        currency: currency.to_owned(),
    }
}

fn page(page_id: i64, page_size: i64) -> pb::ListAccountsRequest {
    pb::ListAccountsRequest { page_id, page_size }
}

fn statement(account_id: i64, page_id: i64, page_size: i64) -> pb::ListEntriesRequest {
    pb::ListEntriesRequest {
        account_id,
        page_id,
        page_size,
        page_token: String::new(),
    }
}

fn deposit(account_id: i64, amount: i64) -> pb::DepositRequest {
    pb::DepositRequest { account_id, amount }
}

const MISSING: i64 = 987_654_321;

// ---- CreateAccount ----

#[tokio::test]
async fn opening_an_account_gives_the_caller_an_empty_account() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let account = ok(app
        .client()
        .create_account(authed(open("EUR"), &user.token))
        .await)
    .account
    .expect("the account");

    assert!(account.id >= 1);
    assert_eq!(account.owner, user.username);
    assert_eq!(account.balance, 0);
    assert_eq!(account.currency, "EUR");
    instant(account.created_at.as_ref());
}

#[tokio::test]
async fn an_unknown_or_missing_currency_is_invalid() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    for currency in ["GBP", "usd", ""] {
        let result = app
            .client()
            .create_account(authed(open(currency), &user.token))
            .await;
        assert_field_violations(result, &["currency"]);
    }
}

#[tokio::test]
async fn a_second_account_in_the_same_currency_already_exists() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    app.an_account(&user, "USD").await;

    let result = app
        .client()
        .create_account(authed(open("USD"), &user.token))
        .await;

    assert_code(result, Code::AlreadyExists);
}

// ---- GetAccount ----

#[tokio::test]
async fn the_owner_and_a_banker_read_an_account() {
    let app = GrpcApp::spawn().await;
    let (user, id) = app.a_user_with_account("USD", 120).await;
    let banker = app.banker().await;

    for reader in [&user, banker] {
        let account = ok(app
            .client()
            .get_account(authed(pb::GetAccountRequest { id }, &reader.token))
            .await)
        .account
        .expect("the account");
        assert_eq!(account.id, id);
        assert_eq!(account.owner, user.username);
        assert_eq!(account.balance, 120);
    }
}

#[tokio::test]
async fn reading_someone_elses_account_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let (_owner, id) = app.a_user_with_account("USD", 0).await;
    let stranger = app.a_user().await;

    let result = app
        .client()
        .get_account(authed(pb::GetAccountRequest { id }, &stranger.token))
        .await;

    assert_code(result, Code::PermissionDenied);
}

#[tokio::test]
async fn reading_a_missing_account_is_not_found() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = app
        .client()
        .get_account(authed(pb::GetAccountRequest { id: MISSING }, &user.token))
        .await;

    assert_code(result, Code::NotFound);
}

#[tokio::test]
async fn an_account_id_below_one_is_invalid() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    for id in [0, -1] {
        let result = app
            .client()
            .get_account(authed(pb::GetAccountRequest { id }, &user.token))
            .await;
        assert_field_violations(result, &["id"]);
    }
}

// ---- ListAccounts ----

#[tokio::test]
async fn a_user_without_accounts_gets_an_empty_list() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let listed = ok(app
        .client()
        .list_accounts(authed(page(0, 0), &user.token))
        .await);

    assert!(listed.accounts.is_empty());
}

#[tokio::test]
async fn only_the_callers_accounts_are_listed_by_id_page_by_page() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let other = app.a_user().await;
    app.an_account(&other, "USD").await;
    let mut mine = Vec::new();
    for currency in ["CAD", "USD", "EUR"] {
        mine.push(app.an_account(&user, currency).await.id);
    }
    mine.sort_unstable();
    let list = |page_id, page_size| {
        let mut client = app.client();
        let request = authed(page(page_id, page_size), &user.token);
        async move { ok(client.list_accounts(request).await).accounts }
    };

    let by_default = list(0, 0).await;
    let first = list(1, 2).await;
    let second = list(2, 2).await;
    let past_the_end = list(3, 2).await;

    let ids = |accounts: &[pb::Account]| accounts.iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(&by_default), mine, "only the caller's, ordered by id");
    assert!(by_default.iter().all(|a| a.owner == user.username));
    assert_eq!(ids(&first), mine[..2]);
    assert_eq!(ids(&second), mine[2..]);
    assert!(past_the_end.is_empty());
}

#[tokio::test]
async fn a_bad_page_is_invalid() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let list = |page_id, page_size| {
        let mut client = app.client();
        let request = authed(page(page_id, page_size), &user.token);
        async move { client.list_accounts(request).await }
    };

    assert_field_violations(list(1, 101).await, &["page_size"]);
    assert_field_violations(list(1, -1).await, &["page_size"]);
    assert_field_violations(list(-1, 10).await, &["page_id"]);
    assert_field_violations(list(-1, 101).await, &["page_id", "page_size"]);
    ok(list(1, 100).await);
}

// ---- ListEntries ----

#[tokio::test]
async fn entries_are_listed_newest_first() {
    let app = GrpcApp::spawn().await;
    let (user, from) = app.a_user_with_account("USD", 1_000).await;
    let (_other, to) = app.a_user_with_account("USD", 0).await;
    app.deposit(from, 250).await;
    app.a_transfer(&user, from, to, 100).await;

    let entries = ok(app
        .client()
        .list_entries(authed(statement(from, 0, 0), &user.token))
        .await)
    .entries;

    let amounts: Vec<i64> = entries.iter().map(|entry| entry.amount).collect();
    assert_eq!(amounts, [-100, 250, 1_000], "newest first");
    assert!(entries.iter().all(|entry| entry.account_id == from));
    assert!(entries.windows(2).all(|pair| pair[0].id > pair[1].id));
    instant(entries[0].created_at.as_ref());
}

#[tokio::test]
async fn entries_are_listed_page_by_page() {
    let app = GrpcApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 1).await;
    app.deposit(account, 2).await;
    app.deposit(account, 3).await;

    let second_page = ok(app
        .client()
        .list_entries(authed(statement(account, 2, 2), &user.token))
        .await)
    .entries;

    let amounts: Vec<i64> = second_page.iter().map(|entry| entry.amount).collect();
    assert_eq!(amounts, [1], "the oldest entry is last");
}

#[tokio::test]
async fn a_banker_reads_any_statement() {
    let app = GrpcApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 70).await;
    let banker = app.banker().await;

    let entries = ok(app
        .client()
        .list_entries(authed(statement(account, 1, 10), &banker.token))
        .await)
    .entries;

    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].amount, 70);
}

#[tokio::test]
async fn reading_someone_elses_statement_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let (_owner, account) = app.a_user_with_account("USD", 70).await;
    let stranger = app.a_user().await;

    let result = app
        .client()
        .list_entries(authed(statement(account, 1, 10), &stranger.token))
        .await;

    assert_code(result, Code::PermissionDenied);
}

#[tokio::test]
async fn the_statement_of_a_missing_account_is_not_found() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = app
        .client()
        .list_entries(authed(statement(MISSING, 1, 10), &user.token))
        .await;

    assert_code(result, Code::NotFound);
}

#[tokio::test]
async fn a_bad_statement_request_reports_every_invalid_field() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let everything = app
        .client()
        .list_entries(authed(statement(0, -1, 101), &user.token))
        .await;
    let negative_id = app
        .client()
        .list_entries(authed(statement(-5, 1, 10), &user.token))
        .await;

    assert_field_violations(everything, &["account_id", "page_id", "page_size"]);
    assert_field_violations(negative_id, &["account_id"]);
}

// ---- Deposit ----

#[tokio::test]
async fn a_banker_deposits_and_the_balance_and_entry_change_together() {
    let app = GrpcApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 0).await;
    let banker = app.banker().await;

    let response = ok(app
        .client()
        .deposit(authed(deposit(account, 500), &banker.token))
        .await);

    let credited = response.account.expect("the account");
    let entry = response.entry.expect("the entry");
    assert_eq!(credited.id, account);
    assert_eq!(credited.balance, 500);
    assert_eq!(entry.account_id, account);
    assert_eq!(entry.amount, 500);
    assert_eq!(app.server.balance_in_db(account).await, 500);
    assert_eq!(app.server.transfer_and_entry_counts().await, (0, 1));
}

#[tokio::test]
async fn a_depositor_may_not_deposit() {
    let app = GrpcApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 0).await;

    let result = app
        .client()
        .deposit(authed(deposit(account, 500), &user.token))
        .await;

    assert_code(result, Code::PermissionDenied);
    assert_eq!(app.server.balance_in_db(account).await, 0);
}

#[tokio::test]
async fn a_deposit_into_a_missing_account_is_not_found() {
    let app = GrpcApp::spawn().await;
    let banker = app.banker().await;

    let result = app
        .client()
        .deposit(authed(deposit(MISSING, 500), &banker.token))
        .await;

    assert_code(result, Code::NotFound);
}

#[tokio::test]
async fn a_deposit_reports_a_bad_account_and_a_bad_amount_together() {
    let app = GrpcApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 0).await;
    let banker = app.banker().await;

    let both = app
        .client()
        .deposit(authed(deposit(0, 0), &banker.token))
        .await;
    let negative = app
        .client()
        .deposit(authed(deposit(account, -5), &banker.token))
        .await;

    assert_field_violations(both, &["account_id", "amount"]);
    assert_field_violations(negative, &["amount"]);
    assert_eq!(app.server.balance_in_db(account).await, 0);
}

#[tokio::test]
async fn a_deposit_the_balance_cannot_hold_is_a_failed_precondition() {
    let app = GrpcApp::spawn().await;
    let (_user, account) = app.a_user_with_account("USD", 1).await;
    let banker = app.banker().await;

    let result = app
        .client()
        .deposit(authed(deposit(account, i64::MAX), &banker.token))
        .await;

    assert_code(result, Code::FailedPrecondition);
    assert_eq!(
        app.server.balance_in_db(account).await,
        1,
        "nothing changed"
    );
}
