//! The job queue: work done in the background, shared by every instance over the database.
//!
//! How a job runs exactly once, with any number of `serve` instances:
//! - Claiming sets a job `running`, adds one to `attempts` and gives it a lease (a time by which
//!   it must finish or renew). On PostgreSQL the claim takes rows with `FOR UPDATE SKIP LOCKED`,
//!   so two instances never take the same job and never wait for each other; on SQLite every
//!   write holds the one write lock (`BEGIN IMMEDIATE`), which gives the same guarantee.
//! - A job whose worker died (its lease ran out while `running`) is claimed again.
//! - `attempts` is the claim's fencing token: finishing, failing or renewing names the attempt,
//!   and does nothing if the job has since been claimed again. A job's effect on the database is
//!   written in the same transaction as its finishing, so it happens once.
//! - Effects outside the database (an email handed to an SMTP server) cannot share that
//!   transaction. The worker finishes the job as soon as the server accepts the message; a crash
//!   in the moment between the two sends that one message again (see `store::deliveries`).

use commonground_domain::{JobId, OrganisationId, ReviewId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Result, Store, now};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its time or for a worker.
    Queued,
    /// A worker holds it.
    Running,
    /// Finished.
    Done,
    /// Gave up; an admin may retry it.
    Failed,
}

impl JobState {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => JobState::Queued,
        }
    }
}

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What to do (the runner's name for the handler).
    pub kind: &'static str,
    /// The organisation it concerns, for who may see it.
    pub organisation: Option<OrganisationId>,
    /// The review it concerns, if any.
    pub review: Option<ReviewId>,
    /// The handler's input, as JSON.
    pub payload: String,
    /// Set for work that must happen once however often it is scheduled.
    pub unique_key: Option<String>,
    /// Not before (Unix seconds).
    pub run_at: i64,
    /// Claims allowed before it fails for good.
    pub max_attempts: i64,
    /// How many items it will handle, for its progress bar (0 for none).
    pub progress_total: i64,
}

impl NewJob {
    /// A job of `kind` to run now, with the default attempts.
    #[must_use]
    pub fn now(kind: &'static str, payload: String) -> Self {
        Self {
            kind,
            organisation: None,
            review: None,
            payload,
            unique_key: None,
            run_at: now(),
            max_attempts: DEFAULT_ATTEMPTS,
            progress_total: 0,
        }
    }

    /// The same job, about `review` of `org`.
    #[must_use]
    pub fn about(mut self, org: OrganisationId, review: Option<ReviewId>) -> Self {
        self.organisation = Some(org);
        self.review = review;
        self
    }
}

/// Claims a job gets before it fails for good, unless it says otherwise. With the runner's
/// backoff this spans about a day.
pub const DEFAULT_ATTEMPTS: i64 = 12;

/// A job a worker holds.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// Its id.
    pub id: JobId,
    /// What to do.
    pub kind: String,
    /// The organisation it concerns.
    pub organisation: Option<OrganisationId>,
    /// The review it concerns.
    pub review: Option<ReviewId>,
    /// The handler's input.
    pub payload: String,
    /// This claim's attempt number (the fencing token).
    pub attempt: i64,
    /// Claims allowed.
    pub max_attempts: i64,
}

/// A job as admins see it.
#[derive(Debug, Clone)]
pub struct JobSummary {
    /// Its id.
    pub id: JobId,
    /// What it does.
    pub kind: String,
    /// The organisation it concerns.
    pub organisation: Option<OrganisationId>,
    /// The review it concerns.
    pub review: Option<ReviewId>,
    /// Where it stands.
    pub state: JobState,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// When it runs (next).
    pub run_at: i64,
    /// The last error, if the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: i64,
    /// When it finished or failed.
    pub finished_at: Option<i64>,
    /// Emails it handles, by delivery (for jobs that send emails).
    pub progress: Progress,
}

/// How far a job that sends emails has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// How many emails it will send.
    pub total: i64,
    /// Delivered, or stored in the outbox when no SMTP server is configured.
    pub delivered: i64,
    /// Refused by the server or given up on.
    pub undelivered: i64,
    /// Waiting for delivery.
    pub waiting: i64,
}

impl Progress {
    /// Whole percent handled (delivered or not), for a progress bar.
    #[must_use]
    pub fn percent(&self) -> i64 {
        if self.total <= 0 {
            return 0;
        }
        ((self.delivered + self.undelivered) * 100 / self.total).min(100)
    }
}

/// Whose jobs a caller may see.
#[derive(Debug, Clone, Copy)]
pub enum JobScope {
    /// One organisation's (organisation admins).
    Organisation(OrganisationId),
    /// All, including those about no organisation (network admins).
    Everything,
}

impl JobScope {
    /// The value for `SCOPED`'s `$1`: organisation ids start at 1, so 0 means every one.
    fn bind_value(self) -> i64 {
        match self {
            JobScope::Organisation(org) => org.0,
            JobScope::Everything => 0,
        }
    }
}

/// The condition that keeps a query within a [`JobScope`], bound as `$1`.
const SCOPED: &str = "($1 = 0 OR organisation_id = $1)";

const SUMMARY_COLUMNS: &str = "id, kind, organisation_id, review_id, state, attempts, max_attempts, \
     run_at, last_error, created_at, finished_at, progress_total";

fn summary_from_row(row: &AnyRow) -> JobSummary {
    JobSummary {
        id: JobId(row.get(0)),
        kind: row.get(1),
        organisation: row.get::<Option<i64>, _>(2).map(OrganisationId),
        review: row.get::<Option<i64>, _>(3).map(ReviewId),
        state: JobState::parse(&row.get::<String, _>(4)),
        attempts: row.get(5),
        max_attempts: row.get(6),
        run_at: row.get(7),
        last_error: row.get(8),
        created_at: row.get(9),
        finished_at: row.get(10),
        progress: Progress {
            total: row.get(11),
            ..Progress::default()
        },
    }
}

/// Queues `job` inside the caller's transaction; `None` when its unique key was already used.
pub(crate) async fn enqueue(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    job: &NewJob,
) -> Result<Option<JobId>> {
    let row = sqlx::query(
        "INSERT INTO jobs (kind, organisation_id, review_id, payload, unique_key, state, max_attempts, \
         run_at, progress_total, created_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9) \
         ON CONFLICT (unique_key) DO NOTHING RETURNING id",
    )
    .bind(job.kind)
    .bind(job.organisation.map(|o| o.0))
    .bind(job.review.map(|r| r.0))
    .bind(&job.payload)
    .bind(job.unique_key.as_deref())
    .bind(job.max_attempts)
    .bind(job.run_at)
    .bind(job.progress_total)
    .bind(now())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| JobId(r.get(0))))
}

/// Marks a claimed job done inside the caller's transaction; false if the claim was lost.
pub(crate) async fn finish(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    job: &ClaimedJob,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $1, lease_until = NULL, last_error = NULL \
         WHERE id = $2 AND attempts = $3 AND state = 'running'",
    )
    .bind(now())
    .bind(job.id.0)
    .bind(job.attempt)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    /// Queues a job on its own; `None` when its unique key was already used.
    pub async fn enqueue_job(&self, job: &NewJob) -> Result<Option<JobId>> {
        let mut tx = self.begin_write().await?;
        let id = enqueue(&mut tx, job).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` jobs that are due (or whose worker died), each leased until
    /// `lease_until`. See the module documentation for why no two workers get the same job.
    pub async fn claim_jobs(&self, lease_until: i64, limit: i64) -> Result<Vec<ClaimedJob>> {
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1 \
             WHERE id IN (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $2) \
             OR (state = 'running' AND lease_until < $2) ORDER BY run_at, id LIMIT $3 {lock}) \
             RETURNING id, kind, organisation_id, review_id, payload, attempts, max_attempts"
        )))
        .bind(lease_until)
        .bind(now())
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows
            .iter()
            .map(|row| ClaimedJob {
                id: JobId(row.get(0)),
                kind: row.get(1),
                organisation: row.get::<Option<i64>, _>(2).map(OrganisationId),
                review: row.get::<Option<i64>, _>(3).map(ReviewId),
                payload: row.get(4),
                attempt: row.get(5),
                max_attempts: row.get(6),
            })
            .collect())
    }

    /// Extends a claim's lease, for long jobs; false if the claim was lost.
    pub async fn renew_job(&self, job: &ClaimedJob, lease_until: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND attempts = $3 AND state = 'running'",
        )
        .bind(lease_until)
        .bind(job.id.0)
        .bind(job.attempt)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a claimed job done; false if the claim was lost.
    pub async fn finish_job(&self, job: &ClaimedJob) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = finish(&mut tx, job).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Records a failed attempt: queued again at `retry_at`, or failed for good with `None`.
    /// An email job that fails for good marks its message failed too.
    pub async fn fail_job(
        &self,
        job: &ClaimedJob,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let (state, run_at, finished) = match retry_at {
            Some(at) => (JobState::Queued, Some(at), None),
            None => (JobState::Failed, None, Some(now())),
        };
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), finished_at = $3, \
             lease_until = NULL, last_error = $4 WHERE id = $5 AND attempts = $6 AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(run_at)
        .bind(finished)
        .bind(error)
        .bind(job.id.0)
        .bind(job.attempt)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 && retry_at.is_none() {
            sqlx::query(
                "UPDATE outbox SET status = 'failed', error = $1 WHERE id IN \
                 (SELECT CAST(payload AS BIGINT) FROM jobs WHERE id = $2 AND kind = 'deliver_email') \
                 AND status = 'queued'",
            )
            .bind(error)
            .bind(job.id.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Queues a failed job again now, with its attempts counted afresh; false if it is not a
    /// failed job within `scope`.
    pub async fn retry_job(&self, scope: JobScope, id: JobId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, finished_at = NULL \
             WHERE {SCOPED} AND id = $3 AND state = 'failed'"
        )))
        .bind(scope.bind_value())
        .bind(now())
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            sqlx::query(
                "UPDATE outbox SET status = 'queued', error = NULL WHERE id IN \
                 (SELECT CAST(payload AS BIGINT) FROM jobs WHERE id = $1 AND kind = 'deliver_email') \
                 AND status = 'failed'",
            )
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Jobs within `scope`, newest first: every job except delivered single emails, which would
    /// bury the rest (their bulk job shows them as progress).
    pub async fn list_jobs(
        &self,
        scope: JobScope,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<JobSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM jobs WHERE {SCOPED} \
             AND NOT (kind = 'deliver_email' AND state = 'done') ORDER BY id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(scope.bind_value())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.reader)
        .await?;
        let mut jobs: Vec<JobSummary> = rows.iter().map(summary_from_row).collect();
        for job in &mut jobs {
            self.fill_progress(job).await?;
        }
        Ok(jobs)
    }

    /// One job within `scope`, with its progress.
    pub async fn get_job(&self, scope: JobScope, id: JobId) -> Result<Option<JobSummary>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM jobs WHERE {SCOPED} AND id = $2"
        )))
        .bind(scope.bind_value())
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut job = summary_from_row(&row);
        self.fill_progress(&mut job).await?;
        Ok(Some(job))
    }

    /// The bulk email jobs of a review, newest first, with their progress.
    pub async fn review_jobs(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<JobSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} FROM jobs WHERE organisation_id = $1 AND review_id = $2 \
             AND kind <> 'deliver_email' ORDER BY id DESC LIMIT 20"
        )))
        .bind(org.0)
        .bind(review.0)
        .fetch_all(&self.reader)
        .await?;
        let mut jobs: Vec<JobSummary> = rows.iter().map(summary_from_row).collect();
        for job in &mut jobs {
            self.fill_progress(job).await?;
        }
        Ok(jobs)
    }

    async fn fill_progress(&self, job: &mut JobSummary) -> Result<()> {
        if job.progress.total == 0 {
            return Ok(());
        }
        let rows =
            sqlx::query("SELECT status, COUNT(*) FROM outbox WHERE job_id = $1 GROUP BY status")
                .bind(job.id.0)
                .fetch_all(&self.reader)
                .await?;
        for row in &rows {
            let count: i64 = row.get(1);
            match row.get::<String, _>(0).as_str() {
                "sent" | "stored" => job.progress.delivered += count,
                "queued" => job.progress.waiting += count,
                _ => job.progress.undelivered += count,
            }
        }
        Ok(())
    }
}
