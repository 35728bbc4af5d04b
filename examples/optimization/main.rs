//! Course 2, week 2: "Optimization Methods" — mini-batch gradient descent, momentum and Adam
//! on scikit-learn's moons, and the learning-rate-decay runs.
//!
//! ```text
//! cargo run --release --example optimization                 # all seven runs
//! cargo run --release --example optimization -- --run adam --run adam-schedule
//! ```

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use common::plot::{self, python_str, Curve, Labels, Panel};
use tapegrad::datasets::make_moons;
use tapegrad::nn;
use tapegrad::nn::optimization::{self, Decay, Method};
use tapegrad::rng::NumpyRng;
use tapegrad::Tensor;

#[derive(Parser)]
#[command(
    name = "optimization",
    about = "The Optimization notebook: GD, momentum, Adam and learning-rate decay on the moons"
)]
struct Args {
    /// Which runs (repeatable); default: all seven, in the notebook's order.
    #[arg(long = "run", value_enum)]
    runs: Vec<Run>,
    /// Epochs per run.
    #[arg(long, default_value_t = 5000)]
    epochs: usize,
    /// Examples per mini-batch.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    mini_batch_size: u64,
    /// The decision-boundary picture.
    #[arg(long, default_value = "optimization_boundaries.png")]
    boundary: PathBuf,
    /// The cost-curve picture.
    #[arg(long, default_value = "optimization_costs.png")]
    costs: PathBuf,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Run {
    /// Mini-batch gradient descent, α = 0.0007.
    Gd,
    /// Momentum, β = 0.9, α = 0.0007.
    Momentum,
    /// Adam, α = 0.0007.
    Adam,
    /// Gradient descent, α0 = 0.1, update_lr (decay rate 1).
    GdUpdateLr,
    /// Gradient descent, α0 = 0.1, schedule_lr_decay (decay rate 1, every 1000 epochs).
    GdSchedule,
    /// Momentum, α0 = 0.1, schedule_lr_decay.
    MomentumSchedule,
    /// Adam, α0 = 0.01, schedule_lr_decay.
    AdamSchedule,
}

const ALL: [Run; 7] = [
    Run::Gd,
    Run::Momentum,
    Run::Adam,
    Run::GdUpdateLr,
    Run::GdSchedule,
    Run::MomentumSchedule,
    Run::AdamSchedule,
];

impl Run {
    fn setup(self) -> (&'static str, Method, f64, Decay) {
        let schedule = Decay::Schedule {
            decay_rate: 1.0,
            time_interval: 1000,
        };
        match self {
            Run::Gd => (
                "Gradient Descent optimization",
                Method::Gd,
                0.0007,
                Decay::None,
            ),
            Run::Momentum => (
                "Momentum optimization",
                Method::MOMENTUM,
                0.0007,
                Decay::None,
            ),
            Run::Adam => ("Adam optimization", Method::ADAM, 0.0007, Decay::None),
            Run::GdUpdateLr => (
                "Gradient Descent with learning rate decay",
                Method::Gd,
                0.1,
                Decay::UpdateLr { decay_rate: 1.0 },
            ),
            Run::GdSchedule => (
                "Gradient Descent with scheduled learning rate decay",
                Method::Gd,
                0.1,
                schedule,
            ),
            Run::MomentumSchedule => (
                "Momentum with scheduled learning rate decay",
                Method::MOMENTUM,
                0.1,
                schedule,
            ),
            Run::AdamSchedule => (
                "Adam with scheduled learning rate decay",
                Method::ADAM,
                0.01,
                schedule,
            ),
        }
    }
}

fn main() -> ExitCode {
    common::finish(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    // The notebook's load_dataset: seed(3), make_moons(300, noise=.2).
    let (x, y) = make_moons(300, 0.2, &mut NumpyRng::new(3));
    let layer_dims = [x.shape()[0], 5, 2, 1];
    let runs = if args.runs.is_empty() {
        ALL.to_vec()
    } else {
        args.runs.clone()
    };
    let mut trained = Vec::new();
    for r in runs {
        let (title, method, learning_rate, decay) = r.setup();
        println!("{title}");
        let (params, epochs) = optimization::model(
            &x,
            &y,
            &layer_dims,
            method,
            learning_rate,
            args.mini_batch_size as usize,
            args.epochs,
            decay,
        )?;
        for (i, epoch) in epochs.iter().enumerate().step_by(1000) {
            println!("Cost after epoch {i}: {:.6}", epoch.cost);
            if decay != Decay::None {
                println!("learning rate after epoch {i}: {:.6}", epoch.learning_rate);
            }
        }
        let right = nn::accuracy(&nn::predict(&x, &params), &y);
        println!(
            "Accuracy: {}",
            python_str(right as f64 / y.shape()[1] as f64)
        );
        // The notebook's curve: the cost every 100 epochs.
        let costs: Vec<f64> = epochs.iter().step_by(100).map(|e| e.cost).collect();
        trained.push((title, params, costs));
    }
    let curves: Vec<Curve> = trained
        .iter()
        .map(|(title, _, costs)| Curve {
            label: title.to_string(),
            values: costs.clone(),
        })
        .collect();
    let labels = Labels {
        title: "Cost per epoch",
        x: "epochs (per 100)",
        y: "cost",
    };
    common::warn(plot::line_chart(&args.costs, &labels, &curves)?);
    println!("Cost curves written to {}", args.costs.display());
    let panels: Vec<Panel> = trained
        .iter()
        .map(|(title, params, _)| Panel {
            title: title.to_string(),
            x: &x,
            y: &y,
            predict: Box::new(move |g: &Tensor| nn::predict(g, params)),
        })
        .collect();
    common::warn(plot::decision_boundaries(&args.boundary, &panels, 3)?);
    println!("Decision boundaries written to {}", args.boundary.display());
    Ok(())
}
