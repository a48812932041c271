//! One participant as typed in, shared by the participants page and the API.

use commonground_domain::participants::{NewParticipant, ProfessionGroup, RoleLevel};
use commonground_domain::{EmailAddress, PersonName, text};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::forms::FormErrors;

/// A participant as typed in.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ParticipantInput {
    /// Full name.
    pub name: String,
    /// Email address: their personal questionnaire link goes here.
    pub email: String,
    /// One of `medical`, `nursing`, `allied_health`, `pharmacy`, `other_clinical`, `finance`, `management_other`.
    pub profession: String,
    /// One of the organisation's divisions, or empty.
    pub division: String,
    /// One of `executive`, `senior`, `middle`, `non_management`.
    pub role_level: String,
}

impl ParticipantInput {
    /// Checks every field, naming errors `{prefix}name`, `{prefix}email` and so on. A division
    /// is optional but, when the organisation has divisions, must be one of them.
    pub fn parse(
        &self,
        divisions: &[String],
        prefix: &str,
        errors: &mut FormErrors,
    ) -> Option<NewParticipant> {
        let field = |name: &str| format!("{prefix}{name}");
        let name = errors.check(&field("name"), PersonName::parse(&self.name));
        let email = errors.check(&field("email"), EmailAddress::parse(&self.email));
        let profession = errors.check(
            &field("profession"),
            ProfessionGroup::parse(&self.profession),
        );
        let division = if divisions.is_empty() || self.division.trim().is_empty() {
            errors.check(
                &field("division"),
                text::optional_line(&self.division, "the division", 100),
            )
        } else if let Some(d) = divisions
            .iter()
            .find(|d| d.eq_ignore_ascii_case(self.division.trim()))
        {
            Some(Some(d.clone()))
        } else {
            errors.add(&field("division"), "Select a division from the list");
            None
        };
        let role_level = errors.check(&field("role_level"), RoleLevel::parse(&self.role_level));
        Some(NewParticipant {
            name: name?,
            email: email?,
            profession: profession?,
            division: division?,
            role_level: role_level?,
        })
    }
}
