//! `relucert plot`: the exact loss on a 2-D slice through the point, with
//! the cell boundaries on that slice, as SVG; `--profile`: the loss along a
//! certificate's descent ray or arc.
//!
//! Owns: the arguments of `plot`, reading the certificate and the
//! directions file (`D.json`), choosing the directions' source, the
//! `--values` CSV export and the one-line summary; the drawing is in
//! `draw` (slice) and `profile` (line plot).
//!
//! Must not: decide anything; every plotted value is computed exactly by
//! the library (`relucert::slice`) and only then converted to a float for
//! drawing.

mod draw;
mod profile;

use super::output::decimal;
use super::output::{load_with_point, read_input, CliError, Output};
use relucert::cert::Certificate;
use relucert::network::Architecture;
use relucert::number::{fmt_q, parse_rational, Q};
use relucert::slice::{self, CertPath, Directions, Plane, SliceError};
use relucert::Deadline;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Default number of grid points per side of a slice.
const DEFAULT_GRID: usize = 41;
/// Default number of samples of a profile.
const DEFAULT_SAMPLES: usize = 201;

/// Arguments of `relucert plot`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  relucert plot fixtures/relu-kink-flat-local-min.toml --out flat.svg
  relucert plot fixtures/relu-kink-flat-local-min.toml --dirs random --seed 3 --radius 1/4 --grid 61 --values grid.csv --out flat.svg
  relucert verify fixtures/leaky-zero-outgoing-order2-arc.toml --cert saddle.json && relucert plot fixtures/leaky-zero-outgoing-order2-arc.toml --cert saddle.json --dirs cert --out saddle.svg
  relucert plot fixtures/leaky-zero-outgoing-order2-arc.toml --cert saddle.json --profile --out profile.svg
  relucert plot F.toml --dirs D.json --out F.svg   (D.json: {\"d1\": {\"W1[0,1]\": \"1\"}, \"d2\": {\"b1[0]\": \"1/2\"}})")]
pub struct Args {
    /// Instance file (.toml, or .json) with a [point].
    pub file: PathBuf,
    /// Write the SVG here.
    #[arg(long, value_name = "F.svg")]
    pub out: PathBuf,
    /// A certificate written by `relucert verify --cert` (its descent ray or
    /// arc gives `--dirs cert` and `--profile`).
    #[arg(long, value_name = "C.json")]
    pub cert: Option<PathBuf>,
    /// The slice's directions: `cert` (the certificate's descent direction
    /// and a second one, see docs/pictures.md), `random` (seeded), or a
    /// file D.json with {"d1": ..., "d2": ...} by parameter name or as
    /// flat lists. Default: cert with a descent certificate, else random.
    /// Every direction is scaled to max-norm 1.
    #[arg(long, value_name = "cert|random|D.json")]
    pub dirs: Option<String>,
    /// Half-width R of the square [-R, R]^2 (exact: 1/4, 0.25, 2); with
    /// --profile the largest t (default 1, or twice the certificate's
    /// lower point t for --profile).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub radius: Option<String>,
    /// Grid points per side N (default 41; at most 401), or samples of
    /// the profile (default 201). Boundary curves use a finer grid of
    /// 2(N-1)+1 points per side.
    #[arg(long, value_name = "N")]
    pub grid: Option<usize>,
    /// Seed of `--dirs random`.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Also write the exact values as CSV (`s,t,loss,loss_decimal`, or
    /// `t,loss,loss_decimal` with --profile).
    #[arg(long, value_name = "OUT.csv")]
    pub values: Option<PathBuf>,
    /// Plot the loss along the certificate's descent ray or arc instead of
    /// a slice (needs --cert with a descent certificate).
    #[arg(long, requires = "cert")]
    pub profile: bool,
    /// Give up after S seconds, decimals allowed (one-line error, exit 1)
    /// [default: no limit].
    #[arg(long, value_name = "S", value_parser = crate::parse_seconds)]
    pub timeout: Option<std::time::Duration>,
}

/// `relucert plot ...`.
pub fn run(args: &Args) -> Result<Output, CliError> {
    let file = args.file.display().to_string();
    let deadline = Deadline::from_timeout(args.timeout);
    let (inst, params) = load_with_point(&args.file, "plot")?;
    let problem = &inst.problem;
    let p = params.flat();
    let name = inst.name.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let path = match &args.cert {
        Some(c) => Some(read_path(c)?),
        None => None,
    };
    let lib = |e: SliceError| CliError::at(&file, e);
    let radius = match &args.radius {
        Some(r) => Some(parse_rational(r.trim()).map_err(|_| {
            CliError::BadInput(format!(
                "--radius: expected a positive rational (1/4, 0.25, 2), found {:?}",
                cut(r)
            ))
        })?),
        None => None,
    };
    if let Some(r) = &radius {
        if *r <= Q::from_integer(0.into()) {
            return Err(CliError::BadInput(format!(
                "--radius: expected a positive number, found {}",
                fmt_q(r)
            )));
        }
    }
    let timed = |e: SliceError| match e {
        SliceError::TimeLimit => CliError::at(
            &file,
            format_args!(
                "not plotted: the time limit ({} s) was reached",
                args.timeout.unwrap_or_default().as_secs_f64()
            ),
        ),
        e => lib(e),
    };

    if args.profile {
        let (cert_file, path) = match path {
            Some((c, Ok(path))) => (c, path),
            Some((c, Err(e))) => return Err(CliError::at(c, e)),
            None => return Err(CliError::BadInput("--profile: needs --cert C.json".into())),
        };
        let t_max = radius.unwrap_or_else(|| &path.lower_t * Q::from_integer(2.into()));
        let samples = args.grid.unwrap_or(DEFAULT_SAMPLES);
        let prof = slice::profile(problem, &p, &path, &t_max, samples, &deadline).map_err(timed)?;
        if let Some(csv) = &args.values {
            let mut text = String::from("t,loss,loss_decimal\n");
            for (t, v) in prof.ts.iter().zip(&prof.values) {
                let _ = writeln!(text, "{},{},{}", fmt_q(t), fmt_q(v), decimal(v));
            }
            write_file(csv, &text)?;
        }
        let cert_name = Path::new(&cert_file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(cert_file);
        let svg = profile::svg(&name, &cert_name, &prof, &path.lower_t);
        write_file(&args.out, &svg)?;
        return Ok(Output::ok(format!(
            "wrote {}: the exact loss of {name} along the certificate's {} at {} values of t in [0, {}]\n",
            args.out.display(),
            if path.dirs.len() == 1 { "ray" } else { "arc" },
            prof.ts.len(),
            fmt_q(&t_max)
        )));
    }

    let n = problem.arch.num_params();
    let source = args.dirs.clone().unwrap_or_else(|| match &path {
        Some((_, Ok(_))) => "cert".into(),
        _ => "random".into(),
    });
    let (dirs, cert_path) = match source.as_str() {
        "cert" => match path {
            Some((_, Ok(path))) => (slice::cert_directions(&path, n).map_err(lib)?, Some(path)),
            Some((c, Err(e))) => return Err(CliError::at(c, e)),
            None => {
                return Err(CliError::BadInput(
                    "--dirs cert: needs --cert C.json with a descent certificate".into(),
                ))
            }
        },
        "random" => (slice::random_directions(n, args.seed).map_err(lib)?, None),
        other => (read_dirs(Path::new(other), &problem.arch)?, None),
    };
    let dirs_file = match source.as_str() {
        "cert" | "random" => file.clone(),
        other => other.to_string(),
    };
    let plane =
        Plane::new(p, dirs.d1.clone(), dirs.d2.clone()).map_err(|e| CliError::at(&dirs_file, e))?;
    let radius = radius.unwrap_or_else(|| Q::from_integer(1.into()));
    let grid_n = args.grid.unwrap_or(DEFAULT_GRID);
    let grid = slice::loss_grid(problem, &plane, &radius, grid_n, &deadline).map_err(timed)?;
    let fine = (2 * (grid_n.max(2) - 1) + 1).min(slice::MAX_GRID);
    let bounds = slice::boundaries(problem, &plane, &radius, fine, &deadline).map_err(timed)?;
    let arc = cert_path.as_ref().and_then(|c| c.in_plane(&plane));
    if let Some(csv) = &args.values {
        let mut text = String::from("s,t,loss,loss_decimal\n");
        for (i, s) in grid.axis.iter().enumerate() {
            for (j, t) in grid.axis.iter().enumerate() {
                let v = &grid.values[i][j];
                let _ = writeln!(
                    text,
                    "{},{},{},{}",
                    fmt_q(s),
                    fmt_q(t),
                    fmt_q(v),
                    decimal(v)
                );
            }
        }
        write_file(csv, &text)?;
    }
    let labels = (
        slice::direction_label(&problem.arch, &dirs.d1),
        slice::direction_label(&problem.arch, &dirs.d2),
    );
    let picture = draw::Picture {
        name: &name,
        source: &source,
        labels,
        radius: &radius,
        grid: &grid,
        boundaries: &bounds,
        arc: arc.as_deref(),
    };
    let svg = draw::svg(&picture);
    write_file(&args.out, &svg)?;
    let drawn = bounds.iter().filter(|b| b.drawable()).count();
    Ok(Output::ok(format!(
        "wrote {}: {name}, {} x {} exact values on [-{r}, {r}]^2 ({source} directions), {drawn} of {} boundaries drawn; loss at the point {}\n",
        args.out.display(),
        grid_n,
        grid_n,
        bounds.len(),
        super::output::with_decimal(&grid.at_point),
        r = fmt_q(&radius),
    )))
}

type PathRead = (String, Result<CertPath, SliceError>);

/// Read a certificate and its descent path (the path's error is kept: it
/// matters only for `--dirs cert` and `--profile`).
fn read_path(c: &Path) -> Result<PathRead, CliError> {
    let cert_file = c.display().to_string();
    let text = read_input(c)?;
    let json: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::at(
            &cert_file,
            format_args!("line {}: the certificate is not JSON: {e}", e.line()),
        )
    })?;
    let cert = Certificate::from_json(&json)
        .map_err(|e| CliError::at(&cert_file, format_args!("certificate: {e}")))?;
    Ok((cert_file, slice::certificate_path(&cert.evidence)))
}

/// Read `{"d1": ..., "d2": ...}`: each an object by parameter name or a
/// flat list; values rational strings or JSON numbers (exact text).
fn read_dirs(path: &Path, arch: &Architecture) -> Result<Directions, CliError> {
    let f = path.display().to_string();
    let text = read_input(path)?;
    let json: Value = serde_json::from_str(&text).map_err(|e| {
        CliError::at(
            &f,
            format_args!(
                "line {}: expected JSON {{\"d1\": ..., \"d2\": ...}}: {e}",
                e.line()
            ),
        )
    })?;
    let mut out = Vec::new();
    for which in ["d1", "d2"] {
        let d = match json.get(which) {
            Some(Value::Object(map)) => {
                let mut entries = Vec::new();
                for (k, v) in map {
                    entries.push((
                        k.clone(),
                        number_text(v).ok_or_else(|| {
                            CliError::at(
                                &f,
                                format_args!(
                                    "{which}.{k}: expected a rational as a string or number"
                                ),
                            )
                        })?,
                    ));
                }
                slice::named_direction(arch, which, &entries)
            }
            Some(Value::Array(items)) => {
                let mut texts = Vec::new();
                for (i, v) in items.iter().enumerate() {
                    texts.push(number_text(v).ok_or_else(|| {
                        CliError::at(
                            &f,
                            format_args!("{which}[{i}]: expected a rational as a string or number"),
                        )
                    })?);
                }
                slice::flat_direction(which, &texts, arch.num_params())
            }
            _ => {
                return Err(CliError::at(
                    &f,
                    format_args!("{which}: expected an object by parameter name or a flat list"),
                ))
            }
        };
        out.push(d.map_err(|e| CliError::at(&f, e))?);
    }
    let d2 = out.pop().unwrap_or_default();
    let d1 = out.pop().unwrap_or_default();
    Ok(Directions {
        d1: slice::normalise(&d1),
        d2: slice::normalise(&d2),
    })
}

fn number_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn cut(text: &str) -> String {
    text.chars().take(60).collect()
}

fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|e| CliError::at(path.display(), format_args!("cannot write: {e}")))
}
