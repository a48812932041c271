//! The date poll in a real headless Chromium: a champion offers 4 times, 10 participants
//! answer from their links (one with the keyboard only), the champion sees the counts and
//! chooses, and the calendar file is parsed back and checked. Every page is checked with
//! axe-core, and the answer page at a phone's 360 px.
//!
//! Switched on by `COMMONGROUND_BROWSER_TESTS=1`, like the other browser tests.

use std::time::Instant;

use icalendar::{Component, EventLike};
use serde_json::{Value, json};

use crate::polls::{
    PLANNED_COUNTS, SLOTS, next_year, parse_calendar, planned_answer, poll_links, poll_path,
    slot_ids, wall_clock,
};
use crate::questionnaire::{Review, review_with};
use crate::support::app::PASSWORD;
use crate::support::webdriver::{ARROW_RIGHT, Browser, ENTER, TAB};

fn enabled() -> bool {
    let on = std::env::var("COMMONGROUND_BROWSER_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("browser tests are off: set COMMONGROUND_BROWSER_TESTS=1 (as .ci/run does)");
    }
    on
}

/// Sets a date or time field the way its picker would (typing into one depends on the locale).
async fn pick(browser: &Browser, id: &str, value: &str) {
    let script = format!(
        "const field = document.getElementById({}); field.value = {}; \
         field.dispatchEvent(new Event('change', {{ bubbles: true }}));",
        json!(id),
        json!(value)
    );
    browser.script(&script).await;
}

/// The champion signs in through the sign-in page.
async fn sign_in(browser: &Browser, r: &Review) {
    browser.goto(&r.app.url("/sign-in")).await;
    browser.fill("#email", "lead@trust.nhs.uk").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("main form button[type=submit]").await;
    assert!(!browser.title().await.starts_with("Sign in"), "signed in");
}

/// The champion fills in the new-poll form: where, the last day, 2 times per session and a
/// peer reviewer; then starts the poll.
async fn fill_in_new_poll(browser: &Browser) {
    browser
        .fill("#location", "Seminar room 2, Northshire General")
        .await;
    pick(browser, "answer_by", &next_year("06-01")).await;
    for (prefix, day, starts, ends) in SLOTS {
        pick(browser, &format!("{prefix}-date"), &next_year(day)).await;
        pick(browser, &format!("{prefix}-starts"), starts).await;
        pick(browser, &format!("{prefix}-ends"), ends).await;
    }
    browser.fill("#g0-name", "Priya Peer").await;
    browser
        .fill("#g0-email", "priya.peer@otherhospital.nhs.uk")
        .await;
    browser
        .script("document.getElementById('g0-side').value = 'finance';")
        .await;
}

/// The radio button for `answer` to time `slot` on an answer page.
fn radio(slot: i64, answer: &str) -> String {
    if answer == "yes" {
        format!("#slot-{slot}")
    } else {
        format!("#slot-{slot}-{answer}")
    }
}

/// A participant clicks their answers and sends them.
async fn click_answers(browser: &Browser, slots: &[i64], person: usize) {
    for (i, slot) in slots.iter().enumerate() {
        browser
            .click(&radio(*slot, planned_answer(person, i)))
            .await;
    }
    browser.submit("main form button[type=submit]").await;
}

/// A participant answers with the keyboard only: Tab into each group of radio buttons, Space
/// for the first answer or the right arrow to move to the next, then Tab to the button and
/// Enter.
async fn keyboard_answers(browser: &Browser, slots: &[i64], person: usize) {
    for (i, slot) in slots.iter().enumerate() {
        let first = format!("slot-{slot}");
        let mut tabs = 0;
        while browser.focused().await != first {
            browser.press(TAB).await;
            tabs += 1;
            assert!(tabs < 40, "Tab never reaches {first}");
        }
        let keys = match planned_answer(person, i) {
            "yes" => " ".to_owned(),
            "if_need_be" => ARROW_RIGHT.to_owned(),
            _ => ARROW_RIGHT.repeat(2),
        };
        browser.press(&keys).await;
    }
    browser.press(TAB).await;
    let on = browser
        .script("return document.activeElement.type === 'submit';")
        .await;
    assert_eq!(on, true, "Tab after the last time reaches the button");
    browser.press_and_wait(ENTER).await;
}

/// The page's visible text.
async fn text(browser: &Browser) -> String {
    browser
        .script("return document.body.innerText;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Nothing is wider than a 360 px window, except tables scrolling inside their region.
async fn fits_360(browser: &Browser, label: &str) {
    let width = browser
        .script("return document.documentElement.scrollWidth;")
        .await;
    assert!(
        width.as_u64().is_some_and(|w| w <= 360),
        "{label}: the page is {width} px wide"
    );
}

#[tokio::test]
async fn ten_participants_answer_a_four_time_poll_and_the_chosen_times_reach_their_calendars() {
    if !enabled() {
        return;
    }
    let started = Instant::now();
    let r = review_with(10).await;
    let browser = Browser::start().await;
    browser.resize(1280, 900).await;
    sign_in(&browser, &r).await;

    // The new-poll page, empty and with errors.
    let poll = poll_path(&r);
    browser.goto(&r.app.url(&format!("{poll}/new"))).await;
    browser.check_page("new poll").await;
    browser.submit("main form button[type=submit]").await;
    assert!(text(&browser).await.contains("There is a problem"));
    browser.check_page("new poll with errors").await;

    fill_in_new_poll(&browser).await;
    browser.submit("main form button[type=submit]").await;
    assert!(
        browser.title().await.starts_with("Date poll"),
        "the poll page"
    );
    browser.check_page("poll page, no answers yet").await;

    let links = poll_links(&r).await;
    assert_eq!(links.len(), 11, "10 participants and the peer reviewer");
    let slots = slot_ids(&r).await;
    assert_eq!(slots.len(), 4);
    let link_of = |person: usize| {
        links
            .iter()
            .find(|(to, _)| *to == format!("person{person}@trust.nhs.uk"))
            .unwrap()
            .1
            .clone()
    };

    // Participant 0 on a phone: the empty page, a forgotten time, then saved.
    browser.resize(360, 740).await;
    browser.goto(&r.app.url(&link_of(0))).await;
    browser.check_page("answer page at 360px").await;
    fits_360(&browser, "answer page").await;
    for (i, slot) in slots.iter().enumerate().take(3) {
        browser.click(&radio(*slot, planned_answer(0, i))).await;
    }
    browser.submit("main form button[type=submit]").await;
    assert!(text(&browser).await.contains("There is a problem"));
    browser
        .check_page("answer page with an error at 360px")
        .await;
    fits_360(&browser, "answer page with an error").await;
    click_answers(&browser, &slots, 0).await;
    assert!(
        text(&browser)
            .await
            .contains("Thank you: your answers are saved")
    );
    browser.check_page("answer page, saved, at 360px").await;
    fits_360(&browser, "answer page, saved").await;

    // Participants 1 to 8 click; participant 9 uses the keyboard only.
    browser.resize(1280, 900).await;
    for person in 1..9 {
        browser.goto(&r.app.url(&link_of(person))).await;
        click_answers(&browser, &slots, person).await;
        assert!(
            text(&browser).await.contains("Thank you"),
            "person {person}"
        );
    }
    browser.goto(&r.app.url(&link_of(9))).await;
    keyboard_answers(&browser, &slots, 9).await;
    assert!(text(&browser).await.contains("Thank you"), "keyboard");
    browser.check_page("answer page, saved").await;

    // The champion sees the counts, and the tables scroll inside their regions on a phone.
    browser.goto(&r.app.url(&poll)).await;
    let counts = browser
        .script(
            "return [...document.querySelector('table').tBodies[0].rows]\
               .map(row => [...row.cells].slice(1).map(cell => Number(cell.innerText)));",
        )
        .await;
    let expected: Vec<Vec<u32>> = PLANNED_COUNTS.iter().map(|c| c.to_vec()).collect();
    assert_eq!(counts, json!(expected));
    browser.check_page("poll page with answers").await;
    browser.resize(360, 740).await;
    browser.check_page("poll page at 360px").await;
    fits_360(&browser, "poll page").await;
    let regions = browser
        .script(
            "return [...document.querySelectorAll('.app-table-container')].map(region => ({\
               role: region.getAttribute('role'),\
               overflow: getComputedStyle(region).overflowX,\
               scrolls: region.scrollWidth > region.clientWidth,\
               fits: region.getBoundingClientRect().right <= 360 }));",
        )
        .await;
    let regions = regions.as_array().cloned().unwrap_or_default();
    assert_eq!(regions.len(), 2, "{regions:?}");
    for region in &regions {
        assert_eq!(region["role"], "region");
        assert_eq!(region["fits"], true, "{region}");
        assert!(
            matches!(region["overflow"].as_str(), Some("auto" | "scroll")),
            "{region}"
        );
    }
    assert!(
        regions.iter().any(|r| r["scrolls"] == Value::Bool(true)),
        "the answers table is wider than a phone, so it scrolls in its region"
    );
    browser.resize(1280, 900).await;

    // The champion chooses 9:30am on the summer date and 2pm on the winter date.
    browser
        .click(&format!("input[name=session1][value='{}']", slots[0]))
        .await;
    browser
        .click(&format!("input[name=session2][value='{}']", slots[3]))
        .await;
    browser
        .submit("form[action$='/poll/choose'] button[type=submit]")
        .await;
    assert!(browser.title().await.starts_with("Team sessions"));
    browser.check_page("sessions with times").await;

    // The calendar file, downloaded with the champion's session, parsed back.
    let download = r
        .lead
        .get(r.app.url(&format!("{}/sessions/calendar.ics", r.path)))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let (method, events) = parse_calendar(&download.text().await.unwrap());
    assert_eq!(method, "PUBLISH");
    assert_eq!(events.len(), 2);
    for (event, (slot, summary)) in events
        .iter()
        .zip([(0, "Session 1: Theatres"), (3, "Session 2: Theatres")])
    {
        let [start, end] = wall_clock(slot);
        assert_eq!(crate::polls::local(event.get_start()), start, "{summary}");
        assert_eq!(crate::polls::local(event.get_end()), end, "{summary}");
        assert_eq!(event.get_summary(), Some(summary));
        assert_eq!(
            event.get_location(),
            Some("Seminar room 2, Northshire General")
        );
    }
    println!(
        "browser poll test: 10 participants answered and both sessions chosen in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
