//! The machine-readable contract: the handlers give the spec its shape, and this
//! module adds what a client generator or a fuzzer holds us to. Every input rule
//! comes from the domain (`TextRule`, `IntRule`, `Currency::ALL`), the same values
//! the validating constructors check, so the spec and the validation cannot drift;
//! `unconstrained_inputs` (tested) names any input field that has no rule.
//! Links let a client (or schemathesis' stateful phase) chain the operations.

use salvo::oapi::{BasicType, Header, KnownFormat, Object, OpenApi, RefOr, Schema, SchemaFormat};
use serde_json::{Value, json};

use crate::domain::{
    Currency, Email, FullName, ID_RULE, IdempotencyKey, IntRule, Page, PageToken, Password, Role,
    TextRule, Username,
};

/// The rule of an input, by the name clients use for it (JSON field, path, query
/// or header parameter); the same name appears in `field_violations`.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Text(&'static TextRule),
    Int(IntRule),
    Currency,
}

fn rule(field: &str) -> Option<Rule> {
    Some(match field {
        "username" => Rule::Text(Username::RULE),
        "password" => Rule::Text(Password::RULE),
        "full_name" => Rule::Text(FullName::RULE),
        "email" => Rule::Text(Email::RULE),
        "refresh_token" => Rule::Text(&REFRESH_TOKEN_RULE),
        "Idempotency-Key" => Rule::Text(IdempotencyKey::RULE),
        "currency" => Rule::Currency,
        "amount" => Rule::Int(crate::domain::Amount::RULE),
        "id" | "account_id" | "from_account_id" | "to_account_id" => Rule::Int(ID_RULE),
        "page_id" => Rule::Int(Page::ID_RULE),
        "page_size" => Rule::Int(Page::SIZE_RULE),
        "page_token" => Rule::Text(PageToken::RULE),
        _ => return None,
    })
}

/// A refresh token is opaque: anything non-empty is worth checking (then 401 or 200).
static REFRESH_TOKEN_RULE: TextRule = TextRule::new(1, 4096, None, None, &[]);

impl Rule {
    fn apply(self, schema: &mut Object) {
        match self {
            Rule::Text(text) => {
                if text.min_chars > 0 {
                    schema.min_length = Some(text.min_chars);
                }
                schema.max_length = Some(text.max_chars);
                schema.pattern = text.pattern.map(str::to_owned);
                if !text.reserved.is_empty() {
                    schema
                        .extensions
                        .insert("not".to_owned(), json!({ "enum": text.reserved }));
                }
                if let Some(format) = text.format {
                    schema.format = Some(match format {
                        "email" => SchemaFormat::KnownFormat(KnownFormat::Email),
                        other => SchemaFormat::Custom(other.to_owned()),
                    });
                }
            }
            Rule::Int(int) => {
                schema.minimum = Some(int.minimum.into());
                if int.maximum != i64::MAX {
                    schema.maximum = Some(int.maximum.into());
                }
                schema.default_value = int.default.map(Value::from);
            }
            Rule::Currency => {
                schema.enum_values =
                    Some(Currency::ALL.iter().map(|c| json!(c.as_str())).collect());
            }
        }
    }
}

/// Adds the rules, response headers and links to the spec the handlers describe.
pub fn complete(spec: &mut OpenApi) {
    apply_rules(spec);
    describe_outputs(spec);
    add_links(spec);
}

/// Inputs of the spec (request body properties and parameters) that have no rule.
/// A test keeps this empty, so a new field cannot slip in unvalidated-looking.
#[cfg(test)]
fn unconstrained_inputs(spec: &OpenApi) -> Vec<String> {
    let mut missing = Vec::new();
    for (path, item) in spec.paths.iter() {
        for operation in item.operations.values() {
            for parameter in &operation.parameters.0 {
                if let RefOr::Type(parameter) = parameter
                    && rule(&parameter.name).is_none()
                {
                    missing.push(format!("{path}: parameter {}", parameter.name));
                }
            }
        }
    }
    for name in request_schemas(spec) {
        if let Some(object) = component_object(&spec.components.schemas, &name) {
            for property in object.properties.keys() {
                if rule(property).is_none() {
                    missing.push(format!("{name}.{property}"));
                }
            }
        }
    }
    missing
}

fn apply_rules(spec: &mut OpenApi) {
    for item in spec.paths.values_mut() {
        for operation in item.operations.values_mut() {
            for parameter in operation.parameters.0.iter_mut() {
                if let RefOr::Type(parameter) = parameter
                    && let Some(rule) = rule(&parameter.name)
                    && let Some(RefOr::Type(Schema::Object(object))) = parameter.schema.as_mut()
                {
                    rule.apply(object);
                }
            }
        }
    }
    for name in request_schemas(spec) {
        let Some(object) = component_object_mut(&mut spec.components.schemas, &name) else {
            continue;
        };
        for (property, schema) in object.properties.iter_mut() {
            if let (Some(rule), RefOr::Type(Schema::Object(schema))) = (rule(property), schema) {
                rule.apply(schema);
            }
        }
        // A request whose fields are all optional still needs one of them (unknown
        // fields do not count, so not `minProperties`).
        if object.required.is_empty() {
            let any_of: Vec<Value> = object
                .properties
                .keys()
                .map(|p| json!({ "required": [p] }))
                .collect();
            object.extensions.insert("anyOf".to_owned(), any_of.into());
        }
    }
}

/// Output fields with a closed set of values.
fn describe_outputs(spec: &mut OpenApi) {
    let schemas = &mut spec.components.schemas;
    if let Some(account) = component_object_mut(schemas, "AccountBody")
        && let Some(RefOr::Type(Schema::Object(currency))) = account.properties.get_mut("currency")
    {
        Rule::Currency.apply(currency);
    }
    if let Some(user) = component_object_mut(schemas, "UserBody")
        && let Some(RefOr::Type(Schema::Object(role))) = user.properties.get_mut("role")
    {
        role.enum_values = Some(Role::ALL.iter().map(|r| json!(r.as_str())).collect());
    }
    // `/users/login`, `/users/logout` and `/users/me` are other routes: PATCH there is 405.
    if let Some(operation) = operation_mut(spec, "update_user") {
        let error = RefOr::Ref(salvo::oapi::Ref::from_schema_name("ErrorBody"));
        operation.responses.insert(
            "405",
            salvo::oapi::Response::new(
                "The path is another route (`/users/login`, `/users/logout`, `/users/me`), not a user",
            )
            .add_content("application/json", error),
        );
    }
    if let Some(operation) = operation_mut(spec, "create_transfer")
        && let Some(RefOr::Type(created)) = operation.responses.get_mut("201")
    {
        let replayed = Object::with_type(BasicType::String).enum_values(["true"]);
        created.headers.insert(
            "idempotent-replayed".to_owned(),
            Header::new(replayed).description(
                "`true` when this is the stored response of an earlier request with the same key",
            ),
        );
    }
}

/// `(source operation, status, link name, target operation, parameters, request body)`:
/// sign up -> log in -> renew / log out, or open an account (with the access token
/// as bearer, which a link cannot carry); an account -> read it, deposit
/// into it (bankers), list its entries and transfers; a deposit -> a transfer from
/// that account in its currency; a transfer -> read it and its account's history.
type LinkSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<fn() -> Value>,
);

const LINKS: &[LinkSpec] = &[
    (
        "create_user",
        "201",
        "LoginUser",
        "login_user",
        &[],
        Some(
            || json!({"username": "$request.body#/username", "password": "$request.body#/password"}),
        ),
    ),
    (
        "create_user",
        "201",
        "UpdateUser",
        "update_user",
        &[("username", "$response.body#/username")],
        None,
    ),
    (
        "login_user",
        "200",
        "RenewAccessToken",
        "renew_access_token",
        &[],
        Some(|| json!({"refresh_token": "$response.body#/refresh_token"})),
    ),
    (
        "login_user",
        "200",
        "Logout",
        "logout",
        &[],
        Some(|| json!({"refresh_token": "$response.body#/refresh_token"})),
    ),
    (
        "login_user",
        "200",
        "OpenAccount",
        "create_account",
        &[],
        None,
    ),
    (
        "create_account",
        "201",
        "GetAccount",
        "get_account",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "create_account",
        "201",
        "Deposit",
        "deposit",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "create_account",
        "201",
        "ListEntries",
        "list_entries",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "create_account",
        "201",
        "ListTransfers",
        "list_transfers",
        &[("account_id", "$response.body#/id")],
        None,
    ),
    (
        "get_account",
        "200",
        "Deposit",
        "deposit",
        &[("id", "$response.body#/id")],
        None,
    ),
    (
        "deposit",
        "201",
        "CreateTransfer",
        "create_transfer",
        &[],
        Some(|| {
            json!({
                "from_account_id": "$response.body#/account/id",
                "currency": "$response.body#/account/currency",
            })
        }),
    ),
    (
        "deposit",
        "201",
        "ListEntries",
        "list_entries",
        &[("id", "$response.body#/account/id")],
        None,
    ),
    (
        "create_transfer",
        "201",
        "GetTransfer",
        "get_transfer",
        &[("id", "$response.body#/transfer/id")],
        None,
    ),
    (
        "create_transfer",
        "201",
        "GetFromAccount",
        "get_account",
        &[("id", "$response.body#/from_account/id")],
        None,
    ),
    (
        "create_transfer",
        "201",
        "ListFromEntries",
        "list_entries",
        &[("id", "$response.body#/from_account/id")],
        None,
    ),
    (
        "create_transfer",
        "201",
        "ListTransfers",
        "list_transfers",
        &[("account_id", "$response.body#/transfer/from_account_id")],
        None,
    ),
];

/// Written as raw JSON through the response's flattened extensions: salvo-oapi 1.1's
/// `Link` serialises its fields as `operation_id` / `request_body`, which no OpenAPI
/// tool reads (the spec says `operationId` / `requestBody`).
fn add_links(spec: &mut OpenApi) {
    for (source, status, name, target, parameters, body) in LINKS {
        let mut link = json!({ "operationId": target });
        if !parameters.is_empty() {
            link["parameters"] = parameters
                .iter()
                .map(|(parameter, expression)| ((*parameter).to_owned(), json!(expression)))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        if let Some(body) = body {
            link["requestBody"] = body();
        }
        if let Some(operation) = operation_mut(spec, source)
            && let Some(RefOr::Type(response)) = operation.responses.get_mut(*status)
        {
            let links = response
                .extensions
                .entry("links".to_owned())
                .or_insert_with(|| json!({}));
            links[*name] = link;
        }
    }
}

fn operation_mut<'a>(
    spec: &'a mut OpenApi,
    operation_id: &str,
) -> Option<&'a mut salvo::oapi::Operation> {
    spec.paths
        .values_mut()
        .flat_map(|item| item.operations.values_mut())
        .find(|operation| operation.operation_id.as_deref() == Some(operation_id))
}

/// The component names of every JSON request body.
fn request_schemas(spec: &OpenApi) -> Vec<String> {
    let mut names: Vec<String> = spec
        .paths
        .values()
        .flat_map(|item| item.operations.values())
        .filter_map(|operation| operation.request_body.as_ref())
        .flat_map(|body| body.contents.values())
        .filter_map(|content| match &content.schema {
            Some(RefOr::Ref(reference)) => {
                reference.ref_location.rsplit('/').next().map(str::to_owned)
            }
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
fn component_object<'a>(
    schemas: &'a salvo::oapi::schema::Schemas,
    name: &str,
) -> Option<&'a Object> {
    match schemas.get(name) {
        Some(RefOr::Type(Schema::Object(object))) => Some(object),
        _ => None,
    }
}

fn component_object_mut<'a>(
    schemas: &'a mut salvo::oapi::schema::Schemas,
    name: &str,
) -> Option<&'a mut Object> {
    match schemas.get_mut(name) {
        Some(RefOr::Type(Schema::Object(object))) => Some(object),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn spec() -> Value {
        serde_json::to_value(crate::http::openapi()).unwrap()
    }

    #[test]
    fn every_input_of_the_spec_has_a_rule() {
        assert_eq!(
            unconstrained_inputs(&crate::http::openapi()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn operation_ids_are_the_grpc_methods_in_snake_case() {
        let proto = include_str!("../../proto/simple_bank.proto");
        let grpc: BTreeSet<String> = proto
            .lines()
            .filter_map(|line| line.trim().strip_prefix("rpc "))
            .filter_map(|rest| rest.split('(').next())
            .map(|name| {
                let mut snake = String::new();
                for (i, c) in name.trim().chars().enumerate() {
                    if c.is_ascii_uppercase() && i > 0 {
                        snake.push('_');
                    }
                    snake.push(c.to_ascii_lowercase());
                }
                snake
            })
            .collect();
        let spec = spec();
        let api: BTreeSet<String> = spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter(|operation| operation["tags"][0] != "operations")
            .map(|operation| operation["operationId"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(api, grpc);
        assert_eq!(grpc.len(), 14);
    }

    #[test]
    fn the_rules_in_the_spec_are_the_domains() {
        let spec = spec();
        let user = &spec["components"]["schemas"]["CreateUserRequest"]["properties"];
        assert_eq!(user["username"]["pattern"], Username::RULE.pattern.unwrap());
        assert_eq!(user["username"]["maxLength"], Username::RULE.max_chars);
        assert_eq!(user["email"]["format"], "email");
        assert_eq!(user["email"]["maxLength"], Email::RULE.max_chars);
        let transfer = &spec["paths"]["/transfers"]["post"];
        assert_eq!(transfer["parameters"][0]["schema"]["pattern"], "^[!-~]+$");
        let body = &spec["components"]["schemas"]["CreateTransferRequest"]["properties"];
        assert_eq!(body["amount"]["minimum"], 1);
        assert_eq!(body["currency"]["enum"], json!(["USD", "EUR", "CAD"]));
        let list = &spec["paths"]["/accounts"]["get"]["parameters"];
        assert_eq!(list[1]["schema"]["maximum"], Page::SIZE_RULE.maximum);
        let update = &spec["components"]["schemas"]["UpdateUserRequest"];
        assert_eq!(update["anyOf"].as_array().unwrap().len(), 3);
        assert_eq!(
            user["username"]["not"]["enum"],
            json!(["login", "logout", "me"])
        );
    }

    #[test]
    fn errors_are_documented_with_their_bodies_and_headers() {
        let spec = spec();
        for item in spec["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    match status.as_str() {
                        "400" => assert_eq!(schema, "#/components/schemas/InvalidArgumentBody"),
                        s if s.starts_with('4') || s.starts_with('5') => {
                            assert_eq!(schema, "#/components/schemas/ErrorBody")
                        }
                        _ => {}
                    }
                    if status == "429" || status == "503" {
                        assert_eq!(response["headers"]["Retry-After"]["required"], true);
                    }
                }
            }
        }
    }

    #[test]
    fn links_name_existing_operations_and_parameters() {
        let spec = spec();
        let mut operations = std::collections::BTreeMap::new();
        for item in spec["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                operations.insert(
                    operation["operationId"].as_str().unwrap().to_owned(),
                    operation,
                );
            }
        }
        let mut count = 0;
        for operation in operations.values() {
            for response in operation["responses"].as_object().unwrap().values() {
                let Some(links) = response["links"].as_object() else {
                    continue;
                };
                for link in links.values() {
                    count += 1;
                    let target = operations[link["operationId"].as_str().unwrap()];
                    for name in link["parameters"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k)
                    {
                        let declared = target["parameters"].as_array().unwrap();
                        assert!(declared.iter().any(|p| p["name"] == *name), "{name}");
                    }
                }
            }
        }
        assert_eq!(count, LINKS.len());
    }
}
