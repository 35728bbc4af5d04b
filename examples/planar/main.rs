//! Course 1, week 3: "Planar data classification with one hidden layer".
//!
//! ```text
//! cargo run --release --example planar                      # train, boundary, hidden-size sweep
//! cargo run --release --example planar -- --hidden 20 --no-sweep
//! cargo run --release --example planar -- --help
//! ```
//!
//! Trains the notebook's `nn_model` (4 tanh hidden units, α = 1.2, 10000 iterations) on the
//! flower data set, prints its log and accuracy, contrasts logistic regression on the same
//! data, draws the decision boundary, and sweeps the hidden-layer size (1, 2, 3, 4, 5, 20, 50;
//! 5000 iterations each) into one figure.

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use common::plot::{self, Panel};
use tapegrad::datasets::load_planar_dataset;
use tapegrad::nn::{logistic, shallow};
use tapegrad::Tensor;

#[derive(Parser)]
#[command(
    name = "planar",
    about = "The planar-data notebook: a one-hidden-layer tanh network on the flower"
)]
struct Args {
    /// Hidden units of the model.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
    hidden: u64,
    /// Gradient-descent iterations.
    #[arg(long, default_value_t = 10000)]
    iterations: usize,
    /// The decision-boundary picture.
    #[arg(long, default_value = "planar_boundary.png")]
    boundary: PathBuf,
    /// The hidden-layer-size sweep's picture.
    #[arg(long, default_value = "planar_hidden_sizes.png")]
    sweep: PathBuf,
    /// Skip the hidden-layer-size sweep.
    #[arg(long)]
    no_sweep: bool,
}

/// The sweep's hidden-layer sizes, as in the notebook.
const SIZES: [usize; 7] = [1, 2, 3, 4, 5, 20, 50];

fn main() -> ExitCode {
    common::finish(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    let (x, y) = load_planar_dataset();
    let hidden = args.hidden as usize;
    let (params, costs) = shallow::nn_model(&x, &y, hidden, args.iterations)?;
    for (k, cost) in costs.iter().enumerate() {
        println!("Cost after iteration {}: {cost:.6}", k * 1000);
    }
    let accuracy = shallow::accuracy_percent(&shallow::predict(&x, &params), &y);
    // The notebook prints `%d` of the percentage.
    println!("Accuracy: {}%", accuracy.trunc() as i64);

    // The notebook's contrast: a linear classifier cannot separate the petals.
    let (w, b) = logistic::initialize_with_zeros::<f64>(2);
    let lr = logistic::optimize(&w, b, &x, &y, 2000, 0.5)?;
    let linear = shallow::accuracy_percent(&logistic::predict(&lr.w, lr.b, &x), &y);
    println!(
        "Accuracy of logistic regression: {} % (percentage of correctly labelled datapoints)",
        linear.trunc() as i64
    );

    let panels = [
        Panel {
            title: format!("Decision Boundary for hidden layer size {hidden}"),
            x: &x,
            y: &y,
            predict: Box::new(|g: &Tensor| shallow::predict(g, &params)),
        },
        Panel {
            title: "Logistic Regression".to_string(),
            x: &x,
            y: &y,
            predict: Box::new(|g: &Tensor| logistic::predict(&lr.w, lr.b, g)),
        },
    ];
    common::warn(plot::decision_boundaries(&args.boundary, &panels, 2)?);
    println!("Decision boundaries written to {}", args.boundary.display());

    if args.no_sweep {
        return Ok(());
    }
    let bar = common::progress(SIZES.len(), "hidden-layer sizes");
    let mut models = Vec::new();
    for n_h in SIZES {
        let (p, _) = shallow::nn_model(&x, &y, n_h, 5000)?;
        let acc = shallow::accuracy_percent(&shallow::predict(&x, &p), &y);
        let shown = plot::python_str(acc);
        common::say(&bar, &format!("Accuracy for {n_h} hidden units: {shown} %"));
        models.push((n_h, p, acc));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let panels: Vec<Panel> = models
        .iter()
        .map(|(n_h, p, acc)| Panel {
            title: format!("Hidden Layer of size {n_h} ({} %)", plot::python_str(*acc)),
            x: &x,
            y: &y,
            predict: Box::new(move |g: &Tensor| shallow::predict(g, p)),
        })
        .collect();
    common::warn(plot::decision_boundaries(&args.sweep, &panels, 2)?);
    println!("Hidden-layer sweep written to {}", args.sweep.display());
    Ok(())
}
