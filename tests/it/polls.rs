//! The date poll through the pages, as champions and invitees use it: offering times for both
//! sessions, answering from a personal link without an account, seeing who can come, choosing
//! (with calendar invitations, updates and cancellations), the calendar downloads, reminders,
//! and every refusal changing nothing.

use commonground_domain::Role;
use commonground_domain::london::{local_date, local_to_unix, slot_label};
use commonground_store::now;
use commonground_store::outbox::{OutboxMessage, OutboxScope};
use commonground_store::team_sessions::SessionTime;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, Event};

use crate::questionnaire::{Review, review_with};
use crate::support::{TestApp, csrf_token, text_of};

/// The candidate times every poll here offers: (field prefix, month-day next year, start, end).
/// Session 1 falls in British Summer Time, session 2 in winter (GMT).
pub const SLOTS: [(&str, &str, &str, &str); 4] = [
    ("s1-0", "07-14", "09:30", "11:30"),
    ("s1-1", "07-15", "13:00", "15:00"),
    ("s2-0", "11-17", "09:30", "12:00"),
    ("s2-1", "11-18", "14:00", "16:00"),
];

/// The peer reviewer asked besides the participants.
pub const GUEST_EMAIL: &str = "priya.peer@otherhospital.nhs.uk";

const POLL_SUBJECT: &str = "Which dates suit you?";

/// The UK date of `month_day` ("07-14") next year, as a date field sends it.
pub fn next_year(month_day: &str) -> String {
    let year: i32 = local_date(now())[..4].parse().unwrap();
    format!("{}-{month_day}", year + 1)
}

/// How a page names one of [`SLOTS`]: "Wednesday 14 July 2027, 9:30am to 11:30am".
pub fn label_of(slot: usize) -> String {
    let (_, day, starts, ends) = SLOTS[slot];
    let date = next_year(day);
    slot_label(
        local_to_unix(&date, starts).unwrap(),
        local_to_unix(&date, ends).unwrap(),
    )
}

/// The new-poll form filled in: four times, a peer reviewer, "email everyone"; `changes`
/// replace fields (an empty value clears one) or add them.
pub fn poll_form(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        (
            "location".into(),
            "Seminar room 2, Northshire General".into(),
        ),
        (
            "message".into(),
            "Both sessions matter: please answer for all four times.".into(),
        ),
        ("answer_by".into(), next_year("06-01")),
        ("g0-name".into(), "Priya Peer".into()),
        ("g0-email".into(), GUEST_EMAIL.into()),
        ("g0-side".into(), "finance".into()),
        ("g0-role".into(), "peer_reviewer".into()),
        ("send".into(), "yes".into()),
    ];
    for (prefix, day, starts, ends) in SLOTS {
        fields.push((format!("{prefix}-date"), next_year(day)));
        fields.push((format!("{prefix}-starts"), starts.into()));
        fields.push((format!("{prefix}-ends"), ends.into()));
    }
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => (*value).clone_into(&mut field.1),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

fn sessions_path(r: &Review) -> String {
    format!("{}/sessions", r.path)
}

pub fn poll_path(r: &Review) -> String {
    format!("{}/sessions/poll", r.path)
}

/// The champion `client` fills in the new-poll form of review `r` and starts the poll.
pub async fn start_poll_as(
    r: &Review,
    client: &reqwest::Client,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let fields = poll_form(changes);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let poll = poll_path(r);
    r.app
        .submit(client, &format!("{poll}/new"), &poll, &fields)
        .await
}

/// The review's champion starts the poll.
pub async fn start_poll(r: &Review, changes: &[(&str, &str)]) -> reqwest::Response {
    start_poll_as(r, &r.lead, changes).await
}

/// Every message in the review's organisation's outbox.
pub async fn outbox(r: &Review) -> Vec<OutboxMessage> {
    r.app
        .store
        .list_outbox(OutboxScope::Organisation(r.org), 1000, 0)
        .await
        .unwrap()
}

/// Messages whose subject starts with `subject`, oldest first.
async fn emails_about(r: &Review, subject: &str) -> Vec<OutboxMessage> {
    let mut messages: Vec<OutboxMessage> = outbox(r)
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with(subject))
        .collect();
    messages.sort_by_key(|m| m.id.0);
    messages
}

/// The path of the poll link (`/poll/cgp_...`) in an email's text.
fn poll_link(text: &str) -> String {
    let start = text.find("/poll/").expect("the email has a poll link");
    text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(['.', ',', ')', '>'])
        .to_owned()
}

/// (recipient, poll link path) of every poll email, by recipient.
pub async fn poll_links(r: &Review) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = emails_about(r, POLL_SUBJECT)
        .await
        .iter()
        .map(|m| (m.to.clone(), poll_link(&m.text)))
        .collect();
    links.sort();
    links
}

/// The poll link emailed to `email`.
pub async fn link_of(r: &Review, email: &str) -> String {
    poll_links(r)
        .await
        .into_iter()
        .find(|(to, _)| to == email)
        .unwrap_or_else(|| panic!("no poll link for {email}"))
        .1
}

/// The poll's slot ids in the order of [`SLOTS`] (session 1 first, then by start).
pub async fn slot_ids(r: &Review) -> Vec<i64> {
    let poll = r
        .app
        .store
        .poll(r.org, r.id)
        .await
        .unwrap()
        .expect("a poll");
    poll.slots.iter().map(|s| s.id.0).collect()
}

/// An invitee's answer page, open in their browser (no account, a session of its own).
pub struct AnswerForm {
    client: reqwest::Client,
    csrf_token: String,
    link: String,
}

/// An invitee opens their poll link.
pub async fn open_link(app: &TestApp, link: &str) -> AnswerForm {
    let client = app.client();
    let (status, html) = page(app, &client, link).await;
    assert_eq!(status, 200, "{link}");
    AnswerForm {
        csrf_token: csrf_token(&html),
        client,
        link: link.to_owned(),
    }
}

impl AnswerForm {
    /// Sends `answers` (slot id, answer) from the open page; slots left out are not answered.
    pub async fn send(&self, app: &TestApp, answers: &[(i64, &str)]) -> reqwest::Response {
        self.send_to(app, &self.link, answers).await
    }

    /// Sends the form to `path` instead of where it came from (a tampered post).
    async fn send_to(
        &self,
        app: &TestApp,
        path: &str,
        answers: &[(i64, &str)],
    ) -> reqwest::Response {
        let mut fields = vec![("csrf_token".to_owned(), self.csrf_token.clone())];
        fields.extend(
            answers
                .iter()
                .map(|(slot, answer)| (format!("slot-{slot}"), (*answer).to_owned())),
        );
        self.client
            .post(app.url(path))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }
}

/// An invitee opens their link and sends `answers`.
pub async fn answer(app: &TestApp, link: &str, answers: &[(i64, &str)]) -> reqwest::Response {
    open_link(app, link).await.send(app, answers).await
}

/// Every answer stored in the review's poll, for "nothing changed" checks.
async fn stored_answers(r: &Review) -> Vec<(i64, i64, String)> {
    let poll = r
        .app
        .store
        .poll(r.org, r.id)
        .await
        .unwrap()
        .expect("a poll");
    let mut answers: Vec<(i64, i64, String)> = poll
        .answers
        .iter()
        .map(|(i, s, a)| (i.0, s.0, a.clone()))
        .collect();
    answers.sort();
    answers
}

/// The champion chooses times on the poll page: `("session1", slot id)` and/or session 2.
pub async fn choose(r: &Review, choices: &[(&str, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = choices.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let poll = poll_path(r);
    r.app
        .submit(&r.lead, &poll, &format!("{poll}/choose"), &fields)
        .await
}

/// The champion clicks "Close the poll".
async fn close_poll(r: &Review) -> reqwest::Response {
    let poll = poll_path(r);
    r.app
        .submit(&r.lead, &poll, &format!("{poll}/close"), &[])
        .await
}

/// The champion cancels a session's time on the sessions page.
async fn cancel_session(r: &Review, number: u8) -> reqwest::Response {
    let sessions = sessions_path(r);
    r.app
        .submit(
            &r.lead,
            &sessions,
            &format!("{sessions}/{number}/cancel"),
            &[],
        )
        .await
}

/// GETs `path` as `client`: (status, body).
async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Checks a refusal: `status`, the NHS error summary, and `message` on the page.
async fn assert_refused(response: reqwest::Response, status: u16, message: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "{message}");
    let text = text_of(&response.text().await.unwrap());
    assert!(
        text.contains("There is a problem"),
        "no error summary for {message}: {text}"
    );
    assert!(text.contains(message), "expected {message:?} in {text}");
    text
}

/// Neither session has a time, and no invitation went out.
async fn assert_no_session_times(r: &Review) {
    let sessions = r.app.store.team_sessions(r.org, r.id).await.unwrap();
    assert!(sessions.iter().all(|s| s.starts_at.is_none()));
    assert!(sessions.iter().all(|s| s.sequence == 0));
    let invitations = outbox(r).await;
    assert!(
        !invitations.iter().any(|m| m.calendar.is_some()),
        "no calendar email may go out"
    );
}

/// One time per answer: each participant's planned answer for each of [`SLOTS`].
pub fn planned_answer(person: usize, slot: usize) -> &'static str {
    match slot {
        0 if person < 6 => "yes",
        0 if person < 8 => "if_need_be",
        1 if person.is_multiple_of(2) => "yes",
        2 if person == 9 => "yes",
        3 => "if_need_be",
        _ => "no",
    }
}

/// What the poll page counts for each of [`SLOTS`] once participants 0 to 9 have answered as
/// planned and the guest has not: can come, yes, if need be, no, no answer, clinical and finance
/// who can come. Participants 0, 3, 6 and 9 are finance, the rest nursing.
pub const PLANNED_COUNTS: [[u32; 7]; 4] = [
    [8, 6, 2, 2, 1, 5, 3],
    [5, 5, 0, 5, 1, 3, 2],
    [1, 1, 0, 9, 1, 0, 1],
    [10, 0, 10, 0, 1, 6, 4],
];

/// The "Who can come" table: each row's time and its numbers (can come, yes, if need be, no,
/// no answer, clinical, finance).
pub fn who_can_come(html: &str) -> Vec<(String, Vec<u32>)> {
    let start = html.find("<table").expect("a table");
    let end = html[start..].find("</table>").unwrap() + start;
    html[start..end]
        .split("<tr class=\"app-table__row\">")
        .skip(2)
        .map(|row| {
            let words: Vec<String> = text_of(row).split(' ').map(str::to_owned).collect();
            let numbers = words[words.len() - 7..]
                .iter()
                .map(|n| n.parse().unwrap())
                .collect();
            (words[..words.len() - 7].join(" "), numbers)
        })
        .collect()
}

/// A calendar file parsed back: its METHOD and its events.
pub fn parse_calendar(ics: &str) -> (String, Vec<Event>) {
    assert!(ics.contains("\r\n"), "lines end in CRLF");
    let calendar: icalendar::Calendar = ics.parse().expect("a calendar file that parses");
    let method = calendar
        .property_value("METHOD")
        .unwrap_or_default()
        .to_owned();
    let events = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event().cloned())
        .collect();
    (method, events)
}

/// An event's start or end as (TZID, local wall-clock time "2027-07-14 09:30:00").
pub fn local(time: Option<DatePerhapsTime>) -> (String, String) {
    match time {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            (tzid, date_time.to_string())
        }
        other => panic!("expected a time with TZID, got {other:?}"),
    }
}

/// The start and end `SLOTS[slot]` should have, in Europe/London.
pub fn wall_clock(slot: usize) -> [(String, String); 2] {
    let (_, day, starts, ends) = SLOTS[slot];
    let date = next_year(day);
    [starts, ends].map(|t| ("Europe/London".to_owned(), format!("{date} {t}:00")))
}

/// The addresses an event's ATTENDEE lines name.
fn attendees(event: &Event) -> Vec<String> {
    let mut emails: Vec<String> = event
        .multi_properties()
        .get("ATTENDEE")
        .map(|lines| {
            lines
                .iter()
                .map(|p| p.value().trim_start_matches("mailto:").to_owned())
                .collect()
        })
        .unwrap_or_default();
    emails.sort();
    emails
}

/// Checks the calendar invitations with `subject` went to each of `people` once, with the
/// same file: `method`, one event for `slot`'s time, `sequence`, `status`, an organiser and
/// the recipient as the only attendee (nobody learns the others' addresses from their
/// calendar). Returns the event's UID.
async fn assert_invitations(
    r: &Review,
    subject: &str,
    people: &[String],
    expect: (&str, u32, &str, usize),
) -> String {
    let (method, sequence, status, slot) = expect;
    let messages = emails_about(r, subject).await;
    let mut to: Vec<String> = messages.iter().map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, people, "{subject}: one email per invitee");
    let mut uid = None;
    for message in &messages {
        let ics = message
            .calendar
            .as_deref()
            .unwrap_or_else(|| panic!("{subject} to {} has no calendar", message.to));
        let (got_method, events) = parse_calendar(ics);
        assert_eq!(got_method, method, "{subject}");
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.get_sequence(), Some(sequence), "{subject}");
        assert_eq!(event.property_value("STATUS"), Some(status), "{subject}");
        let [start, end] = wall_clock(slot);
        assert_eq!(local(event.get_start()), start, "{subject}: DTSTART");
        assert_eq!(local(event.get_end()), end, "{subject}: DTEND");
        assert!(
            event
                .property_value("ORGANIZER")
                .is_some_and(|o| o.starts_with("mailto:") && o.contains('@')),
            "{subject}: an organiser"
        );
        assert_eq!(
            attendees(event),
            std::slice::from_ref(&message.to),
            "{subject}: the recipient, and only they, attends"
        );
        let this = event.get_uid().expect("a UID").to_owned();
        assert_eq!(*uid.get_or_insert_with(|| this.clone()), this);
    }
    uid.expect("at least one invitation")
}

/// A review of `people` participants (every third one finance, the rest nursing) with the
/// poll started and its links emailed.
async fn review_with_poll(people: usize) -> Review {
    let r = review_with(people).await;
    let started = start_poll(&r, &[]).await;
    assert_eq!(started.status(), 303, "the poll starts");
    assert_eq!(
        started.headers()["location"].to_str().unwrap(),
        poll_path(&r)
    );
    r
}

/// Everyone asked: the participants' addresses and the guest's, sorted.
fn everyone(people: usize) -> Vec<String> {
    let mut all: Vec<String> = (0..people)
        .map(|i| format!("person{i}@trust.nhs.uk"))
        .chain([GUEST_EMAIL.to_owned()])
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn a_poll_of_ten_finds_both_dates_and_sends_invitations_updates_and_cancellations() {
    let r = review_with_poll(10).await;

    // 11 personal links, each its own, none a questionnaire link.
    let links = poll_links(&r).await;
    let recipients: Vec<String> = links.iter().map(|(to, _)| to.clone()).collect();
    assert_eq!(recipients, everyone(10));
    for (_, link) in &links {
        assert!(link.starts_with("/poll/cgp_"), "{link}");
        assert!(!link.contains("/q/"));
    }
    let mut distinct: Vec<&String> = links.iter().map(|(_, l)| l).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 11);
    let email = &emails_about(&r, POLL_SUBJECT).await[0];
    for slot in 0..4 {
        assert!(
            email.text.contains(&label_of(slot)),
            "the email lists the times"
        );
    }

    // Each participant answers to plan.
    let slots = slot_ids(&r).await;
    for person in 0..10 {
        let link = link_of(&r, &format!("person{person}@trust.nhs.uk")).await;
        let answers: Vec<(i64, &str)> = (0..4)
            .map(|s| (slots[s], planned_answer(person, s)))
            .collect();
        let saved = answer(&r.app, &link, &answers).await;
        assert_eq!(saved.status(), 200);
        let text = text_of(&saved.text().await.unwrap());
        assert!(text.contains("Thank you: your answers are saved"), "{text}");
    }

    // The champion sees the counts per time: can come, yes, if need be, no, no answer (the
    // guest), clinical, finance. Participants 0, 3, 6 and 9 are finance, the rest nursing.
    let (status, html) = page(&r.app, &r.lead, &poll_path(&r)).await;
    assert_eq!(status, 200);
    let rows = who_can_come(&html);
    assert_eq!(rows.len(), 4);
    for ((label, numbers), (slot, counts)) in rows.iter().zip(PLANNED_COUNTS.iter().enumerate()) {
        let session = if slot < 2 { 1 } else { 2 };
        assert!(
            label.starts_with(&format!("Session {session}: {}", label_of(slot))),
            "{label}"
        );
        assert_eq!(numbers, counts, "{label}");
    }
    assert!(rows[0].0.contains("Best so far") && rows[3].0.contains("Best so far"));
    assert!(!rows[1].0.contains("Best so far") && !rows[2].0.contains("Best so far"));
    assert!(rows[2].0.contains("No clinical staff can come"));
    let text = text_of(&html);
    assert!(text.contains("10 of 11 people have answered"), "{text}");
    assert!(text.contains("Priya Peer Peer reviewer, Finance, not answered yet"));

    // Session 1 in summer time at 9:30am, session 2 in winter at 2pm.
    let chosen = choose(
        &r,
        &[
            ("session1", slots[0].to_string()),
            ("session2", slots[3].to_string()),
        ],
    )
    .await;
    assert_eq!(chosen.status(), 303);
    let people = everyone(10);
    let uid = assert_invitations(
        &r,
        "Invitation: session 1",
        &people,
        ("REQUEST", 1, "CONFIRMED", 0),
    )
    .await;
    let uid2 = assert_invitations(
        &r,
        "Invitation: session 2",
        &people,
        ("REQUEST", 1, "CONFIRMED", 3),
    )
    .await;
    assert_ne!(uid, uid2, "each session is its own event");
    let (_, html) = page(&r.app, &r.lead, &sessions_path(&r)).await;
    let text = text_of(&html);
    assert!(text.contains(&label_of(0)) && text.contains(&label_of(3)));
    assert!(
        text.contains("The date poll is closed"),
        "choosing closes the poll"
    );

    // Both downloads hold both sessions, and name no attendees.
    let invitee = link_of(&r, "person1@trust.nhs.uk").await;
    let anonymous = r.app.client();
    for (client, path) in [
        (&r.lead, format!("{}/calendar.ics", sessions_path(&r))),
        (&anonymous, format!("{invitee}/calendar.ics")),
    ] {
        let response = client.get(r.app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let (method, events) = parse_calendar(&response.text().await.unwrap());
        assert_eq!(method, "PUBLISH");
        assert_eq!(events.len(), 2, "{path}");
        assert_eq!(events[0].get_uid(), Some(uid.as_str()));
        assert_eq!(events[1].get_uid(), Some(uid2.as_str()));
        assert_eq!(local(events[0].get_start()), wall_clock(0)[0].clone());
        assert_eq!(local(events[1].get_start()), wall_clock(3)[0].clone());
        assert_eq!(events[0].get_summary(), Some("Session 1: Theatres"));
        assert_eq!(events[1].get_summary(), Some("Session 2: Theatres"));
        assert!(events.iter().all(|e| attendees(e).is_empty()), "{path}");
    }

    // Another time for session 1: an update with the same UID and the next sequence.
    let moved = choose(&r, &[("session1", slots[1].to_string())]).await;
    assert_eq!(moved.status(), 303);
    let same = assert_invitations(
        &r,
        "New time for session 1",
        &people,
        ("REQUEST", 2, "CONFIRMED", 1),
    )
    .await;
    assert_eq!(same, uid);

    // Cancelling session 1 tells every calendar to remove it.
    assert_eq!(cancel_session(&r, 1).await.status(), 303);
    let cancelled = assert_invitations(
        &r,
        "Cancelled: session 1",
        &people,
        ("CANCEL", 3, "CANCELLED", 1),
    )
    .await;
    assert_eq!(cancelled, uid);
    let (status, ics) = page(
        &r.app,
        &r.lead,
        &format!("{}/calendar.ics", sessions_path(&r)),
    )
    .await;
    assert_eq!(status, 200);
    let (_, events) = parse_calendar(&ics);
    assert_eq!(events.len(), 1, "only session 2 is left");
    assert_eq!(events[0].get_uid(), Some(uid2.as_str()));

    // Cancelling again refuses and sends nothing more.
    let before = outbox(&r).await.len();
    assert_refused(
        cancel_session(&r, 1).await,
        422,
        "Session 1 has no time to cancel",
    )
    .await;
    assert_eq!(outbox(&r).await.len(), before);

    // Admins can see in the audit log who planned what: one poll, three chosen times (both
    // sessions, then session 1 again), one cancellation.
    for (action, times) in [
        ("poll_created", 1),
        ("session_time_chosen", 3),
        ("session_cancelled", 1),
    ] {
        let rows = format!("audit_events WHERE action = '{action}'");
        assert_eq!(r.app.count(&rows).await, times, "{action}");
    }
}

/// The poll form with `changes` is refused with `message`, and nothing is stored or sent.
async fn refused_poll(changes: &[(&str, &str)], message: &str) {
    let r = review_with(2).await;
    let response = start_poll(&r, changes).await;
    let text = assert_refused(response, 422, message).await;
    assert!(
        text.contains("Find dates for the sessions"),
        "the form again"
    );
    for table in ["date_polls", "poll_slots", "poll_invitees", "poll_answers"] {
        assert_eq!(r.app.count(table).await, 0, "{table}");
    }
    assert!(emails_about(&r, POLL_SUBJECT).await.is_empty());
}

#[tokio::test]
async fn a_time_in_the_past_is_refused() {
    let yesterday = local_date(now() - 86_400);
    refused_poll(
        &[("s1-0-date", &yesterday)],
        "is in the past: choose a time after now",
    )
    .await;
}

#[tokio::test]
async fn overlapping_times_are_refused() {
    let day = next_year("07-14");
    refused_poll(
        &[
            ("s1-1-date", &day),
            ("s1-1-starts", "10:30"),
            ("s1-1-ends", "12:00"),
        ],
        &format!("Session 1, {} overlaps Session 1", label_of(0)),
    )
    .await;
}

#[tokio::test]
async fn an_end_before_the_start_is_refused() {
    refused_poll(&[("s2-1-ends", "13:00")], "the end must be after the start").await;
}

/// The last Sunday of March of `year` ("YYYY-03-DD"), when UK clocks go forward.
fn clocks_go_forward(year: &str) -> String {
    let y: i64 = year.parse().unwrap();
    // Sakamoto's rule for the weekday of 31 March (0 is Sunday).
    let weekday = (y + y / 4 - y / 100 + y / 400 + 2 + 31).rem_euclid(7);
    format!("{y}-03-{:02}", 31 - weekday)
}

#[tokio::test]
async fn a_time_the_clocks_skip_is_refused() {
    let day = clocks_go_forward(&next_year("01-01")[..4]);
    refused_poll(
        &[
            ("s1-0-date", &day),
            ("s1-0-starts", "01:30"),
            ("s1-0-ends", "03:30"),
        ],
        "That time does not exist in the UK: clocks go forward at 1am on",
    )
    .await;
}

#[tokio::test]
async fn a_poll_without_times_is_refused() {
    let mut clear: Vec<(String, &str)> = Vec::new();
    for (prefix, ..) in SLOTS {
        for part in ["date", "starts", "ends"] {
            clear.push((format!("{prefix}-{part}"), ""));
        }
    }
    let clear: Vec<(&str, &str)> = clear.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    refused_poll(&clear, "Add at least one time for each session").await;
}

#[tokio::test]
async fn a_last_day_to_answer_after_the_first_time_is_refused() {
    refused_poll(
        &[("answer_by", &next_year("07-20"))],
        "The last day to answer must be before the day of the first time offered",
    )
    .await;
}

#[tokio::test]
async fn a_guest_with_a_bad_email_is_refused() {
    refused_poll(
        &[("g0-email", "priya.peer@")],
        "Enter an email address in the correct format",
    )
    .await;
}

#[tokio::test]
async fn the_same_guest_twice_is_refused() {
    refused_poll(
        &[
            ("g1-name", "Priya Peer"),
            ("g1-email", "Priya.Peer@OtherHospital.nhs.uk"),
            ("g1-side", "finance"),
            ("g1-role", "peer_reviewer"),
        ],
        &format!("{GUEST_EMAIL} is listed twice"),
    )
    .await;
}

#[tokio::test]
async fn an_answer_after_the_poll_closed_is_refused_and_changes_nothing() {
    let r = review_with_poll(2).await;
    let slots = slot_ids(&r).await;
    let link = link_of(&r, "person0@trust.nhs.uk").await;
    let yes: Vec<(i64, &str)> = slots.iter().map(|s| (*s, "yes")).collect();
    assert_eq!(answer(&r.app, &link, &yes).await.status(), 200);
    let before = stored_answers(&r).await;
    assert_eq!(before.len(), 4);
    // Both still have their page open when the champion closes the poll.
    let changing = open_link(&r.app, &link).await;
    let late = open_link(&r.app, &link_of(&r, "person1@trust.nhs.uk").await).await;

    assert_eq!(close_poll(&r).await.status(), 303);
    let (_, html) = page(&r.app, &r.lead, &poll_path(&r)).await;
    assert!(text_of(&html).contains("Closed to answers"));

    let no: Vec<(i64, &str)> = slots.iter().map(|s| (*s, "no")).collect();
    for form in [&changing, &late] {
        let refused = form.send(&r.app, &no).await;
        assert_eq!(refused.status(), 409);
        let text = text_of(&refused.text().await.unwrap());
        assert!(text.contains("This poll has closed"), "{text}");
        assert_eq!(stored_answers(&r).await, before);
    }
    // Missing answers after the close: still "closed", not a list of mistakes.
    assert_eq!(late.send(&r.app, &no[..1]).await.status(), 409);
    assert_eq!(stored_answers(&r).await, before);
    let poll = r.app.store.poll(r.org, r.id).await.unwrap().unwrap();
    assert!(
        poll.invitees
            .iter()
            .filter(|i| i.answered_at.is_some())
            .count()
            == 1
    );
    // The link still opens, saying so.
    let (status, html) = page(&r.app, &r.app.client(), &link).await;
    assert_eq!(status, 200);
    assert!(text_of(&html).contains("This poll has closed"));
}

#[tokio::test]
async fn an_answer_missing_a_time_names_it_and_changes_nothing() {
    let r = review_with_poll(2).await;
    let slots = slot_ids(&r).await;
    let link = link_of(&r, "person0@trust.nhs.uk").await;
    let three: Vec<(i64, &str)> = slots[..3].iter().map(|s| (*s, "yes")).collect();
    let refused = answer(&r.app, &link, &three).await;
    let text = assert_refused(
        refused,
        422,
        &format!(
            "Select yes, if need be or no for session 2, {}",
            label_of(3)
        ),
    )
    .await;
    assert!(!text.contains(&format!("session 1, {}", label_of(0))));
    assert!(stored_answers(&r).await.is_empty());
    let poll = r.app.store.poll(r.org, r.id).await.unwrap().unwrap();
    assert!(poll.invitees.iter().all(|i| i.answered_at.is_none()));
    // An answer that is none of the three is refused too.
    let mut odd = three.clone();
    odd.push((slots[3], "maybe"));
    assert_eq!(answer(&r.app, &link, &odd).await.status(), 422);
    assert!(stored_answers(&r).await.is_empty());
}

#[tokio::test]
async fn an_unknown_poll_link_is_not_found() {
    let r = review_with_poll(1).await;
    let link = link_of(&r, "person0@trust.nhs.uk").await;
    let client = r.app.client();
    for path in [
        "/poll/cgp_not-a-real-link",
        "/poll/cgp_not-a-real-link/calendar.ics",
    ] {
        assert_eq!(r.app.status_of(&client, path).await, 404, "{path}");
    }
    let slots = slot_ids(&r).await;
    let yes: Vec<(i64, &str)> = slots.iter().map(|s| (*s, "yes")).collect();
    let posted = open_link(&r.app, &link)
        .await
        .send_to(&r.app, "/poll/cgp_not-a-real-link", &yes)
        .await;
    assert_eq!(posted.status(), 404);
    assert!(stored_answers(&r).await.is_empty());
}

/// Another champion of the same organisation, running a review of their own with its poll,
/// served by a second instance over the same database (as behind a load balancer).
async fn other_review(r: &Review) -> (reqwest::Client, Review) {
    r.app
        .member(r.org, "other.lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let client = r.app.signed_in("other.lead@trust.nhs.uk").await;
    let reviews = format!("/organisations/{}/reviews", r.org);
    let created = r
        .app
        .submit(
            &client,
            &format!("{reviews}/new"),
            &reviews,
            &[
                ("title", "Pharmacy"),
                ("scope", "Pharmacy"),
                ("focus_areas", "workforce"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let path = created.headers()["location"].to_str().unwrap().to_owned();
    let id = commonground_domain::ReviewId(path.rsplit('/').next().unwrap().parse().unwrap());
    let other = Review {
        app: TestApp::spawn_instance(&r.app).await,
        lead: client.clone(),
        org: r.org,
        id,
        path,
    };
    assert_eq!(start_poll_as(&other, &client, &[]).await.status(), 303);
    (client, other)
}

#[tokio::test]
async fn a_time_from_another_reviews_poll_cannot_be_chosen() {
    let r = review_with_poll(2).await;
    let (_, other) = other_review(&r).await;
    let foreign = slot_ids(&other).await[0];
    assert_refused(
        choose(&r, &[("session1", foreign.to_string())]).await,
        422,
        "Choose one of the poll's times",
    )
    .await;
    assert_refused(
        choose(&r, &[("session1", "first".to_owned())]).await,
        422,
        "Choose one of the times offered",
    )
    .await;
    // A session 1 time offered as session 2 is refused too.
    let slots = slot_ids(&r).await;
    assert_refused(
        choose(&r, &[("session2", slots[0].to_string())]).await,
        422,
        "That time was offered for session 1, not session 2",
    )
    .await;
    assert_no_session_times(&r).await;
    assert_no_session_times(&other).await;
}

#[tokio::test]
async fn session_2_before_session_1_is_refused_and_sends_nothing() {
    let r = review_with(2).await;
    // A session 2 time offered the day before session 1's first time.
    let day = next_year("07-13");
    assert_eq!(start_poll(&r, &[("s2-0-date", &day)]).await.status(), 303);
    let poll = r.app.store.poll(r.org, r.id).await.unwrap().unwrap();
    let early = poll
        .slots
        .iter()
        .find(|s| s.session == 2)
        .expect("session 2's first time")
        .id
        .0;
    let first = poll.slots[0].id.0;
    let before = outbox(&r).await.len();

    // Both chosen at once: neither is kept.
    assert_refused(
        choose(
            &r,
            &[
                ("session1", first.to_string()),
                ("session2", early.to_string()),
            ],
        )
        .await,
        422,
        "Session 2 must be after session 1",
    )
    .await;
    assert_no_session_times(&r).await;
    assert_eq!(outbox(&r).await.len(), before);
    let poll = r.app.store.poll(r.org, r.id).await.unwrap().unwrap();
    assert!(poll.closed_at.is_none(), "the poll stays open");

    // One after the other: the second choice is refused and session 1 keeps its invitation.
    assert_eq!(
        choose(&r, &[("session1", first.to_string())])
            .await
            .status(),
        303
    );
    let sent = outbox(&r).await.len();
    assert_refused(
        choose(&r, &[("session2", early.to_string())]).await,
        422,
        "Session 2 must be after session 1",
    )
    .await;
    let sessions = r.app.store.team_sessions(r.org, r.id).await.unwrap();
    assert!(sessions[1].starts_at.is_none());
    assert_eq!(sessions[0].sequence, 1);
    assert_eq!(outbox(&r).await.len(), sent);
}

#[tokio::test]
async fn invitees_see_only_their_own_answers_and_no_one_elses_address() {
    let r = review_with_poll(3).await;
    let slots = slot_ids(&r).await;
    // The questionnaire's links are other secrets than the poll's.
    r.post("open").await;
    let questionnaire = r.links_by_recipient().await;
    let polls = poll_links(&r).await;
    assert_eq!(questionnaire.len(), 3);
    for (to, q) in &questionnaire {
        let (_, p) = polls.iter().find(|(t, _)| t == to).unwrap();
        let q_token = q.trim_start_matches("/q/");
        let p_token = p.trim_start_matches("/poll/");
        assert_ne!(q_token, p_token);
        assert!(!p.contains(q_token) && !q.contains(p_token));
        let client = r.app.client();
        assert_eq!(
            r.app.status_of(&client, &format!("/poll/{q_token}")).await,
            404,
            "a questionnaire link opens no poll"
        );
        let wrong = r.app.status_of(&client, &format!("/q/{p_token}")).await;
        assert!(
            matches!(wrong, 404 | 410),
            "a poll link opens no questionnaire: {wrong}"
        );
    }

    let first = link_of(&r, "person0@trust.nhs.uk").await;
    let mine: Vec<(i64, &str)> = slots
        .iter()
        .zip(["yes", "no", "if_need_be", "no"])
        .map(|(s, a)| (*s, a))
        .collect();
    assert_eq!(answer(&r.app, &first, &mine).await.status(), 200);

    let everyone = everyone(3);
    let names = [
        ("person0@trust.nhs.uk", "Person 0"),
        ("person1@trust.nhs.uk", "Person 1"),
        ("person2@trust.nhs.uk", "Person 2"),
        (GUEST_EMAIL, "Priya Peer"),
    ];
    for (person, email) in everyone.iter().enumerate() {
        let link = link_of(&r, email).await;
        let (status, html) = page(&r.app, &r.app.client(), &link).await;
        assert_eq!(status, 200);
        for (other, name) in names.iter().filter(|(e, _)| e != email) {
            assert!(!html.contains(other), "{email} sees {other}");
            assert!(!html.contains(name), "{email} sees {name}");
        }
        let checked: Vec<String> = html
            .split("<input")
            .filter(|input| input.contains(" checked"))
            .map(|input| {
                let start = input.find("value=\"").unwrap() + 7;
                input[start..].split('"').next().unwrap().to_owned()
            })
            .collect();
        if email == "person0@trust.nhs.uk" {
            assert_eq!(
                checked,
                ["yes", "no", "if_need_be", "no"],
                "their own answers"
            );
        } else {
            assert!(
                checked.is_empty(),
                "{email} (#{person}) sees answers: {checked:?}"
            );
        }
    }

    // The champion's page names people but shows no addresses.
    let (_, html) = page(&r.app, &r.lead, &poll_path(&r)).await;
    for email in &everyone {
        assert!(
            !html.contains(email.as_str()),
            "the poll page shows {email}"
        );
    }

    // A champion of another review in the same organisation cannot see or change this poll.
    let (other, theirs) = other_review(&r).await;
    let before = stored_answers(&r).await;
    for path in [
        poll_path(&r),
        format!("{}/new", poll_path(&r)),
        format!("{}/calendar.ics", sessions_path(&r)),
    ] {
        let (status, body) = page(&r.app, &other, &path).await;
        assert!(matches!(status, 403 | 404), "{path}: {status}");
        assert!(!body.contains("Person 0") && !body.contains(GUEST_EMAIL));
    }
    let refused = r
        .app
        .submit(
            &other,
            &poll_path(&theirs),
            &format!("{}/choose", poll_path(&r)),
            &[("session1", &slots[0].to_string())],
        )
        .await;
    assert!(matches!(refused.status().as_u16(), 403 | 404));
    assert_no_session_times(&r).await;
    assert_eq!(stored_answers(&r).await, before);
}

/// "Reminder: session N recipient" for every reminder emailed, sorted.
async fn reminders(r: &Review) -> Vec<String> {
    let mut to: Vec<String> = emails_about(r, "Reminder: session")
        .await
        .iter()
        .map(|m| format!("{} {}", m.subject.split(" of ").next().unwrap(), m.to))
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn reminders_go_once_per_attendee_and_start_time() {
    let r = review_with_poll(3).await;
    let people = everyone(3);
    let soon = now() + 86_400;
    let set_time = |sequence: i64, starts_at: i64| SessionTime {
        number: 1,
        starts_at,
        ends_at: starts_at + 7_200,
        location: "Seminar room 2".to_owned(),
        sequence,
    };
    assert!(
        r.app
            .store
            .schedule_sessions(r.org, r.id, &[set_time(1, soon)], &[])
            .await
            .unwrap()
    );
    // Session 2 is weeks away: no reminder yet.
    let later = SessionTime {
        number: 2,
        ..set_time(1, soon + 30 * 86_400)
    };
    assert!(
        r.app
            .store
            .schedule_sessions(r.org, r.id, &[later], &[])
            .await
            .unwrap()
    );
    for _ in 0..2 {
        r.app.state.jobs.schedule_reminders().await.unwrap();
    }
    let once: Vec<String> = people
        .iter()
        .map(|p| format!("Reminder: session 1 {p}"))
        .collect();
    assert_eq!(reminders(&r).await, once);

    // A new start time is reminded of once more.
    assert!(
        r.app
            .store
            .schedule_sessions(r.org, r.id, &[set_time(2, soon + 3_600)], &[])
            .await
            .unwrap()
    );
    for _ in 0..2 {
        r.app.state.jobs.schedule_reminders().await.unwrap();
    }
    let mut twice: Vec<String> = once.iter().chain(&once).cloned().collect();
    twice.sort();
    assert_eq!(reminders(&r).await, twice);
}

#[tokio::test]
async fn a_session_that_has_started_cannot_be_cancelled() {
    let r = review_with_poll(3).await;
    let slots = slot_ids(&r).await;
    let chosen = choose(&r, &[("session1", slots[0].to_string())]).await;
    assert_eq!(chosen.status(), 303);
    r.app
        .sql("UPDATE review_sessions SET starts_at = starts_at - 400 * 86400, ends_at = ends_at - 400 * 86400")
        .await;
    let before = outbox(&r).await.len();
    assert_refused(
        cancel_session(&r, 1).await,
        422,
        "Session 1 has already started",
    )
    .await;
    assert_eq!(outbox(&r).await.len(), before, "no cancellation sent");
    assert_eq!(
        r.app
            .count("review_sessions WHERE starts_at IS NOT NULL")
            .await,
        1
    );
}

/// The champion sets session `number`'s time on the sessions page, without a poll.
async fn set_time(
    r: &Review,
    number: u8,
    day: &str,
    starts: &str,
    ends: &str,
) -> reqwest::Response {
    let sessions = sessions_path(r);
    let date = next_year(day);
    let fields = [
        (format!("s{number}-date"), date),
        (format!("s{number}-starts"), starts.to_owned()),
        (format!("s{number}-ends"), ends.to_owned()),
        (format!("s{number}-location"), "Board room".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    r.app
        .submit(
            &r.lead,
            &sessions,
            &format!("{sessions}/{number}/time"),
            &fields,
        )
        .await
}

#[tokio::test]
async fn a_team_that_knows_its_dates_sets_them_without_a_poll() {
    let r = review_with(3).await;
    assert_eq!(
        set_time(&r, 1, "03-09", "09:30", "12:00").await.status(),
        303
    );
    let invitations = emails_about(&r, "Invitation: session 1").await;
    assert_eq!(invitations.len(), 3, "every participant is invited");
    for message in &invitations {
        let (method, events) = parse_calendar(message.calendar.as_deref().unwrap());
        assert_eq!(method, "REQUEST");
        assert_eq!(events[0].get_sequence(), Some(1));
        assert_eq!(events[0].property_value("LOCATION"), Some("Board room"));
    }

    // Mistakes are named and change nothing: a time that is not one, session 2 before session 1.
    let before = outbox(&r).await.len();
    assert_refused(
        set_time(&r, 2, "03-10", "9 o'clock", "12:00").await,
        422,
        "Enter a real time, like 09:30",
    )
    .await;
    assert_refused(
        set_time(&r, 2, "03-02", "09:30", "12:00").await,
        422,
        "Session 2 must be after session 1",
    )
    .await;
    assert_eq!(outbox(&r).await.len(), before);
    assert_eq!(
        r.app
            .count("review_sessions WHERE starts_at IS NOT NULL")
            .await,
        1
    );

    // A new time for session 1 is an update the calendars apply.
    assert_eq!(
        set_time(&r, 1, "03-11", "13:00", "15:00").await.status(),
        303
    );
    let updates = emails_about(&r, "New time for session 1").await;
    assert_eq!(updates.len(), 3);
    let (_, events) = parse_calendar(updates[0].calendar.as_deref().unwrap());
    assert_eq!(events[0].get_sequence(), Some(2));
}
