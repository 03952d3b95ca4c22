//! Inputs on which f64 alone gives the wrong answer: the exact engine must
//! still be right. Every expected fact below is derived by hand.

use num_bigint::BigInt;
use num_traits::{One, Pow, Zero};
use relucert_lp::linalg;
use relucert_lp::number::{parse_rational, qi, Q};
use relucert_lp::parse::parse_lp;
use relucert_lp::{
    check_result, solve, solve_exact_simplex, solve_with_stats, Cmp, Lp, LpResult, LpStats, Sense,
};

fn q(s: &str) -> Q {
    parse_rational(s).unwrap()
}

fn pow10(e: u32) -> Q {
    Q::from_integer(Pow::pow(BigInt::from(10), e))
}

/// Solve with both engines; both must agree and verify.
fn both(lp: &Lp) -> LpResult {
    let a = solve(lp);
    check_result(lp, &a).unwrap_or_else(|e| panic!("solve: {e}: {a:?}"));
    let b = solve_exact_simplex(lp);
    check_result(lp, &b).unwrap_or_else(|e| panic!("simplex: {e}: {b:?}"));
    assert_eq!(a.status(), b.status());
    if let (LpResult::Optimal { value: va, .. }, LpResult::Optimal { value: vb, .. }) = (&a, &b) {
        assert_eq!(va, vb);
    }
    a
}

fn value(r: &LpResult) -> Q {
    match r {
        LpResult::Optimal { value, .. } => value.clone(),
        other => panic!("expected optimal, got {other:?}"),
    }
}

#[test]
fn bound_differing_in_the_20th_digit() {
    // max x s.t. x <= 1 + 10^-20, x <= 2: optimum exactly 1 + 10^-20 (f64: 1).
    let mut lp = Lp::new(Sense::Maximize);
    let x = lp.add_var(None, None);
    let eps = Q::one() / pow10(20);
    lp.add_row(vec![(x, qi(1))], Cmp::Le, Q::one() + &eps);
    lp.add_row(vec![(x, qi(1))], Cmp::Le, qi(2));
    lp.set_objective(vec![(x, qi(1))]);
    assert_eq!(value(&both(&lp)), Q::one() + eps);
}

#[test]
fn infeasible_by_10_to_the_minus_20() {
    // x >= 1 and x <= 1 - 10^-20: infeasible, although in f64 the two rows
    // coincide and x = 1 looks feasible.
    let mut lp = Lp::new(Sense::Minimize);
    let x = lp.add_var(None, None);
    lp.add_row(vec![(x, qi(1))], Cmp::Ge, qi(1));
    lp.add_row(vec![(x, qi(1))], Cmp::Le, Q::one() - Q::one() / pow10(20));
    lp.set_objective(vec![(x, qi(1))]);
    let r = both(&lp);
    assert!(matches!(r, LpResult::Infeasible { .. }), "{r:?}");
}

#[test]
fn near_parallel_equalities_have_one_point() {
    // x - y = 0 and x - (1 + e) y = -e with e = 10^-17 meet only at (1, 1);
    // in f64 the rows are parallel (1 + e == 1) and inconsistent.
    let e = Q::one() / pow10(17);
    let mut lp = Lp::new(Sense::Minimize);
    let x = lp.add_var(Some(qi(0)), None);
    let y = lp.add_var(Some(qi(0)), None);
    lp.add_row(vec![(x, qi(1)), (y, qi(-1))], Cmp::Eq, qi(0));
    lp.add_row(vec![(x, qi(1)), (y, -(Q::one() + &e))], Cmp::Eq, -e);
    lp.set_objective(vec![(x, qi(1)), (y, qi(1))]);
    match both(&lp) {
        LpResult::Optimal { x: pt, value, .. } => {
            assert_eq!(pt, vec![qi(1), qi(1)]);
            assert_eq!(value, qi(2));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn huge_and_tiny_coefficients() {
    // min x + 10^-12 z s.t. 10^12 x - 10^12 y >= 1, 10^-12 y + z >= 10^-12,
    // x, y, z >= 0. Then x >= y + 10^-12 and z >= 10^-12 (1 - y), so the
    // objective is at least y + 10^-12 + 10^-24 max(0, 1 - y), minimised at
    // y = 0: value 10^-12 + 10^-24 at (10^-12, 0, 10^-12). In f64 the 10^-24
    // term vanishes next to 10^-12.
    let big = pow10(12);
    let tiny = Q::one() / &big;
    let mut lp = Lp::new(Sense::Minimize);
    let x = lp.add_var(Some(qi(0)), None);
    let y = lp.add_var(Some(qi(0)), None);
    let z = lp.add_var(Some(qi(0)), None);
    lp.add_row(vec![(x, big.clone()), (y, -big.clone())], Cmp::Ge, qi(1));
    lp.add_row(vec![(y, tiny.clone()), (z, qi(1))], Cmp::Ge, tiny.clone());
    lp.set_objective(vec![(x, qi(1)), (z, tiny.clone())]);
    let r = both(&lp);
    assert_eq!(value(&r), &tiny + &tiny * &tiny);
    if let LpResult::Optimal { x: pt, .. } = r {
        assert_eq!(pt, vec![tiny.clone(), qi(0), tiny]);
    }
}

#[test]
fn objective_tie_broken_in_the_20th_digit() {
    // max (1 + 10^-20) x + y over the simplex x + y <= 1: the unique optimum
    // is x = 1 (f64 sees a tie between the two vertices).
    let eps = Q::one() / pow10(20);
    for (sign, want_x) in [(1, qi(1)), (-1, qi(0))] {
        let mut lp = Lp::new(Sense::Maximize);
        let x = lp.add_var(Some(qi(0)), None);
        let y = lp.add_var(Some(qi(0)), None);
        lp.add_row(vec![(x, qi(1)), (y, qi(1))], Cmp::Le, qi(1));
        let cx = Q::one() + &eps * qi(sign);
        lp.set_objective(vec![(x, cx.clone()), (y, qi(1))]);
        match both(&lp) {
            LpResult::Optimal { x: pt, value, .. } => {
                assert_eq!(pt[0], want_x);
                assert_eq!(value, if sign > 0 { cx } else { qi(1) });
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn tiny_cell_witness() {
    // max t s.t. x - 1 - t >= 0, -x + 1 + 10^-20 - t >= 0: t* = 10^-20 / 2 > 0.
    let mut lp = Lp::new(Sense::Maximize);
    let x = lp.add_var(None, None);
    let t = lp.add_var(None, Some(qi(1)));
    lp.add_row(vec![(x, qi(1)), (t, qi(-1))], Cmp::Ge, qi(1));
    lp.add_row(
        vec![(x, qi(-1)), (t, qi(-1))],
        Cmp::Ge,
        -(Q::one() + Q::one() / pow10(20)),
    );
    lp.set_objective(vec![(t, qi(1))]);
    assert_eq!(value(&both(&lp)), Q::one() / (pow10(20) * qi(2)));
}

#[test]
fn many_rows_through_one_vertex() {
    // 30 rows a.x <= a.(1,1,1) with a on a grid all pass through (1,1,1);
    // max x+y+z is 3 there (the rows include x+y+z <= 3 and the cube faces).
    let mut lp = Lp::new(Sense::Maximize);
    let v: Vec<_> = (0..3).map(|_| lp.add_var(None, None)).collect();
    let mut count = 0;
    for a in -1..=1i64 {
        for b in -1..=1i64 {
            for c in 0..=1i64 {
                if (a, b, c) == (0, 0, 0) || a + b + c < 0 {
                    continue;
                }
                lp.add_row(
                    vec![(v[0], qi(a)), (v[1], qi(b)), (v[2], qi(c))],
                    Cmp::Le,
                    qi(a + b + c),
                );
                count += 1;
            }
        }
    }
    lp.add_row(
        vec![(v[0], qi(1)), (v[1], qi(1)), (v[2], qi(1))],
        Cmp::Le,
        qi(3),
    );
    lp.add_row(
        vec![(v[0], qi(1)), (v[1], qi(1)), (v[2], qi(1))],
        Cmp::Le,
        qi(3),
    );
    assert!(count > 8);
    lp.set_objective(v.iter().map(|&x| (x, qi(1))).collect());
    assert_eq!(value(&both(&lp)), qi(3));
}

#[test]
fn big_determinants_need_bigint() {
    // A 6x6 system with entries near 10^15 overflows i64/i128 elimination.
    let n = 6;
    let mut lp = Lp::new(Sense::Minimize);
    let v: Vec<_> = (0..n).map(|_| lp.add_var(None, None)).collect();
    let big = BigInt::from(10).pow(15u32);
    for i in 0..n {
        let coeffs = (0..n)
            .map(|j| {
                let e = if i == j {
                    big.clone()
                } else {
                    BigInt::from((i * 7 + j * 3) as i64 % 11 - 5)
                };
                (v[j], Q::from_integer(e))
            })
            .collect();
        lp.add_row(coeffs, Cmp::Eq, qi(i as i64 + 1));
    }
    lp.set_objective(v.iter().map(|&x| (x, qi(1))).collect());
    let r = both(&lp);
    if let LpResult::Optimal { x, .. } = &r {
        for (i, row) in lp.rows.iter().enumerate() {
            let s: Q = row.coeffs.iter().map(|(j, c)| c * &x[j.0]).sum();
            assert_eq!(s, qi(i as i64 + 1));
        }
    } else {
        panic!("{r:?}");
    }
}

#[test]
fn rank_of_near_parallel_rows() {
    let e = Q::one() / pow10(30);
    let m = vec![vec![qi(1), qi(1)], vec![qi(1), Q::one() + &e]];
    assert_eq!(linalg::rank(&m), 2);
    assert_eq!(linalg::determinant(&m), e);
    let m2 = vec![vec![qi(1), qi(2), qi(3)], vec![q("1/3"), q("2/3"), qi(1)]];
    assert_eq!(linalg::rank(&m2), 1);
    assert_eq!(linalg::nullspace(&m2, 3).len(), 2);
}

#[test]
fn crossed_bounds_and_empty_models() {
    let mut lp = Lp::new(Sense::Minimize);
    let x = lp.add_var(Some(qi(2)), Some(qi(1)));
    lp.set_objective(vec![(x, qi(1))]);
    assert!(matches!(both(&lp), LpResult::Infeasible { .. }));
    let empty = Lp::new(Sense::Maximize);
    assert_eq!(value(&both(&empty)), Q::zero());
    let mut zero_row = Lp::new(Sense::Minimize);
    zero_row.add_row(vec![], Cmp::Ge, qi(1));
    assert!(matches!(both(&zero_row), LpResult::Infeasible { .. }));
}

#[test]
fn verify_rejects_wrong_certificates() {
    let lp =
        parse_lp("max\n 3 x + 2 y\nst\n c1: x + y <= 4\n c2: x + 3 y <= 6\nbounds\n x <= 3\nend\n")
            .unwrap();
    let good = solve(&lp);
    check_result(&lp, &good).unwrap();
    if let LpResult::Optimal { x, duals, value } = good.clone() {
        let bad_value = LpResult::Optimal {
            x: x.clone(),
            duals: duals.clone(),
            value: value.clone() + qi(1),
        };
        assert!(check_result(&lp, &bad_value).is_err());
        let bad_duals = LpResult::Optimal {
            x: x.clone(),
            duals: vec![qi(1), qi(1)],
            value: value.clone(),
        };
        assert!(check_result(&lp, &bad_duals).is_err());
        let suboptimal = LpResult::Optimal {
            x: vec![qi(0), qi(0)],
            duals,
            value: qi(0),
        };
        assert!(check_result(&lp, &suboptimal).is_err());
    }
    assert!(check_result(
        &lp,
        &LpResult::Infeasible {
            farkas: vec![qi(1), qi(0)]
        }
    )
    .is_err());
    assert!(check_result(
        &lp,
        &LpResult::Unbounded {
            x: vec![qi(0), qi(0)],
            ray: vec![qi(0), qi(1)]
        }
    )
    .is_err());
}

#[test]
fn stats_count_every_solve() {
    let lp = parse_lp("min\n x\nst\n x >= 1\nend\n").unwrap();
    let mut st = LpStats::default();
    for _ in 0..5 {
        let r = solve_with_stats(&lp, &mut st);
        assert_eq!(r.status(), "optimal");
    }
    assert_eq!(st.solves, 5);
    assert_eq!(st.fast_path + st.fallbacks, 5);
}

#[test]
fn parser_spellings() {
    let text = "\\ comment\nMAXIMISE profit: 2 x1 + 3/2 x2 - 0.5 x3 + 4\nsuch that\n R_a: x1 + x2 =< 4\n x1 - x2 => -1 \\ trailing comment\n x3 = 1\n cap: x1\n + x2\n + x3 < 10\nbound\n 0 <= x1 <= 3\n x2 >= -inf\n x2 <= 2.5\n x3 free\nend";
    let lp = parse_lp(text).unwrap();
    assert_eq!(lp.sense, Sense::Maximize);
    assert_eq!(lp.vars.len(), 3);
    assert_eq!(lp.rows.len(), 4);
    assert_eq!(lp.rows[0].name, "R_a");
    assert_eq!(lp.rows[1].cmp, Cmp::Ge);
    assert_eq!(lp.rows[1].rhs, qi(-1));
    assert_eq!(lp.rows[3].name, "cap");
    assert_eq!(lp.objective_constant, qi(4));
    assert_eq!(lp.vars[1].lower, None);
    assert_eq!(lp.vars[1].upper, Some(q("5/2")));
    assert_eq!(lp.vars[2].lower, None);
    // max 2 x1 + 3/2 x2 - 1/2 + 4 with x1 + x2 <= 4, x1 - x2 >= -1, x1 <= 3, x2 <= 5/2:
    // x1 = 3, x2 = 1 gives 6 + 3/2 + 7/2 = 11.
    assert_eq!(value(&both(&lp)), qi(11));
    for (bad, line) in [
        ("min\n x +\nst\n", 3),
        ("max x\nst\n x <= y\nend", 3),
        ("x + y\nend", 1),
        ("min x\nst\n c: x >= 1\n c: x >= 2\nend", 4),
    ] {
        let e = parse_lp(bad).unwrap_err();
        assert_eq!(e.line(), line, "{bad:?}: {e:?}");
    }
}
