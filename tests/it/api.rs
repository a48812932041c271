//! The JSON API: tokens, organisations, members, invitations, the outbox and the document.

use commonground_domain::Role;
use serde_json::{Value, json};

use crate::support::TestApp;

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn tokens_and_the_current_user() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(
        org.id,
        "lead@trust.nhs.uk",
        &[Role::Champion, Role::BoardViewer],
    )
    .await;
    let token = app.api_token("lead@trust.nhs.uk").await;
    assert!(token.starts_with("cg_"));
    let (status, me) = call(&app, &token, reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "lead@trust.nhs.uk");
    assert_eq!(
        me["memberships"][0]["roles"],
        json!(["champion", "board_viewer"])
    );
    let (_, tokens) = call(&app, &token, reqwest::Method::GET, "/api/v1/tokens", None).await;
    let id = tokens[0]["id"].as_i64().unwrap();
    assert!(tokens[0].get("token").is_none(), "secrets are never listed");
    let (status, _) = call(
        &app,
        &token,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, problem) = call(&app, &token, reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 401);
    assert_eq!(problem["status"], 401);

    let wrong = reqwest::Client::new()
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "email": "lead@trust.nhs.uk", "password": "not it at all" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn organisations_through_the_api() {
    let app = TestApp::spawn().await;
    app.network_admin("network@nhs.net").await;
    let network = app.api_token("network@nhs.net").await;
    let body = json!({ "name": "Northshire Hospitals", "ods_code": "rx1", "org_type": "trust", "region": "North West" });
    let (status, org) = call(
        &app,
        &network,
        reqwest::Method::POST,
        "/api/v1/organisations",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 201, "{org}");
    assert_eq!(org["ods_code"], "RX1");
    assert_eq!(org["min_reporting_group"], 5);
    let (status, problem) = call(
        &app,
        &network,
        reqwest::Method::POST,
        "/api/v1/organisations",
        Some(body),
    )
    .await;
    assert_eq!(status, 409);
    assert!(problem["detail"].as_str().unwrap().contains("ODS code"));
    let (status, problem) = call(
        &app,
        &network,
        reqwest::Method::POST,
        "/api/v1/organisations",
        Some(json!({ "name": "", "ods_code": "R", "org_type": "hospital" })),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "ods_code", "org_type"]);
    assert_eq!(app.count("organisations").await, 1);

    let id = org["id"].as_i64().unwrap();
    app.member(
        commonground_domain::OrganisationId(id),
        "admin@trust.nhs.uk",
        &[Role::OrgAdmin],
    )
    .await;
    let admin = app.api_token("admin@trust.nhs.uk").await;
    let (status, _) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/v1/organisations",
        Some(json!({ "name": "X", "ods_code": "XX1", "org_type": "trust" })),
    )
    .await;
    assert_eq!(status, 403);
    let settings = json!({ "name": "Northshire Hospitals", "ods_code": "RX1", "org_type": "trust", "min_reporting_group": "2" });
    let (status, problem) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("/api/v1/organisations/{id}/settings"),
        Some(settings),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "min_reporting_group");
    let settings = json!({ "name": "Northshire Hospitals", "ods_code": "RX1", "org_type": "trust", "min_reporting_group": 7 });
    let (status, org) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("/api/v1/organisations/{id}/settings"),
        Some(settings),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(org["min_reporting_group"], 7);
    let (_, list) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/v1/organisations",
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn members_invitations_and_the_outbox_through_the_api() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let lead = app
        .member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let admin = app.api_token("admin@trust.nhs.uk").await;
    let base = format!("/api/v1/organisations/{}", org.id);

    let (status, invitation) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("{base}/invitations"),
        Some(json!({ "email": "new@trust.nhs.uk", "roles": ["board_viewer"] })),
    )
    .await;
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(invitation["roles"], json!(["board_viewer"]));
    let (_, pending) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("{base}/invitations"),
        None,
    )
    .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let (_, outbox) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("{base}/outbox"),
        None,
    )
    .await;
    assert_eq!(outbox[0]["to"], "new@trust.nhs.uk");

    let (status, _) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("{base}/members/{}/roles", lead.id),
        Some(json!({ "roles": ["champion", "org_admin"] })),
    )
    .await;
    assert_eq!(status, 204);
    let (_, members) = call(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("{base}/members"),
        None,
    )
    .await;
    let lead_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "lead@trust.nhs.uk")
        .unwrap();
    assert_eq!(lead_row["roles"], json!(["org_admin", "champion"]));
    let (status, _) = call(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("{base}/members/{}/roles", lead.id),
        Some(json!({ "roles": [] })),
    )
    .await;
    assert_eq!(status, 422);

    let (status, division) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("{base}/divisions"),
        Some(json!({ "name": "Surgery" })),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("{base}/divisions"),
        Some(json!({ "name": "Surgery" })),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = call(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("{base}/divisions/{}", division["id"]),
        None,
    )
    .await;
    assert_eq!(status, 204);

    let champion = app.api_token("lead@trust.nhs.uk").await;
    let (status, _) = call(
        &app,
        &champion,
        reqwest::Method::GET,
        &format!("{base}/divisions"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut ids = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op.get("operationId") {
                ids.push(id.as_str().unwrap().to_owned());
            }
        }
    }
    for required in [
        "createApiToken",
        "getCurrentUser",
        "createOrganisation",
        "listOrganisations",
        "getOrganisation",
        "updateOrganisationSettings",
        "inviteMember",
        "listMembers",
        "changeMemberRole",
        "listOutbox",
        "createReview",
        "getReview",
        "listReviews",
        "addParticipants",
        "importParticipantsCsv",
        "listParticipants",
        "openQuestionnaire",
        "closeQuestionnaire",
        "releaseResults",
        "getQuestionnaire",
        "submitResponse",
        "getResponseRates",
        "getResults",
        "createDatePoll",
        "getDatePoll",
        "sendDatePollLinks",
        "answerDatePoll",
        "getDatePollByLink",
        "chooseSessionSlot",
        "cancelSession",
        "getSessionPlan",
        "updateSessionPlan",
        "listCards",
        "getCard",
        "addCard",
        "addCaptureItem",
        "listCaptureItems",
        "recordAttendance",
        "getAttendance",
        "recordScoreChallenge",
        "listScoreChallenges",
        "createDraftActions",
        "listDraftActions",
    ] {
        assert!(
            ids.iter().any(|id| id == required),
            "{required} missing from {ids:?}"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let reference = reqwest::get(app.url("/api"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(reference.contains("createApiToken"));
}

#[tokio::test]
async fn reviews_and_participants_through_the_api() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    let lead = app
        .member(org.id, "lead@trust.nhs.uk", &[Role::Champion])
        .await;
    let fbp = app
        .member(org.id, "fbp@trust.nhs.uk", &[Role::Champion])
        .await;
    app.member(org.id, "director@trust.nhs.uk", &[Role::BoardViewer])
        .await;
    let token = app.api_token("lead@trust.nhs.uk").await;
    let base = format!("/api/v1/organisations/{}/reviews", org.id);

    let (status, problem) = call(
        &app,
        &token,
        reqwest::Method::POST,
        &base,
        Some(json!({ "title": "", "focus_areas": ["moonshots"] })),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["title", "scope", "focus_areas"]);
    let body = json!({ "title": "Theatres", "scope": "Theatres staff", "focus_areas": ["workforce"], "clinical_champion": lead.id.0, "finance_champion": fbp.id.0 });
    let (status, review) = call(&app, &token, reqwest::Method::POST, &base, Some(body)).await;
    assert_eq!(status, 201, "{review}");
    assert_eq!(review["complete"], true);
    assert_eq!(review["questionnaire_state"], "draft");
    let id = review["id"].as_i64().unwrap();
    let (status, got) = call(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("{base}/{id}"),
        None,
    )
    .await;
    assert_eq!((status, got["title"].as_str()), (200, Some("Theatres")));
    let (_, list) = call(&app, &token, reqwest::Method::GET, &base, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let people = format!("{base}/{id}/participants");
    let bad = json!({ "participants": [
        { "name": "Ann", "email": "ann@trust.nhs.uk", "profession": "medical", "role_level": "senior" },
        { "name": "Bo", "email": "bo@", "profession": "astronaut", "role_level": "senior" }
    ]});
    let (status, problem) = call(&app, &token, reqwest::Method::POST, &people, Some(bad)).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["participants[1].email", "participants[1].profession"]
    );
    assert_eq!(app.count("participants").await, 0, "all or nothing");
    let good = json!({ "participants": [{ "name": "Ann", "email": "ann@trust.nhs.uk", "profession": "medical", "role_level": "senior" }] });
    let (status, added) = call(&app, &token, reqwest::Method::POST, &people, Some(good)).await;
    assert_eq!((status, added["added"].as_u64()), (200, Some(1)));

    let csv = "name,email,profession group,role level\nFemi,femi@trust.nhs.uk,Finance,Middle manager or team leader\nAnn,ann@trust.nhs.uk,Medical,Senior manager or consultant\n";
    let response = reqwest::Client::new()
        .post(app.url(&format!("{people}/import")))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let added: Value = response.json().await.unwrap();
    assert_eq!(added["added"], 1);
    assert_eq!(added["already_invited"], json!(["ann@trust.nhs.uk"]));
    let broken = reqwest::Client::new()
        .post(app.url(&format!("{people}/import")))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body("name,email\nX,x@y.nhs.uk\n")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 422);
    let problem: Value = broken.json().await.unwrap();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("profession")
    );
    let (_, list) = call(&app, &token, reqwest::Method::GET, &people, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    let director = app.api_token("director@trust.nhs.uk").await;
    let (status, _) = call(
        &app,
        &director,
        reqwest::Method::GET,
        &format!("{base}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, &director, reqwest::Method::GET, &base, None).await;
    assert_eq!(status, 403);
}
