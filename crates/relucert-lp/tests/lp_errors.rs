//! The typed errors of the LP crate: which variant each bad input or wrong
//! certificate gives, and its message text (the `relucert lp` command prints
//! these messages, so they are part of the interface). Every expectation is
//! derived by hand from the input.

use relucert_lp::number::{qi, NumberError};
use relucert_lp::parse::{parse_lp, ParseError};
use relucert_lp::{check_result, CheckError, LpResult};

/// max 3x + 2y, c1: x + y <= 4, c2: x + 3y <= 6, 0 <= x <= 3, y >= 0.
/// Optimum x = 3, y = 1, value 11, duals (2, 0).
fn small() -> relucert_lp::Lp {
    parse_lp("max\n 3 x + 2 y\nst\n c1: x + y <= 4\n c2: x + 3 y <= 6\nbounds\n x <= 3\nend\n")
        .unwrap()
}

fn optimal(x: [i64; 2], duals: [i64; 2], value: i64) -> LpResult {
    LpResult::Optimal {
        x: x.iter().map(|v| qi(*v)).collect(),
        duals: duals.iter().map(|v| qi(*v)).collect(),
        value: qi(value),
    }
}

fn rejection(res: &LpResult) -> (CheckError, String) {
    let e = check_result(&small(), res).unwrap_err();
    let text = e.to_string();
    (e, text)
}

#[test]
fn the_true_optimum_checks() {
    check_result(&small(), &optimal([3, 1], [2, 0], 11)).unwrap();
}

#[test]
fn check_errors_name_the_failing_condition() {
    // value 12 but c.x = 3*3 + 2*1 = 11
    let (e, t) = rejection(&optimal([3, 1], [2, 0], 12));
    assert_eq!(
        e,
        CheckError::ValueMismatch {
            value: qi(12),
            primal: qi(11)
        }
    );
    assert_eq!(t, "value 12 differs from c.x = 11");
    // duals (1, 1): reduced costs -(c - A^T y) = -(3-2, 2-4) = (-1, 2) use
    // x <= 3 and y >= 0: bound part -3; b.y = 10; dual value 10 + 3 = 13.
    let (e, t) = rejection(&optimal([3, 1], [1, 1], 11));
    assert_eq!(
        e,
        CheckError::DualGap {
            dual: qi(13),
            primal: qi(11)
        }
    );
    assert_eq!(t, "dual value 13 differs from primal value 11");
    // a maximisation's `<=` row needs a non-negative dual
    let (e, t) = rejection(&optimal([3, 1], [-2, 0], 11));
    assert_eq!(
        e,
        CheckError::WrongSign {
            what: "dual",
            row: "c1".into()
        }
    );
    assert_eq!(t, "dual of row c1 has the wrong sign");
    let (e, t) = rejection(&LpResult::Optimal {
        x: vec![qi(3)],
        duals: vec![qi(2), qi(0)],
        value: qi(9),
    });
    assert_eq!(
        e,
        CheckError::WrongLength {
            what: "x",
            len: 1,
            expected: 2
        }
    );
    assert_eq!(t, "x has length 1, expected 2");
    let (e, t) = rejection(&optimal([4, 0], [2, 0], 12));
    assert_eq!(e, CheckError::BoundViolated { var: "x".into() });
    assert_eq!(t, "x violates the bounds of variable x");
    let (e, t) = rejection(&optimal([3, 2], [2, 0], 13));
    assert_eq!(
        e,
        CheckError::RowViolated {
            row: "c1".into(),
            lhs: qi(5),
            rhs: qi(4)
        }
    );
    assert_eq!(t, "x violates row c1 (lhs 5 vs rhs 4)");
    // Farkas multipliers use the minimisation signs: `<=` rows need y <= 0
    let (e, t) = rejection(&LpResult::Infeasible {
        farkas: vec![qi(1), qi(0)],
    });
    assert_eq!(
        e,
        CheckError::WrongSign {
            what: "Farkas multiplier",
            row: "c1".into()
        }
    );
    assert_eq!(t, "Farkas multiplier of row c1 has the wrong sign");
    // y = (-1, 0): A^T y = (-1, -1), max over the bounds is 0, b.y = -4
    let (e, t) = rejection(&LpResult::Infeasible {
        farkas: vec![qi(-1), qi(0)],
    });
    assert_eq!(
        e,
        CheckError::FarkasNotSeparating {
            max: qi(0),
            by: qi(-4)
        }
    );
    assert_eq!(
        t,
        "Farkas certificate fails: max (A^T y).x = 0 is not below b.y = -4"
    );
    // the ray (0, 1) raises x + y
    let (e, t) = rejection(&LpResult::Unbounded {
        x: vec![qi(0), qi(0)],
        ray: vec![qi(0), qi(1)],
    });
    assert_eq!(e, CheckError::RayViolatesRow { row: "c1".into() });
    assert_eq!(t, "ray violates row c1");
    // the ray (0, -1) leaves y >= 0
    let (e, t) = rejection(&LpResult::Unbounded {
        x: vec![qi(0), qi(0)],
        ray: vec![qi(0), qi(-1)],
    });
    assert_eq!(e, CheckError::RayLeavesBounds { var: "y".into() });
    assert_eq!(t, "ray leaves the bounds of variable y");
    let (e, t) = rejection(&LpResult::Unbounded {
        x: vec![qi(0), qi(0)],
        ray: vec![qi(0), qi(0)],
    });
    assert_eq!(e, CheckError::RayNotImproving { cr: qi(0) });
    assert_eq!(t, "ray does not improve the objective (c.r = 0)");
    let _: &dyn std::error::Error = &e;
}

fn parse_err(text: &str) -> ParseError {
    parse_lp(text).unwrap_err()
}

#[test]
fn parse_errors_carry_line_and_message() {
    let e = parse_err("min x\nst\n c: x >= 1\n c: x >= 2\nend");
    assert_eq!(
        e,
        ParseError::DuplicateRow {
            line: 4,
            name: "c".into()
        }
    );
    assert_eq!(e.to_string(), "line 4: row name `c` is used twice");

    let e = parse_err("min x\nst\n x >= 1/0\nend");
    assert_eq!(
        e,
        ParseError::BadNumber {
            line: 3,
            text: "1/0".into(),
            error: NumberError::ZeroDenominator
        }
    );
    assert_eq!(
        e.message(),
        "expected a number, found `1/0` (zero denominator)"
    );
    assert!(std::error::Error::source(&e).is_some());

    let e = parse_err("min x\nst\n x >= 1\nintegers\n x\nend");
    assert_eq!(
        e,
        ParseError::UnsupportedSection {
            line: 4,
            section: "integers".into()
        }
    );
    assert_eq!(
        e.message(),
        "`integers` sections are not supported (expected Bounds or End)"
    );

    let e = parse_err("min 2 * x\nend");
    assert_eq!(
        e,
        ParseError::UnexpectedChar {
            line: 1,
            found: '*'
        }
    );
    assert_eq!(e.message(), "unexpected character `*`");

    let e = parse_err("min x\nst\n x >= 1\n");
    assert_eq!(e, ParseError::MissingEnd { line: 3 });
    assert_eq!(e.message(), "expected `End` at the end of the file");

    let e = parse_err("min x\nst\n x >= 1\nbounds\n x = inf\nend");
    assert_eq!(e, ParseError::InfiniteFixedValue { line: 5 });
    assert_eq!(e.message(), "expected a finite value in `x = v`");

    // the line is that of the token after the right-hand side
    let e = parse_err("min x\nst\n x >= inf\nend");
    assert_eq!(
        e,
        ParseError::InfiniteRhs {
            line: 4,
            row: "R1".into()
        }
    );
    assert_eq!(e.message(), "expected a finite right-hand side in row `R1`");

    let e = parse_err("x + y\nend");
    assert_eq!(e.line(), 1);
    assert!(matches!(e, ParseError::Syntax { .. }));
    assert_eq!(e.message(), "expected `Minimize` or `Maximize`, found `x`");
}

/// An infinite bound keeps its sign (issue 17: `x >= inf` and `x <= -inf`
/// used to be read as "no bound", giving `unbounded` for `min x` with
/// `x >= inf` and `optimal 3` for `x >= 3, x <= -inf`). A bound no real value
/// satisfies is an error naming it; `x >= -inf` and `x <= +inf` remove a
/// bound, as before.
#[test]
fn infinite_bounds_keep_their_sign() {
    let lp = |bounds: &str| format!("min\n x\nst\n c: x + y >= 0\nbounds\n{bounds}\nend\n");
    for (bounds, shown) in [
        (" x >= inf", "x >= +inf"),
        (" x >= +infinity", "x >= +inf"),
        (" inf <= x", "x >= +inf"),
        (" x <= -inf", "x <= -inf"),
        (" -inf >= x", "x <= -inf"),
        (" x >= 3\n x <= -inf", "x <= -inf"),
        (" -inf <= x <= -inf", "x <= -inf"),
        (" - - inf <= x", "x >= +inf"),
    ] {
        let e = parse_err(&lp(bounds));
        assert!(
            matches!(&e, ParseError::EmptyInfiniteBound { bound, .. } if bound == shown),
            "{bounds}: {e:?}"
        );
        assert!(e.line() >= 6, "{bounds}: line {}", e.line());
        assert_eq!(
            e.message(),
            format!(
                "expected a bound some real value satisfies, found `{shown}` (an infinite bound must be `x >= -inf` or `x <= +inf`)"
            )
        );
    }
    // The satisfiable spellings: min x over x >= -inf (free below) with
    // x + y >= 0, y <= 5 is x = -5; x <= +inf keeps the default lower bound 0.
    let solved = |bounds: &str| {
        let model = parse_lp(&lp(bounds)).unwrap();
        let res = relucert_lp::solve(&model);
        check_result(&model, &res).unwrap();
        res
    };
    match solved(" x >= -inf\n y <= 5") {
        LpResult::Optimal { value, .. } => assert_eq!(value, qi(-5)),
        other => panic!("expected optimal -5, got {other:?}"),
    }
    match solved(" -inf <= x <= +inf\n y <= 5") {
        LpResult::Optimal { value, .. } => assert_eq!(value, qi(-5)),
        other => panic!("expected optimal -5, got {other:?}"),
    }
    match solved(" x <= +inf") {
        LpResult::Optimal { value, .. } => assert_eq!(value, qi(0)),
        other => panic!("expected optimal 0, got {other:?}"),
    }
}
