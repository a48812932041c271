//! The team sessions through the JSON API: date polls answered by personal links, chosen times
//! reaching everyone's calendar, plans, cards, live capture, attendance, score challenges and
//! draft actions; and every kind of bad input refused with a field error, changing nothing.

use commonground_domain::Role;
use commonground_domain::london::local_date;
use commonground_store::outbox::OutboxScope;
use commonground_store::{OrganisationId, now};
use serde_json::{Value, json};

use crate::support::TestApp;

async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    if status >= 400 {
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}: every error is a problem document"
        );
    }
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The fields a 422 problem names.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// "YYYY-MM-DD", UK date, `days` from now.
fn day(days: i64) -> String {
    local_date(now() + days * 86_400)
}

/// "YYYY-MM-DDTHH:MM", UK time, `days` from now.
fn at(days: i64, time: &str) -> String {
    format!("{}T{time}", day(days))
}

/// A champion's review with participants: the first six clinical (nursing), then three finance,
/// then one from management.
struct Review {
    org: OrganisationId,
    token: String,
    base: String,
    emails: Vec<String>,
}

const PROFESSIONS: [&str; 10] = [
    "nursing",
    "nursing",
    "nursing",
    "nursing",
    "nursing",
    "nursing",
    "finance",
    "finance",
    "finance",
    "management_other",
];

async fn review_with(app: &TestApp, people: usize) -> Review {
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let token = app.api_token("lead@trust.nhs.uk").await;
    let (status, review) = call(
        app,
        Some(&token),
        reqwest::Method::POST,
        &format!("/api/v1/organisations/{}/reviews", org.id),
        Some(json!({ "title": "Theatres review", "scope": "Theatres", "focus_areas": ["workforce"] })),
    )
    .await;
    assert_eq!(status, 201, "{review}");
    let base = format!(
        "/api/v1/organisations/{}/reviews/{}",
        org.id,
        review["id"].as_i64().unwrap()
    );
    let emails: Vec<String> = (0..people)
        .map(|i| format!("person{i}@trust.nhs.uk"))
        .collect();
    let participants: Vec<Value> = emails
        .iter()
        .enumerate()
        .map(|(i, email)| {
            json!({ "name": format!("Person {i}"), "email": email,
                "profession": PROFESSIONS[i % PROFESSIONS.len()], "division": "", "role_level": "middle" })
        })
        .collect();
    let (status, _) = call(
        app,
        Some(&token),
        reqwest::Method::POST,
        &format!("{base}/participants"),
        Some(json!({ "participants": participants })),
    )
    .await;
    assert_eq!(status, 200);
    Review {
        org: org.id,
        token,
        base,
        emails,
    }
}

/// A poll with two times for each session: days 20 and 21, then 34 and 35, 09:30 to 11:30.
fn poll_request(send: bool) -> Value {
    json!({
        "location": "Seminar room 2",
        "answer_by": day(10),
        "time_zone": "Europe/London",
        "slots": [
            { "session": 1, "starts_at": at(20, "09:30"), "ends_at": at(20, "11:30") },
            { "session": 1, "starts_at": at(21, "14:00"), "ends_at": at(21, "16:00") },
            { "session": 2, "starts_at": at(34, "09:30"), "ends_at": at(34, "11:30") },
            { "session": 2, "starts_at": at(35, "09:30"), "ends_at": at(35, "11:30") },
        ],
        "send": send,
    })
}

impl Review {
    async fn call(
        &self,
        app: &TestApp,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        call(
            app,
            Some(&self.token),
            method,
            &format!("{}{path}", self.base),
            body,
        )
        .await
    }

    async fn start_poll(&self, app: &TestApp, send: bool) -> Value {
        let (status, poll) = self
            .call(
                app,
                reqwest::Method::POST,
                "/date-poll",
                Some(poll_request(send)),
            )
            .await;
        assert_eq!(status, 201, "{poll}");
        poll
    }

    /// Each invitee's poll link token, by email, from the store.
    async fn poll_tokens(&self, app: &TestApp) -> Vec<(String, String)> {
        let review =
            commonground_domain::ReviewId(self.base.rsplit('/').next().unwrap().parse().unwrap());
        let poll = app.store.poll(self.org, review).await.unwrap().unwrap();
        poll.invitees
            .iter()
            .map(|i| (i.email.clone(), i.token.clone().unwrap()))
            .collect()
    }
}

fn slot_ids(poll: &Value) -> Vec<i64> {
    poll["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

async fn answer(app: &TestApp, token: &str, answers: &[(i64, &str)]) -> (u16, Value) {
    let answers: Vec<Value> = answers
        .iter()
        .map(|(slot, answer)| json!({ "slot_id": slot, "answer": answer }))
        .collect();
    call(
        app,
        None,
        reqwest::Method::POST,
        &format!("/api/v1/date-polls/{token}/answers"),
        Some(json!({ "answers": answers })),
    )
    .await
}

/// The calendars sent to `org`'s outbox containing all of `parts`, by recipient.
async fn calendars(app: &TestApp, org: OrganisationId, parts: &[&str]) -> Vec<String> {
    let mut to: Vec<String> = app
        .store
        .list_outbox(OutboxScope::Organisation(org), 200, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| {
            m.calendar
                .as_deref()
                .is_some_and(|c| parts.iter().all(|p| c.contains(p)))
        })
        .map(|m| m.to)
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn a_poll_answered_by_ten_people_is_tallied_and_chosen_times_reach_every_calendar() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 10).await;
    let poll = review.start_poll(&app, true).await;
    let slots = slot_ids(&poll);
    assert_eq!(slots.len(), 4);
    assert_eq!(poll["invitees"].as_array().unwrap().len(), 10);
    assert!(
        poll["invitees"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["invited"] == true)
    );
    assert_eq!(poll["slots"][0]["starts_at_local"], at(20, "09:30"));

    // Everyone answers from the link in their email.
    let messages = app
        .store
        .list_outbox(OutboxScope::Organisation(review.org), 200, 0)
        .await
        .unwrap();
    let mut links = Vec::new();
    for email in &review.emails {
        let message = messages
            .iter()
            .find(|m| &m.to == email && m.subject.starts_with("Which dates suit you?"))
            .unwrap_or_else(|| panic!("no poll email to {email}"));
        let start = message.text.find("/poll/").expect("a poll link") + "/poll/".len();
        let token: String = message.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        links.push(token);
    }
    for (i, token) in links.iter().enumerate() {
        let choice = |yes: bool, otherwise: &'static str| if yes { "yes" } else { otherwise };
        let answers = [
            (slots[0], choice(i < 7, "no")),
            (slots[1], if i % 2 == 0 { "if_need_be" } else { "no" }),
            (slots[2], choice(i >= 5, "no")),
            (slots[3], "no"),
        ];
        let (status, mine) = answer(&app, token, &answers).await;
        assert_eq!(status, 200, "{mine}");
        assert_eq!(mine["your_answers"].as_array().unwrap().len(), 4);
    }

    let (status, poll) = review
        .call(&app, reqwest::Method::GET, "/date-poll", None)
        .await;
    assert_eq!(status, 200);
    assert!(
        !poll.to_string().contains("cgp_"),
        "the poll never shows a link"
    );
    let tally = |i: usize| poll["slots"][i]["tally"].clone();
    let counts = |i: usize| {
        let t = tally(i);
        [
            "yes",
            "if_need_be",
            "no",
            "unanswered",
            "clinical_can_come",
            "finance_can_come",
            "other_can_come",
        ]
        .map(|k| t[k].as_u64().unwrap())
    };
    assert_eq!(counts(0), [7, 0, 3, 0, 6, 1, 0]);
    assert_eq!(counts(1), [0, 5, 5, 0, 3, 2, 0]);
    assert_eq!(counts(2), [5, 0, 5, 0, 1, 3, 1]);
    assert_eq!(counts(3), [0, 0, 10, 0, 0, 0, 0]);
    assert_eq!(
        tally(0)["balance_warning"],
        "Only 1 finance colleague can come"
    );
    assert_eq!(tally(1)["balance_warning"], Value::Null);
    assert_eq!(
        tally(3)["balance_warning"],
        "No clinical or finance staff can come"
    );
    assert_eq!(poll["best_slot_ids"], json!([slots[0], slots[2]]));
    assert!(
        poll["invitees"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["answered"] == true)
    );

    // Session 1 at the best time: an invitation for everyone asked.
    let (status, session) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/date-poll/choice",
            Some(json!({ "session": 1, "slot_id": slots[0] })),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["starts_at_local"], at(20, "09:30"));
    assert_eq!(session["calendar_sequence"], 1);
    let mut everyone = review.emails.clone();
    everyone.sort();
    let first = format!(
        "DTSTART;TZID=Europe/London:{}T093000",
        day(20).replace('-', "")
    );
    assert_eq!(
        calendars(
            &app,
            review.org,
            &["METHOD:REQUEST", "SEQUENCE:1", first.as_str()]
        )
        .await,
        everyone
    );

    // Changed to the other time: an update with a higher sequence.
    let (status, session) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/date-poll/choice",
            Some(json!({ "session": 1, "slot_id": slots[1] })),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    let second = format!(
        "DTSTART;TZID=Europe/London:{}T140000",
        day(21).replace('-', "")
    );
    assert_eq!(
        calendars(
            &app,
            review.org,
            &["METHOD:REQUEST", "SEQUENCE:2", second.as_str()]
        )
        .await,
        everyone
    );

    // Cancelled: every calendar removes it.
    let (status, session) = review
        .call(&app, reqwest::Method::POST, "/sessions/1/cancel", None)
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["scheduled"], false);
    assert_eq!(
        calendars(&app, review.org, &["METHOD:CANCEL", "SEQUENCE:3"]).await,
        everyone
    );
    let (status, problem) = review
        .call(&app, reqwest::Method::POST, "/sessions/1/cancel", None)
        .await;
    assert_eq!(status, 409, "nothing left to cancel: {problem}");

    let events = app.store.list_audit(review.org, 50, 0).await.unwrap();
    for key in ["poll_created", "session_time_chosen", "session_cancelled"] {
        let event = events
            .iter()
            .find(|e| e.action == key)
            .unwrap_or_else(|| panic!("no {key} in the audit log"));
        assert!(!event.detail.contains('@'), "no personal data in the log");
    }
}

#[tokio::test]
async fn an_answer_after_the_poll_closed_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 2).await;
    let poll = review.start_poll(&app, false).await;
    let slots = slot_ids(&poll);
    let tokens = review.poll_tokens(&app).await;
    let all_yes: Vec<(i64, &str)> = slots.iter().map(|s| (*s, "yes")).collect();
    let (status, _) = answer(&app, &tokens[0].1, &all_yes).await;
    assert_eq!(status, 200);
    // Choosing a time closes the poll.
    let (status, _) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/date-poll/choice",
            Some(json!({ "session": 1, "slot_id": slots[0] })),
        )
        .await;
    assert_eq!(status, 200);
    let before = app.count("poll_answers").await;
    let all_no: Vec<(i64, &str)> = slots.iter().map(|s| (*s, "no")).collect();
    for (_, token) in &tokens {
        let (status, problem) = answer(&app, token, &all_no).await;
        assert_eq!(status, 409);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("The poll has closed")
        );
    }
    assert_eq!(app.count("poll_answers").await, before);
    let (_, mine) = call(
        &app,
        None,
        reqwest::Method::GET,
        &format!("/api/v1/date-polls/{}", tokens[0].1),
        None,
    )
    .await;
    assert_eq!(mine["open"], false);
    assert!(
        mine["your_answers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["answer"] == "yes")
    );
}

#[tokio::test]
async fn an_answer_after_the_last_day_to_answer_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let poll = review.start_poll(&app, false).await;
    let slots = slot_ids(&poll);
    let tokens = review.poll_tokens(&app).await;
    app.sql(&format!("UPDATE date_polls SET answer_by = {}", now() - 1))
        .await;
    let answers: Vec<(i64, &str)> = slots.iter().map(|s| (*s, "yes")).collect();
    let (status, problem) = answer(&app, &tokens[0].1, &answers).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(app.count("poll_answers").await, 0);
}

#[tokio::test]
async fn a_poll_answer_must_cover_every_time_once() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let poll = review.start_poll(&app, false).await;
    let slots = slot_ids(&poll);
    let token = review.poll_tokens(&app).await[0].1.clone();
    let cases: [(Vec<(i64, &str)>, &str); 3] = [
        (vec![(slots[0], "yes")], "answers"),
        (
            vec![
                (slots[0], "yes"),
                (slots[0], "no"),
                (slots[1], "yes"),
                (slots[2], "yes"),
                (slots[3], "yes"),
            ],
            "answers[1].slot_id",
        ),
        (
            vec![
                (slots[0], "yes"),
                (slots[1], "yes"),
                (slots[2], "yes"),
                (slots[3], "yes"),
                (999_999, "yes"),
            ],
            "answers[4].slot_id",
        ),
    ];
    for (answers, field) in cases {
        let (status, problem) = answer(&app, &token, &answers).await;
        assert_eq!(status, 422, "{problem}");
        assert!(fields(&problem).contains(&field.to_owned()), "{problem}");
    }
    let (status, problem) = call(
        &app,
        None,
        reqwest::Method::POST,
        &format!("/api/v1/date-polls/{token}/answers"),
        Some(json!({ "answers": [{ "slot_id": slots[0], "answer": "perhaps" }] })),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = answer(&app, "cgp_not-a-real-link", &[(slots[0], "yes")]).await;
    assert_eq!(status, 404);
    assert_eq!(app.count("poll_answers").await, 0);
}

#[tokio::test]
async fn an_invitees_link_shows_only_their_own_answers() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 2).await;
    let poll = review.start_poll(&app, false).await;
    let slots = slot_ids(&poll);
    let tokens = review.poll_tokens(&app).await;
    let (status, _) = answer(
        &app,
        &tokens[0].1,
        &slots.iter().map(|s| (*s, "yes")).collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = answer(
        &app,
        &tokens[1].1,
        &slots.iter().map(|s| (*s, "no")).collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(status, 200);
    for (i, (email, token)) in tokens.iter().enumerate() {
        let (status, mine) = call(
            &app,
            None,
            reqwest::Method::GET,
            &format!("/api/v1/date-polls/{token}"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let expected = if i == 0 { "yes" } else { "no" };
        let answers = mine["your_answers"].as_array().unwrap();
        assert_eq!(answers.len(), 4);
        assert!(answers.iter().all(|a| a["answer"] == expected));
        let text = mine.to_string();
        let (other_email, _) = &tokens[1 - i];
        assert!(!text.contains(other_email.as_str()));
        assert!(!text.contains(email.as_str()));
        assert!(!text.contains("Person "), "no invitee's name: {text}");
        assert!(!text.contains("cgp_"));
    }
    let (status, _) = call(
        &app,
        None,
        reqwest::Method::GET,
        "/api/v1/date-polls/cgp_not-a-real-link",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_second_poll_for_a_review_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    review.start_poll(&app, false).await;
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/date-poll",
            Some(poll_request(true)),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(app.count("date_polls").await, 1);
    assert_eq!(app.count("outbox").await, 0, "no links sent");
}

/// Posts a poll with `slots` changed, expecting 422 naming `field`; nothing is stored.
async fn refused_poll(app: &TestApp, change: impl FnOnce(&mut Value), field: &str) -> String {
    let review = review_with(app, 1).await;
    let mut body = poll_request(true);
    change(&mut body);
    let (status, problem) = review
        .call(app, reqwest::Method::POST, "/date-poll", Some(body))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(fields(&problem).contains(&field.to_owned()), "{problem}");
    assert_eq!(app.count("date_polls").await, 0);
    assert_eq!(app.count("poll_slots").await, 0);
    assert_eq!(app.count("outbox").await, 0);
    problem.to_string()
}

#[tokio::test]
async fn a_poll_with_a_time_in_the_past_is_refused() {
    let app = TestApp::spawn().await;
    let problem = refused_poll(
        &app,
        |body| {
            body["slots"][0]["starts_at"] = json!(at(-1, "09:30"));
            body["slots"][0]["ends_at"] = json!(at(-1, "11:30"));
        },
        "slots",
    )
    .await;
    assert!(problem.contains("in the past"), "{problem}");
}

#[tokio::test]
async fn a_poll_with_overlapping_times_is_refused() {
    let app = TestApp::spawn().await;
    let problem = refused_poll(
        &app,
        |body| {
            body["slots"][1]["starts_at"] = json!(at(20, "10:30"));
            body["slots"][1]["ends_at"] = json!(at(20, "12:00"));
        },
        "slots",
    )
    .await;
    assert!(problem.contains("overlaps"), "{problem}");
}

#[tokio::test]
async fn a_poll_in_another_time_zone_is_refused_naming_the_time_zone() {
    let app = TestApp::spawn().await;
    refused_poll(
        &app,
        |body| body["time_zone"] = json!("America/New_York"),
        "time_zone",
    )
    .await;
}

#[tokio::test]
async fn a_poll_time_ending_on_another_day_is_refused() {
    let app = TestApp::spawn().await;
    let problem = refused_poll(
        &app,
        |body| body["slots"][0]["ends_at"] = json!(at(21, "01:00")),
        "slots[0].ends_at",
    )
    .await;
    assert!(problem.contains("day it starts"), "{problem}");
}

#[tokio::test]
async fn an_unknown_card_id_is_not_found() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let cards = format!("/api/v1/organisations/{}/cards", review.org);
    let token = Some(review.token.as_str());
    let (status, deck) = call(&app, token, reqwest::Method::GET, &cards, None).await;
    assert_eq!(status, 200);
    let first = deck[0]["id"].as_str().unwrap().to_owned();
    let (status, card) = call(
        &app,
        token,
        reqwest::Method::GET,
        &format!("{cards}/{first}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(card, deck[0]);
    for unknown in ["scenario:no-such-card", "own:999999", "nothing"] {
        let (status, problem) = call(
            &app,
            token,
            reqwest::Method::GET,
            &format!("{cards}/{unknown}"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{unknown}");
        assert_eq!(problem["detail"], "No card with that id.");
    }
    // An own card is added and found by its id.
    let (status, card) = call(
        &app,
        token,
        reqwest::Method::POST,
        &cards,
        Some(json!({ "kind": "prompt", "text": "What would make budget talks easier?",
            "factors": [deck.as_array().unwrap().iter().find(|c| c["kind"] == "prompt").unwrap()["factors"][0]] })),
    )
    .await;
    assert_eq!(status, 201, "{card}");
    let id = card["id"].as_str().unwrap();
    assert!(id.starts_with("own:"));
    let (status, found) = call(
        &app,
        token,
        reqwest::Method::GET,
        &format!("{cards}/{id}"),
        None,
    )
    .await;
    assert_eq!((status, found), (200, card));
    let (status, problem) = call(
        &app,
        token,
        reqwest::Method::POST,
        &cards,
        Some(
            json!({ "kind": "scenario", "title": "", "text": "x", "factors": ["no_such_factor"] }),
        ),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        fields(&problem).contains(&"factors".to_owned()),
        "{problem}"
    );
    assert_eq!(app.count("cards").await, 1);
}

#[tokio::test]
async fn an_oversized_note_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/sessions/1/capture-items",
            Some(json!({ "kind": "theme", "text": "x".repeat(1001) })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["text"]);
    assert_eq!(app.count("capture_items").await, 0);
    let (status, item) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/sessions/1/capture-items",
            Some(json!({ "kind": "theme", "text": "x".repeat(1000) })),
        )
        .await;
    assert_eq!(status, 201, "{item}");
    let (status, items) = review
        .call(
            &app,
            reqwest::Method::GET,
            &format!("/sessions/1/capture-items?after={}", item["id"]),
            None,
        )
        .await;
    assert_eq!((status, items), (200, json!([])));
}

#[tokio::test]
async fn an_unknown_capture_kind_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/sessions/2/capture-items",
            Some(json!({ "kind": "gossip", "text": "Overheard in the lift" })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["kind"]);
    assert_eq!(app.count("capture_items").await, 0);
}

#[tokio::test]
async fn captured_notes_are_polled_in_order_and_next_steps_become_draft_actions_once() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let mut ids = Vec::new();
    for (kind, text) in [
        ("theme", "Budget talks start too late"),
        ("next_step", "Invite finance to theatre planning"),
        ("good_practice", "Joint ward rounds"),
    ] {
        let (status, item) = review
            .call(
                &app,
                reqwest::Method::POST,
                "/sessions/1/capture-items",
                Some(json!({ "kind": kind, "text": text })),
            )
            .await;
        assert_eq!(status, 201);
        ids.push(item["id"].as_i64().unwrap());
    }
    let (_, all) = review
        .call(
            &app,
            reqwest::Method::GET,
            "/sessions/1/capture-items",
            None,
        )
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, later) = review
        .call(
            &app,
            reqwest::Method::GET,
            &format!("/sessions/1/capture-items?after={}&limit=1", ids[0]),
            None,
        )
        .await;
    assert_eq!(later.as_array().unwrap().len(), 1);
    assert_eq!(later[0]["id"], ids[1]);
    for query in ["limit=0", "limit=201", "after=-1", "colour=blue"] {
        let (status, _) = review
            .call(
                &app,
                reqwest::Method::GET,
                &format!("/sessions/1/capture-items?{query}"),
                None,
            )
            .await;
        assert_eq!(status, 400, "{query}");
    }
    // A theme is not a next step: refused, naming it, and nothing made.
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/draft-actions",
            Some(json!({ "capture_item_ids": [ids[1], ids[0]] })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["capture_item_ids[1]"]);
    assert!(problem.to_string().contains(&ids[0].to_string()));
    assert_eq!(app.count("actions").await, 0);
    for created in [1, 0] {
        let (status, made) = review
            .call(
                &app,
                reqwest::Method::POST,
                "/draft-actions",
                Some(json!({ "capture_item_ids": [ids[1]] })),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(made["created"], created);
        assert_eq!(made["actions"][0]["capture_item_id"], ids[1]);
    }
    let (_, actions) = review
        .call(&app, reqwest::Method::GET, "/draft-actions", None)
        .await;
    assert_eq!(actions.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn attendance_naming_a_participant_of_another_review_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 2).await;
    let (_, people) = review
        .call(&app, reqwest::Method::GET, "/participants", None)
        .await;
    let ours: Vec<i64> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let (status, other) = call(
        &app,
        Some(&review.token),
        reqwest::Method::POST,
        &format!("/api/v1/organisations/{}/reviews", review.org),
        Some(json!({ "title": "Wards review", "scope": "Wards", "focus_areas": ["workforce"] })),
    )
    .await;
    assert_eq!(status, 201);
    let other_base = format!(
        "/api/v1/organisations/{}/reviews/{}",
        review.org, other["id"]
    );
    let (status, _) = call(
        &app,
        Some(&review.token),
        reqwest::Method::POST,
        &format!("{other_base}/participants"),
        Some(
            json!({ "participants": [{ "name": "Olu", "email": "olu@trust.nhs.uk",
            "profession": "finance", "division": "", "role_level": "middle" }] }),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let (_, theirs) = call(
        &app,
        Some(&review.token),
        reqwest::Method::GET,
        &format!("{other_base}/participants"),
        None,
    )
    .await;
    let stranger = theirs[0]["id"].as_i64().unwrap();

    let (status, recorded) = review
        .call(
            &app,
            reqwest::Method::PUT,
            "/sessions/1/attendance",
            Some(json!({ "present": [ours[0]] })),
        )
        .await;
    assert_eq!(status, 200, "{recorded}");
    assert_eq!(recorded.as_array().unwrap().len(), 2);
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::PUT,
            "/sessions/1/attendance",
            Some(json!({ "present": [ours[1], stranger] })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["present[1]"]);
    assert!(problem.to_string().contains(&stranger.to_string()));
    let (_, now_recorded) = review
        .call(&app, reqwest::Method::GET, "/sessions/1/attendance", None)
        .await;
    assert_eq!(now_recorded, recorded, "unchanged");
}

#[tokio::test]
async fn a_score_challenge_on_an_unknown_factor_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/score-challenges",
            Some(
                json!({ "factor": "no_such_factor", "argument": "The score is too low",
                "outcome": "look_again" }),
            ),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["factor"]);
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/score-challenges",
            Some(json!({ "factor": "no_such_factor", "argument": " ", "outcome": "shrug" })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["factor", "argument", "outcome"]);
    assert_eq!(app.count("score_challenges").await, 0);
    let factor = commonground_domain::instrument::default_instrument().factors[0]
        .key
        .clone();
    let (status, challenge) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/score-challenges",
            Some(
                json!({ "factor": factor, "argument": "The score reflects last year",
                "outcome": "score_stands" }),
            ),
        )
        .await;
    assert_eq!(status, 201, "{challenge}");
    let (_, list) = review
        .call(&app, reqwest::Method::GET, "/score-challenges", None)
        .await;
    assert_eq!(list, json!([challenge]));
}

#[tokio::test]
async fn a_plan_with_a_bad_agenda_is_refused() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    let (status, fresh) = review
        .call(&app, reqwest::Method::GET, "/sessions/2/plan", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(fresh["saved"], false);
    assert_eq!(fresh["plan"]["template"], "session-2");
    let mut plan = fresh["plan"].clone();
    plan["agenda"] = json!([]);
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::PUT,
            "/sessions/2/plan",
            Some(plan.clone()),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["agenda"]);
    plan["agenda"] = json!([{ "title": "All day", "minutes": 600 }]);
    let (status, problem) = review
        .call(&app, reqwest::Method::PUT, "/sessions/2/plan", Some(plan))
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["agenda"]);
    let (_, after) = review
        .call(&app, reqwest::Method::GET, "/sessions/2/plan", None)
        .await;
    assert_eq!(after, fresh, "nothing saved");
    // The template's plan, with one objective more, saves.
    let mut plan = fresh["plan"].clone();
    plan["objectives"]
        .as_array_mut()
        .unwrap()
        .push(json!("Agree who does what next"));
    let (status, saved) = review
        .call(
            &app,
            reqwest::Method::PUT,
            "/sessions/2/plan",
            Some(plan.clone()),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["saved"], true);
    assert_eq!(saved["plan"], plan);
}

#[tokio::test]
async fn a_third_session_does_not_exist() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    for session in ["3", "0", "-1", "99999999999"] {
        for (method, path, body) in [
            (reqwest::Method::GET, "plan", None),
            (reqwest::Method::GET, "attendance", None),
            (reqwest::Method::GET, "capture-items", None),
            (
                reqwest::Method::POST,
                "capture-items",
                Some(json!({ "kind": "theme", "text": "A third session" })),
            ),
            (reqwest::Method::POST, "cancel", None),
        ] {
            let (status, problem) = review
                .call(
                    &app,
                    method.clone(),
                    &format!("/sessions/{session}/{path}"),
                    body,
                )
                .await;
            assert_eq!(status, 404, "{method} {session}/{path}: {problem}");
        }
    }
    let (status, _) = review
        .call(&app, reqwest::Method::GET, "/sessions/two/plan", None)
        .await;
    assert_eq!(status, 400);
    let (status, problem) = review
        .call(
            &app,
            reqwest::Method::POST,
            "/date-poll/choice",
            Some(json!({ "session": 3, "slot_id": 1 })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["session"]);
    assert_eq!(app.count("capture_items").await, 0);
}

#[tokio::test]
async fn a_member_who_does_not_run_the_review_cannot_see_its_poll() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 1).await;
    review.start_poll(&app, false).await;
    app.member(review.org, "other@trust.nhs.uk", &[Role::Champion])
        .await;
    app.member(review.org, "board@trust.nhs.uk", &[Role::BoardViewer])
        .await;
    let other = app.api_token("other@trust.nhs.uk").await;
    let board = app.api_token("board@trust.nhs.uk").await;
    for token in [&other, &board] {
        for path in ["/date-poll", "/sessions/1/plan", "/score-challenges"] {
            let (status, problem) = call(
                &app,
                Some(token),
                reqwest::Method::GET,
                &format!("{}{path}", review.base),
                None,
            )
            .await;
            assert_eq!(status, 403, "{path}");
            assert!(!problem.to_string().contains("person0@trust.nhs.uk"));
        }
    }
    let cards = format!("/api/v1/organisations/{}/cards", review.org);
    let (status, _) = call(&app, Some(&board), reqwest::Method::GET, &cards, None).await;
    assert_eq!(status, 200, "any member reads the deck");
    let (status, _) = call(
        &app,
        Some(&board),
        reqwest::Method::POST,
        &cards,
        Some(json!({ "kind": "prompt", "text": "Why?", "factors": [] })),
    )
    .await;
    assert_eq!(status, 403, "only champions and admins add cards");
    assert_eq!(app.count("cards").await, 0);
}

#[tokio::test]
async fn a_session_time_set_without_a_poll_invites_everyone_and_refuses_mistakes() {
    let app = TestApp::spawn().await;
    let review = review_with(&app, 4).await;
    let time = |starts: &str, ends: &str| json!({ "starts_at": starts, "ends_at": ends, "location": "Board room" });
    let (status, session) = review
        .call(
            &app,
            reqwest::Method::PUT,
            "/sessions/1/time",
            Some(time(&at(30, "09:30"), &at(30, "12:00"))),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["calendar_sequence"], 1);
    assert_eq!(session["starts_at_local"], at(30, "09:30"));
    let invited = app
        .count("outbox WHERE calendar LIKE '%METHOD:REQUEST%'")
        .await;
    assert_eq!(invited, 4, "every participant is invited");

    // Each mistake names its field and changes nothing: an end on another day, a start that is
    // not a time, a time in the past, session 2 before session 1.
    for (path, body, field) in [
        (
            "/sessions/1/time",
            time(&at(31, "09:30"), &at(32, "12:00")),
            "ends_at",
        ),
        (
            "/sessions/1/time",
            time("tomorrow", &at(31, "12:00")),
            "starts_at",
        ),
        (
            "/sessions/1/time",
            time(&at(-2, "09:30"), &at(-2, "12:00")),
            "starts_at",
        ),
        (
            "/sessions/2/time",
            time(&at(20, "09:30"), &at(20, "12:00")),
            "starts_at",
        ),
    ] {
        let (status, problem) = review
            .call(&app, reqwest::Method::PUT, path, Some(body))
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem.to_string().contains(field), "{problem}");
    }
    assert_eq!(
        app.count("outbox WHERE calendar IS NOT NULL").await,
        4,
        "nothing more was sent"
    );
}
