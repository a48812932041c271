//! Counting answers: distributions of 1 to 5 and "don't know", means and shares kept as exact
//! ratios, the rounding used on the page, and the per factor and per statement figures.
//!
//! Every figure of a cell is a sum over the cell's people of what each person gave (how many of
//! each score, how many "don't know"), so the anonymity check on the people covers all of them.
//! Means, shares and gaps are compared as exact fractions and only rounded when stored, so two
//! factors with the same mean always tie and rounding never reorders anything.

use std::cmp::Ordering;
use std::ops::Range;

use serde::Serialize;

use super::{FactorResult, StatementResult};
use crate::instrument::{Factor, Instrument};
use crate::questionnaire::{Answer, ResponseRecord};

/// How many answers of each kind: 1 to 5, and "don't know".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Distribution {
    /// `scores[0]` counts the 1s (strongly disagree), up to `scores[4]`, the 5s (strongly agree).
    pub scores: [usize; 5],
    /// "Don't know" answers: counted here, never in a mean or share.
    pub dont_know: usize,
}

impl Distribution {
    /// Counts one answer; a score outside 1 to 5 (never stored) is ignored.
    pub(super) fn add(&mut self, answer: Answer) {
        match answer {
            Answer::Score(n @ 1..=5) => self.scores[usize::from(n - 1)] += 1,
            Answer::DontKnow => self.dont_know += 1,
            Answer::Score(_) => {}
        }
    }

    /// Adds another distribution's counts to this one.
    pub(super) fn absorb(&mut self, other: &Distribution) {
        for (mine, theirs) in self.scores.iter_mut().zip(other.scores) {
            *mine += theirs;
        }
        self.dont_know += other.dont_know;
    }

    /// How many answers from 1 to 5 (the ones in means and shares).
    #[must_use]
    pub fn scored(&self) -> usize {
        self.scores.iter().sum()
    }

    /// The mean of the answers from 1 to 5, exactly; `None` when there are none.
    pub(super) fn mean(&self) -> Option<Ratio> {
        let sum: usize = (1..).zip(self.scores).map(|(score, n)| score * n).sum();
        Ratio::new(sum as i128, self.scored() as i128)
    }

    /// The percentage of answers from 1 to 5 that are 4 or 5, exactly; `None` when there are none.
    fn share_agreeing(&self) -> Option<Ratio> {
        Ratio::new(
            (self.scores[3] + self.scores[4]) as i128 * 100,
            self.scored() as i128,
        )
    }
}

/// A fraction with a positive denominator, compared exactly.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ratio {
    numerator: i128,
    denominator: i128,
}

impl Ratio {
    /// `numerator / denominator`; `None` when the denominator is not positive.
    pub(super) fn new(numerator: i128, denominator: i128) -> Option<Self> {
        (denominator > 0).then_some(Self {
            numerator,
            denominator,
        })
    }

    /// `self - other`, exactly.
    pub(super) fn minus(self, other: Self) -> Self {
        Self {
            numerator: self.numerator * other.denominator - other.numerator * self.denominator,
            denominator: self.denominator * other.denominator,
        }
    }

    /// The size of the fraction, without its sign.
    pub(super) fn abs(self) -> Self {
        Self {
            numerator: self.numerator.abs(),
            denominator: self.denominator,
        }
    }

    /// Rounded to `decimals` places, halves away from zero (3.345 becomes 3.35, which rounding
    /// the nearest `f64` would get wrong).
    pub(super) fn rounded(self, decimals: u32) -> f64 {
        let scale = 10_i128.pow(decimals);
        let scaled = self.numerator.abs() * scale;
        let units = (2 * scaled + self.denominator) / (2 * self.denominator);
        let units = if self.numerator < 0 { -units } else { units };
        small_to_f64(units) / small_to_f64(scale)
    }
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.numerator * other.denominator).cmp(&(other.numerator * self.denominator))
    }
}

/// A rounded figure in units of its last decimal: means, shares and gaps stay in the
/// thousands, far inside `i32`, so the conversion is exact.
fn small_to_f64(units: i128) -> f64 {
    let clamped = i32::try_from(units).unwrap_or(if units < 0 { i32::MIN } else { i32::MAX });
    f64::from(clamped)
}

/// The figures of one cell: a factor or statement, for everyone or for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// How many people the figures come from: for a factor, those who gave at least one of its
    /// statements a score from 1 to 5; for a statement, those who gave it one.
    pub respondents: usize,
    /// The mean of every answer from 1 to 5 (each answer counts once), to 2 decimals.
    pub mean: f64,
    /// The percentage of answers from 1 to 5 that are 4 or 5 (agree or strongly agree), to 1
    /// decimal.
    pub share_agreeing: f64,
    /// How many answers of each kind these people gave.
    pub distribution: Distribution,
}

impl Figures {
    /// The figures of `respondents` people whose answers are counted in `distribution`.
    pub(super) fn new(respondents: usize, distribution: Distribution) -> Self {
        Self {
            respondents,
            mean: distribution.mean().map_or(0.0, |m| m.rounded(2)),
            share_agreeing: distribution.share_agreeing().map_or(0.0, |s| s.rounded(1)),
            distribution,
        }
    }

    /// The mean before rounding, as an exact fraction.
    pub(super) fn exact_mean(&self) -> Option<Ratio> {
        self.distribution.mean()
    }
}

/// A cell of the results: its figures, or hidden to protect anonymity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Cell {
    /// The figures may be shown.
    Shown(Figures),
    /// Nothing may be shown: no figure, no count, no reason (a reason such as "too few people"
    /// would itself say something about the group).
    Hidden,
}

impl Cell {
    /// The figures, if they may be shown.
    #[must_use]
    pub fn figures(&self) -> Option<&Figures> {
        match self {
            Cell::Shown(figures) => Some(figures),
            Cell::Hidden => None,
        }
    }
}

/// Every respondent's answer to every statement, by the statement's position in the instrument
/// (`None` where there is none): `table[respondent][statement]`.
///
/// Both the instrument's keys (once sorted) and each response's answers are in key order, so
/// one merge pass per respondent finds them all.
pub(super) fn answer_table(
    instrument: &Instrument,
    responses: &[ResponseRecord],
) -> Vec<Vec<Option<Answer>>> {
    let mut keys: Vec<(&str, usize)> = instrument
        .statements()
        .enumerate()
        .map(|(position, (_, statement))| (statement.key.as_str(), position))
        .collect();
    keys.sort_unstable();
    responses
        .iter()
        .map(|response| {
            let mut row = vec![None; keys.len()];
            let mut wanted = keys.iter().peekable();
            for (key, &answer) in &response.answers {
                while wanted.next_if(|(k, _)| *k < key.as_str()).is_some() {}
                if let Some((_, position)) = wanted.next_if(|(k, _)| *k == key.as_str()) {
                    row[*position] = Some(answer);
                }
            }
            row
        })
        .collect()
}

/// Each respondent's answers to one factor's statements (positions `statements` in the
/// [`answer_table`]), counted: one entry per respondent.
pub(super) fn factor_distributions(
    table: &[Vec<Option<Answer>>],
    statements: &Range<usize>,
) -> Vec<Distribution> {
    table
        .iter()
        .map(|row| {
            let mut distribution = Distribution::default();
            for answer in row[statements.clone()].iter().flatten() {
                distribution.add(*answer);
            }
            distribution
        })
        .collect()
}

/// Whether a respondent with these answers to a factor contributes to it: at least one score.
pub(super) fn contributes(distribution: &Distribution) -> bool {
    distribution.scored() > 0
}

/// The answers of `members` (indexes into `per_respondent`) added together.
pub(super) fn pooled(per_respondent: &[Distribution], members: &[usize]) -> Distribution {
    let mut total = Distribution::default();
    for &member in members {
        total.absorb(&per_respondent[member]);
    }
    total
}

/// A factor's overall figures and its statements' figures.
///
/// `statements` are the factor's positions in the [`answer_table`], `per_respondent` its
/// [`factor_distributions`] and `shown` whether the whole population was accepted. Every
/// figure, statements included, comes from the people who contributed to the factor; a
/// statement is shown only when at least `min` of them scored it.
pub(super) fn factor_result(
    factor: &Factor,
    table: &[Vec<Option<Answer>>],
    statements: &Range<usize>,
    per_respondent: &[Distribution],
    shown: bool,
    min: usize,
) -> FactorResult {
    let contributors: Vec<usize> = (0..per_respondent.len())
        .filter(|&i| contributes(&per_respondent[i]))
        .collect();
    let overall = if shown {
        Cell::Shown(Figures::new(
            contributors.len(),
            pooled(per_respondent, &contributors),
        ))
    } else {
        Cell::Hidden
    };
    let statements = factor
        .statements
        .iter()
        .zip(statements.clone())
        .map(|(statement, position)| StatementResult {
            key: statement.key.clone(),
            text: statement.text.clone(),
            figures: if shown {
                statement_cell(table, position, &contributors, min)
            } else {
                Cell::Hidden
            },
        })
        .collect();
    FactorResult {
        key: factor.key.clone(),
        title: factor.title.clone(),
        overall,
        statements,
    }
}

/// One statement's figures over the factor's contributors, or hidden when fewer than `min`
/// scored it.
fn statement_cell(
    table: &[Vec<Option<Answer>>],
    position: usize,
    contributors: &[usize],
    min: usize,
) -> Cell {
    let mut distribution = Distribution::default();
    for &i in contributors {
        if let Some(answer) = table[i][position] {
            distribution.add(answer);
        }
    }
    let scored = distribution.scored();
    if scored < min {
        Cell::Hidden
    } else {
        Cell::Shown(Figures::new(scored, distribution))
    }
}

/// The keys of the factors with the highest and with the lowest mean, in instrument order,
/// among the factors whose overall figures are shown. Equal means (exactly) all count; with a
/// single factor shown, or all equal, the same factors are both strongest and weakest.
pub(super) fn extremes(factors: &[FactorResult]) -> (Vec<String>, Vec<String>) {
    let means: Vec<(&str, Ratio)> = factors
        .iter()
        .filter_map(|f| {
            let mean = f.overall.figures()?.exact_mean()?;
            Some((f.key.as_str(), mean))
        })
        .collect();
    let keys_at = |target: Option<Ratio>| -> Vec<String> {
        means
            .iter()
            .filter(|(_, mean)| Some(*mean) == target)
            .map(|(key, _)| (*key).to_owned())
            .collect()
    };
    let highest = means.iter().map(|(_, mean)| *mean).max();
    let lowest = means.iter().map(|(_, mean)| *mean).min();
    (keys_at(highest), keys_at(lowest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(numerator: i128, denominator: i128) -> Ratio {
        Ratio::new(numerator, denominator).unwrap()
    }

    #[test]
    fn rounding_is_exact_and_halves_go_away_from_zero() {
        // 669 / 200 = 3.345 exactly; 3.345_f64 * 100.0 rounds down to 334.
        assert!((ratio(669, 200).rounded(2) - 3.35).abs() < 1e-12);
        assert!((ratio(8, 3).rounded(2) - 2.67).abs() < 1e-12);
        assert!((ratio(100, 3).rounded(1) - 33.3).abs() < 1e-12);
        assert!((ratio(200, 3).rounded(1) - 66.7).abs() < 1e-12);
        assert!((ratio(-1, 200).rounded(2) + 0.01).abs() < 1e-12);
        assert!((ratio(-1, 300).rounded(2)).abs() < 1e-12);
        assert!(Ratio::new(1, 0).is_none());
    }

    #[test]
    fn ratios_compare_exactly() {
        assert_eq!(ratio(10, 3), ratio(20, 6));
        assert!(ratio(1, 3) < ratio(334, 1000));
        assert_eq!(ratio(7, 2).minus(ratio(3, 1)), ratio(1, 2));
        assert_eq!(ratio(3, 1).minus(ratio(7, 2)).abs(), ratio(1, 2));
    }

    #[test]
    fn a_distribution_counts_scores_and_dont_know_apart() {
        let mut d = Distribution::default();
        for answer in [
            Answer::Score(5),
            Answer::Score(4),
            Answer::DontKnow,
            Answer::Score(1),
            Answer::Score(9),
        ] {
            d.add(answer);
        }
        assert_eq!(d.scores, [1, 0, 0, 1, 1]);
        assert_eq!(d.dont_know, 1);
        assert_eq!(d.scored(), 3);
        // (5 + 4 + 1) / 3 = 3.33; 2 of 3 agree = 66.7 %.
        let figures = Figures::new(2, d);
        assert!((figures.mean - 3.33).abs() < 1e-12);
        assert!((figures.share_agreeing - 66.7).abs() < 1e-12);
    }

    #[test]
    fn the_answer_table_finds_every_statement_and_ignores_unknown_keys() {
        let instrument = crate::instrument::default_instrument();
        let mut response = ResponseRecord::default();
        response.answers.insert("trust-5".into(), Answer::Score(2));
        response
            .answers
            .insert("aaa-not-asked".into(), Answer::Score(4));
        response
            .answers
            .insert("purpose-1".into(), Answer::DontKnow);
        response
            .answers
            .insert("zzz-not-asked".into(), Answer::Score(4));
        response
            .answers
            .insert("learning-4".into(), Answer::Score(5));
        let table = answer_table(&instrument, &[response, ResponseRecord::default()]);
        let position = |key: &str| {
            instrument
                .statements()
                .position(|(_, s)| s.key == key)
                .unwrap()
        };
        let row = &table[0];
        assert_eq!(row.len(), instrument.statement_count());
        assert_eq!(row[position("purpose-1")], Some(Answer::DontKnow));
        assert_eq!(row[position("trust-5")], Some(Answer::Score(2)));
        assert_eq!(row[position("learning-4")], Some(Answer::Score(5)));
        assert_eq!(row.iter().flatten().count(), 3);
        assert!(table[1].iter().all(Option::is_none));
        // Trust is statements 8..13: one 2 from the first respondent, nothing from the second.
        let trust = factor_distributions(&table, &(position("trust-1")..position("trust-5") + 1));
        assert_eq!(trust[0].scores, [0, 1, 0, 0, 0]);
        assert!(!contributes(&trust[1]));
    }
}
