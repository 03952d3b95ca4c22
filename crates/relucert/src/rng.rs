//! The one seeded pseudo-random generator of the decision library.
//!
//! Owns: splitmix64 (Steele, Lea and Flood 2014) and the few draws built on
//! it (uniform integers, chances, picks, shuffles, samples). Every random
//! choice in relucert (generated instances, random starting points, sampled
//! completions, the probe's starting sides, deep-pattern sampling) comes from
//! here, seeded explicitly, so every run is reproducible.
//!
//! Must not: decide anything. Randomness only chooses what to try or what to
//! generate; every answer is still decided exactly. Not for cryptography.

/// splitmix64: a tiny, deterministic, well-mixed PRNG.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        if hi < lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    /// Uniform integer in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        den > 0 && self.next_u64() % den < num
    }

    /// One element of a nonempty slice.
    pub fn pick<T: Clone>(&mut self, v: &[T]) -> T {
        v[self.below(v.len())].clone()
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// Between `lo` and `hi` (inclusive) distinct indices from `0..n`.
    pub fn sample_some(&mut self, n: usize, lo: usize, hi: usize) -> Vec<usize> {
        let k = self.range(lo, hi);
        self.sample(n, k)
    }

    /// `k` distinct indices from `0..n` (all of them if `k >= n`), in random order.
    pub fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        self.shuffle(&mut all);
        all.truncate(k.min(n));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // splitmix64 from seed 0 (reference values of the published generator)
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
