//! SMT-LIB 2 export: the local-minimality question of an instance's point as
//! a QF_NRA problem for a general exact solver (Z3, cvc5).
//!
//! Owns: the text of the question "is there a point within the max-norm box
//! of radius R around the file's point whose loss is strictly lower than the
//! loss at the point?". `sat` (with a model: such a point) means lower loss
//! exists in the box; `unsat` means the point is a minimum on the box. The
//! encoding mirrors the FORMAT.md semantics directly: one `Real` per flat
//! parameter (`p0`, `p1`, ... in FORMAT.md order), pre-activations, hidden
//! activations, outputs, hinge terms and the Crammer-Singer max as
//! `define-fun` constants built with `ite`, the average loss, the box and the
//! strict loss bound. Every number is an exact rational (`(/ 3 4)`,
//! `(- 2)`); the bound `L*` is relucert's exact loss at the point. The text
//! is linear in the size of the network times the data set.
//!
//! Errors are typed: `SmtlibError` for the question, `CommandError` for
//! the `relucert smtlib` command (its `Display` is the one-line message).
//!
//! Must not: decide anything (it only writes the question), call a solver,
//! or let a number pass through a float.

use crate::instance::{self, Instance, InstanceError};
use crate::network::{Activation, LossKind};
use crate::number::{fmt_q, parse_rational, sign, NumberError, Q};
use num_traits::{One, Zero};
use std::fmt::{self, Write as _};
use std::path::Path;

/// Why `smtlib` could not write the question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmtlibError {
    /// The instance has no `[point]` to ask about.
    MissingPoint,
    /// The radius is zero or negative (the radius given).
    NonPositiveRadius(Q),
}

impl fmt::Display for SmtlibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmtlibError::MissingPoint => write!(
                f,
                "point: missing table: the SMT-LIB question needs a [point]"
            ),
            SmtlibError::NonPositiveRadius(r) => {
                write!(f, "radius: expected a positive rational, got {}", fmt_q(r))
            }
        }
    }
}

impl std::error::Error for SmtlibError {}

/// Why `relucert smtlib` failed: each is one line naming the file.
#[derive(Debug)]
pub enum CommandError {
    /// `--radius` is not a rational number.
    RadiusSyntax {
        /// The instance file, as displayed.
        file: String,
        /// Why the text is not a number.
        error: NumberError,
    },
    /// `--radius` is a rational but not positive.
    RadiusNotPositive {
        /// The instance file, as displayed.
        file: String,
        /// The radius text, trimmed.
        radius: String,
    },
    /// The instance file could not be loaded.
    Load(InstanceError),
    /// The instance has no `[point]` table.
    MissingPoint {
        /// The instance file, as displayed.
        file: String,
    },
    /// The question could not be written.
    Question {
        /// The instance file, as displayed.
        file: String,
        /// Why.
        error: SmtlibError,
    },
    /// The output file could not be written.
    Write {
        /// The output file, as displayed.
        out: String,
        /// The I/O error.
        error: std::io::Error,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::RadiusSyntax { file, error } => write!(
                f,
                "{file}: --radius: expected a positive rational: {error}"
            ),
            CommandError::RadiusNotPositive { file, radius } => write!(
                f,
                "{file}: --radius: expected a positive rational, got {radius}"
            ),
            CommandError::Load(e) => write!(f, "{e}"),
            CommandError::MissingPoint { file } => write!(
                f,
                "{file}: point: missing table: `relucert smtlib` needs a [point] table with the parameters to study"
            ),
            CommandError::Question { file, error } => write!(f, "{file}: {error}"),
            CommandError::Write { out, error } => {
                write!(f, "{out}: cannot write the file: {error}")
            }
        }
    }
}

impl std::error::Error for CommandError {}

/// An exact rational as an SMT-LIB real term: `3`, `(- 3)`, `(/ 3 4)`,
/// `(- (/ 3 4))`.
pub fn real(q: &Q) -> String {
    let neg = sign(q) < 0;
    let a = if neg { -q.clone() } else { q.clone() };
    let body = if a.denom().is_one() {
        a.numer().to_string()
    } else {
        format!("(/ {} {})", a.numer(), a.denom())
    };
    if neg {
        format!("(- {body})")
    } else {
        body
    }
}

/// Sum of terms (`0` when empty, the term itself when alone).
fn sum(terms: &[String]) -> String {
    match terms.len() {
        0 => "0".to_string(),
        1 => terms[0].clone(),
        _ => format!("(+ {})", terms.join(" ")),
    }
}

/// The product of a weight and a hidden activation (both names).
fn scaled(weight: &str, activation: &str) -> String {
    format!("(* {weight} {activation})")
}

/// `c * t` for an exact constant c (0 terms are dropped by the caller).
fn times_const(c: &Q, t: &str) -> String {
    if c.is_one() {
        t.to_string()
    } else if *c == -Q::one() {
        format!("(- {t})")
    } else {
        format!("(* {} {t})", real(c))
    }
}

/// The SMT-LIB 2 question for `inst` at the max-norm `radius` around its
/// point (see the module documentation). Errors: no `[point]`, a radius that
/// is not positive.
pub fn smtlib(inst: &Instance, radius: &Q) -> Result<String, SmtlibError> {
    let point = inst.point.as_ref().ok_or(SmtlibError::MissingPoint)?;
    if sign(radius) <= 0 {
        return Err(SmtlibError::NonPositiveRadius(radius.clone()));
    }
    let problem = &inst.problem;
    let arch = &problem.arch;
    let depth = arch.depth();
    let flat = point.flat();
    let lstar = problem.loss(point);
    let n = problem.data.len();
    let k_out = arch.output_width();

    let mut s = String::new();
    // Writing to a String cannot fail; `let _ =` keeps clippy quiet.
    let _ = writeln!(
        s,
        "; relucert smtlib: is there a point within max-norm distance R of the\n\
         ; instance's point whose loss is strictly lower than the loss L* there?\n\
         ; sat (the model is such a point): lower loss exists in the box;\n\
         ; unsat: the point is a minimum of the loss on the box."
    );
    if let Some(name) = &inst.name {
        let _ = writeln!(s, "; instance: {}", name.replace('\n', " "));
    }
    let act = match &arch.activation {
        Activation::Relu => "relu".to_string(),
        Activation::Leaky(a) => format!("leaky, alpha = {}", fmt_q(a)),
        Activation::Linear => "linear".to_string(),
    };
    let _ = writeln!(
        s,
        "; network: widths {:?}, {act}, bias {:?}; loss: {}; {n} data points",
        arch.widths,
        arch.bias,
        problem.loss.name()
    );
    let _ = writeln!(
        s,
        "; R = {}, L* = {} (exact loss at the point)",
        fmt_q(radius),
        fmt_q(&lstar)
    );
    // Options first: SMT-LIB 2.6 allows :produce-models only before set-logic.
    s.push_str("(set-option :produce-models true)\n(set-logic QF_NRA)\n");

    // Parameters and the box.
    s.push_str(
        "\n; parameters, flat order of FORMAT.md (W1 row-major, b1, W2 row-major, b2, ...)\n",
    );
    for (i, c) in flat.iter().enumerate() {
        let _ = writeln!(
            s,
            "(declare-fun p{i} () Real) ; {} = {} at the point",
            arch.param_name(i),
            fmt_q(c)
        );
    }
    let r = real(radius);
    let _ = writeln!(
        s,
        "\n; the box: |p_i - c_i| <= R for every parameter\n(define-fun R () Real {r})"
    );
    for (i, c) in flat.iter().enumerate() {
        let diff = if c.is_zero() {
            format!("p{i}")
        } else {
            format!("(- p{i} {})", real(c))
        };
        let _ = writeln!(s, "(assert (<= (- R) {diff} R))");
    }

    // Forward pass per data point.
    let pvar = |idx: usize| format!("p{idx}");
    s.push_str(
        "\n; forward pass: z<l>_<j>_d<i> pre-activation of unit j of hidden layer l on data\n\
         ; point i, a<l>_<j>_d<i> its activation, f<k>_d<i> output k\n",
    );
    let mut point_terms: Vec<String> = Vec::with_capacity(n);
    for (i, (x, &y)) in problem.data.x.iter().zip(&problem.data.y).enumerate() {
        let xs: Vec<String> = x.iter().map(fmt_q).collect();
        if problem.loss.is_regression() {
            let t = fmt_q(&problem.data.target(i));
            let _ = writeln!(s, "; data point {i}: x = [{}], t = {t}", xs.join(", "));
        } else {
            let _ = writeln!(s, "; data point {i}: x = [{}], y = {y}", xs.join(", "));
        }
        // Inputs of the current layer: either constants (layer 1) or names.
        let mut inputs: Vec<Input> = x.iter().map(|v| Input::Const(v.clone())).collect();
        for l in 1..=depth {
            let rows = arch.widths[l];
            let last = l == depth;
            let mut next = Vec::with_capacity(rows);
            for j in 0..rows {
                let mut terms = Vec::with_capacity(inputs.len() + 1);
                for (c, inp) in inputs.iter().enumerate() {
                    let w = pvar(arch.weight_index(l, j, c));
                    match inp {
                        Input::Const(v) => {
                            if !v.is_zero() {
                                terms.push(times_const(v, &w));
                            }
                        }
                        Input::Name(a) => terms.push(scaled(&w, a)),
                    }
                }
                if let Some(b) = arch.bias_index(l, j) {
                    terms.push(pvar(b));
                }
                let body = sum(&terms);
                if last {
                    let name = format!("f{j}_d{i}");
                    let _ = writeln!(s, "(define-fun {name} () Real {body})");
                    next.push(Input::Name(name));
                } else {
                    let z = format!("z{l}_{j}_d{i}");
                    let _ = writeln!(s, "(define-fun {z} () Real {body})");
                    let a = match &arch.activation {
                        Activation::Linear => z,
                        Activation::Relu => {
                            let a = format!("a{l}_{j}_d{i}");
                            let _ = writeln!(s, "(define-fun {a} () Real (ite (>= {z} 0) {z} 0))");
                            a
                        }
                        Activation::Leaky(alpha) => {
                            let a = format!("a{l}_{j}_d{i}");
                            let _ = writeln!(
                                s,
                                "(define-fun {a} () Real (ite (>= {z} 0) {z} (* {} {z})))",
                                real(alpha)
                            );
                            a
                        }
                    };
                    next.push(Input::Name(a));
                }
            }
            inputs = next;
        }
        // Hinge terms of this point.
        let f = |k: usize| format!("f{k}_d{i}");
        match problem.loss {
            LossKind::Absolute | LossKind::Squared => {
                let t = real(&problem.data.target(i));
                let h = if problem.loss == LossKind::Absolute {
                    format!("(ite (>= r_d{i} 0) r_d{i} (- r_d{i}))")
                } else {
                    format!("(* r_d{i} r_d{i})")
                };
                let _ = writeln!(
                    s,
                    "(define-fun r_d{i} () Real (- {} {t})) ; f - t
                     (define-fun h_d{i} () Real {h})",
                    f(0)
                );
                point_terms.push(format!("h_d{i}"));
            }
            LossKind::Hinge => {
                let arg = if y > 0 {
                    format!("(- 1 {})", f(0))
                } else {
                    format!("(+ 1 {})", f(0))
                };
                let _ = writeln!(
                    s,
                    "(define-fun t_d{i} () Real {arg}) ; 1 - y f\n\
                     (define-fun h_d{i} () Real (ite (> t_d{i} 0) t_d{i} 0))"
                );
                point_terms.push(format!("h_d{i}"));
            }
            LossKind::MulticlassHinge => {
                let yc = y as usize;
                let mut hs = Vec::new();
                for k in (0..k_out).filter(|&k| k != yc) {
                    let _ = writeln!(
                        s,
                        "(define-fun t{k}_d{i} () Real (+ 1 (- {} {}))) ; 1 + f_{k} - f_y\n\
                         (define-fun h{k}_d{i} () Real (ite (> t{k}_d{i} 0) t{k}_d{i} 0))",
                        f(k),
                        f(yc)
                    );
                    hs.push(format!("h{k}_d{i}"));
                }
                let _ = writeln!(s, "(define-fun h_d{i} () Real {})", sum(&hs));
                point_terms.push(format!("h_d{i}"));
            }
            LossKind::CrammerSinger => {
                let yc = y as usize;
                let others: Vec<usize> = (0..k_out).filter(|&k| k != yc).collect();
                // Running max over the competitors, one define-fun per step.
                let mut m = f(others[0]);
                for (step, &k) in others.iter().enumerate().skip(1) {
                    let name = format!("m{step}_d{i}");
                    let _ = writeln!(
                        s,
                        "(define-fun {name} () Real (ite (>= {} {m}) {} {m}))",
                        f(k),
                        f(k)
                    );
                    m = name;
                }
                let _ = writeln!(
                    s,
                    "(define-fun t_d{i} () Real (+ 1 (- {m} {}))) ; 1 + max_(k != y) f_k - f_y\n\
                     (define-fun h_d{i} () Real (ite (> t_d{i} 0) t_d{i} 0))",
                    f(yc)
                );
                point_terms.push(format!("h_d{i}"));
            }
        }
    }

    let nq = Q::from_integer(n.into());
    let _ = writeln!(
        s,
        "\n; the loss: the average of the per-point terms\n\
         (define-fun loss () Real (* {} {}))",
        real(&(Q::one() / nq)),
        sum(&point_terms)
    );
    let names: Vec<String> = (0..flat.len()).map(pvar).collect();
    let _ = writeln!(
        s,
        "\n; strictly lower than L* = {}\n(assert (< loss {}))\n(check-sat)\n\
         ; after sat: the parameters of a point with lower loss, and its loss\n\
         (get-value ({} loss))",
        fmt_q(&lstar),
        real(&lstar),
        names.join(" ")
    );
    Ok(s)
}

/// A layer input: a data constant (first layer) or a defined name.
enum Input {
    /// A data coordinate (inputs of the first layer).
    Const(Q),
    /// A defined name (an activation of the previous layer).
    Name(String),
}

/// `relucert smtlib FILE --radius R [--out F]`: the SMT-LIB text itself when
/// there is no `--out`, otherwise a one-line confirmation. Errors are one
/// line naming the file.
pub fn command(path: &Path, radius: &str, out: Option<&Path>) -> Result<String, CommandError> {
    let file = || path.display().to_string();
    let r = parse_rational(radius).map_err(|error| CommandError::RadiusSyntax {
        file: file(),
        error,
    })?;
    if sign(&r) <= 0 {
        return Err(CommandError::RadiusNotPositive {
            file: file(),
            radius: radius.trim().to_string(),
        });
    }
    let inst = instance::load(path).map_err(CommandError::Load)?;
    let Some(point) = &inst.point else {
        return Err(CommandError::MissingPoint { file: file() });
    };
    let text = smtlib(&inst, &r).map_err(|error| CommandError::Question {
        file: file(),
        error,
    })?;
    match out {
        None => Ok(text),
        Some(o) => {
            std::fs::write(o, &text).map_err(|error| CommandError::Write {
                out: o.display().to_string(),
                error,
            })?;
            Ok(format!(
                "wrote {} (QF_NRA, {} parameters, radius {}, L* = {})\n",
                o.display(),
                inst.problem.arch.num_params(),
                fmt_q(&r),
                fmt_q(&inst.problem.loss(point))
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::qf;

    #[test]
    fn error_texts() {
        assert_eq!(
            SmtlibError::MissingPoint.to_string(),
            "point: missing table: the SMT-LIB question needs a [point]"
        );
        assert_eq!(
            SmtlibError::NonPositiveRadius(qf(-1, 2)).to_string(),
            "radius: expected a positive rational, got -1/2"
        );
        assert_eq!(
            CommandError::RadiusNotPositive {
                file: "a.toml".to_string(),
                radius: "0".to_string()
            }
            .to_string(),
            "a.toml: --radius: expected a positive rational, got 0"
        );
    }

    #[test]
    fn reals() {
        assert_eq!(real(&qf(3, 1)), "3");
        assert_eq!(real(&qf(-3, 1)), "(- 3)");
        assert_eq!(real(&qf(3, 4)), "(/ 3 4)");
        assert_eq!(real(&qf(-3, 4)), "(- (/ 3 4))");
    }
}
