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
            // JSON does not tell 5 from 5.0; a fraction stays as typed and fails validation.
            Float(f64),
            Text(String),
        }
        // null means "not given", like an absent field.
        Ok(match Option::<Raw>::deserialize(deserializer)? {
            Some(Raw::Number(n)) => NumberText(n.to_string()),
            Some(Raw::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => {
                NumberText(format!("{f:.0}"))
            }
            Some(Raw::Float(f)) => NumberText(f.to_string()),
            Some(Raw::Text(t)) => NumberText(t),
            None => NumberText(String::new()),
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

    #[test]
    fn numbers_arrive_as_numbers_text_or_null() {
        let read = |json: &str| serde_json::from_str::<NumberText>(json).unwrap().0;
        assert_eq!(read("5"), "5");
        assert_eq!(read("5.0"), "5");
        assert_eq!(read("5.5"), "5.5");
        assert_eq!(read("\" 7 \""), " 7 ");
        assert_eq!(read("null"), "");
        let input: OrganisationInput = serde_json::from_str(
            r#"{"name": "Northshire", "ods_code": "RX1", "org_type": "trust", "region": "",
                "min_reporting_group": null, "retention_months": 36.0}"#,
        )
        .unwrap();
        let parsed = input.parse(MinReportingGroup::DEFAULT).ok().unwrap();
        assert_eq!(parsed.fields().retention_months.get(), 36);
        assert_eq!(
            parsed.fields().min_reporting_group,
            MinReportingGroup::DEFAULT
        );
    }
}
