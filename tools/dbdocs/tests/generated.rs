//! The committed doc/db/index.html and doc/schema.sql are what the generators make now
//! (the same check as `dbdocs check` and `make docs-check`).

use std::path::PathBuf;

use simplebank_dbdocs::{generated, render_html, render_sql};

#[test]
fn committed_docs_are_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dbml = root.join("doc/db.dbml");
    let html = root.join("doc/db/index.html");
    let sql = root.join("doc/schema.sql");
    let files = [
        generated::Expected {
            path: &html,
            content: render_html(&dbml, &root.join("queries")).unwrap(),
            target: "db_docs",
        },
        generated::Expected {
            path: &sql,
            content: render_sql(&dbml).unwrap(),
            target: "db_schema",
        },
    ];
    let problems = generated::stale(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_stale_file_is_reported_with_the_first_differing_line() {
    let hint = generated::first_difference("a\nb\nc\n", "a\nB\nc\n");
    assert_eq!(hint, "line 2: committed \"b\" vs generated \"B\"");
    let hint = generated::first_difference("a\n", "a\nb\n");
    assert_eq!(hint, "line 2: committed (end of file) vs generated \"b\"");
}
