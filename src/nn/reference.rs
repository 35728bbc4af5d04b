//! The course's hand-written backprop, kept on plain tensors as the reference the tape is
//! proven against — and for learners to compare their own derivations with.
//!
//! Every function is the course's, formula for formula (docs/course.md §2.2–2.4), including its
//! rounding order. The course's `dZ` and `dA` are per example (gradients of the *summed*
//! loss); its `1/m` lives only in `dW` and `db`.

use super::{Activation, Parameters};
use crate::{Element, Tensor};

/// The course's `linear_cache = (A_prev, W, b)`.
#[derive(Clone, Debug)]
pub struct LinearCache<T: Element = f64> {
    /// The layer's input `A[l-1]`.
    pub a_prev: Tensor<T>,
    /// `W[l]`.
    pub w: Tensor<T>,
    /// `b[l]`.
    pub b: Tensor<T>,
}

/// The course's `cache = (linear_cache, activation_cache)`, the activation cache being `Z`.
#[derive(Clone, Debug)]
pub struct Cache<T: Element = f64> {
    /// `(A_prev, W, b)`.
    pub linear: LinearCache<T>,
    /// `Z[l]`.
    pub z: Tensor<T>,
}

/// The course's `grads` dictionary: `dA0..dA{L-1}`, `dW1..dWL`, `db1..dbL` (index `l-1` for
/// layer l; `da[k]` is the gradient of `A[k]`).
#[derive(Clone, Debug)]
pub struct Grads<T: Element = f64> {
    /// `dA0..dA{L-1}` (per example).
    pub da: Vec<Tensor<T>>,
    /// `dW1..dWL`.
    pub dw: Vec<Tensor<T>>,
    /// `db1..dbL`.
    pub db: Vec<Tensor<T>>,
}

/// `A = 1/(1 + exp(−Z))`; returns `(A, Z)`.
pub fn sigmoid<T: Element>(z: &Tensor<T>) -> (Tensor<T>, Tensor<T>) {
    (z.sigmoid(), z.clone())
}

/// `A = max(0, Z)`; returns `(A, Z)`.
pub fn relu<T: Element>(z: &Tensor<T>) -> (Tensor<T>, Tensor<T>) {
    (z.relu(), z.clone())
}

/// `Z = W·A + b`; returns `(Z, (A, W, b))`.
pub fn linear_forward<T: Element>(
    a: &Tensor<T>,
    w: &Tensor<T>,
    b: &Tensor<T>,
) -> (Tensor<T>, LinearCache<T>) {
    let z = w.matmul(a).broadcast_add(b);
    (
        z,
        LinearCache {
            a_prev: a.clone(),
            w: w.clone(),
            b: b.clone(),
        },
    )
}

/// `A = act(W·A_prev + b)`; returns `(A, ((A_prev, W, b), Z))`.
pub fn linear_activation_forward<T: Element>(
    a_prev: &Tensor<T>,
    w: &Tensor<T>,
    b: &Tensor<T>,
    activation: Activation,
) -> (Tensor<T>, Cache<T>) {
    let (z, linear) = linear_forward(a_prev, w, b);
    let (a, z) = match activation {
        Activation::Relu => relu(&z),
        Activation::Sigmoid => sigmoid(&z),
        Activation::Tanh => (z.tanh(), z.clone()),
    };
    (a, Cache { linear, z })
}

/// `[LINEAR → RELU] × (L−1) → LINEAR → SIGMOID`; returns `AL` and the L caches.
pub fn l_model_forward<T: Element>(
    x: &Tensor<T>,
    params: &Parameters<T>,
) -> (Tensor<T>, Vec<Cache<T>>) {
    let num_layers = params.num_layers();
    let mut a = x.clone();
    let mut caches = Vec::with_capacity(num_layers);
    for l in 1..=num_layers {
        let (next, cache) = linear_activation_forward(
            &a,
            &params.w[l - 1],
            &params.b[l - 1],
            Activation::of_layer(l, num_layers),
        );
        caches.push(cache);
        a = next;
    }
    (a, caches)
}

/// `J = (−1/m)·Σ (Y ⊙ log(AL) + (1 − Y) ⊙ log(1 − AL))`.
pub fn compute_cost<T: Element>(al: &Tensor<T>, y: &Tensor<T>) -> T {
    let m = T::from_f64(y.shape()[1] as f64);
    let logprobs = &(y * &al.log()) + &(&y.rsub_scalar(T::ONE) * &al.rsub_scalar(T::ONE).log());
    (-T::ONE / m) * logprobs.sum().item()
}

/// `dZ = dA` where `Z > 0`, else 0 (`dZ[Z <= 0] = 0`).
pub fn relu_backward<T: Element>(da: &Tensor<T>, z: &Tensor<T>) -> Tensor<T> {
    da.zip_with(z, |d, z| if z > T::ZERO { d } else { T::ZERO })
}

/// `s = 1/(1 + exp(−Z))`, `dZ = dA ⊙ s ⊙ (1 − s)`, evaluated left to right.
pub fn sigmoid_backward<T: Element>(da: &Tensor<T>, z: &Tensor<T>) -> Tensor<T> {
    let s = z.sigmoid();
    &(da * &s) * &s.rsub_scalar(T::ONE)
}

/// `A = tanh(Z)`, `dZ = dA ⊙ (1 − A²)` (the planar notebook's `1 - np.power(A1, 2)`).
pub fn tanh_backward<T: Element>(da: &Tensor<T>, z: &Tensor<T>) -> Tensor<T> {
    let a = z.tanh();
    da * &(&a * &a).rsub_scalar(T::ONE)
}

/// `m = A_prev.shape[1]`; `dW = (1/m)·(dZ·A_prevᵀ)`, `db = (1/m)·Σ_cols dZ`, `dA_prev = Wᵀ·dZ`.
/// Returns `(dA_prev, dW, db)`.
pub fn linear_backward<T: Element>(
    dz: &Tensor<T>,
    cache: &LinearCache<T>,
) -> (Tensor<T>, Tensor<T>, Tensor<T>) {
    let inv_m = T::ONE / T::from_f64(cache.a_prev.shape()[1] as f64);
    let dw = dz.matmul(&cache.a_prev.t()).mul_scalar(inv_m);
    let db = dz.sum_axis(1, true).mul_scalar(inv_m);
    let da_prev = cache.w.t().matmul(dz);
    (da_prev, dw, db)
}

/// `dZ = act_backward(dA, Z)`, then [`linear_backward`]. Returns `(dA_prev, dW, db)`.
pub fn linear_activation_backward<T: Element>(
    da: &Tensor<T>,
    cache: &Cache<T>,
    activation: Activation,
) -> (Tensor<T>, Tensor<T>, Tensor<T>) {
    let dz = match activation {
        Activation::Relu => relu_backward(da, &cache.z),
        Activation::Sigmoid => sigmoid_backward(da, &cache.z),
        Activation::Tanh => tanh_backward(da, &cache.z),
    };
    linear_backward(&dz, &cache.linear)
}

/// The course's `L_model_backward`: `dAL = −(Y/AL − (1−Y)/(1−AL))`, then the sigmoid layer,
/// then the ReLU layers from L−1 down to 1.
///
/// # Panics
/// When `caches` is empty or the shapes do not fit.
pub fn l_model_backward<T: Element>(
    al: &Tensor<T>,
    y: &Tensor<T>,
    caches: &[Cache<T>],
) -> Grads<T> {
    let num_layers = caches.len();
    let y = y.reshape(al.shape());
    let dal = -&(&(&y / al) - &(&y.rsub_scalar(T::ONE) / &al.rsub_scalar(T::ONE)));
    let mut da = vec![Tensor::zeros(&[0]); num_layers];
    let mut dw = da.clone();
    let mut db = da.clone();
    let mut upstream = dal;
    for l in (1..=num_layers).rev() {
        let (da_prev, dw_l, db_l) = linear_activation_backward(
            &upstream,
            &caches[l - 1],
            Activation::of_layer(l, num_layers),
        );
        da[l - 1] = da_prev.clone();
        dw[l - 1] = dw_l;
        db[l - 1] = db_l;
        upstream = da_prev;
    }
    Grads { da, dw, db }
}

/// `W[l] ← W[l] − α·dW[l]`, `b[l] ← b[l] − α·db[l]` from the course's `grads`.
pub fn update_parameters<T: Element>(
    params: &Parameters<T>,
    grads: &Grads<T>,
    learning_rate: T,
) -> Parameters<T> {
    let step = |p: &Tensor<T>, g: &Tensor<T>| p - &g.mul_scalar(learning_rate);
    Parameters {
        w: params
            .w
            .iter()
            .zip(&grads.dw)
            .map(|(p, g)| step(p, g))
            .collect(),
        b: params
            .b
            .iter()
            .zip(&grads.db)
            .map(|(p, g)| step(p, g))
            .collect(),
    }
}
