//! The demo organisation, and the health check.

use commonground_web::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, seed};

use crate::support::TestApp;

#[tokio::test]
async fn the_demo_is_created_once_and_its_people_can_sign_in() {
    let app = TestApp::spawn().await;
    let org = seed(&app.state).await.unwrap();
    let again = seed(&app.state).await.unwrap();
    assert_eq!(org.id, again.id, "seeding twice finds the same trust");
    assert_eq!(app.count("organisations").await, 1);
    assert_eq!(app.count("users").await, DEMO_ACCOUNTS.len() as i64);
    assert_eq!(app.store.list_divisions(org.id).await.unwrap().len(), 5);
    for account in &DEMO_ACCOUNTS {
        let response = app
            .sign_in(&app.client(), account.email, DEMO_PASSWORD)
            .await;
        assert_eq!(response.status(), 303, "{}", account.email);
    }
    let members = app.store.list_members(org.id).await.unwrap();
    assert_eq!(
        members.len(),
        4,
        "the network admin is not a member of the trust"
    );
    // The finished review held session 1 (dates from its poll, notes captured) and has
    // session 2 ahead; the other review's poll is still open.
    assert_eq!(app.count("date_polls").await, 2);
    assert_eq!(app.count("date_polls WHERE closed_at IS NULL").await, 1);
    assert_eq!(
        app.count("review_sessions WHERE starts_at IS NOT NULL")
            .await,
        2
    );
    assert_eq!(app.count("capture_items").await, 8);
    assert_eq!(app.count("review_sessions WHERE plan IS NOT NULL").await, 4);
}

#[tokio::test]
async fn health_is_503_when_the_database_does_not_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200
    );
    app.store.close().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test]
async fn every_session_page_of_the_demo_shows() {
    let app = TestApp::spawn().await;
    let org = seed(&app.state).await.unwrap();
    let lead = app.client();
    let signed = app
        .sign_in(&lead, "clinical.lead@demo.nhs.uk", DEMO_PASSWORD)
        .await;
    assert_eq!(signed.status(), 303);
    for review in app.store.list_reviews(org.id).await.unwrap() {
        let base = format!("/organisations/{}/reviews/{}/sessions", org.id, review.id);
        for page in [
            "",
            "/poll",
            "/1/plan",
            "/1/plan/edit",
            "/1/record",
            "/2/plan",
            "/2/record",
        ] {
            let response = lead
                .get(app.url(&format!("{base}{page}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{base}{page}");
        }
    }
    let cards = lead
        .get(app.url(&format!("/organisations/{}/cards", org.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(cards.status(), 200);
}
