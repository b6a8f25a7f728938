//! The drift check: does `doc/db.dbml` describe the schema the migrations build?
//!
//! On a scratch database (random name, dropped at the end, also on failure or Ctrl-C) it applies
//! the embedded migrations to `public` with the server's own runner, runs the DBML's SQL dump
//! (`dbdocs sql`) in the schema `dbml_model`, reads both from the catalog and compares them.

use std::str::FromStr;

use anyhow::Context;
use tokio_postgres::{Client, Config, NoTls};

use crate::{
    catalog::{self, Catalog},
    model::Schema,
    sql,
};

/// Where the migrations put the schema.
const MIGRATED: &str = "public";
/// Where the DBML's SQL dump goes.
const MODELLED: &str = "dbml_model";
/// Bookkeeping of the migration runner, not part of the documented schema.
const IGNORED_TABLES: &[&str] = &["schema_migrations"];

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// One readable line per difference; empty when the two agree.
    pub differences: Vec<String>,
    pub tables: usize,
    pub columns: usize,
    pub indexes: usize,
    pub foreign_keys: usize,
    pub checks: usize,
    pub database: String,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }

    /// The one-line summary printed when nothing differs.
    pub fn summary(&self, dbml_name: &str) -> String {
        format!(
            "{dbml_name} matches the migrations: {} tables, {} columns, {} indexes, {} foreign keys, {} checks",
            self.tables, self.columns, self.indexes, self.foreign_keys, self.checks
        )
    }

    /// The differences, one per line, with a heading and a hint.
    pub fn render(&self, dbml_name: &str) -> String {
        let mut out = format!(
            "{dbml_name} differs from the schema the migrations build ({} difference{}):\n",
            self.differences.len(),
            if self.differences.len() == 1 { "" } else { "s" }
        );
        for line in &self.differences {
            out.push_str("  - ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(
            "Update doc/db.dbml (then make db_docs db_schema) or the migrations, until make db_drift passes.",
        );
        out
    }
}

/// Runs the drift check of `schema` against the migrations on the server at `server_url`
/// (any database there that the user may connect to; `CREATE DATABASE` is needed).
/// `dbml_name` labels the DBML side in the differences.
pub async fn check(server_url: &str, schema: &Schema, dbml_name: &str) -> anyhow::Result<Report> {
    let admin_config = Config::from_str(server_url).with_context(|| {
        format!(
            "invalid server URL {}",
            simplebank::store::redacted_url(server_url)
        )
    })?;
    let admin = connect(&admin_config).await.with_context(|| {
        format!(
            "connecting to {}",
            simplebank::store::redacted_url(server_url)
        )
    })?;
    let database = format!("dbdocs_drift_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {}", sql::ident(&database)))
        .await
        .with_context(|| format!("creating the scratch database {database}"))?;

    let mut scratch_config = admin_config.clone();
    scratch_config.dbname(&database);
    let outcome = tokio::select! {
        outcome = compare(&scratch_config, schema, dbml_name) => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    // Always drop it, whatever happened; FORCE ends a connection the failure left open.
    let dropped = admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            sql::ident(&database)
        ))
        .await
        .with_context(|| format!("dropping the scratch database {database}"));
    let mut report =
        outcome.with_context(|| format!("on the scratch database {database} (dropped)"))?;
    dropped?;
    report.database = database;
    Ok(report)
}

async fn compare(config: &Config, schema: &Schema, dbml_name: &str) -> anyhow::Result<Report> {
    let mut client = connect(config)
        .await
        .context("connecting to the scratch database")?;
    simplebank::store::migrate::up(&mut client, None)
        .await
        .context("applying the migrations to the scratch database")?;
    let dump = sql::render(schema);
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {s}; SET search_path TO {s};",
            s = sql::ident(MODELLED)
        ))
        .await?;
    client.batch_execute(&dump).await.map_err(|err| {
        let detail = err
            .as_db_error()
            .map_or_else(|| err.to_string(), |db| db.message().to_owned());
        anyhow::anyhow!(
            "the SQL that {dbml_name} describes does not run on PostgreSQL: {detail}\n\
             (see it with: dbdocs sql --dbml {dbml_name} --out /dev/stdout)"
        )
    })?;
    let mut migrated = Catalog::read(&client, MIGRATED).await?;
    let modelled = Catalog::read(&client, MODELLED).await?;
    for table in IGNORED_TABLES {
        migrated.tables.remove(*table);
    }
    let differences = catalog::diff(&migrated, &modelled, "migrations", dbml_name);
    Ok(Report {
        differences,
        tables: migrated.tables.len(),
        columns: migrated.column_count(),
        indexes: migrated.index_count(),
        foreign_keys: migrated.foreign_key_count(),
        checks: migrated.check_count(),
        database: String::new(),
    })
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // The connection ends when the client is dropped; an error then is of no interest.
        let _ = connection.await;
    });
    Ok(client)
}
