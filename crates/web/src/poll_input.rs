//! A new date poll as typed (form or API): times read as UK local time, guests, the last day
//! to answer; every mistake named by its field.

use commonground_domain::london;
use commonground_domain::participants::Side;
use commonground_domain::polls::{self, SlotInput};
use commonground_domain::{EmailAddress, Invalid, PersonName, text};
use commonground_store::polls::{Guest, NewPoll};

/// A field's mistake: the field's name and what to do.
pub type FieldError = (String, String);

/// Roles a guest can have in the poll.
pub const GUEST_ROLES: [(&str, &str); 3] = [
    ("peer_reviewer", "Peer reviewer"),
    ("facilitator", "Facilitator"),
    ("other", "Someone else"),
];

/// A new poll as typed: times already read as UK local time.
#[derive(Debug, Clone, Default)]
pub struct PollDraft {
    /// Where the sessions will be.
    pub location: String,
    /// A note to invitees.
    pub message: String,
    /// The last day to answer, "2027-01-10".
    pub answer_by: String,
    /// The time zone the times are in; empty means Europe/London.
    pub time_zone: String,
    /// Each candidate time: field name for errors, session, date, start, end.
    pub slots: Vec<SlotDraft>,
    /// Guests: field name for errors, name, email, side, role.
    pub guests: Vec<GuestDraft>,
}

/// A candidate time as typed.
#[derive(Debug, Clone, Default)]
pub struct SlotDraft {
    /// Where errors about it show.
    pub field: String,
    /// 1 or 2.
    pub session: u8,
    /// "2027-01-14".
    pub date: String,
    /// "09:30".
    pub starts: String,
    /// "11:30".
    pub ends: String,
}

/// A guest as typed.
#[derive(Debug, Clone, Default)]
pub struct GuestDraft {
    /// Where errors about them show.
    pub field: String,
    /// Their name.
    pub name: String,
    /// Their address.
    pub email: String,
    /// `clinical`, `finance` or `other`.
    pub side: String,
    /// One of [`GUEST_ROLES`].
    pub role: String,
}

impl PollDraft {
    /// Checks everything, returning the poll or every mistake found.
    pub fn check(&self, at: i64) -> Result<NewPoll, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut fail = |field: &str, e: Invalid| errors.push((field.to_owned(), e.0));
        if let Err(e) = london::check_time_zone(&self.time_zone) {
            fail("time_zone", e);
        }
        let location = text::required_line(&self.location, "where the sessions will be", 200)
            .unwrap_or_else(|e| {
                fail("location", e);
                String::new()
            });
        let message = if self.message.chars().count() > 1000 {
            fail(
                "message",
                Invalid::new("The note must be 1,000 characters or fewer"),
            );
            String::new()
        } else {
            self.message.trim().to_owned()
        };
        let mut slots = Vec::new();
        let mut slots_readable = true;
        for slot in &self.slots {
            if slot.date.trim().is_empty() && slot.starts.trim().is_empty() {
                continue;
            }
            let read = london::local_to_unix(&slot.date, &slot.starts).and_then(|starts_at| {
                london::local_to_unix(&slot.date, &slot.ends).map(|ends_at| SlotInput {
                    session: slot.session,
                    starts_at,
                    ends_at,
                })
            });
            match read {
                Ok(input) => slots.push(input),
                Err(e) => {
                    slots_readable = false;
                    fail(&slot.field, e);
                }
            }
        }
        if slots_readable && let Err(e) = polls::check_slots(&slots, at) {
            fail("slots", e);
        }
        let first = slots.iter().map(|s| s.starts_at).min();
        let answer_by = answer_by_time(&self.answer_by, first, at).unwrap_or_else(|e| {
            fail("answer_by", e);
            0
        });
        let mut guests: Vec<Guest> = Vec::new();
        for draft in &self.guests {
            if draft.name.trim().is_empty() && draft.email.trim().is_empty() {
                continue;
            }
            match check_guest(draft) {
                Ok(guest) if guests.iter().any(|g| g.email == guest.email) => fail(
                    &draft.field,
                    Invalid::new(format!("{} is listed twice", guest.email)),
                ),
                Ok(guest) => guests.push(guest),
                Err(e) => fail(&draft.field, e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewPoll {
            location,
            message,
            answer_by,
            slots: slots
                .iter()
                .map(|s| (s.session, s.starts_at, s.ends_at))
                .collect(),
            guests,
        })
    }
}

/// The end (UK time) of the last day to answer, which must be after now and before the first
/// time offered.
fn answer_by_time(input: &str, first: Option<i64>, at: i64) -> Result<i64, Invalid> {
    let day = commonground_domain::dates::parse_date(input)
        .map_err(|_| Invalid::new("Enter the last day to answer, like 10/01/2027"))?;
    let next_day = commonground_domain::dates::iso_date(day + 86_400);
    let end_of_day = london::local_to_unix(&next_day, "00:00")?;
    if end_of_day <= at {
        return Err(Invalid::new(
            "The last day to answer must be today or later",
        ));
    }
    if first.is_some_and(|first| end_of_day > first) {
        return Err(Invalid::new(
            "The last day to answer must be before the day of the first time offered",
        ));
    }
    Ok(end_of_day)
}

fn check_guest(draft: &GuestDraft) -> Result<Guest, Invalid> {
    let name = PersonName::parse(&draft.name)?;
    let email = EmailAddress::parse(&draft.email)?;
    let side = Side::ALL
        .into_iter()
        .find(|s| s.as_str() == draft.side.trim())
        .ok_or_else(|| Invalid::new("Select clinical, finance or other for each guest"))?;
    let role = GUEST_ROLES
        .iter()
        .find(|(key, _)| *key == draft.role.trim())
        .ok_or_else(|| Invalid::new("Select a role for each guest"))?;
    Ok(Guest {
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        side: side.as_str().to_owned(),
        role: role.0.to_owned(),
    })
}
