//! Input limits (issue 17): the bounded reader, digits per number checked
//! on the text, the nesting pre-scan, line numbers of TOML errors, and
//! one-line error messages. Oracles: `parse_rational` (unlimited) for
//! values, the digit counts of the exact value, newline counting for lines.

use num_bigint::BigInt;
use num_traits::Signed;
use proptest::prelude::*;
use relucert_core::input::{
    check_nesting, read_text, InputLimits, Nesting, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_DIGITS,
};
use relucert_core::instance::{self, parse_with, Syntax};
use relucert_core::number::{parse_rational, parse_rational_limited, NumberError};
use std::path::{Path, PathBuf};

const HEAD: &str =
    "[network]\nwidths = [2, 2, 1]\nactivation = \"relu\"\nbias = true\n[loss]\nkind = \"hinge\"\n";

fn digits_of(n: &BigInt) -> u64 {
    n.abs().to_string().len() as u64
}

/// A scratch file under the target directory, unique to this test.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("input_limits");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write scratch file");
    p
}

fn one_line(msg: &str) {
    assert!(!msg.contains('\n'), "not one line: {msg:?}");
    assert!(msg.chars().count() <= 300, "longer than 300: {msg}");
}

/// Number texts: integers, fractions and decimals with exponents.
fn number_text() -> impl Strategy<Value = String> {
    let digits = |max| proptest::collection::vec(0u8..10, 0..max);
    let sign = prop_oneof![Just(""), Just("-"), Just("+")];
    let dstr = |d: Vec<u8>| d.iter().map(|x| char::from(b'0' + x)).collect::<String>();
    prop_oneof![
        (sign.clone(), digits(30)).prop_map(move |(s, d)| format!("{s}{}1", dstr(d))),
        (sign.clone(), digits(20), digits(20)).prop_map(move |(s, a, b)| format!(
            "{s}{}7/{}3",
            dstr(a),
            dstr(b)
        )),
        (sign, digits(15), digits(15), -60i32..60).prop_map(move |(s, a, b, e)| format!(
            "{s}{}.{}5e{e}",
            dstr(a),
            dstr(b)
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Within the limit: the same value as the unlimited parser; beyond it:
    /// refused naming the limit. Either way the limit is sound: an accepted
    /// value's numerator and denominator fit in it, and a refusal's count
    /// is at least the value's own digits.
    #[test]
    fn limited_parse_agrees_and_is_sound(text in number_text(), limit in 1usize..80) {
        let exact = parse_rational(&text).expect("generated text is a number");
        match parse_rational_limited(&text, limit) {
            Ok(q) => {
                prop_assert_eq!(&q, &exact);
                prop_assert!(digits_of(q.numer()) <= limit as u64);
                prop_assert!(digits_of(q.denom()) <= limit as u64);
            }
            Err(NumberError::TooManyDigits { digits, limit: l }) => {
                prop_assert_eq!(l, limit);
                prop_assert!(digits > limit as u64);
                prop_assert!(digits >= digits_of(exact.numer()).max(digits_of(exact.denom())));
                // a larger limit accepts it with the same value
                prop_assert_eq!(parse_rational_limited(&text, digits as usize), Ok(exact));
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    /// Plain integer text without leading zeros has exactly its length in
    /// digits: accepted at that limit, refused one below.
    #[test]
    fn integer_text_counts_its_digits(first in 1u8..10, rest in proptest::collection::vec(0u8..10, 0..40)) {
        let text: String = std::iter::once(first).chain(rest).map(|d| char::from(b'0' + d)).collect();
        let n = text.len();
        prop_assert!(parse_rational_limited(&text, n).is_ok());
        prop_assert_eq!(
            parse_rational_limited(&text, n - 1),
            Err(NumberError::TooManyDigits { digits: n as u64, limit: n - 1 })
        );
    }

    /// The line in a TOML error is the line of the bad value (oracle:
    /// counting newlines), wherever it is in a long file.
    #[test]
    fn toml_error_names_the_line(rows in 1usize..400, bad_seed in any::<usize>()) {
        let bad = bad_seed % rows;
        let mut text = format!("{HEAD}[data]\nx = [\n");
        for r in 0..rows {
            if r == bad {
                text.push_str("  [\"1/0\", 2],\n");
            } else {
                text.push_str(&format!("  [{r}, 1],\n"));
            }
        }
        text.push_str("]\ny = [1]\n");
        let want = text[..text.find("\"1/0\"").unwrap_or(0)].matches('\n').count() + 1;
        let e = instance::parse(&text, Syntax::Toml, "f.toml").expect_err("1/0 is refused");
        prop_assert_eq!(e.line, Some(want));
        prop_assert_eq!(e.key, Some(format!("data.x[{bad}][0]")));
    }
}

fn big_instance_toml(number: &str) -> String {
    format!("{HEAD}[data]\nx = [[1, 2], [{number}, 2]]\ny = [1, -1]\n")
}

#[test]
fn million_digit_integers_are_refused_in_toml_and_json() {
    let big = "7".repeat(1_000_000);
    let want = "a number with 1,000,000 digits; the limit is 10,000 (raise it with --max-digits)";
    let limits = InputLimits::default();
    // TOML integer, TOML string, JSON number, JSON string
    let toml_int = big_instance_toml(&big);
    let toml_str = big_instance_toml(&format!("\"{big}\""));
    for text in [&toml_int, &toml_str] {
        let e = parse_with(text, Syntax::Toml, "big.toml", &limits).expect_err("refused");
        assert_eq!(
            e.to_string(),
            format!("big.toml: data.x[1][0] (line 8): {want}")
        );
    }
    for quoted in [big.clone(), format!("\"{big}\"")] {
        let text = format!(
            "{{\"network\": {{\"widths\": [2, 2, 1], \"activation\": \"relu\", \"bias\": true}}, \"loss\": {{\"kind\": \"hinge\"}}, \"data\": {{\"x\": [[1, 2], [{quoted}, 2]], \"y\": [1, -1]}}}}"
        );
        let e = parse_with(&text, Syntax::Json, "big.json", &limits).expect_err("refused");
        assert_eq!(e.to_string(), format!("big.json: data.x[1][0]: {want}"));
    }
}

#[test]
fn exponents_count_as_the_digits_they_stand_for() {
    let limits = InputLimits::default();
    for (num, digits) in [
        ("\"1e100000\"", "100,001"),
        ("\"1e-100000\"", "100,001"),
        ("\"-3e10000\"", "10,001"),
    ] {
        let e = parse_with(&big_instance_toml(num), Syntax::Toml, "e.toml", &limits)
            .expect_err("refused");
        assert!(
            e.message
                .starts_with(&format!("a number with {digits} digits;")),
            "{e}"
        );
    }
    // exactly at the limit: accepted, with the exact value
    let inst = parse_with(
        &big_instance_toml("\"1e9999\""),
        Syntax::Toml,
        "e.toml",
        &limits,
    )
    .expect("10,000 digits is within the default limit");
    assert_eq!(
        inst.problem.data.x[1][0],
        parse_rational("1e9999").expect("number")
    );
}

#[test]
fn a_raised_limit_accepts_what_the_default_refuses() {
    let big = format!("1{}", "0".repeat(DEFAULT_MAX_DIGITS));
    let text = big_instance_toml(&big);
    assert!(instance::parse(&text, Syntax::Toml, "f.toml").is_err());
    let raised = InputLimits {
        max_digits: DEFAULT_MAX_DIGITS + 1,
        ..InputLimits::default()
    };
    let inst = parse_with(&text, Syntax::Toml, "f.toml", &raised).expect("within the raised limit");
    assert_eq!(
        inst.problem.data.x[1][0],
        parse_rational(&big).expect("number")
    );
    // hexadecimal TOML integers are limited by the decimal digits they stand for
    let hex = big_instance_toml(&format!("0x{}", "f".repeat(9000)));
    let e = instance::parse(&hex, Syntax::Toml, "f.toml").expect_err("refused");
    assert!(e.message.contains("the limit is 10,000"), "{e}");
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let n = 100_000;
    let toml = format!("x = {}{}\n", "[".repeat(n), "]".repeat(n));
    let json = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let inline = format!("\n\nx = {}1{}\n", "{a=".repeat(n), "}".repeat(n));
    for (text, syntax, line) in [
        (&toml, Syntax::Toml, 1),
        (&json, Syntax::Json, 1),
        (&inline, Syntax::Toml, 3),
    ] {
        let e = instance::parse(text, syntax, "deep").expect_err("refused");
        assert_eq!(
            e.to_string(),
            format!("deep: line {line}: nesting deeper than the limit of {DEFAULT_MAX_DEPTH} levels of arrays and tables")
        );
    }
    // the pre-scan itself: the limit is inclusive
    let at = |d: usize| format!("{}{}", "[".repeat(d), "]".repeat(d));
    assert!(check_nesting(&at(DEFAULT_MAX_DEPTH), Nesting::Json, DEFAULT_MAX_DEPTH).is_ok());
    assert!(check_nesting(&at(DEFAULT_MAX_DEPTH + 1), Nesting::Json, DEFAULT_MAX_DEPTH).is_err());
    // brackets in strings and comments do not count
    let quiet = format!(
        "# {deep}\nname = \"{deep}\"\nsource = '''{deep}'''\n{HEAD}[data]\nx = [[1, 2]]\ny = [1]\n",
        deep = "[".repeat(1000)
    );
    let inst = instance::parse(&quiet, Syntax::Toml, "q.toml");
    assert!(inst.is_ok(), "{inst:?}");
}

#[test]
fn quoted_input_is_cut_and_escaped() {
    let long = "k".repeat(10_000);
    let cases = [
        format!("{long} = 1\n{HEAD}[data]\nx = [[1, 2]]\ny = [1]\n"),
        HEAD.replace("\"relu\"", &format!("\"{long}\"")),
        HEAD.replace("\"relu\"", "\"re\\nlu\\u0007\""),
        format!("{HEAD}[data]\nx = [[\"{long}\", 2]]\ny = [1]\n"),
        format!(
            "{HEAD}[data]\nx = [[1, 2]]\ny = [\"{}/3\"]\n",
            "1".repeat(5000)
        ),
        format!("{HEAD}[data]\nx = [[1, 2]]\ny = [{}]\n", "9".repeat(5000)),
    ];
    for text in &cases {
        let e = instance::parse(text, Syntax::Toml, "cut.toml").expect_err("refused");
        one_line(&e.to_string());
    }
    let e = instance::parse(&cases[2], Syntax::Toml, "cut.toml").expect_err("refused");
    assert!(e.message.contains("re\\nlu\\u{7}"), "{e}");
    let e = instance::parse(&cases[0], Syntax::Toml, "cut.toml").expect_err("refused");
    assert_eq!(e.key, Some(format!("{}...", "k".repeat(60))));
}

#[test]
fn load_with_defaults_is_load() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(root).expect("fixtures") {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|e| e == "toml" || e == "json") {
            let a = instance::load(&p);
            let b = instance::load_with(&p, &InputLimits::default());
            assert_eq!(a, b, "{}", p.display());
            assert!(a.is_ok(), "{}", p.display());
            n += 1;
        }
    }
    assert!(n > 5);
}

#[test]
fn read_text_refuses_what_is_not_a_bounded_regular_file() {
    let limits = InputLimits::default();
    let e = read_text(Path::new("/dev/zero"), &limits).expect_err("device");
    assert_eq!(
        e.to_string(),
        "/dev/zero: not a regular file (a character device); give its contents on stdin as -"
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let e = read_text(dir, &limits).expect_err("directory");
    assert!(
        e.message.starts_with("not a regular file (a directory)"),
        "{e}"
    );
    let missing = read_text(Path::new("/nonexistent/relucert.toml"), &limits).expect_err("missing");
    assert!(
        missing.message.starts_with("cannot read the file:"),
        "{missing}"
    );
    // size: exactly at the limit is read, one byte more is refused
    let small = InputLimits {
        max_bytes: 10,
        ..InputLimits::default()
    };
    let ok = scratch("ten.txt", b"0123456789");
    assert_eq!(read_text(&ok, &small).expect("10 bytes"), "0123456789");
    let over = scratch("eleven.txt", b"0123456789A");
    assert_eq!(
        read_text(&over, &small).expect_err("11 bytes").to_string(),
        format!(
            "{}: larger than the 10 bytes input limit (raise it with --max-file-size)",
            over.display()
        )
    );
    assert_eq!(DEFAULT_MAX_BYTES, 64 << 20);
    let e = read_text(
        &over,
        &InputLimits {
            max_bytes: 0,
            ..InputLimits::default()
        },
    )
    .expect_err("0");
    assert!(e.message.contains("the 0 bytes input limit"), "{e}");
    // not UTF-8: the line and the byte offset
    let bad = scratch("latin1.toml", b"a = 1\nb = \"caf\xe9\"\n");
    assert_eq!(
        read_text(&bad, &limits).expect_err("not UTF-8").message,
        "line 2: not UTF-8 text (invalid byte at offset 14)"
    );
}

#[test]
fn read_text_never_opens_a_fifo() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("input_limits");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let fifo = dir.join(format!("fifo-{}", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
    }
    // opening a FIFO without a writer would block this test forever
    let e = read_text(&fifo, &InputLimits::default()).expect_err("FIFO");
    let _ = std::fs::remove_file(&fifo);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not a regular file (a FIFO); give its contents on stdin as -",
            fifo.display()
        )
    );
}
