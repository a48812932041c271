//! Pages in a real headless Chromium at phone and desktop widths, each checked with axe-core.
//!
//! Switched on by `COMMONGROUND_BROWSER_TESTS=1` (as `.ci/run` does); then a missing Chromium,
//! chromedriver or axe-core fails the test rather than skipping it.

use std::fmt::Write;

use commonground_domain::Role;

use crate::support::app::PASSWORD;
use crate::support::webdriver::Browser;
use crate::support::{SmtpSink, TestApp, questionnaire_link};

fn enabled() -> bool {
    let on = std::env::var("COMMONGROUND_BROWSER_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("browser tests are off: set COMMONGROUND_BROWSER_TESTS=1 (as .ci/run does)");
    }
    on
}

/// Opens `path` and checks it.
async fn visit(browser: &Browser, app: &TestApp, path: &str, label: &str) {
    browser.goto(&app.url(path)).await;
    browser.check_page(label).await;
}

/// Submits the main form as it is (to see its error state) and checks the result.
async fn submit_and_check(browser: &Browser, label: &str) {
    browser.submit("main form button[type=submit]").await;
    browser.check_page(label).await;
}

async fn arrange() -> (TestApp, i64, String) {
    let app = TestApp::spawn().await;
    let org = app
        .organisation("Northshire Hospitals NHS Foundation Trust", "RX1")
        .await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    app.member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    app.network_admin("network@nhs.net").await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;
    let divisions = format!("/organisations/{}/divisions", org.id);
    app.submit(&admin, &divisions, &divisions, &[("name", "Surgery")])
        .await;
    let invite = format!("/organisations/{}/invitations/new", org.id);
    app.submit(
        &admin,
        &invite,
        &format!("/organisations/{}/invitations", org.id),
        &[("email", "new.lead@trust.nhs.uk"), ("roles", "champion")],
    )
    .await;
    let message = app
        .store
        .list_outbox(commonground_store::outbox::OutboxScope::Everything, 1, 0)
        .await
        .unwrap()
        .remove(0);
    let start = message.text.find("/invitations/").unwrap();
    let invitation = message.text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    (app, org.id.0, invitation)
}

#[tokio::test]
async fn every_page_passes_axe_at_phone_and_desktop_widths() {
    if !enabled() {
        return;
    }
    let (app, org, invitation) = arrange().await;
    let lead = app
        .store
        .find_user_by_email(&commonground_domain::EmailAddress::parse("lead@trust.nhs.uk").unwrap())
        .await
        .unwrap()
        .unwrap();
    let browser = Browser::start().await;
    for (width, height) in [(360, 740), (1280, 900)] {
        browser.resize(width, height).await;
        let at = |name: &str| format!("{name} at {width}px");

        // Signed out.
        visit(&browser, &app, "/", &at("home, signed out")).await;
        visit(&browser, &app, "/sign-in", &at("sign in")).await;
        submit_and_check(&browser, &at("sign in with errors")).await;
        visit(&browser, &app, "/password-reset", &at("password reset")).await;
        submit_and_check(&browser, &at("password reset with errors")).await;
        visit(&browser, &app, &invitation, &at("invitation")).await;
        submit_and_check(&browser, &at("invitation with errors")).await;
        visit(
            &browser,
            &app,
            "/invitations/unknown",
            &at("invitation link not valid"),
        )
        .await;
        visit(&browser, &app, "/no-such-page", &at("page not found")).await;
        visit(&browser, &app, "/account", &at("sign in needed")).await;
        visit(&browser, &app, "/api", &at("API reference")).await;

        // An organisation admin, signing in by typing.
        browser.goto(&app.url("/sign-in")).await;
        browser.fill("#email", "admin@trust.nhs.uk").await;
        browser.fill("#password", PASSWORD).await;
        browser.submit("main form button[type=submit]").await;
        let title = browser.title().await;
        if !title.starts_with("Your organisations") {
            let shot = browser.screenshot(&at("sign in failed")).await;
            panic!("not signed in: {title} ({})", shot.display());
        }
        browser.check_page(&at("home, signed in")).await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}"),
            &at("organisation"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/members"),
            &at("members"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/members/{}", lead.id),
            &at("member roles"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/invitations/new"),
            &at("invite"),
        )
        .await;
        submit_and_check(&browser, &at("invite with errors")).await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/divisions"),
            &at("divisions"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/settings"),
            &at("settings"),
        )
        .await;
        browser.fill("#min_reporting_group", "2").await;
        submit_and_check(&browser, &at("settings with errors")).await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/questionnaires"),
            &at("questionnaires"),
        )
        .await;
        browser.submit("main table a").await;
        browser.check_page(&at("adapt a questionnaire")).await;
        browser
            .script("document.querySelector('#definition').value = 'title = \"x\"';")
            .await;
        submit_and_check(&browser, &at("adapt a questionnaire with errors")).await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/outbox"),
            &at("outbox"),
        )
        .await;
        browser.submit("main table a").await;
        browser.check_page(&at("outbox message")).await;
        // Reviews: start one, then its overview, checklist and participants in each state.
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/reviews"),
            &at("reviews"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/reviews/new"),
            &at("new review"),
        )
        .await;
        submit_and_check(&browser, &at("new review with errors")).await;
        browser
            .fill("#title", &format!("Theatres at {width}px"))
            .await;
        browser
            .fill(
                "#scope",
                "Theatres: surgeons, anaesthetists, nurses and finance",
            )
            .await;
        browser.click("#focus_areas").await;
        browser.submit("main form button[type=submit]").await;
        browser.check_page(&at("review overview, incomplete")).await;
        browser.submit("a[href$='/readiness']").await;
        browser.check_page(&at("readiness")).await;
        browser.submit("a[href$='/participants']").await;
        browser.check_page(&at("participants, none")).await;
        browser.submit("main form[enctype] button").await;
        browser
            .check_page(&at("participants, no file chosen"))
            .await;
        browser
            .submit("main form:not([enctype]) button[type=submit]")
            .await;
        browser
            .check_page(&at("participants, add with errors"))
            .await;
        browser.fill("#name", "Ann Surgeon").await;
        browser
            .fill("#email", &format!("ann.{width}@trust.nhs.uk"))
            .await;
        browser.click("#profession").await;
        browser.click("#role_level").await;
        browser
            .submit("main form:not([enctype]) button[type=submit]")
            .await;
        browser.check_page(&at("participants, one added")).await;
        browser.submit("a[href$='/questionnaire']").await;
        browser.check_page(&at("questionnaire tab, draft")).await;
        browser.fill("#days_after", "3, tomorrow").await;
        browser
            .submit("main form[action$='/reminders'] button")
            .await;
        browser
            .check_page(&at("questionnaire tab, reminders with errors"))
            .await;
        browser.submit("main form[action$='/open'] button").await;
        browser.check_page(&at("questionnaire tab, sending")).await;
        app.run_jobs().await;
        let tab = browser.script("return location.href;").await;
        let tab = tab.as_str().unwrap_or_default().to_owned();
        browser.goto(&tab).await;
        browser.check_page(&at("questionnaire tab, open")).await;
        let emails = tab.replace("/questionnaire", "/emails");
        browser.goto(&emails).await;
        browser.check_page(&at("review emails")).await;
        browser.submit("main table a").await;
        browser.check_page(&at("invitation wording")).await;
        browser
            .script("document.querySelector('#body').value = 'Dear {first_name}';")
            .await;
        browser.submit("main form button[value=save]").await;
        browser
            .check_page(&at("invitation wording with errors"))
            .await;
        // Sessions: overview before any poll, a plan read and edited, each session's record.
        let sessions = tab.replace("/questionnaire", "/sessions");
        browser.goto(&sessions).await;
        browser.check_page(&at("sessions, no dates yet")).await;
        browser
            .script("document.querySelector('main details').open = true;")
            .await;
        browser.submit("main form[action$='/1/time'] button").await;
        browser
            .check_page(&at("sessions, a time set with errors"))
            .await;
        browser.goto(&format!("{sessions}/1/plan")).await;
        browser.check_page(&at("session plan")).await;
        browser.goto(&format!("{sessions}/1/plan/edit")).await;
        browser.check_page(&at("session plan editor")).await;
        browser
            .script("document.querySelector('#agenda').value = 'Welcome';")
            .await;
        submit_and_check(&browser, &at("session plan editor with errors")).await;
        browser.goto(&format!("{sessions}/2/record")).await;
        browser.check_page(&at("session 2 record")).await;
        browser
            .submit("main form[action$='/challenges'] button")
            .await;
        browser
            .check_page(&at("session 2 record, challenge with errors"))
            .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/cards"),
            &at("cards"),
        )
        .await;
        browser.submit("main form[action$='/cards'] button").await;
        browser.check_page(&at("cards, own card with errors")).await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/jobs"),
            &at("background jobs"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/audit"),
            &at("audit log"),
        )
        .await;
        visit(
            &browser,
            &app,
            &format!("/organisations/{org}/people"),
            &at("personal data requests"),
        )
        .await;
        submit_and_check(&browser, &at("personal data request with errors")).await;
        browser.fill("#email", "network@nhs.net").await;
        browser.submit("main form button[value=erase]").await;
        browser.check_page(&at("delete a person's data")).await;
        visit(&browser, &app, "/privacy", &at("privacy notice")).await;
        let link = app
            .store
            .list_outbox(commonground_store::outbox::OutboxScope::Everything, 1, 0)
            .await
            .unwrap()
            .remove(0);
        let start = link.text.find("/q/").expect("questionnaire link");
        let link = link.text[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        visit(&browser, &app, &link, &at("questionnaire")).await;
        submit_and_check(&browser, &at("questionnaire with errors")).await;
        browser.goto(&tab).await;
        browser
            .submit("main form[action$='/open-link'] button")
            .await;
        browser.check_page(&at("open link made")).await;
        let open_link = browser
            .script("return document.querySelector('#open-link').textContent;")
            .await;
        let open_link = open_link.as_str().unwrap_or_default().trim().to_owned();
        browser.goto(&open_link).await;
        browser.check_page(&at("open link questionnaire")).await;
        visit(&browser, &app, "/account", &at("account")).await;
        browser.fill("#token_name", "Board pack script").await;
        browser
            .submit("form[action='/account/tokens'] button")
            .await;
        browser.check_page(&at("token created")).await;
        visit(&browser, &app, "/organisations/new", &at("forbidden")).await;
        browser.goto(&app.url("/account")).await;
        browser.submit("header form button").await;

        // A network admin.
        browser.goto(&app.url("/sign-in")).await;
        browser.fill("#email", "network@nhs.net").await;
        browser.fill("#password", PASSWORD).await;
        browser.submit("main form button[type=submit]").await;
        visit(&browser, &app, "/organisations", &at("organisations")).await;
        visit(
            &browser,
            &app,
            "/organisations/new",
            &at("add organisation"),
        )
        .await;
        submit_and_check(&browser, &at("add organisation with errors")).await;
        visit(&browser, &app, "/outbox", &at("all outbox")).await;
        visit(&browser, &app, "/jobs", &at("all background jobs")).await;
        browser.goto(&app.url("/account")).await;
        browser.submit("header form button").await;
    }
}

/// Answers every question on the questionnaire page the way a person would, then sends it.
const ANSWER_EVERYTHING: &str = "
    const groups = new Map();
    for (const radio of document.querySelectorAll('main input[type=radio]')) {
        if (!groups.has(radio.name)) groups.set(radio.name, []);
        groups.get(radio.name).push(radio);
    }
    for (const [name, radios] of groups) {
        if (radios.some(r => r.checked)) continue;
        const agree = radios.find(r => r.value === (name.startsWith('s-') ? arguments[0] : ''));
        (agree || radios[0]).click();
    }
    document.querySelector('main input[name=barriers]').click();
";

#[tokio::test]
async fn a_champion_runs_a_review_from_start_to_results() {
    if !enabled() {
        return;
    }
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with_smtp(Some(sink.port)).await;
    let org = app
        .organisation("Northshire Hospitals NHS Foundation Trust", "RX1")
        .await;
    app.member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let fbp = app
        .member(org.id, "fbp@trust.nhs.uk", &[Role::Champion])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let browser = Browser::start().await;
    browser.goto(&app.url("/sign-in")).await;
    browser.fill("#email", "lead@trust.nhs.uk").await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("main form button[type=submit]").await;
    for (width, height) in [(1280, 900), (360, 740)] {
        browser.resize(width, height).await;
        let at = |name: &str| format!("walk-through: {name} at {width}px");
        visit(
            &browser,
            &app,
            &format!("/organisations/{}/reviews/new", org.id),
            &at("new review"),
        )
        .await;
        browser.fill("#title", &format!("Theatres {width}")).await;
        browser
            .fill("#scope", "Theatre teams and their finance partners")
            .await;
        browser.click("#focus_areas").await;
        browser
            .click(&format!("#finance_champion option[value='{}']", fbp.id))
            .await;
        browser.submit("main form button[type=submit]").await;
        browser.check_page(&at("review")).await;

        // Thirty people from a spreadsheet: ten in finance, twenty clinical.
        let csv = (0..30).fold(String::from("name,email,profession group,role level\n"), |mut csv, i| {
            let profession = if i % 3 == 0 { "Finance" } else { "Nursing" };
            let _ = writeln!(csv, "Person {i},p{i}.w{width}@trust.nhs.uk,{profession},Middle manager or team leader");
            csv
        });
        let file = dir.path().join(format!("people-{width}.csv"));
        std::fs::write(&file, csv).unwrap();
        browser.submit("a[href$='/participants']").await;
        browser.choose_file("#file", &file).await;
        browser.submit("main form[enctype] button").await;
        browser.check_page(&at("participants imported")).await;
        browser.submit("a[href$='/questionnaire']").await;
        browser.submit("main form[action$='/open'] button").await;
        browser.check_page(&at("questionnaire open, sending")).await;
        app.run_jobs().await;
        browser.script("location.reload();").await;
        browser.check_page(&at("questionnaire open, sent")).await;
        let text = browser
            .script("return document.querySelector('main').innerText;")
            .await;
        assert!(
            text.as_str().unwrap_or_default().contains("30 of 30 sent"),
            "{text}"
        );
        let review_tab = format!("/organisations/{}/reviews", org.id);
        let review_path = {
            let reviews = app.store.list_reviews(org.id).await.unwrap();
            let review = reviews
                .iter()
                .find(|r| r.title == format!("Theatres {width}"))
                .unwrap();
            format!("{review_tab}/{}", review.id)
        };

        // Each person answers from the link in the email that reached them.
        let links: Vec<(String, String)> = sink
            .messages()
            .iter()
            .filter(|m| m.to[0].contains(&format!(".w{width}@")))
            .map(|m| (m.to[0].clone(), questionnaire_link(&m.text)))
            .collect();
        assert_eq!(links.len(), 30);
        for (i, (email, link)) in links.iter().enumerate() {
            browser.goto(&app.url(link)).await;
            if i == 0 {
                browser.check_page(&at("questionnaire")).await;
            }
            let finance = email
                .trim_start_matches('p')
                .split('.')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
                % 3
                == 0;
            let answer = if finance { "2" } else { "4" };
            let script = format!("return (function() {{ {ANSWER_EVERYTHING} }})('{answer}');");
            browser.script(&script).await;
            browser.submit("main form button[type=submit]").await;
            assert!(
                browser.title().await.starts_with("Thank you"),
                "{email} answered"
            );
            if i == 0 {
                browser.check_page(&at("thank you")).await;
            }
        }

        browser
            .goto(&app.url(&format!("{review_path}/questionnaire")))
            .await;
        browser.check_page(&at("all answered")).await;
        browser.submit("main form[action$='/close'] button").await;
        browser.check_page(&at("closed")).await;
        browser.script("window.confirm = () => true;").await;
        browser.submit("main form[action$='/release'] button").await;
        browser.check_page(&at("released")).await;
        browser
            .goto(&app.url(&format!("{review_path}/results")))
            .await;
        browser.check_page(&at("results")).await;
        let text = browser
            .script("return document.querySelector('main').innerText;")
            .await;
        let text = text.as_str().unwrap_or_default();
        assert!(text.contains("30 people answered"), "{text}");
        assert!(
            text.contains("+2.00"),
            "clinical 4 against finance 2 on every factor"
        );
    }
}
