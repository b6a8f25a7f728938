//! `dbdocs`: schema docs from `doc/db.dbml`. See `dbdocs --help` and docs.mk.

use std::{
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
    time::Instant,
};

use anyhow::Context;
use clap::{Parser, Subcommand};
use simplebank_dbdocs::{drift, generated, load_schema, queries, render_html, render_sql, vet};

#[derive(Parser)]
#[command(
    name = "dbdocs",
    about = "Schema docs from doc/db.dbml: a static docs page, a SQL dump, and a drift check against the migrations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the self-contained docs page (tables, ER diagram, query catalogue).
    Html {
        #[arg(long, default_value = "doc/db.dbml")]
        dbml: PathBuf,
        /// The folder of cornucopia-annotated queries.
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
        #[arg(long, default_value = "doc/db/index.html")]
        out: PathBuf,
    },
    /// Write the PostgreSQL DDL the DBML describes (in dbml2sql --postgres order).
    Sql {
        #[arg(long, default_value = "doc/db.dbml")]
        dbml: PathBuf,
        #[arg(long, default_value = "doc/schema.sql")]
        out: PathBuf,
    },
    /// Compare the DBML with the schema the migrations build on a scratch database.
    Drift {
        #[arg(long, default_value = "doc/db.dbml")]
        dbml: PathBuf,
        /// A PostgreSQL server (any database on it) where the user may CREATE DATABASE.
        #[arg(long, env = "PG_SERVER_URL")]
        server_url: String,
    },
    /// Plan every named query on a grown scratch database; fail, naming the query, on a full
    /// read of a big table or a sort of an unbounded row set (see `-- vet: allow`).
    Vet {
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
        /// A PostgreSQL server (any database on it) where the user may CREATE DATABASE.
        #[arg(long, env = "PG_SERVER_URL")]
        server_url: String,
        /// Also write each query's plan shape there (for the docs page: doc/query-plans.tsv).
        #[arg(long)]
        plans_out: Option<PathBuf>,
    },
    /// Fail if the committed page or SQL dump differ from what the DBML generates now.
    Check {
        #[arg(long, default_value = "doc/db.dbml")]
        dbml: PathBuf,
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
        #[arg(long, default_value = "doc/db/index.html")]
        html: PathBuf,
        #[arg(long, default_value = "doc/schema.sql")]
        sql: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dbdocs: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Html { dbml, queries, out } => {
            let started = Instant::now();
            let page = render_html(&dbml, &queries)?;
            write(&out, &page)?;
            println!(
                "wrote {} ({} bytes) in {} ms",
                out.display(),
                page.len(),
                started.elapsed().as_millis()
            );
        }
        Command::Sql { dbml, out } => {
            let dump = render_sql(&dbml)?;
            write(&out, &dump)?;
            if out != Path::new("/dev/stdout") {
                println!("wrote {} ({} bytes)", out.display(), dump.len());
            }
        }
        Command::Drift { dbml, server_url } => {
            let schema = load_schema(&dbml)?;
            let name = dbml.display().to_string();
            let report = drift::check(&server_url, &schema, &name).await?;
            if !report.is_clean() {
                eprintln!("{}", report.render(&name));
                return Ok(ExitCode::FAILURE);
            }
            println!("{}", report.summary(&name));
        }
        Command::Vet {
            queries,
            server_url,
            plans_out,
        } => {
            let started = Instant::now();
            let queries = queries::load_dir(&queries)?;
            let report = vet::vet(&server_url, &queries).await?;
            print!("{}", report.render());
            if let Some(path) = plans_out {
                write(&path, &vet::render_plans(&report))?;
            }
            let failures: Vec<String> = report
                .failures()
                .map(|(verdict, finding)| {
                    format!(
                        "{} ({}:{}): {} {}",
                        verdict.query,
                        verdict.file,
                        verdict.line,
                        finding.rule.as_str(),
                        finding.node
                    )
                })
                .collect();
            if !failures.is_empty() {
                eprintln!("query-vet failed for {} finding(s):", failures.len());
                for failure in failures {
                    eprintln!("  {failure}");
                }
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "query-vet: {} queries planned on a grown database in {} ms, none reads a big table in full or sorts an unbounded set",
                report.verdicts.len(),
                started.elapsed().as_millis()
            );
        }
        Command::Check {
            dbml,
            queries,
            html,
            sql,
        } => {
            let files = [
                generated::Expected {
                    path: &html,
                    content: render_html(&dbml, &queries)?,
                    target: "db_docs",
                },
                generated::Expected {
                    path: &sql,
                    content: render_sql(&dbml)?,
                    target: "db_schema",
                },
            ];
            let problems = generated::stale(&files);
            if !problems.is_empty() {
                for problem in problems {
                    eprintln!("{problem}");
                }
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "{} and {} are up to date with {}",
                html.display(),
                sql.display(),
                dbml.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}
