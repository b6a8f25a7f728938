//! The embedded migration runner: golang-migrate's state table, reversibility,
//! concurrent runners, dirty databases, and creating a missing database.

use simplebank::store::{self, migrate};

use crate::harness::TestDb;

/// Tables, columns, constraints and indexes of the public schema, as text, sorted.
async fn catalog(client: &tokio_postgres::Client) -> Vec<String> {
    let queries = [
        "SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type, is_nullable, coalesce(column_default, '-'))
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
        "SELECT format('constraint %s on %s: %s', conname, conrelid::regclass, pg_get_constraintdef(oid))
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'schema_migrations'",
        "SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
    ];
    let mut lines = Vec::new();
    for query in queries {
        for row in client.query(query, &[]).await.expect("catalog query") {
            lines.push(row.get::<_, String>(0));
        }
    }
    lines.sort();
    lines
}

async fn state(client: &tokio_postgres::Client) -> Vec<(i64, bool)> {
    client
        .query("SELECT version, dirty FROM schema_migrations", &[])
        .await
        .expect("schema_migrations")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

#[tokio::test]
async fn up_down_up_rebuilds_the_same_schema() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;

    let applied = migrate::up(&mut client, None).await.expect("up");
    let first = catalog(&client).await;
    let reverted = migrate::down(&mut client, None).await.expect("down");
    let after_down = catalog(&client).await;
    migrate::up(&mut client, None).await.expect("up again");
    let second = catalog(&client).await;

    assert_eq!(applied, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(reverted, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert!(
        after_down.is_empty(),
        "down left objects behind: {after_down:#?}"
    );
    assert!(
        first
            .iter()
            .any(|line| line.contains("accounts_balance_nonnegative"))
    );
    assert_eq!(first, second);
}

#[tokio::test]
async fn each_down_undoes_exactly_its_up() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;
    let mut snapshots = vec![catalog(&client).await];
    for _ in migrate::MIGRATIONS {
        migrate::up(&mut client, Some(1)).await.expect("up 1");
        snapshots.push(catalog(&client).await);
    }

    for expected in snapshots.iter().rev().skip(1) {
        migrate::down(&mut client, Some(1)).await.expect("down 1");
        assert_eq!(&catalog(&client).await, expected);
    }
}

#[tokio::test]
async fn schema_migrations_is_kept_the_way_golang_migrate_keeps_it() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;

    migrate::up(&mut client, Some(2)).await.expect("up 2");
    let columns: Vec<(String, String, String)> = client
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns
             WHERE table_name = 'schema_migrations' ORDER BY ordinal_position",
            &[],
        )
        .await
        .expect("columns")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let primary_key: String = client
        .query_one(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = 'schema_migrations'::regclass AND contype = 'p'",
            &[],
        )
        .await
        .expect("primary key")
        .get(0);

    assert_eq!(
        columns,
        [
            ("version".into(), "bigint".into(), "NO".into()),
            ("dirty".into(), "boolean".into(), "NO".into())
        ]
    );
    assert_eq!(primary_key, "PRIMARY KEY (version)");
    assert_eq!(
        state(&client).await,
        [(2, false)],
        "one row: the current version"
    );
    migrate::down(&mut client, None).await.expect("down all");
    assert_eq!(state(&client).await, [], "no migration applied: no row");
}

#[tokio::test]
async fn a_database_left_at_a_version_by_golang_migrate_gets_only_the_rest() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;
    migrate::up(&mut client, Some(3)).await.expect("up 3");
    // Now hand it over as golang-migrate would leave it: the same single row.
    client
        .batch_execute(
            "DELETE FROM schema_migrations; INSERT INTO schema_migrations VALUES (3, false)",
        )
        .await
        .expect("hand over");

    let applied = migrate::up(&mut client, None).await.expect("up");

    assert_eq!(applied, [4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(state(&client).await, [(10, false)]);
}

#[tokio::test]
async fn status_reports_the_version_and_what_is_pending() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;

    let before = migrate::status(&mut client).await.expect("status");
    migrate::up(&mut client, Some(3)).await.expect("up 3");
    let partway = migrate::status(&mut client).await.expect("status");
    migrate::up(&mut client, None).await.expect("up");
    let done = migrate::status(&mut client).await.expect("status");

    assert_eq!(
        (before.version, before.dirty, before.pending.as_slice()),
        (None, false, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10][..])
    );
    assert_eq!(
        (partway.version, partway.pending.as_slice()),
        (Some(3), &[4, 5, 6, 7, 8, 9, 10][..])
    );
    assert_eq!((done.version, done.pending.len()), (Some(10), 0));
    assert_eq!(done.to_string(), "version 10, up to date");
}

#[tokio::test]
async fn concurrent_runners_apply_each_migration_once() {
    let db = TestDb::unmigrated().await;

    let runners = futures::future::join_all((0..4).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move {
            let mut client = store::connect(&url).await.expect("connect");
            migrate::up(&mut client, None).await
        })
    }))
    .await;

    let mut applied: Vec<u64> = Vec::new();
    for runner in runners {
        applied.extend(runner.expect("task").expect("no runner may fail"));
    }
    applied.sort();
    assert_eq!(
        applied,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "every migration exactly once across the runners"
    );
    assert_eq!(state(&db.connect().await).await, [(10, false)]);
}

#[tokio::test]
async fn a_dirty_database_stops_with_a_message_naming_the_version() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;
    migrate::up(&mut client, Some(2)).await.expect("up 2");
    client
        .batch_execute("UPDATE schema_migrations SET dirty = true")
        .await
        .expect("make dirty");

    let err = migrate::up(&mut client, None)
        .await
        .expect_err("dirty must stop");
    let forced = migrate::force(&mut client, Some(2)).await;
    let applied = migrate::up(&mut client, None).await.expect("after force");

    assert!(
        matches!(err, migrate::MigrateError::Dirty { version: 2 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("dirty at version 2"), "{err}");
    forced.expect("force");
    assert_eq!(applied, [3, 4, 5, 6, 7, 8, 9, 10]);
}

#[tokio::test]
async fn a_failing_migration_changes_nothing_and_names_itself() {
    let db = TestDb::unmigrated().await;
    let mut client = db.connect().await;
    migrate::up(&mut client, Some(1)).await.expect("up 1");
    // Make migration 2 fail half-way: its table already exists.
    client
        .batch_execute("CREATE TABLE users (username varchar)")
        .await
        .expect("sabotage");

    let err = migrate::up(&mut client, None)
        .await
        .expect_err("migration 2 must fail");

    assert!(
        err.to_string()
            .contains("migration 2_add_users (up) failed"),
        "{err}"
    );
    assert_eq!(
        state(&client).await,
        [(1, false)],
        "still clean at version 1"
    );
}

#[tokio::test]
async fn a_missing_database_is_created() {
    let server = TestDb::unmigrated().await;
    let url = format!("{}_created", server.url);
    let name = store::database_name(&url).expect("name");

    let created = store::create_database_if_missing(&url)
        .await
        .expect("create");
    let again = store::create_database_if_missing(&url)
        .await
        .expect("exists now");
    let connected = store::connect(&url).await.map(|_| ());

    drop(
        server
            .connect()
            .await
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await,
    );
    assert!(created, "the database did not exist and must be created");
    assert!(!again, "an existing database is left alone");
    connected.expect("the new database accepts connections");
}
