//! Operations endpoints, docs, and what every response carries: `/healthz`,
//! `/readyz`, `/metrics`, `/api-doc/openapi.json`, `/swagger-ui`, unknown routes,
//! `x-request-id`, and 503 when the database is unreachable.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{TestApp, assert_error, client, json_of, send, spawn_app_without_database};

#[tokio::test]
async fn healthz_answers_while_the_process_runs() {
    let app = TestApp::spawn().await;

    let response = app.get("/healthz").await;

    assert_eq!(
        json_of(response, StatusCode::OK).await,
        json!({ "status": "ok" })
    );
}

#[tokio::test]
async fn readyz_answers_when_the_database_does() {
    let app = TestApp::spawn().await;

    let response = app.get("/readyz").await;

    assert_eq!(json_of(response, StatusCode::OK).await["status"], "ready");
}

#[tokio::test]
async fn readyz_is_unavailable_when_the_database_is_unreachable() {
    let server = spawn_app_without_database().await;

    let response = send(client().get(format!("{}/readyz", server.address))).await;

    assert!(
        response.headers().contains_key("retry-after"),
        "tells clients to retry"
    );
    let body = assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let text = body.to_string();
    for secret in [
        "127.0.0.1",
        "5432",
        "postgres",
        "connection refused",
        "error connecting",
    ] {
        assert!(
            !text.contains(secret),
            "no internals ({secret:?}) in {text}"
        );
    }
}

#[tokio::test]
async fn healthz_still_answers_when_the_database_is_unreachable() {
    let server = spawn_app_without_database().await;

    let response = send(client().get(format!("{}/healthz", server.address))).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_request_that_needs_the_database_is_unavailable_when_it_is_unreachable() {
    let server = spawn_app_without_database().await;

    let response = send(
        client()
            .post(format!("{}/users/login", server.address))
            .json(&json!({ "username": "alice", "password": "secret123" })),
    )
    .await;

    let body = assert_error(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(!body.to_string().contains("127.0.0.1"), "opaque: {body}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    let (user, account) = app.a_user_with_account("USD", 0).await;
    let read = app.get_account(&user.token, account).await;
    assert_eq!(read.status(), StatusCode::OK);
    let missing = app.get_account(&user.token, 987_654_321).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.expect("the metrics text");
    assert!(
        text.contains("# TYPE simplebank_http_requests counter"),
        "{text}"
    );
    for line in [
        r#"simplebank_http_requests_total{method="GET",route="/accounts/{id}",status="200"} 1"#,
        r#"simplebank_http_requests_total{method="GET",route="/accounts/{id}",status="404"} 1"#,
        r#"simplebank_http_requests_total{method="POST",route="/accounts",status="201"} 1"#,
    ] {
        assert!(text.contains(line), "expected {line:?} in:\n{text}");
    }
    assert!(
        text.contains("simplebank_http_request_duration_seconds_bucket{"),
        "latency histogram"
    );
    assert!(
        text.contains("simplebank_db_pool_max_connections "),
        "pool usage"
    );
}

#[tokio::test]
async fn the_openapi_spec_lists_every_route() {
    let app = TestApp::spawn().await;

    let response = app.get("/api-doc/openapi.json").await;

    let spec = json_of(response, StatusCode::OK).await;
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    for (path, method) in [
        ("/users", "post"),
        ("/users/login", "post"),
        ("/users/logout", "post"),
        ("/tokens/renew_access", "post"),
        ("/users/me", "get"),
        ("/users/{username}", "patch"),
        ("/accounts", "post"),
        ("/accounts", "get"),
        ("/accounts/{id}", "get"),
        ("/accounts/{id}/entries", "get"),
        ("/accounts/{id}/deposits", "post"),
        ("/transfers", "post"),
        ("/transfers", "get"),
        ("/transfers/{id}", "get"),
    ] {
        let operation = &spec["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is in the spec");
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{method} {path} lists its responses"
        );
    }
}

#[tokio::test]
async fn swagger_ui_is_served() {
    let app = TestApp::spawn().await;

    let response = app.get("/swagger-ui").await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("a page");
    assert!(page.to_lowercase().contains("swagger"), "{page}");
}

#[tokio::test]
async fn the_database_documentation_page_is_served() {
    let app = TestApp::spawn().await;

    let response = app.get("/docs/db").await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("a page");
    for table in [
        "accounts",
        "entries",
        "transfers",
        "users",
        "sessions",
        "idempotency_keys",
    ] {
        assert!(page.contains(table), "the page does not mention {table}");
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_json_not_found() {
    let app = TestApp::spawn().await;

    let response = app.get("/no/such/route").await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_unsupported_method_gets_a_json_error() {
    let app = TestApp::spawn().await;

    let response = send(app.request(Method::DELETE, "/healthz")).await;

    assert_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;

    let ok = app.get("/healthz").await;
    let not_found = app.get("/no/such/route").await;
    let unauthenticated = app.get("/users/me").await;
    let echoed = send(
        app.request(Method::GET, "/healthz")
            .header("x-request-id", "trace-me-123"),
    )
    .await;

    for response in [&ok, &not_found, &unauthenticated] {
        let id = response
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(!id.is_empty(), "{} has an x-request-id", response.url());
    }
    assert_ne!(
        ok.headers().get("x-request-id"),
        not_found.headers().get("x-request-id"),
        "a new id per request"
    );
    assert_eq!(
        echoed.headers().get("x-request-id").map(|v| v.as_bytes()),
        Some(&b"trace-me-123"[..]),
        "a caller's id is kept"
    );
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = TestApp::spawn_with(|values| {
        values.insert(
            "ALLOWED_ORIGINS".into(),
            "https://bank.example, https://admin.bank.example".into(),
        );
    })
    .await;
    let preflight = |origin: &'static str| {
        send(
            app.request(Method::OPTIONS, "/transfers")
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization,content-type,idempotency-key",
                ),
        )
    };

    let allowed = preflight("https://bank.example").await;
    let refused = preflight("https://evil.example").await;

    assert!(allowed.status().is_success(), "{}", allowed.status());
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_lowercase)
    };
    assert_eq!(
        header(&allowed, "access-control-allow-origin").as_deref(),
        Some("https://bank.example")
    );
    let allowed_headers = header(&allowed, "access-control-allow-headers").unwrap_or_default();
    for needed in ["authorization", "content-type", "idempotency-key"] {
        assert!(
            allowed_headers.contains(needed),
            "{needed} in {allowed_headers}"
        );
    }
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
}
