use std::{str::FromStr, time::Duration};

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::{Client, NoTls, error::SqlState};

use crate::config::DatabaseConfig;

pub(super) fn build_pool(config: &DatabaseConfig) -> anyhow::Result<Pool> {
    let pg_config = tokio_postgres::Config::from_str(&config.url)
        .with_context(|| format!("invalid database URL {}", redacted_url(&config.url)))?;
    let manager = Manager::from_config(
        pg_config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
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
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(error = %err, "database connection closed");
        }
    });
    Ok(client)
}

/// The database a URL names (PostgreSQL defaults it to the user name).
pub fn database_name(url: &str) -> anyhow::Result<String> {
    let config = tokio_postgres::Config::from_str(url)
        .with_context(|| format!("invalid database URL {}", redacted_url(url)))?;
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
    let mut admin_config = tokio_postgres::Config::from_str(url)?;
    admin_config.dbname("postgres");
    let (admin, connection) = admin_config
        .connect(NoTls)
        .await
        .context("connecting to the 'postgres' database to create the application database")?;
    tokio::spawn(connection);
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

/// The URL with its password replaced, for logs and error messages.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparsable URL>".to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_url_hides_the_password_only() {
        assert_eq!(
            redacted_url("postgresql://root:secret@localhost:5432/simple_bank"),
            "postgresql://root:***@localhost:5432/simple_bank"
        );
        assert_eq!(
            redacted_url("postgresql://localhost/simple_bank"),
            "postgresql://localhost/simple_bank"
        );
    }

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
    fn identifiers_are_quoted_safely() {
        assert_eq!(quote_identifier("simple_bank"), "\"simple_bank\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
