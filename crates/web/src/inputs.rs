//! Raw inputs shared by pages and the API, and their parsing into domain values.
//!
//! Both front doors accept the same fields with the same rules; errors come back per field so a
//! page can show an error summary and the API a problem document.

use commonground_domain::{
    EmailAddress, MinReportingGroup, OdsCode, OrganisationName, OrganisationType, Region,
    RetentionMonths, RoleSet,
};
use commonground_store::organisations::{Organisation, OrganisationFields};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::forms::FormErrors;

/// An organisation's details as typed in.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationInput {
    /// Name, such as "Northshire Hospitals NHS Foundation Trust".
    pub name: String,
    /// ODS code, such as "RX1".
    pub ods_code: String,
    /// One of `trust`, `health_board`, `integrated_care_board`, `other`.
    pub org_type: String,
    /// NHS region or nation; empty for none.
    pub region: String,
    /// Fewest responses before a group's results show; at least 3. Absent means the default.
    #[schema(value_type = Option<i64>)]
    pub min_reporting_group: NumberText,
    /// Months to keep a closed review's participants' names and emails, 6 to 120. Absent
    /// means 24.
    #[schema(value_type = Option<i64>)]
    pub retention_months: NumberText,
}

/// A whole number that arrives as a JSON number (API) or as text (forms), kept as typed so a
/// mistake can be shown back to the person who made it.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(transparent)]
pub struct NumberText(pub String);

impl<'de> Deserialize<'de> for NumberText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Number(n) => NumberText(n.to_string()),
            Raw::Text(t) => NumberText(t),
        })
    }
}

/// A checked organisation.
pub struct ParsedOrganisation {
    name: OrganisationName,
    ods_code: OdsCode,
    org_type: OrganisationType,
    region: Region,
    min_reporting_group: MinReportingGroup,
    retention_months: RetentionMonths,
}

impl ParsedOrganisation {
    /// The fields as the store takes them.
    #[must_use]
    pub fn fields(&self) -> OrganisationFields<'_> {
        OrganisationFields {
            name: &self.name,
            ods_code: &self.ods_code,
            org_type: self.org_type,
            region: &self.region,
            min_reporting_group: self.min_reporting_group,
            retention_months: self.retention_months,
        }
    }
}

impl OrganisationInput {
    /// The form pre-filled from a stored organisation.
    #[must_use]
    pub fn from_organisation(org: &Organisation) -> Self {
        Self {
            name: org.name.clone(),
            ods_code: org.ods_code.clone(),
            org_type: org.org_type.as_str().to_owned(),
            region: org.region.clone().unwrap_or_default(),
            min_reporting_group: NumberText(org.min_reporting_group.to_string()),
            retention_months: NumberText(org.retention_months.to_string()),
        }
    }

    /// Checks every field; `default_min` fills an empty minimum reporting group.
    pub fn parse(&self, default_min: MinReportingGroup) -> Result<ParsedOrganisation, FormErrors> {
        let mut errors = FormErrors::new();
        let name = errors.check("name", OrganisationName::parse(&self.name));
        let ods_code = errors.check("ods_code", OdsCode::parse(&self.ods_code));
        let org_type = errors.check("org_type", OrganisationType::parse(&self.org_type));
        let region = errors.check("region", Region::parse(&self.region));
        let min = if self.min_reporting_group.0.trim().is_empty() {
            Some(default_min)
        } else {
            errors.check(
                "min_reporting_group",
                MinReportingGroup::parse(&self.min_reporting_group.0),
            )
        };
        let retention = if self.retention_months.0.trim().is_empty() {
            Some(RetentionMonths::DEFAULT)
        } else {
            errors.check(
                "retention_months",
                RetentionMonths::parse(&self.retention_months.0),
            )
        };
        match (name, ods_code, org_type, region, min, retention) {
            (
                Some(name),
                Some(ods_code),
                Some(org_type),
                Some(region),
                Some(min_reporting_group),
                Some(retention_months),
            ) => Ok(ParsedOrganisation {
                name,
                ods_code,
                org_type,
                region,
                min_reporting_group,
                retention_months,
            }),
            _ => Err(errors),
        }
    }
}

/// An invitation as typed in.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InvitationInput {
    /// The invitee's email address.
    pub email: String,
    /// Roles to grant: any of `org_admin`, `champion`, `board_viewer`.
    pub roles: Vec<String>,
}

impl InvitationInput {
    /// Checks the address and the roles.
    pub fn parse(&self) -> Result<(EmailAddress, RoleSet), FormErrors> {
        let mut errors = FormErrors::new();
        let email = errors.check("email", EmailAddress::parse(&self.email));
        let roles = errors.check(
            "roles",
            RoleSet::parse(self.roles.iter().map(String::as_str)),
        );
        match (email, roles) {
            (Some(email), Some(roles)) => Ok((email, roles)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_errors_name_every_field() {
        let input = OrganisationInput {
            min_reporting_group: NumberText("2".into()),
            ..OrganisationInput::default()
        };
        let errors = input.parse(MinReportingGroup::DEFAULT).err().unwrap();
        for field in ["name", "ods_code", "org_type", "min_reporting_group"] {
            assert!(errors.has(field), "{field}");
        }
        assert!(!errors.has("region"));
    }

    #[test]
    fn invitation_needs_a_role() {
        let input = InvitationInput {
            email: "a@b.nhs.uk".into(),
            roles: vec![],
        };
        assert!(input.parse().err().unwrap().has("roles"));
    }
}
