//! What a session produces: notes captured live (themes, good practice, next steps),
//! attendance, score challenges, and draft actions made from agreed next steps.
//!
//! Captured notes are not tied to who wrote them: note takers write for the room.

use commonground_domain::{
    ActionId, CaptureItemId, OrganisationId, ParticipantId, ReviewId, ScoreChallengeId, UserId,
};
use sqlx::Row;

use crate::{Result, Store, now, review_in};

/// A captured note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureItem {
    /// Its id; later notes have larger ids.
    pub id: CaptureItemId,
    /// `theme`, `good_practice` or `next_step`.
    pub kind: String,
    /// What was noted.
    pub body: String,
    /// When.
    pub created_at: i64,
}

/// A recorded score challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreChallenge {
    /// Its id.
    pub id: ScoreChallengeId,
    /// The factor whose score was challenged.
    pub factor: String,
    /// The argument made.
    pub argument: String,
    /// `score_stands`, `team_disagrees` or `look_again`.
    pub outcome: String,
    /// What the team said about the outcome.
    pub outcome_note: String,
    /// When.
    pub created_at: i64,
}

/// A draft action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftAction {
    /// Its id.
    pub id: ActionId,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// `draft` until the action plan takes it up.
    pub status: String,
    /// The next step it came from.
    pub source: Option<CaptureItemId>,
}

impl Store {
    /// Adds a note to a session and tells live pages. `None` when `org` has no such review.
    pub async fn add_capture_item(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        kind: &str,
        body: &str,
    ) -> Result<Option<CaptureItemId>> {
        let Some(mut tx) = self.begin_session_change(org, review, number).await? else {
            return Ok(None);
        };
        let id = sqlx::query(
            "INSERT INTO capture_items (review_id, session_number, kind, body, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(review.0)
        .bind(i64::from(number))
        .bind(kind)
        .bind(body)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        self.finish_session_change(tx, review, number).await?;
        Ok(Some(CaptureItemId(id)))
    }

    /// How many notes a session got since `since` (Unix seconds).
    pub async fn capture_count_since(
        &self,
        review: ReviewId,
        number: u8,
        since: i64,
    ) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM capture_items \
             WHERE review_id = $1 AND session_number = $2 AND created_at >= $3",
        )
        .bind(review.0)
        .bind(i64::from(number))
        .bind(since)
        .fetch_one(&self.reader)
        .await?
        .get(0))
    }

    /// A session's notes after `after` (all when `None`), oldest first.
    pub async fn capture_items(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        after: Option<CaptureItemId>,
    ) -> Result<Vec<CaptureItem>> {
        let rows = sqlx::query(
            "SELECT capture_items.id, capture_items.kind, capture_items.body, capture_items.created_at \
             FROM capture_items JOIN reviews ON reviews.id = capture_items.review_id \
             WHERE capture_items.review_id = $1 AND reviews.organisation_id = $2 \
             AND capture_items.session_number = $3 AND capture_items.id > $4 ORDER BY capture_items.id",
        )
        .bind(review.0)
        .bind(org.0)
        .bind(i64::from(number))
        .bind(after.map_or(0, |a| a.0))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| CaptureItem {
                id: CaptureItemId(row.get(0)),
                kind: row.get(1),
                body: row.get(2),
                created_at: row.get(3),
            })
            .collect())
    }

    /// Removes a note (a mistake, or a name that should not be there).
    pub async fn delete_capture_item(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        item: CaptureItemId,
    ) -> Result<bool> {
        let Some(mut tx) = self.begin_session_change(org, review, number).await? else {
            return Ok(false);
        };
        let done = sqlx::query(
            "DELETE FROM capture_items WHERE id = $1 AND review_id = $2 AND session_number = $3",
        )
        .bind(item.0)
        .bind(review.0)
        .bind(i64::from(number))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.finish_session_change(tx, review, number).await
    }

    /// Records who came to a session: every participant not listed in `present` is marked
    /// absent. False when `org` has no such review; participants of other reviews are ignored.
    pub async fn record_attendance(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
        present: &[ParticipantId],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(false);
        }
        let everyone: Vec<i64> = sqlx::query("SELECT id FROM participants WHERE review_id = $1")
            .bind(review.0)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        for participant in &everyone {
            let attended = present.iter().any(|p| p.0 == *participant);
            sqlx::query(
                "INSERT INTO attendance (review_id, session_number, participant_id, attended) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (review_id, session_number, participant_id) \
                 DO UPDATE SET attended = excluded.attended",
            )
            .bind(review.0)
            .bind(i64::from(number))
            .bind(participant)
            .bind(i64::from(attended))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Who came to a session, as recorded (participants with no record are left out).
    pub async fn attendance(
        &self,
        org: OrganisationId,
        review: ReviewId,
        number: u8,
    ) -> Result<Vec<(ParticipantId, bool)>> {
        let rows = sqlx::query(
            "SELECT attendance.participant_id, attendance.attended FROM attendance \
             JOIN reviews ON reviews.id = attendance.review_id \
             WHERE attendance.review_id = $1 AND reviews.organisation_id = $2 \
             AND attendance.session_number = $3",
        )
        .bind(review.0)
        .bind(org.0)
        .bind(i64::from(number))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| (ParticipantId(row.get(0)), row.get::<i64, _>(1) != 0))
            .collect())
    }

    /// Records a score challenge. `None` when `org` has no such review.
    pub async fn add_score_challenge(
        &self,
        org: OrganisationId,
        review: ReviewId,
        challenge: &ScoreChallenge,
        by: UserId,
    ) -> Result<Option<ScoreChallengeId>> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(None);
        }
        let id = sqlx::query(
            "INSERT INTO score_challenges (review_id, factor_key, argument, outcome, outcome_note, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(review.0)
        .bind(&challenge.factor)
        .bind(&challenge.argument)
        .bind(&challenge.outcome)
        .bind(&challenge.outcome_note)
        .bind(by.0)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        tx.commit().await?;
        Ok(Some(ScoreChallengeId(id)))
    }

    /// A review's score challenges, oldest first.
    pub async fn score_challenges(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<ScoreChallenge>> {
        let rows = sqlx::query(
            "SELECT score_challenges.id, factor_key, argument, outcome, outcome_note, \
             score_challenges.created_at FROM score_challenges \
             JOIN reviews ON reviews.id = score_challenges.review_id \
             WHERE score_challenges.review_id = $1 AND reviews.organisation_id = $2 \
             ORDER BY score_challenges.id",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| ScoreChallenge {
                id: ScoreChallengeId(row.get(0)),
                factor: row.get(1),
                argument: row.get(2),
                outcome: row.get(3),
                outcome_note: row.get(4),
                created_at: row.get(5),
            })
            .collect())
    }

    /// Turns a review's next steps into draft actions, each once; returns how many were new.
    /// `items` must be next steps of this review (others are skipped).
    pub async fn draft_actions_from(
        &self,
        org: OrganisationId,
        review: ReviewId,
        items: &[CaptureItemId],
        by: UserId,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, review).await? {
            return Ok(0);
        }
        let mut made = 0;
        for item in items {
            let done = sqlx::query(
                "INSERT INTO actions (review_id, title, description, status, source_capture_id, \
                 created_by, created_at) \
                 SELECT review_id, SUBSTR(body, 1, 120), body, 'draft', id, $1, $2 FROM capture_items \
                 WHERE id = $3 AND review_id = $4 AND kind = 'next_step' \
                 AND id NOT IN (SELECT source_capture_id FROM actions WHERE source_capture_id IS NOT NULL)",
            )
            .bind(by.0)
            .bind(now())
            .bind(item.0)
            .bind(review.0)
            .execute(&mut *tx)
            .await?;
            made += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(made)
    }

    /// A review's actions, oldest first.
    pub async fn draft_actions(
        &self,
        org: OrganisationId,
        review: ReviewId,
    ) -> Result<Vec<DraftAction>> {
        let rows = sqlx::query(
            "SELECT actions.id, actions.title, actions.description, actions.status, \
             actions.source_capture_id FROM actions JOIN reviews ON reviews.id = actions.review_id \
             WHERE actions.review_id = $1 AND reviews.organisation_id = $2 ORDER BY actions.id",
        )
        .bind(review.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| DraftAction {
                id: ActionId(row.get(0)),
                title: row.get(1),
                description: row.get(2),
                status: row.get(3),
                source: row.get::<Option<i64>, _>(4).map(CaptureItemId),
            })
            .collect())
    }
}
