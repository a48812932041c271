//! The date poll (step 2): champions offer times for both sessions, see who can come to each,
//! and choose; invitees answer from their personal link, without an account.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use commonground_domain::london::slot_label;
use commonground_domain::participants::Side;
use commonground_domain::polls::{self, Answer};
use commonground_domain::{PollSlotId, dates::long_date};
use commonground_store::now;
use commonground_store::polls::{Answered, Poll};

use super::{Chrome, MessagePage, invalid, ok, render, see_other};
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, Session, SignedIn};
use crate::forms::FormErrors;
use crate::scheduling::{self, GUEST_ROLES, GuestDraft, PollDraft, SlotDraft};
use crate::state::AppState;

/// Rows of candidate times the form offers per session (the API takes up to 8).
const SLOT_ROWS: usize = 6;
/// Rows for guests on the form.
const GUEST_ROWS: usize = 4;

/// One row of the new-poll form, as typed.
pub struct SlotRow {
    prefix: String,
    date: String,
    starts: String,
    ends: String,
}

/// One guest row of the new-poll form.
pub struct GuestRow {
    prefix: String,
    name: String,
    email: String,
    side: String,
    role: String,
}

/// The new-poll page.
#[derive(Template)]
#[template(path = "pages/poll_new.html")]
pub struct NewPollPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    location: String,
    message: String,
    answer_by: String,
    sessions: Vec<(u8, Vec<SlotRow>)>,
    guests: Vec<GuestRow>,
    sides: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
}

fn base(runner: &ReviewRunner<SignedIn>) -> String {
    format!(
        "/organisations/{}/reviews/{}/sessions",
        runner.member.org.id, runner.review.id
    )
}

fn read_draft(form: &Form) -> PollDraft {
    let mut slots = Vec::new();
    for session in [1u8, 2] {
        for row in 0..SLOT_ROWS {
            let prefix = format!("s{session}-{row}");
            slots.push(SlotDraft {
                field: format!("{prefix}-date"),
                session,
                date: form.get(&format!("{prefix}-date")).to_owned(),
                starts: form.get(&format!("{prefix}-starts")).to_owned(),
                ends: form.get(&format!("{prefix}-ends")).to_owned(),
            });
        }
    }
    let guests = (0..GUEST_ROWS)
        .map(|row| {
            let prefix = format!("g{row}");
            GuestDraft {
                field: format!("{prefix}-name"),
                name: form.get(&format!("{prefix}-name")).to_owned(),
                email: form.get(&format!("{prefix}-email")).to_owned(),
                side: form.get(&format!("{prefix}-side")).to_owned(),
                role: form.get(&format!("{prefix}-role")).to_owned(),
            }
        })
        .collect();
    PollDraft {
        location: form.get("location").to_owned(),
        message: form.get("message").to_owned(),
        answer_by: form.get("answer_by").to_owned(),
        time_zone: String::new(),
        slots,
        guests,
    }
}

fn new_page(runner: &ReviewRunner<SignedIn>, draft: &PollDraft, errors: FormErrors) -> NewPollPage {
    let row = |session: u8, row: usize| {
        let prefix = format!("s{session}-{row}");
        let typed = draft
            .slots
            .iter()
            .find(|s| s.field == format!("{prefix}-date"));
        SlotRow {
            date: typed.map(|s| s.date.clone()).unwrap_or_default(),
            starts: typed.map(|s| s.starts.clone()).unwrap_or_default(),
            ends: typed.map(|s| s.ends.clone()).unwrap_or_default(),
            prefix,
        }
    };
    NewPollPage {
        chrome: Chrome::with_errors(
            &runner.member.caller.session,
            "Find dates for the sessions",
            &errors,
        ),
        errors,
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        location: draft.location.clone(),
        message: draft.message.clone(),
        answer_by: draft.answer_by.clone(),
        sessions: [1u8, 2]
            .into_iter()
            .map(|s| (s, (0..SLOT_ROWS).map(|r| row(s, r)).collect()))
            .collect(),
        guests: (0..GUEST_ROWS)
            .map(|r| {
                let prefix = format!("g{r}");
                let typed = draft
                    .guests
                    .iter()
                    .find(|g| g.field == format!("{prefix}-name"));
                GuestRow {
                    name: typed.map(|g| g.name.clone()).unwrap_or_default(),
                    email: typed.map(|g| g.email.clone()).unwrap_or_default(),
                    side: typed.map(|g| g.side.clone()).unwrap_or_default(),
                    role: typed.map_or_else(|| "peer_reviewer".to_owned(), |g| g.role.clone()),
                    prefix,
                }
            })
            .collect(),
        sides: Side::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        roles: GUEST_ROLES.to_vec(),
    }
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/poll/new`
pub async fn new_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    if state
        .store
        .poll(runner.member.org.id, runner.review.id)
        .await?
        .is_some()
    {
        return Ok(see_other(&format!("{}/poll", base(&runner))));
    }
    Ok(ok(new_page(
        &runner,
        &PollDraft::default(),
        FormErrors::new(),
    )))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/poll`
pub async fn create_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let draft = read_draft(&form);
    let poll = match draft.check(now()) {
        Ok(poll) => poll,
        Err(problems) => {
            let mut errors = FormErrors::new();
            for (field, message) in problems {
                // The times as a whole: point at the first time on the form.
                let field = if field == "slots" {
                    "s1-0-date".to_owned()
                } else {
                    field
                };
                errors.add(&field, message);
            }
            return Ok(invalid(new_page(&runner, &draft, errors)));
        }
    };
    let org = runner.member.org.id;
    let created = state
        .store
        .create_poll(org, runner.review.id, &poll, runner.member.caller.user.id)
        .await;
    match created {
        Ok(Some(_)) => {
            let detail = format!(
                "{}: {} times offered",
                runner.review.title,
                poll.slots.len()
            );
            audit::record_by(&state, &runner.member, Action::PollCreated, None, &detail).await?;
        }
        Ok(None) => return Err(AppError::NotFound),
        Err(commonground_store::StoreError::Conflict(_)) => {
            return Ok(see_other(&format!("{}/poll", base(&runner))));
        }
        Err(e) => return Err(e.into()),
    }
    if form.get("send") == "yes" {
        scheduling::send_poll_links(&state, org, runner.review.id, &runner.review.title).await?;
    }
    Ok(see_other(&format!("{}/poll", base(&runner))))
}

/// One candidate time with its tally, for the poll page.
pub struct SlotView {
    id: i64,
    session: u8,
    label: String,
    tally: polls::SlotTally,
    best: bool,
    warning: Option<String>,
}

/// One invitee's row of the grid.
pub struct InviteeRow {
    name: String,
    role: String,
    side: &'static str,
    answered: bool,
    cells: Vec<&'static str>,
}

/// The poll page: who can come, and the choice.
#[derive(Template)]
#[template(path = "pages/poll.html")]
pub struct PollPage {
    chrome: Chrome,
    errors: FormErrors,
    org_id: i64,
    review_id: i64,
    review_title: String,
    open: bool,
    answer_by: String,
    location: String,
    slots: Vec<SlotView>,
    rows: Vec<InviteeRow>,
    not_invited: usize,
    answered: usize,
    chosen: [Option<String>; 2],
    notice: Option<String>,
}

async fn poll_page(
    state: &AppState,
    runner: &ReviewRunner<SignedIn>,
    poll: &Poll,
    errors: FormErrors,
    notice: Option<String>,
) -> AppResult<PollPage> {
    let tallies = scheduling::tallies(poll);
    let best = scheduling::best_slots(poll, &tallies);
    let slots: Vec<SlotView> = poll
        .slots
        .iter()
        .zip(&tallies)
        .map(|(slot, tally)| SlotView {
            id: slot.id.0,
            session: slot.session,
            label: slot_label(slot.starts_at, slot.ends_at),
            tally: *tally,
            best: best.contains(&slot.id.0),
            warning: polls::balance_warning(tally),
        })
        .collect();
    let rows = poll
        .invitees
        .iter()
        .map(|invitee| InviteeRow {
            name: if invitee.name.is_empty() {
                "Name deleted".to_owned()
            } else {
                invitee.name.clone()
            },
            role: scheduling_role_label(&invitee.role).to_owned(),
            side: scheduling::invitee_side(&invitee.group).label(),
            answered: invitee.answered_at.is_some(),
            cells: poll
                .slots
                .iter()
                .map(|slot| {
                    poll.answers
                        .iter()
                        .find(|(i, s, _)| *i == invitee.id && *s == slot.id)
                        .and_then(|(_, _, a)| Answer::parse(a).ok())
                        .map_or("No answer", Answer::label)
                })
                .collect(),
        })
        .collect();
    let sessions = state
        .store
        .team_sessions(runner.member.org.id, runner.review.id)
        .await?;
    let chosen = [0, 1].map(|i| {
        let s = &sessions[i];
        s.starts_at.zip(s.ends_at).map(|(a, b)| slot_label(a, b))
    });
    Ok(PollPage {
        chrome: Chrome::with_errors(&runner.member.caller.session, "Date poll", &errors),
        errors,
        org_id: runner.member.org.id.0,
        review_id: runner.review.id.0,
        review_title: runner.review.title.clone(),
        open: poll.is_open(now()),
        answer_by: long_date(poll.answer_by - 1),
        location: poll.location.clone(),
        not_invited: poll
            .invitees
            .iter()
            .filter(|i| i.invited_at.is_none())
            .count(),
        answered: poll
            .invitees
            .iter()
            .filter(|i| i.answered_at.is_some())
            .count(),
        slots,
        rows,
        chosen,
        notice,
    })
}

fn scheduling_role_label(role: &str) -> &'static str {
    match role {
        "participant" => "Participant",
        _ => GUEST_ROLES
            .iter()
            .find(|(key, _)| *key == role)
            .map_or("Guest", |(_, label)| label),
    }
}

async fn the_poll(state: &AppState, runner: &ReviewRunner<SignedIn>) -> AppResult<Poll> {
    state
        .store
        .poll(runner.member.org.id, runner.review.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/poll`
pub async fn show_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let Some(poll) = state
        .store
        .poll(runner.member.org.id, runner.review.id)
        .await?
    else {
        return Ok(see_other(&format!("{}/poll/new", base(&runner))));
    };
    Ok(ok(poll_page(
        &state,
        &runner,
        &poll,
        FormErrors::new(),
        None,
    )
    .await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/poll/send`
pub async fn send_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    let org = runner.member.org.id;
    let sent =
        scheduling::send_poll_links(&state, org, runner.review.id, &runner.review.title).await?;
    let poll = the_poll(&state, &runner).await?;
    let notice = match sent {
        0 => "Everyone already has their link.".to_owned(),
        1 => "Sent 1 poll link.".to_owned(),
        n => format!("Sent {n} poll links."),
    };
    Ok(ok(poll_page(
        &state,
        &runner,
        &poll,
        FormErrors::new(),
        Some(notice),
    )
    .await?))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/poll/close`
pub async fn close_poll(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    _form: Form,
) -> AppResult<Response> {
    state
        .store
        .close_poll(runner.member.org.id, runner.review.id)
        .await?;
    Ok(see_other(&format!("{}/poll", base(&runner))))
}

/// `POST /organisations/{org_id}/reviews/{review_id}/sessions/poll/choose`: a time for session
/// 1, session 2 or both; each sends invitations (or updates).
pub async fn choose_slots(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
    form: Form,
) -> AppResult<Response> {
    let poll = the_poll(&state, &runner).await?;
    let mut errors = FormErrors::new();
    let mut choices = Vec::new();
    for session in [1u8, 2] {
        let field = format!("session{session}");
        let value = form.get(&field);
        if value.is_empty() {
            continue;
        }
        match value.parse::<i64>() {
            Ok(id) => choices.push((session, field, PollSlotId(id))),
            Err(_) => errors.add(&field, "Choose one of the times offered"),
        }
    }
    if choices.is_empty() && errors.is_empty() {
        errors.add("session1", "Choose a time for session 1, session 2 or both");
    }
    if errors.is_empty() {
        let picked: Vec<(u8, PollSlotId)> = choices.iter().map(|(n, _, s)| (*n, *s)).collect();
        let chosen = scheduling::choose_slots(
            &state,
            runner.member.org.id,
            runner.review.id,
            &runner.review.title,
            &picked,
        )
        .await;
        match chosen {
            Ok(()) => {
                for (session, _) in &picked {
                    let detail = format!("{}: session {session}", runner.review.title);
                    audit::record_by(
                        &state,
                        &runner.member,
                        Action::SessionTimeChosen,
                        None,
                        &detail,
                    )
                    .await?;
                }
            }
            Err(AppError::Invalid(problems)) => {
                for (field, message) in problems {
                    errors.add(&field, message);
                }
            }
            Err(AppError::Conflict(message)) => errors.add(&choices[0].1, message),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        let poll = the_poll(&state, &runner).await.unwrap_or(poll);
        return Ok(invalid(
            poll_page(&state, &runner, &poll, errors, None).await?,
        ));
    }
    Ok(see_other(&base(&runner)))
}

/// `GET /organisations/{org_id}/reviews/{review_id}/sessions/calendar.ics`
pub async fn show_calendar(
    State(state): State<AppState>,
    runner: ReviewRunner<SignedIn>,
) -> AppResult<Response> {
    let file = scheduling::calendar_file(
        &state,
        runner.member.org.id,
        runner.review.id,
        &runner.review.title,
    )
    .await?;
    Ok(calendar_response(file))
}

/// A calendar file as a download.
fn calendar_response(file: String) -> Response {
    let mut response = file.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"sessions.ics\""),
    );
    response
}

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

async fn linked(state: &AppState, token: &str) -> AppResult<commonground_store::polls::LinkedPoll> {
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
