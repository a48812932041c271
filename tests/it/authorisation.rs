//! The authorisation matrix: every route of the router's own table, asked by every kind of
//! person, checked against what each may do. The expected outcome is a function of the route's
//! `Access`, so a route added later is covered without anyone adding it here, and a new kind of
//! access does not compile until [`expected`] says who may use it. Refused requests must show
//! nothing of the target organisation and change nothing in the database.

use std::sync::atomic::{AtomicU32, Ordering};

use commonground_domain::participants::{NewParticipant, ProfessionGroup, RoleLevel};
use commonground_domain::{
    DivisionName, EmailAddress, OrganisationId, PersonName, ReviewId, Role, UserId,
};
use commonground_store::jobs::NewJob;
use commonground_store::outbox::OutboxScope;
use commonground_store::polls::NewPoll;
use commonground_store::team_sessions::SessionTime;
use commonground_web::router::{Access, RouteInfo, route_table};
use serde_json::json;
use sqlx::Row;

use crate::support::{TestApp, csrf_token};

/// Who asks. Paths name the target organisation and its review A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Holds a personal questionnaire link of review A.
    Participant,
    /// Holds a personal questionnaire link of review B.
    OtherParticipant,
    /// Runs review A.
    Champion,
    /// Runs review B, in the same organisation.
    OtherChampion,
    BoardViewer,
    /// The target organisation's admin.
    Admin,
    /// Admin, champion and board viewer of another organisation.
    OutsideAdmin,
    NetworkAdmin,
    /// The outside admin with their own organisation in the path and the target's other ids.
    OutsiderViaOwnOrganisation,
    /// The other champion with their own review (B) in the path and the target's other ids.
    OtherChampionViaOwnReview,
}

const EVERYONE: [Who; 11] = [
    Who::Anonymous,
    Who::Participant,
    Who::OtherParticipant,
    Who::Champion,
    Who::OtherChampion,
    Who::BoardViewer,
    Who::Admin,
    Who::OutsideAdmin,
    Who::NetworkAdmin,
    Who::OutsiderViaOwnOrganisation,
    Who::OtherChampionViaOwnReview,
];

/// How a request ended, as far as authorisation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Not refused: done, or told what is wrong with the (empty) input.
    Allowed,
    /// 401, or a redirect to the sign-in page.
    SignIn,
    /// 403.
    Forbidden,
    /// 404, or 410 for a link that is not one.
    NotFound,
}

/// What `who` should get from `route`.
fn expected(route: &RouteInfo, who: Who) -> Outcome {
    use Outcome::{Allowed, Forbidden, NotFound, SignIn};
    if let Some(outcome) = exception(route, who) {
        return outcome;
    }
    let scoped = matches!(
        route.access,
        Access::OrgMember | Access::OrgAdmin | Access::ReviewCreator | Access::ReviewRunner
    );
    let names_target = |own: &str| {
        TARGET_IDS
            .iter()
            .any(|id| *id != own && route.path.contains(id))
    };
    match who {
        // Their own organisation or review, but something of the target's in it: not found.
        Who::OutsiderViaOwnOrganisation if scoped && names_target("{org_id}") => return NotFound,
        Who::OutsiderViaOwnOrganisation if scoped => return Allowed,
        Who::OutsiderViaOwnOrganisation => return expected(route, Who::OutsideAdmin),
        Who::OtherChampionViaOwnReview if route.access != Access::ReviewRunner => {
            return expected(route, Who::OtherChampion);
        }
        Who::OtherChampionViaOwnReview if names_target("{review_id}") => return NotFound,
        Who::OtherChampionViaOwnReview => return Allowed,
        _ => {}
    }
    let signed_in = !matches!(
        who,
        Who::Anonymous | Who::Participant | Who::OtherParticipant
    );
    let one_of = |allowed: &[Who]| {
        if allowed.contains(&who) {
            Allowed
        } else {
            Forbidden
        }
    };
    match route.access {
        // Every request here comes straight from this machine, which monitoring may use.
        Access::Public | Access::Operator => Allowed,
        Access::SecretLink if holds_link(route, who) => Allowed,
        Access::SecretLink => NotFound,
        _ if !signed_in => SignIn,
        // The token in the path is one of the target admin's: theirs to revoke, nobody else's.
        Access::SignedIn if route.path.contains("{token_id}") => {
            if who == Who::Admin {
                Allowed
            } else {
                NotFound
            }
        }
        Access::SignedIn => Allowed,
        Access::NetworkAdmin => one_of(&[Who::NetworkAdmin]),
        // Another organisation's pages do not exist for an outsider.
        _ if who == Who::OutsideAdmin => NotFound,
        Access::OrgMember => Allowed,
        Access::OrgAdmin => one_of(&[Who::Admin, Who::NetworkAdmin]),
        Access::ReviewCreator => one_of(&[Who::Champion, Who::OtherChampion, Who::Admin]),
        Access::ReviewRunner => one_of(&[Who::Champion, Who::Admin]),
    }
}

/// Who gets what instead, on one route.
type Exception = (&'static str, &'static str, &'static [(Who, Outcome)]);

/// Routes whose handler decides more finely than their access says: who gets what instead.
const EXCEPTIONS: [Exception; 1] = [
    // A job shows to admins and to the runners of its review (A); to other members it does
    // not exist.
    (
        "GET",
        "/api/v1/organisations/{org_id}/jobs/{job_id}",
        &[
            (Who::OtherChampion, Outcome::NotFound),
            (Who::BoardViewer, Outcome::NotFound),
        ],
    ),
];

fn exception(route: &RouteInfo, who: Who) -> Option<Outcome> {
    EXCEPTIONS
        .iter()
        .filter(|(method, path, _)| *method == route.method && *path == route.path)
        .flat_map(|(_, _, cells)| cells.iter())
        .find(|(w, _)| *w == who)
        .map(|(_, outcome)| *outcome)
}

/// Routes that take a personal questionnaire link: each participant holds their own. Nobody
/// holds any other secret link (invitations, password resets, open links), so those get a
/// made-up secret.
const PERSONAL_LINK_ROUTES: [&str; 3] = [
    "/q/{token}",
    "/api/v1/questionnaires/{token}",
    "/api/v1/questionnaires/{token}/responses",
];

/// Routes that take a personal date poll link: each participant holds one for their review's
/// poll too.
const POLL_LINK_ROUTES: [&str; 2] = [
    "/api/v1/date-polls/{token}",
    "/api/v1/date-polls/{token}/answers",
];

fn holds_link(route: &RouteInfo, who: Who) -> bool {
    matches!(who, Who::Participant | Who::OtherParticipant)
        && (PERSONAL_LINK_ROUTES.contains(&route.path.as_str())
            || POLL_LINK_ROUTES.contains(&route.path.as_str()))
}

/// Routes that end something later requests need (the questionnaire, the session), visited
/// last and in this order.
const LAST: [&str; 3] = [
    "/questionnaire/close",
    "/questionnaire/release",
    "/sign-out",
];

/// Path parameters naming something of the target organisation.
const TARGET_IDS: [&str; 8] = [
    "{review_id}",
    "{item_id}",
    "{user_id}",
    "{division_id}",
    "{invitation_id}",
    "{participant_id}",
    "{message_id}",
    "{job_id}",
];

/// Path parameters naming something a request may use up (remove, revoke, retry): each such
/// request gets a new one.
const USED_UP: [&str; 7] = [
    "{item_id}",
    "{user_id}",
    "{division_id}",
    "{invitation_id}",
    "{participant_id}",
    "{token_id}",
    "{job_id}",
];

/// API bodies that pass validation, for routes that read the body before looking up the thing in
/// the path (an empty body would be refused before the check that matters). Others get `{}`.
const BODIES: [(&str, &str, &str); 1] = [(
    "PUT",
    "/api/v1/organisations/{org_id}/members/{user_id}/roles",
    r#"{"roles": ["champion"]}"#,
)];

/// Things of the target that must never show in a refused answer.
const SECRETS: [&str; 6] = [
    "Target Hospitals",
    "TGT01",
    "target-admin@trust.nhs.uk",
    "Secret theatres review",
    "target-participant@trust.nhs.uk",
    "target-member@trust.nhs.uk",
];

/// Things of review A that only its runners, the organisation's admins and (on the
/// questionnaire) its participants may see.
const REVIEW_SECRETS: [&str; 2] = ["Secret theatres review", "target-participant@trust.nhs.uk"];

/// Whether `who` may see review A's details where a route lets them in at all. Network admins
/// may: they read every organisation's outbox, which holds the invitations.
fn sees_review(who: Who) -> bool {
    matches!(
        who,
        Who::Participant | Who::Champion | Who::Admin | Who::NetworkAdmin
    )
}

/// One person with what they carry: cookies, a form key, an API token, a personal link.
struct Visitor {
    who: Who,
    client: reqwest::Client,
    csrf: String,
    bearer: Option<String>,
    link: Option<String>,
    /// Their personal date poll link, if they hold one.
    poll_link: Option<String>,
    /// Their own organisation or review, put in the path instead of the target's.
    own_org: Option<OrganisationId>,
    own_review: Option<ReviewId>,
}

/// The target organisation, its review A, and ids that exist in them.
struct Target {
    org: OrganisationId,
    review: ReviewId,
    admin: UserId,
    admin_token: String,
    member: UserId,
    division: i64,
    job: i64,
    message: i64,
}

static FRESH: AtomicU32 = AtomicU32::new(0);

impl Target {
    /// `route`'s path for `visitor`, with a new thing for each parameter a post may use up.
    async fn path(&self, app: &TestApp, route: &RouteInfo, visitor: &Visitor) -> String {
        let fresh = route.method != "GET";
        let org = visitor.own_org.unwrap_or(self.org);
        let review = visitor.own_review.unwrap_or(self.review);
        let mut path = route
            .path
            .replace("{org_id}", &org.to_string())
            .replace("{review_id}", &review.to_string())
            .replace("{message_id}", &self.message.to_string())
            .replace("{kind}", "invitation")
            .replace("{session}", "1")
            .replace("{card_id}", "scenario:agency-nurses")
            .replace("{version_id}", "1")
            .replace("{file}", "app.css");
        let link = if POLL_LINK_ROUTES.contains(&route.path.as_str()) {
            &visitor.poll_link
        } else {
            &visitor.link
        };
        let token = match link {
            Some(link) if holds_link(route, visitor.who) => link.as_str(),
            _ => "not-a-real-secret",
        };
        path = path.replace("{token}", token);
        for param in USED_UP {
            if !path.contains(param) {
                continue;
            }
            let id = if fresh {
                self.new_thing(app, param).await
            } else {
                match param {
                    "{user_id}" => self.member.0,
                    "{division_id}" => self.division,
                    "{job_id}" => self.job,
                    other => panic!("{} {}: no lasting {other}", route.method, route.path),
                }
            };
            path = path.replace(param, &id.to_string());
        }
        path
    }

    /// Makes a new member, division, invitation, participant, token of the admin, failed job or
    /// captured note.
    async fn new_thing(&self, app: &TestApp, param: &str) -> i64 {
        let n = FRESH.fetch_add(1, Ordering::SeqCst);
        let email = format!("spare{n}@trust.nhs.uk");
        match param {
            "{user_id}" => app.member(self.org, &email, &[Role::Champion]).await.id.0,
            "{division_id}" => {
                let name = DivisionName::parse(&format!("Division {n}")).unwrap();
                app.store
                    .create_division(self.org, &name)
                    .await
                    .unwrap()
                    .id
                    .0
            }
            "{invitation_id}" => {
                let path = format!("/api/v1/organisations/{}/invitations", self.org);
                let body = json!({ "email": email, "roles": ["champion"] });
                post_json(app, &self.admin_token, &path, &body).await["id"]
                    .as_i64()
                    .unwrap()
            }
            "{participant_id}" => {
                let person = NewParticipant {
                    name: PersonName::parse("Spare Participant").unwrap(),
                    email: EmailAddress::parse(&email).unwrap(),
                    profession: ProfessionGroup::Nursing,
                    division: None,
                    role_level: RoleLevel::Middle,
                };
                app.store
                    .add_participants(self.org, self.review, &[person])
                    .await
                    .unwrap();
                let people = app
                    .store
                    .list_participants(self.org, self.review)
                    .await
                    .unwrap();
                people.iter().find(|p| p.email == email).unwrap().id.0
            }
            "{token_id}" => {
                let (token, _) = app
                    .store
                    .create_api_token(self.admin, "spare")
                    .await
                    .unwrap();
                token.id.0
            }
            "{job_id}" => {
                let job =
                    NewJob::now("send_reminders", "0".into()).about(self.org, Some(self.review));
                let id = app.store.enqueue_job(&job).await.unwrap().unwrap().0;
                app.sql(&format!(
                    "UPDATE jobs SET state = 'failed', attempts = max_attempts WHERE id = {id}"
                ))
                .await;
                id
            }
            "{item_id}" => {
                app.store
                    .add_capture_item(self.org, self.review, 1, "theme", "A spare note")
                    .await
                    .unwrap()
                    .unwrap()
                    .0
            }
            other => panic!("cannot make {other}"),
        }
    }
}

/// Counts of what a refused request must not change.
async fn fingerprint(conn: &mut sqlx::AnyConnection) -> Vec<i64> {
    const TABLES: [&str; 15] = [
        "users",
        "organisations",
        "memberships",
        "invitations",
        "divisions",
        "api_tokens",
        "reviews",
        "participants",
        "responses",
        "jobs",
        "outbox",
        "email_templates",
        "readiness_items",
        "review_sessions",
        "capture_items",
    ];
    let mut columns: Vec<String> = TABLES
        .iter()
        .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
        .collect();
    columns.push("(SELECT COUNT(*) FROM reviews WHERE open_link_hash IS NOT NULL)".into());
    columns.push("(SELECT COUNT(*) FROM reviews WHERE questionnaire_state = 'open')".into());
    columns.push("(SELECT COUNT(*) FROM jobs WHERE state = 'failed')".into());
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}",
        columns.join(", ")
    )))
    .fetch_one(conn)
    .await
    .unwrap();
    (0..columns.len()).map(|i| row.get::<i64, _>(i)).collect()
}

/// Sends `route`'s request as `visitor`: cookies and the form key for pages, the bearer token
/// for the API, and an empty body.
async fn send(
    app: &TestApp,
    visitor: &Visitor,
    route: &RouteInfo,
    path: &str,
) -> reqwest::Response {
    let url = app.url(path);
    let client = &visitor.client;
    let mut builder = match route.method {
        "GET" => client.get(&url),
        "POST" => client.post(&url),
        "PUT" => client.put(&url),
        "DELETE" => client.delete(&url),
        other => panic!("unexpected method {other}"),
    };
    if route.api {
        if let Some(token) = &visitor.bearer {
            builder = builder.bearer_auth(token);
        }
        let body = BODIES
            .iter()
            .find(|(method, path, _)| *method == route.method && *path == route.path)
            .map_or("{}", |(_, _, body)| body);
        builder = builder
            .header("content-type", "application/json")
            .body(body);
    } else if route.method == "POST" {
        builder = builder.form(&[("csrf_token", visitor.csrf.as_str())]);
    }
    builder.send().await.unwrap()
}

/// The body, or for an event stream (which never ends by itself) its first chunk.
async fn body_of(mut response: reqwest::Response) -> String {
    let streaming = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !streaming {
        return response.text().await.unwrap();
    }
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), response.chunk())
        .await
        .expect("an event stream sends its first event at once")
        .unwrap()
        .unwrap_or_default();
    String::from_utf8_lossy(&first).into_owned()
}

fn outcome_of(response: &reqwest::Response) -> Option<Outcome> {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    match status {
        500.. => None,
        401 => Some(Outcome::SignIn),
        300..=399 if location.starts_with("/sign-in") => Some(Outcome::SignIn),
        403 => Some(Outcome::Forbidden),
        404 | 410 => Some(Outcome::NotFound),
        _ => Some(Outcome::Allowed),
    }
}

/// Posts `body` to the API as the holder of `token`, which must succeed; returns the answer.
async fn post_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// The review `title` of `champion`, with one participant, its questionnaire open: returns the
/// review and the participant's link.
async fn open_review(
    app: &TestApp,
    org: OrganisationId,
    champion: &str,
    title: &str,
    participant: &str,
) -> (ReviewId, String) {
    let token = app.api_token(champion).await;
    let reviews = format!("/api/v1/organisations/{org}/reviews");
    let review = json!({ "title": title, "scope": "Theatres", "focus_areas": ["workforce"] });
    let id = post_json(app, &token, &reviews, &review).await["id"]
        .as_i64()
        .unwrap();
    let person = json!({ "name": "Pat", "email": participant, "profession": "nursing",
        "division": "", "role_level": "middle" });
    for (action, body) in [
        ("participants", json!({ "participants": [person] })),
        ("questionnaire/open", json!({})),
    ] {
        post_json(app, &token, &format!("{reviews}/{id}/{action}"), &body).await;
    }
    app.run_jobs().await;
    let link = app
        .questionnaire_links(org)
        .await
        .into_iter()
        .find(|(to, _)| to == participant)
        .unwrap()
        .1;
    (ReviewId(id), link.trim_start_matches("/q/").to_owned())
}

/// Starts a date poll for `review` and gives both sessions a time (so every session route has
/// something to show); returns the poll link of the participant `email`.
async fn plan_sessions(
    app: &TestApp,
    org: OrganisationId,
    review: ReviewId,
    by: UserId,
    email: &str,
) -> String {
    let day = 86_400;
    let start = commonground_store::now() + 20 * day;
    let poll = NewPoll {
        location: "Seminar room 2".into(),
        message: String::new(),
        answer_by: start - 5 * day,
        slots: vec![
            (1, start, start + 7200),
            (2, start + 7 * day, start + 7 * day + 7200),
        ],
        guests: Vec::new(),
    };
    app.store
        .create_poll(org, review, &poll, by)
        .await
        .unwrap()
        .unwrap();
    let times: Vec<SessionTime> = poll
        .slots
        .iter()
        .map(|(number, starts_at, ends_at)| SessionTime {
            number: *number,
            starts_at: *starts_at,
            ends_at: *ends_at,
            location: poll.location.clone(),
            sequence: 1,
        })
        .collect();
    assert!(
        app.store
            .schedule_sessions(org, review, &times, &[])
            .await
            .unwrap()
    );
    let poll = app.store.poll(org, review).await.unwrap().unwrap();
    poll.invitees
        .into_iter()
        .find(|i| i.email == email)
        .and_then(|i| i.token)
        .unwrap()
}

/// A signed-in visitor with their form key and API token.
async fn signed_in(app: &TestApp, who: Who, email: &str) -> Visitor {
    let client = app.signed_in(email).await;
    let page = client.get(app.url("/account")).send().await.unwrap();
    let csrf = csrf_token(&page.text().await.unwrap());
    Visitor {
        who,
        client,
        csrf,
        bearer: Some(app.api_token(email).await),
        link: None,
        poll_link: None,
        own_org: None,
        own_review: None,
    }
}

/// A visitor without an account, who may hold a personal link (and tries it as an API token).
async fn without_account(app: &TestApp, who: Who, link: Option<String>) -> Visitor {
    let client = app.client();
    let page = client.get(app.url("/sign-in")).send().await.unwrap();
    let csrf = csrf_token(&page.text().await.unwrap());
    Visitor {
        who,
        client,
        csrf,
        bearer: link.clone(),
        link,
        poll_link: None,
        own_org: None,
        own_review: None,
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_person_as_the_table_says() {
    let app = TestApp::spawn().await;
    let target = app.organisation("Target Hospitals", "TGT01").await;
    let admin = app
        .member(target.id, "target-admin@trust.nhs.uk", &[Role::OrgAdmin])
        .await;
    let member = app
        .member(target.id, "target-member@trust.nhs.uk", &[Role::Champion])
        .await;
    for (email, role) in [
        ("champion@trust.nhs.uk", Role::Champion),
        ("other-champion@trust.nhs.uk", Role::Champion),
        ("board@trust.nhs.uk", Role::BoardViewer),
    ] {
        app.member(target.id, email, &[role]).await;
    }
    let division = DivisionName::parse("Surgery").unwrap();
    let division = app
        .store
        .create_division(target.id, &division)
        .await
        .unwrap();
    let (review, link) = open_review(
        &app,
        target.id,
        "champion@trust.nhs.uk",
        "Secret theatres review",
        "target-participant@trust.nhs.uk",
    )
    .await;
    let (other_review, other_link) = open_review(
        &app,
        target.id,
        "other-champion@trust.nhs.uk",
        "Wards review",
        "other-participant@trust.nhs.uk",
    )
    .await;
    let poll_link = plan_sessions(
        &app,
        target.id,
        review,
        admin.id,
        "target-participant@trust.nhs.uk",
    )
    .await;
    let other_poll_link = plan_sessions(
        &app,
        target.id,
        other_review,
        admin.id,
        "other-participant@trust.nhs.uk",
    )
    .await;
    let job = NewJob::now("send_reminders", "0".into()).about(target.id, Some(review));
    let job = app.store.enqueue_job(&job).await.unwrap().unwrap();
    let message = app
        .store
        .list_outbox(OutboxScope::Organisation(target.id), 1, 0)
        .await
        .unwrap()[0]
        .id;
    let elsewhere = app.organisation("Elsewhere Health Board", "ELS01").await;
    app.member(
        elsewhere.id,
        "outsider@nhs.net",
        &[Role::OrgAdmin, Role::Champion, Role::BoardViewer],
    )
    .await;
    app.network_admin("network@nhs.net").await;

    let mut visitors = Vec::new();
    for who in EVERYONE {
        let visitor = match who {
            Who::Anonymous => without_account(&app, who, None).await,
            Who::Participant => Visitor {
                poll_link: Some(poll_link.clone()),
                ..without_account(&app, who, Some(link.clone())).await
            },
            Who::OtherParticipant => Visitor {
                poll_link: Some(other_poll_link.clone()),
                ..without_account(&app, who, Some(other_link.clone())).await
            },
            Who::Champion => signed_in(&app, who, "champion@trust.nhs.uk").await,
            Who::OtherChampion => signed_in(&app, who, "other-champion@trust.nhs.uk").await,
            Who::BoardViewer => signed_in(&app, who, "board@trust.nhs.uk").await,
            Who::Admin => signed_in(&app, who, "target-admin@trust.nhs.uk").await,
            Who::OutsideAdmin => signed_in(&app, who, "outsider@nhs.net").await,
            Who::NetworkAdmin => signed_in(&app, who, "network@nhs.net").await,
            Who::OutsiderViaOwnOrganisation => Visitor {
                own_org: Some(elsewhere.id),
                ..signed_in(&app, who, "outsider@nhs.net").await
            },
            Who::OtherChampionViaOwnReview => Visitor {
                own_review: Some(other_review),
                ..signed_in(&app, who, "other-champion@trust.nhs.uk").await
            },
        };
        visitors.push(visitor);
    }
    let admin_token = visitors
        .iter()
        .find(|v| v.who == Who::Admin)
        .and_then(|v| v.bearer.clone())
        .unwrap();
    let target = Target {
        org: target.id,
        review,
        admin: admin.id,
        admin_token,
        member: member.id,
        division: division.id.0,
        job: job.0,
        message: message.0,
    };

    let mut table = route_table();
    for (method, path, _) in &EXCEPTIONS {
        assert!(
            table.iter().any(|r| r.method == *method && r.path == *path),
            "the exception {method} {path} names no route"
        );
    }
    for (method, path, _) in &BODIES {
        assert!(
            table.iter().any(|r| r.method == *method && r.path == *path),
            "the body for {method} {path} names no route"
        );
    }
    for path in PERSONAL_LINK_ROUTES.into_iter().chain(POLL_LINK_ROUTES) {
        assert!(table.iter().any(|r| r.path == path), "no route {path}");
    }
    table.sort_by_key(|r| {
        LAST.iter()
            .position(|suffix| r.path.ends_with(suffix))
            .map_or(0, |i| i + 1)
    });
    let mut conn = app.connection().await;
    let mut wrong = Vec::new();
    let mut cells = 0;
    let mut allowed = 0;
    for route in &table {
        for visitor in &visitors {
            let expect = expected(route, visitor.who);
            allowed += usize::from(expect == Outcome::Allowed);
            let path = target.path(&app, route, visitor).await;
            let before = if expect == Outcome::Allowed {
                Vec::new()
            } else {
                fingerprint(&mut conn).await
            };
            let response = send(&app, visitor, route, &path).await;
            let status = response.status().as_u16();
            let got = outcome_of(&response);
            let body = body_of(response).await;
            cells += 1;
            let cell = format!("{} {path} as {:?}", route.method, visitor.who);
            if got != Some(expect) {
                wrong.push(format!("{cell}: expected {expect:?}, got {status}"));
                continue;
            }
            if expect == Outcome::Allowed {
                if !sees_review(visitor.who)
                    && let Some(secret) = REVIEW_SECRETS.iter().find(|s| body.contains(*s))
                {
                    wrong.push(format!(
                        "{cell}: shows {secret:?} of a review they do not run"
                    ));
                }
                continue;
            }
            if let Some(secret) = SECRETS.iter().find(|s| body.contains(*s)) {
                wrong.push(format!("{cell}: refused, but shows {secret:?}"));
            }
            if fingerprint(&mut conn).await != before {
                wrong.push(format!("{cell}: refused, but changed the database"));
            }
        }
    }
    println!(
        "authorisation matrix: {} routes x {} kinds of person = {cells} cells, {allowed} allowed \
         and {} refused",
        table.len(),
        EVERYONE.len(),
        cells - allowed
    );
    assert!(
        wrong.is_empty(),
        "{} wrong cells:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        table.len() > 80,
        "the table lists every route: {}",
        table.len()
    );
    assert_eq!(cells, table.len() * EVERYONE.len());
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&target.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the target admin's token still works");
}
