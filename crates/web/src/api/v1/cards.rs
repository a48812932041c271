//! The card deck sessions draw on: shipped scenarios and prompts, and the organisation's own.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgMember, ReviewCreator};
use crate::sessions::{self, Card};
use crate::state::AppState;

/// Which exercise a card is for.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum CardKindName {
    /// A situation where finance and clinical priorities collide.
    Scenario,
    /// An open question about one factor.
    Prompt,
}

/// A new card of the organisation's own.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "scenario", "title": "Winter escalation beds", "text": "Escalation beds open without funding agreed. What would each of us do?", "factors": ["shared_goals"]}))]
pub struct AddCardRequest {
    /// `scenario` or `prompt`.
    #[schema(value_type = CardKindName)]
    pub kind: String,
    /// A short title; a prompt card without one takes the start of its question.
    #[serde(default)]
    #[schema(max_length = 120)]
    pub title: Option<String>,
    /// The situation, or the question (up to 1,500 characters).
    #[schema(min_length = 1, max_length = 1500)]
    pub text: String,
    /// Factor keys of the team questionnaire: 1 to 3 for a scenario, 1 for a prompt.
    #[schema(min_items = 1, max_items = 3)]
    pub factors: Vec<String>,
}

/// Every card the organisation's sessions can use: shipped scenarios, shipped prompts, then the
/// organisation's own (any member).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/cards", operation_id = "listCards", tag = "sessions",
    security(("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    responses((status = 200, body = [Card]), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list_cards(
    State(state): State<AppState>,
    member: OrgMember<ApiUser>,
) -> AppResult<Json<Vec<Card>>> {
    Ok(Json(sessions::deck(&state, member.org.id).await?))
}

/// One card of the deck, by its id (`scenario:KEY`, `prompt:KEY` or `own:ID`).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/cards/{card_id}", operation_id = "getCard", tag = "sessions",
    security(("bearer" = [])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("card_id" = String, Path, description = "The card's id, such as `scenario:agency-nurses`")),
    responses((status = 200, body = Card), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_card(
    State(state): State<AppState>,
    member: OrgMember<ApiUser>,
    Path(ids): Path<(i64, String)>,
) -> AppResult<Json<Card>> {
    sessions::deck(&state, member.org.id)
        .await?
        .into_iter()
        .find(|card| card.id == ids.1)
        .map(Json)
        .ok_or_else(|| AppError::Missing("No card with that id.".into()))
}

/// Adds a card of the organisation's own (champions and organisation admins).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/cards", operation_id = "addCard", tag = "sessions",
    security(("bearer" = ["reviewCreator"])),
    params(("org_id" = i64, Path, description = "The organisation's id")),
    request_body = AddCardRequest,
    responses((status = 201, body = Card), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_card(
    State(state): State<AppState>,
    ReviewCreator(member): ReviewCreator<ApiUser>,
    Json(request): Json<AddCardRequest>,
) -> AppResult<(StatusCode, Json<Card>)> {
    let factors: Vec<&str> = request.factors.iter().map(String::as_str).collect();
    let card = sessions::add_card(
        &state,
        member.org.id,
        member.caller.user.id,
        &request.kind,
        request.title.as_deref().unwrap_or_default(),
        &request.text,
        &factors,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(card)))
}
