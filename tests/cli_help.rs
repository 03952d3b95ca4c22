//! The command line's help and usage errors: every subcommand's `--help`
//! has examples, and every example runs (from a scratch directory that sees
//! the repository's fixtures) with exit status 0 or 3; `completions` gives
//! a script for each shell; a refused command line is one line, exit 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_relucert");

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run relucert")
}

fn subcommands() -> Vec<String> {
    let out = run_in(&root(), &["--help"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut names = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("Commands:") {
            inside = true;
            continue;
        }
        if inside {
            match line.split_whitespace().next() {
                Some(name) if line.starts_with("  ") => {
                    if name != "help" {
                        names.push(name.to_string());
                    }
                }
                _ => break,
            }
        }
    }
    names
}

/// The example lines of one help text.
fn examples(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Examples:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn every_subcommand_has_examples_and_they_run() {
    let names = subcommands();
    assert!(names.len() >= 15, "subcommands found: {names:?}");
    let scratch = std::env::temp_dir().join(format!("relucert-help-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("tests")).expect("scratch dir");
    let abs = root().canonicalize().expect("repository root");
    std::os::unix::fs::symlink(abs.join("fixtures"), scratch.join("fixtures")).expect("symlink");
    std::os::unix::fs::symlink(abs.join("tests/data"), scratch.join("tests/data"))
        .expect("symlink");
    let mut ran = 0;
    for name in &names {
        let out = run_in(&scratch, &[name, "--help"]);
        assert!(out.status.success(), "{name} --help failed");
        let help = String::from_utf8_lossy(&out.stdout).to_string();
        let ex = examples(&help);
        assert!(
            !ex.is_empty(),
            "`relucert {name} --help` has no examples:\n{help}"
        );
        for line in ex {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(words.contains(&"relucert"), "{name}: example {line:?}");
            // Files an example names must exist in the repository.
            for w in &words {
                if w.starts_with("fixtures/") || w.starts_with("tests/data/") {
                    assert!(
                        abs.join(w).exists(),
                        "{name}: example {line:?} names missing {w}"
                    );
                }
            }
            // Run the self-contained ones, in order (a later example may
            // read what an earlier one wrote; `A && B` runs A then B): no
            // other shell syntax, no placeholder file, no long corpus.
            let parts: Vec<&[&str]> = words.split(|w| *w == "&&").collect();
            let shell = parts.iter().any(|p| {
                p.first() != Some(&"relucert") || ["|", ">", "(", "-"].iter().any(|t| p.contains(t))
            });
            let placeholder = words.iter().any(|w| {
                [
                    "F.toml",
                    "inst.json",
                    "model.npz",
                    "undecided/",
                    "corpus/",
                    "~",
                ]
                .iter()
                .any(|p| w.contains(p))
            });
            let long =
                words.contains(&"corpus") && !words.contains(&"20") || words.contains(&"--starts");
            let needs_earlier = name == "check";
            if shell || placeholder || long || needs_earlier {
                continue;
            }
            for part in parts {
                let out = run_in(&scratch, &part[1..]);
                let code = out.status.code();
                assert!(
                    code == Some(0) || code == Some(3),
                    "{name}: example {line:?} exited {code:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                ran += 1;
            }
        }
    }
    // check's example needs verify's certificate: run the pair.
    let v = run_in(
        &scratch,
        &[
            "verify",
            "fixtures/relu-kink-flat-local-min.toml",
            "--cert",
            "min.json",
        ],
    );
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let c = run_in(
        &scratch,
        &[
            "check",
            "fixtures/relu-kink-flat-local-min.toml",
            "min.json",
        ],
    );
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(ran >= 15, "only {ran} examples ran");
}

#[test]
fn completions_for_each_shell_name_every_subcommand() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let out = run_in(&root(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for name in &names {
            assert!(
                script.contains(name.as_str()),
                "{shell} script lacks {name}"
            );
        }
        assert!(script.contains("timeout"), "{shell} script lacks --timeout");
    }
}

#[test]
fn a_refused_command_line_is_one_line_with_exit_1() {
    for args in [
        vec!["frobnicate"],
        vec!["verify"],
        vec!["verify", "--bogus", "x"],
        vec!["completions", "tcsh"],
        vec![
            "verify",
            "fixtures/relu-kink-descent.toml",
            "--timeout",
            "soon",
        ],
        vec![
            "descend",
            "fixtures/relu-kink-descent.toml",
            "--max-steps",
            "-3",
        ],
    ] {
        let out = run_in(&root(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // --help and --version still succeed.
    for args in [vec!["--help"], vec!["verify", "--help"], vec!["--version"]] {
        let out = run_in(&root(), &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}
