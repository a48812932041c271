//! An organisation's divisions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonground_domain::{DivisionId, DivisionName};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Problem;
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgAdmin, OrgMember};
use crate::state::AppState;

/// A division.
#[derive(Serialize, ToSchema)]
pub struct DivisionBody {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// A new division.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DivisionInput {
    /// Its name, unique in the organisation.
    pub name: String,
}

/// Lists the organisation's divisions (members).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/divisions", operation_id = "listDivisions", tag = "organisations",
    security(("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = [DivisionBody]), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list_divisions(
    State(state): State<AppState>,
    member: OrgMember<ApiUser>,
) -> AppResult<Json<Vec<DivisionBody>>> {
    let divisions = state.store.list_divisions(member.org.id).await?;
    Ok(Json(
        divisions
            .into_iter()
            .map(|d| DivisionBody {
                id: d.id.0,
                name: d.name,
            })
            .collect(),
    ))
}

/// Adds a division (organisation admins).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/divisions", operation_id = "createDivision", tag = "organisations",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    request_body = DivisionInput,
    responses((status = 201, body = DivisionBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_division(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Json(input): Json<DivisionInput>,
) -> AppResult<(StatusCode, Json<DivisionBody>)> {
    let name = DivisionName::parse(&input.name).map_err(|e| AppError::invalid("name", e.0))?;
    let division = state.store.create_division(admin.org.id, &name).await?;
    Ok((
        StatusCode::CREATED,
        Json(DivisionBody {
            id: division.id.0,
            name: division.name,
        }),
    ))
}

/// Removes a division (organisation admins).
#[utoipa::path(delete, path = "/api/v1/organisations/{org_id}/divisions/{division_id}", operation_id = "deleteDivision", tag = "organisations",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("division_id" = i64, Path, description = "The division's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_division(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Path(ids): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    let deleted = state
        .store
        .delete_division(admin.org.id, DivisionId(ids.1))
        .await?;
    if deleted {
        let detail = format!("Division {}", ids.1);
        audit::record_by(&state, &admin, Action::DivisionDeleted, None, &detail).await?;
    }
    super::no_content_or_not_found(deleted)
}
