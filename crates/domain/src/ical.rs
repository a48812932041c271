//! iCalendar (RFC 5545) invitations that calendar programs apply, following iTIP (RFC 5546).
//!
//! An invitation is a `VCALENDAR` with a `METHOD`: `REQUEST` adds or updates the event in the
//! attendee's calendar, `CANCEL` removes it, and `PUBLISH` is a plain download. A calendar
//! program matches an update or cancellation to the event it holds by `UID`, and applies it only
//! if its `SEQUENCE` is higher: so the caller keeps the UID of a session and raises the sequence
//! on every change.
//!
//! Times are written as UK wall-clock times with `TZID=Europe/London` and a `VTIMEZONE` that
//! describes British Summer Time, so a session at 9:30am shows at 9:30am in every calendar, in
//! winter and in summer.
//!
//! The format is strict where calendars are strict: lines end in CRLF, no line is longer than 75
//! octets (longer ones are folded, never inside a UTF-8 character), and text is escaped so that
//! a name or description can never end a line or add a property of its own.

use serde::{Deserialize, Serialize};

use crate::london::{TIME_ZONE, compact_local, compact_utc};

/// The longest physical line RFC 5545 allows, in octets, not counting the CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// What the receiving calendar should do with the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A download: the events, with no invitation attached.
    Publish,
    /// An invitation, or an update to one.
    Request,
    /// The events are called off.
    Cancel,
}

impl Method {
    /// The `METHOD` value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// Someone named in an event: its organiser or an attendee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Their name as calendars show it.
    pub name: String,
    /// Their email address, which calendars use to recognise them.
    pub email: String,
}

/// One session as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Stays the same for the life of the session, so updates replace the event.
    pub uid: String,
    /// Raised on every change, so calendars apply the newest version.
    pub sequence: u32,
    /// Start, Unix seconds.
    pub starts_at: i64,
    /// End, Unix seconds.
    pub ends_at: i64,
    /// The title.
    pub summary: String,
    /// The body; may have several lines. Left out when empty.
    pub description: String,
    /// Where it happens: a room or a link. Left out when empty.
    pub location: String,
    /// Who sends the invitation.
    pub organizer: Person,
    /// Who is invited; left out of a `PUBLISH`, which invites nobody.
    pub attendees: Vec<Person>,
    /// When this version was made, Unix seconds.
    pub stamp: i64,
    /// Whether the session is called off (always so with [`Method::Cancel`]).
    pub cancelled: bool,
}

/// The whole `.ics` text for `events`, with CRLF line ends and folded lines.
#[must_use]
pub fn calendar(method: Method, events: &[Event]) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//commonground//sessions//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line(&format!("METHOD:{}", method.as_str()));
    time_zone(&mut out);
    for event in events {
        vevent(&mut out, method, event);
    }
    out.line("END:VCALENDAR");
    out.text
}

/// The British Summer Time rule, so calendars place the `TZID=Europe/London` times correctly
/// even if they do not know the zone by name.
fn time_zone(out: &mut Lines) {
    for line in [
        "BEGIN:VTIMEZONE",
        &format!("TZID:{TIME_ZONE}"),
        "BEGIN:STANDARD",
        "TZNAME:GMT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0000",
        "DTSTART:19701025T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "TZNAME:BST",
        "TZOFFSETFROM:+0000",
        "TZOFFSETTO:+0100",
        "DTSTART:19700329T010000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ] {
        out.line(line);
    }
}

fn vevent(out: &mut Lines, method: Method, event: &Event) {
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", escape_text(&event.uid)));
    out.line(&format!("SEQUENCE:{}", event.sequence));
    out.line(&format!("DTSTAMP:{}", compact_utc(event.stamp)));
    out.line(&format!(
        "DTSTART;TZID={TIME_ZONE}:{}",
        compact_local(event.starts_at)
    ));
    out.line(&format!(
        "DTEND;TZID={TIME_ZONE}:{}",
        compact_local(event.ends_at)
    ));
    out.line(&format!("SUMMARY:{}", escape_text(&event.summary)));
    if !event.description.is_empty() {
        out.line(&format!("DESCRIPTION:{}", escape_text(&event.description)));
    }
    if !event.location.is_empty() {
        out.line(&format!("LOCATION:{}", escape_text(&event.location)));
    }
    out.line(&format!(
        "ORGANIZER;CN={}:mailto:{}",
        quote_param(&event.organizer.name),
        address(&event.organizer.email)
    ));
    // RFC 5546 forbids attendees in a PUBLISH; a download also has no need to list who else
    // was invited.
    if method != Method::Publish {
        for attendee in &event.attendees {
            out.line(&format!(
                "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{}",
                quote_param(&attendee.name),
                address(&attendee.email)
            ));
        }
    }
    let cancelled = event.cancelled || method == Method::Cancel;
    out.line(if cancelled {
        "STATUS:CANCELLED"
    } else {
        "STATUS:CONFIRMED"
    });
    out.line("TRANSP:OPAQUE");
    out.line("END:VEVENT");
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks, which would otherwise end
/// the value or the line; other control characters are not allowed in TEXT and are dropped.
fn escape_text(value: &str) -> String {
    let value = value.replace("\r\n", "\n");
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value in double quotes, as `CN` needs for names with commas or colons; quotes
/// cannot be escaped in a parameter, so they and control characters are dropped.
fn quote_param(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|&c| c != '"' && !c.is_control())
        .collect();
    format!("\"{}\"", kept.trim())
}

/// An email address for a `mailto:` URI; addresses are checked before they get here, but a
/// line break must never reach the output whatever the caller sends.
fn address(email: &str) -> String {
    email
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

/// Content lines, each folded and ended with CRLF as it is added.
#[derive(Default)]
struct Lines {
    text: String,
}

impl Lines {
    /// Adds one content line, folded so no physical line is longer than 75 octets.
    fn line(&mut self, line: &str) {
        let mut room = MAX_LINE_OCTETS;
        let mut used = 0;
        for c in line.chars() {
            if used + c.len_utf8() > room {
                // A continuation line starts with one space, which counts towards its 75.
                self.text.push_str("\r\n ");
                room = MAX_LINE_OCTETS - 1;
                used = 0;
            }
            self.text.push(c);
            used += c.len_utf8();
        }
        self.text.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::london::parse_local_date_time;

    /// One property of the output, parsed back: name, parameters and value.
    #[derive(Debug)]
    struct Property {
        name: String,
        params: Vec<(String, String)>,
        value: String,
    }

    /// Unfolds and parses `ics` into its content lines, as a calendar program would.
    fn parse(ics: &str) -> Vec<Property> {
        assert!(ics.ends_with("\r\n"));
        let unfolded = ics.replace("\r\n ", "");
        unfolded
            .strip_suffix("\r\n")
            .unwrap()
            .split("\r\n")
            .map(|line| {
                assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
                // The value starts at the first colon outside a quoted parameter value.
                let mut quoted = false;
                let split = line
                    .char_indices()
                    .find(|&(_, c)| {
                        if c == '"' {
                            quoted = !quoted;
                        }
                        c == ':' && !quoted
                    })
                    .map(|(i, _)| i)
                    .unwrap();
                let (head, value) = (&line[..split], &line[split + 1..]);
                let mut parts = head.split(';');
                let name = parts.next().unwrap().to_owned();
                let params = parts
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap();
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                Property {
                    name,
                    params,
                    value: value.to_owned(),
                }
            })
            .collect()
    }

    /// Reverses [`escape_text`].
    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next().unwrap() {
                    'n' | 'N' => out.push('\n'),
                    other => out.push(other),
                }
            } else {
                assert!(!matches!(c, ';' | ','), "unescaped {c} in {value}");
                out.push(c);
            }
        }
        out
    }

    fn value<'a>(props: &'a [Property], name: &str) -> &'a str {
        &props.iter().find(|p| p.name == name).unwrap().value
    }

    fn event(start: &str, end: &str) -> Event {
        Event {
            uid: "session-1-review-7@commonground".to_owned(),
            sequence: 0,
            starts_at: parse_local_date_time(start).unwrap(),
            ends_at: parse_local_date_time(end).unwrap(),
            summary: "Session 1: Theatres partnership review".to_owned(),
            description: "Bring your results.\nRoom booked by Sam.".to_owned(),
            location: "Room 4, Trust HQ".to_owned(),
            organizer: Person {
                name: "Sam Patel".to_owned(),
                email: "sam.patel@nhs.net".to_owned(),
            },
            attendees: vec![
                Person {
                    name: "Jo \"JJ\" Bloggs, Finance".to_owned(),
                    email: "jo@nhs.net".to_owned(),
                },
                Person {
                    name: "Ana: Ward 7".to_owned(),
                    email: "ana@nhs.net\r\nX-EVIL:1".to_owned(),
                },
            ],
            stamp: 1_800_000_000,
            cancelled: false,
        }
    }

    #[test]
    fn structure() {
        let ics = calendar(
            Method::Request,
            &[event("2027-01-14T09:30", "2027-01-14T11:30")],
        );
        let names: Vec<String> = parse(&ics).into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "BEGIN",
                "VERSION",
                "PRODID",
                "CALSCALE",
                "METHOD",
                "BEGIN",
                "TZID",
                "BEGIN",
                "TZNAME",
                "TZOFFSETFROM",
                "TZOFFSETTO",
                "DTSTART",
                "RRULE",
                "END",
                "BEGIN",
                "TZNAME",
                "TZOFFSETFROM",
                "TZOFFSETTO",
                "DTSTART",
                "RRULE",
                "END",
                "END",
                "BEGIN",
                "UID",
                "SEQUENCE",
                "DTSTAMP",
                "DTSTART",
                "DTEND",
                "SUMMARY",
                "DESCRIPTION",
                "LOCATION",
                "ORGANIZER",
                "ATTENDEE",
                "ATTENDEE",
                "STATUS",
                "TRANSP",
                "END",
                "END",
            ]
        );
        assert!(ics.starts_with(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//commonground//sessions//EN\r\n\
             CALSCALE:GREGORIAN\r\nMETHOD:REQUEST\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
        ));
        assert!(ics.contains(
            "BEGIN:STANDARD\r\nTZNAME:GMT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n\
             DTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD"
        ));
        assert!(ics.contains(
            "BEGIN:DAYLIGHT\r\nTZNAME:BST\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n\
             DTSTART:19700329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT"
        ));
        assert!(ics.contains(
            "UID:session-1-review-7@commonground\r\nSEQUENCE:0\r\nDTSTAMP:20270115T080000Z\r\n"
        ));
        assert!(
            ics.contains("STATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        );
        assert!(ics.contains("ORGANIZER;CN=\"Sam Patel\":mailto:sam.patel@nhs.net\r\n"));
        // Quotes dropped from the name; the smuggled line break dropped from the address.
        assert!(ics.replace("\r\n ", "").contains(
            "ATTENDEE;CN=\"Jo JJ Bloggs, Finance\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;\
             RSVP=FALSE:mailto:jo@nhs.net\r\n"
        ));
        let props = parse(&ics);
        let ana = props
            .iter()
            .filter(|p| p.name == "ATTENDEE")
            .nth(1)
            .unwrap();
        assert_eq!(
            ana.params[0],
            ("CN".to_owned(), "\"Ana: Ward 7\"".to_owned())
        );
        assert_eq!(ana.value, "mailto:ana@nhs.netX-EVIL:1");
        assert!(!props.iter().any(|p| p.name == "X-EVIL"));
        assert_eq!(value(&props, "LOCATION"), "Room 4\\, Trust HQ");
    }

    #[test]
    fn several_events_and_empty_fields() {
        let mut second = event("2027-02-14T09:30", "2027-02-14T11:30");
        second.uid = "session-2".to_owned();
        second.sequence = 3;
        second.description = String::new();
        second.location = String::new();
        let ics = calendar(
            Method::Publish,
            &[event("2027-01-14T09:30", "2027-01-14T11:30"), second],
        );
        let props = parse(&ics);
        let count = |name: &str| props.iter().filter(|p| p.name == name).count();
        assert_eq!(count("UID"), 2);
        assert_eq!(count("DESCRIPTION"), 1);
        assert_eq!(count("LOCATION"), 1);
        assert_eq!(count("ATTENDEE"), 0);
        assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(ics.contains("METHOD:PUBLISH\r\n"));
        assert!(ics.contains("UID:session-2\r\nSEQUENCE:3\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_never_inside_a_character() {
        let mut long = event("2027-01-14T09:30", "2027-01-14T11:30");
        long.description = "Café — review of théâtre costs 💷, ward 7; ".repeat(20)
            + "\nSecond line: ünïcödé ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓";
        long.summary = "é".repeat(100);
        let ics = calendar(Method::Request, std::slice::from_ref(&long));
        for line in ics.split("\r\n") {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line}",
                line.len()
            );
        }
        // Folding actually happened, and some lines are filled right up to the limit.
        assert!(ics.matches("\r\n ").count() > 10);
        assert!(ics.split("\r\n").any(|l| l.len() >= MAX_LINE_OCTETS - 3));
        let props = parse(&ics);
        assert_eq!(unescape(value(&props, "DESCRIPTION")), long.description);
        assert_eq!(unescape(value(&props, "SUMMARY")), long.summary);
    }

    #[test]
    fn escaping_round_trips() {
        let text = "a\\b;c,d\ne\r\nf \"quoted\" : colon\\n not a break\ttab";
        let escaped = escape_text(text);
        assert!(!escaped.contains('\n') && !escaped.contains('\r'));
        assert_eq!(
            escaped,
            "a\\\\b\\;c\\,d\\ne\\nf \"quoted\" : colon\\\\n not a break\ttab"
        );
        assert_eq!(unescape(&escaped), text.replace("\r\n", "\n"));
        assert_eq!(escape_text("bell\u{7}\u{0}"), "bell");
        let mut e = event("2027-01-14T09:30", "2027-01-14T11:30");
        e.summary = text.to_owned();
        e.uid = "a;b,c".to_owned();
        let props = parse(&calendar(Method::Request, &[e]));
        assert_eq!(
            unescape(value(&props, "SUMMARY")),
            text.replace("\r\n", "\n")
        );
        assert_eq!(unescape(value(&props, "UID")), "a;b,c");
    }

    #[test]
    fn start_and_end_are_uk_wall_time_in_winter_and_summer() {
        let winter = parse(&calendar(
            Method::Request,
            &[event("2027-01-14T09:30", "2027-01-14T11:30")],
        ));
        let summer = parse(&calendar(
            Method::Request,
            &[event("2027-07-14T09:30", "2027-07-14T11:30")],
        ));
        for (props, day) in [(winter, "20270114"), (summer, "20270714")] {
            let start = props.iter().rfind(|p| p.name == "DTSTART").unwrap();
            assert_eq!(
                start.params,
                [("TZID".to_owned(), "Europe/London".to_owned())]
            );
            assert_eq!(start.value, format!("{day}T093000"));
            assert_eq!(value(&props, "DTEND"), format!("{day}T113000"));
        }
    }

    #[test]
    fn cancel_marks_every_event_cancelled() {
        let e = event("2027-01-14T09:30", "2027-01-14T11:30");
        let ics = calendar(Method::Cancel, std::slice::from_ref(&e));
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
        assert!(!ics.contains("CONFIRMED"));
        let mut called_off = e;
        called_off.cancelled = true;
        assert!(calendar(Method::Publish, &[called_off]).contains("STATUS:CANCELLED\r\n"));
    }
}
