//! Which group figures may be shown without revealing anyone's answers (PRODUCT.md section 4).
//!
//! Two rules, applied to every figure on every page, API response, export and email:
//!
//! 1. **Small groups are never shown.** A group's figures appear only when at least the
//!    minimum reporting group (`m`, at least 3) of its people contributed to them. Within a
//!    breakdown, groups below `m` are merged into "Other groups"; if that merged group is
//!    still below `m`, the whole breakdown is withheld ([`merge_small_groups`]).
//!
//! 2. **Nothing small can be worked out by subtraction.** Merging is not enough on its own.
//!    If every clinician in a review works in Surgery, then "Surgery" minus "Clinical staff"
//!    is exactly Surgery's finance staff, perhaps one business partner, although neither
//!    shown group is small. So before a group is shown, [`Disclosure`] checks that no set of
//!    fewer than `m` people can be expressed as a sum and difference of the groups already
//!    shown plus this one. Counts, sums and distributions all combine linearly, so this one
//!    check covers every figure computed from the same people.
//!
//! How the check works: people who belong to exactly the same shown groups cannot be told
//! apart by any combination of those groups, so they form one "cell". A set of cells `S` can
//! be worked out exactly when its indicator vector lies in the span of the groups' indicator
//! vectors, that is when it is orthogonal to every vector of the kernel of the group-by-cell
//! matrix. The check finds the kernel by Gaussian elimination, refuses at once if a small cell
//! is determined on its own, and otherwise searches the sets of small cells whose total is
//! below `m`. The search is bounded; if the bound is reached the group is refused, so the
//! check can only err on the side of showing less.

use std::collections::BTreeMap;

/// The label of the group that small groups are merged into.
pub const MERGED_LABEL: &str = "Other groups (combined to protect anonymity)";

/// Set-search steps after which a group is refused rather than checked further.
const SEARCH_LIMIT: usize = 200_000;

/// Tolerance for treating a floating-point value as zero; entries are small rationals.
const EPSILON: f64 = 1e-9;

/// A group of people: a label and the indexes of its members among the respondents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// What the group is called on the page ("Finance", "Surgery").
    pub label: String,
    /// Indexes of respondents in the group, in any order, without repeats.
    pub members: Vec<usize>,
}

/// A breakdown after small groups were merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breakdown {
    /// Groups that may be offered for showing (each still passes through [`Disclosure`]).
    Groups(Vec<Group>),
    /// Nothing of this breakdown may be shown: even merged, the small groups are too small.
    Withheld,
}

/// Applies rule 1 to one breakdown: groups below `min` merge into one; too small → withheld.
///
/// Empty groups are dropped first: they describe nobody.
#[must_use]
pub fn merge_small_groups(groups: Vec<Group>, min: usize) -> Breakdown {
    let mut shown = Vec::new();
    let mut merged = Vec::new();
    for group in groups.into_iter().filter(|g| !g.members.is_empty()) {
        if group.members.len() >= min {
            shown.push(group);
        } else {
            merged.extend(group.members);
        }
    }
    if merged.is_empty() {
        return Breakdown::Groups(shown);
    }
    if merged.len() < min {
        return Breakdown::Withheld;
    }
    merged.sort_unstable();
    shown.push(Group {
        label: MERGED_LABEL.to_owned(),
        members: merged,
    });
    Breakdown::Groups(shown)
}

/// Groups beyond this many for one measure are refused (membership is kept in a bit mask).
const MAX_GROUPS: usize = 128;

/// The groups shown so far for one measure, and the check that guards the next one.
///
/// Offer the whole population first, then breakdowns in order of importance; a group that
/// would make a small set computable is refused and the others are still considered.
///
/// Each person's membership of the shown groups is kept as a bit mask, and the number of people
/// with each mask (each cell) is kept up to date, so an offer costs time in proportion to its
/// own members, not to everyone already shown.
#[derive(Debug, Clone)]
pub struct Disclosure {
    min: usize,
    shown: Vec<Vec<usize>>,
    masks: Vec<u128>,
    cells: BTreeMap<u128, usize>,
}

impl Disclosure {
    /// An empty set of shown groups for a minimum reporting group of `min` (at least 3).
    #[must_use]
    pub fn new(min: usize) -> Self {
        Self {
            min: min.max(3),
            shown: Vec::new(),
            masks: Vec::new(),
            cells: BTreeMap::new(),
        }
    }

    /// Shows `members` if that keeps every computable set at `min` or more; says whether it did.
    pub fn offer(&mut self, members: &[usize]) -> bool {
        if members.len() < self.min {
            return false;
        }
        let mut candidate = members.to_vec();
        candidate.sort_unstable();
        candidate.dedup();
        if self.shown.contains(&candidate) {
            return true;
        }
        if self.shown.len() >= MAX_GROUPS {
            return false;
        }
        let bit = 1u128 << self.shown.len();
        let mut cells = self.cells.clone();
        for &person in &candidate {
            let old = self.masks.get(person).copied().unwrap_or(0);
            if old != 0 {
                decrement(&mut cells, old);
            }
            *cells.entry(old | bit).or_default() += 1;
        }
        if !is_safe(&cells, self.shown.len() + 1, self.min) {
            return false;
        }
        if let Some(&last) = candidate.last()
            && self.masks.len() <= last
        {
            self.masks.resize(last + 1, 0);
        }
        for &person in &candidate {
            self.masks[person] |= bit;
        }
        self.cells = cells;
        self.shown.push(candidate);
        true
    }
}

fn decrement(cells: &mut BTreeMap<u128, usize>, mask: u128) {
    if let Some(count) = cells.get_mut(&mask) {
        *count -= 1;
        if *count == 0 {
            cells.remove(&mask);
        }
    }
}

/// Whether no set of fewer than `min` people (but more than none) is a linear combination of
/// the indicator vectors of `groups` groups, given the people per cell (membership mask).
fn is_safe(cells: &BTreeMap<u128, usize>, groups: usize, min: usize) -> bool {
    // People in no group are not in `cells`: every combination gives them weight zero.
    let cell_list: Vec<(u128, usize)> = cells.iter().map(|(m, n)| (*m, *n)).collect();
    let matrix: Vec<Vec<f64>> = (0..groups)
        .map(|g| {
            cell_list
                .iter()
                .map(|(mask, _)| if mask >> g & 1 == 1 { 1.0 } else { 0.0 })
                .collect()
        })
        .collect();
    let kernel = kernel_basis(matrix, cell_list.len());
    let sizes: Vec<usize> = cell_list.iter().map(|(_, size)| *size).collect();
    // Small cells that no kernel vector touches are computable on their own.
    let small: Vec<usize> = (0..sizes.len()).filter(|&c| sizes[c] < min).collect();
    if small
        .iter()
        .any(|&c| kernel.iter().all(|k| k[c].abs() < EPSILON))
    {
        return false;
    }
    let mut steps = 0;
    let mut sums = vec![0.0; kernel.len()];
    !small_set_exists(&small, 0, 0, &mut sums, &kernel, &sizes, min, &mut steps)
}

/// Depth-first search for a non-empty set of small cells, totalling fewer than `min` people,
/// whose kernel sums are all zero (a computable small set). Exceeding the step limit counts
/// as finding one.
#[expect(
    clippy::too_many_arguments,
    reason = "a recursive search's state, kept explicit"
)]
fn small_set_exists(
    small: &[usize],
    from: usize,
    total: usize,
    sums: &mut [f64],
    kernel: &[Vec<f64>],
    sizes: &[usize],
    min: usize,
    steps: &mut usize,
) -> bool {
    for i in from..small.len() {
        let cell = small[i];
        let new_total = total + sizes[cell];
        if new_total >= min {
            continue;
        }
        *steps += 1;
        if *steps > SEARCH_LIMIT {
            return true;
        }
        for (sum, k) in sums.iter_mut().zip(kernel) {
            *sum += k[cell];
        }
        let found = sums.iter().all(|s| s.abs() < EPSILON)
            || small_set_exists(small, i + 1, new_total, sums, kernel, sizes, min, steps);
        for (sum, k) in sums.iter_mut().zip(kernel) {
            *sum -= k[cell];
        }
        if found {
            return true;
        }
    }
    false
}

/// A basis of the null space of `matrix` (rows × `columns`), by reduction to row echelon form.
fn kernel_basis(mut matrix: Vec<Vec<f64>>, columns: usize) -> Vec<Vec<f64>> {
    let mut pivots: Vec<usize> = Vec::new();
    let mut row = 0;
    for col in 0..columns {
        let Some(best) = (row..matrix.len()).max_by(|&a, &b| {
            matrix[a][col]
                .abs()
                .partial_cmp(&matrix[b][col].abs())
                .unwrap_or(std::cmp::Ordering::Equal)
        }) else {
            break;
        };
        if matrix[best][col].abs() < EPSILON {
            continue;
        }
        matrix.swap(row, best);
        let lead = matrix[row][col];
        for value in &mut matrix[row] {
            *value /= lead;
        }
        let pivot_row = matrix[row].clone();
        for (other, values) in matrix.iter_mut().enumerate() {
            let factor = values[col];
            if other != row && factor.abs() > EPSILON {
                for (value, pivot) in values.iter_mut().zip(&pivot_row) {
                    *value -= factor * pivot;
                }
            }
        }
        pivots.push(col);
        row += 1;
        if row == matrix.len() {
            break;
        }
    }
    (0..columns)
        .filter(|c| !pivots.contains(c))
        .map(|free| {
            let mut vector = vec![0.0; columns];
            vector[free] = 1.0;
            for (r, &pivot) in pivots.iter().enumerate() {
                vector[pivot] = -matrix[r][free];
            }
            vector
        })
        .collect()
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: usize, to: usize) -> Vec<usize> {
        (from..to).collect()
    }

    fn group(label: &str, members: Vec<usize>) -> Group {
        Group {
            label: label.to_owned(),
            members,
        }
    }

    #[test]
    fn small_groups_merge_or_the_breakdown_is_withheld() {
        // 8 medical, 7 nursing, 2 finance: finance alone is too small to merge into anything.
        let groups = vec![
            group("Medical", range(0, 8)),
            group("Nursing", range(8, 15)),
            group("Finance", range(15, 17)),
        ];
        assert_eq!(merge_small_groups(groups, 5), Breakdown::Withheld);

        // Two small groups that together reach the minimum are shown merged.
        let groups = vec![
            group("Medical", range(0, 8)),
            group("Pharmacy", range(8, 11)),
            group("Finance", range(11, 13)),
            group("Empty", vec![]),
        ];
        let Breakdown::Groups(shown) = merge_small_groups(groups, 5) else {
            panic!("should be shown")
        };
        assert_eq!(shown.len(), 2);
        assert_eq!(shown[1].label, MERGED_LABEL);
        assert_eq!(shown[1].members, range(8, 13));
    }

    #[test]
    fn the_last_group_of_a_breakdown_cannot_be_had_by_subtraction() {
        // 20 respondents: clinical 17, finance 3. With the total shown, showing "clinical"
        // would give finance's figures by subtraction.
        let mut d = Disclosure::new(5);
        assert!(d.offer(&range(0, 20)));
        assert!(!d.offer(&range(0, 17)), "total minus clinical is 3 people");
        assert!(!d.offer(&range(17, 20)), "3 people are below the minimum");
        // A split with both sides at the minimum is fine.
        let mut d = Disclosure::new(5);
        assert!(d.offer(&range(0, 20)));
        assert!(d.offer(&range(0, 15)));
        assert!(d.offer(&range(15, 20)));
    }

    #[test]
    fn two_breakdowns_together_cannot_reveal_a_small_cell() {
        // Surgery: 10 clinicians and 1 finance business partner (person 10).
        // Finance department: 6 finance staff. Every clinician is in Surgery.
        let everyone = range(0, 17);
        let surgery = range(0, 11);
        let finance_department = range(11, 17);
        let clinical = range(0, 10);
        let finance = range(10, 17);
        let mut d = Disclosure::new(5);
        assert!(d.offer(&everyone));
        assert!(d.offer(&clinical));
        assert!(d.offer(&finance));
        // Surgery minus clinical would be the business partner alone.
        assert!(!d.offer(&surgery));
        assert!(
            !d.offer(&finance_department),
            "everyone minus finance department = surgery"
        );
    }

    #[test]
    fn a_small_set_made_of_several_cells_is_found() {
        // X = {0..5}, Y = {4..9}, Z = {0..3, 6..9}: no two of them isolate anyone, but
        // (X + Y - Z) / 2 is exactly {4, 5}.
        let mut d = Disclosure::new(3);
        assert!(d.offer(&range(0, 6)));
        assert!(d.offer(&range(4, 10)));
        assert!(
            !d.offer(&[0, 1, 2, 3, 6, 7, 8, 9]),
            "(X + Y - Z) / 2 = {{4, 5}}"
        );
    }

    #[test]
    fn a_repeated_or_nested_large_group_is_fine() {
        let mut d = Disclosure::new(3);
        assert!(d.offer(&range(0, 30)));
        assert!(d.offer(&range(0, 30)));
        assert!(d.offer(&range(0, 20)));
        assert!(d.offer(&range(0, 10)));
        assert!(!d.offer(&range(0, 8)), "10 minus 8 leaves 2");
        assert!(d.offer(&range(0, 5)), "5 and the 5 left over are both fine");
    }

    #[test]
    fn the_minimum_never_drops_below_three() {
        let mut d = Disclosure::new(1);
        assert!(!d.offer(&[0, 1]));
        assert!(d.offer(&[0, 1, 2]));
    }

    #[test]
    fn many_groups_stay_fast_and_safe() {
        // 200 respondents in 10 divisions x 2 sides x 2 levels, every cell of 5.
        let mut d = Disclosure::new(5);
        let everyone = range(0, 200);
        assert!(d.offer(&everyone));
        for division in 0..10 {
            assert!(d.offer(&range(division * 20, division * 20 + 20)));
        }
        let clinical: Vec<usize> = everyone.iter().copied().filter(|p| p % 20 < 10).collect();
        assert!(d.offer(&clinical));
        let senior: Vec<usize> = everyone.iter().copied().filter(|p| p % 10 < 5).collect();
        assert!(d.offer(&senior));
    }

    /// An independent oracle, also used by the property tests: the rank of the groups'
    /// indicator vectors over respondents, with and without a candidate set, says whether that
    /// set is computable.
    fn rank(rows: &[Vec<f64>]) -> usize {
        let mut m = rows.to_vec();
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for col in 0..cols {
            let Some(p) = (rank..m.len()).find(|&r| m[r][col].abs() > EPSILON) else {
                continue;
            };
            m.swap(rank, p);
            let pivot = m[rank].clone();
            for (r, values) in m.iter_mut().enumerate() {
                if r != rank {
                    let f = values[col] / pivot[col];
                    for (value, p) in values.iter_mut().zip(&pivot) {
                        *value -= f * p;
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    pub(super) fn oracle_safe(groups: &[Vec<usize>], people: usize, min: usize) -> bool {
        let indicator = |members: &[usize]| -> Vec<f64> {
            (0..people)
                .map(|p| if members.contains(&p) { 1.0 } else { 0.0 })
                .collect()
        };
        let rows: Vec<Vec<f64>> = groups.iter().map(|g| indicator(g)).collect();
        let base = rank(&rows);
        (1u32..(1 << people)).all(|mask| {
            let set: Vec<usize> = (0..people).filter(|p| mask & (1 << p) != 0).collect();
            if set.len() >= min {
                return true;
            }
            let mut with = rows.clone();
            with.push(indicator(&set));
            rank(&with) > base
        })
    }

    #[test]
    fn agrees_with_a_brute_force_oracle_on_random_populations() {
        let mut seed: u64 = 0x5eed_cafe;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let people = 6 + (next() % 6) as usize;
            let min = 3;
            let mut d = Disclosure::new(min);
            let mut shown: Vec<Vec<usize>> = Vec::new();
            for _ in 0..4 {
                let members: Vec<usize> = (0..people).filter(|_| next() % 2 == 0).collect();
                let accepted = d.offer(&members);
                if members.len() < min {
                    assert!(!accepted);
                    continue;
                }
                let mut with = shown.clone();
                with.push(members.clone());
                assert_eq!(
                    accepted,
                    oracle_safe(&with, people, min),
                    "group {members:?} after {shown:?} among {people}"
                );
                if accepted {
                    shown = with;
                }
            }
        }
    }
}
