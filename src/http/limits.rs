//! Transport limits every request passes before routing: URI and header size, a
//! declared body size (refused before a byte of it is read), and one deadline for
//! the whole body. The body is read here, once, into memory (at most
//! `MAX_BODY_BYTES`), so handlers parse it without waiting on the client.

use std::time::Duration;

use salvo::{
    http::{ParseError, StatusCode, header},
    prelude::*,
};
use tokio::sync::watch;

/// The largest body accepted; every request of the API is far smaller.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest request head (header names and values) answered with anything but 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The longest request target (path and query) answered with anything but 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Hyper's read buffer for a request head: big enough that heads up to here get the
/// JSON 431 above; a head beyond it gets hyper's own bodyless 431 and a close.
pub const MAX_HEAD_BUFFER_BYTES: usize = 128 * 1024;

pub struct TransportLimits {
    pub body_timeout: Duration,
    /// True once the server is shutting down: responses then close their connection.
    pub draining: watch::Receiver<bool>,
}

#[async_trait]
impl Handler for TransportLimits {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        if let Some(refusal) = self.refusal(req).await {
            refusal.write(res);
            ctrl.skip_rest();
        } else {
            ctrl.call_next(req, depot, res).await;
        }
        if *self.draining.borrow() {
            res.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
        }
    }
}

impl TransportLimits {
    async fn refusal(&self, req: &mut Request) -> Option<Refusal> {
        let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
        if target > MAX_URI_BYTES {
            return Some(Refusal::new(StatusCode::URI_TOO_LONG));
        }
        let head: usize = req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        if head > MAX_HEADER_BYTES {
            return Some(Refusal::closing(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ));
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return Some(Refusal::closing(StatusCode::PAYLOAD_TOO_LARGE));
        }
        match tokio::time::timeout(self.body_timeout, req.payload_with_max_size(MAX_BODY_BYTES))
            .await
        {
            Ok(Ok(_)) => None,
            Ok(Err(ParseError::PayloadTooLarge)) => {
                Some(Refusal::closing(StatusCode::PAYLOAD_TOO_LARGE))
            }
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "request body unreadable");
                Some(Refusal::closing(StatusCode::BAD_REQUEST))
            }
            Err(_) => Some(Refusal::closing(StatusCode::REQUEST_TIMEOUT)),
        }
    }
}

/// A request refused by the transport; `close` when the rest of its body may still
/// be on the wire, so the connection cannot carry another request.
struct Refusal {
    status: StatusCode,
    close: bool,
}

impl Refusal {
    fn new(status: StatusCode) -> Self {
        Self {
            status,
            close: false,
        }
    }

    fn closing(status: StatusCode) -> Self {
        Self {
            status,
            close: true,
        }
    }

    fn write(self, res: &mut Response) {
        tracing::debug!(
            status = self.status.as_u16(),
            "request refused by a transport limit"
        );
        if self.close {
            res.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
        }
        super::error::write_transport_error(res, self.status);
    }
}
