//! Inviting people to an organisation and accepting by personal link.

use commonground_domain::Role;
use commonground_store::outbox::OutboxScope;

use crate::support::app::PASSWORD;
use crate::support::{TestApp, text_of};

async fn invite(
    app: &TestApp,
    admin: &reqwest::Client,
    org: i64,
    email: &str,
    roles: &[&str],
) -> reqwest::Response {
    let page = format!("/organisations/{org}/invitations/new");
    let mut fields = vec![("email", email)];
    fields.extend(roles.iter().map(|r| ("roles", *r)));
    app.submit(
        admin,
        &page,
        &format!("/organisations/{org}/invitations"),
        &fields,
    )
    .await
}

async fn invitation_path(app: &TestApp) -> String {
    let messages = app
        .store
        .list_outbox(OutboxScope::Everything, 1, 0)
        .await
        .unwrap();
    let text = &messages[0].text;
    let prefix = format!("{}/invitations/", app.base);
    let start = text.find(&prefix).expect("link in the invitation");
    text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches(&app.base)
        .to_owned()
}

#[tokio::test]
async fn a_new_person_accepts_an_invitation_once() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;

    let sent = invite(
        &app,
        &admin,
        org.id.0,
        "New.Lead@Trust.nhs.uk",
        &["champion", "board_viewer"],
    )
    .await;
    assert_eq!(sent.status(), 200);
    assert!(
        text_of(&sent.text().await.unwrap()).contains("Invitation sent to new.lead@trust.nhs.uk")
    );
    let messages = app
        .store
        .list_outbox(OutboxScope::Organisation(org.id), 10, 0)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].subject,
        "Join Northshire Hospitals on commonground"
    );
    assert!(messages[0].text.contains("champion and board viewer"));
    let path = invitation_path(&app).await;

    let invitee = app.client();
    let page = invitee.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(text_of(&page.text().await.unwrap()).contains("Create your account"));
    let short = app
        .submit(
            &invitee,
            &path,
            &path,
            &[
                ("name", "Nia Lead"),
                ("password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert_eq!(app.count("users").await, 1);

    let accepted = app
        .submit(
            &invitee,
            &path,
            &path,
            &[
                ("name", "Nia Lead"),
                ("password", "a long enough passphrase"),
                ("confirm_password", "a long enough passphrase"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(
        accepted.headers()["location"],
        format!("/organisations/{}", org.id).as_str()
    );
    let overview = invitee
        .get(app.url(&format!("/organisations/{}", org.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(overview.status(), 200);
    let members = app.store.list_members(org.id).await.unwrap();
    let nia = members
        .iter()
        .find(|m| m.user.email == "new.lead@trust.nhs.uk")
        .unwrap();
    assert_eq!(nia.roles, vec![Role::Champion, Role::BoardViewer]);

    // Reusing the link admits nobody and creates nothing.
    let again = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(text_of(&again.text().await.unwrap()).contains("already been used"));
    let reuse = app
        .submit(
            &app.client(),
            "/sign-in",
            &path,
            &[
                ("name", "Someone Else"),
                ("password", "a long enough passphrase"),
                ("confirm_password", "a long enough passphrase"),
            ],
        )
        .await;
    assert_eq!(reuse.status(), 410);
    assert_eq!(app.count("users").await, 2);
}

#[tokio::test]
async fn an_expired_invitation_says_so() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;
    invite(&app, &admin, org.id.0, "late@trust.nhs.uk", &["champion"]).await;
    let path = invitation_path(&app).await;
    app.sql("UPDATE invitations SET expires_at = 1").await;
    let response = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 410);
    assert!(text_of(&response.text().await.unwrap()).contains("expired"));
    let unknown = app
        .client()
        .get(app.url("/invitations/not-a-real-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 410);
}

#[tokio::test]
async fn someone_with_an_account_accepts_with_their_password() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    let other = app.organisation("Southshire Health Board", "7A1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    app.member(other.id, "shared@nhs.net", &[Role::Champion])
        .await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;
    invite(&app, &admin, org.id.0, "shared@nhs.net", &["board_viewer"]).await;
    let path = invitation_path(&app).await;
    let client = app.client();
    let page = client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text_of(&page).contains("You already have an account"));
    let wrong = app
        .submit(&client, &path, &path, &[("password", "wrong password!")])
        .await;
    assert_eq!(wrong.status(), 422);
    let ok = app
        .submit(&client, &path, &path, &[("password", PASSWORD)])
        .await;
    assert_eq!(ok.status(), 303);
    let user = app
        .store
        .find_user_by_email(&commonground_domain::EmailAddress::parse("shared@nhs.net").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.store.roles_in(org.id, user.id).await.unwrap(),
        vec![Role::BoardViewer]
    );
    assert_eq!(
        app.store.roles_in(other.id, user.id).await.unwrap(),
        vec![Role::Champion]
    );
}

#[tokio::test]
async fn inviting_needs_a_valid_email_and_a_role_and_not_an_existing_member() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let admin = app.signed_in("admin@trust.nhs.uk").await;
    let bad = invite(&app, &admin, org.id.0, "not an email", &[]).await;
    assert_eq!(bad.status(), 422);
    let text = text_of(&bad.text().await.unwrap());
    assert!(text.contains("Enter an email address in the correct format"));
    assert!(text.contains("Select at least one role"));
    let forged_role = invite(&app, &admin, org.id.0, "x@trust.nhs.uk", &["network_admin"]).await;
    assert_eq!(forged_role.status(), 422);
    let member = invite(&app, &admin, org.id.0, "admin@trust.nhs.uk", &["champion"]).await;
    assert_eq!(member.status(), 422);
    assert!(text_of(&member.text().await.unwrap()).contains("already a member"));
    assert_eq!(app.count("invitations").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}
