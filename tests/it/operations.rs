//! What operators rely on: liveness and readiness probes, `/metrics` and who may read it, and
//! a release that refuses a database a newer release has upgraded.

use crate::questionnaire::{answers, review_with, send};
use crate::support::TestApp;
use crate::support::app::METRICS_TOKEN;

#[tokio::test]
async fn liveness_stays_up_while_readiness_follows_the_database() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for path in ["/livez", "/readyz", "/healthz"] {
        assert_eq!(app.status_of(&client, path).await, 200, "{path}");
    }
    app.store.close().await;
    assert_eq!(app.status_of(&client, "/livez").await, 200);
    let ready = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(
        ready
            .text()
            .await
            .unwrap()
            .contains("database does not answer")
    );
}

#[tokio::test]
async fn metrics_count_routes_and_answers_without_secrets() {
    let r = review_with(6).await;
    r.post("open").await;
    let links = r.links().await;
    assert_eq!(
        send(&r.app, &links[0], &answers("nursing", 1))
            .await
            .status(),
        200
    );
    let unknown = "/q/this-is-not-a-real-link-secret";
    assert_eq!(r.app.status_of(&r.app.client(), unknown).await, 410);

    let client = r.app.client();
    let metrics = client.get(r.app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200, "this machine may read the metrics");
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.text().await.unwrap();
    for expected in [
        "commonground_http_requests_total{method=\"POST\",route=\"/q/{token}\",status=\"200\"} 1",
        "commonground_http_requests_total{method=\"GET\",route=\"/q/{token}\",status=\"410\"} 1",
        "commonground_http_request_duration_seconds_count{method=\"POST\",route=\"/q/{token}\"} 1",
        "commonground_submissions_stored_total 1",
        "commonground_jobs{state=\"done\"}",
        "commonground_jobs_due 0",
        "commonground_emails{status=\"stored\"} 6",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    for secret in [links[0].as_str(), unknown, "trust.nhs.uk", "Northshire"] {
        let secret = secret.trim_start_matches("/q/");
        assert!(!text.contains(secret), "{secret} leaked into the metrics");
    }
}

async fn metrics_status(app: &TestApp, headers: &[(&str, &str)]) -> u16 {
    let mut request = app.client().get(app.url("/metrics"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn metrics_from_elsewhere_need_the_token() {
    let app = TestApp::spawn().await;
    // A request that came through a proxy is not from this machine, whatever its address.
    let proxied = ("x-forwarded-for", "203.0.113.9");
    assert_eq!(metrics_status(&app, &[proxied]).await, 403);
    assert_eq!(
        metrics_status(&app, &[("forwarded", "for=203.0.113.9")]).await,
        403
    );
    let bearer = format!("Bearer {METRICS_TOKEN}");
    assert_eq!(
        metrics_status(&app, &[proxied, ("authorization", &bearer)]).await,
        200
    );
    // A wrong token is refused even from this machine: its sender meant to use a token.
    let wrong = format!("Bearer {}", METRICS_TOKEN.replace('0', "1"));
    assert_eq!(
        metrics_status(&app, &[("authorization", &wrong)]).await,
        403
    );
}

#[tokio::test]
async fn a_database_from_a_newer_release_is_refused() {
    let app = TestApp::spawn().await;
    app.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from_a_newer_release', 0)")
        .await;
    let error = match commonground_web::prepare(app.state.config.as_ref().clone()).await {
        Ok(_) => panic!("a release must not start on a database a newer release upgraded"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("migration 9999") && error.contains("newer release"),
        "{error}"
    );
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = commonground_web::config::ConfigInput {
        bind: Some(addr.to_string()),
        database_url: Some(format!(
            "sqlite://{}",
            dir.path().join("https.sqlite3").display()
        )),
        public_base_url: Some("https://commonground.example.nhs.uk".into()),
        ..commonground_web::config::ConfigInput::default()
    }
    .validate()
    .unwrap();
    let app = commonground_web::app(commonground_web::prepare(config).await.unwrap());
    tokio::spawn(commonground_web::run_until_stopped(
        listener,
        app,
        std::future::pending(),
    ));
    let page = reqwest::get(format!("http://{addr}/sign-in"))
        .await
        .unwrap();
    let headers = page.headers();
    assert_eq!(
        headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    // Over plain http (the default), no HSTS: it would lock browsers out of a test instance.
    let plain = TestApp::spawn().await;
    let page = reqwest::get(plain.url("/sign-in")).await.unwrap();
    assert!(!page.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn backup_of_a_live_database_restores_everything() {
    let r = review_with(6).await;
    r.post("open").await;
    for (i, link) in r.links().await.iter().take(5).enumerate() {
        send(&r.app, link, &answers("nursing", i)).await;
    }
    r.post("close").await;
    r.post("release").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup");
    let commonground = |args: &[&str], database: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_commonground"))
            .args(args)
            .args(["--database-url", database])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    // The server is running and has written since its last checkpoint: the copy must hold
    // what is still only in the write-ahead log too.
    let path = file.to_str().unwrap();
    commonground(&["backup", path], &r.app.database_url);
    let (restored, _keep) = crate::support::app::fresh_database().await;
    commonground(&["restore", "--force", path], &restored);
    let copy = commonground_store::Store::connect(&restored).await.unwrap();
    assert_eq!(copy.integrity_check().await.unwrap(), "ok");
    copy.close().await;
    let mut copy = {
        use sqlx::Connection;
        sqlx::AnyConnection::connect(&restored).await.unwrap()
    };
    for table in [
        "organisations",
        "users",
        "participants",
        "responses",
        "comments",
        "outbox",
        "audit_events",
        "schema_migrations",
    ] {
        use sqlx::Row;
        let restored: i64 =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&mut copy)
                .await
                .unwrap()
                .get(0);
        assert_eq!(restored, r.app.count(table).await, "{table}");
        assert!(restored > 0, "{table} is populated");
    }
}
