//! JSON response bodies serialized into one buffer.
//!
//! salvo's `Json` writes through a chunked writer that grows its buffer step by step
//! and takes every fragment serde emits as a separate write (a timestamp is ~30): on
//! `GET /accounts/{id}` that was a seventh of the server's instructions per request.
//! Here the body is serialized into one `Vec` sized for a typical body.

use chrono::{DateTime, SecondsFormat, Utc};
use salvo::{
    http::header::{CONTENT_TYPE, HeaderValue},
    oapi::{Components, EndpointOutRegister, Operation, ToSchema},
    prelude::*,
};
use serde::{Serialize, Serializer};

/// Larger than every single-object body of the API; a list grows it as needed.
const TYPICAL_BODY_BYTES: usize = 512;

/// A JSON body with status 200 (the status a handler sets otherwise stays).
pub struct JsonBody<T>(pub T);

impl<T: Serialize + Send> Scribe for JsonBody<T> {
    fn render(self, res: &mut Response) {
        render(res, &self.0);
    }
}

/// The same OpenAPI response as salvo's `Json`.
impl<T: ToSchema> EndpointOutRegister for JsonBody<T> {
    fn register(components: &mut Components, operation: &mut Operation) {
        <Json<T> as EndpointOutRegister>::register(components, operation);
    }
}

/// Replaces the response's body with `value` as JSON; a value that cannot be
/// serialized (none of the API's can) is answered 500.
pub fn render<T: Serialize + ?Sized>(res: &mut Response, value: &T) {
    let mut body = Vec::with_capacity(TYPICAL_BODY_BYTES);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => {
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            res.body(body);
        }
        Err(err) => {
            tracing::error!(error = %err, "a response body did not serialize");
            res.render(StatusError::internal_server_error());
        }
    }
}

/// A timestamp as chrono writes it (RFC 3339, UTC as `Z`, as many fraction digits as
/// needed: 0, 3, 6 or 9), formatted once and written whole, not fragment by fragment.
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Stamped {
        #[serde(serialize_with = "rfc3339")]
        at: DateTime<Utc>,
    }

    proptest! {
        #[test]
        fn timestamps_are_written_exactly_as_chrono_writes_them(
            seconds in -62_135_596_800_i64..253_402_300_799,
            nanos in prop_oneof![Just(0_u32), 0..1_000_000_000_u32, (0..1_000_u32).prop_map(|ms| ms * 1_000_000)],
        ) {
            let at = Utc.timestamp_opt(seconds, nanos).unwrap();
            let ours = serde_json::to_string(&Stamped { at }).unwrap();
            let chrono = format!("{{\"at\":{}}}", serde_json::to_string(&at).unwrap());
            prop_assert_eq!(ours, chrono);
        }
    }

    #[test]
    fn a_body_is_one_chunk_with_the_json_content_type() {
        let mut res = Response::new();
        JsonBody(serde_json::json!({"id": 7, "owner": "ana"})).render(&mut res);
        assert_eq!(
            res.headers().get(CONTENT_TYPE).unwrap(),
            "application/json; charset=utf-8"
        );
        let salvo::http::ResBody::Once(bytes) = &res.body else {
            panic!("expected one chunk, got {:?}", res.body);
        };
        assert_eq!(&bytes[..], br#"{"id":7,"owner":"ana"}"#);
    }
}
