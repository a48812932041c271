//! The outbox: every email the product sends, stored in the same transaction as its cause.
//!
//! With no SMTP server configured the outbox is the delivery: admins read messages in the app.

use commonground_domain::{OrganisationId, OutboxMessageId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, now};

/// An email to store and send.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    /// The organisation it concerns, if any (password resets concern none).
    pub organisation: Option<OrganisationId>,
    /// The recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// A stored message.
#[derive(Debug, Clone)]
pub struct OutboxMessage {
    /// Its id.
    pub id: OutboxMessageId,
    /// The organisation it concerns, if any.
    pub organisation: Option<OrganisationId>,
    /// The recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// When it was stored.
    pub created_at: i64,
}

/// Whose messages a caller may read.
#[derive(Debug, Clone, Copy)]
pub enum OutboxScope {
    /// One organisation's messages (organisation admins).
    Organisation(OrganisationId),
    /// Every message, including those about no organisation (network admins).
    Everything,
}

const COLUMNS: &str = "id, organisation_id, to_email, subject, body_text, body_html, created_at";

fn message_from_row(row: &AnyRow) -> OutboxMessage {
    OutboxMessage {
        id: OutboxMessageId(row.get(0)),
        organisation: row.get::<Option<i64>, _>(1).map(OrganisationId),
        to: row.get(2),
        subject: row.get(3),
        text: row.get(4),
        html: row.get(5),
        created_at: row.get(6),
    }
}

/// Stores `email` inside the caller's transaction.
pub(crate) async fn enqueue(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    email: &OutgoingEmail,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (organisation_id, to_email, subject, body_text, body_html, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(email.organisation.map(|o| o.0))
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Newest messages first, at most `limit`, after skipping `offset`.
    pub async fn list_outbox(
        &self,
        scope: OutboxScope,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let rows = match scope {
            OutboxScope::Organisation(org) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM outbox WHERE organisation_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
                )))
                .bind(org.0)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.reader)
                .await?
            }
            OutboxScope::Everything => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1 OFFSET $2"
                )))
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.reader)
                .await?
            }
        };
        Ok(rows.iter().map(message_from_row).collect())
    }

    /// One message, if it is within `scope`.
    pub async fn get_outbox_message(
        &self,
        scope: OutboxScope,
        id: OutboxMessageId,
    ) -> Result<Option<OutboxMessage>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?;
        let message = row.as_ref().map(message_from_row);
        Ok(message.filter(|m| match scope {
            OutboxScope::Organisation(org) => m.organisation == Some(org),
            OutboxScope::Everything => true,
        }))
    }
}
