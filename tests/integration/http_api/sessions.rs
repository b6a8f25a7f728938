//! `POST /users/login`, `POST /tokens/renew_access`, `POST /users/logout`, bearer
//! authentication, failed-login limiting, and the JWT token kind.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use simplebank::{service::LoginLimiter, token::TokenKind};
use uuid::Uuid;

use super::{
    TestApp, assert_error, assert_field_violations, json_of, payload, send, string, timestamp,
    token_from_another_key,
};

// ---- POST /users/login ----

#[tokio::test]
async fn login_returns_both_tokens_the_session_and_the_user() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = send(
        app.request(Method::POST, "/users/login")
            .header("user-agent", "http-api-test/1.0")
            .json(&json!({ "username": user.username, "password": user.password })),
    )
    .await;

    let body = json_of(response, StatusCode::OK).await;
    let access = string(&body["access_token"]);
    let refresh = string(&body["refresh_token"]);
    assert_ne!(access, refresh);
    let session_id: Uuid = string(&body["session_id"]).parse().expect("a UUID");
    let now = chrono::Utc::now();
    let access_expiry = timestamp(&body["access_token_expires_at"]);
    let refresh_expiry = timestamp(&body["refresh_token_expires_at"]);
    assert!(access_expiry > now && access_expiry <= now + chrono::Duration::minutes(16));
    assert!(refresh_expiry > access_expiry);
    assert_eq!(body["user"]["username"], user.username.as_str());
    assert!(body["user"].get("hashed_password").is_none());

    let row = app
        .db
        .connect()
        .await
        .query_one(
            "SELECT username, refresh_token, user_agent, client_ip, is_blocked FROM sessions WHERE id = $1",
            &[&session_id],
        )
        .await
        .expect("a session row with the session id");
    assert_eq!(row.get::<_, String>(0), user.username);
    assert_eq!(row.get::<_, String>(1), refresh);
    assert_eq!(row.get::<_, String>(2), "http-api-test/1.0");
    assert_eq!(row.get::<_, String>(3), "127.0.0.1");
    assert!(!row.get::<_, bool>(4));

    let me = app.get_me(&access).await;
    assert_eq!(me.status(), StatusCode::OK, "the access token works");
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let wrong_password = app.login_as(&user.username, "not the password").await;
    let unknown_user = app.login_as("nobody_at_all", "not the password").await;

    let wrong_password =
        assert_error(wrong_password, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let unknown_user =
        assert_error(unknown_user, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(
        wrong_password, unknown_user,
        "the body does not tell which one was wrong"
    );
}

#[tokio::test]
async fn login_reports_every_invalid_field_at_once() {
    let app = TestApp::spawn().await;

    let response = app.login(&json!({ "username": "A!" })).await;

    assert_field_violations(response, &["username", "password"]).await;
}

#[tokio::test]
async fn login_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;

    let response = send(
        app.request(Method::POST, "/users/login")
            .header("content-type", "application/json")
            .body("[1, 2"),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

// ---- failed-login limiting ----

#[tokio::test]
async fn the_eleventh_failed_login_for_a_username_is_rate_limited() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    for attempt in 1..=10 {
        let response = app.login_as(&user.username, "wrong password").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "failure {attempt} is still a plain 401"
        );
    }
    let eleventh = app.login_as(&user.username, "wrong password").await;
    let with_the_right_password = app.login_as(&user.username, &user.password).await;

    // The spec promises Retry-After on 429: at most the limiter's window.
    let retry_after = eleventh.headers().get("retry-after").cloned();
    assert_eq!(
        retry_after.as_ref().and_then(|v| v.to_str().ok()),
        Some("900")
    );
    assert_error(eleventh, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_error(
        with_the_right_password,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    let another_user = app.a_user().await;
    let unaffected = app
        .login_as(&another_user.username, &another_user.password)
        .await;
    assert_eq!(
        unaffected.status(),
        StatusCode::OK,
        "other users can log in"
    );
}

#[tokio::test]
async fn a_successful_login_resets_the_usernames_failure_count() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    for _ in 0..9 {
        let response = app.login_as(&user.username, "wrong password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let success = app.login_as(&user.username, &user.password).await;

    assert_eq!(success.status(), StatusCode::OK);
    for attempt in 1..=10 {
        let response = app.login_as(&user.username, "wrong password").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "failure {attempt} after the reset is counted from zero"
        );
    }
    let over_the_limit = app.login_as(&user.username, "wrong password").await;
    assert_error(
        over_the_limit,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn too_many_failed_logins_from_one_address_are_rate_limited() {
    // Behind a trusted proxy the address comes from X-Forwarded-For.
    let app = TestApp::build(
        |values| {
            values.insert("TRUST_FORWARDED_FOR".into(), "true".into());
        },
        Some(LoginLimiter::new(Duration::from_secs(15 * 60), 100, 3)),
    )
    .await;
    let user = app.a_user().await;
    let login_from = |address: &'static str, username: String, password: String| {
        send(
            app.request(Method::POST, "/users/login")
                .header("x-forwarded-for", address)
                .json(&json!({ "username": username, "password": password })),
        )
    };
    for name in ["guess_one", "guess_two", "guess_three"] {
        let response = login_from("203.0.113.7", name.to_owned(), "password1".to_owned()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let same_address =
        login_from("203.0.113.7", user.username.clone(), user.password.clone()).await;
    let other_address =
        login_from("198.51.100.9", user.username.clone(), user.password.clone()).await;

    assert_error(same_address, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(other_address.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_forged_forwarded_for_does_not_escape_the_address_limit() {
    // Not behind a trusted proxy (the default): X-Forwarded-For is the client's word, ignored.
    let app =
        TestApp::spawn_with_login_limiter(LoginLimiter::new(Duration::from_secs(15 * 60), 100, 3))
            .await;
    let user = app.a_user().await;
    let login_from = |address: &'static str, username: String, password: String| {
        send(
            app.request(Method::POST, "/users/login")
                .header("x-forwarded-for", address)
                .json(&json!({ "username": username, "password": password })),
        )
    };
    for (name, address) in [
        ("guess_one", "192.0.2.1"),
        ("guess_two", "192.0.2.2"),
        ("guess_three", "192.0.2.3"),
    ] {
        let response = login_from(address, name.to_owned(), "password1".to_owned()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let from_a_new_forged_address =
        login_from("192.0.2.4", user.username.clone(), user.password.clone()).await;

    assert_error(
        from_a_new_forged_address,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

// ---- POST /tokens/renew_access ----

#[tokio::test]
async fn renew_gives_a_working_access_token() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;

    let body = json_of(response, StatusCode::OK).await;
    let access = string(&body["access_token"]);
    assert!(timestamp(&body["access_token_expires_at"]) > chrono::Utc::now());
    let me = json_of(app.get_me(&access).await, StatusCode::OK).await;
    assert_eq!(me["username"], user.username.as_str());
}

#[tokio::test]
async fn renew_with_an_access_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .renew_access(&json!({ "refresh_token": user.token }))
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_after_logout_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let logout = app
        .logout(&json!({ "refresh_token": user.refresh_token }))
        .await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    let response = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_for_an_expired_session_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let session_id: Uuid = user.session_id.parse().expect("a UUID");
    app.execute(
        "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE id = $1",
        &[&session_id],
    )
    .await;

    let response = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_with_a_token_that_is_not_the_sessions_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let session_id: Uuid = user.session_id.parse().expect("a UUID");
    app.execute(
        "UPDATE sessions SET refresh_token = 'a-different-token' WHERE id = $1",
        &[&session_id],
    )
    .await;

    let response = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_for_a_session_of_another_user_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let other = app.a_user().await;
    let session_id: Uuid = user.session_id.parse().expect("a UUID");
    app.execute(
        "UPDATE sessions SET username = $1 WHERE id = $2",
        &[&other.username, &session_id],
    )
    .await;

    let response = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_with_a_refresh_token_that_has_no_session_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let orphan = app.token_with(&payload(&user.username, TokenKind::Refresh, 0, 3600));

    let response = app.renew_access(&json!({ "refresh_token": orphan })).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_with_an_expired_refresh_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let expired = app.token_with(&payload(&user.username, TokenKind::Refresh, -7200, -3600));

    let response = app.renew_access(&json!({ "refresh_token": expired })).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_with_a_garbage_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = app
        .renew_access(&json!({ "refresh_token": "v4.local.not-a-token" }))
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn renew_without_a_refresh_token_is_a_bad_request() {
    let app = TestApp::spawn().await;

    let response = app.renew_access(&json!({})).await;

    assert_field_violations(response, &["refresh_token"]).await;
}

#[tokio::test]
async fn renew_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;

    let response = send(
        app.request(Method::POST, "/tokens/renew_access")
            .header("content-type", "application/json")
            .body("refresh_token=abc"),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

// ---- POST /users/logout ----

#[tokio::test]
async fn logout_blocks_the_session() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app
        .logout(&json!({ "refresh_token": user.refresh_token }))
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.text().await.expect("a body").is_empty());
    let session_id: Uuid = user.session_id.parse().expect("a UUID");
    let blocked: bool = app
        .db
        .connect()
        .await
        .query_one(
            "SELECT is_blocked FROM sessions WHERE id = $1",
            &[&session_id],
        )
        .await
        .expect("the session row")
        .get(0);
    assert!(blocked);
}

#[tokio::test]
async fn logout_leaves_other_sessions_open() {
    let app = TestApp::spawn().await;
    let mut user = app.a_user().await;
    let first_refresh = user.refresh_token.clone();
    app.log_in(&mut user).await;

    let logout = app.logout(&json!({ "refresh_token": first_refresh })).await;

    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let renew = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;
    assert_eq!(
        renew.status(),
        StatusCode::OK,
        "the second session still renews"
    );
}

#[tokio::test]
async fn logout_with_an_access_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.logout(&json!({ "refresh_token": user.token })).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let renew = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;
    assert_eq!(renew.status(), StatusCode::OK, "the session is still open");
}

#[tokio::test]
async fn logout_without_a_refresh_token_is_a_bad_request() {
    let app = TestApp::spawn().await;

    let response = app.logout(&json!({ "refresh_token": "" })).await;

    assert_field_violations(response, &["refresh_token"]).await;
}

#[tokio::test]
async fn logout_with_malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;

    let response = send(
        app.request(Method::POST, "/users/logout")
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_argument").await;
}

// ---- bearer authentication (on GET /users/me) ----

async fn me_with_authorization(app: &TestApp, authorization: &str) -> reqwest::Response {
    send(
        app.request(Method::GET, "/users/me")
            .header("authorization", authorization),
    )
    .await
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = me_with_authorization(&app, &format!("bEaReR {}", user.token)).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn another_authorization_scheme_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = me_with_authorization(&app, &format!("Basic {}", user.token)).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_bearer_header_without_a_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = me_with_authorization(&app, "Bearer").await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_garbage_token_is_unauthenticated() {
    let app = TestApp::spawn().await;

    let response = me_with_authorization(&app, "Bearer not.a.token").await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn an_expired_access_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let expired = app.token_with(&payload(&user.username, TokenKind::Access, -7200, -1));

    let response = app.get_me(&expired).await;

    let body = assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "says why: {body}"
    );
}

#[tokio::test]
async fn a_refresh_token_cannot_stand_in_for_an_access_token() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.get_me(&user.refresh_token).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_token_made_with_another_key_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;

    let response = app.get_me(&token_from_another_key(&user.username)).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_tampered_token_is_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.a_user().await;
    let mut tampered = user.token.clone().into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("still ASCII");

    let response = app.get_me(&tampered).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

// ---- JWT ----

#[tokio::test]
async fn with_token_kind_jwt_login_gives_a_working_jwt() {
    let app = TestApp::spawn_with(|values| {
        values.insert("TOKEN_KIND".into(), "jwt".into());
    })
    .await;
    let user = app.a_user().await;

    let me = app.get_me(&user.token).await;
    let renew = app
        .renew_access(&json!({ "refresh_token": user.refresh_token }))
        .await;

    assert_eq!(user.token.split('.').count(), 3, "header.claims.signature");
    assert!(user.token.starts_with("eyJ"), "a base64url JSON header");
    let me = json_of(me, StatusCode::OK).await;
    assert_eq!(me["username"], user.username.as_str());
    let renewed: Value = json_of(renew, StatusCode::OK).await;
    let renewed_access = string(&renewed["access_token"]);
    assert_eq!(app.get_me(&renewed_access).await.status(), StatusCode::OK);
    let refresh_as_access = app.get_me(&user.refresh_token).await;
    assert_error(
        refresh_as_access,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn a_jwt_server_refuses_a_paseto_token() {
    let app = TestApp::spawn_with(|values| {
        values.insert("TOKEN_KIND".into(), "jwt".into());
    })
    .await;
    let user = app.a_user().await;
    let paseto = simplebank::token::PasetoMaker::new(super::TEST_TOKEN_KEY.as_bytes())
        .and_then(|maker| {
            use simplebank::token::TokenMaker;
            maker.create(&payload(&user.username, TokenKind::Access, 0, 600))
        })
        .expect("a PASETO token with the server's key");

    let response = app.get_me(&paseto).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_jwt_server_refuses_an_unsigned_alg_none_token() {
    /// Base64url of `{"alg":"none","typ":"JWT"}`.
    const ALG_NONE_HEADER: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    let app = TestApp::spawn_with(|values| {
        values.insert("TOKEN_KIND".into(), "jwt".into());
    })
    .await;
    let user = app.a_user().await;
    let claims = user
        .token
        .split('.')
        .nth(1)
        .expect("the claims of a real token");
    let unsigned = format!("{ALG_NONE_HEADER}.{claims}.");

    let response = app.get_me(&unsigned).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
