//! Drawing a slice as SVG.
//!
//! Owns: the picture's layout: the colour map of the loss (viridis), the
//! contour lines (marching squares on the exact grid values converted to
//! f64), the axes naming the directions, the title with the exact loss at
//! the point, and, written as plain SVG elements after plotters' output,
//! the boundary paths (one `<path class="boundary pre-activation">` or
//! `class="boundary hinge"` per drawn quantity, with `data-*` attributes
//! naming it), the point (`class="point"`), the certificate's descent path
//! (`class="descent"`), the legend and the colour bar.
//!
//! Must not: compute anything that is not drawing: every value and
//! boundary point comes exact from `relucert::slice`; floats here only
//! place pixels and pick colours.

use super::super::output::{decimal, with_decimal};
use num_traits::ToPrimitive;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use relucert::number::Q;
use relucert::slice::{Boundary, BoundaryKind, BoundaryShape, LossGrid};
use std::fmt::Write as _;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 720;
const CHART_WIDTH: u32 = 700;
/// Number of contour levels between the smallest and largest grid value.
const LEVELS: usize = 12;
const PRE_COLOUR: &str = "#e6194b";
const HINGE_COLOUR: &str = "#00e5ff";
const DESCENT_COLOUR: &str = "#ff8c00";

/// Everything a slice picture shows.
pub struct Picture<'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub labels: (String, String),
    pub radius: &'a Q,
    pub grid: &'a LossGrid,
    pub boundaries: &'a [Boundary],
    /// The certificate's path in the slice: `(a_k, b_k)` per order `k`.
    pub arc: Option<&'a [(Q, Q)]>,
}

pub(super) fn f(q: &Q) -> f64 {
    q.to_f64().unwrap_or(0.0)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max - 3).collect();
        s.push_str("...");
        s
    }
}

/// Pixel coordinates of the plotting area (absolute, f64).
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    r: f64,
}

impl Frame {
    fn px(&self, s: f64, t: f64) -> (f64, f64) {
        (
            self.x0 + (s + self.r) / (2.0 * self.r) * (self.x1 - self.x0),
            self.y1 - (t + self.r) / (2.0 * self.r) * (self.y1 - self.y0),
        )
    }
}

fn colour(v: f64, lo: f64, hi: f64) -> RGBColor {
    let h = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    ViridisRGB::get_color(h.clamp(0.0, 1.0))
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The SVG of a slice.
pub fn svg(pic: &Picture<'_>) -> String {
    let mut buf = String::new();
    let r = f(pic.radius);
    let vals: Vec<Vec<f64>> = pic
        .grid
        .values
        .iter()
        .map(|row| row.iter().map(f).collect())
        .collect();
    let lo = vals.iter().flatten().cloned().fold(f64::INFINITY, f64::min);
    let hi = vals
        .iter()
        .flatten()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    let frame = match draw_chart(&mut buf, pic, &vals, lo, hi, r) {
        Ok(frame) => frame,
        Err(e) => {
            // plotters writes to a String: it cannot fail; keep the picture valid
            buf = format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\"><text x=\"20\" y=\"40\">{}</text></svg>\n",
                escape(&e)
            );
            return buf;
        }
    };
    let mut extra = String::new();
    extra.push_str(&format!(
        "<defs><clipPath id=\"plot-area\"><rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\"/></clipPath></defs>\n",
        frame.x0,
        frame.y0,
        frame.x1 - frame.x0,
        frame.y1 - frame.y0
    ));
    extra.push_str("<g clip-path=\"url(#plot-area)\">\n");
    for b in pic.boundaries.iter().filter(|b| b.drawable()) {
        extra.push_str(&boundary_path(b, &frame));
    }
    if let Some(arc) = pic.arc {
        extra.push_str(&descent_path(arc, &frame));
    }
    let (px, py) = frame.px(0.0, 0.0);
    let _ = writeln!(
        extra,
        "<circle class=\"point\" cx=\"{px:.2}\" cy=\"{py:.2}\" r=\"5\" fill=\"white\" stroke=\"black\" stroke-width=\"2\"/>"
    );
    extra.push_str("</g>\n");
    extra.push_str(&legend(pic, lo, hi));
    match buf.rfind("</svg>") {
        Some(end) => buf.insert_str(end, &extra),
        None => buf.push_str(&extra),
    }
    buf
}

fn draw_chart(
    buf: &mut String,
    pic: &Picture<'_>,
    vals: &[Vec<f64>],
    lo: f64,
    hi: f64,
    r: f64,
) -> Result<Frame, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let root = SVGBackend::with_string(buf, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let (left, _) = root.split_horizontally(CHART_WIDTH);
    let title = format!(
        "{}: loss {} at the point",
        short(pic.name, 60),
        short(&with_decimal(&pic.grid.at_point), 50)
    );
    let mut chart = ChartBuilder::on(&left)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-r..r, -r..r)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(format!("s: d1 = {}", short(&pic.labels.0, 70)))
        .y_desc(format!("t: d2 = {}", short(&pic.labels.1, 70)))
        .axis_desc_style(("sans-serif", 14))
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(|x| e(&x))?;
    let axis: Vec<f64> = pic.grid.axis.iter().map(f).collect();
    let n = axis.len();
    let h = if n > 1 { axis[1] - axis[0] } else { 2.0 * r };
    let cells = (0..n).flat_map(|i| (0..n).map(move |j| (i, j)));
    chart
        .draw_series(cells.map(|(i, j)| {
            let (s, t) = (axis[i], axis[j]);
            Rectangle::new(
                [
                    ((s - h / 2.0).max(-r), (t - h / 2.0).max(-r)),
                    ((s + h / 2.0).min(r), (t + h / 2.0).min(r)),
                ],
                colour(vals[i][j], lo, hi).filled(),
            )
        }))
        .map_err(|x| e(&x))?;
    for k in 1..=LEVELS {
        let level = lo + (hi - lo) * k as f64 / (LEVELS + 1) as f64;
        if hi <= lo {
            break;
        }
        let segs = contour(&axis, vals, level);
        chart
            .draw_series(
                segs.into_iter()
                    .map(|(a, b)| PathElement::new(vec![a, b], WHITE.mix(0.55).stroke_width(1))),
            )
            .map_err(|x| e(&x))?;
    }
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    root.present().map_err(|x| e(&x))?;
    Ok(Frame {
        x0: xr.start as f64,
        x1: xr.end as f64,
        y0: yr.start as f64,
        y1: yr.end as f64,
        r,
    })
}

/// Marching squares on f64 grid values at one level (drawing only).
fn contour(axis: &[f64], v: &[Vec<f64>], level: f64) -> Vec<((f64, f64), (f64, f64))> {
    let n = axis.len();
    let mut out = Vec::new();
    let interp = |(s0, t0, v0): (f64, f64, f64), (s1, t1, v1): (f64, f64, f64)| {
        let w = if v1 != v0 {
            (level - v0) / (v1 - v0)
        } else {
            0.5
        };
        (s0 + w * (s1 - s0), t0 + w * (t1 - t0))
    };
    for i in 0..n.saturating_sub(1) {
        for j in 0..n - 1 {
            let c = [
                (axis[i], axis[j], v[i][j]),
                (axis[i + 1], axis[j], v[i + 1][j]),
                (axis[i + 1], axis[j + 1], v[i + 1][j + 1]),
                (axis[i], axis[j + 1], v[i][j + 1]),
            ];
            let above: Vec<bool> = c.iter().map(|x| x.2 > level).collect();
            let crossed: Vec<(f64, f64)> = (0..4)
                .filter(|&k| above[k] != above[(k + 1) % 4])
                .map(|k| interp(c[k], c[(k + 1) % 4]))
                .collect();
            if crossed.len() == 2 {
                out.push((crossed[0], crossed[1]));
            } else if crossed.len() == 4 {
                out.push((crossed[0], crossed[1]));
                out.push((crossed[2], crossed[3]));
            }
        }
    }
    out
}

fn boundary_path(b: &Boundary, frame: &Frame) -> String {
    let mut d = String::new();
    let move_to = |p: &(Q, Q), first: bool, d: &mut String| {
        let (x, y) = frame.px(f(&p.0), f(&p.1));
        let _ = write!(d, "{}{x:.2} {y:.2} ", if first { "M" } else { "L" });
    };
    let shape = match &b.shape {
        BoundaryShape::Segment(p, q) => {
            move_to(p, true, &mut d);
            move_to(q, false, &mut d);
            "segment"
        }
        BoundaryShape::Curve(segs) => {
            for seg in segs {
                move_to(&seg.a.mid(), true, &mut d);
                move_to(&seg.b.mid(), false, &mut d);
            }
            "curve"
        }
        _ => return String::new(),
    };
    let (class, colour, dash, data) = match b.kind {
        BoundaryKind::PreActivation { point, layer, unit } => (
            "pre-activation",
            PRE_COLOUR,
            "",
            format!("data-point=\"{point}\" data-layer=\"{layer}\" data-unit=\"{unit}\""),
        ),
        BoundaryKind::Hinge { point, class } => (
            "hinge",
            HINGE_COLOUR,
            " stroke-dasharray=\"6 4\"",
            match class {
                Some(k) => format!("data-point=\"{point}\" data-class=\"{k}\""),
                None => format!("data-point=\"{point}\""),
            },
        ),
    };
    format!(
        "<path class=\"boundary {class}\" {data} data-shape=\"{shape}\" d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>\n",
        d.trim_end()
    )
}

/// The certificate's path `(sum a_k tau^k, sum b_k tau^k)` from the point
/// until it leaves 80% of the box, with an arrow head.
fn descent_path(arc: &[(Q, Q)], frame: &Frame) -> String {
    let coef: Vec<(f64, f64)> = arc.iter().map(|(a, b)| (f(a), f(b))).collect();
    let at = |tau: f64| {
        let (mut s, mut t, mut p) = (0.0, 0.0, tau);
        for (a, b) in &coef {
            s += a * p;
            t += b * p;
            p *= tau;
        }
        (s, t)
    };
    let limit = 0.8 * frame.r;
    // the largest tau (by doubling, then bisection) with the path inside
    let inside = |tau: f64| {
        let (s, t) = at(tau);
        s.abs() <= limit && t.abs() <= limit
    };
    let mut hi = 1e-12;
    while inside(hi * 2.0) && hi < 1e12 {
        hi *= 2.0;
    }
    let mut lo = hi;
    hi *= 2.0;
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if inside(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let steps = 64;
    let pts: Vec<(f64, f64)> = (0..=steps)
        .map(|k| {
            let (s, t) = at(lo * k as f64 / steps as f64);
            frame.px(s, t)
        })
        .collect();
    let mut d = String::new();
    for (k, (x, y)) in pts.iter().enumerate() {
        let _ = write!(d, "{}{x:.2} {y:.2} ", if k == 0 { "M" } else { "L" });
    }
    let (xe, ye) = pts[steps];
    let (xp, yp) = pts[steps - 1];
    let (dx, dy) = (xe - xp, ye - yp);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let head = 12.0;
    let (bx, by) = (xe - head * ux, ye - head * uy);
    let (l, rr) = (
        (bx - 0.5 * head * uy, by + 0.5 * head * ux),
        (bx + 0.5 * head * uy, by - 0.5 * head * ux),
    );
    format!(
        "<g class=\"descent\"><path d=\"{}\" fill=\"none\" stroke=\"{DESCENT_COLOUR}\" stroke-width=\"3\"/><path d=\"M{xe:.2} {ye:.2} L{:.2} {:.2} L{:.2} {:.2} Z\" fill=\"{DESCENT_COLOUR}\"/></g>\n",
        d.trim_end(),
        l.0,
        l.1,
        rr.0,
        rr.1
    )
}

fn legend(pic: &Picture<'_>, lo: f64, hi: f64) -> String {
    let x = CHART_WIDTH as f64 + 10.0;
    let mut s = String::from("<g class=\"legend\" font-family=\"sans-serif\" font-size=\"12\">\n");
    let has = |want: &str| {
        pic.boundaries
            .iter()
            .filter(|b| b.drawable())
            .any(|b| match b.kind {
                BoundaryKind::PreActivation { .. } => want == "pre",
                BoundaryKind::Hinge { .. } => want == "hinge",
            })
    };
    // (colour, dash, text); an empty colour is the point's marker
    let mut items: Vec<(&str, &str, &str)> = Vec::new();
    if has("pre") {
        items.push((PRE_COLOUR, "", "pre-activation = 0"));
    }
    if has("hinge") {
        items.push((
            HINGE_COLOUR,
            " stroke-dasharray=\"6 4\"",
            "hinge argument = 0",
        ));
    }
    items.push(("#999999", "", "loss contours"));
    items.push(("", "", "the point (0, 0)"));
    if pic.arc.is_some() {
        items.push((DESCENT_COLOUR, "", "certificate's descent"));
    }
    let mut y = 60.0;
    for (colour, dash, text) in items {
        if colour.is_empty() {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"white\" stroke=\"black\" stroke-width=\"2\"/>",
                x + 13.0
            );
        } else {
            let _ = write!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"3\"{dash}/>",
                x + 26.0
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 34.0,
            y + 4.0,
            escape(text)
        );
        y += 22.0;
    }
    let _ = writeln!(
        s,
        "<text x=\"{x:.1}\" y=\"{:.1}\">directions: {}</text>",
        y + 8.0,
        escape(pic.source)
    );
    // colour bar: the loss from lo (bottom) to hi (top)
    let (top, height, steps) = (y + 50.0, 300.0, 60);
    let _ = writeln!(s, "<text x=\"{x:.1}\" y=\"{:.1}\">loss</text>", top - 10.0);
    for k in 0..steps {
        let v = hi - (hi - lo) * (k as f64 + 0.5) / steps as f64;
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.2}\" width=\"24\" height=\"{:.2}\" fill=\"{}\"/>",
            top + height * k as f64 / steps as f64,
            height / steps as f64 + 0.5,
            hex(colour(v, lo, hi))
        );
    }
    let label = |v: f64| short(&decimal_f64(v), 14);
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        x + 30.0,
        top + 10.0,
        label(hi)
    );
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
        x + 30.0,
        top + height,
        label(lo)
    );
    s.push_str("</g>\n");
    s
}

fn decimal_f64(v: f64) -> String {
    // the colour bar's ends are drawing aids; exact values are in --values
    match Q::from_float(v) {
        Some(q) => decimal(&q),
        None => format!("{v}"),
    }
}
