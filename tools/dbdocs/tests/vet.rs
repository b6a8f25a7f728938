//! query-vet against a real PostgreSQL: the bank's queries pass, and a deliberately unindexed
//! query fails, named, unless an allowance with a reason is declared above it.
//!
//! Needs TEST_DATABASE_URL (a server where the user may CREATE DATABASE); `make test` sets it.

use std::path::PathBuf;

use simplebank_dbdocs::{
    queries::{self, Query},
    vet::{self, Rule},
};

fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_DATABASE_URL is not set: query-vet needs a PostgreSQL server where the user may \
             CREATE DATABASE, e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres"
        )
    })
}

const DELIBERATE: &str = "
--! entries_by_amount
--- No index on amount: the whole table is read.
SELECT id FROM entries WHERE amount = :amount;

--! statement_by_amount
--- One account's entries sorted by amount: every one of them is sorted before the LIMIT.
SELECT id FROM entries WHERE account_id = :account_id ORDER BY amount LIMIT 10;

-- vet: allow seq-scan because this fixture shows an allowance
--! allowed_full_read
SELECT count(*) FROM transfers WHERE amount > :amount;
";

#[tokio::test]
async fn the_banks_queries_pass_and_an_unindexed_query_fails_by_name() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../queries");
    let mut all: Vec<Query> = queries::load_dir(&dir).unwrap();
    let bank_queries = all.len();
    all.extend(queries::parse_file("deliberate.sql", DELIBERATE).unwrap());

    let report = vet::vet(&server_url(), &all).await.unwrap();

    let failures: Vec<(String, Rule)> = report
        .failures()
        .map(|(verdict, finding)| (verdict.query.clone(), finding.rule))
        .collect();
    assert_eq!(
        failures,
        [
            ("entries_by_amount".to_owned(), Rule::SeqScan),
            ("statement_by_amount".to_owned(), Rule::Sort),
        ],
        "{}",
        report.render()
    );
    let allowed = report
        .verdicts
        .iter()
        .find(|verdict| verdict.query == "allowed_full_read")
        .unwrap();
    assert_eq!(allowed.allowed.len(), 1, "{}", report.render());
    assert_eq!(report.verdicts.len(), bank_queries + 3);
    let statement = report
        .verdicts
        .iter()
        .find(|verdict| verdict.query == "list_entries_newest_first")
        .unwrap();
    assert!(
        statement
            .shape
            .contains("Index Scan Backward using entries_account_id_id_idx on entries"),
        "{}",
        statement.shape
    );
}
