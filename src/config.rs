//! Typed settings, layered: built-in development defaults, then an optional
//! `app.env` file (`KEY=VALUE` lines, as the Go server's Viper read it), then
//! environment variables, which win. Keys are the Go server's.

use std::{collections::HashMap, env, fmt, fs, net::SocketAddr, path::Path, time::Duration};

use anyhow::{Context, anyhow, bail};

/// Where the bank keeps its data, as the course's `DB_SOURCE` default.
pub const DEFAULT_DB_SOURCE: &str = "postgresql://root:secret@localhost:5432/simple_bank";
/// The course's development key. Refused when `ENVIRONMENT=production`.
pub const DEVELOPMENT_TOKEN_KEY: &str = "12345678901234567890123456789012";

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
    pub login_limit: LoginLimitConfig,
}

/// Failed logins allowed within the limiter's window before further attempts get 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimitConfig {
    pub per_username: usize,
    pub per_address: usize,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// A PostgreSQL URL; it carries the password, so it is never logged whole.
    pub url: String,
    pub max_connections: usize,
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
        if let Some(path) = crate::store::root_cert_path(&url) {
            crate::store::load_root_certificates(Path::new(&path))
                .map_err(|err| anyhow!("DB_SOURCE: {err:#}"))?;
        }
        let max_connections = parse_key(get("DB_MAX_CONNECTIONS"), "DB_MAX_CONNECTIONS", 16usize)?;
        if max_connections == 0 {
            bail!("DB_MAX_CONNECTIONS must be at least 1");
        }

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

        Ok(Self {
            environment,
            database: DatabaseConfig {
                url,
                max_connections,
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
        assert_eq!(
            config.login_limit,
            LoginLimitConfig {
                per_username: 10,
                per_address: 50
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
    fn errors_name_the_key() {
        for (key, value) in [
            ("TOKEN_SYMMETRIC_KEY", "short"),
            ("ACCESS_TOKEN_DURATION", "15 minutes"),
            ("HTTP_SERVER_ADDRESS", "localhost"),
            ("TOKEN_KIND", "saml"),
            ("DB_MAX_CONNECTIONS", "0"),
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
