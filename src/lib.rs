//! # tapegrad
//!
//! Reverse-mode automatic differentiation on a computation tape, for people who learned deep
//! learning from the classic course and want to write its models as ordinary tensor code in
//! Rust, with exact gradients for free.
//!
//! - [`Tensor`]: dense `f64`/`f32` arrays, row-major, with shared storage (cloning is free) and
//!   NumPy-style broadcasting by name (`broadcast_add`, ...). Matrix products run on
//!   SIMD kernels of their own when a side of the product is small (the course's shapes: an
//!   outer-product kernel that reads `X` where it lies, and a dot-product one for tiny
//!   results) and on `matrixmultiply` otherwise; transposes are strided views, never copies.
//! - [`Tape`] and [`Var`]: record ops on a per-step tape, then [`Var::backward`] returns the
//!   [`Gradients`] of every param in one reverse sweep. Constants never get a gradient computed.
//! - [`Var::grad`]: gradients recorded as vars, to differentiate again (any order);
//!   [`second_order`]: Hessian-vector products and Hessians built on it.
//! - [`gradcheck`](mod@gradcheck): finite differences against the tape, for your own models
//!   too, for first derivatives and (`gradgradcheck`) second ones.
//! - [`rng::NumpyRng`]: NumPy's legacy generator, bit for bit, so the course's printed numbers
//!   come out exactly.
//! - [`nn`]: the course's networks as tape code (Course 1, and Course 2's initialization,
//!   regularization, gradient checking and optimization notebooks), with the hand-written
//!   backprop the tape is proven against.
//! - [`optim`]: SGD, momentum, RMSprop, Adam and learning-rate decay, for any tensors.
//! - [`ParamSet`]: named parameters for a model of your own; [`custom`]: ops of your own.
//! - [`datasets`]: the planar flower, moons, circles and the football data; [`io`]: atomic
//!   writes and safetensors files.
//! - `data` (feature `hdf5`, on by default): the course's cat-vs-non-cat HDF5 files and a model
//!   file format.
//!
//! ## A tour: logistic regression, one step
//!
//! ```
//! use tapegrad::{Tape, Tensor};
//! let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])?;
//! let y = Tensor::from_vec(vec![1.0, 0.0], &[1, 2])?;
//! let w = Tensor::from_vec(vec![0.1, -0.2, 0.3], &[1, 3])?;
//! let b = Tensor::zeros(&[1, 1]);
//! let tape = Tape::new();
//! let (x, y, w, b) = (tape.constant(&x), tape.constant(&y), tape.param(&w), tape.param(&b));
//! let a = w.matmul(x).broadcast_add(b).sigmoid();
//! let cost = -(y * a.log() + (1.0 - y) * (1.0 - a).log()).mean();
//! let grads = cost.backward()?;
//! assert_eq!(grads.wrt(w).unwrap().shape(), &[1, 3]);
//! # Ok::<(), tapegrad::Error>(())
//! ```
//!
//! ## Errors and panics
//!
//! Anything that depends on data or files returns [`Result`]. Shape mistakes in tensor code
//! panic, like indexing out of bounds does, with a message that names the op and both shapes
//! (`matmul: inner dimensions differ: (1, 3) x (4, 2)`); every such op also has a `try_` form
//! (`try_matmul`, `try_broadcast_add`, ...) that returns the same message as an [`Error`].

#![warn(missing_docs)]

pub mod custom;
pub mod datasets;
mod error;
pub mod gradcheck;
pub mod io;
pub mod memory;
pub mod nn;
mod ops;
pub mod optim;
mod params;
pub mod rng;
pub mod second_order;
mod tape;
mod tensor;

#[cfg(feature = "hdf5")]
pub mod data;

pub use error::{Error, Result};
pub use gradcheck::{gradcheck, gradgradcheck, GradcheckReport, GradgradReport};
pub use params::{ParamSet, ParamVarSet};
pub use second_order::{hessian, hvp};
pub use tape::{Gradients, InputGrads, Tape, Var};
pub use tensor::{Element, Shape, Tensor};
