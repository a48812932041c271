//! The date poll (step 2): champions offer times for both sessions, see who can come to each,
//! and choose. Invitees answer in `poll_answers`.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use commonground_domain::london::slot_label;
use commonground_domain::participants::Side;
use commonground_domain::polls::{self, Answer};
use commonground_domain::{PollSlotId, dates::long_date};
use commonground_store::now;
use commonground_store::polls::Poll;

use super::{Chrome, invalid, ok, see_other};
use crate::audit::{self, Action};
use crate::error::{AppError, AppResult};
use crate::extractors::{Form, ReviewRunner, SignedIn};
use crate::forms::FormErrors;
use crate::poll_input::{GUEST_ROLES, GuestDraft, PollDraft, SlotDraft};
use crate::scheduling;
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
                    audit::session_event(&state, &runner, Action::SessionTimeChosen, *session)
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
pub(super) fn calendar_response(file: String) -> Response {
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
