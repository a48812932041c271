//! A review's two team sessions: when they are, their plans, the note takers' link and what the
//! projector shows.
//!
//! A session's time changes only through [`Store::schedule_sessions`] and
//! [`Store::cancel_session`], which store the calendar emails in the same transaction and raise
//! the calendar sequence by exactly one: two champions changing a time at once cannot both send
//! invitations with the same sequence (calendars would ignore the second).

use commonground_domain::{OrganisationId, ParticipantId, ReviewId};
use sqlx::Row;

use crate::outbox::OutgoingEmail;
use crate::{Backend, Result, Store, hash_secret, now, review_in};

/// One of a review's sessions as stored (a session never touched reads as empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TeamSession {
    /// 1 or 2.
    pub number: u8,
    /// When it starts, once chosen.
    pub starts_at: Option<i64>,
    /// When it ends, once chosen.
    pub ends_at: Option<i64>,
    /// Where.
    pub location: String,
    /// The calendar event's sequence: 0 before the first invitation.
    pub sequence: i64,
    /// The session plan as JSON, once made.
    pub plan: Option<String>,
    /// Whether note takers have a link.
    pub has_capture_link: bool,
    /// The card on the projector.
    pub current_card: Option<String>,
    /// The agenda item on the projector (0-based).
    pub agenda_step: i64,
    /// When the projector's timer runs out.
    pub timer_ends_at: Option<i64>,
    /// The timer's length in minutes.
    pub timer_minutes: Option<i64>,
}

/// A session's new time, with the calendar sequence its invitations carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTime {
    /// 1 or 2.
    pub number: u8,
    /// Start.
    pub starts_at: i64,
    /// End.
    pub ends_at: i64,
    /// Where.
    pub location: String,
    /// The session's current sequence plus one.
    pub sequence: i64,
}

/// What the projector shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projector {
    /// The card shown, if any.
    pub current_card: Option<String>,
    /// The agenda item (0-based).
    pub agenda_step: i64,
    /// When the timer runs out, if running.
    pub timer_ends_at: Option<i64>,
    /// The timer's length in minutes.
    pub timer_minutes: Option<i64>,
}

/// A session the note takers' link opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureTarget {
    /// The organisation.
    pub organisation: OrganisationId,
    /// The review.
    pub review: ReviewId,
    /// Its title.
    pub review_title: String,
    /// 1 or 2.
    pub number: u8,
}

/// A session whose reminder is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    /// The organisation.
    pub organisation: OrganisationId,
    /// The review.
    pub review: ReviewId,
    /// 1 or 2.
    pub number: u8,
    /// When it starts.
    pub starts_at: i64,
}

const SESSION_COLUMNS: &str = "session_number, starts_at, ends_at, location, calendar_sequence, \
     plan, capture_link_hash, current_card, agenda_step, timer_ends_at, timer_minutes";

impl Store {
    /// A review's two sessions.
    pub async fn team_sessions(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<[TeamSession; 2]> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM review_sessions \
             WHERE review_id = $1 AND review_id IN (SELECT id FROM reviews WHERE organisation_id = $2)"
        )))
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        let mut sessions = [1, 2].map(|number| TeamSession {
            number,
            ..TeamSession::default()
        });
        for row in &rows {
            let number: i64 = row.get(0);
            let Some(session) = sessions.iter_mut().find(|s| i64::from(s.number) == number) else {
                continue;
            };
            *session = TeamSession {
                number: session.number,
                starts_at: row.get(1),
                ends_at: row.get(2),
                location: row.get(3),
                sequence: row.get(4),
                plan: row.get(5),
                has_capture_link: row.get::<Option<String>, _>(6).is_some(),
                current_card: row.get(7),
                agenda_step: row.get(8),
                timer_ends_at: row.get(9),
                timer_minutes: row.get(10),
            };
        }
        Ok(sessions)
    }

    /// Sets session times, closes the poll and stores the calendar emails, in one transaction.
    /// False, changing nothing, when `org` has no such review or a sequence is stale (someone
    /// else changed the session meanwhile).
    pub async fn schedule_sessions(
        &self,
        org: OrganisationId,
        review: ReviewId,
        times: &[SessionTime],
        emails: &[OutgoingEmail],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(false);
        }
        for time in times {
            ensure_row(&mut tx, review, time.number).await?;
            let done = sqlx::query(
                "UPDATE review_sessions SET starts_at = $1, ends_at = $2, location = $3, \
                 calendar_sequence = $4, reminded_for = NULL \
                 WHERE review_id = $5 AND session_number = $6 AND calendar_sequence = $7",
            )
            .bind(time.starts_at)
            .bind(time.ends_at)
            .bind(&time.location)
            .bind(time.sequence)
            .bind(review.0)
            .bind(i64::from(time.number))
            .bind(time.sequence - 1)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
        }
        sqlx::query(
            "UPDATE date_polls SET closed_at = $1 WHERE review_id = $2 AND closed_at IS NULL",
        )
        .bind(now())
        .bind(review.0)
        .execute(&mut *tx)
        .await?;
        for email in emails {
            self.queue_email(&mut tx, email, None).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Clears a session's time and stores the cancellations, in one transaction; `sequence` is
    /// the current one plus one. False when nothing matched.
    pub async fn cancel_session(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        sequence: i64,
        emails: &[OutgoingEmail],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE review_sessions SET starts_at = NULL, ends_at = NULL, calendar_sequence = $1 \
             WHERE review_id = $2 AND session_number = $3 AND calendar_sequence = $4 \
             AND starts_at IS NOT NULL",
        )
        .bind(sequence)
        .bind(review.0)
        .bind(i64::from(number))
        .bind(sequence - 1)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        for email in emails {
            self.queue_email(&mut tx, email, None).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Saves a session's plan (JSON). False when `org` has no such review.
    pub async fn save_session_plan(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        plan: &str,
    ) -> Result<bool> {
        let Some(mut tx) = self.begin_session_change(org, review, number).await? else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE review_sessions SET plan = $1, plan_updated_at = $2 \
             WHERE review_id = $3 AND session_number = $4",
        )
        .bind(plan)
        .bind(now())
        .bind(review.0)
        .bind(i64::from(number))
        .execute(&mut *tx)
        .await?;
        self.finish_session_change(tx, review, number).await
    }

    /// Gives a session's note takers a new link (replacing any earlier one).
    pub async fn set_capture_link(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        hash: &str,
    ) -> Result<bool> {
        let Some(mut tx) = self.begin_session_change(org, review, number).await? else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE review_sessions SET capture_link_hash = $1 \
             WHERE review_id = $2 AND session_number = $3",
        )
        .bind(hash)
        .bind(review.0)
        .bind(i64::from(number))
        .execute(&mut *tx)
        .await?;
        self.finish_session_change(tx, review, number).await
    }

    /// The session a note takers' link opens.
    pub async fn session_by_capture_link(&self, token: &str) -> Result<Option<CaptureTarget>> {
        let row = sqlx::query(
            "SELECT reviews.organisation_id, reviews.id, reviews.title, review_sessions.session_number \
             FROM review_sessions JOIN reviews ON reviews.id = review_sessions.review_id \
             WHERE review_sessions.capture_link_hash = $1",
        )
        .bind(hash_secret(token))
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|row| CaptureTarget {
            organisation: OrganisationId(row.get(0)),
            review: ReviewId(row.get(1)),
            review_title: row.get(2),
            number: row.get::<i64, _>(3) as u8,
        }))
    }

    /// Sets what the projector shows, and tells every instance's projectors.
    pub async fn set_projector(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        projector: &Projector,
    ) -> Result<bool> {
        let Some(mut tx) = self.begin_session_change(org, review, number).await? else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE review_sessions SET current_card = $1, agenda_step = $2, \
             timer_ends_at = $3, timer_minutes = $4 WHERE review_id = $5 AND session_number = $6",
        )
        .bind(projector.current_card.as_deref())
        .bind(projector.agenda_step)
        .bind(projector.timer_ends_at)
        .bind(projector.timer_minutes)
        .bind(review.0)
        .bind(i64::from(number))
        .execute(&mut *tx)
        .await?;
        self.finish_session_change(tx, review, number).await
    }

    /// Sessions starting between `from` and `to` that have not been reminded of for that start.
    pub async fn sessions_to_remind(&self, from: i64, to: i64) -> Result<Vec<DueReminder>> {
        let rows = sqlx::query(
            "SELECT reviews.organisation_id, reviews.id, review_sessions.session_number, \
             review_sessions.starts_at FROM review_sessions \
             JOIN reviews ON reviews.id = review_sessions.review_id \
             WHERE review_sessions.starts_at >= $1 AND review_sessions.starts_at < $2 \
             AND (review_sessions.reminded_for IS NULL OR review_sessions.reminded_for <> review_sessions.starts_at)",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| DueReminder {
                organisation: OrganisationId(row.get(0)),
                review: ReviewId(row.get(1)),
                number: row.get::<i64, _>(2) as u8,
                starts_at: row.get(3),
            })
            .collect())
    }

    /// Stores a session's reminders and marks it reminded for `starts_at`, once: false (storing
    /// nothing) when another run got there first or the time changed meanwhile.
    pub async fn queue_session_reminders(
        &self,
        due: &DueReminder,
        emails: &[OutgoingEmail],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE review_sessions SET reminded_for = starts_at WHERE review_id = $1 \
             AND session_number = $2 AND starts_at = $3 \
             AND (reminded_for IS NULL OR reminded_for <> starts_at)",
        )
        .bind(due.review.0)
        .bind(i64::from(due.number))
        .bind(due.starts_at)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(false);
        }
        for email in emails {
            self.queue_email(&mut tx, email, None).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Begins a change to a session's row (made if missing); `None` when `org` has no such
    /// review. Finish with [`Store::finish_session_change`].
    pub(crate) async fn begin_session_change(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
    ) -> Result<Option<sqlx::Transaction<'static, sqlx::Any>>> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(None);
        }
        ensure_row(&mut tx, review, number).await?;
        Ok(Some(tx))
    }

    /// Commits a session change, telling live pages on every instance.
    pub(crate) async fn finish_session_change(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        review: ReviewId,
        number: u8,
    ) -> Result<bool> {
        self.notify_live(&mut tx, review, number).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// On PostgreSQL, tells every instance's live pages (see [`crate::live`]) when the
    /// transaction commits; SQLite serves one instance, which tells its own pages.
    pub(crate) async fn notify_live(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        review: ReviewId,
        number: u8,
    ) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)::TEXT")
                .bind(crate::live::CHANNEL)
                .bind(format!("{}:{number}", review.0))
                .fetch_one(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// Makes a session's row if it has none.
async fn ensure_row(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    review: ReviewId,
    number: u8,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO review_sessions (review_id, session_number) VALUES ($1, $2) \
         ON CONFLICT (review_id, session_number) DO NOTHING",
    )
    .bind(review.0)
    .bind(i64::from(number))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Who gets a review's session invitations and reminders, as (participant, name,
    /// address): the poll's invitees, or the participants when there is no poll. Erased people
    /// are left out.
    pub async fn session_attendees(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<(Option<ParticipantId>, String, String)>> {
        let rows = sqlx::query(
            "SELECT poll_invitees.participant_id, COALESCE(participants.name, poll_invitees.guest_name, ''), \
             COALESCE(participants.email, poll_invitees.guest_email, '') FROM poll_invitees \
             JOIN date_polls ON date_polls.id = poll_invitees.poll_id \
             JOIN reviews ON reviews.id = date_polls.review_id \
             LEFT JOIN participants ON participants.id = poll_invitees.participant_id \
             WHERE date_polls.review_id = $1 AND reviews.organisation_id = $2 \
             AND (participants.id IS NULL OR participants.erased_at IS NULL) \
             UNION ALL \
             SELECT participants.id, participants.name, participants.email FROM participants \
             JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2 \
             AND participants.erased_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM date_polls WHERE date_polls.review_id = $1)",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                (
                    row.get::<Option<i64>, _>(0).map(ParticipantId),
                    row.get::<String, _>(1),
                    row.get::<String, _>(2),
                )
            })
            .filter(|(_, _, email)| !email.is_empty())
            .collect())
    }
}
