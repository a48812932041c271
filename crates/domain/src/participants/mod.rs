//! Participants of a review: who is invited, the CSV import that adds many at once, and the
//! balance of the invited team (PRODUCT.md section 2 step 2, and the profile questions of 3.1).
//!
//! A review works only when clinical and finance staff, from more than one division and from
//! more than one level, take part; [`balance`](fn@balance) says when the list is lopsided and
//! what to do.
//!
//! This file holds the profile types; the CSV import is in `csv` and the balance in `balance`,
//! and everything they offer is re-exported here.

mod balance;
mod csv;

use serde::{Deserialize, Serialize};

use crate::{EmailAddress, Invalid, PersonName};

pub use self::balance::{
    Balance, BalanceWarning, DIVISION_NOT_GIVEN, MAX_DIVISION_SHARE_PERCENT,
    MIN_SIDE_SHARE_PERCENT, MOSTLY_SENIOR_PERCENT, balance,
};
pub use self::csv::{
    CSV_TEMPLATE, CsvImport, CsvProblem, MAX_CSV_PARTICIPANTS, MAX_CSV_PROBLEMS,
    parse_participants_csv,
};

/// The profession group a participant belongs to, the first profile question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfessionGroup {
    /// Doctors of every grade.
    Medical,
    /// Nurses and midwives.
    Nursing,
    /// Allied health professionals, such as physiotherapists and radiographers.
    AlliedHealth,
    /// Pharmacists and pharmacy technicians.
    Pharmacy,
    /// Clinical staff in none of the groups above, such as healthcare scientists.
    OtherClinical,
    /// Finance staff, such as finance business partners and management accountants.
    Finance,
    /// Managers and everyone else who is neither clinical nor finance.
    ManagementOther,
}

impl ProfessionGroup {
    /// Every group, in the order forms and reports list them.
    pub const ALL: [ProfessionGroup; 7] = [
        ProfessionGroup::Medical,
        ProfessionGroup::Nursing,
        ProfessionGroup::AlliedHealth,
        ProfessionGroup::Pharmacy,
        ProfessionGroup::OtherClinical,
        ProfessionGroup::Finance,
        ProfessionGroup::ManagementOther,
    ];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ProfessionGroup::Medical => "medical",
            ProfessionGroup::Nursing => "nursing",
            ProfessionGroup::AlliedHealth => "allied_health",
            ProfessionGroup::Pharmacy => "pharmacy",
            ProfessionGroup::OtherClinical => "other_clinical",
            ProfessionGroup::Finance => "finance",
            ProfessionGroup::ManagementOther => "management_other",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ProfessionGroup::Medical => "Medical",
            ProfessionGroup::Nursing => "Nursing and midwifery",
            ProfessionGroup::AlliedHealth => "Allied health professional",
            ProfessionGroup::Pharmacy => "Pharmacy",
            ProfessionGroup::OtherClinical => "Other clinical",
            ProfessionGroup::Finance => "Finance",
            ProfessionGroup::ManagementOther => "Management or other",
        }
    }

    /// Which side of the clinical and finance partnership the group is on.
    #[must_use]
    pub fn side(self) -> Side {
        match self {
            ProfessionGroup::Medical
            | ProfessionGroup::Nursing
            | ProfessionGroup::AlliedHealth
            | ProfessionGroup::Pharmacy
            | ProfessionGroup::OtherClinical => Side::Clinical,
            ProfessionGroup::Finance => Side::Finance,
            ProfessionGroup::ManagementOther => Side::Other,
        }
    }

    /// Other words people use for the group, beyond the stored form and the label.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            ProfessionGroup::Medical => &["doctor", "doctors", "medic"],
            ProfessionGroup::Nursing => &["nurse", "nurses", "midwife", "midwives", "midwifery"],
            ProfessionGroup::AlliedHealth => &["ahp", "allied health professions"],
            ProfessionGroup::Pharmacy => &["pharmacist"],
            ProfessionGroup::OtherClinical | ProfessionGroup::Finance => &[],
            ProfessionGroup::ManagementOther => &["manager", "management", "management/other"],
        }
    }

    /// Parses the stored form, the label or an alias such as "doctor" or "AHP", in any case.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let wanted = normalise(input);
        Self::ALL
            .into_iter()
            .find(|g| names_match(&wanted, g.as_str(), g.label(), g.aliases()))
            .ok_or_else(|| {
                Invalid::new(format!(
                    "Profession group must be one of: {}",
                    Self::ALL.map(Self::label).join(", ")
                ))
            })
    }
}

/// How senior a participant is, the last profile question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleLevel {
    /// Directors and executives.
    Executive,
    /// Senior managers and consultants.
    Senior,
    /// Middle managers and team leaders.
    Middle,
    /// Everyone not in a management role.
    NonManagement,
}

impl RoleLevel {
    /// Every level, from the most senior down, in the order forms and reports list them.
    pub const ALL: [RoleLevel; 4] = [
        RoleLevel::Executive,
        RoleLevel::Senior,
        RoleLevel::Middle,
        RoleLevel::NonManagement,
    ];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RoleLevel::Executive => "executive",
            RoleLevel::Senior => "senior",
            RoleLevel::Middle => "middle",
            RoleLevel::NonManagement => "non_management",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            RoleLevel::Executive => "Director or executive",
            RoleLevel::Senior => "Senior manager or consultant",
            RoleLevel::Middle => "Middle manager or team leader",
            RoleLevel::NonManagement => "Not in a management role",
        }
    }

    /// Whether the level counts as senior for the balance: directors, executives, senior
    /// managers and consultants.
    #[must_use]
    pub fn is_senior(self) -> bool {
        matches!(self, RoleLevel::Executive | RoleLevel::Senior)
    }

    /// Other words people use for the level, beyond the stored form and the label.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            RoleLevel::Executive => &["director", "exec"],
            RoleLevel::Senior => &["consultant", "senior manager"],
            RoleLevel::Middle => &["team leader", "middle manager"],
            RoleLevel::NonManagement => &["staff", "non-management"],
        }
    }

    /// Parses the stored form, the label or an alias such as "consultant", in any case.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let wanted = normalise(input);
        Self::ALL
            .into_iter()
            .find(|l| names_match(&wanted, l.as_str(), l.label(), l.aliases()))
            .ok_or_else(|| {
                Invalid::new(format!(
                    "Role level must be one of: {}",
                    Self::ALL.map(Self::label).join(", ")
                ))
            })
    }
}

/// The side of the clinical and finance partnership a profession group is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Medical, nursing, allied health, pharmacy and other clinical staff.
    Clinical,
    /// Finance staff.
    Finance,
    /// Management and everyone else.
    Other,
}

impl Side {
    /// Every side, in the order pages list them.
    pub const ALL: [Side; 3] = [Side::Clinical, Side::Finance, Side::Other];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Clinical => "clinical",
            Side::Finance => "finance",
            Side::Other => "other",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Side::Clinical => "Clinical",
            Side::Finance => "Finance",
            Side::Other => "Management and other",
        }
    }
}

/// A person to invite to a review, checked and ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewParticipant {
    /// Their full name.
    pub name: PersonName,
    /// Where their personal questionnaire link is sent; unique within a review.
    pub email: EmailAddress,
    /// Their profession group.
    pub profession: ProfessionGroup,
    /// Their division or directorate, if given.
    pub division: Option<String>,
    /// How senior they are.
    pub role_level: RoleLevel,
}

/// What the balance of the invited team needs to know about a participant: no name, no email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantProfile {
    /// Their profession group.
    pub profession: ProfessionGroup,
    /// Their division or directorate, if given.
    pub division: Option<String>,
    /// How senior they are.
    pub role_level: RoleLevel,
}

impl From<&NewParticipant> for ParticipantProfile {
    fn from(participant: &NewParticipant) -> Self {
        Self {
            profession: participant.profession,
            division: participant.division.clone(),
            role_level: participant.role_level,
        }
    }
}

/// Lower-cases, reads `_` and `-` as spaces and collapses runs of spaces, so that
/// `Allied_Health`, ` allied  health ` and `allied-health` compare equal.
fn normalise(input: &str) -> String {
    input
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `wanted` (already normalised) names the value with this key, label or aliases.
fn names_match(wanted: &str, key: &str, label: &str, aliases: &[&str]) -> bool {
    !wanted.is_empty()
        && [key, label]
            .iter()
            .chain(aliases)
            .any(|name| normalise(name) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(csv: &str) -> Result<CsvImport, Vec<CsvProblem>> {
        parse_participants_csv(csv.as_bytes(), &[])
    }

    #[test]
    fn profession_groups_parse_from_key_label_and_alias() {
        for group in ProfessionGroup::ALL {
            assert_eq!(ProfessionGroup::parse(group.as_str()).unwrap(), group);
            assert_eq!(ProfessionGroup::parse(group.label()).unwrap(), group);
            assert_eq!(
                ProfessionGroup::parse(&format!("  {}  ", group.label().to_uppercase())).unwrap(),
                group
            );
        }
        for (alias, group) in [
            ("doctor", ProfessionGroup::Medical),
            ("Nurse", ProfessionGroup::Nursing),
            ("midwife", ProfessionGroup::Nursing),
            ("AHP", ProfessionGroup::AlliedHealth),
            ("Allied Health", ProfessionGroup::AlliedHealth),
            ("manager", ProfessionGroup::ManagementOther),
            ("Management", ProfessionGroup::ManagementOther),
        ] {
            assert_eq!(ProfessionGroup::parse(alias).unwrap(), group, "{alias}");
        }
        let error = ProfessionGroup::parse("Porter").unwrap_err();
        assert!(
            error
                .0
                .starts_with("Profession group must be one of: Medical, Nursing and midwifery, ")
        );
        assert!(ProfessionGroup::parse("").is_err());
    }

    #[test]
    fn profession_groups_have_sides() {
        assert_eq!(ProfessionGroup::Pharmacy.side(), Side::Clinical);
        assert_eq!(ProfessionGroup::OtherClinical.side(), Side::Clinical);
        assert_eq!(ProfessionGroup::Finance.side(), Side::Finance);
        assert_eq!(ProfessionGroup::ManagementOther.side(), Side::Other);
        assert_eq!(Side::Other.label(), "Management and other");
    }

    #[test]
    fn role_levels_parse_from_key_label_and_alias() {
        for level in RoleLevel::ALL {
            assert_eq!(RoleLevel::parse(level.as_str()).unwrap(), level);
            assert_eq!(RoleLevel::parse(level.label()).unwrap(), level);
            assert_eq!(
                RoleLevel::parse(&level.label().to_lowercase()).unwrap(),
                level
            );
        }
        for (alias, level) in [
            ("Director", RoleLevel::Executive),
            ("consultant", RoleLevel::Senior),
            ("Team Leader", RoleLevel::Middle),
            ("staff", RoleLevel::NonManagement),
            ("non-management", RoleLevel::NonManagement),
        ] {
            assert_eq!(RoleLevel::parse(alias).unwrap(), level, "{alias}");
        }
        assert!(
            RoleLevel::parse("Band 5")
                .unwrap_err()
                .0
                .contains("Not in a management role")
        );
        assert!(RoleLevel::Executive.is_senior());
        assert!(RoleLevel::Senior.is_senior());
        assert!(!RoleLevel::Middle.is_senior());
        assert!(!RoleLevel::NonManagement.is_senior());
    }

    #[test]
    fn enums_serialise_as_their_keys() {
        for group in ProfessionGroup::ALL {
            assert_eq!(
                toml::Value::try_from(group).unwrap().as_str(),
                Some(group.as_str())
            );
        }
        for level in RoleLevel::ALL {
            assert_eq!(
                toml::Value::try_from(level).unwrap().as_str(),
                Some(level.as_str())
            );
        }
    }

    #[test]
    fn profiles_come_from_new_participants() {
        let imported = import(CSV_TEMPLATE).unwrap();
        let profiles: Vec<ParticipantProfile> = imported
            .participants
            .iter()
            .map(ParticipantProfile::from)
            .collect();
        let result = balance(&profiles);
        assert_eq!((result.clinical, result.finance), (2, 1));
        assert_eq!(result.by_division, [("Surgery".to_owned(), 3)]);
    }
}
