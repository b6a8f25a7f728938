//! Turning a raw request into validated values, with the API's error bodies.

use std::sync::Arc;

use salvo::{
    oapi::{self, Components, EndpointOutRegister, Operation, ToSchema},
    prelude::*,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    domain::{ID_RULE, Listed, Page, PageRequest, Violations},
    error::AppError,
    service::{Bank, ClientInfo, Principal},
};

use super::{json, limits::MAX_BODY_BYTES};

pub fn bank(depot: &Depot) -> Result<Arc<Bank>, AppError> {
    depot
        .get_typed::<Arc<Bank>>()
        .cloned()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the bank is not in the depot")))
}

/// The caller the auth hoop put in the depot.
pub fn principal(depot: &Depot) -> Result<Principal, AppError> {
    depot
        .get_typed::<Principal>()
        .cloned()
        .map_err(|_| AppError::Unauthenticated("authorization is required".to_owned()))
}

pub async fn json_body<T: DeserializeOwned>(req: &mut Request) -> Result<T, AppError> {
    req.parse_json_with_max_size::<T>(MAX_BODY_BYTES)
        .await
        .map_err(|err| {
            AppError::invalid_field("body", format!("a JSON object was expected: {err}"))
        })
}

/// A positive integer path parameter, e.g. an account id.
pub fn path_id(req: &Request, name: &str) -> Result<i64, AppError> {
    let raw = req.param::<String>(name).unwrap_or_default();
    match raw.parse::<i64>() {
        Ok(id) if ID_RULE.allows(id) => Ok(id),
        _ => Err(AppError::invalid_field(
            name,
            format!("must be an integer of at least {}", ID_RULE.minimum),
        )),
    }
}

/// An optional integer query parameter; present but not an integer is an error.
pub fn query_int(req: &Request, name: &str) -> Result<Option<i64>, AppError> {
    match req.queries().get(name) {
        None => Ok(None),
        Some(raw) => raw
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid_field(name, "must be an integer")),
    }
}

pub fn page(req: &Request) -> Result<Page, AppError> {
    let mut violations = Violations::new();
    let page_id = violations.check(query_int(req, "page_id"));
    let page_size = violations.check(query_int(req, "page_size"));
    let page = page_id
        .zip(page_size)
        .and_then(|(page_id, page_size)| violations.check(Page::parse(page_id, page_size)));
    violations.finish(|| page)
}

/// A page of a newest-first list: `page_token` (with `page_size`) or `page_id`/`page_size`.
pub fn page_request(req: &Request) -> Result<PageRequest, AppError> {
    let mut violations = Violations::new();
    let page_id = violations.check(query_int(req, "page_id"));
    let page_size = violations.check(query_int(req, "page_size"));
    let token = req.queries().get("page_token").map(String::as_str);
    let page = page_id.zip(page_size).and_then(|(page_id, page_size)| {
        violations.check(PageRequest::parse(page_id, page_size, token))
    });
    violations.finish(|| page)
}

/// Whether `X-Forwarded-For` names the client (`TRUST_FORWARDED_FOR`), put in the depot.
#[derive(Debug, Clone, Copy)]
pub struct TrustForwardedFor(pub bool);

pub fn client_info(req: &Request, depot: &Depot) -> ClientInfo {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let trusted = depot
        .get_typed::<TrustForwardedFor>()
        .is_ok_and(|trust| trust.0);
    let peer = match req.remote_addr() {
        salvo::conn::SocketAddr::IPv4(addr) => addr.ip().to_string(),
        salvo::conn::SocketAddr::IPv6(addr) => addr.ip().to_string(),
        _ => String::new(),
    };
    ClientInfo {
        user_agent: header("user-agent")
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect(),
        client_ip: crate::service::client_address(header("x-forwarded-for"), trusted, peer),
    }
}

/// A JSON body with status 201 Created.
pub struct Created<T>(pub T);

#[async_trait]
impl<T: Serialize + Send> Writer for Created<T> {
    async fn write(self, _req: &mut Request, _depot: &mut Depot, res: &mut Response) {
        res.status_code(StatusCode::CREATED);
        json::render(res, &self.0);
    }
}

impl<T: ToSchema> EndpointOutRegister for Created<T> {
    fn register(components: &mut Components, operation: &mut Operation) {
        let schema = T::to_schema(components);
        operation.responses.insert(
            "201",
            oapi::Response::new("Created").add_content("application/json", schema),
        );
    }
}

/// A page of a list as a JSON array; `Next-Page-Token` names the next page, absent on the last.
pub struct Paged<T>(pub Vec<T>, pub Option<String>);

impl<T, R: Into<T>> From<Listed<R>> for Paged<T> {
    fn from(listed: Listed<R>) -> Self {
        Self(
            listed.items.into_iter().map(Into::into).collect(),
            listed.next_page_token.map(|token| token.encode()),
        )
    }
}

#[async_trait]
impl<T: Serialize + Send> Writer for Paged<T> {
    async fn write(self, _req: &mut Request, _depot: &mut Depot, res: &mut Response) {
        if let Some(token) = self.1 {
            // A token is hex: always a valid header value.
            res.add_header("next-page-token", token, true).ok();
        }
        json::render(res, &self.0);
    }
}

impl<T: ToSchema + 'static> EndpointOutRegister for Paged<T> {
    fn register(components: &mut Components, operation: &mut Operation) {
        let schema = Vec::<T>::to_schema(components);
        let token = oapi::Header::new(String::to_schema(components))
            .description("Send back as `page_token` for the next page; absent on the last page");
        operation.responses.insert(
            "200",
            oapi::Response::new("One page, newest first")
                .add_content("application/json", schema)
                .add_header("Next-Page-Token", token),
        );
    }
}

/// Status 204 with no body.
pub struct NoContent;

#[async_trait]
impl Writer for NoContent {
    async fn write(self, _req: &mut Request, _depot: &mut Depot, res: &mut Response) {
        res.status_code(StatusCode::NO_CONTENT);
    }
}

impl EndpointOutRegister for NoContent {
    fn register(_components: &mut Components, operation: &mut Operation) {
        operation
            .responses
            .insert("204", oapi::Response::new("No content"));
    }
}
