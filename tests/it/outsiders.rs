//! Every route, visited by people who must not get in, generated from the router's own table,
//! so a route added later is covered without anyone remembering to add it here.

use commonground_domain::Role;
use commonground_web::router::{Access, RouteInfo, route_table};

use crate::support::{TestApp, csrf_token};

/// Fills `{param}` placeholders with ids that exist in the target organisation.
fn concrete(route: &RouteInfo, ids: &Ids) -> String {
    route
        .path
        .replace("{org_id}", &ids.org.to_string())
        .replace("{user_id}", &ids.user.to_string())
        .replace("{division_id}", &ids.division.to_string())
        .replace("{invitation_id}", &ids.invitation.to_string())
        .replace("{message_id}", &ids.message.to_string())
        .replace("{token_id}", &ids.token.to_string())
        .replace("{review_id}", &ids.review.to_string())
        .replace("{participant_id}", &ids.participant.to_string())
        .replace("{job_id}", &ids.job.to_string())
        .replace("{kind}", "invitation")
        .replace("{version_id}", "1")
        .replace("{token}", "not-a-real-secret")
        .replace("{file}", "app.css")
}

struct Ids {
    org: i64,
    user: i64,
    division: i64,
    invitation: i64,
    message: i64,
    token: i64,
    review: i64,
    participant: i64,
    job: i64,
}

/// Things of the target organisation that must never show up for an outsider.
const SECRETS: [&str; 5] = [
    "Target Hospitals",
    "TGT01",
    "target-admin@trust.nhs.uk",
    "Secret theatres review",
    "target-participant@trust.nhs.uk",
];

async fn request(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    token: Option<&str>,
    route: &RouteInfo,
    path: &str,
) -> (u16, String) {
    let url = app.url(path);
    let mut builder = match route.method {
        "GET" => client.get(&url),
        "POST" => client.post(&url),
        "PUT" => client.put(&url),
        "DELETE" => client.delete(&url),
        other => panic!("unexpected method {other}"),
    };
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    builder = if route.api {
        builder.json(&serde_json::json!({}))
    } else if route.method == "POST" {
        builder.form(&[("csrf_token", csrf)])
    } else {
        builder
    };
    let response = builder.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn outsiders_get_nothing_from_any_route() {
    let app = TestApp::spawn().await;
    let target = app.organisation("Target Hospitals", "TGT01").await;
    let target_admin = app
        .member(target.id, "target-admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let admin_client = app.signed_in("target-admin@trust.nhs.uk").await;
    let division_page = format!("/organisations/{}/divisions", target.id);
    app.submit(
        &admin_client,
        &division_page,
        &division_page,
        &[("name", "Surgery")],
    )
    .await;
    let invite_page = format!("/organisations/{}/invitations/new", target.id);
    app.submit(
        &admin_client,
        &invite_page,
        &format!("/organisations/{}/invitations", target.id),
        &[("email", "invitee@trust.nhs.uk"), ("roles", "champion")],
    )
    .await;
    let target_token = app.api_token("target-admin@trust.nhs.uk").await;
    let reviews = format!("/organisations/{}/reviews", target.id);
    let created = app
        .submit(
            &admin_client,
            &format!("{reviews}/new"),
            &reviews,
            &[
                ("title", "Secret theatres review"),
                ("scope", "Theatres"),
                ("focus_areas", "workforce"),
            ],
        )
        .await;
    let review_path = created.headers()["location"].to_str().unwrap().to_owned();
    let participants = format!("{review_path}/participants");
    app.submit(
        &admin_client,
        &participants,
        &participants,
        &[
            ("name", "Pat Target"),
            ("email", "target-participant@trust.nhs.uk"),
            ("profession", "nursing"),
            ("role_level", "middle"),
        ],
    )
    .await;
    let review_id = app.store.list_reviews(target.id).await.unwrap()[0].id;
    let job = app
        .store
        .enqueue_job(
            &commonground_store::jobs::NewJob::now("send_reminders", "0".into())
                .about(target.id, Some(review_id)),
        )
        .await
        .unwrap()
        .unwrap();
    let ids = Ids {
        job: job.0,
        org: target.id.0,
        user: target_admin.id.0,
        division: app.store.list_divisions(target.id).await.unwrap()[0].id.0,
        invitation: app.store.list_pending_invitations(target.id).await.unwrap()[0]
            .id
            .0,
        message: app
            .store
            .list_outbox(
                commonground_store::outbox::OutboxScope::Organisation(target.id),
                1,
                0,
            )
            .await
            .unwrap()[0]
            .id
            .0,
        token: app.store.list_api_tokens(target_admin.id).await.unwrap()[0]
            .id
            .0,
        review: review_id.0,
        participant: app
            .store
            .list_participants(target.id, review_id)
            .await
            .unwrap()[0]
            .id
            .0,
    };

    // The outsider: an organisation admin somewhere else, with a session and a token.
    let elsewhere = app.organisation("Elsewhere Health Board", "ELS01").await;
    app.member(
        elsewhere.id,
        "outsider@nhs.net",
        &[Role::OrgAdmin, Role::Champion, Role::BoardViewer],
    )
    .await;
    let outsider = app.signed_in("outsider@nhs.net").await;
    let outsider_token = app.api_token("outsider@nhs.net").await;
    let outsider_csrf = csrf_token(
        &outsider
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let anonymous = app.client();
    let anonymous_csrf = csrf_token(
        &anonymous
            .get(app.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );

    let table = route_table();
    assert!(
        table.len() > 40,
        "the table lists every route: {}",
        table.len()
    );
    let mut checked = 0;
    for route in &table {
        let path = concrete(route, &ids);
        match route.access {
            Access::Public => continue,
            Access::SecretLink => {
                let (status, body) =
                    request(&app, &anonymous, &anonymous_csrf, None, route, &path).await;
                assert!(
                    matches!(status, 404 | 410),
                    "{} {path} with a made-up secret: {status}",
                    route.method
                );
                assert!(
                    !SECRETS.iter().any(|s| body.contains(s)),
                    "{} {path} leaked",
                    route.method
                );
            }
            access => {
                let (status, body) =
                    request(&app, &anonymous, &anonymous_csrf, None, route, &path).await;
                assert_eq!(status, 401, "{} {path} signed out", route.method);
                assert!(
                    !SECRETS.iter().any(|s| body.contains(s)),
                    "{} {path} leaked when signed out",
                    route.method
                );

                let token = route.api.then_some(outsider_token.as_str());
                let (status, body) =
                    request(&app, &outsider, &outsider_csrf, token, route, &path).await;
                let allowed: &[u16] = match access {
                    Access::OrgMember | Access::OrgAdmin => &[404],
                    Access::NetworkAdmin => &[403],
                    // Own-account routes: the outsider acts on their own account, finds nothing
                    // (another person's token id), is told their input is invalid, or lacks
                    // the network admin role an API route needs.
                    _ => &[200, 303, 403, 404, 422],
                };
                assert!(
                    allowed.contains(&status),
                    "{} {path} as an outsider: {status}",
                    route.method
                );
                assert!(
                    !SECRETS.iter().any(|s| body.contains(s)),
                    "{} {path} leaked to an outsider: {body}",
                    route.method
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 30);
    // Nothing of the target was changed by any of it.
    assert_eq!(app.store.list_divisions(target.id).await.unwrap().len(), 1);
    assert_eq!(
        app.store
            .list_pending_invitations(target.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(app.store.list_members(target.id).await.unwrap().len(), 1);
    assert_eq!(
        app.store
            .list_api_tokens(target_admin.id)
            .await
            .unwrap()
            .len(),
        1
    );
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&target_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the target's token still works");
}
