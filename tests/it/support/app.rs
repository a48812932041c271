//! The real app on a free port over a fresh database, and the people in it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};

use commonground_domain::{
    EmailAddress, MinReportingGroup, OdsCode, OrganisationId, OrganisationName, OrganisationType,
    PersonName, Region, Role, RoleSet, UserId,
};
use commonground_store::Store;
use commonground_store::organisations::{Organisation, OrganisationFields};
use commonground_store::outbox::OutboxScope;
use commonground_web::config::ConfigInput;
use reqwest::redirect::Policy;
use tokio::sync::oneshot;

/// The password every test user has.
pub const PASSWORD: &str = "correct horse battery staple";

/// Hashing is slow on purpose: hash the shared password once per test binary.
static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| commonground_web::passwords::hash_blocking(PASSWORD).expect("hash"));

static DATABASES: AtomicU32 = AtomicU32::new(0);

/// A running app with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Direct access to the same database, for arranging and checking.
    pub store: Store,
    /// The database URL, for starting a second instance.
    pub database_url: String,
    /// The CSRF key, shared with a second instance.
    pub secret: String,
    /// The app's shared state, for calling library functions directly.
    pub state: commonground_web::state::AppState,
    shutdown: Option<oneshot::Sender<()>>,
    /// Keeps a SQLite database's folder alive as long as the app.
    dir: Option<tempfile::TempDir>,
}

/// A person with an account.
#[derive(Clone)]
pub struct TestUser {
    pub id: UserId,
}

/// The database for one test: a fresh SQLite file, or a fresh PostgreSQL database when
/// `COMMONGROUND_TEST_DATABASE_URL` names a server (and then it must work: no skipping).
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("COMMONGROUND_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let name = format!(
                "cg_it_{}_{}_{}",
                std::process::id(),
                DATABASES.fetch_add(1, Ordering::SeqCst),
                rand::random::<u16>()
            );
            sql(&server, &format!("CREATE DATABASE {name}")).await;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.sqlite3").display());
            (url, Some(dir))
        }
    }
}

/// The token that reads `/metrics` from anywhere, as a monitoring server would send it.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789abcdef0123456789";

impl TestApp {
    /// Starts the app on a fresh database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with_smtp(None).await
    }

    /// Starts the app on a fresh database, delivering email to the SMTP server on `smtp_port`
    /// (`None`: the outbox is the delivery).
    pub async fn spawn_with_smtp(smtp_port: Option<u16>) -> TestApp {
        let (url, dir) = fresh_database().await;
        let secret = format!("test-secret-{}", "x".repeat(32));
        let mut app = Self::spawn_on(&url, &secret, smtp_port).await;
        app.dir = dir;
        app
    }

    /// Starts another instance over the same database as `self`.
    pub async fn spawn_instance(&self) -> TestApp {
        Self::spawn_on(&self.database_url, &self.secret, None).await
    }

    /// Starts another instance over the same database as `self`, delivering to `smtp_port`.
    pub async fn spawn_instance_with_smtp(&self, smtp_port: u16) -> TestApp {
        Self::spawn_on(&self.database_url, &self.secret, Some(smtp_port)).await
    }

    /// Runs every due background job to the end, as the workers of `serve` would.
    pub async fn run_jobs(&self) -> usize {
        self.state.jobs.run_pending().await.expect("jobs run")
    }

    async fn spawn_on(url: &str, secret: &str, smtp_port: Option<u16>) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let base = format!("http://{addr}");
        let config = ConfigInput {
            bind: Some(addr.to_string()),
            database_url: Some(url.to_owned()),
            public_base_url: Some(base.clone()),
            session_secret: Some(secret.to_owned()),
            smtp_host: smtp_port.map(|_| "127.0.0.1".to_owned()),
            smtp_port: smtp_port.map(i64::from),
            smtp_security: smtp_port.map(|_| "none".to_owned()),
            email_from: smtp_port.map(|_| "commonground <noreply@example.nhs.uk>".to_owned()),
            job_lease_seconds: Some(5),
            metrics_token: Some(METRICS_TOKEN.to_owned()),
            ..ConfigInput::default()
        }
        .validate()
        .expect("valid test configuration");
        let state = commonground_web::prepare(config).await.expect("app starts");
        let store = state.store.clone();
        let shared = state.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let live = state.live.clone();
        let app = commonground_web::app(state);
        tokio::spawn(async move {
            let shutdown = commonground_web::live::closing(live, async {
                let _ = rx.await;
            });
            commonground_web::run_until_stopped(listener, app, shutdown)
                .await
                .expect("server runs");
        });
        TestApp {
            base,
            store,
            database_url: url.to_owned(),
            secret: secret.to_owned(),
            state: shared,
            shutdown: Some(tx),
            dir: None,
        }
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests check them).
    #[expect(
        clippy::unused_self,
        reason = "called like the other helpers, as app.client()"
    )]
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// The status of GET `path` for `client`.
    pub async fn status_of(&self, client: &reqwest::Client, path: &str) -> u16 {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Makes an account with the shared test password.
    pub async fn user(&self, email: &str, name: &str) -> TestUser {
        let user = self
            .store
            .create_user(
                &EmailAddress::parse(email).unwrap(),
                &PersonName::parse(name).unwrap(),
                Some(&PASSWORD_HASH),
            )
            .await
            .expect("user");
        TestUser { id: user.id }
    }

    /// Makes a network admin.
    pub async fn network_admin(&self, email: &str) -> TestUser {
        let user = self.user(email, "Network Admin").await;
        self.store.set_network_admin(user.id, true).await.unwrap();
        user
    }

    /// Makes an organisation with the given ODS code.
    pub async fn organisation(&self, name: &str, ods: &str) -> Organisation {
        let name = OrganisationName::parse(name).unwrap();
        let ods = OdsCode::parse(ods).unwrap();
        let region = Region::parse("").unwrap();
        self.store
            .create_organisation(
                &OrganisationFields {
                    name: &name,
                    ods_code: &ods,
                    org_type: OrganisationType::Trust,
                    region: &region,
                    min_reporting_group: MinReportingGroup::DEFAULT,
                    retention_months: commonground_domain::RetentionMonths::DEFAULT,
                },
                None,
            )
            .await
            .expect("organisation")
    }

    /// Makes an account holding `roles` in `org`.
    pub async fn member(&self, org: OrganisationId, email: &str, roles: &[Role]) -> TestUser {
        let user = self.user(email, &format!("Member {email}")).await;
        self.store
            .add_member_roles(org, user.id, &RoleSet::new(roles.iter().copied()).unwrap())
            .await
            .unwrap();
        user
    }

    /// Signs in through the sign-in page and returns the signed-in client.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = self.client();
        let response = self.sign_in(&client, email, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in as {email} should succeed");
        client
    }

    /// Posts the sign-in form.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        // The reset page always has a form; the sign-in page redirects people already signed in.
        let page = client
            .get(self.url("/password-reset"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        client
            .post(self.url("/sign-in"))
            .form(&[
                ("csrf_token", csrf_token_of(&page).as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// GETs a page, then posts its first form with `fields` (plus its CSRF token).
    pub async fn submit(
        &self,
        client: &reqwest::Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = client
            .get(self.url(page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf_token_of(&html);
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// A personal API token for an account, made through the API.
    pub async fn api_token(&self, email: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/tokens"))
            .json(&serde_json::json!({ "email": email, "password": PASSWORD, "name": "tests" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// (recipient, link path) for every questionnaire email in `org`'s outbox, by recipient.
    pub async fn questionnaire_links(&self, org: OrganisationId) -> Vec<(String, String)> {
        let messages = self
            .store
            .list_outbox(OutboxScope::Organisation(org), 200, 0)
            .await
            .unwrap();
        let mut links: Vec<(String, String)> = messages
            .iter()
            .filter(|m| {
                m.subject
                    .contains("how well do clinical and finance colleagues")
            })
            .map(|m| (m.to.clone(), super::html::questionnaire_link(&m.text)))
            .collect();
        links.sort();
        links
    }

    /// Counts rows of `table` (for "changes nothing" checks).
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        let mut conn = connect(&self.database_url).await;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut conn)
            .await
            .expect("count");
        row.get(0)
    }

    /// A connection of its own to this app's database, for many quick checks.
    pub async fn connection(&self) -> sqlx::AnyConnection {
        connect(&self.database_url).await
    }

    /// Runs a statement directly against this app's database (to arrange an expired link, say).
    pub async fn sql(&self, statement: &str) {
        sql(&self.database_url, statement).await;
    }
}

async fn connect(url: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("the test database {url} does not answer: {e}"))
}

async fn sql(url: &str, statement: &str) {
    let mut conn = connect(url).await;
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

fn csrf_token_of(html: &str) -> String {
    super::csrf_token(html)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
