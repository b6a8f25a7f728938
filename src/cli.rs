//! The `simplebank` command line.

use std::{process::ExitCode, sync::Arc};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::{
    app::{Application, bank_from_config, shutdown_signal},
    config::Config,
    domain::{AccountId, Amount, Role, Username},
    service::Bank,
    store::{self, Store, format_blocked_queries, migrate},
    telemetry,
};

#[derive(Debug, Parser)]
#[command(name = "simplebank", version, about = "Simple Bank server and tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database if needed, apply pending migrations, and serve.
    Serve,
    /// Apply, revert or inspect schema migrations (DB_SOURCE names the database).
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Put money into an account, as the bank (an entry and the balance, in one transaction).
    Deposit {
        #[arg(long)]
        account: i64,
        /// Minor units (cents), greater than 0.
        #[arg(long)]
        amount: i64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Inspect the database (DB_SOURCE).
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Delete expired idempotency keys, sessions past SESSION_RETENTION and expired
    /// failed-login counters now (the server also does it every PURGE_INTERVAL).
    Purge,
    /// Print the OpenAPI 3 description of the REST API (JSON).
    Openapi,
    /// Print the name of every metric the server exports on /metrics, one per line.
    MetricNames,
}

#[derive(Debug, Subcommand)]
enum DbAction {
    /// The course's lock monitor: each query waiting for a lock and the one holding
    /// it (pids, users, both statements, how long), or "no blocked queries".
    Locks,
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply all pending migrations, or the next N. Creates the database if it is missing.
    Up { n: Option<usize> },
    /// Revert all applied migrations, or the last N.
    Down { n: Option<usize> },
    /// Print the applied version and what is pending.
    Status,
    /// Record VERSION as applied and clean without running anything (after a manual repair);
    /// -1 records that nothing is applied.
    Force {
        #[arg(allow_negative_numbers = true)]
        version: i64,
    },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Make a user a banker or a depositor.
    SetRole {
        username: String,
        #[arg(value_parser = ["banker", "depositor"])]
        role: String,
    },
}

/// One thread runs a current-thread runtime: a task woken by another (the database
/// connection's, by each request that queues a query) then waits for the tasks already
/// ready, so one socket write carries the queries of many requests. A one-worker
/// multi-thread runtime runs the woken task at once instead (its LIFO slot), and
/// spent 18 microseconds of CPU per GET against 15 here (wrk with the bench's GET
/// script on 2 cores, one server of each in turn), serving 5-10% fewer.
fn request_runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}

/// Parses the command line and the configuration, then runs the command on a runtime
/// of `WORKER_THREADS` threads (see `request_runtime`).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => return print_openapi(),
        Command::MetricNames => return print_metric_names(),
        _ => {}
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: configuration: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    match request_runtime(config.worker_threads) {
        Ok(runtime) => runtime.block_on(run_command(cli.command, config)),
        Err(err) => {
            eprintln!("error: starting the runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run_command(command: Command, config: Config) -> ExitCode {
    let telemetry = match telemetry::init(config.log_format, config.otlp_endpoint.as_deref()) {
        Ok(telemetry) => telemetry,
        Err(err) => {
            eprintln!("error: tracing (OTEL_EXPORTER_OTLP_ENDPOINT): {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let code = match execute(command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::debug!(error = ?err, "command failed");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    };
    telemetry.shutdown().await;
    code
}

fn print_openapi() -> ExitCode {
    match crate::http::openapi().to_pretty_json() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(config).await?;
            app.run_until(shutdown_signal()).await
        }
        Command::Migrate { action } => run_migrate(&config, action).await,
        Command::Deposit { account, amount } => {
            let account = AccountId::parse_field(account, "account")?;
            let amount = Amount::parse(amount)?;
            let deposit = bank(&config)?.deposit_as_operator(account, amount).await?;
            println!("{}", serde_json::to_string_pretty(&deposit)?);
            Ok(())
        }
        Command::User {
            action: UserAction::SetRole { username, role },
        } => {
            let username = Username::parse(&username)?;
            let role = Role::parse(&role)?;
            let user = bank(&config)?.set_role(&username, role).await?;
            println!("{} is now a {}", user.username, user.role);
            Ok(())
        }
        Command::Db {
            action: DbAction::Locks,
        } => {
            let store = Store::new(&config.database)?;
            let pairs = store.blocked_queries().await?;
            print!("{}", format_blocked_queries(&pairs));
            Ok(())
        }
        Command::Purge => {
            let report = bank(&config)?.purge(&config.horizon).await?;
            println!("{report}");
            Ok(())
        }
        Command::Openapi | Command::MetricNames => {
            unreachable!("handled before loading the configuration")
        }
    }
}

/// For the dashboard check (`make lint-deploy`): the sample names a scrape can show.
fn print_metric_names() -> ExitCode {
    let store = match Store::new(&crate::config::DatabaseConfig {
        max_connections: 1,
        ..crate::config::DatabaseConfig::new(crate::config::DEFAULT_DB_SOURCE)
    }) {
        Ok(store) => store,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    for name in crate::metrics::Metrics::new(&Default::default(), &store).sample_names() {
        println!("{name}");
    }
    ExitCode::SUCCESS
}

fn bank(config: &Config) -> anyhow::Result<Arc<Bank>> {
    let store = Store::new(&config.database)?;
    Ok(Arc::new(bank_from_config(store, config)?))
}

async fn run_migrate(config: &Config, action: MigrateAction) -> anyhow::Result<()> {
    let url = &config.database.migration_url;
    if matches!(action, MigrateAction::Up { .. }) {
        store::create_database_if_missing(url).await?;
    }
    let mut client = store::connect(url)
        .await
        .with_context(|| format!("cannot connect to {}", store::redacted_url(url)))?;
    match action {
        MigrateAction::Up { n } => {
            let applied = migrate::up(&mut client, n).await?;
            println!("applied {} migration(s): {applied:?}", applied.len());
        }
        MigrateAction::Down { n } => {
            let reverted = migrate::down(&mut client, n).await?;
            println!("reverted {} migration(s): {reverted:?}", reverted.len());
        }
        MigrateAction::Status => println!("{}", migrate::status(&mut client).await?),
        MigrateAction::Force { version } => {
            let version = (version >= 0).then_some(version);
            migrate::force(&mut client, version).await?;
            println!("forced {}", migrate::status(&mut client).await?);
        }
    }
    Ok(())
}
