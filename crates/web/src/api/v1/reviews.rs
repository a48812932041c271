//! Reviews.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use commonground_store::reviews::{Champion, Review};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgMember, ReviewCreator, ReviewRunner};
use crate::review_input::{ReviewInput, invite_champions, resolve_version, reviews_visible_to};
use crate::state::AppState;

/// A champion slot.
#[derive(Serialize, ToSchema)]
pub struct ChampionBody {
    /// `member`, `invited` or `missing`.
    pub status: &'static str,
    /// The member's user id.
    pub user_id: Option<i64>,
    /// The member's name.
    pub name: Option<String>,
    /// The address invited, until they accept.
    pub invited_email: Option<String>,
}

/// A review.
#[derive(Serialize, ToSchema)]
pub struct ReviewBody {
    /// Its id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Who and what it covers.
    pub scope: String,
    /// Focus areas.
    pub focus_areas: Vec<String>,
    /// The clinical champion.
    pub clinical_champion: ChampionBody,
    /// The finance champion.
    pub finance_champion: ChampionBody,
    /// Both champions named.
    pub complete: bool,
    /// `draft`, `open`, `closed` or `released`.
    pub questionnaire_state: String,
    /// The instrument version it uses.
    pub instrument: String,
    /// How many participants are invited.
    pub participants: i64,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

fn champion_body(champion: &Champion) -> ChampionBody {
    match champion {
        Champion::Member { id, name } => ChampionBody {
            status: "member",
            user_id: Some(id.0),
            name: Some(name.clone()),
            invited_email: None,
        },
        Champion::Invited { email } => ChampionBody {
            status: "invited",
            user_id: None,
            name: None,
            invited_email: Some(email.clone()),
        },
        Champion::Missing => ChampionBody {
            status: "missing",
            user_id: None,
            name: None,
            invited_email: None,
        },
    }
}

impl From<Review> for ReviewBody {
    fn from(review: Review) -> Self {
        Self {
            id: review.id.0,
            complete: review.clinical_champion.is_named() && review.finance_champion.is_named(),
            clinical_champion: champion_body(&review.clinical_champion),
            finance_champion: champion_body(&review.finance_champion),
            title: review.title,
            scope: review.scope,
            focus_areas: review
                .focus_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            questionnaire_state: review.questionnaire.as_str().to_owned(),
            instrument: review.instrument_label,
            participants: review.participants,
            created_at: rfc3339(review.created_at),
        }
    }
}

/// Lists the reviews the caller runs (all of them for organisation admins).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews", operation_id = "listReviews", tag = "reviews",
    security(("bearer" = ["reviewCreator"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = [ReviewBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    member: OrgMember<ApiUser>,
) -> AppResult<Json<Vec<ReviewBody>>> {
    let reviews =
        reviews_visible_to(&state, &member.org, member.caller.user.id, &member.roles).await?;
    Ok(Json(reviews.into_iter().map(ReviewBody::from).collect()))
}

/// Starts a review with the current default questionnaire (champions and organisation admins).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews", operation_id = "createReview", tag = "reviews",
    security(("bearer" = ["reviewCreator"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    request_body = ReviewInput,
    responses((status = 201, body = ReviewBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_review(
    State(state): State<AppState>,
    ReviewCreator(member): ReviewCreator<ApiUser>,
    Json(input): Json<ReviewInput>,
) -> AppResult<(StatusCode, Json<ReviewBody>)> {
    let members = state.store.list_members(member.org.id).await?;
    let parsed = input.parse(&members)?;
    let version = resolve_version(&state, member.org.id, &input).await??;
    let id = state
        .store
        .create_review(
            member.org.id,
            &parsed.fields(),
            version,
            member.caller.user.id,
        )
        .await?;
    invite_champions(&state, &member.org, &member.caller.user, &parsed).await?;
    let review = state
        .store
        .get_review(member.org.id, id)
        .await?
        .ok_or_else(|| AppError::Internal("new review not found".into()))?;
    Ok((StatusCode::CREATED, Json(review.into())))
}

/// Returns one review the caller runs.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}", operation_id = "getReview", tag = "reviews",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = ReviewBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_review(runner: ReviewRunner<ApiUser>) -> Json<ReviewBody> {
    Json(runner.review.into())
}
