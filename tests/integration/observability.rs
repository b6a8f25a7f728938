//! Operating the bank: the lock monitor (store function and `simplebank db locks`),
//! `/metrics` for both transports, money and locks, and W3C traces exported by OTLP.

use std::{
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    trace::v1::Span,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use simplebank::{grpc::pb, store::format_blocked_queries};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{
    grpc_api::{GrpcApp, authed, channel, ok, order},
    harness::TestDb,
    http_api::{TEST_TOKEN_KEY, TestApp},
};

const DEADLINE: Duration = Duration::from_secs(30);

/// Polls `check` until it returns a value or the deadline passes.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One connection holds a row lock on an account; a second one's UPDATE waits for
/// it. Returns (holder, holder pid, blocked pid, the blocked statement's task).
async fn a_blocked_update(
    db: &TestDb,
    account_id: i64,
) -> (
    tokio_postgres::Client,
    i32,
    i32,
    tokio::task::JoinHandle<()>,
) {
    let holder = db.connect().await;
    let pid = |row: tokio_postgres::Row| row.get::<_, i32>(0);
    let holder_pid = pid(holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap());
    holder.batch_execute("BEGIN").await.unwrap();
    holder
        .execute(
            "SELECT id FROM accounts WHERE id = $1 FOR UPDATE",
            &[&account_id],
        )
        .await
        .unwrap();
    let waiter = db.connect().await;
    let waiter_pid = pid(waiter
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap());
    let blocked = tokio::spawn(async move {
        waiter
            .execute(
                "UPDATE accounts SET balance = balance + 1 WHERE id = $1",
                &[&account_id],
            )
            .await
            .expect("the update runs once the lock is released");
    });
    (holder, holder_pid, waiter_pid, blocked)
}

async fn an_account_in_sql(db: &TestDb) -> i64 {
    let client = db.connect().await;
    client
        .batch_execute(
            "INSERT INTO users (username, hashed_password, full_name, email)
             VALUES ('locker', 'x', 'Lock Holder', 'locker@example.com')",
        )
        .await
        .unwrap();
    client
        .query_one(
            "INSERT INTO accounts (owner, balance, currency) VALUES ('locker', 10, 'USD') RETURNING id",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

/// `simplebank db locks` against `db_url`: its standard output.
async fn db_locks_command(db_url: &str) -> String {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_simplebank"))
        .args(["db", "locks"])
        .env_clear()
        .env("DB_SOURCE", db_url)
        .env("APP_ENV_FILE", "/nonexistent/app.env")
        .output()
        .await
        .expect("run simplebank db locks");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[tokio::test]
async fn the_lock_monitor_shows_who_waits_for_whom() {
    let db = TestDb::new().await;
    let account = an_account_in_sql(&db).await;
    assert_eq!(db_locks_command(&db.url).await, "no blocked queries\n");

    let (holder, holder_pid, waiter_pid, blocked) = a_blocked_update(&db, account).await;

    let pairs = eventually("the blocked pair", || async {
        let pairs = db.store.blocked_queries().await.expect("the lock monitor");
        pairs
            .iter()
            .any(|pair| pair.blocked_pid == waiter_pid && pair.blocking_pid == holder_pid)
            .then_some(pairs)
    })
    .await;
    let pair = pairs
        .iter()
        .find(|pair| pair.blocked_pid == waiter_pid)
        .expect("the pair");
    let statement = pair.blocked_statement.as_deref().unwrap_or_default();
    assert!(statement.starts_with("UPDATE accounts"), "{statement}");
    let holding = pair.blocking_statement.as_deref().unwrap_or_default();
    assert!(holding.contains("FOR UPDATE"), "{holding}");
    assert!(pair.waiting_seconds.is_some_and(|seconds| seconds >= 0.0));
    assert!(pair.blocked_user.is_some() && pair.blocking_user.is_some());

    let printed = db_locks_command(&db.url).await;
    eprintln!("$ simplebank db locks\n{printed}");
    let line = printed
        .lines()
        .find(|line| line.starts_with(&format!("pid {waiter_pid} ")))
        .unwrap_or_else(|| panic!("no line for pid {waiter_pid} in:\n{printed}"));
    assert!(line.contains(&format!("for pid {holder_pid} ")), "{line}");
    assert!(
        line.contains("waiting statement: UPDATE accounts SET balance = balance + 1"),
        "{line}"
    );
    assert!(
        line.contains("blocking statement: SELECT id FROM accounts WHERE id = $1 FOR UPDATE"),
        "{line}"
    );

    holder.batch_execute("ROLLBACK").await.unwrap();
    blocked.await.expect("the blocked update finished");
    let after = eventually("no blocked queries", || async {
        let pairs = db.store.blocked_queries().await.expect("the lock monitor");
        pairs.is_empty().then_some(pairs)
    })
    .await;
    assert_eq!(format_blocked_queries(&after), "no blocked queries\n");
}

/// The value of the sample `series` (name and labels exactly as printed) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

#[tokio::test]
async fn metrics_show_http_grpc_money_and_lock_series() {
    let app = GrpcApp::spawn().await;
    let rest = &app.server;
    let (alice, from) = app.a_user_with_account("USD", 1_000).await;
    let (_bob, to) = app.a_user_with_account("USD", 0).await;
    // Over REST: one created, its replay, one refused for want of money.
    let body =
        json!({ "from_account_id": from, "to_account_id": to, "amount": 10, "currency": "USD" });
    let created = rest.transfer(&alice.token, &body, Some("key-1")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let replayed = rest.transfer(&alice.token, &body, Some("key-1")).await;
    assert_eq!(replayed.status(), StatusCode::CREATED);
    let too_much = json!({ "from_account_id": from, "to_account_id": to, "amount": 1_000_000, "currency": "USD" });
    let refused = rest.transfer(&alice.token, &too_much, None).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Over gRPC: one created.
    app.a_transfer(&alice, from, to, 5).await;
    // A lock wait in the bank's database while it is scraped.
    let (holder, _, _, blocked) = a_blocked_update(&rest.db, to).await;
    eventually("a blocked backend", || async {
        let pairs = rest.db.store.blocked_queries().await.ok()?;
        (!pairs.is_empty()).then_some(())
    })
    .await;

    let response = rest.get("/metrics").await;

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.expect("the metrics text");
    holder.batch_execute("ROLLBACK").await.unwrap();
    blocked.await.unwrap();
    for (series, expected) in [
        (
            r#"simplebank_http_requests_total{method="POST",route="/transfers",status="201"}"#,
            2.0,
        ),
        (
            r#"simplebank_http_requests_total{method="POST",route="/transfers",status="422"}"#,
            1.0,
        ),
        (
            r#"simplebank_http_request_duration_seconds_count{method="POST",route="/transfers",status="201"}"#,
            2.0,
        ),
        (
            r#"simplebank_grpc_requests_total{service="pb.SimpleBank",method="CreateTransfer",code="OK"}"#,
            1.0,
        ),
        (
            r#"simplebank_grpc_request_duration_seconds_count{service="pb.SimpleBank",method="CreateTransfer",code="OK"}"#,
            1.0,
        ),
        (
            r#"simplebank_transfers_total{outcome="created",rule="none"}"#,
            2.0,
        ),
        (
            r#"simplebank_transfers_total{outcome="replayed",rule="none"}"#,
            1.0,
        ),
        (
            r#"simplebank_transfers_total{outcome="refused",rule="insufficient_funds"}"#,
            1.0,
        ),
        (r#"simplebank_deposits_total{outcome="created"}"#, 1.0),
        ("simplebank_db_blocked_backends", 1.0),
        ("simplebank_password_hash_waiting", 0.0),
    ] {
        assert_eq!(
            sample(&text, series),
            Some(expected),
            "{series} in:\n{text}"
        );
    }
    let longest = sample(&text, "simplebank_db_longest_lock_wait_seconds").expect("longest wait");
    assert!(longest >= 0.0, "{longest}");
    assert!(sample(&text, "simplebank_db_pool_open_connections").is_some_and(|open| open >= 1.0));
    assert!(sample(&text, "simplebank_db_pool_max_connections").is_some_and(|max| max >= 1.0));
    assert!(sample(&text, "simplebank_db_pool_wait_seconds_count").is_some_and(|n| n >= 1.0));
    assert!(
        sample(&text, "simplebank_money_gate_wait_seconds_count").is_some_and(|n| n >= 1.0),
        "the transfer waited at the money gate, if only for nothing"
    );
    assert!(
        !text.contains(&format!("/accounts/{from}")),
        "raw paths must not become labels"
    );
}

/// A collector that keeps every span it is sent.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let spans = request
            .into_inner()
            .resource_spans
            .into_iter()
            .flat_map(|resource| resource.scope_spans)
            .flat_map(|scope| scope.spans);
        self.spans.lock().unwrap().extend(spans);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Runs the real binary with OTLP export to an in-process receiver, sends a transfer
/// over REST with a caller's `traceparent` and a call over gRPC with another, stops the
/// server, then checks the spans and the log lines.
#[tokio::test]
async fn traces_follow_the_callers_traceparent_and_reach_the_otlp_receiver() {
    // Arrange: accounts made through an in-process server over the test's database.
    let app = TestApp::spawn().await;
    let (alice, from) = app.a_user_with_account("USD", 1_000).await;
    let (_bob, to) = app.a_user_with_account("USD", 0).await;

    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(receiver.clone()))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_simplebank"))
        .arg("serve")
        .env_clear()
        .envs([
            ("APP_ENV_FILE", "/nonexistent/app.env"),
            ("DB_SOURCE", app.db.url.as_str()),
            ("HTTP_SERVER_ADDRESS", "127.0.0.1:0"),
            ("GRPC_SERVER_ADDRESS", "127.0.0.1:0"),
            ("TOKEN_SYMMETRIC_KEY", TEST_TOKEN_KEY),
            ("TOKEN_KIND", "paseto"),
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
            ("SHUTDOWN_TIMEOUT", "2s"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.as_str()),
        ])
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start simplebank serve");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let reader = {
        let lines = lines.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                lines.lock().unwrap().push(line);
            }
        })
    };
    let serving: Value = eventually("the server to listen", || async {
        lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["message"] == "serving")
    })
    .await;
    let http = format!("http://{}", serving["http"].as_str().unwrap());
    let grpc: std::net::SocketAddr = serving["grpc"].as_str().unwrap().parse().unwrap();

    // Act: a REST transfer and a gRPC call, each in a trace of the caller's.
    let (trace_id, parent_span) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let response = reqwest::Client::new()
        .post(format!("{http}/transfers"))
        .bearer_auth(&alice.token)
        .header("traceparent", format!("00-{trace_id}-{parent_span}-01"))
        .header("x-request-id", "traced-transfer-1")
        .json(&json!({ "from_account_id": from, "to_account_id": to, "amount": 10, "currency": "USD" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let grpc_trace_id = "0af7651916cd43dd8448eb211c80319c";
    let mut client = pb::simple_bank_client::SimpleBankClient::new(channel(grpc).await);
    let mut request = authed(order(from, to, 5, "USD"), &alice.token);
    let traceparent = format!("00-{grpc_trace_id}-b7ad6b7169203331-01");
    request
        .metadata_mut()
        .insert("traceparent", traceparent.parse().unwrap());
    ok(client.create_transfer(request).await);

    // Stopping the server flushes the spans it has not exported yet.
    let pid = child.id().expect("the server's pid") as i32;
    // SAFETY: kill(2) on the child process this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .expect("the server stops")
        .unwrap();
    assert!(status.success(), "{status}");
    reader.await.unwrap();

    // Assert: the request's span is a child of the caller's, with database child spans.
    let spans = receiver.spans.lock().unwrap().clone();
    let in_trace: Vec<&Span> = spans
        .iter()
        .filter(|span| hex(&span.trace_id) == trace_id)
        .collect();
    let request_span = in_trace
        .iter()
        .find(|span| span.name == "POST /transfers")
        .unwrap_or_else(|| {
            let names: Vec<&str> = in_trace.iter().map(|span| span.name.as_str()).collect();
            panic!("no request span among {names:?}")
        });
    assert_eq!(hex(&request_span.parent_span_id), parent_span);
    let descends_from_request = |span: &Span| {
        let mut parent = span.parent_span_id.clone();
        while let Some(up) = in_trace
            .iter()
            .find(|candidate| candidate.span_id == parent)
        {
            if up.span_id == request_span.span_id {
                return true;
            }
            parent = up.parent_span_id.clone();
        }
        false
    };
    let transactions: Vec<&&Span> = in_trace
        .iter()
        .filter(|span| span.name == "db.transaction" && descends_from_request(span))
        .collect();
    assert_eq!(transactions.len(), 1, "{in_trace:#?}");
    let grpc_span = spans
        .iter()
        .find(|span| hex(&span.trace_id) == grpc_trace_id)
        .expect("the gRPC call's spans");
    assert!(!grpc_span.name.is_empty());

    // Every log line of the request carries its request id and the caller's trace id.
    let lines = lines.lock().unwrap();
    let of_request: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("traced-transfer-1"))
        .collect();
    assert!(!of_request.is_empty());
    for line in &of_request {
        assert!(line.contains(trace_id), "{line}");
    }
    let finished = lines
        .iter()
        .find(|line| line.contains("gRPC call finished") && line.contains(grpc_trace_id));
    assert!(
        finished.is_some(),
        "no gRPC log line with the caller's trace id"
    );
    eprintln!("{}", of_request.last().unwrap());
}
