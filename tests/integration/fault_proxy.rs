//! A TCP proxy the tests put between a server and PostgreSQL, to play a bad day
//! on the network without touching the shared database server: cut every open
//! connection, refuse new ones, or stall traffic in both directions.
//!
//! Loopback only; the proxy and every connection it carries stop when it is dropped.

use std::net::SocketAddr;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinSet,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Faults {
    /// New connections are closed as soon as they are accepted.
    refuse: bool,
    /// No byte moves in either direction (connections stay open).
    stall: bool,
    /// Bumped by `cut_all`: every connection open at that moment is closed.
    cuts: u64,
}

pub struct FaultProxy {
    address: SocketAddr,
    /// The upstream's `host:port` as the database URL spells it.
    upstream_text: String,
    faults: watch::Sender<Faults>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of the server `database_url` names.
    pub async fn start(database_url: &str) -> Self {
        let upstream_text = host_port(database_url).to_owned();
        let upstream: SocketAddr = upstream_text
            .replace("localhost", "127.0.0.1")
            .parse()
            .unwrap_or_else(|_| panic!("the fault proxy needs host:port in {database_url}"));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy on loopback");
        let address = listener.local_addr().expect("the proxy's address");
        let (faults, watcher) = watch::channel(Faults {
            refuse: false,
            stall: false,
            cuts: 0,
        });
        let accept_loop = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                while connections.try_join_next().is_some() {}
                if watcher.borrow().refuse {
                    drop(client);
                    continue;
                }
                connections.spawn(carry(client, upstream, watcher.clone()));
            }
        });
        Self {
            address,
            upstream_text,
            faults,
            accept_loop,
        }
    }

    /// `database_url` (on the proxied server) pointed at this proxy instead.
    pub fn url_for(&self, database_url: &str) -> String {
        assert_eq!(
            host_port(database_url),
            self.upstream_text,
            "another server"
        );
        database_url.replacen(&self.upstream_text, &self.address.to_string(), 1)
    }

    /// Closes every connection open now (both sides see the socket close).
    pub fn cut_all(&self) {
        self.faults.send_modify(|faults| faults.cuts += 1);
    }

    /// While true, new connections are accepted and closed at once.
    pub fn refuse_new(&self, refuse: bool) {
        self.faults.send_modify(|faults| faults.refuse = refuse);
    }

    /// While true, nothing is forwarded: the database seems to hang.
    pub fn stall(&self, stall: bool) {
        self.faults.send_modify(|faults| faults.stall = stall);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection.
        self.accept_loop.abort();
    }
}

/// Carries one connection until either side closes it or it is cut.
async fn carry(client: TcpStream, upstream: SocketAddr, faults: watch::Receiver<Faults>) {
    let cut_at_start = faults.borrow().cuts;
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let mut cut = faults.clone();
    tokio::select! {
        () = pump(client_read, server_write, faults.clone()) => {}
        () = pump(server_read, client_write, faults.clone()) => {}
        _ = cut.wait_for(|now| now.cuts != cut_at_start) => {}
    }
}

/// Copies bytes from `from` to `to`, holding them while traffic is stalled.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut faults: watch::Receiver<Faults>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        if faults.wait_for(|now| !now.stall).await.is_err() {
            return;
        }
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if faults.wait_for(|now| !now.stall).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

/// The `host:port` of a URL of the form `postgresql://user@host:port/db?...`.
fn host_port(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .rsplit_once('@')
        .map_or(after_scheme, |(_, rest)| rest)
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
}
