//! Clinical and finance side by side: the gap per factor, largest first, so the team can "talk
//! about why there is such a difference" (PRODUCT.md section 5).
//!
//! The means come from the side breakdown's cells, so a mean appears here only when the same
//! per-factor check that guards the breakdown accepted both sides.

use std::cmp::Reverse;

use serde::Serialize;

use super::breakdowns::{BreakdownOutcome, BreakdownResult, Dimension, GroupKey, GroupResult};
use super::stats::{Figures, Ratio};
use crate::instrument::{Factor, Instrument};
use crate::participants::Side;

/// Why a factor's sides are not compared.
pub const NOT_COMPARED_REASON: &str = "not enough people on one side to compare";

/// One factor's clinical and finance means side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideComparison {
    /// The factor's key.
    pub factor: String,
    /// The factor's title.
    pub title: String,
    /// The means and the gap, or why there are none.
    pub outcome: Comparison,
}

/// Whether a factor's sides can be compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Comparison {
    /// Both sides' figures are shown for this factor.
    Compared {
        /// The clinical group's mean, to 2 decimals.
        clinical_mean: f64,
        /// The finance group's mean, to 2 decimals.
        finance_mean: f64,
        /// Clinical minus finance, from the exact means, to 2 decimals.
        gap: f64,
    },
    /// At least one side is hidden for this factor (or the side breakdown is withheld): no
    /// numbers at all.
    NotCompared {
        /// Why, in words for the page ([`NOT_COMPARED_REASON`]).
        reason: String,
    },
}

/// Every factor compared: first those with both sides shown, by the size of the gap, largest
/// first (equal gaps in instrument order), then the others in instrument order.
pub(super) fn compare_sides(
    instrument: &Instrument,
    breakdowns: &[BreakdownResult],
) -> Vec<SideComparison> {
    let sides = breakdowns
        .iter()
        .find(|b| b.dimension == Dimension::Side)
        .and_then(|b| match &b.outcome {
            BreakdownOutcome::Shown { groups } => Some(groups.as_slice()),
            BreakdownOutcome::Withheld { .. } => None,
        })
        .unwrap_or_default();
    let side = |wanted: Side| sides.iter().find(|g| g.key == GroupKey::Side(wanted));
    let (clinical, finance) = (side(Side::Clinical), side(Side::Finance));

    let mut compared: Vec<(Ratio, SideComparison)> = Vec::new();
    let mut not_compared = Vec::new();
    for factor in &instrument.factors {
        let means = mean_of(clinical, factor).zip(mean_of(finance, factor));
        let Some((clinical_mean, finance_mean)) = means else {
            not_compared.push(comparison(
                factor,
                Comparison::NotCompared {
                    reason: NOT_COMPARED_REASON.to_owned(),
                },
            ));
            continue;
        };
        let gap = clinical_mean.minus(finance_mean);
        compared.push((
            gap.abs(),
            comparison(
                factor,
                Comparison::Compared {
                    clinical_mean: clinical_mean.rounded(2),
                    finance_mean: finance_mean.rounded(2),
                    gap: gap.rounded(2),
                },
            ),
        ));
    }
    // A stable sort keeps instrument order among equal gaps.
    compared.sort_by_key(|(size, _)| Reverse(*size));
    compared
        .into_iter()
        .map(|(_, comparison)| comparison)
        .chain(not_compared)
        .collect()
}

/// The exact mean of a group for a factor, if the group exists and its cell is shown.
fn mean_of(group: Option<&GroupResult>, factor: &Factor) -> Option<Ratio> {
    group?
        .factors
        .iter()
        .find(|cell| cell.factor == factor.key)?
        .figures
        .figures()
        .and_then(Figures::exact_mean)
}

fn comparison(factor: &Factor, outcome: Comparison) -> SideComparison {
    SideComparison {
        factor: factor.key.clone(),
        title: factor.title.clone(),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::default_instrument;
    use crate::results::breakdowns::{GroupCell, WITHHELD_REASON};
    use crate::results::stats::{Cell, Distribution};

    /// A side group whose cell for each factor has this many 1s and 5s, or is hidden.
    fn group(side: Side, cells: &[Option<(usize, usize)>]) -> GroupResult {
        let instrument = default_instrument();
        GroupResult {
            key: GroupKey::Side(side),
            label: side.label().to_owned(),
            factors: instrument
                .factors
                .iter()
                .zip(cells)
                .map(|(factor, cell)| GroupCell {
                    factor: factor.key.clone(),
                    figures: cell.map_or(Cell::Hidden, |(ones, fives)| {
                        let distribution = Distribution {
                            scores: [ones, 0, 0, 0, fives],
                            dont_know: 0,
                        };
                        Cell::Shown(Figures::new(5, distribution))
                    }),
                })
                .collect(),
        }
    }

    fn side_breakdown(outcome: BreakdownOutcome) -> Vec<BreakdownResult> {
        vec![BreakdownResult {
            dimension: Dimension::Side,
            title: Dimension::Side.title().to_owned(),
            outcome,
        }]
    }

    #[test]
    fn equal_gaps_keep_instrument_order_and_hidden_sides_come_last() {
        let instrument = default_instrument();
        // Clinical: 1 one and 1 five (mean 3) everywhere. Finance: mean 5, 1, 3 (hidden), 3, ...
        let clinical = group(Side::Clinical, &[Some((1, 1)); 7]);
        let finance = group(
            Side::Finance,
            &[
                Some((0, 1)),
                Some((1, 0)),
                None,
                Some((1, 1)),
                Some((1, 1)),
                Some((1, 1)),
                Some((1, 1)),
            ],
        );
        let breakdowns = side_breakdown(BreakdownOutcome::Shown {
            groups: vec![clinical, finance],
        });
        let result = compare_sides(&instrument, &breakdowns);
        let order: Vec<&str> = result.iter().map(|c| c.factor.as_str()).collect();
        assert_eq!(
            order,
            [
                "shared-purpose",
                "roles-and-pressures",
                "communication",
                "shared-data",
                "joint-leadership",
                "learning",
                "trust-and-challenge",
            ]
        );
        assert_eq!(
            result[0].outcome,
            Comparison::Compared {
                clinical_mean: 3.0,
                finance_mean: 5.0,
                gap: -2.0
            }
        );
        assert_eq!(
            result[1].outcome,
            Comparison::Compared {
                clinical_mean: 3.0,
                finance_mean: 1.0,
                gap: 2.0
            }
        );
        assert_eq!(
            result[6].outcome,
            Comparison::NotCompared {
                reason: NOT_COMPARED_REASON.to_owned()
            }
        );
    }

    #[test]
    fn nothing_is_compared_when_the_side_breakdown_is_withheld_or_a_side_is_missing() {
        let instrument = default_instrument();
        let withheld = side_breakdown(BreakdownOutcome::Withheld {
            reason: WITHHELD_REASON.to_owned(),
        });
        let only_clinical = side_breakdown(BreakdownOutcome::Shown {
            groups: vec![group(Side::Clinical, &[Some((1, 1)); 7])],
        });
        for breakdowns in [withheld, only_clinical, Vec::new()] {
            let result = compare_sides(&instrument, &breakdowns);
            assert_eq!(result.len(), 7);
            assert!(
                result
                    .iter()
                    .all(|c| matches!(c.outcome, Comparison::NotCompared { .. }))
            );
        }
    }
}
