//! A model of your own, start to finish: a 3-class MLP on generated blobs, trained with
//! mini-batches and Adam, evaluated, saved and loaded back. No HDF5, no course code: the
//! training-loop recipe to copy.
//!
//! ```text
//! cargo run --release --example softmax_blobs
//! cargo run --release --example softmax_blobs -- --epochs 50 --out blobs.safetensors
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{ensure, Result};
use clap::Parser;
use tapegrad::optim::{Adam, Optimizer};
use tapegrad::rng::NumpyRng;
use tapegrad::{nn, ParamSet, Tape, Tensor};

#[derive(Parser)]
#[command(
    name = "softmax_blobs",
    about = "A 3-class MLP on generated blobs: the training-loop recipe"
)]
struct Args {
    /// Passes over the training set.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Examples per mini-batch.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    batch: u64,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f64,
    /// Where to save the trained model.
    #[arg(long, default_value = "blobs.safetensors")]
    out: PathBuf,
}

/// The blobs' centres and their spread.
const CENTERS: [[f64; 2]; 3] = [[-2.0, 0.0], [2.0, 1.0], [0.0, -2.5]];
const SPREAD: f64 = 0.9;

/// `n` points per class around each centre, shuffled: `X` `(2, 3n)` and the class of each.
fn blobs(n: usize, rng: &mut NumpyRng) -> (Tensor, Vec<usize>) {
    let mut points: Vec<([f64; 2], usize)> = Vec::with_capacity(3 * n);
    for (class, c) in CENTERS.iter().enumerate() {
        let noise = rng.normal(0.0, SPREAD, &[n, 2]).to_vec();
        points.extend(noise.chunks(2).map(|d| ([c[0] + d[0], c[1] + d[1]], class)));
    }
    rng.shuffle(&mut points);
    let m = points.len();
    let mut x = vec![0.0; 2 * m];
    for (j, (p, _)) in points.iter().enumerate() {
        x[j] = p[0];
        x[m + j] = p[1];
    }
    let labels = points.iter().map(|&(_, c)| c).collect();
    (Tensor::from_vec(x, &[2, m]).expect("2·m values"), labels)
}

/// He-initialized weights and zero biases for `sizes`, named `W1`, `b1`, ….
fn init(sizes: &[usize], rng: &mut NumpyRng) -> ParamSet {
    let mut params = ParamSet::new();
    for (l, pair) in (1..).zip(sizes.windows(2)) {
        let scale = (2.0 / pair[0] as f64).sqrt();
        params.insert(format!("W{l}"), rng.randn(&[pair[1], pair[0]]) * scale);
        params.insert(format!("b{l}"), Tensor::zeros(&[pair[1], 1]));
    }
    params
}

/// The model: two ReLU layers and a linear output of class scores `(3, m)`.
fn logits<'t>(p: &tapegrad::ParamVarSet<'t>, x: tapegrad::Var<'t>) -> tapegrad::Var<'t> {
    let h1 = p["W1"].matmul(x).broadcast_add(p["b1"]).relu();
    let h2 = p["W2"].matmul(h1).broadcast_add(p["b2"]).relu();
    p["W3"].matmul(h2).broadcast_add(p["b3"])
}

/// Class scores for plain data (a forward pass on a throwaway tape, no gradients).
fn predict(params: &ParamSet, x: &Tensor) -> Tensor {
    let tape = Tape::new();
    let p = params.on_tape_as_constants(&tape);
    logits(&p, tape.constant(x)).value()
}

fn run(args: &Args) -> Result<()> {
    let mut rng = NumpyRng::new(0);
    let (x_train, y_train) = blobs(200, &mut rng);
    let (x_test, y_test) = blobs(100, &mut rng);
    let mut params = init(&[2, 16, 16, 3], &mut rng);
    let mut adam = Adam::new(&params.tensors(), args.learning_rate);
    let m = y_train.len();

    for epoch in 0..args.epochs {
        let perm = rng.permutation(m);
        let mut total = 0.0;
        for batch in perm.chunks(args.batch as usize) {
            let labels: Vec<usize> = batch.iter().map(|&j| y_train[j]).collect();
            // One tape per step: record, take the gradients, drop the tape, update.
            let tape = Tape::new();
            let p = params.on_tape(&tape);
            let x = tape.constant(&x_train.select(1, batch));
            let loss = logits(&p, x).cross_entropy_with_indices(&labels);
            let grads = p.grads(&loss.backward()?);
            total += loss.value().item() * batch.len() as f64;
            drop(tape);
            adam.update_param_set(&mut params, &grads)?;
        }
        if epoch % 5 == 0 || epoch + 1 == args.epochs {
            println!("epoch {epoch:3}: mean loss {:.4}", total / m as f64);
        }
    }

    let accuracy = |x: &Tensor, y: &[usize], p: &ParamSet| {
        nn::accuracy_from_logits(&predict(p, x), y) as f64 / y.len() as f64
    };
    let (train_acc, test_acc) = (
        accuracy(&x_train, &y_train, &params),
        accuracy(&x_test, &y_test, &params),
    );
    println!(
        "train accuracy {:.3}, test accuracy {:.3}",
        train_acc, test_acc
    );

    let meta = BTreeMap::from([("model".to_string(), "2-16-16-3 ReLU MLP".to_string())]);
    params.save_safetensors(&args.out, &meta)?;
    let (loaded, _) = ParamSet::load_safetensors(&args.out)?;
    let reloaded = accuracy(&x_test, &y_test, &loaded);
    ensure!(
        reloaded == test_acc,
        "the reloaded model scores {reloaded}, not {test_acc}"
    );
    println!(
        "Model written to {} (reloaded: test accuracy {:.3})",
        args.out.display(),
        reloaded
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
