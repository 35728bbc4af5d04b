//! Logistic regression on the course's cat data (Course 1 week 2), trained two ways: the
//! course's 2000 gradient-descent iterations, and Newton-CG — Newton's method with each step
//! solved by conjugate gradient on Hessian-vector products from the tape, so the
//! 12289 × 12289 Hessian is never formed.
//!
//! ```text
//! cargo run --release --example newton_logistic
//! cargo run --release --example newton_logistic -- --newton-steps 6 --out newton.png
//! ```
//!
//! Prints the cost of every Newton step, both methods' train and test accuracy and wall time,
//! and draws the cost against wall time for both (`newton_logistic.png`).

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Parser;
use common::plot::{self, Labels, XyCurve};
use tapegrad::data;
use tapegrad::nn::{logistic, model};
use tapegrad::second_order::hvp;
use tapegrad::{Tape, Tensor, Var};

#[derive(Parser)]
#[command(
    name = "newton_logistic",
    about = "Logistic regression on the cat data: the course's gradient descent against Newton-CG on Hessian-vector products"
)]
struct Cli {
    /// Gradient-descent iterations (the course's 2000).
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
    /// Gradient descent's learning rate (the course's 0.005).
    #[arg(long, default_value_t = 0.005)]
    learning_rate: f64,
    /// Newton steps.
    #[arg(long, default_value_t = 8)]
    newton_steps: usize,
    /// At most this many conjugate-gradient iterations (Hessian-vector products) per step.
    #[arg(long, default_value_t = 50)]
    cg_iterations: usize,
    /// The folder holding train_catvnoncat.h5 and test_catvnoncat.h5 [default: $CATVNONCAT_DIR,
    /// else the repository's data/catvnoncat].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Where to draw cost against wall time.
    #[arg(long, default_value = "newton_logistic.png")]
    out: PathBuf,
}

/// The course's cost J(w, b) on the tape: `p = [w (n_x, 1), b (1, 1)]`.
fn cost<'t>(tape: &'t Tape, p: &[Var<'t>], x: &Tensor, y: &Tensor) -> Var<'t> {
    let a = p[0]
        .t()
        .matmul(tape.constant(x))
        .broadcast_add(p[1])
        .sigmoid();
    model::compute_cost(a, tape.constant(y))
}

/// The cost and its gradient at `p`.
fn cost_and_gradient(p: &[Tensor], x: &Tensor, y: &Tensor) -> Result<(f64, Vec<Tensor>)> {
    let tape = Tape::new();
    let vars: Vec<Var> = p.iter().map(|t| tape.param(t)).collect();
    let j = cost(&tape, &vars, x, y);
    let grads = j.backward()?;
    let g = vars
        .iter()
        .map(|&v| {
            grads
                .wrt(v)
                .cloned()
                .unwrap_or_else(|| Tensor::zeros(&v.shape()))
        })
        .collect();
    Ok((j.value().item(), g))
}

fn dot(a: &[Tensor], b: &[Tensor]) -> f64 {
    a.iter().zip(b).map(|(a, b)| (a * b).sum().item()).sum()
}

/// `a + s·b`, param by param.
fn axpy(a: &[Tensor], s: f64, b: &[Tensor]) -> Vec<Tensor> {
    a.iter().zip(b).map(|(a, b)| a + &b.mul_scalar(s)).collect()
}

/// Solves `H·d = −g` by conjugate gradient on Hessian-vector products, stopping when the
/// residual is below `tol·|g|` or after `max_iterations` products. Returns `d` and the number
/// of products.
fn conjugate_gradient(
    p: &[Tensor],
    g: &[Tensor],
    x: &Tensor,
    y: &Tensor,
    tol: f64,
    max_iterations: usize,
) -> Result<(Vec<Tensor>, usize)> {
    let mut d: Vec<Tensor> = g.iter().map(|t| Tensor::zeros(t.shape())).collect();
    let mut r: Vec<Tensor> = g.iter().map(|t| -t).collect();
    let mut s = r.clone();
    let mut rr = dot(&r, &r);
    let stop = tol * rr.sqrt();
    for k in 0..max_iterations {
        if rr.sqrt() <= stop {
            return Ok((d, k));
        }
        let hs = hvp(|t, v| cost(t, v, x, y), p, &s)?;
        let curvature = dot(&s, &hs);
        if curvature <= 0.0 {
            // Flat (or, for a non-convex cost, downhill) along s: stop with what we have.
            return Ok((if k == 0 { r } else { d }, k + 1));
        }
        let alpha = rr / curvature;
        d = axpy(&d, alpha, &s);
        r = axpy(&r, -alpha, &hs);
        let next = dot(&r, &r);
        s = axpy(&r, next / rr, &s);
        rr = next;
    }
    Ok((d, max_iterations))
}

fn accuracy(w: &Tensor, b: f64, x: &Tensor, y: &Tensor) -> f64 {
    let predictions = logistic::predict(w, b, x);
    let wrong = (&predictions - y).abs().sum().item();
    100.0 - wrong / y.len() as f64 * 100.0
}

fn run(cli: &Cli) -> Result<()> {
    if cli.newton_steps == 0 || cli.cg_iterations == 0 {
        bail!("--newton-steps and --cg-iterations must be at least 1");
    }
    let cat = data::load_catvnoncat(&data::data_dir(cli.data.as_deref())?)?;
    let (x, y) = (cat.train.x.clone(), &cat.train.y);
    let (test_x, test_y) = (&cat.test.x, &cat.test.y);
    let n_x = x.shape()[0];

    println!(
        "Gradient descent: {} iterations, learning rate {}",
        cli.iterations, cli.learning_rate
    );
    let (mut w, mut b) = logistic::initialize_with_zeros::<f64>(n_x);
    let mut gd_curve = Vec::with_capacity(cli.iterations);
    let start = Instant::now();
    for i in 0..cli.iterations {
        let (grads, j) = logistic::propagate(&w, b, &x, y)?;
        if !j.is_finite() {
            bail!("gradient descent diverged at iteration {i} (cost {j}): lower --learning-rate");
        }
        gd_curve.push((start.elapsed().as_secs_f64(), j));
        if i % 100 == 0 {
            println!("  Cost after iteration {i}: {j:.6}");
        }
        w.axpy_(-cli.learning_rate, &grads.dw);
        b -= cli.learning_rate * grads.db;
    }
    let gd_time = start.elapsed().as_secs_f64();
    let (gd_cost, _) = cost_and_gradient(&[w.clone(), Tensor::full(&[1, 1], b)], &x, y)?;
    gd_curve.push((gd_time, gd_cost));
    let gd = (accuracy(&w, b, &x, y), accuracy(&w, b, test_x, test_y));
    println!("  final cost {gd_cost:.6} after {gd_time:.2} s");

    println!(
        "Newton-CG: {} steps, at most {} Hessian-vector products each",
        cli.newton_steps, cli.cg_iterations
    );
    let mut p = vec![Tensor::zeros(&[n_x, 1]), Tensor::zeros(&[1, 1])];
    let mut newton_curve = Vec::new();
    let mut products = 0;
    let start = Instant::now();
    let (mut j, mut g) = cost_and_gradient(&p, &x, y)?;
    newton_curve.push((0.0, j));
    println!("  step 0: cost {j:.6}");
    for step in 1..=cli.newton_steps {
        let gnorm = dot(&g, &g).sqrt();
        // The forcing term of truncated Newton: solve loosely far away, tightly near the end.
        let tol = gnorm.sqrt().min(0.5);
        let (d, k) = conjugate_gradient(&p, &g, &x, y, tol, cli.cg_iterations)?;
        products += k;
        // Backtracking (Armijo) on the full Newton step.
        let slope = dot(&g, &d);
        let mut t = 1.0;
        let (next, next_j) = loop {
            let candidate = axpy(&p, t, &d);
            let (cj, _) = cost_and_gradient(&candidate, &x, y)?;
            if cj.is_finite() && cj <= j + 1e-4 * t * slope {
                break (candidate, cj);
            }
            t *= 0.5;
            if t < 1e-10 {
                bail!("Newton step {step}: no decrease along the CG direction");
            }
        };
        p = next;
        (j, g) = cost_and_gradient(&p, &x, y)?;
        debug_assert!((j - next_j).abs() <= 1e-12 * j.abs().max(1.0));
        let elapsed = start.elapsed().as_secs_f64();
        newton_curve.push((elapsed, j));
        let plural = if k == 1 { "" } else { "s" };
        println!(
            "  step {step}: cost {j:.6}  ({k} Hessian-vector product{plural}, step length {t}, {elapsed:.2} s)"
        );
    }
    let newton_time = start.elapsed().as_secs_f64();
    match newton_curve.iter().position(|&(_, c)| c <= gd_cost) {
        Some(k) => println!(
            "Newton-CG is below gradient descent's final cost {gd_cost:.6} from step {k}, after {:.2} s ({:.0}x less time)",
            newton_curve[k].0,
            gd_time / newton_curve[k].0.max(1e-9)
        ),
        None => println!("Newton-CG stays above gradient descent's final cost {gd_cost:.6}"),
    }
    let newton_b = p[1].item();
    let newton = (
        accuracy(&p[0], newton_b, &x, y),
        accuracy(&p[0], newton_b, test_x, test_y),
    );

    println!();
    println!("method            final cost   train acc   test acc   wall time");
    println!(
        "gradient descent  {gd_cost:>10.6}   {:>8.2} %  {:>7.2} %   {gd_time:>6.2} s  ({} iterations)",
        gd.0, gd.1, cli.iterations
    );
    println!(
        "Newton-CG         {j:>10.6}   {:>8.2} %  {:>7.2} %   {newton_time:>6.2} s  ({} steps, {products} Hessian-vector products)",
        newton.0, newton.1, cli.newton_steps
    );
    let labels = Labels {
        title: "Logistic regression on the cat data",
        x: "wall time (s)",
        y: "cost",
    };
    let curves = [
        XyCurve {
            label: format!("gradient descent ({} iterations)", cli.iterations),
            points: gd_curve,
        },
        XyCurve {
            label: format!("Newton-CG ({} steps)", cli.newton_steps),
            points: newton_curve,
        },
    ];
    common::warn(plot::xy_chart(&cli.out, &labels, &curves)?);
    println!("Cost against wall time written to {}", cli.out.display());
    Ok(())
}

fn main() -> ExitCode {
    common::finish(run(&Cli::parse()))
}
