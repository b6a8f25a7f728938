//! Every generated query against a real database with random data (the course's CRUD tests).

use chrono::{Duration, Utc};
use codegen::{
    client::Params,
    queries::{
        accounts::{
            add_account_balance, create_account, delete_account, get_account, list_accounts,
            lock_account, update_account,
        },
        entries::{create_entry, get_entry, list_entries, list_entries_newest_first},
        failed_logins::{
            count_failed_logins, record_failed_login, reset_failed_logins_of_username,
        },
        sessions::{block_session, create_session, get_session},
        transfers::{create_transfer, get_transfer, list_transfers, list_transfers_of_account},
        users::{UpdateUserParams, get_user, set_user_role, update_user},
    },
};
use simplebank::{AppError, store::User};
use uuid::Uuid;

use crate::{
    harness::TestDb,
    random::{
        create_account_with, create_random_account, create_random_user, random_currency,
        random_email, random_money, random_string,
    },
};

fn assert_recent(at: chrono::DateTime<Utc>) {
    let age = Utc::now() - at;
    assert!(
        age < Duration::seconds(10) && age > Duration::seconds(-10),
        "timestamp {at} is not recent"
    );
}

#[tokio::test]
async fn create_account_returns_what_it_stored() {
    let db = TestDb::new().await;
    let user = create_random_user(&db.store).await;
    let (balance, currency) = (random_money(), random_currency());
    let client = db.store.client().await.expect("client");

    let account = create_account()
        .bind(&client, &user.username, &balance, &currency.as_str())
        .one()
        .await
        .expect("create account");

    assert!(account.id >= 1);
    assert_eq!(account.owner, user.username);
    assert_eq!(account.balance, balance);
    assert_eq!(account.currency, currency.as_str());
    assert_recent(account.created_at);
}

#[tokio::test]
async fn get_account_finds_the_created_account() {
    let db = TestDb::new().await;
    let created = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");

    let found = get_account()
        .bind(&client, &created.id)
        .one()
        .await
        .expect("get account");

    assert_eq!(found, created);
}

#[tokio::test]
async fn get_account_of_an_unknown_id_finds_nothing() {
    let db = TestDb::new().await;
    let client = db.store.client().await.expect("client");

    let found = get_account()
        .bind(&client, &i64::MAX)
        .opt()
        .await
        .expect("query");

    assert_eq!(found, None);
}

#[tokio::test]
async fn update_account_sets_the_balance() {
    let db = TestDb::new().await;
    let created = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");
    let new_balance = random_money();

    let updated = update_account()
        .bind(&client, &new_balance, &created.id)
        .one()
        .await
        .expect("update account");

    assert_eq!(updated.balance, new_balance);
    assert_eq!(
        (updated.id, &updated.owner, &updated.currency),
        (created.id, &created.owner, &created.currency)
    );
    assert_eq!(updated.created_at, created.created_at);
}

#[tokio::test]
async fn add_account_balance_adds_a_signed_amount() {
    let db = TestDb::new().await;
    let created = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");

    let credited = add_account_balance()
        .bind(&client, &25, &created.id)
        .one()
        .await
        .expect("credit");
    let debited = add_account_balance()
        .bind(&client, &-10, &created.id)
        .one()
        .await
        .expect("debit");

    assert_eq!(credited.balance, created.balance + 25);
    assert_eq!(debited.balance, created.balance + 15);
}

#[tokio::test]
async fn add_account_balance_cannot_overdraw() {
    let db = TestDb::new().await;
    let created = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");

    let err = add_account_balance()
        .bind(&client, &-(created.balance + 1), &created.id)
        .one()
        .await
        .expect_err("the balance CHECK must refuse an overdraft");

    assert!(matches!(
        AppError::from(err),
        AppError::FailedPrecondition(simplebank::error::BusinessRule::InsufficientFunds)
    ));
    let unchanged = get_account()
        .bind(&client, &created.id)
        .one()
        .await
        .expect("get");
    assert_eq!(unchanged.balance, created.balance);
}

#[tokio::test]
async fn delete_account_removes_it() {
    let db = TestDb::new().await;
    let created = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");

    let deleted = delete_account()
        .bind(&client, &created.id)
        .await
        .expect("delete");

    assert_eq!(deleted, 1);
    let found = get_account()
        .bind(&client, &created.id)
        .opt()
        .await
        .expect("query");
    assert_eq!(found, None);
}

#[tokio::test]
async fn list_accounts_pages_through_one_owners_accounts_by_id() {
    let db = TestDb::new().await;
    let owner = create_random_user(&db.store).await;
    let other = create_random_account(&db.store).await;
    let mut created = Vec::new();
    for currency in simplebank::domain::Currency::ALL {
        created
            .push(create_account_with(&db.store, &owner.username, random_money(), currency).await);
    }
    let client = db.store.client().await.expect("client");

    let first_page = list_accounts()
        .bind(&client, &owner.username, &2, &0)
        .all()
        .await
        .expect("page 1");
    let second_page = list_accounts()
        .bind(&client, &owner.username, &2, &2)
        .all()
        .await
        .expect("page 2");

    assert_eq!(first_page, created[..2]);
    assert_eq!(second_page, created[2..]);
    assert!(
        first_page
            .iter()
            .chain(&second_page)
            .all(|a| a.owner != other.owner)
    );
}

#[tokio::test]
async fn lock_account_returns_the_row_it_locks() {
    let db = TestDb::new().await;
    let created = create_random_account(&db.store).await;
    let mut client = db.store.client().await.expect("client");
    let tx = client.transaction().await.expect("begin");

    let locked = lock_account()
        .bind(&tx, &created.id)
        .one()
        .await
        .expect("lock");

    assert_eq!(locked, created);
    tx.rollback().await.expect("rollback");
}

#[tokio::test]
async fn create_entry_records_a_signed_amount() {
    let db = TestDb::new().await;
    let account = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");
    let amount = -random_money();

    let entry = create_entry()
        .bind(&client, &account.id, &amount)
        .one()
        .await
        .expect("entry");

    assert!(entry.id >= 1);
    assert_eq!((entry.account_id, entry.amount), (account.id, amount));
    assert_recent(entry.created_at);
    let found = get_entry()
        .bind(&client, &entry.id)
        .one()
        .await
        .expect("get entry");
    assert_eq!(found, entry);
}

#[tokio::test]
async fn create_entry_for_a_missing_account_writes_nothing() {
    let db = TestDb::new().await;
    let client = db.store.client().await.expect("client");

    let entry = create_entry()
        .bind(&client, &i64::MAX, &10)
        .opt()
        .await
        .expect("no error: there is no account to count the entry");

    assert_eq!(entry, None);
    let entries: i64 = client
        .query_one(
            "SELECT count(*) FROM entries WHERE account_id = $1",
            &[&i64::MAX],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(entries, 0);
}

#[tokio::test]
async fn list_entries_pages_oldest_first_and_newest_first() {
    let db = TestDb::new().await;
    let (account, other) = (
        create_random_account(&db.store).await,
        create_random_account(&db.store).await,
    );
    let client = db.store.client().await.expect("client");
    // The other account's entries sit between this one's: ids that no token of this
    // account's statement carries.
    let (mut entries, mut foreign_ids) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        entries.push(
            create_entry()
                .bind(&client, &account.id, &random_money())
                .one()
                .await
                .expect("entry"),
        );
        let foreign = create_entry()
            .bind(&client, &other.id, &random_money())
            .one()
            .await
            .expect("other account's entry");
        foreign_ids.push(foreign.id);
    }

    let oldest_first = list_entries()
        .bind(&client, &account.id, &3, &1)
        .all()
        .await
        .expect("list");
    assert_eq!(oldest_first, entries[1..4]);

    // Every page the API can ask for, against the same page cut from the whole
    // statement: below i64::MAX (page 1, offset pages, past the end too), below each
    // entry (a page token's last entry) and below ids that are no entry of the account.
    let befores = std::iter::once(i64::MAX)
        .chain(entries.iter().map(|entry| entry.id))
        .chain(foreign_ids.iter().copied())
        .chain([0, 1]);
    for before in befores {
        for offset in 0..7_i64 {
            let page = list_entries_newest_first()
                .bind(&client, &account.id, &before, &offset, &2)
                .all()
                .await
                .expect("newest-first page");
            let expected = newest_first_page(&entries, |entry| entry.id, before, offset, 2);
            assert_eq!(page, expected, "below id {before}, offset {offset}");
        }
    }
}

/// The page a newest-first list query should return, cut from every row of the list
/// (oldest first): the rows with ids below `before`, newest first, after `offset`.
fn newest_first_page<T: Clone>(
    oldest_first: &[T],
    id: impl Fn(&T) -> i64,
    before: i64,
    offset: i64,
    size: usize,
) -> Vec<T> {
    oldest_first
        .iter()
        .rev()
        .filter(|row| id(row) < before)
        .skip(usize::try_from(offset).expect("a non-negative offset"))
        .take(size)
        .cloned()
        .collect()
}

#[tokio::test]
async fn create_transfer_and_get_it_back() {
    let db = TestDb::new().await;
    let (from, to) = (
        create_random_account(&db.store).await,
        create_random_account(&db.store).await,
    );
    let client = db.store.client().await.expect("client");
    let amount = random_money();

    let transfer = create_transfer()
        .bind(&client, &from.id, &to.id, &amount)
        .one()
        .await
        .expect("transfer");

    assert_eq!(
        (
            transfer.from_account_id,
            transfer.to_account_id,
            transfer.amount
        ),
        (from.id, to.id, amount)
    );
    assert_recent(transfer.created_at);
    let found = get_transfer()
        .bind(&client, &transfer.id)
        .one()
        .await
        .expect("get transfer");
    assert_eq!(found, transfer);
}

#[tokio::test]
async fn create_transfer_refuses_a_non_positive_amount() {
    let db = TestDb::new().await;
    let (from, to) = (
        create_random_account(&db.store).await,
        create_random_account(&db.store).await,
    );
    let client = db.store.client().await.expect("client");

    let err = create_transfer()
        .bind(&client, &from.id, &to.id, &0)
        .one()
        .await
        .expect_err("CHECK");

    assert!(matches!(AppError::from(err), AppError::InvalidArgument(v) if v[0].field == "amount"));
}

#[tokio::test]
async fn list_transfers_finds_transfers_on_either_side() {
    let db = TestDb::new().await;
    let (a, b) = (
        create_random_account(&db.store).await,
        create_random_account(&db.store).await,
    );
    let c = create_random_account(&db.store).await;
    let client = db.store.client().await.expect("client");
    let mut touching_a = Vec::new();
    for (from, to) in [
        (a.id, b.id),
        (b.id, a.id),
        (a.id, b.id),
        (c.id, b.id),
        (a.id, a.id),
        (c.id, a.id),
    ] {
        let transfer = create_transfer()
            .bind(&client, &from, &to, &random_money())
            .one()
            .await
            .expect("t");
        if from == a.id || to == a.id {
            touching_a.push(transfer);
        }
    }

    let course_query = list_transfers()
        .bind(&client, &a.id, &a.id, &10, &0)
        .all()
        .await
        .expect("list");
    let newest_first = list_transfers_of_account()
        .bind(&client, &a.id, &i64::MAX, &2, &0)
        .all()
        .await
        .expect("list");

    assert_eq!(course_query, touching_a);
    let expected: Vec<_> = touching_a.iter().rev().take(2).cloned().collect();
    assert_eq!(newest_first, expected);
    // Every page, against the same page cut from the whole history (the transfer to
    // itself once): below i64::MAX and below each transfer's id, at every offset.
    let befores = std::iter::once(i64::MAX).chain(touching_a.iter().map(|transfer| transfer.id));
    for before in befores {
        for offset in 0..7_i64 {
            let page = list_transfers_of_account()
                .bind(&client, &a.id, &before, &2, &offset)
                .all()
                .await
                .expect("page");
            let expected =
                newest_first_page(&touching_a, |transfer| transfer.id, before, offset, 2);
            assert_eq!(page, expected, "below id {before}, offset {offset}");
        }
    }
}

#[tokio::test]
async fn create_user_applies_the_column_defaults() {
    let db = TestDb::new().await;

    let user = create_random_user(&db.store).await;

    assert_eq!(user.role, "depositor");
    assert_eq!(
        user.password_changed_at,
        "0001-01-01T00:00:00Z"
            .parse::<chrono::DateTime<Utc>>()
            .expect("zero time")
    );
    assert_recent(user.created_at);
    let client = db.store.client().await.expect("client");
    let found = get_user()
        .bind(&client, &user.username)
        .one()
        .await
        .expect("get user");
    assert_eq!(found, user);
}

#[tokio::test]
async fn create_user_refuses_a_taken_username_or_email() {
    let db = TestDb::new().await;
    let user = create_random_user(&db.store).await;
    let client = db.store.client().await.expect("client");
    let create = codegen::queries::users::create_user();

    let same_name = create
        .bind(
            &client,
            &user.username,
            &"hash",
            &"Someone Else",
            &random_email(),
        )
        .one()
        .await
        .expect_err("username is the primary key");
    let same_email_other_case = create
        .bind(
            &client,
            &format!("u_{}", random_string(10)),
            &"hash",
            &"Someone Else",
            &user.email.to_uppercase(),
        )
        .one()
        .await
        .expect_err("email is unique regardless of case");

    assert!(
        matches!(AppError::from(same_name), AppError::AlreadyExists(m) if m == "username already exists")
    );
    assert!(
        matches!(AppError::from(same_email_other_case), AppError::AlreadyExists(m) if m == "email already exists")
    );
}

async fn update(db: &TestDb, params: UpdateUserParams<&str, &str, &str, &str>) -> User {
    let client = db.store.client().await.expect("client");
    update_user()
        .params(&client, &params)
        .one()
        .await
        .expect("update user")
}

fn nothing_for(username: &str) -> UpdateUserParams<&str, &str, &str, &str> {
    UpdateUserParams {
        hashed_password: None,
        password_changed_at: None,
        full_name: None,
        email: None,
        username,
    }
}

#[tokio::test]
async fn update_user_changes_only_the_full_name() {
    let db = TestDb::new().await;
    let old = create_random_user(&db.store).await;
    let new_name = format!("New {}", random_string(6));

    let updated = update(
        &db,
        UpdateUserParams {
            full_name: Some(&new_name),
            ..nothing_for(&old.username)
        },
    )
    .await;

    assert_eq!(updated.full_name, new_name);
    assert_eq!(
        User {
            full_name: old.full_name.clone(),
            ..updated
        },
        old
    );
}

#[tokio::test]
async fn update_user_changes_only_the_email() {
    let db = TestDb::new().await;
    let old = create_random_user(&db.store).await;
    let new_email = random_email();

    let updated = update(
        &db,
        UpdateUserParams {
            email: Some(&new_email),
            ..nothing_for(&old.username)
        },
    )
    .await;

    assert_eq!(updated.email, new_email);
    assert_eq!(
        User {
            email: old.email.clone(),
            ..updated
        },
        old
    );
}

#[tokio::test]
async fn update_user_changes_only_the_password_and_its_timestamp() {
    let db = TestDb::new().await;
    let old = create_random_user(&db.store).await;
    let new_hash = format!("$argon2id$new${}", random_string(12));
    let changed_at = Utc::now();

    let updated = update(
        &db,
        UpdateUserParams {
            hashed_password: Some(&new_hash),
            password_changed_at: Some(changed_at),
            ..nothing_for(&old.username)
        },
    )
    .await;

    assert_eq!(updated.hashed_password, new_hash);
    assert_eq!(
        updated.password_changed_at.timestamp_micros(),
        changed_at.timestamp_micros()
    );
    assert_eq!(
        User {
            hashed_password: old.hashed_password.clone(),
            password_changed_at: old.password_changed_at,
            ..updated
        },
        old
    );
}

#[tokio::test]
async fn update_user_changes_every_field_at_once() {
    let db = TestDb::new().await;
    let old = create_random_user(&db.store).await;
    let (hash, name, email) = (
        random_string(20),
        format!("All {}", random_string(5)),
        random_email(),
    );
    let changed_at = Utc::now();

    let updated = update(
        &db,
        UpdateUserParams {
            hashed_password: Some(&hash),
            password_changed_at: Some(changed_at),
            full_name: Some(&name),
            email: Some(&email),
            username: &old.username,
        },
    )
    .await;

    assert_eq!(
        (&updated.hashed_password, &updated.full_name, &updated.email),
        (&hash, &name, &email)
    );
    assert_eq!(
        (&updated.username, &updated.role, updated.created_at),
        (&old.username, &old.role, old.created_at)
    );
}

#[tokio::test]
async fn update_user_with_nothing_changes_nothing() {
    let db = TestDb::new().await;
    let old = create_random_user(&db.store).await;

    let updated = update(&db, nothing_for(&old.username)).await;

    assert_eq!(updated, old);
}

#[tokio::test]
async fn set_user_role_accepts_known_roles_only() {
    let db = TestDb::new().await;
    let user = create_random_user(&db.store).await;
    let client = db.store.client().await.expect("client");

    let banker = set_user_role()
        .bind(&client, &"banker", &user.username)
        .one()
        .await
        .expect("banker");
    let refused = set_user_role()
        .bind(&client, &"admin", &user.username)
        .one()
        .await
        .expect_err("CHECK");

    assert_eq!(banker.role, "banker");
    assert!(
        matches!(AppError::from(refused), AppError::InvalidArgument(v) if v[0].field == "role")
    );
}

#[tokio::test]
async fn sessions_are_created_read_and_blocked() {
    let db = TestDb::new().await;
    let user = create_random_user(&db.store).await;
    let client = db.store.client().await.expect("client");
    let id = Uuid::new_v4();
    let expires_at = Utc::now() + Duration::hours(24);
    let token = random_string(40);

    let session = create_session()
        .bind(
            &client,
            &id,
            &user.username,
            &token,
            &"curl/8",
            &"127.0.0.1",
            &false,
            &expires_at,
        )
        .one()
        .await
        .expect("create session");
    let found = get_session()
        .bind(&client, &id)
        .one()
        .await
        .expect("get session");
    let blocked = block_session()
        .bind(&client, &id)
        .one()
        .await
        .expect("block session");

    assert_eq!(
        (session.id, &session.username, &session.refresh_token),
        (id, &user.username, &token)
    );
    assert!(!session.is_blocked);
    assert_eq!(
        session.expires_at.timestamp_micros(),
        expires_at.timestamp_micros()
    );
    assert_eq!(found, session);
    assert!(blocked.is_blocked);
    assert_eq!(
        simplebank::store::Session {
            is_blocked: false,
            ..blocked
        },
        session
    );
}

#[tokio::test]
async fn failed_logins_count_per_username_and_address_and_reset() {
    let db = TestDb::new().await;
    let client = db.store.client().await.expect("client");
    let window = 900.0;
    let counts = |username: &'static str, address: &'static str| {
        let client = &client;
        async move {
            let counts = count_failed_logins()
                .bind(client, &username, &window, &address)
                .one()
                .await
                .expect("count");
            (counts.username_failures, counts.address_failures)
        }
    };
    assert_eq!(counts("alice", "10.0.0.1").await, (0, 0));

    for (username, address) in [
        ("alice", "10.0.0.1"),
        ("alice", "10.0.0.2"),
        ("bob", "10.0.0.1"),
    ] {
        let written = record_failed_login()
            .bind(&client, &username, &address, &window)
            .await
            .expect("record");
        assert_eq!(written, 2, "one row per username and per address");
    }
    assert_eq!(counts("alice", "10.0.0.1").await, (2, 2));
    assert_eq!(counts("bob", "10.0.0.2").await, (1, 1));

    let reset = reset_failed_logins_of_username()
        .bind(&client, &"alice")
        .await
        .expect("reset");
    assert_eq!(reset, 1);
    assert_eq!(
        counts("alice", "10.0.0.1").await,
        (0, 2),
        "the address keeps its count"
    );

    // A window that has passed counts as none, and the next failure restarts it at one.
    client
        .execute(
            "UPDATE failed_logins SET window_started_at = now() - interval '1 hour'",
            &[],
        )
        .await
        .expect("age the counters");
    assert_eq!(counts("bob", "10.0.0.1").await, (0, 0));
    record_failed_login()
        .bind(&client, &"bob", &"10.0.0.1", &window)
        .await
        .expect("record");
    assert_eq!(counts("bob", "10.0.0.1").await, (1, 1));
}

/// The store's sessions run each prepared statement with its generic plan, the plan
/// `make query-vet` checks, and with the timeouts set: all as startup options.
#[tokio::test]
async fn pooled_sessions_plan_generically_with_bounded_waits() {
    let db = TestDb::new().await;
    let client = db.store.client().await.expect("client");

    let mut settings = Vec::new();
    for name in ["plan_cache_mode", "lock_timeout", "statement_timeout"] {
        let row = client
            .query_one(&format!("SHOW {name}"), &[])
            .await
            .unwrap_or_else(|err| panic!("SHOW {name}: {err:?}"));
        settings.push(row.get::<_, String>(0));
    }

    assert_eq!(settings[0], "force_generic_plan");
    assert_ne!(settings[1], "0", "lock_timeout is set");
    assert_ne!(settings[2], "0", "statement_timeout is set");
}
