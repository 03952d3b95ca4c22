//! Our own float simplex: a dense bounded-variable primal simplex in `f64`
//! on an integer-form LP, with a deterministic STEP budget.
//!
//! Computational form: `A x - s = 0`, one slack `s_i` per non-bound row of
//! [`IntLp::cons`] (bounds from the row kind: `>=` gives `s_i >= b_i`, `<=`
//! gives `s_i <= b_i`, `=` fixes it), the structural bounds from the
//! `Lower/Upper` rows. Rows and columns are scaled by powers of two
//! (geometric-mean passes, then row equilibration). The method keeps the
//! dense condensed tableau `B^-1 N` (nonbasic columns only: `m x n`, so a
//! step costs `m n`, not `m (n + m)`), starts from the slack basis, and
//! runs a
//! composite two-phase primal simplex: while some basic variable violates a
//! bound it minimises the sum of violations (phase 1), then the objective
//! (phase 2). Pricing is exact steepest edge (the dense tableau gives the
//! column norms for free), Harris' two-pass ratio test with tolerance
//! [`PTOL`], bound flips for boxed entering variables, Bland's rule after
//! [`DEGENERATE_RUN`] degenerate pivots in a row, and a recomputation of
//! the tableau and of the basic values from the original data every
//! [`refactor_period`] pivots and before every final answer.
//!
//! Determinism: no clock, thread or hash decides anything; the same LP gives
//! the same pivots, point and answer on every run and machine. The only
//! clock read is `stop.over()` between pivots (a `--timeout`), which can
//! only turn the outcome into `Error`. The work is capped by
//! [`step_budget`] pivots (bound flips count as steps).
//!
//! Must not: decide. Every outcome here is a proposal that the exact code
//! (fast.rs, simplex.rs) confirms or rejects; a wrong or failed float answer
//! may cost time, never correctness.

use super::intform::IntLp;
use crate::linalg::{Ring, Stop};
use model::{build, Model};

mod model;

/// Primal feasibility tolerance: `PTOL + PTOL_REL |bound|` on the scaled
/// values; also the Harris ratio-test tolerance. Mostly absolute: the
/// many-digit infeasible benchmark LPs are infeasible by a relative 1e-11,
/// which a relative 1e-9 would call feasible.
const PTOL: f64 = 1e-9;
const PTOL_REL: f64 = 1e-12;
/// Dual (reduced-cost) tolerance on the scaled objective (max |c_j| = 1).
const DTOL: f64 = 1e-9;
/// Smallest tableau entry accepted as a pivot.
const PIVTOL: f64 = 1e-9;
/// Consecutive degenerate pivots after which Bland's rule takes over (until
/// the next step that moves the point).
const DEGENERATE_RUN: usize = 30;
/// Largest dense tableau (entries) this solver builds (`Error` past it).
const MAX_ENTRIES: usize = 16_000_000;

/// At most this many steps (pivots and bound flips): `max(1000, 20 (m + N))`
/// for `m` rows and `N = n + m` columns of the computational form.
pub(crate) fn step_budget(m: usize, ncols: usize) -> usize {
    1000usize.max(20usize.saturating_mul(m.saturating_add(ncols)))
}

/// Pivots between two recomputations of the tableau from the data.
pub(crate) fn refactor_period(m: usize) -> usize {
    100usize.max(m)
}

/// How the float simplex ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Status {
    /// An optimal point (unscaled structural values).
    Optimal(Vec<f64>),
    Infeasible,
    Unbounded,
    /// Numerical trouble, step budget reached, or the deadline passed.
    Error,
}

/// The end of a run: status, the constraints (indices into `IntLp::cons`)
/// nonbasic at a bound in the final basis (ascending), and counters.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub status: Status,
    pub active: Vec<usize>,
    /// The final point (unscaled structural values): the optimum, or for
    /// `Infeasible` the phase-1 point, whose violated constraints and
    /// active set propose a Farkas certificate; empty otherwise.
    pub point: Vec<f64>,
    /// For `Infeasible`: the constraints violated at the phase-1 end, with
    /// the sign of their Farkas multiplier; empty otherwise.
    pub violated: Vec<(usize, i8)>,
    /// Counters, read by the tests and the measurement only.
    #[cfg_attr(not(test), allow(dead_code))]
    pub steps: usize,
    #[cfg_attr(not(test), allow(dead_code))]
    pub refactors: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    Basic,
    Lower,
    Upper,
    /// Nonbasic free variable (value held, normally 0).
    Free,
}

/// A basic row that blocks the entering variable.
#[derive(Clone, Copy, Debug)]
struct Block {
    r: usize,
    /// Exact step to the bound.
    t: f64,
    /// |pivot|.
    size: f64,
    /// Runs into its upper bound (else the lower one).
    upper: bool,
}

/// The simplex state. The tableau keeps only the nonbasic columns (the
/// basic ones are unit columns): row `r` says
/// `x[head[r]] = -sum_c t[r][c] x[nb[c]]`, so a step costs `m x n`, not
/// `m x (n + m)`.
struct Solver<'a> {
    md: &'a Model,
    /// Variables (structurals, then slacks).
    nc: usize,
    /// `B^-1 N`, row-major, `m x n`.
    t: Vec<f64>,
    /// Basic variable of each tableau row.
    head: Vec<usize>,
    /// Nonbasic variable of each tableau column.
    nb: Vec<usize>,
    at: Vec<At>,
    x: Vec<f64>,
    steps: usize,
    refactors: usize,
    since_refactor: usize,
    /// Reduced costs and steepest-edge weights `1 + |t_c|^2` per column of
    /// the current tableau, valid for phase 1 (`Some(true)`) or 2.
    d: Vec<f64>,
    w: Vec<f64>,
    priced: Option<bool>,
}

fn tol(bound: f64) -> f64 {
    PTOL + PTOL_REL * bound.abs()
}

/// Index and value of the largest `|v|` (first one on ties).
fn argmax(it: impl Iterator<Item = (usize, f64)>) -> Option<(usize, f64)> {
    it.fold(None, |acc, (i, v)| match acc {
        Some((_, bv)) if bv >= v => acc,
        _ => Some((i, v)),
    })
}

impl<'a> Solver<'a> {
    fn new(md: &'a Model) -> Self {
        let nc = md.n + md.m;
        let mut at = vec![At::Basic; nc];
        let mut x = vec![0.0; nc];
        for j in 0..md.n {
            (at[j], x[j]) = Self::rest(md.lo[j], md.hi[j], 0.0);
        }
        Solver {
            md,
            nc,
            t: Vec::new(),
            head: (md.n..nc).collect(),
            nb: (0..md.n).collect(),
            at,
            x,
            steps: 0,
            refactors: 0,
            since_refactor: 0,
            d: Vec::new(),
            w: Vec::new(),
            priced: None,
        }
    }

    /// Where a nonbasic variable rests: at the finite bound nearest `v`.
    fn rest(lo: f64, hi: f64, v: f64) -> (At, f64) {
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) if (v - lo).abs() <= (hi - v).abs() => (At::Lower, lo),
            (true, true) => (At::Upper, hi),
            (true, false) => (At::Lower, lo),
            (false, true) => (At::Upper, hi),
            (false, false) => (At::Free, v),
        }
    }

    /// Reset the reduced costs to the phase's base and the weights to 1.
    fn price_base(&mut self, phase1: bool) {
        let n = self.md.n;
        self.d.clear();
        if phase1 {
            self.d.resize(n, 0.0);
        } else {
            self.d.extend(self.nb.iter().map(|&v| self.md.c[v]));
        }
        self.w.clear();
        self.w.resize(n, 1.0);
    }

    /// Exchange basic `head[r]` and nonbasic `nb[c]` (the caller has set
    /// `head[r]` and `nb[c]` already); with `costs` (per row, for the new
    /// basis, and the phase) also recompute the reduced costs and weights
    /// in the same pass over the tableau.
    fn exchange(&mut self, r: usize, c: usize, costs: Option<(&[f64], bool)>) {
        let n = self.md.n;
        let p = self.t[r * n + c];
        if let Some((_, phase1)) = costs {
            self.price_base(phase1);
        }
        let (before, rest) = self.t.split_at_mut(r * n);
        let (prow, after) = rest.split_at_mut(n);
        prow.iter_mut().for_each(|v| *v /= p);
        prow[c] = 1.0 / p;
        let (d, w) = (&mut self.d, &mut self.w);
        let mut acc = |i: usize, row: &[f64]| {
            if let Some((cb, _)) = costs {
                let f = cb[i];
                for ((dj, wj), v) in d.iter_mut().zip(w.iter_mut()).zip(row) {
                    *dj -= f * v;
                    *wj += v * v;
                }
            }
        };
        let elim = |row: &mut [f64]| {
            let f = row[c];
            if f != 0.0 {
                for (v, pv) in row.iter_mut().zip(prow.iter()) {
                    *v -= f * pv;
                }
                row[c] = -f / p;
            }
        };
        for (i, row) in before.chunks_mut(n).enumerate() {
            elim(row);
            acc(i, row);
        }
        for (i, row) in after.chunks_mut(n).enumerate() {
            elim(row);
            acc(r + 1 + i, row);
        }
        acc(r, prow);
        self.priced = costs.map(|(_, ph)| ph);
    }

    /// Recompute the tableau from the data: rows with a basic slack are the
    /// data row negated; the basic structurals are eliminated by
    /// Gauss-Jordan with partial pivoting on the other rows. A basic
    /// structural without an acceptable pivot is swapped for the slack of a
    /// row left over (a singular basis repaired). Then the basic values
    /// from the nonbasic ones.
    fn refactor(&mut self) -> bool {
        let (m, n) = (self.md.m, self.md.n);
        self.priced = None;
        self.refactors += 1;
        self.since_refactor = 0;
        let bs: Vec<usize> = self.head.iter().copied().filter(|&v| v < n).collect();
        let k = bs.len();
        let wd = k + n;
        // Columns: the basic structurals, then the nonbasic slots.
        let col = |v: usize, i: usize| {
            if v < n {
                self.md.a[i * n + v]
            } else if v - n == i {
                -1.0
            } else {
                0.0
            }
        };
        let mut mm = vec![0.0; m * wd];
        let mut head = vec![usize::MAX; m];
        for i in 0..m {
            let row = &mut mm[i * wd..(i + 1) * wd];
            for (c, &v) in bs.iter().chain(&self.nb).enumerate() {
                row[c] = col(v, i);
            }
            if self.at[n + i] == At::Basic {
                // Pivot on the slack column -e_i: negate the row.
                row.iter_mut().for_each(|v| *v = -*v);
                head[i] = n + i;
            }
        }
        let gj = |mm: &mut [f64], r: usize, c: usize| {
            let (before, rest) = mm.split_at_mut(r * wd);
            let (prow, after) = rest.split_at_mut(wd);
            let p = prow[c];
            prow.iter_mut().for_each(|v| *v /= p);
            for row in before.chunks_mut(wd).chain(after.chunks_mut(wd)) {
                let f = row[c];
                if f != 0.0 {
                    for (v, pv) in row.iter_mut().zip(prow.iter()) {
                        *v -= f * pv;
                    }
                }
            }
        };
        let mut dropped = Vec::new();
        for (c, &b) in bs.iter().enumerate() {
            let best = argmax(
                (0..m)
                    .filter(|&r| head[r] == usize::MAX)
                    .map(|r| (r, mm[r * wd + c].abs())),
            );
            match best {
                Some((r, v)) if v > PIVTOL => {
                    gj(&mut mm, r, c);
                    head[r] = b;
                }
                _ => dropped.push(c),
            }
        }
        // Column of `mm` holding each nonbasic slot's variable.
        let mut src: Vec<usize> = (k..wd).collect();
        let free_rows: Vec<usize> = (0..m).filter(|&r| head[r] == usize::MAX).collect();
        if free_rows.len() != dropped.len() {
            return false;
        }
        for (&r, &c) in free_rows.iter().zip(&dropped) {
            // The slack of row r is nonbasic (its row is not taken).
            let Some(sl) = self.nb.iter().position(|&v| v == n + r) else {
                return false;
            };
            if mm[r * wd + k + sl].abs() <= PIVTOL {
                return false;
            }
            gj(&mut mm, r, k + sl);
            head[r] = n + r;
            let j = bs[c];
            self.nb[sl] = j;
            src[sl] = c;
            let md = self.md;
            (self.at[j], self.x[j]) = Self::rest(md.lo[j], md.hi[j], self.x[j]);
            self.at[n + r] = At::Basic;
        }
        self.head = head;
        self.t.clear();
        self.t.resize(m * n, 0.0);
        for r in 0..m {
            for (s, &c) in src.iter().enumerate() {
                self.t[r * n + s] = mm[r * wd + c];
            }
        }
        for r in 0..m {
            let row = &self.t[r * n..(r + 1) * n];
            let s: f64 = row.iter().zip(&self.nb).map(|(v, &j)| -v * self.x[j]).sum();
            self.x[self.head[r]] = s;
        }
        self.x.iter().all(|v| v.is_finite())
    }

    /// Phase-1 cost of a basic variable: -1 below its lower bound, +1 above
    /// its upper bound, 0 when feasible.
    fn infeas_cost(&self, j: usize) -> f64 {
        let (v, l, h) = (self.x[j], self.md.lo[j], self.md.hi[j]);
        if v < l - tol(l) {
            -1.0
        } else if v > h + tol(h) {
            1.0
        } else {
            0.0
        }
    }

    /// Cost of each tableau row's basic variable in the phase.
    fn costs(&self, phase1: bool) -> Vec<f64> {
        self.head
            .iter()
            .map(|&b| {
                if phase1 {
                    self.infeas_cost(b)
                } else {
                    self.md.c[b]
                }
            })
            .collect()
    }

    /// Recompute the reduced costs and weights with one pass.
    fn price_full(&mut self, phase1: bool) {
        let n = self.md.n;
        let cb = self.costs(phase1);
        self.price_base(phase1);
        for (r, &f) in cb.iter().enumerate() {
            let row = &self.t[r * n..(r + 1) * n];
            for ((dj, wj), v) in self.d.iter_mut().zip(self.w.iter_mut()).zip(row) {
                *dj -= f * v;
                *wj += v * v;
            }
        }
        self.priced = Some(phase1);
    }

    fn phase1(&self) -> bool {
        self.head.iter().any(|&b| self.infeas_cost(b) != 0.0)
    }

    /// Entering column and direction: steepest edge (or Bland: smallest
    /// variable index), from the current reduced costs and weights.
    fn price(&self, bland: bool) -> Option<(usize, f64)> {
        let (d, w) = (&self.d, &self.w);
        let mut best: Option<(usize, f64, f64)> = None;
        for (c, &j) in self.nb.iter().enumerate() {
            let dir = match self.at[j] {
                At::Basic => continue,
                _ if self.md.lo[j] == self.md.hi[j] => continue,
                At::Lower if d[c] < -DTOL => 1.0,
                At::Upper if d[c] > DTOL => -1.0,
                At::Free if d[c].abs() > DTOL => -d[c].signum(),
                _ => continue,
            };
            let score = if bland {
                -(j as f64)
            } else {
                d[c] * d[c] / w[c]
            };
            if best.is_none_or(|(_, _, s)| score > s) {
                best = Some((c, dir, score));
            }
        }
        best.map(|(c, dir, _)| (c, dir))
    }

    /// Blocking bound of basic row `r` moving at rate `alpha`: the gap to
    /// the bound it runs into, the gap with tolerance, and whether that
    /// bound is the upper one; `None` when nothing blocks.
    fn block(&self, r: usize, alpha: f64) -> Option<(f64, f64, bool)> {
        let b = self.head[r];
        let (v, l, h) = (self.x[b], self.md.lo[b], self.md.hi[b]);
        let (bound, upper) = if alpha > 0.0 {
            if v < l - tol(l) {
                (l, false)
            } else if h.is_finite() && v <= h + tol(h) {
                (h, true)
            } else {
                return None;
            }
        } else if v > h + tol(h) {
            (h, true)
        } else if l.is_finite() && v >= l - tol(l) {
            (l, false)
        } else {
            return None;
        };
        let t = ((bound - v) / alpha).max(0.0);
        let th = ((bound - v + alpha.signum() * tol(bound)) / alpha).max(0.0);
        Some((t, th, upper))
    }

    fn run(&mut self, stop: &Stop<'_>, budget: usize) -> Status {
        let m = self.md.m;
        let period = refactor_period(m);
        if !self.refactor() {
            return Status::Error;
        }
        let mut degenerate = 0usize;
        loop {
            if stop.over() {
                return Status::Error;
            }
            if self.since_refactor >= period && !self.refactor() {
                return Status::Error;
            }
            let phase1 = self.phase1();
            if self.priced != Some(phase1) {
                self.price_full(phase1);
            }
            let bland = degenerate >= DEGENERATE_RUN;
            let Some((c, dir)) = self.price(bland) else {
                if self.since_refactor > 0 {
                    if !self.refactor() {
                        return Status::Error;
                    }
                    continue;
                }
                if phase1 {
                    return Status::Infeasible;
                }
                let x = (0..self.md.n)
                    .map(|j| self.x[j] * self.md.cs[j])
                    .collect::<Vec<_>>();
                return if x.iter().all(|v| v.is_finite()) {
                    Status::Optimal(x)
                } else {
                    Status::Error
                };
            };
            // Ratio test: pass 1 (bound with tolerance), pass 2 (largest
            // pivot among the rows blocking within it); Bland: smallest
            // exact ratio, ties to the smallest variable index.
            if self.steps >= budget {
                return Status::Error;
            }
            let q = self.nb[c];
            let n = self.md.n;
            let alphas: Vec<f64> = (0..m).map(|r| -self.t[r * n + c] * dir).collect();
            let mut theta = f64::INFINITY;
            let mut blocks: Vec<Block> = Vec::new();
            for (r, &al) in alphas.iter().enumerate() {
                if al.abs() > PIVTOL {
                    if let Some((t, th, upper)) = self.block(r, al) {
                        blocks.push(Block {
                            r,
                            t,
                            size: al.abs(),
                            upper,
                        });
                        theta = theta.min(if bland { t } else { th });
                    }
                }
            }
            let range = self.md.hi[q] - self.md.lo[q];
            self.steps += 1;
            self.since_refactor += 1;
            if range.is_finite() && range <= theta {
                // Bound flip.
                let to = if dir > 0.0 { At::Upper } else { At::Lower };
                for (r, &al) in alphas.iter().enumerate() {
                    self.x[self.head[r]] += al * range;
                }
                self.x[q] = if to == At::Upper {
                    self.md.hi[q]
                } else {
                    self.md.lo[q]
                };
                self.at[q] = to;
                degenerate = 0;
                if phase1 || self.phase1() {
                    self.priced = None;
                }
                continue;
            }
            let within = blocks.iter().filter(|b| b.t <= theta);
            let chosen = if bland {
                within.min_by_key(|b| self.head[b.r]).copied()
            } else {
                within.fold(None, |acc: Option<Block>, b| match acc {
                    Some(a) if a.size >= b.size => acc,
                    _ => Some(*b),
                })
            };
            let Some(Block { r, t, upper, .. }) = chosen else {
                if self.since_refactor > 1 {
                    if !self.refactor() {
                        return Status::Error;
                    }
                    continue;
                }
                return if phase1 {
                    Status::Error
                } else {
                    Status::Unbounded
                };
            };
            if t * alphas[r].abs() <= PTOL {
                degenerate += 1;
            } else {
                degenerate = 0;
            }
            for (rr, &al) in alphas.iter().enumerate() {
                self.x[self.head[rr]] += al * t;
            }
            self.x[q] += dir * t;
            let leave = self.head[r];
            (self.at[leave], self.x[leave]) = if upper {
                (At::Upper, self.md.hi[leave])
            } else {
                (At::Lower, self.md.lo[leave])
            };
            if !self.x[leave].is_finite() {
                return Status::Error;
            }
            self.head[r] = q;
            self.nb[c] = leave;
            self.at[q] = At::Basic;
            let next1 = self.phase1();
            let cb = self.costs(next1);
            self.exchange(r, c, Some((&cb, next1)));
        }
    }

    /// Constraints nonbasic at a bound, ascending.
    /// The constraints behind the basic variables phase 1 counts as
    /// violated, with the sign of their Farkas multiplier (`+1`: below a
    /// lower bound, i.e. a `>=` side; `-1`: above an upper bound).
    fn violated(&self) -> Vec<(usize, i8)> {
        let mut out: Vec<(usize, i8)> = self
            .head
            .iter()
            .filter_map(|&b| {
                let c = self.infeas_cost(b);
                if c < 0.0 {
                    self.md.lo_con[b].map(|k| (k, 1))
                } else if c > 0.0 {
                    self.md.hi_con[b].map(|k| (k, -1))
                } else {
                    None
                }
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn active(&self) -> Vec<usize> {
        let mut out: Vec<usize> = (0..self.nc)
            .filter_map(|j| match self.at[j] {
                At::Lower => self.md.lo_con[j],
                At::Upper => self.md.hi_con[j],
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Run the float simplex on `ilp` (a minimisation) within [`step_budget`].
pub(crate) fn solve<T: Ring>(ilp: &IntLp<T>, stop: &Stop<'_>) -> Run {
    solve_with(ilp, stop, None)
}

/// [`solve`] with another step budget (`None`: [`step_budget`]).
pub(crate) fn solve_with<T: Ring>(ilp: &IntLp<T>, stop: &Stop<'_>, budget: Option<usize>) -> Run {
    let fail = Run {
        status: Status::Error,
        active: Vec::new(),
        point: Vec::new(),
        violated: Vec::new(),
        steps: 0,
        refactors: 0,
    };
    if stop.over() {
        return fail;
    }
    let Some(md) = build(ilp) else { return fail };
    let mut s = Solver::new(&md);
    let budget = budget.unwrap_or_else(|| step_budget(md.m, md.n + md.m));
    let status = s.run(stop, budget);
    let violated = if status == Status::Infeasible {
        s.violated()
    } else {
        Vec::new()
    };
    let (active, point) = match status {
        Status::Optimal(_) | Status::Infeasible => {
            (s.active(), (0..md.n).map(|j| s.x[j] * md.cs[j]).collect())
        }
        _ => (Vec::new(), Vec::new()),
    };
    Run {
        status,
        active,
        point,
        violated,
        steps: s.steps,
        refactors: s.refactors,
    }
}

#[cfg(test)]
mod tests;
