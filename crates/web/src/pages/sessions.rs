//! The team sessions (steps 4 and 5): an overview of both sessions, cancelling a time, and
//! each session's plan. What a session records is in `session_records`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::london::slot_label;
use commonground_domain::session_plan::{PlanInput, SessionPlan, templates};
use commonground_store::now;

use super::{Chrome, invalid, ok, see_other};
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, SessionNumber, SignedIn};
use crate::forms::FormErrors;
use crate::scheduling::TimeDraft;
use crate::sessions;
use crate::state::AppState;

/// One session on the overview.
pub struct SessionCard {
    number: u8,
    time: Option<String>,
    past: bool,
    /// Field names of its "set the time" form: date, starts, ends, location.
    fields: [String; 4],
    /// What that form shows: as typed (after a mistake), or empty.
    typed: TimeDraft,
    /// Whether that form has mistakes (and so shows open).
    open: bool,
    location: String,
    planned: bool,
}

/// The sessions overview.
#[derive(Template)]
#[template(path = "pages/sessions.html")]
pub struct SessionsPage {
    chrome: Chrome,
    org_id: i64,
    review_id: i64,
    review_title: String,
    poll: Option<(bool, usize, usize)>,
    sessions: Vec<SessionCard>,
    any_time: bool,
    errors: FormErrors,
}

pub(super) fn base(runner: &ReviewRunner<SignedIn>) -> String {
    format!(
        "/organisations/{}/reviews/{}/sessions",
        runner.member.org.id, runner.review.id
    )
}

async fn overview(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    errors: FormErrors,
    typed: Option<&(u8, TimeDraft)>,
) -> AppResult<SessionsPage> {
    let org = runner.member.org.id;
    let poll = state.store.poll(org, runner.review.id).await?.map(|p| {
        (
            p.is_open(now()),
            p.invitees
                .iter()
                .filter(|i| i.answered_at.is_some())
                .count(),
            p.invitees.len(),
        )
    });
    let sessions = state
        .store
        .team_sessions(org, runner.review.id)
        .await?
        .into_iter()
        .map(|s| SessionCard {
            number: s.number,
            time: s.starts_at.zip(s.ends_at).map(|(a, b)| slot_label(a, b)),
            past: s.starts_at.is_some_and(|start| start <= now()),
            fields: ["date", "starts", "ends", "location"]
                .map(|field| format!("s{}-{field}", s.number)),
            typed: typed
                .filter(|(n, _)| *n == s.number)
                .map(|(_, draft)| draft.clone())
                .unwrap_or_default(),
            open: ["date", "starts", "ends", "location"]
                .iter()
                .any(|field| errors.has(&format!("s{}-{field}", s.number))),
            location: s.location,
            planned: s.plan.is_some(),
        })
        .collect::<Vec<SessionCard>>();
    Ok(SessionsPage {
        any_time: sessions.iter().any(|s| s.time.is_some()),
        chrome: Chrome::with_errors(&runner.member.caller.session, "Team sessions", &errors),
        org_id: org.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        poll,
        sessions,
        errors,
    })
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions`
pub async fn show_sessions(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(overview(&state, &runner, FormErrors::new(), None).await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/cancel`
pub async fn cancel_session(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    _form: Form,
) -> AppResult<Response> {
    let cancelled = crate::scheduling::cancel(
        &state,
        runner.member.org.id,
        runner.review.id,
        &runner.review.title,
        number,
    )
    .await;
    match cancelled {
        Ok(()) => {
            audit::session_event(&state, &runner, Action::SessionCancelled, number).await?;
            Ok(see_other(&base(&runner)))
        }
        Err(AppError::Conflict(message)) => {
            let mut errors = FormErrors::new();
            errors.add(&format!("session-{number}"), message);
            Ok(invalid(overview(&state, &runner, errors, None).await?))
        }
        Err(e) => Err(e),
    }
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/time`: the time set
/// directly, for a team that already knows its dates; everyone gets the invitation.
pub async fn update_session_time(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let prefix = format!("s{number}");
    let draft = TimeDraft {
        date: form.get(&format!("{prefix}-date")).to_owned(),
        starts: form.get(&format!("{prefix}-starts")).to_owned(),
        ends: form.get(&format!("{prefix}-ends")).to_owned(),
        location: form.get(&format!("{prefix}-location")).to_owned(),
    };
    let review = (
        runner.member.org.id,
        runner.review.id,
        runner.review.title.as_str(),
    );
    match crate::scheduling::set_time(&state, review, number, &draft).await {
        Ok(()) => {
            audit::session_event(&state, &runner, Action::SessionTimeChosen, number).await?;
            Ok(see_other(&base(&runner)))
        }
        Err(AppError::Invalid(problems)) => {
            let mut errors = FormErrors::new();
            for (field, message) in problems {
                errors.add(&format!("{prefix}-{field}"), message);
            }
            let typed = (number, draft);
            Ok(invalid(
                overview(&state, &runner, errors, Some(&typed)).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

/// A session's plan.
#[derive(Template)]
#[template(path = "pages/session_plan.html")]
pub struct PlanPage {
    chrome: Chrome,
    org_id: i64,
    review_id: i64,
    review_title: String,
    number: u8,
    plan: SessionPlan,
    saved: bool,
    total: u32,
    templates: Vec<(&'static str, &'static str, &'static str)>,
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan`
pub async fn show_plan(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
) -> AppResult<Response> {
    let (plan, saved) =
        sessions::plan(&state, runner.member.org.id, runner.review.id, number).await?;
    Ok(ok(PlanPage {
        chrome: Chrome::new(
            &runner.member.caller.session,
            format!("Plan for session {number}"),
        ),
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        number,
        total: plan.total_minutes(),
        plan,
        saved,
        templates: templates()
            .iter()
            .map(|t| (t.key.as_str(), t.title.as_str(), t.summary.as_str()))
            .collect(),
    }))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan/template`: starts
/// the plan again from a template.
pub async fn update_plan_template(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let org = runner.member.org.id;
    let plan = match sessions::fresh_plan(
        &state,
        org,
        runner.review.id,
        number,
        Some(form.get("template")),
    )
    .await
    {
        Ok(plan) => plan,
        Err(AppError::Invalid(_)) => {
            return Ok(see_other(&format!("{}/{number}/plan", base(&runner))));
        }
        Err(e) => return Err(e),
    };
    sessions::save_plan(&state, org, runner.review.id, number, &plan).await?;
    Ok(see_other(&format!("{}/{number}/plan/edit", base(&runner))))
}

/// The plan editor.
#[derive(Template)]
#[template(path = "pages/session_plan_edit.html")]
pub struct PlanEditPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    number: u8,
    input: PlanInput,
}

fn edit_page(
    runner: &ReviewRunner<SignedIn>,
    number: u8,
    input: PlanInput,
    errors: FormErrors,
) -> PlanEditPage {
    PlanEditPage {
        chrome: Chrome::with_errors(
            &runner.member.caller.session,
            format!("Edit the plan for session {number}"),
            &errors,
        ),
        errors,
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        number,
        input,
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan/edit`
pub async fn edit_plan(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
) -> AppResult<Response> {
    let (plan, _) = sessions::plan(&state, runner.member.org.id, runner.review.id, number).await?;
    Ok(ok(edit_page(
        &runner,
        number,
        plan.to_input(),
        FormErrors::new(),
    )))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan/edit`
pub async fn update_plan(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let input = PlanInput {
        template: form.get("template").to_owned(),
        objectives: form.get("objectives").to_owned(),
        agenda: form.get("agenda").to_owned(),
        roles: form.get("roles").to_owned(),
        ground_rules: form.get("ground_rules").to_owned(),
        good_questions: form.get("good_questions").to_owned(),
        groups: form.get("groups").to_owned(),
        contingency: form.get("contingency").to_owned(),
    };
    let plan = match SessionPlan::parse(&input) {
        Ok(plan) => plan,
        Err(problems) => {
            let mut errors = FormErrors::new();
            for (field, e) in problems {
                errors.add(field, e.0);
            }
            return Ok(invalid(edit_page(&runner, number, input, errors)));
        }
    };
    sessions::save_plan(
        &state,
        runner.member.org.id,
        runner.review.id,
        number,
        &plan,
    )
    .await?;
    Ok(see_other(&format!("{}/{number}/plan", base(&runner))))
}
