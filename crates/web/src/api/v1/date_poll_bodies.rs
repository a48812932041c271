//! What the API shows of a date poll and the sessions it schedules, shared by the champions'
//! operations, the invitees' link operations and session cancelling.

use commonground_domain::london::{self, local_date_time, slot_label};
use commonground_domain::polls;
use commonground_store::now;
use commonground_store::polls::{Poll, Slot};
use commonground_store::team_sessions::TeamSession;
use serde::Serialize;
use utoipa::ToSchema;

use crate::dates::rfc3339;
use crate::scheduling::{self, invitee_side};

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

pub(super) fn slot_body(slot: &Slot) -> SlotBody {
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
pub(super) fn answer_by_day(answer_by: i64) -> String {
    london::local_date(answer_by - 1)
}

pub(super) fn poll_body(poll: &Poll, sessions: &[TeamSession]) -> DatePollBody {
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
