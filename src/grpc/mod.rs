//! The bank over gRPC (tonic): `pb.SimpleBank`, server reflection (v1 and
//! v1alpha) and `grpc.health.v1.Health`, over the same service layer as REST.

pub(crate) mod convert;
pub mod limits;
mod observe;
mod service;
pub mod status;

use std::{future::Future, sync::Arc, time::Duration};

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::{metrics::Metrics, service::Bank};

/// The generated messages and services of `proto/simple_bank.proto`.
pub mod pb {
    tonic::include_proto!("pb");

    /// Served by reflection, so evans and grpcurl can discover the API.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/simplebank_descriptor.bin"));
}

/// How often the health service re-checks the database.
const HEALTH_INTERVAL: Duration = Duration::from_secs(2);

/// Serves gRPC on `listener` until `shutdown` completes; in-flight calls finish first.
pub async fn serve(
    listener: TcpListener,
    bank: Arc<Bank>,
    metrics: Arc<Metrics>,
    trust_forwarded_for: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;
    let simple_bank = tonic::service::interceptor::InterceptedService::new(
        pb::simple_bank_server::SimpleBankServer::new(service::GrpcBank {
            bank: bank.clone(),
            trust_forwarded_for,
        })
        .max_decoding_message_size(limits::MAX_REQUEST_MESSAGE_BYTES),
        service::Authenticate { bank: bank.clone() },
    );

    // SERVING only while the database answers: NOT_SERVING until the first check
    // (the reporter starts "" as SERVING), which runs now, then periodically.
    for service in ["", "pb.SimpleBank"] {
        health_reporter
            .set_service_status(service, ServingStatus::NotServing)
            .await;
    }
    let watcher = tokio::spawn(async move {
        let mut last = Some(ServingStatus::NotServing);
        loop {
            let status = match bank.ready().await {
                Ok(()) => ServingStatus::Serving,
                Err(_) => ServingStatus::NotServing,
            };
            if last != Some(status) {
                tracing::info!(?status, "gRPC health changed");
                health_reporter.set_service_status("", status).await;
                health_reporter
                    .set_service_status("pb.SimpleBank", status)
                    .await;
                last = Some(status);
            }
            tokio::time::sleep(HEALTH_INTERVAL).await;
        }
    });

    let result = tonic::transport::Server::builder()
        .layer(observe::ObserveLayer { metrics })
        .layer(limits::LimitsLayer)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(simple_bank)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await;
    watcher.abort();
    Ok(result?)
}
