//! The `simplebank` command line.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::{
    config::DatabaseConfig,
    domain::{AccountId, Amount},
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

pub async fn run() -> ExitCode {
    init_tracing();
    match execute(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    let config = DatabaseConfig::from_env()?;
    match cli.command {
        Command::Migrate { action } => run_migrate(&config, action).await,
        Command::Deposit { account, amount } => {
            let account = AccountId::parse_field(account, "account")?;
            let amount = Amount::parse(amount)?;
            let deposit = Store::new(&config)?.deposit(account, amount).await?;
            println!("{}", serde_json::to_string_pretty(&deposit)?);
            Ok(())
        }
    }
}

async fn run_migrate(config: &DatabaseConfig, action: MigrateAction) -> anyhow::Result<()> {
    if matches!(action, MigrateAction::Up { .. }) {
        store::create_database_if_missing(&config.url).await?;
    }
    let mut client = store::connect(&config.url)
        .await
        .with_context(|| format!("cannot connect to {}", store::redacted_url(&config.url)))?;
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
