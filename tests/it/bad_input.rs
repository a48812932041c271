//! Bad input gets a clear message in the right form and changes nothing.

use commonground_domain::Role;

use crate::support::{TestApp, csrf_token, text_of};

#[tokio::test]
async fn a_form_without_a_valid_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let client = app.signed_in("admin@trust.nhs.uk").await;
    let action = app.url(&format!("/organisations/{}/divisions", org.id));
    for token in [None, Some("forged"), Some("")] {
        let mut form = vec![("name", "Surgery")];
        if let Some(token) = token {
            form.push(("csrf_token", token));
        }
        let response = client.post(&action).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 403, "{token:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains("<title>This form has expired"));
    }
    // A token from another visitor's cookie does not work either.
    let stranger = app.client();
    let page = stranger
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = client
        .post(&action)
        .form(&[
            ("csrf_token", csrf_token(&page).as_str()),
            ("name", "Surgery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(app.count("divisions").await, 0);
}

#[tokio::test]
async fn a_post_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let org = app.organisation("Northshire Hospitals", "RX1").await;
    app.member(org.id, "admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let client = app.signed_in("admin@trust.nhs.uk").await;
    let path = format!("/organisations/{}/divisions", org.id);
    let page = client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&page);
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = client
            .post(app.url(&path))
            .header(header, value)
            .form(&[("csrf_token", token.as_str()), ("name", "Surgery")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}");
    }
    let same = client
        .post(app.url(&path))
        .header("origin", &app.base)
        .form(&[("csrf_token", token.as_str()), ("name", "Surgery")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 303);
    assert_eq!(app.count("divisions").await, 1);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let app = TestApp::spawn().await;
    app.network_admin("network@nhs.net").await;
    let client = app.signed_in("network@nhs.net").await;
    let page = client
        .get(app.url("/organisations/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let huge = "x".repeat(100 * 1024);
    let response = client
        .post(app.url("/organisations"))
        .form(&[
            ("csrf_token", csrf_token(&page).as_str()),
            ("name", huge.as_str()),
            ("ods_code", "RX1"),
            ("org_type", "trust"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(text_of(&response.text().await.unwrap()).contains("What you sent is too large"));
    let token = app.api_token("network@nhs.net").await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"name\":\"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(app.count("organisations").await, 0);
}

#[tokio::test]
async fn unknown_routes_get_a_not_found_page_or_problem() {
    let app = TestApp::spawn().await;
    let page = reqwest::get(app.url("/no-such-page")).await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(text_of(&page.text().await.unwrap()).contains("Page not found"));
    let api = reqwest::get(app.url("/api/v1/nothing-here")).await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = api.json().await.unwrap();
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn malformed_json_gets_a_problem_document() {
    let app = TestApp::spawn().await;
    app.network_admin("network@nhs.net").await;
    let token = app.api_token("network@nhs.net").await;
    let client = reqwest::Client::new();
    let cases = [
        ("application/json", "{not json", 400),
        ("application/json", "{\"name\": 5}", 422),
        (
            "application/json",
            "{\"name\": \"X\", \"unexpected\": true}",
            422,
        ),
        ("text/plain", "{}", 415),
    ];
    for (content_type, body, status) in cases {
        let response = client
            .post(app.url("/api/v1/organisations"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value = response.json().await.unwrap();
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
    let login = client
        .post(app.url("/api/v1/tokens"))
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 422);
    assert_eq!(app.count("organisations").await, 0);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/sign-in", "/nope", "/api/openapi.json", "/healthz"] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe"),
            "{path}"
        );
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers.contains_key("x-request-id"));
    }
    let health: serde_json::Value = reqwest::get(app.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn static_files_have_hashed_names_and_long_cache_lives() {
    let app = TestApp::spawn().await;
    let home = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = home.find("/static/app.").unwrap();
    let href: String = home[start..].chars().take_while(|c| *c != '"').collect();
    assert!(
        std::path::Path::new(&href)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("css"))
            && href.len() > "/static/app.css".len(),
        "{href}"
    );
    let css = reqwest::get(app.url(&href)).await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(css.text().await.unwrap().contains(".app-button"));
}
