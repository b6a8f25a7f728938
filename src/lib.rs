//! Simple Bank: accounts, transfers and users over PostgreSQL.
//!
//! Layers, from the database up: `store` (pool, migrations, transactions over the
//! generated `codegen` crate), then the transports. `domain` holds the validated
//! types every layer shares and `error` the one error vocabulary.

pub mod app;
pub mod cli;
pub mod config;
pub mod db_url;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod http;
pub mod metrics;
pub mod password;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod token;

pub use error::AppError;
