//! How a review's emails are getting on, for the questionnaire page and the API: each bulk
//! send with its progress, and emails waiting for the mail server to come back.

use commonground_domain::dates::date_time;
use commonground_domain::{OrganisationId, ReviewId};
use commonground_store::jobs::{JobState, JobSummary};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppResult;
use crate::state::AppState;

/// What a job does, in words.
#[must_use]
pub fn job_label(kind: &str) -> &'static str {
    match kind {
        "send_invitations" => "Invitations",
        "send_reminders" => "Reminders",
        "send_thanks" => "Thank-you emails",
        "deliver_email" => "One email",
        "delete_expired_personal_data" => "Deleting personal data past its retention period",
        _ => "Other work",
    }
}

/// A job as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobBody {
    /// Its id.
    pub id: i64,
    /// `send_invitations`, `send_reminders`, `send_thanks`, `deliver_email` or
    /// `delete_expired_personal_data`.
    pub kind: String,
    /// What it does, in words.
    pub label: String,
    /// The review it concerns, if any.
    pub review_id: Option<i64>,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Attempts allowed before it fails for good.
    pub max_attempts: i64,
    /// When it runs next (RFC 3339).
    pub run_at: String,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Emails it sends in all (0 for jobs that send none).
    pub total: i64,
    /// Delivered (or kept in the outbox when no SMTP server is configured).
    pub delivered: i64,
    /// Refused by the mail server, or given up on.
    pub undelivered: i64,
    /// Waiting to be delivered.
    pub waiting: i64,
    /// Whole percent handled.
    pub percent: i64,
}

impl From<&JobSummary> for JobBody {
    fn from(job: &JobSummary) -> Self {
        Self {
            id: job.id.0,
            kind: job.kind.clone(),
            label: job_label(&job.kind).to_owned(),
            review_id: job.review.map(|r| r.0),
            state: job.state.as_str().to_owned(),
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            run_at: commonground_domain::dates::rfc3339(job.run_at),
            last_error: job.last_error.clone(),
            total: job.progress.total,
            delivered: job.progress.delivered,
            undelivered: job.progress.undelivered,
            waiting: job.progress.waiting,
            percent: job.progress.percent(),
        }
    }
}

/// A bulk send as the page shows it.
pub struct SendingRow {
    /// "Invitations".
    pub label: &'static str,
    /// Whether every email is handled.
    pub finished: bool,
    /// Delivered (or kept in the outbox), of the total.
    pub sent: i64,
    /// The total.
    pub total: i64,
    /// Whole percent.
    pub percent: i64,
    /// Refused or given up on.
    pub undelivered: i64,
    /// When it was queued, in words.
    pub queued: String,
}

/// Emails waiting for the mail server, as the page says it.
pub struct RetryingNotice {
    /// How many.
    pub count: i64,
    /// When they will be tried again, in words.
    pub next_try: String,
    /// The server's (or connection's) last error.
    pub error: String,
}

/// A review's bulk sends (newest first) and any emails waiting for a retry.
pub async fn review_mail_status(
    state: &AppState,
    org: OrganisationId,
    review: ReviewId,
) -> AppResult<(Vec<SendingRow>, Option<RetryingNotice>)> {
    let jobs = state.store.review_jobs(org, review).await?;
    let rows = jobs
        .iter()
        .filter(|job| job.progress.total > 0)
        .map(|job| {
            let p = job.progress;
            let handled = p.delivered + p.undelivered;
            SendingRow {
                label: job_label(&job.kind),
                finished: job.state == JobState::Done && p.waiting == 0 && handled >= p.total,
                sent: p.delivered,
                total: p.total,
                percent: p.percent(),
                undelivered: p.undelivered,
                queued: date_time(job.created_at),
            }
        })
        .collect();
    let retrying = state.store.retrying_emails(org, review).await?;
    let notice = (retrying.count > 0).then(|| RetryingNotice {
        count: retrying.count,
        next_try: retrying.next_try.map(date_time).unwrap_or_default(),
        error: retrying.error.unwrap_or_default(),
    });
    Ok((rows, notice))
}
