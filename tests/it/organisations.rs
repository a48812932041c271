//! Organisations, settings, divisions and members' roles, through the pages.

use commonground_domain::Role;

use crate::support::{TestApp, text_of};

fn org_fields<'a>(name: &'a str, ods: &'a str, min: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("ods_code", ods),
        ("org_type", "trust"),
        ("region", "North West"),
        ("min_reporting_group", min),
    ]
}

#[tokio::test]
async fn a_network_admin_adds_organisations_with_unique_ods_codes() {
    let app = TestApp::spawn().await;
    app.network_admin("network@nhs.net").await;
    let client = app.signed_in("network@nhs.net").await;
    let created = app
        .submit(
            &client,
            "/organisations/new",
            "/organisations",
            &org_fields("Northshire Hospitals", "rx1", "5"),
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text_of(&page).contains("Northshire Hospitals"));
    assert!(text_of(&page).contains("RX1"));

    let duplicate = app
        .submit(
            &client,
            "/organisations/new",
            "/organisations",
            &org_fields("Another Trust", "RX1", "5"),
        )
        .await;
    assert_eq!(duplicate.status(), 422);
    assert!(
        text_of(&duplicate.text().await.unwrap())
            .contains("An organisation with this ODS code already exists")
    );
    let empty = app
        .submit(&client, "/organisations/new", "/organisations", &[])
        .await;
    assert_eq!(empty.status(), 422);
    let text = text_of(&empty.text().await.unwrap());
    for message in [
        "Enter the organisation's name",
        "Enter the ODS code",
        "Select the type of organisation",
    ] {
        assert!(text.contains(message), "{message}");
    }
    assert_eq!(app.count("organisations").await, 1);
}

#[tokio::test]
async fn only_network_admins_add_organisations() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let client = app.signed_in("admin@trust.nhs.uk").await;
    assert_eq!(app.status_of(&client, "/organisations/new").await, 403);
    let response = app
        .submit(
            &client,
            "/organisations",
            "/organisations",
            &org_fields("Sneaky Trust", "ZZZ1", "5"),
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.count("organisations").await, 1);
}

#[tokio::test]
async fn settings_keep_the_minimum_reporting_group_at_three_or_more() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let client = app.signed_in("admin@trust.nhs.uk").await;
    let settings = format!("/organisations/{}/settings", org.id);
    let refused = app
        .submit(
            &client,
            &settings,
            &settings,
            &org_fields("Northshire Hospitals", "RX1", "2"),
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        text_of(&refused.text().await.unwrap())
            .contains("Minimum reporting group must be 3 or more")
    );
    assert_eq!(
        app.store
            .get_organisation(org.id)
            .await
            .unwrap()
            .unwrap()
            .min_reporting_group,
        5
    );
    let saved = app
        .submit(
            &client,
            &settings,
            &settings,
            &org_fields("Northshire Hospitals NHS FT", "RX1", "4"),
        )
        .await;
    assert_eq!(saved.status(), 303);
    let org = app.store.get_organisation(org.id).await.unwrap().unwrap();
    assert_eq!(
        (org.min_reporting_group, org.name.as_str()),
        (4, "Northshire Hospitals NHS FT")
    );
}

#[tokio::test]
async fn divisions_are_unique_per_organisation() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let client = app.signed_in("admin@trust.nhs.uk").await;
    let page = format!("/organisations/{}/divisions", org.id);
    assert_eq!(
        app.submit(&client, &page, &page, &[("name", "Surgery")])
            .await
            .status(),
        303
    );
    let duplicate = app
        .submit(&client, &page, &page, &[("name", " Surgery ")])
        .await;
    assert_eq!(duplicate.status(), 422);
    assert!(
        text_of(&duplicate.text().await.unwrap())
            .contains("There is already a division with this name")
    );
    let division = app.store.list_divisions(org.id).await.unwrap().remove(0);
    let deleted = app
        .submit(
            &client,
            &page,
            &format!("{page}/{}/delete", division.id),
            &[],
        )
        .await;
    assert_eq!(deleted.status(), 303);
    assert!(app.store.list_divisions(org.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn roles_change_but_the_last_admin_stays() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    let admin = app
        .member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let lead = app
        .member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let client = app.signed_in("admin@trust.nhs.uk").await;
    let lead_page = format!("/organisations/{}/members/{}", org.id, lead.id);
    let saved = app
        .submit(
            &client,
            &lead_page,
            &lead_page,
            &[("roles", "champion"), ("roles", "org_admin")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        app.store.roles_in(org.id, lead.id).await.unwrap(),
        vec![Role::OrgAdmin, Role::Champion]
    );
    let none = app.submit(&client, &lead_page, &lead_page, &[]).await;
    assert_eq!(none.status(), 422);

    // Two admins: one may step down; then the last one may not.
    let my_page = format!("/organisations/{}/members/{}", org.id, admin.id);
    assert_eq!(
        app.submit(&client, &my_page, &my_page, &[("roles", "champion")])
            .await
            .status(),
        303
    );
    let lead_client = app.signed_in("lead@trust.nhs.uk").await;
    let demote = app
        .submit(
            &lead_client,
            &lead_page,
            &lead_page,
            &[("roles", "champion")],
        )
        .await;
    assert_eq!(demote.status(), 422);
    assert!(text_of(&demote.text().await.unwrap()).contains("at least one organisation admin"));
    let remove = app
        .submit(
            &lead_client,
            &lead_page,
            &format!("{lead_page}/remove"),
            &[],
        )
        .await;
    assert_eq!(remove.status(), 422);
    assert_eq!(
        app.store.roles_in(org.id, lead.id).await.unwrap(),
        vec![Role::OrgAdmin, Role::Champion]
    );
    let remove_other = app
        .submit(&lead_client, &my_page, &format!("{my_page}/remove"), &[])
        .await;
    assert_eq!(remove_other.status(), 303);
    assert!(
        app.store
            .roles_in(org.id, admin.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn members_without_the_admin_role_see_only_the_overview() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let client = app.signed_in("lead@trust.nhs.uk").await;
    assert_eq!(
        app.status_of(&client, &format!("/organisations/{}", org.id))
            .await,
        200
    );
    for page in [
        "members",
        "settings",
        "divisions",
        "outbox",
        "invitations/new",
    ] {
        let status = app
            .status_of(&client, &format!("/organisations/{}/{page}", org.id))
            .await;
        assert_eq!(status, 403, "{page}");
    }
}
