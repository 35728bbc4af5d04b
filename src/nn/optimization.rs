//! The Optimization notebook (Course 2, week 2) in its own names: mini-batches, gradient
//! descent, momentum, Adam and learning-rate decay, on [`Parameters`].
//!
//! Thin wrappers: the update rules are those of [`crate::optim`], applied to the course's
//! `parameters`, `grads`, `v` and `s` (each a [`Parameters`], in the order `W1, b1, W2, …`).

use super::Parameters;
use crate::error::{fmt_shape, Error, Result};
use crate::optim::{adam, momentum, schedule, sgd};
use crate::rng::NumpyRng;
use crate::{Element, Tensor};

/// `random_mini_batches(X, Y, mini_batch_size, seed)`: seeds NumPy's generator with `seed`,
/// permutes the `m` columns with `permutation(m)`, and cuts them into batches of
/// `mini_batch_size` columns, the last one holding the remainder (if any).
///
/// ```
/// use tapegrad::{nn::random_mini_batches, Tensor};
/// let x = Tensor::from_vec((0..10).map(f64::from).collect(), &[1, 10])?;
/// let batches = random_mini_batches(&x, &x, 4, 0)?;
/// let sizes: Vec<usize> = batches.iter().map(|(bx, _)| bx.shape()[1]).collect();
/// assert_eq!(sizes, [4, 4, 2]);
/// // permutation(10) after seed(0) is [2 8 4 9 1 6 7 3 0 5]
/// assert_eq!(batches[0].0.to_vec(), [2.0, 8.0, 4.0, 9.0]);
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// [`Error::Invalid`] when `mini_batch_size` is 0 or `X` and `Y` are not 2-D with the same
/// number of columns.
pub fn random_mini_batches<T: Element>(
    x: &Tensor<T>,
    y: &Tensor<T>,
    mini_batch_size: usize,
    seed: u32,
) -> Result<Vec<(Tensor<T>, Tensor<T>)>> {
    if mini_batch_size == 0 {
        return Err(Error::Invalid(
            "random_mini_batches: mini_batch_size must be at least 1, got 0".into(),
        ));
    }
    if x.ndim() != 2 || y.ndim() != 2 || x.shape()[1] != y.shape()[1] {
        return Err(Error::Invalid(format!(
            "random_mini_batches: X {} and Y {} must be 2-D with one example per column",
            fmt_shape(x.shape()),
            fmt_shape(y.shape())
        )));
    }
    let perm = NumpyRng::new(seed).permutation(x.shape()[1]);
    let chunks: Vec<&[usize]> = perm.chunks(mini_batch_size).collect();
    Ok(columns_of(x, &chunks)
        .into_iter()
        .zip(&chunks)
        .map(|(bx, cols)| (bx, y.select(1, cols)))
        .collect())
}

/// `x.select(1, cols)` for every `cols` in `chunks`, in one pass over the rows of `x`: each
/// row is read from memory once for all the batches, not once per batch, and each batch's row
/// is written in order.
fn columns_of<T: Element>(x: &Tensor<T>, chunks: &[&[usize]]) -> Vec<Tensor<T>> {
    let x = x.contiguous();
    let (rows, width) = (x.shape()[0], x.shape()[1]);
    let mut out: Vec<Vec<T>> = chunks
        .iter()
        .map(|cols| Vec::with_capacity(rows * cols.len()))
        .collect();
    // Each row is copied whole first: read in order, X streams from memory at full speed,
    // where picking its elements out of order would wait for every cache line in turn.
    let mut copy = vec![T::ZERO; width];
    for row in x.as_slice().chunks_exact(width.max(1)).take(rows) {
        copy.copy_from_slice(row);
        for (batch, cols) in out.iter_mut().zip(chunks) {
            batch.extend(cols.iter().map(|&j| copy[j]));
        }
    }
    out.into_iter()
        .zip(chunks)
        .map(|(data, cols)| Tensor::from_parts(data, &[rows, cols.len()]))
        .collect()
}

/// Checks that every [`Parameters`] has the layout of the first, naming `function` and the
/// offending one.
fn check_layout<T: Element>(function: &str, sets: &[(&str, &Parameters<T>)]) -> Result<()> {
    let (first_name, first) = sets[0];
    for &(name, set) in &sets[1..] {
        let shapes = |p: &Parameters<T>| p.iter().map(|t| fmt_shape(t.shape())).collect::<Vec<_>>();
        if shapes(set) != shapes(first) {
            return Err(Error::Invalid(format!(
                "{function}: {name} has the tensors {:?}, {first_name} has {:?}",
                shapes(set),
                shapes(first)
            )));
        }
    }
    Ok(())
}

/// `update_parameters_with_gd`: `W[l] ← W[l] − α·dW[l]`, `b[l] ← b[l] − α·db[l]`.
///
/// # Errors
/// When `grads` does not have the layout of `params`.
pub fn update_parameters_with_gd<T: Element>(
    params: &mut Parameters<T>,
    grads: &Parameters<T>,
    learning_rate: f64,
) -> Result<()> {
    check_layout(
        "update_parameters_with_gd",
        &[("params", params), ("grads", grads)],
    )?;
    for (p, g) in params.iter_mut().zip(grads.iter()) {
        sgd::step(p, g, learning_rate);
    }
    Ok(())
}

/// `initialize_velocity`: `v["dW{l}"]`, `v["db{l}"]` as zeros of the parameters' shapes.
pub fn initialize_velocity<T: Element>(params: &Parameters<T>) -> Parameters<T> {
    params.zeros_like()
}

/// `update_parameters_with_momentum` (β = 0.9 in the course): `v ← β·v + (1 − β)·g`, then
/// `p ← p − α·v`, for each `W[l]`, `b[l]` in turn.
///
/// # Errors
/// When `grads` or `v` does not have the layout of `params`.
pub fn update_parameters_with_momentum<T: Element>(
    params: &mut Parameters<T>,
    grads: &Parameters<T>,
    v: &mut Parameters<T>,
    beta: f64,
    learning_rate: f64,
) -> Result<()> {
    check_layout(
        "update_parameters_with_momentum",
        &[("params", params), ("grads", grads), ("v", v)],
    )?;
    for ((p, g), v) in params.iter_mut().zip(grads.iter()).zip(v.iter_mut()) {
        momentum::step(p, g, v, beta, learning_rate);
    }
    Ok(())
}

/// `initialize_adam`: `(v, s)`, both zeros of the parameters' shapes.
pub fn initialize_adam<T: Element>(params: &Parameters<T>) -> (Parameters<T>, Parameters<T>) {
    (params.zeros_like(), params.zeros_like())
}

/// `update_parameters_with_adam` at step `t` (counted from 1). The course's defaults:
/// `learning_rate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8`. The rule is
/// [`Adam`](crate::optim::Adam)'s, with ε outside the square root.
///
/// # Errors
/// When `grads`, `v` or `s` does not have the layout of `params`, or `t` is 0.
#[allow(clippy::too_many_arguments)]
pub fn update_parameters_with_adam<T: Element>(
    params: &mut Parameters<T>,
    grads: &Parameters<T>,
    v: &mut Parameters<T>,
    s: &mut Parameters<T>,
    t: u64,
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
) -> Result<()> {
    check_layout(
        "update_parameters_with_adam",
        &[("params", params), ("grads", grads), ("v", v), ("s", s)],
    )?;
    if t == 0 {
        return Err(Error::Invalid(
            "update_parameters_with_adam: t counts updates from 1, got 0".into(),
        ));
    }
    let h = adam::Hyper {
        learning_rate,
        beta1,
        beta2,
        epsilon,
    };
    for (((p, g), v), s) in params
        .iter_mut()
        .zip(grads.iter())
        .zip(v.iter_mut())
        .zip(s.iter_mut())
    {
        adam::step(p, g, v, s, t, h);
    }
    Ok(())
}

/// `update_lr`: `α = 1 / (1 + decay_rate·epoch_num) · α0`.
pub fn update_lr(learning_rate0: f64, epoch_num: usize, decay_rate: f64) -> f64 {
    schedule::inverse_time(learning_rate0, epoch_num, decay_rate)
}

/// `schedule_lr_decay` (the course's `time_interval` is 1000):
/// `α = 1 / (1 + decay_rate·⌊epoch_num / time_interval⌋) · α0`.
///
/// # Panics
/// When `time_interval` is 0.
#[track_caller]
pub fn schedule_lr_decay(
    learning_rate0: f64,
    epoch_num: usize,
    decay_rate: f64,
    time_interval: usize,
) -> f64 {
    schedule::stepped_inverse_time(learning_rate0, epoch_num, decay_rate, time_interval)
}

/// The update rule of the Optimization notebook's `model(…, optimizer=…)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// `"gd"`: plain (mini-batch) gradient descent.
    Gd,
    /// `"momentum"` with β (the notebook's 0.9).
    Momentum {
        /// β.
        beta: f64,
    },
    /// `"adam"` with β1, β2, ε (the notebook's 0.9, 0.999, 1e-8).
    Adam {
        /// β1.
        beta1: f64,
        /// β2.
        beta2: f64,
        /// ε.
        epsilon: f64,
    },
}

impl Method {
    /// Momentum with the notebook's β = 0.9.
    pub const MOMENTUM: Method = Method::Momentum { beta: 0.9 };
    /// Adam with the notebook's β1 = 0.9, β2 = 0.999, ε = 1e-8.
    pub const ADAM: Method = Method::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };
}

/// Learning-rate decay after each epoch, as the notebook's `decay=…` argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decay {
    /// A fixed learning rate.
    None,
    /// [`update_lr`] with the decay rate (the notebook's 1).
    UpdateLr {
        /// The decay rate.
        decay_rate: f64,
    },
    /// [`schedule_lr_decay`] with the decay rate and the interval (the notebook's 1 and 1000).
    Schedule {
        /// The decay rate.
        decay_rate: f64,
        /// The epochs per step.
        time_interval: usize,
    },
}

/// One epoch of [`model`]: the mean cost over the epoch's mini-batches (`cost_total / m`) and
/// the learning rate set after it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Epoch {
    /// `cost_total / m`, the notebook's printed cost.
    pub cost: f64,
    /// The learning rate after the epoch's decay step (the notebook's printed value).
    pub learning_rate: f64,
}

/// The notebook's `model(X, Y, layers_dims, optimizer, learning_rate=0.0007,
/// mini_batch_size=64, num_epochs=5000, decay)`: He initialization with `seed(3)`, then for
/// each epoch `seed += 1` (from 10) and [`random_mini_batches`] with that seed; on each batch
/// the tape's gradients of the mean cross-entropy (so `dZ[L] = (A − Y)/m_batch`) and one update
/// of `method` (Adam counts its `t` per batch); after each epoch the decay. Returns the
/// parameters and every epoch's [`Epoch`] (the notebook prints every 1000th).
///
/// # Errors
/// When the layer sizes, the batch size or a decay interval of 0 are not usable, or `x` and
/// `y` do not fit together or with `layer_dims`.
#[allow(clippy::too_many_arguments)]
pub fn model(
    x: &Tensor,
    y: &Tensor,
    layer_dims: &[usize],
    method: Method,
    learning_rate: f64,
    mini_batch_size: usize,
    num_epochs: usize,
    decay: Decay,
) -> Result<(Parameters, Vec<Epoch>)> {
    use crate::optim::{Adam, Momentum, Optimizer, Sgd};
    super::check_examples("optimization::model", x, y)?;
    if let Decay::Schedule {
        time_interval: 0, ..
    } = decay
    {
        return Err(Error::Invalid(
            "optimization::model: the decay's time_interval must be at least 1 epoch, got 0".into(),
        ));
    }
    let mut params = super::initialize_parameters_he(layer_dims)?;
    let tensors: Vec<&Tensor> = params.iter().collect();
    let mut optimizer: Box<dyn Optimizer<f64>> = match method {
        Method::Gd => Box::new(Sgd::new(&tensors, learning_rate)),
        Method::Momentum { beta } => Box::new(Momentum::new(&tensors, learning_rate, beta)),
        Method::Adam {
            beta1,
            beta2,
            epsilon,
        } => Box::new(Adam::with(&tensors, learning_rate, beta1, beta2, epsilon)),
    };
    let m = x.shape()[1] as f64;
    let mut epochs = Vec::with_capacity(num_epochs);
    for i in 0..num_epochs {
        let seed = 10 + 1 + i as u32;
        let mut cost_total = 0.0;
        for (bx, by) in random_mini_batches(x, y, mini_batch_size, seed)? {
            let (batch_cost, grads) = super::regularization::tape_gradients(
                &params,
                &bx,
                &by,
                super::regularization::Regularization::None,
            )?;
            // The notebook's compute_cost returns the batch's sum.
            cost_total += batch_cost * by.shape()[1] as f64;
            optimizer.update_parameters(&mut params, &grads)?;
        }
        let lr = match decay {
            Decay::None => optimizer.learning_rate(),
            Decay::UpdateLr { decay_rate } => update_lr(learning_rate, i, decay_rate),
            Decay::Schedule {
                decay_rate,
                time_interval,
            } => schedule_lr_decay(learning_rate, i, decay_rate, time_interval),
        };
        optimizer.set_learning_rate(lr);
        epochs.push(Epoch {
            cost: cost_total / m,
            learning_rate: lr,
        });
    }
    Ok((params, epochs))
}
