//! Access to the review in the path (`{org_id}/reviews/{review_id}`).
//!
//! A review holds participants' names and emails, so only the people who run it may open it:
//! its champions, whoever created it, and the organisation's admins. Other members get
//! "forbidden"; outsiders get "not found" from [`OrgMember`] before the review is looked up.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use commonground_domain::{ReviewId, Role};
use commonground_store::reviews::Review;

use super::organisation::path_id;
use super::{Caller, OrgMember};
use crate::error::AppError;
use crate::state::AppState;

/// Someone who runs the review in the path.
pub struct ReviewRunner<C> {
    /// Their membership of the review's organisation.
    pub member: OrgMember<C>,
    /// The review.
    pub review: Review,
}

impl<C: Caller> FromRequestParts<AppState> for ReviewRunner<C> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let member = OrgMember::<C>::from_request_parts(parts, state).await?;
        let id = ReviewId(path_id(parts, state, "review_id").await?);
        let review = state
            .store
            .get_review(member.org.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let user = member.caller.user().id;
        if member.roles.contains(&Role::OrgAdmin) || review.is_run_by(user) {
            Ok(ReviewRunner { member, review })
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// A member who may start a review: a champion or an organisation admin.
pub struct ReviewCreator<C>(pub OrgMember<C>);

impl<C: Caller> FromRequestParts<AppState> for ReviewCreator<C> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let member = OrgMember::<C>::from_request_parts(parts, state).await?;
        if member.roles.contains(&Role::Champion) || member.roles.contains(&Role::OrgAdmin) {
            Ok(ReviewCreator(member))
        } else {
            Err(AppError::Forbidden)
        }
    }
}
