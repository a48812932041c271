//! Facilitation mode in real browsers: a champion's projector and two note takers on their own
//! devices (three separate Chromium sessions), with axe-core on the projector and capture pages.
//!
//! Switched on by `COMMONGROUND_BROWSER_TESTS=1`; then a missing Chromium, chromedriver or
//! axe-core fails the test rather than skipping it.

use std::time::{Duration, Instant};

use crate::facilitation::arrange;
use crate::support::TestApp;
use crate::support::app::PASSWORD;
use crate::support::webdriver::Browser;

/// The WebDriver key code of the right arrow.
const ARROW_RIGHT: char = '\u{E014}';

fn enabled() -> bool {
    let on = std::env::var("COMMONGROUND_BROWSER_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("browser tests are off: set COMMONGROUND_BROWSER_TESTS=1 (as .ci/run does)");
    }
    on
}

/// Waits up to `within` for `script` (returning a boolean) to hold in `browser`'s page; returns
/// how long it took, or `None`.
async fn until(browser: &Browser, script: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    loop {
        if browser.script(script).await == true {
            return Some(started.elapsed());
        }
        if started.elapsed() > within {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn live_contains(text: &str) -> String {
    format!(
        "return document.querySelector('[data-live]').textContent.includes({});",
        serde_json::to_string(text).unwrap()
    )
}

/// A note taker adds a note from the link, then the projector must show it within a second.
async fn note_reaches_projector(
    taker: &Browser,
    projector: &Browser,
    link: &str,
    kind: &str,
    text: &str,
) -> Duration {
    taker.goto(link).await;
    taker
        .click(&format!("input[name=kind][value={kind}]"))
        .await;
    taker.fill("#text", text).await;
    taker.submit("main form button[type=submit]").await;
    let seen = until(projector, &live_contains(text), Duration::from_secs(1)).await;
    seen.unwrap_or_else(|| panic!("{text:?} did not reach the projector within a second"))
}

#[tokio::test]
async fn browser_projector_shows_two_note_takers_notes_live_and_moves_by_keyboard() {
    if !enabled() {
        return;
    }
    let app = TestApp::spawn().await;
    let running = arrange(&app).await;
    let link = app.url(&running.capture_link(&app).await);
    let deck = commonground_web::sessions::deck(&app.state, running.org)
        .await
        .unwrap();

    let projector = Browser::start().await;
    projector.goto(&app.url("/sign-in")).await;
    projector.fill("#email", "lead@trust.nhs.uk").await;
    projector.fill("#password", PASSWORD).await;
    projector.submit("main form button[type=submit]").await;
    projector
        .goto(&app.url(&format!("{}/facilitate", running.session)))
        .await;
    projector.check_page("projector").await;
    // The stream is open once the script has swapped in the part the connect event asked for.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let first = Browser::start().await;
    let second = Browser::start().await;
    first.goto(&link).await;
    first.check_page("note takers' page").await;
    first.submit("main form button[type=submit]").await;
    first.check_page("note takers' page with errors").await;

    let a = note_reaches_projector(
        &first,
        &projector,
        &link,
        "theme",
        "Budget holders are not in the room when theatre lists change",
    )
    .await;
    let b = note_reaches_projector(
        &second,
        &projector,
        &link,
        "good_practice",
        "The finance partner joins the weekly theatre huddle",
    )
    .await;
    println!(
        "notes reached the projector {} ms and {} ms after the note takers' pages loaded",
        a.as_millis(),
        b.as_millis()
    );
    second.check_page("note takers' page after adding").await;

    // Keyboard: the right arrow shows the first card, then the next.
    projector.press_key(ARROW_RIGHT).await;
    let first_card = live_contains(&deck[0].title);
    assert!(
        until(&projector, &first_card, Duration::from_secs(3))
            .await
            .is_some(),
        "the right arrow showed the first card"
    );
    projector.press_key(ARROW_RIGHT).await;
    let second_card = live_contains(&deck[1].title);
    assert!(
        until(&projector, &second_card, Duration::from_secs(3))
            .await
            .is_some(),
        "the right arrow moved to the next card"
    );
    let [session, _] = app
        .store
        .team_sessions(running.org, commonground_domain::ReviewId(running.review))
        .await
        .unwrap();
    assert_eq!(
        session.current_card.as_deref(),
        Some(deck[1].id.as_str()),
        "the server holds what the projector shows"
    );
    projector
        .check_page("projector with notes and a card")
        .await;
    projector.resize(360, 800).await;
    projector.check_page("projector at phone width").await;
}
