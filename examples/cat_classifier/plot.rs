//! The cost curve PNG, plus the two helpers both pictures share: finding a font and
//! writing a PNG safely.
//!
//! plotters renders into an in-memory RGB buffer and the `image` crate encodes it, so the
//! example needs no system libraries. Text needs a TrueType font file; without one the
//! pictures are still drawn, just without any text.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use plotters::prelude::*;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context;
use tapegrad::io::write_atomically;

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
fn python_str(x: f64) -> String {
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

/// The course's cost plot: `costs` (one recorded every 100 iterations) against
/// "iterations (per hundreds)", ylabel "cost", title "Learning rate =0.0075", written to
/// `path` as a 640x480 PNG (matplotlib's default size). Returns a warning to print if no
/// font was found and the plot therefore has no text.
pub fn cost_curve(
    path: &Path,
    costs: &[f64],
    learning_rate: f64,
) -> anyhow::Result<Option<String>> {
    let (width, height) = (640, 480);
    let font = load_font();
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    draw_cost_curve(
        &mut rgb,
        (width, height),
        costs,
        learning_rate,
        font.is_ok(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .with_context(|| format!("{}: cannot draw plot", path.display()))?;
    write_png(path, &rgb, width, height)?;
    Ok(font
        .err()
        .map(|w| format!("{w}; {} has no labels", path.display())))
}

/// Draws the cost curve into `rgb`; split from [`cost_curve`] so `?` works on plotters'
/// errors. Non-finite costs (a diverged run) are left out rather than breaking the axes.
fn draw_cost_curve(
    rgb: &mut [u8],
    size: (u32, u32),
    costs: &[f64],
    learning_rate: f64,
    text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&WHITE)?;
    let points: Vec<(usize, f64)> = costs
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| c.is_finite())
        .collect();
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = match (lo, hi) {
        _ if points.is_empty() => (0.0, 1.0),
        // A flat curve still needs a y range of nonzero height.
        (lo, hi) if hi == lo => (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0)),
        (lo, hi) => (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)),
    };
    let last = costs.len().saturating_sub(1).max(1);

    let mut chart = ChartBuilder::on(&root);
    chart.margin(20);
    if text {
        chart
            .caption(
                format!("Learning rate ={}", python_str(learning_rate)),
                (FONT, 22),
            )
            .x_label_area_size(50)
            .y_label_area_size(70);
    }
    let mut chart = chart.build_cartesian_2d(0..last, lo..hi)?;
    if text {
        chart
            .configure_mesh()
            .disable_mesh() // matplotlib's default has no grid
            .x_desc("iterations (per hundreds)")
            .y_desc("cost")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 17))
            .draw()?;
    } else {
        // The mesh's tick labels are text, which plotters cannot draw without a font
        // (and asking it for zero labels makes it loop forever), so draw the two axes
        // as a plain line in data coordinates instead.
        chart.draw_series(LineSeries::new([(0, hi), (0, lo), (last, lo)], &BLACK))?;
    }
    let blue = RGBColor(0x1f, 0x77, 0xb4); // matplotlib's first line colour
    chart.draw_series(LineSeries::new(points, blue.stroke_width(2)))?;
    root.present()?;
    Ok(())
}
