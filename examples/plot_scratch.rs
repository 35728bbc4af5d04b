#[path = "cat_classifier/images.rs"]
mod images;
#[path = "cat_classifier/plot.rs"]
mod plot;
use std::path::Path;

fn main() {
    if let Some(a) = std::env::args().nth(1) { let v: Vec<u32> = std::env::args().skip(2).map(|s| s.parse().unwrap()).collect(); let img = image::open(&a).unwrap().to_rgb8(); let c = image::imageops::crop_imm(&img, v[0], v[1], v[2], v[3]).to_image(); image::imageops::resize(&c, v[2]*4, v[3]*4, image::imageops::FilterType::Nearest).save("/tmp/pc/crop.png").unwrap(); return; }
    let costs: Vec<f64> = (0..25).map(|i| 0.1 + 0.6 * (-(i as f64) / 4.0).exp()).collect();
    println!("{:?}", plot::cost_curve(Path::new("/tmp/pc/costs.png"), &costs, 0.0075));
    println!("{:?}", plot::cost_curve(Path::new("/tmp/pc/flat.png"), &[0.5], 1e-5));
    println!("{:?}", plot::cost_curve(Path::new("/tmp/pc/empty.png"), &[], 1.0));
    println!("{:?}", plot::cost_curve(Path::new("/tmp/pc/nan.png"), &[0.7, f64::NAN, 0.3, f64::INFINITY, 0.2], 2.0));
    println!("{:?}", plot::cost_curve(Path::new("/tmp/pc/nodir/x.png"), &costs, 0.0075));
    println!("{:?}", plot::cost_curve(Path::new("/proc/x.png"), &costs, 0.0075));
    // tiles: gradients + a real photo-ish pattern
    let imgs: Vec<Vec<u8>> = (0..10)
        .map(|k| {
            (0..64 * 64 * 3)
                .map(|i| {
                    let (r, c, ch) = (i / 192, (i / 3) % 64, i % 3);
                    [(r * 4) as u8, (c * 4) as u8, (k * 25) as u8][ch]
                })
                .collect()
        })
        .collect();
    let tiles: Vec<images::Tile> = imgs
        .iter()
        .enumerate()
        .map(|(k, p)| images::Tile {
            pixels: p,
            caption: format!("Prediction: {}\nClass: {}", if k % 2 == 0 { "cat" } else { "non-cat" }, if k % 2 == 1 { "cat" } else { "non-cat" }),
        })
        .collect();
    println!("{:?}", images::tile_grid(Path::new("/tmp/pc/grid.png"), &tiles));
    println!("{:?}", images::tile_grid(Path::new("/tmp/pc/grid3.png"), &tiles[..3]));
    println!("{:?}", images::tile_grid(Path::new("/tmp/pc/grid0.png"), &[]));
    println!("{:?}", images::tile_grid(Path::new("/tmp/pc/bad.png"), &[images::Tile { pixels: &[1, 2, 3], caption: "x".into() }]));
    for f in ["/tmp/pc/grid.png", "/tmp/pc/missing.png", "/tmp/pc/fake.jpg", "/tmp/pc/trunc.png", "/tmp/pc/big.jpg", "/tmp/pc/ga.png"] {
        match images::load_as_course_image(Path::new(f)) {
            Ok(v) => println!("{f}: {} bytes, first {:?}", v.len(), &v[..6]),
            Err(e) => println!("{e}"),
        }
    }
}
#[allow(dead_code)]
fn crop() {}
