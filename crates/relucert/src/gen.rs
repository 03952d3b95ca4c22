//! Seedable generators of instances: the corpora that `relucert gen` writes
//! and `relucert corpus` runs the verifier on.
//!
//! Owns: the families of generated instances (`Family`), a small
//! deterministic PRNG (splitmix64, no crate), and one generator per family
//! that returns an `Instance` (FORMAT.md content) together with the zero
//! entries its construction promises. Every instance is a pure function of
//! (family, seed, index) and carries the `source` line that reproduces it
//! (`relucert gen --family F --seed S --index I`). All coordinates are exact
//! rationals with small numerators and denominators; data sets include
//! degenerate positions (repeated points, collinear points, the origin,
//! zero coordinates).
//!
//! Families:
//! - `separable` / `nonseparable`: binary data that some affine (linear,
//!   without a first-layer bias) map separates, or that an explicit
//!   obstruction (a point with both labels, a parallelogram with alternating
//!   labels, a convex combination labelled against its ends) makes
//!   non-separable; one hidden layer, relu or leaky, random points;
//! - `kinks`: one hidden layer; chosen pre-activations made exactly 0 by
//!   solving for the bias or weight coordinates, chosen margins made exactly
//!   1 by rescaling the output layer or solving for output parameters;
//! - `dead`: relu units with strictly negative pre-activations on all or
//!   some points, the output bias at (or off) the best constant, which puts
//!   dead points on the hinge corner;
//! - `zero-loss`: zero-loss global minima with smallest margin exactly 1;
//! - `linear`: deep linear networks (depth 2..=4, width <= 3) at the origin,
//!   at factorisations of an LP-optimal affine classifier, with a zero
//!   factor, or at random points;
//! - `saddle`: one hidden layer with zero outgoing weights for some units;
//! - `random`: random architectures and points.
//!
//! `[expect]` entries are written only where the construction establishes
//! them independently of the verifier: zero loss (global minimum); the loss
//! of an end-to-end affine map or of a constant output, computed here by a
//! closed formula; the optimum of an exact LP over all affine classifiers
//! (a lower bound no network of the family can beat); local minimality of
//! an output bias over strictly dead relu units (the loss is then a convex
//! function of the output bias alone near the point).
//!
//! Must not: decide anything about the instances it writes (that is
//! `verify`), weaken an expectation to make it pass, read files, or draw
//! randomness from anywhere but the seed.

use crate::instance::{Expect, Instance};
use crate::linalg;
use crate::lp::{self, Cmp, LpResult, Sense, VarId};
use crate::network::ZeroEntry;
use crate::network::{Activation, Architecture, Data, LayerParams, LossKind, Params, Problem};
use crate::number::{qf, qi, Q};
use crate::rng::Rng;
use num_traits::{One, Signed, Zero};

/// A family of generated instances; `name()` is its command-line value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Separable,
    Nonseparable,
    Kinks,
    Dead,
    ZeroLoss,
    Linear,
    Saddle,
    Random,
}

impl Family {
    /// Every family, in the order of `relucert gen --help`.
    pub const ALL: [Family; 8] = [
        Family::Separable,
        Family::Nonseparable,
        Family::Kinks,
        Family::Dead,
        Family::ZeroLoss,
        Family::Linear,
        Family::Saddle,
        Family::Random,
    ];

    /// The default corpus of `relucert corpus` (issue 5: deep linear depth
    /// 2-4 width <= 3; one hidden layer width <= 3, N <= 8, d <= 3, points
    /// on kinks and hinge corners).
    pub const DEFAULT_CORPUS: [Family; 4] =
        [Family::Linear, Family::Kinks, Family::Dead, Family::Saddle];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Separable => "separable",
            Family::Nonseparable => "nonseparable",
            Family::Kinks => "kinks",
            Family::Dead => "dead",
            Family::ZeroLoss => "zero-loss",
            Family::Linear => "linear",
            Family::Saddle => "saddle",
            Family::Random => "random",
        }
    }

    /// Parse a command-line name.
    pub fn parse(text: &str) -> Result<Family, String> {
        let t = text.trim();
        Family::ALL
            .iter()
            .copied()
            .find(|f| f.name() == t)
            .ok_or_else(|| {
                format!(
                    "unknown family `{t}` (expected one of: {})",
                    Family::ALL.map(Family::name).join(", ")
                )
            })
    }

    /// Parse a comma-separated list of names (duplicates dropped, order kept).
    pub fn parse_list(text: &str) -> Result<Vec<Family>, String> {
        let mut out: Vec<Family> = Vec::new();
        for part in text.split(',') {
            if part.trim().is_empty() {
                return Err(format!(
                    "empty family name in `{text}` (expected comma-separated names from: {})",
                    Family::ALL.map(Family::name).join(", ")
                ));
            }
            let f = Family::parse(part)?;
            if !out.contains(&f) {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// A tag mixed into the seed: FNV-1a of the name, so that the streams
    /// do not depend on the order of `ALL`.
    fn tag(self) -> u64 {
        self.name().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

/// The random stream of one generated instance.
pub fn instance_rng(family: Family, seed: u64, index: u64) -> Rng {
    let mut r = Rng::new(seed);
    let a = r.next_u64();
    let mut r = Rng::new(
        a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ family.tag().wrapping_mul(0x8CB9_2BA7_2F3D_8DD7),
    );
    r.next_u64();
    r
}

/// A generated instance and the zero entries of its signature that the
/// construction promises (zero pre-activations, unit margins); the
/// signature may have more, never fewer.
#[derive(Clone, Debug)]
pub struct Generated {
    pub instance: Instance,
    pub promised: Vec<ZeroEntry>,
}

/// The command that reproduces one instance.
pub fn source_line(family: Family, seed: u64, index: u64) -> String {
    format!(
        "relucert gen --family {} --seed {seed} --index {index}",
        family.name()
    )
}

/// The file name `gen` gives one instance: `F-SEED-INDEX.toml`.
pub fn file_name(family: Family, seed: u64, index: u64) -> String {
    format!("{}-{seed}-{index}.toml", family.name())
}

/// Generate instance `index` of `family` from `seed`. Deterministic.
pub fn generate(family: Family, seed: u64, index: u64) -> Generated {
    let mut rng = instance_rng(family, seed, index);
    let draft = match family {
        Family::Separable => separable(&mut rng),
        Family::Nonseparable => nonseparable(&mut rng),
        Family::Kinks => kinks(&mut rng),
        Family::Dead => dead(&mut rng),
        Family::ZeroLoss => zero_loss(&mut rng),
        Family::Linear => linear(&mut rng),
        Family::Saddle => saddle(&mut rng),
        Family::Random => random(&mut rng),
    };
    let Draft {
        arch,
        loss,
        x,
        y,
        layers,
        expect,
        promised,
        what,
    } = draft;
    let any = expect.local_min.is_some() || expect.global_min.is_some() || expect.loss.is_some();
    Generated {
        instance: Instance {
            name: Some(format!("{}-{seed}-{index}: {what}", family.name())),
            source: Some(source_line(family, seed, index)),
            problem: Problem {
                arch,
                loss,
                data: Data { x, y },
            },
            point: Some(Params { layers }),
            expect: any.then_some(expect),
        },
        promised,
    }
}

// ---------------------------------------------------------------------------
// Building blocks

/// Everything a family generator decides, before naming.
struct Draft {
    arch: Architecture,
    loss: LossKind,
    x: Vec<Vec<Q>>,
    y: Vec<i64>,
    layers: Vec<LayerParams>,
    expect: Expect,
    promised: Vec<ZeroEntry>,
    what: String,
}

const DENOMINATORS: [i64; 6] = [1, 1, 1, 2, 3, 4];

/// A small rational `p/q`, `|p| <= m` (zero with probability about 1/(2m+1)).
fn small_q(rng: &mut Rng, m: i64) -> Q {
    let p = rng.int(-m, m);
    qf(p, rng.pick(&DENOMINATORS))
}

/// A small nonzero rational.
fn nonzero_q(rng: &mut Rng, m: i64) -> Q {
    let p = rng.int(1, m.max(1)) * if rng.chance(1, 2) { 1 } else { -1 };
    qf(p, rng.pick(&DENOMINATORS))
}

/// `n` points in dimension `d` with degenerate positions: repeated points,
/// collinear triples, the origin, zero coordinates.
fn points(rng: &mut Rng, n: usize, d: usize) -> Vec<Vec<Q>> {
    let mut xs: Vec<Vec<Q>> = Vec::with_capacity(n);
    while xs.len() < n {
        let i = xs.len();
        let roll = rng.below(20);
        let x = if i >= 1 && roll < 2 {
            xs[rng.below(i)].clone()
        } else if i >= 2 && roll < 5 {
            let pair = rng.sample(i, 2);
            let a = xs[pair[0]].clone();
            let b = xs[pair[1]].clone();
            let t = rng.pick(&[qf(-1, 1), qf(1, 2), qi(2), qf(3, 2), qf(-1, 2), qf(1, 3)]);
            a.iter().zip(&b).map(|(p, q)| p + &t * (q - p)).collect()
        } else if roll < 6 {
            vec![Q::zero(); d]
        } else {
            (0..d)
                .map(|_| {
                    if d >= 2 && rng.chance(1, 5) {
                        Q::zero()
                    } else {
                        small_q(rng, 3)
                    }
                })
                .collect()
        };
        xs.push(x);
    }
    xs
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (p, q)| acc + p * q)
}

/// `W x + b` of one layer.
fn affine(layer: &LayerParams, x: &[Q]) -> Vec<Q> {
    layer
        .w
        .iter()
        .enumerate()
        .map(|(j, row)| {
            let z = dot(row, x);
            match &layer.b {
                Some(b) => z + &b[j],
                None => z,
            }
        })
        .collect()
}

/// Outputs of a network with any number of hidden layers.
fn outputs(act: &Activation, layers: &[LayerParams], x: &[Q]) -> Vec<Q> {
    let mut a = x.to_vec();
    for (l, layer) in layers.iter().enumerate() {
        let z = affine(layer, &a);
        if l + 1 == layers.len() {
            return z;
        }
        a = z.iter().map(|t| act.apply(t)).collect();
    }
    a
}

/// Hidden activations of a one-hidden-layer network.
fn hidden(act: &Activation, layers: &[LayerParams], x: &[Q]) -> Vec<Q> {
    affine(&layers[0], x).iter().map(|t| act.apply(t)).collect()
}

fn pos(q: Q) -> Q {
    if q.is_positive() {
        q
    } else {
        Q::zero()
    }
}

/// One point's hinge loss from its outputs (FORMAT.md), written out here.
fn point_hinge(loss: LossKind, f: &[Q], y: i64) -> Q {
    match loss {
        LossKind::Hinge => pos(Q::one() - qi(y) * &f[0]),
        LossKind::MulticlassHinge => {
            let fy = &f[y as usize];
            (0..f.len())
                .filter(|&k| k != y as usize)
                .fold(Q::zero(), |acc, k| acc + pos(Q::one() + &f[k] - fy))
        }
        LossKind::CrammerSinger => {
            let fy = &f[y as usize];
            let best = (0..f.len())
                .filter(|&k| k != y as usize)
                .map(|k| f[k].clone())
                .max()
                .unwrap_or_else(Q::zero);
            pos(Q::one() + best - fy)
        }
    }
}

/// Average hinge loss of given outputs.
fn average_loss(loss: LossKind, outs: &[Vec<Q>], ys: &[i64]) -> Q {
    let total = outs
        .iter()
        .zip(ys)
        .fold(Q::zero(), |acc, (f, &y)| acc + point_hinge(loss, f, y));
    total / qi(ys.len().max(1) as i64)
}

/// Margin (binary `y f`; multiclass `f_y - max_{k != y} f_k`) and, for the
/// multiclass losses, the competitors attaining the max.
fn margin(loss: LossKind, f: &[Q], y: i64) -> (Q, Vec<usize>) {
    if loss == LossKind::Hinge {
        return (qi(y) * &f[0], Vec::new());
    }
    let yc = y as usize;
    let best = (0..f.len())
        .filter(|&k| k != yc)
        .map(|k| f[k].clone())
        .max()
        .unwrap_or_else(Q::zero);
    let arg = (0..f.len()).filter(|&k| k != yc && f[k] == best).collect();
    (&f[yc] - best, arg)
}

fn kink_activation(rng: &mut Rng) -> Activation {
    if rng.chance(1, 2) {
        Activation::Relu
    } else {
        Activation::Leaky(rng.pick(&[qf(1, 10), qf(1, 4), qf(1, 3), qf(1, 2)]))
    }
}

/// A loss and its output width: binary with probability `binary` / 4.
fn loss_choice(rng: &mut Rng, binary: u64) -> (LossKind, usize) {
    if rng.chance(binary, 4) {
        (LossKind::Hinge, 1)
    } else {
        let kind = if rng.chance(1, 2) {
            LossKind::MulticlassHinge
        } else {
            LossKind::CrammerSinger
        };
        (kind, rng.range(2, 3))
    }
}

fn labels(rng: &mut Rng, n: usize, loss: LossKind, k: usize) -> Vec<i64> {
    (0..n)
        .map(|_| {
            if loss == LossKind::Hinge {
                if rng.chance(1, 2) {
                    1
                } else {
                    -1
                }
            } else {
                rng.below(k) as i64
            }
        })
        .collect()
}

fn random_layer(rng: &mut Rng, rows: usize, cols: usize, bias: bool) -> LayerParams {
    LayerParams {
        w: (0..rows)
            .map(|_| (0..cols).map(|_| small_q(rng, 3)).collect())
            .collect(),
        b: bias.then(|| (0..rows).map(|_| small_q(rng, 3)).collect()),
    }
}

fn zero_layer(rows: usize, cols: usize, bias: bool) -> LayerParams {
    LayerParams {
        w: vec![vec![Q::zero(); cols]; rows],
        b: bias.then(|| vec![Q::zero(); rows]),
    }
}

fn random_layers(rng: &mut Rng, arch: &Architecture) -> Vec<LayerParams> {
    (1..=arch.depth())
        .map(|l| random_layer(rng, arch.widths[l], arch.widths[l - 1], arch.bias[l - 1]))
        .collect()
}

fn one_hidden(d: usize, h: usize, k: usize, act: Activation, bias: [bool; 2]) -> Architecture {
    Architecture {
        widths: vec![d, h, k],
        activation: act,
        bias: bias.to_vec(),
    }
}

fn act_text(a: &Activation) -> String {
    match a {
        Activation::Leaky(alpha) => format!("leaky {}", crate::number::fmt_q(alpha)),
        other => other.name().to_string(),
    }
}

fn shape_text(arch: &Architecture, loss: LossKind, n: usize) -> String {
    let w: Vec<String> = arch.widths.iter().map(usize::to_string).collect();
    format!(
        "{} {} {}, N = {n}",
        act_text(&arch.activation),
        w.join("-"),
        loss.name()
    )
}

/// Scale the output layer (weights and bias) by `s`.
fn scale_layer(layer: &mut LayerParams, s: &Q) {
    for row in &mut layer.w {
        for v in row.iter_mut() {
            *v *= s;
        }
    }
    if let Some(b) = &mut layer.b {
        for v in b.iter_mut() {
            *v *= s;
        }
    }
}

/// Make unit `j`'s first-layer pre-activation exactly 0 on the points
/// `pts` by solving for as many of its parameters (weight coordinates, or
/// the bias) as there are points. Tries fewer points when a system has no
/// solution. Returns the points constrained, plus every other point equal
/// to one of them (its pre-activation is then 0 as well).
fn zero_preactivations(
    rng: &mut Rng,
    layer: &mut LayerParams,
    j: usize,
    pts: &[usize],
    xs: &[Vec<Q>],
) -> Vec<usize> {
    let d = layer.w[j].len();
    let slots = d + usize::from(layer.b.is_some());
    let coef = |x: &[Q], s: usize| -> Q {
        if s < d {
            x[s].clone()
        } else {
            Q::one()
        }
    };
    let z = |layer: &LayerParams, i: usize| -> Q {
        dot(&layer.w[j], &xs[i]) + layer.b.as_ref().map_or_else(Q::zero, |b| b[j].clone())
    };
    for m in (1..=pts.len().min(slots)).rev() {
        let chosen = &pts[..m];
        if chosen.iter().all(|&i| z(layer, i).is_zero()) {
            // already on the kink (e.g. the origin without a bias)
            return equal_points(chosen, xs);
        }
        let useful: Vec<usize> = (0..slots)
            .filter(|&s| chosen.iter().any(|&i| !coef(&xs[i], s).is_zero()))
            .collect();
        if useful.len() < m {
            continue;
        }
        for _ in 0..4 {
            let free: Vec<usize> = rng
                .sample(useful.len(), m)
                .into_iter()
                .map(|t| useful[t])
                .collect();
            let a: Vec<Vec<Q>> = chosen
                .iter()
                .map(|&i| free.iter().map(|&s| coef(&xs[i], s)).collect())
                .collect();
            // changes of the free slots: sum_s coef_s delta_s = -z_i
            let rhs: Vec<Q> = chosen.iter().map(|&i| -z(layer, i)).collect();
            if let Some(delta) = linalg::solve(&a, &rhs) {
                for (&s, dv) in free.iter().zip(delta) {
                    if s < d {
                        layer.w[j][s] += dv;
                    } else if let Some(b) = &mut layer.b {
                        b[j] += dv;
                    }
                }
                return equal_points(chosen, xs);
            }
        }
    }
    Vec::new()
}

/// The points equal to one of `chosen` (sorted indices).
fn equal_points(chosen: &[usize], xs: &[Vec<Q>]) -> Vec<usize> {
    (0..xs.len())
        .filter(|&i| chosen.iter().any(|&c| xs[c] == xs[i]))
        .collect()
}

fn pre_entries(points: &[usize], unit: usize) -> Vec<ZeroEntry> {
    points
        .iter()
        .map(|&point| ZeroEntry::PreActivation {
            point,
            layer: 1,
            unit,
        })
        .collect()
}

/// Put the chosen points of a one-hidden-layer network at margin exactly 1
/// (hinge argument exactly 0): first by rescaling the output layer (which
/// keeps every ratio, so the Weston-Watkins and Crammer-Singer competitor
/// order), then by solving a small linear system for output parameters.
/// Returns the promised hinge zero entries.
fn unit_margins(
    rng: &mut Rng,
    loss: LossKind,
    act: &Activation,
    layers: &mut [LayerParams],
    xs: &[Vec<Q>],
    ys: &[i64],
    chosen: &[usize],
) -> Vec<ZeroEntry> {
    let Some(&first) = chosen.first() else {
        return Vec::new();
    };
    let hid: Vec<Vec<Q>> = xs.iter().map(|x| hidden(act, layers, x)).collect();
    let out_of = |layers: &[LayerParams], i: usize| affine(&layers[1], &hid[i]);
    let (m, arg) = margin(loss, &out_of(layers, first), ys[first]);
    let scaled = match loss {
        LossKind::Hinge => !m.is_zero(),
        _ => m.is_positive(),
    };
    let mut promised = Vec::new();
    if scaled {
        let s = Q::one() / &m;
        scale_layer(&mut layers[1], &s);
        promised = match loss {
            LossKind::MulticlassHinge => arg
                .iter()
                .map(|&k| ZeroEntry::Hinge {
                    point: first,
                    class: Some(k),
                })
                .collect(),
            _ => vec![ZeroEntry::Hinge {
                point: first,
                class: None,
            }],
        };
        if chosen.len() == 1 || loss == LossKind::CrammerSinger {
            return promised;
        }
    }
    // Constraints (point, competitor): binary y f = 1; multiclass f_y - f_k = 1.
    let mut constraints: Vec<(usize, Option<usize>)> = Vec::new();
    for (n, &i) in chosen.iter().enumerate() {
        if loss == LossKind::CrammerSinger && n > 0 {
            break;
        }
        let class = match loss {
            LossKind::Hinge => None,
            LossKind::CrammerSinger => margin(loss, &out_of(layers, i), ys[i]).1.first().copied(),
            LossKind::MulticlassHinge => {
                if n == 0 && scaled {
                    arg.first().copied()
                } else {
                    let others: Vec<usize> = (0..layers[1].w.len())
                        .filter(|&k| k != ys[i] as usize)
                        .collect();
                    Some(rng.pick(&others))
                }
            }
        };
        constraints.push((i, class));
    }
    let h = layers[1].w.first().map_or(0, Vec::len);
    let k_out = layers[1].w.len();
    let has_bias = layers[1].b.is_some();
    let nparams = k_out * h + if has_bias { k_out } else { 0 };
    // coefficient of output parameter p in constraint c
    let coef = |p: usize, (i, class): (usize, Option<usize>)| -> Q {
        let (row, value) = if p < k_out * h {
            (p / h, hid[i][p % h].clone())
        } else {
            (p - k_out * h, Q::one())
        };
        match class {
            None => {
                if row == 0 {
                    qi(ys[i]) * value
                } else {
                    Q::zero()
                }
            }
            Some(k) => {
                let y = ys[i] as usize;
                if row == y {
                    value
                } else if row == k {
                    -value
                } else {
                    Q::zero()
                }
            }
        }
    };
    let current = |layers: &[LayerParams], (i, class): (usize, Option<usize>)| -> Q {
        let f = out_of(layers, i);
        match class {
            None => qi(ys[i]) * &f[0],
            Some(k) => &f[ys[i] as usize] - &f[k],
        }
    };
    let mut attempts: Vec<Vec<(usize, Option<usize>)>> = vec![constraints.clone()];
    if constraints.len() > 1 {
        attempts.extend(constraints.iter().map(|&c| vec![c]));
    }
    for cs in &attempts {
        let m = cs.len();
        // Crammer-Singer: only the label's row may move, so the competitor order stays
        let candidates: Vec<usize> = (0..nparams)
            .filter(|&p| cs.iter().any(|&c| !coef(p, c).is_zero()))
            .filter(|&p| {
                loss != LossKind::CrammerSinger || {
                    let row = if p < k_out * h { p / h } else { p - k_out * h };
                    row == ys[cs[0].0] as usize
                }
            })
            .collect();
        if candidates.len() < m {
            continue;
        }
        for _ in 0..6 {
            let free: Vec<usize> = rng
                .sample(candidates.len(), m)
                .into_iter()
                .map(|t| candidates[t])
                .collect();
            let a: Vec<Vec<Q>> = cs
                .iter()
                .map(|&c| free.iter().map(|&p| coef(p, c)).collect())
                .collect();
            let rhs: Vec<Q> = cs.iter().map(|&c| Q::one() - current(layers, c)).collect();
            let Some(delta) = linalg::solve(&a, &rhs) else {
                continue;
            };
            for (&p, dv) in free.iter().zip(delta) {
                if p < k_out * h {
                    layers[1].w[p / h][p % h] += dv;
                } else if let Some(b) = &mut layers[1].b {
                    b[p - k_out * h] += dv;
                }
            }
            return cs
                .iter()
                .map(|&(point, class)| ZeroEntry::Hinge {
                    point,
                    class: if loss == LossKind::CrammerSinger {
                        None
                    } else {
                        class
                    },
                })
                .collect();
        }
    }
    promised
}

/// An exact LP: the best affine (`affine`) or linear map `f(x) = A x + c`
/// for the hinge loss of the data, minimising `(1/N) sum_i loss_i`.
/// Returns (optimum, A as K rows, c). `None` only if the LP engine's answer
/// fails its own exact check.
fn best_affine(
    loss: LossKind,
    xs: &[Vec<Q>],
    ys: &[i64],
    k: usize,
    affine: bool,
) -> Option<(Q, Vec<Vec<Q>>, Vec<Q>)> {
    let n = xs.len();
    let d = xs.first().map_or(0, Vec::len);
    let inv_n = Q::one() / qi(n.max(1) as i64);
    let mut model = lp::Lp::new(Sense::Minimize);
    let a: Vec<Vec<VarId>> = (0..k)
        .map(|_| (0..d).map(|_| model.add_var(None, None)).collect())
        .collect();
    let c: Vec<Option<VarId>> = (0..k)
        .map(|_| affine.then(|| model.add_var(None, None)))
        .collect();
    // s * f_r(x) as LP terms
    let f_terms = |r: usize, x: &[Q], s: &Q| -> Vec<(VarId, Q)> {
        let mut t: Vec<(VarId, Q)> = a[r].iter().zip(x).map(|(v, xi)| (*v, s * xi)).collect();
        if let Some(cv) = c[r] {
            t.push((cv, s.clone()));
        }
        t
    };
    let mut objective = Vec::new();
    for (x, &y) in xs.iter().zip(ys) {
        match loss {
            LossKind::Hinge => {
                let xi = model.add_var(Some(Q::zero()), None);
                let mut row = vec![(xi, Q::one())];
                row.extend(f_terms(0, x, &qi(y)));
                model.add_row(row, Cmp::Ge, Q::one());
                objective.push((xi, inv_n.clone()));
            }
            LossKind::MulticlassHinge | LossKind::CrammerSinger => {
                let yc = y as usize;
                let shared =
                    (loss == LossKind::CrammerSinger).then(|| model.add_var(Some(Q::zero()), None));
                if let Some(xi) = shared {
                    objective.push((xi, inv_n.clone()));
                }
                for other in (0..k).filter(|&r| r != yc) {
                    let xi = match shared {
                        Some(v) => v,
                        None => {
                            let v = model.add_var(Some(Q::zero()), None);
                            objective.push((v, inv_n.clone()));
                            v
                        }
                    };
                    // xi >= 1 + f_other - f_y
                    let mut row = vec![(xi, Q::one())];
                    row.extend(f_terms(other, x, &qi(-1)));
                    row.extend(f_terms(yc, x, &Q::one()));
                    model.add_row(row, Cmp::Ge, Q::one());
                }
            }
        }
    }
    model.set_objective(objective);
    let result = lp::solve(&model);
    lp::verify(&model, &result).ok()?;
    let LpResult::Optimal { x, value, .. } = result else {
        return None;
    };
    let amat = a
        .iter()
        .map(|row| row.iter().map(|v| x[v.0].clone()).collect())
        .collect();
    let cvec = c
        .iter()
        .map(|v| v.map_or_else(Q::zero, |v| x[v.0].clone()))
        .collect();
    Some((value, amat, cvec))
}

/// Random binary labels from an affine (or linear) separator `(u, c)`:
/// points exactly on the separating hyperplane are moved off it along `u`.
fn separated_labels(rng: &mut Rng, xs: &mut [Vec<Q>], with_offset: bool) -> (Vec<Q>, Q, Vec<i64>) {
    let d = xs.first().map_or(0, Vec::len);
    let mut u: Vec<Q> = (0..d).map(|_| small_q(rng, 2)).collect();
    if u.iter().all(Zero::is_zero) {
        let k = rng.below(d);
        u[k] = nonzero_q(rng, 2);
    }
    let values: Vec<Q> = xs.iter().map(|x| dot(&u, x)).collect();
    let c = if with_offset {
        let a = rng.pick(&values);
        let b = rng.pick(&values);
        -(a + b) / qi(2)
    } else {
        Q::zero()
    };
    let norm2 = dot(&u, &u);
    let mut ys = Vec::with_capacity(xs.len());
    for x in xs.iter_mut() {
        let mut s = dot(&u, x) + &c;
        if s.is_zero() {
            let eps = if rng.chance(1, 2) {
                qf(1, 2)
            } else {
                qf(-1, 2)
            };
            for (xi, ui) in x.iter_mut().zip(&u) {
                *xi += &eps * ui;
            }
            s = eps * &norm2;
        }
        ys.push(if s.is_positive() { 1 } else { -1 });
    }
    (u, c, ys)
}

// ---------------------------------------------------------------------------
// Families

fn separable(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let h = rng.range(1, 3);
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let mut x = points(rng, n, d);
    let (_, _, y) = separated_labels(rng, &mut x, bias[0]);
    let arch = one_hidden(d, h, 1, act, bias);
    let layers = random_layers(rng, &arch);
    let what = format!(
        "{}, data {} separable, random point",
        shape_text(&arch, LossKind::Hinge, n),
        if bias[0] { "affinely" } else { "linearly" }
    );
    Draft {
        arch,
        loss: LossKind::Hinge,
        x,
        y,
        layers,
        expect: Expect::default(),
        promised: Vec::new(),
        what,
    }
}

fn nonseparable(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let h = rng.range(1, 3);
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let s = if rng.chance(1, 2) { 1 } else { -1 };
    let base = points(rng, 3, d);
    let (mut pts, obstruction): (Vec<(Vec<Q>, i64)>, &str) = match rng.below(3) {
        // one point with both labels
        0 => (
            vec![(base[0].clone(), s), (base[0].clone(), -s)],
            "a point with both labels",
        ),
        // parallelogram a, a+v, a+v+w, a+w with alternating labels:
        // g(a) + g(a+v+w) = g(a+v) + g(a+w) for every affine g
        1 => {
            let a = &base[0];
            let v = &base[1];
            let w = &base[2];
            let p2: Vec<Q> = a.iter().zip(v).map(|(p, q)| p + q).collect();
            let p3: Vec<Q> = p2.iter().zip(w).map(|(p, q)| p + q).collect();
            let p4: Vec<Q> = a.iter().zip(w).map(|(p, q)| p + q).collect();
            (
                vec![(a.clone(), s), (p2, -s), (p3, s), (p4, -s)],
                "a parallelogram with alternating labels",
            )
        }
        // a convex combination labelled against both ends
        _ => {
            let t = rng.pick(&[qf(1, 2), qf(1, 3), qf(2, 3)]);
            let mid: Vec<Q> = base[0]
                .iter()
                .zip(&base[1])
                .map(|(p, q)| &t * p + (Q::one() - &t) * q)
                .collect();
            (
                vec![(base[0].clone(), s), (base[1].clone(), s), (mid, -s)],
                "a convex combination labelled against its ends",
            )
        }
    };
    let extra = rng.range(0, 8 - pts.len());
    for x in points(rng, extra, d) {
        let y = if rng.chance(1, 2) { 1 } else { -1 };
        pts.push((x, y));
    }
    rng.shuffle(&mut pts);
    let n = pts.len();
    let (x, y): (Vec<Vec<Q>>, Vec<i64>) = pts.into_iter().unzip();
    let arch = one_hidden(d, h, 1, act, bias);
    let layers = random_layers(rng, &arch);
    let what = format!(
        "{}, data not separable ({obstruction}), random point",
        shape_text(&arch, LossKind::Hinge, n)
    );
    Draft {
        arch,
        loss: LossKind::Hinge,
        x,
        y,
        layers,
        expect: Expect::default(),
        promised: Vec::new(),
        what,
    }
}

fn kinks(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let h = rng.range(1, 3);
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let (loss, k) = loss_choice(rng, 2);
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let arch = one_hidden(d, h, k, act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let mut promised = Vec::new();
    let units = rng.sample_some(h, 1, h);
    for &j in &units {
        let pts = rng.sample_some(n, 1, 2);
        let zeros = zero_preactivations(rng, &mut layers[0], j, &pts, &x);
        promised.extend(pre_entries(&zeros, j));
    }
    let nz = promised.len();
    let chosen = rng.sample_some(n, 1, 2);
    let hinge = unit_margins(rng, loss, &act, &mut layers, &x, &y, &chosen);
    let what = format!(
        "{}, {nz} zero pre-activations and {} unit margins by construction",
        shape_text(&arch, loss, n),
        hinge.len()
    );
    promised.extend(hinge);
    Draft {
        arch,
        loss,
        x,
        y,
        layers,
        expect: Expect::default(),
        promised,
        what,
    }
}

/// The best constant output `c` (an LP over `c` alone) and the loss of a
/// given constant, both by formula: with every unit strictly dead the
/// network's output is its output bias at every nearby parameter point.
fn best_constant(loss: LossKind, ys: &[i64], k: usize) -> Option<(Q, Vec<Q>)> {
    let empty: Vec<Vec<Q>> = vec![Vec::new(); ys.len()];
    best_affine(loss, &empty, ys, k, true).map(|(v, _, c)| (v, c))
}

fn dead(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let h = rng.range(1, 3);
    let (loss, k) = loss_choice(rng, 3);
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let all_dead = rng.chance(1, 2);
    let bias = [all_dead || rng.chance(2, 3), rng.chance(3, 4)];
    let arch = one_hidden(d, h, k, Activation::Relu, bias);
    let mut layers = random_layers(rng, &arch);
    let mut expect = Expect::default();
    let mut promised = Vec::new();
    let what;
    if all_dead {
        // every unit strictly negative on every point
        for j in 0..h {
            let top = x
                .iter()
                .map(|xi| dot(&layers[0].w[j], xi))
                .max()
                .unwrap_or_else(Q::zero);
            let gap = rng.pick(&[qi(1), qf(1, 2), qf(1, 3), qi(3)]);
            if let Some(b) = &mut layers[0].b {
                b[j] = -top - gap;
            }
        }
        let opt = if bias[1] {
            best_constant(loss, &y, k)
        } else {
            None
        };
        let at_optimum = opt.is_some() && rng.chance(2, 3);
        if let (true, Some((_, c))) = (at_optimum, &opt) {
            if let Some(b) = &mut layers[1].b {
                b.clone_from(c);
            }
        }
        let c: Vec<Q> = layers[1].b.clone().unwrap_or_else(|| vec![Q::zero(); k]);
        let outs = vec![c.clone(); n];
        let value = average_loss(loss, &outs, &y);
        // near the point the loss is G(c') for the output bias c' (or the
        // constant G(0) without one); G is convex, so the point is a local
        // minimum iff c minimises G
        let local = match &opt {
            Some((best, _)) => value == *best,
            None => !bias[1],
        };
        expect.loss = Some(value);
        if opt.is_some() || !bias[1] {
            // (if the LP failed its exact check, claim only the loss)
            expect.local_min = Some(local);
        }
        // points at margin exactly 1 receive output c: hinge corners
        for (i, &yi) in y.iter().enumerate() {
            let (m, arg) = margin(loss, &c, yi);
            if m == Q::one() {
                match loss {
                    LossKind::MulticlassHinge => {
                        promised.extend(arg.iter().map(|&kk| ZeroEntry::Hinge {
                            point: i,
                            class: Some(kk),
                        }))
                    }
                    _ => promised.push(ZeroEntry::Hinge {
                        point: i,
                        class: None,
                    }),
                }
            }
        }
        what = format!(
            "{}, every unit dead on every point, output bias {}",
            shape_text(&arch, loss, n),
            if !bias[1] {
                "absent"
            } else if at_optimum {
                "at the best constant"
            } else {
                "random"
            }
        );
    } else {
        // some units dead on all points, others on a threshold subset
        let dead_units = rng.sample_some(h, 1, h);
        let mut on_boundary = 0;
        for j in 0..h {
            let mut vals: Vec<Q> = x.iter().map(|xi| dot(&layers[0].w[j], xi)).collect();
            vals.sort();
            vals.dedup();
            let top = vals.last().cloned().unwrap_or_else(Q::zero);
            let Some(b) = &mut layers[0].b else {
                continue;
            };
            if dead_units.contains(&j) {
                b[j] = -top - rng.pick(&[qi(1), qf(1, 2), qi(2)]);
            } else {
                // threshold: dead below, alive above, possibly exactly on a point
                let t = rng.below(vals.len());
                let exact = rng.chance(1, 3);
                b[j] = if exact || t + 1 == vals.len() {
                    -vals[t].clone()
                } else {
                    -(&vals[t] + &vals[t + 1]) / qi(2)
                };
                if exact || t + 1 == vals.len() {
                    on_boundary += 1;
                    let zs: Vec<usize> = (0..n)
                        .filter(|&i| dot(&layers[0].w[j], &x[i]) == vals[t])
                        .collect();
                    promised.extend(pre_entries(&zs, j));
                }
            }
        }
        if !bias[0] {
            // without a bias: make a unit dead on some points by flipping
            // its weights so that most products are negative
            for &j in &dead_units {
                let s: Q = x.iter().map(|xi| dot(&layers[0].w[j], xi)).sum();
                if s.is_positive() {
                    for v in layers[0].w[j].iter_mut() {
                        *v = -v.clone();
                    }
                }
            }
        }
        if bias[1] && loss == LossKind::Hinge {
            // the output bias at the better hinge corner of the fully dead points
            let fully_dead: Vec<usize> = (0..n)
                .filter(|&i| affine(&layers[0], &x[i]).iter().all(Q::is_negative))
                .collect();
            let plus = fully_dead.iter().filter(|&&i| y[i] > 0).count();
            let c = if plus * 2 >= fully_dead.len() {
                qi(1)
            } else {
                qi(-1)
            };
            // fully dead points receive the output c: those with y c = 1 sit on the corner
            for &i in &fully_dead {
                if qi(y[i]) * &c == Q::one() {
                    promised.push(ZeroEntry::Hinge {
                        point: i,
                        class: None,
                    });
                }
            }
            if let Some(b) = &mut layers[1].b {
                b[0] = c;
            }
        }
        let dead_everywhere = (0..h)
            .filter(|&j| x.iter().all(|xi| affine(&layers[0], xi)[j].is_negative()))
            .count();
        what = format!(
            "{}, {dead_everywhere} of {h} units dead on every point, {on_boundary} thresholds exactly on a point",
            shape_text(&arch, loss, n),
        );
    }
    Draft {
        arch,
        loss,
        x,
        y,
        layers,
        expect,
        promised,
        what,
    }
}

fn zero_loss(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let h = rng.range(1, 3);
    let act = kink_activation(rng);
    let mut bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let (mut loss, mut k) = loss_choice(rng, 3);
    let base = points(rng, n, d);
    for attempt in 0..40 {
        if attempt == 20 {
            // fall back to the binary construction from a separator
            loss = LossKind::Hinge;
            k = 1;
            bias = [true, true];
        }
        let arch = one_hidden(d, h, k, act.clone(), bias);
        let from_separator = loss == LossKind::Hinge
            && (attempt >= 20 || rng.chance(1, 2))
            && (bias[1] || h >= 2 || act != Activation::Relu);
        let mut x = base.clone();
        let mut layers = random_layers(rng, &arch);
        let y: Vec<i64>;
        if from_separator {
            let (u, c, ys) = separated_labels(rng, &mut x, bias[0]);
            y = ys;
            // unit 0 computes g = u.x + c; relu needs the mirror unit or a bias
            layers[0].w[0].clone_from(&u);
            if let Some(b) = &mut layers[0].b {
                b[0] = c.clone();
            }
            for v in layers[1].w[0].iter_mut() {
                *v = Q::zero();
            }
            layers[1].w[0][0] = Q::one();
            if let Some(b) = &mut layers[1].b {
                b[0] = Q::zero();
            }
            if act == Activation::Relu {
                if h >= 2 {
                    layers[0].w[1] = u.iter().map(|v| -v).collect();
                    if let Some(b) = &mut layers[0].b {
                        b[1] = -c.clone();
                    }
                    layers[1].w[0][1] = qi(-1);
                } else if let Some(b) = &mut layers[1].b {
                    // f = relu(g) - eps, eps below the smallest positive g
                    let smallest = x
                        .iter()
                        .zip(&y)
                        .filter(|(_, &yi)| yi > 0)
                        .map(|(xi, _)| dot(&u, xi) + &c)
                        .min();
                    b[0] = match smallest {
                        Some(s) => -s / qi(2),
                        None => qi(-1),
                    };
                }
            }
        } else {
            // labels from the network itself; points it cannot label are dropped
            let outs: Vec<Vec<Q>> = x.iter().map(|xi| outputs(&act, &layers, xi)).collect();
            let mut keep_x = Vec::new();
            let mut keep_y = Vec::new();
            for (xi, f) in x.iter().zip(&outs) {
                let label = if loss == LossKind::Hinge {
                    match f[0].cmp(&Q::zero()) {
                        std::cmp::Ordering::Greater => Some(1),
                        std::cmp::Ordering::Less => Some(-1),
                        std::cmp::Ordering::Equal => None,
                    }
                } else {
                    let best = f.iter().max().cloned().unwrap_or_else(Q::zero);
                    let at: Vec<usize> = (0..f.len()).filter(|&r| f[r] == best).collect();
                    (at.len() == 1).then(|| at[0] as i64)
                };
                if let Some(l) = label {
                    keep_x.push(xi.clone());
                    keep_y.push(l);
                }
            }
            if keep_x.is_empty() {
                continue;
            }
            x = keep_x;
            y = keep_y;
        }
        // every margin positive; rescale so that the smallest is exactly 1
        let margins: Vec<Q> = x
            .iter()
            .zip(&y)
            .map(|(xi, &yi)| margin(loss, &outputs(&act, &layers, xi), yi).0)
            .collect();
        if margins.iter().any(|m| !m.is_positive()) {
            continue;
        }
        let Some(smallest) = margins.iter().min().cloned() else {
            continue;
        };
        scale_layer(&mut layers[1], &(Q::one() / &smallest));
        let mut promised = Vec::new();
        for (i, m) in margins.iter().enumerate() {
            if *m != smallest {
                continue;
            }
            if loss == LossKind::MulticlassHinge {
                let f = outputs(&act, &layers, &x[i]);
                let (_, arg) = margin(loss, &f, y[i]);
                promised.extend(arg.iter().map(|&kk| ZeroEntry::Hinge {
                    point: i,
                    class: Some(kk),
                }));
            } else {
                promised.push(ZeroEntry::Hinge {
                    point: i,
                    class: None,
                });
            }
        }
        let n = x.len();
        let what = format!(
            "{}, zero loss with smallest margin exactly 1 ({})",
            shape_text(&arch, loss, n),
            if from_separator {
                "network built from a separator"
            } else {
                "labels from the network"
            }
        );
        return Draft {
            arch,
            loss,
            x,
            y,
            layers,
            expect: Expect {
                local_min: Some(true),
                global_min: Some(true),
                loss: Some(Q::zero()),
            },
            promised,
            what,
        };
    }
    // unreachable in practice: the separator construction with both biases always succeeds
    random(rng)
}

// Deep linear networks ----------------------------------------------------

/// A dense rational matrix, as rows.
type Matrix = Vec<Vec<Q>>;

fn identity(r: usize) -> Vec<Vec<Q>> {
    (0..r)
        .map(|i| {
            (0..r)
                .map(|j| if i == j { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect()
}

fn matmul(a: &[Vec<Q>], b: &[Vec<Q>]) -> Vec<Vec<Q>> {
    let cols = b.first().map_or(0, Vec::len);
    a.iter()
        .map(|row| {
            (0..cols)
                .map(|j| {
                    row.iter()
                        .zip(b)
                        .fold(Q::zero(), |acc, (p, brow)| acc + p * &brow[j])
                })
                .collect()
        })
        .collect()
}

fn matvec(a: &[Vec<Q>], v: &[Q]) -> Vec<Q> {
    a.iter().map(|row| dot(row, v)).collect()
}

fn inverse(g: &[Vec<Q>]) -> Option<Vec<Vec<Q>>> {
    let r = g.len();
    if linalg::determinant(g).is_zero() {
        return None;
    }
    let cols: Vec<Vec<Q>> = identity(r)
        .iter()
        .map(|e| linalg::solve(g, e))
        .collect::<Option<_>>()?;
    Some(
        (0..r)
            .map(|i| (0..r).map(|j| cols[j][i].clone()).collect())
            .collect(),
    )
}

/// A random invertible `r x r` matrix and its inverse (the identity a third of the time).
fn invertible(rng: &mut Rng, r: usize) -> (Vec<Vec<Q>>, Vec<Vec<Q>>) {
    if !rng.chance(1, 3) {
        for _ in 0..8 {
            let g: Vec<Vec<Q>> = (0..r)
                .map(|_| (0..r).map(|_| small_q(rng, 2)).collect())
                .collect();
            if let Some(inv) = inverse(&g) {
                return (g, inv);
            }
        }
    }
    (identity(r), identity(r))
}

/// End-to-end affine map `(A, c)` of a deep linear network.
fn end_to_end(layers: &[LayerParams], d: usize) -> (Vec<Vec<Q>>, Vec<Q>) {
    let mut a = identity(d);
    let mut c = vec![Q::zero(); d];
    for layer in layers {
        a = matmul(&layer.w, &a);
        c = affine(layer, &c);
    }
    (a, c)
}

/// Layers of a linear network with widths `widths` whose product is
/// `(a_star, c_star)`: the signal is routed through `r` coordinates of each
/// hidden layer (`r = K`, the output, or `r = d`, the input), mixed by random
/// invertible matrices that the next layer undoes; the other coordinates
/// carry junk that no later layer reads. The offset sits in the routed
/// coordinates of one biased layer.
fn factorise(
    rng: &mut Rng,
    a_star: &[Vec<Q>],
    c_star: &[Q],
    widths: &[usize],
    bias: &[bool],
    route_output: bool,
) -> Vec<LayerParams> {
    let depth = widths.len() - 1;
    let d = widths[0];
    let k = widths[depth];
    let r = if route_output { k } else { d };
    let gs: Vec<(Matrix, Matrix)> = (1..depth).map(|_| invertible(rng, r)).collect();
    // the transform in routed coordinates of each layer
    let core: Vec<Vec<Vec<Q>>> = (1..=depth)
        .map(|l| {
            let prev = if l == 1 {
                if route_output {
                    a_star.to_vec()
                } else {
                    identity(d)
                }
            } else {
                gs[l - 2].1.clone()
            };
            if l == depth {
                if route_output {
                    prev
                } else {
                    matmul(a_star, &prev)
                }
            } else {
                matmul(&gs[l - 1].0, &prev)
            }
        })
        .collect();
    let affine_needed = c_star.iter().any(|v| !v.is_zero());
    let biased: Vec<usize> = (1..=depth).filter(|&l| bias[l - 1]).collect();
    let carrier = if route_output {
        (!biased.is_empty()).then(|| rng.pick(&biased))
    } else {
        bias[depth - 1].then_some(depth)
    };
    (1..=depth)
        .map(|l| {
            let (rows, cols) = (widths[l], widths[l - 1]);
            let routed_rows = if l == depth { k } else { r };
            let routed_cols = if l == 1 { d } else { r };
            let w = (0..rows)
                .map(|i| {
                    (0..cols)
                        .map(|j| {
                            if i < routed_rows {
                                if j < routed_cols {
                                    core[l - 1][i][j].clone()
                                } else {
                                    Q::zero()
                                }
                            } else {
                                small_q(rng, 2)
                            }
                        })
                        .collect()
                })
                .collect();
            let b = bias[l - 1].then(|| {
                let offset: Vec<Q> = if affine_needed && carrier == Some(l) {
                    if l == depth {
                        c_star.to_vec()
                    } else {
                        matvec(&gs[l - 1].0, c_star)
                    }
                } else {
                    vec![Q::zero(); routed_rows]
                };
                (0..rows)
                    .map(|i| {
                        if i < routed_rows {
                            offset[i].clone()
                        } else {
                            small_q(rng, 2)
                        }
                    })
                    .collect()
            });
            LayerParams { w, b }
        })
        .collect()
}

fn linear(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let depth = rng.range(2, 4);
    let (loss, k) = loss_choice(rng, 2);
    let bias: Vec<bool> = (0..depth).map(|_| rng.chance(1, 2)).collect();
    let affine_model = bias.iter().any(|&b| b);
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let lp = best_affine(loss, &x, &y, k, affine_model);
    let mut variant = rng.below(5);
    if lp.is_none() && (variant == 1 || variant == 2) {
        variant = 3;
    }
    let mut widths = vec![d];
    let layers: Vec<LayerParams>;
    let what: &str;
    match (variant, &lp) {
        (1 | 2, Some((_, a_star, c_star))) => {
            let input_ok = d <= 3 && (!affine_model || bias[depth - 1]);
            let route_output = !input_ok || rng.chance(1, 2);
            let r = if route_output { k } else { d };
            widths.extend((1..depth).map(|_| rng.range(r, 3)));
            widths.push(k);
            layers = factorise(rng, a_star, c_star, &widths, &bias, route_output);
            what = if route_output {
                "a factorisation of an LP-optimal classifier (routed through the output)"
            } else {
                "a factorisation of an LP-optimal classifier (routed through the input)"
            };
        }
        _ => {
            widths.extend((1..depth).map(|_| rng.range(1, 3)));
            widths.push(k);
            let mut ls: Vec<LayerParams> = (1..=depth)
                .map(|l| random_layer(rng, widths[l], widths[l - 1], bias[l - 1]))
                .collect();
            what = match variant {
                0 => {
                    for (l, layer) in ls.iter_mut().enumerate() {
                        *layer = zero_layer(widths[l + 1], widths[l], bias[l]);
                    }
                    "the origin"
                }
                4 => {
                    let l = rng.below(depth);
                    ls[l].w = vec![vec![Q::zero(); widths[l]]; widths[l + 1]];
                    "a random point with one zero weight matrix"
                }
                _ => "a random point",
            };
            layers = ls;
        }
    }
    let arch = Architecture {
        widths,
        activation: Activation::Linear,
        bias,
    };
    // the loss of the end-to-end affine map, by formula
    let (a, c) = end_to_end(&layers, d);
    let outs: Vec<Vec<Q>> = x
        .iter()
        .map(|xi| matvec(&a, xi).iter().zip(&c).map(|(p, q)| p + q).collect())
        .collect();
    let value = average_loss(loss, &outs, &y);
    let mut expect = Expect {
        loss: Some(value.clone()),
        ..Expect::default()
    };
    if let Some((opt, _, _)) = &lp {
        let min_hidden = arch.widths[1..depth].iter().copied().min().unwrap_or(0);
        if value == *opt {
            // the LP optimum over all affine (linear) maps bounds every network of this kind
            expect.global_min = Some(true);
            expect.local_min = Some(true);
        } else if loss == LossKind::Hinge || min_hidden >= k {
            // the network can realise every affine (linear) map of the LP
            // (route it through the output), so a higher loss is not global
            expect.global_min = Some(false);
        }
    }
    let what = format!("{}, {what}", shape_text(&arch, loss, n));
    Draft {
        arch,
        loss,
        x,
        y,
        layers,
        expect,
        promised: Vec::new(),
        what,
    }
}

fn saddle(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(2, 8);
    let h = rng.range(1, 3);
    let act = kink_activation(rng);
    let bias = [rng.chance(2, 3), rng.chance(2, 3)];
    let (loss, k) = loss_choice(rng, 3);
    let mut x = points(rng, n, d);
    let y = if loss == LossKind::Hinge && rng.chance(1, 2) {
        separated_labels(rng, &mut x, bias[0]).2
    } else {
        labels(rng, n, loss, k)
    };
    let arch = one_hidden(d, h, k, act.clone(), bias);
    let mut layers = random_layers(rng, &arch);
    let zeroed = if rng.chance(1, 3) {
        (0..h).collect()
    } else {
        rng.sample_some(h, 1, h)
    };
    let mut promised = Vec::new();
    let mut no_orbit = 0;
    for &j in &zeroed {
        for row in layers[1].w.iter_mut() {
            row[j] = Q::zero();
        }
        match rng.below(4) {
            0 => {
                // the whole unit is zero: no rescaling orbit
                no_orbit += 1;
                layers[0].w[j] = vec![Q::zero(); d];
                if let Some(b) = &mut layers[0].b {
                    b[j] = Q::zero();
                }
            }
            1 | 2 => {
                let pts = rng.sample_some(n, 1, 2);
                let zs = zero_preactivations(rng, &mut layers[0], j, &pts, &x);
                promised.extend(pre_entries(&zs, j));
            }
            _ => {}
        }
    }
    // with no unit carrying signal, put the output bias at the best constant
    let mut best_c = false;
    if zeroed.len() == h && bias[1] && rng.chance(2, 3) {
        if let Some((_, c)) = best_constant(loss, &y, k) {
            if let Some(b) = &mut layers[1].b {
                b.clone_from(&c);
                best_c = true;
            }
        }
    } else if rng.chance(1, 3) {
        let chosen = rng.sample(n, 1);
        promised.extend(unit_margins(rng, loss, &act, &mut layers, &x, &y, &chosen));
    }
    let what = format!(
        "{}, {} of {h} units with zero outgoing weights ({no_orbit} entirely zero){}",
        shape_text(&arch, loss, n),
        zeroed.len(),
        if best_c {
            ", output bias at the best constant"
        } else {
            ""
        }
    );
    // the margin step may have used the zeroed units' columns: zero them again
    for &j in &zeroed {
        for row in layers[1].w.iter_mut() {
            if !row[j].is_zero() {
                row[j] = Q::zero();
                promised.retain(|e| !matches!(e, ZeroEntry::Hinge { .. }));
            }
        }
    }
    Draft {
        arch,
        loss,
        x,
        y,
        layers,
        expect: Expect::default(),
        promised,
        what,
    }
}

fn random(rng: &mut Rng) -> Draft {
    let d = rng.range(1, 3);
    let n = rng.range(1, 8);
    let hidden_layers = rng.range(0, 2);
    let act = match rng.below(3) {
        0 => Activation::Linear,
        _ => kink_activation(rng),
    };
    let (loss, k) = loss_choice(rng, 2);
    let mut widths = vec![d];
    widths.extend((0..hidden_layers).map(|_| rng.range(1, 3)));
    widths.push(k);
    let bias = (0..=hidden_layers).map(|_| rng.chance(2, 3)).collect();
    let arch = Architecture {
        widths,
        activation: act,
        bias,
    };
    let x = points(rng, n, d);
    let y = labels(rng, n, loss, k);
    let layers = random_layers(rng, &arch);
    let what = format!("{}, random point", shape_text(&arch, loss, n));
    Draft {
        arch,
        loss,
        x,
        y,
        layers,
        expect: Expect::default(),
        promised: Vec::new(),
        what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_round_trip() {
        for f in Family::ALL {
            assert_eq!(Family::parse(f.name()), Ok(f));
        }
        assert!(Family::parse("nope").is_err());
        assert_eq!(
            Family::parse_list("linear, kinks,linear"),
            Ok(vec![Family::Linear, Family::Kinks])
        );
        assert!(Family::parse_list("linear,,kinks").is_err());
    }
}
