//! Reading input files under limits: every file relucert reads (instances,
//! certificates, LP files, shard parts) comes through here.
//!
//! Owns: [`InputLimits`] (file size, digits per number, nesting depth) with
//! their documented defaults, [`read_text`] (bounded streaming read; `-` is
//! stdin; FIFOs, devices, sockets and directories refused before they are
//! opened), the one-line [`InputError`], the linear nesting pre-scan
//! [`check_nesting`], the line index [`LineIndex`] (offset to line by binary
//! search) and [`excerpt`], the one way quoted input is cut and escaped in
//! an error message.
//!
//! Must not: parse or interpret the text (the instance, certificate and LP
//! readers do), read more than the limit from any file, or open a file
//! that is not a regular file (opening a FIFO blocks).

use std::io::Read;
use std::path::Path;

/// Default largest input file: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;
/// Default most decimal digits in one number (numerator and denominator
/// each, a decimal exponent counted as the digits it stands for).
pub const DEFAULT_MAX_DIGITS: usize = 10_000;
/// Default most decimal digits in one number of a *certificate*: ten
/// times an instance's, because a certificate's numbers are products of
/// the instance's (a lower point's loss, a Farkas multiplier). At this size
/// reading one number still takes milliseconds.
pub const DEFAULT_CERT_MAX_DIGITS: usize = 100_000;
/// A certificate's digit limit for an instance digit limit: ten times it,
/// at least [`DEFAULT_CERT_MAX_DIGITS`].
pub fn cert_max_digits(instance_max_digits: usize) -> usize {
    instance_max_digits
        .saturating_mul(10)
        .max(DEFAULT_CERT_MAX_DIGITS)
}
/// Default deepest nesting of arrays / tables / objects.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Most characters of quoted input shown in an error message.
pub const EXCERPT_CHARS: usize = 60;

/// The limits every reader enforces, each with a one-line error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Most decimal digits in one number.
    pub max_digits: usize,
    /// Deepest nesting.
    pub max_depth: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_digits: DEFAULT_MAX_DIGITS,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// A one-line error about reading a file: `FILE: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// The file as named by the caller (`-` is stdin).
    pub file: String,
    /// What was wrong.
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for InputError {}

/// A byte count as people read it: `64 MiB`, `3 KiB`, `1000 bytes`.
pub fn fmt_bytes(n: u64) -> String {
    if n >= 1 << 30 && n % (1 << 30) == 0 {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

/// An integer with thousands separators: `123,456`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Quoted input as shown in a one-line error: at most [`EXCERPT_CHARS`]
/// characters (then `...`), control characters, newlines and backslashes
/// escaped, so that the message stays one short line.
pub fn excerpt(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == EXCERPT_CHARS {
            out.push_str("...");
            break;
        }
        if c.is_control() || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// What kind of non-regular file this is, or `None` for a regular file.
fn irregular_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// Read a whole UTF-8 text file under `limits`; `-` reads stdin.
///
/// A path that is not a regular file (FIFO, device, socket, directory) is
/// refused before it is opened; at most `max_bytes + 1` bytes are ever
/// read, so `/dev/zero` given as `-` or a growing file stops at the limit.
pub fn read_text(path: &Path, limits: &InputLimits) -> Result<String, InputError> {
    let file = path.display().to_string();
    let fail = |message: String| InputError {
        file: file.clone(),
        message,
    };
    let too_large = || {
        fail(format!(
            "larger than the {} input limit (raise it with --max-file-size)",
            fmt_bytes(limits.max_bytes)
        ))
    };
    let cap = limits.max_bytes.saturating_add(1);
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(format!("cannot read standard input: {e}")))?;
    } else {
        let meta =
            std::fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
        if let Some(kind) = irregular_kind(&meta) {
            return Err(fail(format!(
                "not a regular file ({kind}); give its contents on stdin as -"
            )));
        }
        if meta.len() > limits.max_bytes {
            return Err(too_large());
        }
        let f =
            std::fs::File::open(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
        // the path may have been replaced between the two looks
        if let Ok(m) = f.metadata() {
            if let Some(kind) = irregular_kind(&m) {
                return Err(fail(format!(
                    "not a regular file ({kind}); give its contents on stdin as -"
                )));
            }
        }
        f.take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| fail(format!("cannot read the file: {e}")))?;
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = bytecount_newlines(&e.as_bytes()[..at]) + 1;
        fail(format!(
            "line {line}: not UTF-8 text (invalid byte at offset {at})"
        ))
    })
}

fn bytecount_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// The start offset of every line of a text, built once, so that the line
/// of any byte offset is a binary search (linear total time for a reader
/// that needs the line of every value).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the lines of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset (offsets past the end: last line).
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

/// The syntax whose strings and comments [`check_nesting`] skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// TOML: `"..."`, `'...'`, `"""..."""`, `'''...'''` strings and `#` comments.
    Toml,
    /// JSON: `"..."` strings, no comments.
    Json,
}

/// A linear pre-scan, before any parser runs: refuse text whose `[` / `{`
/// nesting (outside strings and comments) is deeper than `max_depth`. The
/// error is the message and the 1-based line of the first bracket too deep.
pub fn check_nesting(text: &str, syntax: Nesting, max_depth: usize) -> Result<(), (String, usize)> {
    let b = text.as_bytes();
    let (mut i, mut depth, mut line) = (0usize, 0usize, 1usize);
    // skip past a closing `delim` (1 or 3 bytes); escapes if `escapes`
    let skip_string = |mut j: usize, delim: &[u8], escapes: bool, line: &mut usize| -> usize {
        while j < b.len() {
            let c = b[j];
            if c == b'\n' {
                *line += 1;
                if delim.len() == 1 {
                    return j + 1; // a one-line string ends at the newline (syntax error anyway)
                }
            }
            if escapes && c == b'\\' {
                if b.get(j + 1) == Some(&b'\n') {
                    *line += 1;
                }
                j += 2;
                continue;
            }
            if b[j..].starts_with(delim) {
                j += delim.len();
                if delim.len() == 3 {
                    // up to two more quotes belong to the string's content
                    let mut extra = 0;
                    while extra < 2 && b.get(j) == Some(&delim[0]) {
                        j += 1;
                        extra += 1;
                    }
                }
                return j;
            }
            j += 1;
        }
        j
    };
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Err((
                        format!(
                            "nesting deeper than the limit of {max_depth} levels of arrays and tables"
                        ),
                        line,
                    ));
                }
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' => {
                let triple = syntax == Nesting::Toml && b[i..].starts_with(b"\"\"\"");
                i = if triple {
                    skip_string(i + 3, b"\"\"\"", true, &mut line)
                } else {
                    skip_string(i + 1, b"\"", true, &mut line)
                };
            }
            b'\'' if syntax == Nesting::Toml => {
                i = if b[i..].starts_with(b"'''") {
                    skip_string(i + 3, b"'''", false, &mut line)
                } else {
                    skip_string(i + 1, b"'", false, &mut line)
                };
            }
            b'#' if syntax == Nesting::Toml => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_counting() {
        let text = "a\nbc\n\nd";
        let idx = LineIndex::new(text);
        for off in 0..=text.len() + 2 {
            let end = off.min(text.len());
            let want = text.as_bytes()[..end]
                .iter()
                .filter(|&&c| c == b'\n')
                .count()
                + 1;
            assert_eq!(idx.line(off), want, "offset {off}");
        }
    }

    #[test]
    fn nesting_skips_strings_and_comments() {
        let deep = "[".repeat(5);
        let ok =
            format!("x = \"{deep}\" # {deep}\ny = '{deep}'\nz = \"\"\"{deep}\"\"\"\"\nw = [[1]]\n");
        assert!(check_nesting(&ok, Nesting::Toml, 2).is_ok());
        assert_eq!(
            check_nesting("a = [[[1]]]", Nesting::Toml, 2).map_err(|e| e.1),
            Err(1)
        );
        assert!(check_nesting("{\"a\": \"[[[\"}", Nesting::Json, 1).is_ok());
        assert!(check_nesting("{\"a\": \"\\\"[[[\"}", Nesting::Json, 1).is_ok());
        assert!(check_nesting("# [[[\n", Nesting::Json, 1).is_err());
    }

    #[test]
    fn excerpt_cuts_and_escapes() {
        assert_eq!(excerpt("a\nb\\"), "a\\nb\\\\");
        let long = "x".repeat(100);
        assert_eq!(excerpt(&long), format!("{}...", "x".repeat(60)));
        assert_eq!(fmt_count(123_456), "123,456");
        assert_eq!(fmt_count(100), "100");
        assert_eq!(fmt_count(1_000_001), "1,000,001");
        assert_eq!(fmt_bytes(64 << 20), "64 MiB");
        assert_eq!(fmt_bytes(1000), "1000 bytes");
    }
}
