//! The gauge slice of the squared-loss second-order proof: which symmetries
//! of the loss are quotiented, and a basis of the subspace that remains.
//!
//! Owns: [`Quotient`] (the rescaled units, the dead units, the equations of
//! the slice `S'` and a basis of it) and [`quotient`] / [`quotient_with`],
//! which build it and refuse, with the reason, what they cannot justify.
//!
//! Must not: decide anything about the loss; quotient a symmetry the module
//! doc of `squared` does not justify (linearly dependent orbit tangents are
//! refused; dead units are fixed only for ReLU, with one hidden layer or,
//! through `quotient_with`, at any depth with their coordinates left out
//! of the other tangents: see `deep_second_order`'s module doc).

use crate::linalg;
use crate::network::{Activation, Architecture};
use crate::number::Q;
use num_traits::{Signed, Zero};

/// The slice `S'`: `A_j . d = 0` for every rescaled unit, `d_c = 0` on the
/// coordinates of every dead unit.
pub struct Quotient {
    /// `(layer, unit)` of every unit whose rescaling orbit is quotiented.
    pub rescaled: Vec<(usize, usize)>,
    /// `(layer, unit)` of every unit dead on every point (parameters fixed).
    pub dead: Vec<(usize, usize)>,
    /// A basis of `S'` (vectors in the flat parameter space).
    pub basis: Vec<Vec<Q>>,
}

/// The flat coordinates of unit `j` of hidden layer `l` with the signs of
/// its orbit tangent: incoming row and bias `+1`, outgoing column `-1`.
pub fn unit_coords(arch: &Architecture, l: usize, j: usize) -> Vec<(usize, bool)> {
    let mut out: Vec<(usize, bool)> = (0..arch.widths[l - 1])
        .map(|k| (arch.weight_index(l, j, k), true))
        .collect();
    if let Some(b) = arch.bias_index(l, j) {
        out.push((b, true));
    }
    for i in 0..arch.widths[l + 1] {
        out.push((arch.weight_index(l + 1, i, j), false));
    }
    out
}

/// The slice at `theta` (`pre[i][l][j]`: pre-activation of unit j of hidden
/// layer l+1 on point i), with the squared proof's rule for dead units
/// (ReLU, one hidden layer). `Err` with the reason when the orbits' tangents
/// are linearly dependent (the implicit-function argument needs them
/// independent).
pub fn quotient(arch: &Architecture, theta: &[Q], pre: &[Vec<Vec<Q>>]) -> Result<Quotient, String> {
    quotient_with(arch, theta, pre, false)
}

/// The slice, with dead ReLU units fixed at any depth when `any_depth`
/// (else only with one hidden layer). A unit whose pre-activations are
/// `< 0` on every point stays dead nearby, so the loss does not depend on
/// its incoming row, bias or outgoing column there; those coordinates are
/// fixed, and left out of every other unit's tangent (`A'_j`: a rescaling
/// followed by resetting the dead coordinates keeps the loss, and the
/// implicit-function argument then needs the `A'_j` independent). With one
/// hidden layer the dead coordinates meet no other tangent, so both rules
/// agree there.
pub fn quotient_with(
    arch: &Architecture,
    theta: &[Q],
    pre: &[Vec<Vec<Q>>],
    any_depth: bool,
) -> Result<Quotient, String> {
    let n = theta.len();
    let relu = matches!(arch.activation, Activation::Relu);
    let fixes_dead = relu && (arch.hidden_layers() == 1 || any_depth);
    let mut rescaled = Vec::new();
    let mut dead = Vec::new();
    let mut tangents: Vec<Vec<Q>> = Vec::new();
    let mut rows: Vec<Vec<Q>> = Vec::new();
    let mut fixed = vec![false; n];
    for l in 1..=arch.hidden_layers() {
        for j in 0..arch.widths[l] {
            let is_dead =
                fixes_dead && !pre.is_empty() && pre.iter().all(|p| p[l - 1][j].is_negative());
            if is_dead {
                dead.push((l, j));
                for (c, _) in unit_coords(arch, l, j) {
                    fixed[c] = true;
                }
            }
        }
    }
    for (c, _) in fixed.iter().enumerate().filter(|(_, f)| **f) {
        let mut e = vec![Q::zero(); n];
        e[c] = Q::from_integer(1.into());
        rows.push(e);
    }
    for l in 1..=arch.hidden_layers() {
        for j in 0..arch.widths[l] {
            if dead.contains(&(l, j)) {
                continue;
            }
            let mut a = vec![Q::zero(); n];
            for (c, plus) in unit_coords(arch, l, j) {
                if fixed[c] {
                    continue;
                }
                a[c] = if plus {
                    theta[c].clone()
                } else {
                    -theta[c].clone()
                };
            }
            if a.iter().all(Zero::is_zero) {
                // no orbit: nothing to quotient (the unit stays free)
                continue;
            }
            rescaled.push((l, j));
            tangents.push(a);
        }
    }
    if linalg::rank(&tangents) < tangents.len() {
        return Err(
            "the rescaling orbits' tangents are linearly dependent, so the gauge slice is not transversal to them"
                .to_string(),
        );
    }
    rows.extend(tangents);
    let basis = linalg::nullspace(&rows, n);
    Ok(Quotient {
        rescaled,
        dead,
        basis,
    })
}
