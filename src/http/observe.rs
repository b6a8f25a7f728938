//! Request ids, request logs and Prometheus metrics.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{Arc, Mutex},
    time::Instant,
};

use salvo::prelude::*;
use tracing::Instrument;

use crate::store::Store;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut series = self
            .series
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = series
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, store: &Store) -> String {
        let series = self
            .series
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for ((method, route, status), s) in &series {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in &series {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            for (count, bound) in s.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        let pool = store.pool().status();
        out.push_str("# HELP db_pool_connections Database connections by state.\n");
        out.push_str("# TYPE db_pool_connections gauge\n");
        let _ = writeln!(out, "db_pool_connections{{state=\"open\"}} {}", pool.size);
        let _ = writeln!(
            out,
            "db_pool_connections{{state=\"idle\"}} {}",
            pool.available
        );
        let _ = writeln!(
            out,
            "db_pool_connections{{state=\"max\"}} {}",
            pool.max_size
        );
        out.push_str("# HELP db_pool_waiting Requests waiting for a database connection.\n");
        out.push_str("# TYPE db_pool_waiting gauge\n");
        let _ = writeln!(out, "db_pool_waiting {}", pool.waiting);
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A caller's request id if it is sane, else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .filter(|id| (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// Wraps every request: a request id (echoed as `x-request-id`), a span that
/// every log line of the request carries, one log line at the end, and metrics.
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
        let id = request_id(req);
        res.add_header("x-request-id", &id, true).ok();
        let method = req.method().to_string();
        let span = tracing::info_span!("request", request_id = %id, method = %method, path = %req.uri().path());
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
        span.in_scope(|| {
            tracing::info!(status, route = %route, latency_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
        });
        self.metrics
            .record(&method, &route, status, elapsed.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let metrics = Metrics::default();
        metrics.record("GET", "/accounts/{id}", 200, 0.003);
        metrics.record("GET", "/accounts/{id}", 200, 0.2);
        let series = metrics.series.lock().unwrap();
        let s = &series[&("GET".to_owned(), "/accounts/{id}".to_owned(), 200)];
        assert_eq!(s.count, 2);
        assert_eq!(s.buckets[0], 0); // <= 1 ms
        assert_eq!(s.buckets[2], 1); // <= 5 ms
        assert_eq!(s.buckets[7], 2); // <= 250 ms
    }
}
