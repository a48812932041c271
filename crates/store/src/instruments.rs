//! Instrument versions: the ones shipped with the product and organisations' adapted copies.
//! A version is never changed once stored: reviews point at the exact text they used.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use commonground_domain::instrument::Instrument;
use commonground_domain::{InstrumentVersionId, OrganisationId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, now};

/// Parsed instrument versions by id. A version never changes once stored, so each is read and
/// parsed once per process instead of on every questionnaire page and submission.
#[derive(Clone, Default)]
pub(crate) struct InstrumentCache(Arc<RwLock<HashMap<i64, Arc<Instrument>>>>);

/// A stored instrument version, without its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentVersion {
    /// Its id.
    pub id: InstrumentVersionId,
    /// The organisation that adapted it; `None` for versions shipped with the product.
    pub organisation_id: Option<OrganisationId>,
    /// The instrument it is a version of, such as "team-questionnaire".
    pub key: String,
    /// Its number, counting shipped and adapted versions of the key together.
    pub version: i64,
    /// Its title.
    pub title: String,
}

fn version_from_row(row: &AnyRow) -> InstrumentVersion {
    InstrumentVersion {
        id: InstrumentVersionId(row.get(0)),
        organisation_id: row.get::<Option<i64>, _>(1).map(OrganisationId),
        key: row.get(2),
        version: row.get(3),
        title: row.get(4),
    }
}

impl Store {
    /// A stored version, parsed. Callers have checked that the asker may see it (it is the
    /// version of a review they reached).
    pub async fn instrument(&self, id: InstrumentVersionId) -> Result<Arc<Instrument>> {
        let cached = self
            .instruments
            .0
            .read()
            .map_err(|_| StoreError::Unreadable("the instrument cache".into()))?
            .get(&id.0)
            .cloned();
        if let Some(instrument) = cached {
            return Ok(instrument);
        }
        let row = sqlx::query("SELECT definition FROM instrument_versions WHERE id = $1")
            .bind(id.0)
            .fetch_one(&self.reader)
            .await?;
        let instrument =
            Arc::new(Instrument::parse(&row.get::<String, _>(0)).map_err(|e| {
                StoreError::Unreadable(format!("instrument version {}: {e}", id.0))
            })?);
        self.instruments
            .0
            .write()
            .map_err(|_| StoreError::Unreadable("the instrument cache".into()))?
            .insert(id.0, instrument.clone());
        Ok(instrument)
    }

    /// The versions `org` may use: the shipped ones and its own, newest first.
    pub async fn instrument_versions(&self, org: OrganisationId) -> Result<Vec<InstrumentVersion>> {
        let rows = sqlx::query(
            "SELECT id, organisation_id, instrument_key, version, title FROM instrument_versions \
             WHERE organisation_id IS NULL OR organisation_id = $1 ORDER BY instrument_key, version DESC",
        )
        .bind(org.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(version_from_row).collect())
    }

    /// One version's definition, if `org` may use it.
    pub async fn instrument_version_definition(
        &self,
        org: OrganisationId,
        id: InstrumentVersionId,
    ) -> Result<Option<(InstrumentVersion, String)>> {
        let row = sqlx::query(
            "SELECT id, organisation_id, instrument_key, version, title, definition FROM instrument_versions \
             WHERE id = $1 AND (organisation_id IS NULL OR organisation_id = $2)",
        )
        .bind(id.0)
        .bind(org.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|r| (version_from_row(&r), r.get(5))))
    }

    /// The next version number for `key`, counting every organisation's copies.
    pub async fn next_instrument_version(&self, key: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM instrument_versions WHERE instrument_key = $1")
            .bind(key)
            .fetch_one(&self.reader)
            .await?;
        Ok(row.get(0))
    }

    /// Stores an organisation's adapted copy as version `version` of `key`.
    pub async fn create_instrument_version(
        &self,
        org: OrganisationId,
        key: &str,
        version: i64,
        title: &str,
        definition: &str,
    ) -> Result<InstrumentVersionId> {
        let row = sqlx::query(
            "INSERT INTO instrument_versions (organisation_id, instrument_key, version, title, definition, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org.0)
        .bind(key)
        .bind(version)
        .bind(title)
        .bind(definition)
        .bind(now())
        .fetch_one(&self.writer)
        .await?;
        Ok(InstrumentVersionId(row.get(0)))
    }
}
