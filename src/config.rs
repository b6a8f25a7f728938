//! Typed settings. Environment variables use the Go server's keys (`DB_SOURCE`, ...).

use std::env;

/// Where the bank keeps its data, as the course's `DB_SOURCE` default.
pub const DEFAULT_DB_SOURCE: &str = "postgresql://root:secret@localhost:5432/simple_bank";

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// A PostgreSQL URL; it carries the password, so it is never logged whole.
    pub url: String,
    pub max_connections: usize,
}

impl DatabaseConfig {
    /// `DB_SOURCE`, else `DATABASE_URL`, else the local default; `DB_MAX_CONNECTIONS` (default 16).
    pub fn from_env() -> anyhow::Result<Self> {
        let url = env::var("DB_SOURCE")
            .or_else(|_| env::var("DATABASE_URL"))
            .unwrap_or_else(|_| DEFAULT_DB_SOURCE.to_owned());
        let max_connections = match env::var("DB_MAX_CONNECTIONS") {
            Ok(value) => value.parse().map_err(|_| {
                anyhow::anyhow!("DB_MAX_CONNECTIONS must be a positive integer, got {value:?}")
            })?,
            Err(_) => 16,
        };
        anyhow::ensure!(max_connections > 0, "DB_MAX_CONNECTIONS must be at least 1");
        Ok(Self {
            url,
            max_connections,
        })
    }
}
