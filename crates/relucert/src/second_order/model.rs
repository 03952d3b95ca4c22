//! The local model of the loss around the point (one hidden layer): kinks,
//! terms and their exact Taylor data.
//!
//! Owns: the kinks of the point (zero first-layer pre-activations and their
//! normals), the terms of the loss near the point on each closed kink cone
//! (one per hinge argument that is `>= 0` at the point, with its branches),
//! and each branch's exact Taylor data (`Quad`). A `LocalModel` is built once
//! per `verify` call and shared by every stage that needs it (orthant rays,
//! the second-order proof, second-order arcs): the kinks are computed once,
//! the terms of each data point once per choice of sides of that point's own
//! kinks (a point's outputs depend on no other point's kinks), and the
//! result of each completed proof attempt is kept, so that a second call of
//! `prove` with a larger region budget only does the work the smaller budget
//! refused.
//!
//! Must not: decide anything, or approximate: outputs of degree > 2 in the
//! parameters give `None`, never a truncated Taylor polynomial.

use super::SecondOrder;
use crate::cellpoly::output_polys;
use crate::network::{LossKind, Params, Pattern, Problem, Sign, Signature};
use crate::number::Q;
use crate::poly::Poly;
use num_traits::{One, Signed, Zero};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Exact Taylor data of a branch at theta*:
/// `b(theta* + d) = b(theta*) + grad . d + d^T hess d / 2` (degree <= 2).
#[derive(Clone, Debug)]
pub(crate) struct Quad {
    pub(crate) grad: Vec<Q>,
    pub(crate) hess: Vec<Vec<Q>>,
}

impl Quad {
    fn zero(n: usize) -> Quad {
        Quad {
            grad: vec![Q::zero(); n],
            hess: vec![vec![Q::zero(); n]; n],
        }
    }

    /// Taylor data of `p` at `theta`; `None` above degree 2.
    fn of(p: &Poly, theta: &[Q]) -> Option<Quad> {
        let n = theta.len();
        let mut q = Quad::zero(n);
        for (m, c) in p.terms() {
            match m.pairs() {
                [] => {}
                [(a, 1)] => q.grad[*a as usize] += c,
                [(a, 2)] => {
                    let a = *a as usize;
                    let two_c = c * Q::from_integer(2.into());
                    q.grad[a] += &two_c * &theta[a];
                    q.hess[a][a] += two_c;
                }
                [(a, 1), (b, 1)] => {
                    let (a, b) = (*a as usize, *b as usize);
                    q.grad[a] += c * &theta[b];
                    q.grad[b] += c * &theta[a];
                    q.hess[a][b] += c;
                    q.hess[b][a] += c;
                }
                _ => return None,
            }
        }
        Some(q)
    }
}

/// A kink: a zero first-layer pre-activation, with `n . d` the first-order
/// change of the pre-activation along `d`.
#[derive(Clone, Debug)]
pub struct Kink {
    /// The data point whose pre-activation is zero.
    pub point: usize,
    /// The first-layer unit.
    pub unit: usize,
    /// The gradient of the pre-activation in the parameters (`(x_i, 1)` on
    /// the unit's incoming weights and bias, 0 elsewhere).
    pub normal: Vec<Q>,
}

/// The kinks of the point (first hidden layer, activations with a kink).
pub fn kinks(problem: &Problem, params: &Params) -> Vec<Kink> {
    kinks_of(problem, &problem.signature(params))
}

/// The kinks read off the point's signature `sig`.
fn kinks_of(problem: &Problem, sig: &Signature) -> Vec<Kink> {
    let arch = &problem.arch;
    if arch.hidden_layers() == 0 || !arch.activation.has_kink() {
        return Vec::new();
    }
    let n = arch.num_params();
    let mut out = Vec::new();
    for (i, units) in sig.hidden[0].iter().enumerate() {
        for (j, s) in units.iter().enumerate() {
            if *s == Sign::Zero {
                let mut normal = vec![Q::zero(); n];
                for (k, xk) in problem.data.x[i].iter().enumerate() {
                    normal[arch.weight_index(1, j, k)] = xk.clone();
                }
                if let Some(b) = arch.bias_index(1, j) {
                    normal[b] = Q::one();
                }
                out.push(Kink {
                    point: i,
                    unit: j,
                    normal,
                });
            }
        }
    }
    out
}

/// A term of the loss near the point: its data point, whether it is a
/// hinge corner (value exactly 0, first branch the constant 0), and its
/// branches.
pub(crate) struct Term {
    pub(crate) point: usize,
    pub(crate) corner: bool,
    pub(crate) branches: Vec<Quad>,
}

/// The terms of the loss on one closed kink cone, in data-point order (the
/// parts are shared with the model's cache).
pub(crate) struct ConeTerms(Vec<Rc<Vec<Term>>>);

impl ConeTerms {
    /// Every term, in the order of the data points and, within a point, of
    /// its hinge arguments.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Term> {
        self.0.iter().flat_map(|part| part.iter())
    }
}

/// A data point and the sides of its own kinks (a key of the term cache).
type PointSides = (usize, Vec<bool>);

/// The local model of the loss at a point: see the module documentation.
pub struct LocalModel<'a> {
    pub(crate) problem: &'a Problem,
    pub(crate) params: &'a Params,
    /// The point, flat.
    pub(crate) theta: Vec<Q>,
    kinks: Vec<Kink>,
    /// Activity of every hidden unit at every data point off the kinks
    /// (a zero pre-activation reads as inactive until a side is chosen).
    active: Vec<Vec<Vec<bool>>>,
    /// For every data point, the indices (into `kinks`) of its kinks.
    point_kinks: Vec<Vec<usize>>,
    /// Terms of one data point, by the sides of that point's kinks.
    terms: RefCell<HashMap<PointSides, Option<Rc<Vec<Term>>>>>,
    /// Completed proof attempts, by the terms they drop.
    pub(crate) attempts: RefCell<Vec<(Vec<bool>, SecondOrder)>>,
}

impl<'a> LocalModel<'a> {
    /// The model at `params`, whose signature is `sig`
    /// (`problem.signature(params)`).
    pub fn new(problem: &'a Problem, params: &'a Params, sig: &Signature) -> LocalModel<'a> {
        let arch = &problem.arch;
        let kinks = kinks_of(problem, sig);
        let active = sig
            .hidden
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .map(|u| {
                        u.iter()
                            .map(|s| *s == Sign::Pos || !arch.activation.has_kink())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut point_kinks = vec![Vec::new(); problem.data.len()];
        for (k, kink) in kinks.iter().enumerate() {
            point_kinks[kink.point].push(k);
        }
        LocalModel {
            problem,
            params,
            theta: params.flat(),
            kinks,
            active,
            point_kinks,
            terms: RefCell::new(HashMap::new()),
            attempts: RefCell::new(Vec::new()),
        }
    }

    /// The point's kinks (first hidden layer), in signature order.
    pub fn kinks(&self) -> &[Kink] {
        &self.kinks
    }

    /// The terms of the loss on the closed cone with sides `sides` for every
    /// kink of `kinks()` (`true` = positive side); `None` if an output has
    /// degree > 2.
    pub(crate) fn cone_terms(&self, sides: &[bool]) -> Option<ConeTerms> {
        let mut parts = Vec::with_capacity(self.point_kinks.len());
        for (i, ks) in self.point_kinks.iter().enumerate() {
            let key = (i, ks.iter().map(|&k| sides[k]).collect::<Vec<bool>>());
            let cached = self.terms.borrow().get(&key).cloned();
            let part = match cached {
                Some(part) => part,
                None => {
                    let part = self.point_terms(i, &key.1).map(Rc::new);
                    self.terms.borrow_mut().insert(key, part.clone());
                    part
                }
            };
            parts.push(part?);
        }
        Some(ConeTerms(parts))
    }

    /// The terms of data point `i` with sides `sides` for its own kinks
    /// (in the order of `point_kinks[i]`), each a list of branches; `None`
    /// if an output has degree > 2.
    fn point_terms(&self, i: usize, sides: &[bool]) -> Option<Vec<Term>> {
        let problem = self.problem;
        let theta = &self.theta;
        let n = theta.len();
        let mut active = self.active.clone();
        for (&k, side) in self.point_kinks[i].iter().zip(sides) {
            let kink = &self.kinks[k];
            active[0][kink.point][kink.unit] = *side;
        }
        let pattern = Pattern {
            active,
            hinge_active: Vec::new(),
            competitor: Vec::new(),
        };
        let one = Poly::constant(Q::one());
        let mut out = Vec::new();
        let f = output_polys(problem, &pattern, i);
        let y = problem.data.y[i];
        let fv: Vec<Q> = f.iter().map(|p| p.evaluate(theta)).collect();
        // (arguments of the max, value at theta*)
        let mut groups: Vec<Vec<Poly>> = Vec::new();
        let mut values: Vec<Q> = Vec::new();
        match problem.loss {
            LossKind::Hinge => {
                groups.push(vec![one.sub(&f[0].scale(&Q::from_integer(y.into())))]);
                values.push(Q::one() - Q::from_integer(y.into()) * &fv[0]);
            }
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                for k in (0..f.len()).filter(|&k| k != yc) {
                    groups.push(vec![one.add(&f[k]).sub(&f[yc])]);
                    values.push(Q::one() + &fv[k] - &fv[yc]);
                }
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                let best = (0..f.len()).filter(|&k| k != yc).map(|k| &fv[k]).max()?;
                let tied: Vec<usize> = (0..f.len())
                    .filter(|&k| k != yc && fv[k] == *best)
                    .collect();
                groups.push(tied.iter().map(|&k| one.add(&f[k]).sub(&f[yc])).collect());
                values.push(Q::one() + best - &fv[yc]);
            }
            LossKind::Absolute => {
                // |r| = max(0, r) + max(0, -r), r = f - t: two hinge terms
                // (a corner of both at r = 0), so the multilinear theory of
                // hinge terms applies unchanged
                let r = f[0].sub(&Poly::constant(problem.data.target(i)));
                let rv = &fv[0] - problem.data.target(i);
                groups.push(vec![r.clone()]);
                values.push(rv.clone());
                groups.push(vec![Poly::zero().sub(&r)]);
                values.push(-rv);
            }
            // not a sum of hinge terms: the squared loss has its own proofs
            LossKind::Squared => return None,
        }
        for (args, v) in groups.into_iter().zip(values) {
            if v.is_negative() {
                continue;
            }
            let mut branches = Vec::new();
            if v.is_zero() {
                branches.push(Quad::zero(n));
            }
            for a in &args {
                branches.push(Quad::of(a, theta)?);
            }
            out.push(Term {
                point: i,
                corner: v.is_zero(),
                branches,
            });
        }
        Some(out)
    }
}
