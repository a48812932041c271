//! The outbox: every email the product sends, stored in the same transaction as its cause.
//!
//! With no SMTP server configured the outbox is the delivery: admins read messages in the app.

use commonground_domain::{JobId, OrganisationId, OutboxMessageId, ParticipantId, ReviewId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::deliveries::DELIVER_EMAIL;
use crate::jobs::{NewJob, enqueue as enqueue_job};
use crate::{Result, Store, now};

/// An email to store and send.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    /// The organisation it concerns, if any (password resets concern none).
    pub organisation: Option<OrganisationId>,
    /// The review it concerns, if any.
    pub review: Option<ReviewId>,
    /// The participant it is for, so a refused address is marked on them.
    pub participant: Option<ParticipantId>,
    /// The recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// An iCalendar file sent with it (a session invitation, update or cancellation).
    pub calendar: Option<String>,
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
    /// `stored`, `queued`, `sent`, `rejected` or `failed` (see migration 0004).
    pub status: String,
    /// Why it was not delivered, or why the last attempt failed.
    pub error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<i64>,
    /// An iCalendar file sent with it.
    pub calendar: Option<String>,
}

/// Whose messages a caller may read.
#[derive(Debug, Clone, Copy)]
pub enum OutboxScope {
    /// One organisation's messages (organisation admins).
    Organisation(OrganisationId),
    /// Every message, including those about no organisation (network admins).
    Everything,
}

const COLUMNS: &str = "id, organisation_id, to_email, subject, body_text, body_html, created_at, \
     status, error, sent_at, calendar";

fn message_from_row(row: &AnyRow) -> OutboxMessage {
    OutboxMessage {
        id: OutboxMessageId(row.get(0)),
        organisation: row.get::<Option<i64>, _>(1).map(OrganisationId),
        to: row.get(2),
        subject: row.get(3),
        text: row.get(4),
        html: row.get(5),
        created_at: row.get(6),
        status: row.get(7),
        error: row.get(8),
        sent_at: row.get(9),
        calendar: row.get(10),
    }
}

impl Store {
    /// Stores `email` inside the caller's transaction, made by `job` if a job made it. With SMTP
    /// delivery on, it is queued with a job that delivers it, in the same transaction.
    pub(crate) async fn queue_email(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        email: &OutgoingEmail,
        job: Option<JobId>,
    ) -> Result<OutboxMessageId> {
        let status = if self.smtp_delivery {
            "queued"
        } else {
            "stored"
        };
        let row = sqlx::query(
            "INSERT INTO outbox (organisation_id, to_email, subject, body_text, body_html, created_at, \
             status, participant_id, job_id, calendar) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(email.organisation.map(|o| o.0))
        .bind(&email.to)
        .bind(&email.subject)
        .bind(&email.text)
        .bind(&email.html)
        .bind(now())
        .bind(status)
        .bind(email.participant.map(|p| p.0))
        .bind(job.map(|j| j.0))
        .bind(email.calendar.as_deref())
        .fetch_one(&mut **tx)
        .await?;
        let id = OutboxMessageId(row.get(0));
        if self.smtp_delivery {
            let mut deliver = NewJob::now(DELIVER_EMAIL, id.0.to_string());
            deliver.organisation = email.organisation;
            deliver.review = email.review;
            enqueue_job(tx, &deliver).await?;
        }
        Ok(id)
    }

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
