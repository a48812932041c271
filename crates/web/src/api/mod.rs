//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//!
//! Rules (docs/API.md): bearer tokens only (no cookies, so no CSRF); lowerCamelCase operation
//! ids; errors as RFC 9457 problem documents; times as RFC 3339 strings in UTC.

pub mod reference;
pub mod v1;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
