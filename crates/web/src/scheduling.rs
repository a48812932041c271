//! Date polls and session times, shared by the pages and the API: tallies, emailing poll
//! links, choosing times (with calendar invitations, updates and cancellations), reminders
//! before each session, and the calendar file to download.

use commonground_domain::ReviewId;
use commonground_domain::ical::{self, Event, Method, Person};
use commonground_domain::london::{self, slot_label};
use commonground_domain::participants::{ProfessionGroup, Side};
use commonground_domain::polls::{self, Answer};
use commonground_domain::{Invalid, ParticipantId, PollSlotId, text};
use commonground_jobs::sessions::SessionEmail;
use commonground_store::polls::{Poll, Slot};
use commonground_store::team_sessions::{SessionTime, TeamSession};
use commonground_store::{OrganisationId, now};

use crate::error::{AppError, AppResult};
use crate::poll_input::FieldError;
use crate::state::AppState;

/// The side an invitee is on: a participant's profession group, or a guest's side.
#[must_use]
pub fn invitee_side(group: &str) -> Side {
    ProfessionGroup::parse(group).map_or_else(
        |_| {
            Side::ALL
                .into_iter()
                .find(|s| s.as_str() == group)
                .unwrap_or(Side::Other)
        },
        ProfessionGroup::side,
    )
}

/// The times that suit most people so far, per session (none for a session nobody can come
/// to yet).
#[must_use]
pub fn best_slots(poll: &Poll, tallies: &[polls::SlotTally]) -> Vec<i64> {
    let mut best = Vec::new();
    for session in [1u8, 2] {
        let of_session: Vec<polls::SlotTally> = tallies
            .iter()
            .filter(|t| {
                poll.slots
                    .iter()
                    .any(|s| s.id.0 == t.slot && s.session == session)
            })
            .copied()
            .collect();
        if of_session.iter().any(|t| t.can_come() > 0) {
            best.extend(polls::best_slots(&of_session));
        }
    }
    best
}

/// The poll's answers added up per time, in the poll's slot order.
#[must_use]
pub fn tallies(poll: &Poll) -> Vec<polls::SlotTally> {
    let slots: Vec<i64> = poll.slots.iter().map(|s| s.id.0).collect();
    let invitees: Vec<(i64, Side)> = poll
        .invitees
        .iter()
        .map(|i| (i.id.0, invitee_side(&i.group)))
        .collect();
    let votes: Vec<polls::Vote> = poll
        .answers
        .iter()
        .filter_map(|(invitee, slot, answer)| {
            Some(polls::Vote {
                invitee: invitee.0,
                side: Side::Other,
                slot: slot.0,
                answer: Answer::parse(answer).ok()?,
            })
        })
        .collect();
    polls::tally(&slots, &invitees, &votes)
}

/// The link an invitee answers the poll from.
#[must_use]
pub fn poll_link(state: &AppState, token: &str) -> String {
    format!("{}/poll/{token}", state.config.public_base_url)
}

/// Emails every invitee not yet emailed their poll link; returns how many were sent. Adds
/// participants added since the poll started first.
pub async fn send_poll_links(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    review_title: &str,
) -> AppResult<usize> {
    state.store.add_poll_participants(org, review).await?;
    let poll = state
        .store
        .poll(org, review)
        .await?
        .ok_or(AppError::NotFound)?;
    if !poll.is_open(now()) {
        return Err(AppError::Conflict("The poll has closed.".into()));
    }
    let times = slot_lines(&poll);
    let mut emails = Vec::new();
    for invitee in poll.invitees.iter().filter(|i| i.invited_at.is_none()) {
        let (Some(token), false) = (&invitee.token, invitee.email.is_empty()) else {
            continue;
        };
        let mut paragraphs = vec![
            format!(
                "The team running the review \u{201c}{review_title}\u{201d} is choosing dates for its two sessions, where clinical and finance colleagues talk about the results together."
            ),
            "Please say which of these times you could come to: yes, if need be, or no. It takes a minute and needs no account.".to_owned(),
        ];
        if !poll.message.is_empty() {
            paragraphs.push(poll.message.clone());
        }
        paragraphs.push(format!(
            "Where: {}. Please answer by {}.",
            poll.location,
            commonground_domain::dates::long_date(poll.answer_by - 1)
        ));
        emails.push((
            invitee.id,
            SessionEmail {
                organisation: org,
                review,
                participant: invitee.participant,
                to: &invitee.email,
                subject: format!("Which dates suit you? {review_title}"),
                paragraphs,
                times: times.clone(),
                link: Some((poll_link(state, token), "Say which times suit you")),
                calendar: None,
            }
            .build()
            .map_err(|e| template_failed(&e))?,
        ));
    }
    let sent = emails.len();
    if !state.store.queue_poll_emails(poll.id, &emails).await? {
        return Err(AppError::Conflict(
            "The poll changed meanwhile: try again.".into(),
        ));
    }
    state.wake_jobs();
    Ok(sent)
}

fn slot_lines(poll: &Poll) -> Vec<String> {
    poll.slots
        .iter()
        .map(|s| {
            format!(
                "Session {}: {}",
                s.session,
                slot_label(s.starts_at, s.ends_at)
            )
        })
        .collect()
}

/// Who gets a review's calendar invitations.
async fn attendees(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
) -> AppResult<Vec<(Option<ParticipantId>, Person)>> {
    Ok(state
        .store
        .session_attendees(org, review)
        .await?
        .into_iter()
        .map(|(participant, name, email)| (participant, Person { name, email }))
        .collect())
}

/// The calendar event of one session.
fn event(
    state: &AppState,
    review: ReviewId,
    title: &str,
    session: &TeamSession,
    attendees: Vec<Person>,
) -> Option<Event> {
    let host = state
        .config
        .public_base_url
        .split("://")
        .nth(1)
        .unwrap_or("commonground")
        .split(['/', ':'])
        .next()
        .unwrap_or("commonground")
        .to_owned();
    let organizer_email = state
        .config
        .smtp
        .as_ref()
        .and_then(|smtp| {
            let from = smtp.from.as_str();
            let address = from
                .rsplit_once('<')
                .map_or(from, |(_, rest)| rest.trim_end_matches('>'));
            address.contains('@').then(|| address.trim().to_owned())
        })
        .unwrap_or_else(|| format!("noreply@{host}"));
    Some(Event {
        uid: format!("review-{}-session-{}@{host}", review.0, session.number),
        sequence: u32::try_from(session.sequence).unwrap_or(0),
        starts_at: session.starts_at?,
        ends_at: session.ends_at?,
        summary: format!("Session {}: {title}", session.number),
        description: format!(
            "Session {} of the review \u{201c}{title}\u{201d}: clinical and finance colleagues talk about the results together and agree what to do next.",
            session.number
        ),
        location: session.location.clone(),
        organizer: Person {
            name: "commonground".to_owned(),
            email: organizer_email,
        },
        attendees,
        stamp: now(),
        cancelled: false,
    })
}

/// Chooses the time of one session from the poll's slots, emailing everyone the invitation (or
/// an update, when the session had a time). Session 2 must come after session 1.
pub async fn choose_slot(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    title: &str,
    session: u8,
    slot: PollSlotId,
) -> AppResult<()> {
    choose_slots(state, org, review, title, &[(session, slot)])
        .await
        .map_err(|e| match e {
            AppError::Invalid(problems) => AppError::Invalid(
                problems
                    .into_iter()
                    .map(|(_, message)| ("slot_id".to_owned(), message))
                    .collect(),
            ),
            e => e,
        })
}

/// Checks that `slot` is one of the poll's times for `session`, still ahead.
fn offered(poll: &Poll, session: u8, slot: PollSlotId) -> Result<Slot, String> {
    let Some(chosen) = poll.slots.iter().find(|s| s.id == slot) else {
        return Err("Choose one of the poll's times".to_owned());
    };
    if chosen.session != session {
        return Err(format!(
            "That time was offered for session {}, not session {session}",
            chosen.session
        ));
    }
    if chosen.starts_at <= now() {
        return Err("That time has passed: choose a time after now".to_owned());
    }
    Ok(*chosen)
}

/// What a calendar email says besides its calendar file.
struct Letter {
    subject: String,
    paragraphs: Vec<String>,
    time: String,
}

/// One email per person with the session's calendar file. Each file names only its recipient
/// as attendee, so nobody learns the other invitees' addresses from their calendar.
fn calendar_emails(
    state: &AppState,
    (org, review, title): (OrganisationId, ReviewId, &str),
    session: &TeamSession,
    method: Method,
    people: &[(Option<ParticipantId>, Person)],
    letter: &Letter,
) -> AppResult<Vec<commonground_store::outbox::OutgoingEmail>> {
    people
        .iter()
        .map(|(participant, person)| {
            let calendar = event(state, review, title, session, vec![person.clone()]).map(|e| {
                let cancelled = method == Method::Cancel;
                ical::calendar(method, &[Event { cancelled, ..e }])
            });
            SessionEmail {
                organisation: org,
                review,
                participant: *participant,
                to: &person.email,
                subject: letter.subject.clone(),
                paragraphs: letter.paragraphs.clone(),
                times: vec![letter.time.clone()],
                link: None,
                calendar,
            }
            .build()
            .map_err(|e| template_failed(&e))
        })
        .collect()
}

/// Chooses the times of one or both sessions (session, slot) from the poll's slots, emailing
/// everyone the invitations (or updates, when a session had a time). Session 2 must come after
/// session 1. All or nothing: when any choice is refused, no time is stored and no email sent,
/// and each problem names its field, `session1` or `session2`.
pub async fn choose_slots(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    title: &str,
    choices: &[(u8, PollSlotId)],
) -> AppResult<()> {
    let poll = state
        .store
        .poll(org, review)
        .await?
        .ok_or(AppError::NotFound)?;
    let sessions = state.store.team_sessions(org, review).await?;
    let mut problems: Vec<FieldError> = Vec::new();
    let mut picked: [Option<Slot>; 2] = [None, None];
    for &(session, slot) in choices {
        if !matches!(session, 1 | 2) {
            return Err(AppError::NotFound);
        }
        match offered(&poll, session, slot) {
            Ok(chosen) => picked[usize::from(session - 1)] = Some(chosen),
            Err(message) => problems.push((format!("session{session}"), message)),
        }
    }
    let picked = picked.map(|slot| slot.map(|s| (s.starts_at, s.ends_at)));
    if problems.is_empty()
        && let Err(message) = check_order(&sessions, picked)
    {
        let field = if picked[1].is_some() {
            "session2"
        } else {
            "session1"
        };
        problems.push((field.to_owned(), message));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    schedule(
        state,
        (org, review, title),
        &sessions,
        picked,
        &poll.location,
    )
    .await
}

/// A session's time as typed, in UK local time, to set without a poll.
#[derive(Debug, Clone, Default)]
pub struct TimeDraft {
    /// "2027-01-14".
    pub date: String,
    /// "09:30".
    pub starts: String,
    /// "11:30".
    pub ends: String,
    /// Where.
    pub location: String,
}

/// Sets a session's time directly, for a team that already knows its dates, emailing everyone
/// the invitation (or an update). Mistakes name the fields `date`, `starts`, `ends` and
/// `location`.
pub async fn set_time(
    state: &AppState,
    (org, review, title): (OrganisationId, ReviewId, &str),
    session: u8,
    draft: &TimeDraft,
) -> AppResult<()> {
    let mut problems: Vec<FieldError> = Vec::new();
    let mut fail = |field: &str, e: Invalid| problems.push((field.to_owned(), e.0));
    let location = text::required_line(&draft.location, "where the session will be", 200)
        .map_err(|e| fail("location", e))
        .unwrap_or_default();
    let starts = london::local_to_unix(&draft.date, &draft.starts).map_err(|e| fail("date", e));
    let ends = london::local_to_unix(&draft.date, &draft.ends).map_err(|e| fail("ends", e));
    let sessions = state.store.team_sessions(org, review).await?;
    if let (Ok(starts_at), Ok(ends_at)) = (starts, ends) {
        let slot = polls::SlotInput {
            session,
            starts_at,
            ends_at,
        };
        let mut picked = [None, None];
        picked[usize::from(session.clamp(1, 2) - 1)] = Some((starts_at, ends_at));
        let checked = polls::check_slot(&slot, now())
            .map_err(|e| e.0)
            .and_then(|()| check_order(&sessions, picked));
        match checked {
            Err(message) => problems.push(("date".to_owned(), message)),
            Ok(()) if problems.is_empty() => {
                return schedule(state, (org, review, title), &sessions, picked, &location).await;
            }
            Ok(()) => {}
        }
    }
    Err(AppError::Invalid(problems))
}

/// Whether both sessions, as they would be with `picked`, come in order.
fn check_order(sessions: &[TeamSession; 2], picked: [Option<(i64, i64)>; 2]) -> Result<(), String> {
    let times = [0, 1].map(|i| picked[i].or(sessions[i].starts_at.zip(sessions[i].ends_at)));
    if let [Some((start, end)), Some((second_start, _))] = times {
        polls::check_choice(start, end, second_start).map_err(|e| e.0)?;
    }
    Ok(())
}

/// Stores the picked times, each with one calendar email per attendee (an invitation, or an
/// update when the session had a time), in one transaction.
async fn schedule(
    state: &AppState,
    (org, review, title): (OrganisationId, ReviewId, &str),
    sessions: &[TeamSession; 2],
    picked: [Option<(i64, i64)>; 2],
    location: &str,
) -> AppResult<()> {
    let people = attendees(state, org, review).await?;
    let mut times = Vec::new();
    let mut emails = Vec::new();
    for (current, chosen) in sessions.iter().zip(picked) {
        let Some((starts_at, ends_at)) = chosen else {
            continue;
        };
        let session = current.number;
        let updated = TeamSession {
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            location: location.to_owned(),
            sequence: current.sequence + 1,
            ..current.clone()
        };
        let verb = if current.starts_at.is_some() {
            "New time for"
        } else {
            "Invitation:"
        };
        let letter = Letter {
            subject: format!("{verb} session {session} of {title}"),
            paragraphs: vec![
                format!(
                    "Session {session} of the review \u{201c}{title}\u{201d} will be at this time:"
                ),
                format!(
                    "Where: {location}. The invitation is attached: open it to add the session to your calendar."
                ),
            ],
            time: slot_label(starts_at, ends_at),
        };
        emails.extend(calendar_emails(
            state,
            (org, review, title),
            &updated,
            Method::Request,
            &people,
            &letter,
        )?);
        times.push(SessionTime {
            number: session,
            starts_at,
            ends_at,
            location: location.to_owned(),
            sequence: updated.sequence,
        });
    }
    if !state
        .store
        .schedule_sessions(org, review, &times, &emails)
        .await?
    {
        return Err(AppError::Conflict(
            "The session changed meanwhile: try again.".into(),
        ));
    }
    state.wake_jobs();
    Ok(())
}

/// Cancels a session's time, emailing everyone a cancellation their calendars apply.
pub async fn cancel(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    title: &str,
    session: u8,
) -> AppResult<()> {
    let sessions = state.store.team_sessions(org, review).await?;
    let current = &sessions[usize::from(session - 1)];
    let (Some(starts_at), Some(ends_at)) = (current.starts_at, current.ends_at) else {
        return Err(AppError::Conflict(format!(
            "Session {session} has no time to cancel."
        )));
    };
    if starts_at <= now() {
        return Err(AppError::Conflict(format!(
            "Session {session} has already started, so its time cannot be cancelled."
        )));
    }
    let cancelled = TeamSession {
        sequence: current.sequence + 1,
        ..current.clone()
    };
    let people = attendees(state, org, review).await?;
    let letter = Letter {
        subject: format!("Cancelled: session {session} of {title}"),
        paragraphs: vec![
            format!(
                "Session {session} of the review \u{201c}{title}\u{201d} will not take place at this time. The team will let you know the new time."
            ),
            "The cancellation is attached: open it to remove the session from your calendar."
                .to_owned(),
        ],
        time: slot_label(starts_at, ends_at),
    };
    let emails = calendar_emails(
        state,
        (org, review, title),
        &cancelled,
        Method::Cancel,
        &people,
        &letter,
    )?;
    if !state
        .store
        .cancel_session(org, review, session, cancelled.sequence, &emails)
        .await?
    {
        return Err(AppError::Conflict(
            "The session changed meanwhile: try again.".into(),
        ));
    }
    state.wake_jobs();
    Ok(())
}

/// Both sessions as one calendar file to download (only those with a time).
pub async fn calendar_file(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
    title: &str,
) -> AppResult<String> {
    let sessions = state.store.team_sessions(org, review).await?;
    let events: Vec<Event> = sessions
        .iter()
        .filter_map(|s| event(state, review, title, s, Vec::new()))
        .collect();
    if events.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(ical::calendar(Method::Publish, &events))
}

fn template_failed(e: &askama::Error) -> AppError {
    AppError::Internal(format!("session email: {e}"))
}
