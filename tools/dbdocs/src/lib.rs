//! Schema docs that cannot lie: `doc/db.dbml` becomes a static docs page (`html`) and a SQL dump
//! (`sql`), and `drift` proves the DBML describes the schema the migrations build.
//!
//! Pipeline: [`model`] parses and validates the DBML, [`queries`] reads the named queries,
//! [`html`] (with [`er`] for the diagram) and [`sql`] render, [`drift`] and [`catalog`] compare
//! with PostgreSQL, and [`generated`] checks that the committed outputs are current.

pub mod catalog;
pub mod drift;
pub mod er;
pub mod generated;
pub mod html;
pub mod markdown;
pub mod model;
pub mod queries;
pub mod sql;
pub mod vet;

use std::{fs, path::Path};

use anyhow::Context;

pub use model::Schema;

/// Reads and validates a DBML file.
pub fn load_schema(path: &Path) -> anyhow::Result<Schema> {
    let source = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Schema::parse(&source).with_context(|| format!("{} is not valid", path.display()))
}

/// The docs page for a DBML file and a folder of queries, with the plan shape of each query
/// when `query-plans.tsv` (written by `make query-vet`) sits next to the DBML.
pub fn render_html(dbml: &Path, queries_dir: &Path) -> anyhow::Result<String> {
    let schema = load_schema(dbml)?;
    let mut queries = queries::load_dir(queries_dir)?;
    let plans = dbml.with_file_name(vet::PLANS_FILE);
    if plans.exists() {
        let text =
            fs::read_to_string(&plans).with_context(|| format!("reading {}", plans.display()))?;
        let shapes = vet::parse_plans(&text);
        for query in &mut queries {
            query.plan = shapes.get(&query.name).cloned();
        }
    }
    Ok(html::render(&schema, &queries))
}

/// The SQL dump of a DBML file.
pub fn render_sql(dbml: &Path) -> anyhow::Result<String> {
    Ok(sql::render(&load_schema(dbml)?))
}
