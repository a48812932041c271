//! Property tests of the results, on teams and answers made up by proptest: every figure stays
//! on the 1 to 5 scale, a factor's mean lies between its statements' means, the order the
//! answers are stored in changes nothing, and, whatever the answers, no shown figure describes
//! fewer than the minimum reporting group and no set of fewer can be worked out by adding and
//! subtracting shown figures (section 4 of PRODUCT.md).

use std::sync::LazyLock;

use proptest::prelude::*;

use super::stats::Ratio;
use super::tests::{echelon, indicator, rank_with, shown_sets};
use super::{BreakdownOutcome, Comparison, Figures, Report, Results, compute};
use crate::instrument::{Instrument, ReferenceData, default_instrument, reference_data};
use crate::participants::{ProfessionGroup, RoleLevel};
use crate::questionnaire::{Answer, ResponseRecord};

static INSTRUMENT: LazyLock<Instrument> = LazyLock::new(default_instrument);
static REFERENCE: LazyLock<ReferenceData> = LazyLock::new(reference_data);

/// Rounding to 2 decimals moves a mean by at most half a hundredth.
const HALF_HUNDREDTH: f64 = 0.005 + 1e-9;

/// One statement's answer; now and then none at all, as an adapted instrument's older rows may
/// lack a statement.
fn answer() -> impl Strategy<Value = Option<Answer>> {
    prop_oneof![
        1 => Just(None),
        2 => Just(Some(Answer::DontKnow)),
        10 => (1..=5_u8).prop_map(|n| Some(Answer::Score(n))),
    ]
}

/// One respondent of the default instrument, with any profile, answers and involvement.
fn respondent() -> impl Strategy<Value = ResponseRecord> {
    let instrument = &*INSTRUMENT;
    (
        prop::option::weighted(0.9, prop::sample::select(ProfessionGroup::ALL.to_vec())),
        prop::option::weighted(0.8, prop::sample::select(vec!["Surgery", "Medicine"])),
        prop::option::weighted(0.9, prop::sample::select(RoleLevel::ALL.to_vec())),
        prop::collection::vec(answer(), instrument.statement_count()),
        // Some people answer "don't know" to a whole factor, which takes them out of its cells.
        prop::collection::vec(prop::bool::weighted(0.1), instrument.factors.len()),
        prop::collection::vec(
            prop::option::weighted(0.9, 0..instrument.involvement.levels.len()),
            instrument.involvement.scopes.len(),
        ),
    )
        .prop_map(
            |(profession, division, role_level, answers, dont_know, involvement)| {
                let instrument = &*INSTRUMENT;
                let mut given = answers.into_iter();
                let mut record = ResponseRecord {
                    profession,
                    division: division.map(str::to_owned),
                    role_level,
                    ..ResponseRecord::default()
                };
                for (factor, all_dont_know) in instrument.factors.iter().zip(dont_know) {
                    for statement in &factor.statements {
                        let answer = given.next().flatten();
                        let answer = if all_dont_know {
                            Some(Answer::DontKnow)
                        } else {
                            answer
                        };
                        if let Some(answer) = answer {
                            record.answers.insert(statement.key.clone(), answer);
                        }
                    }
                }
                for (scope, level) in instrument.involvement.scopes.iter().zip(involvement) {
                    if let Some(level) = level {
                        let key = instrument.involvement.levels[level].key.clone();
                        record.involvement.insert(scope.key.clone(), key);
                    }
                }
                record
            },
        )
}

fn team(most: usize) -> impl Strategy<Value = Vec<ResponseRecord>> {
    prop::collection::vec(respondent(), 0..=most)
}

fn results(responses: &[ResponseRecord], min: usize) -> Results {
    compute(&INSTRUMENT, &REFERENCE, responses, min)
}

/// Every figure the report shows: factors overall, statements and breakdown cells.
fn every_figure(report: &Report) -> Vec<&Figures> {
    let mut all = Vec::new();
    for factor in &report.factors {
        all.extend(factor.overall.figures());
        all.extend(factor.statements.iter().filter_map(|s| s.figures.figures()));
    }
    for breakdown in &report.breakdowns {
        if let BreakdownOutcome::Shown { groups } = &breakdown.outcome {
            for group in groups {
                all.extend(group.factors.iter().filter_map(|c| c.figures.figures()));
            }
        }
    }
    all
}

/// The mean of a distribution's scores, unrounded.
fn exact_mean(figures: &Figures) -> f64 {
    let scores = &figures.distribution.scores;
    let sum: usize = (1..).zip(scores).map(|(score, n)| score * n).sum();
    let count = |n: usize| f64::from(u32::try_from(n).expect("a test team is small"));
    count(sum) / count(figures.distribution.scored())
}

proptest! {
    // Each case works out a whole report in a debug build: 64 cases keep the suite fast.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_figure_is_on_the_scale_and_from_enough_people(
        responses in team(30),
        min in 0..=7_usize,
    ) {
        let floor = min.max(3);
        let report = match results(&responses, min) {
            Results::TooFew { responses: count, min_group } => {
                prop_assert_eq!(min_group, floor);
                prop_assert_eq!(count, responses.len());
                prop_assert!(count < floor);
                return Ok(());
            }
            Results::Shown(report) => report,
        };
        prop_assert_eq!(report.min_group, floor);
        prop_assert!(report.responses >= floor);
        for figures in every_figure(&report) {
            prop_assert!(figures.respondents >= floor, "{figures:?}");
            // Each person counted gave at least one score.
            prop_assert!(figures.distribution.scored() >= figures.respondents);
            prop_assert!((1.0..=5.0).contains(&figures.mean), "{figures:?}");
            prop_assert!((exact_mean(figures) - figures.mean).abs() <= HALF_HUNDREDTH);
            prop_assert!((0.0..=100.0).contains(&figures.share_agreeing), "{figures:?}");
        }
        for side in &report.sides {
            if let Comparison::Compared { clinical_mean, finance_mean, gap } = side.outcome {
                prop_assert!((1.0..=5.0).contains(&clinical_mean));
                prop_assert!((1.0..=5.0).contains(&finance_mean));
                prop_assert!(gap.abs() <= 4.0);
            }
        }
        for scope in &report.involvement {
            if let Some(counts) = &scope.counts {
                prop_assert!(counts.answered >= floor);
                let total: usize = counts.levels.iter().map(|l| l.share.count).sum();
                prop_assert_eq!(total, counts.answered);
            }
        }
        for choice in report.barriers.iter().chain(&report.measures) {
            prop_assert!(choice.share.count <= report.responses);
            prop_assert!((0.0..=100.0).contains(&choice.share.percent));
        }
    }

    #[test]
    fn a_factor_mean_lies_between_its_statements_means(
        responses in team(30),
        min in 3..=5_usize,
    ) {
        let Results::Shown(report) = results(&responses, min) else {
            return Ok(());
        };
        for factor in &report.factors {
            let Some(overall) = factor.overall.figures() else {
                prop_assert!(factor.statements.iter().all(|s| s.figures.figures().is_none()));
                continue;
            };
            // Between the lowest and the highest score anyone gave the factor.
            let scores = &overall.distribution.scores;
            let given: Vec<f64> = (1..=5_u8)
                .zip(scores)
                .filter(|&(_, &n)| n > 0)
                .map(|(score, _)| f64::from(score))
                .collect();
            prop_assert!(overall.mean >= given[0] && overall.mean <= given[given.len() - 1]);
            let statements: Vec<&Figures> =
                factor.statements.iter().filter_map(|s| s.figures.figures()).collect();
            if statements.len() < factor.statements.len() {
                continue;
            }
            // With every statement shown, the factor pools exactly their answers...
            let mut pooled = [0; 5];
            let mut dont_know = 0;
            for statement in &statements {
                for (total, n) in pooled.iter_mut().zip(statement.distribution.scores) {
                    *total += n;
                }
                dont_know += statement.distribution.dont_know;
            }
            prop_assert_eq!(pooled, overall.distribution.scores, "{}", factor.key);
            prop_assert_eq!(dont_know, overall.distribution.dont_know);
            // ...so its mean is a weighted mean of theirs.
            let means = statements.iter().map(|s| s.mean);
            let low = means.clone().fold(f64::INFINITY, f64::min);
            let high = means.fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(
                overall.mean >= low - 2.0 * HALF_HUNDREDTH
                    && overall.mean <= high + 2.0 * HALF_HUNDREDTH,
                "{}: {} not within {low}..{high}", factor.key, overall.mean
            );
        }
    }

    #[test]
    fn strongest_and_weakest_are_the_highest_and_lowest_means(
        responses in team(30),
        min in 3..=5_usize,
    ) {
        let Results::Shown(report) = results(&responses, min) else {
            return Ok(());
        };
        let means: Vec<(&str, f64)> = report
            .factors
            .iter()
            .filter_map(|f| Some((f.key.as_str(), f.overall.figures()?.mean)))
            .collect();
        prop_assert_eq!(means.is_empty(), report.strongest.is_empty());
        prop_assert_eq!(means.is_empty(), report.weakest.is_empty());
        for key in &report.strongest {
            let mean = means.iter().find(|(k, _)| k == key).unwrap().1;
            prop_assert!(means.iter().all(|&(_, other)| other <= mean));
        }
        for key in &report.weakest {
            let mean = means.iter().find(|(k, _)| k == key).unwrap().1;
            prop_assert!(means.iter().all(|&(_, other)| other >= mean));
        }
    }

    #[test]
    fn the_order_of_the_responses_changes_nothing(
        (responses, shuffled) in team(30).prop_flat_map(|responses| {
            (Just(responses.clone()), Just(responses).prop_shuffle())
        }),
        min in 3..=5_usize,
    ) {
        prop_assert_eq!(results(&responses, min), results(&shuffled, min));
    }

    #[test]
    fn rounding_is_within_half_a_unit_and_keeps_the_order(
        a in -100_000_i32..100_000,
        b in -100_000_i32..100_000,
        denominator in 1_i32..10_000,
        decimals in 0..=3_u32,
    ) {
        let ratio = |n: i32| Ratio::new(i128::from(n), i128::from(denominator)).unwrap();
        let (x, y) = (ratio(a), ratio(b));
        let unit = 0.1_f64.powi(decimals as i32);
        let exact = f64::from(a) / f64::from(denominator);
        prop_assert!((x.rounded(decimals) - exact).abs() <= unit / 2.0 + 1e-9);
        if x <= y {
            prop_assert!(x.rounded(decimals) <= y.rounded(decimals));
        }
    }
}

/// Whether any set of fewer than `min` people (and more than none) can be worked out from the
/// `shown` sets among `people`: such a set's indicator lies in the span of theirs, so it is a
/// union of whole cells (people in exactly the same shown sets). Tries every such union.
fn small_set_derivable(shown: &[Vec<usize>], people: usize, min: usize) -> Option<Vec<usize>> {
    let mut cells: Vec<(Vec<bool>, Vec<usize>)> = Vec::new();
    for person in 0..people {
        let signature: Vec<bool> = shown.iter().map(|s| s.contains(&person)).collect();
        // Someone in no shown set gets weight zero in every combination.
        if !signature.contains(&true) {
            continue;
        }
        match cells.iter_mut().find(|(s, _)| *s == signature) {
            Some((_, members)) => members.push(person),
            None => cells.push((signature, vec![person])),
        }
    }
    let small: Vec<Vec<usize>> = cells
        .into_iter()
        .map(|(_, members)| members)
        .filter(|members| members.len() < min)
        .collect();
    let rows: Vec<Vec<f64>> = shown.iter().map(|s| indicator(s, people)).collect();
    let basis = echelon(&rows);
    let derivable = |set: &[usize]| rank_with(&basis, indicator(set, people)) == basis.len();
    let mut found = None;
    search(&small, 0, &mut Vec::new(), min, &mut |set| {
        if found.is_none() && derivable(set) {
            found = Some(set.to_vec());
        }
    });
    found
}

/// Calls `visit` with every non-empty union of `cells[from..]` added to `set`, below `min`.
fn search(
    cells: &[Vec<usize>],
    from: usize,
    set: &mut Vec<usize>,
    min: usize,
    visit: &mut dyn FnMut(&[usize]),
) {
    for i in from..cells.len() {
        if set.len() + cells[i].len() >= min {
            continue;
        }
        let before = set.len();
        set.extend(&cells[i]);
        visit(set);
        search(cells, i + 1, set, min, visit);
        set.truncate(before);
    }
}

proptest! {
    // Each case rebuilds every shown set and tries every small union: fewer, smaller teams.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_small_set_can_be_worked_out_from_the_shown_figures(
        responses in team(18),
        min in 3..=5_usize,
    ) {
        let Results::Shown(report) = results(&responses, min) else {
            return Ok(());
        };
        for factor in &INSTRUMENT.factors {
            // Also checks each shown cell's count and answers are exactly its people's.
            let shown = shown_sets(&report, &responses, &factor.key);
            let found = small_set_derivable(&shown, responses.len(), report.min_group);
            prop_assert!(
                found.is_none(),
                "{}: {:?} can be worked out from {:?}", factor.key, found, shown
            );
        }
    }
}

#[test]
fn the_oracle_finds_a_subtraction() {
    // Everyone (0..6) and the first four shown: the last two follow by subtraction.
    let shown = [(0..6).collect(), (0..4).collect()];
    assert_eq!(small_set_derivable(&shown, 6, 3), Some(vec![4, 5]));
    assert_eq!(small_set_derivable(&shown[..1], 6, 3), None);
}
