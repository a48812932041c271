//! UK local time (Europe/London) without a time zone database.
//!
//! Review sessions happen in a room or a call in the UK, so every time a person types or reads
//! is UK wall-clock time, and every stored time is Unix seconds (UTC). The only rule needed is
//! British Summer Time: UTC+1 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
//! Sunday of October, UTC+0 otherwise. That rule has held since 1996 and is written out here
//! rather than read from a time zone database, which would be I/O or a large dependency in a
//! crate that has neither.
//!
//! Two local times need a decision. In spring the clocks jump from 01:00 to 02:00, so 01:00 to
//! 01:59 that Sunday never happens: typing one is refused. In autumn 01:00 to 01:59 happens twice:
//! the first (summer time) occurrence is meant, as a person planning ahead would expect.

use crate::Invalid;
use crate::dates::{civil_from_days, days_from_civil, long_date, parse_date};

/// The only time zone sessions are planned in, as iCalendar and browsers name it.
pub const TIME_ZONE: &str = "Europe/London";

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// Weekday names, indexed by days since 1970-01-01 plus 4 (1 January 1970 was a Thursday).
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Checks a time zone name from a form or the API; empty means the default, Europe/London.
pub fn check_time_zone(input: &str) -> Result<(), Invalid> {
    let name = input.trim();
    if name.is_empty() || name == TIME_ZONE {
        return Ok(());
    }
    // The name is echoed back, so a pasted paragraph must not fill the error summary.
    let mut shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
    if name.chars().filter(|c| !c.is_control()).count() > 40 {
        shown.push('…');
    }
    Err(Invalid::new(format!(
        "Unknown time zone \"{shown}\": sessions are planned in UK time, so use {TIME_ZONE}"
    )))
}

/// The day (days since 1970-01-01) of the last Sunday of `month` in `year`.
fn last_sunday(year: i64, month: u32) -> i64 {
    let last_day = if month == 3 || month == 10 { 31 } else { 30 };
    let day = days_from_civil(year, month, last_day);
    day - weekday(day) as i64
}

/// 0 for Sunday to 6 for Saturday.
fn weekday(day: i64) -> usize {
    (day + 4).rem_euclid(7) as usize
}

/// Seconds UK time is ahead of UTC at the instant `unix`: 3600 in summer time, otherwise 0.
#[must_use]
pub fn offset_seconds(unix: i64) -> i64 {
    // Compared as (day, second of day) rather than as Unix seconds, so no instant, however far
    // off, makes the change-over times overflow.
    let day = unix.div_euclid(DAY);
    let second = unix.rem_euclid(DAY);
    let (year, _, _) = civil_from_days(day);
    let after_start = (day, second) >= (last_sunday(year, 3), HOUR);
    let before_end = (day, second) < (last_sunday(year, 10), HOUR);
    if after_start && before_end { HOUR } else { 0 }
}

/// UK wall-clock time at `unix`, as Unix seconds of the same wall-clock time in UTC, so the
/// UTC date helpers in `dates` can format it.
fn wall(unix: i64) -> i64 {
    unix.saturating_add(offset_seconds(unix))
}

/// Reads a 24-hour time, "09:30", "9:30" or "14:05", as seconds after midnight.
fn parse_time(input: &str) -> Result<i64, Invalid> {
    let bad = || Invalid::new("Enter a real time, like 09:30");
    let (hours, minutes) = input.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, lengths: &[usize]| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, &[1, 2]) || !digits(minutes, &[2]) {
        return Err(bad());
    }
    let (Ok(hours), Ok(minutes)) = (hours.parse::<i64>(), minutes.parse::<i64>()) else {
        return Err(bad());
    };
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    Ok(hours * HOUR + minutes * 60)
}

/// Reads a UK date and wall-clock time, as a person types them, as Unix seconds.
pub fn local_to_unix(date: &str, time: &str) -> Result<i64, Invalid> {
    let midnight = parse_date(date)?;
    let local = midnight + parse_time(time)?;
    // The summer time reading first: in the autumn hour that happens twice it is the earlier.
    let summer = local - HOUR;
    if offset_seconds(summer) == HOUR {
        return Ok(summer);
    }
    if offset_seconds(local) == 0 {
        return Ok(local);
    }
    Err(Invalid::new(format!(
        "That time does not exist in the UK: clocks go forward at 1am on {}",
        long_date(midnight)
    )))
}

/// Reads "2027-01-14T09:30" (as a `datetime-local` field or the API sends it; ":00" seconds
/// allowed) as Unix seconds, with the messages of [`local_to_unix`].
pub fn parse_local_date_time(input: &str) -> Result<i64, Invalid> {
    let text = input.trim();
    let Some((date, time)) = text.split_once('T').or_else(|| text.split_once(' ')) else {
        return Err(Invalid::new(
            "Enter a real date and time, like 2027-01-14T09:30",
        ));
    };
    // Browsers add seconds when a step allows them; only whole minutes are planned.
    let time = match time.matches(':').count() {
        2 => time
            .strip_suffix(":00")
            .ok_or_else(|| Invalid::new("Enter a real time, like 09:30"))?,
        _ => time,
    };
    local_to_unix(date, time)
}

/// "2027-01-14T09:30", UK time, for form fields and the API.
#[must_use]
pub fn local_date_time(unix: i64) -> String {
    format!("{}T{}", local_date(unix), local_time(unix))
}

/// "2027-01-14", UK date.
#[must_use]
pub fn local_date(unix: i64) -> String {
    let (year, month, day) = civil_from_days(wall(unix).div_euclid(DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// "09:30", UK time, 24-hour.
#[must_use]
pub fn local_time(unix: i64) -> String {
    let second = wall(unix).rem_euclid(DAY);
    format!("{:02}:{:02}", second / HOUR, second % HOUR / 60)
}

/// "Thursday 14 January 2027", UK date.
fn day_label(wall: i64) -> String {
    let day = wall.div_euclid(DAY);
    format!("{} {}", WEEKDAYS[weekday(day)], long_date(wall))
}

/// "9:30am", "9am", "12pm", "12:30am": the 12-hour clock NHS pages use.
fn clock_label(wall: i64) -> String {
    let second = wall.rem_euclid(DAY);
    let (hours, minutes) = (second / HOUR, second % HOUR / 60);
    let suffix = if hours < 12 { "am" } else { "pm" };
    let hours = match hours % 12 {
        0 => 12,
        h => h,
    };
    if minutes == 0 {
        format!("{hours}{suffix}")
    } else {
        format!("{hours}:{minutes:02}{suffix}")
    }
}

/// "Thursday 14 January 2027, 9:30am", UK time: one moment, as pages write it.
#[must_use]
pub fn date_time_label(unix: i64) -> String {
    let wall = wall(unix);
    format!("{}, {}", day_label(wall), clock_label(wall))
}

/// "Thursday 14 January 2027, 9:30am to 11:30am", UK time; the end's date is written out too
/// when it falls on another day.
#[must_use]
pub fn slot_label(start: i64, end: i64) -> String {
    let (start, end) = (wall(start), wall(end));
    if start.div_euclid(DAY) == end.div_euclid(DAY) {
        format!(
            "{}, {} to {}",
            day_label(start),
            clock_label(start),
            clock_label(end)
        )
    } else {
        format!(
            "{}, {} to {}, {}",
            day_label(start),
            clock_label(start),
            day_label(end),
            clock_label(end)
        )
    }
}

/// "20270114T093000": a wall time in iCalendar's compact form.
fn compact(wall: i64) -> String {
    let (year, month, day) = civil_from_days(wall.div_euclid(DAY));
    let second = wall.rem_euclid(DAY);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}",
        second / HOUR,
        second % HOUR / 60,
        second % 60
    )
}

/// "20270114T093000Z": UTC in iCalendar's compact form, for DTSTAMP.
#[must_use]
pub fn compact_utc(unix: i64) -> String {
    format!("{}Z", compact(unix))
}

/// "20270114T093000": UK wall time in iCalendar's compact form, for `DTSTART;TZID=Europe/London`.
#[must_use]
pub fn compact_local(unix: i64) -> String {
    compact(wall(unix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        parse_local_date_time(text).unwrap()
    }

    /// Unix seconds of a UTC date and time, written "2027-03-28 01:00".
    fn utc(text: &str) -> i64 {
        let (date, time) = text.split_once(' ').unwrap();
        parse_date(date).unwrap() + parse_time(time).unwrap()
    }

    #[test]
    fn time_zone_names() {
        assert!(check_time_zone("").is_ok());
        assert!(check_time_zone("  Europe/London ").is_ok());
        assert_eq!(
            check_time_zone("europe/london").unwrap_err().0,
            "Unknown time zone \"europe/london\": sessions are planned in UK time, so use \
             Europe/London"
        );
        let long = "A".repeat(60);
        assert_eq!(
            check_time_zone(&long).unwrap_err().0,
            format!(
                "Unknown time zone \"{}…\": sessions are planned in UK time, so use Europe/London",
                "A".repeat(40)
            )
        );
    }

    #[test]
    fn offsets_either_side_of_the_changes() {
        for (change, before, after) in [
            ("2026-03-29 01:00", 0, HOUR),
            ("2026-10-25 01:00", HOUR, 0),
            ("2027-03-28 01:00", 0, HOUR),
            ("2027-10-31 01:00", HOUR, 0),
        ] {
            let change = utc(change);
            assert_eq!(offset_seconds(change - 1), before, "{change}");
            assert_eq!(offset_seconds(change), after, "{change}");
        }
        assert_eq!(offset_seconds(utc("2027-01-14 09:30")), 0);
        assert_eq!(offset_seconds(utc("2027-07-14 09:30")), HOUR);
    }

    #[test]
    fn local_times_either_side_of_the_changes() {
        // Spring 2027: 00:59 GMT is followed by 02:00 BST.
        assert_eq!(at("2027-03-28T00:59"), utc("2027-03-28 00:59"));
        assert_eq!(at("2027-03-28T02:00"), utc("2027-03-28 01:00"));
        assert_eq!(local_date_time(utc("2027-03-28 00:59")), "2027-03-28T00:59");
        assert_eq!(local_date_time(utc("2027-03-28 01:00")), "2027-03-28T02:00");
        // Autumn 2027: 01:59 BST is followed by 01:00 GMT.
        assert_eq!(local_date_time(utc("2027-10-31 00:59")), "2027-10-31T01:59");
        assert_eq!(local_date_time(utc("2027-10-31 01:00")), "2027-10-31T01:00");
        assert_eq!(at("2027-10-31T02:00"), utc("2027-10-31 02:00"));
        assert_eq!(at("2027-10-31T00:59"), utc("2027-10-30 23:59"));
        // 2026.
        assert_eq!(at("2026-03-29T09:00"), utc("2026-03-29 08:00"));
        assert_eq!(at("2026-03-28T09:00"), utc("2026-03-28 09:00"));
        assert_eq!(at("2026-10-24T09:00"), utc("2026-10-24 08:00"));
        assert_eq!(at("2026-10-25T09:00"), utc("2026-10-25 09:00"));
    }

    #[test]
    fn the_spring_gap_is_refused_and_the_autumn_hour_means_summer_time() {
        for time in ["01:00", "1:30", "01:59"] {
            assert_eq!(
                local_to_unix("28/03/2027", time).unwrap_err().0,
                "That time does not exist in the UK: clocks go forward at 1am on 28 March 2027"
            );
        }
        assert_eq!(
            parse_local_date_time("2026-03-29T01:15").unwrap_err().0,
            "That time does not exist in the UK: clocks go forward at 1am on 29 March 2026"
        );
        assert_eq!(at("2027-10-31T01:30"), utc("2027-10-31 00:30"));
        assert_eq!(at("2026-10-25T01:00"), utc("2026-10-25 00:00"));
    }

    #[test]
    fn refuses_unreal_times() {
        for bad in [
            "", "9", "24:00", "09:60", "9:5", "009:30", "+9:30", "09:30pm", "ab:cd",
        ] {
            assert_eq!(
                local_to_unix("2027-01-14", bad).unwrap_err().0,
                "Enter a real time, like 09:30",
                "{bad}"
            );
        }
        assert_eq!(
            local_to_unix("2027-02-30", "09:30").unwrap_err().0,
            "Enter a real date, like 18/12/2026"
        );
        assert_eq!(
            parse_local_date_time("2027-01-14").unwrap_err().0,
            "Enter a real date and time, like 2027-01-14T09:30"
        );
        assert_eq!(
            parse_local_date_time("2027-01-14T09:30:15").unwrap_err().0,
            "Enter a real time, like 09:30"
        );
        assert_eq!(at("2027-01-14T09:30:00"), at(" 2027-01-14T09:30 "));
        assert_eq!(at("2027-01-14 09:30"), at("2027-01-14T09:30"));
        assert_eq!(
            local_to_unix("14/01/2027", "9:30").unwrap(),
            at("2027-01-14T09:30")
        );
    }

    #[test]
    fn every_half_hour_of_a_year_round_trips() {
        let start = utc("2026-12-31 00:00");
        let mut instant = utc("2026-01-01 00:00");
        while instant < start + 366 * DAY {
            let text = local_date_time(instant);
            let back = at(&text);
            // Only the second, winter-time pass of the autumn hour reads back as the first.
            if back != instant {
                assert_eq!(back, instant - HOUR, "{text}");
                assert_eq!(offset_seconds(back), HOUR, "{text}");
                assert_eq!(offset_seconds(instant), 0, "{text}");
            }
            assert_eq!(local_date(instant), text[..10]);
            assert_eq!(local_time(instant), text[11..]);
            instant += 30 * 60;
        }
        // And every local half hour reads and writes back, except the spring gap.
        let mut day = parse_date("2027-01-01").unwrap();
        while day < parse_date("2028-01-01").unwrap() {
            for step in 0..48 {
                let (date, time) = (
                    crate::dates::iso_date(day),
                    format!("{:02}:{:02}", step / 2, step % 2 * 30),
                );
                match local_to_unix(&date, &time) {
                    Ok(unix) => assert_eq!(local_date_time(unix), format!("{date}T{time}")),
                    Err(_) => assert!(date == "2027-03-28" && time.starts_with("01:")),
                }
            }
            day += DAY;
        }
    }

    #[test]
    fn labels() {
        assert_eq!(
            slot_label(at("2027-01-14T09:30"), at("2027-01-14T11:30")),
            "Thursday 14 January 2027, 9:30am to 11:30am"
        );
        assert_eq!(
            slot_label(at("2027-07-14T12:00"), at("2027-07-14T12:30")),
            "Wednesday 14 July 2027, 12pm to 12:30pm"
        );
        assert_eq!(
            slot_label(at("2027-01-14T00:00"), at("2027-01-14T00:45")),
            "Thursday 14 January 2027, 12am to 12:45am"
        );
        assert_eq!(
            slot_label(at("2027-01-14T09:00"), at("2027-01-14T17:05")),
            "Thursday 14 January 2027, 9am to 5:05pm"
        );
        assert_eq!(
            slot_label(at("2027-01-14T21:00"), at("2027-01-15T01:00")),
            "Thursday 14 January 2027, 9pm to Friday 15 January 2027, 1am"
        );
        // Across the spring change the wall clock, not the elapsed time, is shown.
        assert_eq!(
            slot_label(at("2027-03-28T00:30"), at("2027-03-28T02:30")),
            "Sunday 28 March 2027, 12:30am to 2:30am"
        );
        assert_eq!(
            date_time_label(at("2027-06-01T13:15")),
            "Tuesday 1 June 2027, 1:15pm"
        );
        // Any instant at all can be labelled, as check_slots labels whatever it is sent.
        for unix in [i64::MIN, i64::MAX, 0, -1] {
            assert!(!slot_label(unix, unix).is_empty());
            assert!(!local_date_time(unix).is_empty());
        }
    }

    #[test]
    fn compact_forms() {
        let winter = at("2027-01-14T09:30");
        assert_eq!(compact_utc(winter), "20270114T093000Z");
        assert_eq!(compact_local(winter), "20270114T093000");
        let summer = at("2027-07-14T09:30");
        assert_eq!(compact_utc(summer), "20270714T083000Z");
        assert_eq!(compact_local(summer), "20270714T093000");
    }
}
