//! The rules an instrument must meet, and the list of problems that every check of an
//! instrument or reference file reports into.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Display;

use super::{
    Choice, INVOLVEMENT_LEVELS, Instrument, InstrumentErrors, MAX_FACTORS, MAX_KEY_LEN,
    MAX_PROMPTS, MAX_STATEMENTS_PER_FACTOR, MAX_TEXT_LEN, SCALE_POINTS,
};

impl Instrument {
    /// Checks every rule and lists every problem found.
    pub fn validate(&self) -> Result<(), InstrumentErrors> {
        let mut problems = Problems::default();
        problems.key("", "id", &self.id);
        problems.text("", "title", &self.title);
        if self.version == 0 {
            problems.add("", "version must be 1 or more");
        }
        if self.introduction.is_empty() {
            problems.add("", "introduction has no paragraphs: add at least one");
        }
        for (index, paragraph) in self.introduction.iter().enumerate() {
            problems.text(
                &format!("introduction paragraph {}", index + 1),
                "text",
                paragraph,
            );
        }
        self.validate_scale(&mut problems);
        self.validate_factors(&mut problems);
        self.validate_involvement(&mut problems);
        choices(&mut problems, "barrier", &self.barriers);
        max_choices(
            &mut problems,
            "max_barrier_choices",
            self.max_barrier_choices,
            self.barriers.len(),
            "barriers",
        );
        choices(&mut problems, "measure", &self.measures);
        max_choices(
            &mut problems,
            "max_measure_choices",
            self.max_measure_choices,
            self.measures.len(),
            "measures",
        );
        self.validate_prompts(&mut problems);
        problems.finish()
    }

    fn validate_scale(&self, problems: &mut Problems) {
        if self.scale.labels.len() != SCALE_POINTS {
            problems.add(
                "scale",
                format!(
                    "has {} labels; it needs exactly {SCALE_POINTS}, one for each point from \
                     1 (strongly disagree) to 5 (strongly agree)",
                    self.scale.labels.len()
                ),
            );
        }
        for (index, label) in self.scale.labels.iter().enumerate() {
            problems.text(&format!("scale label {}", index + 1), "text", label);
        }
        problems.text("scale", "dont_know label", &self.scale.dont_know);
    }

    fn validate_factors(&self, problems: &mut Problems) {
        match self.factors.len() {
            0 => problems.add(
                "",
                format!("there are no factors: add between 1 and {MAX_FACTORS}"),
            ),
            n if n > MAX_FACTORS => problems.add(
                "",
                format!("there are {n} factors; the most allowed is {MAX_FACTORS}"),
            ),
            _ => {}
        }
        let mut factor_keys: HashMap<&str, usize> = HashMap::new();
        // Statement key -> index of the factor that first used it.
        let mut statement_keys: HashMap<&str, usize> = HashMap::new();
        for (index, factor) in self.factors.iter().enumerate() {
            let at = located("factor", index, &factor.key);
            problems.key(&at, "key", &factor.key);
            if !factor.key.is_empty() {
                match factor_keys.entry(&factor.key) {
                    Entry::Occupied(first) => problems.add(
                        &at,
                        format!(
                            "key \"{}\" is also used by factor {}",
                            factor.key,
                            first.get() + 1
                        ),
                    ),
                    Entry::Vacant(slot) => {
                        slot.insert(index);
                    }
                }
            }
            problems.text(&at, "title", &factor.title);
            problems.text(&at, "summary", &factor.summary);
            match factor.statements.len() {
                0 => problems.add(
                    &at,
                    format!("has no statements: add between 1 and {MAX_STATEMENTS_PER_FACTOR}"),
                ),
                n if n > MAX_STATEMENTS_PER_FACTOR => problems.add(
                    &at,
                    format!("has {n} statements; the most allowed is {MAX_STATEMENTS_PER_FACTOR}"),
                ),
                _ => {}
            }
            for (position, statement) in factor.statements.iter().enumerate() {
                let statement_at =
                    format!("{at}, {}", located("statement", position, &statement.key));
                problems.key(&statement_at, "key", &statement.key);
                problems.text(&statement_at, "text", &statement.text);
                if statement.key.is_empty() {
                    continue;
                }
                match statement_keys.entry(&statement.key) {
                    Entry::Occupied(first) if *first.get() == index => problems.add(
                        &at,
                        format!(
                            "statement key \"{}\" is used more than once in this factor",
                            statement.key
                        ),
                    ),
                    Entry::Occupied(first) => {
                        let other = &self.factors[*first.get()];
                        let other = if other.key.is_empty() {
                            format!("factor {}", first.get() + 1)
                        } else {
                            format!("factor \"{}\"", other.key)
                        };
                        problems.add(
                            &at,
                            format!(
                                "statement key \"{}\" is also used in {other}",
                                statement.key
                            ),
                        );
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(index);
                    }
                }
            }
        }
    }

    fn validate_involvement(&self, problems: &mut Problems) {
        let involvement = &self.involvement;
        problems.text("involvement", "question", &involvement.question);
        if involvement.scopes.is_empty() {
            problems.add("involvement", "has no scopes: add at least one");
        }
        choices(problems, "involvement scope", &involvement.scopes);
        choices(problems, "involvement level", &involvement.levels);
        let keys: Vec<&str> = involvement.levels.iter().map(|l| l.key.as_str()).collect();
        if keys != INVOLVEMENT_LEVELS {
            problems.add(
                "involvement",
                format!(
                    "levels must be {} in that order, but they are {}",
                    quoted_list(&INVOLVEMENT_LEVELS),
                    if keys.is_empty() {
                        "missing".to_owned()
                    } else {
                        quoted_list(&keys)
                    }
                ),
            );
        }
    }

    fn validate_prompts(&self, problems: &mut Problems) {
        if self.prompts.len() > MAX_PROMPTS {
            problems.add(
                "",
                format!(
                    "there are {} prompts; the most allowed is {MAX_PROMPTS}",
                    self.prompts.len()
                ),
            );
        }
        let mut keys: HashMap<&str, usize> = HashMap::new();
        for (index, prompt) in self.prompts.iter().enumerate() {
            let at = located("prompt", index, &prompt.key);
            problems.key(&at, "key", &prompt.key);
            problems.text(&at, "question", &prompt.question);
            problems.text(&at, "hint", &prompt.hint);
            if prompt.key.is_empty() {
                continue;
            }
            match keys.entry(&prompt.key) {
                Entry::Occupied(first) => problems.add(
                    &at,
                    format!(
                        "key \"{}\" is also used by prompt {}",
                        prompt.key,
                        first.get() + 1
                    ),
                ),
                Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
        }
    }
}

/// Collects problems, each prefixed with where it is.
#[derive(Default)]
pub(super) struct Problems(Vec<String>);

impl Problems {
    pub(super) fn add(&mut self, at: &str, message: impl Display) {
        if at.is_empty() {
            self.0.push(message.to_string());
        } else {
            self.0.push(format!("{at}: {message}"));
        }
    }

    /// Text must not be blank and must be at most [`MAX_TEXT_LEN`] characters.
    pub(super) fn text(&mut self, at: &str, what: &str, value: &str) {
        let length = value.chars().count();
        if value.trim().is_empty() {
            self.add(at, format!("{what} is empty"));
        } else if length > MAX_TEXT_LEN {
            self.add(
                at,
                format!("{what} is {length} characters long; the most allowed is {MAX_TEXT_LEN}"),
            );
        }
    }

    /// Keys are lower-case words of letters and digits joined by single hyphens.
    pub(super) fn key(&mut self, at: &str, what: &str, key: &str) {
        let length = key.chars().count();
        if key.is_empty() {
            self.add(at, format!("{what} is empty"));
        } else if !is_valid_key(key) {
            self.add(
                at,
                format!(
                    "{what} \"{key}\" must be lower-case letters and digits, with single hyphens \
                     between words, like \"shared-purpose\""
                ),
            );
        } else if length > MAX_KEY_LEN {
            self.add(
                at,
                format!("{what} \"{key}\" is {length} characters long; the most allowed is {MAX_KEY_LEN}"),
            );
        }
    }

    pub(super) fn finish(self) -> Result<(), InstrumentErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(InstrumentErrors(self.0))
        }
    }
}

/// Whether `key` matches `^[a-z0-9]+(-[a-z0-9]+)*$`.
fn is_valid_key(key: &str) -> bool {
    key.split('-').all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Names an item by its key and position: `factor "trust" (factor 3)`, or `factor 3` without a key.
pub(super) fn located(kind: &str, index: usize, key: &str) -> String {
    if key.is_empty() {
        format!("{kind} {}", index + 1)
    } else {
        format!("{kind} \"{key}\" ({kind} {})", index + 1)
    }
}

/// `"a", "b", "c"`.
pub(super) fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks keys and labels of one list of choices; keys must be unique within the list.
fn choices(problems: &mut Problems, kind: &str, list: &[Choice]) {
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for (index, choice) in list.iter().enumerate() {
        let at = located(kind, index, &choice.key);
        problems.key(&at, "key", &choice.key);
        problems.text(&at, "label", &choice.label);
        if choice.key.is_empty() {
            continue;
        }
        match keys.entry(&choice.key) {
            Entry::Occupied(first) => problems.add(
                &at,
                format!(
                    "key \"{}\" is also used by {kind} {}",
                    choice.key,
                    first.get() + 1
                ),
            ),
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }
}

/// How many choices a respondent may pick must be from 1 to the number of choices.
fn max_choices(problems: &mut Problems, name: &str, value: u32, available: usize, plural: &str) {
    if available == 0 {
        problems.add("", format!("there are no {plural}: add at least one"));
    } else if value == 0 || value as usize > available {
        problems.add(
            "",
            format!("{name} is {value}; it must be from 1 to {available}, the number of {plural}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::tests::{default_with, problems_of};
    use crate::instrument::{Prompt, Statement, default_instrument};

    #[test]
    fn refuses_a_statement_key_used_in_two_factors() {
        let problems = problems_of(&default_with("key = \"trust-1\"", "key = \"purpose-2\""));
        assert_eq!(
            problems,
            [
                "factor \"trust-and-challenge\" (factor 3): statement key \"purpose-2\" is also \
                 used in factor \"shared-purpose\""
            ]
        );
        let problems = problems_of(&default_with("key = \"trust-2\"", "key = \"trust-1\""));
        assert_eq!(
            problems,
            [
                "factor \"trust-and-challenge\" (factor 3): statement key \"trust-1\" is used \
                 more than once in this factor"
            ]
        );
    }

    #[test]
    fn refuses_duplicate_factor_and_choice_keys() {
        let problems = problems_of(&default_with(
            "key = \"learning\"",
            "key = \"shared-purpose\"",
        ));
        assert_eq!(
            problems,
            [
                "factor \"shared-purpose\" (factor 7): key \"shared-purpose\" is also used by factor 1"
            ]
        );
        let problems = problems_of(&default_with(
            "key = \"data-variability\"",
            "key = \"cost-data\"",
        ));
        assert_eq!(
            problems,
            ["barrier \"cost-data\" (barrier 4): key \"cost-data\" is also used by barrier 2"]
        );
    }

    #[test]
    fn refuses_empty_and_long_text() {
        let problems = problems_of(&default_with(
            "text = \"We make time to look at how well we work together.\"",
            "text = \"  \"",
        ));
        assert_eq!(
            problems,
            [
                "factor \"learning\" (factor 7), statement \"learning-1\" (statement 1): text is empty"
            ]
        );
        let long = "a".repeat(301);
        let problems = problems_of(&default_with(
            "title = \"Shared purpose\"",
            &format!("title = \"{long}\""),
        ));
        assert_eq!(
            problems,
            [
                "factor \"shared-purpose\" (factor 1): title is 301 characters long; the most allowed is 300"
            ]
        );
        let problems = problems_of(&default_with(
            "hint = \"Say what you would change first, and why.\"",
            "hint = \"\"",
        ));
        assert_eq!(
            problems,
            ["prompt \"could-be-better\" (prompt 2): hint is empty"]
        );
    }

    #[test]
    fn refuses_bad_keys() {
        let problems = problems_of(&default_with("key = \"roles-2\"", "key = \"Roles 2\""));
        assert_eq!(
            problems,
            [
                "factor \"roles-and-pressures\" (factor 2), statement \"Roles 2\" (statement 2): \
                 key \"Roles 2\" must be lower-case letters and digits, with single hyphens \
                 between words, like \"shared-purpose\""
            ]
        );
        for bad in ["-a", "a-", "a--b", "a_b", "é"] {
            assert!(!is_valid_key(bad), "{bad}");
        }
        for good in ["a", "a-1", "purpose-10", "x2y"] {
            assert!(is_valid_key(good), "{good}");
        }
        let long = "a".repeat(41);
        let problems = problems_of(&default_with(
            "key = \"works-well\"",
            &format!("key = \"{long}\""),
        ));
        assert_eq!(
            problems,
            [format!(
                "prompt \"{long}\" (prompt 1): key \"{long}\" is 41 characters long; the most allowed is 40"
            )]
        );
    }

    #[test]
    fn refuses_no_factors() {
        let mut instrument = default_instrument();
        instrument.factors.clear();
        assert_eq!(
            instrument.validate().unwrap_err().0,
            ["there are no factors: add between 1 and 12"]
        );
        // The same through TOML: an empty array of factors.
        let text = instrument.to_toml();
        assert!(Instrument::parse(&text).is_err());
    }

    #[test]
    fn refuses_eleven_statements_but_allows_an_adapted_copy_with_fewer() {
        let mut instrument = default_instrument();
        let factor = &mut instrument.factors[1];
        factor.statements = (1..=11)
            .map(|n| Statement {
                key: format!("roles-{n}"),
                text: format!("Statement number {n}."),
            })
            .collect();
        let problems = Instrument::parse(&instrument.to_toml()).unwrap_err().0;
        assert_eq!(
            problems,
            [
                "factor \"roles-and-pressures\" (factor 2): has 11 statements; the most allowed is 10"
            ]
        );

        let mut adapted = default_instrument();
        adapted.version = 2;
        adapted.factors[1].statements.truncate(1);
        assert_eq!(Instrument::parse(&adapted.to_toml()).unwrap(), adapted);
    }

    #[test]
    fn refuses_a_wrong_scale() {
        let problems = problems_of(&default_with("    \"Strongly agree\",\n", ""));
        assert_eq!(
            problems,
            [
                "scale: has 4 labels; it needs exactly 5, one for each point from 1 (strongly \
                 disagree) to 5 (strongly agree)"
            ]
        );
    }

    #[test]
    fn refuses_wrong_involvement_levels_and_choice_limits() {
        let mut instrument = default_instrument();
        instrument.involvement.levels.swap(0, 1);
        instrument.involvement.scopes.clear();
        instrument.max_barrier_choices = 5;
        instrument.max_measure_choices = 0;
        instrument.version = 0;
        instrument.id = String::new();
        assert_eq!(
            instrument.validate().unwrap_err().0,
            [
                "id is empty",
                "version must be 1 or more",
                "involvement: has no scopes: add at least one",
                "involvement: levels must be \"fully\", \"sometimes\", \"rarely\", \"never\" in \
                 that order, but they are \"sometimes\", \"fully\", \"rarely\", \"never\"",
                "max_barrier_choices is 5; it must be from 1 to 4, the number of barriers",
                "max_measure_choices is 0; it must be from 1 to 6, the number of measures",
            ]
        );
    }

    #[test]
    fn refuses_too_many_prompts() {
        let mut instrument = default_instrument();
        for n in 0..3 {
            instrument.prompts.push(Prompt {
                key: format!("extra-{n}"),
                question: "Anything else?".to_owned(),
                hint: "Optional.".to_owned(),
            });
        }
        assert_eq!(
            instrument.validate().unwrap_err().0,
            ["there are 6 prompts; the most allowed is 5"]
        );
    }

    #[test]
    fn lists_every_problem_in_one_error() {
        let text = default_with("id = \"team-questionnaire\"", "id = \"\"");
        let text = text.replacen("title = \"Shared purpose\"", "title = \"\"", 1);
        let error = Instrument::parse(&text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "id is empty\nfactor \"shared-purpose\" (factor 1): title is empty"
        );
    }
}
