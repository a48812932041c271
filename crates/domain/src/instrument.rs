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

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

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

const DEFAULT_INSTRUMENT: &str = include_str!("../../../instruments/team-questionnaire/1.toml");
const REFERENCE_DATA: &str = include_str!("../../../instruments/reference.toml");

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

/// The reference data shipped with the instruments.
///
/// # Panics
///
/// Never in practice: a unit test proves the shipped file is valid.
#[must_use]
pub fn reference_data() -> ReferenceData {
    ReferenceData::parse(REFERENCE_DATA)
        .expect("instruments/reference.toml is checked by the domain crate's tests")
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

/// Published figures that review results are compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceData {
    /// Where the barrier and measure rankings come from.
    pub rankings_source: String,
    /// How involved clinicians feel in financial decisions, by scope.
    pub involvement: InvolvementReference,
    /// How clinicians and finance leaders ranked the barriers.
    pub barriers: Vec<Ranking>,
    /// How clinicians and finance leaders ranked the measures.
    pub measures: Vec<Ranking>,
    /// How many NHS trusts were at each engagement level.
    pub benchmark: Benchmark,
}

/// Published answers to the involvement question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvolvementReference {
    /// Who was asked, as the source says.
    pub source: String,
    /// How many clinicians answered.
    pub respondents: u32,
    /// Percentage of clinicians at each level, per scope, where the source gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<InvolvementFigures>,
    /// Findings the source states in words rather than as a full breakdown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headlines: Vec<InvolvementHeadline>,
}

/// Percentage of respondents at each involvement level for one scope, exactly as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvolvementFigures {
    /// Scope key, as in the instrument.
    pub scope: String,
    /// Percentage fully involved.
    pub fully: f64,
    /// Percentage sometimes involved.
    pub sometimes: f64,
    /// Percentage rarely involved.
    pub rarely: f64,
    /// Percentage never involved.
    pub never: f64,
}

/// A published finding about the share of respondents at some levels for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvolvementHeadline {
    /// Scope key, as in the instrument.
    pub scope: String,
    /// Level keys the finding adds together, such as rarely and never.
    pub levels: Vec<String>,
    /// The share is more than this percentage, when the source says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_percent: Option<u32>,
    /// The share is less than this percentage, when the source says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_percent: Option<u32>,
    /// The finding in one plain sentence, for the results page.
    pub summary: String,
}

/// Where a barrier or measure came in each group's published top list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    /// Barrier or measure key, as in the instrument.
    pub key: String,
    /// Position in the clinicians' list (1 = first), if it is in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_clinicians: Option<u32>,
    /// Position in the finance leaders' list (1 = first), if it is in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_finance: Option<u32>,
}

/// The national benchmark of engagement levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    /// Who collected the figures and how.
    pub source: String,
    /// Anything a reader needs to know to compare the years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// One count per collection, oldest first.
    pub snapshots: Vec<BenchmarkSnapshot>,
}

/// How many trusts were at each engagement level at one point in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkSnapshot {
    /// Month of the collection, as `YYYY-MM`.
    pub month: String,
    /// How many trusts there were in total.
    pub total_trusts: u32,
    /// Trusts at level 1, 2, 3 and 4, in that order.
    pub trusts_per_level: Vec<u32>,
}

impl ReferenceData {
    /// Reads reference data from TOML and checks every rule.
    pub fn parse(text: &str) -> Result<Self, InstrumentErrors> {
        let data: Self = from_toml(text)?;
        data.validate()?;
        Ok(data)
    }

    /// The reference data as TOML that [`ReferenceData::parse`] reads back unchanged.
    ///
    /// # Panics
    ///
    /// Never in practice: every field is a string, a number or a list of them.
    #[must_use]
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("reference data is plain strings, numbers and lists")
    }

    /// Checks the rules that need no instrument and lists every problem found.
    pub fn validate(&self) -> Result<(), InstrumentErrors> {
        let mut problems = Problems::default();
        problems.text("", "rankings_source", &self.rankings_source);
        self.validate_involvement(&mut problems);
        rankings(&mut problems, "barrier", &self.barriers);
        rankings(&mut problems, "measure", &self.measures);
        self.validate_benchmark(&mut problems);
        problems.finish()
    }

    fn validate_involvement(&self, problems: &mut Problems) {
        let involvement = &self.involvement;
        problems.text("involvement", "source", &involvement.source);
        if involvement.respondents == 0 {
            problems.add("involvement", "respondents must be 1 or more");
        }
        let mut scopes: HashMap<&str, usize> = HashMap::new();
        for (index, figures) in involvement.figures.iter().enumerate() {
            let at = format!("involvement figures {}", index + 1);
            problems.key(&at, "scope", &figures.scope);
            match scopes.entry(&figures.scope) {
                Entry::Occupied(first) => problems.add(
                    &at,
                    format!(
                        "scope \"{}\" also has figures in block {}",
                        figures.scope,
                        first.get() + 1
                    ),
                ),
                Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
            for (level, value) in [
                ("fully", figures.fully),
                ("sometimes", figures.sometimes),
                ("rarely", figures.rarely),
                ("never", figures.never),
            ] {
                if !(0.0..=100.0).contains(&value) {
                    problems.add(
                        &at,
                        format!("{level} is {value}; a percentage must be from 0 to 100"),
                    );
                }
            }
        }
        for (index, headline) in involvement.headlines.iter().enumerate() {
            let at = format!("involvement headline {}", index + 1);
            problems.key(&at, "scope", &headline.scope);
            if headline.levels.is_empty() {
                problems.add(&at, "levels is empty: name at least one level");
            }
            for level in &headline.levels {
                if !INVOLVEMENT_LEVELS.contains(&level.as_str()) {
                    problems.add(
                        &at,
                        format!(
                            "level \"{level}\" is not one of {}",
                            quoted_list(&INVOLVEMENT_LEVELS)
                        ),
                    );
                }
            }
            for (name, value) in [
                ("above_percent", headline.above_percent),
                ("below_percent", headline.below_percent),
            ] {
                if let Some(value) = value.filter(|v| *v > 100) {
                    problems.add(
                        &at,
                        format!("{name} is {value}; a percentage must be from 0 to 100"),
                    );
                }
            }
            if let (Some(above), Some(below)) = (headline.above_percent, headline.below_percent)
                && above >= below
            {
                problems.add(
                    &at,
                    format!("above_percent ({above}) must be less than below_percent ({below})"),
                );
            }
            problems.text(&at, "summary", &headline.summary);
        }
    }

    fn validate_benchmark(&self, problems: &mut Problems) {
        let benchmark = &self.benchmark;
        problems.text("benchmark", "source", &benchmark.source);
        if let Some(note) = &benchmark.note {
            problems.text("benchmark", "note", note);
        }
        if benchmark.snapshots.is_empty() {
            problems.add("benchmark", "has no snapshots: add at least one");
        }
        let mut previous: Option<&str> = None;
        for (index, snapshot) in benchmark.snapshots.iter().enumerate() {
            let at = format!("benchmark snapshot {}", index + 1);
            if is_year_month(&snapshot.month) {
                if previous.is_some_and(|p| p >= snapshot.month.as_str()) {
                    problems.add(
                        &at,
                        format!(
                            "month \"{}\" must come after the snapshot before it",
                            snapshot.month
                        ),
                    );
                }
                previous = Some(&snapshot.month);
            } else {
                problems.add(
                    &at,
                    format!(
                        "month \"{}\" must be a year and month, like \"2013-07\"",
                        snapshot.month
                    ),
                );
            }
            let levels = snapshot.trusts_per_level.len();
            if levels != ENGAGEMENT_LEVELS {
                problems.add(
                    &at,
                    format!(
                        "trusts_per_level has {levels} numbers; it needs exactly \
                         {ENGAGEMENT_LEVELS}, for levels 1 to {ENGAGEMENT_LEVELS}"
                    ),
                );
            }
            let sum: u32 = snapshot.trusts_per_level.iter().sum();
            if sum != snapshot.total_trusts {
                problems.add(
                    &at,
                    format!(
                        "trusts_per_level adds up to {sum}, but total_trusts is {}",
                        snapshot.total_trusts
                    ),
                );
            }
        }
    }

    /// Checks that every key used here exists in `instrument`, listing every one that does not.
    pub fn check_against(&self, instrument: &Instrument) -> Result<(), InstrumentErrors> {
        let mut problems = Problems::default();
        let scopes: Vec<&str> = self
            .involvement
            .figures
            .iter()
            .map(|f| f.scope.as_str())
            .chain(self.involvement.headlines.iter().map(|h| h.scope.as_str()))
            .collect();
        for scope in scopes {
            if !instrument.involvement.scopes.iter().any(|c| c.key == scope) {
                problems.add(
                    "involvement",
                    format!(
                        "scope \"{scope}\" is not a scope of instrument \"{}\" version {}",
                        instrument.id, instrument.version
                    ),
                );
            }
        }
        for (list, rankings, options) in [
            ("barrier", &self.barriers, &instrument.barriers),
            ("measure", &self.measures, &instrument.measures),
        ] {
            for ranking in rankings {
                if !options.iter().any(|c| c.key == ranking.key) {
                    problems.add(
                        "",
                        format!(
                            "{list} \"{}\" is not a {list} of instrument \"{}\" version {}",
                            ranking.key, instrument.id, instrument.version
                        ),
                    );
                }
            }
        }
        problems.finish()
    }

    /// The ranking of the barrier with this key.
    #[must_use]
    pub fn barrier(&self, key: &str) -> Option<&Ranking> {
        self.barriers.iter().find(|r| r.key == key)
    }

    /// The ranking of the measure with this key.
    #[must_use]
    pub fn measure(&self, key: &str) -> Option<&Ranking> {
        self.measures.iter().find(|r| r.key == key)
    }
}

/// Collects problems, each prefixed with where it is.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, at: &str, message: impl Display) {
        if at.is_empty() {
            self.0.push(message.to_string());
        } else {
            self.0.push(format!("{at}: {message}"));
        }
    }

    /// Text must not be blank and must be at most [`MAX_TEXT_LEN`] characters.
    fn text(&mut self, at: &str, what: &str, value: &str) {
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
    fn key(&mut self, at: &str, what: &str, key: &str) {
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

    fn finish(self) -> Result<(), InstrumentErrors> {
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

/// Whether `value` is `YYYY-MM` with a month from 01 to 12.
fn is_year_month(value: &str) -> bool {
    let Some((year, month)) = value.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && month.len() == 2
        && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
}

/// Names an item by its key and position: `factor "trust" (factor 3)`, or `factor 3` without a key.
fn located(kind: &str, index: usize, key: &str) -> String {
    if key.is_empty() {
        format!("{kind} {}", index + 1)
    } else {
        format!("{kind} \"{key}\" ({kind} {})", index + 1)
    }
}

/// `"a", "b", "c"`.
fn quoted_list(items: &[&str]) -> String {
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

/// Checks one list of rankings: unique keys, at least one rank, and each group's ranks 1, 2, 3...
fn rankings(problems: &mut Problems, kind: &str, list: &[Ranking]) {
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for (index, ranking) in list.iter().enumerate() {
        let at = located(kind, index, &ranking.key);
        problems.key(&at, "key", &ranking.key);
        if ranking.rank_clinicians.is_none() && ranking.rank_finance.is_none() {
            problems.add(
                &at,
                "has no rank: give rank_clinicians, rank_finance or both",
            );
        }
        if ranking.key.is_empty() {
            continue;
        }
        match keys.entry(&ranking.key) {
            Entry::Occupied(first) => problems.add(
                &at,
                format!(
                    "key \"{}\" is also used by {kind} {}",
                    ranking.key,
                    first.get() + 1
                ),
            ),
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }
    for (field, ranks) in [
        (
            "rank_clinicians",
            list.iter()
                .filter_map(|r| r.rank_clinicians)
                .collect::<Vec<_>>(),
        ),
        (
            "rank_finance",
            list.iter()
                .filter_map(|r| r.rank_finance)
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut sorted = ranks.clone();
        sorted.sort_unstable();
        let expected: Vec<u32> = (1..=sorted.len() as u32).collect();
        if sorted != expected {
            problems.add(
                "",
                format!(
                    "the {kind} values of {field} are {}; they must be 1, 2, 3 and so on, each \
                     used once",
                    ranks
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
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

    fn problems_of(text: &str) -> Vec<String> {
        Instrument::parse(text).unwrap_err().0
    }

    /// The default file with one line replaced; fails the test if `from` is not there.
    fn default_with(from: &str, to: &str) -> String {
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

    #[test]
    fn reference_data_parses_and_matches_the_default_instrument() {
        let data = reference_data();
        let instrument = default_instrument();
        data.check_against(&instrument).unwrap();
        // Every barrier and measure in the default instrument has a reference ranking too.
        for choice in &instrument.barriers {
            assert!(data.barrier(&choice.key).is_some(), "{}", choice.key);
        }
        for choice in &instrument.measures {
            assert!(data.measure(&choice.key).is_some(), "{}", choice.key);
        }
        assert_eq!(data.barriers.len(), instrument.barriers.len());
        assert_eq!(data.measures.len(), instrument.measures.len());
    }

    #[test]
    fn reference_figures_are_as_published() {
        let data = reference_data();
        assert_eq!(data.involvement.respondents, 156);
        let snapshots: Vec<(&str, u32, &[u32])> = data
            .benchmark
            .snapshots
            .iter()
            .map(|s| {
                (
                    s.month.as_str(),
                    s.total_trusts,
                    s.trusts_per_level.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            snapshots,
            [
                ("2012-07", 248, [20, 94, 85, 49].as_slice()),
                ("2013-07", 244, [7, 89, 92, 56].as_slice()),
            ]
        );
        let barrier = data.barrier("financial-awareness").unwrap();
        assert_eq!(
            (barrier.rank_clinicians, barrier.rank_finance),
            (Some(1), Some(3))
        );
        let measure = data.measure("finance-surgeries").unwrap();
        assert_eq!(
            (measure.rank_clinicians, measure.rank_finance),
            (None, Some(5))
        );
    }

    #[test]
    fn reference_data_refuses_unknown_keys_and_broken_figures() {
        let mut data = reference_data();
        data.barriers[0].key = "made-up".to_owned();
        data.involvement.headlines[0].scope = "ward".to_owned();
        let problems = data.check_against(&default_instrument()).unwrap_err().0;
        assert_eq!(
            problems,
            [
                "involvement: scope \"ward\" is not a scope of instrument \"team-questionnaire\" version 1",
                "barrier \"made-up\" is not a barrier of instrument \"team-questionnaire\" version 1",
            ]
        );

        let mut data = reference_data();
        data.benchmark.snapshots[1].trusts_per_level[0] = 8;
        data.measures[0].rank_clinicians = Some(2);
        let problems = data.validate().unwrap_err().0;
        assert_eq!(
            problems,
            [
                "the measure values of rank_clinicians are 2, 2, 3, 4, 5; they must be 1, 2, 3 \
                 and so on, each used once",
                "benchmark snapshot 2: trusts_per_level adds up to 245, but total_trusts is 244",
            ]
        );
    }

    #[test]
    fn reference_involvement_figures_are_read_as_given() {
        let mut data = reference_data();
        data.involvement.figures.push(InvolvementFigures {
            scope: "team".to_owned(),
            fully: 20.0,
            sometimes: 30.0,
            rarely: 30.0,
            never: 19.0,
        });
        let back = ReferenceData::parse(&data.to_toml()).unwrap();
        assert_eq!(back, data);
        data.involvement.figures[0].never = 101.0;
        assert_eq!(
            data.validate().unwrap_err().0,
            ["involvement figures 1: never is 101; a percentage must be from 0 to 100"]
        );
    }
}
