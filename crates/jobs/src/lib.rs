//! commonground's background work: the job runner, email delivery over SMTP, and the reminder
//! scheduler. The queue itself lives in the database (see `commonground_store::jobs`), so any
//! number of `serve` instances share it and each job runs once.
//!
//! In `serve`, [`Jobs::spawn`] starts the workers. Tests call [`Jobs::run_pending`], which runs
//! every due job to the end before returning, so a test sees the effect of a job at once.

pub mod mailer;
mod mailing;
pub mod render;
mod schedule;
pub mod sessions;

use std::sync::Arc;
use std::time::Duration;

use commonground_domain::OutboxMessageId;
use commonground_store::deliveries::{DELIVER_EMAIL, Delivery};
use commonground_store::jobs::ClaimedJob;
use commonground_store::{Store, now};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::mailer::{Mailer, SendError};

/// Jobs each worker claims at a time: fewer claim transactions, still a fair share.
const CLAIM_BATCH: i64 = 8;
/// How often an idle worker looks for due jobs (other instances queue jobs too).
const POLL: Duration = Duration::from_secs(1);
/// How often the scheduler looks for due reminders.
const SCHEDULE_EVERY: Duration = Duration::from_mins(1);

/// What jobs need: the store, the mailer (if SMTP is configured) and the public address.
#[derive(Clone)]
pub struct Jobs {
    store: Store,
    mailer: Option<Mailer>,
    base_url: String,
    lease: i64,
    wake: Arc<Notify>,
}

/// Why a job did not finish.
#[derive(Debug)]
enum JobError {
    /// Try again later, with this reason.
    Retry(String),
    /// Stop for good, with this reason.
    Fail(String),
}

impl From<commonground_store::StoreError> for JobError {
    fn from(e: commonground_store::StoreError) -> Self {
        JobError::Retry(format!("database: {e}"))
    }
}

impl Jobs {
    /// A runner over `store`; `mailer` is `None` when no SMTP server is configured (emails stay
    /// in the outbox). `lease_seconds` is how long a claim lasts before another instance may
    /// take the job over from a worker that died.
    #[must_use]
    pub fn new(store: Store, mailer: Option<Mailer>, base_url: &str, lease_seconds: i64) -> Self {
        Self {
            store,
            mailer,
            base_url: base_url.trim_end_matches('/').to_owned(),
            lease: lease_seconds.max(2),
            wake: Arc::new(Notify::new()),
        }
    }

    /// A handle that wakes idle workers, for code that has just queued a job.
    #[must_use]
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Runs every due job, and any job those jobs queue, until none is due; returns how many
    /// ran. Jobs waiting for a retry later are left waiting.
    pub async fn run_pending(&self) -> Result<usize, commonground_store::StoreError> {
        let mut ran = 0;
        loop {
            let claimed = self
                .store
                .claim_jobs(now() + self.lease, CLAIM_BATCH)
                .await?;
            if claimed.is_empty() {
                return Ok(ran);
            }
            for job in claimed {
                self.run(job).await;
                ran += 1;
            }
        }
    }

    /// Checks for due reminders once, and queues the day's retention job if no instance has
    /// (the workers do this every minute).
    pub async fn schedule_reminders(&self) -> Result<usize, commonground_store::StoreError> {
        schedule::queue_retention(&self.store, now()).await?;
        sessions::remind_due_sessions(&self.store, now()).await?;
        schedule::queue_due_reminders(&self.store, now()).await
    }

    /// Starts `workers` workers and the reminder scheduler; they stop, finishing the job in
    /// hand, when `shutdown` turns true.
    #[must_use]
    pub fn spawn(self, workers: usize, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        let mut handles: Vec<JoinHandle<()>> = (0..workers.max(1))
            .map(|_| {
                let jobs = self.clone();
                let shutdown = shutdown.clone();
                tokio::spawn(async move { jobs.work(shutdown).await })
            })
            .collect();
        let jobs = self;
        let mut stop = shutdown;
        handles.push(tokio::spawn(async move {
            loop {
                if let Err(e) = jobs.schedule_reminders().await {
                    tracing::warn!(error = %e, "reminder scheduling failed");
                }
                tokio::select! {
                    () = tokio::time::sleep(SCHEDULE_EVERY) => {}
                    _ = stop.changed() => break,
                }
            }
        }));
        handles
    }

    async fn work(&self, mut shutdown: watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            let claimed = match self.store.claim_jobs(now() + self.lease, CLAIM_BATCH).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim jobs");
                    Vec::new()
                }
            };
            if claimed.is_empty() {
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    () = self.wake.notified() => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let claimed_at = now();
            for job in claimed {
                if *shutdown.borrow() {
                    // Unstarted claims lapse with their lease and are taken up again.
                    break;
                }
                // A batch's later jobs may wait a while: keep their claim alive.
                if now() - claimed_at > self.lease / 2
                    && !matches!(
                        self.store.renew_job(&job, now() + self.lease).await,
                        Ok(true)
                    )
                {
                    continue;
                }
                self.run(job).await;
            }
        }
    }

    /// Runs one claimed job and records how it ended.
    async fn run(&self, job: ClaimedJob) {
        let outcome = if job.attempt > job.max_attempts {
            Err(JobError::Fail(format!(
                "stopped after {} attempts",
                job.max_attempts
            )))
        } else {
            self.handle(&job).await
        };
        let recorded = match &outcome {
            Ok(()) => Ok(true),
            Err(JobError::Retry(reason)) if job.attempt < job.max_attempts => {
                tracing::warn!(job_id = %job.id, kind = %job.kind, attempt = job.attempt, error = %reason, "job will be retried");
                self.store
                    .fail_job(&job, reason, Some(now() + backoff(job.attempt)))
                    .await
            }
            Err(JobError::Retry(reason) | JobError::Fail(reason)) => {
                tracing::error!(job_id = %job.id, kind = %job.kind, error = %reason, "job failed");
                self.store.fail_job(&job, reason, None).await
            }
        };
        if let Err(e) = recorded {
            tracing::warn!(job_id = %job.id, error = %e, "cannot record a job's outcome");
        }
    }

    async fn handle(&self, job: &ClaimedJob) -> Result<(), JobError> {
        match job.kind.as_str() {
            DELIVER_EMAIL => self.deliver(job).await,
            schedule::DELETE_EXPIRED_PERSONAL_DATA => {
                for done in self.store.delete_expired_personal_data(now()).await? {
                    tracing::info!(organisation_id = %done.organisation, review_id = %done.review, participants = done.participants, "personal data past retention deleted");
                }
                self.store.finish_job(job).await?;
                Ok(())
            }
            kind => match mailing::Mailing::from_kind(kind, &job.payload) {
                Some(mailing) => {
                    mailing::run(&self.store, &self.base_url, job, mailing).await?;
                    self.store.finish_job(job).await?;
                    self.wake.notify_waiters();
                    Ok(())
                }
                None => Err(JobError::Fail(format!("unknown kind of job: {kind}"))),
            },
        }
    }

    /// Delivers one stored message over SMTP; see `store::deliveries` for why this is once.
    async fn deliver(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let id = OutboxMessageId(
            job.payload
                .parse()
                .map_err(|_| JobError::Fail("the job names no message".into()))?,
        );
        let Some(message) = self.store.message_to_deliver(id).await? else {
            // Already delivered, or removed with its organisation: nothing left to do.
            self.store.finish_job(job).await?;
            return Ok(());
        };
        let Some(mailer) = &self.mailer else {
            return Err(JobError::Retry(
                "no SMTP server is configured; set COMMONGROUND_SMTP_HOST".into(),
            ));
        };
        let outcome = match mailer.send(&message).await {
            Ok(()) => Delivery::Sent,
            Err(SendError::Rejected(reason)) => Delivery::Rejected(reason),
            Err(SendError::Retry(reason)) => {
                self.store.note_delivery_error(id, &reason).await?;
                return Err(JobError::Retry(reason));
            }
        };
        if !self.store.record_delivery(job, id, &outcome).await? {
            tracing::warn!(job_id = %job.id, "a delivery's claim was lost before it was recorded");
        }
        Ok(())
    }
}

/// Seconds before attempt `attempt + 1`: 30 s doubling to an hour, so a mail server that is
/// down for a few hours loses nothing and is not hammered.
fn backoff(attempt: i64) -> i64 {
    let exponent = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    (30_i64 << exponent).min(3_600)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let waits: Vec<i64> = (1..=10).map(backoff).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
