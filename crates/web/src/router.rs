//! Every URL of the service, grouped by audience.
//!
//! Page routes are added through [`Pages`], which records each route with the access it needs;
//! API routes are collected by utoipa from their handlers. [`route_table`] lists both, so the
//! authorisation matrix test visits every route there is: a new route cannot be left out.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{self, v1};
use crate::assets;
use crate::extractors::UPLOAD_BODY_LIMIT;
use crate::health;
use crate::metrics;
use crate::pages::{
    account, audit, auth, capture, cards, facilitation, home, invitations, jobs, members,
    organisations, outbox, participants, password_reset, people, poll_answers, polls, privacy,
    questionnaire, questionnaires, results, review_emails, review_questionnaire, reviews,
    session_records, sessions,
};
use crate::state::AppState;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone holding the secret in the path (invitation or reset links).
    SecretLink,
    /// A signed-in person (page) or token holder (API).
    SignedIn,
    /// A network admin.
    NetworkAdmin,
    /// A member of the organisation in the path.
    OrgMember,
    /// An organisation admin of the organisation in the path.
    OrgAdmin,
    /// A champion or organisation admin of the organisation in the path (listing and starting
    /// reviews).
    ReviewCreator,
    /// Someone who runs the review in the path: its champions, its creator, organisation admins.
    ReviewRunner,
    /// Monitoring: a direct connection from this machine, or the holder of the metrics token.
    Operator,
}

/// One route of the table.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path with `{param}` placeholders.
    pub path: String,
    /// Who may use it.
    pub access: Access,
    /// Whether it is part of the JSON API (bearer tokens) rather than a page (cookies).
    pub api: bool,
}

/// Records page routes as they are added.
struct Pages {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
}

impl Pages {
    fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    fn record(&mut self, method: &'static str, path: &'static str, access: Access) {
        self.table.push(RouteInfo {
            method,
            path: path.to_owned(),
            access,
            api: false,
        });
    }

    fn get<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.record("GET", path, access);
        self.router = self.router.route(path, get(handler));
        self
    }

    fn post<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.record("POST", path, access);
        self.router = self.router.route(path, post(handler));
        self
    }

    /// A GET whose response is gzipped for clients that accept it. Only for responses that
    /// hold no session secret and echo nothing a visitor sent (static files, the questionnaire
    /// page): compressing a secret beside attacker-chosen text lets its length leak the secret
    /// (BREACH). Compression happens at the fastest level: a few kilobytes matter to people on
    /// phones, and the questionnaire page must stay cheap to serve.
    fn get_compressed<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.record("GET", path, access);
        self.router = self.router.route(
            path,
            get(handler).layer(
                CompressionLayer::new()
                    .no_br()
                    .no_deflate()
                    .no_zstd()
                    .quality(CompressionLevel::Fastest),
            ),
        );
        self
    }

    /// A post that carries a file: a larger body limit, so the handler can say the file is too big.
    fn post_upload<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.record("POST", path, access);
        self.router = self.router.route(
            path,
            post(handler).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        );
        self
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "the page routes read best as one list"
)]
fn pages() -> Pages {
    use Access::{
        NetworkAdmin, Operator, OrgAdmin, OrgMember, Public, ReviewCreator, ReviewRunner,
        SecretLink, SignedIn,
    };
    Pages::new()
        // Everyone
        .get("/", Public, home::show_home)
        .get("/livez", Public, health::show_live)
        .get("/readyz", Public, health::show_ready)
        .get("/healthz", Public, health::show_ready)
        .get("/metrics", Operator, metrics::show_metrics)
        .get_compressed("/static/{file}", Public, assets::show_static)
        .get("/api", Public, api::reference::show_api_reference)
        .get("/api/openapi.json", Public, api::reference::show_openapi)
        .get("/privacy", Public, privacy::show_privacy)
        .get("/sign-in", Public, auth::show_sign_in)
        .post("/sign-in", Public, auth::create_sign_in)
        .post("/sign-out", Public, auth::delete_sign_in)
        .get(
            "/password-reset",
            Public,
            password_reset::new_password_reset,
        )
        .post(
            "/password-reset",
            Public,
            password_reset::create_password_reset,
        )
        // Holders of a personal link
        .get(
            "/password-reset/{token}",
            SecretLink,
            password_reset::edit_password_reset,
        )
        .post(
            "/password-reset/{token}",
            SecretLink,
            password_reset::update_password_reset,
        )
        .get(
            "/invitations/{token}",
            SecretLink,
            invitations::show_invitation,
        )
        .post(
            "/invitations/{token}",
            SecretLink,
            invitations::accept_invitation,
        )
        // Signed-in people
        .get("/account", SignedIn, account::show_account)
        .post("/account/name", SignedIn, account::update_account_name)
        .post(
            "/account/password",
            SignedIn,
            account::update_account_password,
        )
        .post("/account/tokens", SignedIn, account::create_account_token)
        .post(
            "/account/tokens/{token_id}/revoke",
            SignedIn,
            account::delete_account_token,
        )
        .get(
            "/organisations",
            SignedIn,
            organisations::list_organisations,
        )
        // Network admins
        .get(
            "/organisations/new",
            NetworkAdmin,
            organisations::new_organisation,
        )
        .post(
            "/organisations",
            NetworkAdmin,
            organisations::create_organisation,
        )
        .get("/outbox", NetworkAdmin, outbox::list_outbox)
        .get("/jobs", NetworkAdmin, jobs::list_jobs)
        .post("/jobs/{job_id}/retry", NetworkAdmin, jobs::retry_job)
        .get(
            "/outbox/{message_id}",
            NetworkAdmin,
            outbox::show_outbox_message,
        )
        // Members of an organisation
        .get(
            "/organisations/{org_id}",
            OrgMember,
            organisations::show_organisation,
        )
        // Organisation admins
        .get(
            "/organisations/{org_id}/settings",
            OrgAdmin,
            organisations::edit_organisation_settings,
        )
        .post(
            "/organisations/{org_id}/settings",
            OrgAdmin,
            organisations::update_organisation_settings,
        )
        .get(
            "/organisations/{org_id}/divisions",
            OrgAdmin,
            organisations::list_divisions,
        )
        .post(
            "/organisations/{org_id}/divisions",
            OrgAdmin,
            organisations::create_division,
        )
        .post(
            "/organisations/{org_id}/divisions/{division_id}/delete",
            OrgAdmin,
            organisations::delete_division,
        )
        .get(
            "/organisations/{org_id}/members",
            OrgAdmin,
            members::list_members,
        )
        .get(
            "/organisations/{org_id}/members/{user_id}",
            OrgAdmin,
            members::edit_member,
        )
        .post(
            "/organisations/{org_id}/members/{user_id}",
            OrgAdmin,
            members::update_member,
        )
        .post(
            "/organisations/{org_id}/members/{user_id}/remove",
            OrgAdmin,
            members::delete_member,
        )
        .get(
            "/organisations/{org_id}/invitations/new",
            OrgAdmin,
            members::new_invitation,
        )
        .post(
            "/organisations/{org_id}/invitations",
            OrgAdmin,
            members::create_invitation,
        )
        .post(
            "/organisations/{org_id}/invitations/{invitation_id}/cancel",
            OrgAdmin,
            members::delete_invitation,
        )
        .get("/organisations/{org_id}/audit", OrgAdmin, audit::list_audit)
        .get(
            "/organisations/{org_id}/people",
            OrgAdmin,
            people::show_people,
        )
        .post(
            "/organisations/{org_id}/people",
            OrgAdmin,
            people::create_people_request,
        )
        .get(
            "/organisations/{org_id}/outbox",
            OrgAdmin,
            outbox::list_organisation_outbox,
        )
        .get(
            "/organisations/{org_id}/jobs",
            OrgAdmin,
            jobs::list_organisation_jobs,
        )
        .post(
            "/organisations/{org_id}/jobs/{job_id}/retry",
            OrgAdmin,
            jobs::retry_organisation_job,
        )
        .get(
            "/organisations/{org_id}/outbox/{message_id}",
            OrgAdmin,
            outbox::show_organisation_outbox_message,
        )
        // Champions and organisation admins: reviews (each review only to those who run it)
        .get(
            "/organisations/{org_id}/reviews",
            ReviewCreator,
            reviews::list_reviews,
        )
        .get(
            "/organisations/{org_id}/reviews/new",
            ReviewCreator,
            reviews::new_review,
        )
        .post(
            "/organisations/{org_id}/reviews",
            ReviewCreator,
            reviews::create_review,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}",
            ReviewRunner,
            reviews::show_review,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/edit",
            ReviewRunner,
            reviews::edit_review,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/edit",
            ReviewRunner,
            reviews::update_review,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/readiness",
            ReviewRunner,
            reviews::edit_readiness,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/readiness",
            ReviewRunner,
            reviews::update_readiness,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/participants",
            ReviewRunner,
            participants::list_participants,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/participants",
            ReviewRunner,
            participants::create_participant,
        )
        .post_upload(
            "/organisations/{org_id}/reviews/{review_id}/participants/import",
            ReviewRunner,
            participants::import_participants,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/participants/template.csv",
            ReviewRunner,
            participants::show_participants_template,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/participants/{participant_id}/remove",
            ReviewRunner,
            participants::delete_participant,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire",
            ReviewRunner,
            review_questionnaire::show_review_questionnaire,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/open",
            ReviewRunner,
            review_questionnaire::open_questionnaire,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/reminders",
            ReviewRunner,
            review_questionnaire::update_reminders,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/remind",
            ReviewRunner,
            review_questionnaire::create_reminder,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/retry-emails",
            ReviewRunner,
            review_questionnaire::retry_emails,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/emails",
            ReviewRunner,
            review_emails::list_review_emails,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/emails/{kind}",
            ReviewRunner,
            review_emails::edit_review_email,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/emails/{kind}",
            ReviewRunner,
            review_emails::update_review_email,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/close",
            ReviewRunner,
            review_questionnaire::close_questionnaire,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/release",
            ReviewRunner,
            review_questionnaire::release_results,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/results",
            ReviewRunner,
            results::show_results,
        )
        // Team sessions: dates, plans and what each session records
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions",
            ReviewRunner,
            sessions::show_sessions,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/poll/new",
            ReviewRunner,
            polls::new_poll,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/poll",
            ReviewRunner,
            polls::create_poll,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/poll",
            ReviewRunner,
            polls::show_poll,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/poll/send",
            ReviewRunner,
            polls::send_poll,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/poll/close",
            ReviewRunner,
            polls::close_poll,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/poll/choose",
            ReviewRunner,
            polls::choose_slots,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/calendar.ics",
            ReviewRunner,
            polls::show_calendar,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/cancel",
            ReviewRunner,
            sessions::cancel_session,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/time",
            ReviewRunner,
            sessions::update_session_time,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan",
            ReviewRunner,
            sessions::show_plan,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan/template",
            ReviewRunner,
            sessions::update_plan_template,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan/edit",
            ReviewRunner,
            sessions::edit_plan,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/plan/edit",
            ReviewRunner,
            sessions::update_plan,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/record",
            ReviewRunner,
            session_records::show_record,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/attendance",
            ReviewRunner,
            session_records::update_attendance,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/challenges",
            ReviewRunner,
            session_records::create_challenge,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/draft-actions",
            ReviewRunner,
            session_records::create_draft_actions,
        )
        .get(
            "/organisations/{org_id}/cards",
            ReviewCreator,
            cards::list_cards,
        )
        .post(
            "/organisations/{org_id}/cards",
            ReviewCreator,
            cards::create_card,
        )
        // Team sessions: facilitation and live notes (champions and organisation admins)
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/facilitate",
            ReviewRunner,
            facilitation::show_facilitation,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/facilitate",
            ReviewRunner,
            facilitation::update_facilitation,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/live",
            ReviewRunner,
            facilitation::show_live_changes,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture-link",
            ReviewRunner,
            facilitation::create_capture_link,
        )
        .get(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture",
            ReviewRunner,
            capture::show_capture,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture",
            ReviewRunner,
            capture::create_capture,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture/{item_id}/remove",
            ReviewRunner,
            facilitation::delete_capture_note,
        )
        .get(
            "/organisations/{org_id}/questionnaires",
            OrgAdmin,
            questionnaires::list_questionnaires,
        )
        .get(
            "/organisations/{org_id}/questionnaires/{version_id}/adapt",
            OrgAdmin,
            questionnaires::edit_questionnaire,
        )
        .post(
            "/organisations/{org_id}/questionnaires/{version_id}/adapt",
            OrgAdmin,
            questionnaires::create_questionnaire_version,
        )
        // Participants, by personal link and without an account
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/open-link",
            ReviewRunner,
            review_questionnaire::create_open_link,
        )
        .post(
            "/organisations/{org_id}/reviews/{review_id}/questionnaire/open-link/remove",
            ReviewRunner,
            review_questionnaire::delete_open_link,
        )
        .get_compressed(
            "/q/open/{token}",
            SecretLink,
            questionnaire::show_open_questionnaire,
        )
        .post(
            "/q/open/{token}",
            SecretLink,
            questionnaire::create_open_response,
        )
        .get("/poll/{token}", SecretLink, poll_answers::show_poll_answer)
        .post("/poll/{token}", SecretLink, poll_answers::update_poll_answer)
        .get(
            "/poll/{token}/calendar.ics",
            SecretLink,
            poll_answers::show_poll_calendar,
        )
        // Note takers, by a session's link and without an account
        .get("/capture/{token}", SecretLink, capture::show_capture_link)
        .post("/capture/{token}", SecretLink, capture::create_capture_by_link)
        .get_compressed("/q/{token}", SecretLink, questionnaire::show_questionnaire)
        .post("/q/{token}", SecretLink, questionnaire::create_response)
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(api::ApiDoc::openapi())
        .routes(routes!(
            v1::tokens::create_api_token,
            v1::tokens::list_api_tokens
        ))
        .routes(routes!(v1::tokens::revoke_api_token))
        .routes(routes!(v1::me::get_current_user))
        .routes(routes!(
            v1::organisations::list_organisations,
            v1::organisations::create_organisation
        ))
        .routes(routes!(v1::organisations::get_organisation))
        .routes(routes!(v1::organisations::update_organisation_settings))
        .routes(routes!(v1::members::list_members))
        .routes(routes!(
            v1::members::invite_member,
            v1::members::list_invitations
        ))
        .routes(routes!(v1::members::change_member_role))
        .routes(routes!(v1::members::remove_member))
        .routes(routes!(
            v1::divisions::list_divisions,
            v1::divisions::create_division
        ))
        .routes(routes!(v1::divisions::delete_division))
        .routes(routes!(v1::outbox::list_outbox))
        .routes(routes!(v1::audit::list_audit_events))
        .routes(routes!(
            v1::reviews::list_reviews,
            v1::reviews::create_review
        ))
        .routes(routes!(v1::reviews::get_review))
        .routes(routes!(
            v1::participants::list_participants,
            v1::participants::add_participants
        ))
        .routes(with_upload_limit(routes!(
            v1::participants::import_participants_csv
        )))
        .routes(routes!(v1::questionnaire::open_questionnaire))
        .routes(routes!(v1::questionnaire::close_questionnaire))
        .routes(routes!(v1::questionnaire::release_results))
        .routes(routes!(v1::questionnaire::get_response_rates))
        .routes(routes!(v1::questionnaire::get_questionnaire))
        .routes(routes!(v1::questionnaire::submit_response))
        .routes(routes!(v1::results::get_results))
        .routes(routes!(v1::emails::send_invitations))
        .routes(routes!(v1::emails::send_reminders))
        .routes(routes!(
            v1::emails::get_email_template,
            v1::emails::update_email_template
        ))
        .routes(routes!(v1::emails::preview_email_template))
        .routes(routes!(v1::jobs::list_jobs))
        .routes(routes!(v1::jobs::get_job))
        .routes(routes!(v1::jobs::retry_job))
        .routes(routes!(
            v1::questionnaire::create_open_link,
            v1::questionnaire::delete_open_link
        ))
        .routes(routes!(
            v1::date_polls::create_date_poll,
            v1::date_polls::get_date_poll
        ))
        .routes(routes!(v1::date_polls::send_date_poll_links))
        .routes(routes!(v1::date_polls::choose_session_slot))
        .routes(routes!(v1::sessions::cancel_session))
        .routes(routes!(v1::sessions::set_session_time))
        .routes(routes!(v1::date_poll_links::get_date_poll_by_link))
        .routes(routes!(v1::date_poll_links::answer_date_poll))
        .routes(routes!(
            v1::sessions::get_session_plan,
            v1::sessions::update_session_plan
        ))
        .routes(routes!(v1::cards::list_cards, v1::cards::add_card))
        .routes(routes!(v1::cards::get_card))
        .routes(routes!(
            v1::capture_items::add_capture_item,
            v1::capture_items::list_capture_items
        ))
        .routes(routes!(
            v1::session_records::record_attendance,
            v1::session_records::get_attendance
        ))
        .routes(routes!(
            v1::session_records::record_score_challenge,
            v1::session_records::list_score_challenges
        ))
        .routes(routes!(
            v1::session_records::create_draft_actions,
            v1::session_records::list_draft_actions
        ))
}

/// The body limit of file uploads, on one API route.
fn with_upload_limit(
    (schemas, paths, router): utoipa_axum::router::UtoipaMethodRouter<AppState>,
) -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    (
        schemas,
        paths,
        router.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}

/// The page routes and the API routes, unlayered, with the OpenAPI document.
pub fn routes() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (api_router, mut openapi) = api().split_for_parts();
    api::complete(&mut openapi);
    (pages().router, api_router, openapi)
}

/// Every route with the access it needs. An API operation names the role it needs as the scope
/// of its bearer requirement (OpenAPI 3.1 allows role names there): `networkAdmin`, `orgAdmin`,
/// `reviewCreator` or `reviewRunner`; none means any token holder, or any member of the
/// organisation in the path.
///
/// # Panics
/// On a scope that names no role, so that a typo cannot pass as "any member".
#[must_use]
pub fn route_table() -> Vec<RouteInfo> {
    let mut table = pages().table;
    let (_, openapi) = api().split_for_parts();
    for (path, item) in &openapi.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let access = match (secured, api_role(op).as_deref()) {
                (false, _) if path.contains("{token}") => Access::SecretLink,
                (false, _) => Access::Public,
                (true, Some("networkAdmin")) => Access::NetworkAdmin,
                (true, Some("orgAdmin")) => Access::OrgAdmin,
                (true, Some("reviewCreator")) => Access::ReviewCreator,
                (true, Some("reviewRunner")) => Access::ReviewRunner,
                (true, None) if path.contains("{org_id}") => Access::OrgMember,
                (true, None) => Access::SignedIn,
                (true, Some(other)) => panic!("{method} {path}: unknown role {other}"),
            };
            table.push(RouteInfo {
                method,
                path: path.clone(),
                access,
                api: true,
            });
        }
    }
    table
}

/// The role an API operation names as the scope of its bearer requirement, if any.
fn api_role(op: &utoipa::openapi::path::Operation) -> Option<String> {
    let security = serde_json::to_value(op.security.as_ref()?).ok()?;
    security
        .get(0)?
        .get("bearer")?
        .get(0)?
        .as_str()
        .map(str::to_owned)
}
