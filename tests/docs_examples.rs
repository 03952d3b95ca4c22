//! The documentation's examples are checked against the code, so that the
//! docs fail a test when they drift.
//!
//! Owns: the marker comments of docs/format.md and what each asserts:
//! - every ```toml / ```json block of docs/format.md is an instance that
//!   relucert's reader accepts; when it has a `[point]`, `relucert eval -`
//!   (stdin, `--format` from the block's language) exits 0, so a stated
//!   `[expect] loss` (worked out by hand in the doc) is the exact loss;
//! - `<!-- error: TEXT -->` on the line before a block: the block must be
//!   refused, by the library and by `relucert eval -` (exit 1, nothing on
//!   stdout), with a message containing TEXT;
//! - `<!-- example: NAME -->`: every block of one NAME (a TOML file and its
//!   JSON twin) has the same canonical text;
//! - `<!-- canonical: NAME -->` before a ```text block: that block is the
//!   canonical text of NAME, byte for byte; `<!-- hash: NAME -->` followed by
//!   `` `HEX` ``: HEX is its SHA-256 (computed for the doc with Python's
//!   hashlib, independently of relucert).
//!
//! For README.md, docs/format.md and docs/theorems.md: the first code block
//! of the README is its two fresh-machine commands, unchanged; every
//! `relucert ...` (or `cargo run --release -- ...`) line in a code block
//! names an existing subcommand, only flags that subcommand's `--help`
//! lists, and repository files (`fixtures/...`, `tests/...`, ...) that
//! exist; every relative Markdown link points to an existing file.
//!
//! Must not: compare the docs' pasted outputs with a run (outputs are
//! shortened and may gain detail; the facts above are what must not drift).

use relucert::instance::{canonical_hash, canonical_text, parse_with, Syntax};
use relucert_core::input::InputLimits;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A fenced code block: its language, its text, the marker comment on the
/// line before it (if any), and its 1-based opening line.
#[derive(Debug)]
struct Block {
    lang: String,
    text: String,
    marker: Option<String>,
    line: usize,
}

/// The fenced blocks of a Markdown text (``` fences, not indented).
fn blocks(md: &str) -> Vec<Block> {
    let lines: Vec<&str> = md.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(lang) = lines[i].strip_prefix("```") {
            let marker = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .and_then(|l| {
                    let t = l.trim();
                    t.strip_prefix("<!--")
                        .and_then(|r| r.strip_suffix("-->"))
                        .map(|m| m.trim().to_string())
                });
            let start = i;
            let mut text = String::new();
            i += 1;
            while i < lines.len() && !lines[i].starts_with("```") {
                text.push_str(lines[i]);
                text.push('\n');
                i += 1;
            }
            assert!(i < lines.len(), "unclosed code block at line {}", start + 1);
            out.push(Block {
                lang: lang.trim().to_string(),
                text,
                marker,
                line: start + 1,
            });
        }
        i += 1;
    }
    out
}

/// `relucert ARGS` with `stdin`: (status, stdout, stderr).
fn relucert(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relucert");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for relucert");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn format_md_instances_parse_and_errors_fail_as_stated() {
    let md = read("docs/format.md");
    let all = blocks(&md);
    let mut canon: BTreeMap<String, String> = BTreeMap::new();
    let (mut ok, mut errors, mut json) = (0, 0, 0);
    for b in all.iter().filter(|b| b.lang == "toml" || b.lang == "json") {
        let (syntax, file) = if b.lang == "json" {
            json += 1;
            (Syntax::Json, "example.json")
        } else {
            (Syntax::Toml, "example.toml")
        };
        let at = format!("docs/format.md block at line {}", b.line);
        let parsed = parse_with(&b.text, syntax, file, &InputLimits::default());
        let (status, stdout, stderr) = relucert(&["eval", "--format", &b.lang, "-"], &b.text);
        match b.marker.as_deref().and_then(|m| m.strip_prefix("error:")) {
            Some(want) => {
                errors += 1;
                let want = want.trim();
                let e = parsed.expect_err(&format!("{at}: should be refused"));
                assert!(
                    e.to_string().contains(want),
                    "{at}: message {e:?} does not contain {want:?}"
                );
                assert_eq!(status, 1, "{at}: eval exit status ({stderr})");
                assert!(stdout.is_empty(), "{at}: eval printed {stdout}");
                assert!(
                    stderr.contains(want) && stderr.lines().count() == 1,
                    "{at}: eval said {stderr:?}, not one line containing {want:?}"
                );
            }
            None => {
                ok += 1;
                let inst = parsed.unwrap_or_else(|e| panic!("{at}: {e}"));
                if inst.point.is_some() {
                    assert_eq!(status, 0, "{at}: eval -: {stderr}{stdout}");
                    if inst.expect.as_ref().is_some_and(|e| e.loss.is_some()) {
                        assert!(stdout.contains("(agrees)"), "{at}: {stdout}");
                    }
                } else {
                    assert!(stderr.contains("point: missing table"), "{at}: {stderr}");
                }
                if let Some(name) = b.marker.as_deref().and_then(|m| m.strip_prefix("example:")) {
                    let text = canonical_text(&inst);
                    let prev = canon.entry(name.trim().to_string()).or_insert(text.clone());
                    assert_eq!(*prev, text, "{at}: not the same instance as its twin");
                }
            }
        }
    }
    assert!(
        ok >= 4 && json >= 2 && errors >= 3,
        "too few blocks found: {ok} ok, {json} json, {errors} errors"
    );

    // canonical texts and hashes stated in the doc
    let mut stated = 0;
    for b in &all {
        if let Some(name) = b
            .marker
            .as_deref()
            .and_then(|m| m.strip_prefix("canonical:"))
        {
            let have = canon
                .get(name.trim())
                .unwrap_or_else(|| panic!("canonical: no example named {name}"));
            assert_eq!(b.text.trim(), have, "canonical text of {name}");
            stated += 1;
        }
    }
    for (i, _) in md.match_indices("<!-- hash:") {
        let rest = &md[i + "<!-- hash:".len()..];
        let (name, after) = rest.split_once("-->").expect("closed hash marker");
        let hex = after
            .trim_start()
            .strip_prefix('`')
            .and_then(|h| h.split_once('`'))
            .map(|(h, _)| h)
            .expect("a `HEX` after the hash marker");
        let text = md_example(&all, name.trim());
        let inst = parse_with(&text.0, text.1, "example", &InputLimits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(canonical_hash(&inst), hex, "hash of {name}");
        stated += 1;
    }
    assert!(
        stated >= 2,
        "the canonical text and hash are no longer stated"
    );
}

/// The first block of example NAME and its syntax.
fn md_example(all: &[Block], name: &str) -> (String, Syntax) {
    let b = all
        .iter()
        .find(|b| {
            b.marker
                .as_deref()
                .and_then(|m| m.strip_prefix("example:"))
                .is_some_and(|n| n.trim() == name)
        })
        .unwrap_or_else(|| panic!("no example named {name}"));
    let syntax = if b.lang == "json" {
        Syntax::Json
    } else {
        Syntax::Toml
    };
    (b.text.clone(), syntax)
}

#[test]
fn readme_keeps_its_two_first_commands() {
    let readme = read("README.md");
    let first = blocks(&readme).into_iter().next().expect("a code block");
    assert_eq!(
        first.text,
        "cargo run --release -- verify fixtures/relu-dead-points-hinge.toml   # the main job on a bundled fixture\n\
         cargo test --release                                                   # the test suite (what .ci/run runs)\n"
    );
}

/// The subcommands `relucert --help` lists.
fn subcommands() -> Vec<String> {
    let (status, help, _) = relucert(&["--help"], "");
    assert_eq!(status, 0);
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Shell words of a command line, quotes removed, up to a comment or a pipe.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in line.split_whitespace() {
        if w.starts_with('#') || w == "|" || w == ">" || w == "&&" {
            break;
        }
        out.push(w.trim_matches(|c| c == '"' || c == '\'').to_string());
    }
    out
}

#[test]
fn commands_in_docs_name_real_subcommands_flags_and_files() {
    let subs = subcommands();
    assert!(subs.iter().any(|s| s == "verify"), "{subs:?}");
    let mut helps: BTreeMap<String, String> = BTreeMap::new();
    let mut seen = 0;
    for doc in ["README.md", "docs/format.md", "docs/theorems.md"] {
        for b in blocks(&read(doc)) {
            if !matches!(b.lang.as_str(), "sh" | "console" | "bash" | "shell") {
                continue;
            }
            for (k, raw) in b.text.lines().enumerate() {
                let line = raw.trim().trim_start_matches("$ ");
                let at = format!("{doc} line {}", b.line + 1 + k);
                let w = words(line);
                // repository paths on any command line must exist
                for t in &w {
                    let t = t.split_once('=').map_or(t.as_str(), |(_, v)| v);
                    let repo_path = ["fixtures/", "tests/", "docs/", "crates/", "benches/"]
                        .iter()
                        .any(|p| t.starts_with(p));
                    if repo_path {
                        assert!(root().join(t).exists(), "{at}: {t} does not exist");
                    }
                }
                let args: &[String] = match w.first().map(String::as_str) {
                    Some("relucert") => &w[1..],
                    Some("cargo")
                        if w.get(1..4)
                            == Some(&["run".into(), "--release".into(), "--".into()]) =>
                    {
                        &w[4..]
                    }
                    _ => continue,
                };
                seen += 1;
                let sub = args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .unwrap_or_else(|| panic!("{at}: no subcommand"));
                assert!(subs.contains(sub), "{at}: unknown subcommand {sub}");
                let help = helps
                    .entry(sub.clone())
                    .or_insert_with(|| relucert(&[sub, "--help"], "").1);
                for a in args.iter().filter(|a| a.starts_with("--")) {
                    let flag = a.split_once('=').map_or(a.as_str(), |(f, _)| f);
                    assert!(
                        help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                        "{at}: `relucert {sub}` has no flag {flag}"
                    );
                }
            }
        }
    }
    assert!(
        seen >= 12,
        "only {seen} relucert commands found in the docs"
    );
}

/// Relative Markdown links `](path)` / `](path#anchor)` of a document.
fn links(md: &str) -> Vec<String> {
    md.match_indices("](")
        .filter_map(|(i, _)| {
            let rest = &md[i + 2..];
            let end = rest.find(')')?;
            let target = rest[..end].split('#').next()?.trim();
            let external = target.contains("://") || target.starts_with("mailto:");
            (!target.is_empty() && !external).then(|| target.to_string())
        })
        .collect()
}

#[test]
fn relative_links_point_to_existing_files() {
    for doc in [
        "README.md",
        "docs/format.md",
        "docs/theorems.md",
        "fixtures/README.md",
    ] {
        let base: PathBuf = Path::new(doc)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let found = links(&read(doc));
        for l in &found {
            let p = root().join(&base).join(l);
            assert!(p.exists(), "{doc}: link to {l} ({}) is broken", p.display());
        }
    }
}
