//! Server reflection (v1 and v1alpha), `grpc.health.v1.Health` tied to the
//! database, and Unavailable from every RPC when the database is unreachable.

use std::{str::FromStr, time::Duration};

use prost::Message;
use simplebank::{
    grpc::pb,
    token::{PasetoMaker, TokenKind, TokenMaker},
};
use tokio_postgres::NoTls;
use tonic::{Code, Status, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use super::{
    GrpcApp, RPCS_THAT_NEED_A_CALLER, RPCS_WITHOUT_A_CALLER, all_with, channel, code_of,
    codes_of_rpcs_that_need_a_caller, ok,
};
use crate::http_api::{TEST_TOKEN_KEY, payload, spawn_app_without_database};

// ---- reflection ----

/// The services a reflection client of `version` (`v1` or `v1alpha`) discovers.
macro_rules! list_services {
    ($version:ident, $channel:expr) => {{
        use tonic_reflection::pb::$version::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        };
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut answers = ServerReflectionClient::new($channel)
            .server_reflection_info(futures::stream::iter([request]))
            .await
            .expect("the reflection stream opens")
            .into_inner();
        let answer = answers
            .message()
            .await
            .expect("a reflection answer")
            .expect("one message");
        match answer.message_response {
            Some(MessageResponse::ListServicesResponse(list)) => {
                let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
                names.sort_unstable();
                names
            }
            other => panic!("expected a service list, got {other:?}"),
        }
    }};
}

const DISCOVERABLE: [&str; 4] = [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "pb.SimpleBank",
];

#[tokio::test]
async fn reflection_v1_lists_the_bank_and_the_health_service() {
    let app = GrpcApp::spawn().await;

    let services = list_services!(v1, channel(app.server.grpc_address()).await);

    for service in ["pb.SimpleBank", "grpc.health.v1.Health"] {
        assert!(
            services.iter().any(|name| name == service),
            "{service} in {services:?}"
        );
    }
    assert!(
        services
            .iter()
            .all(|name| DISCOVERABLE.contains(&name.as_str())),
        "nothing unexpected in {services:?}"
    );
}

#[tokio::test]
async fn reflection_v1alpha_lists_the_same_services_for_older_clients() {
    let app = GrpcApp::spawn().await;
    let channel = channel(app.server.grpc_address()).await;

    let v1alpha = list_services!(v1alpha, channel.clone());
    let v1 = list_services!(v1, channel);

    // Each version lists itself as the reflection service; the rest is the same.
    let without_reflection = |names: Vec<String>| {
        names
            .into_iter()
            .filter(|name| !name.starts_with("grpc.reflection."))
            .collect::<Vec<_>>()
    };
    assert!(
        v1alpha
            .iter()
            .any(|name| name == "grpc.reflection.v1alpha.ServerReflection")
    );
    assert_eq!(
        without_reflection(v1alpha),
        ["grpc.health.v1.Health", "pb.SimpleBank"]
    );
    assert_eq!(
        without_reflection(v1),
        ["grpc.health.v1.Health", "pb.SimpleBank"]
    );
}

#[tokio::test]
async fn reflection_describes_every_rpc_of_pb_simple_bank() {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let app = GrpcApp::spawn().await;
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::FileContainingSymbol(
            "pb.SimpleBank".to_owned(),
        )),
    };

    let answer = ServerReflectionClient::new(channel(app.server.grpc_address()).await)
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .expect("the reflection stream opens")
        .into_inner()
        .message()
        .await
        .expect("a reflection answer")
        .expect("one message");

    let Some(MessageResponse::FileDescriptorResponse(files)) = answer.message_response else {
        panic!(
            "expected file descriptors, got {:?}",
            answer.message_response
        );
    };
    let file = files
        .file_descriptor_proto
        .iter()
        .map(|bytes| {
            prost_types::FileDescriptorProto::decode(bytes.as_slice()).expect("a descriptor")
        })
        .find(|file| file.package() == "pb")
        .expect("the file of package pb");
    let service = file
        .service
        .iter()
        .find(|service| service.name() == "SimpleBank")
        .expect("service SimpleBank");
    let methods: Vec<&str> = service.method.iter().map(|m| m.name()).collect();
    let every_rpc: Vec<&str> = RPCS_WITHOUT_A_CALLER
        .into_iter()
        .chain(RPCS_THAT_NEED_A_CALLER)
        .collect();
    assert_eq!(methods, every_rpc);
    let update = file
        .message_type
        .iter()
        .find(|message| message.name() == "UpdateUserRequest")
        .expect("UpdateUserRequest");
    let optional: Vec<&str> = update
        .field
        .iter()
        .filter(|field| field.proto3_optional())
        .map(|field| field.name())
        .collect();
    assert_eq!(optional, ["full_name", "email", "password"]);
}

// ---- health ----

const BANK: &str = "pb.SimpleBank";
/// Far above the 2 s between two database checks.
const HEALTH_DEADLINE: Duration = Duration::from_secs(20);

async fn health(channel: Channel, service: &str) -> Result<ServingStatus, Status> {
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_owned(),
        })
        .await?;
    Ok(response.into_inner().status())
}

/// Follows `Watch` until `service` reports `wanted`; panics after `HEALTH_DEADLINE`.
async fn until_health_is(channel: Channel, service: &str, wanted: ServingStatus) {
    let mut updates = HealthClient::new(channel)
        .watch(HealthCheckRequest {
            service: service.to_owned(),
        })
        .await
        .expect("the health watch opens")
        .into_inner();
    let reached = tokio::time::timeout(HEALTH_DEADLINE, async {
        while let Some(update) = updates.message().await.expect("a health update") {
            if update.status() == wanted {
                return;
            }
        }
        panic!("the health watch ended before {service} was {wanted:?}");
    })
    .await;
    assert!(
        reached.is_ok(),
        "{service} still not {wanted:?} after {HEALTH_DEADLINE:?}"
    );
}

#[tokio::test]
async fn health_is_serving_for_the_server_and_the_bank_when_the_database_answers() {
    let app = GrpcApp::spawn().await;
    let channel = channel(app.server.grpc_address()).await;
    until_health_is(channel.clone(), BANK, ServingStatus::Serving).await;

    let server = health(channel.clone(), "").await;
    let bank = health(channel.clone(), BANK).await;
    let unknown = health(channel, "pb.NoSuchService").await;

    assert_eq!(server.expect("the server's health"), ServingStatus::Serving);
    assert_eq!(bank.expect("the bank's health"), ServingStatus::Serving);
    assert_eq!(
        unknown.expect_err("an unknown service").code(),
        Code::NotFound
    );
}

#[tokio::test]
async fn health_is_not_serving_from_the_start_when_the_database_is_unreachable() {
    let server = spawn_app_without_database().await;
    let channel = channel(server.grpc_address).await;

    let overall = health(channel.clone(), "").await;
    let bank = health(channel, BANK).await;

    assert_eq!(
        overall.expect("the server's health"),
        ServingStatus::NotServing
    );
    assert_eq!(bank.expect("the bank's health"), ServingStatus::NotServing);
}

/// Refuses (or, with `allow`, allows again) new connections to the app's database
/// and ends its current ones, as when the database goes away under a running server.
async fn database_answers(app: &GrpcApp, allow: bool) {
    let mut admin =
        tokio_postgres::Config::from_str(&app.server.db.url).expect("the test database URL");
    let database = admin.get_dbname().expect("a database name").to_owned();
    admin.dbname("postgres");
    let (client, connection) = admin.connect(NoTls).await.expect("an admin connection");
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {allow}"
        ))
        .await
        .expect("change ALLOW_CONNECTIONS");
    if !allow {
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                &[&database],
            )
            .await
            .expect("end the database's connections");
    }
}

#[tokio::test]
async fn health_follows_the_database_going_away_and_coming_back() {
    let app = GrpcApp::spawn().await;
    let channel = channel(app.server.grpc_address()).await;
    until_health_is(channel.clone(), BANK, ServingStatus::Serving).await;

    database_answers(&app, false).await;
    until_health_is(channel.clone(), BANK, ServingStatus::NotServing).await;
    let overall_while_down = health(channel.clone(), "").await;
    database_answers(&app, true).await;

    assert_eq!(
        overall_while_down.expect("the server's health"),
        ServingStatus::NotServing
    );
    until_health_is(channel, BANK, ServingStatus::Serving).await;
}

// ---- Unavailable ----

#[tokio::test]
async fn every_rpc_is_unavailable_when_the_database_is_unreachable() {
    let server = spawn_app_without_database().await;
    let mut client =
        pb::simple_bank_client::SimpleBankClient::new(channel(server.grpc_address).await);
    let tokens = PasetoMaker::new(TEST_TOKEN_KEY.as_bytes()).expect("the test key");
    let mut banker = payload("a_banker", TokenKind::Access, 0, 600);
    banker.role = "banker".to_owned();
    let access = tokens.create(&banker).expect("an access token");
    let refresh = tokens
        .create(&payload("a_banker", TokenKind::Refresh, 0, 600))
        .expect("a refresh token");

    let with_a_caller =
        codes_of_rpcs_that_need_a_caller(&client, Some(&format!("bearer {access}"))).await;
    let register = client
        .create_user(pb::CreateUserRequest {
            username: "new_user".to_owned(),
            password: "secret123".to_owned(),
            full_name: "New User".to_owned(),
            email: "new@example.com".to_owned(),
        })
        .await;
    let login = client
        .login_user(pb::LoginUserRequest {
            username: "a_banker".to_owned(),
            password: "secret123".to_owned(),
        })
        .await;
    let renew = client
        .renew_access_token(pb::RenewAccessTokenRequest {
            refresh_token: refresh.clone(),
        })
        .await;
    let logout = client
        .logout(pb::LogoutRequest {
            refresh_token: refresh,
        })
        .await;

    assert_eq!(
        with_a_caller,
        all_with(&RPCS_THAT_NEED_A_CALLER, Code::Unavailable)
    );
    let login = login.expect_err("login needs the database");
    assert_eq!(login.code(), Code::Unavailable);
    for secret in [
        "127.0.0.1",
        "connection refused",
        "postgres",
        "error connecting",
    ] {
        assert!(
            !login.message().contains(secret),
            "no internals ({secret:?}) in {login:?}"
        );
    }
    assert_eq!(code_of(register), Code::Unavailable);
    assert_eq!(code_of(renew), Code::Unavailable);
    assert_eq!(code_of(logout), Code::Unavailable);
}

#[tokio::test]
async fn a_retry_after_the_database_comes_back_succeeds() {
    let app = GrpcApp::spawn().await;
    let user = app.a_user().await;
    database_answers(&app, false).await;
    let while_down = app
        .client()
        .get_me(super::authed(pb::GetMeRequest {}, &user.token))
        .await;
    database_answers(&app, true).await;

    let retried = app
        .client()
        .get_me(super::authed(pb::GetMeRequest {}, &user.token))
        .await;

    assert_eq!(code_of(while_down), Code::Unavailable);
    assert_eq!(ok(retried).user.expect("the user").username, user.username);
}
