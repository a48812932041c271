//! The audit log page: an organisation's sensitive actions, newest first (organisation admins).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use commonground_store::audit::AuditEvent;

use super::outbox::PageQuery;
use super::{Chrome, ListPage, ok};
use crate::audit::Action;
use crate::dates::date_time;
use crate::error::AppResult;
use crate::extractors::{OrgAdmin, SignedIn};
use crate::state::AppState;

/// A row of the log.
pub struct AuditRow {
    when: String,
    who: String,
    what: String,
    about: String,
    detail: String,
}

/// The audit log.
#[derive(Template)]
#[template(path = "pages/audit.html")]
pub struct AuditPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    rows: Vec<AuditRow>,
    page: i64,
    has_more: bool,
}

/// Who acted, as people read it.
#[must_use]
pub fn actor_name(event: &AuditEvent) -> String {
    match (&event.actor, event.by_service) {
        (_, true) => "commonground (automatic)".to_owned(),
        (Some(name), false) => name.clone(),
        (None, false) => "A deleted account".to_owned(),
    }
}

/// `GET /organisations/{org_id}/audit`
pub async fn list_audit(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let page = ListPage::asked(query.page);
    let (limit, offset) = page.limit_offset();
    let mut events = state.store.list_audit(admin.org.id, limit, offset).await?;
    let has_more = page.keep(&mut events);
    let rows = events
        .iter()
        .map(|e| AuditRow {
            when: date_time(e.at),
            who: actor_name(e),
            what: Action::label_of(&e.action).to_owned(),
            about: e.subject.clone().unwrap_or_default(),
            detail: e.detail.clone(),
        })
        .collect();
    Ok(ok(AuditPage {
        chrome: Chrome::new(&admin.caller.session, "Audit log"),
        org_id: admin.org.id.0,
        org_name: admin.org.name.clone(),
        rows,
        page: page.number,
        has_more,
    }))
}
