//! The multi-start statistic of `descend`: descents from pseudo-random
//! starting points and how each ended.
//!
//! Owns: `random_starts`, the per-run record (`StartRun`: stop reason,
//! wall-clock seconds, end point) and the end classes (`End`).
//!
//! Must not: take a step itself (every step is `descend`'s) or let the
//! clock change which point a run ends at.

use super::{descend, random_point, DescendError, Descent};
use crate::instance::Instance;
use crate::network::Params;
use crate::number::Q;
use crate::verify::{Limits, Verdict};
use num_traits::Zero;

/// How a descent ended, for the multi-start statistic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum End {
    /// A certified (local or global) minimum with loss exactly 0.
    MinZeroLoss,
    /// A certified minimum with positive loss (a sub-optimal minimum).
    MinPositiveLoss,
    /// The verifier could not decide at the end point.
    Undecided,
    /// Still `not-local-min`: the step or time limit stopped the descent.
    StepOrTimeLimit,
}

impl End {
    /// Classify a finished descent by its final verdict and exact loss.
    pub fn of(d: &Descent) -> End {
        match d.outcome.verdict {
            Verdict::GlobalMin | Verdict::LocalMin if d.outcome.loss.is_zero() => End::MinZeroLoss,
            Verdict::GlobalMin | Verdict::LocalMin => End::MinPositiveLoss,
            Verdict::Undecided => End::Undecided,
            Verdict::NotLocalMin => End::StepOrTimeLimit,
        }
    }
}

/// One descent of a multi-start run.
#[derive(Clone, Debug)]
pub struct StartRun {
    /// The seed of its random starting point (`random_point`).
    pub seed: u64,
    /// The final point.
    pub point: Params,
    /// Why it stopped (as [`Descent::stop`]).
    pub stop: String,
    /// Why it stopped (the kind).
    pub stop_kind: super::Stop,
    /// Steps that reached a kink (as [`Descent::kink_steps`]).
    pub kink_steps: usize,
    /// The zeros of the end point (as [`Descent::end_zeros`]).
    pub end_zeros: Vec<super::linesearch::Kink>,
    /// Wall-clock time of this descent (for display only: it decides
    /// nothing).
    pub elapsed: std::time::Duration,
    /// Exact loss at the end point.
    pub loss: Q,
    /// The verifier's verdict at the end point.
    pub verdict: Verdict,
    /// Steps taken.
    pub steps: usize,
    /// How it ended.
    pub end: End,
}

impl StartRun {
    /// Did this run end at a certified (local or global) minimum?
    pub fn certified_min(&self) -> bool {
        matches!(self.verdict, Verdict::GlobalMin | Verdict::LocalMin)
    }

    /// The run's final point as an instance of `inst`'s problem, for a run
    /// that ended at a certified minimum: `[expect]` states what was
    /// certified (`local_min = true`, the exact loss, and `global_min =
    /// true` for a `global-min` verdict), `source` the command that
    /// reproduces it (`relucert descend FILE --starts 1 --seed SEED
    /// --max-steps N`). `None` for a run that did not end at a certified
    /// minimum.
    pub fn end_instance(&self, inst: &Instance, file: &str, max_steps: usize) -> Option<Instance> {
        if !self.certified_min() {
            return None;
        }
        let mut end = inst.clone();
        end.point = Some(self.point.clone());
        end.name = Some(format!(
            "descended from random start {} of {file} ({})",
            self.seed,
            self.verdict.name()
        ));
        end.source = Some(format!(
            "relucert descend {file} --starts 1 --seed {} --max-steps {max_steps} ({} steps, {})",
            self.seed,
            self.steps,
            self.verdict.name()
        ));
        end.expect = Some(crate::instance::Expect {
            local_min: Some(true),
            global_min: (self.verdict == Verdict::GlobalMin).then_some(true),
            loss: Some(self.loss.clone()),
        });
        Some(end)
    }
}

/// The multi-start statistic: descents from `k` random starting points.
#[derive(Clone, Debug)]
pub struct Starts {
    /// The seed of the first start (start `s` uses `seed + s`, wrapping).
    pub seed: u64,
    /// One entry per start, in order.
    pub runs: Vec<StartRun>,
}

impl Starts {
    /// Number of runs that ended as `end`.
    pub fn count(&self, end: End) -> usize {
        self.runs.iter().filter(|r| r.end == end).count()
    }
}

/// A descent of a multi-start run failed (an internal error of the
/// verifier or of the descent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartError {
    /// The index of the failed start (0-based).
    pub start: u64,
    /// What went wrong.
    pub error: DescendError,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "start {}: {}", self.start, self.error)
    }
}

impl std::error::Error for StartError {}

/// Descend from `k` pseudo-random starting points (`random_point` with
/// seeds `seed`, `seed + 1`, ...; the instance's own point is ignored),
/// each for at most `max_steps` steps under `limits`. `progress(done, k)`
/// is called after each descent.
pub fn random_starts(
    inst: &Instance,
    k: usize,
    seed: u64,
    max_steps: usize,
    limits: &Limits,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Starts, StartError> {
    let mut runs = Vec::with_capacity(k);
    for s in 0..k as u64 {
        let start_seed = seed.wrapping_add(s);
        let mut start = inst.clone();
        let start_point = random_point(&inst.problem.arch, start_seed);
        start.point = Some(start_point.clone());
        let clock = std::time::Instant::now();
        let d =
            descend(&start, max_steps, limits).map_err(|error| StartError { start: s, error })?;
        runs.push(StartRun {
            seed: start_seed,
            point: d.end.point.clone().unwrap_or(start_point),
            stop: d.stop.clone(),
            stop_kind: d.stop_kind,
            kink_steps: d.kink_steps,
            end_zeros: d.end_zeros.clone(),
            elapsed: clock.elapsed(),
            end: End::of(&d),
            loss: d.outcome.loss,
            verdict: d.outcome.verdict,
            steps: d.steps,
        });
        progress(runs.len(), k);
    }
    Ok(Starts { seed, runs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{generate, Family};

    #[test]
    fn random_starts_count_every_run_once_and_reproducibly() {
        let inst = generate(Family::Linear, 1, 0).instance;
        let limits = Limits::default();
        let mut calls = Vec::new();
        let a = random_starts(&inst, 3, 5, 20, &limits, &mut |done, total| {
            calls.push((done, total))
        })
        .expect("descents run");
        assert_eq!(calls, vec![(1, 3), (2, 3), (3, 3)]);
        assert_eq!(a.runs.len(), 3);
        assert_eq!(
            a.runs.iter().map(|r| r.seed).collect::<Vec<_>>(),
            vec![5, 6, 7]
        );
        let ends = [
            End::MinZeroLoss,
            End::MinPositiveLoss,
            End::Undecided,
            End::StepOrTimeLimit,
        ];
        assert_eq!(ends.iter().map(|&e| a.count(e)).sum::<usize>(), 3);
        // each run is the single descent from its seed's random point
        for r in &a.runs {
            let mut start = inst.clone();
            start.point = Some(random_point(&inst.problem.arch, r.seed));
            let d = descend(&start, 20, &limits).expect("descent runs");
            assert_eq!(d.outcome.loss, r.loss);
            assert_eq!(d.outcome.verdict, r.verdict);
            assert_eq!(d.steps, r.steps);
            assert_eq!(d.end.point.as_ref(), Some(&r.point));
            assert_eq!(d.stop, r.stop);
            assert_eq!(End::of(&d), r.end);
            // the end instance of a certified minimum states what was certified
            match r.end_instance(&inst, "f.toml", 20) {
                Some(e) => {
                    assert!(r.certified_min());
                    assert_eq!(e.point.as_ref(), Some(&r.point));
                    assert_eq!(e.problem.loss(&r.point), r.loss);
                    let x = e.expect.expect("an [expect] table");
                    assert_eq!(x.local_min, Some(true));
                    assert_eq!(x.loss.as_ref(), Some(&r.loss));
                }
                None => assert!(!r.certified_min()),
            }
            let zero = d.outcome.loss.is_zero();
            let min = matches!(d.outcome.verdict, Verdict::GlobalMin | Verdict::LocalMin);
            assert_eq!(r.end == End::MinZeroLoss, min && zero);
            assert_eq!(r.end == End::MinPositiveLoss, min && !zero);
        }
    }
}
