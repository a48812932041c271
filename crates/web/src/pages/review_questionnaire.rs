//! The questionnaire from the champions' side (step 3): opening it (which emails every
//! participant their personal link), reminders, closing, releasing results, and the response
//! rate. Champions see who has answered so they can remind people, never what anyone answered.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use commonground_domain::dates::{iso_date, long_date, parse_date};
use commonground_domain::reminders::ReminderSchedule;
use commonground_domain::review::QuestionnaireState;
use commonground_store::reminders::RatesOnDay;

use super::{Chrome, ok, see_other};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, SignedIn};
use crate::forms::FormErrors;
use crate::mailing_status::{RetryingNotice, SendingRow, review_mail_status};
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
    history: Vec<(String, Vec<String>)>,
    history_groups: Vec<&'static str>,
    waiting: Vec<(String, String, String)>,
    has_open_link: bool,
    open_answers: i64,
    new_open_link: Option<String>,
    sending: Vec<SendingRow>,
    sending_active: bool,
    retrying: Option<RetryingNotice>,
    emails: String,
    schedule: String,
    days_after: String,
    days_before: String,
    closes_on: String,
    closes_on_text: String,
    remindable: usize,
}

/// The reminder fields as typed, to show again with an error.
struct ReminderInput {
    days_after: String,
    days_before: String,
    closes_on: String,
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
    page_with(state, runner, errors, None, None).await
}

async fn page_with(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    errors: FormErrors,
    new_open_link: Option<String>,
    typed: Option<ReminderInput>,
) -> AppResult<ReviewQuestionnairePage> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let invitees = state.store.list_participants(org, review).await?;
    let without_link =
        usize::try_from(state.store.uninvited_count(org, review).await?).unwrap_or(0);
    let (schedule, closes_on) = state
        .store
        .reminder_settings(org, review)
        .await?
        .unwrap_or_default();
    let (sending, retrying) = review_mail_status(state, org, review).await?;
    let typed = typed.unwrap_or_else(|| ReminderInput {
        days_after: schedule.days_after_text(),
        days_before: schedule
            .days_before_close
            .map(|d| d.to_string())
            .unwrap_or_default(),
        closes_on: closes_on.map(iso_date).unwrap_or_default(),
    });
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
        history: history_rows(&state.store.response_rate_history(org, review).await?),
        history_groups: HISTORY_GROUPS.to_vec(),
        sending_active: sending.iter().any(|row| !row.finished),
        emails: format!("/organisations/{org}/reviews/{review}/emails"),
        remindable: invitees
            .iter()
            .filter(|p| !p.responded && p.email_problem.is_none())
            .count()
            .saturating_sub(without_link),
        waiting: invitees
            .iter()
            .filter(|p| !p.responded)
            .map(|p| {
                (
                    p.name.clone(),
                    p.email.clone(),
                    p.email_problem.clone().unwrap_or_default(),
                )
            })
            .collect(),
        has_open_link: state.store.has_open_link(org, review).await?,
        open_answers: state.store.response_count(org, review).await?
            - i64::try_from(rates.answered).unwrap_or(0),
        new_open_link,
        sending,
        retrying,
        schedule: schedule.describe(),
        days_after: typed.days_after,
        days_before: typed.days_before,
        closes_on: typed.closes_on,
        closes_on_text: closes_on.map(long_date).unwrap_or_default(),
    })
}

/// The groups the history table shows, in its column order.
const HISTORY_GROUPS: [&str; 4] = ["All", "Clinical", "Finance", "Management and other"];

/// One row per day: its date and, per group, "answered of invited".
fn history_rows(days: &[RatesOnDay]) -> Vec<(String, Vec<String>)> {
    days.iter()
        .map(|day| {
            let cells = HISTORY_GROUPS
                .iter()
                .map(|name| {
                    day.groups.iter().find(|g| g.0 == *name).map_or_else(
                        || "None invited".to_owned(),
                        |g| format!("{} of {}", g.1, g.2),
                    )
                })
                .collect();
            let date = parse_date(&day.day).map_or_else(|_| day.day.clone(), long_date);
            (date, cells)
        })
        .collect()
}

/// Reads an optional planned closing date, which must not be in the past.
fn closing_date(errors: &mut FormErrors, text: &str) -> Option<i64> {
    if text.trim().is_empty() {
        return None;
    }
    let date = errors.check("closes_on", parse_date(text))?;
    if date + 86_400 <= commonground_store::now() {
        errors.add(
            "closes_on",
            "The closing date must be today or in the future",
        );
        return None;
    }
    Some(date)
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

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/open`: opens it (with an
/// optional planned closing date) or invites people added since.
pub async fn open_questionnaire(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let closes_on = closing_date(&mut errors, form.get("closes_on"));
    if !errors.is_empty() {
        return Ok(super::invalid(page(&state, &runner, errors).await?));
    }
    let result = actions::open(&state, &runner.member.org, &runner.review, closes_on)
        .await
        .map(|_| ());
    act(&state, &runner, result).await
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/reminders`: the reminder
/// schedule and the planned closing date.
pub async fn update_reminders(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let typed = ReminderInput {
        days_after: form.get("days_after").to_owned(),
        days_before: form.get("days_before").to_owned(),
        closes_on: form.get("closes_on").to_owned(),
    };
    let schedule = errors.check(
        "days_after",
        ReminderSchedule::parse(&typed.days_after, &typed.days_before),
    );
    let closes_on = closing_date(&mut errors, &typed.closes_on);
    let Some(schedule) = schedule.filter(|_| errors.is_empty()) else {
        return Ok(super::invalid(
            page_with(&state, &runner, errors, None, Some(typed)).await?,
        ));
    };
    state
        .store
        .set_reminder_settings(runner.member.org.id, runner.review.id, &schedule, closes_on)
        .await?;
    Ok(see_other(&base(&runner)))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/remind`: a reminder now to
/// everyone who has not answered.
pub async fn create_reminder(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    let result = actions::remind_now(&state, &runner.member.org, &runner.review)
        .await
        .and_then(|job| {
            job.map(|_| ()).ok_or_else(|| {
                AppError::Conflict("Everyone who can be reminded has answered.".into())
            })
        });
    act(&state, &runner, result).await
}

/// `POST /organisations/{org_id}/reviews/{review_id}/questionnaire/retry-emails`: tries
/// emails that failed to go again now.
pub async fn retry_emails(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    state
        .store
        .retry_review_emails(runner.member.org.id, runner.review.id)
        .await?;
    state.wake_jobs();
    Ok(see_other(&base(&runner)))
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
    let result = actions::release(&state, &runner.member, &runner.review).await;
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
    Ok(ok(page_with(
        &state,
        &runner,
        FormErrors::new(),
        Some(link),
        None,
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
