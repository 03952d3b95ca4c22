//! Activation patterns: cells of central hyperplane arrangements, the local
//! arrangement at a point, and all first-layer patterns of a data set.
//!
//! Owns: enumerating the open cells of a central arrangement
//! `{v : n_i . v = 0}` in Q^dim with an exact interior witness for each,
//! in any position (repeated or opposite normals, zero normals, dependent
//! normals); the "orthant" structure of an arrangement whose normals are
//! linearly independent (its 2^M cells are linear images of orthants and
//! share 2M rays); per-unit arrangements of a one-hidden-layer network on a
//! data set; the local arrangement of the first hidden layer at a point.
//!
//! Algorithm: deletion-restriction. The cells of `A` are the cells of
//! `A - h` that `h` does not meet, plus two cells for each cell of `A - h`
//! that `h` splits, and the split cells correspond one-to-one to the cells
//! of the restriction `A^h` (the arrangement that the other hyperplanes cut
//! inside `h`). So a recursion on (number of hyperplanes, dimension) finds
//! every cell, and builds every witness explicitly: a split cell's two
//! witnesses are a point of `h` inside the cell pushed a computed, exact,
//! small distance to either side. No LP and no float is involved; every
//! witness is re-checked against its claimed signs before it is returned.
//!
//! Must not: claim a pattern is empty without a proof. For deeper layers
//! (whose cells are not polyhedral) this module only reports patterns with
//! witnesses and says that the list may be incomplete.

pub mod count;
mod int;
pub mod layer;

use crate::linalg;
use crate::network::{Problem, Sign};
use crate::number::Q;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use relucert_core::Deadline;
use std::collections::HashMap;

/// A failed internal consistency check of the enumeration: every witness
/// is re-checked exactly before it is returned, and a mismatch is reported,
/// never hidden (it would be a bug).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellsError {
    /// A cell's sign vector or witness has the wrong length.
    WrongShape,
    /// A witness is on the wrong side of a hyperplane.
    WitnessSign {
        /// The input normal's index.
        hyperplane: usize,
        /// The sign the witness has.
        got: Sign,
        /// The sign the cell claims.
        claimed: Sign,
    },
    /// Another internal invariant failed.
    Internal(&'static str),
    /// The deadline (`--timeout`) passed before the enumeration ended.
    TimeLimit,
}

impl std::fmt::Display for CellsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CellsError::WrongShape => write!(f, "internal error: a cell has the wrong shape"),
            CellsError::WitnessSign {
                hyperplane,
                got,
                claimed,
            } => write!(
                f,
                "internal error: witness has sign {} on hyperplane {hyperplane}, cell claims {}",
                got.symbol(),
                claimed.symbol()
            ),
            CellsError::Internal(what) => write!(f, "internal error: {what}"),
            CellsError::TimeLimit => write!(
                f,
                "the time limit (--timeout) was reached while enumerating the cells"
            ),
        }
    }
}

impl std::error::Error for CellsError {}

/// How an input normal relates to the distinct hyperplanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The zero vector: `n . v = 0` for every `v`; its sign is always 0.
    Zero,
    /// A positive (`flip = false`) or negative multiple of distinct normal `id`.
    Plane {
        /// Index into `Arrangement::distinct`.
        id: usize,
        /// True when the normal is a negative multiple of that hyperplane.
        flip: bool,
    },
}

/// A central hyperplane arrangement in Q^dim, as given (normals may repeat,
/// be opposite, or be zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrangement {
    /// Dimension of the ambient space.
    pub dim: usize,
    /// The normals as given, one per hyperplane (possibly repeated, opposite or zero).
    pub normals: Vec<Vec<Q>>,
    /// Distinct hyperplanes, each scaled so its first nonzero entry is 1.
    pub distinct: Vec<Vec<Q>>,
    /// For each input normal, its distinct hyperplane (or `Zero`).
    pub roles: Vec<Role>,
}

/// An open cell: one sign per input normal (`Zero` exactly for the zero
/// normals, which vanish everywhere) and an exact interior witness.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cell {
    /// One sign per input normal.
    pub signs: Vec<Sign>,
    /// A point with `sign(n_i . witness) = signs[i]` for every i; a primitive
    /// integer vector (cones are invariant under positive scaling).
    pub witness: Vec<BigInt>,
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).fold(Q::zero(), |acc, (x, y)| acc + x * y)
}

fn dot_int(a: &[Q], w: &[BigInt]) -> Q {
    a.iter().zip(w).fold(Q::zero(), |acc, (x, y)| {
        acc + x * Q::from_integer(y.clone())
    })
}

/// The witness check of `finish` in checked `i128`: `Ok(true)` when every
/// sign matches, `Ok(false)` on overflow (redo in BigInt), an error on a
/// mismatch.
fn small_check(normals: &[Vec<i128>], w: &[i128], signs: &[Sign]) -> Result<bool, CellsError> {
    for (i, (n, s)) in normals.iter().zip(signs).enumerate() {
        let mut acc: i128 = 0;
        for (a, b) in n.iter().zip(w) {
            let Some(next) = a.checked_mul(*b).and_then(|p| acc.checked_add(p)) else {
                return Ok(false);
            };
            acc = next;
        }
        let got = match acc.signum() {
            1 => Sign::Pos,
            -1 => Sign::Neg,
            _ => Sign::Zero,
        };
        if got != *s {
            return Err(CellsError::WitnessSign {
                hyperplane: i,
                got,
                claimed: *s,
            });
        }
    }
    Ok(true)
}

/// Split normals into distinct hyperplanes and roles.
fn canonicalise(normals: &[Vec<Q>]) -> (Vec<Vec<Q>>, Vec<Role>) {
    let mut distinct: Vec<Vec<Q>> = Vec::new();
    let mut index: HashMap<Vec<Q>, usize> = HashMap::new();
    let roles = normals
        .iter()
        .map(|n| match n.iter().find(|c| !c.is_zero()) {
            None => Role::Zero,
            Some(lead) => {
                let scale = lead.abs();
                let canon: Vec<Q> = n.iter().map(|c| c / &scale * lead.signum()).collect();
                let flip = lead.is_negative();
                let id = *index.entry(canon.clone()).or_insert_with(|| {
                    distinct.push(canon);
                    distinct.len() - 1
                });
                Role::Plane { id, flip }
            }
        })
        .collect();
    (distinct, roles)
}

/// Scale a nonzero rational vector by a positive factor to a primitive
/// integer vector.
fn primitive(v: &[Q]) -> Vec<BigInt> {
    let den = v.iter().fold(BigInt::one(), |acc, q| acc.lcm(q.denom()));
    let ints: Vec<BigInt> = v.iter().map(|q| q.numer() * (&den / q.denom())).collect();
    let g = ints.iter().fold(BigInt::zero(), |acc, x| acc.gcd(x));
    if g.is_zero() || g.is_one() {
        ints
    } else {
        ints.iter().map(|x| x / &g).collect()
    }
}

impl Arrangement {
    /// The arrangement of the given normals in Q^dim (each of length `dim`).
    pub fn new(dim: usize, normals: Vec<Vec<Q>>) -> Arrangement {
        let (distinct, roles) = canonicalise(&normals);
        Arrangement {
            dim,
            normals,
            distinct,
            roles,
        }
    }

    /// Rank of the normals (dimension of their span).
    pub fn rank(&self) -> usize {
        linalg::rank(&self.distinct)
    }

    /// Every open cell, with witnesses, in a deterministic order.
    pub fn cells(&self) -> Result<Vec<Cell>, CellsError> {
        self.cells_within(&Deadline::never())
    }

    /// `cells`, stopping with `CellsError::TimeLimit` at `deadline`
    /// (tested once per hyperplane added, at every level of the recursion).
    pub fn cells_within(&self, deadline: &Deadline) -> Result<Vec<Cell>, CellsError> {
        let raw = match self.enumerate_fast(deadline) {
            Some(raw) => raw,
            None => enumerate(&self.distinct, self.dim, deadline)?,
        };
        self.finish(raw)
    }

    /// The characteristic polynomial of the arrangement (of its distinct
    /// hyperplanes), by deletion-restriction without listing any cell.
    pub fn charpoly_within(&self, deadline: &Deadline) -> Result<count::CharPoly, CellsError> {
        let planes: Vec<Vec<BigInt>> = self.distinct.iter().map(|n| primitive(n)).collect();
        count::charpoly(&planes, self.dim, deadline)
    }

    /// Number of cells, from the characteristic polynomial (no cell listed).
    pub fn count_within(&self, deadline: &Deadline) -> Result<BigInt, CellsError> {
        Ok(self.charpoly_within(deadline)?.cells())
    }

    /// The same cells computed in rational arithmetic only (the fallback of
    /// the `i128` fast path); for tests that compare the two paths.
    #[doc(hidden)]
    pub fn cells_rational(&self) -> Result<Vec<Cell>, CellsError> {
        let raw = enumerate(&self.distinct, self.dim, &Deadline::never())?;
        self.finish(raw)
    }

    fn finish(&self, raw: RawCells) -> Result<Vec<Cell>, CellsError> {
        let cells: Vec<Cell> = raw
            .into_iter()
            .map(|(signs, w)| Cell {
                signs: self.expand(&signs),
                witness: w,
            })
            .collect();
        // Re-check every witness exactly. Each normal is scaled by a positive
        // factor to integers (signs unchanged) so the products need no gcd.
        let int_normals: Vec<Vec<BigInt>> = self
            .normals
            .iter()
            .map(|n| {
                if n.iter().all(Zero::is_zero) {
                    vec![BigInt::zero(); n.len()]
                } else {
                    primitive(n)
                }
            })
            .collect();
        // the same check in checked i128 where every number fits (exact; a
        // product or sum that overflows sends that cell to BigInt)
        use num_traits::ToPrimitive;
        let small_normals: Option<Vec<Vec<i128>>> = int_normals
            .iter()
            .map(|n| n.iter().map(ToPrimitive::to_i128).collect())
            .collect();
        for c in &cells {
            if c.signs.len() != self.normals.len() || c.witness.len() != self.dim {
                return Err(CellsError::WrongShape);
            }
            if let Some(sn) = &small_normals {
                let w: Option<Vec<i128>> = c.witness.iter().map(ToPrimitive::to_i128).collect();
                if let Some(w) = w {
                    if small_check(sn, &w, &c.signs)? {
                        continue;
                    }
                }
            }
            for (i, (n, s)) in int_normals.iter().zip(&c.signs).enumerate() {
                let v: BigInt = n.iter().zip(&c.witness).map(|(a, b)| a * b).sum();
                let got = Sign::of(&Q::from_integer(v));
                if got != *s {
                    return Err(CellsError::WitnessSign {
                        hyperplane: i,
                        got,
                        claimed: *s,
                    });
                }
            }
        }
        Ok(cells)
    }

    /// The checked-`i128` enumeration (`int`), mapped back to the distinct
    /// hyperplanes of `self`; `None` if some number does not fit.
    /// (`None` also at `deadline`: the rational path then stops at once.)
    fn enumerate_fast(&self, deadline: &Deadline) -> Option<RawCells> {
        use num_traits::ToPrimitive;
        // positive integer multiples of the distinct normals: same hyperplanes, same sides
        let ints: Vec<int::IVec> = self
            .distinct
            .iter()
            .map(|n| {
                primitive(n)
                    .iter()
                    .map(ToPrimitive::to_i128)
                    .collect::<Option<_>>()
            })
            .collect::<Option<_>>()?;
        let raw = int::enumerate(&ints, self.dim, deadline)?;
        Some(
            raw.into_iter()
                .map(|(s, w)| (s, w.into_iter().map(BigInt::from).collect()))
                .collect(),
        )
    }

    /// Signs of the input normals from signs of the distinct hyperplanes.
    fn expand(&self, distinct_signs: &[bool]) -> Vec<Sign> {
        self.roles
            .iter()
            .map(|r| match r {
                Role::Zero => Sign::Zero,
                Role::Plane { id, flip } => {
                    if distinct_signs[*id] != *flip {
                        Sign::Pos
                    } else {
                        Sign::Neg
                    }
                }
            })
            .collect()
    }

    /// Exact re-check of a cell's witness against its signs.
    pub fn check(&self, cell: &Cell) -> Result<(), CellsError> {
        if cell.signs.len() != self.normals.len() || cell.witness.len() != self.dim {
            return Err(CellsError::WrongShape);
        }
        for (i, (n, s)) in self.normals.iter().zip(&cell.signs).enumerate() {
            let got = Sign::of(&dot_int(n, &cell.witness));
            if got != *s {
                return Err(CellsError::WitnessSign {
                    hyperplane: i,
                    got,
                    claimed: *s,
                });
            }
        }
        Ok(())
    }

    /// When the distinct normals are linearly independent, the orthant
    /// structure: every sign vector is a cell, and the closed cell of signs
    /// `s` is generated by the rays `s_i r_i` plus the lineality space.
    pub fn orthant(&self) -> Option<Orthant> {
        let m = self.distinct.len();
        if self.rank() != m {
            return None;
        }
        // r_i = N^T (N N^T)^{-1} e_i: in the row space, n_k . r_i = delta_ki
        let gram: Vec<Vec<Q>> = self
            .distinct
            .iter()
            .map(|a| self.distinct.iter().map(|b| dot(a, b)).collect())
            .collect();
        let mut rays = Vec::with_capacity(m);
        for i in 0..m {
            let e: Vec<Q> = (0..m)
                .map(|k| if k == i { Q::one() } else { Q::zero() })
                .collect();
            let c = linalg::solve(&gram, &e)?;
            let r: Vec<Q> = (0..self.dim)
                .map(|t| {
                    self.distinct
                        .iter()
                        .zip(&c)
                        .fold(Q::zero(), |acc, (n, ck)| acc + &n[t] * ck)
                })
                .collect();
            rays.push(r);
        }
        let lineality = linalg::nullspace(&self.distinct, self.dim);
        Some(Orthant { rays, lineality })
    }

    /// Number of cells by the Zaslavsky / Whitney formula: the sum over all
    /// subsets B of the distinct hyperplanes of (-1)^(|B| - rank B). Exact
    /// but exponential: only for small arrangements (an independent check).
    pub fn zaslavsky_count(&self) -> BigInt {
        let m = self.distinct.len();
        let mut total = BigInt::zero();
        for mask in 0u64..(1u64 << m) {
            let subset: Vec<Vec<Q>> = (0..m)
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| self.distinct[i].clone())
                .collect();
            let k = subset.len() - linalg::rank(&subset);
            if k % 2 == 0 {
                total += 1;
            } else {
                total -= 1;
            }
        }
        total
    }
}

/// The cheap structure of an arrangement with independent normals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Orthant {
    /// `rays[i]` has `n_k . rays[i] = [k == i]` for the distinct normals.
    pub rays: Vec<Vec<Q>>,
    /// A basis of `{v : n_k . v = 0 for all k}`.
    pub lineality: Vec<Vec<Q>>,
}

/// Cells as (sign per distinct hyperplane, primitive integer witness).
type RawCells = Vec<(Vec<bool>, Vec<BigInt>)>;

/// Cells of the arrangement of `planes` (distinct, nonzero, pairwise
/// non-parallel) in Q^dim, as (sign per plane, primitive integer witness).
fn enumerate(planes: &[Vec<Q>], dim: usize, deadline: &Deadline) -> Result<RawCells, CellsError> {
    // Hyperplanes are added one at a time (iteration, so the recursion depth
    // is the dimension, not the number of hyperplanes); only the
    // restriction recurses, one dimension down.
    let mut cells = vec![(Vec::new(), vec![BigInt::zero(); dim])];
    for k in 0..planes.len() {
        if dim == 0 {
            return Err(CellsError::Internal("a nonzero normal in dimension 0"));
        }
        if deadline.expired() {
            return Err(CellsError::TimeLimit);
        }
        cells = add_plane(cells, &planes[k], &planes[..k], dim, deadline)?;
    }
    Ok(cells)
}

/// Cells of `rest + h` from the cells of `rest` (deletion-restriction).
fn add_plane(
    rest_cells: RawCells,
    h: &[Q],
    rest: &[Vec<Q>],
    dim: usize,
    deadline: &Deadline,
) -> Result<RawCells, CellsError> {
    // Restriction to h: coordinates t in Q^(dim-1) with v = lift(t).
    let p = h
        .iter()
        .position(|c| !c.is_zero())
        .ok_or(CellsError::Internal("zero normal"))?;
    let lift = |t: &[Q]| -> Vec<Q> {
        let mut v = Vec::with_capacity(dim);
        let mut it = t.iter();
        for k in 0..dim {
            if k == p {
                v.push(Q::zero());
            } else {
                v.push(it.next().cloned().unwrap_or_else(Q::zero));
            }
        }
        let s = (0..dim)
            .filter(|&k| k != p)
            .fold(Q::zero(), |acc, k| acc + &h[k] * &v[k]);
        v[p] = -s / &h[p];
        v
    };
    // restricted normal of n: t -> n . lift(t), coefficient k = n_k - n_p h_k / h_p
    let restricted: Vec<Vec<Q>> = rest
        .iter()
        .map(|n| {
            (0..dim)
                .filter(|&k| k != p)
                .map(|k| &n[k] - &n[p] * &h[k] / &h[p])
                .collect()
        })
        .collect();
    let (res_distinct, res_roles) = canonicalise(&restricted);
    if res_roles.contains(&Role::Zero) {
        return Err(CellsError::Internal(
            "two distinct hyperplanes restrict to a zero normal",
        ));
    }
    let res_cells = enumerate(&res_distinct, dim - 1, deadline)?;
    let mut split: HashMap<Vec<bool>, Vec<Q>> = HashMap::with_capacity(res_cells.len());
    for (sig, t) in res_cells {
        let tq: Vec<Q> = t.iter().map(|x| Q::from_integer(x.clone())).collect();
        let v = lift(&tq);
        let signs: Vec<bool> = res_roles
            .iter()
            .map(|r| match r {
                Role::Plane { id, flip } => sig[*id] != *flip,
                Role::Zero => false,
            })
            .collect();
        split.insert(signs, v);
    }
    let hh = dot(h, h);
    let mut out = Vec::with_capacity(rest_cells.len() + split.len());
    for (signs, w) in rest_cells {
        match split.get(&signs) {
            Some(v) => {
                // push v off h by eps along +-h, keeping every other sign
                let mut eps = Q::one();
                for n in rest {
                    let nh = dot(n, h);
                    if !nh.is_zero() {
                        let bound = dot(n, v).abs() / nh.abs() / Q::from_integer(2.into());
                        if bound < eps {
                            eps = bound;
                        }
                    }
                }
                // a power of two below the bound keeps witnesses small
                let mut simple = Q::one();
                while simple > eps {
                    simple /= Q::from_integer(2.into());
                }
                let step: Vec<Q> = h.iter().map(|c| c * &simple / &hh).collect();
                let plus: Vec<Q> = v.iter().zip(&step).map(|(a, b)| a + b).collect();
                let minus: Vec<Q> = v.iter().zip(&step).map(|(a, b)| a - b).collect();
                let mut sp = signs.clone();
                sp.push(true);
                out.push((sp, primitive(&plus)));
                let mut sm = signs;
                sm.push(false);
                out.push((sm, primitive(&minus)));
            }
            None => {
                let wq: Vec<Q> = w.iter().map(|x| Q::from_integer(x.clone())).collect();
                let side = dot(h, &wq);
                if side.is_zero() {
                    return Err(CellsError::Internal(
                        "a cell that the new hyperplane does not split has its witness on it",
                    ));
                }
                let mut s = signs;
                s.push(side.is_positive());
                out.push((s, w));
            }
        }
    }
    Ok(out)
}

/// Normals of one first-layer unit's arrangement over a data set: `(x_i, 1)`
/// with a bias, `x_i` without, in the coordinates `(W1[j,:], b1[j])`.
pub fn unit_normals(x: &[Vec<Q>], bias: bool) -> Vec<Vec<Q>> {
    x.iter()
        .map(|xi| {
            let mut n = xi.clone();
            if bias {
                n.push(Q::one());
            }
            n
        })
        .collect()
}

/// The first-layer arrangement of one unit over the whole data set: all its
/// activation patterns are the cells of this arrangement (the same for
/// every unit of the layer).
pub fn first_layer_arrangement(problem: &Problem) -> Arrangement {
    let bias = problem.arch.bias[0];
    let dim = problem.arch.input_dim() + usize::from(bias);
    Arrangement::new(dim, unit_normals(&problem.data.x, bias))
}

/// The local arrangement of one first-layer unit at a point: the data
/// points where its pre-activation is exactly 0, and the arrangement their
/// normals cut in the perturbation `(dW1[j,:], db1[j])`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalUnit {
    /// The first-layer unit.
    pub unit: usize,
    /// The data points where its pre-activation is exactly 0.
    pub points: Vec<usize>,
    /// The arrangement of their normals `(x_i, 1)` (or `x_i` without a bias).
    pub arrangement: Arrangement,
}

/// Local arrangements of the first hidden layer at `params` (one per unit
/// with at least one zero pre-activation). Empty for networks without a
/// hidden layer or with linear activation (no kinks).
pub fn local_first_layer(problem: &Problem, params: &crate::network::Params) -> Vec<LocalUnit> {
    if problem.arch.hidden_layers() == 0 || !problem.arch.activation.has_kink() {
        return Vec::new();
    }
    let sig = problem.signature(params);
    let bias = problem.arch.bias[0];
    let dim = problem.arch.input_dim() + usize::from(bias);
    (0..problem.arch.widths[1])
        .filter_map(|j| {
            let points: Vec<usize> = (0..problem.data.len())
                .filter(|&i| sig.hidden[0][i][j] == Sign::Zero)
                .collect();
            if points.is_empty() {
                return None;
            }
            let xs: Vec<Vec<Q>> = points.iter().map(|&i| problem.data.x[i].clone()).collect();
            Some(LocalUnit {
                unit: j,
                points,
                arrangement: Arrangement::new(dim, unit_normals(&xs, bias)),
            })
        })
        .collect()
}

/// Hidden-layer patterns of a deeper network found at explicit parameter
/// points. Deeper cells are not polyhedral; this is a search, and the list
/// may be incomplete: a pattern missing from it is not shown to be empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundPattern {
    /// Per hidden layer, per data point, the unit signs (`"+-+"`).
    pub pattern: Vec<Vec<String>>,
    /// A parameter point realising it, with no zero pre-activation.
    pub witness: crate::network::Params,
}

/// Search hidden patterns of all layers: `samples` parameter points whose
/// first layer cycles through the first-layer cell witnesses (so every
/// first-layer unit pattern is tried) and whose other layers are small
/// pseudo-random integers (fixed seed: the result is reproducible).
pub fn search_deep_patterns(
    problem: &Problem,
    samples: usize,
) -> Result<Vec<FoundPattern>, CellsError> {
    use crate::network::{LayerParams, Params};
    let arch = &problem.arch;
    let first = first_layer_arrangement(problem).cells()?;
    let bias0 = arch.bias[0];
    let d = arch.input_dim();
    let mut rng = crate::rng::Rng::new(0x2545_F491_4F6C_DD1D);
    let mut seen: HashMap<Vec<Vec<String>>, ()> = HashMap::new();
    let mut found = Vec::new();
    for s in 0..samples {
        let mut layers = Vec::with_capacity(arch.depth());
        // first layer: unit j takes cell (s + j * stride) of the arrangement
        let rows: Vec<(Vec<Q>, Option<Q>)> = (0..arch.widths[1])
            .map(|j| {
                let c = &first[(s + j * rng.below(first.len().max(1))) % first.len().max(1)];
                let w: Vec<Q> = c.witness[..d]
                    .iter()
                    .map(|x| Q::from_integer(x.clone()))
                    .collect();
                let b = bias0.then(|| Q::from_integer(c.witness[d].clone()));
                (w, b)
            })
            .collect();
        let b1 = if bias0 {
            Some(
                rows.iter()
                    .map(|(_, b)| b.clone().unwrap_or_else(Q::zero))
                    .collect(),
            )
        } else {
            None
        };
        layers.push(LayerParams {
            w: rows.into_iter().map(|(w, _)| w).collect(),
            b: b1,
        });
        for l in 2..=arch.depth() {
            let mut small = || Q::from_integer(BigInt::from(rng.int(-3, 3)));
            let w = (0..arch.widths[l])
                .map(|_| (0..arch.widths[l - 1]).map(|_| small()).collect())
                .collect();
            let b = arch.bias[l - 1].then(|| (0..arch.widths[l]).map(|_| small()).collect());
            layers.push(LayerParams { w, b });
        }
        let params = Params { layers };
        let sig = problem.signature(&params);
        if sig
            .hidden
            .iter()
            .flatten()
            .flatten()
            .any(|s| *s == Sign::Zero)
        {
            continue;
        }
        let pattern: Vec<Vec<String>> = sig
            .hidden
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .map(|u| u.iter().map(|s| s.symbol()).collect())
                    .collect()
            })
            .collect();
        if seen.insert(pattern.clone(), ()).is_none() {
            found.push(FoundPattern {
                pattern,
                witness: params,
            });
        }
    }
    Ok(found)
}
