use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::{Client, NoTls, config::SslMode, error::SqlState};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{
    config::{DatabaseConfig, PoolMode},
    db_url::{load_root_certificates, redacted_url, split_root_cert},
};

/// A parsed database URL and, with `sslmode=require`, the TLS connector to use.
///
/// `sslmode=require` means TLS with the server's certificate verified against the
/// Mozilla roots plus the PEM file of `sslrootcert=` (as libpq names it; e.g. the
/// RDS CA bundle). Without it connections are plain, as before.
struct Target {
    config: tokio_postgres::Config,
    tls: Option<MakeRustlsConnect>,
}

fn target(url: &str) -> Result<Target, tokio_postgres::Error> {
    let (url, root_cert) = split_root_cert(url);
    let config = tokio_postgres::Config::from_str(&url)?;
    let tls =
        (config.get_ssl_mode() == SslMode::Require).then(|| tls_connector(root_cert.as_deref()));
    Ok(Target { config, tls })
}

fn tls_connector(root_cert: Option<&str>) -> MakeRustlsConnect {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = root_cert {
        // The configuration was checked at start-up (Config::load); if the file broke
        // since, the server's certificate will simply fail verification.
        match load_root_certificates(Path::new(path)) {
            Ok(certificates) => {
                let (added, ignored) = roots.add_parsable_certificates(certificates);
                tracing::debug!(added, ignored, "sslrootcert loaded");
            }
            Err(err) => tracing::error!(error = %err, "sslrootcert unusable"),
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// The settings every transaction runs under: bounded lock waits and statement run
/// times, so a hot row or a runaway query costs a request, not the pool.
///
/// In session mode they travel as startup options (`-c name=value`), set once per
/// connection at no round trip. A transaction-mode pooler refuses startup options and
/// shares server sessions, so there they are set in each transaction (`SET LOCAL`),
/// sent with its BEGIN (see `transaction_begin`).
///
/// Session mode also runs every prepared statement with its generic plan, the plan
/// `make query-vet` checks. Left to choose, PostgreSQL keeps planning the list queries
/// afresh on every run (0.2-0.3 ms each, as much as running them): it prices a LIMIT
/// it cannot see as a tenth of the rows, so the generic plan always looks dearer.
/// (Transaction mode sends statements unnamed: each is planned for its values.)
fn session_settings(config: &DatabaseConfig) -> String {
    let (lock, statement) = timeouts_ms(config);
    format!(
        "-c lock_timeout={lock} -c statement_timeout={statement} -c plan_cache_mode=force_generic_plan"
    )
}

/// What opens a transaction in this pool mode.
pub(super) fn transaction_begin(config: &DatabaseConfig) -> String {
    match config.pool_mode {
        PoolMode::Session => "BEGIN".to_owned(),
        PoolMode::Transaction => {
            let (lock, statement) = timeouts_ms(config);
            format!(
                "BEGIN; SET LOCAL lock_timeout = {lock}; SET LOCAL statement_timeout = {statement}"
            )
        }
    }
}

fn timeouts_ms(config: &DatabaseConfig) -> (u128, u128) {
    (
        config.lock_timeout.as_millis().max(1),
        config.statement_timeout.as_millis().max(1),
    )
}

pub(super) fn build_pool(config: &DatabaseConfig) -> anyhow::Result<Pool> {
    let mut target = target(&config.url)
        .with_context(|| format!("invalid database URL {}", redacted_url(&config.url)))?;
    if config.pool_mode == PoolMode::Session {
        let options = match target.config.get_options() {
            Some(given) if !given.trim().is_empty() => {
                format!("{given} {}", session_settings(config))
            }
            _ => session_settings(config),
        };
        target.config.options(&options);
    }
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match target.tls {
        Some(tls) => Manager::from_config(target.config, tls, manager_config),
        None => Manager::from_config(target.config, NoTls, manager_config),
    };
    Pool::builder(manager)
        .max_size(config.max_connections)
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(Duration::from_secs(5)),
            create: Some(Duration::from_secs(5)),
            recycle: Some(Duration::from_secs(5)),
        })
        .build()
        .context("building the connection pool")
}

/// One connection outside the pool (migrations, administration). The connection
/// task runs until the returned client is dropped.
pub async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    connect_to(target(url)?).await
}

async fn connect_to(target: Target) -> Result<Client, tokio_postgres::Error> {
    let closed = |result: Result<(), tokio_postgres::Error>| {
        if let Err(err) = result {
            tracing::debug!(error = %err, "database connection closed");
        }
    };
    match target.tls {
        Some(tls) => {
            let (client, connection) = target.config.connect(tls).await?;
            tokio::spawn(async move { closed(connection.await) });
            Ok(client)
        }
        None => {
            let (client, connection) = target.config.connect(NoTls).await?;
            tokio::spawn(async move { closed(connection.await) });
            Ok(client)
        }
    }
}

/// The database a URL names (PostgreSQL defaults it to the user name).
pub fn database_name(url: &str) -> anyhow::Result<String> {
    let config = target(url)
        .with_context(|| format!("invalid database URL {}", redacted_url(url)))?
        .config;
    config
        .get_dbname()
        .or(config.get_user())
        .map(str::to_owned)
        .context("the database URL names neither a database nor a user")
}

/// Creates the database `url` names when the server does not have it yet, so the
/// server can start against an empty PostgreSQL. Returns whether it created it.
pub async fn create_database_if_missing(url: &str) -> anyhow::Result<bool> {
    match connect(url).await {
        Ok(_) => return Ok(false),
        Err(err) if err.code() == Some(&SqlState::INVALID_CATALOG_NAME) => {}
        Err(err) => {
            return Err(err).with_context(|| format!("cannot connect to {}", redacted_url(url)));
        }
    }
    let name = database_name(url)?;
    let mut admin = target(url)?;
    admin.config.dbname("postgres");
    let admin = connect_to(admin)
        .await
        .context("connecting to the 'postgres' database to create the application database")?;
    let statement = format!("CREATE DATABASE {}", quote_identifier(&name));
    match admin.batch_execute(&statement).await {
        Ok(()) => {
            tracing::info!(database = %name, "created database");
            Ok(true)
        }
        // Another replica created it a moment ago.
        Err(err) if err.code() == Some(&SqlState::DUPLICATE_DATABASE) => Ok(false),
        Err(err) => Err(err).with_context(|| format!("creating database {name:?}")),
    }
}

pub(crate) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_defaults_to_the_user() {
        assert_eq!(
            database_name("postgresql://root@localhost/bank").unwrap(),
            "bank"
        );
        assert_eq!(
            database_name("postgresql://root@localhost").unwrap(),
            "root"
        );
    }

    #[test]
    fn only_sslmode_require_uses_tls() {
        assert!(
            target("postgresql://u@h/db?sslmode=require")
                .unwrap()
                .tls
                .is_some()
        );
        assert!(
            target("postgresql://u@h/db?sslmode=prefer")
                .unwrap()
                .tls
                .is_none()
        );
        assert!(target("postgresql://u@h/db").unwrap().tls.is_none());
    }

    #[test]
    fn pooled_sessions_bound_lock_waits_and_statements() {
        let config = DatabaseConfig {
            lock_timeout: std::time::Duration::from_millis(1500),
            statement_timeout: std::time::Duration::from_secs(10),
            ..DatabaseConfig::new("postgresql://u@h/db")
        };
        assert_eq!(
            session_settings(&config),
            "-c lock_timeout=1500 -c statement_timeout=10000 -c plan_cache_mode=force_generic_plan"
        );
        assert_eq!(transaction_begin(&config), "BEGIN");
        let pooled = DatabaseConfig {
            pool_mode: PoolMode::Transaction,
            ..config
        };
        assert_eq!(
            transaction_begin(&pooled),
            "BEGIN; SET LOCAL lock_timeout = 1500; SET LOCAL statement_timeout = 10000"
        );
    }

    #[test]
    fn identifiers_are_quoted_safely() {
        assert_eq!(quote_identifier("simple_bank"), "\"simple_bank\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
