//! `sslmode=require` in the database URL means an encrypted connection or none.

use simplebank::store;

use crate::harness::TestDb;

fn with_query(url: &str, query: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{query}")
}

#[tokio::test]
async fn sslmode_require_never_falls_back_to_a_plaintext_connection() {
    let db = TestDb::new().await;

    // Without sslrootcert only publicly trusted certificates verify: a local server's
    // self-signed one does not, and a server without TLS cannot satisfy `require`.
    let result = store::connect(&with_query(&db.url, "sslmode=require")).await;

    match result {
        Err(err) => {
            let message = err.to_string();
            assert!(
                message.contains("TLS")
                    || message.contains("certificate")
                    || message.contains("SSL"),
                "the refusal should be about TLS: {message}"
            );
        }
        Ok(client) => {
            let encrypted: bool = client
                .query_one(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    &[],
                )
                .await
                .expect("pg_stat_ssl")
                .get(0);
            assert!(encrypted, "sslmode=require gave a plaintext connection");
        }
    }
}

#[tokio::test]
async fn without_sslmode_require_connections_stay_plain_as_before() {
    let db = TestDb::new().await;

    let client = store::connect(&db.url).await.expect("a plain connection");

    let encrypted: Option<bool> = client
        .query_opt(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl")
        .map(|row| row.get(0));
    assert_ne!(encrypted, Some(true), "no TLS was asked for");
}
