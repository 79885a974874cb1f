//! `plot()`: points drawn as a line with one mark per point, written as PNG or SVG by the
//! `plotters` crate (no external program).
//!
//! The SVG has axis labels (text is SVG's to draw); the PNG has axes and a grid without
//! labels, since drawing text into a bitmap would need a font file on the machine.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

/// The image formats `plot()` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a file name asks for (`.svg`, else PNG).
    pub fn for_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("svg") => Format::Svg,
            _ => Format::Png,
        }
    }
}

/// The colour of the marks (tests find the marks by it).
pub const MARK: RGBColor = RGBColor(214, 39, 40);
/// The colour of the line through the points.
pub const LINE: RGBColor = RGBColor(31, 119, 180);
/// The image size.
pub const SIZE: (u32, u32) = (800, 600);
/// The radius of a mark, in pixels.
pub const MARK_RADIUS: i32 = 3;

/// A range around `lo..hi` with a margin, never empty.
fn padded(lo: f64, hi: f64) -> Range<f64> {
    let span = hi - lo;
    let margin = if span > 0.0 {
        span * 0.05
    } else {
        lo.abs().max(1.0) * 0.5
    };
    (lo - margin)..(hi + margin)
}

/// Draws `points` into `target`.
pub fn plot(points: &[(f64, f64)], target: &Path, format: Format) -> Result<(), String> {
    if let Some((x, y)) = points
        .iter()
        .find(|(x, y)| !x.is_finite() || !y.is_finite())
    {
        return Err(format!(
            "cannot plot the point ({x}, {y}): not a finite number"
        ));
    }
    let err =
        |e: &dyn std::fmt::Display| format!("cannot write the plot to {}: {e}", target.display());
    match format {
        Format::Png => {
            let root = BitMapBackend::new(target, SIZE).into_drawing_area();
            draw(&root, points, false).map_err(|e| err(&e))?;
            root.present().map_err(|e| err(&e))
        }
        Format::Svg => {
            let root = SVGBackend::new(target, SIZE).into_drawing_area();
            draw(&root, points, true).map_err(|e| err(&e))?;
            root.present().map_err(|e| err(&e))
        }
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    labels: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let lo_hi = |f: fn(&(f64, f64)) -> f64| {
        points
            .iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (x0, x1) = if points.is_empty() {
        (0.0, 1.0)
    } else {
        lo_hi(|p| p.0)
    };
    let (y0, y1) = if points.is_empty() {
        (0.0, 1.0)
    } else {
        lo_hi(|p| p.1)
    };
    let mut builder = ChartBuilder::on(root);
    builder.margin(20);
    if labels {
        builder.x_label_area_size(40).y_label_area_size(60);
    }
    let mut chart = builder.build_cartesian_2d(padded(x0, x1), padded(y0, y1))?;
    if labels {
        chart.configure_mesh().draw()?;
    } else {
        // Grid and axes as plain lines: no text in a bitmap.
        let area = chart.plotting_area();
        let (xr, yr) = (padded(x0, x1), padded(y0, y1));
        let grey = RGBColor(220, 220, 220);
        for i in 0..=10 {
            let x = xr.start + (xr.end - xr.start) * f64::from(i) / 10.0;
            let y = yr.start + (yr.end - yr.start) * f64::from(i) / 10.0;
            area.draw(&PathElement::new(vec![(x, yr.start), (x, yr.end)], grey))?;
            area.draw(&PathElement::new(vec![(xr.start, y), (xr.end, y)], grey))?;
        }
        area.draw(&PathElement::new(
            vec![(xr.start, yr.end), (xr.start, yr.start), (xr.end, yr.start)],
            BLACK,
        ))?;
    }
    chart.draw_series(LineSeries::new(points.iter().copied(), LINE))?;
    chart.draw_series(
        points
            .iter()
            .map(|p| Circle::new(*p, MARK_RADIUS, MARK.filled())),
    )?;
    Ok(())
}
