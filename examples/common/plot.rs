//! The examples' pictures: cost curves, decision boundaries, and the two helpers every
//! picture needs (finding a font, writing a PNG atomically).
//!
//! plotters renders into an in-memory RGB buffer and the `image` crate encodes it, so the
//! examples need no system libraries. Text needs a TrueType font file; without one the
//! pictures are still drawn, just without any text, and the caller gets a warning to print.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context;
use tapegrad::io::write_atomically;
use tapegrad::Tensor;

/// The font family name our text styles ask for; [`load_font`] registers the font under it.
pub const FONT: &str = "sans-serif";

/// Where common systems keep a plain sans-serif TrueType font (Debian/Ubuntu, Fedora, Arch,
/// macOS, Windows), in order of preference.
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Makes a TrueType font available to plotters, once per run: the file named by the
/// `TAPEGRAD_FONT` environment variable if set, else the first of [`FONT_PATHS`] that
/// exists. `Err` holds a warning for the user; the pictures must then be drawn without text,
/// since plotters fails on any text when no font is registered.
pub fn load_font() -> Result<(), String> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let candidates: Vec<String> = match std::env::var("TAPEGRAD_FONT") {
                // An explicit choice is the only candidate, so a typo is reported, not
                // silently replaced by another font.
                Ok(path) => vec![path],
                Err(_) => FONT_PATHS.iter().map(|p| p.to_string()).collect(),
            };
            for path in &candidates {
                let Ok(bytes) = fs::read(path) else { continue };
                // plotters keeps the font for the rest of the run, so it wants `'static`
                // bytes: leaking this one buffer (done at most once) is the simple way.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font(FONT, FontStyle::Normal, bytes).is_ok() {
                    return Ok(());
                }
            }
            Err(match std::env::var("TAPEGRAD_FONT") {
                Ok(path) => format!("TAPEGRAD_FONT={path} is not a readable TrueType font"),
                Err(_) => "no TrueType font found (install fonts-dejavu-core, or set \
                           TAPEGRAD_FONT to a .ttf file)"
                    .to_string(),
            })
        })
        .clone()
}

/// Encodes a `width` x `height` RGB buffer as a PNG at `path`, atomically
/// ([`tapegrad::io::write_atomically`]): a failure never leaves a half-written PNG behind.
pub fn write_png(path: &Path, rgb: &[u8], width: u32, height: u32) -> anyhow::Result<()> {
    write_atomically(path, |tmp| {
        let mut out = BufWriter::new(File::create(tmp).map_err(|e| e.to_string())?);
        PngEncoder::new(&mut out)
            .write_image(rgb, width, height, ExtendedColorType::Rgb8)
            .map_err(|e| format!("cannot encode PNG: {e}"))?;
        out.flush().map_err(|e| format!("cannot write PNG: {e}"))
    })?;
    Ok(())
}

/// Formats a float the way Python's `str()` does (`0.0075` -> `"0.0075"`, `1.0` -> `"1.0"`,
/// `1e-05` -> `"1e-05"`), so the title reads exactly like the course's.
pub fn python_str(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string(); // Rust says "NaN"; "inf" and "-inf" already agree
    }
    if x.is_infinite() {
        return x.to_string();
    }
    // Rust and Python both print the shortest digits that read back as `x`; they differ
    // only in when they switch to scientific notation and how they write the exponent.
    let sci = format!("{x:e}"); // e.g. "7.5e-3"
    let (digits, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes an integer exponent");
    if (-4..16).contains(&exp) {
        let plain = x.to_string();
        if plain.contains('.') {
            plain
        } else {
            plain + ".0"
        }
    } else {
        format!(
            "{digits}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// One line of a [`line_chart`]: its legend label and its values, drawn at x = 0, 1, 2, ….
pub struct Curve {
    /// The legend entry (ignored when the chart has one curve).
    pub label: String,
    /// The y values.
    pub values: Vec<f64>,
}

/// The labels of a chart.
pub struct Labels<'a> {
    /// Above the chart.
    pub title: &'a str,
    /// Under the x axis.
    pub x: &'a str,
    /// Beside the y axis.
    pub y: &'a str,
}

/// matplotlib's default colour cycle, so the curves look like the course's.
const CYCLE: [RGBColor; 7] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
];

/// The course's cost plot: `costs` (one recorded every 100 iterations) against
/// "iterations (per hundreds)", ylabel "cost", title "Learning rate =0.0075", as a 640x480
/// PNG (matplotlib's default size). Returns a warning to print if the plot has no text.
pub fn cost_curve(
    path: &Path,
    costs: &[f64],
    learning_rate: f64,
) -> anyhow::Result<Option<String>> {
    let title = format!("Learning rate ={}", python_str(learning_rate));
    let labels = Labels {
        title: &title,
        x: "iterations (per hundreds)",
        y: "cost",
    };
    let curves = [Curve {
        label: String::new(),
        values: costs.to_vec(),
    }];
    line_chart(path, &labels, &curves)
}

/// Curves against their index, 640x480, with a legend when there is more than one. Returns a
/// warning to print if no font was found and the chart therefore has no text.
pub fn line_chart(
    path: &Path,
    labels: &Labels,
    curves: &[Curve],
) -> anyhow::Result<Option<String>> {
    let longest = curves.iter().map(|c| c.values.len()).max().unwrap_or(0);
    let last = longest.saturating_sub(1).max(1);
    let series: Vec<(&str, Vec<(usize, f64)>)> = curves
        .iter()
        .map(|c| {
            (
                c.label.as_str(),
                c.values.iter().copied().enumerate().collect(),
            )
        })
        .collect();
    render(path, (640, 480), |rgb, size, text| {
        draw_curves(rgb, size, labels, (0, last), &series, text)
    })
}

/// One line of an [`xy_chart`]: its legend label and its `(x, y)` points.
pub struct XyCurve {
    /// The legend entry (ignored when the chart has one curve).
    pub label: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
}

/// Curves of `(x, y)` points (e.g. cost against wall time) from x = 0, 640x480, with a legend
/// when there is more than one. Returns a warning to print if no font was found and the chart
/// therefore has no text.
pub fn xy_chart(
    path: &Path,
    labels: &Labels,
    curves: &[XyCurve],
) -> anyhow::Result<Option<String>> {
    let x_max = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|&(x, _)| x))
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let series: Vec<(&str, Vec<(f64, f64)>)> = curves
        .iter()
        .map(|c| (c.label.as_str(), c.points.clone()))
        .collect();
    render(path, (640, 480), |rgb, size, text| {
        draw_curves(
            rgb,
            size,
            labels,
            (0.0, x_max.max(1e-9) * 1.02),
            &series,
            text,
        )
    })
}

/// Draws a `size` picture with `draw` and writes it to `path` as a PNG. Returns a warning to
/// print if no font was found and the picture therefore has no text.
fn render(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&mut [u8], (u32, u32), bool) -> Result<(), Box<dyn std::error::Error>>,
) -> anyhow::Result<Option<String>> {
    let font = load_font();
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    draw(&mut rgb, size, font.is_ok())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("{}: cannot draw plot", path.display()))?;
    write_png(path, &rgb, size.0, size.1)?;
    Ok(font
        .err()
        .map(|w| format!("{w}; {} has no labels", path.display())))
}

/// Draws the curves into `rgb` over x in `x_range`; split from the charts so `?` works on
/// plotters' errors. Non-finite values (a diverged run) are left out rather than breaking the
/// axes.
fn draw_curves<X>(
    rgb: &mut [u8],
    size: (u32, u32),
    labels: &Labels,
    (x0, x1): (X, X),
    curves: &[(&str, Vec<(X, f64)>)],
    text: bool,
) -> Result<(), Box<dyn std::error::Error>>
where
    X: Copy + PartialOrd + 'static,
    std::ops::Range<X>: AsRangedCoord<Value = X>,
    <std::ops::Range<X> as AsRangedCoord>::CoordDescType: ValueFormatter<X>,
{
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = padded_range(curves.iter().flat_map(|(_, p)| p.iter().map(|&(_, y)| y)));
    let mut chart = ChartBuilder::on(&root);
    chart.margin(20);
    if text {
        chart
            .caption(labels.title, (FONT, 22))
            .x_label_area_size(50)
            .y_label_area_size(70);
    }
    let mut chart = chart.build_cartesian_2d(x0..x1, lo..hi)?;
    if text {
        chart
            .configure_mesh()
            .disable_mesh() // matplotlib's default has no grid
            .x_desc(labels.x)
            .y_desc(labels.y)
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 17))
            .draw()?;
    } else {
        // The mesh's tick labels are text, which plotters cannot draw without a font (and
        // asking it for zero labels makes it loop forever), so draw the two axes as a plain
        // line in data coordinates instead.
        chart.draw_series(LineSeries::new([(x0, hi), (x0, lo), (x1, lo)], &BLACK))?;
    }
    for (k, (label, points)) in curves.iter().enumerate() {
        let color = CYCLE[k % CYCLE.len()];
        let finite = points.iter().copied().filter(|(_, y)| y.is_finite());
        let series = chart.draw_series(LineSeries::new(finite, color.stroke_width(2)))?;
        if text && curves.len() > 1 {
            series.label(*label).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
            });
        }
    }
    if text && curves.len() > 1 {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 14))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// The range of the finite values, padded by 5 % (a flat curve still gets a nonzero height).
fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    match (lo, hi) {
        _ if lo > hi => (0.0, 1.0),
        (lo, hi) if hi == lo => (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0)),
        (lo, hi) => (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)),
    }
}

/// One panel of [`decision_boundaries`]: the points of a 2-D data set and the model's class
/// over the plane.
pub struct Panel<'a> {
    /// The panel's title.
    pub title: String,
    /// The points, `(2, n)`.
    pub x: &'a Tensor,
    /// Their labels, `(1, n)`, 0 or 1.
    pub y: &'a Tensor,
    /// The model: points `(2, k)` to predicted labels `(1, k)` of 0s and 1s.
    pub predict: Box<dyn Fn(&Tensor) -> Tensor + 'a>,
}

/// The class colours: the ends of matplotlib's `Spectral` map (the course's `cmap`), and
/// lighter versions for the regions.
const CLASS_POINT: [RGBColor; 2] = [RGBColor(0x9e, 0x01, 0x42), RGBColor(0x5e, 0x4f, 0xa2)];
const CLASS_REGION: [RGBColor; 2] = [RGBColor(0xf6, 0xb8, 0x9c), RGBColor(0xb4, 0xc8, 0xe6)];

/// The course's `plot_decision_boundary`, one panel per model, `cols` per row: the plane from
/// each axis's minimum − 1 to maximum + 1 coloured by the predicted class, the points on top
/// coloured by their label. Each panel is 480x400. Returns a warning to print if no font was
/// found and the picture therefore has no text.
pub fn decision_boundaries(
    path: &Path,
    panels: &[Panel],
    cols: usize,
) -> anyhow::Result<Option<String>> {
    let cols = cols.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    let size = (480 * cols as u32, 400 * rows as u32);
    render(path, size, |rgb, size, text| {
        draw_boundaries(rgb, size, panels, (rows, cols), text)
    })
}

/// Cells per axis of the predicted region.
const GRID: usize = 200;

fn draw_boundaries(
    rgb: &mut [u8],
    size: (u32, u32),
    panels: &[Panel],
    (rows, cols): (usize, usize),
    text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, panel) in root.split_evenly((rows, cols)).iter().zip(panels) {
        let xs = panel.x.to_vec();
        let n = panel.x.shape()[1];
        let (x1, x2) = (&xs[..n], &xs[n..]);
        let range = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min) - 1.0;
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 1.0;
            (lo, hi)
        };
        let ((ax, bx), (ay, by)) = (range(x1), range(x2));
        let (hx, hy) = ((bx - ax) / GRID as f64, (by - ay) / GRID as f64);
        // Cell centres, row-major: (x1, x2) for every cell.
        let mut grid = vec![0.0; 2 * GRID * GRID];
        for r in 0..GRID {
            for c in 0..GRID {
                grid[r * GRID + c] = ax + (c as f64 + 0.5) * hx;
                grid[GRID * GRID + r * GRID + c] = ay + (r as f64 + 0.5) * hy;
            }
        }
        let classes = (panel.predict)(&Tensor::from_vec(grid, &[2, GRID * GRID])?).to_vec();

        let mut chart = ChartBuilder::on(area);
        chart.margin(12);
        if text {
            chart
                .caption(&panel.title, (FONT, 18))
                .x_label_area_size(35)
                .y_label_area_size(45);
        }
        let mut chart = chart.build_cartesian_2d(ax..bx, ay..by)?;
        chart.draw_series((0..GRID * GRID).map(|k| {
            let (r, c) = (k / GRID, k % GRID);
            let (x0, y0) = (ax + c as f64 * hx, ay + r as f64 * hy);
            let color = CLASS_REGION[usize::from(classes[k] == 1.0)];
            Rectangle::new([(x0, y0), (x0 + hx, y0 + hy)], color.filled())
        }))?;
        if text {
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc("x1")
                .y_desc("x2")
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 14))
                .draw()?;
        }
        let labels = panel.y.to_vec();
        chart.draw_series((0..n).map(|j| {
            let color = CLASS_POINT[usize::from(labels[j] == 1.0)];
            Circle::new((x1[j], x2[j]), 3, color.filled())
        }))?;
    }
    root.present()?;
    Ok(())
}
