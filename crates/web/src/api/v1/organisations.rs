//! Organisations and their settings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::OrganisationBody;
use crate::api::Problem;
use crate::audit;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgAdmin, OrgMember};
use crate::inputs::OrganisationInput;
use crate::state::AppState;

/// Lists the organisations the caller may see (all of them for network admins).
#[utoipa::path(get, path = "/api/v1/organisations", operation_id = "listOrganisations", tag = "organisations",
    security(("bearer" = [])),
    responses((status = 200, body = [OrganisationBody]), (status = 401, body = Problem)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    caller: ApiUser,
) -> AppResult<Json<Vec<OrganisationBody>>> {
    let orgs = if caller.user.is_network_admin {
        state.store.list_all_organisations().await?
    } else {
        state.store.list_organisations_of(caller.user.id).await?
    };
    Ok(Json(orgs.into_iter().map(OrganisationBody::from).collect()))
}

/// Adds an organisation (network admins).
#[utoipa::path(post, path = "/api/v1/organisations", operation_id = "createOrganisation", tag = "organisations",
    security(("bearer" = ["networkAdmin"])),
    request_body = OrganisationInput,
    responses(
        (status = 201, body = OrganisationBody),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 409, description = "The ODS code is taken", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn create_organisation(
    State(state): State<AppState>,
    caller: ApiUser,
    Json(input): Json<OrganisationInput>,
) -> AppResult<(StatusCode, Json<OrganisationBody>)> {
    if !caller.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    let parsed = input.parse(state.config.default_min_reporting_group)?;
    let org = state
        .store
        .create_organisation(&parsed.fields(), None)
        .await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// Returns one organisation the caller belongs to.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}", operation_id = "getOrganisation", tag = "organisations",
    security(("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = OrganisationBody), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_organisation(member: OrgMember<ApiUser>) -> Json<OrganisationBody> {
    Json(member.org.into())
}

/// Changes an organisation's details and settings, including the minimum reporting group.
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/settings", operation_id = "updateOrganisationSettings", tag = "organisations",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    request_body = OrganisationInput,
    responses(
        (status = 200, body = OrganisationBody),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn update_organisation_settings(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Json(input): Json<OrganisationInput>,
) -> AppResult<Json<OrganisationBody>> {
    let parsed = input.parse(state.config.default_min_reporting_group)?;
    state
        .store
        .update_organisation(admin.org.id, &parsed.fields())
        .await?;
    audit::settings_changed(&state, &admin, &parsed.fields()).await?;
    let org = state
        .store
        .get_organisation(admin.org.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(org.into()))
}
