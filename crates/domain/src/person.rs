//! People's names as they want them shown.

use serde::Serialize;

use crate::{Invalid, text};

/// A person's full name, as they want it shown to colleagues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// Trims the name and checks its length.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        text::required_line(input, "your full name", 120).map(Self)
    }

    /// The name as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
