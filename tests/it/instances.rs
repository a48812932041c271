//! Several instances over one database share sessions, CSRF keys and data.

use commonground_domain::Role;

use crate::support::{TestApp, csrf_token};

#[tokio::test]
async fn sign_in_through_one_instance_and_act_through_another() {
    let first = TestApp::spawn().await;
    let second = first.spawn_instance().await;
    let org = first.organisation("Northshire Hospitals", "RX1").await;
    first
        .member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;

    // Cookies are scoped by host, not port, so this one jar is what a browser behind a load
    // balancer would hold for both instances.
    let client = first.signed_in("admin@trust.nhs.uk").await;
    let path = format!("/organisations/{}/divisions", org.id);
    let html = client
        .get(first.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&html);

    let account = client.get(second.url("/account")).send().await.unwrap();
    assert_eq!(
        account.status(),
        200,
        "the session made by the first is known to the second"
    );
    let response = client
        .post(second.url(&path))
        .form(&[("csrf_token", token.as_str()), ("name", "Surgery")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "a form from the first instance posts to the second"
    );
    assert_eq!(
        first.store.list_divisions(org.id).await.unwrap()[0].name,
        "Surgery"
    );

    // Signing out through the second ends the session for the first too.
    let html = client
        .get(second.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    client
        .post(second.url("/sign-out"))
        .form(&[("csrf_token", csrf_token(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(
        client
            .get(first.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}
