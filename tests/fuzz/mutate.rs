//! Mutations of input files for the fuzz harness: byte-level edits and
//! structure-aware edits (hostile numbers, deleted or duplicated keys and
//! tables, changed array lengths, deep nesting, unicode, CRLF).
//!
//! Owns: the [`Mutation`] type, its proptest strategy and [`apply`], which
//! turns a seed text and a list of mutations into the bytes a case feeds to
//! the readers. Every mutation is total: positions are taken modulo the
//! text's length, so any generated value applies to any text.
//!
//! Must not: read files or call relucert (the cases do that), or depend on
//! randomness outside the proptest strategy (a case is its value).

use proptest::prelude::*;

/// Hostile replacements for a number token.
pub const HOSTILE_NUMBERS: &[&str] = &[
    "1e9999",
    "1e-9999",
    "-1e9999",
    "1e10001",
    "-0",
    "+0",
    "-0/1",
    "1/0",
    "0/0",
    "-1/0",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "+inf",
    "infinity",
    "1e",
    "1/",
    "/1",
    "--1",
    "1..2",
    "0x10",
    "1_000",
    "18446744073709551617",
    "-9223372036854775809",
    "1.5e-3",
    "0.0000000000000000000000000000001",
    "3/-4",
    "1/3/5",
    "\u{0661}",
];

/// A huge number that stays within the 10,000-digit limit (`kind` picks
/// its shape: integer, fraction, decimal, exponent).
pub fn huge_number(digits: usize, kind: u8) -> String {
    let d = digits.clamp(1, 9_990);
    let body: String = "9".repeat(d);
    match kind % 4 {
        0 => body,
        1 => format!("1/{body}"),
        2 => format!("0.{}1", "0".repeat(d.saturating_sub(2))),
        _ => format!("-{body}/7"),
    }
}

/// Unicode and control text inserted by [`Mutation::Unicode`].
pub const UNICODE: &[&str] = &[
    "\u{e9}",
    "\u{202e}",
    "\u{feff}",
    "\u{1d7d9}",
    "\u{0}",
    "\u{7f}",
    "\u{fffd}",
    "\u{2028}",
    "\u{ff11}",
    "\t",
    "\r",
    "\"",
    "\\",
    "'''",
    "\"\"\"",
    "#",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n[point]\n",
    "\n[[x]]\n",
    "\nEnd\n",
    "\nBounds\n x >= +inf\n",
    "\nSubject To\n",
];

/// One edit of a text.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Flip bit `bit` of the byte at `pos`.
    Flip { pos: u32, bit: u8 },
    /// Insert `bytes` at `pos`.
    Insert { pos: u32, bytes: Vec<u8> },
    /// Delete `len` bytes at `pos`.
    Delete { pos: u32, len: u16 },
    /// Duplicate the `len` bytes at `pos` in place.
    Duplicate { pos: u32, len: u16 },
    /// Keep the text up to `pos`, then the other seed file `other` from `at`.
    Splice { pos: u32, other: u16, at: u32 },
    /// Cut the text at `pos`.
    Truncate { pos: u32 },
    /// Replace the `which`-th number token with a hostile one.
    HostileNumber { which: u16, with: u8 },
    /// Replace the `which`-th number token with a huge one (<= 9,990 digits).
    HugeNumber { which: u16, digits: u16, kind: u8 },
    /// Delete the `which`-th line (a key, a table header, a row).
    DeleteLine { which: u16 },
    /// Duplicate the `which`-th line (a key or table header twice).
    DuplicateLine { which: u16 },
    /// Duplicate the block from the `which`-th line to the next blank line
    /// (a whole table).
    DuplicateBlock { which: u16 },
    /// Drop the last element of the `which`-th array.
    ShrinkArray { which: u16 },
    /// Repeat the last element of the `which`-th array `times` more times.
    GrowArray { which: u16, times: u8 },
    /// Wrap the `which`-th number token in `depth` brackets.
    Nest { which: u16, depth: u16 },
    /// Insert a unicode or control string at `pos`.
    Unicode { pos: u32, which: u8 },
    /// Line endings to CRLF.
    Crlf,
}

/// The strategy for one mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<u32>(), 0u8..8).prop_map(|(pos, bit)| Mutation::Flip { pos, bit }),
        (any::<u32>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(pos, bytes)| Mutation::Insert { pos, bytes }),
        (any::<u32>(), 1u16..64).prop_map(|(pos, len)| Mutation::Delete { pos, len }),
        (any::<u32>(), 1u16..64).prop_map(|(pos, len)| Mutation::Duplicate { pos, len }),
        (any::<u32>(), any::<u16>(), any::<u32>()).prop_map(|(pos, other, at)| Mutation::Splice {
            pos,
            other,
            at
        }),
        any::<u32>().prop_map(|pos| Mutation::Truncate { pos }),
        (any::<u16>(), any::<u8>())
            .prop_map(|(which, with)| Mutation::HostileNumber { which, with }),
        (any::<u16>(), 1u16..9_990, any::<u8>()).prop_map(|(which, digits, kind)| {
            Mutation::HugeNumber {
                which,
                digits,
                kind,
            }
        }),
        any::<u16>().prop_map(|which| Mutation::DeleteLine { which }),
        any::<u16>().prop_map(|which| Mutation::DuplicateLine { which }),
        any::<u16>().prop_map(|which| Mutation::DuplicateBlock { which }),
        any::<u16>().prop_map(|which| Mutation::ShrinkArray { which }),
        (any::<u16>(), 1u8..40).prop_map(|(which, times)| Mutation::GrowArray { which, times }),
        (any::<u16>(), 1u16..300).prop_map(|(which, depth)| Mutation::Nest { which, depth }),
        (any::<u32>(), any::<u8>()).prop_map(|(pos, which)| Mutation::Unicode { pos, which }),
        Just(Mutation::Crlf),
    ]
}

/// Up to `max` mutations (shrinks towards none).
pub fn mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 0..=max)
}

fn at(pos: u32, len: usize) -> usize {
    (pos as usize) % (len + 1)
}

/// Byte ranges of the number tokens: a digit run with its sign, fraction
/// bar, decimal point and exponent.
fn number_tokens(t: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let starts = t[i].is_ascii_digit()
            && (i == 0 || !(t[i - 1].is_ascii_alphanumeric() || t[i - 1] == b'_'));
        if !starts {
            i += 1;
            continue;
        }
        let mut s = i;
        if s > 0 && (t[s - 1] == b'-' || t[s - 1] == b'+') {
            s -= 1;
        }
        let mut e = i;
        while e < t.len()
            && (t[e].is_ascii_digit()
                || t[e] == b'/'
                || t[e] == b'.'
                || ((t[e] == b'e' || t[e] == b'E')
                    && e + 1 < t.len()
                    && (t[e + 1].is_ascii_digit() || t[e + 1] == b'-' || t[e + 1] == b'+'))
                || ((t[e] == b'-' || t[e] == b'+')
                    && e > 0
                    && (t[e - 1] == b'e' || t[e - 1] == b'E')))
        {
            e += 1;
        }
        out.push((s, e));
        i = e.max(i + 1);
    }
    out
}

fn replace_number(t: &mut Vec<u8>, which: u16, with: &[u8]) {
    let toks = number_tokens(t);
    if toks.is_empty() {
        return;
    }
    let (s, e) = toks[which as usize % toks.len()];
    t.splice(s..e, with.iter().copied());
}

fn line_starts(t: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        t.iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    v
}

fn line_range(t: &[u8], which: u16) -> (usize, usize) {
    let starts = line_starts(t);
    let k = which as usize % starts.len();
    let s = starts[k];
    let e = starts.get(k + 1).copied().unwrap_or(t.len());
    (s, e)
}

/// The `which`-th innermost array `[ ... ]`: its open and close positions.
fn array(t: &[u8], which: u16) -> Option<(usize, usize)> {
    let mut found = Vec::new();
    let mut stack = Vec::new();
    for (i, &b) in t.iter().enumerate() {
        match b {
            b'[' => stack.push((i, true)),
            b']' => {
                if let Some((o, inner)) = stack.pop() {
                    if inner {
                        found.push((o, i));
                    }
                    if let Some(top) = stack.last_mut() {
                        top.1 = false;
                    }
                }
            }
            _ => {}
        }
    }
    // Only arrays with at least one comma or element.
    found.retain(|&(o, c)| c > o + 1);
    if found.is_empty() {
        None
    } else {
        Some(found[which as usize % found.len()])
    }
}

/// Apply one mutation; `others` are the seed texts for splicing.
pub fn apply_one(t: &mut Vec<u8>, m: &Mutation, others: &[&[u8]]) {
    let n = t.len();
    match m {
        Mutation::Flip { pos, bit } => {
            if n > 0 {
                let p = *pos as usize % n;
                t[p] ^= 1 << (bit % 8);
            }
        }
        Mutation::Insert { pos, bytes } => {
            let p = at(*pos, n);
            t.splice(p..p, bytes.iter().copied());
        }
        Mutation::Delete { pos, len } => {
            let p = at(*pos, n);
            let e = (p + *len as usize).min(n);
            t.drain(p..e);
        }
        Mutation::Duplicate { pos, len } => {
            let p = at(*pos, n);
            let e = (p + *len as usize).min(n);
            let piece: Vec<u8> = t[p..e].to_vec();
            t.splice(e..e, piece);
        }
        Mutation::Splice {
            pos,
            other,
            at: from,
        } => {
            if !others.is_empty() {
                let o = others[*other as usize % others.len()];
                let p = at(*pos, n);
                let f = at(*from, o.len());
                t.truncate(p);
                t.extend_from_slice(&o[f..]);
            }
        }
        Mutation::Truncate { pos } => {
            let p = at(*pos, n);
            t.truncate(p);
        }
        Mutation::HostileNumber { which, with } => {
            let h = HOSTILE_NUMBERS[*with as usize % HOSTILE_NUMBERS.len()];
            replace_number(t, *which, h.as_bytes());
        }
        Mutation::HugeNumber {
            which,
            digits,
            kind,
        } => {
            let h = huge_number(*digits as usize, *kind);
            replace_number(t, *which, h.as_bytes());
        }
        Mutation::DeleteLine { which } => {
            let (s, e) = line_range(t, *which);
            t.drain(s..e);
        }
        Mutation::DuplicateLine { which } => {
            let (s, e) = line_range(t, *which);
            let mut piece = t[s..e].to_vec();
            if !piece.ends_with(b"\n") {
                piece.push(b'\n');
            }
            t.splice(s..s, piece);
        }
        Mutation::DuplicateBlock { which } => {
            let starts = line_starts(t);
            let k = *which as usize % starts.len();
            let s = starts[k];
            let mut e = t.len();
            for &ls in &starts[k + 1..] {
                let le = t[ls..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(t.len(), |x| ls + x);
                if t[ls..le].iter().all(|b| b.is_ascii_whitespace()) {
                    e = ls;
                    break;
                }
            }
            let mut piece = t[s..e].to_vec();
            if !piece.ends_with(b"\n") {
                piece.push(b'\n');
            }
            t.splice(e..e, piece);
        }
        Mutation::ShrinkArray { which } => {
            if let Some((o, c)) = array(t, *which) {
                match t[o + 1..c].iter().rposition(|&b| b == b',') {
                    Some(k) => {
                        t.drain(o + 1 + k..c);
                    }
                    None => {
                        t.drain(o + 1..c);
                    }
                }
            }
        }
        Mutation::GrowArray { which, times } => {
            if let Some((o, c)) = array(t, *which) {
                let last_start = t[o + 1..c]
                    .iter()
                    .rposition(|&b| b == b',')
                    .map_or(o + 1, |k| o + 2 + k);
                let elem = t[last_start..c].to_vec();
                let mut add = Vec::new();
                for _ in 0..*times {
                    add.push(b',');
                    add.extend_from_slice(&elem);
                }
                t.splice(c..c, add);
            }
        }
        Mutation::Nest { which, depth } => {
            let toks = number_tokens(t);
            if !toks.is_empty() {
                let (s, e) = toks[*which as usize % toks.len()];
                let d = *depth as usize;
                let mut w = "[".repeat(d).into_bytes();
                w.extend_from_slice(&t[s..e]);
                w.extend(std::iter::repeat_n(b']', d));
                t.splice(s..e, w);
            }
        }
        Mutation::Unicode { pos, which } => {
            let p = at(*pos, n);
            let u = UNICODE[*which as usize % UNICODE.len()];
            t.splice(p..p, u.bytes());
        }
        Mutation::Crlf => {
            let mut out = Vec::with_capacity(n + n / 16);
            for &b in t.iter() {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            *t = out;
        }
    }
}

/// Apply the mutations in order to `seed`.
pub fn apply(seed: &[u8], ms: &[Mutation], others: &[&[u8]]) -> Vec<u8> {
    let mut t = seed.to_vec();
    for m in ms {
        apply_one(&mut t, m, others);
        // Keep cases bounded: hostile size is the hostile script's job.
        t.truncate(1 << 20);
    }
    t
}
