//! Operations endpoints: liveness, readiness, metrics.

use std::sync::Arc;

use salvo::prelude::*;
use serde::Serialize;

use super::extract::bank;
use crate::{error::AppError, metrics::Metrics};

pub fn router() -> Router {
    Router::new()
        .push(Router::with_path("healthz").get(healthz))
        .push(Router::with_path("readyz").get(readyz))
        .push(Router::with_path("metrics").get(metrics_text))
        .push(Router::with_path("docs/db").get(database_docs))
}

#[derive(Serialize)]
struct Status {
    status: &'static str,
}

/// 200 while the process runs.
#[handler]
async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// 200 when the database answers, else 503.
#[handler]
async fn readyz(depot: &mut Depot) -> Result<Json<Status>, AppError> {
    bank(depot)?.ready().await?;
    Ok(Json(Status { status: "ready" }))
}

#[handler]
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
    res.render(metrics.scrape(bank.store()).await);
    Ok(())
}

/// The generated database documentation (`make db_docs`), embedded in the binary.
const DATABASE_DOCS: &str = include_str!("../../doc/db/index.html");

#[handler]
async fn database_docs(res: &mut Response) {
    res.render(Text::Html(DATABASE_DOCS));
}
