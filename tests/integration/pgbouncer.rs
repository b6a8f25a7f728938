//! A real PgBouncer (Debian's `pgbouncer`) in transaction mode in front of the test
//! server, on a free loopback port, for as long as a test holds it.
//!
//! Its pool is smaller than the application's (8 server connections for 24 client
//! ones), so transactions of one client connection land on different server sessions:
//! anything that outlives a transaction (a prepared statement, a `SET`) breaks here.

use std::{
    fs,
    io::Read,
    net::{TcpListener, TcpStream},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    str::FromStr,
    time::{Duration, Instant},
};

use simplebank::{
    config::{DatabaseConfig, PoolMode},
    store::Store,
};

/// Server connections PgBouncer keeps per database and user, as in the setup.
pub const SERVER_POOL_SIZE: usize = 8;

/// A running PgBouncer; stopped (by its PID, which this process started) when dropped.
pub struct Pgbouncer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Pgbouncer {
    /// Starts PgBouncer in front of the server `server_url` points at. Fails loudly
    /// when it is not installed: `.ci/run` installs it.
    pub fn start(server_url: &str) -> Self {
        let binary = find_pgbouncer().unwrap_or_else(|| {
            panic!(
                "pgbouncer is not installed: the pooler tests need Debian's pgbouncer \
                 (apt-get install pgbouncer; .ci/run installs it), or set PGBOUNCER to its path"
            )
        });
        let server = tokio_postgres::Config::from_str(server_url).expect("TEST_DATABASE_URL");
        let host = match server.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            _ => "127.0.0.1".to_owned(),
        };
        let port = server.get_ports().first().copied().unwrap_or(5432);
        let user = server.get_user().unwrap_or("postgres").to_owned();
        // PgBouncer logs in to the server with the auth file's password (none with trust).
        let password = server
            .get_password()
            .map(|bytes| String::from_utf8_lossy(bytes).replace('"', "\"\""))
            .unwrap_or_default();

        let dir = std::env::temp_dir().join(format!(
            "simplebank-pgbouncer-{}-{}",
            std::process::id(),
            crate::harness::next_counter()
        ));
        fs::create_dir_all(&dir).expect("pgbouncer directory");
        let listen_port = free_port();
        let auth_file = dir.join("userlist.txt");
        fs::write(&auth_file, format!("\"{user}\" \"{password}\"\n")).expect("userlist");
        // `*`: any database name is passed through to the server, so each test's own
        // database is reachable. Clients are trusted on loopback; the server checks
        // PgBouncer's own login.
        let config = format!(
            "[databases]\n\
             * = host={host} port={port}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {listen_port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {auth}\n\
             pool_mode = transaction\n\
             default_pool_size = {SERVER_POOL_SIZE}\n\
             max_client_conn = 500\n\
             server_login_retry = 1\n\
             ignore_startup_parameters = extra_float_digits\n",
            auth = auth_file.display(),
        );
        let config_file = dir.join("pgbouncer.ini");
        fs::write(&config_file, config).expect("pgbouncer.ini");
        let log = fs::File::create(dir.join("pgbouncer.log")).expect("pgbouncer log");

        let mut command = Command::new(&binary);
        command
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        // PgBouncer refuses to run as root (as CI does): run it as `nobody`.
        if running_as_root() {
            command.uid(65534).gid(65534);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|err| panic!("starting {}: {err}", binary.display()));
        let mut pgbouncer = Self {
            child,
            port: listen_port,
            dir,
        };
        pgbouncer.wait_until_listening();
        pgbouncer
    }

    /// `database` on the test server, reached through PgBouncer.
    pub fn url(&self, user: &str, database: &str) -> String {
        format!("postgresql://{user}@127.0.0.1:{}/{database}", self.port)
    }

    /// What PgBouncer logged so far (for failure messages).
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = fs::File::open(self.dir.join("pgbouncer.log")) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("pgbouncer exited at start ({status}):\n{}", self.log());
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("pgbouncer did not listen within 10 s:\n{}", self.log());
    }
}

impl Drop for Pgbouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A store that reaches `db` through `pgbouncer`, in transaction mode.
pub fn pooled_store(pgbouncer: &Pgbouncer, db_url: &str) -> Store {
    Store::new(&pooled_database_config(pgbouncer, db_url)).expect("pooled store")
}

pub fn pooled_database_config(pgbouncer: &Pgbouncer, db_url: &str) -> DatabaseConfig {
    let direct = tokio_postgres::Config::from_str(db_url).expect("test database URL");
    let url = pgbouncer.url(
        direct.get_user().unwrap_or("postgres"),
        direct
            .get_dbname()
            .expect("the test URL names its database"),
    );
    DatabaseConfig {
        max_connections: 24,
        pool_mode: PoolMode::Transaction,
        migration_url: db_url.to_owned(),
        ..DatabaseConfig::new(url)
    }
}

fn find_pgbouncer() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PGBOUNCER") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .map(|dir| dir.join("pgbouncer"))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
