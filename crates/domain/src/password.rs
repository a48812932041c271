//! The rule for choosing a password: long enough, and not one that attackers try first.
//!
//! The list of common passwords ships with the product (`common-passwords.txt`: the 30,000
//! passwords seen most often in leaked password sets, from zxcvbn; licence beside it), so the
//! check needs no network. A password is refused when it is on the list, or is a listed
//! password repeated or with digits and symbols added at the end ("Liverpool2026!").

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::Invalid;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().collect());

/// Whether `input` is a common password, or one dressed up in the ways people usually do.
fn is_common(input: &str) -> bool {
    let lower = input.to_lowercase();
    let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let stem = squeezed.trim_end_matches(|c: char| !c.is_alphabetic());
    let repeated = (1..=stem.len() / 2).any(|n| {
        stem.len().is_multiple_of(n)
            && stem.is_char_boundary(n)
            && stem[..n].repeat(stem.len() / n) == stem
            && COMMON.contains(&stem[..n])
    });
    COMMON.contains(lower.as_str())
        || COMMON.contains(squeezed.as_str())
        || (stem.chars().count() >= 4 && COMMON.contains(stem))
        || repeated
}

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
        if is_common(input) {
            return Err(Invalid::new(
                "Password is too common: it is in lists of leaked passwords that attackers \
                 try first. Try three random words",
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
        assert!(NewPassword::parse("demo-password-2026").is_ok());
        assert!(NewPassword::parse(&"ab".repeat(200)).is_err());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery").unwrap()),
            "NewPassword(redacted)"
        );
    }

    #[test]
    fn common_passwords_are_refused_however_dressed_up() {
        for common in [
            "qwertyuiop123",
            "1qaz2wsx3edc",
            "Liverpool2026!",
            "Manchester 1234 !",
            "PASSWORDPASSWORD",
            "monkeymonkey12",
            "Sunshine!!!!!!",
        ] {
            let error = NewPassword::parse(common).unwrap_err();
            assert!(error.0.contains("too common"), "{common}: {}", error.0);
        }
        for fine in [
            "correct horse battery staple",
            "lighthouse keeper 42",
            "Ward 7 budget huddle",
        ] {
            assert!(NewPassword::parse(fine).is_ok(), "{fine}");
        }
    }
}
