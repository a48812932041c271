//! UK GDPR: the retention job, a person's data exported and erased on request, the audit log of
//! sensitive actions, and the privacy notice. Each tries to make answers leak or outlive the
//! rules, and checks they do not.

use std::fmt::Write;

use commonground_domain::Role;
use commonground_store::polls::{Guest, NewPoll};

use crate::questionnaire::{Review, answers, review_with, send};
use crate::support::{TestApp, text_of};

/// Everything in the audit log, as one text, for "never appears" checks.
async fn audit_text(app: &TestApp) -> String {
    let mut text = String::new();
    for org in app.store.list_all_organisations().await.unwrap() {
        for event in app.store.list_audit(org.id, 1_000, 0).await.unwrap() {
            let _ = write!(
                text,
                "{} {:?} {} | ",
                event.action, event.subject, event.detail
            );
        }
    }
    text
}

#[tokio::test]
async fn retention_deletes_names_and_emails_but_keeps_the_answers() {
    let r = review_with(6).await;
    r.post("open").await;
    ask_with_a_guest(&r).await;
    let links = r.links().await;
    for (i, link) in links.iter().take(5).enumerate() {
        assert_eq!(
            send(&r.app, link, &answers("nursing", i)).await.status(),
            200
        );
    }
    r.post("close").await;
    let emails_before = r.app.count("outbox").await;
    assert!(emails_before >= 6);

    // Closed today: the daily job finds nothing to delete yet.
    r.app.state.jobs.schedule_reminders().await.unwrap();
    r.app.run_jobs().await;
    assert_eq!(
        r.app
            .count("participants WHERE erased_at IS NOT NULL")
            .await,
        0
    );

    // Closed 25 months ago, past the default 24: tomorrow's job deletes them.
    r.app
        .sql("UPDATE reviews SET closed_at = closed_at - 25 * 2629746")
        .await;
    r.app
        .sql("DELETE FROM jobs WHERE kind = 'delete_expired_personal_data'")
        .await;
    r.app.state.jobs.schedule_reminders().await.unwrap();
    r.app.run_jobs().await;
    assert_eq!(
        r.app
            .count("participants WHERE erased_at IS NOT NULL")
            .await,
        6
    );
    assert_eq!(
        r.app
            .count("participants WHERE email LIKE '%@trust.nhs.uk'")
            .await,
        0
    );
    assert_eq!(
        r.app.count("participants WHERE name LIKE 'Person%'").await,
        0
    );
    assert_eq!(r.app.count("outbox WHERE to_email LIKE 'person%'").await, 0);
    // The date poll's guest goes too, with the emails to them; no poll link works any more.
    assert_eq!(
        r.app
            .count("outbox WHERE to_email = 'reviewer@nhs.net'")
            .await,
        0
    );
    assert_eq!(
        r.app
            .count("poll_invitees WHERE guest_email IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        r.app
            .count("poll_invitees WHERE link_hash NOT LIKE 'erased-%'")
            .await,
        0
    );
    assert_eq!(r.app.count("responses").await, 5, "anonymous answers stay");
    assert_eq!(r.app.count("participants WHERE responded = 1").await, 5);
    assert_eq!(
        r.app
            .count("reviews WHERE personal_data_deleted_at IS NOT NULL")
            .await,
        1
    );
    let log = audit_text(&r.app).await;
    assert!(log.contains("retention_deleted"), "{log}");
    assert!(log.contains("Theatres: names and email addresses of 6 participants"));

    // The results still show, from the anonymous answers.
    r.post("release").await;
    let results = r
        .lead
        .get(r.app.url(&format!("{}/results", r.path)))
        .send()
        .await
        .unwrap();
    assert_eq!(results.status(), 200);
}

/// A personal data request on the page, as an admin makes it.
/// Starts a date poll for the review that also asks a peer reviewer, and emails the links.
async fn ask_with_a_guest(r: &Review) {
    let start = commonground_store::now() + 40 * 86_400;
    let poll = NewPoll {
        location: "Board room".into(),
        message: String::new(),
        answer_by: start - 86_400,
        slots: vec![
            (1, start, start + 7200),
            (2, start + 86_400, start + 93_600),
        ],
        guests: vec![Guest {
            name: "Robin Reviewer".into(),
            email: "reviewer@nhs.net".into(),
            side: "finance".into(),
            role: "peer_reviewer".into(),
        }],
    };
    let by = r
        .app
        .member(r.org, "poll-owner@trust.nhs.uk", &[Role::Champion])
        .await;
    r.app
        .store
        .create_poll(r.org, r.id, &poll, by.id)
        .await
        .unwrap();
    let sent = commonground_web::scheduling::send_poll_links(&r.app.state, r.org, r.id, "Theatres")
        .await
        .unwrap();
    assert_eq!(sent, 7, "six participants and the guest");
}

async fn ask(
    app: &TestApp,
    admin: &reqwest::Client,
    page: &str,
    email: &str,
    request: &str,
) -> reqwest::Response {
    app.submit(admin, page, page, &[("email", email), ("request", request)])
        .await
}

#[tokio::test]
async fn an_admin_downloads_then_erases_a_persons_data_but_never_answers() {
    let r = review_with(5).await;
    let app = &r.app;
    // person0 answers, and is also a board viewer with an account.
    app.member(r.org, "person0@trust.nhs.uk", &[Role::BoardViewer])
        .await;
    app.member(r.org, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;
    r.post("open").await;
    let by_recipient = r.links_by_recipient().await;
    let (_, link) = by_recipient
        .iter()
        .find(|(to, _)| to == "person0@trust.nhs.uk")
        .unwrap();
    assert_eq!(send(app, link, &answers("finance", 3)).await.status(), 200);

    let page = format!("/organisations/{}/people", r.org);
    let export = ask(app, &admin, &page, "Person0@Trust.nhs.uk", "export").await;
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let data: serde_json::Value = export.json().await.unwrap();
    assert_eq!(data["account"]["roles"][0], "board_viewer");
    assert_eq!(data["participations"][0]["name"], "Person 0");
    assert_eq!(data["participations"][0]["review"], "Theatres");
    assert_eq!(data["participations"][0]["answered"], true);
    assert!(!data["emails"].as_array().unwrap().is_empty());
    let text = data.to_string();
    assert!(
        !text.contains("Joint budget meetings help") && !text.contains("\"s-"),
        "answers are never exported: {text}"
    );

    let bad = ask(app, &admin, &page, "not an email", "export").await;
    assert_eq!(bad.status(), 422);
    let mine = ask(app, &admin, &page, "admin@trust.nhs.uk", "erase_confirmed").await;
    assert_eq!(mine.status(), 422, "admins cannot erase themselves here");

    let confirm = ask(app, &admin, &page, "person0@trust.nhs.uk", "erase").await;
    assert_eq!(confirm.status(), 200);
    let confirm = text_of(&confirm.text().await.unwrap());
    assert!(
        confirm.contains("Participant in the review “Theatres”"),
        "{confirm}"
    );
    assert!(confirm.contains("This cannot be undone"));
    assert_eq!(
        app.count("participants WHERE erased_at IS NOT NULL").await,
        0,
        "asking changes nothing"
    );

    let erased = ask(
        app,
        &admin,
        &page,
        "person0@trust.nhs.uk",
        "erase_confirmed",
    )
    .await;
    assert_eq!(erased.status(), 200);
    assert!(text_of(&erased.text().await.unwrap()).contains("1 participant records"));
    assert_eq!(
        app.count("participants WHERE email = 'person0@trust.nhs.uk'")
            .await,
        0
    );
    assert_eq!(
        app.count("outbox WHERE to_email = 'person0@trust.nhs.uk'")
            .await,
        0
    );
    assert_eq!(
        app.count("users WHERE email = 'person0@trust.nhs.uk'")
            .await,
        0
    );
    assert_eq!(
        app.count("responses").await,
        1,
        "the anonymous answer stays"
    );
    let log = audit_text(app).await;
    assert!(!log.contains("person0@"), "the log forgets whom: {log}");
    assert!(log.contains("personal_data_exported") && log.contains("person_erased"));

    // An erased participant gets no more emails: reminders skip them.
    assert_eq!(
        app.count("participants WHERE email_problem IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn the_audit_log_records_sensitive_actions_for_admins_only() {
    let r = review_with(5).await;
    let app = &r.app;
    app.member(r.org, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let colleague = app
        .member(r.org, "colleague@trust.nhs.uk", &[Role::Champion])
        .await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;
    let member = format!("/organisations/{}/members/{}", r.org, colleague.id);
    let changed = app
        .submit(&admin, &member, &member, &[("roles", "board_viewer")])
        .await;
    assert_eq!(changed.status(), 303);
    let token = app.api_token("admin@trust.nhs.uk").await;
    let removed = reqwest::Client::new()
        .delete(app.url(&format!(
            "/api/v1/organisations/{}/members/{}",
            r.org, colleague.id
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    r.post("open").await;
    for (i, link) in r.links().await.iter().enumerate() {
        send(app, link, &answers("nursing", i)).await;
    }
    r.post("close").await;
    r.post("release").await;

    let audit = format!("/organisations/{}/audit", r.org);
    let page = admin.get(app.url(&audit)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let text = text_of(&page.text().await.unwrap());
    for expected in [
        "Changed roles",
        "colleague@trust.nhs.uk",
        "Board viewer",
        "Removed a member",
        "Released results",
        "The review “Theatres”",
    ] {
        assert!(text.contains(expected), "{expected} missing from: {text}");
    }
    assert!(
        !text.contains("Joint budget meetings help"),
        "the log never shows answers"
    );
    assert_eq!(
        app.status_of(&r.lead, &audit).await,
        403,
        "champions cannot read the log"
    );
    let api = format!("/api/v1/organisations/{}/audit?limit=200", r.org);
    let events: serde_json::Value = reqwest::Client::new()
        .get(app.url(&api))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["results_released", "member_removed", "roles_changed"],
        "newest first, through the API too"
    );
    assert_eq!(events[1]["subject"], "colleague@trust.nhs.uk");
    assert_eq!(events[2]["detail"], "Board viewer");
}

#[tokio::test]
async fn the_privacy_notice_is_public_and_linked_from_every_page() {
    let app = TestApp::spawn().await;
    let home = app.client().get(app.url("/")).send().await.unwrap();
    assert!(home.text().await.unwrap().contains("href=\"/privacy\""));
    let notice = app.client().get(app.url("/privacy")).send().await.unwrap();
    assert_eq!(notice.status(), 200);
    let text = text_of(&notice.text().await.unwrap());
    assert!(text.contains("Your answers are anonymous"));
    assert!(text.contains("24 months"));
}
