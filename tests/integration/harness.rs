//! Gives every test its own PostgreSQL database, cloned from a template that is
//! migrated once per run.
//!
//! Where the server comes from, in order:
//! 1. `TEST_DATABASE_URL` (any database on the server; the user must be allowed to
//!    create databases), e.g. `postgresql://postgres@127.0.0.1:5432/postgres`;
//! 2. a PostgreSQL 16 container started with testcontainers when a Docker daemon answers;
//! 3. otherwise the test fails and says how to provide one. Nothing is skipped.

use std::{
    io::{Read, Write},
    os::unix::net::UnixStream,
    str::FromStr,
    sync::{
        Mutex, OnceLock,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use simplebank::{
    config::DatabaseConfig,
    store::{self, Store, migrate},
};
use tokio_postgres::error::SqlState;

const TEMPLATE_PREFIX: &str = "simplebank_template_";
const TEST_DB_PREFIX: &str = "simplebank_test_";
/// Test databases older than this are leftovers of a killed run and are dropped.
const LEFTOVER_AGE: Duration = Duration::from_secs(30 * 60);
/// Serialises template creation across test processes (any fixed number will do).
const TEMPLATE_LOCK_ID: i64 = 0x5b_a7_c0_de;

/// A database of the test's own, dropped when the test ends.
pub struct TestDb {
    pub store: Store,
    /// Connects to this test's database; for raw connections (isolation tests).
    pub url: String,
    name: String,
    server_url: String,
}

impl TestDb {
    /// A fresh, migrated, empty database.
    pub async fn new() -> Self {
        Self::with_pool_size(24).await
    }

    pub async fn with_pool_size(max_connections: usize) -> Self {
        let server_url = server_url().to_owned();
        let template = template(&server_url).await;
        let name = format!(
            "{TEST_DB_PREFIX}{}_{}_{}",
            unix_seconds(),
            std::process::id(),
            next_counter()
        );
        let admin = store::connect(&server_url)
            .await
            .expect("connect to the test server");
        create_database_from(&admin, &name, &template).await;
        let url = with_database(&server_url, &name);
        let store = Store::new(&DatabaseConfig {
            max_connections,
            ..DatabaseConfig::new(url.clone())
        })
        .expect("test pool");
        Self {
            store,
            url,
            name,
            server_url,
        }
    }

    /// PgBouncer in transaction mode in front of this test's server, and a store
    /// that reaches this database through it (the `store` field stays direct, for
    /// setting up and checking).
    pub fn behind_pgbouncer(&self) -> (crate::pgbouncer::Pgbouncer, Store) {
        let pgbouncer = crate::pgbouncer::Pgbouncer::start(&self.server_url);
        let store = crate::pgbouncer::pooled_store(&pgbouncer, &self.url);
        (pgbouncer, store)
    }

    /// A connection outside the pool.
    pub async fn connect(&self) -> tokio_postgres::Client {
        store::connect(&self.url)
            .await
            .expect("connect to the test database")
    }

    /// An empty database that has no migration applied, for migration tests.
    pub async fn unmigrated() -> Self {
        let server_url = server_url().to_owned();
        let name = format!(
            "{TEST_DB_PREFIX}{}_{}_{}",
            unix_seconds(),
            std::process::id(),
            next_counter()
        );
        let admin = store::connect(&server_url)
            .await
            .expect("connect to the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote(&name)))
            .await
            .expect("create an empty test database");
        let url = with_database(&server_url, &name);
        let store = Store::new(&DatabaseConfig {
            max_connections: 4,
            ..DatabaseConfig::new(url.clone())
        })
        .expect("test pool");
        Self {
            store,
            url,
            name,
            server_url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs outside any async context guarantee, so use a thread of its own.
        let (server_url, name) = (self.server_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime for dropping a test database")
                .block_on(async move {
                    let admin = store::connect(&server_url).await?;
                    admin
                        .batch_execute(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            quote(&name)
                        ))
                        .await
                })
        })
        .join();
        if let Ok(Err(err)) = dropped {
            eprintln!("could not drop test database {}: {err}", self.name);
        }
    }
}

pub fn next_counter() -> u32 {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn with_database(server_url: &str, database: &str) -> String {
    let config = tokio_postgres::Config::from_str(server_url).expect("valid server URL");
    let mut url = String::from("postgresql://");
    if let Some(user) = config.get_user() {
        url.push_str(user);
        if let Some(password) = config.get_password() {
            url.push(':');
            url.push_str(&String::from_utf8_lossy(password));
        }
        url.push('@');
    }
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        Some(tokio_postgres::config::Host::Unix(path)) => {
            return format!(
                "host={} port={} user={} dbname={database}",
                path.display(),
                config.get_ports().first().copied().unwrap_or(5432),
                config.get_user().unwrap_or("postgres"),
            );
        }
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    url.push_str(&format!("{host}:{port}/{database}"));
    url
}

/// The server every test of this process uses.
fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_DATABASE_URL")
            && !url.trim().is_empty()
        {
            return url;
        }
        if docker_answers() {
            return start_container();
        }
        panic!(
            "\n\nThese tests need a real PostgreSQL server and found none.\n\
             Provide one of:\n  \
             - TEST_DATABASE_URL=postgresql://USER[:PASSWORD]@HOST:PORT/postgres (a user that may CREATE DATABASE),\n    \
               e.g. `TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres cargo test`\n  \
             - a running Docker daemon (tests then start postgres:16-alpine with testcontainers)\n\
             `make test` sets TEST_DATABASE_URL itself when a server answers on 127.0.0.1:5432;\n\
             `make postgres` starts one in Docker.\n"
        )
    })
}

/// Asks the Docker daemon's socket for `GET /_ping`; cheap and fails fast without Docker.
fn docker_answers() -> bool {
    let socket = std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|host| host.strip_prefix("unix://").map(str::to_owned))
        .unwrap_or_else(|| "/var/run/docker.sock".to_owned());
    let Ok(mut stream) = UnixStream::connect(&socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.") && response.contains(" 200 ")
}

type Container =
    testcontainers_modules::testcontainers::Container<testcontainers_modules::postgres::Postgres>;

static CONTAINER: Mutex<Option<Container>> = Mutex::new(None);

/// Starts PostgreSQL 16 in Docker for this test process and removes it at exit.
fn start_container() -> String {
    use testcontainers_modules::{
        postgres::Postgres, testcontainers::ImageExt, testcontainers::runners::SyncRunner,
    };
    // The blocking runner has a runtime of its own: start it off the test's runtime.
    let (container, port) = std::thread::spawn(|| {
        let container = Postgres::default()
            .with_tag("16-alpine")
            .start()
            .expect("start a postgres:16-alpine container (is Docker running?)");
        let port = container
            .get_host_port_ipv4(5432)
            .expect("the container's mapped PostgreSQL port");
        (container, port)
    })
    .join()
    .expect("container start-up thread");
    *CONTAINER.lock().expect("container slot") = Some(container);
    extern "C" fn remove_container() {
        if let Ok(mut slot) = CONTAINER.lock() {
            drop(slot.take());
        }
    }
    // SAFETY: registers a plain function with no captured state to run at exit.
    unsafe { libc::atexit(remove_container) };
    format!("postgresql://postgres:postgres@127.0.0.1:{port}/postgres")
}

/// The name of a migrated template database for the embedded migrations, creating
/// it once: the first test process to get here migrates it under an advisory lock,
/// every later one finds it ready. Leftover test databases are reaped here too.
async fn template(server_url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    // OnceCell is per process, and tests of one process share its result (a String,
    // so nothing tied to one test's runtime).
    TEMPLATE
        .get_or_init(|| async { build_template(server_url).await })
        .await
        .clone()
}

async fn build_template(server_url: &str) -> String {
    let name = format!("{TEMPLATE_PREFIX}{:016x}", migrations_fingerprint());
    let admin = store::connect(server_url).await.unwrap_or_else(|err| {
        panic!(
            "cannot connect to the test PostgreSQL server ({}): {err}",
            store::redacted_url(server_url)
        )
    });
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK_ID])
        .await
        .expect("template lock");
    // Marks this template as in use now, so a concurrent run on another schema
    // version (another branch or worktree) leaves it alone while it is recent.
    reap_leftovers(&admin, &name).await;
    let ready = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate",
            &[&name],
        )
        .await
        .expect("look up the template")
        .is_some();
    if !ready {
        admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote(&name)
            ))
            .await
            .expect("drop a half-built template");
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote(&name)))
            .await
            .expect("create the template database");
        let mut client = store::connect(&with_database(server_url, &name))
            .await
            .expect("connect to the template database");
        migrate::up(&mut client, None)
            .await
            .expect("migrate the template database");
        drop(client);
        // Marked only once complete, so a crash half-way is rebuilt next time.
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {} WITH IS_TEMPLATE true",
                quote(&name)
            ))
            .await
            .expect("mark the template ready");
    }
    admin
        .batch_execute(&format!(
            "COMMENT ON DATABASE {} IS '{}'",
            quote(&name),
            unix_seconds()
        ))
        .await
        .expect("record when the template was last used");
    admin
        .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK_ID])
        .await
        .expect("template unlock");
    name
}

/// Changes whenever a migration changes, so an edited schema gets a new template.
fn migrations_fingerprint() -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for migration in migrate::MIGRATIONS {
        for byte in migration.up.bytes().chain(migration.down.bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Drops test databases left by killed runs, and templates of other schema
/// versions that no run has used for a while (their comment holds the last use).
async fn reap_leftovers(admin: &tokio_postgres::Client, current_template: &str) {
    let rows = admin
        .query(
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database \
             WHERE datname LIKE 'simplebank\\_test\\_%' OR datname LIKE 'simplebank\\_template\\_%'",
            &[],
        )
        .await
        .expect("list test databases");
    let now = unix_seconds();
    let older_than_leftover_age =
        |seconds: u64| now.saturating_sub(seconds) > LEFTOVER_AGE.as_secs();
    for row in rows {
        let name: String = row.get(0);
        let last_used: String = row.get(1);
        let stale = if let Some(rest) = name.strip_prefix(TEST_DB_PREFIX) {
            let created: u64 = rest
                .split('_')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            older_than_leftover_age(created)
        } else {
            name != current_template && older_than_leftover_age(last_used.parse().unwrap_or(0))
        };
        if stale {
            let _ = admin
                .batch_execute(&format!(
                    "ALTER DATABASE {} WITH IS_TEMPLATE false",
                    quote(&name)
                ))
                .await;
            if let Err(err) = admin
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote(&name)
                ))
                .await
            {
                eprintln!("could not reap leftover database {name}: {err}");
            }
        }
    }
}

async fn create_database_from(admin: &tokio_postgres::Client, name: &str, template: &str) {
    let statement = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote(name),
        quote(template)
    );
    // Cloning needs the template to have no connections; a concurrent clone may
    // briefly hold one, so try again for a little while.
    for attempt in 0.. {
        match admin.batch_execute(&statement).await {
            Ok(()) => return,
            Err(err) if err.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 50 => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("create test database {name} from {template}: {err}"),
        }
    }
}
