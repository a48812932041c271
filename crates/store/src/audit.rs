//! The audit log: sensitive actions (role changes, removals, released results, exports,
//! deletions), kept per organisation for its admins. It records who acted, on whom and when;
//! never anything anyone answered.

use commonground_domain::{OrganisationId, UserId};
use sqlx::Row;

use crate::{Result, Store, now};

/// The key of the retention job's deletions, the one action the store records itself.
pub const RETENTION_DELETED: &str = "retention_deleted";

/// One action to record.
#[derive(Debug, Clone, Copy)]
pub struct NewAuditEvent<'a> {
    /// The organisation it belongs to.
    pub organisation: OrganisationId,
    /// Who acted; `None` for the service itself (such as the retention job).
    pub actor: Option<UserId>,
    /// What happened, as a stable key like `roles_changed`.
    pub action: &'a str,
    /// Whom it was about (an email address), if anyone; erased with that person's data.
    pub subject: Option<&'a str>,
    /// Anything else worth knowing, without personal data: new roles, a review's title.
    pub detail: &'a str,
}

/// A recorded action, as admins read it.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Its id, increasing.
    pub id: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who acted: a name, or `None` for the service itself or an account since deleted.
    pub actor: Option<String>,
    /// Whether the service itself acted (rather than a person).
    pub by_service: bool,
    /// What happened.
    pub action: String,
    /// Whom it was about.
    pub subject: Option<String>,
    /// Details.
    pub detail: String,
}

/// Records an action through `executor`: the pool, or a transaction the action is part of.
pub(crate) async fn insert<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    event: &NewAuditEvent<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (organisation_id, actor_id, by_service, action, subject, \
         detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event.organisation.0)
    .bind(event.actor.map(|a| a.0))
    .bind(i64::from(event.actor.is_none()))
    .bind(event.action)
    .bind(event.subject)
    .bind(event.detail)
    .bind(now())
    .execute(executor)
    .await?;
    Ok(())
}

impl Store {
    /// Records an action.
    pub async fn record_audit(&self, event: &NewAuditEvent<'_>) -> Result<()> {
        insert(&self.writer, event).await
    }

    /// An organisation's actions, newest first, at most `limit` after skipping `offset`.
    pub async fn list_audit(
        &self,
        org: OrganisationId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT audit_events.id, audit_events.at, users.name, audit_events.action, \
             audit_events.subject, audit_events.detail, audit_events.by_service \
             FROM audit_events LEFT JOIN users ON users.id = audit_events.actor_id \
             WHERE audit_events.organisation_id = $1 ORDER BY audit_events.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(org.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| AuditEvent {
                id: row.get(0),
                at: row.get(1),
                actor: row.get(2),
                by_service: row.get::<i64, _>(6) != 0,
                action: row.get(3),
                subject: row.get(4),
                detail: row.get(5),
            })
            .collect())
    }
}
