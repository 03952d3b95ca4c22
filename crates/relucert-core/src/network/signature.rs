//! Signatures: the exact sign pattern of a point and the cells around it.
//!
//! Owns: [`Sign`], the [`Signature`] of a point (signs of every hidden
//! pre-activation and every hinge argument, Crammer-Singer arg-max sets), its
//! [`ZeroEntry`] list (where the point sits on a cell boundary), side choices
//! ([`Side`], read from `+`, `-` or a class index) and their completion to a
//! cell [`Pattern`], with the typed [`SideError`] when a choice does not fit.
//!
//! Must not: evaluate the network (it reads an [`Evaluation`]) or use any
//! tolerance: a sign is zero only if the value is exactly zero.

use super::{Evaluation, PointLoss, Problem};
use crate::number::{sign, Q};
use std::fmt;

/// Sign of a quantity: exactly negative, exactly zero, exactly positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sign {
    /// Exactly negative.
    Neg,
    /// Exactly zero.
    Zero,
    /// Exactly positive.
    Pos,
}

impl Sign {
    /// The sign of a rational.
    pub fn of(q: &Q) -> Sign {
        match sign(q) {
            -1 => Sign::Neg,
            0 => Sign::Zero,
            _ => Sign::Pos,
        }
    }

    /// `"-"`, `"0"` or `"+"`.
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Neg => "-",
            Sign::Zero => "0",
            Sign::Pos => "+",
        }
    }
}

/// A zero entry of a signature: a place where the point sits on a cell
/// boundary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ZeroEntry {
    /// Hidden pre-activation `z_{layer,unit}(x_point) = 0` (layer 1-based;
    /// only for activations with a kink).
    PreActivation {
        /// 0-based data point.
        point: usize,
        /// 1-based hidden layer.
        layer: usize,
        /// 0-based unit of that layer.
        unit: usize,
    },
    /// Hinge argument exactly 0 (`class` is the Weston-Watkins competitor).
    Hinge {
        /// 0-based data point.
        point: usize,
        /// The competitor class (Weston-Watkins), `None` for binary hinge.
        class: Option<usize>,
    },
    /// Crammer-Singer: several competitor classes attain the max.
    Tie {
        /// 0-based data point.
        point: usize,
        /// The tied competitor classes (sorted).
        classes: Vec<usize>,
    },
}

/// Signs of every hidden pre-activation and every hinge argument at a point,
/// plus the Crammer-Singer arg-max sets. A *cell* is a signature with no
/// zero entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// `hidden[l][i][j]`: sign of unit j of hidden layer l+1 on point i.
    pub hidden: Vec<Vec<Vec<Sign>>>,
    /// `hinge[i]`: `(class, sign)` of each hinge term of point i.
    pub hinge: Vec<Vec<(Option<usize>, Sign)>>,
    /// Crammer-Singer arg-max set of each point (None for other losses).
    pub argmax: Vec<Option<Vec<usize>>>,
    /// Whether zero pre-activations are kinks (false for linear networks).
    pub kinks: bool,
}

impl Signature {
    /// Signature from an evaluation.
    pub fn of(problem: &Problem, ev: &Evaluation) -> Signature {
        let layers = problem.arch.hidden_layers();
        let hidden = (0..layers)
            .map(|l| {
                ev.traces
                    .iter()
                    .map(|t| t.pre[l].iter().map(Sign::of).collect())
                    .collect()
            })
            .collect();
        Signature::with_hidden(problem, hidden, &ev.points)
    }

    /// The signature with the hidden signs given: the hinge signs and
    /// arg-max sets are read off the points' losses.
    pub fn with_hidden(
        problem: &Problem,
        hidden: Vec<Vec<Vec<Sign>>>,
        points: &[PointLoss],
    ) -> Signature {
        let hinge = points
            .iter()
            .map(|p| {
                p.terms
                    .iter()
                    .map(|t| (t.class, Sign::of(&t.argument)))
                    .collect()
            })
            .collect();
        let argmax = points.iter().map(|p| p.argmax.clone()).collect();
        Signature {
            hidden,
            hinge,
            argmax,
            kinks: problem.arch.activation.has_kink(),
        }
    }

    /// The zero entries in a fixed order: all pre-activations (by layer,
    /// point, unit), then per point its hinge terms and its tie.
    pub fn zero_entries(&self) -> Vec<ZeroEntry> {
        let mut out = Vec::new();
        if self.kinks {
            for (l, layer) in self.hidden.iter().enumerate() {
                for (i, units) in layer.iter().enumerate() {
                    for (j, s) in units.iter().enumerate() {
                        if *s == Sign::Zero {
                            out.push(ZeroEntry::PreActivation {
                                point: i,
                                layer: l + 1,
                                unit: j,
                            });
                        }
                    }
                }
            }
        }
        for (i, terms) in self.hinge.iter().enumerate() {
            for (class, s) in terms {
                if *s == Sign::Zero {
                    out.push(ZeroEntry::Hinge {
                        point: i,
                        class: *class,
                    });
                }
            }
            if let Some(Some(set)) = self.argmax.get(i) {
                if set.len() > 1 {
                    out.push(ZeroEntry::Tie {
                        point: i,
                        classes: set.clone(),
                    });
                }
            }
        }
        out
    }

    /// Counts `(zero pre-activations, zero hinge arguments, ties)`.
    pub fn zero_counts(&self) -> (usize, usize, usize) {
        let z = self.zero_entries();
        let pre = z
            .iter()
            .filter(|e| matches!(e, ZeroEntry::PreActivation { .. }))
            .count();
        let hinge = z
            .iter()
            .filter(|e| matches!(e, ZeroEntry::Hinge { .. }))
            .count();
        (pre, hinge, z.len() - pre - hinge)
    }

    /// Total number of recorded pre-activation signs and hinge arguments.
    pub fn sizes(&self) -> (usize, usize) {
        let pre = self.hidden.iter().flatten().map(Vec::len).sum();
        let hinge = self.hinge.iter().map(Vec::len).sum();
        (pre, hinge)
    }

    /// The cell pattern, if the signature has no zero entry.
    pub fn pattern(&self) -> Option<Pattern> {
        self.complete(&[]).ok()
    }

    /// Complete the zero entries with `choices`, one per entry of
    /// `zero_entries()` in order: `Side::Pos`/`Side::Neg` for pre-activations
    /// and hinge arguments, `Side::Class(k)` (k in the tie set) for ties.
    pub fn complete(&self, choices: &[Side]) -> Result<Pattern, SideError> {
        let zeros = self.zero_entries();
        if zeros.len() != choices.len() {
            return Err(SideError::Count {
                expected: zeros.len(),
                got: choices.len(),
            });
        }
        let mut active: Vec<Vec<Vec<bool>>> = self
            .hidden
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    // a linear unit has one slope: record it as active whatever its sign
                    .map(|units| {
                        units
                            .iter()
                            .map(|s| *s == Sign::Pos || !self.kinks)
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut hinge_active: Vec<Vec<bool>> = self
            .hinge
            .iter()
            .map(|terms| terms.iter().map(|(_, s)| *s == Sign::Pos).collect())
            .collect();
        let mut competitor: Vec<Option<usize>> = self
            .argmax
            .iter()
            .map(|a| a.as_ref().and_then(|set| set.first().copied()))
            .collect();
        for (n, (entry, choice)) in zeros.iter().zip(choices).enumerate() {
            match (entry, choice) {
                (ZeroEntry::PreActivation { point, layer, unit }, Side::Pos | Side::Neg) => {
                    active[layer - 1][*point][*unit] = *choice == Side::Pos;
                }
                (ZeroEntry::Hinge { point, class }, Side::Pos | Side::Neg) => {
                    let idx = self.hinge[*point]
                        .iter()
                        .position(|(c, _)| c == class)
                        .unwrap_or(0);
                    hinge_active[*point][idx] = *choice == Side::Pos;
                }
                (ZeroEntry::Tie { point, classes }, Side::Class(k)) => {
                    if !classes.contains(k) {
                        return Err(SideError::NotInTie {
                            choice: n + 1,
                            class: *k,
                            point: *point,
                            classes: classes.clone(),
                        });
                    }
                    competitor[*point] = Some(*k);
                }
                (ZeroEntry::Tie { point, classes }, _) => {
                    return Err(SideError::NeedsClass {
                        choice: n + 1,
                        point: *point,
                        classes: classes.clone(),
                    });
                }
                (_, Side::Class(_)) => {
                    return Err(SideError::NeedsSign { choice: n + 1 });
                }
            }
        }
        Ok(Pattern {
            active,
            hinge_active,
            competitor,
        })
    }
}

/// A choice of side for one zero entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The positive side of a pre-activation or hinge argument (`+`).
    Pos,
    /// The negative side (`-`).
    Neg,
    /// For a tie: the competitor class that attains the max.
    Class(usize),
}

impl std::str::FromStr for Side {
    type Err = SideError;
    fn from_str(s: &str) -> Result<Side, SideError> {
        match s.trim() {
            "+" => Ok(Side::Pos),
            "-" => Ok(Side::Neg),
            t => t
                .parse::<usize>()
                .map(Side::Class)
                .map_err(|_| SideError::NotASide(t.to_string())),
        }
    }
}

/// Why side choices do not complete a signature ([`Signature::complete`]),
/// or why a text is not a side choice (`str::parse::<Side>`). Choice and
/// entry numbers are 1-based, points 0-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SideError {
    /// The text is not `+`, `-` or a class index.
    NotASide(String),
    /// The number of choices differs from the number of zero entries.
    Count {
        /// The number of zero entries.
        expected: usize,
        /// The number of choices given.
        got: usize,
    },
    /// A class choice names a class outside the tie.
    NotInTie {
        /// Which choice (1-based).
        choice: usize,
        /// The class chosen.
        class: usize,
        /// The point of the tie (0-based).
        point: usize,
        /// The tied classes.
        classes: Vec<usize>,
    },
    /// `+` or `-` given for a tie, which needs a class index.
    NeedsClass {
        /// Which choice (1-based); the zero entry has the same number.
        choice: usize,
        /// The point of the tie (0-based).
        point: usize,
        /// The tied classes.
        classes: Vec<usize>,
    },
    /// A class index given for an entry that is not a tie.
    NeedsSign {
        /// Which choice (1-based); the zero entry has the same number.
        choice: usize,
    },
}

impl fmt::Display for SideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SideError::NotASide(t) => {
                write!(f, "`{t}` is not a side choice (expected +, - or a class index)")
            }
            SideError::Count { expected, got } => write!(
                f,
                "expected {expected} side choice{} (one per zero entry), got {got}",
                if *expected == 1 { "" } else { "s" }
            ),
            SideError::NotInTie {
                choice,
                class,
                point,
                classes,
            } => write!(
                f,
                "side choice {choice} is class {class}, but the tie at point {point} is among classes {classes:?}"
            ),
            SideError::NeedsClass {
                choice,
                point,
                classes,
            } => write!(
                f,
                "side choice {choice} must be a class index: zero entry {choice} is a tie at point {point} among classes {classes:?}"
            ),
            SideError::NeedsSign { choice } => write!(
                f,
                "side choice {choice} must be + or -: zero entry {choice} is not a tie"
            ),
        }
    }
}

impl std::error::Error for SideError {}

/// A complete sign pattern (a cell): which hidden units are on their positive
/// side, which hinge terms are active, and for Crammer-Singer which
/// competitor class attains the max, for every data point.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// `active[l][i][j]`: unit j of hidden layer l+1 is on its positive side on point i.
    pub active: Vec<Vec<Vec<bool>>>,
    /// `hinge_active[i][t]`: hinge term t of point i is active (argument
    /// counted). Absolute loss: true for the branch `f - t`, false for the
    /// branch `t - f` (the term is never zero). Squared loss: no terms.
    pub hinge_active: Vec<Vec<bool>>,
    /// Crammer-Singer: the competitor class used in point i's hinge term.
    pub competitor: Vec<Option<usize>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages are the CLI's `--side` errors: byte-for-byte the text
    /// they had as strings.
    #[test]
    fn side_error_messages() {
        let e = "x".parse::<Side>().unwrap_err();
        assert_eq!(e, SideError::NotASide("x".into()));
        assert_eq!(
            e.to_string(),
            "`x` is not a side choice (expected +, - or a class index)"
        );
        assert_eq!(" 2 ".parse::<Side>(), Ok(Side::Class(2)));
        assert_eq!(
            SideError::Count {
                expected: 1,
                got: 0
            }
            .to_string(),
            "expected 1 side choice (one per zero entry), got 0"
        );
        assert_eq!(
            SideError::Count {
                expected: 3,
                got: 1
            }
            .to_string(),
            "expected 3 side choices (one per zero entry), got 1"
        );
        assert_eq!(
            SideError::NotInTie {
                choice: 2,
                class: 0,
                point: 4,
                classes: vec![1, 2]
            }
            .to_string(),
            "side choice 2 is class 0, but the tie at point 4 is among classes [1, 2]"
        );
        assert_eq!(
            SideError::NeedsClass {
                choice: 1,
                point: 0,
                classes: vec![0, 2]
            }
            .to_string(),
            "side choice 1 must be a class index: zero entry 1 is a tie at point 0 among classes [0, 2]"
        );
        assert_eq!(
            SideError::NeedsSign { choice: 3 }.to_string(),
            "side choice 3 must be + or -: zero entry 3 is not a tie"
        );
    }
}
