//! The sets of pairs: how many, in which order, and which belong to a shard.
//!
//! Owns: the lexicographic enumeration of the `m`-subsets of `0..p`
//! (the order docs/certificates.md fixes for shards), their count, and the
//! cover bookkeeping (bitsets of the pairs each dual is valid for).
//!
//! Must not: decide anything about losses.

/// `C(p, m)` (saturating at `u128::MAX`).
pub fn binomial(p: usize, m: usize) -> u128 {
    if m > p {
        return 0;
    }
    let m = m.min(p - m);
    let mut acc: u128 = 1;
    for i in 0..m {
        // acc * (p - i) / (i + 1) stays an integer at every step.
        acc = match acc.checked_mul((p - i) as u128) {
            Some(v) => v / (i as u128 + 1),
            None => return u128::MAX,
        };
    }
    acc
}

/// The `m`-subsets of `0..p` in lexicographic order.
pub(super) struct Subsets {
    cur: Vec<usize>,
    p: usize,
    started: bool,
    done: bool,
}

impl Subsets {
    pub(super) fn new(p: usize, m: usize) -> Subsets {
        Subsets {
            cur: (0..m).collect(),
            p,
            started: false,
            done: m > p,
        }
    }

    /// The next subset, or `None` after the last.
    pub(super) fn next_set(&mut self) -> Option<&[usize]> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(&self.cur);
        }
        let m = self.cur.len();
        let mut i = m;
        while i > 0 {
            i -= 1;
            if self.cur[i] < self.p - (m - i) {
                self.cur[i] += 1;
                for k in i + 1..m {
                    self.cur[k] = self.cur[k - 1] + 1;
                }
                return Some(&self.cur);
            }
        }
        self.done = true;
        None
    }
}

/// A set of pairs as a bitset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Bits(Vec<u64>);

impl Bits {
    pub(super) fn new(p: usize) -> Bits {
        Bits(vec![0; p.div_ceil(64)])
    }

    pub(super) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub(super) fn has(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    pub(super) fn contains_all(&self, set: &[usize]) -> bool {
        set.iter().all(|&i| self.has(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_are_lexicographic_and_counted() {
        for p in 0..8 {
            for m in 1..5 {
                let mut it = Subsets::new(p, m);
                let mut all = Vec::new();
                while let Some(s) = it.next_set() {
                    all.push(s.to_vec());
                }
                assert_eq!(all.len() as u128, binomial(p, m), "p={p} m={m}");
                let mut sorted = all.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(sorted, all, "strictly increasing order, p={p} m={m}");
                assert!(all.iter().all(|s| s.windows(2).all(|w| w[0] < w[1])));
            }
        }
        assert_eq!(binomial(116, 3), 253_460);
        assert_eq!(binomial(200, 100), u128::MAX);
    }
}
