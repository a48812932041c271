//! Involvement in financial decisions, and the barriers and measures respondents chose, each
//! next to the published reference figures (PRODUCT.md sections 3.3 and 5).
//!
//! These are never broken down: they are counted over the whole review only.

use serde::Serialize;

use super::stats::Ratio;
use crate::instrument::{Choice, Instrument, InvolvementFigures, Ranking, ReferenceData};
use crate::questionnaire::ResponseRecord;

/// The involvement levels added together for the "rarely or never" share.
pub const RARELY_OR_NEVER: [&str; 2] = ["rarely", "never"];

/// How involved respondents are in financial decisions for one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvolvementResult {
    /// The scope's key, such as `organisation`.
    pub scope: String,
    /// The scope as shown.
    pub label: String,
    /// The counts, or `None` when fewer than the minimum reporting group answered for this scope.
    pub counts: Option<InvolvementCounts>,
    /// The published findings for this scope, with this review's share at the same levels.
    pub reference: Vec<ReferenceHeadline>,
    /// The published percentage at each level for this scope, where the source gives them.
    pub published: Option<InvolvementFigures>,
}

/// This review's answers for one scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvolvementCounts {
    /// How many respondents answered for this scope (the base of the percentages).
    pub answered: usize,
    /// Every level of the instrument, in its order.
    pub levels: Vec<LevelCount>,
    /// Rarely and never together.
    pub rarely_or_never: Share,
}

/// How many respondents gave one involvement level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCount {
    /// The level's key, such as `rarely`.
    pub key: String,
    /// The level as shown.
    pub label: String,
    /// How many respondents, and their percentage.
    pub share: Share,
}

/// A number of respondents and what percentage of the base they are, to 1 decimal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// How many respondents.
    pub count: usize,
    /// Their percentage of the base, to 1 decimal.
    pub percent: f64,
}

impl Share {
    fn of(count: usize, base: usize) -> Self {
        Self {
            count,
            percent: percent(count, base),
        }
    }
}

/// A published involvement finding, and this review's share at the same levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceHeadline {
    /// The level keys the finding adds together, such as rarely and never.
    pub levels: Vec<String>,
    /// The published share is more than this percentage, when the source says so.
    pub above_percent: Option<u32>,
    /// The published share is less than this percentage, when the source says so.
    pub below_percent: Option<u32>,
    /// The finding in one plain sentence ("Nearly 3 in 4 clinicians ...").
    pub summary: String,
    /// This review's percentage at the same levels, to 1 decimal; `None` when its counts are
    /// not shown.
    pub yours_percent: Option<f64>,
}

/// Who the published involvement figures come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceSource {
    /// Who was asked, as the source says.
    pub source: String,
    /// How many answered.
    pub respondents: u32,
}

/// How many respondents chose a barrier or a measure, with the published ranks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceResult {
    /// The choice's key.
    pub key: String,
    /// The choice as shown.
    pub label: String,
    /// How many respondents chose it, and their percentage of all responses.
    pub share: Share,
    /// Its position in this review, from 1, by count (equal counts in instrument order).
    pub rank: usize,
    /// Its position in the clinicians' published list, if it is in it.
    pub rank_clinicians: Option<u32>,
    /// Its position in the finance leaders' published list, if it is in it.
    pub rank_finance: Option<u32>,
}

/// The percentage `count / base`, to 1 decimal; 0 when the base is 0.
fn percent(count: usize, base: usize) -> f64 {
    Ratio::new(count as i128 * 100, base as i128).map_or(0.0, |r| r.rounded(1))
}

/// Involvement for every scope of the instrument, in its order.
pub(super) fn involvement(
    instrument: &Instrument,
    reference: &ReferenceData,
    responses: &[ResponseRecord],
    min: usize,
) -> Vec<InvolvementResult> {
    let levels = &instrument.involvement.levels;
    instrument
        .involvement
        .scopes
        .iter()
        .map(|scope| {
            // counts[l]: respondents at level l; answers that are not a level are not counted.
            let mut counts = vec![0_usize; levels.len()];
            for response in responses {
                let given = response.involvement.get(&scope.key);
                if let Some(l) = levels.iter().position(|level| Some(&level.key) == given) {
                    counts[l] += 1;
                }
            }
            let answered: usize = counts.iter().sum();
            let at = |wanted: &[String]| -> usize {
                levels
                    .iter()
                    .zip(&counts)
                    .filter(|(level, _)| wanted.contains(&level.key))
                    .map(|(_, n)| n)
                    .sum()
            };
            let shown = answered >= min;
            let counts = shown.then(|| InvolvementCounts {
                answered,
                levels: levels
                    .iter()
                    .zip(&counts)
                    .map(|(level, &count)| LevelCount {
                        key: level.key.clone(),
                        label: level.label.clone(),
                        share: Share::of(count, answered),
                    })
                    .collect(),
                rarely_or_never: Share::of(at(&RARELY_OR_NEVER.map(str::to_owned)), answered),
            });
            InvolvementResult {
                scope: scope.key.clone(),
                label: scope.label.clone(),
                counts,
                reference: reference
                    .involvement
                    .headlines
                    .iter()
                    .filter(|h| h.scope == scope.key)
                    .map(|h| ReferenceHeadline {
                        levels: h.levels.clone(),
                        above_percent: h.above_percent,
                        below_percent: h.below_percent,
                        summary: h.summary.clone(),
                        yours_percent: shown.then(|| percent(at(&h.levels), answered)),
                    })
                    .collect(),
                published: reference
                    .involvement
                    .figures
                    .iter()
                    .find(|f| f.scope == scope.key)
                    .cloned(),
            }
        })
        .collect()
}

/// How many respondents chose each of `choices` (`chosen` gives a respondent's picks), with the
/// published `rankings`, most chosen first.
pub(super) fn choices(
    choices: &[Choice],
    rankings: &[Ranking],
    responses: &[ResponseRecord],
    chosen: fn(&ResponseRecord) -> &[String],
) -> Vec<ChoiceResult> {
    let mut counted: Vec<(usize, &Choice)> = choices
        .iter()
        .map(|choice| {
            // A respondent counts once, however often the key appears in their picks.
            let count = responses
                .iter()
                .filter(|response| chosen(response).contains(&choice.key))
                .count();
            (count, choice)
        })
        .collect();
    // A stable sort keeps instrument order among equal counts.
    counted.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    counted
        .into_iter()
        .enumerate()
        .map(|(position, (count, choice))| {
            let ranking = rankings.iter().find(|r| r.key == choice.key);
            ChoiceResult {
                key: choice.key.clone(),
                label: choice.label.clone(),
                share: Share::of(count, responses.len()),
                rank: position + 1,
                rank_clinicians: ranking.and_then(|r| r.rank_clinicians),
                rank_finance: ranking.and_then(|r| r.rank_finance),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{default_instrument, reference_data};

    fn with_involvement(pairs: &[(&str, &str)]) -> ResponseRecord {
        ResponseRecord {
            involvement: pairs
                .iter()
                .map(|(scope, level)| ((*scope).to_owned(), (*level).to_owned()))
                .collect(),
            ..ResponseRecord::default()
        }
    }

    #[test]
    fn unknown_levels_are_not_counted_and_small_bases_are_hidden() {
        let instrument = default_instrument();
        let reference = reference_data();
        let responses = [
            with_involvement(&[("team", "fully"), ("organisation", "never")]),
            with_involvement(&[("team", "fully"), ("organisation", "always")]),
            with_involvement(&[("team", "never")]),
        ];
        let result = involvement(&instrument, &reference, &responses, 3);
        let scopes: Vec<&str> = result.iter().map(|r| r.scope.as_str()).collect();
        assert_eq!(scopes, ["organisation", "services", "team"]);
        // Only one valid answer for the organisation: hidden, and so is "yours" in the headline.
        assert_eq!(result[0].counts, None);
        assert_eq!(result[0].reference[0].yours_percent, None);
        assert_eq!(result[0].reference[0].below_percent, Some(75));
        let team = result[2].counts.as_ref().unwrap();
        assert_eq!(team.answered, 3);
        assert_eq!(
            team.levels[0].share,
            Share {
                count: 2,
                percent: 66.7
            }
        );
        assert_eq!(
            team.rarely_or_never,
            Share {
                count: 1,
                percent: 33.3
            }
        );
        assert_eq!(result[2].reference[0].yours_percent, Some(33.3));
        assert_eq!(result[1].published, None);
    }

    #[test]
    fn a_choice_picked_twice_by_one_person_counts_once() {
        let instrument = default_instrument();
        let responses = [ResponseRecord {
            barriers: vec!["cost-data".into(), "cost-data".into(), "made-up".into()],
            ..ResponseRecord::default()
        }];
        let result = choices(&instrument.barriers, &[], &responses, |r| &r.barriers);
        assert_eq!(result.len(), instrument.barriers.len());
        assert_eq!(result[0].key, "cost-data");
        assert_eq!(
            result[0].share,
            Share {
                count: 1,
                percent: 100.0
            }
        );
        assert_eq!(
            (result[0].rank_clinicians, result[0].rank_finance),
            (None, None)
        );
        assert!(percent(0, 0).abs() < 1e-12, "no base, no percentage");
    }
}
