//! Reader for a subset of the CPLEX LP text format (see the crate README and
//! `docs/lp.md`).
//!
//! Owns: parsing `Minimize`/`Maximize`, `Subject To`, `Bounds`, `End`,
//! with exact coefficients (integers, decimals, `p/q`), and the entry
//! points; the tokens and the limits are in `lex`, the error type in
//! `error`.
//!
//! Must not: panic or go through floats. Every error is a [`ParseError`]
//! carrying a 1-based line and a message saying what was expected.

mod error;
mod lex;

pub use error::ParseError;
pub use lex::{ParseLimits, DEFAULT_MAX_DIGITS};

use crate::number::Q;
use crate::{Cmp, Deadline, Lp, Sense, VarId};
use error::shown;
use lex::{tokenize, Tok, Token};
use num_traits::{One, Zero};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Obj(Sense),
    Rows,
    Bounds,
    End,
}

/// Is the token at `i` a section header? Returns the section and how many
/// tokens the header spans.
fn header(toks: &[Token], i: usize) -> Result<Option<(Section, usize)>, ParseError> {
    let t = &toks[i];
    if !t.first {
        return Ok(None);
    }
    let Tok::Ident(w) = &t.tok else {
        return Ok(None);
    };
    let w = w.to_ascii_lowercase();
    let next_is = |word: &str| {
        toks.get(i + 1).is_some_and(|n| {
            n.line == t.line && matches!(&n.tok, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
        })
    };
    // A header word followed by ':' is a row or objective name instead.
    if toks.get(i + 1).is_some_and(|n| n.tok == Tok::Colon) {
        return Ok(None);
    }
    let s = match w.as_str() {
        "minimize" | "minimise" | "minimum" | "min" => (Section::Obj(Sense::Minimize), 1),
        "maximize" | "maximise" | "maximum" | "max" => (Section::Obj(Sense::Maximize), 1),
        "subject" if next_is("to") => (Section::Rows, 2),
        "such" if next_is("that") => (Section::Rows, 2),
        "st" | "s.t." | "st." => (Section::Rows, 1),
        "bounds" | "bound" => (Section::Bounds, 1),
        "end" => (Section::End, 1),
        "general" | "generals" | "gen" | "integer" | "integers" | "binary" | "binaries" | "bin"
        | "semi-continuous" | "semis" | "semi" | "sos" => {
            return Err(ParseError::UnsupportedSection {
                line: t.line,
                section: w,
            });
        }
        _ => return Ok(None),
    };
    Ok(Some(s))
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    last_line: usize,
    lp: Lp,
    names: HashMap<String, VarId>,
}

fn is_inf(w: &str) -> bool {
    w.eq_ignore_ascii_case("inf") || w.eq_ignore_ascii_case("infinity")
}

impl Parser {
    fn line(&self) -> usize {
        self.toks.get(self.pos).map_or(self.last_line, |t| t.line)
    }
    fn err<T>(&self, m: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError::Syntax {
            line: self.line(),
            message: m.into(),
        })
    }
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    fn at_header(&self) -> Result<Option<(Section, usize)>, ParseError> {
        if self.pos >= self.toks.len() {
            return Ok(None);
        }
        header(&self.toks, self.pos)
    }
    fn found(&self) -> String {
        match self.peek() {
            None => "end of file".into(),
            Some(Tok::Ident(s)) => format!("`{}`", shown(s)),
            Some(Tok::Num(q)) => {
                if q.numer().bits() > 200 || q.denom().bits() > 200 {
                    "a long number".into()
                } else {
                    format!("number `{}`", shown(&crate::number::fmt_q(q)))
                }
            }
            Some(Tok::Plus) => "`+`".into(),
            Some(Tok::Minus) => "`-`".into(),
            Some(Tok::Colon) => "`:`".into(),
            Some(Tok::Op(_)) => "a comparison".into(),
        }
    }
    fn var(&mut self, name: &str) -> VarId {
        if let Some(v) = self.names.get(name) {
            return *v;
        }
        let v = self.lp.add_named_var(name, Some(Q::zero()), None);
        self.names.insert(name.to_string(), v);
        v
    }

    /// Optional `name:` label.
    fn label(&mut self) -> Option<String> {
        if let (Some(Tok::Ident(s)), Some(Tok::Colon)) = (
            self.peek().cloned(),
            self.toks.get(self.pos + 1).map(|t| &t.tok),
        ) {
            self.pos += 2;
            return Some(s);
        }
        None
    }

    /// A linear expression; stops at a comparison, a section header, a
    /// `name:` label or end of input. Returns terms and the constant part.
    fn expr(&mut self, what: &str) -> Result<(Vec<(VarId, Q)>, Q), ParseError> {
        let mut terms = Vec::new();
        let mut constant = Q::zero();
        let mut first = true;
        loop {
            if self.pos >= self.toks.len() || self.at_header()?.is_some() {
                break;
            }
            if matches!(self.peek(), Some(Tok::Op(_))) {
                break;
            }
            if !first
                && matches!(self.peek(), Some(Tok::Ident(_)))
                && self
                    .toks
                    .get(self.pos + 1)
                    .is_some_and(|t| t.tok == Tok::Colon)
            {
                break;
            }
            let mut sign = Q::one();
            let mut had_sign = false;
            while let Some(Tok::Plus | Tok::Minus) = self.peek() {
                if self.peek() == Some(&Tok::Minus) {
                    sign = -sign;
                }
                had_sign = true;
                self.pos += 1;
            }
            if !first && !had_sign {
                return self.err(format!(
                    "expected `+`, `-` or a comparison in {what}, found {}",
                    self.found()
                ));
            }
            let coef = if let Some(Tok::Num(q)) = self.peek().cloned() {
                self.pos += 1;
                Some(q)
            } else {
                None
            };
            match self.peek().cloned() {
                Some(Tok::Ident(name))
                    if !(is_inf(&name)
                        || self.toks[self.pos].first
                            && header(&self.toks, self.pos)?.is_some()) =>
                {
                    if self
                        .toks
                        .get(self.pos + 1)
                        .is_some_and(|t| t.tok == Tok::Colon)
                    {
                        return self.err(format!(
                            "expected a term in {what}, found label `{}:`",
                            shown(&name)
                        ));
                    }
                    self.pos += 1;
                    let v = self.var(&name);
                    terms.push((v, sign * coef.unwrap_or_else(Q::one)));
                }
                _ => match coef {
                    Some(q) => constant += sign * q,
                    None => {
                        return self.err(format!(
                            "expected a number or a variable in {what}, found {}",
                            self.found()
                        ))
                    }
                },
            }
            first = false;
        }
        Ok((terms, constant))
    }

    fn signed_number(&mut self, what: &str) -> Result<Bound, ParseError> {
        let mut neg = false;
        while let Some(Tok::Plus | Tok::Minus) = self.peek() {
            if self.peek() == Some(&Tok::Minus) {
                neg = !neg;
            }
            self.pos += 1;
        }
        match self.peek().cloned() {
            Some(Tok::Num(q)) => {
                self.pos += 1;
                Ok(Bound::Finite(if neg { -q } else { q }))
            }
            Some(Tok::Ident(w)) if is_inf(&w) => {
                self.pos += 1;
                Ok(Bound::Infinite { negative: neg })
            }
            _ => self.err(format!(
                "expected a number for {what}, found {}",
                self.found()
            )),
        }
    }

    fn op(&mut self, what: &str) -> Result<Cmp, ParseError> {
        match self.peek() {
            Some(Tok::Op(c)) => {
                let c = *c;
                self.pos += 1;
                Ok(c)
            }
            _ => self.err(format!(
                "expected `<=`, `>=` or `=` in {what}, found {}",
                self.found()
            )),
        }
    }

    fn row(&mut self, count: usize, seen: &mut HashMap<String, usize>) -> Result<(), ParseError> {
        let line = self.line();
        let name = self.label().unwrap_or_else(|| format!("R{count}"));
        if seen.insert(name.clone(), line).is_some() {
            return Err(ParseError::DuplicateRow { line, name });
        }
        let what = format!("row `{}`", shown(&name));
        let (terms, constant) = self.expr(&what)?;
        let cmp = self.op(&what)?;
        let rhs = match self.signed_number(&format!("the right-hand side of {what}"))? {
            Bound::Finite(q) => q,
            Bound::Infinite { .. } => {
                return Err(ParseError::InfiniteRhs {
                    line: self.line(),
                    row: name,
                })
            }
        };
        self.lp.add_named_row(name, terms, cmp, rhs - constant);
        Ok(())
    }

    fn bound(&mut self) -> Result<(), ParseError> {
        let line = self.line();
        // Forms: `x free`, `x op v`, `v op x [op v]`.
        let starts_with_number = matches!(self.peek(), Some(Tok::Num(_) | Tok::Plus | Tok::Minus))
            || matches!(self.peek(), Some(Tok::Ident(w)) if is_inf(w));
        if starts_with_number {
            let lo = self.signed_number("a bound")?;
            let op1 = self.op("a bound")?;
            let Some(Tok::Ident(name)) = self.peek().cloned() else {
                return self.err(format!(
                    "expected a variable name in a bound, found {}",
                    self.found()
                ));
            };
            self.pos += 1;
            let v = self.var(&name);
            self.apply(v, &name, flip(op1), lo, line)?;
            if let Some(Tok::Op(_)) = self.peek() {
                let op2 = self.op("a bound")?;
                let hi = self.signed_number("a bound")?;
                self.apply(v, &name, op2, hi, line)?;
            }
            return Ok(());
        }
        let Some(Tok::Ident(name)) = self.peek().cloned() else {
            return self.err(format!("expected a bound (`l <= x <= u`, `x >= l`, `x <= u`, `x = v` or `x free`), found {}", self.found()));
        };
        self.pos += 1;
        let v = self.var(&name);
        if let Some(Tok::Ident(w)) = self.peek().cloned() {
            if w.eq_ignore_ascii_case("free") {
                self.pos += 1;
                self.lp.vars[v.0].lower = None;
                self.lp.vars[v.0].upper = None;
                return Ok(());
            }
            return Err(ParseError::Syntax {
                line,
                message: format!(
                    "expected `free` or a comparison after `{}`, found `{}`",
                    shown(&name),
                    shown(&w)
                ),
            });
        }
        let op = self.op("a bound")?;
        let val = self.signed_number("a bound")?;
        self.apply(v, &name, op, val, line)
    }

    /// Apply `x op val`. An infinite value keeps its sign: `x >= -inf` and
    /// `x <= +inf` remove a bound; `x >= +inf` and `x <= -inf` admit no
    /// value and are errors (never silently dropped).
    fn apply(
        &mut self,
        v: VarId,
        name: &str,
        op: Cmp,
        val: Bound,
        line: usize,
    ) -> Result<(), ParseError> {
        let var = &mut self.lp.vars[v.0];
        match (op, val) {
            (Cmp::Ge, Bound::Finite(q)) => var.lower = Some(q),
            (Cmp::Le, Bound::Finite(q)) => var.upper = Some(q),
            (Cmp::Eq, Bound::Finite(q)) => {
                var.lower = Some(q.clone());
                var.upper = Some(q);
            }
            (Cmp::Ge, Bound::Infinite { negative: true }) => var.lower = None,
            (Cmp::Le, Bound::Infinite { negative: false }) => var.upper = None,
            (Cmp::Ge, Bound::Infinite { negative: false }) => {
                return Err(ParseError::EmptyInfiniteBound {
                    line,
                    bound: format!("{} >= +inf", shown(name)),
                })
            }
            (Cmp::Le, Bound::Infinite { negative: true }) => {
                return Err(ParseError::EmptyInfiniteBound {
                    line,
                    bound: format!("{} <= -inf", shown(name)),
                })
            }
            (Cmp::Eq, Bound::Infinite { .. }) => {
                return Err(ParseError::InfiniteFixedValue { line })
            }
        }
        Ok(())
    }
}

/// A number in a bound or right-hand side: finite, or `inf` with its sign.
enum Bound {
    Finite(Q),
    Infinite { negative: bool },
}

fn flip(c: Cmp) -> Cmp {
    match c {
        Cmp::Le => Cmp::Ge,
        Cmp::Ge => Cmp::Le,
        Cmp::Eq => Cmp::Eq,
    }
}

/// Parse CPLEX LP text into an [`Lp`]. Variables are numbered in order of
/// first appearance and default to bounds `[0, +inf)`; unnamed rows are
/// called `R1`, `R2`, ...
///
/// ```
/// use relucert_lp::parse::{parse_lp, ParseError};
///
/// let lp = parse_lp("Maximize\n obj: 3 x + 2 y\nSubject To\n c1: x + y <= 4\nEnd\n").unwrap();
/// assert_eq!(lp.vars.len(), 2);
/// assert_eq!(lp.rows[0].name, "c1");
///
/// let err = parse_lp("Minimize\n x\nSubject To\n x >= 1/0\nEnd\n").unwrap_err();
/// assert_eq!(err.line(), 4);
/// assert!(matches!(err, ParseError::BadNumber { .. }));
/// ```
pub fn parse_lp(text: &str) -> Result<Lp, ParseError> {
    parse_lp_with(text, &ParseLimits::default())
}

/// [`parse_lp`] under explicit [`ParseLimits`]. Reading is linear in the
/// text (tokens, merged terms and names all go through maps or one pass).
///
/// ```
/// use relucert_lp::parse::{parse_lp_with, ParseError, ParseLimits};
///
/// let limits = ParseLimits { max_digits: 5 };
/// let err = parse_lp_with("min\n x\nst\n x >= 123456\nend\n", &limits).unwrap_err();
/// assert!(matches!(err, ParseError::TooManyDigits { digits: 6, limit: 5, .. }));
/// // `1e100000` is refused under the default limit of 10,000 digits.
/// assert!(parse_lp_with("min\n x\nst\n x >= 1e100000\nend\n", &ParseLimits::default()).is_err());
/// ```
pub fn parse_lp_with(text: &str, limits: &ParseLimits) -> Result<Lp, ParseError> {
    parse_lp_within(text, limits, &Deadline::never())
}

/// [`parse_lp_with`] that gives up with [`ParseError::TimeLimit`] once
/// `deadline` passes (read before each number of more than 64 digits and
/// every 4096 tokens).
pub fn parse_lp_within(
    text: &str,
    limits: &ParseLimits,
    deadline: &Deadline,
) -> Result<Lp, ParseError> {
    let toks = tokenize(text, limits, deadline)?;
    let last_line = text.lines().count().max(1);
    let mut p = Parser {
        toks,
        pos: 0,
        last_line,
        lp: Lp::new(Sense::Minimize),
        names: HashMap::new(),
    };
    // Objective.
    match p.at_header()? {
        Some((Section::Obj(sense), len)) => {
            p.lp.sense = sense;
            p.pos += len;
        }
        _ => {
            return p.err(format!(
                "expected `Minimize` or `Maximize`, found {}",
                p.found()
            ))
        }
    }
    p.label();
    let (terms, constant) = p.expr("the objective")?;
    if matches!(p.peek(), Some(Tok::Op(_))) {
        return p.err(
            "expected `Subject To`, `Bounds` or `End` after the objective, found a comparison",
        );
    }
    p.lp.set_objective(terms);
    p.lp.objective_constant = constant;
    let mut section = None;
    let mut seen_rows = HashMap::new();
    let mut count = 0;
    let mut done = false;
    let mut had = (false, false);
    while p.pos < p.toks.len() {
        if let Some((s, len)) = p.at_header()? {
            match s {
                Section::Obj(_) => return p.err("expected at most one objective section"),
                Section::Rows if had.0 || had.1 => {
                    return p.err("expected `Subject To` before `Bounds`, and only once")
                }
                Section::Bounds if had.1 => return p.err("expected only one `Bounds` section"),
                Section::End => {
                    p.pos += len;
                    done = true;
                    break;
                }
                _ => {}
            }
            if s == Section::Rows {
                had.0 = true;
            }
            if s == Section::Bounds {
                had.1 = true;
            }
            section = Some(s);
            p.pos += len;
            continue;
        }
        match section {
            Some(Section::Rows) => {
                count += 1;
                p.row(count, &mut seen_rows)?;
            }
            Some(Section::Bounds) => p.bound()?,
            _ => {
                return p.err(format!(
                    "expected `Subject To`, `Bounds` or `End`, found {}",
                    p.found()
                ))
            }
        }
    }
    if !done {
        return Err(ParseError::MissingEnd { line: p.line() });
    }
    if p.pos < p.toks.len() {
        return p.err(format!("expected nothing after `End`, found {}", p.found()));
    }
    Ok(p.lp)
}
