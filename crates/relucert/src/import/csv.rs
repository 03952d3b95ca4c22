//! Reading a data set from CSV text: one point per line, comma-separated,
//! an optional header line, one label column.
//!
//! Owns: [`parse`] and [`LabelCol`]: the header rule (the first line is a
//! header iff one of its fields is not a number), blank lines and `#`
//! comment lines skipped, fields trimmed and unquoted (`"1.5"`), every
//! number read as an exact decimal (`0.1` is 1/10, because CSV text is
//! decimal) under the digit limit.
//!
//! Must not: read a number through a float, or guess a column silently (a
//! label column given by name needs a header that has it).

use crate::number::{parse_rational_limited, Q};

/// Which column holds the labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelCol {
    /// The last column (the default).
    Last,
    /// The column with this 0-based index.
    Index(usize),
    /// The column with this header name.
    Name(String),
}

impl LabelCol {
    /// `--label-col` text: digits are a 0-based index, anything else a
    /// header name.
    pub fn from_arg(s: &str) -> LabelCol {
        match s.parse::<usize>() {
            Ok(i) => LabelCol::Index(i),
            Err(_) => LabelCol::Name(s.to_string()),
        }
    }
}

/// The data of a CSV text: the inputs (every column but the label
/// column, in order) and the labels. Errors are one line, with the line
/// number, without the file name.
pub fn parse(
    text: &str,
    label: &LabelCol,
    max_digits: usize,
) -> Result<(Vec<Vec<Q>>, Vec<Q>), String> {
    let mut rows: Vec<(usize, Vec<&str>)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            (
                i,
                l.split(',')
                    .map(|f| {
                        let f = f.trim();
                        f.strip_prefix('"')
                            .and_then(|g| g.strip_suffix('"'))
                            .unwrap_or(f)
                            .trim()
                    })
                    .collect(),
            )
        })
        .collect();
    let Some((_, first)) = rows.first() else {
        return Err("no data lines".to_string());
    };
    let header: Option<Vec<String>> = first
        .iter()
        .any(|f| parse_rational_limited(f, max_digits).is_err())
        .then(|| first.iter().map(|s| s.to_string()).collect());
    if header.is_some() {
        rows.remove(0);
    }
    let ncols = match (&header, rows.first()) {
        (Some(h), _) => h.len(),
        (None, Some((_, r))) => r.len(),
        (None, None) => 0,
    };
    if rows.is_empty() {
        return Err("a header but no data lines".to_string());
    }
    if ncols < 2 {
        return Err(format!(
            "line {}: {ncols} column; expected the inputs and a label column",
            rows[0].0
        ));
    }
    let col = match label {
        LabelCol::Last => ncols - 1,
        LabelCol::Index(i) if *i < ncols => *i,
        LabelCol::Index(i) => {
            return Err(format!(
                "--label-col {i} is out of range: the file has {ncols} columns (0-based index)"
            ))
        }
        LabelCol::Name(n) => match &header {
            None => {
                return Err(format!(
                    "--label-col {}: the file has no header line; give a 0-based column index",
                    super::excerpt(n)
                ))
            }
            Some(h) => h.iter().position(|c| c == n).ok_or_else(|| {
                format!(
                    "--label-col {}: no such column in the header ({})",
                    super::excerpt(n),
                    super::excerpt(&h.join(","))
                )
            })?,
        },
    };
    let mut xs = Vec::with_capacity(rows.len());
    let mut ys = Vec::with_capacity(rows.len());
    for (line, fields) in rows {
        if fields.len() != ncols {
            return Err(format!(
                "line {line}: {} fields, expected {ncols} like the first line",
                fields.len()
            ));
        }
        let mut x = Vec::with_capacity(ncols - 1);
        for (j, f) in fields.iter().enumerate() {
            let q = parse_rational_limited(f, max_digits)
                .map_err(|e| format!("line {line}, column {j}: {e}"))?;
            if j == col {
                ys.push(q);
            } else {
                x.push(q);
            }
        }
        xs.push(x);
    }
    Ok((xs, ys))
}
