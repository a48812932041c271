//! A review's participants.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use commonground_domain::participants::parse_participants_csv;
use commonground_store::participants::{Added, Participant};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, MAX_UPLOAD_BYTES, ReviewRunner};
use crate::forms::FormErrors;
use crate::participant_input::ParticipantInput;
use crate::state::AppState;

/// A participant.
#[derive(Serialize, ToSchema)]
pub struct ParticipantBody {
    /// Their id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Profession group key.
    pub profession: String,
    /// Division, if given.
    pub division: Option<String>,
    /// Role level key.
    pub role_level: String,
    /// Whether they have answered (never what they answered).
    pub responded: bool,
    /// Why their email could not be delivered (the mail server's words), if it could not.
    pub email_problem: Option<String>,
}

impl From<Participant> for ParticipantBody {
    fn from(p: Participant) -> Self {
        Self {
            id: p.id.0,
            name: p.name,
            email: p.email,
            profession: p.profession.as_str().to_owned(),
            division: p.division,
            role_level: p.role_level.as_str().to_owned(),
            responded: p.responded,
            email_problem: p.email_problem,
        }
    }
}

/// People to add, all or none.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipantsRequest {
    /// The people.
    pub participants: Vec<ParticipantInput>,
}

/// What adding did.
#[derive(Serialize, ToSchema)]
pub struct AddedBody {
    /// How many were new.
    pub added: usize,
    /// Emails already in the review, left as they were.
    pub already_invited: Vec<String>,
    /// Notes from the import, such as repeated rows merged.
    pub notices: Vec<String>,
}

fn added_body(added: Added, notices: Vec<String>) -> AddedBody {
    AddedBody {
        added: added.added,
        already_invited: added.already_invited,
        notices,
    }
}

async fn divisions(state: &AppState, runner: &ReviewRunner<ApiUser>) -> AppResult<Vec<String>> {
    Ok(state.store.division_names(runner.member.org.id).await?)
}

/// Lists a review's participants.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/participants", operation_id = "listParticipants", tag = "participants",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = [ParticipantBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_participants(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<Vec<ParticipantBody>>> {
    let people = state
        .store
        .list_participants(runner.member.org.id, runner.review.id)
        .await?;
    Ok(Json(
        people.into_iter().map(ParticipantBody::from).collect(),
    ))
}

/// Adds participants: if any is invalid, none is added and every problem is listed.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/participants", operation_id = "addParticipants", tag = "participants",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    request_body = AddParticipantsRequest,
    responses((status = 200, body = AddedBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_participants(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Json(request): Json<AddParticipantsRequest>,
) -> AppResult<Json<AddedBody>> {
    if request.participants.is_empty() {
        return Err(AppError::invalid(
            "participants",
            "Send at least one participant",
        ));
    }
    let divisions = divisions(&state, &runner).await?;
    let mut errors = FormErrors::new();
    let people: Vec<_> = request
        .participants
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.parse(&divisions, &format!("participants[{i}]."), &mut errors))
        .collect();
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let added = state
        .store
        .add_participants(runner.member.org.id, runner.review.id, &people)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(added_body(added, Vec::new())))
}

/// Imports participants from a CSV file sent as the body (`Content-Type: text/csv`), all or none.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/participants/import", operation_id = "importParticipantsCsv", tag = "participants",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    request_body(content = String, content_type = "text/csv", description = "Columns: name, email, profession group, division (optional), role level"),
    responses((status = 200, body = AddedBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import_participants_csv(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    body: Bytes,
) -> AppResult<Json<AddedBody>> {
    if body.len() > MAX_UPLOAD_BYTES {
        return Err(AppError::TooLarge);
    }
    let divisions = divisions(&state, &runner).await?;
    let import = parse_participants_csv(&body, &divisions).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|p| {
                    let place = match (&p.row, &p.column) {
                        (0, _) => "file".to_owned(),
                        (row, Some(column)) => format!("row {row}, {column}"),
                        (row, None) => format!("row {row}"),
                    };
                    (place, p.message)
                })
                .collect(),
        )
    })?;
    let added = state
        .store
        .add_participants(runner.member.org.id, runner.review.id, &import.participants)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(added_body(added, import.notices)))
}
