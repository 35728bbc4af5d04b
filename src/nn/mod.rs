//! The course's networks, written as ordinary tape code, with the course's names and shapes.
//!
//! `X` is `(n_x, m)`, one column per example; `Y` is `(1, m)`; `W{l}` is `(n_l, n_{l-1})` and
//! `b{l}` is `(n_l, 1)`, broadcast over the columns. The model is
//! `[LINEAR → RELU] × (L−1) → LINEAR → SIGMOID`.
//!
//! ## The tape and the course's formulas
//!
//! The forward pass is the course's ([`model::l_model_forward`]); the backward pass is whatever
//! the tape derives from it. [`reference`](mod@reference) keeps the course's hand-written backprop on plain
//! tensors, and the tests prove the two agree:
//!
//! | course (`reference`) | tape, loss = mean cost `J` |
//! |---|---|
//! | `dZ[L] = AL − Y` (per example) | `∂J/∂Z[L] = (AL − Y) / m` |
//! | `dA[l]`, `dZ[l]` | `dA[l] / m`, `dZ[l] / m` |
//! | `dW[l] = (1/m)·dZ[l]·A[l−1]ᵀ` | `(dZ[l]/m)·A[l−1]ᵀ`: the same |
//! | `db[l] = (1/m)·Σ_cols dZ[l]` | broadcast backward `Σ_cols (dZ[l]/m)`: the same |
//!
//! ```
//! use tapegrad::nn::{self, model, reference, InitScale};
//! use tapegrad::rng::NumpyRng;
//! use tapegrad::Tape;
//!
//! let params = nn::initialize_parameters_deep(&[4, 3, 1], 1, InitScale::Times(0.5))?;
//! let mut rng = NumpyRng::new(7);
//! let x = rng.randn(&[4, 5]);
//! let y = tapegrad::Tensor::from_vec(vec![1.0, 0.0, 1.0, 1.0, 0.0], &[1, 5])?;
//!
//! // Tape: forward as written in the course, gradients from backward().
//! let tape = Tape::new();
//! let vars = params.on_tape(&tape);
//! let (al, _caches) = model::l_model_forward(tape.constant(&x), &vars);
//! let cost = model::compute_cost(al, tape.constant(&y));
//! let grads = vars.grads(&cost.backward()?);
//!
//! // The course's hand-written backprop on plain tensors.
//! let (al, caches) = reference::l_model_forward(&x, &params);
//! let course = reference::l_model_backward(&al, &y, &caches);
//! for l in 0..2 {
//!     let (tape_dw, course_dw) = (grads.w[l].to_vec(), course.dw[l].to_vec());
//!     for (a, b) in tape_dw.iter().zip(&course_dw) {
//!         assert!((a - b).abs() <= 1e-12 * b.abs().max(1e-300) + 1e-18);
//!     }
//! }
//! # Ok::<(), tapegrad::Error>(())
//! ```

pub mod gradient_checking;
mod init;
pub mod initialization;
pub mod logistic;
pub mod model;
pub mod optimization;
pub mod reference;
pub mod regularization;
pub mod shallow;
pub mod softmax;

pub use init::{
    initialize_parameters, initialize_parameters_deep, initialize_parameters_he,
    initialize_parameters_random, initialize_parameters_zeros, InitScale,
};
pub use model::{accuracy, accuracy_from_logits, predict, train_step, update_parameters};
pub use optimization::{
    initialize_adam, initialize_velocity, random_mini_batches, schedule_lr_decay, update_lr,
    update_parameters_with_adam, update_parameters_with_gd, update_parameters_with_momentum,
};

use crate::error::fmt_shape;
use crate::{Element, Gradients, Tape, Tensor, Var};

/// The parameters of an L-layer network: `w[l-1]` is the course's `W{l}` with shape
/// `(n_l, n_{l-1})`, `b[l-1]` is `b{l}` with shape `(n_l, 1)`.
///
/// The same type holds gradients (`w` = `dW1..dWL`, `b` = `db1..dbL`).
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters<T: Element = f64> {
    /// Weights `W1..WL`.
    pub w: Vec<Tensor<T>>,
    /// Biases `b1..bL`.
    pub b: Vec<Tensor<T>>,
}

impl<T: Element> Parameters<T> {
    /// The number of layers L.
    pub fn num_layers(&self) -> usize {
        self.w.len()
    }

    /// `[n_0, n_1, …, n_L]`, read off the weight shapes.
    pub fn layer_dims(&self) -> Vec<usize> {
        let mut dims: Vec<usize> = self
            .w
            .first()
            .map(|w| vec![w.shape()[1]])
            .unwrap_or_default();
        dims.extend(self.w.iter().map(|w| w.shape()[0]));
        dims
    }

    /// Checks that the parameters are a consistent network (as many `W` as `b`, at least one
    /// layer, 2-D weights whose shapes chain, `(n_l, 1)` biases) and returns `layer_dims`; the
    /// message names the offending tensors and shapes.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) with the message, when they are not.
    pub fn check_layers(&self) -> crate::Result<Vec<usize>> {
        self.layer_problem().map_err(crate::Error::Invalid)
    }

    fn layer_problem(&self) -> std::result::Result<Vec<usize>, String> {
        if self.w.is_empty() || self.w.len() != self.b.len() {
            return Err(format!(
                "expected the same number (at least 1) of weights and biases, got {} W and {} b",
                self.w.len(),
                self.b.len()
            ));
        }
        let mut dims: Vec<usize> = Vec::with_capacity(self.w.len() + 1);
        for (l, (w, b)) in (1..).zip(self.w.iter().zip(&self.b)) {
            let &[rows, cols] = w.shape() else {
                return Err(format!(
                    "`W{l}` must be 2-D, has shape {}",
                    fmt_shape(w.shape())
                ));
            };
            if rows == 0 || cols == 0 {
                return Err(format!(
                    "`W{l}` has shape {}: layers must not be empty",
                    fmt_shape(w.shape())
                ));
            }
            match dims.last() {
            None => dims.push(cols),
            Some(&prev) if prev != cols => {
                return Err(format!(
                    "`W{l}` has shape {} but `W{}` has shape {}: shapes do not chain (`W{l}` needs {prev} columns)",
                    fmt_shape(w.shape()),
                    l - 1,
                    fmt_shape(self.w[l - 2].shape()),
                ))
            }
            Some(_) => {}
        }
            if b.shape() != [rows, 1] {
                return Err(format!(
                    "`b{l}` must have shape ({rows}, 1) to match `W{l}` of shape {}, has {}",
                    fmt_shape(w.shape()),
                    fmt_shape(b.shape())
                ));
            }
            dims.push(rows);
        }
        Ok(dims)
    }

    /// The tensors as a [`ParamSet`](crate::ParamSet) named `W1`, `b1`, `W2`, … (the course's
    /// names; the model files use them).
    pub fn to_param_set(&self) -> crate::ParamSet<T> {
        (1..)
            .zip(self.w.iter().zip(&self.b))
            .flat_map(|(l, (w, b))| [(format!("W{l}"), w.clone()), (format!("b{l}"), b.clone())])
            .collect()
    }

    /// The `layers`-layer network in a set named as [`Parameters::to_param_set`] names it.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) when a tensor is missing (the message names it
    /// and lists the set's names), the set holds more than those tensors, or
    /// [`Parameters::check_layers`] fails.
    pub fn from_param_set(set: &crate::ParamSet<T>, layers: usize) -> crate::Result<Self> {
        let take = |name: String| {
            set.get(&name).cloned().ok_or_else(|| {
                let names: Vec<&str> = set.names().collect();
                format!(
                    "tensor `{name}` not found (the set holds: {})",
                    names.join(", ")
                )
            })
        };
        let params = Parameters {
            w: (1..=layers)
                .map(|l| take(format!("W{l}")))
                .collect::<std::result::Result<_, _>>()
                .map_err(crate::Error::Invalid)?,
            b: (1..=layers)
                .map(|l| take(format!("b{l}")))
                .collect::<std::result::Result<_, _>>()
                .map_err(crate::Error::Invalid)?,
        };
        if set.len() != 2 * layers {
            let extra: Vec<&str> = set
                .names()
                .filter(|n| !(1..=layers).any(|l| *n == format!("W{l}") || *n == format!("b{l}")))
                .collect();
            return Err(crate::Error::Invalid(format!(
                "tensors {extra:?} are not part of a {layers}-layer network"
            )));
        }
        params.check_layers()?;
        Ok(params)
    }

    /// The tensors in the course's order `W1, b1, W2, b2, …`.
    pub fn iter(&self) -> impl Iterator<Item = &Tensor<T>> {
        self.w.iter().zip(&self.b).flat_map(|(w, b)| [w, b])
    }

    /// The tensors in the course's order `W1, b1, W2, b2, …`, for updating in place.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Tensor<T>> {
        self.w
            .iter_mut()
            .zip(self.b.iter_mut())
            .flat_map(|(w, b)| [w, b])
    }

    /// Zeros of the same shapes (the course's `initialize_velocity`, `initialize_adam`).
    pub fn zeros_like(&self) -> Self {
        Parameters {
            w: self.w.iter().map(|w| Tensor::zeros(w.shape())).collect(),
            b: self.b.iter().map(|b| Tensor::zeros(b.shape())).collect(),
        }
    }

    /// [`Parameters::on_tape`] with the params named `W1`, `b1`, … (for
    /// [`Tape::to_dot`](crate::Tape::to_dot)'s picture).
    pub fn on_tape_named<'t>(&self, tape: &'t Tape<T>) -> ParamVars<'t, T> {
        ParamVars {
            w: (1..)
                .zip(&self.w)
                .map(|(l, w)| tape.param_named(format!("W{l}"), w))
                .collect(),
            b: (1..)
                .zip(&self.b)
                .map(|(l, b)| tape.param_named(format!("b{l}"), b))
                .collect(),
        }
    }

    /// Records every `W{l}`, `b{l}` as a param on `tape` (sharing storage, no copy).
    pub fn on_tape<'t>(&self, tape: &'t Tape<T>) -> ParamVars<'t, T> {
        self.on_tape_training(tape, |_| true)
    }

    /// Records `W{l}`, `b{l}` as params where `train(l)` is true (layers counted from 1) and
    /// as constants elsewhere: the frozen layers get no gradient (zeros from
    /// [`ParamVars::grads`], so an update leaves them unchanged) and cost no backward work.
    ///
    /// Fine-tuning only the last layer of the course's model:
    ///
    /// ```
    /// use tapegrad::nn::{self, model, InitScale};
    /// use tapegrad::{rng::NumpyRng, Tape, Tensor};
    ///
    /// let mut params = nn::initialize_parameters_deep(&[4, 5, 3, 1], 1, InitScale::He)?;
    /// let x = NumpyRng::new(2).randn(&[4, 8]);
    /// let y = Tensor::from_vec(vec![1., 0., 1., 1., 0., 0., 1., 0.], &[1, 8])?;
    /// let before = params.clone();
    /// for _ in 0..10 {
    ///     let tape = Tape::new();
    ///     let last = params.num_layers();
    ///     let vars = params.on_tape_training(&tape, |l| l == last);
    ///     let (al, _) = model::l_model_forward(tape.constant(&x), &vars);
    ///     let cost = model::compute_cost(al, tape.constant(&y));
    ///     let grads = vars.grads(&cost.backward()?);
    ///     drop(tape);
    ///     nn::update_parameters(&mut params, &grads, 0.1);
    /// }
    /// assert_eq!(params.w[..2], before.w[..2]); // frozen
    /// assert_ne!(params.w[2], before.w[2]); // trained
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    pub fn on_tape_training<'t>(
        &self,
        tape: &'t Tape<T>,
        train: impl Fn(usize) -> bool,
    ) -> ParamVars<'t, T> {
        let leaf = |l: usize, t: &Tensor<T>| {
            if train(l) {
                tape.param(t)
            } else {
                tape.constant(t)
            }
        };
        ParamVars {
            w: self
                .w
                .iter()
                .enumerate()
                .map(|(i, w)| leaf(i + 1, w))
                .collect(),
            b: self
                .b
                .iter()
                .enumerate()
                .map(|(i, b)| leaf(i + 1, b))
                .collect(),
        }
    }

    /// Records every `W{l}`, `b{l}` as a constant (no gradient): a forward pass only.
    pub fn on_tape_as_constants<'t>(&self, tape: &'t Tape<T>) -> ParamVars<'t, T> {
        self.on_tape_training(tape, |_| false)
    }

    /// The same parameters in another precision.
    pub fn cast<U: Element>(&self) -> Parameters<U> {
        Parameters {
            w: self.w.iter().map(Tensor::cast).collect(),
            b: self.b.iter().map(Tensor::cast).collect(),
        }
    }
}

/// A saved network read back from a model file: the parameters and what the file says about
/// them.
#[derive(Clone, Debug)]
pub struct SavedModel {
    /// `W1..WL`, `b1..bL`.
    pub params: Parameters<f64>,
    /// `[n_0, n_1, …, n_L]`.
    pub layer_dims: Vec<usize>,
    /// One activation per layer.
    pub activations: Vec<Activation>,
}

impl SavedModel {
    /// Checks what a model file holds, for both file formats: one activation per layer, weights
    /// that chain, and the shapes `layer_dims` gives. `noun` names the file's items
    /// (`"dataset"`, `"tensor"`) in the message.
    pub(crate) fn checked(
        noun: &str,
        params: Parameters<f64>,
        layer_dims: Vec<usize>,
        activations: Vec<Activation>,
    ) -> std::result::Result<Self, String> {
        let layers = layer_dims.len().saturating_sub(1);
        if activations.len() != layers {
            return Err(format!(
                "`activations` names {} activations, layer_dims {layer_dims:?} has {layers} layers",
                activations.len()
            ));
        }
        let found = params.layer_problem()?;
        if let Some(l) = (1..=layers).find(|&l| found[l - 1..=l] != layer_dims[l - 1..=l]) {
            return Err(format!(
                "{noun} `W{l}`: expected shape ({}, {}) from layer_dims {layer_dims:?}, found {}",
                layer_dims[l],
                layer_dims[l - 1],
                fmt_shape(params.w[l - 1].shape())
            ));
        }
        Ok(SavedModel {
            params,
            layer_dims,
            activations,
        })
    }
}

/// Parses a comma-separated list of activation names (a model file's `activations`).
pub(crate) fn parse_activations(list: &str) -> crate::Result<Vec<Activation>> {
    list.split(',')
        .map(|a| a.trim().parse::<Activation>())
        .collect()
}

/// The parameters of one step, recorded on a tape.
#[derive(Clone, Debug)]
pub struct ParamVars<'t, T: Element = f64> {
    /// `W1..WL` on the tape.
    pub w: Vec<Var<'t, T>>,
    /// `b1..bL` on the tape.
    pub b: Vec<Var<'t, T>>,
}

impl<T: Element> ParamVars<'_, T> {
    /// Collects `dW1..dWL`, `db1..dbL` from the result of `backward`; a parameter the cost does
    /// not depend on gets zeros (its update is then "no change").
    pub fn grads(&self, grads: &Gradients<T>) -> Parameters<T> {
        let get = |v: &Var<'_, T>| {
            grads
                .wrt(*v)
                .cloned()
                .unwrap_or_else(|| Tensor::zeros(&v.shape()))
        };
        Parameters {
            w: self.w.iter().map(get).collect(),
            b: self.b.iter().map(get).collect(),
        }
    }
}

/// Checks the course's data layout: `x` is `(n_x, m)` and `y` is `(n_y, m)` with `m ≥ 1`;
/// returns `m`. The message names `function` and both shapes.
pub(crate) fn check_examples<T: Element>(
    function: &str,
    x: &Tensor<T>,
    y: &Tensor<T>,
) -> crate::Result<usize> {
    let fits = x.ndim() == 2 && y.ndim() == 2 && x.shape()[1] == y.shape()[1] && x.shape()[1] > 0;
    if !fits {
        return Err(crate::Error::Invalid(format!(
            "{function}: X {} and Y {} must be 2-D with the same number (at least 1) of examples, one per column",
            fmt_shape(x.shape()),
            fmt_shape(y.shape())
        )));
    }
    Ok(x.shape()[1])
}

/// The activation of a layer, as the course names them. The one vocabulary for activations:
/// the model files store these names, and programs parse them with [`str::parse`].
///
/// ```
/// use tapegrad::nn::Activation;
/// assert_eq!("tanh".parse::<Activation>()?, Activation::Tanh);
/// assert_eq!(Activation::Relu.to_string(), "relu");
/// assert!("swish".parse::<Activation>().is_err());
/// assert_eq!(Activation::course_model(3), [Activation::Relu, Activation::Relu, Activation::Sigmoid]);
/// # Ok::<(), tapegrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `max(0, z)`, the L-layer model's hidden layers.
    Relu,
    /// `1 / (1 + e^{−z})`, the output layer of a binary classifier.
    Sigmoid,
    /// `tanh z`, the planar model's hidden layer.
    Tanh,
}

impl Activation {
    /// Every activation, in the order of their names in messages.
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Sigmoid, Activation::Tanh];

    /// The course's name: `"relu"`, `"sigmoid"` or `"tanh"`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
        }
    }

    /// The activation of layer `l` (1-based) of the course's L-layer model: ReLU, then
    /// sigmoid last.
    pub fn of_layer(l: usize, num_layers: usize) -> Self {
        if l == num_layers {
            Activation::Sigmoid
        } else {
            Activation::Relu
        }
    }

    /// The activations of the course's L-layer model with `num_layers` layers:
    /// `[relu, …, relu, sigmoid]`.
    pub fn course_model(num_layers: usize) -> Vec<Activation> {
        (1..=num_layers)
            .map(|l| Activation::of_layer(l, num_layers))
            .collect()
    }

    /// Applies the activation to a recorded value.
    pub fn apply<'t, T: Element>(self, z: Var<'t, T>) -> Var<'t, T> {
        match self {
            Activation::Relu => z.relu(),
            Activation::Sigmoid => z.sigmoid(),
            Activation::Tanh => z.tanh(),
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Activation {
    type Err = crate::Error;

    /// Parses a course name (`relu`, `sigmoid`, `tanh`).
    fn from_str(s: &str) -> crate::Result<Self> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Activation::ALL.iter().map(|a| a.name()).collect();
                crate::Error::Invalid(format!(
                    "unknown activation {s:?}; known: {}",
                    known.join(", ")
                ))
            })
    }
}
