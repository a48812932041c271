//! The two card exercises for team session 1: scenario cards and factor prompt cards.
//!
//! Scenario cards describe a situation where clinical and finance priorities collide; the team
//! talks through what each profession would do and how they would sort it out. Prompt cards are
//! open questions about one of the questionnaire's factors. The product ships one set of cards
//! as data (`instruments/cards/1.toml`); organisations can add their own, which come in through
//! [`NewCard::parse`].

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

const SHIPPED_CARDS: &str = include_str!("../../../instruments/cards/1.toml");

static SHIPPED: LazyLock<CardSet> = LazyLock::new(|| {
    toml::from_str(SHIPPED_CARDS)
        .expect("instruments/cards/1.toml is checked by the domain crate's tests")
});

/// Longest card title, in characters.
pub const MAX_TITLE_LEN: usize = 120;
/// Longest situation or question, in characters.
pub const MAX_TEXT_LEN: usize = 1500;
/// Most factors a scenario card may touch.
pub const MAX_SCENARIO_FACTORS: usize = 3;
/// Length of the title made from a prompt card's question when none is given, in characters.
const DERIVED_TITLE_LEN: usize = 60;

/// A situation where clinical and finance priorities collide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioCard {
    /// Key unique across the card set, such as `agency-nurses`.
    pub key: String,
    /// Short title shown on the card.
    pub title: String,
    /// The situation, in two to four sentences.
    pub situation: String,
    /// Keys of the questionnaire factors the situation touches (one to three).
    pub factors: Vec<String>,
}

/// An open question about one factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptCard {
    /// Key unique across the card set.
    pub key: String,
    /// Key of the questionnaire factor the question is about.
    pub factor: String,
    /// The question, ending with a question mark.
    pub question: String,
}

/// One version of both card exercises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSet {
    /// Version number, from 1.
    pub version: u32,
    /// Title shown above the exercises.
    pub title: String,
    /// How to run the scenario exercise.
    pub scenario_instructions: String,
    /// How to run the prompt exercise.
    pub prompt_instructions: String,
    /// The scenario cards, in the order they are dealt.
    pub scenarios: Vec<ScenarioCard>,
    /// The prompt cards, grouped by factor.
    pub prompts: Vec<PromptCard>,
}

/// The cards shipped with the product (version 1).
///
/// # Panics
///
/// Never in practice: a unit test proves the shipped file is valid.
#[must_use]
pub fn shipped_cards() -> &'static CardSet {
    &SHIPPED
}

impl CardSet {
    /// The prompt cards about one factor, in file order.
    pub fn prompts_for<'a>(&'a self, factor: &'a str) -> impl Iterator<Item = &'a PromptCard> {
        self.prompts.iter().filter(move |p| p.factor == factor)
    }
}

/// Which exercise a card belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// A situation to talk through.
    Scenario,
    /// An open question about one factor.
    Prompt,
}

impl CardKind {
    /// Every kind, in the order pages list them.
    pub const ALL: &'static [CardKind] = &[CardKind::Scenario, CardKind::Prompt];

    /// The stored and API form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scenario => "scenario",
            Self::Prompt => "prompt",
        }
    }

    /// The words people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Scenario => "Scenario card",
            Self::Prompt => "Factor prompt card",
        }
    }

    /// Parses the stored form.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == input.trim())
            .ok_or_else(|| Invalid::new("Select the kind of card"))
    }
}

/// An organisation's own card, from a form or the API: validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCard {
    /// Which exercise it belongs to.
    pub kind: CardKind,
    /// Short title; for a prompt card made without one, the start of the question.
    pub title: String,
    /// The situation (scenario) or the question (prompt); may span lines.
    pub text: String,
    /// Factor keys, in the instrument's order: one to three for a scenario, one for a prompt.
    pub factors: Vec<String>,
}

impl NewCard {
    /// Checks every field and returns all problems at once, each with its form field name
    /// (`kind`, `title`, `text`, `factors`) so pages can show it beside the field.
    pub fn parse(
        kind: &str,
        title: &str,
        text: &str,
        factors: &[&str],
        known_factors: &[&str],
    ) -> Result<NewCard, Vec<(&'static str, Invalid)>> {
        // The title may be made from the text, so the text is read first; errors still come
        // in the form's order.
        let kind = CardKind::parse(kind);
        let known_kind = kind.as_ref().ok().copied();
        let text = parse_text(text, known_kind);
        let title = parse_title(title, known_kind, text.as_deref().ok());
        let factors = parse_factors(factors, known_factors, known_kind);
        let mut errors = Vec::new();
        let kind = kind.map_err(|e| errors.push(("kind", e))).ok();
        let title = title.map_err(|e| errors.push(("title", e))).ok();
        let text = text.map_err(|e| errors.push(("text", e))).ok();
        let factors = factors.map_err(|e| errors.push(("factors", e))).ok();
        match (kind, title, text, factors) {
            (Some(kind), Some(title), Some(text), Some(factors)) if errors.is_empty() => {
                Ok(NewCard {
                    kind,
                    title,
                    text,
                    factors,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The card's main text: line breaks are kept (a situation may have paragraphs), other control
/// characters are refused because they never come from a person typing.
fn parse_text(input: &str, kind: Option<CardKind>) -> Result<String, Invalid> {
    let (what, name) = match kind {
        Some(CardKind::Scenario) => ("the situation", "Situation"),
        Some(CardKind::Prompt) => ("the question", "Question"),
        None => ("the text of the card", "The text of the card"),
    };
    let value = input.replace("\r\n", "\n");
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::new(format!("Enter {what}")));
    }
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(Invalid::new(format!(
            "{name} must be 1,500 characters or fewer"
        )));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(format!(
            "{name} must not contain special characters such as tabs"
        )));
    }
    Ok(value.to_owned())
}

/// A scenario needs a title to tell cards apart; a prompt card's question is short enough to
/// stand for itself, so a missing title is made from its start.
fn parse_title(input: &str, kind: Option<CardKind>, text: Option<&str>) -> Result<String, Invalid> {
    if kind == Some(CardKind::Prompt) && input.trim().is_empty() {
        // With no usable question the text field already carries the error: add none here.
        return Ok(text.map(derived_title).unwrap_or_default());
    }
    text::required_line(input, "a title for the card", MAX_TITLE_LEN)
}

/// The first line of `text`, cut at a word boundary to about 60 characters.
fn derived_title(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= DERIVED_TITLE_LEN {
        return line.to_owned();
    }
    let cut: String = line.chars().take(DERIVED_TITLE_LEN).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// Factor keys must be known; repeats are dropped, and the rest sorted into the instrument's
/// order so the same choice always reads the same way.
fn parse_factors(
    inputs: &[&str],
    known: &[&str],
    kind: Option<CardKind>,
) -> Result<Vec<String>, Invalid> {
    let mut positions = inputs
        .iter()
        .map(|input| {
            known
                .iter()
                .position(|k| *k == input.trim())
                .ok_or_else(|| Invalid::new("Select factors from the list"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    positions.sort_unstable();
    positions.dedup();
    match kind {
        Some(CardKind::Scenario) if positions.is_empty() => {
            return Err(Invalid::new(
                "Select at least one factor the situation touches",
            ));
        }
        Some(CardKind::Scenario) if positions.len() > MAX_SCENARIO_FACTORS => {
            return Err(Invalid::new("Select up to 3 factors"));
        }
        Some(CardKind::Prompt) if positions.len() != 1 => {
            return Err(Invalid::new("Select the factor this question is about"));
        }
        _ => {}
    }
    Ok(positions.into_iter().map(|i| known[i].to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::instrument::default_instrument;

    fn factor_keys() -> Vec<String> {
        default_instrument()
            .factors
            .into_iter()
            .map(|f| f.key)
            .collect()
    }

    fn parse(
        kind: &str,
        title: &str,
        text: &str,
        factors: &[&str],
    ) -> Result<NewCard, Vec<(&'static str, String)>> {
        let keys = factor_keys();
        let known: Vec<&str> = keys.iter().map(String::as_str).collect();
        NewCard::parse(kind, title, text, factors, &known)
            .map_err(|errors| errors.into_iter().map(|(f, e)| (f, e.0)).collect())
    }

    #[test]
    fn the_shipped_cards_parse() {
        let cards = shipped_cards();
        assert_eq!(cards.version, 1);
        assert!(!cards.title.is_empty());
        assert!(!cards.scenario_instructions.is_empty());
        assert!(!cards.prompt_instructions.is_empty());
        assert!(cards.scenarios.len() >= 12, "{}", cards.scenarios.len());
    }

    #[test]
    fn every_factor_key_is_in_the_default_instrument() {
        let keys = factor_keys();
        let cards = shipped_cards();
        for scenario in &cards.scenarios {
            assert!(
                (1..=MAX_SCENARIO_FACTORS).contains(&scenario.factors.len()),
                "{} has {} factors",
                scenario.key,
                scenario.factors.len()
            );
            let unique: HashSet<_> = scenario.factors.iter().collect();
            assert_eq!(
                unique.len(),
                scenario.factors.len(),
                "{} repeats a factor",
                scenario.key
            );
            for factor in &scenario.factors {
                assert!(
                    keys.contains(factor),
                    "{}: unknown factor {factor}",
                    scenario.key
                );
            }
        }
        for prompt in &cards.prompts {
            assert!(
                keys.contains(&prompt.factor),
                "{}: unknown factor {}",
                prompt.key,
                prompt.factor
            );
        }
    }

    #[test]
    fn every_factor_has_at_least_two_prompts() {
        let cards = shipped_cards();
        for key in factor_keys() {
            let count = cards.prompts_for(&key).count();
            assert!(count >= 2, "{key} has {count} prompt cards");
        }
    }

    #[test]
    fn keys_are_unique_across_scenarios_and_prompts() {
        let cards = shipped_cards();
        let mut seen = HashSet::new();
        let keys = cards
            .scenarios
            .iter()
            .map(|s| &s.key)
            .chain(cards.prompts.iter().map(|p| &p.key));
        for key in keys {
            assert!(seen.insert(key), "{key} is used twice");
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{key} is not kebab-case"
            );
        }
    }

    #[test]
    fn every_question_ends_with_a_question_mark() {
        for prompt in &shipped_cards().prompts {
            assert!(
                prompt.question.ends_with('?'),
                "{}: {}",
                prompt.key,
                prompt.question
            );
        }
    }

    #[test]
    fn shipped_cards_would_pass_the_new_card_rules() {
        // The shipped cards set the standard for an organisation's own: hold them to the same rules.
        let cards = shipped_cards();
        for s in &cards.scenarios {
            let factors: Vec<&str> = s.factors.iter().map(String::as_str).collect();
            assert!(
                parse("scenario", &s.title, &s.situation, &factors).is_ok(),
                "{}",
                s.key
            );
        }
        for p in &cards.prompts {
            assert!(
                parse("prompt", "", &p.question, &[p.factor.as_str()]).is_ok(),
                "{}",
                p.key
            );
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in CardKind::ALL {
            assert_eq!(CardKind::parse(kind.as_str()), Ok(*kind));
        }
        assert_eq!(
            CardKind::parse("joker").unwrap_err().0,
            "Select the kind of card"
        );
    }

    #[test]
    fn accepts_a_scenario_card() {
        let card = parse(
            "scenario",
            "  Theatre lists ",
            "Line one.\r\nLine two.",
            &["learning", "shared-purpose", "learning"],
        )
        .unwrap();
        assert_eq!(card.kind, CardKind::Scenario);
        assert_eq!(card.title, "Theatre lists");
        assert_eq!(card.text, "Line one.\nLine two.");
        assert_eq!(card.factors, ["shared-purpose", "learning"]);
    }

    #[test]
    fn a_prompt_card_without_a_title_takes_the_start_of_its_question() {
        let short = parse("prompt", " ", "How do we share good news?", &["learning"]).unwrap();
        assert_eq!(short.title, "How do we share good news?");
        let long = parse(
            "prompt",
            "",
            "When a decision affects both care and money, who makes it and how are both professions involved?",
            &["joint-leadership"],
        )
        .unwrap();
        assert_eq!(
            long.title,
            "When a decision affects both care and money, who makes it…"
        );
        assert_eq!(long.factors, ["joint-leadership"]);
    }

    #[test]
    fn refuses_with_a_message_beside_each_field() {
        let errors = parse("", "", "", &["nonsense"]).unwrap_err();
        assert_eq!(
            errors,
            [
                ("kind", "Select the kind of card".to_owned()),
                ("title", "Enter a title for the card".to_owned()),
                ("text", "Enter the text of the card".to_owned()),
                ("factors", "Select factors from the list".to_owned()),
            ]
        );
    }

    #[test]
    fn refuses_each_rule_with_its_message() {
        let one = |kind, title, text: &str, factors: &[&str]| {
            let errors = parse(kind, title, text, factors).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            errors[0].clone()
        };
        let long_title = "x".repeat(121);
        let long_text = "x".repeat(1501);
        assert_eq!(
            one("scenario", "", "A situation.", &["learning"]),
            ("title", "Enter a title for the card".to_owned())
        );
        assert_eq!(
            one("scenario", &long_title, "A situation.", &["learning"]),
            (
                "title",
                "Title for the card must be 120 characters or fewer".to_owned()
            )
        );
        assert_eq!(
            one("scenario", "Title", " \n ", &["learning"]),
            ("text", "Enter the situation".to_owned())
        );
        assert_eq!(
            one("prompt", "Title", "", &["learning"]),
            ("text", "Enter the question".to_owned())
        );
        assert_eq!(
            one("scenario", "Title", &long_text, &["learning"]),
            (
                "text",
                "Situation must be 1,500 characters or fewer".to_owned()
            )
        );
        assert_eq!(
            one("prompt", "Title", "Why\tnot?", &["learning"]),
            (
                "text",
                "Question must not contain special characters such as tabs".to_owned()
            )
        );
        assert_eq!(
            one("scenario", "Title", "A situation.", &[]),
            (
                "factors",
                "Select at least one factor the situation touches".to_owned()
            )
        );
        assert_eq!(
            one(
                "scenario",
                "Title",
                "A situation.",
                &["learning", "communication", "shared-data", "shared-purpose"]
            ),
            ("factors", "Select up to 3 factors".to_owned())
        );
        assert_eq!(
            one("prompt", "", "What helps?", &["learning", "communication"]),
            (
                "factors",
                "Select the factor this question is about".to_owned()
            )
        );
        assert_eq!(
            one("prompt", "", "What helps?", &[]),
            (
                "factors",
                "Select the factor this question is about".to_owned()
            )
        );
    }
}
