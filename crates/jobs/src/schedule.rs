//! The reminder scheduler: every instance checks each minute which reminders are due and queues
//! each one once (its job's unique key is the review and the reminder), and records the day's
//! response rates for the panel that shows them over time. It also queues the daily retention
//! job, once a day across all instances (its unique key is the day).

use commonground_store::jobs::NewJob;
use commonground_store::{Store, StoreError};

/// Reminders go to people invited at least this long before, so nobody is reminded on the day
/// they were invited.
pub(crate) const REMINDER_GRACE: i64 = 86_400;

/// The job that deletes personal data past its organisation's retention period.
pub(crate) const DELETE_EXPIRED_PERSONAL_DATA: &str = "delete_expired_personal_data";

/// Queues today's retention job unless some instance already has; true when newly queued.
pub(crate) async fn queue_retention(store: &Store, now: i64) -> Result<bool, StoreError> {
    let day = commonground_domain::dates::iso_date(now);
    let mut job = NewJob::now(DELETE_EXPIRED_PERSONAL_DATA, String::new());
    job.unique_key = Some(format!("retention:{day}"));
    Ok(store.enqueue_job(&job).await?.is_some())
}

/// Queues the reminders due at `now`; returns how many were new.
pub(crate) async fn queue_due_reminders(store: &Store, now: i64) -> Result<usize, StoreError> {
    let mut queued = 0;
    for open in store.open_reviews().await? {
        store.record_response_rates(open.review).await?;
        for due in open.schedule.due(open.opened_at, open.closes_on, now) {
            let key = format!("reminder:{}:{}", open.review, due.key);
            let job = store
                .queue_reminders(
                    open.organisation,
                    open.review,
                    now - REMINDER_GRACE,
                    Some(key),
                )
                .await?;
            queued += usize::from(job.is_some());
        }
    }
    Ok(queued)
}
