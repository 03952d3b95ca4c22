//! `relucert smtlib` without any solver: the export is well-formed SMT-LIB 2
//! (balanced, every symbol declared before use, one `Real` per parameter in
//! flat order, the box, the strict loss bound), and the encoding is right: a
//! small evaluator for the SMT-LIB subset written here evaluates the encoded
//! `loss` at the point and at perturbed points, and it equals relucert's
//! exact loss there (and each fixture's hand-computed `[expect] loss` at the
//! point); the box assertions hold exactly on the box and fail just outside.

mod common;

use common::{fixture_paths as fixtures, problem_and_point, q, small_q};
use proptest::prelude::*;
use relucert::instance::{self, Instance};
use relucert::network::{Params, Problem};
use relucert::number::{fmt_q, parse_rational, Q};
use relucert::smtlib::smtlib;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------
// A tiny SMT-LIB reader and evaluator for the subset the exporter writes.

#[derive(Clone, Debug, PartialEq)]
enum Sx {
    Atom(String),
    List(Vec<Sx>),
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(';') {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parentheses balance: never below zero, zero at the end.
fn balanced(code: &str) -> bool {
    let mut depth = 0i64;
    for c in code.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

fn parse_all(code: &str) -> Vec<Sx> {
    let spaced = code.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let mut out = Vec::new();
    fn one(tokens: &[&str], pos: &mut usize) -> Sx {
        let t = tokens[*pos];
        *pos += 1;
        if t == "(" {
            let mut items = Vec::new();
            while tokens[*pos] != ")" {
                items.push(one(tokens, pos));
            }
            *pos += 1;
            Sx::List(items)
        } else {
            assert_ne!(t, ")", "unexpected )");
            Sx::Atom(t.to_string())
        }
    }
    while pos < tokens.len() {
        out.push(one(&tokens, &mut pos));
    }
    out
}

fn atom(s: &Sx) -> Option<&str> {
    match s {
        Sx::Atom(a) => Some(a),
        Sx::List(_) => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Num(Q),
    Bool(bool),
}

impl Val {
    fn num(self) -> Q {
        match self {
            Val::Num(q) => q,
            Val::Bool(b) => panic!("expected a number, got the boolean {b}"),
        }
    }
    fn truth(self) -> bool {
        match self {
            Val::Bool(b) => b,
            Val::Num(q) => panic!("expected a boolean, got {q}"),
        }
    }
}

const OPS: &[&str] = &[
    "+", "-", "*", "/", "ite", ">=", ">", "<=", "<", "=", "and", "not",
];

/// The script's commands, split by kind.
struct Script {
    logic: Option<String>,
    declared: Vec<String>,
    defs: HashMap<String, Sx>,
    def_order: Vec<String>,
    asserts: Vec<Sx>,
    commands: Vec<String>,
}

/// Free symbols of a term (atoms that are not numerals or operators).
fn symbols(e: &Sx, out: &mut Vec<String>) {
    match e {
        Sx::Atom(a) => {
            if !a.starts_with(|c: char| c.is_ascii_digit()) && !OPS.contains(&a.as_str()) {
                out.push(a.clone());
            }
        }
        Sx::List(items) => items.iter().for_each(|i| symbols(i, out)),
    }
}

fn read_script(text: &str) -> Script {
    let code = strip_comments(text);
    assert!(balanced(&code), "unbalanced parentheses");
    let mut s = Script {
        logic: None,
        declared: Vec::new(),
        defs: HashMap::new(),
        def_order: Vec::new(),
        asserts: Vec::new(),
        commands: Vec::new(),
    };
    let mut known: HashSet<String> = HashSet::new();
    for cmd in parse_all(&code) {
        let Sx::List(items) = &cmd else {
            panic!("top-level atom {cmd:?}")
        };
        let head = atom(&items[0]).expect("command name").to_string();
        s.commands.push(head.clone());
        match head.as_str() {
            "set-logic" => s.logic = atom(&items[1]).map(str::to_string),
            "set-option" | "check-sat" => {}
            "declare-fun" => {
                let name = atom(&items[1]).expect("name").to_string();
                assert_eq!(items[2], Sx::List(vec![]), "{name}: arity 0");
                assert_eq!(atom(&items[3]), Some("Real"), "{name}: sort Real");
                assert!(known.insert(name.clone()), "{name} declared twice");
                s.declared.push(name);
            }
            "define-fun" => {
                let name = atom(&items[1]).expect("name").to_string();
                assert_eq!(items[2], Sx::List(vec![]), "{name}: arity 0");
                assert_eq!(atom(&items[3]), Some("Real"), "{name}: sort Real");
                let mut used = Vec::new();
                symbols(&items[4], &mut used);
                for u in used {
                    assert!(known.contains(&u), "{name} uses {u} before its definition");
                }
                assert!(known.insert(name.clone()), "{name} defined twice");
                s.defs.insert(name.clone(), items[4].clone());
                s.def_order.push(name);
            }
            "assert" => {
                let mut used = Vec::new();
                symbols(&items[1], &mut used);
                for u in used {
                    assert!(known.contains(&u), "an assertion uses undeclared {u}");
                }
                s.asserts.push(items[1].clone());
            }
            "get-value" => {
                let Sx::List(names) = &items[1] else {
                    panic!("get-value takes a list")
                };
                for n in names {
                    let n = atom(n).expect("a name");
                    assert!(known.contains(n), "get-value of unknown {n}");
                }
            }
            other => panic!("unexpected command {other}"),
        }
    }
    s
}

struct Evaluator<'a> {
    script: &'a Script,
    vars: HashMap<String, Q>,
    memo: HashMap<String, Val>,
}

impl Evaluator<'_> {
    fn new<'a>(script: &'a Script, values: &[Q]) -> Evaluator<'a> {
        assert_eq!(script.declared.len(), values.len());
        let vars = script
            .declared
            .iter()
            .cloned()
            .zip(values.iter().cloned())
            .collect();
        Evaluator {
            script,
            vars,
            memo: HashMap::new(),
        }
    }

    fn eval(&mut self, e: &Sx) -> Val {
        match e {
            Sx::Atom(a) => {
                if a.starts_with(|c: char| c.is_ascii_digit()) {
                    return Val::Num(parse_rational(a).expect("a numeral"));
                }
                if let Some(v) = self.vars.get(a) {
                    return Val::Num(v.clone());
                }
                if let Some(v) = self.memo.get(a) {
                    return v.clone();
                }
                let body = self
                    .script
                    .defs
                    .get(a)
                    .unwrap_or_else(|| panic!("unknown {a}"));
                let v = self.eval(&body.clone());
                self.memo.insert(a.clone(), v.clone());
                v
            }
            Sx::List(items) => {
                let op = atom(&items[0]).expect("operator").to_string();
                let args = &items[1..];
                let nums =
                    |me: &mut Self| -> Vec<Q> { args.iter().map(|a| me.eval(a).num()).collect() };
                match op.as_str() {
                    "+" => Val::Num(nums(self).into_iter().fold(q(0, 1), |a, b| a + b)),
                    "*" => Val::Num(nums(self).into_iter().fold(q(1, 1), |a, b| a * b)),
                    "-" => {
                        let v = nums(self);
                        if v.len() == 1 {
                            Val::Num(-v[0].clone())
                        } else {
                            Val::Num(v[1..].iter().fold(v[0].clone(), |a, b| a - b))
                        }
                    }
                    "/" => {
                        let v = nums(self);
                        assert_eq!(v.len(), 2);
                        assert!(v[1] != q(0, 1), "division by zero");
                        Val::Num(&v[0] / &v[1])
                    }
                    "ite" => {
                        if self.eval(&args[0]).truth() {
                            self.eval(&args[1])
                        } else {
                            self.eval(&args[2])
                        }
                    }
                    ">=" | ">" | "<=" | "<" | "=" => {
                        let v = nums(self);
                        assert!(v.len() >= 2);
                        Val::Bool(v.windows(2).all(|w| match op.as_str() {
                            ">=" => w[0] >= w[1],
                            ">" => w[0] > w[1],
                            "<=" => w[0] <= w[1],
                            "<" => w[0] < w[1],
                            _ => w[0] == w[1],
                        }))
                    }
                    "and" => Val::Bool(args.iter().all(|a| self.eval(a).truth())),
                    "not" => Val::Bool(!self.eval(&args[0]).truth()),
                    other => panic!("operator {other} outside the exported subset"),
                }
            }
        }
    }

    fn name(&mut self, n: &str) -> Val {
        self.eval(&Sx::Atom(n.to_string()))
    }
}

// ---------------------------------------------------------------------------
// Checks shared by the fixture tests and the property test.

/// The structure of the export, and its value at the point.
fn check_structure(inst: &Instance, radius: &Q, text: &str) -> Script {
    let point = inst.point.as_ref().expect("a point");
    let arch = &inst.problem.arch;
    let flat = point.flat();
    let s = read_script(text);
    assert_eq!(s.logic.as_deref(), Some("QF_NRA"));
    assert_eq!(s.commands[..2], ["set-option", "set-logic"]);
    // One declaration per parameter, p0.. in flat order, human name beside.
    let names: Vec<String> = (0..flat.len()).map(|i| format!("p{i}")).collect();
    assert_eq!(s.declared, names);
    for (i, ci) in flat.iter().enumerate() {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("(declare-fun p{i} ()")))
            .expect("declaration line");
        assert!(
            line.contains(&format!("; {} = {} ", arch.param_name(i), fmt_q(ci))),
            "comment of p{i}: {line}"
        );
    }
    // check-sat after the last assertion; the last assertion is the strict bound.
    let last_assert = s.commands.iter().rposition(|c| c == "assert").unwrap();
    let cs = s.commands.iter().position(|c| c == "check-sat").unwrap();
    assert!(cs > last_assert);
    let lstar = inst.problem.loss(point);
    let bound = s.asserts.last().unwrap();
    let Sx::List(b) = bound else { panic!() };
    assert_eq!(atom(&b[0]), Some("<"));
    assert_eq!(atom(&b[1]), Some("loss"));
    let mut ev = Evaluator::new(&s, &flat);
    assert_eq!(ev.eval(&b[2]).num(), lstar, "the bound is L*");
    // Box: one assertion per parameter, then the bound: n + 1 in all.
    assert_eq!(s.asserts.len(), flat.len() + 1);
    assert_eq!(ev.name("R").num(), *radius);
    // Size: linear in (parameters + data points x units).
    let units: usize = arch.widths[1..].iter().sum();
    let k = arch.output_width();
    let n = inst.problem.data.len();
    assert!(s.def_order.len() <= 2 + n * (2 * units + 3 * k + 2));
    s
}

/// The encoded loss and the box at the given parameter vector.
fn encoded(s: &Script, values: &[Q]) -> (Q, Vec<bool>, bool) {
    let mut ev = Evaluator::new(s, values);
    let loss = ev.name("loss").num();
    let n = s.asserts.len();
    let boxes = s.asserts[..n - 1]
        .iter()
        .map(|a| ev.eval(a).truth())
        .collect();
    let bound = ev.eval(&s.asserts[n - 1]).truth();
    (loss, boxes, bound)
}

/// Deterministic small perturbations (a few kinds: tiny, large, on axes).
fn perturbations(len: usize, radius: &Q) -> Vec<Vec<Q>> {
    let mut out = Vec::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..6 {
        let mut d = Vec::with_capacity(len);
        for _ in 0..len {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let k = ((seed >> 33) % 9) as i64 - 4; // -4..=4
            let scale = match round {
                0 | 1 => q(1, 1000),
                2 | 3 => q(1, 4),
                _ => q(1, 1),
            };
            d.push(q(k, 4) * scale * radius);
        }
        out.push(d);
    }
    out
}

fn check_values(inst: &Instance, radius: &Q, s: &Script) {
    let point = inst.point.as_ref().unwrap();
    let arch = &inst.problem.arch;
    let c = point.flat();
    let lstar = inst.problem.loss(point);
    // At the point: the loss is L*, the box holds, the bound does not.
    let (l, boxes, bound) = encoded(s, &c);
    assert_eq!(l, lstar, "encoded loss at the point");
    assert!(boxes.iter().all(|&b| b));
    assert!(!bound, "(< loss L*) is false at the point itself");
    // Perturbed points: the encoded loss is the exact loss there.
    for d in perturbations(c.len(), radius) {
        let v: Vec<Q> = c.iter().zip(&d).map(|(a, b)| a + b).collect();
        let params = Params::from_flat(arch, &v).unwrap();
        let exact = inst.problem.loss(&params);
        let (l, boxes, bound) = encoded(s, &v);
        assert_eq!(l, exact, "encoded loss at a perturbed point");
        let inside = d.iter().all(|x| x <= radius && -x <= *radius);
        assert_eq!(boxes.iter().all(|&b| b), inside);
        assert_eq!(bound, exact < lstar);
    }
    // The box exactly: each parameter at c_i +- R is inside, at c_i + 2R the
    // i-th box assertion (and only it) fails.
    for i in 0..c.len() {
        for (step, inside) in [
            (radius.clone(), true),
            (-radius.clone(), true),
            (radius * q(2, 1), false),
        ] {
            let mut v = c.clone();
            v[i] += step;
            let (_, boxes, _) = encoded(s, &v);
            for (j, b) in boxes.iter().enumerate() {
                assert_eq!(*b, j != i || inside, "box of p{j} with p{i} moved");
            }
        }
    }
}

#[test]
fn fixtures_export_well_formed_and_exact() {
    let files = fixtures();
    assert!(files.len() >= 10);
    for path in files {
        let inst = instance::load(&path).unwrap();
        for radius in [q(1, 1), q(1, 10), q(3, 1000)] {
            let text = smtlib(&inst, &radius).unwrap();
            let s = check_structure(&inst, &radius, &text);
            check_values(&inst, &radius, &s);
            // Independent of relucert's evaluation: the hand-computed loss.
            if let Some(l) = inst.expect.as_ref().and_then(|e| e.loss.clone()) {
                let (enc, _, _) = encoded(&s, &inst.point.as_ref().unwrap().flat());
                assert_eq!(enc, l, "{}: encoded loss vs [expect] loss", path.display());
            }
        }
    }
}

#[test]
fn numbers_are_exact_smtlib_reals() {
    use relucert::smtlib::real;
    assert_eq!(real(&q(3, 4)), "(/ 3 4)");
    assert_eq!(real(&q(-3, 4)), "(- (/ 3 4))");
    assert_eq!(real(&q(-2, 1)), "(- 2)");
    assert_eq!(real(&q(0, 1)), "0");
    let big = parse_rational("123456789012345678901234567891/1024").unwrap();
    assert_eq!(real(&big), "(/ 123456789012345678901234567891 1024)");
    let tiny = parse_rational("-1e-40").unwrap();
    assert_eq!(
        real(&tiny),
        format!("(- (/ 1 1{}))", "0".repeat(40)),
        "no float rounding"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Random networks of every kind: the encoded loss equals the exact loss
    /// at the point and at random points of the box and beyond it.
    #[test]
    fn random_instances_encode_the_loss(
        (problem, point) in problem_and_point(2),
        rnum in 1i64..=5,
        rden in prop::sample::select(vec![1i64, 10, 1000]),
        steps in prop::collection::vec(prop::collection::vec(small_q(), 40), 3),
    ) {
        let radius = q(rnum, rden);
        let inst = Instance { name: None, source: None, problem: problem.clone(), point: Some(point.clone()), expect: None };
        let text = smtlib(&inst, &radius).unwrap();
        let s = check_structure(&inst, &radius, &text);
        let c = point.flat();
        let lstar = problem.loss(&point);
        let (l, _, bound) = encoded(&s, &c);
        prop_assert_eq!(l, lstar.clone());
        prop_assert!(!bound);
        for st in steps {
            let v: Vec<Q> = c.iter().zip(st.iter().cycle()).map(|(a, b)| a + b * &radius).collect();
            let exact = Problem::loss(&problem, &Params::from_flat(&problem.arch, &v).unwrap());
            let (l, _, bound) = encoded(&s, &v);
            prop_assert_eq!(l, exact.clone());
            prop_assert_eq!(bound, exact < lstar);
        }
    }
}

// ---------------------------------------------------------------------------
// The command line.

fn relucert(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_relucert"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn command_line() {
    let fx = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fixtures/relu-hinge-kink-corner.toml");
    let f = fx.to_str().unwrap();
    let (code, out, err) = relucert(&["smtlib", f, "--radius", "1/10"]);
    assert_eq!(code, 0, "{err}");
    let inst = instance::load(&fx).unwrap();
    assert_eq!(out, smtlib(&inst, &q(1, 10)).unwrap());
    // Decimal spelling of the radius is exact.
    let (_, out2, _) = relucert(&["smtlib", f, "--radius", "0.1"]);
    assert_eq!(out2, out);

    let dir = std::env::temp_dir().join(format!("relucert-smtlib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("q.smt2");
    let (code, out, err) = relucert(&[
        "smtlib",
        f,
        "--radius",
        "1/10",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "one-line confirmation: {out}");
    assert!(out.contains("q.smt2") && out.contains("L* = 9/4"), "{out}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), out2);

    for bad in ["0", "-1/2", "abc", "1/0", ""] {
        let arg = format!("--radius={bad}");
        let (code, out, err) = relucert(&["smtlib", f, &arg]);
        assert_eq!(code, 1, "radius {bad:?}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("relu-hinge-kink-corner.toml") && err.contains("--radius"),
            "{err}"
        );
    }

    // No [point]: one line naming the file and the missing table.
    let text = std::fs::read_to_string(&fx).unwrap();
    let cut = text.find("[point]").unwrap();
    let nopoint = dir.join("nopoint.toml");
    std::fs::write(&nopoint, &text[..cut]).unwrap();
    let (code, out, err) = relucert(&["smtlib", nopoint.to_str().unwrap(), "--radius", "1"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("nopoint.toml") && err.contains("point"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
