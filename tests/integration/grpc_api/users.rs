//! CreateUser, GetMe, UpdateUser (proto3 `optional` fields for presence).

use simplebank::{grpc::pb, token::TokenKind};
use tonic::{Code, Response, Status};

use super::{GrpcApp, assert_code, assert_field_violations, authed, instant, ok};
use crate::{
    http_api::{TestUser, payload},
    random::{random_email, random_owner},
};

fn new_user(username: &str, email: &str) -> pb::CreateUserRequest {
    pb::CreateUserRequest {
        username: username.to_owned(),
        password: "secret123".to_owned(),
        full_name: "Alice Liddell".to_owned(),
        email: email.to_owned(),
    }
}

/// The fields an UpdateUser sets; `None` leaves a field out (proto3 `optional`).
#[derive(Default)]
struct Changes<'a> {
    full_name: Option<&'a str>,
    email: Option<&'a str>,
    password: Option<&'a str>,
}

/// UpdateUser of `username`, as `caller`.
async fn update(
    app: &GrpcApp,
    caller: &TestUser,
    username: &str,
    changes: Changes<'_>,
) -> Result<Response<pb::UpdateUserResponse>, Status> {
    let request = pb::UpdateUserRequest {
        username: username.to_owned(),
        full_name: changes.full_name.map(str::to_owned),
        email: changes.email.map(str::to_owned),
        password: changes.password.map(str::to_owned),
    };
    app.client()
        .update_user(authed(request, &caller.token))
        .await
}

/// The user of a successful UpdateUser.
#[track_caller]
fn updated(result: Result<Response<pb::UpdateUserResponse>, Status>) -> pb::User {
    ok(result).user.expect("the user")
}

async fn me(app: &GrpcApp, token: &str) -> pb::User {
    ok(app
        .client()
        .get_me(authed(pb::GetMeRequest {}, token))
        .await)
    .user
    .expect("the user")
}

// ---- CreateUser ----

#[tokio::test]
async fn creating_a_user_returns_the_user() {
    let app = GrpcApp::spawn().await;
    let username = random_owner();

    let response = ok(app
        .client()
        .create_user(new_user(&username, "Alice@Example.com"))
        .await);

    let user = response.user.expect("the user");
    assert_eq!(user.username, username);
    assert_eq!(user.full_name, "Alice Liddell");
    assert_eq!(user.email, "Alice@Example.com", "stored as given");
    assert_eq!(user.role, "depositor");
    let created = instant(user.created_at.as_ref());
    assert!(created.0 > 0, "a real creation time");
    instant(user.password_changed_at.as_ref());
}

#[tokio::test]
async fn creating_a_user_reports_every_invalid_field_at_once() {
    let app = GrpcApp::spawn().await;

    let invalid = app
        .client()
        .create_user(pb::CreateUserRequest {
            username: "Not Valid!".to_owned(),
            password: "123".to_owned(),
            full_name: "x".to_owned(),
            email: "not-an-email".to_owned(),
        })
        .await;
    let empty = app
        .client()
        .create_user(pb::CreateUserRequest::default())
        .await;

    assert_field_violations(invalid, &["username", "password", "full_name", "email"]);
    assert_field_violations(empty, &["username", "password", "full_name", "email"]);
}

#[tokio::test]
async fn a_taken_username_already_exists() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = app
        .client()
        .create_user(new_user(&user.username, &random_email()))
        .await;

    assert_code(result, Code::AlreadyExists);
}

#[tokio::test]
async fn a_taken_email_in_another_case_already_exists() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = app
        .client()
        .create_user(new_user(&random_owner(), &user.email.to_uppercase()))
        .await;

    assert_code(result, Code::AlreadyExists);
}

// ---- GetMe ----

#[tokio::test]
async fn me_is_the_caller() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let found = me(&app, &user.token).await;

    assert_eq!(found.username, user.username);
    assert_eq!(found.full_name, user.full_name);
    assert_eq!(found.email, user.email);
    assert_eq!(found.role, "depositor");
}

#[tokio::test]
async fn me_for_a_valid_token_of_a_user_that_no_longer_exists_is_not_found() {
    let app = GrpcApp::spawn().await;
    let ghost = app
        .server
        .token_with(&payload("ghost_user", TokenKind::Access, 0, 600));

    let result = app
        .client()
        .get_me(authed(pb::GetMeRequest {}, &ghost))
        .await;

    assert_code(result, Code::NotFound);
}

// ---- UpdateUser ----

#[tokio::test]
async fn only_the_fields_present_in_an_update_change() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let new_name = Changes {
        full_name: Some("Renamed Person"),
        ..Default::default()
    };

    let result = update(&app, &user, &user.username, new_name).await;

    let changed = updated(result);
    assert_eq!(changed.full_name, "Renamed Person");
    assert_eq!(changed.email, user.email, "an absent email is kept");
    let found = me(&app, &user.token).await;
    assert_eq!(
        (found.full_name.as_str(), found.email.as_str()),
        ("Renamed Person", user.email.as_str())
    );
    ok(app
        .client()
        .login_user(pb::LoginUserRequest {
            username: user.username.clone(),
            password: user.password.clone(),
        })
        .await);
}

#[tokio::test]
async fn a_depositor_changes_their_own_email() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let new_email = random_email();
    let changes = Changes {
        email: Some(&new_email),
        ..Default::default()
    };

    let changed = updated(update(&app, &user, &user.username, changes).await);

    assert_eq!(changed.email, new_email);
    assert_eq!(changed.full_name, user.full_name, "an absent name is kept");
}

#[tokio::test]
async fn a_new_password_works_for_login_and_moves_password_changed_at() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let before = me(&app, &user.token).await;
    let changes = Changes {
        password: Some("a brand new secret"),
        ..Default::default()
    };

    let changed = updated(update(&app, &user, &user.username, changes).await);

    assert!(
        instant(changed.password_changed_at.as_ref())
            > instant(before.password_changed_at.as_ref()),
        "password_changed_at moved"
    );
    assert_eq!(changed.full_name, user.full_name, "other fields kept");
    let login = |password: &str| {
        let mut client = app.client();
        let request = pb::LoginUserRequest {
            username: user.username.clone(),
            password: password.to_owned(),
        };
        async move { client.login_user(request).await }
    };
    ok(login("a brand new secret").await);
    assert_code(login(&user.password).await, Code::Unauthenticated);
}

#[tokio::test]
async fn a_present_but_empty_field_is_invalid_unlike_an_absent_one() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let empty_name = Changes {
        full_name: Some(""),
        ..Default::default()
    };

    let result = update(&app, &user, &user.username, empty_name).await;

    assert_field_violations(result, &["full_name"]);
}

#[tokio::test]
async fn an_update_without_any_field_is_invalid() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = update(&app, &user, &user.username, Changes::default()).await;

    assert_field_violations(result, &["request"]);
}

#[tokio::test]
async fn an_update_reports_every_invalid_field_at_once() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let all_invalid = Changes {
        full_name: Some("x"),
        email: Some("nope"),
        password: Some("123"),
    };

    let result = update(&app, &user, &user.username, all_invalid).await;

    assert_field_violations(result, &["full_name", "email", "password"]);
}

#[tokio::test]
async fn an_update_of_an_invalid_username_is_invalid() {
    let app = GrpcApp::spawn().await;
    let banker = app.a_banker().await;
    let new_name = Changes {
        full_name: Some("Any Name"),
        ..Default::default()
    };

    let result = update(&app, &banker, "Not-A-Name", new_name).await;

    assert_field_violations(result, &["username"]);
}

#[tokio::test]
async fn a_banker_changes_another_user() {
    let app = GrpcApp::spawn().await;
    let banker = app.a_banker().await;
    let customer = app.a_user().await;
    let new_name = Changes {
        full_name: Some("Changed By Banker"),
        ..Default::default()
    };

    let changed = updated(update(&app, &banker, &customer.username, new_name).await);

    assert_eq!(changed.username, customer.username);
    assert_eq!(changed.full_name, "Changed By Banker");
}

#[tokio::test]
async fn a_depositor_changing_another_user_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let mallory = app.a_user().await;
    let victim = app.a_user().await;
    let new_email = random_email();
    let changes = Changes {
        email: Some(&new_email),
        ..Default::default()
    };

    let result = update(&app, &mallory, &victim.username, changes).await;

    assert_code(result, Code::PermissionDenied);
    assert_eq!(
        me(&app, &victim.token).await.email,
        victim.email,
        "unchanged"
    );
}

#[tokio::test]
async fn a_banker_changing_an_unknown_user_is_not_found() {
    let app = GrpcApp::spawn().await;
    let banker = app.a_banker().await;
    let new_name = Changes {
        full_name: Some("Ghost Writer"),
        ..Default::default()
    };

    let result = update(&app, &banker, "nobody_here", new_name).await;

    assert_code(result, Code::NotFound);
}

#[tokio::test]
async fn an_update_to_a_taken_email_already_exists() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let other = app.a_user().await;
    let taken = other.email.to_uppercase();
    let changes = Changes {
        email: Some(&taken),
        ..Default::default()
    };

    let result = update(&app, &user, &user.username, changes).await;

    assert_code(result, Code::AlreadyExists);
}
