//! The Regularization notebook (Course 2, week 1; docs/course2.md §5): L2 regularization and
//! inverted dropout for the `[LINEAR → RELU] × (L−1) → LINEAR → SIGMOID` model.
//!
//! The hand-written forward and backward passes are the notebook's, formula for formula, kept
//! as the reference the tape is proven against (like [`reference`](super::reference)).
//! [`tape_gradients`] is the same model on the tape, the way to train it.

use super::{Activation, Parameters};
use crate::error::{Error, Result};
use crate::ops::dropout::check_keep_prob;
use crate::rng::NumpyRng;
use crate::{Tape, Tensor};

/// What the forward pass keeps for the backward: `a[0] = X`, then `A[l]` and `Z[l]` for
/// l = 1..L, and the dropout mask `D[l]` of each hidden layer (when dropout is on).
#[derive(Clone, Debug)]
pub struct Cache {
    /// `A[0] = X, A[1], …, A[L]` (hidden `A[l]` after dropout, as the notebook keeps them).
    pub a: Vec<Tensor>,
    /// `Z[1], …, Z[L]`.
    pub z: Vec<Tensor>,
    /// `D[1], …, D[L−1]` (0s and 1s), empty without dropout.
    pub d: Vec<Tensor>,
}

/// The forward pass (`reg_utils.forward_propagation`): ReLU hidden layers, a sigmoid output.
#[track_caller]
pub fn forward_propagation(x: &Tensor, params: &Parameters) -> (Tensor, Cache) {
    forward(x, params, None)
}

/// `forward_propagation_with_dropout(X, parameters, keep_prob)` (the notebook's default is
/// 0.5): seeds NumPy's generator with 1 itself, then after each hidden layer draws
/// `D = rand(A.shape) < keep_prob` and sets `A = A ⊙ D / keep_prob`. So every call draws the
/// same masks.
///
/// # Errors
/// When `keep_prob` is not in `(0, 1]`.
pub fn forward_propagation_with_dropout(
    x: &Tensor,
    params: &Parameters,
    keep_prob: f64,
) -> Result<(Tensor, Cache)> {
    check_keep_prob("forward_propagation_with_dropout", keep_prob)?;
    let mut rng = NumpyRng::new(1);
    Ok(forward(x, params, Some((keep_prob, &mut rng))))
}

/// The masks [`forward_propagation_with_dropout`] draws for `params` and `m` examples: those
/// of every step of the notebook's training (it reseeds each time).
///
/// # Errors
/// When `keep_prob` is not in `(0, 1]`.
pub fn dropout_masks(params: &Parameters, m: usize, keep_prob: f64) -> Result<Vec<Tensor>> {
    check_keep_prob("dropout_masks", keep_prob)?;
    let mut rng = NumpyRng::new(1);
    let hidden = &params.layer_dims()[1..params.num_layers()];
    hidden
        .iter()
        .map(|&n| Tensor::dropout_mask(&[n, m], keep_prob, &mut rng))
        .collect()
}

fn forward(
    x: &Tensor,
    params: &Parameters,
    mut dropout: Option<(f64, &mut NumpyRng)>,
) -> (Tensor, Cache) {
    let num_layers = params.num_layers();
    let mut cache = Cache {
        a: vec![x.clone()],
        z: Vec::new(),
        d: Vec::new(),
    };
    for l in 0..num_layers {
        let z = params.w[l].matmul(&cache.a[l]).broadcast_add(&params.b[l]);
        let mut a = if l + 1 == num_layers {
            z.sigmoid()
        } else {
            z.relu()
        };
        if let Some((keep_prob, rng)) = dropout.as_mut().filter(|_| l + 1 < num_layers) {
            let d =
                Tensor::dropout_mask(a.shape(), *keep_prob, rng).expect("keep_prob was checked");
            // `A = A * D`, then `A = A / keep_prob`: two roundings, as the notebook.
            a = (&a * &d).div_scalar(*keep_prob);
            cache.d.push(d);
        }
        cache.z.push(z);
        cache.a.push(a);
    }
    (cache.a[num_layers].clone(), cache)
}

/// The notebook's cross-entropy `compute_cost(A3, Y)`:
/// `(1/m)·nansum(−log(A)·Y − log(1 − A)·(1 − Y))` (NaN terms, from `0·log 0`, are dropped).
#[track_caller]
pub fn compute_cost(al: &Tensor, y: &Tensor) -> f64 {
    let m = y.shape()[1] as f64;
    let terms = al.zip_with(y, |a, y| (-a.ln()) * y + (-(1.0 - a).ln()) * (1.0 - y));
    1.0 / m * terms.to_vec().iter().filter(|t| !t.is_nan()).sum::<f64>()
}

/// `compute_cost_with_regularization(A3, Y, parameters, lambd)`: the cross-entropy plus
/// `(1/m)·(λ/2)·Σ_l ΣW[l]²`.
#[track_caller]
pub fn compute_cost_with_regularization(
    al: &Tensor,
    y: &Tensor,
    params: &Parameters,
    lambd: f64,
) -> f64 {
    let m = y.shape()[1] as f64;
    let squares: f64 = params.w.iter().map(|w| (w * w).sum().item()).sum();
    compute_cost(al, y) + 1.0 / m * (lambd / 2.0) * squares
}

/// The notebook's backward pass (`reg_utils.backward_propagation`): `dZ[L] = A[L] − Y`,
/// `dW[l] = (1/m)·dZ[l]·A[l−1]ᵀ`, `db[l] = (1/m)·Σ_cols dZ[l]`, `dA[l−1] = W[l]ᵀ·dZ[l]`,
/// `dZ[l] = dA[l] ⊙ (A[l] > 0)`.
#[track_caller]
pub fn backward_propagation(
    x: &Tensor,
    y: &Tensor,
    cache: &Cache,
    params: &Parameters,
) -> Parameters {
    backward(x, y, cache, params, 0.0, None)
}

/// `backward_propagation_with_regularization(X, Y, cache, lambd)`: as
/// [`backward_propagation`], with `dW[l] += (λ/m)·W[l]` (biases unchanged).
#[track_caller]
pub fn backward_propagation_with_regularization(
    x: &Tensor,
    y: &Tensor,
    cache: &Cache,
    params: &Parameters,
    lambd: f64,
) -> Parameters {
    backward(x, y, cache, params, lambd, None)
}

/// `backward_propagation_with_dropout(X, Y, cache, keep_prob)`: as [`backward_propagation`],
/// with each hidden `dA[l] = dA[l] ⊙ D[l] / keep_prob` (the cache's masks).
///
/// # Errors
/// When `keep_prob` is not in `(0, 1]` or the cache holds no masks.
pub fn backward_propagation_with_dropout(
    x: &Tensor,
    y: &Tensor,
    cache: &Cache,
    params: &Parameters,
    keep_prob: f64,
) -> Result<Parameters> {
    check_keep_prob("backward_propagation_with_dropout", keep_prob)?;
    if cache.d.len() + 1 != params.num_layers() {
        return Err(Error::Invalid(format!(
            "backward_propagation_with_dropout: the cache holds {} masks, the model has {} hidden layers",
            cache.d.len(),
            params.num_layers() - 1
        )));
    }
    Ok(backward(x, y, cache, params, 0.0, Some(keep_prob)))
}

fn backward(
    x: &Tensor,
    y: &Tensor,
    cache: &Cache,
    params: &Parameters,
    lambd: f64,
    keep_prob: Option<f64>,
) -> Parameters {
    let m = x.shape()[1] as f64;
    let num_layers = params.num_layers();
    let mut grads = params.zeros_like();
    let mut dz = &cache.a[num_layers] - y;
    for l in (0..num_layers).rev() {
        let mut dw = dz.matmul(&cache.a[l].t()).mul_scalar(1.0 / m);
        if lambd != 0.0 {
            dw = &dw + &params.w[l].mul_scalar(lambd / m);
        }
        grads.w[l] = dw;
        grads.b[l] = dz.sum_axis(1, true).mul_scalar(1.0 / m);
        if l == 0 {
            break;
        }
        let mut da = params.w[l].t().matmul(&dz);
        if let Some(keep_prob) = keep_prob {
            da = (&da * &cache.d[l - 1]).div_scalar(keep_prob);
        }
        dz = da.zip_with(&cache.a[l], |d, a| d * f64::from(u8::from(a > 0.0)));
    }
    grads
}

/// How [`tape_gradients`] regularizes.
#[derive(Clone, Copy, Debug)]
pub enum Regularization<'a> {
    /// None: the plain cross-entropy.
    None,
    /// L2 with strength λ: the cost gains `(1/m)·(λ/2)·Σ_l ΣW[l]²`.
    L2 {
        /// λ (the notebook's `lambd`).
        lambd: f64,
    },
    /// Inverted dropout on the hidden layers with the given masks (one per hidden layer, e.g.
    /// from [`dropout_masks`]).
    Dropout {
        /// The probability of keeping a unit.
        keep_prob: f64,
        /// `D[1], …, D[L−1]`.
        masks: &'a [Tensor],
    },
}

/// One step's cost and gradients of the model on the tape, regularized as asked.
///
/// The backward starts from the fused [`bce_with_logits`](crate::Var::bce_with_logits) of
/// `Z[L]`, whose gradient is the notebook's `dZ[L] = (A[L] − Y)/m` and stays finite when a
/// sigmoid saturates (as with the Initialization notebook's ×10 weights); the returned cost is
/// the notebook's ([`compute_cost`], plus the L2 term), computed from `A[L] = σ(Z[L])`.
///
/// # Errors
/// When `x` and `y` are not `(n_x, m)` and `(1, m)`, the parameters do not chain or do not
/// take `n_x` inputs, a dropout mask does not have its layer's shape, or `keep_prob` is not in
/// `(0, 1]`.
pub fn tape_gradients(
    params: &Parameters,
    x: &Tensor,
    y: &Tensor,
    regularization: Regularization<'_>,
) -> Result<(f64, Parameters)> {
    super::check_examples("tape_gradients", x, y)?;
    params
        .check_layers()
        .map_err(|e| Error::Invalid(format!("tape_gradients: {e}")))?;
    let tape = Tape::new();
    let vars = params.on_tape(&tape);
    let num_layers = params.num_layers();
    let mut a = tape.constant(x);
    let mut z = a;
    for l in 0..num_layers {
        z = vars.w[l].try_matmul(a)?.try_broadcast_add(vars.b[l])?;
        if l + 1 < num_layers {
            a = Activation::Relu.apply(z);
            if let Regularization::Dropout { keep_prob, masks } = regularization {
                let mask = masks.get(l).ok_or_else(|| {
                    Error::Invalid(format!(
                        "tape_gradients: {} dropout masks for {} hidden layers",
                        masks.len(),
                        num_layers - 1
                    ))
                })?;
                a = a.try_dropout_with_mask(mask, keep_prob)?;
            }
        }
    }
    let mut loss = z.try_bce_with_logits(tape.constant(y))?;
    let al = z.value().sigmoid();
    let mut cost = compute_cost(&al, y);
    if let Regularization::L2 { lambd } = regularization {
        let m = y.shape()[1] as f64;
        let squares = vars
            .w
            .iter()
            .map(|&w| (w * w).sum())
            .reduce(|acc, s| acc + s)
            .expect("check_layers: at least one layer");
        loss = loss + squares.mul_scalar(1.0 / m * (lambd / 2.0));
        cost = compute_cost_with_regularization(&al, y, params, lambd);
    }
    let grads = vars.grads(&loss.backward()?);
    Ok((cost, grads))
}

/// The notebook's `model(X, Y, learning_rate=0.3, num_iterations=30000, lambd, keep_prob)`
/// for layer sizes `layer_dims` (the notebook's `[n_x, 20, 3, 1]`): initialization
/// `seed(3)`, `W[l] = randn / sqrt(n_{l−1})`; then full-batch gradient descent on
/// [`tape_gradients`] (dropout masks drawn once, as the notebook's reseeding makes them equal
/// at every step). Returns the parameters and the cost before the update at every
/// `report_every`-th iteration (the notebook prints every 10000; its plot uses every 1000).
///
/// # Errors
/// When the layer sizes, `keep_prob` or the shapes are not usable, or λ and dropout are both
/// asked for (the notebook does not combine them).
#[allow(clippy::too_many_arguments)]
pub fn model(
    x: &Tensor,
    y: &Tensor,
    layer_dims: &[usize],
    learning_rate: f64,
    num_iterations: usize,
    lambd: f64,
    keep_prob: f64,
    report_every: usize,
) -> Result<(Parameters, Vec<f64>)> {
    super::check_examples("model", x, y)?;
    if lambd != 0.0 && keep_prob != 1.0 {
        return Err(Error::Invalid(format!(
            "model: use L2 (lambd = {lambd}) or dropout (keep_prob = {keep_prob}), not both"
        )));
    }
    let mut params =
        super::initialize_parameters_deep(layer_dims, 3, super::InitScale::DivSqrtFanIn)?;
    let masks = if keep_prob < 1.0 {
        dropout_masks(&params, x.shape()[1], keep_prob)?
    } else {
        check_keep_prob("model", keep_prob)?;
        Vec::new()
    };
    let regularization = if keep_prob < 1.0 {
        Regularization::Dropout {
            keep_prob,
            masks: &masks,
        }
    } else if lambd != 0.0 {
        Regularization::L2 { lambd }
    } else {
        Regularization::None
    };
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        let (cost, grads) = tape_gradients(&params, x, y, regularization)?;
        if report_every > 0 && i % report_every == 0 {
            costs.push(cost);
        }
        super::update_parameters(&mut params, &grads, learning_rate);
    }
    Ok((params, costs))
}
