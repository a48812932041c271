//! Date polls: candidate times for a review's two sessions, and who can come to each.
//!
//! Every participant of the review is asked, and guests (peer reviewers, a facilitator) can be
//! added. Each invitee answers from a personal link of their own, separate from the
//! questionnaire link, so nothing said in the poll can be joined to the questionnaire.

use commonground_domain::{
    DatePollId, OrganisationId, ParticipantId, PollInviteeId, PollSlotId, ReviewId, UserId,
};
use sqlx::Row;

use crate::outbox::OutgoingEmail;
use crate::{NewSecret, Result, Store, conflict_as, hash_secret, now, review_in};

/// A candidate time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Its id.
    pub id: PollSlotId,
    /// Session 1 or 2.
    pub session: u8,
    /// Start (Unix seconds).
    pub starts_at: i64,
    /// End (Unix seconds).
    pub ends_at: i64,
}

/// A guest asked to the poll who is not a participant, such as a peer reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    /// Their name.
    pub name: String,
    /// Their address, lower case.
    pub email: String,
    /// `clinical`, `finance` or `other`.
    pub side: String,
    /// `peer_reviewer`, `facilitator` or `other`.
    pub role: String,
}

/// Someone asked to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    /// Their id.
    pub id: PollInviteeId,
    /// The participant they are, if they are one.
    pub participant: Option<ParticipantId>,
    /// Their name (empty once erased).
    pub name: String,
    /// Their address (empty once erased).
    pub email: String,
    /// A participant's profession group, or a guest's side.
    pub group: String,
    /// `participant`, `peer_reviewer`, `facilitator` or `other`.
    pub role: String,
    /// When their link was emailed.
    pub invited_at: Option<i64>,
    /// When they last answered.
    pub answered_at: Option<i64>,
    /// Their link's secret, kept so it can be emailed again.
    pub token: Option<String>,
}

/// A poll with its times, invitees and answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    /// Its id.
    pub id: DatePollId,
    /// Where the sessions will be.
    pub location: String,
    /// The champions' note to invitees.
    pub message: String,
    /// Answers are refused after this time.
    pub answer_by: i64,
    /// When champions closed it (by choosing times, or early).
    pub closed_at: Option<i64>,
    /// The candidate times, session 1 first, then by start.
    pub slots: Vec<Slot>,
    /// Who is asked, participants first, by name.
    pub invitees: Vec<Invitee>,
    /// (invitee, slot, `yes` / `if_need_be` / `no`).
    pub answers: Vec<(PollInviteeId, PollSlotId, String)>,
}

impl Poll {
    /// Whether answers are still taken at `at`.
    #[must_use]
    pub fn is_open(&self, at: i64) -> bool {
        self.closed_at.is_none() && at < self.answer_by
    }
}

/// A new poll.
#[derive(Debug, Clone)]
pub struct NewPoll {
    /// Where the sessions will be.
    pub location: String,
    /// A note to invitees.
    pub message: String,
    /// Answers are refused after this time.
    pub answer_by: i64,
    /// (session, start, end).
    pub slots: Vec<(u8, i64, i64)>,
    /// Guests besides the participants.
    pub guests: Vec<Guest>,
}

/// A poll as its invitee sees it through their link.
#[derive(Debug, Clone)]
pub struct LinkedPoll {
    /// The organisation.
    pub organisation: OrganisationId,
    /// The organisation's name.
    pub organisation_name: String,
    /// The review.
    pub review: ReviewId,
    /// The review's title.
    pub review_title: String,
    /// The poll.
    pub poll: Poll,
    /// Who holds the link.
    pub invitee: PollInviteeId,
}

/// What answering did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Saved (replacing any earlier answers).
    Saved,
    /// The poll has closed: nothing saved.
    Closed,
    /// An answer names a time that is not in this poll: nothing saved.
    UnknownSlot,
}

const INVITEE_COLUMNS: &str = "poll_invitees.id, poll_invitees.participant_id, \
     COALESCE(participants.name, poll_invitees.guest_name, ''), \
     COALESCE(participants.email, poll_invitees.guest_email, ''), \
     COALESCE(participants.profession, poll_invitees.guest_side, 'other'), poll_invitees.role, \
     poll_invitees.invited_at, poll_invitees.answered_at, poll_invitees.link_token";

impl Store {
    /// Starts a review's poll, asking every participant and the guests. Conflict when the
    /// review has a poll already; false when `org` has no such review.
    pub async fn create_poll(
        &self,
        org: OrganisationId,
        review: ReviewId,
        poll: &NewPoll,
        by: UserId,
    ) -> Result<Option<DatePollId>> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(None);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO date_polls (review_id, location, message, answer_by, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(review.0)
        .bind(&poll.location)
        .bind(&poll.message)
        .bind(poll.answer_by)
        .bind(by.0)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("date poll"))?
        .get(0);
        for (session, starts_at, ends_at) in &poll.slots {
            sqlx::query(
                "INSERT INTO poll_slots (poll_id, session_number, starts_at, ends_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i64::from(*session))
            .bind(starts_at)
            .bind(ends_at)
            .execute(&mut *tx)
            .await?;
        }
        for guest in &poll.guests {
            let link = NewSecret::generate("cgp_");
            sqlx::query(
                "INSERT INTO poll_invitees (poll_id, guest_name, guest_email, guest_side, role, \
                 link_hash, link_token) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&guest.name)
            .bind(&guest.email)
            .bind(&guest.side)
            .bind(&guest.role)
            .bind(&link.hash)
            .bind(&link.token)
            .execute(&mut *tx)
            .await
            .map_err(conflict_as("guest"))?;
        }
        add_missing_participants(&mut tx, DatePollId(id), review).await?;
        tx.commit().await?;
        Ok(Some(DatePollId(id)))
    }

    /// A review's poll, if it has one.
    pub async fn poll(&self, org: OrganisationId, review: ReviewId) -> Result<Option<Poll>> {
        let row = sqlx::query(
            "SELECT date_polls.id FROM date_polls JOIN reviews ON reviews.id = date_polls.review_id \
             WHERE date_polls.review_id = $1 AND reviews.organisation_id = $2",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?;
        match row {
            Some(row) => self.poll_by_id(DatePollId(row.get(0))).await,
            None => Ok(None),
        }
    }

    async fn poll_by_id(&self, id: DatePollId) -> Result<Option<Poll>> {
        let Some(row) = sqlx::query(
            "SELECT location, message, answer_by, closed_at FROM date_polls WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let slots = sqlx::query(
            "SELECT id, session_number, starts_at, ends_at FROM poll_slots WHERE poll_id = $1 \
             ORDER BY session_number, starts_at, id",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| Slot {
            id: PollSlotId(row.get(0)),
            session: row.get::<i64, _>(1) as u8,
            starts_at: row.get(2),
            ends_at: row.get(3),
        })
        .collect();
        let invitees = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INVITEE_COLUMNS} FROM poll_invitees \
             LEFT JOIN participants ON participants.id = poll_invitees.participant_id \
             WHERE poll_invitees.poll_id = $1 \
             ORDER BY CASE WHEN poll_invitees.participant_id IS NULL THEN 1 ELSE 0 END, \
             COALESCE(participants.name, poll_invitees.guest_name), poll_invitees.id"
        )))
        .bind(id.0)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(invitee_from_row)
        .collect();
        let answers = sqlx::query(
            "SELECT poll_answers.invitee_id, poll_answers.slot_id, poll_answers.answer \
             FROM poll_answers JOIN poll_invitees ON poll_invitees.id = poll_answers.invitee_id \
             WHERE poll_invitees.poll_id = $1",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            (
                PollInviteeId(row.get(0)),
                PollSlotId(row.get(1)),
                row.get(2),
            )
        })
        .collect();
        Ok(Some(Poll {
            id,
            location: row.get(0),
            message: row.get(1),
            answer_by: row.get(2),
            closed_at: row.get(3),
            slots,
            invitees,
            answers,
        }))
    }

    /// The poll a personal poll link belongs to, with its review.
    pub async fn poll_by_link(&self, token: &str) -> Result<Option<LinkedPoll>> {
        let Some(row) = sqlx::query(
            "SELECT poll_invitees.id, date_polls.id, reviews.id, reviews.title, \
             organisations.id, organisations.name FROM poll_invitees \
             JOIN date_polls ON date_polls.id = poll_invitees.poll_id \
             JOIN reviews ON reviews.id = date_polls.review_id \
             JOIN organisations ON organisations.id = reviews.organisation_id \
             WHERE poll_invitees.link_hash = $1",
        )
        .bind(hash_secret(token))
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let Some(poll) = self.poll_by_id(DatePollId(row.get(1))).await? else {
            return Ok(None);
        };
        Ok(Some(LinkedPoll {
            invitee: PollInviteeId(row.get(0)),
            review: ReviewId(row.get(2)),
            review_title: row.get(3),
            organisation: OrganisationId(row.get(4)),
            organisation_name: row.get(5),
            poll,
        }))
    }

    /// Saves an invitee's answers, replacing earlier ones, while the poll is open at `at`.
    /// `None` when the link is unknown.
    pub async fn answer_poll(
        &self,
        token: &str,
        answers: &[(PollSlotId, &str)],
        at: i64,
    ) -> Result<Option<Answered>> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT poll_invitees.id, date_polls.id, date_polls.answer_by, date_polls.closed_at \
             FROM poll_invitees JOIN date_polls ON date_polls.id = poll_invitees.poll_id \
             WHERE poll_invitees.link_hash = $1",
        )
        .bind(hash_secret(token))
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let (invitee, poll, answer_by): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
        if row.get::<Option<i64>, _>(3).is_some() || at >= answer_by {
            return Ok(Some(Answered::Closed));
        }
        let slots: Vec<i64> = sqlx::query("SELECT id FROM poll_slots WHERE poll_id = $1")
            .bind(poll)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        if answers.iter().any(|(slot, _)| !slots.contains(&slot.0)) {
            return Ok(Some(Answered::UnknownSlot));
        }
        sqlx::query("DELETE FROM poll_answers WHERE invitee_id = $1")
            .bind(invitee)
            .execute(&mut *tx)
            .await?;
        for (slot, answer) in answers {
            sqlx::query(
                "INSERT INTO poll_answers (invitee_id, slot_id, answer) VALUES ($1, $2, $3)",
            )
            .bind(invitee)
            .bind(slot.0)
            .bind(*answer)
            .execute(&mut *tx)
            .await
            .map_err(conflict_as("answer for that time"))?;
        }
        sqlx::query("UPDATE poll_invitees SET answered_at = $1 WHERE id = $2")
            .bind(at)
            .bind(invitee)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(Answered::Saved))
    }

    /// Asks participants added since the poll started; returns how many were added.
    pub async fn add_poll_participants(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<u64> {
        let Some(poll) = self.poll(org, review).await? else {
            return Ok(0);
        };
        let mut tx = self.begin_write().await?;
        let added = add_missing_participants(&mut tx, poll.id, review).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Stores the emails that send invitees their links and marks them invited, in one
    /// transaction. False when the poll is gone.
    pub async fn queue_poll_emails(
        &self,
        poll: DatePollId,
        emails: &[(PollInviteeId, OutgoingEmail)],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        for (invitee, email) in emails {
            let marked = sqlx::query(
                "UPDATE poll_invitees SET invited_at = COALESCE(invited_at, $1) \
                 WHERE id = $2 AND poll_id = $3",
            )
            .bind(now())
            .bind(invitee.0)
            .bind(poll.0)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() != 1 {
                return Ok(false);
            }
            self.queue_email(&mut tx, email, None).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Closes a poll to answers (champions close early, or choose times).
    pub async fn close_poll(&self, org: OrganisationId, review: ReviewId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE date_polls SET closed_at = $1 WHERE review_id = $2 AND closed_at IS NULL \
             AND review_id IN (SELECT id FROM reviews WHERE organisation_id = $3)",
        )
        .bind(now())
        .bind(review.0)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a review's poll with its times and answers (to start again).
    pub async fn delete_poll(&self, org: OrganisationId, review: ReviewId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM date_polls WHERE review_id = $1 \
             AND review_id IN (SELECT id FROM reviews WHERE organisation_id = $2)",
        )
        .bind(review.0)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

fn invitee_from_row(row: &sqlx::any::AnyRow) -> Invitee {
    Invitee {
        id: PollInviteeId(row.get(0)),
        participant: row.get::<Option<i64>, _>(1).map(ParticipantId),
        name: row.get(2),
        email: row.get(3),
        group: row.get(4),
        role: row.get(5),
        invited_at: row.get(6),
        answered_at: row.get(7),
        token: row.get(8),
    }
}

/// Adds an invitee, with a link of their own, for each participant not yet asked (erased
/// participants are left out).
async fn add_missing_participants(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    poll: DatePollId,
    review: ReviewId,
) -> Result<u64> {
    let missing: Vec<i64> = sqlx::query(
        "SELECT id FROM participants WHERE review_id = $1 AND erased_at IS NULL \
         AND id NOT IN (SELECT participant_id FROM poll_invitees \
         WHERE poll_id = $2 AND participant_id IS NOT NULL) ORDER BY id",
    )
    .bind(review.0)
    .bind(poll.0)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|row| row.get(0))
    .collect();
    for participant in &missing {
        let link = NewSecret::generate("cgp_");
        sqlx::query(
            "INSERT INTO poll_invitees (poll_id, participant_id, role, link_hash, link_token) \
             VALUES ($1, $2, 'participant', $3, $4)",
        )
        .bind(poll.0)
        .bind(participant)
        .bind(&link.hash)
        .bind(&link.token)
        .execute(&mut **tx)
        .await?;
    }
    Ok(missing.len() as u64)
}
