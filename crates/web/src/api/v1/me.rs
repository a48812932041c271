//! The caller's own account.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Problem;
use crate::error::AppResult;
use crate::extractors::ApiUser;
use crate::state::AppState;

/// An organisation the caller belongs to, with their roles there.
#[derive(Serialize, ToSchema)]
pub struct MembershipBody {
    /// The organisation's id.
    pub organisation_id: i64,
    /// Its name.
    pub name: String,
    /// The caller's roles there.
    pub roles: Vec<String>,
}

/// The caller.
#[derive(Serialize, ToSchema)]
pub struct CurrentUserBody {
    /// Their id.
    pub id: i64,
    /// Their email address.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Whether they operate the whole instance.
    pub is_network_admin: bool,
    /// Their organisations and roles.
    pub memberships: Vec<MembershipBody>,
}

/// Returns the account the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getCurrentUser", tag = "account",
    security(("bearer" = [])),
    responses((status = 200, body = CurrentUserBody), (status = 401, body = Problem)))]
pub async fn get_current_user(
    State(state): State<AppState>,
    caller: ApiUser,
) -> AppResult<Json<CurrentUserBody>> {
    let mut memberships = Vec::new();
    for org in state.store.list_organisations_of(caller.user.id).await? {
        let roles = state.store.roles_in(org.id, caller.user.id).await?;
        memberships.push(MembershipBody {
            organisation_id: org.id.0,
            name: org.name,
            roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
        });
    }
    let user = caller.user;
    Ok(Json(CurrentUserBody {
        id: user.id.0,
        email: user.email,
        name: user.name,
        is_network_admin: user.is_network_admin,
        memberships,
    }))
}
