//! What champions type when they plan sessions: times (UK local time), session plans, their own
//! cards, and the text that ends up in calendar files. Nothing may panic; a time that reads must
//! read back the same; a plan that passes must pass again after going through its edit form;
//! and no text, whatever it holds, may add a line of its own to a calendar file or make a line
//! longer than 75 bytes.
//!
//! The input is split on NUL bytes into: date, time, date-time, then the plan's fields
//! (objectives, agenda, roles, ground rules, good questions, groups, contingency), then the
//! card's kind, title and text, then the calendar's summary, description, location, name and
//! address. Missing parts are empty.

#![no_main]

use commonground_domain::cards::NewCard;
use commonground_domain::ical::{self, Event, Method, Person};
use commonground_domain::london;
use commonground_domain::session_plan::{PlanInput, SessionPlan};
use libfuzzer_sys::fuzz_target;

const FACTORS: [&str; 2] = ["shared-purpose", "learning"];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let mut next = || parts.next().unwrap_or_default().to_owned();

    let (date, time, date_time) = (next(), next(), next());
    if let Ok(at) = london::local_to_unix(&date, &time) {
        assert_eq!(
            london::parse_local_date_time(&london::local_date_time(at)),
            Ok(at),
            "{date:?} {time:?} does not read back"
        );
        let _ = london::slot_label(at, at.saturating_add(3600));
    }
    let _ = london::parse_local_date_time(&date_time);

    let input = PlanInput {
        template: "session-1".to_owned(),
        objectives: next(),
        agenda: next(),
        roles: next(),
        ground_rules: next(),
        good_questions: next(),
        groups: next(),
        contingency: next(),
    };
    if let Ok(plan) = SessionPlan::parse(&input) {
        assert_eq!(plan.check(), Ok(()), "a parsed plan fails its own check");
        assert_eq!(
            SessionPlan::parse(&plan.to_input()).as_ref(),
            Ok(&plan),
            "a plan changes on its way through the edit form"
        );
    }

    let (kind, title, body) = (next(), next(), next());
    let _ = NewCard::parse(&kind, &title, &body, &FACTORS, &FACTORS);

    let (summary, description, location, name, email) = (next(), next(), next(), next(), next());
    let person = Person { name, email };
    let event = Event {
        uid: "review-1-session-1@example.nhs.uk".to_owned(),
        sequence: 1,
        starts_at: 1_800_000_000,
        ends_at: 1_800_007_200,
        summary,
        description,
        location,
        organizer: person.clone(),
        attendees: vec![person],
        stamp: 1_799_000_000,
        cancelled: false,
    };
    for method in [Method::Publish, Method::Request, Method::Cancel] {
        let file = ical::calendar(method, std::slice::from_ref(&event));
        assert!(file.ends_with("\r\n"), "the file does not end with CRLF");
        let mut names = Vec::new();
        for line in file.split_terminator("\r\n") {
            assert!(line.len() <= 75, "a line of {} bytes: {line:?}", line.len());
            assert!(!line.contains(['\r', '\n']), "a bare line break: {line:?}");
            if !line.starts_with(' ') {
                let name = line.split([':', ';']).next().unwrap_or_default();
                names.push(name.to_owned());
            }
        }
        // Text cannot add properties or components: each appears as often as the writer puts it.
        for (property, times) in [("BEGIN", 5), ("END", 5), ("SUMMARY", 1), ("UID", 1), ("METHOD", 1)] {
            let seen = names.iter().filter(|n| *n == property).count();
            assert_eq!(seen, times, "{property} appears {seen} times");
        }
    }
});
