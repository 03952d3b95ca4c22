//! The LP engine under hostile input and deadlines (issue 17).
//!
//! - `solve_within` with a far deadline gives exactly `solve`'s answer, and
//!   an expired deadline gives `Err(Expired)` (never an answer), on random
//!   LPs (proptest);
//! - models too large for the fast path's dense integer form (one row over
//!   thousands of variables) are still solved, and the answer checks;
//! - the reader refuses numbers over the digit limit on their text (the
//!   exponent counts as its digits), keeps every message one short line,
//!   and reads 100,000 rows, a row of 100,000 terms and 100,000 bound lines
//!   (linear work: the test would not finish in time otherwise).
//!
//! No assertion here depends on timing.

use proptest::prelude::*;
use relucert_lp::number::{qi, Q};
use relucert_lp::parse::{
    parse_lp, parse_lp_with, parse_lp_within, ParseError, ParseLimits, DEFAULT_MAX_DIGITS,
};
use relucert_lp::{
    check_result, solve, solve_exact_simplex, solve_with_stats_within, solve_within, Cmp, Deadline,
    Expired, Lp, LpResult, LpStats, Sense, VarId,
};
use std::time::{Duration, Instant};

/// A random small LP: coefficients in -4..=4 over denominators 1..=3,
/// optional bounds, any sense and comparisons.
fn arb_lp() -> impl Strategy<Value = Lp> {
    let q = (-4i64..=4, 1i64..=3).prop_map(|(p, d)| Q::new(p.into(), d.into()));
    let bound = proptest::option::of((-3i64..=3).prop_map(qi));
    (1usize..=4, 0usize..=5).prop_flat_map(move |(n, m)| {
        (
            any::<bool>(),
            proptest::collection::vec((bound.clone(), bound.clone()), n),
            proptest::collection::vec(q.clone(), n),
            proptest::collection::vec(
                (
                    proptest::collection::vec(q.clone(), n),
                    0u8..3,
                    (-6i64..=6).prop_map(qi),
                ),
                m,
            ),
        )
            .prop_map(|(max, bounds, obj, rows)| {
                let mut lp = Lp::new(if max {
                    Sense::Maximize
                } else {
                    Sense::Minimize
                });
                let vars: Vec<VarId> = bounds.into_iter().map(|(l, u)| lp.add_var(l, u)).collect();
                lp.set_objective(vars.iter().copied().zip(obj).collect());
                for (a, c, b) in rows {
                    let cmp = [Cmp::Le, Cmp::Ge, Cmp::Eq][usize::from(c)];
                    lp.add_row(vars.iter().copied().zip(a).collect(), cmp, b);
                }
                lp
            })
    })
}

fn value(r: &LpResult) -> Option<&Q> {
    match r {
        LpResult::Optimal { value, .. } => Some(value),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A deadline that does not pass changes nothing: exactly `solve`'s
    /// answer, which checks.
    #[test]
    fn far_deadline_is_solve(lp in arb_lp()) {
        let far = Deadline::after(Duration::from_secs(3600));
        let within = solve_within(&lp, &far);
        let plain = solve(&lp);
        prop_assert_eq!(within.as_ref(), Ok(&plain));
        prop_assert!(check_result(&lp, &plain).is_ok());
        let mut stats = LpStats::default();
        prop_assert_eq!(solve_with_stats_within(&lp, &mut stats, &far), Ok(plain.clone()));
        prop_assert_eq!(stats.solves, 1);
        // Same status and value as the exact simplex alone.
        let simplex = solve_exact_simplex(&lp);
        prop_assert_eq!(plain.status(), simplex.status());
        prop_assert_eq!(value(&plain), value(&simplex));
    }

    /// An expired deadline (or a set cancel flag) never yields an answer.
    #[test]
    fn expired_deadline_is_expired(lp in arb_lp()) {
        let now = Deadline::at(Instant::now());
        prop_assert_eq!(solve_within(&lp, &now), Err(Expired));
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let cancelled = Deadline::never().with_cancel(flag);
        prop_assert_eq!(solve_within(&lp, &cancelled), Err(Expired));
    }

    /// Random bytes and mutated LP text: a model or a one-line error of
    /// bounded length, never a panic.
    #[test]
    fn reader_never_panics(text in "[ -~\n\t]{0,200}") {
        if let Err(e) = parse_lp(&text) {
            let m = e.to_string();
            prop_assert!(!m.contains('\n'), "{}", m);
            prop_assert!(m.len() <= 300, "{}", m);
        }
    }
}

/// `n` variables, `x_j >= 0` (and `x_j <= 1` when `boxed`), one row
/// `sum x_j >= 1`, minimise `sum (j % 3 + 1) x_j`: optimum 1.
fn one_long_row(n: usize, boxed: bool) -> String {
    let terms: Vec<String> = (0..n).map(|j| format!("{} x{j}", j % 3 + 1)).collect();
    let row: Vec<String> = (0..n).map(|j| format!("x{j}")).collect();
    let mut s = format!(
        "Minimize\n obj: {}\nSubject To\n c1: {} >= 1\n",
        terms.join(" + "),
        row.join(" + ")
    );
    if boxed {
        s.push_str("Bounds\n");
        for j in 0..n {
            s.push_str(&format!(" x{j} <= 1\n"));
        }
    }
    s.push_str("End\n");
    s
}

#[test]
fn one_row_over_many_variables_is_solved() {
    // Past the fast path's dense limit: the exact simplex alone decides.
    let lp = parse_lp(&one_long_row(4000, false)).expect("reads");
    let res = solve(&lp);
    assert_eq!(value(&res), Some(&qi(1)), "{}", res.status());
    check_result(&lp, &res).expect("checks");
    // A small boxed version (through the fast path).
    let lp = parse_lp(&one_long_row(300, true)).expect("reads");
    let res = solve(&lp);
    assert_eq!(value(&res), Some(&qi(1)));
    check_result(&lp, &res).expect("checks");
}

#[test]
fn big_numbers_meet_an_expired_deadline() {
    // 150 rows of 2,000-digit data: whatever stage the solve is in, an
    // already expired deadline ends it with `Expired`.
    let big = "7".repeat(2000);
    let mut s = String::from("Minimize\n obj: x + y + z\nSubject To\n");
    for i in 0..150 {
        s.push_str(&format!(" r{i}: {big}{i} x + {i}{big} y - z >= {big}\n"));
    }
    s.push_str("End\n");
    let lp = parse_lp(&s).expect("reads");
    assert_eq!(
        solve_within(&lp, &Deadline::at(Instant::now())),
        Err(Expired)
    );
    // Reading under an expired deadline stops at the first long number.
    let e = parse_lp_within(&s, &ParseLimits::default(), &Deadline::at(Instant::now()))
        .expect_err("expired");
    assert_eq!(e, ParseError::TimeLimit { line: 4 });
    assert!(!e.to_string().contains('\n'));
    // A far deadline reads the same model.
    let far = Deadline::after(Duration::from_secs(3600));
    assert_eq!(parse_lp_within(&s, &ParseLimits::default(), &far), Ok(lp));
}

fn digits_err(text: &str, limits: &ParseLimits) -> ParseError {
    match parse_lp_with(text, limits) {
        Err(e) => e,
        Ok(_) => panic!(
            "expected a digit-limit error for {}",
            &text[..text.len().min(80)]
        ),
    }
}

#[test]
fn digit_limit_counts_mantissa_fraction_and_exponent() {
    let lim = ParseLimits { max_digits: 6 };
    let wrap = |num: &str| format!("min\n x\nst\n c: x >= {num}\nend\n");
    for ok in ["123456", "12.3456", "1e5", "12/3456", "1.5e-4", "000001"] {
        assert!(parse_lp_with(&wrap(ok), &lim).is_ok(), "{ok}");
    }
    for (bad, digits) in [
        ("1234567", 7),
        ("1.234567", 7),
        ("1e6", 7),
        ("1e-6", 7),
        ("123/4567", 7),
        ("12e5", 7),
    ] {
        let e = digits_err(&wrap(bad), &lim);
        assert!(
            matches!(&e, ParseError::TooManyDigits { line: 4, digits: d, limit: 6, .. } if *d == digits),
            "{bad}: {e:?}"
        );
        assert!(e.message().contains("above the limit of 6 digits"), "{e}");
    }
    // Defaults: 10,000 digits; `1e100000`, `1e-100000` and a 10^5-digit
    // mantissa are over it, refused before any big integer is built; an
    // exponent with more digits than any machine integer saturates.
    assert_eq!(ParseLimits::default().max_digits, DEFAULT_MAX_DIGITS);
    assert_eq!(DEFAULT_MAX_DIGITS, 10_000);
    let long = "9".repeat(100_000);
    let huge_exp = format!("1e{}", "9".repeat(50));
    for bad in ["1e100000", "1e-100000", "1e10000", &long, &huge_exp] {
        let e = digits_err(&wrap(bad), &ParseLimits::default());
        assert!(matches!(e, ParseError::TooManyDigits { .. }), "{e:?}");
        let m = e.to_string();
        assert!(m.len() <= 300 && !m.contains('\n'), "{m}");
    }
    assert!(parse_lp(&wrap(&"9".repeat(10_000))).is_ok());
    assert!(parse_lp(&wrap("1e9999")).is_ok());
}

#[test]
fn messages_quote_at_most_sixty_characters() {
    let long_name = "v".repeat(5000);
    let long_num = format!("{}/0", "1".repeat(5000));
    let cases = [
        format!("min\n x\nst\n {long_name}: x >= 1\n {long_name}: x >= 2\nend\n"),
        format!("min\n x\nst\n c: x >= {long_num}\nend\n"),
        format!("min\n x\nst\n c: x >= 1\nbounds\n {long_name} frob\nend\n"),
        format!("min\n x\nst\n c: x >= 1\nbounds\n {long_name} >= inf\nend\n"),
        format!("min\n x\nst\n {long_name}: x >= inf\nend\n"),
        format!("min\n x {long_name}\nend\n"),
        format!("min\n x\nst\n c: x >= 1 {long_name}\nend\n"),
    ];
    for text in &cases {
        let e = parse_lp(text).expect_err("an error");
        let m = e.to_string();
        assert!(m.len() <= 300, "{} chars: {m}", m.len());
        assert!(!m.contains('\n'), "{m}");
        assert!(!m.contains(&"v".repeat(61)), "{m}");
    }
}

#[test]
fn reading_is_linear() {
    let n = 100_000;
    // 100,000 rows.
    let mut s = String::from("Minimize\n obj: x\nSubject To\n");
    for i in 0..n {
        s.push_str(&format!(" r{i}: x + y{i} >= {i}\n"));
    }
    s.push_str("End\n");
    let lp = parse_lp(&s).expect("reads");
    assert_eq!(lp.rows.len(), n);
    // One row of 100,000 terms, with repeats merged.
    let terms: Vec<String> = (0..n).map(|j| format!("x{}", j % (n / 2))).collect();
    let s = format!(
        "Minimize\n obj: x0\nSubject To\n c: {} >= 1\nEnd\n",
        terms.join(" + ")
    );
    let lp = parse_lp(&s).expect("reads");
    assert_eq!(lp.rows[0].coeffs.len(), n / 2);
    assert!(lp.rows[0].coeffs.iter().all(|(_, c)| *c == qi(2)));
    // 100,000 bound lines.
    let mut s = String::from("Minimize\n obj: x0\nSubject To\n c: x0 >= 1\nBounds\n");
    for j in 0..n {
        s.push_str(&format!(" -{j} <= x{j} <= {j}\n"));
    }
    s.push_str("End\n");
    let lp = parse_lp(&s).expect("reads");
    assert_eq!(lp.vars.len(), n);
    assert_eq!(lp.vars[n - 1].upper, Some(qi(n as i64 - 1)));
    // Deep nonsense: one line of 200,000 signs, then a long garbage line.
    let s = format!("Minimize\n obj: {}x\nEnd\n", "-+".repeat(100_000));
    assert!(parse_lp(&s).is_ok());
    let s = format!(
        "Minimize\n obj: x\nSubject To\n {}\nEnd\n",
        ":".repeat(200_000)
    );
    let m = parse_lp(&s).expect_err("garbage").to_string();
    assert!(m.len() <= 300, "{m}");
}
