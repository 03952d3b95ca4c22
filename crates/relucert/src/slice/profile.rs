//! The exact loss along a certificate's descent ray or arc.
//!
//! Owns: reading the path `theta(t) = p + t d_1 + t^2 d_2 + ...` out of a
//! `descent-direction` (one direction) or `descent-arc` (its `dirs`)
//! certificate, the path's coordinates in a slice when it lies in the slice
//! plane (solved exactly), and the exact loss at `samples` equally spaced
//! `t` in `[0, T]` (`profile`).
//!
//! Must not: judge the certificate (that is the checker's), or use floats.

use super::{check_work, Plane, SliceError};
use crate::cert::Evidence;
use crate::network::{Params, Problem};
use crate::number::{qi, Q};
use num_traits::{Signed, Zero};
use relucert_deadline::Deadline;

/// A certificate's descent path `p + t d_1 + ... + t^k d_k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertPath {
    /// `d_1, ..., d_k` (a ray has one).
    pub dirs: Vec<Vec<Q>>,
    /// The certificate's `lower_point.t` (a parameter of lower loss).
    pub lower_t: Q,
}

/// The path of a `descent-direction` or `descent-arc` certificate.
pub fn certificate_path(evidence: &Evidence) -> Result<CertPath, SliceError> {
    match evidence {
        Evidence::DescentDirection {
            dir, lower_point, ..
        } => Ok(CertPath {
            dirs: vec![dir.clone()],
            lower_t: lower_point.t.clone(),
        }),
        Evidence::DescentArc {
            dirs, lower_point, ..
        } => Ok(CertPath {
            dirs: dirs.clone(),
            lower_t: lower_point.t.clone(),
        }),
        other => Err(SliceError::NoDescent(other.kind().name())),
    }
}

impl CertPath {
    /// The flat parameters `p + t d_1 + t^2 d_2 + ...`.
    pub fn at(&self, p: &[Q], t: &Q) -> Vec<Q> {
        let mut out = p.to_vec();
        let mut power = t.clone();
        for d in &self.dirs {
            for (o, x) in out.iter_mut().zip(d) {
                *o += &power * x;
            }
            power = &power * t;
        }
        out
    }

    /// If every `d_k` is `a_k d1 + b_k d2` (exactly), the pairs `(a_k, b_k)`:
    /// the path is then `(s, t) = (sum a_k tau^k, sum b_k tau^k)` in the slice.
    pub fn in_plane(&self, plane: &Plane) -> Option<Vec<(Q, Q)>> {
        let (u, v) = (&plane.d1, &plane.d2);
        // two coordinates where (u, v) are independent
        let n = u.len();
        let mut pivot = None;
        'outer: for i in 0..n {
            for j in i + 1..n {
                let det = &u[i] * &v[j] - &u[j] * &v[i];
                if !det.is_zero() {
                    pivot = Some((i, j, det));
                    break 'outer;
                }
            }
        }
        let (i, j, det) = pivot?;
        self.dirs
            .iter()
            .map(|d| {
                if d.len() != n {
                    return None;
                }
                let a = (&d[i] * &v[j] - &d[j] * &v[i]) / &det;
                let b = (&u[i] * &d[j] - &u[j] * &d[i]) / &det;
                let fits = (0..n).all(|k| &a * &u[k] + &b * &v[k] == d[k]);
                fits.then_some((a, b))
            })
            .collect()
    }
}

/// The exact loss along a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The parameters `t_i = T i / (samples - 1)`.
    pub ts: Vec<Q>,
    /// The exact loss at `theta(t_i)`.
    pub values: Vec<Q>,
}

/// The exact loss at `samples` (2..=`MAX_GRID`^2) equally spaced `t` in `[0, T]`.
pub fn profile(
    problem: &Problem,
    p: &[Q],
    path: &CertPath,
    t_max: &Q,
    samples: usize,
    deadline: &Deadline,
) -> Result<Profile, SliceError> {
    if !t_max.is_positive() {
        return Err(SliceError::BadRadius(t_max.clone()));
    }
    if !(2..=super::MAX_GRID * super::MAX_GRID).contains(&samples) {
        return Err(SliceError::BadGrid(samples));
    }
    check_work(samples as u64 * problem.data.len() as u64)?;
    let n = problem.arch.num_params();
    if let Some(d) = path.dirs.iter().find(|d| d.len() != n) {
        return Err(SliceError::WrongLength("certificate direction", d.len(), n));
    }
    if p.len() != n {
        return Err(SliceError::WrongLength("point", p.len(), n));
    }
    let last = qi(samples as i64 - 1);
    let mut ts = Vec::with_capacity(samples);
    let mut values = Vec::with_capacity(samples);
    for i in 0..samples {
        let t = t_max * qi(i as i64) / &last;
        let params = Params::from_flat(&problem.arch, &path.at(p, &t))
            .ok_or(SliceError::WrongLength("point", p.len(), n))?;
        values.push(
            problem
                .loss_within(&params, deadline)
                .map_err(|_| SliceError::TimeLimit)?,
        );
        ts.push(t);
    }
    Ok(Profile { ts, values })
}
