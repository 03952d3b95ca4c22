//! Running the verifier over a generated corpus.
//!
//! Owns: generating `count` instances of each chosen family (`gen`),
//! running `verify::verify` on each with a per-instance time limit,
//! and summarising: verdict counts and the undecided fraction per family
//! and overall, undecided reasons grouped by their first clause, median
//! and maximum verification time per family, and every instance whose
//! `[expect]` table disagrees with the verdict (a bug somewhere), or on
//! which the verifier failed or panicked.
//!
//! Must not: decide anything itself (verdicts come from `verify`, the
//! `[expect]` comparison from `expect`; a time limit only makes
//! `undecided`), or format output (that is the CLI's `cmd::corpus`). The
//! times are wall-clock measurements, reported, never used to decide.

use crate::expect::{self, Agreement};
use crate::gen::{self, Family};
use crate::instance::{self, Instance};
use crate::number::Q;
use crate::verify::{self, Limits, Verdict};
use relucert_core::Deadline;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The families to generate, in the order of the run.
    pub families: Vec<Family>,
    /// Seed of every family's stream.
    pub seed: u64,
    /// Instances per family.
    pub count: u64,
    /// Time limit of each verification in seconds.
    pub timeout_secs: u64,
    /// Write every undecided instance here (`F-SEED-INDEX.toml`).
    pub write_undecided: Option<PathBuf>,
    /// The whole run's deadline (each instance stops at the earlier of it
    /// and its own `timeout_secs`); `Deadline::never()` by default.
    pub deadline: Deadline,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            families: Family::DEFAULT_CORPUS.to_vec(),
            seed: 1,
            count: 200,
            timeout_secs: 10,
            write_undecided: None,
            deadline: Deadline::never(),
        }
    }
}

impl Options {
    /// The command line that reproduces the run (every option spelled out).
    pub fn command_line(&self) -> String {
        let fams: Vec<&str> = self.families.iter().map(|f| f.name()).collect();
        let mut s = format!(
            "relucert corpus --family {} --seed {} --count {} --timeout {}",
            fams.join(","),
            self.seed,
            self.count,
            self.timeout_secs
        );
        if let Some(dir) = &self.write_undecided {
            s.push_str(&format!(" --write-undecided {}", dir.display()));
        }
        s
    }
}

/// The verifier's answer on one instance.
#[derive(Clone, Debug)]
pub struct Record {
    /// The instance's family.
    pub family: Family,
    /// Its index in the family's stream.
    pub index: u64,
    /// Its name (empty when it has none).
    pub name: String,
    /// `None` when the verifier returned an error or panicked (see `failure`).
    pub verdict: Option<Verdict>,
    /// The exact loss at the point (`None` when the verifier failed).
    pub loss: Option<Q>,
    /// The verifier's reason, or what went wrong.
    pub reason: String,
    /// Wall-clock seconds of the verification (reported, never used to decide).
    pub seconds: f64,
    /// `[expect]` entries that the verdict contradicts, and verifier
    /// errors or panics: each one is a bug somewhere.
    pub problems: Vec<String>,
    /// Where the instance was written (`--write-undecided`).
    pub written: Option<PathBuf>,
    /// The instance's `[expect]` local_min and global_min (None: not stated).
    pub expected: (Option<bool>, Option<bool>),
}

/// Summary of one family (or of all, with `family = None`).
#[derive(Clone, Debug)]
pub struct Summary {
    /// The family (`None`: all families).
    pub family: Option<Family>,
    /// Number of instances.
    pub instances: usize,
    /// Instances verified `global-min`.
    pub global_min: usize,
    /// Instances verified `local-min`.
    pub local_min: usize,
    /// Instances verified `not-local-min`.
    pub not_local_min: usize,
    /// Instances left `undecided`.
    pub undecided: usize,
    /// Verifier errors and panics.
    pub failed: usize,
    /// Median verification time in seconds.
    pub median_secs: f64,
    /// Longest verification time in seconds.
    pub max_secs: f64,
}

impl Summary {
    /// Fraction of undecided instances (0 for an empty set).
    pub fn undecided_fraction(&self) -> f64 {
        if self.instances == 0 {
            0.0
        } else {
            self.undecided as f64 / self.instances as f64
        }
    }
}

/// A group of undecided reasons.
#[derive(Clone, Debug)]
pub struct ReasonGroup {
    /// The first clause of the reasons (`reason_group`).
    pub reason: String,
    /// Number of undecided instances with this reason.
    pub count: usize,
    /// Count per family, in the order of the run.
    pub families: Vec<(Family, usize)>,
}

/// The whole run.
#[derive(Clone, Debug)]
pub struct Report {
    /// What was run.
    pub options: Options,
    /// One record per instance, in the order of the run.
    pub records: Vec<Record>,
}

/// Compare an instance's `[expect]` with a verdict and loss
/// (`expect::compare`); one line per contradiction (keys not stated, or
/// not decided by the verdict, are not contradictions).
pub fn disagreements(inst: &Instance, verdict: Verdict, loss: &Q) -> Vec<String> {
    let cmp = expect::compare(
        inst.expect.as_ref(),
        &expect::Computed {
            verdict: Some(verdict),
            loss,
            global_min: None,
        },
    );
    let mut out = Vec::new();
    let disagrees = |a: Agreement| a == Agreement::Disagrees;
    if let Some(e) = cmp.local_min.filter(|e| disagrees(e.agreement)) {
        out.push(format!(
            "expect.local_min = {} but the verdict is {}",
            e.expected,
            verdict.name()
        ));
    }
    if let Some(e) = cmp.global_min.filter(|e| disagrees(e.agreement)) {
        out.push(format!(
            "expect.global_min = {} but the verdict is {}",
            e.expected,
            verdict.name()
        ));
    }
    if let Some(e) = cmp.loss.filter(|e| disagrees(e.agreement)) {
        out.push(format!(
            "expect.loss = {} but the verifier computed {}",
            crate::number::fmt_q(&e.expected),
            crate::number::fmt_q(loss)
        ));
    }
    out
}

/// The first clause of a reason, with numbers replaced by `N` and
/// parenthesised remarks dropped, so that similar reasons group together.
pub fn reason_group(reason: &str) -> String {
    let mut depth = 0usize;
    let mut kept = String::new();
    for ch in reason.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(ch),
            _ => {}
        }
    }
    let cut = kept.find([',', ';', ':']).unwrap_or(kept.len());
    let clause = &kept[..cut];
    // numbers (integers, fractions, signs) become N
    let mut out = String::new();
    let mut in_number = false;
    for ch in clause.chars() {
        let numeric = ch.is_ascii_digit() || (in_number && ch == '/');
        if numeric {
            if !in_number {
                if out.ends_with('-') {
                    out.pop();
                }
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(ch);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Why a corpus run stopped: `--write-undecided`'s directory could not be
/// created, or an undecided instance could not be written there.
#[derive(Debug)]
pub struct CorpusError {
    /// The directory or file.
    pub path: std::path::PathBuf,
    /// What was being done: `cannot create the directory` or `cannot write`.
    pub action: &'static str,
    /// The operating system's error.
    pub error: std::io::Error,
}

impl std::fmt::Display for CorpusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.path.display(),
            self.action,
            self.error
        )
    }
}

impl std::error::Error for CorpusError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Run the corpus. `progress(done, total)` is called after each instance.
/// `Err` only when `--write-undecided`'s directory cannot be created or
/// written.
pub fn run(opts: &Options, progress: &mut dyn FnMut(u64, u64)) -> Result<Report, CorpusError> {
    if let Some(dir) = &opts.write_undecided {
        std::fs::create_dir_all(dir).map_err(|error| CorpusError {
            path: dir.clone(),
            action: "cannot create the directory",
            error,
        })?;
    }
    let per_instance = Duration::from_secs(opts.timeout_secs);
    let total = opts.count * opts.families.len() as u64;
    let mut done = 0u64;
    let mut records = Vec::with_capacity(total as usize);
    for &family in &opts.families {
        for index in 0..opts.count {
            let generated = gen::generate(family, opts.seed, index);
            let inst = generated.instance;
            let start = Instant::now();
            // one deadline per instance, within the caller's (if any)
            let limits = Limits {
                deadline: opts.deadline.within(per_instance),
                ..Limits::default()
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                verify::verify(&inst, &limits)
            }));
            let seconds = start.elapsed().as_secs_f64();
            let name = inst.name.clone().unwrap_or_default();
            let mut record = Record {
                family,
                index,
                name,
                verdict: None,
                loss: None,
                reason: String::new(),
                seconds,
                problems: Vec::new(),
                written: None,
                expected: inst
                    .expect
                    .as_ref()
                    .map_or((None, None), |e| (e.local_min, e.global_min)),
            };
            match result {
                Ok(Ok(out)) => {
                    record.problems = disagreements(&inst, out.verdict, &out.loss);
                    record.verdict = Some(out.verdict);
                    record.loss = Some(out.loss);
                    record.reason = out.reason;
                }
                Ok(Err(e)) => {
                    record.reason = format!("the verifier failed: {e}");
                    record.problems.push(record.reason.clone());
                }
                Err(panic) => {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "no message".to_string());
                    record.reason = format!("the verifier panicked: {msg}");
                    record.problems.push(record.reason.clone());
                }
            }
            if record.verdict == Some(Verdict::Undecided) {
                if let Some(dir) = &opts.write_undecided {
                    let path = dir.join(gen::file_name(family, opts.seed, index));
                    std::fs::write(&path, instance::to_toml(&inst)).map_err(|error| {
                        CorpusError {
                            path: path.clone(),
                            action: "cannot write",
                            error,
                        }
                    })?;
                    record.written = Some(path);
                }
            }
            records.push(record);
            done += 1;
            progress(done, total);
        }
    }
    Ok(Report {
        options: opts.clone(),
        records,
    })
}

impl Report {
    fn summary_of(&self, family: Option<Family>) -> Summary {
        let rs: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| family.is_none_or(|f| r.family == f))
            .collect();
        let count = |v: Verdict| rs.iter().filter(|r| r.verdict == Some(v)).count();
        let mut times: Vec<f64> = rs.iter().map(|r| r.seconds).collect();
        times.sort_by(f64::total_cmp);
        Summary {
            family,
            instances: rs.len(),
            global_min: count(Verdict::GlobalMin),
            local_min: count(Verdict::LocalMin),
            not_local_min: count(Verdict::NotLocalMin),
            undecided: count(Verdict::Undecided),
            failed: rs.iter().filter(|r| r.verdict.is_none()).count(),
            median_secs: median(&times),
            max_secs: times.last().copied().unwrap_or(0.0),
        }
    }

    /// One summary per family, in the order of the run.
    pub fn per_family(&self) -> Vec<Summary> {
        self.options
            .families
            .iter()
            .map(|&f| self.summary_of(Some(f)))
            .collect()
    }

    /// The summary over all families.
    pub fn overall(&self) -> Summary {
        self.summary_of(None)
    }

    /// Undecided reasons grouped by `reason_group`, most frequent first.
    pub fn reasons(&self) -> Vec<ReasonGroup> {
        let mut groups: BTreeMap<String, BTreeMap<Family, usize>> = BTreeMap::new();
        for r in &self.records {
            if r.verdict == Some(Verdict::Undecided) {
                *groups
                    .entry(reason_group(&r.reason))
                    .or_default()
                    .entry(r.family)
                    .or_default() += 1;
            }
        }
        let mut out: Vec<ReasonGroup> = groups
            .into_iter()
            .map(|(reason, per)| {
                let families: Vec<(Family, usize)> = self
                    .options
                    .families
                    .iter()
                    .filter_map(|f| per.get(f).map(|&c| (*f, c)))
                    .collect();
                ReasonGroup {
                    count: families.iter().map(|(_, c)| c).sum(),
                    reason,
                    families,
                }
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
        out
    }

    /// Undecided instances whose `[expect]` states the answer, counted by
    /// what it states: `local_min = true`, `local_min = false`, and
    /// `global_min = false` with local_min not stated.
    pub fn undecided_with_expectation(&self) -> (usize, usize, usize) {
        let und = || {
            self.records
                .iter()
                .filter(|r| r.verdict == Some(Verdict::Undecided))
        };
        (
            und().filter(|r| r.expected.0 == Some(true)).count(),
            und().filter(|r| r.expected.0 == Some(false)).count(),
            und()
                .filter(|r| r.expected.0.is_none() && r.expected.1 == Some(false))
                .count(),
        )
    }

    /// Number of undecided instances written (`--write-undecided`).
    pub fn written_count(&self) -> usize {
        self.records.iter().filter(|r| r.written.is_some()).count()
    }

    /// Records with a disagreement, an error or a panic.
    pub fn problems(&self) -> Vec<&Record> {
        self.records
            .iter()
            .filter(|r| !r.problems.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_group_by_first_clause() {
        assert_eq!(
            reason_group("not flat (3 of 8 pieces around the point are not constant) and none of 41 candidate descent arcs descends (12 from first-order LPs); the piecewise"),
            "not flat and none of N candidate descent arcs descends"
        );
        assert_eq!(
            reason_group("the loss 3/4 is above the optimum -1/2 over affine classifiers, so by"),
            "the loss N is above the optimum N over affine classifiers"
        );
        assert_eq!(
            reason_group("the time limit (--timeout) was reached after 17 candidate arcs"),
            "the time limit was reached after N candidate arcs"
        );
    }

    #[test]
    fn disagreements_word_each_contradicted_key() {
        let mut inst = gen::generate(Family::Linear, 1, 0).instance;
        inst.expect = Some(crate::instance::Expect {
            local_min: Some(true),
            global_min: Some(true),
            loss: Some(Q::new(1.into(), 2.into())),
        });
        let half = Q::new(1.into(), 2.into());
        assert!(disagreements(&inst, Verdict::GlobalMin, &half).is_empty());
        // local-min says nothing about global_min
        assert!(disagreements(&inst, Verdict::LocalMin, &half).is_empty());
        assert!(disagreements(&inst, Verdict::Undecided, &half).is_empty());
        let third = Q::new(1.into(), 3.into());
        assert_eq!(
            disagreements(&inst, Verdict::NotLocalMin, &third),
            vec![
                "expect.local_min = true but the verdict is not-local-min".to_string(),
                "expect.global_min = true but the verdict is not-local-min".to_string(),
                "expect.loss = 1/2 but the verifier computed 1/3".to_string(),
            ]
        );
        inst.expect = None;
        assert!(disagreements(&inst, Verdict::NotLocalMin, &third).is_empty());
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[1.0, 2.0, 5.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 5.0]), 3.0);
    }
}
