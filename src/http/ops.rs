//! Operations endpoints: liveness, readiness, metrics.

use std::sync::Arc;

use salvo::{oapi::ToSchema, prelude::*};
use serde::Serialize;

use super::{extract::bank, json::JsonBody};
use crate::{error::AppError, metrics::Metrics};

pub fn router() -> Router {
    Router::new()
        .push(Router::with_path("healthz").get(healthz))
        .push(Router::with_path("readyz").get(readyz))
        .push(Router::with_path("metrics").get(metrics_text))
        .push(Router::with_path("docs/db").get(database_docs))
}

#[derive(Serialize, ToSchema)]
struct Status {
    /// `ok` or `ready`.
    status: &'static str,
}

/// Liveness: 200 while the process runs.
#[endpoint(operation_id = "check_health", tags("operations"), status_codes(200))]
async fn healthz() -> JsonBody<Status> {
    JsonBody(Status { status: "ok" })
}

/// Readiness: 200 when the database answers, else 503.
#[endpoint(
    operation_id = "check_readiness",
    tags("operations"),
    status_codes(200, 500, 503)
)]
async fn readyz(depot: &mut Depot) -> Result<JsonBody<Status>, AppError> {
    bank(depot)?.ready().await?;
    Ok(JsonBody(Status { status: "ready" }))
}

/// OpenMetrics text: request counts and latency, pool, money gate and lock waits.
///
/// Request counts and latency by route and status (HTTP and gRPC); the connection pool's
/// size and waits; the money gate's waits; blocked backends and the longest lock wait;
/// password hashes in flight; transfers, deposits, and 503s by cause.
#[endpoint(
    operation_id = "get_metrics",
    tags("operations"),
    responses((status_code = 200, description = "OpenMetrics text exposition format", content_type = "application/openmetrics-text", body = String))
)]
async fn metrics_text(depot: &mut Depot, res: &mut Response) -> Result<(), AppError> {
    let bank = bank(depot)?;
    let metrics = depot
        .get_typed::<Arc<Metrics>>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("metrics are not in the depot")))?;
    res.add_header(
        "content-type",
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        true,
    )
    .ok();
    bank.metrics().sample_password_work(bank.password_pool());
    res.render(metrics.scrape(bank.store()).await);
    Ok(())
}

/// The generated database documentation (`make db_docs`), embedded in the binary.
const DATABASE_DOCS: &str = include_str!("../../doc/db/index.html");

/// The database documentation page.
#[endpoint(
    operation_id = "get_database_docs",
    tags("operations"),
    responses((status_code = 200, description = "One self-contained HTML page", content_type = "text/html", body = String))
)]
async fn database_docs(res: &mut Response) {
    res.render(Text::Html(DATABASE_DOCS));
}
