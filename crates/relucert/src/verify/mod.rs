//! The local-minimum verifier: exact verdicts with certificates.
//!
//! Owns: deciding, for an instance's point, one of `global-min`,
//! `local-min`, `not-local-min`, `undecided`, and building the certificate
//! that `check` re-verifies. Proofs produced here:
//! - `global-min` by the lower bound 0: the loss at the point is exactly 0;
//! - `global-min` for linear models (linear activation or no hidden layer):
//!   the loss equals the LP optimum over all linear (affine) classifiers,
//!   binary or multiclass, proven by the LP's dual solution;
//! - `global-min` for any architecture: the loss equals the LP optimum over
//!   arbitrary outputs per distinct input (`function_space`), proven by the
//!   LP's dual solution;
//! - `local-min` by flatness: every piece of the loss next to the point
//!   (every completion of the signature's live zero entries, see
//!   `network::Signature::complete`) is the constant polynomial L(theta*),
//!   so the loss is constant on a neighbourhood;
//! - `global-min` for linear models with a regression loss: the loss equals
//!   the least-squares or L1-regression optimum over affine maps
//!   (`regression_bounds`, `linear-regression-bound` evidence);
//! - `local-min` by path lifting (`path_lifting_stage`, any depth, every
//!   loss): on every completion of the zero pre-activations the loss is at
//!   least a convex optimum over free path products, equal to L(theta*);
//! - `local-min` by the piecewise second-order argument of `second_order`
//!   (at most one hidden layer; the hinge losses and absolute);
//! - `local-min` for the squared loss by the second-order sufficient
//!   condition on every piece restricted to the gauge slice (`squared`,
//!   `squared_stage`: one hidden layer with kinks, or any depth without);
//! - `local-min` by the local pattern-star bound of `star` (one hidden
//!   layer, one output; `star_stage`: after `flat` for the regression
//!   losses, after the second-order analysis when it is undecided for the
//!   binary hinge);
//! - `not-local-min` by a first-order descent direction: `probe` proposes
//!   directions in floats, and the exact one-sided directional derivative
//!   (`Problem::directional_derivative`) must be negative, with an exact
//!   point of lower loss on the ray (tried first, after the zero-loss test:
//!   most points that are not minima end here);
//! - `not-local-min` by a descent arc `theta* + t d` or `theta* + t d + t^2 e`
//!   (or of order L for deep linear networks) whose exact loss germ (`arc`)
//!   decreases, with an exact point of lower loss on it. Candidate arcs are
//!   proposed by first-order LPs, orthant rays, the pieces' gradients and
//!   Hessians, and the second-order analysis (exact, but only proposals: the
//!   arc itself is what is checked), and by straight lines of any order
//!   (`lines`: germs of order 3 and more, e.g. deep linear origins).
//! - `local-min` for two or more hidden layers and the hinge-type losses
//!   by the second-order sufficient condition on polyhedral pieces
//!   restricted to the gauge slice (`deep_second_order`).
//!
//! Everything else is `undecided`, with the reason.
//!
//! Must not: give a verdict without a certificate that `check` accepts, or
//! let a float, a sample or a time limit decide (a limit only stops the
//! search, giving `undecided`).
//!
//! The stages, in the order `verify` runs them (each in its own file; the
//! first that decides ends the run): `zero_loss`; `probe_stage` (the
//! probe's float proposals decided exactly; `--no-probe` skips it);
//! `bounds` (linear and multiclass LP bounds) and `regression_bounds`;
//! `function_space` (the function-space bound, any architecture);
//! `path_lifting_stage` when it has at most 16 completions (at most 4 tie
//! groups of zero pre-activations: dead units and hinge corners need none), before any
//! piece or second-order region is built; `flat` (the pieces around the
//! point and flatness); `path_lifting_stage` with more completions (here
//! for regression losses and depths other than one hidden layer; for one
//! hidden layer with a hinge loss after the second-order stage, before its
//! `undecided`); `star_stage` (regression; for the binary hinge after the
//! second-order stage); the early second-order attempt for many pieces
//! (`second_order_stage::early`, not for squared); `arcs` (candidate
//! descent arcs); `second_order_stage::finish` (the full second-order
//! proof, its proposed arcs), or for the squared loss `squared_stage`;
//! `deep_second_order_stage` (two or more hidden layers, hinge-type
//! losses, when the rest is undecided); `second_order_arcs` (arcs
//! `t d + t^2 e` at any depth from one LP per layer pair and piece, when
//! the rest is undecided); `lines` (fixed pseudo-random
//! straight lines decided by their exact germ, any order: the last
//! resort before `undecided`). `descent` checks every arc, `certificate`
//! wraps evidence into outcomes. The local model of `second_order` (kinks,
//! terms, Taylor data) is built once and shared by the stages that need it.

mod arcs;
mod bounds;
mod certificate;
mod deep_second_order_stage;
mod descent;
mod first_order;
mod flat;
mod function_space;
mod global_stage;
mod lines;
mod path_lifting_stage;
mod probe_stage;
mod regression_bounds;
mod second_order_arcs;
mod second_order_stage;
mod squared_stage;
mod star_stage;
mod zero_loss;

pub(crate) use bounds::{hinge_lp, multiclass_lp};
pub use bounds::{linear_lower_bound, multiclass_lower_bound, LinearBound, MulticlassBound};
pub use function_space::{function_space_bound, FunctionSpaceBound, FunctionSpaceError};
pub use regression_bounds::{linear_regression_bound, RegressionBound};

use crate::instance::Instance;
use crate::network::{Side, Signature, ZeroEntry};
use crate::number::Q;
use crate::second_order::LocalModel;
use relucert_core::cert::Certificate;
use relucert_core::Deadline;
use std::ops::ControlFlow;

/// Certificate format version written and read.
pub const CERT_VERSION: u64 = relucert_core::cert::FORMAT_VERSION;

/// The verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The point is a global minimum (proven).
    GlobalMin,
    /// The point is a local minimum (proven; it may also be global).
    LocalMin,
    /// The point is not a local minimum (a descent direction or arc).
    NotLocalMin,
    /// Nothing proven; the outcome's reason says why.
    Undecided,
}

impl Verdict {
    /// The verdict's name in text, JSON and certificates (`global-min`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::GlobalMin => "global-min",
            Verdict::LocalMin => "local-min",
            Verdict::NotLocalMin => "not-local-min",
            Verdict::Undecided => "undecided",
        }
    }

    /// What the verdict says about (local_min, global_min); None = not decided.
    pub fn implies(self) -> (Option<bool>, Option<bool>) {
        match self {
            Verdict::GlobalMin => (Some(true), Some(true)),
            Verdict::LocalMin => (Some(true), None),
            Verdict::NotLocalMin => (Some(false), Some(false)),
            Verdict::Undecided => (None, None),
        }
    }
}

/// Limits on the search; reaching one gives `undecided`, never a verdict.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most pieces (completions of zero entries) examined.
    pub max_pieces: usize,
    /// When the search stops (`Deadline::never()`: no limit). Reaching it
    /// gives `undecided` ("the time limit (--timeout) was reached in
    /// <stage>"); a stage that finished keeps its answer, and an answer
    /// found before it is the answer found without it (nothing in the
    /// search depends on the clock but whether it goes on).
    pub deadline: Deadline,
    /// Try the first-order probe (float-proposed descent directions,
    /// decided by the exact directional derivative) before everything
    /// else. Off, `not-local-min` points are found only by the arc search
    /// (`relucert verify --no-probe`; used to test that search alone).
    pub probe: bool,
    /// Compare a `local-min` or `undecided` point of a one-hidden-layer
    /// binary-hinge instance with the width's exact optimum when it takes
    /// at most this many sets of pairs (0: never).
    pub global_budget: u128,
    /// Try the local lower bounds (path lifting, THEORY 9; the pattern-star
    /// bound of one hidden layer). Off, local minima are proven only by
    /// flatness and the second-order analyses (`relucert verify
    /// --no-local-bounds`; used to test those alone).
    pub local_bounds: bool,
}

/// Default of [`Limits::global_budget`]: 8 points in the plane at width 3
/// (about 250,000 sets; most are covered by earlier dual bounds, so such a
/// run takes well under a second).
pub const DEFAULT_GLOBAL_BUDGET: u128 = 300_000;

/// The point against the exact optimum of its width (THEORY section 9).
#[derive(Clone, Debug)]
pub struct GlobalComparison {
    /// `L*`: the least loss over all networks of the instance's width.
    pub optimum: Q,
    /// The verdict is `local-min` and the loss is above `L*`.
    pub spurious: bool,
    /// The architecture of the witness (the instance's).
    pub arch: crate::network::Architecture,
    /// A network with loss exactly `L*`.
    pub witness: crate::network::Params,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pieces: 4096,
            deadline: Deadline::never(),
            probe: true,
            global_budget: DEFAULT_GLOBAL_BUDGET,
            local_bounds: true,
        }
    }
}

/// The outcome: verdict, loss, reason, certificate (typed, `None` when
/// undecided; `Certificate::to_json` gives the JSON that `check` reads).
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The exact loss at the point.
    pub loss: Q,
    /// Why: the proof's summary, or what was tried and why it failed.
    pub reason: String,
    /// The certificate that `check` re-verifies (`None` when undecided).
    pub certificate: Option<Certificate>,
    /// The comparison with the width's exact optimum, when it ran.
    pub global: Option<GlobalComparison>,
}

/// Why `verify` could not run. Its text (`Display`) is the message the
/// verifier has always given for the failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The instance has no `[point]` table.
    NoPoint,
    /// An internal inconsistency (a completion of the signature was
    /// refused); the message says which.
    Internal(String),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::NoPoint => {
                f.write_str("point: missing table: verify needs a [point] table")
            }
            VerifyError::Internal(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for VerifyError {}

/// All completions of the zero entries (sides for each), in a fixed order;
/// `None` if there are more than `cap`.
pub fn completions(zeros: &[ZeroEntry], cap: usize) -> Option<Vec<Vec<Side>>> {
    let mut total: usize = 1;
    for z in zeros {
        let k = match z {
            ZeroEntry::Tie { classes, .. } => classes.len(),
            _ => 2,
        };
        total = total.checked_mul(k)?;
        if total > cap {
            return None;
        }
    }
    let mut out: Vec<Vec<Side>> = vec![Vec::new()];
    for z in zeros {
        let options: Vec<Side> = match z {
            ZeroEntry::Tie { classes, .. } => classes.iter().map(|&c| Side::Class(c)).collect(),
            _ => vec![Side::Pos, Side::Neg],
        };
        out = out
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |o| {
                    let mut p = prefix.clone();
                    p.push(*o);
                    p
                })
            })
            .collect();
    }
    Some(out)
}

/// Decide the instance's point: the stages in order, the first that
/// decides gives the outcome. `Err` for an instance without a point (and
/// for an internal inconsistency).
pub fn verify(inst: &Instance, limits: &Limits) -> Result<Outcome, VerifyError> {
    let mut out = verify_local(inst, limits)?;
    if out.verdict == Verdict::Undecided && !limits.deadline.expired() {
        if let Some(params) = inst.point.as_ref() {
            let found =
                second_order_arcs::search(&inst.problem, params, &out.loss, &limits.deadline)
                    .or_else(|| lines::search(&inst.problem, params, &out.loss, &limits.deadline));
            if let Some(found) = found {
                out = unless_expired(
                    &limits.deadline,
                    &out.loss,
                    "the line search",
                    certificate::descended(inst, out.loss.clone(), found),
                );
            }
        }
    }
    global_stage::compare(inst, limits, out)
}

/// The outcome of a run stopped by the deadline in `stage`.
fn time_limit(loss: &Q, stage: &str) -> Outcome {
    certificate::undecided(
        loss.clone(),
        format!("the time limit (--timeout) was reached in {stage}"),
    )
}

/// A stage's outcome, unless the deadline passed during the stage: an LP
/// or a loop stopped by the deadline answers "nothing found", which must
/// not let a later candidate (and so another certificate) win, so a stage
/// that ends after the deadline gives the time-limit outcome instead.
/// (Deadlines never un-expire: if it has not passed at the stage's end, it
/// had not passed during the stage, and the stage ran as without one.)
fn unless_expired(deadline: &Deadline, loss: &Q, stage: &str, out: Outcome) -> Outcome {
    if deadline.expired() && !out.reason.starts_with("the time limit (--timeout)") {
        time_limit(loss, stage)
    } else {
        out
    }
}

/// The local analysis: every stage before the comparison with `L*`. The
/// deadline is tested before every stage and inside each one; every
/// outcome goes through `unless_expired`.
fn verify_local(inst: &Instance, limits: &Limits) -> Result<Outcome, VerifyError> {
    let deadline = &limits.deadline;
    let Some(params) = inst.point.as_ref() else {
        return Err(VerifyError::NoPoint);
    };
    let problem = &inst.problem;
    let (loss, views) = problem.loss_and_views(params);
    let stop = |stage: &str, out: Outcome| Ok(unless_expired(deadline, &loss, stage, out));
    if let Some(out) = zero_loss::decide(inst, &loss) {
        return stop("the zero-loss test", out);
    }
    // A first-order descent direction, proposed in floats and decided by
    // the exact one-sided directional derivative: most points that are not
    // local minima are settled here, before any LP or piece is built.
    if limits.probe {
        if deadline.expired() {
            return Ok(time_limit(&loss, "the first-order probe"));
        }
        if let Some(found) = probe_stage::quick_descent(problem, params, &views, &loss, deadline) {
            return stop(
                "the first-order probe",
                certificate::descended(inst, loss.clone(), found),
            );
        }
    }
    // Linear models (deep linear networks, or no hidden layer): the loss
    // is at least the optimum over all linear (affine, with any bias)
    // classifiers, an LP whose dual proves it.
    if deadline.expired() {
        return Ok(time_limit(&loss, "the linear-model bounds"));
    }
    let bound = bounds::linear_lower_bound_within(problem, deadline);
    if let Some(out) = bounds::decide(inst, &loss, bound.as_ref(), deadline) {
        return stop("the linear-model bounds", out);
    }
    if let Some(out) = regression_bounds::decide(inst, &loss, deadline) {
        return stop("the linear-model bounds", out);
    }
    // Any architecture: the loss is at least its optimum over arbitrary
    // outputs per distinct input, an LP whose dual proves it.
    if deadline.expired() {
        return Ok(time_limit(&loss, "the linear-model bounds"));
    }
    if let Some(out) = function_space::decide(inst, &loss, deadline) {
        return stop("the function-space bound", out);
    }
    if deadline.expired() {
        return Ok(time_limit(&loss, "the function-space bound"));
    }
    let ev = problem.evaluate(params);
    // Path lifting before the pieces, the arcs and the second-order proof
    // when its completions are few (at most 16 LPs): a point whose
    // neighbours are affine on the data up to few kinks (dead units, hinge
    // corners) is proven without enumerating the corners' regions.
    let lifting_early = limits.local_bounds && path_lifting_stage::few_completions(problem, &ev);
    let lifting = || path_lifting_stage::decide(inst, params, &loss, limits.max_pieces, deadline);
    if lifting_early {
        if let Some(out) = lifting() {
            return stop("the path-lifting bound", out);
        }
        if deadline.expired() {
            return Ok(time_limit(&loss, "the path-lifting bound"));
        }
    }
    let sig = Signature::of(problem, &ev);
    let sides = flat::piece_sides(&ev, &sig, problem.loss.is_regression(), limits.max_pieces);
    // the local model (kinks, terms, Taylor data), shared by the stages below
    let model = LocalModel::new(problem, params, &sig);
    if deadline.expired() {
        return Ok(time_limit(&loss, "building the local model"));
    }
    let squared = problem.loss == crate::network::LossKind::Squared;
    if squared {
        // the piecewise second-order proof of THEORY 5 is for sums of hinge
        // terms (multilinear pieces); the squared loss is not one
    } else if let Some(out) = second_order_stage::early(
        inst,
        &model,
        &loss,
        sides.all.len(),
        bound.is_some(),
        limits.max_pieces,
        deadline,
    ) {
        return stop("the second-order analysis", out);
    }
    if deadline.expired() {
        return Ok(time_limit(&loss, "the second-order analysis"));
    }
    let pieces = match flat::pieces(problem, &sig, &sides, &loss, deadline)? {
        ControlFlow::Break(out) => return stop("building pieces", out),
        ControlFlow::Continue(pieces) => pieces,
    };
    if let Some(out) = flat::decide(inst, &loss, &sides, &pieces) {
        return stop("building pieces", out);
    }
    // Many completions: path lifting before the arcs where the
    // second-order proof cannot apply (regression, or not one hidden
    // layer); elsewhere after it, so that its certificates stay what they
    // were. (Few completions: it ran above.)
    let lifting_first =
        !lifting_early && (problem.loss.is_regression() || problem.arch.hidden_layers() != 1);
    if lifting_first && limits.local_bounds {
        if let Some(out) = lifting() {
            return stop("the path-lifting bound", out);
        }
    }
    // regression: the local pattern-star bound (hinge: after second order)
    let star = if problem.loss.is_regression() && limits.local_bounds {
        match star_stage::decide(inst, &loss, deadline) {
            Ok(out) => return stop("the pattern-star bound", out),
            Err(e) => star_stage::note(&e),
        }
    } else {
        None
    };
    let tried = match arcs::search(
        inst,
        &model,
        &sig,
        &sides.all,
        bound.as_ref(),
        &pieces,
        &loss,
        deadline,
    ) {
        ControlFlow::Break(out) => return stop("the arc search", out),
        ControlFlow::Continue(tried) => tried,
    };
    if deadline.expired() {
        return Ok(time_limit(&loss, "the arc search"));
    }
    if squared {
        let theta = params.flat();
        let mut out =
            squared_stage::finish(inst, &theta, &sig, &sides, &pieces, &loss, tried, deadline);
        if out.verdict == Verdict::Undecided {
            if let Some(note) = star {
                out.reason = format!("{} ({note})", out.reason);
            }
        }
        return stop("the squared second-order analysis", out);
    }
    let mut out = second_order_stage::finish(
        inst,
        &model,
        &loss,
        limits.max_pieces,
        deadline,
        tried,
        &pieces,
        &sides.note,
    );
    // two or more hidden layers: the second-order condition on the slice
    if out.verdict == Verdict::Undecided && problem.arch.hidden_layers() >= 2 && !deadline.expired()
    {
        match deep_second_order_stage::decide(
            inst,
            params,
            &sig,
            &loss,
            limits.max_pieces,
            deadline,
        ) {
            Ok(decided) => return stop("the deep second-order analysis", decided),
            Err(why) => {
                out.reason = format!("{}; the deep second-order proof fails: {why}", out.reason)
            }
        }
    }
    if out.verdict == Verdict::Undecided
        && !lifting_first
        && !lifting_early
        && limits.local_bounds
        && !deadline.expired()
    {
        if let Some(proved) = lifting() {
            return stop("the path-lifting bound", proved);
        }
    }
    if out.verdict == Verdict::Undecided
        && problem.loss == crate::network::LossKind::Hinge
        && limits.local_bounds
        && !deadline.expired()
    {
        if let Ok(star) = star_stage::decide(inst, &loss, deadline) {
            return stop("the pattern-star bound", star);
        }
    }
    stop("the second-order analysis", out)
}

#[cfg(test)]
mod tests {
    use super::{verify, Limits, VerifyError};
    use crate::instance;
    use std::path::Path;

    /// Without a point, `verify` says so, in the words it always used.
    #[test]
    fn no_point_is_a_typed_error_with_the_old_text() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/relu-kink-descent.toml");
        let mut inst = instance::load(&path).expect("fixture loads");
        assert!(verify(&inst, &Limits::default()).is_ok());
        inst.point = None;
        let err = verify(&inst, &Limits::default()).expect_err("no point");
        assert_eq!(err, VerifyError::NoPoint);
        assert_eq!(
            err.to_string(),
            "point: missing table: verify needs a [point] table"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.source().is_none());
    }
}
