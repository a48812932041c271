//! The date poll's rules: which times champions may offer, how invitees' answers add up, and
//! which times suit the team best.
//!
//! A review has two sessions. Champions offer a few candidate times for each, invitees answer
//! yes, if need be or no to every time, and champions pick one time per session. A time suits
//! the team when many can come, and above all when both clinical and finance staff can: a
//! session with only one side in the room misses the point of the review.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::london::{date_time_label, slot_label};
use crate::participants::Side;

/// The most times champions may offer for one session; more makes the poll a chore to answer.
pub const MAX_SLOTS_PER_SESSION: usize = 8;

/// The shortest session worth meeting for.
const MIN_LENGTH_SECONDS: i64 = 30 * 60;
/// The longest session: a working day.
const MAX_LENGTH_SECONDS: i64 = 8 * 3600;
/// How far ahead a time may be: two years, leap day included.
const MAX_AHEAD_SECONDS: i64 = 731 * 86_400;

/// An invitee's answer for one candidate time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// They can come.
    Yes,
    /// They can come, but would rather not.
    IfNeedBe,
    /// They cannot come.
    No,
}

impl Answer {
    /// Every answer, in the order forms offer them.
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::IfNeedBe, Answer::No];

    /// The stored, form and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::IfNeedBe => "if_need_be",
            Answer::No => "no",
        }
    }

    /// The words people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::IfNeedBe => "If need be",
            Answer::No => "No",
        }
    }

    /// Reads the stored form, as a radio button sends it.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        Self::ALL
            .into_iter()
            .find(|answer| answer.as_str() == input)
            .ok_or_else(|| Invalid::new("Select yes, if need be or no for each time"))
    }

    /// Whether the invitee can come at all.
    #[must_use]
    pub fn can_come(self) -> bool {
        matches!(self, Answer::Yes | Answer::IfNeedBe)
    }
}

/// A candidate time as champions enter it, before it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotInput {
    /// Which session it is for: 1 or 2.
    pub session: u8,
    /// Start, Unix seconds.
    pub starts_at: i64,
    /// End, Unix seconds.
    pub ends_at: i64,
}

impl SlotInput {
    /// "Session 1, Thursday 14 January 2027, 9:30am to 11:30am", how messages name it.
    fn name(&self) -> String {
        format!(
            "Session {}, {}",
            self.session,
            slot_label(self.starts_at, self.ends_at)
        )
    }

    fn overlaps(&self, other: &SlotInput) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
}

/// Checks the candidate times champions offer, at `now` (Unix seconds); the first mistake
/// found is the message.
pub fn check_slots(slots: &[SlotInput], now: i64) -> Result<(), Invalid> {
    if slots.is_empty() {
        return Err(Invalid::new("Add at least one time for each session"));
    }
    for slot in slots {
        check_slot(slot, now)?;
    }
    // Counted before the overlaps, so those are looked for among at most 16 times.
    for session in [1, 2] {
        let count = slots.iter().filter(|s| s.session == session).count();
        if count == 0 {
            return Err(Invalid::new(format!(
                "Add at least one time for session {session}"
            )));
        }
        if count > MAX_SLOTS_PER_SESSION {
            return Err(Invalid::new(format!(
                "Offer at most {MAX_SLOTS_PER_SESSION} times for session {session}"
            )));
        }
    }
    let mut sorted = slots.to_vec();
    sorted.sort_by_key(|s| (s.starts_at, s.ends_at, s.session));
    for (i, first) in sorted.iter().enumerate() {
        for second in &sorted[i + 1..] {
            if first == second {
                return Err(Invalid::new(format!(
                    "{} is there twice: remove one of them",
                    first.name()
                )));
            }
            // Sessions 1 and 2 cannot overlap either: invitees could not come to both.
            if first.overlaps(second) {
                return Err(Invalid::new(format!(
                    "{} overlaps {}",
                    first.name(),
                    second.name()
                )));
            }
        }
    }
    Ok(())
}

/// The rules for one time on its own.
pub fn check_slot(slot: &SlotInput, now: i64) -> Result<(), Invalid> {
    let name = slot.name();
    if !matches!(slot.session, 1 | 2) {
        return Err(Invalid::new(format!(
            "{name}: choose session 1 or session 2"
        )));
    }
    let length = slot.ends_at.saturating_sub(slot.starts_at);
    if length <= 0 {
        return Err(Invalid::new(format!(
            "{name}: the end must be after the start"
        )));
    }
    if length < MIN_LENGTH_SECONDS {
        return Err(Invalid::new(format!(
            "{name} is too short: make it at least 30 minutes"
        )));
    }
    if length > MAX_LENGTH_SECONDS {
        return Err(Invalid::new(format!(
            "{name} is too long: make it 8 hours or shorter"
        )));
    }
    if slot.starts_at <= now {
        return Err(Invalid::new(format!(
            "{name} is in the past: choose a time after now"
        )));
    }
    if slot.starts_at.saturating_sub(now) > MAX_AHEAD_SECONDS {
        return Err(Invalid::new(format!(
            "{name} is too far ahead: choose a time within 2 years"
        )));
    }
    Ok(())
}

/// One invitee's answer for one candidate time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// Who answered (their participant id).
    pub invitee: i64,
    /// Their side; [`tally`] counts by the side in its list of invitees.
    pub side: Side,
    /// Which time (its slot id).
    pub slot: i64,
    /// What they answered.
    pub answer: Answer,
}

/// How one candidate time stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotTally {
    /// The slot id.
    pub slot: i64,
    /// Invitees who answered yes.
    pub yes: u32,
    /// Invitees who answered if need be.
    pub if_need_be: u32,
    /// Invitees who answered no.
    pub no: u32,
    /// Invitees who have not answered for this time.
    pub unanswered: u32,
    /// Clinical invitees who answered yes or if need be.
    pub clinical_can_come: u32,
    /// Finance invitees who answered yes or if need be.
    pub finance_can_come: u32,
    /// Other invitees who answered yes or if need be.
    pub other_can_come: u32,
}

impl SlotTally {
    /// Invitees who answered yes or if need be.
    #[must_use]
    pub fn can_come(&self) -> u32 {
        self.yes + self.if_need_be
    }
}

/// Adds up the answers for each of `slots`, in that order, over `invitees` (id and side).
///
/// Each invitee counts once per slot: an invitee listed twice counts once, votes from people
/// not invited or for other slots are ignored, and if an invitee answered a slot twice the
/// later vote counts. So every tally's yes, if need be, no and unanswered add up to the number
/// of invitees.
#[must_use]
pub fn tally(slots: &[i64], invitees: &[(i64, Side)], votes: &[Vote]) -> Vec<SlotTally> {
    let answers: HashMap<(i64, i64), Answer> = votes
        .iter()
        .map(|v| ((v.invitee, v.slot), v.answer))
        .collect();
    let mut people: Vec<(i64, Side)> = Vec::with_capacity(invitees.len());
    for &(id, side) in invitees {
        if !people.iter().any(|&(seen, _)| seen == id) {
            people.push((id, side));
        }
    }
    slots
        .iter()
        .map(|&slot| {
            let mut t = SlotTally {
                slot,
                yes: 0,
                if_need_be: 0,
                no: 0,
                unanswered: 0,
                clinical_can_come: 0,
                finance_can_come: 0,
                other_can_come: 0,
            };
            for &(id, side) in &people {
                let answer = answers.get(&(id, slot)).copied();
                match answer {
                    Some(Answer::Yes) => t.yes += 1,
                    Some(Answer::IfNeedBe) => t.if_need_be += 1,
                    Some(Answer::No) => t.no += 1,
                    None => t.unanswered += 1,
                }
                if answer.is_some_and(Answer::can_come) {
                    match side {
                        Side::Clinical => t.clinical_can_come += 1,
                        Side::Finance => t.finance_can_come += 1,
                        Side::Other => t.other_can_come += 1,
                    }
                }
            }
            t
        })
        .collect()
}

/// The slot ids that tie for best, lowest id first: most who can come, then most yes, then
/// both clinical and finance staff there, then most of the smaller of those two sides.
#[must_use]
pub fn best_slots(tallies: &[SlotTally]) -> Vec<i64> {
    let rank = |t: &SlotTally| {
        let both_sides = t.clinical_can_come > 0 && t.finance_can_come > 0;
        // The smaller side limits the conversation, so more of it is the better balance.
        let smaller_side = t.clinical_can_come.min(t.finance_can_come);
        (t.can_come(), t.yes, both_sides, smaller_side)
    };
    let Some(best) = tallies.iter().map(rank).max() else {
        return Vec::new();
    };
    let mut ids: Vec<i64> = tallies
        .iter()
        .filter(|t| rank(t) == best)
        .map(|t| t.slot)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A warning for a time that clinical or finance staff can hardly come to, or none.
#[must_use]
pub fn balance_warning(t: &SlotTally) -> Option<String> {
    let message = match (t.clinical_can_come, t.finance_can_come) {
        (0, 0) => "No clinical or finance staff can come",
        (_, 0) => "No finance staff can come",
        (0, _) => "No clinical staff can come",
        (1, 1) => "Only 1 clinical and 1 finance colleague can come",
        (_, 1) => "Only 1 finance colleague can come",
        (1, _) => "Only 1 clinical colleague can come",
        _ => return None,
    };
    Some(message.to_owned())
}

/// Checks the times champions chose: session 2 builds on session 1, so it starts once session 1
/// has ended (straight after is fine).
pub fn check_choice(
    session1_start: i64,
    session1_end: i64,
    session2_start: i64,
) -> Result<(), Invalid> {
    if session2_start >= session1_end {
        return Ok(());
    }
    Err(Invalid::new(format!(
        "Session 2 must be after session 1: session 1 is {}, so choose a time for session 2 \
         that starts after {}",
        slot_label(session1_start, session1_end),
        date_time_label(session1_end)
    )))
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::london::parse_local_date_time;

    /// 1 January 2027, 09:00 UK time: "now" in these tests.
    fn now() -> i64 {
        at("2027-01-01T09:00")
    }

    fn at(text: &str) -> i64 {
        parse_local_date_time(text).unwrap()
    }

    fn slot(session: u8, start: &str, end: &str) -> SlotInput {
        SlotInput {
            session,
            starts_at: at(start),
            ends_at: at(end),
        }
    }

    /// A valid poll: one time per session, with `extra` added.
    fn with(extra: &[SlotInput]) -> Result<(), Invalid> {
        let mut slots = vec![
            slot(1, "2027-01-14T09:30", "2027-01-14T11:30"),
            slot(2, "2027-02-14T09:30", "2027-02-14T11:30"),
        ];
        slots.extend_from_slice(extra);
        check_slots(&slots, now())
    }

    fn message(result: Result<(), Invalid>) -> String {
        result.unwrap_err().0
    }

    #[test]
    fn answers() {
        for answer in Answer::ALL {
            assert_eq!(Answer::parse(answer.as_str()).unwrap(), answer);
        }
        assert_eq!(Answer::parse(" if_need_be ").unwrap(), Answer::IfNeedBe);
        assert_eq!(Answer::IfNeedBe.label(), "If need be");
        assert_eq!(
            Answer::parse("maybe").unwrap_err().0,
            "Select yes, if need be or no for each time"
        );
        assert_eq!(
            Answer::parse("").unwrap_err().0,
            "Select yes, if need be or no for each time"
        );
    }

    #[test]
    fn good_slots_pass() {
        assert_eq!(with(&[]), Ok(()));
        // Touching times, exactly 30 minutes and exactly 8 hours are fine, as is a time right at
        // the two-year limit and one that runs past midnight.
        assert_eq!(
            with(&[
                slot(1, "2027-01-14T11:30", "2027-01-14T12:00"),
                slot(1, "2027-01-15T09:00", "2027-01-15T17:00"),
                slot(2, "2027-02-14T21:00", "2027-02-15T01:00"),
                SlotInput {
                    session: 2,
                    starts_at: now() + MAX_AHEAD_SECONDS,
                    ends_at: now() + MAX_AHEAD_SECONDS + 3600,
                },
            ]),
            Ok(())
        );
        let eight: Vec<SlotInput> = (1..=7)
            .map(|day| {
                slot(
                    1,
                    &format!("2027-03-{day:02}T10:00"),
                    &format!("2027-03-{day:02}T11:00"),
                )
            })
            .collect();
        assert_eq!(with(&eight), Ok(()));
    }

    #[test]
    fn every_slot_message() {
        assert_eq!(
            message(check_slots(&[], now())),
            "Add at least one time for each session"
        );
        assert_eq!(
            message(with(&[slot(3, "2027-01-20T09:30", "2027-01-20T11:30")])),
            "Session 3, Wednesday 20 January 2027, 9:30am to 11:30am: choose session 1 or session 2"
        );
        assert_eq!(
            message(with(&[slot(1, "2027-01-20T11:30", "2027-01-20T09:30")])),
            "Session 1, Wednesday 20 January 2027, 11:30am to 9:30am: the end must be after the \
             start"
        );
        assert_eq!(
            message(with(&[slot(1, "2027-01-20T11:30", "2027-01-20T11:30")])),
            "Session 1, Wednesday 20 January 2027, 11:30am to 11:30am: the end must be after the \
             start"
        );
        assert_eq!(
            message(with(&[slot(2, "2027-01-20T09:30", "2027-01-20T09:59")])),
            "Session 2, Wednesday 20 January 2027, 9:30am to 9:59am is too short: make it at \
             least 30 minutes"
        );
        assert_eq!(
            message(with(&[slot(2, "2027-01-20T09:00", "2027-01-20T17:01")])),
            "Session 2, Wednesday 20 January 2027, 9am to 5:01pm is too long: make it 8 hours or \
             shorter"
        );
        assert_eq!(
            message(with(&[slot(1, "2027-01-01T09:00", "2027-01-01T10:00")])),
            "Session 1, Friday 1 January 2027, 9am to 10am is in the past: choose a time after now"
        );
        assert_eq!(
            message(with(&[slot(1, "2026-12-01T09:00", "2026-12-01T10:00")])),
            "Session 1, Tuesday 1 December 2026, 9am to 10am is in the past: choose a time after \
             now"
        );
        assert_eq!(
            message(with(&[slot(1, "2029-01-02T09:00", "2029-01-02T10:00")])),
            "Session 1, Tuesday 2 January 2029, 9am to 10am is too far ahead: choose a time \
             within 2 years"
        );
    }

    #[test]
    fn counts_per_session() {
        assert_eq!(
            message(check_slots(
                &[slot(1, "2027-01-14T09:30", "2027-01-14T11:30")],
                now()
            )),
            "Add at least one time for session 2"
        );
        assert_eq!(
            message(check_slots(
                &[slot(2, "2027-01-14T09:30", "2027-01-14T11:30")],
                now()
            )),
            "Add at least one time for session 1"
        );
        let nine: Vec<SlotInput> = (1..=8)
            .map(|day| {
                slot(
                    1,
                    &format!("2027-03-{day:02}T10:00"),
                    &format!("2027-03-{day:02}T11:00"),
                )
            })
            .collect();
        assert_eq!(message(with(&nine)), "Offer at most 8 times for session 1");
        let nine: Vec<SlotInput> = (1..=8)
            .map(|day| {
                slot(
                    2,
                    &format!("2027-03-{day:02}T10:00"),
                    &format!("2027-03-{day:02}T11:00"),
                )
            })
            .collect();
        assert_eq!(message(with(&nine)), "Offer at most 8 times for session 2");
    }

    #[test]
    fn overlaps() {
        assert_eq!(
            message(with(&[slot(2, "2027-01-14T11:00", "2027-01-14T12:00")])),
            "Session 1, Thursday 14 January 2027, 9:30am to 11:30am overlaps Session 2, Thursday \
             14 January 2027, 11am to 12pm"
        );
        // Named in time order, whatever order they were entered in.
        assert_eq!(
            message(with(&[slot(1, "2027-02-14T08:00", "2027-02-14T10:00")])),
            "Session 1, Sunday 14 February 2027, 8am to 10am overlaps Session 2, Sunday 14 \
             February 2027, 9:30am to 11:30am"
        );
        // One inside another.
        assert_eq!(
            message(with(&[slot(1, "2027-01-14T10:00", "2027-01-14T10:30")])),
            "Session 1, Thursday 14 January 2027, 9:30am to 11:30am overlaps Session 1, Thursday \
             14 January 2027, 10am to 10:30am"
        );
        // The same time for both sessions.
        assert_eq!(
            message(with(&[slot(2, "2027-01-14T09:30", "2027-01-14T11:30")])),
            "Session 1, Thursday 14 January 2027, 9:30am to 11:30am overlaps Session 2, Thursday \
             14 January 2027, 9:30am to 11:30am"
        );
        assert_eq!(
            message(with(&[slot(1, "2027-01-14T09:30", "2027-01-14T11:30")])),
            "Session 1, Thursday 14 January 2027, 9:30am to 11:30am is there twice: remove one of \
             them"
        );
    }

    fn vote(invitee: i64, side: Side, slot: i64, answer: Answer) -> Vote {
        Vote {
            invitee,
            side,
            slot,
            answer,
        }
    }

    #[test]
    fn tallies() {
        let invitees = [
            (1, Side::Clinical),
            (2, Side::Clinical),
            (3, Side::Finance),
            (4, Side::Other),
            (5, Side::Finance),
            (1, Side::Clinical),
        ];
        let votes = [
            vote(1, Side::Clinical, 10, Answer::Yes),
            vote(2, Side::Clinical, 10, Answer::IfNeedBe),
            vote(3, Side::Finance, 10, Answer::No),
            vote(4, Side::Other, 10, Answer::Yes),
            vote(1, Side::Clinical, 20, Answer::No),
            vote(1, Side::Clinical, 20, Answer::IfNeedBe),
            vote(3, Side::Finance, 20, Answer::Yes),
            // Not invited, and an unknown slot: both ignored.
            vote(99, Side::Finance, 10, Answer::Yes),
            vote(2, Side::Clinical, 30, Answer::Yes),
        ];
        let t = tally(&[10, 20], &invitees, &votes);
        assert_eq!(
            t,
            [
                SlotTally {
                    slot: 10,
                    yes: 2,
                    if_need_be: 1,
                    no: 1,
                    unanswered: 1,
                    clinical_can_come: 2,
                    finance_can_come: 0,
                    other_can_come: 1,
                },
                SlotTally {
                    slot: 20,
                    yes: 1,
                    if_need_be: 1,
                    no: 0,
                    unanswered: 3,
                    clinical_can_come: 1,
                    finance_can_come: 1,
                    other_can_come: 0,
                },
            ]
        );
        assert_eq!(t[0].can_come(), 3);
        assert!(tally(&[], &invitees, &votes).is_empty());
        assert_eq!(tally(&[7], &[], &votes)[0].unanswered, 0);
    }

    fn counts(slot: i64, yes: u32, if_need_be: u32, clinical: u32, finance: u32) -> SlotTally {
        SlotTally {
            slot,
            yes,
            if_need_be,
            no: 0,
            unanswered: 0,
            clinical_can_come: clinical,
            finance_can_come: finance,
            other_can_come: yes + if_need_be - clinical - finance,
        }
    }

    #[test]
    fn best_slots_rank_in_order() {
        assert!(best_slots(&[]).is_empty());
        // Most who can come wins, even with fewer yes.
        assert_eq!(
            best_slots(&[counts(1, 4, 0, 2, 2), counts(2, 1, 4, 2, 2)]),
            [2]
        );
        // Then most yes.
        assert_eq!(
            best_slots(&[counts(1, 2, 2, 2, 2), counts(2, 3, 1, 2, 2)]),
            [2]
        );
        // Then both sides there.
        assert_eq!(
            best_slots(&[counts(1, 4, 0, 4, 0), counts(2, 4, 0, 3, 1)]),
            [2]
        );
        // Then more of the smaller side.
        assert_eq!(
            best_slots(&[counts(1, 4, 0, 3, 1), counts(2, 4, 0, 2, 2)]),
            [2]
        );
        // Ties come back lowest id first.
        assert_eq!(
            best_slots(&[
                counts(9, 4, 0, 2, 2),
                counts(3, 4, 0, 2, 2),
                counts(5, 3, 0, 2, 1),
                counts(4, 4, 0, 2, 2),
            ]),
            [3, 4, 9]
        );
    }

    #[test]
    fn balance_warnings() {
        let warning = |clinical, finance| {
            balance_warning(&counts(1, clinical + finance, 0, clinical, finance))
        };
        assert_eq!(
            warning(0, 0).as_deref(),
            Some("No clinical or finance staff can come")
        );
        assert_eq!(warning(3, 0).as_deref(), Some("No finance staff can come"));
        assert_eq!(warning(0, 3).as_deref(), Some("No clinical staff can come"));
        assert_eq!(
            warning(1, 1).as_deref(),
            Some("Only 1 clinical and 1 finance colleague can come")
        );
        assert_eq!(
            warning(4, 1).as_deref(),
            Some("Only 1 finance colleague can come")
        );
        assert_eq!(
            warning(1, 4).as_deref(),
            Some("Only 1 clinical colleague can come")
        );
        assert_eq!(warning(2, 2), None);
    }

    #[test]
    fn choices() {
        let (start, end) = (at("2027-01-14T09:30"), at("2027-01-14T11:30"));
        assert_eq!(check_choice(start, end, end), Ok(()));
        assert_eq!(check_choice(start, end, at("2027-02-14T09:30")), Ok(()));
        let expected = "Session 2 must be after session 1: session 1 is Thursday 14 January \
                        2027, 9:30am to 11:30am, so choose a time for session 2 that starts \
                        after Thursday 14 January 2027, 11:30am";
        assert_eq!(
            check_choice(start, end, at("2027-01-14T11:00"))
                .unwrap_err()
                .0,
            expected
        );
        assert_eq!(
            check_choice(start, end, at("2027-01-07T09:30"))
                .unwrap_err()
                .0,
            expected
        );
    }
}
