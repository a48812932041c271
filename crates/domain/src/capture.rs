//! What a session records: notes captured live, and score challenges in session 2.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The longest note or argument, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// What a captured note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureKind {
    /// Something the team keeps coming back to.
    Theme,
    /// An example of clinical and finance staff working well together.
    GoodPractice,
    /// Something to do next, which can become an action.
    NextStep,
}

impl CaptureKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [CaptureKind; 3] = [Self::Theme, Self::GoodPractice, Self::NextStep];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Theme => "theme",
            Self::GoodPractice => "good_practice",
            Self::NextStep => "next_step",
        }
    }

    /// The words people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Theme => "Theme",
            Self::GoodPractice => "Good practice",
            Self::NextStep => "Next step",
        }
    }

    /// The plural heading.
    #[must_use]
    pub fn heading(self) -> &'static str {
        match self {
            Self::Theme => "Themes",
            Self::GoodPractice => "Good practice",
            Self::NextStep => "Next steps",
        }
    }

    /// Reads the stored form.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Select theme, good practice or next step"))
    }
}

/// What the team decided about a challenged score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeOutcome {
    /// The team agreed the score reflects how things are.
    ScoreStands,
    /// The team agreed the score does not reflect how things are.
    TeamDisagrees,
    /// No agreement yet: look at it again (for example at the next cycle).
    LookAgain,
}

impl ChallengeOutcome {
    /// Every outcome, in the order pages list them.
    pub const ALL: [ChallengeOutcome; 3] =
        [Self::ScoreStands, Self::TeamDisagrees, Self::LookAgain];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ScoreStands => "score_stands",
            Self::TeamDisagrees => "team_disagrees",
            Self::LookAgain => "look_again",
        }
    }

    /// The words people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::ScoreStands => "The team agreed the score is right",
            Self::TeamDisagrees => "The team agreed the score does not reflect how things are",
            Self::LookAgain => "No agreement yet: look at it again",
        }
    }

    /// Reads the stored form.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Select what the team decided"))
    }
}

/// A note or argument: 1 to [`MAX_NOTE_CHARS`] characters, line breaks allowed.
pub fn note(input: &str, what: &str) -> Result<String, Invalid> {
    let value = input.trim().replace("\r\n", "\n");
    if value.is_empty() {
        return Err(Invalid::new(format!("Enter {what}")));
    }
    if value.chars().count() > MAX_NOTE_CHARS {
        return Err(Invalid::new(format!(
            "Shorten {what} to {MAX_NOTE_CHARS} characters or fewer"
        )));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::new(format!(
            "Remove special characters from {what}"
        )));
    }
    Ok(value)
}

/// The session number from a path or body: 1 or 2.
pub fn session_number(input: i64) -> Result<u8, Invalid> {
    match input {
        1 => Ok(1),
        2 => Ok(2),
        _ => Err(Invalid::new("A review has session 1 and session 2 only")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_outcomes_read_back() {
        for kind in CaptureKind::ALL {
            assert_eq!(CaptureKind::parse(kind.as_str()), Ok(kind));
        }
        for outcome in ChallengeOutcome::ALL {
            assert_eq!(ChallengeOutcome::parse(outcome.as_str()), Ok(outcome));
        }
        assert!(CaptureKind::parse("gossip").is_err());
        assert!(ChallengeOutcome::parse("").is_err());
    }

    #[test]
    fn notes_are_checked() {
        assert_eq!(
            note("  Budget talk early \r\n", "the note"),
            Ok("Budget talk early".into())
        );
        assert_eq!(note(" ", "the note"), Err(Invalid::new("Enter the note")));
        assert!(note(&"x".repeat(1001), "the note").is_err());
        assert!(note("a\u{7}b", "the note").is_err());
        assert_eq!(session_number(2), Ok(2));
        assert!(session_number(3).is_err());
    }
}
