//! Course 2, week 1: "Initialization" — the same network from zeros, from large random
//! weights and from He initialization, on scikit-learn's circles.
//!
//! ```text
//! cargo run --release --example initialization
//! cargo run --release --example initialization -- --only he --iterations 5000
//! ```

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use common::plot::{self, python_str, Curve, Labels, Panel};
use tapegrad::datasets::make_circles;
use tapegrad::nn;
use tapegrad::nn::initialization::{self, Initialization};
use tapegrad::rng::NumpyRng;
use tapegrad::Tensor;

#[derive(Parser)]
#[command(
    name = "initialization",
    about = "The Initialization notebook: zeros, random ×10 and He on the circles"
)]
struct Args {
    /// Run only this initialization (zeros, random, he); default: all three.
    #[arg(long, value_parser = parse_init)]
    only: Option<Initialization>,
    /// Gradient-descent iterations per model.
    #[arg(long, default_value_t = 15000)]
    iterations: usize,
    /// The learning rate α.
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f64,
    /// The decision-boundary picture.
    #[arg(long, default_value = "initialization_boundaries.png")]
    boundary: PathBuf,
    /// The cost-curve picture.
    #[arg(long, default_value = "initialization_costs.png")]
    costs: PathBuf,
}

fn parse_init(s: &str) -> Result<Initialization, String> {
    s.parse().map_err(|e: tapegrad::Error| e.to_string())
}

fn title(init: Initialization) -> &'static str {
    match init {
        Initialization::Zeros => "Model with Zeros initialization",
        Initialization::Random => "Model with large random initialization",
        Initialization::He => "Model with He initialization",
    }
}

fn main() -> ExitCode {
    common::finish(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    // The notebook's load_dataset: seed(1) for the 300 training points, seed(2) for the 100
    // test points.
    let (train_x, train_y) = make_circles(300, 0.05, 0.8, &mut NumpyRng::new(1));
    let (test_x, test_y) = make_circles(100, 0.05, 0.8, &mut NumpyRng::new(2));
    let inits: Vec<Initialization> = match args.only {
        Some(init) => vec![init],
        None => Initialization::ALL.to_vec(),
    };
    let mut trained = Vec::new();
    for init in inits {
        println!("Training with {} initialization", init.name());
        let (params, costs) = initialization::model(
            &train_x,
            &train_y,
            args.learning_rate,
            args.iterations,
            init,
        )?;
        for (k, cost) in costs.iter().enumerate() {
            println!("Cost after iteration {}: {}", k * 1000, python_str(*cost));
        }
        common::print_accuracy("train", &train_x, &train_y, &params);
        common::print_accuracy("test", &test_x, &test_y, &params);
        trained.push((init, params, costs));
    }
    let curves: Vec<Curve> = trained
        .iter()
        .map(|(init, _, costs)| Curve {
            label: init.name().to_string(),
            values: costs.clone(),
        })
        .collect();
    let labels = Labels {
        title: &format!("Learning rate ={}", python_str(args.learning_rate)),
        x: "iterations (per thousands)",
        y: "cost",
    };
    common::warn(plot::line_chart(&args.costs, &labels, &curves)?);
    println!("Cost curves written to {}", args.costs.display());
    let panels: Vec<Panel> = trained
        .iter()
        .map(|(init, params, _)| Panel {
            title: title(*init).to_string(),
            x: &train_x,
            y: &train_y,
            predict: Box::new(move |g: &Tensor| nn::predict(g, params)),
        })
        .collect();
    common::warn(plot::decision_boundaries(&args.boundary, &panels, 3)?);
    println!("Decision boundaries written to {}", args.boundary.display());
    Ok(())
}
