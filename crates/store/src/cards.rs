//! An organisation's own cards for the two card exercises, beside the shipped ones.

use commonground_domain::{CardId, OrganisationId, UserId};
use sqlx::Row;

use crate::{Result, Store, now};

/// An organisation's card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnCard {
    /// Its id.
    pub id: CardId,
    /// `scenario` or `prompt`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// The situation, or the question.
    pub body: String,
    /// The factor keys it touches.
    pub factors: Vec<String>,
}

impl Store {
    /// Adds an organisation's card.
    pub async fn add_card(
        &self,
        org: OrganisationId,
        kind: &str,
        title: &str,
        body: &str,
        factors: &[String],
        by: UserId,
    ) -> Result<CardId> {
        let mut tx = self.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO cards (organisation_id, kind, title, body, factors, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org.0)
        .bind(kind)
        .bind(title)
        .bind(body)
        .bind(factors.join(","))
        .bind(by.0)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        tx.commit().await?;
        Ok(CardId(id))
    }

    /// An organisation's cards, oldest first.
    pub async fn own_cards(&self, org: OrganisationId) -> Result<Vec<OwnCard>> {
        let rows = sqlx::query(
            "SELECT id, kind, title, body, factors FROM cards WHERE organisation_id = $1 ORDER BY id",
        )
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .iter()
            .map(|row| OwnCard {
                id: CardId(row.get(0)),
                kind: row.get(1),
                title: row.get(2),
                body: row.get(3),
                factors: row
                    .get::<String, _>(4)
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect())
    }

    /// Deletes an organisation's card.
    pub async fn delete_card(&self, org: OrganisationId, card: CardId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM cards WHERE id = $1 AND organisation_id = $2")
            .bind(card.0)
            .bind(org.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
