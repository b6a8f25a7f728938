//! How gRPC refuses requests it cannot read, before any of our code runs: tonic
//! answers an oversized message with `OUT_OF_RANGE` and bytes that are not
//! protobuf with `INTERNAL`, which tell a client "our bug" for its own mistake.
//! Here they become `RESOURCE_EXHAUSTED` and `INVALID_ARGUMENT`.

use std::{
    future::Future,
    marker::PhantomData,
    pin::Pin,
    task::{Context, Poll},
};

use http::HeaderValue;
use tonic::{
    Code, Status,
    codec::{BufferSettings, Codec, DecodeBuf, Decoder},
};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

/// The largest request message accepted, as for REST bodies; every request of the
/// API is far smaller.
pub const MAX_REQUEST_MESSAGE_BYTES: usize = 64 * 1024;

/// Prost encoding, with undecodable requests answered `INVALID_ARGUMENT`
/// (`build.rs` makes the generated services use it).
#[derive(Debug, Clone)]
pub struct BankCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for BankCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for BankCodec<T, U>
where
    T: prost::Message + Send + 'static,
    U: prost::Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = InvalidArgumentDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstCodec::<T, U>::default().encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        InvalidArgumentDecoder(ProstCodec::<T, U>::default().decoder())
    }
}

pub struct InvalidArgumentDecoder<U>(ProstDecoder<U>);

impl<U: prost::Message + Default> Decoder for InvalidArgumentDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.0.decode(buf).map_err(|status| {
            tracing::debug!(error = %status.message(), "undecodable gRPC message");
            Status::invalid_argument("the message is not a valid protobuf encoding of the request")
        })
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.0.buffer_settings()
    }
}

/// Turns tonic's `OUT_OF_RANGE` for an oversized request into `RESOURCE_EXHAUSTED`.
/// Our own errors never use `OUT_OF_RANGE` (see `status.rs`), so every one is tonic's.
#[derive(Clone, Copy)]
pub struct LimitsLayer;

impl<S> tower::Layer<S> for LimitsLayer {
    type Service = Limits<S>;
    fn layer(&self, inner: S) -> Self::Service {
        Limits { inner }
    }
}

#[derive(Clone)]
pub struct Limits<S> {
    inner: S,
}

impl<S, B, R> tower::Service<http::Request<B>> for Limits<S>
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
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = response.await?;
            // A request refused while decoding gets a trailers-only response: the status is a header.
            let headers = response.headers_mut();
            if headers.get("grpc-status").map(HeaderValue::as_bytes)
                == Some((Code::OutOfRange as i32).to_string().as_bytes())
            {
                headers.insert(
                    "grpc-status",
                    HeaderValue::from(Code::ResourceExhausted as i32),
                );
                headers.insert(
                    "grpc-message",
                    HeaderValue::from_static(
                        "the%20request%20message%20is%20larger%20than%2064%20KiB",
                    ),
                );
            }
            Ok(response)
        })
    }
}
