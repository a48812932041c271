//! A date poll as its invitees see it, through their personal poll link and without an
//! account: the times, their own answers, and answering.

use std::collections::HashSet;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use commonground_domain::PollSlotId;
use commonground_domain::london::{self, slot_label};
use commonground_domain::polls::Answer;
use commonground_store::now;
use commonground_store::polls::Answered;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::date_poll_bodies::{SlotBody, answer_by_day, slot_body};
use crate::api::Problem;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// An answer for one time.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slot_id": 7, "answer": "yes"}))]
pub struct SlotAnswer {
    /// The time.
    pub slot_id: i64,
    /// `yes`, `if_need_be` or `no`.
    pub answer: PollAnswer,
}

/// Whether the invitee can come.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PollAnswer {
    /// They can come.
    Yes,
    /// They can come, but would rather not.
    IfNeedBe,
    /// They cannot come.
    No,
}

impl PollAnswer {
    fn domain(self) -> Answer {
        match self {
            PollAnswer::Yes => Answer::Yes,
            PollAnswer::IfNeedBe => Answer::IfNeedBe,
            PollAnswer::No => Answer::No,
        }
    }

    fn of(answer: Answer) -> Self {
        match answer {
            Answer::Yes => PollAnswer::Yes,
            Answer::IfNeedBe => PollAnswer::IfNeedBe,
            Answer::No => PollAnswer::No,
        }
    }
}

/// An invitee's answers: one for every time of the poll, each once. Replaces earlier answers.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [{"slot_id": 7, "answer": "yes"}, {"slot_id": 8, "answer": "if_need_be"}]}))]
pub struct AnswerDatePollRequest {
    /// One answer per time.
    #[schema(min_items = 1, max_items = 16)]
    pub answers: Vec<SlotAnswer>,
}

/// The poll behind a personal poll link: the times and this invitee's own answers only.
#[derive(Serialize, ToSchema)]
pub struct LinkedPollBody {
    /// The organisation's name.
    pub organisation: String,
    /// The review's title.
    pub review: String,
    /// Where the sessions will be.
    pub location: String,
    /// The champions' note.
    pub message: String,
    /// The last day to answer (UK date).
    pub answer_by: String,
    /// Whether answers are still taken.
    pub open: bool,
    /// The time zone of the local times: `Europe/London`.
    pub time_zone: String,
    /// The times offered.
    pub slots: Vec<SlotBody>,
    /// This invitee's answers so far.
    pub your_answers: Vec<SlotAnswer>,
}

async fn linked_poll(state: &AppState, token: &str) -> AppResult<LinkedPollBody> {
    let linked = state
        .store
        .poll_by_link(token)
        .await?
        .ok_or(AppError::NotFound)?;
    let poll = &linked.poll;
    let your_answers = poll
        .answers
        .iter()
        .filter(|(invitee, _, _)| *invitee == linked.invitee)
        .filter_map(|(_, slot, answer)| {
            Some(SlotAnswer {
                slot_id: slot.0,
                answer: PollAnswer::of(Answer::parse(answer).ok()?),
            })
        })
        .collect();
    Ok(LinkedPollBody {
        organisation: linked.organisation_name,
        review: linked.review_title,
        location: poll.location.clone(),
        message: poll.message.clone(),
        answer_by: answer_by_day(poll.answer_by),
        open: poll.is_open(now()),
        time_zone: london::TIME_ZONE.to_owned(),
        slots: poll.slots.iter().map(slot_body).collect(),
        your_answers,
    })
}

/// The poll behind a personal poll link: the times and the holder's own answers (never anyone
/// else's). The link is the credential: no account.
#[utoipa::path(get, path = "/api/v1/date-polls/{token}", operation_id = "getDatePollByLink", tag = "sessions",
    params(("token" = String, Path, description = "The secret from the personal poll link")),
    responses((status = 200, body = LinkedPollBody), (status = 404, body = Problem)))]
pub async fn get_date_poll_by_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Json<LinkedPollBody>> {
    Ok(Json(linked_poll(&state, &token).await?))
}

fn closed() -> AppError {
    AppError::Conflict("The poll has closed, so your answers were not saved.".into())
}

/// Saves the holder's answers, one for every time of the poll, replacing earlier ones. 409 once
/// the poll has closed (a time chosen, or past its last day to answer).
#[utoipa::path(post, path = "/api/v1/date-polls/{token}/answers", operation_id = "answerDatePoll", tag = "sessions",
    params(("token" = String, Path, description = "The secret from the personal poll link")),
    request_body = AnswerDatePollRequest,
    responses((status = 200, body = LinkedPollBody), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_date_poll(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> AppResult<Json<LinkedPollBody>> {
    // The link is checked before the body is read, so an unknown link is always "not found".
    let linked = state
        .store
        .poll_by_link(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    let request: AnswerDatePollRequest = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid("body", format!("The answers could not be read: {e}")))?;
    let poll = &linked.poll;
    if !poll.is_open(now()) {
        return Err(closed());
    }
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, answer) in request.answers.iter().enumerate() {
        let field = format!("answers[{i}].slot_id");
        if !poll.slots.iter().any(|s| s.id.0 == answer.slot_id) {
            errors.push((
                field,
                format!("{} is not one of this poll's times", answer.slot_id),
            ));
        } else if !seen.insert(answer.slot_id) {
            errors.push((field, "Answer each time once".to_owned()));
        }
    }
    for slot in poll.slots.iter().filter(|s| !seen.contains(&s.id.0)) {
        if errors.iter().all(|(field, _)| field != "answers") {
            errors.push((
                "answers".to_owned(),
                format!(
                    "Answer every time: session {}, {} has no answer",
                    slot.session,
                    slot_label(slot.starts_at, slot.ends_at)
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let answers: Vec<(PollSlotId, &str)> = request
        .answers
        .iter()
        .map(|a| (PollSlotId(a.slot_id), a.answer.domain().as_str()))
        .collect();
    match state.store.answer_poll(&token, &answers, now()).await? {
        None => Err(AppError::NotFound),
        Some(Answered::Closed) => Err(closed()),
        Some(Answered::UnknownSlot) => Err(AppError::invalid(
            "answers",
            "The poll's times changed meanwhile: reload and answer again",
        )),
        Some(Answered::Saved) => Ok(Json(linked_poll(&state, &token).await?)),
    }
}
