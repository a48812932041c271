//! Instruments: the questionnaires people answer, and the reference data kept with them.
//!
//! An instrument is data, not code. Each one lives in a TOML file under `instruments/`, named by
//! its id and version (`team-questionnaire/1.toml`). A review pins the exact version it used, so
//! its results stay comparable with other cycles and can be worked out again later. A published
//! version never changes: an organisation that wants different wording makes an adapted copy,
//! which becomes a new version with its own number.
//!
//! [`Instrument::parse`] and [`ReferenceData::parse`] check a file against every rule and report
//! all the problems at once, each with where it is, so whoever edits a copy can fix it in one go.
//!
//! This file holds the instrument types and reading and writing them as TOML; the rules are in
//! `validate` and the reference data in `reference`, re-exported here.

mod reference;
mod validate;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use self::reference::{
    Benchmark, BenchmarkSnapshot, InvolvementFigures, InvolvementHeadline, InvolvementReference,
    Ranking, ReferenceData, reference_data,
};

/// Longest key allowed, in characters.
pub const MAX_KEY_LEN: usize = 40;
/// Longest piece of text allowed (a statement, label, question, paragraph), in characters.
pub const MAX_TEXT_LEN: usize = 300;
/// Most factors an instrument may have.
pub const MAX_FACTORS: usize = 12;
/// Most statements one factor may have.
pub const MAX_STATEMENTS_PER_FACTOR: usize = 10;
/// Most free-text prompts an instrument may have.
pub const MAX_PROMPTS: usize = 5;
/// Number of points on the agreement scale (1 strongly disagree to 5 strongly agree).
pub const SCALE_POINTS: usize = 5;
/// The involvement levels every instrument uses, in the order they are shown.
pub const INVOLVEMENT_LEVELS: [&str; 4] = ["fully", "sometimes", "rarely", "never"];
/// Number of engagement levels in the national benchmark (level 1 to level 4).
pub const ENGAGEMENT_LEVELS: usize = 4;

const DEFAULT_INSTRUMENT: &str = include_str!("../../../../instruments/team-questionnaire/1.toml");

/// Every problem found in an instrument or reference file, one plain sentence each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct InstrumentErrors(pub Vec<String>);

/// One version of a questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Stable name shared by all versions, such as `team-questionnaire`.
    pub id: String,
    /// Version number, from 1; a review keeps the version it used.
    pub version: u32,
    /// Title shown at the top of the questionnaire.
    pub title: String,
    /// Paragraphs shown before the questions: why we ask and how answers are kept anonymous.
    pub introduction: Vec<String>,
    /// Most barriers a respondent may pick.
    pub max_barrier_choices: u32,
    /// Most measures a respondent may pick.
    pub max_measure_choices: u32,
    /// Labels for the agreement scale.
    pub scale: Scale,
    /// The factors, in the order they are asked.
    pub factors: Vec<Factor>,
    /// How far the respondent is involved in financial decisions, for each scope.
    pub involvement: Involvement,
    /// Barriers a respondent may pick as the biggest ones.
    pub barriers: Vec<Choice>,
    /// Measures a respondent may pick as the most useful ones.
    pub measures: Vec<Choice>,
    /// Free-text questions at the end.
    pub prompts: Vec<Prompt>,
}

/// The agreement scale every statement is rated on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Labels for 1 to 5, from strongly disagree to strongly agree.
    pub labels: Vec<String>,
    /// Label for the "don't know" answer, which has no score.
    pub dont_know: String,
}

/// One of the things that make joint working effective, measured by a few statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Key unique within the instrument, such as `shared-purpose`.
    pub key: String,
    /// Short title.
    pub title: String,
    /// One sentence saying what the factor is about.
    pub summary: String,
    /// The statements respondents rate.
    pub statements: Vec<Statement>,
}

/// A statement a respondent rates from strongly disagree to strongly agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Key unique across the whole instrument, such as `purpose-1`.
    pub key: String,
    /// The statement as shown.
    pub text: String,
}

/// The question on involvement in financial decisions, asked once per scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Involvement {
    /// The question as shown.
    pub question: String,
    /// Which decisions: the whole organisation, several services, one team.
    pub scopes: Vec<Choice>,
    /// How far involved: always fully, sometimes, rarely, never.
    pub levels: Vec<Choice>,
}

/// One option in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Key unique within its list.
    pub key: String,
    /// The option as shown.
    pub label: String,
}

/// A free-text question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    /// Key unique among the prompts.
    pub key: String,
    /// The question as shown.
    pub question: String,
    /// A short hint shown under the question.
    pub hint: String,
}

/// The default team questionnaire shipped with the product (version 1).
///
/// # Panics
///
/// Never in practice: a unit test proves the shipped file is valid.
#[must_use]
pub fn default_instrument() -> Instrument {
    Instrument::parse(DEFAULT_INSTRUMENT)
        .expect("instruments/team-questionnaire/1.toml is checked by the domain crate's tests")
}

impl Instrument {
    /// Reads an instrument from TOML and checks every rule.
    pub fn parse(text: &str) -> Result<Self, InstrumentErrors> {
        let instrument: Self = from_toml(text)?;
        instrument.validate()?;
        Ok(instrument)
    }

    /// The instrument as TOML that [`Instrument::parse`] reads back unchanged.
    ///
    /// # Panics
    ///
    /// Never in practice: every field is a string, a number or a list of them.
    #[must_use]
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("an instrument is plain strings, numbers and lists")
    }

    /// How many statements there are across all factors.
    #[must_use]
    pub fn statement_count(&self) -> usize {
        self.factors.iter().map(|f| f.statements.len()).sum()
    }

    /// Every statement with its factor, in the order they are asked.
    pub fn statements(&self) -> impl Iterator<Item = (&Factor, &Statement)> {
        self.factors
            .iter()
            .flat_map(|factor| factor.statements.iter().map(move |s| (factor, s)))
    }

    /// The statement with this key, and its factor.
    #[must_use]
    pub fn find_statement(&self, key: &str) -> Option<(&Factor, &Statement)> {
        self.statements()
            .find(|(_, statement)| statement.key == key)
    }

    /// The factor with this key.
    #[must_use]
    pub fn factor(&self, key: &str) -> Option<&Factor> {
        self.factors.iter().find(|factor| factor.key == key)
    }
}

/// Reads TOML into `T`, turning a syntax or shape error into a message with its line and column.
fn from_toml<T: DeserializeOwned>(text: &str) -> Result<T, InstrumentErrors> {
    toml::from_str(text).map_err(|error| {
        let message = error.message().trim_end();
        let problem = match error.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                format!("line {line}, column {column}: {message}")
            }
            None => message.to_owned(),
        };
        InstrumentErrors(vec![problem])
    })
}

/// One-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn problems_of(text: &str) -> Vec<String> {
        Instrument::parse(text).unwrap_err().0
    }

    /// The default file with one line replaced; fails the test if `from` is not there.
    pub(super) fn default_with(from: &str, to: &str) -> String {
        assert!(DEFAULT_INSTRUMENT.contains(from), "no {from:?} in 1.toml");
        DEFAULT_INSTRUMENT.replacen(from, to, 1)
    }

    #[test]
    fn default_instrument_parses() {
        let instrument = default_instrument();
        assert_eq!(instrument.id, "team-questionnaire");
        assert_eq!(instrument.version, 1);
        assert_eq!(instrument.scale.labels.len(), 5);
        assert_eq!(instrument.scale.labels[0], "Strongly disagree");
        assert_eq!(instrument.scale.labels[4], "Strongly agree");
        assert_eq!(instrument.max_barrier_choices, 3);
        assert_eq!(instrument.max_measure_choices, 3);
        let scopes: Vec<&str> = instrument
            .involvement
            .scopes
            .iter()
            .map(|c| c.key.as_str())
            .collect();
        assert_eq!(scopes, ["organisation", "services", "team"]);
        let prompts: Vec<&str> = instrument.prompts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(prompts, ["works-well", "could-be-better", "good-practice"]);
        assert!((2..=3).contains(&instrument.introduction.len()));
    }

    #[test]
    fn default_has_seven_factors_of_three_to_five_statements() {
        let instrument = default_instrument();
        let keys: Vec<&str> = instrument.factors.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "shared-purpose",
                "roles-and-pressures",
                "trust-and-challenge",
                "communication",
                "shared-data",
                "joint-leadership",
                "learning",
            ]
        );
        for factor in &instrument.factors {
            assert!(
                (3..=5).contains(&factor.statements.len()),
                "factor {} has {} statements",
                factor.key,
                factor.statements.len()
            );
        }
    }

    #[test]
    fn helpers_find_statements_and_factors() {
        let instrument = default_instrument();
        let total: usize = instrument.factors.iter().map(|f| f.statements.len()).sum();
        assert_eq!(instrument.statement_count(), total);
        assert_eq!(instrument.statements().count(), total);
        let (factor, statement) = instrument.statements().next().unwrap();
        assert_eq!(
            (factor.key.as_str(), statement.key.as_str()),
            ("shared-purpose", "purpose-1")
        );
        let (factor, statement) = instrument.find_statement("trust-3").unwrap();
        assert_eq!(factor.key, "trust-and-challenge");
        assert!(statement.text.contains("challenge"));
        assert!(instrument.find_statement("nope-1").is_none());
        assert_eq!(
            instrument.factor("learning").unwrap().title.as_str(),
            "Reflection, learning and sharing good practice"
        );
        assert!(instrument.factor("nope").is_none());
    }

    #[test]
    fn round_trips_through_toml() {
        let instrument = default_instrument();
        let text = instrument.to_toml();
        assert_eq!(Instrument::parse(&text).unwrap(), instrument);

        let data = reference_data();
        assert_eq!(ReferenceData::parse(&data.to_toml()).unwrap(), data);
    }

    #[test]
    fn refuses_an_unknown_field_with_its_line() {
        let text = default_with(
            "dont_know = \"Don't know\"",
            "dont_know = \"Don't know\"\ncolour = \"blue\"",
        );
        let line = text.lines().position(|l| l.starts_with("colour")).unwrap() + 1;
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with(&format!("line {line}, column 1: unknown field `colour`")),
            "{problems:?}"
        );
    }

    #[test]
    fn refuses_a_toml_syntax_error_with_its_line() {
        let problems = problems_of("id = \"x\"\nversion = 1\ntitle \"no equals sign\"\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("line 3, column "), "{problems:?}");
        assert_eq!(line_and_column("ab\ncdé\nf", 7), (2, 4));
        assert_eq!(line_and_column("ab\ncdé\nf", 8), (3, 1));
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
    }
}
