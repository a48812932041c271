//! Dates as NHS pages write them: "23 November 2026", in UTC.

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Converts days since 1970-01-01 to (year, month 1-12, day 1-31).
///
/// Howard Hinnant's `civil_from_days`, exact for the proleptic Gregorian calendar.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Converts (year, month 1-12, day 1-31) to days since 1970-01-01; the inverse of
/// `civil_from_days`.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads a calendar date, "2026-12-18" (as date fields send it) or "18/12/2026", as the Unix
/// seconds of its midnight (UTC).
pub fn parse_date(input: &str) -> Result<i64, crate::Invalid> {
    let text = input.trim();
    let fields: Vec<&str> = if text.contains('-') {
        text.split('-').collect()
    } else {
        text.split('/').rev().collect()
    };
    let bad = || crate::Invalid::new("Enter a real date, like 18/12/2026");
    let [year, month, day] = fields.as_slice() else {
        return Err(bad());
    };
    let (Ok(year), Ok(month), Ok(day)) = (
        year.trim().parse::<i64>(),
        month.trim().parse::<u32>(),
        day.trim().parse::<u32>(),
    ) else {
        return Err(bad());
    };
    if !(2000..=2200).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    // A day past the month's end (31 June) comes back as another date.
    if civil_from_days(days) != (year, month, day) {
        return Err(bad());
    }
    Ok(days * 86_400)
}

/// "23 November 2026".
#[must_use]
pub fn long_date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{day} {} {year}", MONTHS[(month - 1) as usize])
}

/// "23 November 2026 at 14:05 UTC".
#[must_use]
pub fn date_time(unix_seconds: i64) -> String {
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{} at {:02}:{:02} UTC",
        long_date(unix_seconds),
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// "2026-11-23": the only time an anonymous answer keeps.
#[must_use]
pub fn iso_date(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// "2026-11-23T14:05:00Z", for the API.
#[must_use]
pub fn rfc3339(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_both_ways_and_refuses_impossible_ones() {
        assert_eq!(
            parse_date("2026-12-18").unwrap(),
            parse_date("18/12/2026").unwrap()
        );
        assert_eq!(iso_date(parse_date("29/02/2028").unwrap()), "2028-02-29");
        for bad in [
            "31/06/2026",
            "29/02/2027",
            "2026-13-01",
            "tomorrow",
            "",
            "1/1/1900",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(long_date(0), "1 January 1970");
        assert_eq!(long_date(951_782_400), "29 February 2000");
        assert_eq!(long_date(1_795_392_000), "23 November 2026");
        assert_eq!(
            date_time(1_795_392_000 + 14 * 3600 + 5 * 60),
            "23 November 2026 at 14:05 UTC"
        );
        assert_eq!(
            rfc3339(1_795_392_000 + 14 * 3600 + 5 * 60 + 9),
            "2026-11-23T14:05:09Z"
        );
    }
}
