//! Idempotency keys on transfers: a retried request moves money once.

use simplebank::{
    AppError,
    domain::{AccountId, Amount, IdempotencyKey, Username},
    error::BusinessRule,
    store::{IdempotentRequest, Store},
};

use crate::{
    harness::TestDb,
    random::random_string,
    transfers::{balance_of, order, row_counts, two_accounts},
};

fn key_of(owner: &str) -> IdempotentRequest {
    IdempotentRequest {
        caller: Username::parse(owner).expect("username"),
        key: IdempotencyKey::parse(&random_string(24)).expect("key"),
    }
}

#[tokio::test]
async fn the_same_key_twice_moves_money_once() {
    let db = TestDb::new().await;
    a_replay_moves_money_once(&db, &db.store).await;
}

/// A key sent twice through `store`: the second gets the first's response.
pub async fn a_replay_moves_money_once(db: &TestDb, store: &Store) {
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 40);

    let first = store
        .transfer(&transfer, Some(&request))
        .await
        .expect("first");
    let second = store
        .transfer(&transfer, Some(&request))
        .await
        .expect("replay");

    assert!(!first.replayed);
    assert!(second.replayed);
    assert_eq!(
        second.result, first.result,
        "the replay returns the stored response"
    );
    assert_eq!(row_counts(&db.store).await, (1, 2));
    assert_eq!(balance_of(&db.store, from.id).await, 60);
    assert_eq!(balance_of(&db.store, to.id).await, 140);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_move_money_once() {
    let db = TestDb::new().await;
    concurrent_replays_move_money_once(&db, &db.store).await;
}

/// Eight requests with one key at once through `store`: one moves the money.
pub async fn concurrent_replays_move_money_once(db: &TestDb, store: &Store) {
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 40);

    let outcomes = futures::future::join_all((0..8).map(|_| {
        let (store, request, transfer) = (store.clone(), request.clone(), transfer.clone());
        tokio::spawn(async move { store.transfer(&transfer, Some(&request)).await })
    }))
    .await;

    let outcomes: Vec<_> = outcomes
        .into_iter()
        .map(|o| o.expect("task").expect("every duplicate gets the response"))
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| !o.replayed).count(),
        1,
        "exactly one did the work"
    );
    assert!(
        outcomes.iter().all(|o| o.result == outcomes[0].result),
        "all responses are identical"
    );
    assert_eq!(row_counts(&db.store).await, (1, 2));
    assert_eq!(balance_of(&db.store, from.id).await, 60);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_conflict() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    db.store
        .transfer(&order(&from, &to, 40), Some(&request))
        .await
        .expect("first");

    let err = db
        .store
        .transfer(&order(&from, &to, 41), Some(&request))
        .await
        .expect_err("a different body under the same key");

    assert!(matches!(err, AppError::IdempotencyConflict), "{err:?}");
    assert_eq!(row_counts(&db.store).await, (1, 2));
    assert_eq!(balance_of(&db.store, from.id).await, 60);
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let db = TestDb::new().await;
    let (a, b) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let shared_key = IdempotencyKey::parse("same-key-for-both").expect("key");
    let as_a = IdempotentRequest {
        caller: Username::parse(&a.owner).expect("name"),
        key: shared_key.clone(),
    };
    let as_b = IdempotentRequest {
        caller: Username::parse(&b.owner).expect("name"),
        key: shared_key,
    };

    let first = db
        .store
        .transfer(&order(&a, &b, 10), Some(&as_a))
        .await
        .expect("a pays b");
    let second = db
        .store
        .transfer(&order(&b, &a, 10), Some(&as_b))
        .await
        .expect("b pays a");

    assert!(!first.replayed && !second.replayed);
    assert_eq!(row_counts(&db.store).await, (2, 4));
}

#[tokio::test]
async fn a_refused_request_does_not_use_up_its_key() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 10, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 40);

    let refused = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect_err("overdraft");
    db.store
        .deposit(
            AccountId::parse(from.id).expect("id"),
            Amount::parse(30).expect("amount"),
        )
        .await
        .expect("top up");
    let retried = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("now it fits");

    assert!(matches!(
        refused,
        AppError::FailedPrecondition(BusinessRule::InsufficientFunds)
    ));
    assert!(
        !retried.replayed,
        "the refused attempt stored nothing, so the retry does the work"
    );
    assert_eq!(balance_of(&db.store, from.id).await, 0);
}

#[tokio::test]
async fn a_replay_is_checked_against_the_stored_body_before_any_rule() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 100);
    db.store
        .transfer(&transfer, Some(&request))
        .await
        .expect("empties the account");

    // The same request again would now overdraw, but it is a replay: it returns the
    // stored success instead of re-running the rules.
    let replay = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("replay");

    assert!(replay.replayed);
    assert_eq!(replay.result.from_account.balance, 0);
}

/// A key older than `IDEMPOTENCY_KEY_TTL` (24 h here) counts as absent: the same key
/// then moves money again, and stores the new response in place of the old one.
#[tokio::test]
async fn an_expired_key_is_taken_over_as_new() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 30);
    let first = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("first");
    let client = db.store.client().await.expect("client");
    let aged = client
        .execute(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' \
             WHERE caller = $1 AND key = $2",
            &[&request.caller.as_str(), &request.key.as_str()],
        )
        .await
        .expect("age the key");
    assert_eq!(aged, 1);

    let again = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("the key again, after its TTL");
    assert!(!again.replayed, "an expired key is new");
    assert_ne!(again.result.transfer.id, first.result.transfer.id);
    assert_eq!(balance_of(&db.store, from.id).await, 40);
    let replay = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("and a replay of the new request");
    assert!(replay.replayed);
    assert_eq!(replay.result, again.result);
    assert_eq!(row_counts(&db.store).await, (2, 4));
}

/// The key keeps a receipt (the ids and both balances right after the transfer), and a
/// replay rebuilds the first response from it: later transfers on the same accounts
/// change nothing in it.
#[tokio::test]
async fn a_replay_returns_the_balances_right_after_its_transfer() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 40);
    let first = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("first");
    db.store
        .transfer(&order(&from, &to, 10), None)
        .await
        .expect("a later transfer");

    let replay = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("replay");

    assert!(replay.replayed);
    assert_eq!(replay.result, first.result);
    assert_eq!(replay.result.from_account.balance, 60);
    assert_eq!(replay.result.to_account.balance, 140);
    let client = db.store.client().await.expect("client");
    let stored: serde_json::Value = client
        .query_one(
            "SELECT response_body FROM idempotency_keys WHERE caller = $1 AND key = $2",
            &[&request.caller.as_str(), &request.key.as_str()],
        )
        .await
        .expect("the key's row")
        .get(0);
    assert_eq!(
        stored,
        serde_json::json!({
            "transfer_id": first.result.transfer.id,
            "from_entry_id": first.result.from_entry.id,
            "to_entry_id": first.result.to_entry.id,
            "from_balance": 60,
            "to_balance": 140,
        })
    );
}

/// Before receipts, a key held the whole response, built in SQL; such a row, written
/// by an older server within the TTL, still replays as it was stored.
#[tokio::test]
async fn a_key_holding_a_whole_response_still_replays() {
    let db = TestDb::new().await;
    let (from, to) = two_accounts(&db.store, 100, simplebank::domain::Currency::Usd).await;
    let request = key_of(&from.owner);
    let transfer = order(&from, &to, 25);
    let first = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("first");
    let client = db.store.client().await.expect("client");
    let rewritten = client
        .execute(
            "UPDATE idempotency_keys SET response_body = jsonb_build_object(
               'transfer', jsonb_build_object('id', t.id, 'from_account_id', t.from_account_id,
                 'to_account_id', t.to_account_id, 'amount', t.amount, 'created_at', t.created_at),
               'from_account', jsonb_build_object('id', fa.id, 'owner', fa.owner,
                 'balance', 75, 'currency', fa.currency, 'created_at', fa.created_at),
               'to_account', jsonb_build_object('id', ta.id, 'owner', ta.owner,
                 'balance', 125, 'currency', ta.currency, 'created_at', ta.created_at),
               'from_entry', jsonb_build_object('id', fe.id, 'account_id', fe.account_id,
                 'amount', fe.amount, 'created_at', fe.created_at),
               'to_entry', jsonb_build_object('id', te.id, 'account_id', te.account_id,
                 'amount', te.amount, 'created_at', te.created_at))
             FROM transfers t, accounts fa, accounts ta, entries fe, entries te
             WHERE t.id = $3 AND fa.id = t.from_account_id AND ta.id = t.to_account_id
               AND fe.id = $4 AND te.id = $5 AND caller = $1 AND key = $2",
            &[
                &request.caller.as_str(),
                &request.key.as_str(),
                &first.result.transfer.id,
                &first.result.from_entry.id,
                &first.result.to_entry.id,
            ],
        )
        .await
        .expect("store the whole response, as older servers did");
    assert_eq!(rewritten, 1);

    let replay = db
        .store
        .transfer(&transfer, Some(&request))
        .await
        .expect("replay");

    assert!(replay.replayed);
    assert_eq!(replay.result, first.result);
    assert_eq!(row_counts(&db.store).await, (1, 2));
}
