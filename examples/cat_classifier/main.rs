//! The course's cat-vs-non-cat classifier on the real HDF5 data.
//!
//! ```text
//! cargo run --release --example cat_classifier -- train            # the course's 4-layer model
//! cargo run --release --example cat_classifier -- train --optimizer adam --batch-size 64 --epochs 100
//! cargo run --release --example cat_classifier -- evaluate --model model.h5
//! cargo run --release --example cat_classifier -- mislabeled --model model.h5 --out mislabeled.png
//! cargo run --release --example cat_classifier -- predict --model model.h5 data/images/my_image.jpg
//! cargo run --release --example cat_classifier -- help train       # every option
//! ```
//!
//! The data folder (holding `train_catvnoncat.h5` and `test_catvnoncat.h5`) comes from
//! `--data DIR`, else the `CATVNONCAT_DIR` environment variable, else the files that ship in
//! the repository's `data/catvnoncat`. A runtime error (a bad file, a model that does not fit)
//! is one line on stderr and exit code 1; a usage error is clap's message and exit code 2.

#[path = "../common/mod.rs"]
mod common;
mod images;

use common::plot;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Result};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use common::plot::{Curve, Labels};
use tapegrad::data::{self, CatData};
use tapegrad::io::write_atomically;
use tapegrad::nn::{self, Activation, InitScale, Parameters};
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::{Element, Tape, Tensor};

#[derive(Parser)]
#[command(
    name = "cat_classifier",
    about = "The course's cat / non-cat classifier: train, evaluate, show mistakes, predict"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train by full-batch gradient descent (print the cost every 100 iterations), or with
    /// --optimizer adam / --batch-size / --epochs by epochs of mini-batches (print the cost
    /// of every epoch); print the accuracies; write the cost curve and the model.
    Train(TrainArgs),
    /// Print a saved model's train and test accuracy and confusion matrices.
    Evaluate {
        /// The model file written by `train` (`.h5` or `.safetensors`).
        #[arg(long)]
        model: PathBuf,
        #[command(flatten)]
        data: DataArg,
    },
    /// Draw the test images a saved model gets wrong, with its prediction and the true class.
    Mislabeled {
        /// The model file written by `train` (`.h5` or `.safetensors`).
        #[arg(long)]
        model: PathBuf,
        /// The PNG to write.
        #[arg(long, default_value = "mislabeled.png")]
        out: PathBuf,
        #[command(flatten)]
        data: DataArg,
    },
    /// Print a saved model's cat probability for your own images (JPEG or PNG, any size).
    Predict {
        /// The model file written by `train` (`.h5` or `.safetensors`).
        #[arg(long)]
        model: PathBuf,
        /// The images, e.g. data/images/my_image.jpg.
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct DataArg {
    /// The folder holding train_catvnoncat.h5 and test_catvnoncat.h5 [default:
    /// $CATVNONCAT_DIR, else the repository's data/catvnoncat].
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

#[derive(Args)]
struct TrainArgs {
    /// The architecture: the course's L-layer model or its two-layer model.
    #[arg(long, value_enum, default_value_t = Model::Deep)]
    model: Model,
    /// Layer sizes, comma-separated [default: 12288,20,7,5,1 (deep), 12288,7,1 (two-layer)].
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    layers: Option<Vec<usize>>,
    /// Full-batch gradient-descent iterations [default: 2500].
    #[arg(long, conflicts_with_all = ["epochs", "batch_size"])]
    iterations: Option<usize>,
    /// The learning rate α [default: 0.0075; 0.0007 with --optimizer adam].
    #[arg(long, value_parser = positive, allow_negative_numbers = true)]
    learning_rate: Option<f64>,
    /// The update rule. Adam (the course's update_parameters_with_adam: β1 0.9, β2 0.999,
    /// ε 1e-8, t counted per mini-batch) trains by epochs.
    #[arg(long, value_enum, default_value_t = OptimizerKind::Gd)]
    optimizer: OptimizerKind,
    /// Train by epochs of mini-batches of this many examples: in epoch e = 1, 2, … the
    /// course's random_mini_batches(X, Y, size, seed = e) [default with --optimizer adam or
    /// --epochs: the whole training set, one shuffled batch].
    #[arg(long, value_parser = at_least_one)]
    batch_size: Option<usize>,
    /// Epochs of mini-batch training; the cost printed for an epoch is the sum over its
    /// batches of the summed cross-entropy, divided by m (the course's Course 2 cost)
    /// [default with --optimizer adam or --batch-size: 100].
    #[arg(long, value_parser = at_least_one)]
    epochs: Option<usize>,
    /// The initialization: the course's (×0.01 two-layer, /√n deep) or He.
    #[arg(long, value_enum, default_value_t = Init::Course)]
    init: Init,
    /// The seed of NumPy's generator for the initialization.
    #[arg(long, default_value_t = 1)]
    seed: u32,
    /// Train in single precision (faster; the log drifts from the course's).
    #[arg(long)]
    f32: bool,
    /// Where to write the trained model: HDF5, or safetensors when the name ends in
    /// `.safetensors`.
    #[arg(long, default_value = "model.h5")]
    out: PathBuf,
    /// Where to write the cost curve.
    #[arg(long, default_value = "costs.png")]
    plot: PathBuf,
    /// Also write the graph of one training step as Graphviz DOT (and SVG beside it when
    /// Graphviz's `dot` is installed).
    #[arg(long, value_name = "FILE.dot")]
    graph: Option<PathBuf>,
    #[command(flatten)]
    data: DataArg,
}

/// The two architectures of the course's application, with their initializations.
#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Model {
    /// [LINEAR → RELU] × 3 → LINEAR → SIGMOID, layers 12288, 20, 7, 5, 1.
    #[value(alias = "l-layer")]
    Deep,
    /// LINEAR → RELU → LINEAR → SIGMOID, layers 12288, 7, 1.
    TwoLayer,
}

/// The update rules `train` offers.
#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum OptimizerKind {
    /// Gradient descent, W ← W − α·dW.
    Gd,
    /// Adam, bias-corrected, with the course's β1, β2, ε.
    Adam,
}

#[derive(Clone, Copy, ValueEnum)]
enum Init {
    /// The course's: randn × 0.01 (two-layer), randn / √n_{l−1} (deep).
    Course,
    /// randn × √(2 / n_{l−1}).
    He,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        Ok(v) => Err(format!("must be a positive number, got {v}")),
        Err(e) => Err(e.to_string()),
    }
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1, got 0".to_string()),
        Ok(v) => Ok(v),
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> ExitCode {
    // Mini-batch training frees and reallocates its batches every step; keep that memory.
    tapegrad::memory::keep_freed_memory();
    let cli = Cli::parse();
    if let Command::Train(args) = &cli.command {
        if args.optimizer == OptimizerKind::Adam && args.iterations.is_some() {
            let mut cli_command = Cli::command();
            cli_command.build();
            cli_command
                .find_subcommand_mut("train")
                .expect("the train command")
                .error(
                    ErrorKind::ArgumentConflict,
                    "--iterations counts full-batch gradient-descent steps, but \
                     --optimizer adam trains by epochs: give --epochs N instead",
                )
                .exit();
        }
    }
    let result = match cli.command {
        Command::Train(args) => train(&args),
        Command::Evaluate { model, data } => evaluate(&model, &data),
        Command::Mislabeled { model, out, data } => mislabeled(&model, &out, &data),
        Command::Predict { model, images } => predict(&model, &images),
    };
    common::finish(result)
}

impl DataArg {
    fn load(&self) -> Result<CatData> {
        let dir = data::data_dir(self.data.as_deref()).map_err(|e| {
            anyhow!(
                "{e}; pass --data DIR or set {} to a folder holding {} and {}",
                data::DATA_DIR_ENV,
                data::TRAIN_FILE,
                data::TEST_FILE
            )
        })?;
        Ok(data::load_catvnoncat(&dir)?)
    }
}

fn train(args: &TrainArgs) -> Result<()> {
    let layer_dims = match (&args.layers, args.model) {
        (Some(layers), _) => layers.clone(),
        (None, Model::TwoLayer) => vec![12288, 7, 1],
        (None, Model::Deep) => vec![12288, 20, 7, 5, 1],
    };
    if layer_dims.len() < 2 || layer_dims.last() != Some(&1) {
        bail!("--layers: give at least two sizes and end with 1 (one probability), got {layer_dims:?}");
    }
    let scale = match (args.init, args.model) {
        (Init::Course, Model::TwoLayer) => InitScale::Times(0.01),
        (Init::Course, Model::Deep) => InitScale::DivSqrtFanIn,
        (Init::He, _) => InitScale::He,
    };
    let data = args.data.load()?;
    data.check_input_size(layer_dims[0])?;
    let params = nn::initialize_parameters_deep(&layer_dims, args.seed, scale)?;
    if let Some(path) = &args.graph {
        write_graph(path, &params, &data)?;
    }

    let by_epochs =
        args.optimizer == OptimizerKind::Adam || args.batch_size.is_some() || args.epochs.is_some();
    let learning_rate = args.learning_rate.unwrap_or(match args.optimizer {
        OptimizerKind::Gd => 0.0075,
        OptimizerKind::Adam => 0.0007,
    });
    let precision = if args.f32 { ", f32" } else { "" };
    let started = Instant::now();
    let params = if by_epochs {
        let m = data.train.num_examples();
        let epochs = Epochs {
            count: args.epochs.unwrap_or(100),
            batch_size: args.batch_size.unwrap_or(m),
            learning_rate,
        };
        let (params, costs, epoch_ms) = if args.f32 {
            let (p, costs, ms) = minibatch_training::<f32>(&data, params.cast(), args, &epochs)?;
            (p.cast(), costs, ms)
        } else {
            minibatch_training::<f64>(&data, params, args, &epochs)?
        };
        println!(
            "Trained {} epochs in {:.2} s (median {:.3} ms per epoch{precision})",
            epochs.count,
            started.elapsed().as_secs_f64(),
            median(&epoch_ms),
        );
        report_accuracy(&data, &params);
        let title = format!("Learning rate ={}", plot::python_str(learning_rate));
        let labels = Labels {
            title: &title,
            x: "epochs",
            y: "cost",
        };
        let curve = Curve {
            label: String::new(),
            values: costs,
        };
        common::warn(plot::line_chart(&args.plot, &labels, &[curve])?);
        params
    } else {
        let iterations = args.iterations.unwrap_or(2500);
        let (params, costs) = if args.f32 {
            let (p, costs) =
                gradient_descent::<f32>(&data, params.cast(), args, iterations, learning_rate)?;
            (p.cast(), costs)
        } else {
            gradient_descent::<f64>(&data, params, args, iterations, learning_rate)?
        };
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "Trained {iterations} iterations in {elapsed:.2} s ({:.3} ms per iteration{precision})",
            elapsed * 1e3 / iterations.max(1) as f64,
        );
        report_accuracy(&data, &params);
        common::warn(plot::cost_curve(&args.plot, &costs, learning_rate)?);
        params
    };
    println!("Cost curve written to {}", args.plot.display());
    save_model(&args.out, &params)?;
    println!("Model written to {}", args.out.display());
    Ok(())
}

/// Writes the DOT picture of one step (forward, cost, backward) of the model with `params`,
/// and renders it to SVG with Graphviz's `dot` when it is on PATH.
fn write_graph(path: &Path, params: &Parameters, data: &CatData) -> Result<()> {
    let tape = Tape::new();
    let vars = params.on_tape_named(&tape);
    let x = tape.constant_named("X", &data.train.x);
    let y = tape.constant_named("Y", &data.train.y);
    let (al, _) = nn::model::l_model_forward(x, &vars);
    let cost = nn::model::compute_cost(al, y);
    let grads = cost.backward()?;
    let dot = tape.to_dot(cost, Some(&grads));
    write_atomically(path, |tmp| {
        std::fs::write(tmp, &dot).map_err(|e| e.to_string())
    })?;
    println!(
        "Graph of one training step ({} values) written to {}",
        tape.len(),
        path.display()
    );
    let svg = path.with_extension("svg");
    let rendered = write_atomically(&svg, |tmp| {
        let status = std::process::Command::new("dot")
            .arg("-Tsvg")
            .arg(path)
            .arg("-o")
            .arg(tmp)
            .status()
            .map_err(|e| format!("cannot run Graphviz's dot: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("dot -Tsvg failed ({status})"))
        }
    });
    match rendered {
        Ok(()) => println!("Rendered with Graphviz to {}", svg.display()),
        Err(e) => eprintln!(
            "warning: {e}; install Graphviz (apt-get install graphviz) to get {}",
            svg.display()
        ),
    }
    Ok(())
}

/// How many reports in a row (one every 100 iterations) with the same cost mean training has
/// stopped moving.
const STUCK_REPORTS: usize = 5;

/// Full-batch gradient descent on the training set; returns the trained parameters and the
/// costs recorded every 100 iterations. Stops with an error when the cost becomes NaN or
/// infinite, or stays the same over [`STUCK_REPORTS`] reports.
fn gradient_descent<T: Element>(
    data: &CatData,
    mut params: Parameters<T>,
    args: &TrainArgs,
    iterations: usize,
    learning_rate: f64,
) -> Result<(Parameters<T>, Vec<f64>)> {
    let x: Tensor<T> = data.train.x.cast();
    let y: Tensor<T> = data.train.y.cast();
    let bar = common::progress(iterations, "iterations");
    let mut costs: Vec<f64> = Vec::new();
    for i in 0..iterations {
        let cost = nn::train_step(&mut params, &x, &y, T::from_f64(learning_rate))?.to_f64();
        if !cost.is_finite() {
            bar.abandon();
            return Err(diverged(cost, &format!("at iteration {i}"), learning_rate));
        }
        if i % 100 == 0 {
            costs.push(cost);
            // The course prints the two-layer cost with Python's repr, the deep one with %f.
            let line = match args.model {
                Model::TwoLayer => format!("Cost after iteration {i}: {cost}"),
                Model::Deep => format!("Cost after iteration {i}: {cost:.6}"),
            };
            common::say(&bar, &line);
            if let Some(since) = stuck_since(&costs) {
                bar.abandon();
                bail!(
                    "training is stuck: the cost has stayed at {cost:.6} since iteration {}, so \
                     the gradients are zero, most likely because every ReLU unit outputs 0 (dead \
                     units). A learning rate too large for the model (now {learning_rate}) does \
                     this in the first steps; try --learning-rate {}. No model was saved",
                    since * 100,
                    learning_rate / 10.0
                );
            }
        }
        if i % 10 == 0 {
            bar.set_message(format!("cost {cost:.6}"));
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((params, costs))
}

/// What a mini-batch run does: how many epochs, of which batches, at which learning rate.
struct Epochs {
    count: usize,
    batch_size: usize,
    learning_rate: f64,
}

/// Mini-batch training (the Course 2 optimization notebook's loop): in epoch e = 1, 2, …, the
/// course's `random_mini_batches(X, Y, batch_size, seed = e)`, and on each batch one tape
/// step (forward, the mean cost, backward) and one update of `--optimizer` (Adam counts its
/// `t` per batch). Returns the trained parameters, the cost of every epoch (the sum over its
/// batches of the summed cross-entropy, over m) and the wall time of every epoch in ms
/// (shuffle included). Stops with an error when the cost becomes NaN or infinite, or stays
/// the same over [`STUCK_REPORTS`] epochs.
fn minibatch_training<T: Element>(
    data: &CatData,
    mut params: Parameters<T>,
    args: &TrainArgs,
    epochs: &Epochs,
) -> Result<(Parameters<T>, Vec<f64>, Vec<f64>)> {
    let learning_rate = epochs.learning_rate;
    let x: Tensor<T> = data.train.x.cast();
    let y: Tensor<T> = data.train.y.cast();
    let m = data.train.num_examples() as f64;
    let tensors: Vec<&Tensor<T>> = params.iter().collect();
    let mut optimizer: Box<dyn Optimizer<T>> = match args.optimizer {
        OptimizerKind::Gd => Box::new(Sgd::new(&tensors, learning_rate)),
        OptimizerKind::Adam => Box::new(Adam::new(&tensors, learning_rate)),
    };
    let bar = common::progress(epochs.count, "epochs");
    let mut costs: Vec<f64> = Vec::with_capacity(epochs.count);
    let mut epoch_ms: Vec<f64> = Vec::with_capacity(epochs.count);
    for epoch in 1..=epochs.count {
        let started = Instant::now();
        let seed = u32::try_from(epoch)?;
        let mut cost_total = 0.0;
        for (bx, by) in nn::random_mini_batches(&x, &y, epochs.batch_size, seed)? {
            let tape = Tape::<T>::default();
            let vars = params.on_tape(&tape);
            let (al, _) = nn::model::l_model_forward(tape.constant(&bx), &vars);
            let cost = nn::model::compute_cost(al, tape.constant(&by));
            let grads = vars.grads(&cost.backward()?);
            // compute_cost is the batch's mean; the course adds up the batches' sums.
            cost_total += cost.value().item().to_f64() * by.shape()[1] as f64;
            drop(tape);
            optimizer.update_parameters(&mut params, &grads)?;
        }
        epoch_ms.push(started.elapsed().as_secs_f64() * 1e3);
        let cost = cost_total / m;
        if !cost.is_finite() {
            bar.abandon();
            return Err(diverged(cost, &format!("in epoch {epoch}"), learning_rate));
        }
        costs.push(cost);
        common::say(&bar, &format!("Cost after epoch {epoch}: {cost}"));
        if let Some(since) = stuck_since(&costs) {
            bar.abandon();
            bail!(
                "training is stuck: the cost has stayed at {cost:.6} since epoch {}, so the \
                 gradients are zero, most likely because every ReLU unit outputs 0 (dead \
                 units); try a smaller --learning-rate (now {learning_rate}). No model was saved",
                since + 1
            );
        }
        bar.set_message(format!("cost {cost:.6}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((params, costs, epoch_ms))
}

/// The error for a cost that became NaN or infinite `when`, with what to try.
fn diverged(cost: f64, when: &str, learning_rate: f64) -> anyhow::Error {
    anyhow!(
        "training diverged: the cost became {cost} {when}; lower the learning rate \
         (now {learning_rate}), e.g. --learning-rate {}",
        learning_rate / 10.0
    )
}

/// The median of `values` (the mean of the middle two for an even count), 0 for none.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The report index since which the last [`STUCK_REPORTS`] costs have been equal to the last
/// one within a relative 1e-12, if they have.
fn stuck_since(costs: &[f64]) -> Option<usize> {
    let last = *costs.last()?;
    let start = costs.len().checked_sub(STUCK_REPORTS)?;
    costs[start..]
        .iter()
        .all(|&c| (c - last).abs() <= 1e-12 * last.abs())
        .then_some(start)
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

/// Whether `path` names a safetensors file (else the model is HDF5).
fn is_safetensors(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "safetensors")
}

/// Saves the course's model in the format the file's extension asks for.
fn save_model(path: &Path, params: &Parameters) -> Result<()> {
    if is_safetensors(path) {
        let activations = Activation::course_model(params.num_layers());
        tapegrad::io::save_model_safetensors(path, params, &activations)?;
    } else {
        data::save_model(path, params)?;
    }
    Ok(())
}

/// Loads a model this program can run: the course's activations, one output.
fn load_model(path: &Path) -> Result<Parameters> {
    let saved = if is_safetensors(path) {
        tapegrad::io::load_model_safetensors(path)?
    } else {
        data::load_saved_model(path)?
    };
    let course = Activation::course_model(saved.params.num_layers());
    if saved.activations != course {
        let names = |acts: &[Activation]| acts.iter().map(|a| a.name()).collect::<Vec<_>>();
        bail!(
            "{}: the model's activations {:?} are not the course's {:?}, which this program runs",
            path.display(),
            names(&saved.activations),
            names(&course)
        );
    }
    if saved.layer_dims.last() != Some(&1) {
        bail!(
            "{}: the model's layer_dims {:?} end in {} outputs; this program needs 1 (the cat probability)",
            path.display(),
            saved.layer_dims,
            saved.layer_dims.last().unwrap_or(&0)
        );
    }
    Ok(saved.params)
}

/// Checks that a loaded model takes the images' pixel values.
fn check_fits(path: &Path, params: &Parameters, n_x: usize) -> Result<()> {
    let dims = params.layer_dims();
    if dims[0] != n_x {
        bail!(
            "{}: the model's layer_dims {dims:?} take {} inputs, but the images give {n_x} pixel values (64·64·3)",
            path.display(),
            dims[0]
        );
    }
    Ok(())
}

fn evaluate(model: &Path, data: &DataArg) -> Result<()> {
    let params = load_model(model)?;
    let data = data.load()?;
    check_fits(model, &params, data.train.x.shape()[0])?;
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

fn mislabeled(model: &Path, out: &Path, data: &DataArg) -> Result<()> {
    let params = load_model(model)?;
    let data = data.load()?;
    check_fits(model, &params, data.test.x.shape()[0])?;
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
    common::warn(images::tile_grid(out, &tiles)?);
    println!(
        "{} mislabeled test images written to {}",
        tiles.len(),
        out.display()
    );
    Ok(())
}

fn predict(model: &Path, files: &[PathBuf]) -> Result<()> {
    let params = load_model(model)?;
    check_fits(model, &params, images::SIDE * images::SIDE * 3)?;
    for path in files {
        let pixels = images::load_as_course_image(path)?;
        // The course's own-image cell: reshape to (64·64·3, 1) in C order, then / 255.
        let x = Tensor::from_vec(
            pixels.iter().map(|&v| f64::from(v) / 255.0).collect(),
            &[pixels.len(), 1],
        )?;
        let prob = nn::model::probabilities(&x, &params).item();
        let label = if prob > 0.5 { "cat" } else { "non-cat" };
        println!("{}: {prob:.4} {label}", path.display());
    }
    Ok(())
}
