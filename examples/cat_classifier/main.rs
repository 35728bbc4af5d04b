//! The course's cat-vs-non-cat classifier on the real HDF5 data.
//!
//! ```text
//! cargo run --release --example cat_classifier -- train [--model deep|two-layer]
//!     [--layers 12288,20,7,5,1] [--iterations 2500] [--learning-rate 0.0075]
//!     [--init course|he] [--seed 1] [--f32] [--out model.h5] [--plot costs.png] [--data DIR]
//! cargo run --release --example cat_classifier -- evaluate --model model.h5 [--data DIR]
//! cargo run --release --example cat_classifier -- mislabeled --model model.h5 --out mislabeled.png
//! cargo run --release --example cat_classifier -- predict --model model.h5 IMAGE...
//! ```
//!
//! The data folder (holding `train_catvnoncat.h5` and `test_catvnoncat.h5`) comes from
//! `--data DIR`, else the `CATVNONCAT_DIR` environment variable. Every error is one line on
//! stderr and exit code 1.

mod images;
mod plot;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use tapegrad::data::{self, CatData};
use tapegrad::nn::{self, InitScale, Parameters};
use tapegrad::{Element, Tensor};

const USAGE: &str = "usage: cat_classifier <train|evaluate|mislabeled|predict> [options]
  train      [--model deep|two-layer] [--layers 12288,20,7,5,1] [--iterations 2500]
             [--learning-rate 0.0075] [--init course|he] [--seed 1] [--f32]
             [--out model.h5] [--plot costs.png] [--data DIR]
  evaluate   --model model.h5 [--data DIR]
  mislabeled --model model.h5 [--out mislabeled.png] [--data DIR]
  predict    --model model.h5 IMAGE...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(format!("no command given\n{USAGE}"));
    };
    let mut opts = Options::parse(rest)?;
    match command.as_str() {
        "train" => train(&mut opts),
        "evaluate" => evaluate(&mut opts),
        "mislabeled" => mislabeled(&mut opts),
        "predict" => predict(&mut opts),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command '{other}'\n{USAGE}")),
    }?;
    opts.finish()
}

/// `--name value` pairs, `--flag`s and positional arguments; each option is taken once by the
/// command that reads it, and anything left over is an error.
struct Options {
    pairs: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

const FLAGS: &[&str] = &["--f32"];

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let (mut pairs, mut positional) = (Vec::new(), Vec::new());
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if let Some((name, value)) = arg.split_once('=').filter(|_| arg.starts_with("--")) {
                pairs.push((name.to_string(), Some(value.to_string())));
            } else if FLAGS.contains(&arg.as_str()) {
                pairs.push((arg.clone(), None));
            } else if arg.starts_with("--") {
                let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
                pairs.push((arg.clone(), Some(value.clone())));
            } else {
                positional.push(arg.clone());
            }
        }
        Ok(Options { pairs, positional })
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let i = self.pairs.iter().position(|(n, _)| n == name)?;
        self.pairs.remove(i).1
    }

    fn flag(&mut self, name: &str) -> bool {
        let found = self.pairs.iter().any(|(n, _)| n == name);
        self.pairs.retain(|(n, _)| n != name);
        found
    }

    fn parsed<V: std::str::FromStr>(&mut self, name: &str, default: V) -> Result<V, String> {
        match self.take(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("{name}: cannot parse '{v}'")),
        }
    }

    fn finish(self) -> Result<(), String> {
        match self.pairs.first() {
            Some((name, _)) => Err(format!("unknown option {name} for this command\n{USAGE}")),
            None if !self.positional.is_empty() => Err(format!(
                "unexpected argument '{}'\n{USAGE}",
                self.positional[0]
            )),
            None => Ok(()),
        }
    }

    fn load_data(&mut self) -> Result<CatData, String> {
        let arg = self.take("--data").map(PathBuf::from);
        let dir = data::data_dir(arg.as_deref()).map_err(|e| e.to_string())?;
        data::load_catvnoncat(&dir).map_err(|e| e.to_string())
    }

    fn model_path(&mut self) -> Result<PathBuf, String> {
        self.take("--model")
            .map(PathBuf::from)
            .ok_or_else(|| format!("--model FILE is required\n{USAGE}"))
    }
}

/// The two architectures of the course's application, with their initializations.
#[derive(Clone, Copy, PartialEq)]
enum Model {
    TwoLayer,
    Deep,
}

fn train(opts: &mut Options) -> Result<(), String> {
    let model = match opts.take("--model").as_deref() {
        None | Some("deep") | Some("l-layer") => Model::Deep,
        Some("two-layer") => Model::TwoLayer,
        Some(other) => {
            return Err(format!(
                "--model: expected 'deep' or 'two-layer', got '{other}'"
            ))
        }
    };
    let layer_dims: Vec<usize> = match opts.take("--layers") {
        Some(list) => list
            .split(',')
            .map(|d| {
                d.trim()
                    .parse()
                    .map_err(|_| format!("--layers: '{d}' is not a layer size"))
            })
            .collect::<Result<_, _>>()?,
        None if model == Model::TwoLayer => vec![12288, 7, 1],
        None => vec![12288, 20, 7, 5, 1],
    };
    let iterations: usize = opts.parsed("--iterations", 2500)?;
    let learning_rate: f64 = opts.parsed("--learning-rate", 0.0075)?;
    let seed: u32 = opts.parsed("--seed", 1)?;
    let scale = match (opts.take("--init").as_deref(), model) {
        (None | Some("course"), Model::TwoLayer) => InitScale::Times(0.01),
        (None | Some("course"), Model::Deep) => InitScale::DivSqrtFanIn,
        (Some("he"), _) => InitScale::He,
        (Some(other), _) => {
            return Err(format!("--init: expected 'course' or 'he', got '{other}'"))
        }
    };
    let use_f32 = opts.flag("--f32");
    let out = PathBuf::from(opts.take("--out").unwrap_or_else(|| "model.h5".into()));
    let plot_path = PathBuf::from(opts.take("--plot").unwrap_or_else(|| "costs.png".into()));
    if layer_dims.len() < 2 || layer_dims[0] != 12288 || *layer_dims.last().unwrap() != 1 {
        return Err(format!(
            "--layers: the first size must be 12288 (64·64·3 pixel values) and the last 1, got {layer_dims:?}"
        ));
    }
    if !(learning_rate > 0.0 && learning_rate.is_finite()) {
        return Err(format!(
            "--learning-rate must be a positive number, got {learning_rate}"
        ));
    }
    let data = opts.load_data()?;
    let params =
        nn::initialize_parameters_deep(&layer_dims, seed, scale).map_err(|e| e.to_string())?;

    let started = Instant::now();
    let (params, costs) = if use_f32 {
        let (p, costs) =
            gradient_descent::<f32>(&data, params.cast(), iterations, learning_rate, model)?;
        (p.cast(), costs)
    } else {
        gradient_descent::<f64>(&data, params, iterations, learning_rate, model)?
    };
    let elapsed = started.elapsed();
    println!(
        "Trained {iterations} iterations in {:.2} s ({:.3} ms per iteration{})",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / iterations.max(1) as f64,
        if use_f32 { ", f32" } else { "" }
    );
    report_accuracy(&data, &params);

    if let Some(warning) = plot::cost_curve(&plot_path, &costs, learning_rate)? {
        eprintln!("warning: {warning}");
    }
    println!("Cost curve written to {}", plot_path.display());
    data::save_model(&out, &params).map_err(|e| e.to_string())?;
    println!("Model written to {}", out.display());
    Ok(())
}

/// Full-batch gradient descent on the training set; returns the trained parameters and the
/// costs recorded every 100 iterations.
fn gradient_descent<T: Element>(
    data: &CatData,
    mut params: Parameters<T>,
    iterations: usize,
    learning_rate: f64,
    model: Model,
) -> Result<(Parameters<T>, Vec<f64>), String> {
    // X is read as itself (W1·X) and transposed (dZ1·Xᵀ) every step: keep both layouts.
    let x: Tensor<T> = data.train.x.cast().with_both_layouts();
    let y: Tensor<T> = data.train.y.cast();
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(iterations as u64).with_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} iterations, cost {msg} [{elapsed_precise} < {eta}]",
            )
            .expect("a valid template"),
        )
    } else {
        ProgressBar::hidden()
    };
    let mut costs = Vec::new();
    for i in 0..iterations {
        let cost = nn::train_step(&mut params, &x, &y, T::from_f64(learning_rate))
            .map_err(|e| e.to_string())?
            .to_f64();
        if !cost.is_finite() {
            bar.abandon();
            return Err(format!(
                "training diverged: the cost became {cost} at iteration {i}; \
                 lower the learning rate (now {learning_rate}), e.g. --learning-rate {}",
                learning_rate / 10.0
            ));
        }
        if i % 100 == 0 {
            costs.push(cost);
            // The course prints the two-layer cost with Python's repr, the deep one with %f.
            let line = match model {
                Model::TwoLayer => format!("Cost after iteration {i}: {cost}"),
                Model::Deep => format!("Cost after iteration {i}: {cost:.6}"),
            };
            if bar.is_hidden() {
                println!("{line}");
            } else {
                bar.println(line);
            }
        }
        if i % 10 == 0 {
            bar.set_message(format!("{cost:.6}"));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((params, costs))
}

/// Old NumPy's `str` of a float (`%.12g`): 12 significant digits, trailing zeros dropped.
fn numpy_str(x: f64) -> String {
    let int_digits = if x.abs() >= 1.0 {
        x.abs().log10().floor() as usize + 1
    } else {
        0
    };
    let leading_zeros = if x != 0.0 && x.abs() < 1.0 {
        (-x.abs().log10()).floor() as usize
    } else {
        0
    };
    let decimals = (12 + leading_zeros).saturating_sub(int_digits);
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') {
        format!("{s}0")
    } else {
        s.to_string()
    }
}

fn report_accuracy(data: &CatData, params: &Parameters) {
    for (name, split) in [("Train", &data.train), ("Test", &data.test)] {
        let p = nn::predict(&split.x, params);
        let right = nn::accuracy(&p, &split.y);
        let m = split.num_examples();
        println!(
            "{name} accuracy: {} ({right}/{m})",
            numpy_str(right as f64 / m as f64)
        );
    }
}

fn load_model(path: &Path) -> Result<Parameters, String> {
    let saved = data::load_saved_model(path).map_err(|e| e.to_string())?;
    let params = saved.params;
    // The forward pass here is the course's: ReLU hidden layers, a sigmoid output.
    let course = data::course_activations(params.num_layers());
    if saved.activations != course {
        return Err(format!(
            "{}: the model's activations {:?} are not the course's {course:?}, which this program runs",
            path.display(),
            saved.activations
        ));
    }
    let dims = params.layer_dims();
    if dims.first() != Some(&12288) || dims.last() != Some(&1) {
        return Err(format!(
            "{}: the model's layer_dims {dims:?} do not fit the data: it must take 12288 pixel values and output 1 probability",
            path.display()
        ));
    }
    Ok(params)
}

fn evaluate(opts: &mut Options) -> Result<(), String> {
    let params = load_model(&opts.model_path()?)?;
    let data = opts.load_data()?;
    report_accuracy(&data, &params);
    for (name, split) in [("train", &data.train), ("test", &data.test)] {
        let p = nn::predict(&split.x, &params).to_vec();
        let y = split.y.to_vec();
        // counts[actual][predicted]
        let mut counts = [[0usize; 2]; 2];
        for (p, y) in p.iter().zip(&y) {
            counts[*y as usize][*p as usize] += 1;
        }
        println!("Confusion matrix ({name}): rows actual, columns predicted");
        println!("{:>16} {:>8} {:>8}", "", "non-cat", "cat");
        for (actual, row) in ["non-cat", "cat"].iter().zip(counts) {
            println!(
                "{:>16} {:>8} {:>8}",
                format!("actual {actual}"),
                row[0],
                row[1]
            );
        }
    }
    Ok(())
}

fn mislabeled(opts: &mut Options) -> Result<(), String> {
    let params = load_model(&opts.model_path()?)?;
    let out = PathBuf::from(
        opts.take("--out")
            .unwrap_or_else(|| "mislabeled.png".into()),
    );
    let data = opts.load_data()?;
    let test = &data.test;
    let p = nn::predict(&test.x, &params).to_vec();
    let class = |c: f64| {
        data.classes
            .get(c as usize)
            .cloned()
            .unwrap_or_else(|| format!("class {c}"))
    };
    let tiles: Vec<images::Tile> = (0..test.num_examples())
        .filter(|&j| p[j] != test.y.get(&[0, j]))
        .map(|j| images::Tile {
            pixels: test.image(j).expect("index within the split"),
            caption: format!(
                "Prediction: {}\nClass: {}",
                class(p[j]),
                class(test.y.get(&[0, j]))
            ),
        })
        .collect();
    if let Some(warning) = images::tile_grid(&out, &tiles)? {
        eprintln!("warning: {warning}");
    }
    println!(
        "{} mislabeled test images written to {}",
        tiles.len(),
        out.display()
    );
    Ok(())
}

fn predict(opts: &mut Options) -> Result<(), String> {
    let params = load_model(&opts.model_path()?)?;
    let files = std::mem::take(&mut opts.positional);
    if files.is_empty() {
        return Err(format!("predict needs at least one image file\n{USAGE}"));
    }
    for file in files {
        let path = PathBuf::from(&file);
        let pixels = images::load_as_course_image(&path)?;
        // The course's own-image cell: reshape to (64·64·3, 1) in C order, then / 255.
        let x = Tensor::from_vec(
            pixels.iter().map(|&v| f64::from(v) / 255.0).collect(),
            &[pixels.len(), 1],
        )
        .map_err(|e| e.to_string())?;
        let prob = nn::model::probabilities(&x, &params).item();
        let label = if prob > 0.5 { "cat" } else { "non-cat" };
        println!("{file}: {prob:.4} {label}");
    }
    Ok(())
}
