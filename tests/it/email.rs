//! Email over SMTP to a real server started by the test: invitations, reminders and thanks,
//! a refused recipient, a mail server that is down, editable wording, and the job queue shared
//! by two instances.

use std::collections::BTreeMap;

use commonground_domain::email_template::EmailKind;
use commonground_store::jobs::JobScope;
use serde_json::{Value, json};

use crate::questionnaire::{Review, answers, review_on, send};
use crate::support::smtp::unused_port;
use crate::support::{SmtpSink, TestApp, text_of};

/// Outbox rows by delivery status.
async fn statuses(app: &TestApp) -> BTreeMap<String, i64> {
    let messages = app
        .store
        .list_outbox(
            commonground_store::outbox::OutboxScope::Everything,
            10_000,
            0,
        )
        .await
        .unwrap();
    let mut counts = BTreeMap::new();
    for m in messages {
        *counts.entry(m.status).or_insert(0) += 1;
    }
    counts
}

/// The personal link in an email's plain text, as a path.
fn link_in(text: &str) -> String {
    let start = text.find("/q/").expect("the email carries a link");
    text[start..].split_whitespace().next().unwrap().to_owned()
}

async fn questionnaire_page(r: &Review) -> String {
    let page = r
        .lead
        .get(r.app.url(&format!("{}/questionnaire", r.path)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    text_of(&page.text().await.unwrap())
}

#[tokio::test]
async fn invitations_reminders_and_thanks_arrive_by_smtp_and_a_refused_address_is_marked() {
    let sink = SmtpSink::start().await;
    sink.refuse("person1@trust.nhs.uk");
    let r = review_on(TestApp::spawn_with_smtp(Some(sink.port)).await, 4).await;
    assert_eq!(r.post("open").await.status(), 303);

    let invitations = sink.messages();
    assert_eq!(invitations.len(), 3, "everyone but the refused address");
    for message in &invitations {
        assert_eq!(
            message.subject,
            "Theatres: how well do clinical and finance colleagues work together?"
        );
        let link = link_in(&message.text);
        assert!(message.text.contains(&r.app.url(&link)), "absolute link");
        assert!(message.text.starts_with("Dear Person "), "{}", message.text);
        assert!(
            message
                .html
                .contains(&format!("<a href=\"{}\">", r.app.url(&link))),
            "the HTML part links too"
        );
        assert!(message.html.contains("#005eb8"), "in the NHS look");
        assert!(message.message_id.contains("@example.nhs.uk"));
    }
    assert!(
        !invitations
            .iter()
            .any(|m| m.to.contains(&"person1@trust.nhs.uk".to_owned()))
    );
    assert_eq!(
        statuses(&r.app).await,
        BTreeMap::from([("rejected".into(), 1), ("sent".into(), 3)])
    );

    // The champion sees the refusal against the person, with the server's reason.
    let page = questionnaire_page(&r).await;
    assert!(
        page.contains("Person 1 (person1@trust.nhs.uk): the email could not be delivered"),
        "{page}"
    );
    assert!(page.contains("No such user here"), "{page}");
    assert!(page.contains("Invitations"), "{page}");
    assert!(page.contains("3 of 4 sent, 1 not delivered"), "{page}");
    let token = r.app.api_token("lead@trust.nhs.uk").await;
    let api = format!("/api/v1/organisations/{}/reviews/{}", r.org, r.id);
    let people: Value = reqwest::Client::new()
        .get(r.app.url(&format!("{api}/participants")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refused = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "person1@trust.nhs.uk")
        .unwrap();
    assert!(
        refused["email_problem"].as_str().unwrap().contains("550"),
        "{refused}"
    );

    // One person answers from their emailed link; a reminder goes to the other two only, with
    // the same link they were invited with.
    let by_person: BTreeMap<String, String> = invitations
        .iter()
        .map(|m| (m.to[0].clone(), link_in(&m.text)))
        .collect();
    let answered = by_person["person0@trust.nhs.uk"].clone();
    assert_eq!(
        send(&r.app, &answered, &answers("finance", 1))
            .await
            .status(),
        200
    );
    assert_eq!(r.post("remind").await.status(), 303);
    let reminders: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject == "Reminder: Theatres questionnaire")
        .collect();
    let reminded: BTreeMap<String, String> = reminders
        .iter()
        .map(|m| (m.to[0].clone(), link_in(&m.text)))
        .collect();
    assert_eq!(
        reminded.keys().collect::<Vec<_>>(),
        ["person2@trust.nhs.uk", "person3@trust.nhs.uk"]
    );
    for (person, link) in &reminded {
        assert_eq!(link, &by_person[person], "the reminder repeats their link");
    }

    // Closing thanks the one who answered, with no link.
    assert_eq!(r.post("close").await.status(), 303);
    let thanks: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.subject == "Thank you for taking part in Theatres")
        .collect();
    assert_eq!(thanks.len(), 1);
    assert_eq!(thanks[0].to, ["person0@trust.nhs.uk"]);
    assert!(!thanks[0].text.contains("/q/"));
    assert_eq!(sink.messages().len(), 6, "nothing else, nothing twice");
}

#[tokio::test]
async fn a_mail_server_that_is_down_loses_nothing_and_the_page_says_so() {
    let port = unused_port().await;
    let r = review_on(TestApp::spawn_with_smtp(Some(port)).await, 3).await;
    assert_eq!(r.post("open").await.status(), 303);
    assert_eq!(
        statuses(&r.app).await,
        BTreeMap::from([("queued".into(), 3)])
    );
    let page = questionnaire_page(&r).await;
    assert!(page.contains("3 emails are waiting to be sent"), "{page}");
    assert!(page.contains("Nothing is lost"), "{page}");
    assert!(page.contains("Try again now"), "{page}");
    let waiting = r
        .app
        .store
        .list_jobs(JobScope::Organisation(r.org), 50, 0)
        .await
        .unwrap();
    let deliveries: Vec<_> = waiting
        .iter()
        .filter(|j| j.kind == "deliver_email")
        .collect();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|j| j.attempts == 1
        && j.last_error.as_deref().is_some_and(|e| !e.is_empty())
        && j.run_at > commonground_store::now()));

    // The server comes back; the champion tries again now and everything goes, once.
    let sink = SmtpSink::start_on(port).await;
    assert_eq!(r.post("retry-emails").await.status(), 303);
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(statuses(&r.app).await, BTreeMap::from([("sent".into(), 3)]));
    let page = questionnaire_page(&r).await;
    assert!(!page.contains("waiting to be sent"), "{page}");
    assert!(page.contains("3 of 3 sent"), "{page}");
}

#[tokio::test]
async fn champions_change_the_wording_and_an_unknown_placeholder_is_refused() {
    let r = review_on(TestApp::spawn().await, 2).await;
    let page = format!("{}/emails/invitation", r.path);
    let shown = r.lead.get(r.app.url(&page)).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    let text = text_of(&shown.text().await.unwrap());
    assert!(text.contains("This review uses our wording"), "{text}");
    assert!(
        text.contains("Dear Person 0"),
        "previewed for a real participant: {text}"
    );
    assert!(
        text.contains("personal-link-shown-only-to-the-recipient"),
        "a preview never shows a working link"
    );

    let unknown = r
        .app
        .submit(
            &r.lead,
            &page,
            &page,
            &[
                ("subject", "About {review}"),
                ("body", "Dear {first_name},\n\n{link}"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let text = text_of(&unknown.text().await.unwrap());
    assert!(
        text.contains("{first_name} in the body is not a placeholder. Use {name}, {review}, {link}, {close_date}, {champions}"),
        "{text}"
    );
    assert!(
        r.app
            .store
            .email_template(r.org, r.id, EmailKind::Invitation)
            .await
            .unwrap()
            .is_none(),
        "nothing saved"
    );

    let preview = r
        .app
        .submit(
            &r.lead,
            &page,
            &page,
            &[
                ("subject", "Your say on {review}"),
                (
                    "body",
                    "Hello {name},\n\nPlease answer: {link}\n\n{champions}",
                ),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status(), 200);
    let text = text_of(&preview.text().await.unwrap());
    assert!(text.contains("Your say on Theatres"), "{text}");
    assert!(text.contains("Hello Person 0"), "{text}");
    assert!(
        r.app
            .store
            .email_template(r.org, r.id, EmailKind::Invitation)
            .await
            .unwrap()
            .is_none(),
        "a preview saves nothing"
    );

    let saved = r
        .app
        .submit(
            &r.lead,
            &page,
            &page,
            &[
                ("subject", "Your say on {review}"),
                (
                    "body",
                    "Hello {name},\n\nPlease answer: {link}\n\n{champions}",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    r.post("open").await;
    let sent = r
        .app
        .store
        .list_outbox(
            commonground_store::outbox::OutboxScope::Organisation(r.org),
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|m| m.subject == "Your say on Theatres"
        && m.text.starts_with("Hello Person ")
        && m.text.contains("/q/")));

    // The same through the API: the wording in use, a refused edit, and a preview.
    let token = r.app.api_token("lead@trust.nhs.uk").await;
    let api = format!(
        "/api/v1/organisations/{}/reviews/{}/emails/reminder",
        r.org, r.id
    );
    let client = reqwest::Client::new();
    let current: Value = client
        .get(r.app.url(&api))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["custom"], false);
    assert_eq!(current["subject"], "Reminder: {review} questionnaire");
    let refused = client
        .put(r.app.url(&api))
        .bearer_auth(&token)
        .json(&json!({"subject": "Reminder", "body": "Hi {nam}, {link}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem
            .to_string()
            .contains("{nam} in the body is not a placeholder"),
        "{problem}"
    );
    let no_link = client
        .put(r.app.url(&api))
        .bearer_auth(&token)
        .json(&json!({"subject": "Reminder", "body": "Hi {name}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_link.status(), 422);
    let preview: Value = client
        .post(r.app.url(&format!("{api}/preview")))
        .bearer_auth(&token)
        .json(&json!({"template": {"subject": "Still time, {name}", "body": "Answer at {link} by {close_date}"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(preview["subject"], "Still time, Person 0");
    assert!(
        preview["text"]
            .as_str()
            .unwrap()
            .contains("a date to be confirmed")
    );
    let updated = client
        .put(r.app.url(&api))
        .bearer_auth(&token)
        .json(&json!({"subject": "Still time", "body": "Answer at {link}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    assert_eq!(updated.json::<Value>().await.unwrap()["custom"], true);
    let unknown_kind = client
        .get(r.app.url(&api.replace("reminder", "postcard")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_kind.status(), 404);
}

#[tokio::test]
async fn scheduled_reminders_go_once_to_those_who_have_not_answered() {
    let r = review_on(TestApp::spawn().await, 3).await;
    r.post("open").await;
    let links = r.links().await;
    assert_eq!(
        send(&r.app, &links[0], &answers("finance", 1))
            .await
            .status(),
        200
    );
    let jobs = &r.app.state.jobs;
    assert_eq!(
        jobs.schedule_reminders().await.unwrap(),
        0,
        "nothing due yet"
    );

    // Three days and a minute later (the clock is moved by moving the review's dates back).
    let earlier = commonground_store::now() - 3 * 86_400 - 60;
    r.app
        .sql(&format!("UPDATE reviews SET opened_at = {earlier}"))
        .await;
    r.app
        .sql(&format!("UPDATE participants SET invited_at = {earlier}"))
        .await;
    assert_eq!(jobs.schedule_reminders().await.unwrap(), 1);
    assert_eq!(jobs.schedule_reminders().await.unwrap(), 0, "once");
    let other = r.app.spawn_instance().await;
    assert_eq!(
        other.state.jobs.schedule_reminders().await.unwrap(),
        0,
        "once across instances"
    );
    r.app.run_jobs().await;
    let reminders = r
        .app
        .store
        .list_outbox(
            commonground_store::outbox::OutboxScope::Organisation(r.org),
            50,
            0,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with("Reminder"))
        .count();
    assert_eq!(reminders, 2, "the two who have not answered");

    let page = questionnaire_page(&r).await;
    assert!(
        page.contains(
            "Reminders go 3 and 7 days after the questionnaire opens, and 1 day before it closes."
        ),
        "{page}"
    );
    assert!(page.contains("Reminders (started"), "{page}");

    // A schedule with a planned close: bad input is refused and changes nothing.
    let questionnaire = format!("{}/questionnaire", r.path);
    let bad = r
        .app
        .submit(
            &r.lead,
            &questionnaire,
            &format!("{questionnaire}/reminders"),
            &[
                ("days_after", "3, soon"),
                ("days_before", "1"),
                ("closes_on", "31/02/2027"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let text = text_of(&bad.text().await.unwrap());
    assert!(
        text.contains("Days after opening must be whole numbers"),
        "{text}"
    );
    assert!(text.contains("Enter a real date"), "{text}");
    let good = r
        .app
        .submit(
            &r.lead,
            &questionnaire,
            &format!("{questionnaire}/reminders"),
            &[
                ("days_after", "5"),
                ("days_before", ""),
                ("closes_on", "2099-12-18"),
            ],
        )
        .await;
    assert_eq!(good.status(), 303);
    let page = questionnaire_page(&r).await;
    assert!(
        page.contains("Reminders go 5 days after the questionnaire opens.")
            && page.contains("The planned closing date is 18 December 2099"),
        "{page}"
    );

    // Once closed, no reminder is scheduled however late it is.
    r.post("close").await;
    r.app
        .sql(&format!(
            "UPDATE reviews SET opened_at = {}",
            commonground_store::now() - 5 * 86_400 - 60
        ))
        .await;
    assert_eq!(jobs.schedule_reminders().await.unwrap(), 0);
}

/// Keeps claiming jobs until none is left to run anywhere, as an instance's workers would;
/// returns how many this instance ran.
async fn drain(app: &TestApp) -> usize {
    let mut ran = 0;
    loop {
        ran += app.run_jobs().await;
        if app.count("jobs WHERE state IN ('queued', 'running')").await == 0 {
            return ran;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn two_instances_deliver_500_queued_emails_exactly_once() {
    let sink = SmtpSink::start().await;
    let r = review_on(TestApp::spawn_with_smtp(Some(sink.port)).await, 500).await;
    let second = r.app.spawn_instance_with_smtp(sink.port).await;
    r.app
        .store
        .open_questionnaire(r.org, r.id, None)
        .await
        .unwrap();
    let (first_ran, second_ran) = tokio::join!(drain(&r.app), drain(&second));
    assert_eq!(
        first_ran + second_ran,
        501,
        "500 deliveries and the invitation job"
    );
    assert!(
        first_ran > 1 && second_ran > 1,
        "both instances took a share: {first_ran} and {second_ran}"
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 500);
    let mut recipients: Vec<&str> = messages.iter().map(|m| m.to[0].as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), 500, "each person once");
    assert_eq!(
        statuses(&r.app).await,
        BTreeMap::from([("sent".into(), 500)])
    );
}

/// Starts the real binary's `serve` over `app`'s database, delivering to `smtp_port`.
fn serve(app: &TestApp, smtp_port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_commonground"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("COMMONGROUND_DATABASE_URL", &app.database_url)
        .env("COMMONGROUND_SESSION_SECRET", &app.secret)
        .env("COMMONGROUND_PUBLIC_BASE_URL", &app.base)
        .env("COMMONGROUND_SMTP_HOST", "127.0.0.1")
        .env("COMMONGROUND_SMTP_PORT", smtp_port.to_string())
        .env("COMMONGROUND_SMTP_SECURITY", "none")
        .env(
            "COMMONGROUND_EMAIL_FROM",
            "commonground <noreply@example.nhs.uk>",
        )
        .env("COMMONGROUND_JOB_LEASE_SECONDS", "5")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts")
}

#[tokio::test]
async fn a_bulk_send_killed_half_way_finishes_after_a_restart_and_sends_nothing_twice() {
    let sink = SmtpSink::start().await;
    let r = review_on(TestApp::spawn().await, 300).await;
    r.app
        .store
        .open_questionnaire(r.org, r.id, None)
        .await
        .unwrap();

    // The server stops answering after 100 messages, so the process is caught mid-conversation
    // (messages it has started but the server has not accepted) when it is killed.
    sink.pause_after(100);
    let mut first = serve(&r.app, sink.port);
    assert!(sink.wait_for(100, 60).await.len() >= 100, "sending started");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    let accepted = sink.messages().len();
    assert!(accepted < 300, "killed half way: {accepted}");
    assert_eq!(
        statuses(&r.app).await.get("sent").copied(),
        Some(accepted as i64),
        "every message the server accepted, and only those, is recorded as sent"
    );

    sink.resume();
    let mut second = serve(&r.app, sink.port);
    let arrived = sink.wait_for(300, 120).await.len();
    // A moment more, in which a second copy of anything would arrive.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(arrived, 300);
    let messages = sink.messages();
    assert_eq!(messages.len(), 300, "nothing sent twice");
    let mut recipients: Vec<&str> = messages.iter().map(|m| m.to[0].as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), 300, "everyone once");
    assert_eq!(
        statuses(&r.app).await,
        BTreeMap::from([("sent".into(), 300)])
    );
}
