//! One log line per gRPC call: method, status code, duration.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use tonic::Code;

#[derive(Clone, Copy)]
pub struct LogLayer;

impl<S> tower::Layer<S> for LogLayer {
    type Service = Log<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Log { inner }
    }
}

#[derive(Clone)]
pub struct Log<S> {
    inner: S,
}

impl<S, B, R> tower::Service<http::Request<B>> for Log<S>
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
        let method = request.uri().path().to_owned();
        let started = Instant::now();
        let response = self.inner.call(request);
        Box::pin(async move {
            let result = response.await;
            if let Ok(response) = &result {
                // Errors of unary calls come as trailers-only responses: the status is a header.
                let code = response
                    .headers()
                    .get("grpc-status")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.parse::<i32>().ok())
                    .map_or(Code::Ok, Code::from);
                tracing::info!(
                    method = %method,
                    code = ?code,
                    latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "gRPC call finished"
                );
            }
            result
        })
    }
}
