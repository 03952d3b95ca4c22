//! The cover of a pattern-LP certificate: every set of `m = min(width, P)`
//! distinct pairs (those of the shard's positions for a shard) lies in the
//! proven pairs of some dual.
//!
//! Owns: the work bound [`MAX_SETS`], the lexicographic enumeration of the
//! sets with their positions, and the containment test on u64 bitsets.
//!
//! Must not: check the duals themselves (that is `duals`).

use super::Setting;
use crate::CheckError;
use relucert_core::cert::Shard;
use relucert_core::Deadline;

/// The most sets of pairs (`C(P, m)`, before sharding) the checker
/// enumerates; a certificate that needs more is rejected.
pub const MAX_SETS: u64 = 50_000_000;

/// `C(p, m)` if it fits in a u128, else `None`.
fn binomial(p: usize, m: usize) -> Option<u128> {
    let k = m.min(p - m) as u128;
    let p = p as u128;
    let mut c: u128 = 1;
    for i in 0..k {
        // c = C(p, i) here, so c (p - i) / (i + 1) = C(p, i + 1) exactly.
        c = c.checked_mul(p - i)? / (i + 1);
    }
    Some(c)
}

fn contains(bits: &[u64], set: &[usize]) -> bool {
    set.iter().all(|&p| bits[p / 64] >> (p % 64) & 1 == 1)
}

/// Check the cover; `bits` holds each dual's proven pairs.
pub(super) fn check(
    s: &Setting<'_>,
    pairs: usize,
    width: usize,
    shard: Option<Shard>,
    bits: &[Vec<u64>],
    deadline: &Deadline,
) -> Result<(), CheckError> {
    let m = width.min(pairs);
    match binomial(pairs, m) {
        Some(c) if c <= u128::from(MAX_SETS) => {}
        count => {
            let count = count.map_or("more than 2^128".to_string(), |c| c.to_string());
            return Err(s.fail(format!(
                "C({pairs}, {m}) = {count} sets of pairs exceed the limit MAX_SETS = {MAX_SETS}"
            )));
        }
    }
    let (first, step) = shard.map_or((0, 1), |sh| (sh.index - 1, sh.count));
    let mut set: Vec<usize> = (0..m).collect();
    let mut last = 0;
    let mut position = 0usize;
    let mut ticker = deadline.ticker(4096);
    loop {
        ticker.tick()?;
        if position % step == first && !bits.get(last).is_some_and(|b| contains(b, &set)) {
            let Some(d) = bits.iter().position(|b| contains(b, &set)) else {
                return Err(s.fail(format!(
                    "the set of pairs {set:?} (position {position}) is in no dual"
                )));
            };
            last = d;
        }
        // The next set in lexicographic order: raise the last entry that
        // can still rise, then fill consecutively.
        let Some(j) = (0..m).rev().find(|&j| set[j] < pairs - m + j) else {
            return Ok(());
        };
        set[j] += 1;
        for t in j + 1..m {
            set[t] = set[t - 1] + 1;
        }
        position += 1;
    }
}
