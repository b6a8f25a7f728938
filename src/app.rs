//! Assembles the server from its configuration: database, migrations, service
//! layer and transports. Binding happens in `build`, so port 0 works in tests.

use std::{future::Future, net::SocketAddr, sync::Arc};

use anyhow::Context;
use salvo::{conn::tcp::TcpAcceptor, server::Server};

use crate::{
    config::Config,
    grpc,
    http::{self, Metrics},
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
        let url = &config.database.url;
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
        let tokens = token::maker_from_config(&config.token).context("token settings")?;
        let limits = config.login_limit;
        let bank = Arc::new(Bank::new(store, tokens, &config.token).with_login_limiter(
            LoginLimiter::new(
                LoginLimiter::WINDOW,
                limits.per_username,
                limits.per_address,
            ),
        ));
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

    /// Serves HTTP and gRPC until `shutdown` completes, then stops accepting, lets
    /// in-flight requests finish within `SHUTDOWN_TIMEOUT`, and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let acceptor = TcpAcceptor::try_from(self.http_listener).context("HTTP listener")?;
        let server = Server::new(acceptor);
        let handle = server.handle();
        let drain = self.config.shutdown_timeout;
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!(?drain, "shutting down: finishing in-flight requests");
            handle.stop_graceful(Some(drain));
            let _ = stop.send(true);
        });

        let mut grpc_stopped = stopped.clone();
        let grpc = tokio::spawn(grpc::serve(
            self.grpc_listener,
            self.bank.clone(),
            self.config.trust_forwarded_for,
            async move {
                let _ = grpc_stopped.wait_for(|stopped| *stopped).await;
            },
        ));
        tracing::info!(http = %self.http_address, grpc = %self.grpc_address, "serving");
        let service = http::service(
            self.bank.clone(),
            Arc::new(Metrics::default()),
            &self.config,
        );
        server.serve(service).await;
        // gRPC drains within the same bound as HTTP.
        match tokio::time::timeout(drain, grpc).await {
            Ok(Ok(result)) => result.context("gRPC server")?,
            Ok(Err(join_error)) => {
                return Err(anyhow::Error::new(join_error).context("gRPC server task"));
            }
            Err(_) => tracing::warn!("gRPC calls still running after the drain timeout"),
        }
        self.bank.store().pool().close();
        tracing::info!("stopped");
        Ok(())
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
