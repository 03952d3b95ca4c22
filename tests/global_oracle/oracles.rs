//! The oracles' computations for `tests/global_oracle.rs`, none of which
//! knows chambers or pattern LPs: this file's own forward pass and hinge
//! loss, an exhaustive rational grid followed by exact coordinate search,
//! the affine / linear classifier LP re-proved by weak duality, and `L*_m`
//! by brute force over active *subsets*.
//!
//! Owns: those computations, each exact (floats nowhere).
//!
//! Must not: call `relucert::global` or anything it is built from besides
//! the LP engine (`relucert::lp`, whose every answer is re-checked here or
//! by `check_result`) and `Problem::loss`.

use num_traits::{One, Signed, Zero};
use relucert::lp::{Cmp, Lp, LpResult, Sense};
use relucert::network::{Activation, LayerParams, Params, Problem};
use relucert::number::{fmt_q, Q};

fn q(p: i64, d: i64) -> Q {
    Q::new(p.into(), d.into())
}

/// This file's own forward pass and hinge loss (one hidden layer), written
/// from FORMAT.md's semantics: a second evaluation beside `Problem::loss`.
pub fn own_loss(p: &Problem, params: &Params) -> Q {
    let (l1, l2) = (&params.layers[0], &params.layers[1]);
    let mut total = Q::zero();
    for (x, &y) in p.data.x.iter().zip(&p.data.y) {
        let mut f = l2.b.as_ref().map_or_else(Q::zero, |b| b[0].clone());
        for (j, row) in l1.w.iter().enumerate() {
            let mut z = l1.b.as_ref().map_or_else(Q::zero, |b| b[j].clone());
            for (w, xi) in row.iter().zip(x) {
                z += w * xi;
            }
            let h = match &p.arch.activation {
                Activation::Linear => z,
                Activation::Relu => {
                    if z.is_positive() {
                        z
                    } else {
                        Q::zero()
                    }
                }
                Activation::Leaky(alpha) => {
                    if z.is_negative() {
                        alpha * z
                    } else {
                        z
                    }
                }
            };
            f += &l2.w[0][j] * h;
        }
        let t = Q::one() - Q::from_integer(y.into()) * f;
        if t.is_positive() {
            total += t;
        }
    }
    total / Q::from_integer((p.data.len() as i64).into())
}

/// Exact coordinate search with shrinking steps 2, 1, ..., 1/16 over the
/// flat parameter vector (all weights, biases and output weights), first
/// improvement, from `start`; returns the best loss and point met. Every
/// loss is `Problem::loss`, exact.
pub fn coordinate_search(p: &Problem, start: &Params, budget: &mut usize) -> (Q, Params) {
    let mut x = start.flat();
    let eval = |x: &[Q]| match Params::from_flat(&p.arch, x) {
        Some(pp) => p.loss(&pp),
        None => Q::one() + Q::one(),
    };
    let mut best = eval(&x);
    for step in [q(2, 1), q(1, 1), q(1, 2), q(1, 4), q(1, 8), q(1, 16)] {
        for _sweep in 0..12 {
            let mut improved = false;
            for k in 0..x.len() {
                for dir in [&step, &-step.clone()] {
                    if best.is_zero() || *budget == 0 {
                        break;
                    }
                    *budget -= 1;
                    x[k] += dir;
                    let l = eval(&x);
                    if l < best {
                        best = l;
                        improved = true;
                        break;
                    }
                    x[k] -= dir;
                }
            }
            if !improved {
                break;
            }
        }
    }
    let pp = Params::from_flat(&p.arch, &x).unwrap_or_else(|| start.clone());
    (best, pp)
}

/// The grid: each unit is absent (all zero) or `a sigma(w . x + b)` with
/// `a = +-1` (homogeneity: `|a|` moves into `w`, `b`) and `(w, b)` a nonzero
/// vector in {-1, 0, 1}^(d + hb); units as a multiset (they commute); the
/// output bias in {-1, 0, 1}. Every grid point is evaluated exactly; then
/// coordinate search from the best `k` grid points and from the solver's
/// witness. Returns the least loss met from the grid alone, the least loss
/// met overall with its point, and the number of evaluations.
pub fn exhaustive_best(p: &Problem, witness: &Params, k: usize) -> (Q, Q, Params, usize) {
    let a = &p.arch;
    let (d, m, hb, ob) = (a.widths[0], a.widths[1], a.bias[0], a.bias[1]);
    let len = d + usize::from(hb);
    let mut units: Vec<(Q, Vec<Q>)> = vec![(Q::zero(), vec![Q::zero(); len])];
    let total = 3usize.pow(len as u32);
    for code in 0..total {
        let mut c = code;
        let v: Vec<Q> = (0..len)
            .map(|_| {
                let digit = (c % 3) as i64 - 1;
                c /= 3;
                Q::from_integer(digit.into())
            })
            .collect();
        if v.iter().all(Zero::is_zero) {
            continue;
        }
        units.push((Q::one(), v.clone()));
        units.push((-Q::one(), v));
    }
    // multisets of m unit indices, non-decreasing
    let mut combos: Vec<Vec<usize>> = vec![vec![]];
    for _ in 0..m {
        let mut next = Vec::new();
        for c in &combos {
            let lo = c.last().copied().unwrap_or(0);
            for u in lo..units.len() {
                let mut c2 = c.clone();
                c2.push(u);
                next.push(c2);
            }
        }
        combos = next;
    }
    let cs: Vec<Q> = if ob {
        vec![-Q::one(), Q::zero(), Q::one()]
    } else {
        vec![Q::zero()]
    };
    let mut scored: Vec<(Q, Params)> = Vec::new();
    let mut evals = 0usize;
    for combo in &combos {
        for c in &cs {
            let w: Vec<Vec<Q>> = combo.iter().map(|&u| units[u].1[..d].to_vec()).collect();
            let b = hb.then(|| combo.iter().map(|&u| units[u].1[d].clone()).collect());
            let a2 = vec![combo.iter().map(|&u| units[u].0.clone()).collect()];
            let params = Params {
                layers: vec![
                    LayerParams { w, b },
                    LayerParams {
                        w: a2,
                        b: ob.then(|| vec![c.clone()]),
                    },
                ],
            };
            let l = p.loss(&params);
            evals += 1;
            scored.push((l, params));
        }
    }
    scored.sort_by(|x, y| x.0.cmp(&y.0));
    scored.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    let mut best = scored[0].clone();
    let mut grid_best = best.0.clone();
    let mut budget = 4000usize;
    let starts: Vec<Params> = scored.iter().take(k).map(|s| s.1.clone()).collect();
    for (i, s) in starts.iter().chain(std::iter::once(witness)).enumerate() {
        let before = budget;
        let (l, pt) = coordinate_search(p, s, &mut budget);
        evals += before - budget;
        if i < starts.len() && l < grid_best {
            grid_best = l.clone();
        }
        if l < best.0 {
            best = (l, pt);
        }
    }
    (grid_best, best.0, best.1, evals)
}

/// The least hinge loss over classifiers `f(x) = w . x + c` (`c = 0` unless
/// `affine`): the LP `min (1/N) sum xi_i` over `xi >= 0`, `xi_i + y_i (w .
/// x_i + c) >= 1`, solved with `relucert::lp` and then re-proved here
/// without trusting the solver: the primal point's exact hinge loss `v`
/// (computed directly, not read from the LP) and the duals `lambda` with
/// `0 <= lambda_i <= 1/N`, `sum lambda_i y_i x_i = 0`, `sum lambda_i y_i =
/// 0` when affine and `sum lambda_i = v`. By weak duality every classifier
/// has loss `>= sum lambda_i (1 - y_i f(x_i)) = sum lambda_i = v`.
pub fn classifier_optimum(x: &[Vec<Q>], y: &[i64], affine: bool) -> Result<Q, String> {
    let n = x.len();
    let d = x.first().map_or(0, Vec::len);
    let nq = Q::from_integer((n as i64).into());
    let mut lp = Lp::new(Sense::Minimize);
    let w: Vec<_> = (0..d).map(|_| lp.add_var(None, None)).collect();
    let c = affine.then(|| lp.add_var(None, None));
    let xi: Vec<_> = (0..n).map(|_| lp.add_var(Some(Q::zero()), None)).collect();
    for i in 0..n {
        let yi = Q::from_integer(y[i].into());
        let mut row: Vec<_> = w.iter().zip(&x[i]).map(|(&v, xk)| (v, &yi * xk)).collect();
        if let Some(c) = c {
            row.push((c, yi.clone()));
        }
        row.push((xi[i], Q::one()));
        lp.add_row(row, Cmp::Ge, Q::one());
    }
    lp.set_objective(xi.iter().map(|&v| (v, Q::one() / &nq)).collect());
    let LpResult::Optimal { x: sol, duals, .. } = relucert::lp::solve(&lp) else {
        return Err("the classifier LP is not optimal".to_string());
    };
    // primal: the exact hinge loss of (w, c)
    let wv: Vec<Q> = w.iter().map(|v| sol[v.0].clone()).collect();
    let cv = c.map_or_else(Q::zero, |c| sol[c.0].clone());
    let mut v = Q::zero();
    for i in 0..n {
        let f: Q = wv.iter().zip(&x[i]).map(|(a, b)| a * b).sum::<Q>() + &cv;
        let t = Q::one() - Q::from_integer(y[i].into()) * f;
        if t.is_positive() {
            v += t;
        }
    }
    v /= &nq;
    // dual: weak duality, checked here
    let lam = &duals;
    if lam.len() != n {
        return Err(format!("{} duals for {n} rows", lam.len()));
    }
    let cap = Q::one() / &nq;
    if lam.iter().any(|l| l.is_negative() || *l > cap) {
        return Err(format!(
            "duals outside [0, 1/N]: {:?}",
            lam.iter().map(fmt_q).collect::<Vec<_>>()
        ));
    }
    let mut s = vec![Q::zero(); d];
    for ((l, xi), &yi) in lam.iter().zip(x).zip(y) {
        for (sk, xk) in s.iter_mut().zip(xi) {
            *sk += l * Q::from_integer(yi.into()) * xk;
        }
    }
    if let Some(k) = s.iter().position(|v| !v.is_zero()) {
        return Err(format!("sum lambda y x_{k} = {}", fmt_q(&s[k])));
    }
    if affine {
        let s: Q = (0..n).map(|i| &lam[i] * Q::from_integer(y[i].into())).sum();
        if !s.is_zero() {
            return Err(format!("sum lambda y = {}", fmt_q(&s)));
        }
    }
    let total: Q = lam.iter().sum();
    if total != v {
        return Err(format!(
            "dual value {} != primal loss {}",
            fmt_q(&total),
            fmt_q(&v)
        ));
    }
    Ok(v)
}

/// `L*_m` by brute force over *subsets* instead of chambers: each unit is
/// `s sigma(u . x~)` (homogeneity), and `u` lies in the closed cone `K_S =
/// {u : u . x~_i >= 0 (i in S), <= 0 (i not in S)}` of its active set `S`
/// (a subset of the points; infeasible subsets give `K_S = {0}`, harmless).
/// On `K_S` the unit is linear in `u` (slope 1 on `S`, alpha or 0 off it),
/// so for every choice of `m` (subset, sign) pairs the LP over `u_j in
/// K_Sj`, `c`, `xi` is exactly the least loss of the networks with those
/// active sets; the minimum over all choices is `L*_m`. No arrangement, no
/// flip closure, no dual reuse: all `2^N` subsets (one for linear). Every
/// LP result is re-checked by `relucert::lp::check_result`, and the best
/// one is turned into a network whose loss is evaluated here (`own_loss`).
pub fn subset_optimum(p: &Problem, m: usize) -> Result<Q, String> {
    let a = &p.arch;
    let (n, hb, ob) = (p.data.len(), a.bias[0], a.bias[1]);
    let xt: Vec<Vec<Q>> = p
        .data
        .x
        .iter()
        .map(|x| {
            let mut v = x.clone();
            if hb {
                v.push(Q::one());
            }
            v
        })
        .collect();
    let dim = xt[0].len();
    let (slope_off, subsets): (Q, Vec<u32>) = match &a.activation {
        Activation::Linear => (Q::one(), vec![(1u32 << n) - 1]),
        Activation::Relu => (Q::zero(), (1..1u32 << n).collect()),
        Activation::Leaky(al) => (al.clone(), (0..1u32 << n).collect()),
    };
    let pairs: Vec<(u32, Q)> = subsets
        .iter()
        .flat_map(|&s| [(s, Q::one()), (s, -Q::one())])
        .collect();
    let nq = Q::from_integer((n as i64).into());
    let mut best: Option<Q> = None;
    let mut choice = vec![0usize; m.min(pairs.len())];
    let k = choice.len();
    for (j, c) in choice.iter_mut().enumerate() {
        *c = j;
    }
    loop {
        let mut lp = Lp::new(Sense::Minimize);
        let us: Vec<Vec<_>> = (0..k)
            .map(|_| (0..dim).map(|_| lp.add_var(None, None)).collect())
            .collect();
        let c = ob.then(|| lp.add_var(None, None));
        let xi: Vec<_> = (0..n).map(|_| lp.add_var(Some(Q::zero()), None)).collect();
        for (j, &pj) in choice.iter().enumerate() {
            let set = pairs[pj].0;
            for (i, x) in xt.iter().enumerate() {
                if a.activation != Activation::Linear && x.iter().any(|v| !v.is_zero()) {
                    let row = us[j]
                        .iter()
                        .zip(x)
                        .map(|(&v, xk)| (v, xk.clone()))
                        .collect();
                    let cmp = if set >> i & 1 == 1 { Cmp::Ge } else { Cmp::Le };
                    lp.add_row(row, cmp, Q::zero());
                }
            }
        }
        for i in 0..n {
            let yi = Q::from_integer(p.data.y[i].into());
            let mut row = vec![(xi[i], Q::one())];
            for (j, &pj) in choice.iter().enumerate() {
                let (set, s) = &pairs[pj];
                let mu = if set >> i & 1 == 1 {
                    Q::one()
                } else {
                    slope_off.clone()
                };
                let coef = &yi * s * mu;
                row.extend(us[j].iter().zip(&xt[i]).map(|(&v, xk)| (v, &coef * xk)));
            }
            if let Some(c) = c {
                row.push((c, yi.clone()));
            }
            lp.add_row(row, Cmp::Ge, Q::one());
        }
        lp.set_objective(xi.iter().map(|&v| (v, Q::one() / &nq)).collect());
        let res = relucert::lp::solve(&lp);
        relucert::lp::check_result(&lp, &res).map_err(|e| format!("LP check: {e:?}"))?;
        let LpResult::Optimal { x: sol, value, .. } = res else {
            return Err("a subset LP is not optimal".to_string());
        };
        if best.as_ref().is_none_or(|b| value < *b) {
            // the network of this LP point: a_j = s_j, (w_j, b_j) = u_j
            let mut w = vec![vec![Q::zero(); a.widths[0]]; m];
            let mut b = vec![Q::zero(); m];
            let mut out = vec![Q::zero(); m];
            for (j, &pj) in choice.iter().enumerate() {
                let u: Vec<Q> = us[j].iter().map(|v| sol[v.0].clone()).collect();
                w[j] = u[..a.widths[0]].to_vec();
                if hb {
                    b[j] = u[dim - 1].clone();
                }
                out[j] = pairs[pj].1.clone();
            }
            let net = Params {
                layers: vec![
                    LayerParams {
                        w,
                        b: hb.then_some(b),
                    },
                    LayerParams {
                        w: vec![out],
                        b: ob.then(|| vec![c.map_or_else(Q::zero, |c| sol[c.0].clone())]),
                    },
                ],
            };
            let mut pm = p.clone();
            pm.arch.widths[1] = m;
            let l = own_loss(&pm, &net);
            if l != value {
                return Err(format!(
                    "subset LP value {} but its network loses {}",
                    fmt_q(&value),
                    fmt_q(&l)
                ));
            }
            best = Some(value);
        }
        // next combination of k distinct pairs
        let mut j = k;
        loop {
            if j == 0 {
                return best.ok_or_else(|| "no LP".to_string());
            }
            j -= 1;
            if choice[j] < pairs.len() - k + j {
                break;
            }
        }
        choice[j] += 1;
        for t in j + 1..k {
            choice[t] = choice[t - 1] + 1;
        }
    }
}
