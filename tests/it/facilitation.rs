//! Facilitation mode: the projector page and its controls, notes captured by champions and by
//! the note takers' link, removing notes, and the live stream that tells projectors, on this
//! instance and (on PostgreSQL) on every other.

use std::time::{Duration, Instant};

use commonground_domain::{OrganisationId, Role};
use commonground_store::team_sessions::TeamSession;
use serde_json::json;

use crate::support::{TestApp, csrf_token, text_of};

/// A review whose champion is signed in, with the paths of its first session.
pub struct Running {
    pub org: OrganisationId,
    pub review: i64,
    pub champion: reqwest::Client,
    /// `/organisations/{org}/reviews/{review}/sessions/1`.
    pub session: String,
}

/// An organisation, a signed-in champion and their review.
pub async fn arrange(app: &TestApp) -> Running {
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let token = app.api_token("lead@trust.nhs.uk").await;
    let review: serde_json::Value = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/organisations/{}/reviews", org.id)))
        .bearer_auth(&token)
        .json(
            &json!({ "title": "Theatres and finance", "scope": "Theatres",
            "focus_areas": ["workforce"] }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let review = review["id"].as_i64().unwrap();
    Running {
        org: org.id,
        review,
        champion: app.signed_in("lead@trust.nhs.uk").await,
        session: format!("/organisations/{}/reviews/{review}/sessions/1", org.id),
    }
}

impl Running {
    /// The facilitation page's HTML as `app` serves it.
    pub async fn projector(&self, app: &TestApp) -> (u16, String) {
        let url = app.url(&format!("{}/facilitate", self.session));
        let response = self.champion.get(url).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Uses a projector control.
    async fn control(&self, app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
        let page = format!("{}/facilitate", self.session);
        app.submit(&self.champion, &page, &page, fields).await
    }

    /// Makes a new note takers' link and returns its path (`/capture/...`).
    pub async fn capture_link(&self, app: &TestApp) -> String {
        let page = format!("{}/facilitate", self.session);
        let action = format!("{}/capture-link", self.session);
        let response = app.submit(&self.champion, &page, &action, &[]).await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        let start = html.find("/capture/cgn_").expect("the new link is shown");
        html[start..].split(['<', '"']).next().unwrap().to_owned()
    }

    async fn stored(&self, app: &TestApp) -> TeamSession {
        let [first, _] = app
            .store
            .team_sessions(self.org, commonground_domain::ReviewId(self.review))
            .await
            .unwrap();
        first
    }
}

/// A note takers' post through `link`, from someone with no account.
pub async fn note_by_link(app: &TestApp, link: &str, kind: &str, text: &str) -> reqwest::Response {
    app.client()
        .post(app.url(link))
        .form(&[("kind", kind), ("text", text)])
        .send()
        .await
        .unwrap()
}

/// Reads `stream` until an `event: change` arrives or `within` passes; true if one came.
pub async fn change_within(stream: &mut reqwest::Response, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut seen = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains("event: change") {
                    return true;
                }
            }
            _ => return false,
        }
    }
}

/// Opens the session's live stream on `app` and reads the event sent at connect.
pub async fn open_stream(app: &TestApp, running: &Running, session: &str) -> reqwest::Response {
    let mut stream = running
        .champion
        .get(app.url(&format!("{session}/live")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(
        change_within(&mut stream, Duration::from_secs(2)).await,
        "a change at connect"
    );
    stream
}

#[tokio::test]
async fn projector_controls_change_what_the_page_shows() {
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    let deck = commonground_web::sessions::deck(&app.state, running.org)
        .await
        .unwrap();
    let (status, html) = running.projector(&app).await;
    assert_eq!(status, 200);
    let text = text_of(&html);
    assert!(text.contains("Agenda: step 1 of"), "{text}");
    assert!(text.contains("No card yet"));
    assert!(text.contains("Results show here after the questionnaire closes"));
    assert!(text.contains("Make a note takers' link"));
    assert!(
        !html.contains("app-header"),
        "the projector has its own chrome"
    );

    let moved = running.control(&app, &[("action", "next_card")]).await;
    assert_eq!(moved.status(), 303);
    assert_eq!(
        moved.headers()["location"],
        format!("{}/facilitate", running.session).as_str()
    );
    let shows = |html: &str, card: usize| text_of(html).contains(&deck[card].title);
    assert!(shows(&running.projector(&app).await.1, 0));
    running.control(&app, &[("action", "next_card")]).await;
    let html = running.projector(&app).await.1;
    assert!(shows(&html, 1) && text_of(&html).contains("card 2 of"));
    running.control(&app, &[("action", "previous_card")]).await;
    assert!(shows(&running.projector(&app).await.1, 0));
    running
        .control(&app, &[("action", "choose_card"), ("card", &deck[3].id)])
        .await;
    assert!(shows(&running.projector(&app).await.1, 3));
    assert_eq!(
        running.stored(&app).await.current_card.as_deref(),
        Some(deck[3].id.as_str())
    );

    running.control(&app, &[("action", "next_step")]).await;
    assert!(text_of(&running.projector(&app).await.1).contains("Agenda: step 2 of"));
    running.control(&app, &[("action", "previous_step")]).await;
    running.control(&app, &[("action", "previous_step")]).await;
    assert!(text_of(&running.projector(&app).await.1).contains("Agenda: step 1 of"));

    running
        .control(&app, &[("action", "start_timer"), ("minutes", "15")])
        .await;
    let html = running.projector(&app).await.1;
    assert!(text_of(&html).contains("15 minutes left"), "{html}");
    assert!(text_of(&html).contains("Ends at"));
    assert!(html.contains("data-timer-ends-at="));
    running.control(&app, &[("action", "stop_timer")]).await;
    assert!(text_of(&running.projector(&app).await.1).contains("No timer running"));

    // The live part alone, for scripts to swap in.
    let part = running
        .champion
        .get(app.url(&format!("{}/facilitate?part=live", running.session)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!part.contains("<html") && text_of(&part).contains(&deck[3].title));

    for wrong in ["3", "0", "x", "01"] {
        let path = running
            .session
            .replace("/sessions/1", &format!("/sessions/{wrong}"));
        let status = app
            .status_of(&running.champion, &format!("{path}/facilitate"))
            .await;
        assert_eq!(status, 404, "session {wrong}");
    }
}

#[tokio::test]
async fn a_bad_card_or_timer_gets_a_message_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    running.control(&app, &[("action", "next_card")]).await;
    let before = running.stored(&app).await;

    let refused = running
        .control(&app, &[("action", "choose_card"), ("card", "own:999999")])
        .await;
    assert_eq!(refused.status(), 422);
    let text = text_of(&refused.text().await.unwrap());
    assert!(text.contains("There is a problem") && text.contains("Choose a card from the list"));
    assert_eq!(running.stored(&app).await, before);

    for minutes in ["0", "241", "ten", "", "2.5", "-5"] {
        let refused = running
            .control(&app, &[("action", "start_timer"), ("minutes", minutes)])
            .await;
        assert_eq!(refused.status(), 422, "{minutes:?}");
        let text = text_of(&refused.text().await.unwrap());
        assert!(
            text.contains("Enter the minutes as a whole number from 1 to 240"),
            "{minutes:?}"
        );
        assert_eq!(running.stored(&app).await, before);
    }
    let refused = running.control(&app, &[("action", "dance")]).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(running.stored(&app).await, before);
}

#[tokio::test]
async fn notes_by_link_show_on_the_projector_and_champions_can_remove_them() {
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    let link = running.capture_link(&app).await;

    let page = app.client().get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let text = text_of(&page.text().await.unwrap());
    assert!(text.contains("Theatres and finance") && text.contains("Notes for session 1"));

    let added = note_by_link(&app, &link, "theme", "Budget meetings clash with lists").await;
    assert_eq!(added.status(), 303);
    assert_eq!(
        added.headers()["location"],
        format!("{link}?added=1").as_str()
    );
    let thanks = app
        .client()
        .get(app.url(&format!("{link}?added=1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text_of(&thanks).contains("Your note was added"));
    let projector = text_of(&running.projector(&app).await.1);
    assert!(projector.contains("Themes (1)") && projector.contains("Budget meetings clash"));

    // Bad notes store nothing and say why.
    let long = "x".repeat(1001);
    for (kind, text, message) in [
        ("theme", "   ", "Enter the note"),
        (
            "theme",
            long.as_str(),
            "Shorten the note to 1000 characters or fewer",
        ),
        ("gossip", "Fine", "Select theme, good practice or next step"),
        ("", "Fine", "Select theme, good practice or next step"),
    ] {
        let refused = note_by_link(&app, &link, kind, text).await;
        assert_eq!(refused.status(), 422, "{kind} {text:.10}");
        let page = text_of(&refused.text().await.unwrap());
        assert!(
            page.contains("There is a problem") && page.contains(message),
            "{message}: {page}"
        );
    }
    assert_eq!(app.count("capture_items").await, 1);

    // Champions capture on their own page.
    let capture = format!("{}/capture", running.session);
    let added = app
        .submit(
            &running.champion,
            &capture,
            &capture,
            &[
                ("kind", "next_step"),
                ("text", "Agree a joint theatre budget"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let refused = app
        .submit(&running.champion, &capture, &capture, &[("kind", "theme")])
        .await;
    assert_eq!(refused.status(), 422);
    let projector = text_of(&running.projector(&app).await.1);
    assert!(projector.contains("Next steps (1)") && projector.contains("joint theatre budget"));

    // Removing a note (say it named someone).
    let notes = app
        .store
        .capture_items(
            running.org,
            commonground_domain::ReviewId(running.review),
            1,
            None,
        )
        .await
        .unwrap();
    let remove = format!("{}/capture/{}/remove", running.session, notes[0].id.0);
    let page = format!("{}/facilitate", running.session);
    let removed = app.submit(&running.champion, &page, &remove, &[]).await;
    assert_eq!(removed.status(), 303);
    assert_eq!(removed.headers()["location"], page.as_str());
    assert!(!text_of(&running.projector(&app).await.1).contains("Budget meetings clash"));
    let again = app.submit(&running.champion, &page, &remove, &[]).await;
    assert_eq!(again.status(), 404);
    let elsewhere = format!(
        "{}/capture/{}/remove",
        running.session.replace("/sessions/1", "/sessions/2"),
        notes[1].id.0
    );
    let refused = app.submit(&running.champion, &page, &elsewhere, &[]).await;
    assert_eq!(
        refused.status(),
        404,
        "a note of session 1 is not session 2's"
    );
    assert_eq!(app.count("capture_items").await, 1);

    // A new link replaces the old one.
    let newer = running.capture_link(&app).await;
    assert_ne!(newer, link);
    assert_eq!(app.status_of(&app.client(), &link).await, 404);
    assert_eq!(app.status_of(&app.client(), &newer).await, 200);
}

#[tokio::test]
async fn an_unknown_capture_link_is_not_found() {
    let app = TestApp::spawn().await;
    arrange(&app).await;
    let client = app.client();
    assert_eq!(app.status_of(&client, "/capture/cgn_not-a-link").await, 404);
    let posted = note_by_link(&app, "/capture/cgn_not-a-link", "theme", "Hello").await;
    assert_eq!(posted.status(), 404);
    assert_eq!(app.count("capture_items").await, 0);
}

#[tokio::test]
async fn the_live_stream_says_change_within_a_second_of_a_capture() {
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    let link = running.capture_link(&app).await;
    let mut stream = open_stream(&app, &running, &running.session).await;
    let other_session = running.session.replace("/sessions/1", "/sessions/2");
    let mut other = open_stream(&app, &running, &other_session).await;

    let started = Instant::now();
    let added = note_by_link(&app, &link, "good_practice", "Finance joins huddles").await;
    assert_eq!(added.status(), 303);
    assert!(
        change_within(&mut stream, Duration::from_secs(1)).await,
        "no change within a second"
    );
    println!(
        "live stream: change {} ms after the note was sent",
        started.elapsed().as_millis()
    );
    assert!(
        !change_within(&mut other, Duration::from_millis(300)).await,
        "session 2's projector is not told of session 1's notes"
    );

    // Projector controls tell the stream too.
    running.control(&app, &[("action", "next_step")]).await;
    assert!(change_within(&mut stream, Duration::from_secs(1)).await);
}

#[tokio::test]
async fn postgres_only_a_note_on_one_instance_reaches_the_projector_on_another() {
    // PostgreSQL only: SQLite serves one instance. Set but unreachable fails in TestApp::spawn.
    match std::env::var("COMMONGROUND_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {}
        _ => return,
    }
    let first = TestApp::spawn().await;
    assert!(first.database_url.starts_with("postgres"));
    let second = first.spawn_instance().await;
    let running = arrange(&first).await;
    let link = running.capture_link(&first).await;
    // Cookies are scoped by host, not port: the champion's jar serves both instances.
    let mut stream = open_stream(&second, &running, &running.session).await;

    let started = Instant::now();
    let added = note_by_link(&first, &link, "theme", "Shared dashboards help").await;
    assert_eq!(added.status(), 303);
    assert!(
        change_within(&mut stream, Duration::from_secs(1)).await,
        "the second instance's stream heard nothing within a second"
    );
    println!(
        "live stream across instances: change {} ms after the note was sent",
        started.elapsed().as_millis()
    );
    let (status, html) = running.projector(&second).await;
    assert_eq!(status, 200);
    assert!(text_of(&html).contains("Shared dashboards help"));
}

#[tokio::test]
async fn live_streams_end_when_the_server_stops() {
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    let mut stream = open_stream(&app, &running, &running.session).await;
    app.state.live.close();
    let ended = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    // The form key still works after: the page itself is unaffected.
    let (status, html) = running.projector(&app).await;
    assert_eq!(status, 200);
    assert!(!csrf_token(&html).is_empty());
}

#[tokio::test]
async fn a_flood_through_a_note_takers_link_is_held_back() {
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    let link = running.capture_link(&app).await;
    let review = commonground_domain::ReviewId(running.review);
    for i in 0..commonground_web::sessions::NOTES_PER_MINUTE {
        app.store
            .add_capture_item(running.org, review, 1, "theme", &format!("Note {i}"))
            .await
            .unwrap();
    }
    let refused = note_by_link(&app, &link, "theme", "One more").await;
    assert_eq!(refused.status(), 429);
    assert!(
        text_of(&refused.text().await.unwrap()).contains("Wait a minute, then add yours"),
        "the page says what to do"
    );
    let held = commonground_web::sessions::NOTES_PER_MINUTE;
    assert_eq!(app.count("capture_items").await, held, "nothing was added");
    // Session 2 has its own allowance.
    let second = running
        .session
        .replace("/sessions/1", "/sessions/2/capture");
    let added = app
        .submit(
            &running.champion,
            &second,
            &second,
            &[("kind", "theme"), ("text", "Session 2 is fine")],
        )
        .await;
    assert_eq!(added.status(), 303);
    assert_eq!(app.count("capture_items").await, held + 1);
}
