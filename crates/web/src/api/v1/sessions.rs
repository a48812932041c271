//! A review's two team sessions themselves: the session plan, and cancelling a session's time.
//!
//! Sessions are numbered 1 and 2 in paths; any other number is "not found", as the session does
//! not exist. The session path and its check live here for every module under a session.

use axum::Json;
use axum::extract::{Path, State};
use commonground_domain::capture::session_number;
use commonground_domain::session_plan::{AgendaItem, Phase, PlanRole, SessionPlan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::date_poll_bodies::{SessionBody, session_body};
use super::date_polls::split_local;
use crate::api::Problem;
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::scheduling;
use crate::sessions;
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

/// Cancels a session's time and emails everyone a cancellation their calendars apply. 409 when
/// the session has no time.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/cancel", operation_id = "cancelSession", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    responses((status = 200, body = SessionBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_session(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
) -> AppResult<Json<SessionBody>> {
    let session = session_in_path(&path)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    scheduling::cancel(&state, org, review, &runner.review.title, session).await?;
    audit::session_event(&state, &runner, Action::SessionCancelled, session).await?;
    let sessions = state.store.team_sessions(org, review).await?;
    Ok(Json(session_body(&sessions[usize::from(session - 1)])))
}

/// A session's time set directly (a team that already knows its dates), in UK local time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionTimeRequest {
    /// Start, UK local time, "YYYY-MM-DDTHH:MM".
    #[schema(
        example = "2027-01-14T09:30",
        pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
    )]
    pub starts_at: String,
    /// End, UK local time, on the same day as the start.
    #[schema(
        example = "2027-01-14T11:30",
        pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
    )]
    pub ends_at: String,
    /// Where the session will be.
    #[schema(min_length = 1, max_length = 200, example = "Seminar room 2")]
    pub location: String,
}

/// Sets a session's time without a poll and emails everyone the invitation (or an update, when
/// it had a time). Session 2 must come after session 1.
#[utoipa::path(put, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/time", operation_id = "setSessionTime", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    request_body = SessionTimeRequest,
    responses((status = 200, body = SessionBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_session_time(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Json(request): Json<SessionTimeRequest>,
) -> AppResult<Json<SessionBody>> {
    let session = session_in_path(&path)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    let mut problems = Vec::new();
    let starts = split_local(&request.starts_at)
        .map_err(|e| problems.push(("starts_at".to_owned(), e)))
        .unwrap_or_default();
    let ends = split_local(&request.ends_at)
        .map_err(|e| problems.push(("ends_at".to_owned(), e)))
        .unwrap_or_default();
    if problems.is_empty() && starts.0 != ends.0 {
        problems.push((
            "ends_at".to_owned(),
            "A session must end on the day it starts".to_owned(),
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let draft = scheduling::TimeDraft {
        date: starts.0,
        starts: starts.1,
        ends: ends.1,
        location: request.location,
    };
    let title = runner.review.title.as_str();
    scheduling::set_time(&state, (org, review, title), session, &draft)
        .await
        .map_err(|e| match e {
            // The shared draft names the form's fields; the API's are these.
            AppError::Invalid(problems) => AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(field, message)| {
                        let field = match field.as_str() {
                            "date" | "starts" => "starts_at",
                            "ends" => "ends_at",
                            other => other,
                        };
                        (field.to_owned(), message)
                    })
                    .collect(),
            ),
            other => other,
        })?;
    audit::session_event(&state, &runner, Action::SessionTimeChosen, session).await?;
    let sessions = state.store.team_sessions(org, review).await?;
    Ok(Json(session_body(&sessions[usize::from(session - 1)])))
}
