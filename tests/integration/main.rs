//! Integration tests against a real PostgreSQL: see `harness` for where it comes from.

mod harness;
mod random;

mod deadlock;
mod grpc_api;
mod http_api;
mod idempotency;
mod isolation;
mod migrations;
mod password_limits;
mod purge;
mod queries;
mod replicas;
mod stress;
mod tls;
mod transfers;
