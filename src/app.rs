//! Assembles the server from its configuration: database, migrations, service
//! layer and transports. Binding happens in `build`, so port 0 works in tests.

use std::{future::Future, io, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use salvo::{
    conn::{Accepted, Acceptor, Holding, tcp::TcpAcceptor},
    fuse::{ArcFusePolicy, FuseConfig},
    server::Server,
};
use tokio::sync::{oneshot, watch};

use crate::{
    config::{Config, StorageHorizon},
    grpc, http,
    metrics::Metrics,
    password::PasswordPool,
    service::{Bank, LoginLimiter},
    store::{self, Store, migrate},
    token,
};

pub struct Application {
    config: Config,
    bank: Arc<Bank>,
    http_listener: tokio::net::TcpListener,
    http_address: SocketAddr,
    grpc_listener: tokio::net::TcpListener,
    grpc_address: SocketAddr,
}

impl Application {
    /// Creates the database if it is missing, applies pending migrations, and
    /// binds the listeners.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let url = &config.database.migration_url;
        store::create_database_if_missing(url).await?;
        let mut client = store::connect(url)
            .await
            .with_context(|| format!("cannot connect to {}", store::redacted_url(url)))?;
        let applied = migrate::up(&mut client, None).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied pending migrations");
        }
        drop(client);

        // Hash the dummy password now, so the first login of an unknown user costs
        // what every other login costs (and no request pays for it).
        tokio::task::spawn_blocking(crate::password::dummy_hash).await?;

        let store = Store::new(&config.database)?;
        let bank = Arc::new(bank_from_config(store, &config)?);
        Self::with_bank(config, bank).await
    }

    /// Serves an already built bank (tests use it to tune the bank's limits).
    pub async fn with_bank(config: Config, bank: Arc<Bank>) -> anyhow::Result<Self> {
        let http_listener = tokio::net::TcpListener::bind(config.http_address)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on HTTP_SERVER_ADDRESS {}",
                    config.http_address
                )
            })?;
        let http_address = http_listener.local_addr()?;
        let grpc_listener = tokio::net::TcpListener::bind(config.grpc_address)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on GRPC_SERVER_ADDRESS {}",
                    config.grpc_address
                )
            })?;
        let grpc_address = grpc_listener.local_addr()?;
        Ok(Self {
            config,
            bank,
            http_listener,
            http_address,
            grpc_listener,
            grpc_address,
        })
    }

    pub fn http_address(&self) -> SocketAddr {
        self.http_address
    }

    pub fn grpc_address(&self) -> SocketAddr {
        self.grpc_address
    }

    pub fn bank(&self) -> &Arc<Bank> {
        &self.bank
    }

    /// Serves HTTP and gRPC until `shutdown` completes, then closes both listeners at
    /// once (new connections are refused), lets in-flight requests finish within
    /// `SHUTDOWN_TIMEOUT` (their responses say `Connection: close`), and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let (http_closed, http_listener_closed) = oneshot::channel();
        let acceptor = ClosingAcceptor {
            inner: Some(TcpAcceptor::try_from(self.http_listener).context("HTTP listener")?),
            holdings: Vec::new(),
            stopped: stopped.clone(),
            closed: Some(http_closed),
        }
        .with_holdings();
        let limits = self.config.http_limits;
        let fuse = FuseConfig::default()
            .with_http1_header_timeout(limits.header_timeout)
            .with_connection_idle_timeout(limits.idle_timeout);
        let mut server = Server::new(acceptor).fuse_config(fuse);
        server
            .http1_mut()
            .max_buf_size(http::limits::MAX_HEAD_BUFFER_BYTES);
        let handle = server.handle();
        let drain = self.config.shutdown_timeout;
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!(
                ?drain,
                "shutting down: refusing connections, finishing in-flight requests"
            );
            let _ = stop.send(true);
            // The accept loop drops the HTTP listener as soon as it sees the flag.
            if tokio::time::timeout(Duration::from_secs(1), http_listener_closed)
                .await
                .is_err()
            {
                tracing::warn!("the HTTP listener did not confirm it closed");
            }
            handle.stop_graceful(Some(drain));
        });

        let metrics = Arc::new(Metrics::new(self.bank.metrics(), self.bank.store()));
        let mut grpc_stopped = stopped.clone();
        let grpc = tokio::spawn(grpc::serve(
            self.grpc_listener,
            self.bank.clone(),
            metrics.clone(),
            self.config.trust_forwarded_for,
            async move {
                let _ = grpc_stopped.wait_for(|stopped| *stopped).await;
            },
        ));
        let purger = tokio::spawn(purge_periodically(
            self.bank.clone(),
            self.config.horizon,
            stopped.clone(),
        ));
        tracing::info!(http = %self.http_address, grpc = %self.grpc_address, "serving");
        let service = http::service(self.bank.clone(), metrics, &self.config, stopped);
        server.serve(service).await;
        // gRPC drains within the same bound as HTTP.
        match tokio::time::timeout(drain, grpc).await {
            Ok(Ok(result)) => result.context("gRPC server")?,
            Ok(Err(join_error)) => {
                return Err(anyhow::Error::new(join_error).context("gRPC server task"));
            }
            Err(_) => tracing::warn!("gRPC calls still running after the drain timeout"),
        }
        purger.abort();
        self.bank.store().pool().close();
        tracing::info!("stopped");
        Ok(())
    }
}

/// The HTTP listener, dropped (closed) the moment shutdown starts. Salvo's server
/// keeps its acceptor alive until every connection has drained, and the kernel
/// would go on accepting connections nobody answers; closing the socket makes
/// clients get "connection refused" and try another replica at once.
struct ClosingAcceptor {
    inner: Option<TcpAcceptor>,
    holdings: Vec<Holding>,
    stopped: watch::Receiver<bool>,
    closed: Option<oneshot::Sender<()>>,
}

impl ClosingAcceptor {
    fn with_holdings(mut self) -> Self {
        self.holdings = self
            .inner
            .as_ref()
            .map(|inner| inner.holdings().to_vec())
            .unwrap_or_default();
        self
    }
}

impl Acceptor for ClosingAcceptor {
    type Coupler = <TcpAcceptor as Acceptor>::Coupler;
    type Stream = <TcpAcceptor as Acceptor>::Stream;

    fn holdings(&self) -> &[Holding] {
        &self.holdings
    }

    async fn accept(
        &mut self,
        fuse_policy: Option<ArcFusePolicy>,
    ) -> io::Result<Accepted<Self::Coupler, Self::Stream>> {
        if let Some(inner) = self.inner.as_mut() {
            tokio::select! {
                biased;
                _ = self.stopped.wait_for(|stopped| *stopped) => {}
                accepted = inner.accept(fuse_policy) => return accepted,
            }
        }
        self.inner = None;
        if let Some(closed) = self.closed.take() {
            let _ = closed.send(());
        }
        std::future::pending().await
    }
}

/// The bank a configuration describes, over `store`: token maker, idempotency key
/// lifetime, password pool and failed-login limits from their settings.
pub fn bank_from_config(store: Store, config: &Config) -> anyhow::Result<Bank> {
    let tokens = token::maker_from_config(&config.token).context("token settings")?;
    let store = store.with_idempotency_key_ttl(config.horizon.idempotency_key_ttl);
    let limits = config.login_limit;
    Ok(Bank::new(store, tokens, &config.token)
        .with_password_pool(PasswordPool::new(config.passwords))
        .with_login_limiter(LoginLimiter::new(
            LoginLimiter::WINDOW,
            limits.per_username,
            limits.per_address,
        )))
}

/// Purges every `PURGE_INTERVAL` until the server stops. Replicas take turns through
/// the purge's advisory lock; a failed run is logged and tried again next time.
async fn purge_periodically(
    bank: Arc<Bank>,
    horizon: StorageHorizon,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(horizon.purge_interval) => {}
            _ = stopped.wait_for(|stopped| *stopped) => return,
        }
        match bank.purge(&horizon).await {
            Ok(report) if report.deleted() > 0 => tracing::info!(%report, "purged"),
            Ok(report) => tracing::debug!(%report, "purged"),
            Err(err) => {
                err.log();
                tracing::warn!("purge failed; it runs again after PURGE_INTERVAL");
            }
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
