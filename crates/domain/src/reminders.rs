//! When a review reminds the people who have not answered: some days after the questionnaire
//! opens, and some days before it closes.

use crate::Invalid;

const DAY: i64 = 86_400;
/// Reminders before the close go out at 09:00 UTC, in working hours.
const MORNING: i64 = 9 * 3_600;
/// The most reminders a schedule may hold, so nobody is pestered.
pub const MAX_REMINDERS: usize = 5;

/// A review's reminder schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSchedule {
    /// Days after the questionnaire opens, in increasing order.
    pub days_after: Vec<u32>,
    /// Days before the planned close, if any.
    pub days_before_close: Option<u32>,
}

impl Default for ReminderSchedule {
    /// 3 and 7 days after the invitation, and 1 day before the close.
    fn default() -> Self {
        Self {
            days_after: vec![3, 7],
            days_before_close: Some(1),
        }
    }
}

/// One reminder of a schedule that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    /// A name unique within the review, so each reminder is sent once.
    pub key: String,
    /// When it fell due (Unix seconds).
    pub due_at: i64,
}

impl ReminderSchedule {
    /// Reads the form's two fields: "3, 7" and "1" (either may be empty for none).
    pub fn parse(days_after: &str, days_before_close: &str) -> Result<Self, Invalid> {
        let mut after = Vec::new();
        for part in days_after
            .split([',', ' ', ';'])
            .filter(|p| !p.trim().is_empty())
        {
            let days = part
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=90).contains(d));
            after.push(days.ok_or_else(|| {
                Invalid::new(format!(
                    "Days after opening must be whole numbers from 1 to 90, separated by commas, like 3, 7 (not {:?})",
                    part.trim()
                ))
            })?);
        }
        after.sort_unstable();
        after.dedup();
        let before = match days_before_close.trim() {
            "" => None,
            text => Some(
                text.parse::<u32>()
                    .ok()
                    .filter(|d| (1..=30).contains(d))
                    .ok_or_else(|| {
                        Invalid::new("Days before closing must be a whole number from 1 to 30")
                    })?,
            ),
        };
        if after.len() + usize::from(before.is_some()) > MAX_REMINDERS {
            return Err(Invalid::new(format!(
                "Choose {MAX_REMINDERS} reminders or fewer, so people are not sent too many emails"
            )));
        }
        Ok(Self {
            days_after: after,
            days_before_close: before,
        })
    }

    /// The stored form: "3,7;1".
    #[must_use]
    pub fn to_stored(&self) -> String {
        let after: Vec<String> = self.days_after.iter().map(u32::to_string).collect();
        format!(
            "{};{}",
            after.join(","),
            self.days_before_close
                .map(|d| d.to_string())
                .unwrap_or_default()
        )
    }

    /// Reads the stored form; anything unreadable is the default.
    #[must_use]
    pub fn from_stored(text: &str) -> Self {
        let (after, before) = text.split_once(';').unwrap_or((text, ""));
        Self::parse(after, before).unwrap_or_default()
    }

    /// The days after opening as the form shows them: "3, 7".
    #[must_use]
    pub fn days_after_text(&self) -> String {
        let days: Vec<String> = self.days_after.iter().map(u32::to_string).collect();
        days.join(", ")
    }

    /// The schedule in a sentence.
    #[must_use]
    pub fn describe(&self) -> String {
        let plural = |n: u32| if n == 1 { "day" } else { "days" };
        let after = match self.days_after.as_slice() {
            [] => None,
            [one] => Some(format!(
                "{one} {} after the questionnaire opens",
                plural(*one)
            )),
            [rest @ .., last] => {
                let rest: Vec<String> = rest.iter().map(u32::to_string).collect();
                Some(format!(
                    "{} and {last} days after the questionnaire opens",
                    rest.join(", ")
                ))
            }
        };
        let before = self
            .days_before_close
            .map(|d| format!("{d} {} before it closes", plural(d)));
        match (after, before) {
            (None, None) => "No reminders are scheduled.".to_owned(),
            (Some(a), None) => format!("Reminders go {a}."),
            (None, Some(b)) => format!("A reminder goes {b}."),
            (Some(a), Some(b)) => format!("Reminders go {a}, and {b}."),
        }
    }

    /// The reminders due at `now` for a questionnaire opened at `opened_at` and planned to close
    /// on the day starting at `closes_on`. A reminder is due for one day after its time, so a
    /// service that was down for a week does not send a burst of old reminders when it returns.
    #[must_use]
    pub fn due(&self, opened_at: i64, closes_on: Option<i64>, now: i64) -> Vec<DueReminder> {
        let after = self.days_after.iter().map(|d| DueReminder {
            key: format!("after-{d}"),
            due_at: opened_at + i64::from(*d) * DAY,
        });
        let before = closes_on
            .zip(self.days_before_close)
            .map(|(close, d)| DueReminder {
                key: format!("before-close-{d}"),
                due_at: close - i64::from(d) * DAY + MORNING,
            })
            // Not when the close was already that near at opening: the invitation was enough.
            .filter(|r| r.due_at > opened_at + DAY);
        after
            .chain(before)
            .filter(|r| r.due_at <= now && now < r.due_at + DAY)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_stores_the_schedule() {
        let s = ReminderSchedule::parse("7, 3 ,3", "1").unwrap();
        assert_eq!(s, ReminderSchedule::default());
        assert_eq!(s.to_stored(), "3,7;1");
        assert_eq!(ReminderSchedule::from_stored("3,7;1"), s);
        assert_eq!(
            ReminderSchedule::from_stored(";"),
            ReminderSchedule {
                days_after: vec![],
                days_before_close: None
            }
        );
        assert_eq!(
            s.describe(),
            "Reminders go 3 and 7 days after the questionnaire opens, and 1 day before it closes."
        );
        for (after, before) in [("0", ""), ("x", ""), ("1,2,3,4,5", "1"), ("", "31")] {
            assert!(
                ReminderSchedule::parse(after, before).is_err(),
                "{after} {before}"
            );
        }
    }

    #[test]
    fn a_reminder_is_due_for_one_day_after_its_time() {
        let s = ReminderSchedule::default();
        let opened = 1_000 * DAY;
        let close = opened + 14 * DAY;
        assert!(s.due(opened, Some(close), opened + 2 * DAY).is_empty());
        let due = s.due(opened, Some(close), opened + 3 * DAY + 60);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].key, "after-3");
        assert!(s.due(opened, Some(close), opened + 4 * DAY + 1).is_empty());
        let before = s.due(opened, Some(close), close - DAY + MORNING + 5);
        assert_eq!(before[0].key, "before-close-1");
        // No planned close: no reminder before it.
        assert!(s.due(opened, None, close - DAY + MORNING + 5).is_empty());
        // Opened the day before the close: the invitation is the only email.
        assert!(
            s.due(close - DAY, Some(close), close - DAY + MORNING)
                .is_empty()
        );
    }
}
