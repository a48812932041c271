//! An organisation's divisions or directorates, used to balance invitations and break down results.

use commonground_domain::{DivisionId, DivisionName, OrganisationId};
use sqlx::Row;

use crate::{Result, Store, conflict_as, now};

/// A division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Its id.
    pub id: DivisionId,
    /// Its name, unique within the organisation.
    pub name: String,
}

impl Store {
    /// An organisation's divisions, by name.
    pub async fn list_divisions(&self, org: OrganisationId) -> Result<Vec<Division>> {
        let rows =
            sqlx::query("SELECT id, name FROM divisions WHERE organisation_id = $1 ORDER BY name")
                .bind(org.0)
                .fetch_all(&self.reader)
                .await?;
        Ok(rows
            .iter()
            .map(|row| Division {
                id: DivisionId(row.get(0)),
                name: row.get(1),
            })
            .collect())
    }

    /// Just the names of an organisation's divisions, by name.
    pub async fn division_names(&self, org: OrganisationId) -> Result<Vec<String>> {
        Ok(self
            .list_divisions(org)
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect())
    }

    /// Adds a division; its name must be new in the organisation.
    pub async fn create_division(
        &self,
        org: OrganisationId,
        name: &DivisionName,
    ) -> Result<Division> {
        let row = sqlx::query(
            "INSERT INTO divisions (organisation_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(org.0)
        .bind(name.as_str())
        .bind(now())
        .fetch_one(&self.writer)
        .await
        .map_err(conflict_as("a division with this name"))?;
        Ok(Division {
            id: DivisionId(row.get(0)),
            name: name.as_str().to_owned(),
        })
    }

    /// Removes a division; false when the organisation has no such division.
    pub async fn delete_division(&self, org: OrganisationId, id: DivisionId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM divisions WHERE id = $1 AND organisation_id = $2")
            .bind(id.0)
            .bind(org.0)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
