//! The outbox: every email sent, for organisation admins (their organisation's) and network
//! admins (all, including password resets).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use commonground_domain::OutboxMessageId;
use commonground_store::outbox::{OutboxMessage, OutboxScope};
use serde::Deserialize;

use super::{Chrome, ListPage, ok};
use crate::dates::date_time;
use crate::error::{AppError, AppResult};
use crate::extractors::{OrgAdmin, Session, SignedIn};
use crate::state::AppState;

/// A row of the outbox list.
pub struct MessageRow {
    id: OutboxMessageId,
    to: String,
    subject: String,
    sent: String,
}

/// A page of the outbox.
#[derive(Template)]
#[template(path = "pages/outbox.html")]
pub struct OutboxPage {
    chrome: Chrome,
    org_id: Option<i64>,
    scope_name: String,
    base: String,
    messages: Vec<MessageRow>,
    page: i64,
    has_more: bool,
}

/// One message.
#[derive(Template)]
#[template(path = "pages/outbox_message.html")]
pub struct OutboxMessagePage {
    chrome: Chrome,
    base: String,
    message: OutboxMessage,
    sent: String,
}

/// `?page=N`, from 1.
#[derive(Deserialize)]
pub struct PageQuery {
    /// The page number.
    pub page: Option<i64>,
}

async fn outbox_page(
    state: &AppState,
    session: &Session,
    scope: OutboxScope,
    scope_name: String,
    base: String,
    page: Option<i64>,
) -> AppResult<Response> {
    let page = ListPage::asked(page);
    let (limit, offset) = page.limit_offset();
    let mut messages = state.store.list_outbox(scope, limit, offset).await?;
    let has_more = page.keep(&mut messages);
    let org_id = match scope {
        OutboxScope::Organisation(id) => Some(id.0),
        OutboxScope::Everything => None,
    };
    Ok(ok(OutboxPage {
        chrome: Chrome::new(session, "Outbox"),
        org_id,
        scope_name,
        base,
        messages: messages
            .into_iter()
            .map(|m| MessageRow {
                id: m.id,
                to: m.to,
                subject: m.subject,
                sent: date_time(m.created_at),
            })
            .collect(),
        page: page.number,
        has_more,
    }))
}

async fn message_page(
    state: &AppState,
    session: &Session,
    scope: OutboxScope,
    base: String,
    id: i64,
) -> AppResult<Response> {
    let message = state
        .store
        .get_outbox_message(scope, OutboxMessageId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ok(OutboxMessagePage {
        chrome: Chrome::new(session, message.subject.clone()),
        base,
        sent: date_time(message.created_at),
        message,
    }))
}

/// `GET /organisations/{org_id}/outbox`
pub async fn list_organisation_outbox(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let base = format!("/organisations/{}/outbox", admin.org.id);
    let scope = OutboxScope::Organisation(admin.org.id);
    outbox_page(
        &state,
        &admin.caller.session,
        scope,
        admin.org.name.clone(),
        base,
        query.page,
    )
    .await
}

/// `GET /organisations/{org_id}/outbox/{message_id}`
pub async fn show_organisation_outbox_message(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<SignedIn>,
    Path((_, message_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let base = format!("/organisations/{}/outbox", admin.org.id);
    let scope = OutboxScope::Organisation(admin.org.id);
    message_page(&state, &admin.caller.session, scope, base, message_id).await
}

/// `GET /outbox` (network admins)
pub async fn list_outbox(
    State(state): State<AppState>,
    me: SignedIn,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    if !me.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    outbox_page(
        &state,
        &me.session,
        OutboxScope::Everything,
        String::new(),
        "/outbox".into(),
        query.page,
    )
    .await
}

/// `GET /outbox/{message_id}` (network admins)
pub async fn show_outbox_message(
    State(state): State<AppState>,
    me: SignedIn,
    Path(message_id): Path<i64>,
) -> AppResult<Response> {
    if !me.user.is_network_admin {
        return Err(AppError::Forbidden);
    }
    message_page(
        &state,
        &me.session,
        OutboxScope::Everything,
        "/outbox".into(),
        message_id,
    )
    .await
}
