//! Comparing an instance's `[expect]` table with what was computed.
//!
//! Owns: the one comparison of the expected `local_min`, `global_min` and
//! `loss` of an instance with a computed verdict and exact loss (`eval`,
//! `verify` and `corpus` all use it): per key, the expected value, the
//! computed value (or "not decided"), and whether they agree.
//!
//! Must not: decide anything itself (the verdict comes from `verify`, the
//! loss from `network`), weaken a comparison (losses are compared exactly),
//! or format output (the CLI and `corpus` word the result).

use crate::instance::Expect;
use crate::number::Q;
use crate::verify::Verdict;

/// Whether an expected value agrees with the computed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// The computed value equals the expected one.
    Agrees,
    /// The computed value differs from the expected one: a bug somewhere.
    Disagrees,
    /// Nothing was computed for this key (e.g. the verdict is `undecided`,
    /// or `local-min` says nothing about `global_min`).
    NotDecided,
}

impl Agreement {
    /// `Some(true)` agrees, `Some(false)` disagrees, `None` not decided.
    pub fn as_option(self) -> Option<bool> {
        match self {
            Agreement::Agrees => Some(true),
            Agreement::Disagrees => Some(false),
            Agreement::NotDecided => None,
        }
    }

    fn of<T: PartialEq>(expected: &T, computed: Option<&T>) -> Agreement {
        match computed {
            Some(c) if c == expected => Agreement::Agrees,
            Some(_) => Agreement::Disagrees,
            None => Agreement::NotDecided,
        }
    }
}

/// One stated key of `[expect]` compared with the computed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<T> {
    /// The value the instance states.
    pub expected: T,
    /// The computed value; `None` when it was not decided.
    pub computed: Option<T>,
    /// Whether they agree.
    pub agreement: Agreement,
}

impl<T: PartialEq + Clone> Entry<T> {
    fn new(expected: &T, computed: Option<&T>) -> Entry<T> {
        Entry {
            expected: expected.clone(),
            computed: computed.cloned(),
            agreement: Agreement::of(expected, computed),
        }
    }
}

/// What was computed at the instance's point.
#[derive(Clone, Copy, Debug)]
pub struct Computed<'a> {
    /// The verifier's verdict, if the point was verified (`eval` has none:
    /// `local_min` and `global_min` are then not decided).
    pub verdict: Option<Verdict>,
    /// The exact loss at the point.
    pub loss: &'a Q,
    /// Whether the point is a global minimum, when known apart from the
    /// verdict (a loss above the width's exact optimum: `false`).
    pub global_min: Option<bool>,
}

/// The comparison of a whole `[expect]` table; a key the table does not
/// state is `None` (not compared).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// `expect.local_min` against what the verdict implies.
    pub local_min: Option<Entry<bool>>,
    /// `expect.global_min` against what the verdict implies.
    pub global_min: Option<Entry<bool>>,
    /// `expect.loss` against the exact loss.
    pub loss: Option<Entry<Q>>,
}

impl Comparison {
    /// Does some stated key disagree with the computed value?
    pub fn disagrees(&self) -> bool {
        let d = |a: Option<Agreement>| a == Some(Agreement::Disagrees);
        d(self.local_min.as_ref().map(|e| e.agreement))
            || d(self.global_min.as_ref().map(|e| e.agreement))
            || d(self.loss.as_ref().map(|e| e.agreement))
    }
}

/// Compare an `[expect]` table (`None`: the instance has none) with what
/// was computed.
pub fn compare(expect: Option<&Expect>, computed: &Computed<'_>) -> Comparison {
    let Some(e) = expect else {
        return Comparison::default();
    };
    let (local, global) = computed
        .verdict
        .map_or((None, None), |verdict| verdict.implies());
    let global = global.or(computed.global_min);
    Comparison {
        local_min: e.local_min.map(|w| Entry::new(&w, local.as_ref())),
        global_min: e.global_min.map(|w| Entry::new(&w, global.as_ref())),
        loss: e.loss.as_ref().map(|w| Entry::new(w, Some(computed.loss))),
    }
}

/// `Expect::compare`: the method form of [`compare`] on the core crate's
/// `[expect]` table.
pub trait CompareExpect {
    /// Compare this `[expect]` table with what was computed.
    fn compare(&self, computed: &Computed<'_>) -> Comparison;
}

impl CompareExpect for Expect {
    fn compare(&self, computed: &Computed<'_>) -> Comparison {
        compare(Some(self), computed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    fn expect(local: Option<bool>, global: Option<bool>, loss: Option<Q>) -> Expect {
        Expect {
            local_min: local,
            global_min: global,
            loss,
        }
    }

    #[test]
    fn no_table_compares_nothing() {
        let loss = q(1, 2);
        let c = compare(
            None,
            &Computed {
                verdict: Some(Verdict::NotLocalMin),
                loss: &loss,
                global_min: None,
            },
        );
        assert_eq!(c, Comparison::default());
        assert!(!c.disagrees());
    }

    #[test]
    fn verdicts_imply_what_they_decide() {
        let loss = q(3, 4);
        let e = expect(Some(true), Some(false), Some(q(3, 4)));
        // local-min decides local_min only
        let c = e.compare(&Computed {
            verdict: Some(Verdict::LocalMin),
            loss: &loss,
            global_min: None,
        });
        let local = c.local_min.clone().expect("stated");
        assert_eq!(local.computed, Some(true));
        assert_eq!(local.agreement, Agreement::Agrees);
        let global = c.global_min.clone().expect("stated");
        assert_eq!(global.computed, None);
        assert_eq!(global.agreement, Agreement::NotDecided);
        assert_eq!(
            c.loss.as_ref().map(|l| l.agreement),
            Some(Agreement::Agrees)
        );
        assert!(!c.disagrees());
        // global-min contradicts global_min = false
        let c = e.compare(&Computed {
            verdict: Some(Verdict::GlobalMin),
            loss: &loss,
            global_min: None,
        });
        assert_eq!(
            c.global_min.as_ref().map(|g| g.agreement),
            Some(Agreement::Disagrees)
        );
        assert!(c.disagrees());
        // undecided decides nothing
        let c = e.compare(&Computed {
            verdict: Some(Verdict::Undecided),
            loss: &loss,
            global_min: None,
        });
        assert_eq!(
            c.local_min.as_ref().map(|g| g.agreement),
            Some(Agreement::NotDecided)
        );
        assert!(!c.disagrees());
    }

    #[test]
    fn losses_compare_exactly_and_without_a_verdict() {
        let e = expect(Some(false), None, Some(q(1, 3)));
        let close = q(333_333, 1_000_000);
        let c = e.compare(&Computed {
            verdict: None,
            loss: &close,
            global_min: None,
        });
        let l = c.loss.clone().expect("stated");
        assert_eq!(l.expected, q(1, 3));
        assert_eq!(l.computed, Some(close));
        assert_eq!(l.agreement, Agreement::Disagrees);
        assert_eq!(
            c.local_min.as_ref().map(|e| e.agreement),
            Some(Agreement::NotDecided)
        );
        assert!(c.global_min.is_none());
        assert!(c.disagrees());
        assert_eq!(Agreement::Disagrees.as_option(), Some(false));
        assert_eq!(Agreement::Agrees.as_option(), Some(true));
        assert_eq!(Agreement::NotDecided.as_option(), None);
    }
}
