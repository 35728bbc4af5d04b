//! The L-layer model as tape code: the course's forward functions, and nothing else — the
//! gradients come from [`Var::backward`](crate::Var::backward).

use super::{Activation, ParamVars, Parameters};
use crate::error::Result;
use crate::{Element, Tape, Tensor, Var};

/// What the forward pass of one layer recorded (the course's `cache`): its input, its
/// parameters and its pre-activation. Mark `z` or `a_prev` with
/// [`Var::retain_grad`](crate::Var::retain_grad) before `backward` to read `dZ`, `dA`.
#[derive(Clone, Copy, Debug)]
pub struct Cache<'t, T: Element = f64> {
    /// `A[l-1]`, the layer's input.
    pub a_prev: Var<'t, T>,
    /// `W[l]`.
    pub w: Var<'t, T>,
    /// `b[l]`.
    pub b: Var<'t, T>,
    /// `Z[l] = W[l]·A[l-1] + b[l]`.
    pub z: Var<'t, T>,
}

/// `Z = W·A + b`, with `b` `(n, 1)` broadcast over the m columns.
pub fn linear_forward<'t, T: Element>(a: Var<'t, T>, w: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    w.matmul(a).broadcast_add(b)
}

/// `A = activation(W·A_prev + b)`, and the layer's cache.
pub fn linear_activation_forward<'t, T: Element>(
    a_prev: Var<'t, T>,
    w: Var<'t, T>,
    b: Var<'t, T>,
    activation: Activation,
) -> (Var<'t, T>, Cache<'t, T>) {
    let z = linear_forward(a_prev, w, b);
    let a = activation.apply(z);
    (a, Cache { a_prev, w, b, z })
}

/// `[LINEAR → RELU] × (L−1) → LINEAR → SIGMOID`: returns `AL` `(1, m)` and the L caches.
pub fn l_model_forward<'t, T: Element>(
    x: Var<'t, T>,
    params: &ParamVars<'t, T>,
) -> (Var<'t, T>, Vec<Cache<'t, T>>) {
    let num_layers = params.w.len();
    let mut a = x;
    let mut caches = Vec::with_capacity(num_layers);
    for l in 1..=num_layers {
        let (next, cache) = linear_activation_forward(
            a,
            params.w[l - 1],
            params.b[l - 1],
            Activation::of_layer(l, num_layers),
        );
        caches.push(cache);
        a = next;
    }
    (a, caches)
}

/// The cross-entropy cost `J = (−1/m)·Σ (Y ⊙ log AL + (1 − Y) ⊙ log(1 − AL))`, written as the
/// course writes it (so it rounds as the course's printed costs do).
pub fn compute_cost<'t, T: Element>(al: Var<'t, T>, y: Var<'t, T>) -> Var<'t, T> {
    let m = al.shape()[1];
    (y * al.log() + y.rsub_scalar(T::ONE) * al.rsub_scalar(T::ONE).log())
        .sum()
        .mul_scalar(-T::ONE / T::from_f64(m as f64))
}

/// Gradient descent: `W[l] ← W[l] − α·dW[l]`, `b[l] ← b[l] − α·db[l]`, in place.
///
/// # Panics
/// When `grads` does not have as many tensors as `params` (the message gives both counts), or
/// not their shapes.
#[track_caller]
pub fn update_parameters<T: Element>(
    params: &mut Parameters<T>,
    grads: &Parameters<T>,
    learning_rate: T,
) {
    assert!(
        params.w.len() == grads.w.len() && params.b.len() == grads.b.len(),
        "update_parameters: the parameters have {} weights and {} biases but the gradients {} and {}",
        params.w.len(),
        params.b.len(),
        grads.w.len(),
        grads.b.len()
    );
    for (p, g) in params
        .w
        .iter_mut()
        .zip(&grads.w)
        .chain(params.b.iter_mut().zip(&grads.b))
    {
        p.axpy_(-learning_rate, g);
    }
}

/// One full-batch gradient-descent step of the L-layer model: forward, cost, backward, update.
/// Returns the cost computed before the update (what the course logs).
///
/// The parameters are updated in place; the tape and everything it recorded is freed before
/// the update, so memory does not grow over many steps.
///
/// # Errors
/// Never for well-shaped inputs; shape mistakes panic with the op and the shapes.
pub fn train_step<T: Element>(
    params: &mut Parameters<T>,
    x: &Tensor<T>,
    y: &Tensor<T>,
    learning_rate: T,
) -> Result<T> {
    let tape = Tape::default();
    let vars = params.on_tape(&tape);
    let (al, _) = l_model_forward(tape.constant(x), &vars);
    let cost = compute_cost(al, tape.constant(y));
    let grads = vars.grads(&cost.backward()?);
    let value = cost.value().item();
    drop(tape);
    update_parameters(params, &grads, learning_rate);
    Ok(value)
}

/// Predictions `(1, m)`: 1.0 where `AL > 0.5` (strictly), else 0.0.
pub fn predict<T: Element>(x: &Tensor<T>, params: &Parameters<T>) -> Tensor<T> {
    probabilities(x, params).map(|p| {
        if p > T::from_f64(0.5) {
            T::ONE
        } else {
            T::ZERO
        }
    })
}

/// `AL`, the model's probability of class 1 for each column of `x`.
pub fn probabilities<T: Element>(x: &Tensor<T>, params: &Parameters<T>) -> Tensor<T> {
    let tape = Tape::default();
    let vars = params.on_tape_as_constants(&tape);
    l_model_forward(tape.constant(x), &vars).0.value()
}

/// How many predictions equal the labels (the course's accuracy is this over m; compare
/// counts, as 206/209, not the float).
///
/// # Panics
/// When the shapes differ.
#[track_caller]
pub fn accuracy<T: Element>(predictions: &Tensor<T>, y: &Tensor<T>) -> usize {
    let eq = predictions.zip_with(y, |p, y| if p == y { T::ONE } else { T::ZERO });
    eq.to_vec().iter().filter(|&&e| e == T::ONE).count()
}

/// How many columns of `(C, m)` logits have their largest score at the label (multi-class
/// accuracy as a count; ties go to the first class, as [`Tensor::argmax_axis`]).
///
/// ```
/// use tapegrad::{nn, Tensor};
/// let logits = Tensor::from_vec(vec![2.0, 0.1, 0.5, 1.0, -1.0, 3.0], &[3, 2])?;
/// assert_eq!(nn::accuracy_from_logits(&logits, &[0, 2]), 2);
/// assert_eq!(nn::accuracy_from_logits(&logits, &[1, 2]), 1);
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Panics
/// When the logits are not 2-D or there are not `m` labels.
#[track_caller]
pub fn accuracy_from_logits<T: Element>(logits: &Tensor<T>, labels: &[usize]) -> usize {
    assert!(
        logits.ndim() == 2 && logits.shape()[1] == labels.len(),
        "accuracy_from_logits: expected (C, m) logits and m labels, got logits of shape {} and {} labels",
        crate::error::fmt_shape(logits.shape()),
        labels.len()
    );
    let predicted = logits.argmax_axis(0);
    predicted.iter().zip(labels).filter(|(p, y)| p == y).count()
}
