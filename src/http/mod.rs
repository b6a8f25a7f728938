//! The REST API over Salvo: thin handlers that parse, authenticate, call one
//! service function and convert the result. The contract is API.md.

mod accounts;
mod auth;
mod contract;
mod dto;
pub mod error;
mod extract;
mod gateway;
mod json;
pub mod limits;
mod observe;
mod ops;
mod transfers;
mod users;

use std::sync::Arc;

use salvo::{
    catcher::Catcher,
    cors::{AllowHeaders, AllowMethods, Cors},
    http::Method,
    oapi::{
        OpenApi, SecurityScheme,
        security::{Http, HttpAuthScheme},
        swagger_ui::SwaggerUi,
    },
    prelude::*,
};

use crate::{config::Config, error::AppError, metrics::Metrics, service::Bank};

/// The routes of API.md (without operations endpoints and docs). Routers are tried in
/// order: the busiest (accounts, transfers) first, so their requests skip the others.
fn api_router() -> Router {
    Router::new()
        .push(accounts::router())
        .push(transfers::router())
        .push(users::public_router())
        .push(users::protected_router())
}

/// The OpenAPI 3 description of the API: the handlers' shapes, completed with the
/// domain's rules, response headers and links (`contract`).
pub fn openapi() -> OpenApi {
    // Short schema and operation names (`AccountBody`, not `simplebank.http.dto.AccountBody`).
    static NAMER: std::sync::Once = std::sync::Once::new();
    NAMER.call_once(|| {
        salvo::oapi::naming::set_namer(salvo::oapi::naming::FlexNamer::new().short_mode(true))
    });
    let mut spec = OpenApi::new("Simple Bank", env!("CARGO_PKG_VERSION"))
        .add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::new(HttpAuthScheme::Bearer).bearer_format("PASETO v4.local or JWT HS256"),
            ),
        )
        .merge_router(&api_router())
        .merge_router(&ops::router());
    contract::complete(&mut spec);
    spec
}

/// Puts the shared state in every request's depot.
struct State {
    bank: Arc<Bank>,
    metrics: Arc<Metrics>,
    trust_forwarded_for: bool,
}

#[async_trait]
impl Handler for State {
    async fn handle(
        &self,
        _req: &mut Request,
        depot: &mut Depot,
        _res: &mut Response,
        _ctrl: &mut FlowCtrl,
    ) {
        depot.insert_typed(self.bank.clone());
        depot.insert_typed(self.metrics.clone());
        depot.insert_typed(extract::TrustForwardedFor(self.trust_forwarded_for));
    }
}

/// Answers unknown routes and methods, and errors a component (such as the Swagger
/// UI's file server) left without a body or as a bare status, with the API's error
/// body instead of HTML or nothing.
#[handler]
async fn json_errors(res: &mut Response, ctrl: &mut FlowCtrl) {
    if res.body.is_none() || res.body.is_error() {
        let status = res.status_code.unwrap_or(StatusCode::NOT_FOUND);
        res.take_body();
        error::write_transport_error(res, status);
    }
    ctrl.skip_rest();
}

/// The whole HTTP service: API, operations endpoints, OpenAPI, Swagger UI, docs.
/// `draining` turns true at shutdown: from then on responses close their connection.
pub fn service(
    bank: Arc<Bank>,
    metrics: Arc<Metrics>,
    config: &Config,
    draining: tokio::sync::watch::Receiver<bool>,
) -> Service {
    let allowed_origins = &config.allowed_origins;
    let spec = openapi();
    let router = Router::new()
        .hoop(State {
            bank,
            metrics: metrics.clone(),
            trust_forwarded_for: config.trust_forwarded_for,
        })
        .push(api_router())
        .push(gateway::router())
        .push(ops::router())
        .push(spec.into_router("/api-doc/openapi.json"))
        .push(
            SwaggerUi::new("/api-doc/openapi.json")
                .title("Simple Bank API")
                .into_router("/swagger-ui"),
        );
    let limits = limits::TransportLimits {
        body_timeout: config.http_limits.body_timeout,
        draining,
    };
    let mut service = Service::new(router)
        .catcher(Catcher::default().hoop(json_errors))
        .hoop(observe::Observe { metrics });
    if !allowed_origins.is_empty() {
        let cors = Cors::new()
            .allow_origin(
                allowed_origins
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            )
            .allow_methods(AllowMethods::list([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::OPTIONS,
            ]))
            .allow_headers(AllowHeaders::list([
                salvo::http::header::AUTHORIZATION,
                salvo::http::header::CONTENT_TYPE,
                salvo::http::HeaderName::from_static("idempotency-key"),
            ]))
            .into_handler();
        service = service.hoop(cors);
    }
    service.hoop(limits)
}

impl From<AppError> for StatusError {
    fn from(err: AppError) -> Self {
        StatusError::from_code(error::status_of(&err))
            .unwrap_or_else(StatusError::internal_server_error)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_openapi_spec_matches_the_handlers() {
        let generated = super::openapi().to_pretty_json().expect("spec serialises");
        let committed = include_str!("../../doc/openapi.json");
        assert!(
            generated.trim() == committed.trim(),
            "doc/openapi.json is out of date: run `make openapi` and commit it"
        );
    }
}
