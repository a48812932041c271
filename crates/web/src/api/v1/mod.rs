//! Version 1 of the JSON API: one module per resource, and the shapes they share.

pub mod audit;
pub mod capture_items;
pub mod cards;
pub mod date_poll_bodies;
pub mod date_poll_links;
pub mod date_polls;
pub mod divisions;
pub mod emails;
pub mod jobs;
pub mod me;
pub mod members;
pub mod organisations;
pub mod outbox;
pub mod participants;
pub mod questionnaire;
pub mod results;
pub mod reviews;
pub mod session_records;
pub mod sessions;
pub mod tokens;

use commonground_store::organisations::Organisation;
use serde::Serialize;
use utoipa::ToSchema;

use crate::dates::rfc3339;
use crate::error::AppError;
use crate::forms::FormErrors;

/// An organisation.
#[derive(Serialize, ToSchema)]
pub struct OrganisationBody {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// ODS code, upper case.
    pub ods_code: String,
    /// `trust`, `health_board`, `integrated_care_board` or `other`.
    pub org_type: String,
    /// NHS region or nation, if given.
    pub region: Option<String>,
    /// Fewest responses before a group's results show.
    pub min_reporting_group: u32,
    /// Months a closed review's participants' names and emails are kept.
    pub retention_months: u32,
    /// When it was added (RFC 3339).
    pub created_at: String,
}

impl From<Organisation> for OrganisationBody {
    fn from(org: Organisation) -> Self {
        Self {
            id: org.id.0,
            name: org.name,
            ods_code: org.ods_code,
            org_type: org.org_type.as_str().to_owned(),
            region: org.region,
            min_reporting_group: org.min_reporting_group,
            retention_months: org.retention_months,
            created_at: rfc3339(org.created_at),
        }
    }
}

/// 204 when something was found and changed, 404 when there was nothing to change.
pub fn no_content_or_not_found(found: bool) -> Result<axum::http::StatusCode, AppError> {
    if found {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

impl From<FormErrors> for AppError {
    fn from(errors: FormErrors) -> Self {
        AppError::Invalid(errors.into_fields())
    }
}
