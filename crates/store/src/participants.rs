//! The people invited to answer a review's questionnaire.
//!
//! Participants are known by name and email so champions can invite and chase them; what they
//! answer is stored apart, with no link back to them (see the responses tables).

use commonground_domain::participants::{NewParticipant, ProfessionGroup, RoleLevel};
use commonground_domain::{OrganisationId, ParticipantId, ReviewId};
use sqlx::Row;

use crate::{Result, Store, now, review_in};

/// A participant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// Their id.
    pub id: ParticipantId,
    /// Their name.
    pub name: String,
    /// Their email, lower case, unique within the review.
    pub email: String,
    /// Their profession group.
    pub profession: ProfessionGroup,
    /// Their division, if given.
    pub division: Option<String>,
    /// Their role level.
    pub role_level: RoleLevel,
    /// Whether they have answered the questionnaire (never what they answered).
    pub responded: bool,
    /// Why their email could not be delivered (the server's words), if it could not.
    pub email_problem: Option<String>,
}

/// The columns [`participant_from_row`] reads, in its order.
pub(crate) const PARTICIPANT_COLUMNS: &str = "participants.id, participants.name, \
     participants.email, participants.profession, participants.division, participants.role_level, \
     participants.responded, participants.email_problem";

/// A participant from a row that starts with [`PARTICIPANT_COLUMNS`].
pub(crate) fn participant_from_row(row: &sqlx::any::AnyRow) -> Option<Participant> {
    Some(Participant {
        id: ParticipantId(row.get(0)),
        name: row.get(1),
        email: row.get(2),
        profession: ProfessionGroup::parse(&row.get::<String, _>(3)).ok()?,
        division: row.get(4),
        role_level: RoleLevel::parse(&row.get::<String, _>(5)).ok()?,
        responded: row.get::<i64, _>(6) != 0,
        email_problem: row.get(7),
    })
}

/// What adding participants did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Added {
    /// How many were new.
    pub added: usize,
    /// Emails already in the review, left as they were.
    pub already_invited: Vec<String>,
}

impl Store {
    /// Adds participants to a review of `org` in one transaction; emails already in the review
    /// are kept as they are. `None` when `org` has no such review.
    pub async fn add_participants(
        &self,
        org: OrganisationId,
        review: ReviewId,
        people: &[NewParticipant],
    ) -> Result<Option<Added>> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(None);
        }
        let mut outcome = Added::default();
        for person in people {
            let done = sqlx::query(
                "INSERT INTO participants (review_id, name, email, profession, division, role_level, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (review_id, email) DO NOTHING",
            )
            .bind(review.0)
            .bind(person.name.as_str())
            .bind(person.email.as_str())
            .bind(person.profession.as_str())
            .bind(person.division.as_deref())
            .bind(person.role_level.as_str())
            .bind(now())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                outcome.added += 1;
            } else {
                outcome
                    .already_invited
                    .push(person.email.as_str().to_owned());
            }
        }
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// A review's participants, by name, with whether each has answered (never what).
    pub async fn list_participants(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<Participant>> {
        self.participants_where(org, review, "").await
    }

    /// How many participants a review of `org` has.
    pub async fn participant_count(&self, org: OrganisationId, review: ReviewId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM participants JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.get(0))
    }

    /// A review's participants matching the extra SQL `condition`, by name.
    pub(crate) async fn participants_where(
        &self,
        org: OrganisationId,
        review: ReviewId,
        condition: &'static str,
    ) -> Result<Vec<Participant>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM participants JOIN reviews ON reviews.id = participants.review_id \
             WHERE participants.review_id = $1 AND reviews.organisation_id = $2 {condition} \
             ORDER BY participants.name, participants.id"
        )))
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().filter_map(participant_from_row).collect())
    }

    /// Removes a participant from a review of `org`; false when there is no such participant.
    pub async fn remove_participant(
        &self,
        org: OrganisationId,
        review: ReviewId,
        id: ParticipantId,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM participants WHERE id = $1 AND review_id = $2 \
             AND review_id IN (SELECT id FROM reviews WHERE organisation_id = $3)",
        )
        .bind(id.0)
        .bind(review.0)
        .bind(org.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
