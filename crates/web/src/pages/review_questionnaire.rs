//! The questionnaire from the champions' side (step 3): opening it (which emails every
//! participant their personal link), closing, releasing results, and the response rate.
//! Champions see who has answered so they can remind people, never what anyone answered.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::review::QuestionnaireState;

use super::{Chrome, ok, see_other};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, SignedIn};
use crate::forms::FormErrors;
use crate::questionnaire_actions as actions;
use crate::state::AppState;

/// A response-rate table: caption and (group, answered, invited) rows.
pub struct RateTable {
    caption: &'static str,
    rows: Vec<(String, usize, usize)>,
}

/// The questionnaire tab of a review.
#[derive(Template)]
#[template(path = "pages/review_questionnaire.html")]
pub struct ReviewQuestionnairePage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    base: String,
    results: String,
    state: QuestionnaireState,
    invited: usize,
    answered: usize,
    without_link: usize,
    rates: Vec<RateTable>,
    waiting: Vec<(String, String)>,
    has_open_link: bool,
    open_answers: i64,
    new_open_link: Option<String>,
}

fn base(runner: &ReviewRunner<SignedIn>) -> String {
    format!(
        "/organisations/{}/reviews/{}/questionnaire",
        runner.member.org.id, runner.review.id
    )
}

async fn page(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    errors: FormErrors,
) -> AppResult<ReviewQuestionnairePage> {
    page_with_link(state, runner, errors, None).await
}

async fn page_with_link(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    errors: FormErrors,
    new_open_link: Option<String>,
) -> AppResult<ReviewQuestionnairePage> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let invitees = state.store.list_participants(org, review).await?;
    let without_link = state
        .store
        .participants_without_link(org, review)
        .await?
        .len();
    let rates = actions::response_rates(&invitees);
    let table = |caption, groups: Vec<actions::GroupRate>| RateTable {
        caption,
        rows: groups
            .into_iter()
            .map(|g| (g.group, g.answered, g.invited))
            .collect(),
    };
    Ok(ReviewQuestionnairePage {
        chrome: Chrome::with_errors(&runner.member.caller.session, "Questionnaire", &errors),
        errors,
        org_id: org.0,
        review_id: review.0,
        review_title: runner.review.title.clone(),
        base: base(runner),
        results: format!("/organisations/{org}/reviews/{review}/results"),
        state: runner.review.questionnaire,
        invited: rates.invited,
        answered: rates.answered,
        without_link,
        rates: vec![
            table("Clinical and finance", rates.by_side),
            table("Division", rates.by_division),
            table("Role level", rates.by_role_level),
        ],
        waiting: invitees
            .iter()
            .filter(|p| !p.responded)
            .map(|p| (p.name.clone(), p.email.clone()))
            .collect(),
        has_open_link: state.store.has_open_link(org, review).await?,
        open_answers: state.store.response_count(org, review).await?
            - i64::try_from(rates.answered).unwrap_or(0),
        new_open_link,
    })
}

/// `GET /organisations/{org_id}/reviews/{review_id}/questionnaire`
pub async fn show_review_questionnaire(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    Ok(ok(page(&state, &runner, FormErrors::new()).await?))
}

/// Runs a state change; a refusal shows the tab again with the reason.
async fn act(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(see_other(&base(runner))),
        Err(AppError::Conflict(message)) => {
            let mut errors = FormErrors::new();
            errors.add("state", message.trim_end_matches('.'));
            Ok(super::invalid(page(state, runner, errors).await?))
        }
        Err(e) => Err(e),
    }
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/open`
pub async fn open_questionnaire(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    let result = actions::open(&state, &runner.member.org, &runner.review)
        .await
        .map(|_| ());
    act(&state, &runner, result).await
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/close`
pub async fn close_questionnaire(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    let result = actions::close(&state, &runner.member.org, &runner.review).await;
    act(&state, &runner, result).await
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/release`
pub async fn release_results(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    let result = actions::release(&state, &runner.member.org, &runner.review).await;
    act(&state, &runner, result).await
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/open-link`: makes a new open
/// link (any earlier one stops working) and shows it once.
pub async fn create_open_link(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    let secret = commonground_store::NewSecret::generate("");
    state
        .store
        .set_open_link(runner.member.org.id, runner.review.id, Some(&secret.hash))
        .await?;
    let link = format!("{}/q/open/{}", state.config.public_base_url, secret.token);
    Ok(ok(page_with_link(
        &state,
        &runner,
        FormErrors::new(),
        Some(link),
    )
    .await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/open-link/remove`
pub async fn delete_open_link(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    state
        .store
        .set_open_link(runner.member.org.id, runner.review.id, None)
        .await?;
    Ok(see_other(&base(&runner)))
}
