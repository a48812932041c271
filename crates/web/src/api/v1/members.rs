//! Members, roles and invitations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonground_domain::{RoleSet, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Problem;
use crate::audit::{self, Action};
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgAdmin};
use crate::inputs::InvitationInput;
use crate::invitations::send_invitation;
use crate::state::AppState;

/// A member and their roles.
#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    /// The person's user id.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// Their roles here: `org_admin`, `champion`, `board_viewer`.
    pub roles: Vec<String>,
}

/// An invitation waiting for an answer.
#[derive(Serialize, ToSchema)]
pub struct InvitationBody {
    /// Its id.
    pub id: i64,
    /// Who it was sent to.
    pub email: String,
    /// Roles granted on acceptance.
    pub roles: Vec<String>,
    /// When the link stops working (RFC 3339).
    pub expires_at: String,
}

/// The new set of roles for a member.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesInput {
    /// At least one of `org_admin`, `champion`, `board_viewer`.
    pub roles: Vec<String>,
}

/// Lists the organisation's members (organisation admins).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/members", operation_id = "listMembers", tag = "members",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = [MemberBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_members(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
) -> AppResult<Json<Vec<MemberBody>>> {
    let members = state.store.list_members(admin.org.id).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MemberBody {
                user_id: m.user.id.0,
                name: m.user.name,
                email: m.user.email,
                roles: m.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            })
            .collect(),
    ))
}

/// Invites someone by email to join with the given roles (organisation admins).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/invitations", operation_id = "inviteMember", tag = "members",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    request_body = InvitationInput,
    responses((status = 201, body = InvitationBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn invite_member(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Json(input): Json<InvitationInput>,
) -> AppResult<(StatusCode, Json<InvitationBody>)> {
    let (email, roles) = input.parse()?;
    let id = send_invitation(&state, &admin.org, &admin.caller.user, &email, &roles).await?;
    let invitation = state
        .store
        .list_pending_invitations(admin.org.id)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| AppError::Internal("new invitation not found".into()))?;
    Ok((StatusCode::CREATED, Json(invitation_body(invitation))))
}

fn invitation_body(i: commonground_store::invitations::Invitation) -> InvitationBody {
    InvitationBody {
        id: i.id.0,
        email: i.email,
        roles: i
            .roles
            .roles()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        expires_at: rfc3339(i.expires_at),
    }
}

/// Lists invitations waiting for an answer (organisation admins).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/invitations", operation_id = "listInvitations", tag = "members",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = [InvitationBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
) -> AppResult<Json<Vec<InvitationBody>>> {
    let invitations = state.store.list_pending_invitations(admin.org.id).await?;
    Ok(Json(invitations.into_iter().map(invitation_body).collect()))
}

/// Replaces a member's roles; the organisation must keep an organisation admin.
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/members/{user_id}/roles", operation_id = "changeMemberRole", tag = "members",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("user_id" = i64, Path, description = "The member's user id")),
    request_body = RolesInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_member_role(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Path(ids): Path<(i64, i64)>,
    Json(input): Json<RolesInput>,
) -> AppResult<StatusCode> {
    let roles = RoleSet::parse(input.roles.iter().map(String::as_str))
        .map_err(|e| AppError::invalid("roles", e.0))?;
    let changed = state
        .store
        .set_member_roles(admin.org.id, UserId(ids.1), &roles)
        .await?;
    if changed {
        audit::member_event(
            &state,
            &admin,
            Action::RolesChanged,
            UserId(ids.1),
            Some(&roles),
        )
        .await?;
    }
    super::no_content_or_not_found(changed)
}

/// Removes a member from the organisation; their account stays.
#[utoipa::path(delete, path = "/api/v1/organisations/{org_id}/members/{user_id}", operation_id = "removeMember", tag = "members",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("user_id" = i64, Path, description = "The member's user id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn remove_member(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Path(ids): Path<(i64, i64)>,
) -> AppResult<StatusCode> {
    let removed = state
        .store
        .remove_member(admin.org.id, UserId(ids.1))
        .await?;
    if removed {
        audit::member_event(&state, &admin, Action::MemberRemoved, UserId(ids.1), None).await?;
    }
    super::no_content_or_not_found(removed)
}
