//! The `simplebank` command line.

use std::{process::ExitCode, sync::Arc};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::{
    app::{Application, bank_from_config, shutdown_signal},
    config::{Config, LogFormat},
    domain::{AccountId, Amount, Role, Username},
    service::Bank,
    store::{self, Store, migrate},
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
    /// Delete expired idempotency keys, sessions past SESSION_RETENTION and expired
    /// failed-login counters now (the server also does it every PURGE_INTERVAL).
    Purge,
    /// Print the OpenAPI 3 description of the REST API (JSON).
    Openapi,
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

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        return print_openapi();
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: configuration: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    init_tracing(config.log_format);
    match execute(cli.command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::debug!(error = ?err, "command failed");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
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

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
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
        Command::Purge => {
            let report = bank(&config)?.purge(&config.horizon).await?;
            println!("{report}");
            Ok(())
        }
        Command::Openapi => unreachable!("handled before loading the configuration"),
    }
}

fn bank(config: &Config) -> anyhow::Result<Arc<Bank>> {
    let store = Store::new(&config.database)?;
    Ok(Arc::new(bank_from_config(store, config)?))
}

async fn run_migrate(config: &Config, action: MigrateAction) -> anyhow::Result<()> {
    let url = &config.database.url;
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
