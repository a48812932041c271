//! What a review's sessions record besides notes: attendance, score challenges (session 2) and
//! draft actions made from captured next steps.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonground_domain::capture::{ChallengeOutcome, note};
use commonground_domain::{CaptureItemId, ParticipantId};
use commonground_store::capture::{DraftAction, ScoreChallenge};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sessions::{SessionPath, session_in_path};
use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::state::AppState;

/// The most participants one attendance list names (it must fit the 64 KiB body limit).
const MAX_PRESENT: usize = 2000;

/// The most next steps turned into actions at once.
const MAX_DRAFT_ITEMS: usize = 200;

/// Who came to a session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"present": [12, 15, 16]}))]
pub struct AttendanceRequest {
    /// The participant ids of those who came; every other participant is marked absent.
    #[schema(max_items = 2000)]
    pub present: Vec<i64>,
}

/// A participant's attendance at a session.
#[derive(Serialize, ToSchema)]
pub struct AttendanceBody {
    /// The participant's id.
    pub participant_id: i64,
    /// Their name (empty once erased).
    pub name: String,
    /// Whether they came.
    pub present: bool,
}

async fn attendance_list(
    state: &AppState,
    runner: &ReviewRunner<ApiUser>,
    session: u8,
) -> AppResult<Vec<AttendanceBody>> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let people = state.store.list_participants(org, review).await?;
    let recorded = state.store.attendance(org, review, session).await?;
    Ok(recorded
        .into_iter()
        .map(|(id, present)| AttendanceBody {
            participant_id: id.0,
            name: people
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            present,
        })
        .collect())
}

/// Records who came to a session (everyone else is marked absent); returns the attendance.
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/attendance", operation_id = "recordAttendance", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    request_body = AttendanceRequest,
    responses((status = 200, body = [AttendanceBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_attendance(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Json(request): Json<AttendanceRequest>,
) -> AppResult<Json<Vec<AttendanceBody>>> {
    let session = session_in_path(&path)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    if request.present.len() > MAX_PRESENT {
        return Err(AppError::invalid(
            "present",
            format!("List at most {MAX_PRESENT} participants"),
        ));
    }
    let people = state.store.list_participants(org, review).await?;
    let errors: Vec<(String, String)> = request
        .present
        .iter()
        .enumerate()
        .filter(|(_, id)| !people.iter().any(|p| p.id.0 == **id))
        .map(|(i, id)| {
            (
                format!("present[{i}]"),
                format!("{id} is not a participant of this review"),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let present: Vec<ParticipantId> = request.present.iter().copied().map(ParticipantId).collect();
    if !state
        .store
        .record_attendance(org, review, session, &present)
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Json(attendance_list(&state, &runner, session).await?))
}

/// Who came to a session, as recorded.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/attendance", operation_id = "getAttendance", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    responses((status = 200, body = [AttendanceBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_attendance(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
) -> AppResult<Json<Vec<AttendanceBody>>> {
    let session = session_in_path(&path)?;
    Ok(Json(attendance_list(&state, &runner, session).await?))
}

/// What the team decided about a challenged score.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ChallengeOutcomeName {
    /// The team agreed the score is right.
    ScoreStands,
    /// The team agreed the score does not reflect how things are.
    TeamDisagrees,
    /// No agreement yet: look at it again.
    LookAgain,
}

/// A score challenged in session 2.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"factor": "shared_goals", "argument": "The score reflects last year's budget round, not how we work now.", "outcome": "look_again", "outcome_note": "Check again after the next planning cycle"}))]
pub struct ScoreChallengeRequest {
    /// The factor's key in the review's questionnaire.
    #[schema(min_length = 1, max_length = 100)]
    pub factor: String,
    /// The argument made (up to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000)]
    pub argument: String,
    /// `score_stands`, `team_disagrees` or `look_again`.
    #[schema(value_type = ChallengeOutcomeName)]
    pub outcome: String,
    /// What the team said about the outcome.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub outcome_note: Option<String>,
}

/// A recorded score challenge.
#[derive(Serialize, ToSchema)]
pub struct ScoreChallengeBody {
    /// Its id.
    pub id: i64,
    /// The factor whose score was challenged.
    pub factor: String,
    /// The argument made.
    pub argument: String,
    /// `score_stands`, `team_disagrees` or `look_again`.
    pub outcome: String,
    /// What the team said about the outcome (may be empty).
    pub outcome_note: String,
    /// When (RFC 3339).
    pub created_at: String,
}

impl From<ScoreChallenge> for ScoreChallengeBody {
    fn from(c: ScoreChallenge) -> Self {
        Self {
            id: c.id.0,
            factor: c.factor,
            argument: c.argument,
            outcome: c.outcome,
            outcome_note: c.outcome_note,
            created_at: rfc3339(c.created_at),
        }
    }
}

/// Records a score challenge: the factor, the argument and what the team decided.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/score-challenges", operation_id = "recordScoreChallenge", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    request_body = ScoreChallengeRequest,
    responses((status = 201, body = ScoreChallengeBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_score_challenge(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Json(request): Json<ScoreChallengeRequest>,
) -> AppResult<(StatusCode, Json<ScoreChallengeBody>)> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let instrument = state
        .store
        .review_instrument(org, review)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let factor = request.factor.trim();
    if instrument.factor(factor).is_none() {
        errors.push((
            "factor".to_owned(),
            "Choose one of the factors of the review's questionnaire".to_owned(),
        ));
    }
    let argument =
        note(&request.argument, "the argument").map_err(|e| errors.push(("argument".into(), e.0)));
    let outcome =
        ChallengeOutcome::parse(&request.outcome).map_err(|e| errors.push(("outcome".into(), e.0)));
    let outcome_note = match request.outcome_note.as_deref().map(str::trim) {
        None | Some("") => Ok(String::new()),
        Some(text) => note(text, "the note on the outcome")
            .map_err(|e| errors.push(("outcome_note".into(), e.0))),
    };
    let (Ok(argument), Ok(outcome), Ok(outcome_note), true) =
        (argument, outcome, outcome_note, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let mut challenge = ScoreChallenge {
        id: commonground_domain::ScoreChallengeId(0),
        factor: factor.to_owned(),
        argument,
        outcome: outcome.as_str().to_owned(),
        outcome_note,
        created_at: 0,
    };
    challenge.id = state
        .store
        .add_score_challenge(org, review, &challenge, runner.member.caller.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let stored = state
        .store
        .score_challenges(org, review)
        .await?
        .into_iter()
        .find(|c| c.id == challenge.id)
        .unwrap_or(challenge);
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// A review's score challenges, oldest first.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/score-challenges", operation_id = "listScoreChallenges", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = [ScoreChallengeBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_score_challenges(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<Vec<ScoreChallengeBody>>> {
    let challenges = state
        .store
        .score_challenges(runner.member.org.id, runner.review.id)
        .await?;
    Ok(Json(
        challenges
            .into_iter()
            .map(ScoreChallengeBody::from)
            .collect(),
    ))
}

/// Next steps to turn into draft actions.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capture_item_ids": [41, 44]}))]
pub struct DraftActionsRequest {
    /// Ids of captured next steps of this review (either session).
    #[schema(min_items = 1, max_items = 200)]
    pub capture_item_ids: Vec<i64>,
}

/// A draft action.
#[derive(Serialize, ToSchema)]
pub struct DraftActionBody {
    /// Its id.
    pub id: i64,
    /// Its title (the start of the next step).
    pub title: String,
    /// Its description (the whole next step).
    pub description: String,
    /// `draft` until the action plan takes it up.
    pub status: String,
    /// The next step it came from.
    pub capture_item_id: Option<i64>,
}

impl From<DraftAction> for DraftActionBody {
    fn from(a: DraftAction) -> Self {
        Self {
            id: a.id.0,
            title: a.title,
            description: a.description,
            status: a.status,
            capture_item_id: a.source.map(|s| s.0),
        }
    }
}

/// What turning next steps into actions did.
#[derive(Serialize, ToSchema)]
pub struct DraftActionsBody {
    /// How many actions were new (a next step becomes an action once).
    pub created: usize,
    /// The review's actions, oldest first.
    pub actions: Vec<DraftActionBody>,
}

/// Turns captured next steps into draft actions, each once.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/draft-actions", operation_id = "createDraftActions", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    request_body = DraftActionsRequest,
    responses((status = 200, body = DraftActionsBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draft_actions(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Json(request): Json<DraftActionsRequest>,
) -> AppResult<Json<DraftActionsBody>> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    if request.capture_item_ids.is_empty() || request.capture_item_ids.len() > MAX_DRAFT_ITEMS {
        return Err(AppError::invalid(
            "capture_item_ids",
            format!("Choose from 1 to {MAX_DRAFT_ITEMS} next steps"),
        ));
    }
    let mut next_steps = Vec::new();
    for session in [1, 2] {
        next_steps.extend(
            state
                .store
                .capture_items(org, review, session, None)
                .await?
                .into_iter()
                .filter(|item| item.kind == "next_step")
                .map(|item| item.id.0),
        );
    }
    let errors: Vec<(String, String)> = request
        .capture_item_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !next_steps.contains(id))
        .map(|(i, id)| {
            (
                format!("capture_item_ids[{i}]"),
                format!("{id} is not a next step captured in this review"),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let ids: Vec<CaptureItemId> = request
        .capture_item_ids
        .iter()
        .copied()
        .map(CaptureItemId)
        .collect();
    let created = state
        .store
        .draft_actions_from(org, review, &ids, runner.member.caller.user.id)
        .await?;
    let actions = state.store.draft_actions(org, review).await?;
    Ok(Json(DraftActionsBody {
        created,
        actions: actions.into_iter().map(DraftActionBody::from).collect(),
    }))
}

/// A review's actions, oldest first.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/draft-actions", operation_id = "listDraftActions", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = [DraftActionBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_draft_actions(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<Vec<DraftActionBody>>> {
    let actions = state
        .store
        .draft_actions(runner.member.org.id, runner.review.id)
        .await?;
    Ok(Json(
        actions.into_iter().map(DraftActionBody::from).collect(),
    ))
}
