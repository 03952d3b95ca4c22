//! `relucert::slice` against facts computed here with an independent
//! forward pass (plain rationals, own flat indexing, own hinge arguments):
//! every affine boundary segment has both ends exactly on the zero set and
//! on the box's edge; every curve point is bracketed by exact signs `<= 0`
//! and `> 0` within the stated tolerance; the grid's values are the exact
//! loss; the profile along a descent certificate starts at the loss and
//! dips below it; bad inputs are typed errors.

mod common;

use num_traits::{Signed, Zero};
use proptest::prelude::*;
use relucert::network::{Activation, LossKind, Problem};
use relucert::number::{qi, Q};
use relucert::slice::{
    self, Boundary, BoundaryKind, BoundaryShape, Plane, SliceError, BISECTION_STEPS,
};
use relucert::{verify, Deadline, Limits, Verdict};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The test's own forward pass at the flat parameters `theta`: hidden
/// pre-activations per layer, then the output.
fn forward(problem: &Problem, theta: &[Q], x: &[Q]) -> (Vec<Vec<Q>>, Vec<Q>) {
    let arch = &problem.arch;
    let slope = match &arch.activation {
        Activation::Relu => Q::zero(),
        Activation::Leaky(a) => a.clone(),
        Activation::Linear => qi(1),
    };
    let mut at = 0;
    let mut a: Vec<Q> = x.to_vec();
    let mut pre = Vec::new();
    let depth = arch.widths.len() - 1;
    for l in 1..=depth {
        let (rows, cols) = (arch.widths[l], arch.widths[l - 1]);
        let mut z: Vec<Q> = (0..rows)
            .map(|r| (0..cols).map(|c| &theta[at + r * cols + c] * &a[c]).sum())
            .collect();
        at += rows * cols;
        if arch.bias[l - 1] {
            for (r, zr) in z.iter_mut().enumerate() {
                *zr += &theta[at + r];
            }
            at += rows;
        }
        if l == depth {
            return (pre, z);
        }
        a = z
            .iter()
            .map(|v| {
                if v.is_negative() {
                    v * &slope
                } else {
                    v.clone()
                }
            })
            .collect();
        pre.push(z);
    }
    (pre, a)
}

/// The test's own value of a boundary quantity at `(s, t)`.
fn quantity(problem: &Problem, plane: &Plane, kind: BoundaryKind, s: &Q, t: &Q) -> Q {
    let theta: Vec<Q> = (0..plane.p.len())
        .map(|i| &plane.p[i] + s * &plane.d1[i] + t * &plane.d2[i])
        .collect();
    match kind {
        BoundaryKind::PreActivation { point, layer, unit } => {
            forward(problem, &theta, &problem.data.x[point]).0[layer - 1][unit].clone()
        }
        BoundaryKind::Hinge { point, class } => {
            let f = forward(problem, &theta, &problem.data.x[point]).1;
            let y = problem.data.y[point];
            match problem.loss {
                LossKind::Hinge => qi(1) - qi(y) * &f[0],
                LossKind::Absolute | LossKind::Squared => &f[0] - problem.data.target(point),
                LossKind::MulticlassHinge => qi(1) + &f[class.unwrap_or(0)] - &f[y as usize],
                LossKind::CrammerSinger => {
                    let best = (0..f.len())
                        .filter(|&k| k != y as usize)
                        .map(|k| f[k].clone())
                        .max()
                        .unwrap_or_else(Q::zero);
                    qi(1) + best - &f[y as usize]
                }
            }
        }
    }
}

/// Check every boundary against the independent forward pass.
fn check_boundaries(problem: &Problem, plane: &Plane, r: &Q, fine: usize, bounds: &[Boundary]) {
    let h = qi(2) * r / qi(fine as i64 - 1);
    let tol = h / qi(1i64 << BISECTION_STEPS);
    for b in bounds {
        match &b.shape {
            BoundaryShape::Segment(p, q) => {
                for (s, t) in [&**p, &**q] {
                    assert!(
                        quantity(problem, plane, b.kind, s, t).is_zero(),
                        "{:?}: segment end ({s}, {t}) is not on the zero set",
                        b.kind
                    );
                    assert!(s.abs() <= *r && t.abs() <= *r);
                    assert!(s.abs() == *r || t.abs() == *r, "end inside the box");
                }
                assert_ne!(p, q);
            }
            BoundaryShape::Curve(segs) => {
                for seg in segs {
                    for c in [&seg.a, &seg.b] {
                        let lo = quantity(problem, plane, b.kind, &c.nonpos.0, &c.nonpos.1);
                        let hi = quantity(problem, plane, b.kind, &c.pos.0, &c.pos.1);
                        assert!(!lo.is_positive(), "{:?}: nonpos end has {lo}", b.kind);
                        assert!(hi.is_positive(), "{:?}: pos end has {hi}", b.kind);
                        let gap = (&c.nonpos.0 - &c.pos.0)
                            .abs()
                            .max((&c.nonpos.1 - &c.pos.1).abs());
                        assert!(gap <= tol, "bracket {gap} wider than {tol}");
                    }
                }
            }
            BoundaryShape::Everywhere => {
                for (s, t) in [
                    (qi(0), qi(0)),
                    (r.clone(), -r.clone()),
                    (-r.clone(), r.clone()),
                ] {
                    assert!(quantity(problem, plane, b.kind, &s, &t).is_zero());
                }
            }
            BoundaryShape::Empty => {
                // affine with no segment in the box: one sign at all four
                // corners, or zero at one corner only (touching there)
                let corners: Vec<Q> = [(1, 1), (1, -1), (-1, 1), (-1, -1)]
                    .iter()
                    .map(|&(a, c)| quantity(problem, plane, b.kind, &(r * qi(a)), &(r * qi(c))))
                    .collect();
                let zeros = corners.iter().filter(|v| v.is_zero()).count();
                assert!(
                    zeros <= 1
                        && (corners.iter().all(|v| !v.is_negative())
                            || corners.iter().all(|v| !v.is_positive())),
                    "{:?}: empty, but corner values {corners:?}",
                    b.kind
                );
            }
        }
    }
}

fn fixtures() -> Vec<(String, relucert::Instance)> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(format!("{ROOT}/fixtures"))
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "json"))
        .collect();
    names.sort();
    for p in names {
        let inst = relucert::instance::load(&p).expect("fixture loads");
        // own_loss below sums hinge terms only (no regression residuals): the
        // regression fixtures (lit-*) wait for a regression-aware oracle here.
        if inst.point.is_some()
            && inst.problem.arch.num_params() >= 2
            && !inst.problem.loss.is_regression()
        {
            out.push((p.display().to_string(), inst));
        }
    }
    out
}

#[test]
fn fixtures_boundaries_and_grid_are_exact() {
    let r = Q::new(1.into(), 2.into());
    for (name, inst) in fixtures() {
        let problem = &inst.problem;
        let p = inst.point.as_ref().map(|p| p.flat()).unwrap_or_default();
        // a small problem gets a finer curve grid
        let fine = if problem.data.len() * problem.arch.num_params() > 60 {
            9
        } else {
            17
        };
        let dirs = slice::random_directions(p.len(), 7).expect("dirs");
        let plane = Plane::new(p.clone(), dirs.d1, dirs.d2).expect("plane");
        let bounds = slice::boundaries(problem, &plane, &r, fine, &Deadline::never())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_boundaries(problem, &plane, &r, fine, &bounds);
        let grid = slice::loss_grid(problem, &plane, &r, 5, &Deadline::never()).expect("grid");
        let params = inst.point.as_ref().expect("point");
        assert_eq!(grid.at_point, problem.loss(params), "{name}");
        assert_eq!(
            grid.values[2][2], grid.at_point,
            "{name}: centre of the grid"
        );
        if let Some(l) = inst.expect.as_ref().and_then(|e| e.loss.clone()) {
            assert_eq!(grid.at_point, l, "{name}: hand-computed loss");
        }
        for (i, j) in [(0, 0), (4, 1), (1, 3)] {
            let (s, t) = (&grid.axis[i], &grid.axis[j]);
            let theta = plane.flat_at(s, t);
            let expect = own_loss(problem, &theta);
            assert_eq!(grid.values[i][j], expect, "{name} at ({s}, {t})");
        }
    }
}

/// The test's own exact loss.
fn own_loss(problem: &Problem, theta: &[Q]) -> Q {
    let n = problem.data.len();
    let plane = Plane {
        p: theta.to_vec(),
        d1: vec![Q::zero(); theta.len()],
        d2: vec![Q::zero(); theta.len()],
    };
    let zero = Q::zero();
    let mut total = Q::zero();
    for point in 0..n {
        let y = problem.data.y[point];
        let classes: Vec<Option<usize>> = match problem.loss {
            LossKind::MulticlassHinge => (0..problem.arch.widths[problem.arch.widths.len() - 1])
                .filter(|&k| k as i64 != y)
                .map(Some)
                .collect(),
            _ => vec![None],
        };
        for class in classes {
            let a = quantity(
                problem,
                &plane,
                BoundaryKind::Hinge { point, class },
                &zero,
                &zero,
            );
            if a.is_positive() {
                total += a;
            }
        }
    }
    total / qi(n as i64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random networks (0-2 hidden layers, every activation and loss),
    /// random seeded directions and radii.
    #[test]
    fn random_boundaries_are_exact(
        (problem, params) in common::problem_and_point(2),
        seed in 0u64..1000,
        rn in 1i64..=6,
        rd in 1i64..=4,
    ) {
        let p = params.flat();
        prop_assume!(p.len() >= 2);
        let r = Q::new(rn.into(), rd.into());
        let dirs = slice::random_directions(p.len(), seed).expect("dirs");
        let plane = Plane::new(p, dirs.d1, dirs.d2).expect("plane");
        let bounds = slice::boundaries(&problem, &plane, &r, 9, &Deadline::never()).expect("bounds");
        check_boundaries(&problem, &plane, &r, 9, &bounds);
        let grid = slice::loss_grid(&problem, &plane, &r, 3, &Deadline::never()).expect("grid");
        prop_assert_eq!(&grid.values[1][1], &problem.loss(&params));
        prop_assert_eq!(&grid.values[0][2], &own_loss(&problem, &plane.flat_at(&-r.clone(), &r)));
    }
}

#[test]
fn profile_along_descent_certificates() {
    let mut seen = 0;
    for (name, inst) in fixtures() {
        let out = verify(&inst, &Limits::default()).expect("verify");
        if out.verdict != Verdict::NotLocalMin {
            continue;
        }
        let cert = out.certificate.expect("certificate");
        let path = slice::certificate_path(&cert.evidence).expect("a descent path");
        let p = inst.point.as_ref().expect("point").flat();
        let l0 = inst.problem.loss(inst.point.as_ref().expect("point"));
        // at the certificate's own t: its lower point's loss, below L(0)
        let prof = slice::profile(
            &inst.problem,
            &p,
            &path,
            &path.lower_t,
            3,
            &Deadline::never(),
        )
        .expect("profile");
        assert_eq!(prof.values[0], l0, "{name}: L(0)");
        assert!(prof.values[2] < l0, "{name}: lower point");
        // small t > 0: below the point's loss
        let small = &path.lower_t / qi(1 << 12);
        let prof = slice::profile(&inst.problem, &p, &path, &small, 5, &Deadline::never())
            .expect("profile");
        assert_eq!(prof.values[0], l0);
        for (t, v) in prof.ts.iter().zip(&prof.values).skip(1) {
            assert!(*v < l0, "{name}: loss {v} at t = {t} not below {l0}");
        }
        // the path's in-plane coordinates when the slice is the certificate's
        let dirs = slice::cert_directions(&path, p.len()).expect("dirs");
        let plane = Plane::new(p.clone(), dirs.d1, dirs.d2).expect("plane");
        if let Some(coef) = path.in_plane(&plane) {
            let tau = path.lower_t.clone();
            let (mut s, mut t, mut pw) = (Q::zero(), Q::zero(), tau.clone());
            for (a, b) in &coef {
                s += a * &pw;
                t += b * &pw;
                pw = &pw * &tau;
            }
            assert_eq!(plane.flat_at(&s, &t), path.at(&p, &tau), "{name}");
        }
        seen += 1;
    }
    assert!(seen >= 3, "only {seen} descent fixtures");
}

#[test]
fn bad_inputs_are_typed_errors() {
    let (_, inst) = fixtures().into_iter().next().expect("a fixture");
    let problem = &inst.problem;
    let p = inst.point.as_ref().expect("point").flat();
    let n = p.len();
    let mut e1 = vec![Q::zero(); n];
    e1[0] = qi(1);
    let mut e2 = vec![Q::zero(); n];
    e2[1] = qi(1);
    let never = Deadline::never();
    assert_eq!(
        Plane::new(p.clone(), e1[1..].to_vec(), e2.clone()),
        Err(SliceError::WrongLength("d1", n - 1, n))
    );
    assert_eq!(
        Plane::new(p.clone(), e1.clone(), vec![Q::zero(); n]),
        Err(SliceError::ZeroDirection("d2"))
    );
    let twice: Vec<Q> = e1.iter().map(|x| x * qi(-2)).collect();
    assert_eq!(
        Plane::new(p.clone(), e1.clone(), twice),
        Err(SliceError::Parallel)
    );
    let plane = Plane::new(p, e1, e2).expect("plane");
    for r in [qi(0), qi(-1)] {
        let e = slice::loss_grid(problem, &plane, &r, 5, &never).unwrap_err();
        assert_eq!(e, SliceError::BadRadius(r.clone()));
        assert!(!e.to_string().contains('\n'));
    }
    for n in [0, 1, slice::MAX_GRID + 1] {
        assert_eq!(
            slice::loss_grid(problem, &plane, &qi(1), n, &never).unwrap_err(),
            SliceError::BadGrid(n)
        );
    }
    let e =
        slice::named_direction(&problem.arch, "d1", &[("W9[0,0]".into(), "1".into())]).unwrap_err();
    assert_eq!(e, SliceError::UnknownName("W9[0,0]".into()));
    let e =
        slice::named_direction(&problem.arch, "d1", &[("W1[0,0]".into(), "x".into())]).unwrap_err();
    assert!(matches!(e, SliceError::BadNumber(..)));
    let d = slice::named_direction(&problem.arch, "d1", &[("W1[0,0]".into(), "0.25".into())])
        .expect("named");
    assert_eq!(d[0], Q::new(1.into(), 4.into()));
    assert!(d[1..].iter().all(Zero::is_zero));
    // an expired deadline stops, never answers
    let expired = Deadline::after(std::time::Duration::ZERO);
    std::thread::sleep(std::time::Duration::from_millis(2));
    assert_eq!(
        slice::loss_grid(problem, &plane, &qi(1), 5, &expired).unwrap_err(),
        SliceError::TimeLimit
    );
}
