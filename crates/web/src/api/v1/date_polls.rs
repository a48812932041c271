//! Date polls for a review's two team sessions: champions offer candidate times, invitees
//! answer from a personal poll link (no account), champions choose one time per session and
//! everyone gets a calendar invitation; a chosen time can be cancelled.
//!
//! Times a person types or reads are UK local time ("2027-01-14T09:30", Europe/London); the
//! answers also carry each time as RFC 3339 in UTC. Link tokens are never returned: they travel
//! only in the emails to their holders.

use std::collections::HashSet;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use commonground_domain::london::{self, local_date_time, slot_label};
use commonground_domain::polls::{self, Answer};
use commonground_domain::{PollSlotId, ReviewId};
use commonground_store::polls::{Answered, Poll, Slot};
use commonground_store::team_sessions::TeamSession;
use commonground_store::{OrganisationId, now};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sessions::{SessionPath, session_in_path};
use crate::api::Problem;
use crate::audit::{self, Action};
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::poll_input::{GuestDraft, PollDraft, SlotDraft};
use crate::scheduling::{self, invitee_side};
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

/// How one candidate time stands.
#[derive(Serialize, ToSchema)]
pub struct TallyBody {
    /// Invitees who answered yes.
    pub yes: u32,
    /// Invitees who answered if need be.
    pub if_need_be: u32,
    /// Invitees who answered no.
    pub no: u32,
    /// Invitees who have not answered.
    pub unanswered: u32,
    /// Clinical invitees who can come (yes or if need be).
    pub clinical_can_come: u32,
    /// Finance invitees who can come.
    pub finance_can_come: u32,
    /// Other invitees who can come.
    pub other_can_come: u32,
    /// A warning when clinical or finance staff can hardly come.
    pub balance_warning: Option<String>,
    /// Whether it is (one of) the best times for its session.
    pub best: bool,
}

/// A candidate time.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "session": 1, "starts_at": "2027-01-14T09:30:00Z", "ends_at": "2027-01-14T11:30:00Z", "starts_at_local": "2027-01-14T09:30", "ends_at_local": "2027-01-14T11:30", "label": "Thursday 14 January 2027, 9:30am to 11:30am"}))]
pub struct SlotBody {
    /// Its id.
    pub id: i64,
    /// Session 1 or 2.
    pub session: u8,
    /// Start (RFC 3339, UTC).
    pub starts_at: String,
    /// End (RFC 3339, UTC).
    pub ends_at: String,
    /// Start, UK local time, "YYYY-MM-DDTHH:MM".
    pub starts_at_local: String,
    /// End, UK local time.
    pub ends_at_local: String,
    /// How pages write it.
    pub label: String,
}

/// A candidate time with its tally, as champions see it.
#[derive(Serialize, ToSchema)]
pub struct TalliedSlotBody {
    /// The time.
    #[serde(flatten)]
    pub slot: SlotBody,
    /// Who can come.
    pub tally: TallyBody,
}

/// Someone asked to answer. Their link is never shown: it is in their email only.
#[derive(Serialize, ToSchema)]
pub struct InviteeBody {
    /// Their id in the poll.
    pub id: i64,
    /// The participant they are, if they are one.
    pub participant_id: Option<i64>,
    /// Their name (empty once erased).
    pub name: String,
    /// Their email address (empty once erased).
    pub email: String,
    /// `participant`, `peer_reviewer`, `facilitator` or `other`.
    pub role: String,
    /// `clinical`, `finance` or `other`.
    pub side: String,
    /// Whether their link has been emailed.
    pub invited: bool,
    /// Whether they have answered.
    pub answered: bool,
}

/// One of the review's two sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    /// 1 or 2.
    pub number: u8,
    /// Whether it has a time.
    pub scheduled: bool,
    /// Start (RFC 3339, UTC), once chosen.
    pub starts_at: Option<String>,
    /// End (RFC 3339, UTC), once chosen.
    pub ends_at: Option<String>,
    /// Start, UK local time, once chosen.
    pub starts_at_local: Option<String>,
    /// End, UK local time, once chosen.
    pub ends_at_local: Option<String>,
    /// How pages write the time, once chosen.
    pub label: Option<String>,
    /// Where.
    pub location: String,
    /// How many calendar invitations, updates and cancellations were sent (iCalendar SEQUENCE).
    pub calendar_sequence: i64,
}

/// A review's date poll, as its champions see it.
#[derive(Serialize, ToSchema)]
pub struct DatePollBody {
    /// Its id.
    pub id: i64,
    /// Where the sessions will be.
    pub location: String,
    /// The note to invitees.
    pub message: String,
    /// The last day to answer (UK date).
    pub answer_by: String,
    /// When answers stop (RFC 3339, UTC): the end of `answer_by`, UK time.
    pub answers_close_at: String,
    /// When champions closed it (by choosing a time), if they did.
    pub closed_at: Option<String>,
    /// Whether answers are still taken.
    pub open: bool,
    /// The time zone of the local times: `Europe/London`.
    pub time_zone: String,
    /// The candidate times with their tallies, session 1 first.
    pub slots: Vec<TalliedSlotBody>,
    /// The ids of the best times for each session (ties included).
    pub best_slot_ids: Vec<i64>,
    /// Who is asked, participants first.
    pub invitees: Vec<InviteeBody>,
    /// Both sessions, with the times chosen so far.
    pub sessions: Vec<SessionBody>,
}

/// How many poll links were emailed.
#[derive(Serialize, ToSchema)]
pub struct SentBody {
    /// Emails sent now (invitees already emailed are not emailed again).
    pub sent: usize,
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

fn slot_body(slot: &Slot) -> SlotBody {
    SlotBody {
        id: slot.id.0,
        session: slot.session,
        starts_at: rfc3339(slot.starts_at),
        ends_at: rfc3339(slot.ends_at),
        starts_at_local: local_date_time(slot.starts_at),
        ends_at_local: local_date_time(slot.ends_at),
        label: slot_label(slot.starts_at, slot.ends_at),
    }
}

/// A session as the API shows it.
#[must_use]
pub fn session_body(session: &TeamSession) -> SessionBody {
    let times = session.starts_at.zip(session.ends_at);
    SessionBody {
        number: session.number,
        scheduled: times.is_some(),
        starts_at: times.map(|(s, _)| rfc3339(s)),
        ends_at: times.map(|(_, e)| rfc3339(e)),
        starts_at_local: times.map(|(s, _)| local_date_time(s)),
        ends_at_local: times.map(|(_, e)| local_date_time(e)),
        label: times.map(|(s, e)| slot_label(s, e)),
        location: session.location.clone(),
        calendar_sequence: session.sequence,
    }
}

/// The last day to answer: the day before the instant answers stop.
fn answer_by_day(answer_by: i64) -> String {
    london::local_date(answer_by - 1)
}

fn poll_body(poll: &Poll, sessions: &[TeamSession]) -> DatePollBody {
    let tallies = scheduling::tallies(poll);
    let best = scheduling::best_slots(poll, &tallies);
    let slots = poll
        .slots
        .iter()
        .zip(&tallies)
        .map(|(slot, t)| TalliedSlotBody {
            slot: slot_body(slot),
            tally: TallyBody {
                yes: t.yes,
                if_need_be: t.if_need_be,
                no: t.no,
                unanswered: t.unanswered,
                clinical_can_come: t.clinical_can_come,
                finance_can_come: t.finance_can_come,
                other_can_come: t.other_can_come,
                balance_warning: polls::balance_warning(t),
                best: best.contains(&slot.id.0),
            },
        })
        .collect();
    DatePollBody {
        id: poll.id.0,
        location: poll.location.clone(),
        message: poll.message.clone(),
        answer_by: answer_by_day(poll.answer_by),
        answers_close_at: rfc3339(poll.answer_by),
        closed_at: poll.closed_at.map(rfc3339),
        open: poll.is_open(now()),
        time_zone: london::TIME_ZONE.to_owned(),
        slots,
        best_slot_ids: best,
        invitees: poll
            .invitees
            .iter()
            .map(|i| InviteeBody {
                id: i.id.0,
                participant_id: i.participant.map(|p| p.0),
                name: i.name.clone(),
                email: i.email.clone(),
                role: i.role.clone(),
                side: invitee_side(&i.group).as_str().to_owned(),
                invited: i.invited_at.is_some(),
                answered: i.answered_at.is_some(),
            })
            .collect(),
        sessions: sessions.iter().map(session_body).collect(),
    }
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
fn split_local(input: &str) -> Result<(String, String), String> {
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
    let detail = format!("{}: session {session}", runner.review.title);
    audit::record_by(
        &state,
        &runner.member,
        Action::SessionTimeChosen,
        None,
        &detail,
    )
    .await?;
    let sessions = state.store.team_sessions(org, review).await?;
    Ok(Json(session_body(&sessions[usize::from(session - 1)])))
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
    let detail = format!("{}: session {session}", runner.review.title);
    audit::record_by(
        &state,
        &runner.member,
        Action::SessionCancelled,
        None,
        &detail,
    )
    .await?;
    let sessions = state.store.team_sessions(org, review).await?;
    Ok(Json(session_body(&sessions[usize::from(session - 1)])))
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
