//! What a session records: who came, and in session 2 the score challenges and the first draft
//! actions from the next steps the team agreed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::capture::{CaptureKind, ChallengeOutcome, note};
use commonground_domain::{CaptureItemId, ParticipantId};
use commonground_store::capture::{DraftAction, ScoreChallenge};
use commonground_store::now;
use commonground_store::participants::Participant;

use super::sessions::base;
use super::{Chrome, invalid, ok, see_other};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, SessionNumber, SignedIn};
use crate::forms::FormErrors;
use crate::state::AppState;

/// A participant's attendance tick box.
pub struct AttendanceRow {
    id: i64,
    name: String,
    present: bool,
}

/// A next step that can become a draft action.
pub struct NextStepRow {
    id: i64,
    text: String,
    drafted: bool,
}

/// What a session records.
#[derive(Template)]
#[template(path = "pages/session_record.html")]
pub struct RecordPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    number: u8,
    attendance: Vec<AttendanceRow>,
    recorded: bool,
    factors: Vec<(String, String)>,
    outcomes: Vec<(&'static str, &'static str)>,
    challenges: Vec<(String, ScoreChallenge, &'static str)>,
    next_steps: Vec<NextStepRow>,
    actions: Vec<DraftAction>,
    form: (String, String, String, String),
}

async fn record_page(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    number: u8,
    errors: FormErrors,
    form: (String, String, String, String),
) -> AppResult<RecordPage> {
    let org = runner.member.org.id;
    let review = runner.review.id;
    let participants: Vec<Participant> = state.store.list_participants(org, review).await?;
    let recorded = state.store.attendance(org, review, number).await?;
    let instrument = state
        .store
        .review_instrument(org, review)
        .await?
        .ok_or(AppError::NotFound)?;
    let factors: Vec<(String, String)> = instrument
        .factors
        .iter()
        .map(|f| (f.key.clone(), f.title.clone()))
        .collect();
    let title_of = |key: &str| {
        factors
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| key.to_owned(), |(_, t)| t.clone())
    };
    let challenges = state
        .store
        .score_challenges(org, review)
        .await?
        .into_iter()
        .map(|c| {
            let outcome = ChallengeOutcome::parse(&c.outcome).map_or("", ChallengeOutcome::label);
            (title_of(&c.factor), c, outcome)
        })
        .collect();
    let actions = state.store.draft_actions(org, review).await?;
    let mut next_steps = Vec::new();
    for session in [1u8, 2] {
        for item in state
            .store
            .capture_items(org, review, session, None)
            .await?
        {
            if item.kind == CaptureKind::NextStep.as_str() {
                next_steps.push(NextStepRow {
                    id: item.id.0,
                    drafted: actions.iter().any(|a| a.source == Some(item.id)),
                    text: item.body,
                });
            }
        }
    }
    Ok(RecordPage {
        chrome: Chrome::with_errors(
            &runner.member.caller.session,
            format!("Record of session {number}"),
            &errors,
        ),
        errors,
        org_id: org.0,
        review_id: review.0,
        review_title: runner.review.title.clone(),
        number,
        attendance: participants
            .iter()
            .filter(|p| !p.email.is_empty())
            .map(|p| AttendanceRow {
                id: p.id.0,
                name: p.name.clone(),
                present: recorded.iter().any(|(id, here)| *id == p.id && *here),
            })
            .collect(),
        recorded: !recorded.is_empty(),
        factors,
        outcomes: ChallengeOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        challenges,
        next_steps,
        actions,
        form,
    })
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/{session}/record`
pub async fn show_record(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
) -> AppResult<Response> {
    Ok(ok(record_page(
        &state,
        &runner,
        number,
        FormErrors::new(),
        Default::default(),
    )
    .await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/attendance`
pub async fn update_attendance(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let org = runner.member.org.id;
    let known = state.store.list_participants(org, runner.review.id).await?;
    let mut present = Vec::new();
    for value in form.all("present") {
        let known_id = value
            .parse::<i64>()
            .ok()
            .filter(|id| known.iter().any(|p| p.id.0 == *id));
        let Some(id) = known_id else {
            let mut errors = FormErrors::new();
            errors.add("present", "Tick people from the list of participants");
            let page = record_page(&state, &runner, number, errors, Default::default()).await?;
            return Ok(invalid(page));
        };
        present.push(ParticipantId(id));
    }
    state
        .store
        .record_attendance(org, runner.review.id, number, &present)
        .await?;
    Ok(see_other(&format!("{}/{number}/record", base(&runner))))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/challenges`: a score
/// challenged in session 2, with the argument and what the team decided.
pub async fn create_challenge(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let org = runner.member.org.id;
    let typed = (
        form.get("factor").to_owned(),
        form.get("argument").to_owned(),
        form.get("outcome").to_owned(),
        form.get("outcome_note").to_owned(),
    );
    let instrument = state
        .store
        .review_instrument(org, runner.review.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::new();
    if !instrument.factors.iter().any(|f| f.key == typed.0) {
        errors.add("factor", "Select the factor whose score was challenged");
    }
    let argument = note(&typed.1, "the argument").map_err(|e| errors.add("argument", e.0));
    let outcome = ChallengeOutcome::parse(&typed.2).map_err(|e| errors.add("outcome", e.0));
    let outcome_note = if typed.3.trim().is_empty() {
        Ok(String::new())
    } else {
        note(&typed.3, "what the team said").map_err(|e| errors.add("outcome_note", e.0))
    };
    let (true, Ok(argument), Ok(outcome), Ok(outcome_note)) =
        (errors.is_empty(), argument, outcome, outcome_note)
    else {
        return Ok(invalid(
            record_page(&state, &runner, number, errors, typed).await?,
        ));
    };
    let challenge = ScoreChallenge {
        id: commonground_domain::ScoreChallengeId(0),
        factor: typed.0,
        argument,
        outcome: outcome.as_str().to_owned(),
        outcome_note,
        created_at: now(),
    };
    state
        .store
        .add_score_challenge(
            org,
            runner.review.id,
            &challenge,
            runner.member.caller.user.id,
        )
        .await?;
    Ok(see_other(&format!(
        "{}/{number}/record#challenges",
        base(&runner)
    )))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/{session}/draft-actions`: agreed
/// next steps become draft actions for the action plan.
pub async fn create_draft_actions(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    SessionNumber(number): SessionNumber,
    form: Form,
) -> AppResult<Response> {
    let mut items = Vec::new();
    for value in form.all("next_steps") {
        match value.parse::<i64>() {
            Ok(id) => items.push(CaptureItemId(id)),
            Err(_) => items.clear(),
        }
    }
    if items.is_empty() {
        let mut errors = FormErrors::new();
        errors.add("next_steps", "Select the next steps the team agreed");
        return Ok(invalid(
            record_page(&state, &runner, number, errors, Default::default()).await?,
        ));
    }
    state
        .store
        .draft_actions_from(
            runner.member.org.id,
            runner.review.id,
            &items,
            runner.member.caller.user.id,
        )
        .await?;
    Ok(see_other(&format!(
        "{}/{number}/record#actions",
        base(&runner)
    )))
}
