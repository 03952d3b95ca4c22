//! The tests' own forward pass and loss, written from FORMAT.md alone
//! (flat parameters: per layer `W` by rows, then `b` if the layer has a
//! bias): no library evaluation, so it is an independent oracle for the
//! verifier's and the checker's arithmetic.

use num_traits::{One, Signed, Zero};
use relucert::instance::Instance;
use relucert::network::{Activation, LossKind};
use relucert::number::Q;

/// The network's output at input `x` for the flat parameters `theta`.
pub fn output(inst: &Instance, theta: &[Q], x: &[Q]) -> Vec<Q> {
    let arch = &inst.problem.arch;
    let depth = arch.widths.len() - 1;
    let mut a: Vec<Q> = x.to_vec();
    let mut at = 0usize;
    for l in 1..=depth {
        let (win, wout) = (arch.widths[l - 1], arch.widths[l]);
        let w = &theta[at..at + win * wout];
        at += win * wout;
        let mut z: Vec<Q> = (0..wout)
            .map(|j| (0..win).fold(Q::zero(), |s, c| s + &w[j * win + c] * &a[c]))
            .collect();
        if arch.bias[l - 1] {
            for zj in z.iter_mut() {
                *zj += &theta[at];
                at += 1;
            }
        }
        a = if l < depth {
            z.into_iter()
                .map(|t| match &arch.activation {
                    Activation::Relu if t.is_negative() => Q::zero(),
                    Activation::Leaky(al) if t.is_negative() => t * al,
                    _ => t,
                })
                .collect()
        } else {
            z
        };
    }
    a
}

/// The loss (FORMAT.md: the mean over the points) at `theta`, for every
/// loss kind.
pub fn loss(inst: &Instance, theta: &[Q]) -> Q {
    let p = &inst.problem;
    let n = p.data.x.len();
    let hinge = |m: Q| if m.is_positive() { m } else { Q::zero() };
    let mut total = Q::zero();
    for i in 0..n {
        let f = output(inst, theta, &p.data.x[i]);
        let y = p.data.y[i];
        let label = || usize::try_from(y).expect("a class index");
        total += match p.loss {
            LossKind::Hinge => hinge(Q::one() - Q::from_integer(y.into()) * &f[0]),
            LossKind::MulticlassHinge => {
                let yi = label();
                (0..f.len())
                    .filter(|&j| j != yi)
                    .fold(Q::zero(), |acc, j| acc + hinge(Q::one() + &f[j] - &f[yi]))
            }
            LossKind::CrammerSinger => {
                let yi = label();
                let best = (0..f.len())
                    .filter(|&j| j != yi)
                    .map(|j| f[j].clone())
                    .max()
                    .expect("two classes or more");
                hinge(Q::one() + best - &f[yi])
            }
            LossKind::Absolute => (&f[0] - p.data.target(i)).abs(),
            LossKind::Squared => {
                let r = &f[0] - p.data.target(i);
                &r * &r
            }
        };
    }
    total / Q::from_integer((n as i64).into())
}
