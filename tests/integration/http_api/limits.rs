//! Transport limits (API.md "Limits"): what a slow, lying or oversized client gets.
//! Raw TCP where reqwest would tidy the request up (lying lengths, `..` in paths).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::{TestApp, assert_error, send};

/// A response read off a raw connection.
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert!(self.body["error"].is_string(), "{}", self.body);
    }
}

fn host_port(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads one response (head, then `Content-Length` bytes), within 10 s.
async fn read_response(stream: &mut TcpStream) -> RawResponse {
    let read = async {
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            let n = stream.read(&mut chunk).await.expect("read the response");
            assert!(n > 0, "the connection closed without a response");
            received.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .expect("a status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        let mut body = received[head_end + 4..].to_vec();
        while body.len() < length {
            let n = stream.read(&mut chunk).await.expect("read the body");
            assert!(n > 0, "the connection closed inside the body");
            body.extend_from_slice(&chunk[..n]);
        }
        let body = serde_json::from_slice(&body).unwrap_or_else(|_| {
            panic!(
                "a JSON body, got {:?} ({head})",
                String::from_utf8_lossy(&body)
            )
        });
        RawResponse {
            status,
            headers,
            body,
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("a response within 10 s")
}

async fn raw_request(app: &TestApp, request: &str) -> RawResponse {
    let mut stream = TcpStream::connect(host_port(app)).await.expect("connect");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    read_response(&mut stream).await
}

#[tokio::test]
async fn a_declared_body_over_64_kib_is_refused_before_it_is_sent() {
    let app = TestApp::spawn().await;
    let (user, _) = app.a_user_with_account("USD", 0).await;
    let body = r#"{"from_account_id":1,"to_account_id":2,"amount":1,"currency":"USD"}"#;

    // 100 MiB announced, a few bytes sent: the answer comes without the rest.
    let response = raw_request(
        &app,
        &format!(
            "POST /transfers HTTP/1.1\r\nHost: bank\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{body}",
            user.token
        ),
    )
    .await;

    response.assert_error(413, "payload_too_large");
    assert_eq!(response.header("connection"), Some("close"));
    assert_eq!(app.transfer_and_entry_counts().await.0, 0);
}

#[tokio::test]
async fn a_chunked_body_over_64_kib_is_refused() {
    let app = TestApp::spawn().await;
    let chunk = "a".repeat(70 * 1024);

    let response = raw_request(
        &app,
        &format!(
            "POST /users HTTP/1.1\r\nHost: bank\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
            chunk.len()
        ),
    )
    .await;

    response.assert_error(413, "payload_too_large");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let app = TestApp::spawn_with(|values| {
        values.insert("HTTP_BODY_TIMEOUT".into(), "300ms".into());
    })
    .await;
    let mut stream = TcpStream::connect(host_port(&app)).await.expect("connect");
    stream
        .write_all(
            b"POST /users HTTP/1.1\r\nHost: bank\r\nContent-Type: application/json\r\n\
              Content-Length: 50\r\n\r\n{",
        )
        .await
        .expect("send the head");
    // One byte every 100 ms, never all 50: the body cannot complete, whatever the timing.
    let (mut reader, mut writer) = stream.into_split();
    let dribble = tokio::spawn(async move {
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if writer.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let mut stream_back = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut chunk = [0u8; 1024];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => stream_back.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    dribble.abort();
    read.expect("the server answers and closes within 10 s");
    let text = String::from_utf8_lossy(&stream_back);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains(r#""code":"request_timeout""#), "{text}");
}

#[tokio::test]
async fn headers_over_16_kib_get_431_with_the_error_body() {
    let app = TestApp::spawn().await;

    for size in [20 * 1024, 64 * 1024] {
        let response = send(
            app.request(reqwest::Method::GET, "/healthz")
                .header("x-filler", "a".repeat(size)),
        )
        .await;

        assert_error(
            response,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
        )
        .await;
    }
}

#[tokio::test]
async fn a_very_long_uri_gets_414_with_the_error_body() {
    let app = TestApp::spawn().await;

    let response = app
        .get(&format!("/accounts/{}", "9".repeat(9 * 1024)))
        .await;

    assert_error(response, StatusCode::URI_TOO_LONG, "uri_too_long").await;
}

#[tokio::test]
async fn paths_under_swagger_ui_that_name_no_file_get_a_json_404() {
    let app = TestApp::spawn().await;

    for path in [
        "/swagger-ui/../../etc/passwd",
        "/swagger-ui/..%2f..%2fetc%2fpasswd",
        "/swagger-ui/no-such-file.js",
    ] {
        let response = raw_request(
            &app,
            &format!("GET {path} HTTP/1.1\r\nHost: bank\r\nConnection: close\r\n\r\n"),
        )
        .await;

        response.assert_error(404, "not_found");
        assert!(
            !response.body.to_string().contains("root:"),
            "no file is disclosed"
        );
    }
}
