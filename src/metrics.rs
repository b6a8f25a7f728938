//! Prometheus metrics (prometheus-client): one registry per server, built when the
//! server is assembled. Recording is lock-free atomics, except that a labelled family
//! takes a shared read lock to find its series (a write lock only for a new series).
//! Gauges of the pool and of lock waits are sampled when `/metrics` is scraped.
//!
//! Every metric is documented in the README ("Metrics"); keep the two in step.

use std::{collections::HashSet, sync::atomic::AtomicU64, time::Duration};

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::{Metric, Registry, Unit},
};

use crate::{
    error::{AppError, BusinessRule},
    password::PasswordPool,
    store::{BlockedQuery, Store},
};

/// Upper bounds (seconds) of every latency histogram's buckets.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// A scrape never waits longer than this for the lock monitor's query.
const LOCK_SAMPLE_TIMEOUT: Duration = Duration::from_secs(1);

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

type LatencyFamily<L> = Family<L, Histogram, fn() -> Histogram>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    /// The matched route template (`/accounts/{id}`), never the raw path.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GrpcLabels {
    service: String,
    method: String,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransferLabels {
    outcome: &'static str,
    rule: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CauseLabels {
    cause: &'static str,
}

/// The bank's own counters, held by the service layer (`Bank`): money moved or
/// refused, and the password-hash work.
#[derive(Clone, Default)]
pub struct BankMetrics {
    transfers: Family<TransferLabels, Counter>,
    deposits: Family<OutcomeLabels, Counter>,
    password_hash_in_flight: Gauge,
    password_hash_waiting: Gauge,
}

impl BankMetrics {
    /// Counts a transfer request by what became of it.
    pub fn record_transfer(&self, replayed: Result<bool, &AppError>) {
        let (outcome, rule) = match replayed {
            Ok(false) => ("created", "none"),
            Ok(true) => ("replayed", "none"),
            Err(AppError::FailedPrecondition(rule)) => ("refused", rule_label(*rule)),
            Err(_) => ("failed", "none"),
        };
        self.transfers
            .get_or_create(&TransferLabels { outcome, rule })
            .inc();
    }

    /// Counts a deposit request by what became of it.
    pub fn record_deposit(&self, created: bool) {
        let outcome = if created { "created" } else { "failed" };
        self.deposits
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Copies the password pool's gauges (jobs running, callers queued for a slot).
    pub fn sample_password_work(&self, pool: &PasswordPool) {
        self.password_hash_in_flight.set(to_i64(pool.in_flight()));
        self.password_hash_waiting.set(to_i64(pool.queued()));
    }
}

fn rule_label(rule: BusinessRule) -> &'static str {
    match rule {
        BusinessRule::InsufficientFunds => "insufficient_funds",
        BusinessRule::CurrencyMismatch => "currency_mismatch",
        BusinessRule::SameAccount => "same_account",
        BusinessRule::BalanceLimit => "balance_limit",
    }
}

/// Every metric of one server, and the registry that exposes them.
pub struct Metrics {
    registry: Registry,
    /// Every sample name a scrape can show, sorted.
    names: Vec<String>,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: LatencyFamily<HttpLabels>,
    grpc_requests: Family<GrpcLabels, Counter>,
    grpc_duration: LatencyFamily<GrpcLabels>,
    unavailable: Family<CauseLabels, Counter>,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    pool_waiting: Gauge,
    blocked_backends: Gauge,
    longest_lock_wait: Gauge<f64, AtomicU64>,
    lock_monitor_failures: Counter,
}

impl Metrics {
    /// Registers the transports' metrics and the bank's and store's own.
    pub fn new(bank: &BankMetrics, store: &Store) -> Self {
        let mut registrar = Registrar::default();
        let metrics = Self {
            registry: Registry::default(),
            names: Vec::new(),
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(latency_histogram),
            grpc_requests: Family::default(),
            grpc_duration: Family::new_with_constructor(latency_histogram),
            unavailable: Family::default(),
            pool_open: Gauge::default(),
            pool_idle: Gauge::default(),
            pool_max: Gauge::default(),
            pool_waiting: Gauge::default(),
            blocked_backends: Gauge::default(),
            longest_lock_wait: Gauge::default(),
            lock_monitor_failures: Counter::default(),
        };
        registrar.add(
            COUNTER,
            "http_requests",
            "HTTP requests by method, route template and status",
            metrics.http_requests.clone(),
        );
        registrar.add_seconds(
            HISTOGRAM,
            "http_request_duration",
            "HTTP request latency by method, route template and status",
            metrics.http_duration.clone(),
        );
        registrar.add(
            COUNTER,
            "grpc_requests",
            "gRPC calls by service, method and status code",
            metrics.grpc_requests.clone(),
        );
        registrar.add_seconds(
            HISTOGRAM,
            "grpc_request_duration",
            "gRPC call latency by service, method and status code",
            metrics.grpc_duration.clone(),
        );
        registrar.add(
            COUNTER,
            "unavailable",
            "Requests answered 503 / UNAVAILABLE, by cause",
            metrics.unavailable.clone(),
        );
        registrar.add(
            GAUGE,
            "db_pool_open_connections",
            "Database connections the pool holds open",
            metrics.pool_open.clone(),
        );
        registrar.add(
            GAUGE,
            "db_pool_idle_connections",
            "Open database connections not in use",
            metrics.pool_idle.clone(),
        );
        registrar.add(
            GAUGE,
            "db_pool_max_connections",
            "The pool's connection limit (DB_MAX_CONNECTIONS)",
            metrics.pool_max.clone(),
        );
        registrar.add(
            GAUGE,
            "db_pool_waiting_requests",
            "Requests waiting for a database connection",
            metrics.pool_waiting.clone(),
        );
        registrar.add_seconds(
            HISTOGRAM,
            "db_pool_wait",
            "Time spent waiting for a database connection from the pool",
            store.pool_wait_histogram(),
        );
        registrar.add_seconds(
            HISTOGRAM,
            "money_gate_wait",
            "Time a transfer or deposit waited for its turn on its accounts and a connection for money",
            store.money_gate_wait_histogram(),
        );
        registrar.add(
            GAUGE,
            "db_blocked_backends",
            "Backends of the bank's database waiting for a lock (sampled at scrape)",
            metrics.blocked_backends.clone(),
        );
        registrar.add_seconds(
            GAUGE,
            "db_longest_lock_wait",
            "The longest current lock wait in the bank's database (sampled at scrape)",
            metrics.longest_lock_wait.clone(),
        );
        registrar.add(
            COUNTER,
            "db_lock_monitor_failures",
            "Scrapes whose lock sample failed or timed out (the lock gauges kept their last values)",
            metrics.lock_monitor_failures.clone(),
        );
        registrar.add(
            COUNTER,
            "transfers",
            "Transfer requests by outcome (created, replayed, refused, failed) and refusing rule",
            bank.transfers.clone(),
        );
        registrar.add(
            COUNTER,
            "deposits",
            "Deposits by outcome (created, failed)",
            bank.deposits.clone(),
        );
        registrar.add(
            GAUGE,
            "password_hash_in_flight",
            "Password hashes and verifications running now",
            bank.password_hash_in_flight.clone(),
        );
        registrar.add(
            GAUGE,
            "password_hash_waiting",
            "Password hashes waiting for a hashing slot",
            bank.password_hash_waiting.clone(),
        );
        let Registrar {
            registry,
            mut names,
        } = registrar;
        names.sort();
        Self {
            registry,
            names,
            ..metrics
        }
    }

    pub fn record_http(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = HttpLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// `path` is the gRPC path, `/package.Service/Method`.
    pub fn record_grpc(&self, path: &str, code: tonic::Code, elapsed: Duration) {
        let (service, method) = path
            .trim_start_matches('/')
            .split_once('/')
            .unwrap_or(("unknown", path));
        let labels = GrpcLabels {
            service: service.to_owned(),
            method: method.to_owned(),
            code: grpc_code_label(code),
        };
        self.grpc_requests.get_or_create(&labels).inc();
        self.grpc_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Counts an answered `Unavailable` error by its cause.
    pub fn record_unavailable(&self, cause: &'static str) {
        self.unavailable.get_or_create(&CauseLabels { cause }).inc();
    }

    /// Samples the pool and the lock waits, then renders the OpenMetrics text.
    pub async fn scrape(&self, store: &Store) -> String {
        let pool = store.pool().status();
        self.pool_open.set(to_i64(pool.size));
        self.pool_idle.set(to_i64(pool.available));
        self.pool_max.set(to_i64(pool.max_size));
        self.pool_waiting.set(to_i64(pool.waiting));
        match tokio::time::timeout(LOCK_SAMPLE_TIMEOUT, store.blocked_queries()).await {
            Ok(Ok(pairs)) => {
                let (blocked, longest) = lock_summary(&pairs);
                self.blocked_backends.set(to_i64(blocked));
                self.longest_lock_wait.set(longest);
            }
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "lock sample failed");
                self.lock_monitor_failures.inc();
            }
            Err(_) => {
                tracing::debug!("lock sample timed out");
                self.lock_monitor_failures.inc();
            }
        }
        self.render()
    }

    /// The OpenMetrics text of every metric, as it stands.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

impl Metrics {
    /// Every sample name a scrape can show (`_total` of counters; `_bucket`, `_sum`
    /// and `_count` of histograms), sorted; also of families without series yet.
    pub fn sample_names(&self) -> &[String] {
        &self.names
    }
}

/// The sample names each kind of metric shows, after its name.
const COUNTER: &[&str] = &["_total"];
const GAUGE: &[&str] = &[""];
const HISTOGRAM: &[&str] = &["_bucket", "_sum", "_count"];

/// Registers metrics under the `simplebank_` prefix and notes their sample names.
struct Registrar {
    registry: Registry,
    names: Vec<String>,
}

impl Default for Registrar {
    fn default() -> Self {
        Self {
            registry: Registry::with_prefix("simplebank"),
            names: Vec::new(),
        }
    }
}

impl Registrar {
    fn add(&mut self, samples: &[&str], name: &str, help: &str, metric: impl Metric) {
        self.registry.register(name, help, metric);
        self.note(samples, name);
    }

    fn add_seconds(&mut self, samples: &[&str], name: &str, help: &str, metric: impl Metric) {
        self.registry
            .register_with_unit(name, help, Unit::Seconds, metric);
        self.note(samples, &format!("{name}_seconds"));
    }

    fn note(&mut self, samples: &[&str], name: &str) {
        self.names.extend(
            samples
                .iter()
                .map(|suffix| format!("simplebank_{name}{suffix}")),
        );
    }
}

/// How many distinct backends wait, and the longest wait in seconds.
pub fn lock_summary(pairs: &[BlockedQuery]) -> (usize, f64) {
    let blocked: HashSet<i32> = pairs.iter().map(|pair| pair.blocked_pid).collect();
    let longest = pairs
        .iter()
        .filter_map(|pair| pair.waiting_seconds)
        .fold(0.0, f64::max);
    (blocked.len(), longest)
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The canonical upper-case names of gRPC status codes (as grpc-go prints them).
fn grpc_code_label(code: tonic::Code) -> &'static str {
    use tonic::Code;
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(blocked_pid: i32, blocking_pid: i32, waiting: Option<f64>) -> BlockedQuery {
        BlockedQuery {
            blocked_pid,
            blocked_user: None,
            blocking_pid,
            blocking_user: None,
            blocked_statement: None,
            blocking_statement: None,
            waiting_seconds: waiting,
        }
    }

    #[test]
    fn a_backend_blocked_by_two_counts_once() {
        let pairs = [
            pair(10, 1, Some(2.5)),
            pair(10, 2, Some(2.5)),
            pair(11, 1, None),
        ];
        assert_eq!(lock_summary(&pairs), (2, 2.5));
        assert_eq!(lock_summary(&[]), (0, 0.0));
    }

    #[test]
    fn transfers_are_counted_by_outcome_and_rule() {
        let bank = BankMetrics::default();
        bank.record_transfer(Ok(false));
        bank.record_transfer(Ok(true));
        bank.record_transfer(Err(&AppError::FailedPrecondition(
            BusinessRule::InsufficientFunds,
        )));
        let mut registry = Registry::with_prefix("simplebank");
        registry.register("transfers", "t", bank.transfers.clone());
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        for line in [
            r#"simplebank_transfers_total{outcome="created",rule="none"} 1"#,
            r#"simplebank_transfers_total{outcome="replayed",rule="none"} 1"#,
            r#"simplebank_transfers_total{outcome="refused",rule="insufficient_funds"} 1"#,
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }

    #[test]
    fn the_committed_metric_names_match_the_registry() {
        let store = Store::new(&crate::config::DatabaseConfig {
            max_connections: 1,
            ..crate::config::DatabaseConfig::new("postgresql://nobody@localhost/none")
        })
        .expect("a lazy pool");
        let metrics = Metrics::new(&BankMetrics::default(), &store);
        let names: Vec<&str> = metrics.sample_names().iter().map(String::as_str).collect();
        let committed: Vec<&str> = include_str!("../deploy/grafana/metric-names.txt")
            .lines()
            .collect();
        assert!(
            names == committed,
            "deploy/grafana/metric-names.txt is out of date: run `make metric-names` and commit it"
        );
    }

    #[test]
    fn password_gauges_follow_the_pool() {
        let bank = BankMetrics::default();
        bank.sample_password_work(&PasswordPool::default());
        assert_eq!(bank.password_hash_in_flight.get(), 0);
        assert_eq!(bank.password_hash_waiting.get(), 0);
    }
}
