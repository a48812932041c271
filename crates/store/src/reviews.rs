//! Reviews, the instrument version each pins, and the readiness checklist.
//!
//! Every method takes the organisation's id and filters on it, so a review id from another
//! organisation finds nothing.

use commonground_domain::review::{
    FocusArea, QuestionnaireState, ReadinessItem, ReviewScope, ReviewTitle,
};
use std::sync::Arc;

use commonground_domain::instrument::Instrument;
use commonground_domain::{InstrumentVersionId, OrganisationId, ReviewId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, now, review_in};

/// A named champion: an account, or an email invited to make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Champion {
    /// Nobody named yet.
    Missing,
    /// A member with an account.
    Member {
        /// Their account.
        id: UserId,
        /// Their name.
        name: String,
    },
    /// Invited by email; becomes a member when they accept.
    Invited {
        /// The address invited.
        email: String,
    },
}

impl Champion {
    /// Whether someone is named (with an account or invited).
    #[must_use]
    pub fn is_named(&self) -> bool {
        !matches!(self, Champion::Missing)
    }
}

/// A review as stored.
#[derive(Debug, Clone)]
pub struct Review {
    /// Its id.
    pub id: ReviewId,
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// Title.
    pub title: String,
    /// Who and what it covers.
    pub scope: String,
    /// Up to three focus areas.
    pub focus_areas: Vec<FocusArea>,
    /// The instrument version it pinned.
    pub instrument_version_id: InstrumentVersionId,
    /// That version's title and number, for display.
    pub instrument_label: String,
    /// The clinical champion.
    pub clinical_champion: Champion,
    /// The finance champion.
    pub finance_champion: Champion,
    /// Where the questionnaire stands.
    pub questionnaire: QuestionnaireState,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: i64,
    /// How many participants are invited.
    pub participants: i64,
}

impl Review {
    /// Whether `user` is one of its champions or created it.
    #[must_use]
    pub fn is_run_by(&self, user: UserId) -> bool {
        let champion = |c: &Champion| matches!(c, Champion::Member { id, .. } if *id == user);
        champion(&self.clinical_champion)
            || champion(&self.finance_champion)
            || self.created_by == Some(user)
    }
}

/// The fields of a new review or of a change to one, already checked.
pub struct ReviewFields<'a> {
    /// Title.
    pub title: &'a ReviewTitle,
    /// Scope.
    pub scope: &'a ReviewScope,
    /// Focus areas (one to three).
    pub focus_areas: &'a [FocusArea],
    /// Clinical champion.
    pub clinical_champion: ChampionChoice,
    /// Finance champion.
    pub finance_champion: ChampionChoice,
}

/// How a champion slot is filled when saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChampionChoice {
    /// Left empty.
    Nobody,
    /// An existing member.
    Member(UserId),
    /// An email address invited to join.
    Invited(String),
}

const SELECT: &str = "SELECT reviews.id, reviews.organisation_id, reviews.title, reviews.scope, reviews.focus_areas, \
     reviews.instrument_version_id, instrument_versions.title, instrument_versions.version, \
     reviews.clinical_champion_id, clinical.name, reviews.clinical_champion_email, \
     reviews.finance_champion_id, finance.name, reviews.finance_champion_email, \
     reviews.questionnaire_state, reviews.created_by, reviews.created_at, \
     (SELECT COUNT(*) FROM participants WHERE participants.review_id = reviews.id) \
     FROM reviews \
     JOIN instrument_versions ON instrument_versions.id = reviews.instrument_version_id \
     LEFT JOIN users clinical ON clinical.id = reviews.clinical_champion_id \
     LEFT JOIN users finance ON finance.id = reviews.finance_champion_id";

fn champion(id: Option<i64>, name: Option<String>, email: Option<String>) -> Champion {
    match (id, name, email) {
        (Some(id), Some(name), _) => Champion::Member {
            id: UserId(id),
            name,
        },
        (_, _, Some(email)) => Champion::Invited { email },
        _ => Champion::Missing,
    }
}

fn review_from_row(row: &AnyRow) -> Review {
    let focus: String = row.get(4);
    Review {
        id: ReviewId(row.get(0)),
        organisation_id: OrganisationId(row.get(1)),
        title: row.get(2),
        scope: row.get(3),
        focus_areas: focus
            .split(',')
            .filter_map(|f| FocusArea::parse(f).ok())
            .collect(),
        instrument_version_id: InstrumentVersionId(row.get(5)),
        instrument_label: format!(
            "{} (version {})",
            row.get::<String, _>(6),
            row.get::<i64, _>(7)
        ),
        clinical_champion: champion(row.get(8), row.get(9), row.get(10)),
        finance_champion: champion(row.get(11), row.get(12), row.get(13)),
        questionnaire: QuestionnaireState::parse(&row.get::<String, _>(14))
            .unwrap_or(QuestionnaireState::Draft),
        created_by: row.get::<Option<i64>, _>(15).map(UserId),
        created_at: row.get(16),
        participants: row.get(17),
    }
}

fn split_choice(choice: &ChampionChoice) -> (Option<i64>, Option<&str>) {
    match choice {
        ChampionChoice::Nobody => (None, None),
        ChampionChoice::Member(id) => (Some(id.0), None),
        ChampionChoice::Invited(email) => (None, Some(email.as_str())),
    }
}

fn focus_text(areas: &[FocusArea]) -> String {
    areas
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// The id of a shipped instrument version, storing its definition the first time.
    pub async fn shipped_instrument_version(
        &self,
        key: &str,
        version: u32,
        title: &str,
        definition: &str,
    ) -> Result<InstrumentVersionId> {
        let find = || {
            sqlx::query(
                "SELECT id FROM instrument_versions WHERE organisation_id IS NULL AND instrument_key = $1 AND version = $2",
            )
            .bind(key)
            .bind(i64::from(version))
        };
        if let Some(row) = find().fetch_optional(&self.reader).await? {
            return Ok(InstrumentVersionId(row.get(0)));
        }
        let mut tx = self.begin_write().await?;
        // Checked again inside the write transaction: two instances may start at once.
        if let Some(row) = find().fetch_optional(&mut *tx).await? {
            return Ok(InstrumentVersionId(row.get(0)));
        }
        let row = sqlx::query(
            "INSERT INTO instrument_versions (organisation_id, instrument_key, version, title, definition, created_at) \
             VALUES (NULL, $1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(key)
        .bind(i64::from(version))
        .bind(title)
        .bind(definition)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(InstrumentVersionId(row.get(0)))
    }

    /// Creates a review pinned to `instrument`.
    pub async fn create_review(
        &self,
        org: OrganisationId,
        fields: &ReviewFields<'_>,
        instrument: InstrumentVersionId,
        created_by: UserId,
    ) -> Result<ReviewId> {
        let (clinical_id, clinical_email) = split_choice(&fields.clinical_champion);
        let (finance_id, finance_email) = split_choice(&fields.finance_champion);
        let row = sqlx::query(
            "INSERT INTO reviews (organisation_id, title, scope, focus_areas, instrument_version_id, \
             clinical_champion_id, finance_champion_id, clinical_champion_email, finance_champion_email, \
             questionnaire_state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(org.0)
        .bind(fields.title.as_str())
        .bind(fields.scope.as_str())
        .bind(focus_text(fields.focus_areas))
        .bind(instrument.0)
        .bind(clinical_id)
        .bind(finance_id)
        .bind(clinical_email)
        .bind(finance_email)
        .bind(QuestionnaireState::Draft.as_str())
        .bind(created_by.0)
        .bind(now())
        .fetch_one(&self.writer)
        .await?;
        Ok(ReviewId(row.get(0)))
    }

    /// Changes a review's details and champions.
    pub async fn update_review(
        &self,
        org: OrganisationId,
        id: ReviewId,
        fields: &ReviewFields<'_>,
    ) -> Result<bool> {
        let (clinical_id, clinical_email) = split_choice(&fields.clinical_champion);
        let (finance_id, finance_email) = split_choice(&fields.finance_champion);
        let done = sqlx::query(
            "UPDATE reviews SET title = $1, scope = $2, focus_areas = $3, clinical_champion_id = $4, \
             finance_champion_id = $5, clinical_champion_email = $6, finance_champion_email = $7 \
             WHERE id = $8 AND organisation_id = $9",
        )
        .bind(fields.title.as_str())
        .bind(fields.scope.as_str())
        .bind(focus_text(fields.focus_areas))
        .bind(clinical_id)
        .bind(finance_id)
        .bind(clinical_email)
        .bind(finance_email)
        .bind(id.0)
        .bind(org.0)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One review of `org`.
    pub async fn get_review(&self, org: OrganisationId, id: ReviewId) -> Result<Option<Review>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE reviews.id = $1 AND reviews.organisation_id = $2"
        )))
        .bind(id.0)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(review_from_row))
    }

    /// The reviews of `org`, newest first.
    pub async fn list_reviews(&self, org: OrganisationId) -> Result<Vec<Review>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE reviews.organisation_id = $1 ORDER BY reviews.id DESC"
        )))
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(review_from_row).collect())
    }

    /// The instrument version a review of `org` pinned.
    pub async fn review_instrument(
        &self,
        org: OrganisationId,
        id: ReviewId,
    ) -> Result<Option<Arc<Instrument>>> {
        let row = sqlx::query(
            "SELECT instrument_version_id FROM reviews WHERE id = $1 AND organisation_id = $2",
        )
        .bind(id.0)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?;
        match row {
            Some(row) => Ok(Some(
                self.instrument(InstrumentVersionId(row.get(0))).await?,
            )),
            None => Ok(None),
        }
    }

    /// The readiness items ticked, with their notes.
    pub async fn readiness(
        &self,
        org: OrganisationId,
        id: ReviewId,
    ) -> Result<Vec<(ReadinessItem, String)>> {
        let rows = sqlx::query(
            "SELECT readiness_items.item_key, readiness_items.note FROM readiness_items \
             JOIN reviews ON reviews.id = readiness_items.review_id \
             WHERE readiness_items.review_id = $1 AND reviews.organisation_id = $2",
        )
        .bind(id.0)
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        let mut items: Vec<(ReadinessItem, String)> = rows
            .iter()
            .filter_map(|row| {
                ReadinessItem::parse(&row.get::<String, _>(0))
                    .ok()
                    .map(|i| (i, row.get(1)))
            })
            .collect();
        items.sort_by_key(|(item, _)| *item);
        Ok(items)
    }

    /// Replaces the readiness checklist with `items` (ticked items and their notes).
    pub async fn set_readiness(
        &self,
        org: OrganisationId,
        id: ReviewId,
        items: &[(ReadinessItem, String)],
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if !review_in(&mut tx, org, id).await? {
            return Ok(false);
        }
        sqlx::query("DELETE FROM readiness_items WHERE review_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        for (item, note) in items {
            sqlx::query("INSERT INTO readiness_items (review_id, item_key, note, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(id.0)
                .bind(item.as_str())
                .bind(note)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Links reviews that invited `email` as a champion to the account `user`, in the caller's
/// transaction (when an invitation is accepted).
pub(crate) async fn link_invited_champion(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrganisationId,
    email: &str,
    user: UserId,
) -> Result<()> {
    for side in ["clinical", "finance"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE reviews SET {side}_champion_id = $1, {side}_champion_email = NULL \
             WHERE organisation_id = $2 AND {side}_champion_email = $3"
        )))
        .bind(user.0)
        .bind(org.0)
        .bind(email)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
