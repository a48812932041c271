//! Reference data: the published figures review results are compared with, the file shipped
//! with the instruments, and the rules it must meet.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};

use super::validate::{Problems, located, quoted_list};
use super::{ENGAGEMENT_LEVELS, INVOLVEMENT_LEVELS, Instrument, InstrumentErrors, from_toml};

const REFERENCE_DATA: &str = include_str!("../../../../instruments/reference.toml");

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
            // Added up wider than the counts, so that huge ones cannot wrap round to the total.
            let sum: u64 = snapshot
                .trusts_per_level
                .iter()
                .copied()
                .map(u64::from)
                .sum();
            if sum != u64::from(snapshot.total_trusts) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::default_instrument;

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
    fn benchmark_counts_too_big_to_add_up_are_refused() {
        // Spotted while writing the instrument_file fuzz target (the fuzzer had not hit it): the
        // counts were added up as u32, which panics in a debug build and, in a release build,
        // wraps round so that 4294967295 + 2 trusts "add up" to 1 and the file is accepted.
        let text = include_str!("../../../../instruments/reference.toml")
            .replacen("total_trusts = 248", "total_trusts = 1", 1)
            .replacen(
                "trusts_per_level = [20, 94, 85, 49]",
                "trusts_per_level = [4294967295, 2, 0, 0]",
                1,
            );
        assert_eq!(
            ReferenceData::parse(&text).unwrap_err().0,
            ["benchmark snapshot 1: trusts_per_level adds up to 4294967297, but total_trusts is 1"]
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
