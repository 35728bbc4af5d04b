//! Images in and out: decoding a user's photo the way the course does, and the PNG grid of
//! mislabeled test images (the course's `print_mislabeled_images`).

use anyhow::{anyhow, Context};

use crate::common::plot::{load_font, write_png, FONT};
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// The course's images are `SIDE` x `SIDE` RGB.
pub const SIDE: usize = 64;
/// Each image is drawn this many times larger in the grid, so it can be seen.
const SCALE: u32 = 3;
/// At most this many images per row, so the grid stays narrow enough for a screen.
const MAX_COLUMNS: usize = 8;
/// White space around each image, in pixels.
const PAD: u32 = 12;
/// Caption font size, in pixels.
const FONT_SIZE: u32 = 15;
/// Distance between caption lines, in pixels: the font size plus a little air.
const LINE: u32 = 19;

/// One RGB image with its caption.
pub struct Tile<'a> {
    /// `SIDE * SIDE * 3` bytes in (row, column, channel) order — the course's layout.
    pub pixels: &'a [u8],
    /// Text drawn above the image, like the course's subplot titles; `\n` separates lines.
    pub caption: String,
}

/// Writes `tiles` to `path` as a PNG grid: each image scaled up 3x (nearest neighbour, so
/// the pixels the model saw stay visible) under its caption, at most 8 per row. Returns a
/// warning to print if no font was found and the grid therefore has no captions.
pub fn tile_grid(path: &Path, tiles: &[Tile]) -> anyhow::Result<Option<String>> {
    let font = load_font();
    // Rows first, then balance them: 10 images make 2 rows of 5 rather than 8 + 2.
    let rows = tiles.len().div_ceil(MAX_COLUMNS).max(1);
    let cols = tiles.len().div_ceil(rows).max(1);
    let lines = tiles
        .iter()
        .map(|t| t.caption.lines().count())
        .max()
        .unwrap_or(0) as u32;
    let caption_h = if font.is_ok() { lines * LINE } else { 0 };
    let side = SIDE as u32 * SCALE;
    let (cell_w, cell_h) = (side + 2 * PAD, caption_h + side + 2 * PAD);
    let (width, height) = (cols as u32 * cell_w, rows as u32 * cell_h);

    let mut canvas = RgbImage::from_pixel(width, height, Rgb([255, 255, 255]));
    let corner = |k: usize| ((k % cols) as u32 * cell_w, (k / cols) as u32 * cell_h);
    for (k, tile) in tiles.iter().enumerate() {
        if tile.pixels.len() != SIDE * SIDE * 3 {
            return Err(anyhow!(
                "{}: image {k} has {} bytes, not {SIDE}x{SIDE}x3 = {}",
                path.display(),
                tile.pixels.len(),
                SIDE * SIDE * 3
            ));
        }
        let image = RgbImage::from_raw(SIDE as u32, SIDE as u32, tile.pixels.to_vec())
            .expect("the length was checked above");
        let big = imageops::resize(&image, side, side, FilterType::Nearest);
        let (x, y) = corner(k);
        imageops::replace(
            &mut canvas,
            &big,
            (x + PAD).into(),
            (y + PAD + caption_h).into(),
        );
    }

    if font.is_ok() {
        // plotters draws the text straight onto the pixels already in `canvas`.
        let root = BitMapBackend::with_buffer(&mut canvas, (width, height)).into_drawing_area();
        let style = (FONT, FONT_SIZE)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (k, tile) in tiles.iter().enumerate() {
            let (x, y) = corner(k);
            // plotters' text ignores '\n', so each line is drawn on its own.
            for (i, line) in tile.caption.lines().enumerate() {
                let at = (
                    (x + cell_w / 2) as i32,
                    (y + PAD / 2 + i as u32 * LINE) as i32,
                );
                root.draw_text(line, &style, at)
                    .map_err(|e| anyhow!("{}: cannot draw caption: {e}", path.display()))?;
            }
        }
        root.present()
            .map_err(|e| anyhow!("{}: cannot draw captions: {e}", path.display()))?;
    }
    write_png(path, &canvas, width, height)?;
    Ok(font
        .err()
        .map(|w| format!("{w}; {} has no captions", path.display())))
}

/// Reads any JPEG or PNG (recognised by its content, not its extension), converts it to RGB
/// and resizes it to 64x64 with a bilinear (triangle) filter, as the course's
/// `scipy.misc.imresize` does. Returns the 12288 bytes in (row, column, channel) order, the
/// layout of the course's data set.
pub fn load_as_course_image(path: &Path) -> anyhow::Result<Vec<u8>> {
    let image = image::ImageReader::open(path)
        .with_context(|| format!("{}: cannot open", path.display()))?
        .with_guessed_format()
        .with_context(|| format!("{}: cannot read", path.display()))?
        .decode()
        .with_context(|| format!("{}: cannot decode image", path.display()))?
        .to_rgb8();
    let side = SIDE as u32;
    if image.dimensions() == (side, side) {
        // Already the right size: keep the pixels exactly as they are.
        return Ok(image.into_raw());
    }
    Ok(imageops::resize(&image, side, side, FilterType::Triangle).into_raw())
}
