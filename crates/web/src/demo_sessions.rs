//! The demo reviews' sessions: the finished review found its dates with a poll, held session 1
//! (attendance and notes captured) and has session 2 coming up; the other review's poll is still
//! collecting answers. Made through the same store operations as real use.

use commonground_domain::capture::CaptureKind;
use commonground_domain::dates::iso_date;
use commonground_domain::london::local_to_unix;
use commonground_domain::{OrganisationId, ParticipantId, ReviewId, UserId};
use commonground_store::now;
use commonground_store::polls::NewPoll;
use commonground_store::team_sessions::SessionTime;

use crate::error::{AppError, AppResult};
use crate::sessions;
use crate::state::AppState;

/// What session 1 of the finished review noted.
const NOTES: [(CaptureKind, &str); 8] = [
    (
        CaptureKind::Theme,
        "Cost reports reach clinicians too late to change anything in the month",
    ),
    (
        CaptureKind::Theme,
        "Finance staff rarely see the theatre lists they are costing",
    ),
    (
        CaptureKind::Theme,
        "Both sides want the same thing: fewer cancelled operations",
    ),
    (
        CaptureKind::GoodPractice,
        "The utilisation dashboard built with the costing team is used every week",
    ),
    (
        CaptureKind::GoodPractice,
        "Finance surgeries on the unit every other Tuesday",
    ),
    (
        CaptureKind::NextStep,
        "Invite the finance business partner to the monthly theatre users group",
    ),
    (
        CaptureKind::NextStep,
        "Send a one-page cost summary with each month's theatre list review",
    ),
    (
        CaptureKind::NextStep,
        "Pair each consultant with a finance colleague for one job shadowing day",
    ),
];

/// A time on the first Tuesday at least `days` from today, plus `extra` days, at `time`, UK
/// time: teams meet on weekdays.
fn at(days: i64, extra: i64, time: &str) -> AppResult<i64> {
    let day = now().div_euclid(86_400) + days;
    // 1 January 1970 was a Thursday: (day + 3) % 7 counts from Monday.
    let to_tuesday = (1 - (day + 3).rem_euclid(7)).rem_euclid(7);
    local_to_unix(&iso_date((day + to_tuesday + extra) * 86_400), time)
        .map_err(|e| AppError::Internal(format!("demo data: {e}")))
}

/// Seeds the sessions of one demo review: `finished` reviews held session 1 already.
pub async fn seed_sessions(
    state: &AppState,
    org: OrganisationId,
    (review, title): (ReviewId, &str),
    by: UserId,
    finished: bool,
) -> AppResult<()> {
    let offset = if finished { -24 } else { 20 };
    // Tuesdays and Thursdays: session 1 in one week, session 2 five weeks later.
    let slot = |weeks: i64, extra: i64, session: u8| -> AppResult<(u8, i64, i64)> {
        let days = offset + weeks * 7;
        Ok((
            session,
            at(days, extra, "09:30")?,
            at(days, extra, "12:00")?,
        ))
    };
    let poll = NewPoll {
        location: "Education centre, seminar room 2".to_owned(),
        message: "Both sessions take about two and a half hours. Tea and coffee provided."
            .to_owned(),
        answer_by: at(offset - 7, 0, "00:00")?,
        slots: vec![
            slot(0, 0, 1)?,
            slot(0, 2, 1)?,
            slot(5, 0, 2)?,
            slot(5, 2, 2)?,
        ],
        guests: Vec::new(),
    };
    state.store.create_poll(org, review, &poll, by).await?;
    if !finished {
        crate::scheduling::send_poll_links(state, org, review, title).await?;
    }
    let Some(created) = state.store.poll(org, review).await? else {
        return Ok(());
    };
    // Most people answer; a few cannot make the first of each pair.
    let pattern = ["yes", "if_need_be", "yes", "no"];
    let answering = created.invitees.len() * 3 / 4;
    for (i, invitee) in created.invitees.iter().take(answering).enumerate() {
        let Some(token) = &invitee.token else {
            continue;
        };
        let answers: Vec<_> = created
            .slots
            .iter()
            .enumerate()
            .map(|(j, s)| (s.id, pattern[(i + j) % pattern.len()]))
            .collect();
        state
            .store
            .answer_poll(token, &answers, poll.answer_by - 3600)
            .await?;
    }
    for number in [1, 2] {
        let plan = sessions::fresh_plan(state, org, review, number, None).await?;
        sessions::save_plan(state, org, review, number, &plan).await?;
    }
    if !finished {
        return Ok(());
    }
    let chosen: Vec<SessionTime> = [(1u8, 0), (2, 2)]
        .iter()
        .map(|(number, index)| {
            let s = created.slots[*index];
            SessionTime {
                number: *number,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                location: poll.location.clone(),
                sequence: 1,
            }
        })
        .collect();
    state
        .store
        .schedule_sessions(org, review, &chosen, &[])
        .await?;
    let present: Vec<ParticipantId> = created
        .invitees
        .iter()
        .filter_map(|i| i.participant)
        .take(answering)
        .collect();
    state
        .store
        .record_attendance(org, review, 1, &present)
        .await?;
    for (kind, text) in NOTES {
        state
            .store
            .add_capture_item(org, review, 1, kind.as_str(), text)
            .await?;
    }
    Ok(())
}
