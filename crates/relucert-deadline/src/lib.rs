//! relucert-deadline: the one deadline object that every long computation
//! of relucert checks (second-order search, arc search, probe, exact LP,
//! cell enumeration, the checker, big-number loops).
//!
//! A [`Deadline`] is an optional instant plus an optional shared cancel
//! flag. It is cheap to clone and to test ([`Deadline::expired`] reads the
//! monotonic clock and an atomic), so loops test it once per iteration;
//! where one iteration is tiny, a [`Ticker`] tests the clock only every
//! `n` calls. When a deadline passes, a computation stops with [`Expired`]
//! and its caller reports "undecided" (or "not checked"): a deadline changes
//! only *whether* an answer is found, never *which* answer, because no
//! search order here depends on the clock.
//!
//! Owns: the `Deadline` type, its `Expired` error and the `Ticker`.
//!
//! Must not: depend on any crate (relucert-lp and relucert-check both use
//! it, and each must stay free of the others), or decide anything: it only
//! says "stop".
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When to stop: an optional instant and an optional cancel flag.
///
/// `Deadline::default()` (= [`Deadline::never`]) never expires.
#[derive(Clone, Debug, Default)]
pub struct Deadline {
    at: Option<Instant>,
    cancel: Option<Arc<AtomicBool>>,
}

/// The error of a computation stopped by its [`Deadline`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expired;

impl std::fmt::Display for Expired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the time limit (--timeout) was reached")
    }
}

impl std::error::Error for Expired {}

impl Deadline {
    /// A deadline that never expires.
    pub fn never() -> Deadline {
        Deadline::default()
    }

    /// Expires `d` from now.
    pub fn after(d: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(d),
            cancel: None,
        }
    }

    /// Expires at `at`.
    pub fn at(at: Instant) -> Deadline {
        Deadline {
            at: Some(at),
            cancel: None,
        }
    }

    /// `Some(t)`: expires `t` from now; `None`: never.
    pub fn from_timeout(timeout: Option<Duration>) -> Deadline {
        timeout.map_or_else(Deadline::never, Deadline::after)
    }

    /// Also expire as soon as `flag` is set (by another thread: a watchdog,
    /// a Ctrl-C handler, an interactive caller).
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Deadline {
        self.cancel = Some(flag);
        self
    }

    /// The instant, if any.
    pub fn instant(&self) -> Option<Instant> {
        self.at
    }

    /// Whether this deadline can ever expire.
    pub fn is_set(&self) -> bool {
        self.at.is_some() || self.cancel.is_some()
    }

    /// Has the deadline passed (or the cancel flag been set)?
    pub fn expired(&self) -> bool {
        if let Some(c) = &self.cancel {
            if c.load(Ordering::Relaxed) {
                return true;
            }
        }
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// `Err(Expired)` once [`Deadline::expired`].
    pub fn check(&self) -> Result<(), Expired> {
        if self.expired() {
            Err(Expired)
        } else {
            Ok(())
        }
    }

    /// Time left (zero once passed); `None` if there is no instant.
    pub fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// The earlier of this deadline and `d` from now, keeping the cancel
    /// flag: a sub-budget for one stage that still obeys the whole run's
    /// limit.
    pub fn within(&self, d: Duration) -> Deadline {
        let sub = Instant::now().checked_add(d);
        let at = match (self.at, sub) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Deadline {
            at,
            cancel: self.cancel.clone(),
        }
    }

    /// A [`Ticker`] that reads the clock every `every` calls (at least 1).
    pub fn ticker(&self, every: u32) -> Ticker<'_> {
        Ticker {
            deadline: self,
            every: every.max(1),
            count: 0,
        }
    }
}

/// Tests a [`Deadline`] every `n`-th call, for loops whose iterations cost
/// less than reading the clock.
#[derive(Debug)]
pub struct Ticker<'a> {
    deadline: &'a Deadline,
    every: u32,
    count: u32,
}

impl Ticker<'_> {
    /// `Err(Expired)` if this is an `n`-th call and the deadline passed.
    pub fn tick(&mut self) -> Result<(), Expired> {
        self.count += 1;
        if self.count >= self.every {
            self.count = 0;
            self.deadline.check()
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_does_not_expire_and_past_does() {
        assert!(!Deadline::never().expired());
        assert!(!Deadline::never().is_set());
        assert_eq!(Deadline::never().remaining(), None);
        let past = Deadline::at(Instant::now());
        assert!(past.expired());
        assert_eq!(past.check(), Err(Expired));
        assert_eq!(past.remaining(), Some(Duration::ZERO));
        assert!(!Deadline::after(Duration::from_secs(3600)).expired());
    }

    #[test]
    fn within_takes_the_earlier_instant() {
        let long = Deadline::after(Duration::from_secs(3600));
        assert!(long.within(Duration::ZERO).expired());
        let short = Deadline::at(Instant::now());
        assert!(short.within(Duration::from_secs(3600)).expired());
        assert!(!Deadline::never()
            .within(Duration::from_secs(3600))
            .expired());
        assert!(Deadline::never().within(Duration::ZERO).expired());
    }

    #[test]
    fn cancel_flag_expires_and_survives_within() {
        let flag = Arc::new(AtomicBool::new(false));
        let d = Deadline::never().with_cancel(flag.clone());
        let sub = d.within(Duration::from_secs(3600));
        assert!(d.is_set() && !d.expired() && !sub.expired());
        flag.store(true, Ordering::Relaxed);
        assert!(d.expired() && sub.expired());
    }

    #[test]
    fn ticker_reads_the_clock_every_nth_call() {
        let past = Deadline::at(Instant::now());
        let mut t = past.ticker(3);
        assert_eq!(t.tick(), Ok(()));
        assert_eq!(t.tick(), Ok(()));
        assert_eq!(t.tick(), Err(Expired));
        assert_eq!(t.tick(), Ok(()));
    }
}
