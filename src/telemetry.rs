//! Logs and traces. Every request runs in a span carrying its request id and its
//! W3C trace id (the caller's `traceparent`, else a new one), so every log line of the
//! request carries both. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans also go out by
//! OTLP/gRPC; unset, no OpenTelemetry layer is installed at all.

use opentelemetry::{
    propagation::{Extractor, TextMapPropagator},
    trace::{TraceContextExt, TraceId, TracerProvider as _},
};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{
    EnvFilter, Layer, Registry, layer::SubscriberExt, util::SubscriberInitExt,
};

use crate::config::LogFormat;

/// The installed tracing pipeline; `shutdown` flushes spans not exported yet.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are exported by OTLP.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports what is still buffered, then stops the exporter. The flush blocks on a
    /// thread of its own: the export's gRPC connection needs the runtime's IO driver,
    /// which a current-thread runtime only runs while this task yields.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        match tokio::task::spawn_blocking(move || provider.shutdown()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "flushing traces at shutdown failed"),
            Err(err) => tracing::warn!(error = %err, "flushing traces at shutdown panicked"),
        }
    }
}

/// Installs the global subscriber: logs to stderr (text or JSON) filtered by
/// `RUST_LOG` (default `info`), and spans to `otlp_endpoint` when given. The
/// OTLP exporter needs a Tokio runtime: call this inside one.
pub fn init(format: LogFormat, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let provider = otlp_endpoint.map(tracer_provider).transpose()?;
    let otel = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("simplebank")));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let fmt: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Json => Box::new(fmt.json().flatten_event(true)),
        LogFormat::Text => Box::new(fmt),
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(fmt)
        .with(otel)
        .with(filter)
        .try_init()?;
    Ok(Telemetry { provider })
}

fn tracer_provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("simplebank").build())
        .build())
}

/// Reads W3C trace context from HTTP headers or gRPC metadata (both are headers).
struct Headers<'a>(&'a http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// A request's id, for HTTP and gRPC alike: the caller's `x-request-id` if it is sane,
/// else a random (v4) UUID drawn from the thread's generator. (uuid's `new_v4` asks the
/// kernel for every id: one `getrandom` system call per request.)
pub fn request_id(headers: &http::HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .filter(|id| (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(
            || {
                uuid::Builder::from_random_bytes(rand::random())
                    .into_uuid()
                    .to_string()
            },
            str::to_owned,
        )
}

/// Puts `span` (a request's root span, declared with an empty `trace_id` field) in
/// the caller's trace when `headers` carry a valid `traceparent`, else in a new
/// trace, and records the trace id on it. Call before the span is first entered.
pub fn join_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    let remote = parent.span().span_context().trace_id();
    // Without the OpenTelemetry layer (nothing exported) this does nothing.
    let _ = span.set_parent(parent);
    let exported = span.context().span().span_context().trace_id();
    let trace_id = [exported, remote]
        .into_iter()
        .find(|id| *id != TraceId::INVALID)
        .unwrap_or_else(|| TraceId::from_bytes(rand::random::<u128>().max(1).to_be_bytes()));
    span.record("trace_id", tracing::field::display(trace_id));
}

/// Renames the exported span of a request once its route is known. (`otel.name`
/// recorded late is ignored: `join_trace` has already started the span.)
pub fn rename(span: &tracing::Span, name: String) {
    span.context().span().update_name(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace_id_of(headers: &http::HeaderMap) -> String {
        use std::sync::{Arc, Mutex};
        // A subscriber that keeps the recorded trace_id.
        #[derive(Clone, Default)]
        struct Keep(Arc<Mutex<String>>);
        impl tracing::field::Visit for Keep {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "trace_id" {
                    *self.0.lock().unwrap() = format!("{value:?}");
                }
            }
        }
        impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Keep {
            fn on_record(
                &self,
                _: &tracing::span::Id,
                values: &tracing::span::Record<'_>,
                _: tracing_subscriber::layer::Context<'_, S>,
            ) {
                values.record(&mut self.clone());
            }
        }
        let keep = Keep::default();
        let subscriber = tracing_subscriber::registry().with(keep.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", trace_id = tracing::field::Empty);
            join_trace(&span, headers);
        });
        keep.0.lock().unwrap().clone()
    }

    #[test]
    fn a_callers_traceparent_gives_the_trace_id() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        assert_eq!(trace_id_of(&headers), "4bf92f3577b34da6a3ce929d0e0e4736");
    }

    #[test]
    fn without_a_valid_traceparent_a_new_trace_starts() {
        let mut headers = http::HeaderMap::new();
        let first = trace_id_of(&headers);
        assert_eq!(first.len(), 32, "{first}");
        assert_ne!(first, "0".repeat(32));
        headers.insert("traceparent", "00-garbage-01".parse().unwrap());
        let second = trace_id_of(&headers);
        assert_eq!(second.len(), 32);
        assert_ne!(first, second);
    }
}
