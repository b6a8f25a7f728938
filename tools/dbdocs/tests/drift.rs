//! The drift check against a real PostgreSQL: the documented schema matches the migrations, and
//! a DBML that differs by one column type, one index or one foreign key is caught and named.
//!
//! Needs TEST_DATABASE_URL (a server where the user may CREATE DATABASE), e.g.
//! `TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres`; `make test` sets it when a
//! local server answers. Without it these tests fail: they never skip silently.

use std::{path::PathBuf, process::Command};

use simplebank_dbdocs::{Schema, drift};

fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_DATABASE_URL is not set: the drift tests need a PostgreSQL server where the user \
             may CREATE DATABASE, e.g. \
             TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres cargo test -p simplebank-dbdocs \
             (make test sets it when a local server answers)"
        )
    })
}

fn dbml_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../doc/db.dbml")
}

fn real_dbml() -> String {
    std::fs::read_to_string(dbml_path()).unwrap()
}

/// doc/db.dbml with exactly one edit, so the fixture follows the real schema as it evolves.
fn derived(from: &str, to: &str) -> Schema {
    let source = real_dbml();
    assert_eq!(
        source.matches(from).count(),
        1,
        "the fixture edit {from:?} must match doc/db.dbml exactly once"
    );
    Schema::parse(&source.replacen(from, to, 1)).unwrap()
}

async fn drift_of(schema: &Schema) -> Vec<String> {
    drift::check(&server_url(), schema, "fixture.dbml")
        .await
        .unwrap()
        .differences
}

/// Runs the drift check on doc/db.dbml with `from` replaced by `to`; expects exactly `expected`.
async fn assert_drift(from: &str, to: &str, expected: &[&str]) {
    assert_eq!(drift_of(&derived(from, to)).await, expected);
}

#[tokio::test]
async fn the_documented_schema_matches_the_migrations() {
    let schema = Schema::parse(&real_dbml()).unwrap();

    let report = drift::check(&server_url(), &schema, "doc/db.dbml")
        .await
        .unwrap();

    assert!(report.is_clean(), "{}", report.render("doc/db.dbml"));
    assert_eq!(report.tables, schema.tables.len());
    assert_eq!(report.foreign_keys, schema.refs.len());
    assert!(report.summary("doc/db.dbml").starts_with(&format!(
        "doc/db.dbml matches the migrations: {} tables",
        schema.tables.len()
    )));
}

#[tokio::test]
async fn a_different_column_type_is_named() {
    assert_drift(
        "  balance bigint [not null,",
        "  balance integer [not null,",
        &["column accounts.balance: type bigint (migrations) vs integer (fixture.dbml)"],
    )
    .await;
}

#[tokio::test]
async fn a_missing_index_is_named() {
    assert_drift(
        "    (from_account_id, to_account_id)\n",
        "",
        &["index transfers_from_account_id_to_account_id_idx on transfers (from_account_id, to_account_id): only in migrations"],
    )
    .await;
}

#[tokio::test]
async fn a_missing_foreign_key_is_named() {
    assert_drift(
        "Ref transfers_to_account_id_fkey: transfers.to_account_id > accounts.id\n",
        "",
        &["foreign key transfers_to_account_id_fkey on transfers: only in migrations: FOREIGN KEY (to_account_id) REFERENCES accounts(id)"],
    )
    .await;
}

#[tokio::test]
async fn defaults_nullability_and_checks_are_compared_too() {
    assert_drift(
        "  is_blocked boolean [not null, default: false,",
        "  is_blocked boolean [default: true,",
        &[
            "column sessions.is_blocked: nullability NOT NULL (migrations) vs nullable (fixture.dbml)",
            "column sessions.is_blocked: default false (migrations) vs true (fixture.dbml)",
        ],
    )
    .await;
    assert_drift(
        "check accounts_balance_nonnegative: `balance >= 0`",
        "check accounts_balance_nonnegative: `balance > 0`",
        &["check accounts_balance_nonnegative on accounts: CHECK (balance >= 0) (migrations) vs CHECK (balance > 0) (fixture.dbml)"],
    )
    .await;
}

#[tokio::test]
async fn a_missing_table_and_a_renamed_unique_index_are_named() {
    assert_drift(
        "[unique, name: 'owner_currency_key',",
        "[unique, name: 'accounts_owner_currency_idx',",
        &["unique index owner_currency_key on accounts (owner, currency): named owner_currency_key (migrations) vs accounts_owner_currency_idx (fixture.dbml)"],
    )
    .await;

    let source = real_dbml();
    let start = source.find("Table sessions {").unwrap();
    let end = start + source[start..].find("\n}\n").unwrap() + 3;
    let without_sessions = source[..start].to_owned() + &source[end..];
    let without_sessions = without_sessions.replace(
        "Ref sessions_username_fkey: sessions.username > users.username\n",
        "",
    );
    let differences = drift_of(&Schema::parse(&without_sessions).unwrap()).await;
    assert_eq!(differences, ["table sessions: only in migrations"]);
}

#[test]
fn the_binary_exits_zero_when_equal_and_non_zero_on_drift() {
    let dbdocs = env!("CARGO_BIN_EXE_dbdocs");
    let ok = Command::new(dbdocs)
        .args(["drift", "--dbml"])
        .arg(dbml_path())
        .args(["--server-url", &server_url()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "one summary line: {stdout}");

    let drifted = std::env::temp_dir().join(format!("dbdocs-drift-{}.dbml", std::process::id()));
    std::fs::write(
        &drifted,
        real_dbml().replacen(
            "  currency varchar [not null,",
            "  currency text [not null,",
            1,
        ),
    )
    .unwrap();
    let failed = Command::new(dbdocs)
        .args(["drift", "--dbml"])
        .arg(&drifted)
        .args(["--server-url", &server_url()])
        .output()
        .unwrap();
    std::fs::remove_file(&drifted).unwrap();
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success());
    assert!(
        stderr.contains("column accounts.currency: type character varying (migrations) vs text ("),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_scratch_database_is_dropped_also_on_failure() {
    let (admin, connection) = tokio_postgres::connect(&server_url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let exists = async |name: &str| {
        admin
            .query_one(
                "SELECT count(*) FROM pg_database WHERE datname = $1",
                &[&name],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
            == 1
    };

    let report = drift::check(
        &server_url(),
        &Schema::parse(&real_dbml()).unwrap(),
        "doc/db.dbml",
    )
    .await
    .unwrap();
    assert!(report.database.starts_with("dbdocs_drift_"));
    assert!(
        !exists(&report.database).await,
        "{} was left behind",
        report.database
    );

    // A type PostgreSQL does not know: the dump fails half-way through.
    let broken = derived(
        "  amount bigint [not null, note: 'must",
        "  amount money_in_cents [not null, note: 'must",
    );
    let error = format!(
        "{:#}",
        drift::check(&server_url(), &broken, "broken.dbml")
            .await
            .unwrap_err()
    );
    assert!(
        error.contains("does not run on PostgreSQL: type \"money_in_cents\" does not exist"),
        "{error}"
    );
    let start = error
        .find("dbdocs_drift_")
        .expect("the error names the scratch database");
    let name = &error[start..start + "dbdocs_drift_".len() + 32];
    assert!(
        !exists(name).await,
        "{name} was left behind after a failure"
    );
}
