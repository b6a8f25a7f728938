//! Integration tests against a real PostgreSQL: see `harness` for where it comes from.

mod fault_proxy;
mod harness;
mod pgbouncer;
mod random;

mod deadlock;
mod grpc_api;
mod http_api;
mod idempotency;
mod isolation;
mod migrations;
mod observability;
mod password_limits;
mod pooler;
mod pressure;
mod purge;
mod queries;
mod replicas;
mod shared_reads;
mod stress;
mod tls;
mod transfers;
