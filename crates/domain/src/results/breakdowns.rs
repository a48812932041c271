//! Breakdowns by side, profession group, division and role level, and the offers, factor by
//! factor, that decide which of their cells may be shown (see the module doc of `results` for
//! the order and why).

use std::collections::BTreeMap;

use serde::Serialize;

use super::stats::{Cell, Distribution, Figures, contributes, pooled};
use crate::anonymity::{Breakdown, Disclosure, Group, MERGED_LABEL, merge_small_groups};
use crate::instrument::Instrument;
use crate::participants::{ProfessionGroup, RoleLevel, Side};
use crate::questionnaire::ResponseRecord;

/// Why a whole breakdown is withheld.
pub const WITHHELD_REASON: &str =
    "too few people in some groups to show this breakdown without identifying anyone";

/// The label of the group of respondents who did not answer a profile question.
pub const NOT_GIVEN_LABEL: &str = "Not given";

/// What respondents are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Clinical, finance, or management and other (from the profession group).
    Side,
    /// The profession group.
    Profession,
    /// The division the respondent named.
    Division,
    /// How senior the respondent is.
    RoleLevel,
}

impl Dimension {
    /// Every dimension, in the order its groups are offered for showing: most important first.
    pub const ALL: [Dimension; 4] = [
        Dimension::Side,
        Dimension::Profession,
        Dimension::Division,
        Dimension::RoleLevel,
    ];

    /// The breakdown's title on the page.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Dimension::Side => "Clinical and finance",
            Dimension::Profession => "Profession group",
            Dimension::Division => "Division",
            Dimension::RoleLevel => "Role level",
        }
    }

    /// The group a respondent is in, by this dimension.
    fn key_of(self, response: &ResponseRecord) -> GroupKey {
        let key = match self {
            Dimension::Side => response.profession.map(|p| GroupKey::Side(p.side())),
            Dimension::Profession => response.profession.map(GroupKey::Profession),
            Dimension::Division => response.division.clone().map(GroupKey::Division),
            Dimension::RoleLevel => response.role_level.map(GroupKey::RoleLevel),
        };
        key.unwrap_or(GroupKey::NotGiven)
    }
}

/// Which group of a breakdown a row is about; groups are listed in this order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum GroupKey {
    /// A side of the partnership.
    Side(Side),
    /// A profession group.
    Profession(ProfessionGroup),
    /// A division, by name.
    Division(String),
    /// A role level.
    RoleLevel(RoleLevel),
    /// Respondents who did not answer the profile question.
    NotGiven,
    /// Small groups combined to protect anonymity.
    Merged,
}

impl GroupKey {
    /// The name people read.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            GroupKey::Side(side) => side.label().to_owned(),
            GroupKey::Profession(profession) => profession.label().to_owned(),
            GroupKey::Division(name) => name.clone(),
            GroupKey::RoleLevel(level) => level.label().to_owned(),
            GroupKey::NotGiven => NOT_GIVEN_LABEL.to_owned(),
            GroupKey::Merged => MERGED_LABEL.to_owned(),
        }
    }
}

/// One breakdown of the results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownResult {
    /// What respondents are grouped by.
    pub dimension: Dimension,
    /// The title on the page.
    pub title: String,
    /// The groups, or why there are none.
    pub outcome: BreakdownOutcome,
}

/// Whether a breakdown can be shown at all.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BreakdownOutcome {
    /// The groups after merging small ones; each cell is still shown or hidden on its own.
    Shown {
        /// The groups, in the order of [`GroupKey`].
        groups: Vec<GroupResult>,
    },
    /// Nothing of this breakdown may be shown, for any factor.
    Withheld {
        /// Why, in words for the page ([`WITHHELD_REASON`]).
        reason: String,
    },
}

/// One group of a breakdown and its cell for every factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    /// Which group.
    pub key: GroupKey,
    /// The name people read.
    pub label: String,
    /// One cell per factor, in instrument order.
    pub factors: Vec<GroupCell>,
}

/// A group's figures for one factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCell {
    /// The factor's key.
    pub factor: String,
    /// The figures, or hidden.
    pub figures: Cell,
}

/// Which figures may be shown: the overall cell of every factor, and every breakdown.
pub(super) struct Disclosed {
    /// Per factor, in instrument order: whether the whole population's figures may be shown.
    pub overall: Vec<bool>,
    /// Every breakdown, in [`Dimension::ALL`] order.
    pub breakdowns: Vec<BreakdownResult>,
}

/// A breakdown's groups after merging, over all respondents; `None` when withheld.
struct Plan {
    dimension: Dimension,
    groups: Option<Vec<(GroupKey, Vec<usize>)>>,
}

/// Decides and computes every overall and breakdown cell, one fresh [`Disclosure`] per factor.
///
/// `per_factor[f][i]` is respondent `i`'s answers to factor `f`.
pub(super) fn disclose(
    instrument: &Instrument,
    responses: &[ResponseRecord],
    per_factor: &[Vec<Distribution>],
    min: usize,
) -> Disclosed {
    let plans: Vec<Plan> = Dimension::ALL
        .iter()
        .map(|&dimension| plan(dimension, responses, min))
        .collect();
    let mut overall = Vec::with_capacity(per_factor.len());
    // accepted[f][p][g]: the members of group g of plan p shown for factor f.
    let mut accepted = Vec::with_capacity(per_factor.len());
    for per_respondent in per_factor {
        let contributing: Vec<bool> = per_respondent.iter().map(contributes).collect();
        let (everyone, groups) = offer_factor(&plans, &contributing, min);
        overall.push(everyone);
        accepted.push(groups);
    }
    let breakdowns = plans
        .iter()
        .enumerate()
        .map(|(p, plan)| {
            let outcome = match &plan.groups {
                None => BreakdownOutcome::Withheld {
                    reason: WITHHELD_REASON.to_owned(),
                },
                Some(groups) => BreakdownOutcome::Shown {
                    groups: groups
                        .iter()
                        .enumerate()
                        .map(|(g, (key, _))| GroupResult {
                            key: key.clone(),
                            label: key.label(),
                            factors: instrument
                                .factors
                                .iter()
                                .enumerate()
                                .map(|(f, factor)| GroupCell {
                                    factor: factor.key.clone(),
                                    figures: match &accepted[f][p][g] {
                                        Some(members) => Cell::Shown(Figures::new(
                                            members.len(),
                                            pooled(&per_factor[f], members),
                                        )),
                                        None => Cell::Hidden,
                                    },
                                })
                                .collect(),
                        })
                        .collect(),
                },
            };
            BreakdownResult {
                dimension: plan.dimension,
                title: plan.dimension.title().to_owned(),
                outcome,
            }
        })
        .collect();
    Disclosed {
        overall,
        breakdowns,
    }
}

/// Groups every respondent by `dimension` and merges the small groups.
fn plan(dimension: Dimension, responses: &[ResponseRecord], min: usize) -> Plan {
    let mut by_key: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (index, response) in responses.iter().enumerate() {
        by_key
            .entry(dimension.key_of(response))
            .or_default()
            .push(index);
    }
    let keys: Vec<GroupKey> = by_key.keys().cloned().collect();
    // Labelled by position so the merged group is told apart from any division's name.
    let groups = by_key
        .into_values()
        .enumerate()
        .map(|(position, members)| Group {
            label: position.to_string(),
            members,
        })
        .collect();
    let groups = match merge_small_groups(groups, min) {
        Breakdown::Withheld => None,
        Breakdown::Groups(groups) => Some(
            groups
                .into_iter()
                .map(|group| {
                    let key = group
                        .label
                        .parse::<usize>()
                        .ok()
                        .and_then(|position| keys.get(position).cloned())
                        .unwrap_or(GroupKey::Merged);
                    (key, group.members)
                })
                .collect(),
        ),
    };
    Plan { dimension, groups }
}

/// Offers, for one factor, the whole population and then every group of every plan, each
/// narrowed to the respondents who contributed, to one fresh [`Disclosure`].
///
/// Returns whether the whole population was accepted, and per plan and group the members
/// shown (`None` when refused).
fn offer_factor(
    plans: &[Plan],
    contributing: &[bool],
    min: usize,
) -> (bool, Vec<Vec<Option<Vec<usize>>>>) {
    let mut disclosure = Disclosure::new(min);
    let everyone: Vec<usize> = (0..contributing.len())
        .filter(|&i| contributing[i])
        .collect();
    let overall = disclosure.offer(&everyone);
    let mut accepted = Vec::with_capacity(plans.len());
    for plan in plans {
        let mut shown = Vec::new();
        for (_, members) in plan.groups.iter().flatten() {
            let narrowed: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| contributing[i])
                .collect();
            shown.push(disclosure.offer(&narrowed).then_some(narrowed));
        }
        accepted.push(shown);
    }
    (overall, accepted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participants::ProfessionGroup::{Finance, ManagementOther, Medical, Nursing};

    fn person(profession: Option<ProfessionGroup>, division: Option<&str>) -> ResponseRecord {
        ResponseRecord {
            profession,
            division: division.map(str::to_owned),
            ..ResponseRecord::default()
        }
    }

    #[test]
    fn groups_come_in_a_fixed_order_with_not_given_last() {
        let responses = [
            person(Some(Finance), Some("Surgery")),
            person(None, Some("Medicine")),
            person(Some(Medical), None),
            person(Some(Nursing), Some("Surgery")),
        ];
        let plan = plan(Dimension::Profession, &responses, 1);
        let keys: Vec<GroupKey> = plan.groups.unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                GroupKey::Profession(Medical),
                GroupKey::Profession(Nursing),
                GroupKey::Profession(Finance),
                GroupKey::NotGiven
            ]
        );
        let plan = super::plan(Dimension::Division, &responses, 1);
        let groups = plan.groups.unwrap();
        assert_eq!(groups[0], (GroupKey::Division("Medicine".into()), vec![1]));
        assert_eq!(
            groups[1],
            (GroupKey::Division("Surgery".into()), vec![0, 3])
        );
        assert_eq!(groups[2], (GroupKey::NotGiven, vec![2]));
        assert_eq!(GroupKey::NotGiven.label(), "Not given");
        assert_eq!(GroupKey::Side(Side::Other).label(), "Management and other");
    }

    #[test]
    fn small_groups_merge_and_a_division_named_like_the_merged_group_stays_apart() {
        // 4 medical, 2 finance, 1 manager, 1 not given (min 3): the last three merge.
        let mut responses: Vec<ResponseRecord> = (0..4)
            .map(|_| person(Some(Medical), Some(MERGED_LABEL)))
            .collect();
        responses.extend([
            person(Some(Finance), Some(MERGED_LABEL)),
            person(Some(Finance), Some(MERGED_LABEL)),
            person(Some(ManagementOther), Some(MERGED_LABEL)),
            person(None, Some(MERGED_LABEL)),
        ]);
        let groups = plan(Dimension::Profession, &responses, 3).groups.unwrap();
        assert_eq!(
            groups,
            [
                (GroupKey::Profession(Medical), vec![0, 1, 2, 3]),
                (GroupKey::Merged, vec![4, 5, 6, 7]),
            ]
        );
        let groups = plan(Dimension::Division, &responses, 3).groups.unwrap();
        assert_eq!(
            groups,
            [(GroupKey::Division(MERGED_LABEL.into()), (0..8).collect())]
        );
        // 4 medical and 2 finance only: the merged group would be 2 people.
        assert!(plan(Dimension::Side, &responses[..6], 3).groups.is_none());
    }

    #[test]
    fn groups_are_narrowed_to_contributors_before_they_are_offered() {
        // Clinical 0..6, finance 6..12; respondent 11 answered "don't know" throughout.
        let mut responses: Vec<ResponseRecord> =
            (0..6).map(|_| person(Some(Medical), None)).collect();
        responses.extend((0..6).map(|_| person(Some(Finance), None)));
        let plans = [plan(Dimension::Side, &responses, 5)];
        let mut contributing = vec![true; 12];
        contributing[11] = false;
        let (overall, accepted) = offer_factor(&plans, &contributing, 5);
        assert!(overall);
        assert_eq!(accepted[0][0], Some((0..6).collect()));
        assert_eq!(accepted[0][1], Some((6..11).collect()));
        contributing[10] = false;
        let (overall, accepted) = offer_factor(&plans, &contributing, 5);
        assert!(overall);
        // Finance is down to 4; clinical would then give it by subtraction.
        assert_eq!(accepted[0], [None, None]);
    }
}
