//! Drawing a profile (the exact loss along a certificate's ray or arc) as SVG.
//!
//! Owns: the line plot with `t` on the x axis, the dashed level of the loss
//! at the point, the certificate's lower point marked; the polyline carries
//! `class="profile"` (written after plotters' output).
//!
//! Must not: compute anything but pixels: the values are exact from
//! `relucert::slice::profile`.

use super::super::output::with_decimal;
use super::draw::{f, short};
use plotters::prelude::*;
use relucert::number::Q;
use relucert::slice::Profile;
use std::fmt::Write as _;

const WIDTH: u32 = 800;
const HEIGHT: u32 = 520;

/// The SVG of a profile.
pub fn svg(name: &str, cert_file: &str, prof: &Profile, lower_t: &Q) -> String {
    let mut buf = String::new();
    let ts: Vec<f64> = prof.ts.iter().map(f).collect();
    let vs: Vec<f64> = prof.values.iter().map(f).collect();
    let t_max = ts.last().copied().unwrap_or(1.0);
    let lo = vs.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = vs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let pad = if hi > lo { 0.08 * (hi - lo) } else { 0.5 };
    let (ylo, yhi) = (lo - pad, hi + pad);
    let at0 = prof.values.first().cloned().unwrap_or_default();
    let mut frame = None;
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let drawn = (|| -> Result<(), Box<dyn std::error::Error>> {
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(
                    format!(
                        "{}: loss along the descent of {}",
                        short(name, 50),
                        short(cert_file, 40)
                    ),
                    ("sans-serif", 17),
                )
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(80)
                .build_cartesian_2d(0.0..t_max, ylo..yhi)?;
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .x_desc("t (the certificate's arc or ray parameter)")
                .y_desc("exact loss")
                .axis_desc_style(("sans-serif", 14))
                .label_style(("sans-serif", 12))
                .draw()?;
            let l0 = f(&at0);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, l0), (t_max, l0)],
                BLACK.mix(0.5).stroke_width(1),
            )))?;
            frame = Some(chart.plotting_area().get_pixel_range());
            root.present()?;
            Ok(())
        })();
        if let Err(e) = drawn {
            return format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\"><text x=\"20\" y=\"40\">{}</text></svg>\n",
                e.to_string().replace('<', "&lt;").replace('&', "&amp;")
            );
        }
    }
    let Some((xr, yr)) = frame else {
        return buf;
    };
    let px = |t: f64, v: f64| {
        (
            xr.start as f64 + t / t_max * (xr.end - xr.start) as f64,
            yr.end as f64 - (v - ylo) / (yhi - ylo) * (yr.end - yr.start) as f64,
        )
    };
    let mut extra = String::new();
    let mut d = String::new();
    for (k, (t, v)) in ts.iter().zip(&vs).enumerate() {
        let (x, y) = px(*t, *v);
        let _ = write!(d, "{}{x:.2} {y:.2} ", if k == 0 { "M" } else { "L" });
    }
    let _ = writeln!(
        extra,
        "<path class=\"profile\" d=\"{}\" fill=\"none\" stroke=\"#1f4e9c\" stroke-width=\"2.5\"/>",
        d.trim_end()
    );
    let lt = f(lower_t);
    if lt <= t_max {
        let (x, y0) = px(lt, ylo);
        let (_, y1) = px(lt, yhi);
        let _ = writeln!(
            extra,
            "<line class=\"lower-point\" x1=\"{x:.2}\" y1=\"{y0:.2}\" x2=\"{x:.2}\" y2=\"{y1:.2}\" stroke=\"#ff8c00\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>"
        );
        let _ = writeln!(
            extra,
            "<text x=\"{:.2}\" y=\"{:.2}\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#b35f00\">certificate's lower point t = {}</text>",
            x + 4.0,
            y1 + 14.0,
            short(&with_decimal(lower_t), 40).replace('&', "&amp;").replace('<', "&lt;")
        );
    }
    let (x0, y0) = px(0.0, f(&at0));
    let _ = writeln!(
        extra,
        "<text x=\"{:.2}\" y=\"{:.2}\" font-family=\"sans-serif\" font-size=\"12\">L(0) = {}</text>",
        x0 + 6.0,
        y0 - 6.0,
        short(&with_decimal(&at0), 50).replace('&', "&amp;").replace('<', "&lt;")
    );
    match buf.rfind("</svg>") {
        Some(end) => buf.insert_str(end, &extra),
        None => buf.push_str(&extra),
    }
    buf
}
