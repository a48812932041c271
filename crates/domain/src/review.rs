//! Reviews: the team's journey through the seven steps of the cycle (PRODUCT.md section 2).

use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

/// A review's title, such as "Surgery: theatres productivity".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ReviewTitle(String);

impl ReviewTitle {
    /// Trims and checks the length.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        text::required_line(input, "a title for the review", 120).map(Self)
    }

    /// The title as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which teams and services the review covers, in a sentence or two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ReviewScope(String);

impl ReviewScope {
    /// Trims and checks the length; line breaks are allowed.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        if value.is_empty() {
            return Err(Invalid::new("Enter who and what the review covers"));
        }
        if value.chars().count() > 1000 {
            return Err(Invalid::new("Scope must be 1,000 characters or fewer"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The scope as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! keyed_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident => $key:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in the order pages list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored and API form.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)*
                }
            }

            /// The words people read.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            /// Parses the stored form.
            pub fn parse(input: &str) -> Result<Self, Invalid> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == input.trim())
                    .ok_or_else(|| Invalid::new($what))
            }
        }
    };
}

keyed_enum!(
    /// Where clinical and finance staff had to work together: the review's focus (up to three).
    FocusArea, "Select focus areas from the list", {
        /// Developing or changing a service.
        ServiceDevelopment => "service_development", "Service development";
        /// Writing and approving business cases.
        BusinessCases => "business_cases", "Business cases";
        /// Workforce planning and staffing.
        Workforce => "workforce", "Workforce";
        /// Transformation and efficiency programmes.
        Transformation => "transformation", "Transformation and efficiency";
        /// Anything else.
        Other => "other", "Something else";
    }
);

keyed_enum!(
    /// Step 1's readiness checklist: the support a review needs before it starts.
    ReadinessItem, "Select items from the checklist", {
        /// Directors have said they back the review.
        SeniorCommitment => "senior_commitment", "Directors have committed to the review";
        /// The Board or Audit Committee knows and supports it.
        BoardBacking => "board_backing", "The Board or Audit Committee backs it";
        /// Peer reviewers have agreed to help.
        PeerReviewers => "peer_reviewers", "Peer reviewers have agreed to take part";
        /// Someone skilled will facilitate the sessions.
        Facilitator => "facilitator", "A skilled facilitator will run the sessions";
        /// A named person will support anyone if a discussion does not go to plan.
        SupportPerson => "support_person", "A named person will support people if discussions do not go to plan";
    }
);

keyed_enum!(
    /// Where the questionnaire stands. Results show only once released; released never reopens.
    QuestionnaireState, "Unknown questionnaire state", {
        /// Being prepared: participants can be added, nobody can answer yet.
        Draft => "draft", "Not open yet";
        /// Participants can answer; only response counts are shown.
        Open => "open", "Open for answers";
        /// No more answers; champions can reopen or release results.
        Closed => "closed", "Closed";
        /// Results are released to the team; the questionnaire cannot reopen.
        Released => "released", "Results released";
    }
);

/// At most this many focus areas per review.
pub const MAX_FOCUS_AREAS: usize = 3;

/// Parses the chosen focus areas: one to three, without repeats.
pub fn parse_focus_areas<'a>(
    inputs: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<FocusArea>, Invalid> {
    let mut areas = inputs
        .into_iter()
        .map(FocusArea::parse)
        .collect::<Result<Vec<_>, _>>()?;
    areas.sort();
    areas.dedup();
    if areas.is_empty() {
        return Err(Invalid::new("Select at least one focus area"));
    }
    if areas.len() > MAX_FOCUS_AREAS {
        return Err(Invalid::new("Select up to 3 focus areas"));
    }
    Ok(areas)
}

/// The seven steps of the cycle.
pub const STEPS: [&str; 7] = [
    "Get the right support",
    "Invite the right people",
    "Find out what people think",
    "Prepare for the sessions",
    "Get people talking",
    "Keep going",
    "Support your peers",
];

/// What the tracker needs to know about a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Both a clinical and a finance champion are named.
    pub has_both_champions: bool,
    /// How many readiness items are ticked.
    pub readiness_done: usize,
    /// How many participants are invited.
    pub participants: usize,
    /// Where the questionnaire stands.
    pub questionnaire: QuestionnaireState,
}

/// The step a review is at (0-based index into [`STEPS`]) and what to do next.
#[must_use]
pub fn current_step(progress: Progress) -> (usize, &'static str) {
    if !progress.has_both_champions {
        return (
            0,
            "Name a clinical and a finance champion: the review needs both.",
        );
    }
    if progress.readiness_done < ReadinessItem::ALL.len() {
        return (
            0,
            "Work through the readiness checklist with your co-champion.",
        );
    }
    if progress.participants == 0 {
        return (1, "Invite a balanced group of clinical and finance staff.");
    }
    match progress.questionnaire {
        QuestionnaireState::Draft => (
            1,
            "Check the balance of the group, then open the questionnaire.",
        ),
        QuestionnaireState::Open => (
            2,
            "Chase people who have not answered yet, then close the questionnaire.",
        ),
        QuestionnaireState::Closed => (2, "Release the results to the team."),
        QuestionnaireState::Released => (3, "Prepare for the first session using the results."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_areas_are_one_to_three() {
        assert_eq!(
            parse_focus_areas(["workforce", "business_cases", "workforce"]).unwrap(),
            vec![FocusArea::BusinessCases, FocusArea::Workforce]
        );
        assert!(parse_focus_areas([]).is_err());
        assert!(
            parse_focus_areas(["workforce", "business_cases", "other", "transformation"]).is_err()
        );
        assert!(parse_focus_areas(["finance"]).is_err());
    }

    #[test]
    fn the_tracker_asks_for_the_missing_thing_first() {
        let mut p = Progress {
            has_both_champions: false,
            readiness_done: 0,
            participants: 0,
            questionnaire: QuestionnaireState::Draft,
        };
        assert_eq!(current_step(p).0, 0);
        assert!(current_step(p).1.contains("champion"));
        p.has_both_champions = true;
        assert!(current_step(p).1.contains("readiness"));
        p.readiness_done = ReadinessItem::ALL.len();
        assert_eq!(current_step(p).0, 1);
        p.participants = 20;
        assert!(current_step(p).1.contains("open the questionnaire"));
        p.questionnaire = QuestionnaireState::Open;
        assert_eq!(current_step(p).0, 2);
        p.questionnaire = QuestionnaireState::Released;
        assert_eq!(current_step(p).0, 3);
    }

    #[test]
    fn titles_and_scopes() {
        assert!(ReviewTitle::parse(" ").is_err());
        assert_eq!(
            ReviewTitle::parse(" Theatres ").unwrap().as_str(),
            "Theatres"
        );
        assert!(ReviewScope::parse(&"x".repeat(1001)).is_err());
        for state in QuestionnaireState::ALL {
            assert_eq!(QuestionnaireState::parse(state.as_str()).unwrap(), *state);
        }
    }
}
