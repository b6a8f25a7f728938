//! `POST /users`, `GET /users/me`, `PATCH /users/{username}`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{
    TestApp, assert_error, assert_field_violations, json_of, random_full_name, send, timestamp,
};
use crate::random::{random_email, random_owner};

// ---- POST /users ----

#[tokio::test]
async fn creating_a_user_returns_the_user_without_the_password_hash() {
    let app = TestApp::spawn().await;
    let username = random_owner();

    let response = app
        .create_user(&json!({
            "username": username,
            "password": "secret123",
            "full_name": "Alice Liddell",
            "email": "Alice@Example.com",
        }))
        .await;

    let body = json_of(response, StatusCode::CREATED).await;
    assert_eq!(body["username"], username.as_str());
    assert_eq!(body["full_name"], "Alice Liddell");
    assert_eq!(body["email"], "Alice@Example.com", "stored as given");
    assert_eq!(body["role"], "depositor");
    timestamp(&body["created_at"]);
    timestamp(&body["password_changed_at"]);
    let mut keys: Vec<_> = body
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "email",
            "full_name",
            "password_changed_at",
            "role",
            "username"
        ],
        "the user, never the hash"
    );
    let hash: String = app
        .db
        .connect()
        .await
        .query_one(
            "SELECT hashed_password FROM users WHERE username = $1",
            &[&username],
        )
        .await
        .expect("the user's row")
        .get(0);
    assert!(hash.starts_with("$argon2id$"), "an argon2id PHC string");
}

#[tokio::test]
async fn creating_a_user_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;

    let response = app
        .create_user(&json!({
            "username": "Not Valid!",
            "password": "12345",
            "full_name": "R2 D2",
            "email": "not-an-address",
        }))
        .await;

    assert_field_violations(response, &["username", "password", "full_name", "email"]).await;
}

#[tokio::test]
async fn creating_a_user_reports_missing_fields_as_invalid() {
    let app = TestApp::spawn().await;

    let response = app
        .create_user(&json!({ "full_name": "Alice Liddell" }))
        .await;

    assert_field_violations(response, &["username", "password", "email"]).await;
}

#[tokio::test]
async fn creating_a_user_ignores_unknown_fields() {
    let app = TestApp::spawn().await;

    let response = app
        .create_user(&json!({
            "username": random_owner(),
            "password": "secret123",
            "full_name": random_full_name(),
            "email": random_email(),
            "role": "banker",
            "favourite_colour": "green",
        }))
        .await;

    let body = json_of(response, StatusCode::CREATED).await;
    assert_eq!(body["role"], "depositor", "a client cannot choose its role");
}

#[tokio::test]
async fn creating_a_user_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;

    let response = send(
        app.request(Method::POST, "/users")
            .header("content-type", "application/json")
            .body(r#"{"username": "alice", "password": "#),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

#[tokio::test]
async fn a_taken_username_is_a_conflict() {
    let app = TestApp::spawn().await;
    let existing = app.a_user().await;

    let response = app
        .create_user(&json!({
            "username": existing.username,
            "password": "secret123",
            "full_name": random_full_name(),
            "email": random_email(),
        }))
        .await;

    let body = assert_error(response, StatusCode::CONFLICT, "already_exists").await;
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("username"),
        "names what is taken: {body}"
    );
}

#[tokio::test]
async fn a_taken_email_in_another_case_is_a_conflict() {
    let app = TestApp::spawn().await;
    let existing = app.a_user().await;

    let response = app
        .create_user(&json!({
            "username": random_owner(),
            "password": "secret123",
            "full_name": random_full_name(),
            "email": existing.email.to_uppercase(),
        }))
        .await;

    let body = assert_error(response, StatusCode::CONFLICT, "already_exists").await;
    assert!(
        body["error"].as_str().unwrap_or_default().contains("email"),
        "names what is taken: {body}"
    );
}

// ---- GET /users/me ----

#[tokio::test]
async fn me_is_the_caller() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let _someone_else = app.a_user().await;

    let response = app.get_me(&user.token).await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["username"], user.username.as_str());
    assert_eq!(body["full_name"], user.full_name.as_str());
    assert_eq!(body["email"], user.email.as_str());
    assert_eq!(body["role"], "depositor");
    assert!(body.get("hashed_password").is_none());
}

#[tokio::test]
async fn me_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = app.get("/users/me").await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

// ---- PATCH /users/{username} ----

#[tokio::test]
async fn a_depositor_changes_their_own_name_and_email() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let new_email = random_email();

    let response = app
        .update_user(
            &user.token,
            &user.username,
            &json!({ "full_name": "Renamed Person", "email": new_email }),
        )
        .await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["full_name"], "Renamed Person");
    assert_eq!(body["email"], new_email.as_str());
    let me = json_of(app.get_me(&user.token).await, StatusCode::OK).await;
    assert_eq!(me["full_name"], "Renamed Person");
    assert_eq!(me["email"], new_email.as_str());
}

#[tokio::test]
async fn a_new_password_works_for_login_and_moves_password_changed_at() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let before = json_of(app.get_me(&user.token).await, StatusCode::OK).await;

    let response = app
        .update_user(
            &user.token,
            &user.username,
            &json!({ "password": "a brand new secret" }),
        )
        .await;

    let body = json_of(response, StatusCode::OK).await;
    assert!(
        timestamp(&body["password_changed_at"]) > timestamp(&before["password_changed_at"]),
        "password_changed_at moved: {before} -> {body}"
    );
    assert_eq!(
        body["full_name"],
        user.full_name.as_str(),
        "other fields kept"
    );
    let new_login = app.login_as(&user.username, "a brand new secret").await;
    assert_eq!(new_login.status(), StatusCode::OK, "the new password works");
    let old_login = app.login_as(&user.username, &user.password).await;
    assert_error(old_login, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_depositor_cannot_make_themself_a_banker() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .update_user(
            &user.token,
            &user.username,
            &json!({ "role": "banker", "full_name": "Sneaky Person" }),
        )
        .await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(
        body["role"], "depositor",
        "role is not a field of the update"
    );
    assert_eq!(body["full_name"], "Sneaky Person");
}

#[tokio::test]
async fn a_banker_changes_another_user() {
    let app = TestApp::spawn().await;
    let banker = app.a_banker().await;
    let customer = app.a_user().await;

    let response = app
        .update_user(
            &banker.token,
            &customer.username,
            &json!({ "full_name": "Changed By Banker" }),
        )
        .await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(body["username"], customer.username.as_str());
    assert_eq!(body["full_name"], "Changed By Banker");
}

#[tokio::test]
async fn a_depositor_changing_another_user_is_forbidden() {
    let app = TestApp::spawn().await;
    let mallory = app.a_user().await;
    let victim = app.a_user().await;

    let response = app
        .update_user(
            &mallory.token,
            &victim.username,
            &json!({ "email": random_email() }),
        )
        .await;

    assert_error(response, StatusCode::FORBIDDEN, "permission_denied").await;
    let me = json_of(app.get_me(&victim.token).await, StatusCode::OK).await;
    assert_eq!(me["email"], victim.email.as_str(), "nothing changed");
}

#[tokio::test]
async fn a_banker_changing_an_unknown_user_gets_not_found() {
    let app = TestApp::spawn().await;
    let banker = app.a_banker().await;

    let response = app
        .update_user(
            &banker.token,
            "nobody_here",
            &json!({ "full_name": "Ghost Writer" }),
        )
        .await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_update_without_any_field_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .update_user(&user.token, &user.username, &json!({}))
        .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

#[tokio::test]
async fn an_update_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .update_user(
            &user.token,
            &user.username,
            &json!({ "full_name": "x", "email": "nope", "password": "123" }),
        )
        .await;

    assert_field_violations(response, &["full_name", "email", "password"]).await;
}

#[tokio::test]
async fn an_update_to_a_taken_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let other = app.a_user().await;

    let response = app
        .update_user(
            &user.token,
            &user.username,
            &json!({ "email": other.email.to_uppercase() }),
        )
        .await;

    assert_error(response, StatusCode::CONFLICT, "already_exists").await;
}

#[tokio::test]
async fn an_update_with_an_invalid_username_in_the_path_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let banker = app.a_banker().await;

    let response = app
        .update_user(
            &banker.token,
            "Not-A-Name",
            &json!({ "full_name": "Any Name" }),
        )
        .await;

    assert_field_violations(response, &["username"]).await;
}

#[tokio::test]
async fn an_update_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = send(
        app.authed(
            Method::PATCH,
            &format!("/users/{}", user.username),
            &user.token,
        )
        .header("content-type", "application/json")
        .body("{\"full_name\": "),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

#[tokio::test]
async fn an_update_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = send(
        app.request(Method::PATCH, &format!("/users/{}", user.username))
            .json(&json!({ "full_name": "Any Name" })),
    )
    .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn the_words_of_the_users_routes_are_not_usernames() {
    // Found by `make api-fuzz`: `PATCH /users/me` and `PATCH /users/login` reached
    // "change the user `me` / `login`", and a 405 on `/users/login` advertised PATCH.
    // They are other routes: no user may take those names, and PATCH there is 405.
    let app = TestApp::spawn().await;
    let banker = app.a_banker().await;

    for name in ["login", "logout"] {
        let response = app
            .create_user(&json!({
                "username": name,
                "password": "secret123",
                "full_name": "Route Name",
                "email": format!("{name}@example.com"),
            }))
            .await;
        let body = assert_field_violations(response, &["username"]).await;
        assert_eq!(body["field_violations"][0]["description"], "is reserved");
    }
    for path in ["/users/me", "/users/login", "/users/logout"] {
        let response = send(
            app.authed(Method::PATCH, path, &banker.token)
                .json(&json!({ "full_name": "New Name" })),
        )
        .await;
        let allow = response
            .headers()
            .get("allow")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
        assert!(!allow.contains("PATCH"), "{path}: Allow: {allow}");
    }
}

#[tokio::test]
async fn a_null_field_in_a_user_update_is_invalid_not_ignored() {
    // Found by `make api-fuzz`: `null` is not a string (the spec says so), yet the
    // update went through as if the field were absent.
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .update_user(
            &user.token,
            &user.username,
            &json!({ "full_name": "New Name", "password": null }),
        )
        .await;

    assert_field_violations(response, &["body"]).await;
    let me = json_of(app.get_me(&user.token).await, StatusCode::OK).await;
    assert_ne!(me["full_name"], "New Name", "nothing changed");
}
