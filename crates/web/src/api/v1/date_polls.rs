//! Date polls for a review's two team sessions, as champions run them: offer candidate times,
//! email the poll links, read the tallies and choose one time per session, after which everyone
//! gets a calendar invitation. Invitees answer through `date_poll_links`; cancelling a chosen
//! time is in `sessions`.
//!
//! Times a person types or reads are UK local time ("2027-01-14T09:30", Europe/London); the
//! answers also carry each time as RFC 3339 in UTC. Link tokens are never returned: they travel
//! only in the emails to their holders.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use commonground_domain::{PollSlotId, ReviewId};
use commonground_store::{OrganisationId, now};
use serde::Deserialize;
use utoipa::ToSchema;

use super::date_poll_bodies::{DatePollBody, SentBody, SessionBody, poll_body, session_body};
use crate::api::Problem;
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::poll_input::{GuestDraft, PollDraft, SlotDraft};
use crate::scheduling;
use crate::state::AppState;

/// The most guests a poll may ask besides the participants.
const MAX_GUESTS: usize = 50;

/// A candidate time as offered, in UK local time.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"session": 1, "starts_at": "2027-01-14T09:30", "ends_at": "2027-01-14T11:30"}))]
pub struct SlotRequest {
    /// The session it is for: 1 or 2.
    #[schema(minimum = 1, maximum = 2)]
    pub session: u8,
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
}

/// Someone asked besides the review's participants, such as a peer reviewer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sam Patel", "email": "sam.patel@nhs.net", "side": "finance", "role": "peer_reviewer"}))]
pub struct GuestRequest {
    /// Their name.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// Their email address.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// `clinical`, `finance` or `other`.
    #[schema(value_type = GuestSide)]
    pub side: String,
    /// `peer_reviewer`, `facilitator` or `other`.
    #[schema(value_type = GuestRole)]
    pub role: String,
}

/// The side a guest is on.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GuestSide {
    /// Clinical staff.
    Clinical,
    /// Finance staff.
    Finance,
    /// Neither.
    Other,
}

/// The part a guest plays.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GuestRole {
    /// A peer reviewer from another organisation.
    PeerReviewer,
    /// The facilitator.
    Facilitator,
    /// Someone else.
    Other,
}

/// A new date poll. Every participant of the review is asked, plus the guests.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "location": "Seminar room 2, Education Centre",
    "message": "Both sessions are in person; tea provided.",
    "answer_by": "2027-01-10",
    "time_zone": "Europe/London",
    "slots": [
        {"session": 1, "starts_at": "2027-01-14T09:30", "ends_at": "2027-01-14T11:30"},
        {"session": 2, "starts_at": "2027-01-28T09:30", "ends_at": "2027-01-28T11:30"}
    ],
    "guests": [{"name": "Sam Patel", "email": "sam.patel@nhs.net", "side": "finance", "role": "peer_reviewer"}],
    "send": false
}))]
pub struct CreateDatePollRequest {
    /// Where the sessions will be.
    #[schema(min_length = 1, max_length = 200)]
    pub location: String,
    /// A note to invitees, shown in the email.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub message: Option<String>,
    /// The last day to answer (UK date), before the day of the first time offered.
    #[schema(format = Date, example = "2027-01-10")]
    pub answer_by: String,
    /// The time zone of the times: only `Europe/London` (the default) is accepted.
    #[serde(default)]
    #[schema(example = "Europe/London")]
    pub time_zone: Option<String>,
    /// The candidate times: 1 to 8 for each session, none overlapping, all in the future.
    #[schema(min_items = 2, max_items = 16)]
    pub slots: Vec<SlotRequest>,
    /// Guests besides the participants.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub guests: Vec<GuestRequest>,
    /// Email every invitee their poll link now (default false; see `sendDatePollLinks`).
    #[serde(default)]
    pub send: bool,
}

/// The time chosen for a session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"session": 1, "slot_id": 7}))]
pub struct ChooseSlotRequest {
    /// 1 or 2.
    #[schema(minimum = 1, maximum = 2)]
    pub session: i64,
    /// One of the poll's times offered for that session.
    pub slot_id: i64,
}

fn no_poll() -> AppError {
    AppError::Missing("This review has no date poll yet: start one with createDatePoll.".into())
}

async fn current_poll(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
) -> AppResult<DatePollBody> {
    let poll = state.store.poll(org, review).await?.ok_or_else(no_poll)?;
    let sessions = state.store.team_sessions(org, review).await?;
    Ok(poll_body(&poll, &sessions))
}

/// "2027-01-14T09:30" as (date, time), the seconds ":00" allowed; the error names the format.
pub(super) fn split_local(input: &str) -> Result<(String, String), String> {
    let text = input.trim();
    let bad = || "Enter a real date and time, like 2027-01-14T09:30".to_owned();
    let (date, time) = text.split_once('T').ok_or_else(bad)?;
    let time = if time.matches(':').count() == 2 {
        time.strip_suffix(":00").ok_or_else(bad)?
    } else {
        time
    };
    Ok((date.to_owned(), time.to_owned()))
}

/// The request as the shared poll draft, with the mistakes only the API can make (a time
/// that is not "YYYY-MM-DDTHH:MM", an end on another day than its start).
fn draft_of(request: &CreateDatePollRequest) -> (PollDraft, Vec<(String, String)>) {
    let mut errors = Vec::new();
    let mut slots = Vec::new();
    for (i, slot) in request.slots.iter().enumerate() {
        let field = format!("slots[{i}]");
        let starts = split_local(&slot.starts_at)
            .map_err(|e| errors.push((format!("{field}.starts_at"), e)));
        let ends =
            split_local(&slot.ends_at).map_err(|e| errors.push((format!("{field}.ends_at"), e)));
        let (Ok((date, starts)), Ok((end_date, ends))) = (starts, ends) else {
            continue;
        };
        if date != end_date {
            errors.push((
                format!("{field}.ends_at"),
                "End the session on the day it starts: a session cannot run overnight".to_owned(),
            ));
            continue;
        }
        slots.push(SlotDraft {
            field,
            session: slot.session,
            date,
            starts,
            ends,
        });
    }
    let guests = request
        .guests
        .iter()
        .enumerate()
        .map(|(i, g)| GuestDraft {
            field: format!("guests[{i}]"),
            name: g.name.clone(),
            email: g.email.clone(),
            side: g.side.clone(),
            role: g.role.clone(),
        })
        .collect();
    let draft = PollDraft {
        location: request.location.clone(),
        message: request.message.clone().unwrap_or_default(),
        answer_by: request.answer_by.clone(),
        time_zone: request.time_zone.clone().unwrap_or_default(),
        slots,
        guests,
    };
    (draft, errors)
}

/// Starts the review's date poll: every participant is asked, and the guests. With `send`, the
/// poll links are emailed at once. A review has one poll (409 when it has one).
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/date-poll", operation_id = "createDatePoll", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    request_body = CreateDatePollRequest,
    responses((status = 201, body = DatePollBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_date_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Json(request): Json<CreateDatePollRequest>,
) -> AppResult<(StatusCode, Json<DatePollBody>)> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let (draft, mut errors) = draft_of(&request);
    if request.guests.len() > MAX_GUESTS {
        errors.push((
            "guests".to_owned(),
            format!("Ask at most {MAX_GUESTS} guests: participants are asked already"),
        ));
    }
    match draft.check(now()) {
        Ok(poll) if errors.is_empty() => {
            if state.store.poll(org, review).await?.is_some() {
                return Err(AppError::Conflict(
                    "This review already has a date poll: choose times from it, or change it on the review's sessions page.".into(),
                ));
            }
            state
                .store
                .create_poll(org, review, &poll, runner.member.caller.user.id)
                .await?
                .ok_or(AppError::NotFound)?;
            let detail = format!(
                "{}: {} times offered",
                runner.review.title,
                poll.slots.len()
            );
            audit::record_by(&state, &runner.member, Action::PollCreated, None, &detail).await?;
        }
        Ok(_) => return Err(AppError::Invalid(errors)),
        Err(found) => {
            // With a time unreadable, "add a time for each session" would only confuse.
            let unreadable = !errors.is_empty();
            errors.extend(
                found
                    .into_iter()
                    .filter(|(field, _)| !(unreadable && field == "slots")),
            );
            return Err(AppError::Invalid(errors));
        }
    }
    if request.send {
        scheduling::send_poll_links(&state, org, review, &runner.review.title).await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(current_poll(&state, org, review).await?),
    ))
}

/// The review's date poll: times with tallies and the best ones, who is asked and who has
/// answered, and the sessions' chosen times. Never the link tokens.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/date-poll", operation_id = "getDatePoll", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = DatePollBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_date_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<DatePollBody>> {
    Ok(Json(
        current_poll(&state, runner.member.org.id, runner.review.id).await?,
    ))
}

/// Emails each invitee not yet emailed their personal poll link (participants added since the
/// poll started are asked too). 409 once the poll has closed.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/date-poll/send", operation_id = "sendDatePollLinks", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = SentBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn send_date_poll_links(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
) -> AppResult<Json<SentBody>> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    state.store.poll(org, review).await?.ok_or_else(no_poll)?;
    let sent = scheduling::send_poll_links(&state, org, review, &runner.review.title).await?;
    Ok(Json(SentBody { sent }))
}

/// Chooses a session's time from the poll and emails everyone a calendar invitation (an update
/// when the session had a time). Closes the poll. Session 2 must come after session 1.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/date-poll/choice", operation_id = "chooseSessionSlot", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id")),
    request_body = ChooseSlotRequest,
    responses((status = 200, body = SessionBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn choose_session_slot(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Json(request): Json<ChooseSlotRequest>,
) -> AppResult<Json<SessionBody>> {
    let (org, review) = (runner.member.org.id, runner.review.id);
    let session = commonground_domain::capture::session_number(request.session)
        .map_err(|e| AppError::invalid("session", e.0))?;
    state.store.poll(org, review).await?.ok_or_else(no_poll)?;
    scheduling::choose_slot(
        &state,
        org,
        review,
        &runner.review.title,
        session,
        PollSlotId(request.slot_id),
    )
    .await?;
    audit::session_event(&state, &runner, Action::SessionTimeChosen, session).await?;
    let sessions = state.store.team_sessions(org, review).await?;
    Ok(Json(session_body(&sessions[usize::from(session - 1)])))
}
