//! grpc-gateway compatibility on the HTTP port: `POST /v1/create_user`,
//! `POST /v1/login_user`, `PATCH /v1/update_user` take and return the gateway's
//! JSON (proto field names), and errors come as `{code, message, details}` with
//! the gRPC code number.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use simplebank::grpc::pb;
use tonic::Code;

use super::{GrpcApp, authed, ok};
use crate::{
    http_api::{json_of, random_full_name, send, string, timestamp},
    random::{random_email, random_owner, random_string},
};

async fn post(app: &GrpcApp, path: &str, body: &Value) -> Response {
    send(app.server.request(Method::POST, path).json(body)).await
}

async fn update(app: &GrpcApp, token: Option<&str>, body: &Value) -> Response {
    let request = match token {
        Some(token) => app.server.authed(Method::PATCH, "/v1/update_user", token),
        None => app.server.request(Method::PATCH, "/v1/update_user"),
    };
    send(request.json(body)).await
}

/// Registers a user through the gateway and logs them in; returns the body sent and the access token.
async fn a_gateway_user(app: &GrpcApp) -> (Value, String) {
    let user = new_user_json(&random_owner());
    json_of(post(app, "/v1/create_user", &user).await, StatusCode::OK).await;
    let login = json_of(
        post(
            app,
            "/v1/login_user",
            &json!({ "username": user["username"], "password": user["password"] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    (user, string(&login["access_token"]))
}

/// Asserts the gateway's error shape and `code`, and returns the body.
async fn assert_gateway_error(response: Response, status: StatusCode, code: Code) -> Value {
    let body = json_of(response, status).await;
    assert_eq!(body["code"], code as i32, "the gRPC code number in {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message in {body}"
    );
    assert!(body["details"].is_array(), "details in {body}");
    body
}

/// The fields of the `google.rpc.BadRequest` detail of a gateway error.
fn violated_fields(body: &Value) -> Vec<&str> {
    let details = body["details"].as_array().expect("details");
    let bad_request = details
        .iter()
        .find(|detail| detail["@type"] == "type.googleapis.com/google.rpc.BadRequest")
        .unwrap_or_else(|| panic!("a BadRequest detail in {body}"));
    bad_request["field_violations"]
        .as_array()
        .expect("field_violations")
        .iter()
        .map(|violation| {
            assert!(
                violation["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "described: {violation}"
            );
            violation["field"].as_str().expect("a field name")
        })
        .collect()
}

fn keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap_or_else(|| panic!("an object: {object}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The JSON of a random valid new user.
fn new_user_json(username: &str) -> Value {
    json!({
        "username": username,
        "password": format!("pw-{}", random_string(12)),
        "full_name": random_full_name(),
        "email": random_email(),
    })
}

const USER_KEYS: [&str; 6] = [
    "created_at",
    "email",
    "full_name",
    "password_changed_at",
    "role",
    "username",
];

#[tokio::test]
async fn create_user_takes_and_returns_the_gateways_json() {
    let app = GrpcApp::spawn().await;
    let sent = new_user_json(&random_owner());

    let response = post(&app, "/v1/create_user", &sent).await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(keys(&body), ["user"], "the user under its proto name");
    let user = &body["user"];
    assert_eq!(
        keys(user),
        USER_KEYS,
        "snake_case proto names, never the hash"
    );
    for field in ["username", "full_name", "email"] {
        assert_eq!(user[field], sent[field], "{field}");
    }
    assert_eq!(user["role"], "depositor");
    timestamp(&user["created_at"]);
    timestamp(&user["password_changed_at"]);
}

#[tokio::test]
async fn create_user_reports_invalid_fields_as_a_bad_request_detail() {
    let app = GrpcApp::spawn().await;

    let response = post(
        &app,
        "/v1/create_user",
        &json!({ "username": "Not Valid!", "password": "123", "email": "nope" }),
    )
    .await;

    let body = assert_gateway_error(response, StatusCode::BAD_REQUEST, Code::InvalidArgument).await;
    assert_eq!(keys(&body), ["code", "details", "message"]);
    let mut fields = violated_fields(&body);
    fields.sort_unstable();
    assert_eq!(fields, ["email", "full_name", "password", "username"]);
}

#[tokio::test]
async fn create_user_with_a_taken_username_is_already_exists() {
    let app = GrpcApp::spawn().await;
    let (user, _token) = a_gateway_user(&app).await;
    let again = json!({
        "username": user["username"],
        "password": "secret123",
        "full_name": "Someone Else",
        "email": random_email(),
    });

    let response = post(&app, "/v1/create_user", &again).await;

    let body = assert_gateway_error(response, StatusCode::CONFLICT, Code::AlreadyExists).await;
    assert_eq!(body["details"], json!([]));
}

#[tokio::test]
async fn create_user_with_malformed_json_is_invalid() {
    let app = GrpcApp::spawn().await;

    let response = send(
        app.server
            .request(Method::POST, "/v1/create_user")
            .header("content-type", "application/json")
            .body("{"),
    )
    .await;

    assert_gateway_error(response, StatusCode::BAD_REQUEST, Code::InvalidArgument).await;
}

#[tokio::test]
async fn login_user_returns_the_gateways_login_and_a_token_that_works_over_grpc() {
    let app = GrpcApp::spawn().await;
    let user = new_user_json(&random_owner());
    json_of(post(&app, "/v1/create_user", &user).await, StatusCode::OK).await;

    let response = post(
        &app,
        "/v1/login_user",
        &json!({ "username": user["username"], "password": user["password"] }),
    )
    .await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "access_token_expires_at",
            "refresh_token",
            "refresh_token_expires_at",
            "session_id",
            "user",
        ]
    );
    assert_eq!(keys(&body["user"]), USER_KEYS);
    assert!(timestamp(&body["access_token_expires_at"]) > chrono::Utc::now());
    assert!(
        timestamp(&body["refresh_token_expires_at"]) > timestamp(&body["access_token_expires_at"])
    );
    let me = ok(app
        .client()
        .get_me(authed(pb::GetMeRequest {}, &string(&body["access_token"])))
        .await);
    assert_eq!(
        me.user.expect("the user").username,
        string(&user["username"])
    );
}

#[tokio::test]
async fn login_user_with_a_wrong_password_is_unauthenticated() {
    let app = GrpcApp::spawn().await;
    let (user, _token) = a_gateway_user(&app).await;

    let response = post(
        &app,
        "/v1/login_user",
        &json!({ "username": user["username"], "password": "not-the-password" }),
    )
    .await;

    assert_gateway_error(response, StatusCode::UNAUTHORIZED, Code::Unauthenticated).await;
}

#[tokio::test]
async fn update_user_changes_only_the_fields_given() {
    let app = GrpcApp::spawn().await;
    let (user, token) = a_gateway_user(&app).await;

    let response = update(
        &app,
        Some(&token),
        &json!({ "username": user["username"], "full_name": "Renamed Person" }),
    )
    .await;

    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(keys(&body), ["user"]);
    assert_eq!(body["user"]["full_name"], "Renamed Person");
    assert_eq!(
        body["user"]["email"], user["email"],
        "an absent email is kept"
    );
}

#[tokio::test]
async fn update_user_reports_every_invalid_field() {
    let app = GrpcApp::spawn().await;
    let (user, token) = a_gateway_user(&app).await;

    let response = update(
        &app,
        Some(&token),
        &json!({ "username": user["username"], "full_name": "x", "email": "nope" }),
    )
    .await;

    let body = assert_gateway_error(response, StatusCode::BAD_REQUEST, Code::InvalidArgument).await;
    let mut fields = violated_fields(&body);
    fields.sort_unstable();
    assert_eq!(fields, ["email", "full_name"]);
}

#[tokio::test]
async fn update_user_without_a_token_is_unauthenticated() {
    let app = GrpcApp::spawn().await;
    let (user, _token) = a_gateway_user(&app).await;

    let response = update(
        &app,
        None,
        &json!({ "username": user["username"], "full_name": "Any Name" }),
    )
    .await;

    assert_gateway_error(response, StatusCode::UNAUTHORIZED, Code::Unauthenticated).await;
}

#[tokio::test]
async fn update_user_of_someone_else_is_permission_denied() {
    let app = GrpcApp::spawn().await;
    let (victim, _) = a_gateway_user(&app).await;
    let (_mallory, token) = a_gateway_user(&app).await;

    let response = update(
        &app,
        Some(&token),
        &json!({ "username": victim["username"], "email": random_email() }),
    )
    .await;

    assert_gateway_error(response, StatusCode::FORBIDDEN, Code::PermissionDenied).await;
}
