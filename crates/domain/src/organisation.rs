//! Organisations: trusts, health boards and ICBs, and their settings.

use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

/// An organisation's name as its staff know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OrganisationName(String);

impl OrganisationName {
    /// Trims and checks the length.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        text::required_line(input, "the organisation's name", 200).map(Self)
    }

    /// The name as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An Organisation Data Service code, such as RX1 or 7A1: letters and digits, kept upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OdsCode(String);

impl OdsCode {
    /// ODS codes are 3 to 10 letters and digits; case is not significant.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim().to_uppercase();
        if value.is_empty() {
            return Err(Invalid::new("Enter the ODS code"));
        }
        if !(3..=10).contains(&value.len()) || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Invalid::new(
                "ODS code must be 3 to 10 letters and numbers, like RX1 or 7A1",
            ));
        }
        Ok(Self(value))
    }

    /// The code as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of NHS body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationType {
    /// An NHS trust or foundation trust.
    Trust,
    /// A Welsh or Scottish health board.
    HealthBoard,
    /// An integrated care board.
    IntegratedCareBoard,
    /// Anything else, such as a commissioning support unit.
    Other,
}

impl OrganisationType {
    /// Every type, in the order forms list them.
    pub const ALL: [OrganisationType; 4] = [
        OrganisationType::Trust,
        OrganisationType::HealthBoard,
        OrganisationType::IntegratedCareBoard,
        OrganisationType::Other,
    ];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationType::Trust => "trust",
            OrganisationType::HealthBoard => "health_board",
            OrganisationType::IntegratedCareBoard => "integrated_care_board",
            OrganisationType::Other => "other",
        }
    }

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            OrganisationType::Trust => "NHS trust or foundation trust",
            OrganisationType::HealthBoard => "Health board",
            OrganisationType::IntegratedCareBoard => "Integrated care board (ICB)",
            OrganisationType::Other => "Other NHS organisation",
        }
    }

    /// Parses the stored form.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Select the type of organisation"))
    }
}

/// The NHS region or nation an organisation belongs to; optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Region(Option<String>);

impl Region {
    /// Empty means not given.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        text::optional_line(input, "the region", 100).map(Self)
    }

    /// The region, if given.
    #[must_use]
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// A division or directorate name, such as "Surgery" or "Finance".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DivisionName(String);

impl DivisionName {
    /// Trims and checks the length.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        text::required_line(input, "the division's name", 100).map(Self)
    }

    /// The name as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fewest responses a group must have before any figure about it is shown (PRODUCT.md 4).
///
/// Three is the floor because with two, each person can work out the other's answers from the
/// group's average and their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MinReportingGroup(u32);

impl MinReportingGroup {
    /// The lowest an organisation may set.
    pub const FLOOR: u32 = 3;
    /// The default for new organisations.
    pub const DEFAULT: MinReportingGroup = MinReportingGroup(5);
    /// Beyond this no team would ever see a breakdown.
    pub const CEILING: u32 = 50;

    /// Checks the value is within the allowed range.
    pub fn new(value: i64) -> Result<Self, Invalid> {
        if value < i64::from(Self::FLOOR) {
            return Err(Invalid::new(format!(
                "Minimum reporting group must be {} or more, so that nobody's answers can be worked out",
                Self::FLOOR
            )));
        }
        if value > i64::from(Self::CEILING) {
            return Err(Invalid::new(format!(
                "Minimum reporting group must be {} or fewer",
                Self::CEILING
            )));
        }
        Ok(Self(value as u32))
    }

    /// Parses a form field.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value: i64 = input
            .trim()
            .parse()
            .map_err(|_| Invalid::new("Minimum reporting group must be a whole number, like 5"))?;
        Self::new(value)
    }

    /// The number.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

/// How many months after a review's questionnaire closes its participants' names and email
/// addresses are kept (UK GDPR storage limitation); anonymous answers are kept regardless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RetentionMonths(u32);

impl RetentionMonths {
    /// Long enough to compare with the next two cycles, six months apart.
    pub const DEFAULT: RetentionMonths = RetentionMonths(24);
    /// Shorter would delete who was asked before the next cycle is planned.
    pub const FLOOR: u32 = 6;
    /// Ten years: longer is not a retention period.
    pub const CEILING: u32 = 120;

    /// Checks the value is within the allowed range.
    pub fn new(value: i64) -> Result<Self, Invalid> {
        if value < i64::from(Self::FLOOR) || value > i64::from(Self::CEILING) {
            return Err(Invalid::new(format!(
                "Keep personal data for {} to {} months",
                Self::FLOOR,
                Self::CEILING
            )));
        }
        Ok(Self(value as u32))
    }

    /// Parses a form field.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value: i64 = input.trim().parse().map_err(|_| {
            Invalid::new("Months to keep personal data must be a whole number, like 24")
        })?;
        Self::new(value)
    }

    /// The number of months.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_between_six_months_and_ten_years() {
        assert!(RetentionMonths::parse("5").is_err());
        assert!(RetentionMonths::parse("121").is_err());
        assert!(RetentionMonths::parse("two years").is_err());
        assert_eq!(RetentionMonths::parse(" 36 ").unwrap().get(), 36);
    }

    #[test]
    fn ods_codes() {
        assert_eq!(OdsCode::parse(" rx1 ").unwrap().as_str(), "RX1");
        assert!(OdsCode::parse("R1").is_err());
        assert!(OdsCode::parse("RX-1").is_err());
        assert!(OdsCode::parse("").is_err());
    }

    #[test]
    fn minimum_group_never_below_three() {
        assert!(MinReportingGroup::parse("2").is_err());
        assert!(MinReportingGroup::parse("-5").is_err());
        assert!(MinReportingGroup::parse("five").is_err());
        assert!(MinReportingGroup::parse("51").is_err());
        assert_eq!(MinReportingGroup::parse(" 3 ").unwrap().get(), 3);
        assert_eq!(MinReportingGroup::DEFAULT.get(), 5);
    }

    #[test]
    fn organisation_types_round_trip() {
        for t in OrganisationType::ALL {
            assert_eq!(OrganisationType::parse(t.as_str()).unwrap(), t);
        }
        assert!(OrganisationType::parse("hospital").is_err());
    }
}
