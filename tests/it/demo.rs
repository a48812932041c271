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
    assert_eq!(app.count("review_sessions WHERE starts_at IS NOT NULL").await, 2);
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
