//! Random test data, as the course's `util/random.go`, and fixtures built from it.

use codegen::queries::{accounts::create_account, users::create_user};
use rand::{Rng, distr::Alphanumeric};
use simplebank::{
    domain::Currency,
    store::{Account, Store, User},
};

pub fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(|c| char::from(c).to_ascii_lowercase())
        .collect()
}

pub fn random_int(min: i64, max: i64) -> i64 {
    rand::rng().random_range(min..=max)
}

pub fn random_owner() -> String {
    format!("u_{}", random_string(10))
}

pub fn random_money() -> i64 {
    random_int(1, 1000)
}

pub fn random_currency() -> Currency {
    Currency::ALL[rand::rng().random_range(0..Currency::ALL.len())]
}

pub fn random_email() -> String {
    format!("{}@example.com", random_string(8))
}

pub async fn create_random_user(store: &Store) -> User {
    let client = store.client().await.expect("client");
    let username = random_owner();
    let user = create_user()
        .bind(
            &client,
            &username,
            &"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
            &format!("Full {}", random_string(6)),
            &random_email(),
        )
        .one()
        .await
        .expect("create user");
    assert_eq!(user.username, username);
    user
}

/// An account of a new user with a random balance in a random currency.
pub async fn create_random_account(store: &Store) -> Account {
    let owner = create_random_user(store).await;
    create_account_with(store, &owner.username, random_money(), random_currency()).await
}

pub async fn create_account_with(
    store: &Store,
    owner: &str,
    balance: i64,
    currency: Currency,
) -> Account {
    let client = store.client().await.expect("client");
    create_account()
        .bind(&client, &owner, &balance, &currency.as_str())
        .one()
        .await
        .expect("create account")
}
