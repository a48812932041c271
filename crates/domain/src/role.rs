//! Roles a person holds in an organisation (PRODUCT.md section 1).
//!
//! Network admin is global and lives on the user, not here. Participants and peer reviewers are
//! scoped to a review and arrive with the review cycle.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// A role within one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the product for the organisation: members, settings, all reviews.
    OrgAdmin,
    /// Clinical or finance lead who runs reviews.
    Champion,
    /// Director or Board / Audit Committee member who reads released reports.
    BoardViewer,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 3] = [Role::OrgAdmin, Role::Champion, Role::BoardViewer];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::Champion => "champion",
            Role::BoardViewer => "board_viewer",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Role::OrgAdmin => "Organisation admin",
            Role::Champion => "Champion",
            Role::BoardViewer => "Board viewer",
        }
    }

    /// What the role may do, in one line for the role picker.
    #[must_use]
    pub fn hint(self) -> &'static str {
        match self {
            Role::OrgAdmin => "Manages members, roles, divisions and settings",
            Role::Champion => "Clinical or finance lead who runs reviews with a co-champion",
            Role::BoardViewer => "Director or Board member who reads released reports",
        }
    }

    /// Parses the stored form.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Select a role from the list"))
    }
}

/// A non-empty set of roles, kept sorted and without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    /// Builds a set, refusing an empty one: a member with no role is not a member.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Result<Self, Invalid> {
        let mut roles: Vec<Role> = roles.into_iter().collect();
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(Invalid::new("Select at least one role"));
        }
        Ok(Self(roles))
    }

    /// Parses stored or submitted role names.
    pub fn parse<'a>(inputs: impl IntoIterator<Item = &'a str>) -> Result<Self, Invalid> {
        let roles = inputs
            .into_iter()
            .map(Role::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(roles)
    }

    /// The roles, sorted.
    #[must_use]
    pub fn roles(&self) -> &[Role] {
        &self.0
    }

    /// Whether the set holds `role`.
    #[must_use]
    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_sets() {
        let set = RoleSet::parse(["champion", "org_admin", "champion"]).unwrap();
        assert_eq!(set.roles(), &[Role::OrgAdmin, Role::Champion]);
        assert!(RoleSet::parse([]).is_err());
        assert!(RoleSet::parse(["superuser"]).is_err());
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
    }
}
