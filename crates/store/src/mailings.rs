//! Emails a review sends to many participants at once (invitations, reminders, thanks), each
//! run as one job that works through its recipients in batches.
//!
//! A batch is one transaction that also checks the job still holds its claim, so if the worker
//! dies the next claim carries on where the last committed batch ended: invitations go to those
//! without a link yet, reminders and thanks to those this job has not emailed yet (the outbox
//! records which job made each email). Nobody is emailed twice by one job.

use commonground_domain::email_template::{EmailKind, EmailTemplate};
use commonground_domain::review::QuestionnaireState;
use commonground_domain::{JobId, OrganisationId, ParticipantId, ReviewId};
use sqlx::Row;

use crate::jobs::{ClaimedJob, NewJob, enqueue as enqueue_job};
use crate::outbox::OutgoingEmail;
use crate::participants::{PARTICIPANT_COLUMNS, Participant, participant_from_row};
use crate::{NewSecret, Result, Store, now, review_in};

/// The job that emails every participant without a link their invitation.
pub const SEND_INVITATIONS: &str = "send_invitations";
/// The job that reminds those who have not answered.
pub const SEND_REMINDERS: &str = "send_reminders";
/// The job that thanks those who answered, when the questionnaire closes.
pub const SEND_THANKS: &str = "send_thanks";

/// Who a mailing goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Participants who have no personal link yet.
    Uninvited,
    /// Participants with a link who have not answered, invited before the given time, whose
    /// address was not refused.
    NotAnswered {
        /// Only those invited before this time (Unix seconds).
        invited_before: i64,
    },
    /// Participants who answered.
    Answered,
}

/// A participant to email, with their link if they have one.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Who.
    pub participant: Participant,
    /// Their personal link's secret, if kept (see migration 0004).
    pub token: Option<String>,
}

/// An email of a batch: who, a new link for them if they need one, and the message.
pub struct BatchEmail {
    /// Who it is for.
    pub participant: ParticipantId,
    /// A new personal link, for those without one.
    pub new_link: Option<NewSecret>,
    /// The message.
    pub email: OutgoingEmail,
}

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Stored this many emails.
    Queued(usize),
    /// The questionnaire is no longer open: the mailing stops.
    NotOpen,
    /// Another worker holds the job now: this one stops.
    ClaimLost,
}

/// What a review's emails are filled in with.
#[derive(Debug, Clone)]
pub struct MailingContext {
    /// The organisation's name.
    pub organisation: String,
    /// The review's title.
    pub review: String,
    /// Where its questionnaire stands.
    pub state: QuestionnaireState,
    /// The planned close (Unix seconds of the day's midnight).
    pub closes_on: Option<i64>,
    /// The champions' names (or addresses, for those yet to join).
    pub champions: Vec<String>,
}

impl Store {
    /// Queues a reminder to everyone in the review who was invited before `invited_before`, has
    /// not answered and whose address was not refused; `unique_key` makes a scheduled reminder
    /// happen once. `None` when the key was used, or nobody needs a reminder.
    pub async fn queue_reminders(
        &self,
        org: OrganisationId,
        review: ReviewId,
        invited_before: i64,
        unique_key: Option<String>,
    ) -> Result<Option<JobId>> {
        let mut tx = self.begin_write().await?;
        let waiting: i64 = sqlx::query(
            "SELECT COUNT(*) FROM participants JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2 \
             AND reviews.questionnaire_state = 'open' AND participants.link_hash IS NOT NULL \
             AND participants.responded = 0 AND participants.email_problem IS NULL \
             AND participants.erased_at IS NULL \
             AND COALESCE(participants.invited_at, participants.created_at) < $3",
        )
        .bind(review.0)
        .bind(org.0)
        .bind(invited_before)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        if waiting == 0 {
            return Ok(None);
        }
        let mut job =
            NewJob::now(SEND_REMINDERS, invited_before.to_string()).about(org, Some(review));
        job.unique_key = unique_key;
        job.progress_total = waiting;
        let id = enqueue_job(&mut tx, &job).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A review's names and dates for its emails; `None` when `org` has no such review.
    pub async fn mailing_context(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Option<MailingContext>> {
        let row = sqlx::query(
            "SELECT organisations.name, reviews.title, reviews.questionnaire_state, reviews.closes_on, \
             COALESCE(clinical.name, reviews.clinical_champion_email), \
             COALESCE(finance.name, reviews.finance_champion_email) \
             FROM reviews JOIN organisations ON organisations.id = reviews.organisation_id \
             LEFT JOIN users clinical ON clinical.id = reviews.clinical_champion_id \
             LEFT JOIN users finance ON finance.id = reviews.finance_champion_id \
             WHERE reviews.id = $1 AND reviews.organisation_id = $2",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.and_then(|row| {
            Some(MailingContext {
                organisation: row.get(0),
                review: row.get(1),
                state: QuestionnaireState::parse(&row.get::<String, _>(2)).ok()?,
                closes_on: row.get(3),
                champions: [row.get::<Option<String>, _>(4), row.get(5)]
                    .into_iter()
                    .flatten()
                    .collect(),
            })
        }))
    }

    /// A review's own wording for `kind`, if champions changed it.
    pub async fn email_template(
        &self,
        org: OrganisationId,
        review: ReviewId,
        kind: EmailKind,
    ) -> Result<Option<EmailTemplate>> {
        let row = sqlx::query(
            "SELECT email_templates.subject, email_templates.body FROM email_templates \
             JOIN reviews ON reviews.id = email_templates.review_id \
             WHERE email_templates.review_id = $1 AND reviews.organisation_id = $2 AND email_templates.kind = $3",
        )
        .bind(review.0)
        .bind(org.0)
        .bind(kind.as_str())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|row| EmailTemplate {
            subject: row.get(0),
            body: row.get(1),
        }))
    }

    /// Saves a review's wording for `kind` (validated by the caller), or with `None` goes back
    /// to the default; false when `org` has no such review.
    pub async fn set_email_template(
        &self,
        org: OrganisationId,
        review: ReviewId,
        kind: EmailKind,
        template: Option<&EmailTemplate>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(false);
        }
        sqlx::query("DELETE FROM email_templates WHERE review_id = $1 AND kind = $2")
            .bind(review.0)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
        if let Some(template) = template {
            sqlx::query(
                "INSERT INTO email_templates (review_id, kind, subject, body, updated_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(review.0)
            .bind(kind.as_str())
            .bind(&template.subject)
            .bind(&template.body)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The next `limit` recipients of a mailing that `job` has not emailed yet.
    pub async fn next_recipients(
        &self,
        job: &ClaimedJob,
        org: OrganisationId,
        review: ReviewId,
        audience: Audience,
        limit: i64,
    ) -> Result<Vec<Recipient>> {
        let condition = match audience {
            Audience::Uninvited => "participants.link_hash IS NULL",
            Audience::NotAnswered { .. } => {
                "participants.link_hash IS NOT NULL AND participants.responded = 0 \
                 AND participants.email_problem IS NULL \
                 AND COALESCE(participants.invited_at, participants.created_at) < $5"
            }
            Audience::Answered => "participants.responded = 1",
        };
        let invited_before = match audience {
            Audience::NotAnswered { invited_before } => invited_before,
            _ => 0,
        };
        // Batches go in participant order and each commits whole, so the highest participant
        // this job has emailed is exactly where it stands, after a restart too.
        // `$5 = $5` keeps the parameter list the same whichever condition uses it.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PARTICIPANT_COLUMNS}, participants.link_token FROM participants \
             JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2 AND {condition} \
             AND participants.erased_at IS NULL AND participants.id > (SELECT COALESCE(MAX(outbox.participant_id), 0) FROM outbox \
             WHERE outbox.job_id = $3) \
             AND $5 = $5 ORDER BY participants.id LIMIT $4"
        )))
        .bind(review.0)
        .bind(org.0)
        .bind(job.id.0)
        .bind(limit)
        .bind(invited_before)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(Recipient {
                    participant: participant_from_row(row)?,
                    token: row.get(8),
                })
            })
            .collect())
    }

    /// Stores one batch of a mailing in one transaction, renewing the job's lease to
    /// `lease_until`: new links first, then the emails (each queued for delivery when SMTP is
    /// on). `needs_open` stops the batch, storing nothing, once the questionnaire has closed.
    pub async fn queue_batch(
        &self,
        job: &ClaimedJob,
        review: ReviewId,
        needs_open: bool,
        batch: &[BatchEmail],
        lease_until: i64,
    ) -> Result<BatchOutcome> {
        let mut tx = self.begin_write().await?;
        let held = sqlx::query(
            "UPDATE jobs SET lease_until = $3 WHERE id = $1 AND attempts = $2 AND state = 'running'",
        )
        .bind(job.id.0)
        .bind(job.attempt)
        .bind(lease_until)
        .execute(&mut *tx)
        .await?;
        if held.rows_affected() != 1 {
            return Ok(BatchOutcome::ClaimLost);
        }
        let state: Option<String> =
            sqlx::query("SELECT questionnaire_state FROM reviews WHERE id = $1")
                .bind(review.0)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.get(0));
        if needs_open && state.as_deref() != Some(QuestionnaireState::Open.as_str()) {
            return Ok(BatchOutcome::NotOpen);
        }
        let mut queued = 0;
        for item in batch {
            if let Some(link) = &item.new_link {
                // Only someone still without a kept link gets one, so a link never changes
                // under a person who already has it.
                let set = sqlx::query(
                    "UPDATE participants SET link_hash = $1, link_token = $2, \
                     invited_at = COALESCE(invited_at, $3) \
                     WHERE id = $4 AND review_id = $5 AND link_token IS NULL",
                )
                .bind(&link.hash)
                .bind(&link.token)
                .bind(now())
                .bind(item.participant.0)
                .bind(review.0)
                .execute(&mut *tx)
                .await?;
                if set.rows_affected() != 1 {
                    continue;
                }
            }
            self.queue_email(&mut tx, &item.email, Some(job.id)).await?;
            queued += 1;
        }
        tx.commit().await?;
        Ok(BatchOutcome::Queued(queued))
    }
}
