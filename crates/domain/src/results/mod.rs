//! Team questionnaire results (PRODUCT.md section 5), worked out from the stored answers with
//! the anonymity rules of section 4 applied to every figure. Pure: no I/O, no async.
//!
//! [`compute`] takes the instrument version a review used, the reference data, the answers and
//! the organisation's minimum reporting group, and returns either [`Results::TooFew`] or a
//! [`Report`]: figures per factor and per statement, the strongest and weakest factors,
//! breakdowns by side, profession group, division and role level, clinical and finance side by
//! side, involvement, and the barriers and measures, next to the published reference figures.
//! Comments are stored apart from the answers and handled elsewhere.
//!
//! # Which figures may be shown
//!
//! The minimum reporting group `m` is the organisation's setting, never below 3. With fewer
//! than `m` responses, nothing but the count is returned.
//!
//! Each breakdown is first built over all respondents (anyone who did not answer that profile
//! question is in "Not given") and passed through [`merge_small_groups`]: groups below `m` are
//! combined, and if the combined group is still below `m` the breakdown is withheld for every
//! factor.
//!
//! Then, **for each factor separately**, one fresh [`Disclosure`] decides every cell of that
//! factor. A factor's figures come only from the people who contributed to it (at least one
//! answer from 1 to 5 to its statements), so every group is narrowed to them before it is
//! offered. The offers go in this order:
//!
//! 1. the whole population: everyone who contributed to the factor;
//! 2. every group of the side breakdown (clinical, finance, management and other, ...);
//! 3. every profession group;
//! 4. every division;
//! 5. every role level.
//!
//! A cell is shown only if its offer was accepted. Otherwise it is hidden, with no number at
//! all: not its figures, not how many people it has, not why it is hidden. The same Disclosure
//! sees every group of every breakdown of the factor, so no combination of shown cells (say
//! "Surgery" minus "Clinical") can single out fewer than `m` people; a group with exactly the
//! members of one already shown (profession "Finance" and side "Finance") is simply accepted
//! again. Each factor needs its own Disclosure because each has its own contributors: someone
//! who answered "don't know" throughout a factor is in none of its cells, and their "don't
//! know"s are not counted either (counting them would describe the whole group, not the part
//! that was offered, and the difference could be one person).
//!
//! **Why this order.** A Disclosure accepts greedily: a group is refused when, together with
//! the groups already shown, it would let someone work out a small set by subtraction. So the
//! earlier a group is offered, the better its chance. The whole population comes first because
//! without it there is nothing; the sides come next because clinical against finance is the
//! comparison the product exists for (the gaps in [`Report::sides`] read these very cells);
//! profession refines the sides; divisions and role levels, the least important, take whatever
//! is still safe. If every clinician works in Surgery, Surgery is hidden rather than the
//! clinical figures.
//!
//! Statement figures are given for the whole population only, from the factor's contributors,
//! and only when the factor's overall cell is shown and at least `m` of them scored the
//! statement. Involvement, barriers and measures are counted over the whole review, never
//! broken down; an involvement scope answered by fewer than `m` people is not shown.
//!
//! [`merge_small_groups`]: crate::anonymity::merge_small_groups
//! [`Disclosure`]: crate::anonymity::Disclosure

mod breakdowns;
mod compare;
mod reference;
mod stats;

use std::ops::Range;

use serde::Serialize;

pub use self::breakdowns::{
    BreakdownOutcome, BreakdownResult, Dimension, GroupCell, GroupKey, GroupResult,
    NOT_GIVEN_LABEL, WITHHELD_REASON,
};
pub use self::compare::{Comparison, NOT_COMPARED_REASON, SideComparison};
pub use self::reference::{
    ChoiceResult, InvolvementCounts, InvolvementResult, LevelCount, RARELY_OR_NEVER,
    ReferenceHeadline, ReferenceSource, Share,
};
pub use self::stats::{Cell, Distribution, Figures};
use crate::instrument::{Instrument, ReferenceData};
use crate::questionnaire::ResponseRecord;

/// The smallest minimum reporting group, whatever the organisation's setting.
pub const MIN_REPORTING_FLOOR: usize = 3;

/// The results of a review, or why there are none yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Results {
    /// Fewer responses than the minimum reporting group: nothing else may be shown.
    TooFew {
        /// How many responses there are.
        responses: usize,
        /// The minimum reporting group that applied (at least 3).
        min_group: usize,
    },
    /// The results, every figure already checked for anonymity.
    Shown(Box<Report>),
}

/// Everything the results pages, exports and API show for one review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// How many responses there are.
    pub responses: usize,
    /// The minimum reporting group that applied (at least 3).
    pub min_group: usize,
    /// Every factor, in instrument order, with its statements.
    pub factors: Vec<FactorResult>,
    /// The key of the factor with the highest mean, or of each factor tied for it.
    pub strongest: Vec<String>,
    /// The key of the factor with the lowest mean, or of each factor tied for it.
    pub weakest: Vec<String>,
    /// The breakdowns, in [`Dimension::ALL`] order.
    pub breakdowns: Vec<BreakdownResult>,
    /// Clinical and finance side by side, largest gaps first, then the factors not compared.
    pub sides: Vec<SideComparison>,
    /// Involvement in financial decisions, per scope in instrument order.
    pub involvement: Vec<InvolvementResult>,
    /// Who the published involvement figures come from.
    pub involvement_source: ReferenceSource,
    /// The barriers, most chosen first.
    pub barriers: Vec<ChoiceResult>,
    /// The measures, most chosen first.
    pub measures: Vec<ChoiceResult>,
    /// Where the published barrier and measure rankings come from.
    pub rankings_source: String,
}

impl Report {
    /// The factor with this key.
    #[must_use]
    pub fn factor(&self, key: &str) -> Option<&FactorResult> {
        self.factors.iter().find(|f| f.key == key)
    }

    /// The breakdown by this dimension.
    #[must_use]
    pub fn breakdown(&self, dimension: Dimension) -> Option<&BreakdownResult> {
        self.breakdowns.iter().find(|b| b.dimension == dimension)
    }
}

/// One factor's figures for the whole population, and its statements'.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorResult {
    /// The factor's key.
    pub key: String,
    /// The factor's title.
    pub title: String,
    /// The figures of everyone who contributed, or hidden when fewer than the minimum did.
    pub overall: Cell,
    /// Every statement, in instrument order.
    pub statements: Vec<StatementResult>,
}

/// One statement's figures for the whole population.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementResult {
    /// The statement's key.
    pub key: String,
    /// The statement as shown.
    pub text: String,
    /// The figures, or hidden when fewer than the minimum scored it.
    pub figures: Cell,
}

/// Works out a review's results from its `responses`, showing only what section 4 allows.
///
/// `min_group` is the organisation's minimum reporting group; below 3 it counts as 3.
#[must_use]
pub fn compute(
    instrument: &Instrument,
    reference: &ReferenceData,
    responses: &[ResponseRecord],
    min_group: usize,
) -> Results {
    let min = min_group.max(MIN_REPORTING_FLOOR);
    if responses.len() < min {
        return Results::TooFew {
            responses: responses.len(),
            min_group: min,
        };
    }
    let table = stats::answer_table(instrument, responses);
    // Each factor's statements, as positions in the table.
    let mut next = 0;
    let positions: Vec<Range<usize>> = instrument
        .factors
        .iter()
        .map(|factor| {
            next += factor.statements.len();
            next - factor.statements.len()..next
        })
        .collect();
    let per_factor: Vec<Vec<Distribution>> = positions
        .iter()
        .map(|statements| stats::factor_distributions(&table, statements))
        .collect();
    let disclosed = breakdowns::disclose(instrument, responses, &per_factor, min);
    let factors: Vec<FactorResult> = instrument
        .factors
        .iter()
        .zip(&positions)
        .zip(&per_factor)
        .zip(&disclosed.overall)
        .map(|(((factor, statements), per_respondent), &shown)| {
            stats::factor_result(factor, &table, statements, per_respondent, shown, min)
        })
        .collect();
    let (strongest, weakest) = stats::extremes(&factors);
    let sides = compare::compare_sides(instrument, &disclosed.breakdowns);
    Results::Shown(Box::new(Report {
        responses: responses.len(),
        min_group: min,
        factors,
        strongest,
        weakest,
        breakdowns: disclosed.breakdowns,
        sides,
        involvement: reference::involvement(instrument, reference, responses, min),
        involvement_source: ReferenceSource {
            source: reference.involvement.source.clone(),
            respondents: reference.involvement.respondents,
        },
        barriers: reference::choices(&instrument.barriers, &reference.barriers, responses, |r| {
            &r.barriers
        }),
        measures: reference::choices(&instrument.measures, &reference.measures, responses, |r| {
            &r.measures
        }),
        rankings_source: reference.rankings_source.clone(),
    }))
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{default_instrument, reference_data};
    use crate::participants::ProfessionGroup::{self, Finance, ManagementOther, Medical, Nursing};
    use crate::participants::{RoleLevel, Side};
    use crate::questionnaire::Answer::{self, DontKnow, Score};

    const TOLERANCE: f64 = 1e-9;

    /// Someone who gave `score` to every statement and "sometimes" for every scope.
    fn respondent(
        profession: Option<ProfessionGroup>,
        division: Option<&str>,
        role_level: Option<RoleLevel>,
        score: u8,
    ) -> ResponseRecord {
        let instrument = default_instrument();
        ResponseRecord {
            profession,
            division: division.map(str::to_owned),
            role_level,
            answers: instrument
                .statements()
                .map(|(_, s)| (s.key.clone(), Score(score)))
                .collect(),
            involvement: instrument
                .involvement
                .scopes
                .iter()
                .map(|s| (s.key.clone(), "sometimes".to_owned()))
                .collect(),
            ..ResponseRecord::default()
        }
    }

    /// Replaces a respondent's answers to one factor, statement by statement.
    fn set_factor(record: &mut ResponseRecord, factor: &str, answers: &[Answer]) {
        let instrument = default_instrument();
        let statements = &instrument.factor(factor).unwrap().statements;
        assert_eq!(statements.len(), answers.len(), "{factor}");
        for (statement, &answer) in statements.iter().zip(answers) {
            record.answers.insert(statement.key.clone(), answer);
        }
    }

    /// Gives every statement of `factor` the same answer.
    fn set_factor_all(record: &mut ResponseRecord, factor: &str, answer: Answer) {
        let count = default_instrument()
            .factor(factor)
            .unwrap()
            .statements
            .len();
        set_factor(record, factor, &vec![answer; count]);
    }

    fn run(responses: &[ResponseRecord], min: usize) -> Report {
        match compute(&default_instrument(), &reference_data(), responses, min) {
            Results::Shown(report) => *report,
            too_few @ Results::TooFew { .. } => panic!("expected results, got {too_few:?}"),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < TOLERANCE
    }

    /// The group of a breakdown with this key.
    fn group<'r>(report: &'r Report, dimension: Dimension, key: &GroupKey) -> &'r GroupResult {
        match &report.breakdown(dimension).unwrap().outcome {
            BreakdownOutcome::Shown { groups } => groups.iter().find(|g| &g.key == key).unwrap(),
            BreakdownOutcome::Withheld { .. } => panic!("{dimension:?} is withheld"),
        }
    }

    fn cell<'r>(group: &'r GroupResult, factor: &str) -> &'r Cell {
        &group
            .factors
            .iter()
            .find(|c| c.factor == factor)
            .unwrap()
            .figures
    }

    fn is_withheld(report: &Report, dimension: Dimension) -> bool {
        matches!(
            report.breakdown(dimension).unwrap().outcome,
            BreakdownOutcome::Withheld { .. }
        )
    }

    /// Which group a respondent is in, worked out here rather than taken from the module.
    fn attribute(dimension: Dimension, response: &ResponseRecord) -> GroupKey {
        let key = match dimension {
            Dimension::Side => response.profession.map(|p| match p {
                Finance => GroupKey::Side(Side::Finance),
                ManagementOther => GroupKey::Side(Side::Other),
                _ => GroupKey::Side(Side::Clinical),
            }),
            Dimension::Profession => response.profession.map(GroupKey::Profession),
            Dimension::Division => response.division.clone().map(GroupKey::Division),
            Dimension::RoleLevel => response.role_level.map(GroupKey::RoleLevel),
        };
        key.unwrap_or(GroupKey::NotGiven)
    }

    /// Who contributed to a factor: at least one score from 1 to 5.
    fn contributors(responses: &[ResponseRecord], factor: &str) -> Vec<usize> {
        let instrument = default_instrument();
        let statements = &instrument.factor(factor).unwrap().statements;
        (0..responses.len())
            .filter(|&i| {
                statements
                    .iter()
                    .any(|s| matches!(responses[i].answers.get(&s.key), Some(Score(1..=5))))
            })
            .collect()
    }

    /// Every set of people whose figures the report shows for `factor`, reconstructed from the
    /// responses; checks on the way that each shown cell's count and answers match its set.
    pub(super) fn shown_sets(
        report: &Report,
        responses: &[ResponseRecord],
        factor: &str,
    ) -> Vec<Vec<usize>> {
        let instrument = default_instrument();
        let statements = &instrument.factor(factor).unwrap().statements;
        let contributing = contributors(responses, factor);
        let check = |figures: &Figures, members: &[usize]| {
            assert_eq!(figures.respondents, members.len(), "{factor}");
            assert!(members.len() >= report.min_group, "{factor}: {members:?}");
            let mut expected = Distribution::default();
            for &i in members {
                for s in statements {
                    match responses[i].answers.get(&s.key) {
                        Some(Score(n)) => expected.scores[usize::from(*n) - 1] += 1,
                        Some(DontKnow) => expected.dont_know += 1,
                        None => {}
                    }
                }
            }
            assert_eq!(figures.distribution, expected, "{factor}: {members:?}");
        };
        let mut sets = Vec::new();
        if let Some(figures) = report.factor(factor).unwrap().overall.figures() {
            check(figures, &contributing);
            sets.push(contributing.clone());
        }
        for breakdown in &report.breakdowns {
            let BreakdownOutcome::Shown { groups } = &breakdown.outcome else {
                continue;
            };
            let named: Vec<&GroupKey> = groups.iter().map(|g| &g.key).collect();
            for group in groups {
                let Some(figures) = cell(group, factor).figures() else {
                    continue;
                };
                let members: Vec<usize> = contributing
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let key = attribute(breakdown.dimension, &responses[i]);
                        match group.key {
                            GroupKey::Merged => !named.contains(&&key),
                            _ => key == group.key,
                        }
                    })
                    .collect();
                check(figures, &members);
                sets.push(members);
            }
        }
        sets
    }

    /// Reduced row echelon form of `rows`: (pivot column, row) with a 1 at the pivot and zeros
    /// at every other row's pivot.
    pub(super) fn echelon(rows: &[Vec<f64>]) -> Vec<(usize, Vec<f64>)> {
        let mut m = rows.to_vec();
        let columns = m.first().map_or(0, Vec::len);
        let mut basis: Vec<(usize, Vec<f64>)> = Vec::new();
        for column in 0..columns {
            let Some(p) = (0..m.len()).find(|&r| m[r][column].abs() > TOLERANCE) else {
                continue;
            };
            let mut pivot = m.swap_remove(p);
            let lead = pivot[column];
            for v in &mut pivot {
                *v /= lead;
            }
            for row in m.iter_mut().chain(basis.iter_mut().map(|(_, r)| r)) {
                let f = row[column];
                if f.abs() > TOLERANCE {
                    for (v, p) in row.iter_mut().zip(&pivot) {
                        *v -= f * p;
                    }
                }
            }
            basis.push((column, pivot));
        }
        basis
    }

    /// The rank of the shown sets' indicator vectors with `candidate` added, given their
    /// reduced form (whose rank is its length).
    pub(super) fn rank_with(basis: &[(usize, Vec<f64>)], mut candidate: Vec<f64>) -> usize {
        for (column, row) in basis {
            let f = candidate[*column];
            if f.abs() > TOLERANCE {
                for (v, p) in candidate.iter_mut().zip(row) {
                    *v -= f * p;
                }
            }
        }
        basis.len() + usize::from(candidate.iter().any(|v| v.abs() > TOLERANCE))
    }

    pub(super) fn indicator(members: &[usize], people: usize) -> Vec<f64> {
        (0..people)
            .map(|p| if members.contains(&p) { 1.0 } else { 0.0 })
            .collect()
    }

    /// Whether the figures of exactly `set` follow from the shown sets by sums and differences.
    fn derivable(shown: &[Vec<usize>], set: &[usize], people: usize) -> bool {
        let rows: Vec<Vec<f64>> = shown.iter().map(|s| indicator(s, people)).collect();
        let basis = echelon(&rows);
        rank_with(&basis, indicator(set, people)) == basis.len()
    }

    #[test]
    fn too_few_responses_show_nothing_and_exactly_the_minimum_shows_results() {
        let instrument = default_instrument();
        let reference = reference_data();
        let four: Vec<ResponseRecord> = (0..4).map(|_| respondent(None, None, None, 3)).collect();
        assert_eq!(
            compute(&instrument, &reference, &four, 5),
            Results::TooFew {
                responses: 4,
                min_group: 5
            }
        );
        assert_eq!(
            compute(&instrument, &reference, &four[..2], 1),
            Results::TooFew {
                responses: 2,
                min_group: 3
            },
            "the minimum never drops below 3"
        );
        let mut five = four.clone();
        five.push(respondent(None, None, None, 3));
        let report = run(&five, 5);
        assert_eq!((report.responses, report.min_group), (5, 5));
        let overall = report.factors[0].overall.figures().unwrap();
        assert_eq!(overall.respondents, 5);
        assert!(close(overall.mean, 3.0));
        assert!(close(
            run(&four, 2).factors[0].overall.figures().unwrap().mean,
            3.0
        ));
    }

    #[test]
    fn factor_and_statement_figures_by_hand() {
        let mut responses: Vec<ResponseRecord> =
            (0..4).map(|_| respondent(None, None, None, 3)).collect();
        // purpose-1..purpose-4. Respondent 2 answers "don't know" throughout: not counted.
        set_factor(
            &mut responses[0],
            "shared-purpose",
            &[Score(5), Score(4), Score(4), DontKnow],
        );
        set_factor(
            &mut responses[1],
            "shared-purpose",
            &[Score(2), DontKnow, Score(3), Score(4)],
        );
        set_factor_all(&mut responses[2], "shared-purpose", DontKnow);
        set_factor(
            &mut responses[3],
            "shared-purpose",
            &[Score(1), Score(5), Score(4), Score(4)],
        );
        let report = run(&responses, 3);
        let factor = report.factor("shared-purpose").unwrap();
        let overall = factor.overall.figures().unwrap();
        // 10 scores: 5+4+4 + 2+3+4 + 1+5+4+4 = 36; 36 / 10 = 3.6. Agree: five 4s, two 5s = 70 %.
        assert_eq!(overall.respondents, 3);
        assert_eq!(overall.distribution.scores, [1, 1, 1, 5, 2]);
        assert_eq!(overall.distribution.dont_know, 2);
        assert!(close(overall.mean, 3.6));
        assert!(close(overall.share_agreeing, 70.0));

        let statements: Vec<&Cell> = factor.statements.iter().map(|s| &s.figures).collect();
        // purpose-1: 5, 2, 1 → 8 / 3 = 2.67; one of three agrees = 33.3 %.
        let first = statements[0].figures().unwrap();
        assert_eq!(first.respondents, 3);
        assert_eq!(first.distribution.scores, [1, 1, 0, 0, 1]);
        assert_eq!(
            first.distribution.dont_know, 0,
            "respondent 2 is not a contributor"
        );
        assert!(close(first.mean, 2.67));
        assert!(close(first.share_agreeing, 33.3));
        // purpose-2 and purpose-4: only two scores each, below the minimum of 3.
        assert_eq!(*statements[1], Cell::Hidden);
        assert_eq!(*statements[3], Cell::Hidden);
        // purpose-3: 4, 3, 4 → 11 / 3 = 3.67; 66.7 % agree.
        let third = statements[2].figures().unwrap();
        assert_eq!(third.distribution.scores, [0, 0, 1, 2, 0]);
        assert!(close(third.mean, 3.67));
        assert!(close(third.share_agreeing, 66.7));

        // A factor everyone answered 3 to: mean 3, nobody agrees.
        let other = report
            .factor("learning")
            .unwrap()
            .overall
            .figures()
            .unwrap();
        assert_eq!(other.distribution.scores, [0, 0, 16, 0, 0]);
        assert!(close(other.share_agreeing, 0.0));
    }

    #[test]
    fn strongest_and_weakest_include_ties_and_skip_hidden_factors() {
        // Per respondent, each answering every statement of the factor with one value.
        let values: [(&str, [u8; 5]); 6] = [
            ("shared-purpose", [5, 3, 4, 4, 4]),      // 4.0
            ("roles-and-pressures", [2, 2, 2, 2, 2]), // 2.0
            ("trust-and-challenge", [4, 4, 4, 4, 4]), // 4.0
            ("communication", [4, 4, 4, 4, 3]),       // 3.8
            ("shared-data", [3, 3, 3, 3, 3]),         // 3.0
            ("joint-leadership", [1, 3, 2, 2, 2]),    // 2.0
        ];
        let mut responses: Vec<ResponseRecord> =
            (0..5).map(|_| respondent(None, None, None, 3)).collect();
        for (i, response) in responses.iter_mut().enumerate() {
            for (factor, scores) in &values {
                set_factor_all(response, factor, Score(scores[i]));
            }
            // Learning: two people strongly agree, three don't know: too few to show.
            let learning = if i < 2 { Score(5) } else { DontKnow };
            set_factor_all(response, "learning", learning);
        }
        let report = run(&responses, 3);
        assert_eq!(report.factor("learning").unwrap().overall, Cell::Hidden);
        assert_eq!(report.strongest, ["shared-purpose", "trust-and-challenge"]);
        assert_eq!(report.weakest, ["roles-and-pressures", "joint-leadership"]);
    }

    #[test]
    fn clinical_17_and_finance_3_show_nothing_about_either_side() {
        // 0..10 medical and 10..17 nursing; 17..20 finance. Surgery: 0..12; Medicine: 12..20.
        let responses: Vec<ResponseRecord> = (0..20)
            .map(|i| {
                let profession = match i {
                    0..10 => Medical,
                    10..17 => Nursing,
                    _ => Finance,
                };
                let division = if i < 12 { "Surgery" } else { "Medicine" };
                let level = if i % 2 == 0 {
                    RoleLevel::Senior
                } else {
                    RoleLevel::NonManagement
                };
                respondent(
                    Some(profession),
                    Some(division),
                    Some(level),
                    1 + (i % 5) as u8,
                )
            })
            .collect();
        let report = run(&responses, 5);
        assert!(is_withheld(&report, Dimension::Side));
        assert!(is_withheld(&report, Dimension::Profession));
        let clinical: Vec<usize> = (0..17).collect();
        let finance: Vec<usize> = (17..20).collect();
        let everyone: Vec<usize> = (0..20).collect();
        assert!(
            derivable(&[everyone, clinical.clone()], &finance, 20),
            "the oracle sees a subtraction"
        );
        for factor in default_instrument().factors {
            let shown = shown_sets(&report, &responses, &factor.key);
            assert!(
                shown.len() >= 3,
                "total, both divisions and role levels are shown"
            );
            assert!(
                !derivable(&shown, &clinical, 20),
                "{}: clinical",
                factor.key
            );
            assert!(!derivable(&shown, &finance, 20), "{}: finance", factor.key);
        }
        assert!(
            report
                .sides
                .iter()
                .all(|c| matches!(c.outcome, Comparison::NotCompared { .. }))
        );
        assert_eq!(
            report.breakdown(Dimension::Side).unwrap().outcome,
            BreakdownOutcome::Withheld {
                reason: WITHHELD_REASON.to_owned()
            }
        );
    }

    #[test]
    fn when_every_clinician_is_in_surgery_surgery_is_hidden() {
        // 0..10 medical in Surgery, 10 finance in Surgery, 11..17 finance in Finance.
        let responses: Vec<ResponseRecord> = (0..17)
            .map(|i| match i {
                0..10 => respondent(Some(Medical), Some("Surgery"), None, 4),
                10 => respondent(Some(Finance), Some("Surgery"), None, 2),
                _ => respondent(Some(Finance), Some("Finance"), None, 3),
            })
            .collect();
        let report = run(&responses, 5);
        let surgery = group(
            &report,
            Dimension::Division,
            &GroupKey::Division("Surgery".into()),
        );
        let department = group(
            &report,
            Dimension::Division,
            &GroupKey::Division("Finance".into()),
        );
        let clinical = group(&report, Dimension::Side, &GroupKey::Side(Side::Clinical));
        let finance = group(&report, Dimension::Side, &GroupKey::Side(Side::Finance));
        for factor in default_instrument().factors {
            let key = factor.key.as_str();
            assert_eq!(
                *cell(surgery, key),
                Cell::Hidden,
                "{key}: Surgery - clinical = 1"
            );
            assert_eq!(
                *cell(department, key),
                Cell::Hidden,
                "{key}: finance - department = 1"
            );
            assert_eq!(cell(clinical, key).figures().unwrap().respondents, 10);
            assert_eq!(cell(finance, key).figures().unwrap().respondents, 7);
            assert!(!derivable(&shown_sets(&report, &responses, key), &[10], 17));
        }
        // The business partner's 2s pull finance down: (2 + 6 × 3) / 7 = 2.86; gap 4 - 2.86.
        let Comparison::Compared {
            clinical_mean,
            finance_mean,
            gap,
        } = report.sides[0].outcome
        else {
            panic!("both sides are shown")
        };
        assert!(close(clinical_mean, 4.0) && close(finance_mean, 2.86) && close(gap, 1.14));
    }

    #[test]
    fn many_dont_knows_hide_a_group_for_that_factor_only() {
        // 0..6 medical, 6..12 finance, 12..17 managers. Finance 10 and 11 answer "don't know"
        // to every shared-data statement, so only 4 finance people contribute to it.
        let mut responses: Vec<ResponseRecord> = (0..17)
            .map(|i| {
                let profession = match i {
                    0..6 => Medical,
                    6..12 => Finance,
                    _ => ManagementOther,
                };
                respondent(Some(profession), None, None, 4)
            })
            .collect();
        set_factor_all(&mut responses[10], "shared-data", DontKnow);
        set_factor_all(&mut responses[11], "shared-data", DontKnow);
        let report = run(&responses, 5);
        let side = |s: Side| group(&report, Dimension::Side, &GroupKey::Side(s));
        for factor in default_instrument().factors {
            let key = factor.key.as_str();
            let shown = |s: Side| cell(side(s), key).figures().is_some();
            if key == "shared-data" {
                // Clinical is offered first and takes the place; managers would then give
                // finance by subtraction (15 - 6 - 5 = 4), so they are hidden too.
                assert!(shown(Side::Clinical));
                assert!(!shown(Side::Finance));
                assert!(!shown(Side::Other));
                let overall = report.factor(key).unwrap().overall.figures().unwrap();
                assert_eq!(overall.respondents, 15);
            } else {
                assert!(
                    shown(Side::Clinical) && shown(Side::Finance) && shown(Side::Other),
                    "{key}"
                );
            }
        }
        let not_compared: Vec<&str> = report
            .sides
            .iter()
            .filter(|c| matches!(c.outcome, Comparison::NotCompared { .. }))
            .map(|c| c.factor.as_str())
            .collect();
        assert_eq!(not_compared, ["shared-data"]);
        assert_eq!(report.sides.last().unwrap().factor, "shared-data");
    }

    #[test]
    fn clinical_and_finance_gaps_come_largest_first() {
        // Per person, every statement of the factor gets the value; 0..5 clinical, 5..10 finance.
        let values: [(&str, [u8; 10]); 6] = [
            ("shared-purpose", [4, 4, 4, 4, 4, 2, 3, 2, 3, 3]), // 4.0 vs 2.6: +1.4
            ("roles-and-pressures", [3, 3, 3, 3, 3, 4, 4, 4, 4, 3]), // 3.0 vs 3.8: -0.8
            ("trust-and-challenge", [2, 2, 2, 3, 2, 4, 4, 4, 5, 4]), // 2.2 vs 4.2: -2.0
            ("communication", [3, 4, 3, 4, 3, 3, 3, 3, 3, 3]),  // 3.4 vs 3.0: +0.4
            ("shared-data", [3; 10]),                           // 0
            ("joint-leadership", [2; 10]),                      // 0
        ];
        let mut responses: Vec<ResponseRecord> = (0..10)
            .map(|i| respondent(Some(if i < 5 { Medical } else { Finance }), None, None, 3))
            .collect();
        for (i, response) in responses.iter_mut().enumerate() {
            for (factor, scores) in &values {
                set_factor_all(response, factor, Score(scores[i]));
            }
        }
        // Learning: clinician 0 gives 5 then three "don't know", everyone else 3 throughout:
        // clinical (5 + 16 × 3) / 17 = 53 / 17 = 3.12, finance 3.0, gap 2 / 17 = 0.12.
        set_factor(
            &mut responses[0],
            "learning",
            &[Score(5), DontKnow, DontKnow, DontKnow],
        );
        let report = run(&responses, 5);
        let gaps: Vec<(&str, f64, f64, f64)> = report
            .sides
            .iter()
            .map(|c| match c.outcome {
                Comparison::Compared {
                    clinical_mean,
                    finance_mean,
                    gap,
                } => (c.factor.as_str(), clinical_mean, finance_mean, gap),
                Comparison::NotCompared { .. } => panic!("{} is not compared", c.factor),
            })
            .collect();
        let expected = [
            ("trust-and-challenge", 2.2, 4.2, -2.0),
            ("shared-purpose", 4.0, 2.6, 1.4),
            ("roles-and-pressures", 3.0, 3.8, -0.8),
            ("communication", 3.4, 3.0, 0.4),
            ("learning", 3.12, 3.0, 0.12),
            ("shared-data", 3.0, 3.0, 0.0),
            ("joint-leadership", 2.0, 2.0, 0.0),
        ];
        assert_eq!(gaps.len(), expected.len());
        for (got, want) in gaps.iter().zip(expected) {
            assert_eq!(got.0, want.0);
            assert!(
                close(got.1, want.1) && close(got.2, want.2) && close(got.3, want.3),
                "{got:?} != {want:?}"
            );
        }
    }

    /// Ten respondents with hand-picked involvement levels, barriers and measures.
    fn involvement_and_choices_population() -> Vec<ResponseRecord> {
        let organisation = [
            "fully",
            "sometimes",
            "sometimes",
            "rarely",
            "rarely",
            "rarely",
            "never",
            "never",
            "never",
            "never",
        ];
        let services = [
            "fully",
            "fully",
            "fully",
            "sometimes",
            "sometimes",
            "sometimes",
        ];
        let barriers: [&[&str]; 10] = [
            &["cost-data", "data-presentation", "financial-awareness"],
            &["cost-data", "data-presentation", "financial-awareness"],
            &["cost-data", "data-presentation"],
            &["cost-data", "data-presentation"],
            &["cost-data", "data-presentation"],
            &[],
            &[],
            &[],
            &[],
            &[],
        ];
        let measures: [&[&str]; 10] = [
            &["patient-level-costing", "incentives", "finance-surgeries"],
            &["incentives", "finance-course", "finance-surgeries"],
            &["incentives", "finance-course", "finance-surgeries"],
            &["finance-course", "finance-surgeries"],
            &["finance-surgeries"],
            &["finance-surgeries"],
            &["finance-surgeries"],
            &[],
            &[],
            &[],
        ];
        (0..10)
            .map(|i| {
                let mut r = respondent(None, None, None, 3);
                r.involvement
                    .insert("organisation".into(), organisation[i].into());
                let service = services.get(i).copied().unwrap_or("rarely");
                if i == 9 {
                    r.involvement.remove("services");
                } else {
                    r.involvement.insert("services".into(), service.into());
                }
                let team = if i < 6 { "fully" } else { "never" };
                r.involvement.insert("team".into(), team.into());
                r.barriers = barriers[i].iter().map(|&k| k.to_owned()).collect();
                r.measures = measures[i].iter().map(|&k| k.to_owned()).collect();
                r
            })
            .collect()
    }

    #[test]
    fn involvement_against_the_default_instrument_and_reference() {
        let report = run(&involvement_and_choices_population(), 5);
        let shares = |scope: usize| -> Vec<(usize, f64)> {
            let counts = report.involvement[scope].counts.as_ref().unwrap();
            counts
                .levels
                .iter()
                .map(|l| (l.share.count, l.share.percent))
                .collect()
        };
        assert_eq!(shares(0), [(1, 10.0), (2, 20.0), (3, 30.0), (4, 40.0)]);
        let organisation = &report.involvement[0];
        let rarely_or_never = &organisation.counts.as_ref().unwrap().rarely_or_never;
        assert_eq!(rarely_or_never.count, 7);
        assert!(close(rarely_or_never.percent, 70.0));
        assert_eq!(organisation.reference.len(), 1);
        let headline = &organisation.reference[0];
        assert_eq!(headline.levels, RARELY_OR_NEVER);
        assert_eq!(
            (headline.below_percent, headline.above_percent),
            (Some(75), None)
        );
        assert!(headline.summary.starts_with("Nearly 3 in 4"));
        assert_eq!(headline.yours_percent, Some(70.0));
        // Services: 9 answered; 3 of each of fully, sometimes, rarely.
        assert_eq!(report.involvement[1].counts.as_ref().unwrap().answered, 9);
        assert_eq!(shares(1), [(3, 33.3), (3, 33.3), (3, 33.3), (0, 0.0)]);
        assert!(report.involvement[1].reference.is_empty());
        // Team: 6 fully, 4 never; the source says more than half are not involved.
        assert_eq!(shares(2), [(6, 60.0), (0, 0.0), (0, 0.0), (4, 40.0)]);
        assert_eq!(report.involvement[2].reference[0].above_percent, Some(50));
        assert_eq!(report.involvement[2].reference[0].yours_percent, Some(40.0));
        assert_eq!(report.involvement_source.respondents, 156);
    }

    /// A choice as (key, count, percent, rank, clinicians' rank, finance leaders' rank).
    type ChoiceRow = (String, usize, f64, usize, Option<u32>, Option<u32>);

    #[test]
    fn barriers_and_measures_against_the_default_instrument_and_reference() {
        let report = run(&involvement_and_choices_population(), 5);
        let table = |list: &[ChoiceResult]| -> Vec<ChoiceRow> {
            list.iter()
                .map(|c| {
                    (
                        c.key.clone(),
                        c.share.count,
                        c.share.percent,
                        c.rank,
                        c.rank_clinicians,
                        c.rank_finance,
                    )
                })
                .collect()
        };
        let row = |key: &str, count, percent, rank, clinicians, finance| {
            (key.to_owned(), count, percent, rank, clinicians, finance)
        };
        assert_eq!(
            table(&report.barriers),
            [
                row("cost-data", 5, 50.0, 1, Some(2), Some(2)),
                row("data-presentation", 5, 50.0, 2, Some(3), None),
                row("financial-awareness", 2, 20.0, 3, Some(1), Some(3)),
                row("data-variability", 0, 0.0, 4, None, Some(1)),
            ]
        );
        assert_eq!(
            table(&report.measures),
            [
                row("finance-surgeries", 7, 70.0, 1, None, Some(5)),
                row("incentives", 3, 30.0, 2, Some(3), Some(1)),
                row("finance-course", 3, 30.0, 3, Some(4), None),
                row("patient-level-costing", 1, 10.0, 4, Some(1), Some(2)),
                row("service-line-management", 0, 0.0, 5, Some(2), Some(3)),
                row("job-shadowing", 0, 0.0, 6, Some(5), Some(4)),
            ]
        );
        assert!(report.rankings_source.contains("HFMA"));
    }

    /// A small deterministic generator (xorshift), so the test needs no new dependency.
    struct Prng(u64);

    impl Prng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<T: Copy>(&mut self, options: &[T]) -> T {
            options[self.below(options.len())]
        }
    }

    fn random_population(rng: &mut Prng, people: usize) -> Vec<ResponseRecord> {
        let instrument = default_instrument();
        let divisions = ["Surgery", "Medicine", "Finance", "Women and children"];
        let division_count = 1 + rng.below(divisions.len());
        let professions = [Medical, Medical, Nursing, Finance, Finance, ManagementOther];
        (0..people)
            .map(|_| {
                let profession = (rng.below(8) != 0).then(|| rng.pick(&professions));
                let division = (rng.below(6) != 0).then(|| rng.pick(&divisions[..division_count]));
                let level = (rng.below(6) != 0).then(|| rng.pick(&RoleLevel::ALL));
                let mut record = respondent(profession, division, level, 3);
                for factor in &instrument.factors {
                    // Now and then someone does not know anything about a factor.
                    let unsure = rng.below(7) == 0;
                    for statement in &factor.statements {
                        let answer = if unsure || rng.below(4) == 0 {
                            DontKnow
                        } else {
                            Score(1 + rng.below(5) as u8)
                        };
                        record.answers.insert(statement.key.clone(), answer);
                    }
                }
                record
            })
            .collect()
    }

    #[test]
    fn no_small_set_can_be_worked_out_from_the_shown_figures_on_random_populations() {
        let instrument = default_instrument();
        let mut rng = Prng(0x00c0_ffee_5eed_1234);
        let mut brute_forced = 0;
        let mut hidden_somewhere = 0;
        for iteration in 0..200 {
            // Half the populations small enough for the brute force over every subset.
            let people = if iteration % 2 == 0 {
                8 + rng.below(7)
            } else {
                8 + rng.below(33)
            };
            let min = 3 + rng.below(4);
            let responses = random_population(&mut rng, people);
            let report = run(&responses, min);
            for factor in &instrument.factors {
                // Checks counts, answers and sizes of every shown cell against its set.
                let shown = shown_sets(&report, &responses, &factor.key);
                let all_cells: usize = report
                    .breakdowns
                    .iter()
                    .map(|b| match &b.outcome {
                        BreakdownOutcome::Shown { groups } => groups.len(),
                        BreakdownOutcome::Withheld { .. } => 0,
                    })
                    .sum::<usize>()
                    + 1;
                if shown.len() < all_cells {
                    hidden_somewhere += 1;
                }
                if people > 14 || shown.is_empty() {
                    continue;
                }
                brute_forced += 1;
                let rows: Vec<Vec<f64>> = shown.iter().map(|s| indicator(s, people)).collect();
                let basis = echelon(&rows);
                for mask in 1_u32..(1 << people) {
                    if mask.count_ones() as usize >= min {
                        continue;
                    }
                    let set: Vec<usize> = (0..people).filter(|p| mask & (1 << p) != 0).collect();
                    assert!(
                        rank_with(&basis, indicator(&set, people)) > basis.len(),
                        "iteration {iteration}, factor {}, min {min}: {set:?} follows from {shown:?}",
                        factor.key
                    );
                }
            }
            // The side by side shows means only where both side cells are shown, and the same.
            for comparison in &report.sides {
                if let Comparison::Compared {
                    clinical_mean,
                    finance_mean,
                    ..
                } = comparison.outcome
                {
                    let mean = |s: Side| {
                        let g = group(&report, Dimension::Side, &GroupKey::Side(s));
                        cell(g, &comparison.factor).figures().unwrap().mean
                    };
                    assert!(close(mean(Side::Clinical), clinical_mean));
                    assert!(close(mean(Side::Finance), finance_mean));
                }
            }
        }
        assert!(
            brute_forced > 300,
            "only {brute_forced} factors brute-forced"
        );
        assert!(
            hidden_somewhere > 100,
            "the populations should exercise hiding"
        );
    }

    #[test]
    fn results_serialise_with_a_status() {
        let responses: Vec<ResponseRecord> = (0..6)
            .map(|i| respondent(Some(Medical), None, None, 1 + i))
            .collect();
        let report = compute(&default_instrument(), &reference_data(), &responses, 3);
        let value = toml::Value::try_from(&report).unwrap();
        assert_eq!(
            value.get("status").and_then(toml::Value::as_str),
            Some("shown")
        );
        let too_few = compute(&default_instrument(), &reference_data(), &responses, 10);
        let value = toml::Value::try_from(&too_few).unwrap();
        assert_eq!(
            value.get("status").and_then(toml::Value::as_str),
            Some("too_few")
        );
        assert_eq!(
            value.get("min_group").and_then(toml::Value::as_integer),
            Some(10)
        );
    }
}
