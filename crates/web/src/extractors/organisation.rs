//! Access to the organisation named in the path (`{org_id}`).
//!
//! A caller who is neither a member nor a network admin gets "not found", so the existence of
//! another organisation's pages is not revealed; a member without the needed role gets
//! "forbidden".

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use commonground_domain::{OrganisationId, Role};
use commonground_store::organisations::Organisation;

use super::Caller;
use crate::error::AppError;
use crate::state::AppState;

/// A member of the organisation in the path (or a network admin).
pub struct OrgMember<C> {
    /// Who is calling.
    pub caller: C,
    /// The organisation.
    pub org: Organisation,
    /// The caller's roles in it (empty for a network admin who is not a member).
    pub roles: Vec<Role>,
}

impl<C> OrgMember<C> {
    /// Whether the caller may manage the organisation.
    #[must_use]
    pub fn is_admin(&self, is_network_admin: bool) -> bool {
        is_network_admin || self.roles.contains(&Role::OrgAdmin)
    }
}

/// The id in the path, or "not found" for anything that is not one.
pub(crate) async fn path_id(
    parts: &mut Parts,
    state: &AppState,
    name: &str,
) -> Result<i64, AppError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    params
        .iter()
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .filter(|v| *v > 0)
        .ok_or(AppError::NotFound)
}

impl<C: Caller> FromRequestParts<AppState> for OrgMember<C> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = C::from_request_parts(parts, state).await?;
        let id = OrganisationId(path_id(parts, state, "org_id").await?);
        let roles = state.store.roles_in(id, caller.user().id).await?;
        if roles.is_empty() && !caller.user().is_network_admin {
            return Err(AppError::NotFound);
        }
        let org = state
            .store
            .get_organisation(id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(OrgMember { caller, org, roles })
    }
}

/// An organisation admin of the organisation in the path (or a network admin).
pub struct OrgAdmin<C>(pub OrgMember<C>);

impl<C: Caller> FromRequestParts<AppState> for OrgAdmin<C> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let member = OrgMember::<C>::from_request_parts(parts, state).await?;
        if member.is_admin(member.caller.user().is_network_admin) {
            Ok(OrgAdmin(member))
        } else {
            Err(AppError::Forbidden)
        }
    }
}
