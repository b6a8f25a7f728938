//! The DBML model over small fixtures: what dbml-rs parses, what `Schema::parse` resolves and
//! validates on top of it.

use std::path::PathBuf;

use simplebank_dbdocs::{
    Schema, load_schema,
    model::{DefaultValue, IndexPart},
    queries::{self, Access},
    sql,
};

fn fixture(name: &str) -> Schema {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    load_schema(&path).unwrap_or_else(|err| panic!("{name}: {err:#}"))
}

fn parse_error(source: &str) -> String {
    match Schema::parse(source) {
        Ok(schema) => panic!("expected an error, parsed {schema:#?}"),
        Err(err) => format!("{err:#}"),
    }
}

#[test]
fn composite_indexes_keep_their_columns_names_and_settings() {
    let schema = fixture("composite_indexes.dbml");
    let table = schema.table("memberships").unwrap();

    assert_eq!(table.primary_key(), ["org_id", "user_id"]);
    let [pk, unique, expression, gin, plain] = table.indexes.as_slice() else {
        panic!("five indexes expected: {:#?}", table.indexes);
    };
    assert!(pk.pk && !pk.unique);
    assert_eq!(
        unique.parts,
        [
            IndexPart::Column("user_id".into()),
            IndexPart::Column("role".into())
        ]
    );
    assert!(unique.unique);
    assert_eq!(unique.name.as_deref(), Some("memberships_user_role_key"));
    assert_eq!(unique.note.as_deref(), Some("One role per user"));
    assert_eq!(expression.parts, [IndexPart::Expr("lower(email)".into())]);
    assert_eq!(gin.method.as_deref(), Some("gin"));
    assert_eq!(plain.parts, [IndexPart::Column("role".into())]);
    assert!(!plain.unique && plain.name.is_none() && plain.method.is_none());
    // Part of the composite primary key, so not nullable even without `not null`.
    let email = table.column("email").unwrap();
    assert!(email.nullable(table));
    assert!(!table.column("org_id").unwrap().nullable(table));
}

#[test]
fn composite_primary_key_and_indexes_reach_the_sql_dump() {
    let dump = sql::render(&fixture("composite_indexes.dbml"));

    assert!(
        dump.contains("  PRIMARY KEY (\"org_id\", \"user_id\")\n);"),
        "{dump}"
    );
    assert!(dump.contains(
        "CREATE UNIQUE INDEX \"memberships_user_role_key\" ON \"memberships\" (\"user_id\", \"role\");"
    ));
    assert!(
        dump.contains(
            "CREATE INDEX \"memberships_email_idx\" ON \"memberships\" ((lower(email)));"
        )
    );
    assert!(dump.contains("CREATE INDEX ON \"memberships\" USING GIN (\"tags\");"));
}

#[test]
fn enums_keep_their_values_notes_and_quoted_names() {
    let schema = fixture("enums.dbml");

    let [status] = schema.enums.as_slice() else {
        panic!("one enum expected");
    };
    assert_eq!(status.name, "job_status");
    let names: Vec<&str> = status.values.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["created", "running", "done", "failed hard"]);
    assert_eq!(
        status.values[0].note.as_deref(),
        Some("Waiting to be processed")
    );

    let jobs = schema.table("jobs").unwrap();
    let column = |name| jobs.column(name).unwrap();
    assert_eq!(column("status").ty, "job_status");
    assert_eq!(
        column("status").default,
        Some(DefaultValue::String("created".into()))
    );
    assert_eq!(
        column("attempts").default,
        Some(DefaultValue::Number("0".into()))
    );
    assert_eq!(column("ratio").ty, "decimal(5,2)");
    assert_eq!(
        column("ratio").default,
        Some(DefaultValue::Number("1.50".into()))
    );
    assert_eq!(column("retried").default, Some(DefaultValue::Bool(false)));

    let dump = sql::render(&schema);
    assert!(dump.starts_with("-- "));
    let create_type = dump
        .find("CREATE TYPE \"job_status\" AS ENUM (\n  'created',")
        .unwrap();
    let create_table = dump.find("CREATE TABLE \"jobs\"").unwrap();
    assert!(create_type < create_table, "enums come before tables");
    assert!(dump.contains("\"status\" \"job_status\" NOT NULL DEFAULT 'created'"));
    assert!(dump.contains("\"ratio\" decimal(5,2) DEFAULT 1.50"));
}

#[test]
fn notes_lose_their_indentation_and_checks_are_read_from_table_notes() {
    let schema = fixture("notes.dbml");

    let project = schema.project.as_ref().unwrap();
    assert_eq!(project.name, "shop");
    assert_eq!(project.database_type.as_deref(), Some("PostgreSQL"));
    let note = project.note.as_deref().unwrap();
    assert!(
        note.starts_with("# Shop\n\nSells **things**:\n- one `order` per cart\n"),
        "{note:?}"
    );
    assert!(note.ends_with("\n    indented code stays code"), "{note:?}");

    let orders = schema.table("orders").unwrap();
    assert_eq!(orders.note.as_deref(), Some("One order per checkout."));
    let checks: Vec<(&str, &str)> = orders
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.expr.as_str()))
        .collect();
    assert_eq!(
        checks,
        [
            ("orders_total_positive", "total > 0"),
            (
                "orders_discount_bounded",
                "discount >= 0 AND discount <= total"
            )
        ]
    );
    assert_eq!(
        orders.column("total").unwrap().note.as_deref(),
        Some("Money: minor units; the customer's total")
    );
    assert!(orders.column("id").unwrap().increment);
    assert_eq!(
        schema.table("carts").unwrap().note.as_deref(),
        Some("A single-quoted note")
    );

    let dump = sql::render(&schema);
    assert!(
        dump.contains("\"id\" bigserial PRIMARY KEY"),
        "increment on bigint: {dump}"
    );
    assert!(dump.contains("  CONSTRAINT \"orders_total_positive\" CHECK (total > 0),\n"));
    assert!(dump.contains(
        "COMMENT ON COLUMN \"orders\".\"total\" IS 'Money: minor units; the customer''s total';"
    ));
    assert!(dump.contains("COMMENT ON TABLE \"orders\" IS 'One order per checkout.';"));
}

#[test]
fn refs_become_foreign_keys_with_aliases_resolved_and_actions_kept() {
    let schema = fixture("refs.dbml");
    let fks: Vec<String> = schema
        .refs
        .iter()
        .map(|r| {
            format!(
                "{} {r} delete={} update={}",
                r.name.as_deref().unwrap_or("-"),
                r.on_delete.as_deref().unwrap_or("-"),
                r.on_update.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        fks,
        [
            // Inline refs first, in column order; a self reference through the alias.
            "- users.manager_id > users.id delete=- update=-",
            "- posts.author_id > users.id delete=- update=-",
            "comments_post_id_fkey comments.post_id > posts.id delete=CASCADE update=NO ACTION",
            // `<` puts the key on the right-hand side.
            "- comments.author_id > users.id delete=SET NULL update=-",
            // One-to-one: the key is on the right-hand side, as dbml2sql does.
            "- profiles.user_id - users.id delete=- update=-",
            "- posts.editor_id > users.id delete=RESTRICT update=-",
            "- tags.(post_id, author_id) > posts.(id, author_id) delete=- update=-",
        ]
    );
    assert_eq!(schema.table("users").unwrap().alias.as_deref(), Some("U"));
    assert_eq!(schema.referenced_by("users").count(), 5);
    assert_eq!(schema.references_from("comments").count(), 2);

    let dump = sql::render(&schema);
    assert!(dump.contains(
        "ALTER TABLE \"comments\" ADD CONSTRAINT \"comments_post_id_fkey\" FOREIGN KEY (\"post_id\") REFERENCES \"posts\" (\"id\") ON DELETE CASCADE ON UPDATE NO ACTION;"
    ));
    assert!(dump.contains(
        "ALTER TABLE \"tags\" ADD FOREIGN KEY (\"post_id\", \"author_id\") REFERENCES \"posts\" (\"id\", \"author_id\");"
    ));
    let last_table = dump.rfind("CREATE TABLE").unwrap();
    let first_fk = dump.find("ALTER TABLE").unwrap();
    assert!(last_table < first_fk, "foreign keys come after every table");
}

#[test]
fn the_real_schema_parses_with_every_table_of_the_migrations() {
    let schema =
        load_schema(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../doc/db.dbml")).unwrap();
    let mut tables: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    tables.sort_unstable();
    assert_eq!(
        tables,
        [
            "accounts",
            "entries",
            "failed_logins",
            "idempotency_keys",
            "sessions",
            "transfers",
            "users"
        ]
    );
    assert_eq!(schema.refs.len(), 5);
    let idempotency = schema.table("idempotency_keys").unwrap();
    assert_eq!(idempotency.primary_key(), ["caller", "key"]);
}

#[test]
fn invalid_schemas_are_refused_with_the_reason() {
    let cases = [
        ("Table a { id int\n id int }", "column id is declared twice"),
        (
            "Table a { id int }\nTable a { id int }",
            "table a is declared twice",
        ),
        (
            "Table a { id int\n indexes { missing } }",
            "index on unknown column missing",
        ),
        (
            "Table a { id int }\nRef: a.id > b.id",
            "table b is not declared",
        ),
        (
            "Table a { id int }\nRef: a.nope > a.id",
            "table a has no column nope",
        ),
        (
            "Table a { id int }\nTable b { id int }\nRef: a.id <> b.id",
            "many-to-many",
        ),
        (
            "Table a { id varchar [increment] }",
            "increment needs an integer type",
        ),
        (
            "Table a { id int [pk]\n indexes { id [pk] } }",
            "declare the primary key once",
        ),
        (
            "Table a { id int\n Note: '''check a_positive: id > 0''' }",
            "put the check's expression in backquotes",
        ),
        ("Table a { id int [default: nope] }", "quote a string"),
        (
            "Table s.a { id int }",
            "only the public schema is supported",
        ),
        ("Table a { id int", "DBML syntax error"),
    ];
    for (source, expected) in cases {
        let error = parse_error(source);
        assert!(
            error.contains(expected),
            "{source:?}: expected {expected:?} in {error:?}"
        );
    }
}

#[test]
fn errors_say_where_in_the_file() {
    let error = parse_error("Table a { id int }\n\nTable b {\n  id int\n  id int\n}\n");
    assert!(error.contains("line 3, column 1"), "{error}");
}

#[test]
fn queries_are_read_with_their_docs_and_the_tables_they_touch() {
    let text = "--: Row()\n\n\
        --! reserve (caller?) : Row\n\
        --- Claims a key.\n\
        --- Second line.\n\
        INSERT INTO idempotency_keys (caller) VALUES (:caller)\n\
        ON CONFLICT (caller, key) DO UPDATE SET caller = 'FROM accounts' -- not UPDATE users\n\
        RETURNING caller;\n\n\
        --! lock_pair : Row\n\
        SELECT a.id FROM accounts a JOIN \"users\" u ON u.username = a.owner\n\
        WHERE a.id IN (:a, :b) FOR NO KEY UPDATE;\n\n\
        --! purge\n\
        DELETE FROM sessions USING users WHERE sessions.username = users.username;\n";
    let parsed = queries::parse_file("x.sql", text).unwrap();
    let names: Vec<&str> = parsed.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["reserve", "lock_pair", "purge"]);
    assert_eq!(parsed[0].doc, "Claims a key.\nSecond line.");
    assert_eq!(parsed[0].signature, "(caller?) : Row");
    assert_eq!(parsed[0].line, 3);
    assert!(parsed[0].sql.starts_with("INSERT INTO"));
    assert!(parsed[0].sql.ends_with("RETURNING caller;"));

    let known = ["accounts", "users", "sessions", "idempotency_keys"];
    let uses = |i: usize| -> Vec<(String, Access, bool)> {
        queries::tables_used(&parsed[i].sql, &known)
            .into_iter()
            .map(|u| (u.table, u.access, u.locks))
            .collect()
    };
    assert_eq!(uses(0), [("idempotency_keys".into(), Access::Write, false)]);
    assert_eq!(
        uses(1),
        [
            ("accounts".into(), Access::Read, true),
            ("users".into(), Access::Read, true)
        ]
    );
    assert_eq!(
        uses(2),
        [
            ("sessions".into(), Access::Write, false),
            ("users".into(), Access::Read, false)
        ]
    );
}

#[test]
fn a_query_without_its_semicolon_is_an_error() {
    let error = queries::parse_file("x.sql", "--! broken\nSELECT 1\n").unwrap_err();
    assert!(format!("{error:#}").contains("query broken has no SQL ending with `;`"));
}
