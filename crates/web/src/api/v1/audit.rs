//! The audit log of sensitive actions (organisation admins).

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::outbox::{Paging, checked_paging};
use crate::api::Problem;
use crate::audit::Action;
use crate::dates::rfc3339;
use crate::error::AppResult;
use crate::extractors::{ApiUser, OrgAdmin};
use crate::pages::audit::actor_name;
use crate::state::AppState;

/// One recorded action. Never anything anyone answered.
#[derive(Serialize, ToSchema)]
pub struct AuditEventBody {
    /// Its id, increasing.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who acted: a name, "A deleted account", or "commonground (automatic)".
    pub actor: String,
    /// What happened, as a stable key such as `roles_changed` or `results_released`.
    pub action: String,
    /// What happened, in words.
    pub label: String,
    /// Whom it was about (an email address), if anyone.
    pub subject: Option<String>,
    /// Details: new roles, a review's title, counts.
    pub detail: String,
}

/// Lists the organisation's audit log, newest first (organisation admins).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/audit", operation_id = "listAuditEvents", tag = "audit",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), Paging),
    responses((status = 200, body = [AuditEventBody]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Query(paging): Query<Paging>,
) -> AppResult<Json<Vec<AuditEventBody>>> {
    let (limit, offset) = checked_paging(paging.limit, paging.offset)?;
    let events = state.store.list_audit(admin.org.id, limit, offset).await?;
    Ok(Json(
        events
            .iter()
            .map(|e| AuditEventBody {
                id: e.id,
                at: rfc3339(e.at),
                actor: actor_name(e),
                action: e.action.clone(),
                label: Action::label_of(&e.action).to_owned(),
                subject: e.subject.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
    ))
}
