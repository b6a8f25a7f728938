//! gRPC refusals of requests that cannot be read: the client's fault, never INTERNAL.

use prost::bytes::{Buf, BufMut};
use simplebank::grpc::pb;
use tonic::{
    Code, Request, Status,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
};

use super::{GrpcApp, assert_code, channel};

#[tokio::test]
async fn a_message_over_the_limit_is_resource_exhausted() {
    let app = GrpcApp::spawn().await;

    let result = app
        .client()
        .create_user(pb::CreateUserRequest {
            username: "a".repeat(100 * 1024),
            ..Default::default()
        })
        .await;

    assert_code(result, Code::ResourceExhausted);
}

/// Sends and receives bytes as they are, so a test can send what no client would.
#[derive(Debug, Clone, Copy, Default)]
struct RawBytes;

impl Codec for RawBytes {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawBytes;
    type Decoder = RawBytes;

    fn encoder(&mut self) -> Self::Encoder {
        RawBytes
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawBytes
    }
}

impl Encoder for RawBytes {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawBytes {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        Ok(Some(buf.copy_to_bytes(buf.remaining()).to_vec()))
    }
}

#[tokio::test]
async fn bytes_that_are_not_protobuf_are_an_invalid_argument() {
    let app = GrpcApp::spawn().await;
    let mut grpc = tonic::client::Grpc::new(channel(app.server.grpc_address()).await);

    for garbage in [
        vec![0xff, 0xff, 0xff],
        vec![0x0f, 0x01],
        vec![0x0a, 0x20, b'a'],
    ] {
        grpc.ready().await.expect("the channel is ready");
        let result = grpc
            .unary(
                Request::new(garbage.clone()),
                http::uri::PathAndQuery::from_static("/pb.SimpleBank/CreateUser"),
                RawBytes,
            )
            .await;

        let status = assert_code(result, Code::InvalidArgument);
        assert!(!status.message().is_empty(), "{garbage:?}");
    }
}
