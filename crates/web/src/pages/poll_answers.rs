//! The date poll as an invitee sees it: answering from a personal link, without an account,
//! and the chosen sessions for their calendar.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commonground_domain::london::slot_label;
use commonground_domain::polls::Answer;
use commonground_domain::{PollSlotId, dates::long_date};
use commonground_store::now;
use commonground_store::polls::{Answered, LinkedPoll};

use super::polls::calendar_response;
use super::{Chrome, MessagePage, invalid, ok, render};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, Session};
use crate::forms::FormErrors;
use crate::scheduling;
use crate::state::AppState;

/// An invitee's answer page.
#[derive(Template)]
#[template(path = "pages/poll_answer.html")]
pub struct PollAnswerPage {
    chrome: Chrome,
    errors: FormErrors,
    token: String,
    organisation: String,
    review_title: String,
    name: String,
    location: String,
    message: String,
    answer_by: String,
    sessions: Vec<(u8, Vec<AnswerRow>)>,
    saved: bool,
    has_calendar: bool,
}

/// One time and the invitee's answer to it.
pub struct AnswerRow {
    id: i64,
    label: String,
    answer: String,
}

async fn linked(state: &AppState, token: &str) -> AppResult<LinkedPoll> {
    state
        .store
        .poll_by_link(token)
        .await?
        .ok_or(AppError::NotFound)
}

async fn answer_page(
    state: &AppState,
    session: &Session,
    token: &str,
    chosen: &[(PollSlotId, String)],
    errors: FormErrors,
    saved: bool,
) -> AppResult<Response> {
    let linked = linked(state, token).await?;
    let poll = &linked.poll;
    if !poll.is_open(now()) && !saved {
        let sessions = state
            .store
            .team_sessions(linked.organisation, linked.review)
            .await?;
        let times: Vec<String> = sessions
            .iter()
            .filter_map(|s| {
                Some(format!(
                    "Session {}: {}",
                    s.number,
                    slot_label(s.starts_at?, s.ends_at?)
                ))
            })
            .collect();
        let mut paragraphs =
            vec!["The team has closed this poll, so answers can no longer be changed.".to_owned()];
        if times.is_empty() {
            paragraphs
                .push("You will get an invitation by email once the times are chosen.".to_owned());
        } else {
            paragraphs.push(
                "The sessions will be at these times, and you should have an invitation by email:"
                    .to_owned(),
            );
            paragraphs.extend(times);
        }
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        };
        let page = MessagePage {
            chrome: Chrome::new(session, "This poll has closed"),
            confirmation: false,
            paragraphs,
            link: None,
        };
        return Ok(render(status, page));
    }
    let answer_of = |slot: PollSlotId| {
        chosen
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, a)| a.clone())
            .or_else(|| {
                poll.answers
                    .iter()
                    .find(|(i, s, _)| *i == linked.invitee && *s == slot)
                    .map(|(_, _, a)| a.clone())
            })
            .unwrap_or_default()
    };
    let sessions = [1u8, 2]
        .into_iter()
        .map(|n| {
            let rows = poll
                .slots
                .iter()
                .filter(|s| s.session == n)
                .map(|s| AnswerRow {
                    id: s.id.0,
                    label: slot_label(s.starts_at, s.ends_at),
                    answer: answer_of(s.id),
                })
                .collect();
            (n, rows)
        })
        .collect();
    let invitee = poll.invitees.iter().find(|i| i.id == linked.invitee);
    let has_calendar = state
        .store
        .team_sessions(linked.organisation, linked.review)
        .await?
        .iter()
        .any(|s| s.starts_at.is_some());
    let page = PollAnswerPage {
        chrome: Chrome::with_errors(session, "Which times suit you?", &errors),
        errors,
        token: token.to_owned(),
        organisation: linked.organisation_name.clone(),
        review_title: linked.review_title.clone(),
        name: invitee.map(|i| i.name.clone()).unwrap_or_default(),
        location: poll.location.clone(),
        message: poll.message.clone(),
        answer_by: long_date(poll.answer_by - 1),
        sessions,
        saved,
        has_calendar,
    };
    Ok(if page.errors.is_empty() {
        ok(page)
    } else {
        invalid(page)
    })
}

/// `GET /poll/{token}`
pub async fn show_poll_answer(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> AppResult<Response> {
    answer_page(&state, &session, &token, &[], FormErrors::new(), false).await
}

/// `POST /poll/{token}`: every time needs an answer; answers can change until the poll closes.
pub async fn update_poll_answer(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    form: Form,
) -> AppResult<Response> {
    let linked = linked(&state, &token).await?;
    let mut errors = FormErrors::new();
    let mut answers: Vec<(PollSlotId, String)> = Vec::new();
    for slot in &linked.poll.slots {
        let field = format!("slot-{}", slot.id);
        let value = form.get(&field);
        if let Ok(answer) = Answer::parse(value) {
            answers.push((slot.id, answer.as_str().to_owned()));
        } else {
            answers.push((slot.id, String::new()));
            errors.add(
                &field,
                format!(
                    "Select yes, if need be or no for session {}, {}",
                    slot.session,
                    slot_label(slot.starts_at, slot.ends_at)
                ),
            );
        }
    }
    if !errors.is_empty() {
        return answer_page(&state, &session, &token, &answers, errors, false).await;
    }
    let pairs: Vec<(PollSlotId, &str)> = answers.iter().map(|(s, a)| (*s, a.as_str())).collect();
    match state.store.answer_poll(&token, &pairs, now()).await? {
        None => Err(AppError::NotFound),
        Some(Answered::Saved) => {
            answer_page(&state, &session, &token, &[], FormErrors::new(), true).await
        }
        Some(Answered::Closed) => {
            let mut closed = FormErrors::new();
            closed.add("poll", "The poll has closed");
            answer_page(&state, &session, &token, &[], closed, false).await
        }
        Some(Answered::UnknownSlot) => Err(AppError::Conflict(
            "The times changed while you answered: open the link again.".into(),
        )),
    }
}

/// `GET /poll/{token}/calendar.ics`: the chosen sessions, for an invitee's own calendar.
pub async fn show_poll_calendar(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let linked = linked(&state, &token).await?;
    let file = scheduling::calendar_file(
        &state,
        linked.organisation,
        linked.review,
        &linked.review_title,
    )
    .await?;
    Ok(calendar_response(file))
}
