//! LoginUser, RenewAccessToken, Logout, and the `authorization` metadata that
//! every other RPC needs.

use std::time::Duration;

use simplebank::{grpc::pb, service::LoginLimiter, token::TokenKind};
use tonic::Code;
use uuid::Uuid;

use super::{
    GrpcApp, RPCS_THAT_NEED_A_CALLER, USER_AGENT, all_with, assert_code, assert_field_violations,
    authed, codes_of_rpcs_that_need_a_caller, ok, with_metadata,
};
use crate::http_api::{payload, token_from_another_key};

fn login(username: &str, password: &str) -> pb::LoginUserRequest {
    pb::LoginUserRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    }
}

fn refresh(token: &str) -> pb::RenewAccessTokenRequest {
    pb::RenewAccessTokenRequest {
        refresh_token: token.to_owned(),
    }
}

fn logout(token: &str) -> pb::LogoutRequest {
    pb::LogoutRequest {
        refresh_token: token.to_owned(),
    }
}

fn seconds_from_now(timestamp: Option<&prost_types::Timestamp>) -> i64 {
    timestamp.expect("a timestamp").seconds - chrono::Utc::now().timestamp()
}

// ---- LoginUser ----

#[tokio::test]
async fn login_returns_both_tokens_the_session_and_the_user() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let response = ok(app
        .client()
        .login_user(login(&user.username, &user.password))
        .await);

    let who = response.user.as_ref().expect("the user");
    assert_eq!(who.username, user.username);
    assert_eq!(who.full_name, user.full_name);
    assert_eq!(who.email, user.email);
    assert_eq!(who.role, "depositor");
    assert!(!response.access_token.is_empty());
    assert!(!response.refresh_token.is_empty());
    assert_ne!(response.access_token, response.refresh_token);
    assert!(seconds_from_now(response.access_token_expires_at.as_ref()) > 0);
    assert!(
        seconds_from_now(response.refresh_token_expires_at.as_ref())
            > seconds_from_now(response.access_token_expires_at.as_ref()),
        "the refresh token outlives the access token"
    );
    let session_id: Uuid = response.session_id.parse().expect("a UUID session id");
    let row = app
        .server
        .db
        .connect()
        .await
        .query_one(
            "SELECT username, user_agent, client_ip FROM sessions WHERE id = $1",
            &[&session_id],
        )
        .await
        .expect("the session row");
    assert_eq!(row.get::<_, String>(0), user.username);
    let user_agent: String = row.get(1);
    assert!(
        user_agent.starts_with(USER_AGENT),
        "the client's user agent: {user_agent}"
    );
    assert_eq!(row.get::<_, String>(2), "127.0.0.1", "the peer's address");
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let wrong_password = app
        .client()
        .login_user(login(&user.username, "not-the-password"))
        .await;
    let unknown_user = app
        .client()
        .login_user(login("nobody_here", "not-the-password"))
        .await;

    let wrong_password = assert_code(wrong_password, Code::Unauthenticated);
    let unknown_user = assert_code(unknown_user, Code::Unauthenticated);
    assert_eq!(wrong_password.message(), unknown_user.message());
}

#[tokio::test]
async fn login_reports_every_invalid_field_at_once() {
    let app = GrpcApp::spawn().await;

    let empty = app.client().login_user(login("", "")).await;
    let malformed = app.client().login_user(login("No Way!", "12")).await;

    assert_field_violations(empty, &["username", "password"]);
    assert_field_violations(malformed, &["username", "password"]);
}

#[tokio::test]
async fn too_many_failed_logins_for_a_username_exhaust_its_attempts() {
    let app =
        GrpcApp::spawn_with_login_limiter(LoginLimiter::new(Duration::from_secs(15 * 60), 3, 100))
            .await;
    let user = app.a_user().await;
    for attempt in 1..=3 {
        let failure = app
            .client()
            .login_user(login(&user.username, "wrong password"))
            .await;
        assert_eq!(
            super::code_of(failure),
            Code::Unauthenticated,
            "failure {attempt} is still Unauthenticated"
        );
    }

    let fourth = app
        .client()
        .login_user(login(&user.username, "wrong password"))
        .await;
    let with_the_right_password = app
        .client()
        .login_user(login(&user.username, &user.password))
        .await;

    assert_code(fourth, Code::ResourceExhausted);
    assert_code(with_the_right_password, Code::ResourceExhausted);
    let another_user = app.a_user().await;
    ok(app
        .client()
        .login_user(login(&another_user.username, &another_user.password))
        .await);
}

#[tokio::test]
async fn failed_logins_are_counted_per_peer_and_a_forged_forwarded_for_does_not_escape() {
    // Not behind a trusted proxy (the default): x-forwarded-for is the client's word.
    let app =
        GrpcApp::spawn_with_login_limiter(LoginLimiter::new(Duration::from_secs(15 * 60), 100, 3))
            .await;
    let user = app.a_user().await;
    for (name, forged) in [
        ("guess_one", "192.0.2.1"),
        ("guess_two", "192.0.2.2"),
        ("guess_three", "192.0.2.3"),
    ] {
        let failure = app
            .client()
            .login_user(with_metadata(
                login(name, "password1"),
                &[("x-forwarded-for", forged)],
            ))
            .await;
        assert_code(failure, Code::Unauthenticated);
    }

    let from_a_new_forged_address = app
        .client()
        .login_user(with_metadata(
            login(&user.username, &user.password),
            &[("x-forwarded-for", "192.0.2.4")],
        ))
        .await;

    assert_code(from_a_new_forged_address, Code::ResourceExhausted);
}

// ---- RenewAccessToken ----

#[tokio::test]
async fn renew_gives_a_working_access_token() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let renewed = ok(app
        .client()
        .renew_access_token(refresh(&user.refresh_token))
        .await);

    assert!(seconds_from_now(renewed.access_token_expires_at.as_ref()) > 0);
    let me = ok(app
        .client()
        .get_me(authed(pb::GetMeRequest {}, &renewed.access_token))
        .await);
    assert_eq!(me.user.expect("the user").username, user.username);
}

#[tokio::test]
async fn renew_needs_no_authorization_and_ignores_a_stale_access_token() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let expired = app
        .server
        .token_with(&payload(&user.username, TokenKind::Access, -7200, -1));

    let with_an_expired_token = app
        .client()
        .renew_access_token(authed(refresh(&user.refresh_token), &expired))
        .await;
    let with_garbage = app
        .client()
        .renew_access_token(with_metadata(
            refresh(&user.refresh_token),
            &[("authorization", "bearer not.a.token")],
        ))
        .await;

    ok(with_an_expired_token);
    ok(with_garbage);
}

#[tokio::test]
async fn renew_with_an_access_token_is_unauthenticated() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = app.client().renew_access_token(refresh(&user.token)).await;

    assert_code(result, Code::Unauthenticated);
}

#[tokio::test]
async fn renew_with_an_expired_refresh_token_is_unauthenticated() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let expired = app
        .server
        .token_with(&payload(&user.username, TokenKind::Refresh, -7200, -3600));

    let result = app.client().renew_access_token(refresh(&expired)).await;

    assert_code(result, Code::Unauthenticated);
}

#[tokio::test]
async fn renew_without_a_refresh_token_is_invalid() {
    let app = GrpcApp::spawn().await;

    let result = app.client().renew_access_token(refresh("")).await;

    assert_field_violations(result, &["refresh_token"]);
}

// ---- Logout ----

#[tokio::test]
async fn logout_blocks_the_session_and_its_refresh_token() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    ok(app.client().logout(logout(&user.refresh_token)).await);

    let renew = app
        .client()
        .renew_access_token(refresh(&user.refresh_token))
        .await;
    assert_code(renew, Code::Unauthenticated);
}

#[tokio::test]
async fn logout_needs_no_authorization_and_ignores_a_stale_access_token() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let expired = app
        .server
        .token_with(&payload(&user.username, TokenKind::Access, -7200, -1));

    let result = app
        .client()
        .logout(authed(logout(&user.refresh_token), &expired))
        .await;

    ok(result);
}

#[tokio::test]
async fn logout_with_an_access_token_is_unauthenticated_and_keeps_the_session() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let result = app.client().logout(logout(&user.token)).await;

    assert_code(result, Code::Unauthenticated);
    ok(app
        .client()
        .renew_access_token(refresh(&user.refresh_token))
        .await);
}

#[tokio::test]
async fn logout_without_a_refresh_token_is_invalid() {
    let app = GrpcApp::spawn().await;

    let result = app.client().logout(logout("")).await;

    assert_field_violations(result, &["refresh_token"]);
}

// ---- authorization metadata, on every RPC that needs a caller ----

async fn codes_with(app: &GrpcApp, authorization: Option<&str>) -> Vec<(&'static str, Code)> {
    codes_of_rpcs_that_need_a_caller(&app.client(), authorization).await
}

fn all_unauthenticated() -> Vec<(&'static str, Code)> {
    all_with(&RPCS_THAT_NEED_A_CALLER, Code::Unauthenticated)
}

#[tokio::test]
async fn every_rpc_that_needs_a_caller_refuses_a_call_without_authorization() {
    let app = GrpcApp::spawn().await;

    let codes = codes_with(&app, None).await;

    assert_eq!(codes, all_unauthenticated());
}

#[tokio::test]
async fn every_rpc_that_needs_a_caller_refuses_a_garbage_token() {
    let app = GrpcApp::spawn().await;

    let codes = codes_with(&app, Some("bearer not.a.token")).await;

    assert_eq!(codes, all_unauthenticated());
}

#[tokio::test]
async fn every_rpc_that_needs_a_caller_refuses_a_refresh_token() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let codes = codes_with(&app, Some(&format!("bearer {}", user.refresh_token))).await;

    assert_eq!(codes, all_unauthenticated());
}

#[tokio::test]
async fn every_rpc_that_needs_a_caller_refuses_an_expired_access_token() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let expired = app
        .server
        .token_with(&payload(&user.username, TokenKind::Access, -7200, -1));

    let codes = codes_with(&app, Some(&format!("bearer {expired}"))).await;

    assert_eq!(codes, all_unauthenticated());
}

#[tokio::test]
async fn every_rpc_that_needs_a_caller_refuses_a_token_made_with_another_key() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    let forged = token_from_another_key(&user.username);

    let codes = codes_with(&app, Some(&format!("bearer {forged}"))).await;

    assert_eq!(codes, all_unauthenticated());
}

#[tokio::test]
async fn another_authorization_scheme_is_unauthenticated() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    let basic = format!("basic {}", user.token);
    let result = app
        .client()
        .get_me(with_metadata(
            pb::GetMeRequest {},
            &[("authorization", &basic)],
        ))
        .await;

    let status = assert_code(result, Code::Unauthenticated);
    assert!(
        !status.message().contains(&user.token),
        "the token is not echoed: {status:?}"
    );
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;

    for scheme in ["bearer", "Bearer", "BEARER"] {
        let value = format!("{scheme} {}", user.token);
        let me = ok(app
            .client()
            .get_me(with_metadata(
                pb::GetMeRequest {},
                &[("authorization", &value)],
            ))
            .await);
        assert_eq!(
            me.user.expect("the user").username,
            user.username,
            "{scheme}"
        );
    }
}
