//! The loss along polynomial arcs: the polynomial `L(t)` and the radius `t0`
//! computed from exact germ signs must agree with the exact numeric loss at
//! points of the arc inside `(0, t0)`, and the descent verdict must be
//! witnessed by an exactly lower loss.

mod common;

use common::{problem_and_point, q};
use proptest::prelude::*;
use relucert::arc::{loss_along, Arc, UPoly};
use relucert::network::Params;
use relucert::number::Q;

fn dirs(len: usize) -> impl Strategy<Value = Vec<Vec<Q>>> {
    prop::collection::vec(
        prop::collection::vec((-3i64..=3, 1i64..=2).prop_map(|(a, b)| q(a, b)), len),
        1..=3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn loss_polynomial_matches_exact_loss_on_the_interval(
        (problem, p) in problem_and_point(2),
        raw in dirs(64),
    ) {
        let n = problem.arch.num_params();
        let arc = Arc { point: p.flat(), dirs: raw.iter().map(|d| d[..n].to_vec()).collect() };
        let al = loss_along(&problem, &arc).unwrap();
        prop_assert!(al.t0 > q(0, 1) && al.t0 <= q(1, 1));
        // continuity at t = 0
        prop_assert_eq!(al.loss.eval(&q(0, 1)), problem.loss(&p));
        for frac in [q(1, 2), q(1, 3), q(99, 100), q(1, 1000)] {
            let t = &al.t0 * frac;
            let at = Params::from_flat(&problem.arch, &arc.at(&t)).unwrap();
            prop_assert_eq!(al.loss.eval(&t), problem.loss(&at), "t = {}", t);
        }
        // descent verdict witnessed by an exactly lower (higher) loss
        let base = problem.loss(&p);
        if let Some(down) = al.descends() {
            let diff = al.loss.sub(&UPoly::constant(base.clone()));
            let r = diff.sign_radius();
            let t = if r < al.t0 { r } else { al.t0.clone() } / Q::from_integer(2.into());
            let at = Params::from_flat(&problem.arch, &arc.at(&t)).unwrap();
            if down {
                prop_assert!(problem.loss(&at) < base);
            } else {
                prop_assert!(problem.loss(&at) > base);
            }
        }
    }
}

#[test]
fn hand_checked_arcs() {
    // One weight, no hidden layer: f = w x, x = 1, y = 1, hinge, w* = 0:
    // L(w) = max(0, 1 - w). Along w = t: L = 1 - t (descends, t0 = 1).
    let problem = relucert::network::Problem {
        arch: relucert::network::Architecture {
            widths: vec![1, 1],
            activation: relucert::network::Activation::Linear,
            bias: vec![false],
        },
        loss: relucert::network::LossKind::Hinge,
        data: relucert::network::Data {
            x: vec![vec![q(1, 1)]],
            y: vec![1],
            targets: Vec::new(),
        },
    };
    let arc = Arc {
        point: vec![q(0, 1)],
        dirs: vec![vec![q(1, 1)]],
    };
    let al = loss_along(&problem, &arc).unwrap();
    assert_eq!(al.loss, UPoly(vec![q(1, 1), q(-1, 1)]));
    assert_eq!(al.descends(), Some(true));
    // From w* = 1 (the hinge corner), along w = 1 + t: loss 0 (constant).
    let arc = Arc {
        point: vec![q(1, 1)],
        dirs: vec![vec![q(1, 1)]],
    };
    let al = loss_along(&problem, &arc).unwrap();
    assert!(al.loss.is_zero());
    assert_eq!(al.descends(), None);
    // Along w = 1 - t: loss t (ascends).
    let arc = Arc {
        point: vec![q(1, 1)],
        dirs: vec![vec![q(-1, 1)]],
    };
    assert_eq!(loss_along(&problem, &arc).unwrap().descends(), Some(false));
    // Depth-3 linear network at the origin, one point x = 1, y = 1:
    // f = w3 w2 w1; along w_i = t the loss is 1 - t^3: descent of order 3.
    let problem3 = relucert::network::Problem {
        arch: relucert::network::Architecture {
            widths: vec![1, 1, 1, 1],
            activation: relucert::network::Activation::Linear,
            bias: vec![false; 3],
        },
        ..problem
    };
    let arc = Arc {
        point: vec![q(0, 1); 3],
        dirs: vec![vec![q(1, 1); 3]],
    };
    let al = loss_along(&problem3, &arc).unwrap();
    assert_eq!(al.loss, UPoly(vec![q(1, 1), q(0, 1), q(0, 1), q(-1, 1)]));
    assert_eq!(al.descends(), Some(true));
}
