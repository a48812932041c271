//! The balance of the invited team: who is invited, counted by side, profession, division and
//! level, and the warnings when the team is lopsided.

use std::collections::HashMap;

use serde::Serialize;

use super::{ParticipantProfile, ProfessionGroup, RoleLevel, Side, normalise};

/// Clinical or finance staff below this share of the invited team (percent) are too few.
///
/// The review is about how the two work together and compares their views; with fewer than one
/// in four from either side, that side is drowned out in the sessions and its responses are
/// likely to fall under the minimum reporting group, hiding the clinical and finance comparison.
/// Finance teams are much smaller than clinical ones, so parity is not expected: a quarter is a
/// floor that most teams can reach.
pub const MIN_SIDE_SHARE_PERCENT: usize = 25;

/// One division with more than this share (percent) of the participants who gave a division
/// dominates.
///
/// With a majority from one division, the results describe that division, and people from the
/// others may see the review as not theirs.
pub const MAX_DIVISION_SHARE_PERCENT: usize = 50;

/// At least this share (percent) of senior participants makes the team mostly senior.
///
/// The toolkit asks senior invitees to bring a buddy from their team: when four in five are
/// directors, senior managers or consultants, the day-to-day view is missing and the few junior
/// staff may not feel safe to challenge.
pub const MOSTLY_SENIOR_PERCENT: usize = 80;

/// What [`balance`] counts under for people without a division.
pub const DIVISION_NOT_GIVEN: &str = "Not given";

/// Who is invited, counted the ways the champions need to judge whether the team is balanced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// Everyone invited.
    pub total: usize,
    /// Those in a clinical profession group.
    pub clinical: usize,
    /// Those in finance.
    pub finance: usize,
    /// Those in management or other.
    pub other: usize,
    /// Every profession group in [`ProfessionGroup::ALL`] order, zeros included.
    pub by_profession: Vec<(ProfessionGroup, usize)>,
    /// Divisions by count, largest first, then by name; [`DIVISION_NOT_GIVEN`] for the rest.
    pub by_division: Vec<(String, usize)>,
    /// Every role level in [`RoleLevel::ALL`] order, zeros included.
    pub by_level: Vec<(RoleLevel, usize)>,
    /// Ways the team is lopsided, most important first; empty when it is balanced.
    pub warnings: Vec<BalanceWarning>,
}

/// A way the invited team is lopsided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BalanceWarning {
    /// Finance staff are under [`MIN_SIDE_SHARE_PERCENT`] of the team.
    FewFinance {
        /// Finance's share of the team, rounded down.
        share_percent: usize,
    },
    /// Clinical staff are under [`MIN_SIDE_SHARE_PERCENT`] of the team.
    FewClinical {
        /// The clinical share of the team, rounded down.
        share_percent: usize,
    },
    /// One division has more than [`MAX_DIVISION_SHARE_PERCENT`] of those who gave a division.
    DivisionDominates {
        /// The division, as first written.
        division: String,
        /// Its share of those who gave a division, rounded down.
        share_percent: usize,
    },
    /// At least [`MOSTLY_SENIOR_PERCENT`] of the team are directors, senior managers or
    /// consultants.
    MostlySenior {
        /// The senior share of the team, rounded down.
        share_percent: usize,
    },
}

impl BalanceWarning {
    /// What is wrong and what to do about it, in plain English for the page.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            BalanceWarning::FewFinance { share_percent } => format!(
                "Only {share_percent}% of the people invited are from finance. Invite more \
                 finance staff, such as the finance business partners and accountants who work \
                 with these services, so that at least {MIN_SIDE_SHARE_PERCENT}% are from \
                 finance and their view is heard."
            ),
            BalanceWarning::FewClinical { share_percent } => format!(
                "Only {share_percent}% of the people invited are clinical staff. Invite more \
                 doctors, nurses, allied health professionals and other clinicians from these \
                 services, so that at least {MIN_SIDE_SHARE_PERCENT}% are clinical and their \
                 view is heard."
            ),
            BalanceWarning::DivisionDominates {
                division,
                share_percent,
            } => format!(
                "{share_percent}% of the people with a division are from {division}. Invite \
                 people from the other divisions involved too, so that the results are not one \
                 division's view."
            ),
            BalanceWarning::MostlySenior { share_percent } => format!(
                "{share_percent}% of the people invited are directors, senior managers or \
                 consultants. Ask each senior invitee to bring a buddy from their team who is \
                 not in a management role, so that the review hears from the people who do the \
                 day-to-day work."
            ),
        }
    }
}

/// Counts the invited team and warns when it is lopsided.
#[must_use]
pub fn balance(people: &[ParticipantProfile]) -> Balance {
    let total = people.len();
    let on_side = |side: Side| {
        people
            .iter()
            .filter(|p| p.profession.side() == side)
            .count()
    };
    let (clinical, finance, other) = (
        on_side(Side::Clinical),
        on_side(Side::Finance),
        on_side(Side::Other),
    );
    let by_profession = ProfessionGroup::ALL
        .map(|group| {
            (
                group,
                people.iter().filter(|p| p.profession == group).count(),
            )
        })
        .to_vec();
    let by_level = RoleLevel::ALL
        .map(|level| {
            (
                level,
                people.iter().filter(|p| p.role_level == level).count(),
            )
        })
        .to_vec();
    let (named, not_given) = count_divisions(people);
    let senior = people.iter().filter(|p| p.role_level.is_senior()).count();

    let mut warnings = Vec::new();
    if total > 0 {
        if finance * 100 < total * MIN_SIDE_SHARE_PERCENT {
            warnings.push(BalanceWarning::FewFinance {
                share_percent: percent(finance, total),
            });
        }
        if clinical * 100 < total * MIN_SIDE_SHARE_PERCENT {
            warnings.push(BalanceWarning::FewClinical {
                share_percent: percent(clinical, total),
            });
        }
    }
    let with_division: usize = named.iter().map(|(_, count)| count).sum();
    if named.len() >= 2
        && let Some((division, count)) = named.iter().max_by_key(|(_, count)| *count)
        && count * 100 > with_division * MAX_DIVISION_SHARE_PERCENT
    {
        warnings.push(BalanceWarning::DivisionDominates {
            division: division.clone(),
            share_percent: percent(*count, with_division),
        });
    }
    if total > 0 && senior * 100 >= total * MOSTLY_SENIOR_PERCENT {
        warnings.push(BalanceWarning::MostlySenior {
            share_percent: percent(senior, total),
        });
    }

    let mut by_division = named;
    if not_given > 0 {
        by_division.push((DIVISION_NOT_GIVEN.to_owned(), not_given));
    }
    by_division.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    Balance {
        total,
        clinical,
        finance,
        other,
        by_profession,
        by_division,
        by_level,
        warnings,
    }
}

/// People per named division, ignoring case and spacing (shown as first written), and how many
/// gave none.
fn count_divisions(people: &[ParticipantProfile]) -> (Vec<(String, usize)>, usize) {
    let mut named: Vec<(String, usize)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut not_given = 0;
    for person in people {
        match person
            .division
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(division) => {
                let at = *index.entry(normalise(division)).or_insert_with(|| {
                    named.push((division.to_owned(), 0));
                    named.len() - 1
                });
                named[at].1 += 1;
            }
            None => not_given += 1,
        }
    }
    (named, not_given)
}

/// `part` as a whole percentage of `whole`, rounded down; 0 when `whole` is 0.
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProfessionGroup::{Finance, ManagementOther, Medical, Nursing};
    use RoleLevel::{Middle, NonManagement, Senior};

    fn person(
        profession: ProfessionGroup,
        division: Option<&str>,
        level: RoleLevel,
    ) -> ParticipantProfile {
        ParticipantProfile {
            profession,
            division: division.map(str::to_owned),
            role_level: level,
        }
    }

    fn team(
        specs: &[(ProfessionGroup, Option<&str>, RoleLevel, usize)],
    ) -> Vec<ParticipantProfile> {
        specs
            .iter()
            .flat_map(|&(profession, division, level, n)| {
                std::iter::repeat_n(person(profession, division, level), n)
            })
            .collect()
    }

    #[test]
    fn a_balanced_team_has_no_warnings() {
        let people = team(&[
            (Medical, Some("Surgery"), Senior, 3),
            (Nursing, Some("Medicine"), NonManagement, 3),
            (Finance, Some("Finance"), Middle, 3),
            (ManagementOther, None, Middle, 1),
        ]);
        let result = balance(&people);
        assert_eq!(result.total, 10);
        assert_eq!((result.clinical, result.finance, result.other), (6, 3, 1));
        assert_eq!(result.by_profession.len(), ProfessionGroup::ALL.len());
        assert_eq!(result.by_profession[0], (Medical, 3));
        assert_eq!(result.by_profession[2], (ProfessionGroup::AlliedHealth, 0));
        assert_eq!(
            result.by_division,
            [
                ("Finance".to_owned(), 3),
                ("Medicine".to_owned(), 3),
                ("Surgery".to_owned(), 3),
                (DIVISION_NOT_GIVEN.to_owned(), 1)
            ]
        );
        assert_eq!(
            result.by_level,
            [
                (RoleLevel::Executive, 0),
                (Senior, 3),
                (Middle, 4),
                (NonManagement, 3)
            ]
        );
        assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    }

    #[test]
    fn an_empty_team_has_no_warnings() {
        let result = balance(&[]);
        assert_eq!(result.total, 0);
        assert!(result.warnings.is_empty());
        assert!(result.by_division.is_empty());
    }

    #[test]
    fn warns_about_few_finance() {
        let people = team(&[
            (Medical, None, Middle, 7),
            (Finance, None, NonManagement, 2),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::FewFinance { share_percent: 22 }]
        );
        assert!(
            result.warnings[0]
                .message()
                .starts_with("Only 22% of the people invited are from finance")
        );
        // Exactly a quarter is enough.
        let people = team(&[
            (Medical, None, Middle, 6),
            (Finance, None, NonManagement, 2),
        ]);
        assert!(balance(&people).warnings.is_empty());
    }

    #[test]
    fn warns_about_few_clinical() {
        let people = team(&[
            (Finance, None, Middle, 5),
            (ManagementOther, None, Middle, 4),
            (Nursing, None, NonManagement, 2),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::FewClinical { share_percent: 18 }]
        );
        assert!(
            result.warnings[0]
                .message()
                .contains("Invite more doctors, nurses")
        );
    }

    #[test]
    fn warns_when_one_division_dominates() {
        let people = team(&[
            (Medical, Some("Surgery"), Middle, 3),
            (Finance, Some("surgery "), Middle, 2),
            (Medical, Some("Medicine"), Middle, 2),
            (Finance, None, Middle, 5),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::DivisionDominates {
                division: "Surgery".to_owned(),
                share_percent: 71
            }]
        );
        assert!(
            result.warnings[0]
                .message()
                .starts_with("71% of the people with a division are from Surgery")
        );
        assert_eq!(
            result.by_division,
            [
                (DIVISION_NOT_GIVEN.to_owned(), 5),
                ("Surgery".to_owned(), 5),
                ("Medicine".to_owned(), 2)
            ]
        );
        // One division alone, or an even split, is not a domination.
        let people = team(&[
            (Medical, Some("Surgery"), Middle, 3),
            (Finance, Some("Surgery"), Middle, 3),
        ]);
        assert!(balance(&people).warnings.is_empty());
        let people = team(&[
            (Medical, Some("Surgery"), Middle, 3),
            (Finance, Some("Medicine"), Middle, 3),
        ]);
        assert!(balance(&people).warnings.is_empty());
    }

    #[test]
    fn warns_when_mostly_senior() {
        let people = team(&[
            (Medical, None, Senior, 4),
            (Finance, None, RoleLevel::Executive, 4),
            (Nursing, None, NonManagement, 2),
        ]);
        let result = balance(&people);
        assert_eq!(
            result.warnings,
            [BalanceWarning::MostlySenior { share_percent: 80 }]
        );
        assert!(result.warnings[0].message().contains("bring a buddy"));
        let people = team(&[
            (Medical, None, Senior, 4),
            (Finance, None, RoleLevel::Executive, 3),
            (Nursing, None, NonManagement, 2),
        ]);
        assert!(balance(&people).warnings.is_empty());
    }
}
