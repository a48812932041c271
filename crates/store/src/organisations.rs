//! Organisations and their settings.

use commonground_domain::{
    MinReportingGroup, OdsCode, OrganisationId, OrganisationName, OrganisationType, Region,
    RetentionMonths, Role, UserId,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, conflict_as, now};

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its id.
    pub id: OrganisationId,
    /// Its name.
    pub name: String,
    /// Its ODS code, upper case and unique.
    pub ods_code: String,
    /// What kind of body it is.
    pub org_type: OrganisationType,
    /// Its NHS region, if given.
    pub region: Option<String>,
    /// Fewest responses before a group's figures show.
    pub min_reporting_group: u32,
    /// Months a closed review's participants' names and emails are kept.
    pub retention_months: u32,
    /// When it was added.
    pub created_at: i64,
}

/// The fields of a new organisation or of a settings change, already checked.
pub struct OrganisationFields<'a> {
    /// Its name.
    pub name: &'a OrganisationName,
    /// Its ODS code.
    pub ods_code: &'a OdsCode,
    /// Its type.
    pub org_type: OrganisationType,
    /// Its region.
    pub region: &'a Region,
    /// Its minimum reporting group.
    pub min_reporting_group: MinReportingGroup,
    /// How long participants' personal data is kept after a questionnaire closes.
    pub retention_months: RetentionMonths,
}

const COLUMNS: &str = "organisations.id, organisations.name, organisations.ods_code, organisations.org_type, \
     organisations.region, organisations.min_reporting_group, organisations.created_at, \
     organisations.retention_months";

fn organisation_from_row(row: &AnyRow) -> Organisation {
    Organisation {
        id: OrganisationId(row.get(0)),
        name: row.get(1),
        ods_code: row.get(2),
        org_type: OrganisationType::parse(&row.get::<String, _>(3))
            .unwrap_or(OrganisationType::Other),
        region: row.get(4),
        min_reporting_group: row.get::<i64, _>(5) as u32,
        created_at: row.get(6),
        retention_months: row.get::<i64, _>(7) as u32,
    }
}

impl Store {
    /// Adds an organisation, making `first_admin` (if any) its organisation admin.
    pub async fn create_organisation(
        &self,
        fields: &OrganisationFields<'_>,
        first_admin: Option<UserId>,
    ) -> Result<Organisation> {
        let mut tx = self.begin_write().await?;
        let created_at = now();
        let row = sqlx::query(
            "INSERT INTO organisations (name, ods_code, org_type, region, min_reporting_group, \
             created_at, retention_months) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(fields.name.as_str())
        .bind(fields.ods_code.as_str())
        .bind(fields.org_type.as_str())
        .bind(fields.region.as_deref())
        .bind(i64::from(fields.min_reporting_group.get()))
        .bind(created_at)
        .bind(i64::from(fields.retention_months.get()))
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("an organisation with this ODS code"))?;
        let id = OrganisationId(row.get(0));
        if let Some(admin) = first_admin {
            crate::members::insert_role(&mut tx, id, admin, Role::OrgAdmin).await?;
        }
        tx.commit().await?;
        Ok(Organisation {
            id,
            name: fields.name.as_str().to_owned(),
            ods_code: fields.ods_code.as_str().to_owned(),
            org_type: fields.org_type,
            region: fields.region.as_deref().map(str::to_owned),
            min_reporting_group: fields.min_reporting_group.get(),
            retention_months: fields.retention_months.get(),
            created_at,
        })
    }

    /// One organisation.
    pub async fn get_organisation(&self, id: OrganisationId) -> Result<Option<Organisation>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM organisations WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(organisation_from_row))
    }

    /// The organisation with this ODS code.
    pub async fn find_organisation_by_ods(&self, ods: &OdsCode) -> Result<Option<Organisation>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM organisations WHERE ods_code = $1"
        )))
        .bind(ods.as_str())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(organisation_from_row))
    }

    /// Every organisation, by name (network admins).
    pub async fn list_all_organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM organisations ORDER BY name, id"
        )))
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(organisation_from_row).collect())
    }

    /// The organisations `user` belongs to, by name.
    pub async fn list_organisations_of(&self, user: UserId) -> Result<Vec<Organisation>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM organisations WHERE id IN \
             (SELECT organisation_id FROM memberships WHERE user_id = $1) ORDER BY name, id"
        )))
        .bind(user.0)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(organisation_from_row).collect())
    }

    /// Changes an organisation's details and settings.
    pub async fn update_organisation(
        &self,
        id: OrganisationId,
        fields: &OrganisationFields<'_>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE organisations SET name = $1, ods_code = $2, org_type = $3, region = $4, \
             min_reporting_group = $5, retention_months = $6 WHERE id = $7",
        )
        .bind(fields.name.as_str())
        .bind(fields.ods_code.as_str())
        .bind(fields.org_type.as_str())
        .bind(fields.region.as_deref())
        .bind(i64::from(fields.min_reporting_group.get()))
        .bind(i64::from(fields.retention_months.get()))
        .bind(id.0)
        .execute(&self.writer)
        .await
        .map_err(conflict_as("an organisation with this ODS code"))?;
        Ok(())
    }
}
