//! Typed settings, layered: built-in development defaults, then an optional
//! `app.env` file (`KEY=VALUE` lines, as the Go server's Viper read it), then
//! environment variables, which win. Keys are the Go server's.

use std::{collections::HashMap, env, fmt, fs, net::SocketAddr, path::Path, time::Duration};

use anyhow::{Context, anyhow, bail};

/// Where the bank keeps its data, as the course's `DB_SOURCE` default.
pub const DEFAULT_DB_SOURCE: &str = "postgresql://root:secret@localhost:5432/simple_bank";
/// The course's development key. Refused when `ENVIRONMENT=production`.
pub const DEVELOPMENT_TOKEN_KEY: &str = "12345678901234567890123456789012";

/// Money transactions at once unless `DB_MONEY_CONNECTIONS` says otherwise. On the
/// bench's two cores: where PostgreSQL waited on slow WAL flushes, 6 ran transfers as
/// fast as 12 with a third less tail latency; where it flushed fast, 8 ran them 15-20%
/// faster than 6 at the same p99 (11-14 ms), and 12 no faster than 8 with a p99 of 16-19 ms.
const DEFAULT_MONEY_CONNECTIONS: usize = 8;

/// Three quarters of a pool of `pool_size` (at least one connection): the most that
/// money transactions may hold, leaving the rest to everything that moves no money.
pub fn most_money_connections(pool_size: usize) -> usize {
    pool_size.saturating_sub((pool_size / 4).max(1)).max(1)
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database: DatabaseConfig,
    pub http_address: SocketAddr,
    pub grpc_address: SocketAddr,
    pub token: TokenConfig,
    /// Origins allowed by CORS; empty allows none.
    pub allowed_origins: Vec<String>,
    pub log_format: LogFormat,
    /// How long in-flight requests may run on after a shutdown signal.
    pub shutdown_timeout: Duration,
    /// Whether the client address is read from `X-Forwarded-For` (its last entry, the
    /// one our proxy added). Only behind a proxy that sets it: clients can forge it.
    pub trust_forwarded_for: bool,
    pub http_limits: HttpLimits,
    /// Where spans go by OTLP/gRPC (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g.
    /// `http://otel-collector:4317`); none exports nothing.
    pub otlp_endpoint: Option<String>,
    pub passwords: PasswordLimits,
    pub horizon: StorageHorizon,
    pub login_limit: LoginLimitConfig,
    /// Threads that run requests (`WORKER_THREADS`; one: a current-thread runtime);
    /// password work runs beside them.
    pub worker_threads: usize,
}

/// Half the cores, at least one. The server shares its machine with the load and, on
/// small ones, with PostgreSQL: on the bench's 2 cores one worker served GETs at
/// 34-40k/s, two at 25-31k/s, for 22-26 against 33-43 microseconds of server CPU each
/// (fewer wake-ups across threads and context switches).
fn default_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
}

/// Failed logins allowed within the limiter's window before further attempts get 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimitConfig {
    pub per_username: usize,
    pub per_address: usize,
}

/// How much password work (argon2id) may run and wait at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordLimits {
    /// Hashes or verifications running at once (`PASSWORD_HASH_CONCURRENCY`).
    pub concurrency: usize,
    /// Callers that may wait for a slot (`PASSWORD_HASH_QUEUE`); 0 refuses at once when busy.
    pub queue: usize,
    /// How long a caller waits for a slot before it is refused (`PASSWORD_HASH_QUEUE_TIMEOUT`).
    pub queue_timeout: Duration,
}

impl Default for PasswordLimits {
    /// One slot per core, 128 waiting callers, 5 s of waiting at most.
    fn default() -> Self {
        Self {
            concurrency: std::thread::available_parallelism().map_or(1, usize::from),
            queue: 128,
            queue_timeout: Duration::from_secs(5),
        }
    }
}

/// How long rows that only grow are kept, and how the purge removes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageHorizon {
    /// After this an idempotency key is forgotten and may be used again as new
    /// (`IDEMPOTENCY_KEY_TTL`).
    pub idempotency_key_ttl: Duration,
    /// Sessions are deleted this long after they expire (`SESSION_RETENTION`).
    pub session_retention: Duration,
    /// How often the server purges (`PURGE_INTERVAL`).
    pub purge_interval: Duration,
    /// Rows deleted per transaction (`PURGE_BATCH_SIZE`): small, so locks stay short.
    pub purge_batch_size: i64,
}

impl Default for StorageHorizon {
    fn default() -> Self {
        Self {
            idempotency_key_ttl: Duration::from_secs(24 * 3600),
            session_retention: Duration::from_secs(7 * 24 * 3600),
            purge_interval: Duration::from_secs(10 * 60),
            purge_batch_size: 1000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// A PostgreSQL URL; it carries the password, so it is never logged whole.
    pub url: String,
    pub max_connections: usize,
    /// Session mode: how many of the pool's connections every single-statement read
    /// shares, pipelined (`DB_SHARED_READ_CONNECTIONS`; 0: each read takes its own).
    /// At most a quarter of the pool is used so; transactions keep the rest.
    pub shared_read_connections: usize,
    /// How many money transactions (transfers, deposits) hold a connection at once
    /// (`DB_MONEY_CONNECTIONS`); the others wait their turn in the server, holding
    /// none. Never more than three quarters of the pool, whatever this says.
    pub money_connections: usize,
    /// The longest a statement waits for a row lock (`lock_timeout`); then the
    /// transaction rolls back and the client gets 503 with `Retry-After`.
    pub lock_timeout: Duration,
    /// The longest any statement runs (`statement_timeout`), lock waits included.
    pub statement_timeout: Duration,
    /// How `url` reaches PostgreSQL: directly (or through a session-mode pooler), or
    /// through a transaction-mode pooler such as PgBouncer or RDS Proxy.
    pub pool_mode: PoolMode,
    /// Where migrations run and the database is created (`DB_MIGRATION_SOURCE`): a
    /// direct URL of the primary, since migrations hold a session-level lock. `url` by default.
    pub migration_url: String,
}

/// What a pooled connection may rely on between two transactions (`DB_POOL_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PoolMode {
    /// One PostgreSQL session per pooled connection, reached directly: prepared
    /// statements are cached for the connection's life, and timeouts are set once
    /// when it opens, as startup options (which PgBouncer refuses, in any pool mode).
    #[default]
    Session,
    /// A pooler in transaction mode may hand each transaction to another server
    /// session: every unit of work is a transaction, its statements are prepared and
    /// closed inside it, and the timeouts are set per transaction (`SET LOCAL`).
    Transaction,
}

impl std::str::FromStr for PoolMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "session" => Ok(Self::Session),
            "transaction" => Ok(Self::Transaction),
            other => Err(format!(
                "expected 'session' or 'transaction', got {other:?}"
            )),
        }
    }
}

impl DatabaseConfig {
    /// `url` with the default pool size and timeouts.
    pub fn new(url: impl Into<String>) -> Self {
        let url = url.into();
        Self {
            migration_url: url.clone(),
            url,
            max_connections: 16,
            shared_read_connections: 1,
            money_connections: DEFAULT_MONEY_CONNECTIONS,
            lock_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(10),
            pool_mode: PoolMode::Session,
        }
    }
}

/// How long the HTTP server waits for a slow or idle client.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// From the first byte of a request to the end of its headers; then the connection is closed.
    pub header_timeout: Duration,
    /// From the end of the headers to the end of the body; then 408 and the connection is closed.
    pub body_timeout: Duration,
    /// How long a keep-alive connection may stay silent between requests.
    pub idle_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct TokenConfig {
    pub format: TokenFormat,
    pub symmetric_key: Secret,
    pub access_duration: Duration,
    pub refresh_duration: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormat {
    Paseto,
    Jwt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A value that must not reach logs: `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Config {
    /// Reads `app.env` (or the file named by `APP_ENV_FILE`) if present, then the environment.
    pub fn load() -> anyhow::Result<Self> {
        let file = env::var("APP_ENV_FILE").unwrap_or_else(|_| "app.env".to_owned());
        let mut values = match fs::read_to_string(&file) {
            Ok(text) => parse_env_file(&text).with_context(|| format!("reading {file}"))?,
            Err(err)
                if err.kind() == std::io::ErrorKind::NotFound && !Path::new(&file).exists() =>
            {
                HashMap::new()
            }
            Err(err) => return Err(err).with_context(|| format!("reading {file}")),
        };
        values.extend(env::vars());
        Self::from_values(&values)
    }

    /// Builds the configuration from `KEY -> value` pairs; every error names its key.
    pub fn from_values(values: &HashMap<String, String>) -> anyhow::Result<Self> {
        let get = |key: &str| values.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let environment = match get("ENVIRONMENT").unwrap_or("development") {
            "development" | "dev" | "test" => Environment::Development,
            "production" | "prod" => Environment::Production,
            other => bail!("ENVIRONMENT must be 'development' or 'production', got {other:?}"),
        };
        let production = environment == Environment::Production;
        let required = |key: &str, default: &str| -> anyhow::Result<String> {
            match get(key) {
                Some(value) => Ok(value.to_owned()),
                None if production => bail!("{key} must be set when ENVIRONMENT=production"),
                None => Ok(default.to_owned()),
            }
        };

        let url = match get("DB_SOURCE").or(get("DATABASE_URL")) {
            Some(url) => url.to_owned(),
            None if production => bail!("DB_SOURCE must be set when ENVIRONMENT=production"),
            None => DEFAULT_DB_SOURCE.to_owned(),
        };
        let pool_mode = parse_key(get("DB_POOL_MODE"), "DB_POOL_MODE", PoolMode::Session)?;
        let migration_url = match get("DB_MIGRATION_SOURCE") {
            Some(direct) => direct.to_owned(),
            None if pool_mode == PoolMode::Transaction => bail!(
                "DB_POOL_MODE=transaction needs DB_MIGRATION_SOURCE: a direct URL of the \
                 primary, for migrations (they hold a session-level advisory lock, which a \
                 transaction-mode pooler cannot keep)"
            ),
            None => url.clone(),
        };
        for (key, url) in [("DB_SOURCE", &url), ("DB_MIGRATION_SOURCE", &migration_url)] {
            if let Some(path) = crate::db_url::root_cert_path(url) {
                crate::db_url::load_root_certificates(Path::new(&path))
                    .map_err(|err| anyhow!("{key}: {err:#}"))?;
            }
        }
        let max_connections = parse_key(get("DB_MAX_CONNECTIONS"), "DB_MAX_CONNECTIONS", 16usize)?;
        if max_connections == 0 {
            bail!("DB_MAX_CONNECTIONS must be at least 1");
        }
        let shared_read_connections = parse_key(
            get("DB_SHARED_READ_CONNECTIONS"),
            "DB_SHARED_READ_CONNECTIONS",
            usize::from(max_connections >= 4),
        )?;
        if shared_read_connections > max_connections / 4 {
            bail!(
                "DB_SHARED_READ_CONNECTIONS must be at most a quarter of DB_MAX_CONNECTIONS \
                 ({}), so that transactions keep the rest of the pool",
                max_connections / 4
            );
        }
        let money_connections = parse_key(
            get("DB_MONEY_CONNECTIONS"),
            "DB_MONEY_CONNECTIONS",
            DEFAULT_MONEY_CONNECTIONS.min(most_money_connections(max_connections)),
        )?;
        if money_connections == 0 || money_connections > most_money_connections(max_connections) {
            bail!(
                "DB_MONEY_CONNECTIONS must be between 1 and three quarters of DB_MAX_CONNECTIONS \
                 ({}), so that reads and logins keep the rest of the pool",
                most_money_connections(max_connections)
            );
        }
        let lock_timeout = parse_duration_key(get("DB_LOCK_TIMEOUT"), "DB_LOCK_TIMEOUT", "3s")?;
        let statement_timeout =
            parse_duration_key(get("DB_STATEMENT_TIMEOUT"), "DB_STATEMENT_TIMEOUT", "10s")?;
        // PostgreSQL counts both in milliseconds, and 0 would mean "no limit".
        for (key, value) in [
            ("DB_LOCK_TIMEOUT", lock_timeout),
            ("DB_STATEMENT_TIMEOUT", statement_timeout),
        ] {
            if value < Duration::from_millis(1) {
                bail!("{key} must be at least 1ms");
            }
        }
        if lock_timeout > statement_timeout {
            bail!("DB_LOCK_TIMEOUT must not be longer than DB_STATEMENT_TIMEOUT");
        }
        let http_limits = HttpLimits {
            header_timeout: parse_duration_key(
                get("HTTP_HEADER_TIMEOUT"),
                "HTTP_HEADER_TIMEOUT",
                "10s",
            )?,
            body_timeout: parse_duration_key(get("HTTP_BODY_TIMEOUT"), "HTTP_BODY_TIMEOUT", "10s")?,
            idle_timeout: parse_duration_key(get("HTTP_IDLE_TIMEOUT"), "HTTP_IDLE_TIMEOUT", "75s")?,
        };

        let symmetric_key = required("TOKEN_SYMMETRIC_KEY", DEVELOPMENT_TOKEN_KEY)?;
        if symmetric_key.len() != 32 {
            bail!(
                "TOKEN_SYMMETRIC_KEY must be exactly 32 bytes, got {}",
                symmetric_key.len()
            );
        }
        if production && symmetric_key == DEVELOPMENT_TOKEN_KEY {
            bail!(
                "TOKEN_SYMMETRIC_KEY is the development key, refused when ENVIRONMENT=production"
            );
        }
        let format = match get("TOKEN_KIND").unwrap_or("paseto") {
            "paseto" => TokenFormat::Paseto,
            "jwt" => TokenFormat::Jwt,
            other => bail!("TOKEN_KIND must be 'paseto' or 'jwt', got {other:?}"),
        };
        let access_duration =
            parse_duration_key(get("ACCESS_TOKEN_DURATION"), "ACCESS_TOKEN_DURATION", "15m")?;
        let refresh_duration = parse_duration_key(
            get("REFRESH_TOKEN_DURATION"),
            "REFRESH_TOKEN_DURATION",
            "24h",
        )?;

        let log_format = match get("LOG_FORMAT") {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            None if production => LogFormat::Json,
            None => LogFormat::Text,
            Some(other) => bail!("LOG_FORMAT must be 'text' or 'json', got {other:?}"),
        };

        let passwords = {
            let default = PasswordLimits::default();
            let concurrency = parse_key(
                get("PASSWORD_HASH_CONCURRENCY"),
                "PASSWORD_HASH_CONCURRENCY",
                default.concurrency,
            )?;
            if concurrency == 0 {
                bail!("PASSWORD_HASH_CONCURRENCY must be at least 1");
            }
            PasswordLimits {
                concurrency,
                queue: parse_key(
                    get("PASSWORD_HASH_QUEUE"),
                    "PASSWORD_HASH_QUEUE",
                    default.queue,
                )?,
                queue_timeout: parse_duration_key(
                    get("PASSWORD_HASH_QUEUE_TIMEOUT"),
                    "PASSWORD_HASH_QUEUE_TIMEOUT",
                    "5s",
                )?,
            }
        };
        let horizon = StorageHorizon {
            idempotency_key_ttl: parse_duration_key(
                get("IDEMPOTENCY_KEY_TTL"),
                "IDEMPOTENCY_KEY_TTL",
                "24h",
            )?,
            session_retention: parse_duration_key(
                get("SESSION_RETENTION"),
                "SESSION_RETENTION",
                "168h",
            )?,
            purge_interval: parse_duration_key(get("PURGE_INTERVAL"), "PURGE_INTERVAL", "10m")?,
            purge_batch_size: parse_key(get("PURGE_BATCH_SIZE"), "PURGE_BATCH_SIZE", 1000i64)?,
        };
        if horizon.purge_batch_size < 1 {
            bail!("PURGE_BATCH_SIZE must be at least 1");
        }

        Ok(Self {
            environment,
            database: DatabaseConfig {
                url,
                max_connections,
                shared_read_connections,
                money_connections,
                lock_timeout,
                statement_timeout,
                pool_mode,
                migration_url,
            },
            http_address: parse_key(
                get("HTTP_SERVER_ADDRESS"),
                "HTTP_SERVER_ADDRESS",
                "0.0.0.0:8080".parse()?,
            )?,
            grpc_address: parse_key(
                get("GRPC_SERVER_ADDRESS"),
                "GRPC_SERVER_ADDRESS",
                "0.0.0.0:9090".parse()?,
            )?,
            token: TokenConfig {
                format,
                symmetric_key: Secret::new(symmetric_key),
                access_duration,
                refresh_duration,
            },
            allowed_origins: get("ALLOWED_ORIGINS")
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|origin| !origin.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            log_format,
            shutdown_timeout: parse_duration_key(
                get("SHUTDOWN_TIMEOUT"),
                "SHUTDOWN_TIMEOUT",
                "20s",
            )?,
            trust_forwarded_for: parse_key(
                get("TRUST_FORWARDED_FOR"),
                "TRUST_FORWARDED_FOR",
                false,
            )?,
            http_limits,
            otlp_endpoint: get("OTEL_EXPORTER_OTLP_ENDPOINT").map(str::to_owned),
            passwords,
            horizon,
            worker_threads: match parse_key(
                get("WORKER_THREADS"),
                "WORKER_THREADS",
                default_worker_threads(),
            )? {
                0 => bail!("WORKER_THREADS must be at least 1"),
                threads => threads,
            },
            login_limit: LoginLimitConfig {
                per_username: parse_limit(
                    get("LOGIN_FAILURES_PER_USERNAME"),
                    "LOGIN_FAILURES_PER_USERNAME",
                    10,
                )?,
                per_address: parse_limit(
                    get("LOGIN_FAILURES_PER_ADDRESS"),
                    "LOGIN_FAILURES_PER_ADDRESS",
                    50,
                )?,
            },
        })
    }
}

fn parse_key<T: std::str::FromStr>(value: Option<&str>, key: &str, default: T) -> anyhow::Result<T>
where
    T::Err: fmt::Display,
{
    match value {
        None => Ok(default),
        Some(value) => value
            .parse()
            .map_err(|err| anyhow!("{key} has an invalid value {value:?}: {err}")),
    }
}

/// A count of at least 1: a limit of 0 would refuse every login.
fn parse_limit(value: Option<&str>, key: &str, default: usize) -> anyhow::Result<usize> {
    let limit = parse_key(value, key, default)?;
    if limit == 0 {
        bail!("{key} must be at least 1");
    }
    Ok(limit)
}

fn parse_duration_key(value: Option<&str>, key: &str, default: &str) -> anyhow::Result<Duration> {
    let value = value.unwrap_or(default);
    let duration = parse_go_duration(value)
        .map_err(|err| anyhow!("{key} has an invalid duration {value:?}: {err}"))?;
    if duration.is_zero() {
        bail!("{key} must be longer than zero");
    }
    Ok(duration)
}

/// Go's `time.ParseDuration` syntax: `15m`, `24h`, `1h30m`, `1.5s`, `300ms`.
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err("empty duration".into());
    }
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or("missing unit (use ns, us, ms, s, m or h)")?;
        if number_len == 0 {
            return Err("expected a number".into());
        }
        let number: f64 = rest[..number_len].parse().map_err(|_| "bad number")?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            unit => return Err(format!("unknown unit {unit:?}")),
        };
        total += number * seconds_per_unit;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|err| err.to_string())
}

/// `KEY=VALUE` lines; blank lines and `#` comments are ignored, quotes around a value are removed.
fn parse_env_file(text: &str) -> anyhow::Result<HashMap<String, String>> {
    let mut values = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line
            .split_once('=')
            .with_context(|| format!("line {}: expected KEY=VALUE", number + 1))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        values.insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn development_defaults_match_the_go_server() {
        let config = Config::from_values(&HashMap::new()).unwrap();
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(config.database.url, DEFAULT_DB_SOURCE);
        assert_eq!(config.http_address.to_string(), "0.0.0.0:8080");
        assert_eq!(config.grpc_address.to_string(), "0.0.0.0:9090");
        assert_eq!(config.token.format, TokenFormat::Paseto);
        assert_eq!(config.token.access_duration, Duration::from_secs(15 * 60));
        assert_eq!(
            config.token.refresh_duration,
            Duration::from_secs(24 * 3600)
        );
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.database.lock_timeout, Duration::from_secs(3));
        assert_eq!(config.database.statement_timeout, Duration::from_secs(10));
        assert_eq!(config.http_limits.header_timeout, Duration::from_secs(10));
        assert_eq!(config.http_limits.body_timeout, Duration::from_secs(10));
        assert_eq!(config.http_limits.idle_timeout, Duration::from_secs(75));
        assert_eq!(config.passwords, PasswordLimits::default());
        assert!(config.passwords.concurrency >= 1);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(config.worker_threads, (cores / 2).max(1));
        assert_eq!(config.horizon, StorageHorizon::default());
        assert_eq!(
            config.horizon.idempotency_key_ttl,
            Duration::from_secs(24 * 3600)
        );
        assert_eq!(
            config.login_limit,
            LoginLimitConfig {
                per_username: 10,
                per_address: 50
            }
        );
    }

    #[test]
    fn a_transaction_mode_pooler_needs_a_direct_url_for_migrations() {
        let direct = Config::from_values(&values(&[])).unwrap();
        assert_eq!(direct.database.pool_mode, PoolMode::Session);
        assert_eq!(direct.database.migration_url, direct.database.url);

        let err = Config::from_values(&values(&[
            ("DB_SOURCE", "postgresql://u@pgbouncer:6432/bank"),
            ("DB_POOL_MODE", "transaction"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("DB_MIGRATION_SOURCE"), "{err}");

        let pooled = Config::from_values(&values(&[
            ("DB_SOURCE", "postgresql://u@pgbouncer:6432/bank"),
            ("DB_POOL_MODE", "transaction"),
            ("DB_MIGRATION_SOURCE", "postgresql://u@primary:5432/bank"),
        ]))
        .unwrap();
        assert_eq!(pooled.database.pool_mode, PoolMode::Transaction);
        assert_eq!(pooled.database.url, "postgresql://u@pgbouncer:6432/bank");
        assert_eq!(
            pooled.database.migration_url,
            "postgresql://u@primary:5432/bank"
        );

        let err = Config::from_values(&values(&[("DB_POOL_MODE", "statement")])).unwrap_err();
        assert!(err.to_string().contains("DB_POOL_MODE"), "{err}");
    }

    #[test]
    fn a_lock_wait_cannot_outlast_the_statement() {
        let err = Config::from_values(&values(&[
            ("DB_LOCK_TIMEOUT", "20s"),
            ("DB_STATEMENT_TIMEOUT", "10s"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("DB_LOCK_TIMEOUT"), "{err}");
    }

    #[test]
    fn pressure_settings_are_read() {
        let config = Config::from_values(&values(&[
            ("PASSWORD_HASH_CONCURRENCY", "3"),
            ("PASSWORD_HASH_QUEUE", "0"),
            ("PASSWORD_HASH_QUEUE_TIMEOUT", "250ms"),
            ("IDEMPOTENCY_KEY_TTL", "1h"),
            ("SESSION_RETENTION", "72h"),
            ("PURGE_INTERVAL", "30s"),
            ("PURGE_BATCH_SIZE", "50"),
            ("WORKER_THREADS", "3"),
        ]))
        .unwrap();
        assert_eq!(config.worker_threads, 3);
        assert_eq!(
            config.passwords,
            PasswordLimits {
                concurrency: 3,
                queue: 0,
                queue_timeout: Duration::from_millis(250),
            }
        );
        assert_eq!(
            config.horizon,
            StorageHorizon {
                idempotency_key_ttl: Duration::from_secs(3600),
                session_retention: Duration::from_secs(72 * 3600),
                purge_interval: Duration::from_secs(30),
                purge_batch_size: 50,
            }
        );
    }

    #[test]
    fn login_limits_are_counts_of_at_least_one() {
        let config = Config::from_values(&values(&[
            ("LOGIN_FAILURES_PER_USERNAME", "1000"),
            ("LOGIN_FAILURES_PER_ADDRESS", "5000"),
        ]))
        .unwrap();
        assert_eq!(config.login_limit.per_username, 1000);
        assert_eq!(config.login_limit.per_address, 5000);
        for bad in ["0", "-1", "many"] {
            let err = Config::from_values(&values(&[("LOGIN_FAILURES_PER_ADDRESS", bad)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("LOGIN_FAILURES_PER_ADDRESS"), "{err}");
        }
    }

    #[test]
    fn database_url_is_also_accepted() {
        let config =
            Config::from_values(&values(&[("DATABASE_URL", "postgresql://x@y/z")])).unwrap();
        assert_eq!(config.database.url, "postgresql://x@y/z");
    }

    #[test]
    fn money_leaves_a_quarter_of_the_pool_to_the_rest() {
        assert_eq!(most_money_connections(16), 12);
        assert_eq!(most_money_connections(8), 6);
        assert_eq!(most_money_connections(2), 1);
        assert_eq!(most_money_connections(1), 1);
    }

    #[test]
    fn money_connections_default_to_eight_within_three_quarters_of_the_pool() {
        let money = |pairs: &[(&str, &str)]| {
            Config::from_values(&values(pairs)).map(|config| config.database.money_connections)
        };
        assert_eq!(money(&[]).unwrap(), 8);
        assert_eq!(money(&[("DB_MAX_CONNECTIONS", "4")]).unwrap(), 3);
        assert_eq!(money(&[("DB_MONEY_CONNECTIONS", "12")]).unwrap(), 12);
        for refused in ["0", "13"] {
            let err = money(&[("DB_MONEY_CONNECTIONS", refused)]).unwrap_err();
            assert!(
                format!("{err:#}").contains("DB_MONEY_CONNECTIONS must be between 1 and three quarters of DB_MAX_CONNECTIONS (12)"),
                "{refused}: {err:#}"
            );
        }
    }

    #[test]
    fn shared_read_connections_default_to_one_and_to_none_for_a_tiny_pool() {
        let default = Config::from_values(&values(&[])).unwrap();
        assert_eq!(default.database.shared_read_connections, 1);
        let tiny = Config::from_values(&values(&[("DB_MAX_CONNECTIONS", "3")])).unwrap();
        assert_eq!(tiny.database.shared_read_connections, 0);
        let quarter = Config::from_values(&values(&[
            ("DB_MAX_CONNECTIONS", "16"),
            ("DB_SHARED_READ_CONNECTIONS", "4"),
        ]))
        .unwrap();
        assert_eq!(quarter.database.shared_read_connections, 4);
    }

    #[test]
    fn errors_name_the_key() {
        for (key, value) in [
            ("TOKEN_SYMMETRIC_KEY", "short"),
            ("ACCESS_TOKEN_DURATION", "15 minutes"),
            ("HTTP_SERVER_ADDRESS", "localhost"),
            ("TOKEN_KIND", "saml"),
            ("DB_MAX_CONNECTIONS", "0"),
            ("DB_SHARED_READ_CONNECTIONS", "5"),
            ("DB_SHARED_READ_CONNECTIONS", "-1"),
            ("DB_LOCK_TIMEOUT", "3"),
            ("DB_STATEMENT_TIMEOUT", "0"),
            ("DB_STATEMENT_TIMEOUT", "1us"),
            ("HTTP_BODY_TIMEOUT", "soon"),
            ("HTTP_HEADER_TIMEOUT", "0s"),
            ("HTTP_IDLE_TIMEOUT", "-1s"),
            ("PASSWORD_HASH_CONCURRENCY", "0"),
            ("PASSWORD_HASH_QUEUE", "-1"),
            ("PASSWORD_HASH_QUEUE_TIMEOUT", "5"),
            ("IDEMPOTENCY_KEY_TTL", "1d"),
            ("SESSION_RETENTION", "0s"),
            ("PURGE_INTERVAL", "soon"),
            ("PURGE_BATCH_SIZE", "0"),
            ("WORKER_THREADS", "0"),
            ("WORKER_THREADS", "two"),
        ] {
            let err = Config::from_values(&values(&[(key, value)])).unwrap_err();
            assert!(err.to_string().contains(key), "{key}: {err}");
        }
    }

    #[test]
    fn production_refuses_missing_keys_and_the_development_key() {
        let missing = Config::from_values(&values(&[("ENVIRONMENT", "production")])).unwrap_err();
        assert!(missing.to_string().contains("DB_SOURCE"), "{missing}");

        let dev_key = Config::from_values(&values(&[
            ("ENVIRONMENT", "production"),
            ("DB_SOURCE", "postgresql://a@b/c"),
            ("TOKEN_SYMMETRIC_KEY", DEVELOPMENT_TOKEN_KEY),
        ]))
        .unwrap_err();
        assert!(
            dev_key.to_string().contains("TOKEN_SYMMETRIC_KEY"),
            "{dev_key}"
        );

        let good = Config::from_values(&values(&[
            ("ENVIRONMENT", "production"),
            ("DB_SOURCE", "postgresql://a@b/c"),
            ("TOKEN_SYMMETRIC_KEY", "abcdefghijklmnopqrstuvwxyz012345"),
        ]))
        .unwrap();
        assert_eq!(good.log_format, LogFormat::Json);
    }

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_go_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(
            parse_go_duration("1h30m").unwrap(),
            Duration::from_secs(5400)
        );
        assert_eq!(
            parse_go_duration("1.5s").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            parse_go_duration("300ms").unwrap(),
            Duration::from_millis(300)
        );
        for bad in ["", "15", "m", "15x", "1h-3m"] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn env_file_lines_are_parsed() {
        let parsed = parse_env_file(
            "# comment\nDB_SOURCE=\"postgresql://a@b/c\"\n\nexport TOKEN_KIND=jwt\n",
        )
        .unwrap();
        assert_eq!(parsed["DB_SOURCE"], "postgresql://a@b/c");
        assert_eq!(parsed["TOKEN_KIND"], "jwt");
        assert!(parse_env_file("NOEQUALS").is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
