//! Shared rules for short free-text fields.

use crate::Invalid;

/// Trims `input` and checks it is between 1 and `max` characters, naming the field in errors.
pub fn required_line(input: &str, what: &str, max: usize) -> Result<String, Invalid> {
    let value = input.trim();
    if value.is_empty() {
        return Err(Invalid::new(format!("Enter {what}")));
    }
    if value.chars().count() > max {
        return Err(Invalid::new(format!(
            "{} must be {max} characters or fewer",
            capitalise(what)
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(format!(
            "{} must be on one line, without special characters",
            capitalise(what)
        )));
    }
    Ok(value.to_owned())
}

/// Like [`required_line`], but an empty input means "none".
pub fn optional_line(input: &str, what: &str, max: usize) -> Result<Option<String>, Invalid> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        required_line(input, what, max).map(Some)
    }
}

fn capitalise(what: &str) -> String {
    // Error messages name the field the way it reads mid-sentence ("the name"): drop the article.
    let bare = what
        .strip_prefix("the ")
        .or_else(|| what.strip_prefix("a "))
        .or_else(|| what.strip_prefix("an "))
        .unwrap_or(what);
    let mut chars = bare.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_limits() {
        assert_eq!(required_line("  Ward 7 ", "a name", 10).unwrap(), "Ward 7");
        assert_eq!(
            required_line("   ", "a name", 10).unwrap_err().0,
            "Enter a name"
        );
        assert_eq!(
            required_line("abcdefghijk", "a name", 10).unwrap_err().0,
            "Name must be 10 characters or fewer"
        );
        assert!(required_line("a\nb", "a name", 10).is_err());
        assert_eq!(optional_line(" ", "a region", 10).unwrap(), None);
    }
}
