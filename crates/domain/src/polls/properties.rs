//! Property tests of the poll rules on made-up input: checking times never panics, whatever
//! the numbers, and every tally accounts for each invitee exactly once.

use proptest::prelude::*;

use super::{Answer, SlotInput, Vote, check_slots, tally};
use crate::participants::Side;

/// Instants from everyday ones to the extremes of `i64`.
fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 1_790_000_000_i64..1_900_000_000,
        1 => any::<i64>(),
        1 => prop::sample::select(vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX]),
    ]
}

fn slot_input() -> impl Strategy<Value = SlotInput> {
    (
        prop_oneof![4 => 1_u8..=2, 1 => any::<u8>()],
        instant(),
        prop_oneof![3 => 0_i64..40_000, 1 => instant()],
    )
        .prop_map(|(session, starts_at, length)| SlotInput {
            session,
            starts_at,
            ends_at: starts_at.saturating_add(length),
        })
}

fn side() -> impl Strategy<Value = Side> {
    prop::sample::select(Side::ALL.to_vec())
}

fn answer() -> impl Strategy<Value = Answer> {
    prop::sample::select(Answer::ALL.to_vec())
}

proptest! {
    #[test]
    fn checking_slots_never_panics(
        slots in prop::collection::vec(slot_input(), 0..24),
        now in instant(),
    ) {
        let _ = check_slots(&slots, now);
    }

    #[test]
    fn good_slots_pass_in_any_order(
        starts in prop::collection::btree_set(0_i64..2_000, 2..10),
        now in 1_790_000_000_i64..1_800_000_000,
    ) {
        // Distinct starts an hour apart, each an hour long: never overlapping, alternating
        // sessions, at most 5 per session.
        let slots: Vec<SlotInput> = starts
            .iter()
            .enumerate()
            .map(|(i, &hour)| SlotInput {
                session: if i % 2 == 0 { 1 } else { 2 },
                starts_at: now + 3_600 + hour * 3_600,
                ends_at: now + 7_200 + hour * 3_600,
            })
            .collect();
        prop_assert_eq!(check_slots(&slots, now), Ok(()));
        let mut reversed = slots;
        reversed.reverse();
        prop_assert_eq!(check_slots(&reversed, now), Ok(()));
    }

    #[test]
    fn every_invitee_counts_once_per_slot(
        slots in prop::collection::vec(0_i64..12, 0..8),
        invitees in prop::collection::vec((0_i64..30, side()), 0..30),
        votes in prop::collection::vec((0_i64..40, side(), 0_i64..14, answer()), 0..120),
    ) {
        let votes: Vec<Vote> = votes
            .into_iter()
            .map(|(invitee, side, slot, answer)| Vote { invitee, side, slot, answer })
            .collect();
        let mut distinct: Vec<i64> = invitees.iter().map(|&(id, _)| id).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let tallies = tally(&slots, &invitees, &votes);
        prop_assert_eq!(tallies.len(), slots.len());
        for (t, &slot) in tallies.iter().zip(&slots) {
            prop_assert_eq!(t.slot, slot);
            prop_assert_eq!(
                (t.yes + t.if_need_be + t.no + t.unanswered) as usize,
                distinct.len()
            );
            prop_assert_eq!(
                t.clinical_can_come + t.finance_can_come + t.other_can_come,
                t.can_come()
            );
        }
    }
}
