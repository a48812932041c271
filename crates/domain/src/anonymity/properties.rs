//! Property tests of the two anonymity rules, on populations and groups made up by proptest:
//! merging never shows a group below the minimum, and a [`Disclosure`] accepts a group exactly
//! when no set of fewer than the minimum can then be worked out by sums and differences (a
//! brute-force oracle over every set of people says which).

use proptest::prelude::*;

use super::tests::oracle_safe;
use super::{Breakdown, Disclosure, Group, MERGED_LABEL, merge_small_groups};

/// A breakdown of `people` respondents: each person in one of up to 6 groups; some groups may
/// be empty.
fn breakdown() -> impl Strategy<Value = (Vec<Group>, usize)> {
    (1..=6_usize, 0..=40_usize).prop_flat_map(|(groups, people)| {
        prop::collection::vec(0..groups, people).prop_map(move |assignment| {
            let groups: Vec<Group> = (0..groups)
                .map(|g| Group {
                    label: format!("group {g}"),
                    members: (0..assignment.len())
                        .filter(|&p| assignment[p] == g)
                        .collect(),
                })
                .collect();
            (groups, assignment.len())
        })
    })
}

proptest! {
    #[test]
    fn merging_never_shows_a_group_below_the_minimum(
        (groups, people) in breakdown(),
        min in 1..=8_usize,
    ) {
        let small: usize = groups
            .iter()
            .map(|g| g.members.len())
            .filter(|&n| n > 0 && n < min)
            .sum();
        match merge_small_groups(groups.clone(), min) {
            Breakdown::Withheld => prop_assert!(small > 0 && small < min),
            Breakdown::Groups(shown) => {
                prop_assert!(small == 0 || small >= min);
                for group in &shown {
                    prop_assert!(group.members.len() >= min, "{group:?}");
                }
                // Everyone is still counted once: the shown groups split the respondents.
                let mut everyone: Vec<usize> =
                    shown.iter().flat_map(|g| g.members.iter().copied()).collect();
                everyone.sort_unstable();
                prop_assert_eq!(everyone, (0..people).collect::<Vec<_>>());
                // The groups at the minimum are shown as they were, in their order.
                let kept: Vec<&Group> = shown.iter().filter(|g| g.label != MERGED_LABEL).collect();
                let large: Vec<&Group> =
                    groups.iter().filter(|g| g.members.len() >= min).collect();
                prop_assert_eq!(kept, large);
            }
        }
    }
}

/// A population of up to 9 people and up to 5 groups of them, offered in turn.
fn offers() -> impl Strategy<Value = (usize, Vec<Vec<usize>>)> {
    (4..=9_usize).prop_flat_map(|people| {
        let group = prop::collection::vec(any::<bool>(), people).prop_map(|chosen| {
            (0..chosen.len())
                .filter(|&p| chosen[p])
                .collect::<Vec<usize>>()
        });
        (Just(people), prop::collection::vec(group, 1..=5))
    })
}

proptest! {
    // The oracle looks at every set of people: fewer cases keep the suite fast.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_group_is_shown_exactly_when_no_small_set_becomes_computable(
        (people, groups) in offers(),
        min in 3..=4_usize,
    ) {
        let mut disclosure = Disclosure::new(min);
        let mut shown: Vec<Vec<usize>> = Vec::new();
        for members in groups {
            let accepted = disclosure.offer(&members);
            if members.len() < min {
                prop_assert!(!accepted, "{members:?} is below {min}");
                continue;
            }
            let mut with = shown.clone();
            with.push(members.clone());
            prop_assert_eq!(
                accepted,
                oracle_safe(&with, people, min),
                "{:?} after {:?} among {}", members, shown, people
            );
            if accepted {
                shown = with;
            }
            // Offering a group again, or one already shown, changes nothing.
            for again in &shown {
                prop_assert!(disclosure.offer(again));
            }
        }
    }

    #[test]
    fn no_fewer_than_three_distinct_people_are_ever_shown(
        members in prop::collection::vec(0..6_usize, 0..8),
        min in 0..=4_usize,
    ) {
        // Repeats included: a group written with a person twice is still that few people.
        let mut distinct = members.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let accepted = Disclosure::new(min).offer(&members);
        prop_assert_eq!(accepted, distinct.len() >= min.max(3), "{:?}", members);
    }
}
