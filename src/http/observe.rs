//! Request ids, trace ids, request logs and metrics of every HTTP request.

use std::{sync::Arc, time::Instant};

use salvo::prelude::*;
use tracing::{Instrument, field::Empty};

use crate::{error::AppError, metrics::Metrics, store::unavailable_cause, telemetry};

/// Counts an error answered as 503 by its cause; called by the error writers.
pub(super) fn count_unavailable(err: &AppError, depot: &Depot) {
    if let AppError::Unavailable(cause) = err
        && let Ok(metrics) = depot.get_typed::<Arc<Metrics>>()
    {
        metrics.record_unavailable(unavailable_cause(cause));
    }
}

/// Wraps every request: a request id (echoed as `x-request-id`), a span in the
/// caller's W3C trace (or a new one) that every log line of the request carries,
/// one log line at the end, and metrics by route template.
pub struct Observe {
    pub metrics: Arc<Metrics>,
}

#[async_trait]
impl Handler for Observe {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        let id = telemetry::request_id(req.headers());
        res.add_header("x-request-id", &id, true).ok();
        let method = req.method().to_string();
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            trace_id = Empty,
            method = %method,
            path = %req.uri().path(),
            otel.kind = "server",
            http.response.status_code = Empty,
        );
        telemetry::join_trace(&span, req.headers());
        let started = Instant::now();
        ctrl.call_next(req, depot, res)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        let status = res.status_code.unwrap_or(StatusCode::OK).as_u16();
        let route = match req.matched_path() {
            "" => "unmatched".to_owned(),
            path => format!("/{}", path.trim_start_matches('/')),
        };
        telemetry::rename(&span, format!("{method} {route}"));
        span.record("http.response.status_code", status);
        span.in_scope(|| {
            tracing::info!(status, route = %route, latency_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
        });
        self.metrics.record_http(&method, &route, status, elapsed);
    }
}
