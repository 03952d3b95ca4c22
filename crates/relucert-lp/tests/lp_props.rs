//! Property tests of the exact LP engine against an independent brute-force
//! oracle: enumerate every basis (every choice of n tight constraints among
//! rows, finite bounds and a big box), solve it with Cramer's rule in i128,
//! keep the feasible vertices and take the best. A big box `|x_j| <= M`
//! makes the region a polytope; the LP is unbounded iff the boxed optimum
//! moves when the box is doubled, infeasible iff the boxed region is empty.

use num_bigint::BigInt;
use proptest::prelude::*;
use relucert_lp::number::{qi, Q};
use relucert_lp::{
    check_result, solve, solve_exact_simplex, solve_with_stats, Cmp, Lp, LpResult, LpStats, Sense,
    VarId,
};

/// Small deterministic generator (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

/// Integer test LP (the oracle works on this; the solver gets an `Lp`).
#[derive(Clone, Debug)]
struct TLp {
    max: bool,
    n: usize,
    c: Vec<i64>,
    rows: Vec<(Vec<i64>, Cmp, i64)>,
    lo: Vec<Option<i64>>,
    hi: Vec<Option<i64>>,
}

fn gen(seed: u64, degenerate: bool) -> TLp {
    let mut r = Rng(seed);
    let n = r.range(1, 4) as usize;
    let m = r.range(0, 7) as usize;
    let cmps = [Cmp::Le, Cmp::Ge, Cmp::Eq];
    let vertex: Vec<i64> = (0..n).map(|_| r.range(-2, 2)).collect();
    let mut rows: Vec<(Vec<i64>, Cmp, i64)> = Vec::new();
    for _ in 0..m {
        let kind = if degenerate {
            r.range(0, 4)
        } else if r.chance(70) {
            0
        } else {
            r.range(1, 4)
        };
        let cmp = if r.chance(15) {
            Cmp::Eq
        } else {
            cmps[r.range(0, 1) as usize]
        };
        let row = match kind {
            1 => {
                let a: Vec<i64> = (0..n).map(|_| r.range(-3, 3)).collect();
                let b = a.iter().zip(&vertex).map(|(x, y)| x * y).sum();
                (a, cmp, b)
            }
            2 if !rows.is_empty() => {
                let k = r.range(0, rows.len() as i64 - 1) as usize;
                let (a, c, b) = rows[k].clone();
                (a, if r.chance(50) { c } else { cmp }, b)
            }
            3 if !rows.is_empty() => {
                let k = r.range(0, rows.len() as i64 - 1) as usize;
                let f = [-2, -1, 2, 3][r.range(0, 3) as usize];
                let a: Vec<i64> = rows[k].0.iter().map(|v| v * f).collect();
                (a, cmp, r.range(-6, 6))
            }
            4 => (vec![0; n], cmp, r.range(-1, 1)),
            _ => {
                let a: Vec<i64> = (0..n)
                    .map(|_| if r.chance(25) { 0 } else { r.range(-3, 3) })
                    .collect();
                (a, cmp, r.range(-5, 5))
            }
        };
        rows.push(row);
    }
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    for _ in 0..n {
        let (l, h) = match r.range(0, 5) {
            0 => (None, None),
            1 => (Some(0), None),
            2 => (None, Some(r.range(-2, 4))),
            3 => {
                let a = r.range(-3, 2);
                let lo_w = if r.chance(5) { -1 } else { 0 };
                (Some(a), Some(a + r.range(lo_w, 4)))
            }
            4 => (Some(r.range(-3, 3)), None),
            _ => (Some(0), None),
        };
        lo.push(l);
        hi.push(h);
    }
    let mut c: Vec<i64> = (0..n).map(|_| r.range(-3, 3)).collect();
    if !rows.is_empty() && r.chance(20) {
        let k = r.range(0, rows.len() as i64 - 1) as usize;
        c = rows[k].0.clone();
    }
    TLp {
        max: r.chance(50),
        n,
        c,
        rows,
        lo,
        hi,
    }
}

fn to_lp(t: &TLp) -> Lp {
    let mut lp = Lp::new(if t.max {
        Sense::Maximize
    } else {
        Sense::Minimize
    });
    let vars: Vec<VarId> = (0..t.n)
        .map(|j| lp.add_var(t.lo[j].map(qi), t.hi[j].map(qi)))
        .collect();
    for (a, cmp, b) in &t.rows {
        lp.add_row(
            a.iter()
                .enumerate()
                .map(|(j, v)| (vars[j], qi(*v)))
                .collect(),
            *cmp,
            qi(*b),
        );
    }
    lp.set_objective(
        t.c.iter()
            .enumerate()
            .map(|(j, v)| (vars[j], qi(*v)))
            .collect(),
    );
    lp
}

fn det(m: &[Vec<i128>]) -> i128 {
    let n = m.len();
    if n == 0 {
        return 1;
    }
    if n == 1 {
        return m[0][0];
    }
    let mut total = 0i128;
    for col in 0..n {
        if m[0][col] == 0 {
            continue;
        }
        let minor: Vec<Vec<i128>> = m[1..]
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != col)
                    .map(|(_, v)| *v)
                    .collect()
            })
            .collect();
        let s = if col % 2 == 0 { 1 } else { -1 };
        total += s * m[0][col] * det(&minor);
    }
    total
}

#[derive(Debug, PartialEq)]
enum Oracle {
    Infeasible,
    Unbounded,
    Optimal(Q),
}

/// Best objective (as minimisation of s*c) over the vertices of the region
/// cut by the box `|x| <= big`; `None` if the boxed region is empty.
fn boxed_best(t: &TLp, big: i64) -> Option<Q> {
    let n = t.n;
    // All constraints as (a, cmp, b) over i128.
    let mut cons: Vec<(Vec<i128>, Cmp, i128)> = t
        .rows
        .iter()
        .map(|(a, c, b)| (a.iter().map(|v| *v as i128).collect(), *c, *b as i128))
        .collect();
    for j in 0..n {
        let mut e = vec![0i128; n];
        e[j] = 1;
        if let Some(l) = t.lo[j] {
            cons.push((e.clone(), Cmp::Ge, l as i128));
        }
        if let Some(h) = t.hi[j] {
            cons.push((e.clone(), Cmp::Le, h as i128));
        }
        cons.push((e.clone(), Cmp::Ge, -(big as i128)));
        cons.push((e, Cmp::Le, big as i128));
    }
    let k = cons.len();
    let sign: i128 = if t.max { -1 } else { 1 };
    let mut best: Option<(i128, i128)> = None; // value num/den, den > 0
    let mut idx: Vec<usize> = (0..n).collect();
    loop {
        let a: Vec<Vec<i128>> = idx.iter().map(|&i| cons[i].0.clone()).collect();
        let d = det(&a);
        if d != 0 {
            let mut num = vec![0i128; n];
            for (j, slot) in num.iter_mut().enumerate() {
                let mut aj = a.clone();
                for (r, &i) in idx.iter().enumerate() {
                    aj[r][j] = cons[i].2;
                }
                *slot = det(&aj);
            }
            let (num, d) = if d < 0 {
                (num.iter().map(|v| -v).collect::<Vec<_>>(), -d)
            } else {
                (num, d)
            };
            let feasible = cons.iter().all(|(a, c, b)| {
                let s: i128 = a.iter().zip(&num).map(|(x, y)| x * y).sum::<i128>() - b * d;
                match c {
                    Cmp::Le => s <= 0,
                    Cmp::Ge => s >= 0,
                    Cmp::Eq => s == 0,
                }
            });
            if feasible {
                let v: i128 = sign
                    * t.c
                        .iter()
                        .zip(&num)
                        .map(|(x, y)| *x as i128 * y)
                        .sum::<i128>();
                best = match best {
                    Some((bn, bd)) if bn * d <= v * bd => Some((bn, bd)),
                    _ => Some((v, d)),
                };
            }
        }
        // next combination
        let mut i = n;
        loop {
            if i == 0 {
                return best.map(|(nu, de)| Q::new(BigInt::from(sign * nu), BigInt::from(de)));
            }
            i -= 1;
            if idx[i] < k - n + i {
                idx[i] += 1;
                for j in i + 1..n {
                    idx[j] = idx[j - 1] + 1;
                }
                break;
            }
        }
    }
}

fn oracle(t: &TLp) -> Oracle {
    const M: i64 = 1_000_000;
    match (boxed_best(t, M), boxed_best(t, 2 * M)) {
        (None, _) => Oracle::Infeasible,
        (Some(a), Some(b)) if a == b => Oracle::Optimal(a),
        _ => Oracle::Unbounded,
    }
}

fn check(t: &TLp, res: &LpResult, what: &str) {
    let lp = to_lp(t);
    if let Err(e) = check_result(&lp, res) {
        panic!("{what}: certificate rejected: {e}\nlp = {t:?}\nresult = {res:?}");
    }
    let o = oracle(t);
    match (&o, res) {
        (Oracle::Infeasible, LpResult::Infeasible { .. })
        | (Oracle::Unbounded, LpResult::Unbounded { .. }) => {}
        (Oracle::Optimal(v), LpResult::Optimal { value, .. }) => {
            assert_eq!(v, value, "{what}: value differs\nlp = {t:?}")
        }
        _ => panic!("{what}: status differs: oracle {o:?}, solver {res:?}\nlp = {t:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn random_lps_match_brute_force(seed in any::<u64>()) {
        let t = gen(seed, false);
        let lp = to_lp(&t);
        check(&t, &solve(&lp), "solve");
        check(&t, &solve_exact_simplex(&lp), "exact simplex");
    }

    #[test]
    fn degenerate_lps_match_brute_force(seed in any::<u64>()) {
        let t = gen(seed, true);
        let lp = to_lp(&t);
        check(&t, &solve(&lp), "solve");
        check(&t, &solve_exact_simplex(&lp), "exact simplex");
    }
}

#[test]
fn fallback_rate_is_reported() {
    let mut stats = LpStats::default();
    for seed in 0..300u64 {
        let t = gen(seed, seed % 2 == 0);
        let lp = to_lp(&t);
        let res = solve_with_stats(&lp, &mut stats);
        check(&t, &res, "solve");
    }
    assert_eq!(stats.solves, 300);
    assert_eq!(stats.fast_path + stats.fallbacks, 300);
    eprintln!(
        "stats: {stats:?}, fallback rate {:.3}",
        stats.fallback_rate()
    );
}
