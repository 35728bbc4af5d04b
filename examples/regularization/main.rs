//! Course 2, week 1: "Regularization" — the football data, trained without regularization,
//! with L2 (λ = 0.7) and with inverted dropout (keep_prob = 0.86).
//!
//! ```text
//! cargo run --release --example regularization
//! cargo run --release --example regularization -- --only l2 --lambd 0.7
//! ```
//!
//! The data ships as `data/regularization/football.mat`; `--data FILE` reads another copy.

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use common::plot::{self, python_str, Curve, Labels, Panel};
use tapegrad::datasets::{bundled_football_path, load_football};
use tapegrad::nn::{self, regularization};
use tapegrad::Tensor;

#[derive(Parser)]
#[command(
    name = "regularization",
    about = "The Regularization notebook: L2 and dropout on the football data"
)]
struct Args {
    /// Run only this model; default: all three.
    #[arg(long, value_enum)]
    only: Option<Run>,
    /// λ of the L2 model.
    #[arg(long, default_value_t = 0.7)]
    lambd: f64,
    /// keep_prob of the dropout model, in (0, 1].
    #[arg(long, default_value_t = 0.86)]
    keep_prob: f64,
    /// Gradient-descent iterations per model.
    #[arg(long, default_value_t = 30000)]
    iterations: usize,
    /// The learning rate α.
    #[arg(long, default_value_t = 0.3)]
    learning_rate: f64,
    /// The football data (MATLAB file) [default: the repository's data/regularization/football.mat].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// The decision-boundary picture.
    #[arg(long, default_value = "regularization_boundaries.png")]
    boundary: PathBuf,
    /// The cost-curve picture.
    #[arg(long, default_value = "regularization_costs.png")]
    costs: PathBuf,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Run {
    /// No regularization.
    None,
    /// L2 regularization with --lambd.
    L2,
    /// Dropout with --keep-prob.
    Dropout,
}

fn main() -> ExitCode {
    common::finish(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    let path = args.data.clone().unwrap_or_else(bundled_football_path);
    let data = load_football(&path)?;
    let runs: Vec<Run> = match args.only {
        Some(r) => vec![r],
        None => vec![Run::None, Run::L2, Run::Dropout],
    };
    let layer_dims = [data.train_x.shape()[0], 20, 3, 1];
    let mut trained = Vec::new();
    for r in runs {
        let (lambd, keep_prob, title) = match r {
            Run::None => (0.0, 1.0, "Model without regularization".to_string()),
            Run::L2 => (
                args.lambd,
                1.0,
                format!("Model with L2-regularization (λ = {})", args.lambd),
            ),
            Run::Dropout => (
                0.0,
                args.keep_prob,
                format!("Model with dropout (keep_prob = {})", args.keep_prob),
            ),
        };
        println!("{title}");
        // Costs every 1000 iterations for the curve; the notebook prints every 10000th.
        let (params, costs) = regularization::model(
            &data.train_x,
            &data.train_y,
            &layer_dims,
            args.learning_rate,
            args.iterations,
            lambd,
            keep_prob,
            1000,
        )?;
        for (k, cost) in costs.iter().enumerate().step_by(10) {
            println!("Cost after iteration {}: {}", k * 1000, python_str(*cost));
        }
        common::print_accuracy("training", &data.train_x, &data.train_y, &params);
        common::print_accuracy("test", &data.test_x, &data.test_y, &params);
        trained.push((title, params, costs));
    }
    let curves: Vec<Curve> = trained
        .iter()
        .map(|(title, _, costs)| Curve {
            label: title.clone(),
            values: costs.clone(),
        })
        .collect();
    let labels = Labels {
        title: &format!("Learning rate ={}", python_str(args.learning_rate)),
        x: "iterations (x1,000)",
        y: "cost",
    };
    common::warn(plot::line_chart(&args.costs, &labels, &curves)?);
    println!("Cost curves written to {}", args.costs.display());
    let panels: Vec<Panel> = trained
        .iter()
        .map(|(title, params, _)| Panel {
            title: title.clone(),
            x: &data.train_x,
            y: &data.train_y,
            predict: Box::new(move |g: &Tensor| nn::predict(g, params)),
        })
        .collect();
    common::warn(plot::decision_boundaries(&args.boundary, &panels, 3)?);
    println!("Decision boundaries written to {}", args.boundary.display());
    Ok(())
}
