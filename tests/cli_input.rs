//! Input limits through the binary (issue 17): `-` reads stdin (TOML, or
//! JSON with `--format json`), FIFOs, devices and directories are refused
//! without blocking, `--max-file-size` and `--max-digits` set the limits,
//! and every refusal is one line on stderr naming the file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", root())
}

/// Run the binary with `stdin` piped in; (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relucert");
    if let Some(mut si) = child.stdin.take() {
        // the binary may stop reading early (a limit): ignore a broken pipe
        let _ = si.write_all(stdin);
    }
    let out = child.wait_with_output().expect("wait for relucert");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The error is exactly one line `error: FILE: ...` of at most 300 characters.
fn one_error_line(err: &str, file: &str) -> String {
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {err}");
    assert!(lines[0].chars().count() <= 300, "too long: {err}");
    let prefix = format!("error: {file}: ");
    assert!(lines[0].starts_with(&prefix), "{err}");
    lines[0][prefix.len()..].to_string()
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_input");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write scratch file");
    p
}

#[test]
fn stdin_dash_gives_the_same_answer_as_the_file() {
    for (name, format) in [
        ("leaky-hinge-decimals.toml", None),
        ("leaky-multiclass-hinge.json", Some("json")),
    ] {
        let path = fixture(name);
        let text = std::fs::read(&path).expect("fixture");
        let (c1, from_file, e1) = run(&["eval", &path, "--json"], b"");
        assert_eq!(c1, 0, "{e1}");
        let mut args = vec!["eval", "-", "--json"];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        let (c2, from_stdin, e2) = run(&args, &text);
        assert_eq!(c2, 0, "{e2}");
        let a: serde_json::Value = serde_json::from_str(&from_file).expect("JSON");
        let b: serde_json::Value = serde_json::from_str(&from_stdin).expect("JSON");
        assert_eq!(a["loss"], b["loss"], "{name}");
        assert!(a["loss"].is_string(), "{from_file}");
    }
    // JSON on stdin without --format is read as TOML, and fails as TOML
    let json = std::fs::read(fixture("leaky-multiclass-hinge.json")).expect("fixture");
    let (code, _, err) = run(&["eval", "-"], &json);
    assert_eq!(code, 1);
    assert!(
        one_error_line(&err, "-").contains("TOML syntax error"),
        "{err}"
    );
}

#[test]
fn special_files_are_refused_without_blocking() {
    let (code, _, err) = run(&["eval", "/dev/zero"], b"");
    assert_eq!(code, 1);
    assert_eq!(
        one_error_line(&err, "/dev/zero"),
        "not a regular file (a character device); give its contents on stdin as -"
    );
    let dir = format!("{}/fixtures", root());
    let (code, _, err) = run(&["verify", &dir], b"");
    assert_eq!(code, 1);
    assert!(
        one_error_line(&err, &dir).starts_with("not a regular file (a directory)"),
        "{err}"
    );
    let fifo =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-fifo-{}", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {
            let f = fifo.display().to_string();
            let (code, _, err) = run(&["eval", &f], b"");
            let _ = std::fs::remove_file(&fifo);
            assert_eq!(code, 1);
            assert_eq!(
                one_error_line(&err, &f),
                "not a regular file (a FIFO); give its contents on stdin as -"
            );
        }
        _ => eprintln!("FIFO case skipped: mkfifo is not available"),
    }
}

#[test]
fn the_file_size_limit_holds_for_files_and_stdin() {
    let path = fixture("leaky-hinge-decimals.toml");
    let size = std::fs::metadata(&path).expect("fixture").len();
    let at = size.to_string();
    let below = (size - 1).to_string();
    let (code, _, err) = run(&["eval", &path, "--max-file-size", &at], b"");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["--max-file-size", &below, "eval", &path], b"");
    assert_eq!(code, 1);
    assert_eq!(
        one_error_line(&err, &path),
        format!("larger than the {below} bytes input limit (raise it with --max-file-size)")
    );
    // an endless stream on stdin stops at the limit (here 1 MiB of zeros
    // against a 1 KiB limit)
    let zeros = vec![0u8; 1 << 20];
    let (code, _, err) = run(&["eval", "-", "--max-file-size", "1024"], &zeros);
    assert_eq!(code, 1);
    assert_eq!(
        one_error_line(&err, "-"),
        "larger than the 1 KiB input limit (raise it with --max-file-size)"
    );
}

#[test]
fn digits_limit_refuses_fast_and_can_be_raised() {
    let head = "[network]\nwidths = [1, 1]\nactivation = \"linear\"\nbias = false\n[loss]\nkind = \"hinge\"\n[data]\n";
    let huge = "9".repeat(1_000_000);
    let f = scratch(
        "huge.toml",
        format!("{head}x = [[{huge}]]\ny = [1]\n").as_bytes(),
    );
    let shown = f.display().to_string();
    let (code, _, err) = run(&["eval", &shown], b"");
    assert_eq!(code, 1);
    assert_eq!(
        one_error_line(&err, &shown),
        "data.x[0][0] (line 8): a number with 1,000,000 digits; the limit is 10,000 (raise it with --max-digits)"
    );
    // 12,000 digits: refused by default, read with --max-digits 12000
    let big = format!("1{}", "0".repeat(11_999));
    let point = "[point]\nW1 = [[\"1\"]]\n";
    let f = scratch(
        "big.toml",
        format!("{head}x = [[\"{big}\"]]\ny = [1]\n{point}").as_bytes(),
    );
    let shown = f.display().to_string();
    let (code, _, err) = run(&["eval", &shown, "--json"], b"");
    assert_eq!(code, 1);
    assert!(
        one_error_line(&err, &shown).contains("12,000 digits; the limit is 10,000"),
        "{err}"
    );
    let (code, out, err) = run(&["--max-digits", "12000", "eval", &shown, "--json"], b"");
    assert_eq!(code, 0, "{err}");
    // one point with label 1 and output 10^11999: the hinge loss is 0
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["loss"], "0", "{out}");
}

#[test]
fn certificates_go_through_the_same_reader() {
    // `global --merge` reads its parts through output::read_input
    let (code, _, err) = run(
        &["global", "--merge", "/dev/zero", "--cert", "/dev/null"],
        b"",
    );
    assert_eq!(code, 1);
    assert_eq!(
        one_error_line(&err, "/dev/zero"),
        "not a regular file (a character device); give its contents on stdin as -"
    );
}

#[test]
fn a_repeated_json_key_is_refused_in_instances_and_certificates() {
    // An instance: the JSON twin of a fixture with one key written twice
    // (once with a different value) is refused, as TOML refuses it.
    let json = std::fs::read_to_string(fixture("leaky-multiclass-hinge.json")).expect("fixture");
    let v: serde_json::Value = serde_json::from_str(&json).expect("fixture is JSON");
    let activation = v["network"]["activation"].to_string();
    let twice = json.replacen(
        "\"activation\"",
        "\"activation\": \"linear\", \"activation\"",
        1,
    );
    assert_ne!(twice, json, "the fixture names its activation {activation}");
    let p = scratch("twice.json", twice.as_bytes());
    let shown = p.display().to_string();
    let (code, out, err) = run(&["eval", &shown], b"");
    assert_eq!(code, 1, "{out}");
    let msg = one_error_line(&err, &shown);
    assert!(msg.contains("duplicate key \"activation\""), "{msg}");
    let (code, _, _) = run(&["eval", &fixture("leaky-multiclass-hinge.json")], b"");
    assert_eq!(code, 0);

    // A certificate: verify writes one, a repeated top-level key makes it
    // unreadable: not accepted (exit 1), whatever the repeated value says.
    let inst = fixture("relu-kink-flat-local-min.toml");
    let cert = scratch("flat.json", b"");
    let c = cert.display().to_string();
    let (code, _, err) = run(&["verify", &inst, "--cert", &c], b"");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["check", &inst, &c], b"");
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&cert).expect("certificate");
    let body = text.trim_start().strip_prefix('{').expect("a JSON object");
    let dup = scratch(
        "flat-dup.json",
        format!("{{\"format\": \"x\", {body}").as_bytes(),
    );
    let d = dup.display().to_string();
    let (code, out, err) = run(&["check", &inst, &d], b"");
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("duplicate key"), "{err}");
}
