//! What happens in and around a review's two team sessions: the session plan, the card deck,
//! notes captured live, attendance, score challenges and draft actions made from next steps.
//!
//! Sessions are numbered 1 and 2 in paths; any other number is "not found", as the session does
//! not exist.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use commonground_domain::capture::{ChallengeOutcome, note, session_number};
use commonground_domain::session_plan::{AgendaItem, Phase, PlanRole, SessionPlan};
use commonground_domain::{CaptureItemId, ParticipantId};
use commonground_store::capture::{CaptureItem, DraftAction, ScoreChallenge};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgMember, ReviewCreator, ReviewRunner};
use crate::sessions::{self, Card};
use crate::state::AppState;

/// The path of a session: `.../reviews/{review_id}/sessions/{session}`.
#[derive(Deserialize)]
pub struct SessionPath {
    /// The session's number as written in the path.
    session: i64,
}

/// Session 1 or 2 from the path; any other number is not found.
pub fn session_in_path(path: &SessionPath) -> AppResult<u8> {
    session_number(path.session).map_err(|e| AppError::Missing(e.0))
}

/// One agenda item.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemBody {
    /// What the item is.
    #[schema(
        min_length = 1,
        max_length = 120,
        example = "Welcome and introductions"
    )]
    pub title: String,
    /// How long it takes, in minutes (the whole agenda 8 hours at most).
    #[schema(minimum = 1, maximum = 240, example = 15)]
    pub minutes: u32,
    /// What happens; may be empty.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub detail: String,
}

/// A role someone plays.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRoleBody {
    /// The role, such as "Timekeeper".
    #[schema(min_length = 1, max_length = 300)]
    pub role: String,
    /// What they do, or who does it.
    #[schema(max_length = 300)]
    pub duties: String,
}

/// A phase of the template's method (read only: it must stay the template's).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseBody {
    /// The phase's name.
    pub title: String,
    /// What happens in it.
    pub what: String,
}

/// A session's plan. `phases` and `suggested_participants` come from the template and must be
/// sent back unchanged.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "template": "session-1",
    "objectives": ["Agree what the results say about how we work together"],
    "agenda": [{"title": "Welcome and introductions", "minutes": 15, "detail": ""}, {"title": "Results", "minutes": 45, "detail": "Walk through the factor scores"}],
    "roles": [{"role": "Facilitator", "duties": "Keeps the conversation balanced"}],
    "ground_rules": ["Everyone speaks for themselves"],
    "good_questions": ["What would help you here?"],
    "groups": "",
    "contingency": ["If the data is disputed, note it and move on"],
    "phases": [],
    "suggested_participants": []
}))]
pub struct SessionPlanBody {
    /// Key of the template the plan started from (`session-1`, `session-2`, ...).
    #[schema(example = "session-1")]
    pub template: String,
    /// What the session should achieve (1 to 10, each up to 300 characters).
    #[schema(min_items = 1, max_items = 10)]
    pub objectives: Vec<String>,
    /// The agenda, in order (1 to 20 items).
    #[schema(min_items = 1, max_items = 20)]
    pub agenda: Vec<AgendaItemBody>,
    /// Who does what (up to 12).
    #[schema(max_items = 12)]
    pub roles: Vec<PlanRoleBody>,
    /// How people agree to behave (up to 15).
    #[schema(max_items = 15)]
    pub ground_rules: Vec<String>,
    /// Ways to ask good open questions (up to 15).
    #[schema(max_items = 15)]
    pub good_questions: Vec<String>,
    /// Whether and how to split into smaller groups; may be empty.
    #[schema(max_length = 1000)]
    pub groups: String,
    /// What to do when things do not go to plan (up to 15).
    #[schema(max_items = 15)]
    pub contingency: Vec<String>,
    /// The template's phases, unchanged.
    #[serde(default)]
    pub phases: Vec<PhaseBody>,
    /// The template's suggested participants, unchanged.
    #[serde(default)]
    pub suggested_participants: Vec<String>,
}

impl From<SessionPlan> for SessionPlanBody {
    fn from(plan: SessionPlan) -> Self {
        Self {
            template: plan.template,
            objectives: plan.objectives,
            agenda: plan
                .agenda
                .into_iter()
                .map(|a| AgendaItemBody {
                    title: a.title,
                    minutes: a.minutes,
                    detail: a.detail,
                })
                .collect(),
            roles: plan
                .roles
                .into_iter()
                .map(|r| PlanRoleBody {
                    role: r.role,
                    duties: r.duties,
                })
                .collect(),
            ground_rules: plan.ground_rules,
            good_questions: plan.good_questions,
            groups: plan.groups,
            contingency: plan.contingency,
            phases: plan
                .phases
                .into_iter()
                .map(|p| PhaseBody {
                    title: p.title,
                    what: p.what,
                })
                .collect(),
            suggested_participants: plan.suggested_participants,
        }
    }
}

impl From<SessionPlanBody> for SessionPlan {
    fn from(body: SessionPlanBody) -> Self {
        Self {
            template: body.template,
            objectives: body.objectives,
            agenda: body
                .agenda
                .into_iter()
                .map(|a| AgendaItem {
                    title: a.title,
                    minutes: a.minutes,
                    detail: a.detail,
                })
                .collect(),
            roles: body
                .roles
                .into_iter()
                .map(|r| PlanRole {
                    role: r.role,
                    duties: r.duties,
                })
                .collect(),
            ground_rules: body.ground_rules,
            good_questions: body.good_questions,
            groups: body.groups,
            contingency: body.contingency,
            phases: body
                .phases
                .into_iter()
                .map(|p| Phase {
                    title: p.title,
                    what: p.what,
                })
                .collect(),
            suggested_participants: body.suggested_participants,
        }
    }
}

/// A session's plan and whether it has been saved (otherwise it is the template's, fresh).
#[derive(Serialize, ToSchema)]
pub struct PlanResponse {
    /// 1 or 2.
    pub session: u8,
    /// Whether the champions saved it; false for a fresh plan from the session's template.
    pub saved: bool,
    /// The plan.
    pub plan: SessionPlanBody,
}

/// A session's plan: the saved one, or a fresh one from the session's template naming the
/// support person from the readiness checklist.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan", operation_id = "getSessionPlan", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    responses((status = 200, body = PlanResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_session_plan(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
) -> AppResult<Json<PlanResponse>> {
    let session = session_in_path(&path)?;
    let (plan, saved) =
        sessions::plan(&state, runner.member.org.id, runner.review.id, session).await?;
    Ok(Json(PlanResponse {
        session,
        saved,
        plan: plan.into(),
    }))
}

/// Replaces a session's plan; every limit is checked and each problem named by its field.
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan", operation_id = "updateSessionPlan", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    request_body = SessionPlanBody,
    responses((status = 200, body = PlanResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_session_plan(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Json(body): Json<SessionPlanBody>,
) -> AppResult<Json<PlanResponse>> {
    let session = session_in_path(&path)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    let plan = SessionPlan::from(body);
    sessions::save_plan(&state, org, review, session, &plan).await?;
    let (plan, saved) = sessions::plan(&state, org, review, session).await?;
    Ok(Json(PlanResponse {
        session,
        saved,
        plan: plan.into(),
    }))
}

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

/// What a captured note is.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum CaptureKindName {
    /// Something the team keeps coming back to.
    Theme,
    /// An example of clinical and finance staff working well together.
    GoodPractice,
    /// Something to do next, which can become an action.
    NextStep,
}

/// A note captured in a session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "next_step", "text": "Finance business partner to join the theatre planning meeting monthly"}))]
pub struct CaptureItemRequest {
    /// `theme`, `good_practice` or `next_step`.
    #[schema(value_type = CaptureKindName)]
    pub kind: String,
    /// What was noted (up to 1,000 characters; line breaks allowed).
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
}

/// A captured note. Notes are not tied to who wrote them.
#[derive(Serialize, ToSchema)]
pub struct CaptureItemBody {
    /// Its id; later notes have larger ids.
    pub id: i64,
    /// `theme`, `good_practice` or `next_step`.
    pub kind: String,
    /// What was noted.
    pub text: String,
    /// When (RFC 3339).
    pub created_at: String,
}

impl From<CaptureItem> for CaptureItemBody {
    fn from(item: CaptureItem) -> Self {
        Self {
            id: item.id.0,
            kind: item.kind,
            text: item.body,
            created_at: rfc3339(item.created_at),
        }
    }
}

/// Polling for new notes: those after the last id seen, oldest first.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaptureQuery {
    /// Only notes with a larger id than this (default: from the first).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many, 1 to 200 (default 200); ask again after the last id for more.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Adds a note to a session; everyone's live pages show it.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture-items", operation_id = "addCaptureItem", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    request_body = CaptureItemRequest,
    responses((status = 201, body = CaptureItemBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_capture_item(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Json(request): Json<CaptureItemRequest>,
) -> AppResult<(StatusCode, Json<CaptureItemBody>)> {
    let session = session_in_path(&path)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    let id = sessions::capture(&state, org, review, session, &request.kind, &request.text).await?;
    let item = state
        .store
        .capture_items(org, review, session, Some(CaptureItemId(id.0 - 1)))
        .await?
        .into_iter()
        .find(|item| item.id == id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// A session's notes, oldest first; pass the last id seen as `after` to poll for new ones.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture-items", operation_id = "listCaptureItems", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2), CaptureQuery),
    responses((status = 200, body = [CaptureItemBody]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_capture_items(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Query(query): Query<CaptureQuery>,
) -> AppResult<Json<Vec<CaptureItemBody>>> {
    let session = session_in_path(&path)?;
    let limit = query.limit.unwrap_or(200);
    if !(1..=200).contains(&limit) {
        return Err(AppError::BadRequest("limit must be from 1 to 200".into()));
    }
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(AppError::BadRequest("after must not be negative".into()));
    }
    let items = state
        .store
        .capture_items(
            runner.member.org.id,
            runner.review.id,
            session,
            Some(CaptureItemId(after)),
        )
        .await?;
    Ok(Json(
        items
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(200))
            .map(CaptureItemBody::from)
            .collect(),
    ))
}

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
