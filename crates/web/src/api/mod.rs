//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//!
//! Rules (docs/API.md): bearer tokens only (no cookies, so no CSRF); lowerCamelCase operation
//! ids; errors as RFC 9457 problem documents; times as RFC 3339 strings in UTC.

pub mod reference;
pub mod v1;

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi};

/// The media type of every error response (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The document's fixed parts; paths are added from the handlers by the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "commonground API",
        description = "Run clinical and finance collaboration reviews. Authenticate with a personal API token: `Authorization: Bearer cg_...`, made on your account page or with createApiToken.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldProblem))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// An RFC 9457 problem document, as every error response carries.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status and title say it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong and what to do.
    pub detail: String,
    /// Field errors, for invalid input.
    pub errors: Option<Vec<FieldProblem>>,
}

/// One invalid field.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field's name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Completes the document once every handler's paths are in: each operation gets the error
/// responses the framework gives before its handler runs (401 without a valid token; 400, 413,
/// 415 and 422 for a body that cannot be read, is too large, is not the documented type or does
/// not fit its schema; 400 for a path or query parameter that is not of its type), and every
/// error response is described as the problem document it is, `application/problem+json`.
pub fn complete(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            complete_operation(operation);
        }
    }
}

fn complete_operation(operation: &mut Operation) {
    let mut statuses = Vec::new();
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push((
            "401",
            "No valid API token: send `Authorization: Bearer cg_...`",
        ));
    }
    if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
        statuses.push(("400", "A parameter is not of its type, or out of range"));
    }
    if operation.request_body.is_some() {
        statuses.extend([
            ("400", "The body cannot be read"),
            ("413", "The body is over the size limit"),
            ("415", "The body is not of the documented media type"),
            (
                "422",
                "The body does not fit the schema, or a field is not valid",
            ),
        ]);
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in statuses {
        responses.entry(status.to_owned()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM_JSON,
                        Content::new(Some(Ref::from_schema_name("Problem"))),
                    )
                    .build(),
            )
        });
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        if let Some(content) = response.content.shift_remove("application/json") {
            response.content.insert(PROBLEM_JSON.to_owned(), content);
        }
    }
}
