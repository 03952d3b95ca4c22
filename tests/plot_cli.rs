//! `relucert plot` end to end: the exact values written by `--values` equal
//! `Problem::loss` at the same points (the plane built here from the
//! directions file); the SVG is well-formed XML with as many boundary paths
//! as the affine zero sets, counted here from corner values, that cross the
//! box; `--dirs cert` draws the descent and `--profile` starts at the loss
//! and goes below it; bad inputs give one-line errors, exit 1.

use num_traits::{Signed, Zero};
use relucert::network::{Params, Problem};
use relucert::number::{parse_rational, qi, Q};
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn fixture(name: &str) -> String {
    format!("{ROOT}/fixtures/{name}")
}

fn tmp(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("relucert-plot-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .expect("run relucert")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn q(text: &str) -> Q {
    parse_rational(text).expect("rational")
}

/// Rows of `--values`: every field but the last (the decimal) exact.
fn read_csv(path: &Path) -> Vec<Vec<Q>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let cols = header.split(',').count();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), cols, "{l}");
            // the decimal column is a 4-digit rounding of the exact loss
            let exact = q(f[cols - 2]);
            let dec: f64 = f[cols - 1].parse().expect("decimal");
            let x = exact.numer().to_string().parse::<f64>().unwrap_or(0.0)
                / exact.denom().to_string().parse::<f64>().unwrap_or(1.0);
            assert!((dec - x).abs() <= 1e-3 * x.abs().max(1.0), "{l}");
            f[..cols - 1].iter().map(|t| q(t)).collect()
        })
        .collect()
}

/// A minimal XML well-formedness check: balanced tags, quoted attributes,
/// only the five entities, one root `svg`.
fn well_formed(xml: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt])?;
        let after = &rest[lt..];
        if let Some(body) = after.strip_prefix("<?") {
            rest = &body[body.find("?>").ok_or("unclosed <?")? + 2..];
            continue;
        }
        if let Some(body) = after.strip_prefix("<!--") {
            rest = &body[body.find("-->").ok_or("unclosed comment")? + 3..];
            continue;
        }
        let gt = after.find('>').ok_or("unclosed tag")?;
        let tag = &after[1..gt];
        rest = &after[gt + 1..];
        if tag.matches('"').count() % 2 != 0 {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        if stack.is_empty() {
            roots += 1;
            if name != "svg" {
                return Err(format!("root element <{name}>"));
            }
        }
        if !tag.ends_with('/') {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if !stack.is_empty() || roots != 1 {
        return Err(format!("unclosed {stack:?} or {roots} roots"));
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), String> {
    for (i, _) in text.match_indices('&') {
        let ent = &text[i..];
        if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
            .iter()
            .any(|e| ent.starts_with(e))
        {
            return Err(format!("bare & in {:?}", &ent[..ent.len().min(20)]));
        }
    }
    if text.contains('>') {
        return Err("stray >".into());
    }
    Ok(())
}

fn load(name: &str) -> (Problem, Params) {
    let inst = relucert::instance::load(fixture(name).as_ref()).expect("fixture");
    (inst.problem, inst.point.expect("point"))
}

/// Whether the affine `c + a s + b t` has a segment (not just a corner) in
/// `[-R, R]^2`, from its four corner values.
fn crosses(c: &Q, a: &Q, b: &Q, r: &Q) -> bool {
    if a.is_zero() && b.is_zero() {
        return false;
    }
    let v: Vec<Q> = [(1, 1), (1, -1), (-1, 1), (-1, -1)]
        .iter()
        .map(|&(i, j)| c + a * r * qi(i) + b * r * qi(j))
        .collect();
    let zeros = v.iter().filter(|x| x.is_zero()).count();
    (v.iter().any(|x| x.is_negative()) && v.iter().any(|x| x.is_positive())) || zeros >= 2
}

#[test]
fn values_are_the_exact_loss() {
    let d = tmp("values");
    let dirs = d.join("d.json");
    std::fs::write(&dirs, r#"{"d1": {"W1[0,0]": "1"}, "d2": {"b1[0]": -0.5}}"#).expect("write");
    let (svg, csv) = (d.join("p.svg"), d.join("v.csv"));
    let name = "relu-kink-corner-nonflat-min.toml";
    let out = run(&[
        "plot",
        &fixture(name),
        "--dirs",
        s(&dirs),
        "--radius",
        "3/4",
        "--grid",
        "7",
        "--values",
        s(&csv),
        "--out",
        s(&svg),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (problem, point) = load(name);
    let rows = read_csv(&csv);
    assert_eq!(rows.len(), 49);
    let mut flat = point.flat();
    let base = flat.clone();
    let mut centre = 0;
    for row in &rows {
        let (sv, tv, loss) = (&row[0], &row[1], &row[2]);
        assert!(sv.abs() <= q("3/4") && tv.abs() <= q("3/4"));
        // W1[0,0] is flat 0, b1[0] flat 1; d2 = -1/2 e_1 normalised to -e_1
        flat[0] = &base[0] + sv;
        flat[1] = &base[1] - tv;
        let params = Params::from_flat(&problem.arch, &flat).expect("fits");
        assert_eq!(*loss, problem.loss(&params), "at ({sv}, {tv})");
        if sv.is_zero() && tv.is_zero() {
            assert_eq!(*loss, q("1/2"), "the fixture's hand-computed loss");
            centre += 1;
        }
    }
    assert_eq!(centre, 1);
    let text = std::fs::read_to_string(&svg).expect("svg");
    well_formed(&text).expect("well-formed SVG");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("loss at the point 1/2"), "{stdout}");
}

#[test]
fn svg_has_one_path_per_crossing_boundary() {
    let d = tmp("count");
    // no hidden layer: every hinge argument is affine in (s, t)
    let name = "no-hidden-layer-hinge.toml";
    let (problem, point) = load(name);
    let dirs = d.join("d.json");
    std::fs::write(
        &dirs,
        r#"{"d1": ["1", "0", "0", "0"], "d2": {"b1[0]": "1"}}"#,
    )
    .expect("write");
    let svg = d.join("p.svg");
    for r in ["1/2", "2", "5"] {
        let out = run(&[
            "plot",
            &fixture(name),
            "--dirs",
            s(&dirs),
            "--radius",
            r,
            "--grid",
            "5",
            "--out",
            s(&svg),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&svg).expect("svg");
        well_formed(&text).expect("well-formed SVG");
        // 1 - y (W1 x + b1): c at the point, slope -y x_0 along d1, -y along d2
        let w = &point.layers[0].w[0];
        let b = point.layers[0].b.as_ref().expect("bias")[0].clone();
        let want = problem
            .data
            .x
            .iter()
            .zip(&problem.data.y)
            .filter(|(x, &y)| {
                let f: Q = w.iter().zip(x.iter()).map(|(wi, xi)| wi * xi).sum::<Q>() + &b;
                let c = qi(1) - qi(y) * f;
                crosses(&c, &(-qi(y) * &x[0]), &-qi(y), &q(r))
            })
            .count();
        assert_eq!(
            text.matches("class=\"boundary hinge\"").count(),
            want,
            "radius {r}"
        );
        assert_eq!(text.matches("class=\"boundary ").count(), want);
    }
    // one hidden layer: first-layer pre-activations are exact segments
    let name = "relu-kink-flat-local-min.toml";
    let (problem, point) = load(name);
    std::fs::write(&dirs, r#"{"d1": {"W1[0,0]": "2"}, "d2": {"b1[1]": "1/3"}}"#).expect("write");
    for r in ["1/4", "1", "3"] {
        let out = run(&[
            "plot",
            &fixture(name),
            "--dirs",
            s(&dirs),
            "--radius",
            r,
            "--grid",
            "5",
            "--out",
            s(&svg),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&svg).expect("svg");
        well_formed(&text).expect("well-formed SVG");
        let layer = &point.layers[0];
        let mut want = 0;
        for x in &problem.data.x {
            for (j, row) in layer.w.iter().enumerate() {
                let c: Q = row.iter().zip(x).map(|(wi, xi)| wi * xi).sum::<Q>()
                    + &layer.b.as_ref().expect("bias")[j];
                let a = if j == 0 { x[0].clone() } else { Q::zero() };
                let b = if j == 1 { qi(1) } else { Q::zero() };
                want += usize::from(crosses(&c, &a, &b, &q(r)));
            }
        }
        assert_eq!(
            text.matches("class=\"boundary pre-activation\"").count(),
            want,
            "radius {r}"
        );
    }
}

#[test]
fn certificate_directions_and_profile() {
    let d = tmp("cert");
    let name = "leaky-zero-outgoing-order2-arc.toml";
    let cert = d.join("c.json");
    let out = run(&["verify", &fixture(name), "--cert", s(&cert)]);
    assert!(out.status.success());
    let svg = d.join("p.svg");
    let out = run(&[
        "plot",
        &fixture(name),
        "--cert",
        s(&cert),
        "--grid",
        "9",
        "--out",
        s(&svg),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).expect("svg");
    well_formed(&text).expect("well-formed SVG");
    assert_eq!(text.matches("class=\"descent\"").count(), 1);
    assert_eq!(text.matches("class=\"point\"").count(), 1);
    // the profile: exact loss along p + t d_1 + t^2 d_2 + ...
    let csv = d.join("v.csv");
    let out = run(&[
        "plot",
        &fixture(name),
        "--cert",
        s(&cert),
        "--profile",
        "--grid",
        "9",
        "--radius",
        "1/8",
        "--values",
        s(&csv),
        "--out",
        s(&svg),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    well_formed(&std::fs::read_to_string(&svg).expect("svg")).expect("well-formed SVG");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cert).expect("cert")).expect("json");
    let dirs: Vec<Vec<Q>> = json["evidence"]["dirs"]
        .as_array()
        .expect("an arc")
        .iter()
        .map(|v| {
            v.as_array()
                .expect("dir")
                .iter()
                .map(|x| q(x.as_str().expect("str")))
                .collect()
        })
        .collect();
    let (problem, point) = load(name);
    let l0 = problem.loss(&point);
    let rows = read_csv(&csv);
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0][0], Q::zero());
    assert_eq!(rows[0][1], l0);
    assert_eq!(rows[8][0], q("1/8"));
    for row in &rows[1..] {
        let t = &row[0];
        let mut flat = point.flat();
        let mut pw = t.clone();
        for dk in &dirs {
            for (f, x) in flat.iter_mut().zip(dk) {
                *f += &pw * x;
            }
            pw = &pw * t;
        }
        let params = Params::from_flat(&problem.arch, &flat).expect("fits");
        assert_eq!(row[1], problem.loss(&params), "t = {t}");
        assert!(row[1] < l0, "not below the point's loss at t = {t}");
    }
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let d = tmp("bad");
    let f = fixture("relu-kink-flat-local-min.toml");
    let svg = d.join("p.svg");
    let wrong = d.join("wrong.json");
    std::fs::write(&wrong, r#"{"d1": ["1", "0"], "d2": {"b2[0]": "1"}}"#).expect("write");
    let unknown = d.join("unknown.json");
    std::fs::write(
        &unknown,
        r#"{"d1": {"W7[0,0]": "1"}, "d2": {"b2[0]": "1"}}"#,
    )
    .expect("write");
    let parallel = d.join("parallel.json");
    std::fs::write(
        &parallel,
        r#"{"d1": {"b2[0]": "1"}, "d2": {"b2[0]": "-3"}}"#,
    )
    .expect("write");
    let flat_cert = d.join("flat.json");
    assert!(run(&["verify", &f, "--cert", s(&flat_cert)])
        .status
        .success());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--radius", "0"],
            "--radius: expected a positive number",
        ),
        (
            vec!["--radius", "-1/2"],
            "--radius: expected a positive number",
        ),
        (
            vec!["--radius", "wide"],
            "--radius: expected a positive rational",
        ),
        (vec!["--grid", "100000"], "grid: expected between 2 and 401"),
        (vec!["--grid", "1"], "grid: expected between 2 and 401"),
        (
            vec!["--dirs", s(&wrong)],
            "d1: expected a flat list of 13 parameters, found 2",
        ),
        (
            vec!["--dirs", s(&unknown)],
            "unknown parameter name \"W7[0,0]\"",
        ),
        (
            vec!["--dirs", s(&parallel)],
            "d2: expected a direction not parallel to d1",
        ),
        (vec!["--dirs", "cert"], "--dirs cert: needs --cert"),
        (
            vec!["--dirs", "cert", "--cert", s(&flat_cert)],
            "has no descent direction",
        ),
        (
            vec!["--profile", "--cert", s(&flat_cert)],
            "has no descent direction",
        ),
    ];
    for (extra, fragment) in cases {
        let mut args = vec!["plot", f.as_str(), "--out", s(&svg)];
        args.extend(extra.iter().copied());
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {err}");
        assert!(out.stdout.is_empty(), "{extra:?}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(
            err.contains(fragment),
            "{extra:?}: {err} lacks {fragment:?}"
        );
        assert!(err.len() <= 300, "{err}");
    }
}
