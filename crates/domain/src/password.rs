//! The rule for choosing a password.

use crate::Invalid;

/// Fewest characters in a password: length beats complexity rules (NCSC password guidance).
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 256;

/// A password someone has just chosen, checked against the rule; never stored as it is.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks length and that it is not an obvious choice.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let chars = input.chars().count();
        if chars == 0 {
            return Err(Invalid::new("Enter a password"));
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(Invalid::new(format!(
                "Password must be {MIN_PASSWORD_CHARS} characters or more"
            )));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(Invalid::new(format!(
                "Password must be {MAX_PASSWORD_CHARS} characters or fewer"
            )));
        }
        let first = input.chars().next();
        if input.chars().all(|c| Some(c) == first) {
            return Err(Invalid::new(
                "Password must not be one character repeated: try three random words",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// The password, for hashing.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rule() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaaaaaa").is_err());
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert!(NewPassword::parse(&"ab".repeat(200)).is_err());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery").unwrap()),
            "NewPassword(redacted)"
        );
    }
}
