//! Every gRPC call: a request id, a span in the caller's W3C trace (from the
//! `traceparent` metadata, else a new trace), one log line, and metrics by service,
//! method and status code.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Instant,
};

use tonic::Code;
use tracing::{Instrument, field::Empty};

use crate::{metrics::Metrics, telemetry};

/// Metadata by which `From<AppError> for Status` tells this layer why a call was
/// unavailable; the layer counts it and removes it before the response leaves.
pub(crate) const UNAVAILABLE_CAUSE: &str = "x-simplebank-unavailable-cause";

#[derive(Clone)]
pub struct ObserveLayer {
    pub metrics: Arc<Metrics>,
}

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Observe {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B, R> tower::Service<http::Request<B>> for Observe<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path().to_owned();
        let span = tracing::info_span!(
            "grpc",
            request_id = %telemetry::request_id(request.headers()),
            trace_id = Empty,
            method = %path,
            otel.name = %path.trim_start_matches('/'),
            otel.kind = "server",
            rpc.system = "grpc",
            rpc.grpc.status_code = Empty,
        );
        telemetry::join_trace(&span, request.headers());
        let started = Instant::now();
        let response = span.in_scope(|| self.inner.call(request));
        let metrics = self.metrics.clone();
        Box::pin(
            async move {
                let mut result = response.await;
                if let Ok(response) = &mut result {
                    // Errors of unary calls come as trailers-only responses: the status is a header.
                    let code = response
                        .headers()
                        .get("grpc-status")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.parse::<i32>().ok())
                        .map_or(Code::Ok, Code::from);
                    if let Some(cause) = response.headers_mut().remove(UNAVAILABLE_CAUSE) {
                        metrics.record_unavailable(known_cause(cause.to_str().unwrap_or("")));
                    }
                    let elapsed = started.elapsed();
                    tracing::Span::current().record("rpc.grpc.status_code", code as i32);
                    tracing::info!(
                        method = %path,
                        code = ?code,
                        latency_ms = elapsed.as_secs_f64() * 1000.0,
                        "gRPC call finished"
                    );
                    metrics.record_grpc(&path, code, elapsed);
                }
                result
            }
            .instrument(span),
        )
    }
}

/// The cause as a static label (labels must not come from the wire unchecked).
fn known_cause(cause: &str) -> &'static str {
    crate::store::UNAVAILABLE_CAUSES
        .iter()
        .find(|known| **known == cause)
        .copied()
        .unwrap_or("other")
}
