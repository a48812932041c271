//! Email addresses, compared case-insensitively by storing them in lower case.

use serde::Serialize;

use crate::Invalid;

/// A syntactically plausible email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks the shape a mail server would accept; delivery is the only real proof.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("Enter an email address"));
        }
        let wrong = || {
            Invalid::new("Enter an email address in the correct format, like name@example.nhs.uk")
        };
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(wrong());
        }
        let (local, domain) = value.split_once('@').ok_or_else(wrong)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(wrong());
        }
        Ok(Self(value))
    }

    /// The address as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let email = EmailAddress::parse("  Jo.Bloggs@NHS.net ").unwrap();
        assert_eq!(email.as_str(), "jo.bloggs@nhs.net");
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "jo",
            "jo@",
            "@nhs.net",
            "jo@nhs",
            "jo bloggs@nhs.net",
            "jo@nhs..net",
            "jo@.nhs.net",
            "jo@nhs.net.",
            "a@b@c.net",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
