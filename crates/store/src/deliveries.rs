//! Delivering stored emails over SMTP: one `deliver_email` job per message.
//!
//! The job and the message's status change in one transaction, fenced by the job's attempt (see
//! `store::jobs`), so a delivery is recorded once. The SMTP server's acceptance cannot join that
//! transaction: the worker records the delivery right after the server accepts the message, and
//! only a crash between the two (a few milliseconds) makes the next worker send it again. A
//! message the server never accepted (the process died mid-conversation) is simply sent later.

use commonground_domain::{OrganisationId, OutboxMessageId, ReviewId};
use sqlx::Row;

use crate::jobs::{ClaimedJob, finish};
use crate::outbox::OutboxMessage;
use crate::{Result, Store, now};

/// The kind of the job that delivers one message.
pub const DELIVER_EMAIL: &str = "deliver_email";

/// What the SMTP server did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted.
    Sent,
    /// Refused the recipient for good, with the server's reason.
    Rejected(String),
}

/// Emails of a review waiting for a retry because delivery failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retrying {
    /// How many.
    pub count: i64,
    /// When the next try is (Unix seconds).
    pub next_try: Option<i64>,
    /// The latest error.
    pub error: Option<String>,
}

impl Store {
    /// The message a `deliver_email` job delivers, if it still waits for delivery.
    pub async fn message_to_deliver(&self, id: OutboxMessageId) -> Result<Option<OutboxMessage>> {
        let message = self
            .get_outbox_message(crate::outbox::OutboxScope::Everything, id)
            .await?;
        Ok(message.filter(|m| m.status == "queued"))
    }

    /// Records what the server did and finishes the job, in one transaction; false (and nothing
    /// recorded) if the job's claim was lost.
    pub async fn record_delivery(
        &self,
        job: &ClaimedJob,
        message: OutboxMessageId,
        outcome: &Delivery,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !finish(&mut tx, job).await? {
            return Ok(false);
        }
        let (status, error) = match outcome {
            Delivery::Sent => ("sent", None),
            Delivery::Rejected(reason) => ("rejected", Some(reason.as_str())),
        };
        sqlx::query("UPDATE outbox SET status = $1, error = $2, sent_at = $3 WHERE id = $4")
            .bind(status)
            .bind(error)
            .bind(matches!(outcome, Delivery::Sent).then(now))
            .bind(message.0)
            .execute(&mut *tx)
            .await?;
        if let Some(reason) = error {
            sqlx::query(
                "UPDATE participants SET email_problem = $1 WHERE id = \
                 (SELECT participant_id FROM outbox WHERE id = $2)",
            )
            .bind(reason)
            .bind(message.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Notes why the last try failed on a message that will be tried again.
    pub async fn note_delivery_error(&self, message: OutboxMessageId, error: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE outbox SET error = $1 WHERE id = $2 AND status = 'queued'")
            .bind(error)
            .bind(message.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A review's emails that failed to go and wait for another try.
    pub async fn retrying_emails(&self, org: OrganisationId, review: ReviewId) -> Result<Retrying> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(run_at), MAX(last_error) FROM jobs WHERE organisation_id = $1 \
             AND review_id = $2 AND kind = $3 AND state = 'queued' AND last_error IS NOT NULL",
        )
        .bind(org.0)
        .bind(review.0)
        .bind(DELIVER_EMAIL)
        .fetch_one(&self.reader)
        .await?;
        Ok(Retrying {
            count: row.get(0),
            next_try: row.get(1),
            error: row.get(2),
        })
    }
}

impl Store {
    /// Tries a review's waiting and failed emails again now (a champion's "try again now"); how
    /// many were queued.
    pub async fn retry_review_emails(&self, org: OrganisationId, review: ReviewId) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', run_at = $1, attempts = CASE WHEN state = 'failed' \
             THEN 0 ELSE attempts END, finished_at = NULL WHERE organisation_id = $2 AND review_id = $3 \
             AND kind = $4 AND (state = 'failed' OR (state = 'queued' AND last_error IS NOT NULL))",
        )
        .bind(now())
        .bind(org.0)
        .bind(review.0)
        .bind(DELIVER_EMAIL)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET status = 'queued' WHERE status = 'failed' AND id IN (SELECT \
             CAST(payload AS BIGINT) FROM jobs WHERE organisation_id = $1 AND review_id = $2 \
             AND kind = $3 AND state = 'queued')",
        )
        .bind(org.0)
        .bind(review.0)
        .bind(DELIVER_EMAIL)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}
