//! Ops of your own, recorded exactly as the crate's own ops are.
//!
//! [`Tape::custom`](crate::Tape::custom) takes a name, the inputs, the forward value you
//! computed, and the backward rule: `backward(g, needs)` maps the output's gradient `g` to one
//! gradient per input, computing only those whose `needs` flag is set. Every built-in op goes
//! through the same mechanism, so a custom op behaves like one: no backward is recorded when
//! no input needs a gradient, a returned gradient of the wrong shape is an error of
//! [`Var::backward`](crate::Var::backward) naming your op, and a value used twice gets the sum
//! of both gradients.
//!
//! A complete op, checked against finite differences:
//!
//! ```
//! use tapegrad::{gradcheck, Tape, Tensor, Var};
//!
//! /// softplus(x) = ln(1 + eˣ), computed stably as max(x, 0) + ln(1 + e^−|x|);
//! /// its derivative is σ(x).
//! fn softplus<'t>(x: Var<'t>) -> Var<'t> {
//!     let xv = x.value();
//!     let y = xv.map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
//!     x.tape().custom("my_softplus", &[x], y, move |g, _needs| vec![Some(g * &xv.sigmoid())])
//! }
//!
//! /// x·y with both gradients, computed only where asked for.
//! fn times<'t>(x: Var<'t>, y: Var<'t>) -> Var<'t> {
//!     let (xv, yv) = (x.value(), y.value());
//!     x.tape().custom("times", &[x, y], &xv * &yv, move |g, needs| {
//!         [needs[0].then(|| g * &yv), needs[1].then(|| g * &xv)]
//!     })
//! }
//!
//! /// The sum of any number of same-shaped values: one gradient per input.
//! fn sum_all<'t>(xs: &[Var<'t>]) -> Var<'t> {
//!     let total = xs.iter().map(|x| x.value()).reduce(|a, b| &a + &b).unwrap();
//!     let n = xs.len();
//!     xs[0].tape().custom("sum_all", xs, total, move |g, _| vec![Some(g.clone()); n])
//! }
//!
//! let x = Tensor::from_vec(vec![-2.0, 0.0, 0.5, 3.0], &[2, 2])?;
//! let y = Tensor::from_vec(vec![1.5, -1.0, 2.0, 0.25], &[2, 2])?;
//! let report = gradcheck(&[x.clone(), y.clone()], |_, p| {
//!     sum_all(&[softplus(p[0]), times(p[0], p[1]), p[1]]).sum()
//! })?;
//! assert!(report.error < 1e-8, "{report}");
//!
//! // Nothing needs a gradient: no backward is recorded.
//! let tape = Tape::new();
//! let c = tape.constant(&x);
//! assert!(!softplus(c).requires_grad());
//! # Ok::<(), tapegrad::Error>(())
//! ```
//!
//! The rule returns exactly one entry per input: a `Vec`, an array of two, or a
//! [`smallvec::smallvec!`] — anything that converts into [`InputGrads`].
//!
//! ## Twice differentiable: a [`Rule`]
//!
//! A closure on tensors supports first order only: [`Var::grad`](crate::Var::grad) (a
//! gradient to differentiate again) through it is
//! [`Error::FirstOrderOnly`](crate::Error::FirstOrderOnly), naming the op. To support every
//! order, write the backward once with the [`Operand`] ops and record it with
//! [`Tape::custom_rule`](crate::Tape::custom_rule): the plain backward runs it on tensors,
//! `grad` runs the same code on vars, exactly as for the built-in ops.
//!
//! ```
//! use tapegrad::custom::{Grads, Operand, Rule};
//! use tapegrad::{gradgradcheck, Tensor, Var};
//!
//! /// softplus again, with the rule `g ⊙ σ(x)` written once.
//! struct Softplus;
//!
//! impl Rule<f64> for Softplus {
//!     fn backward<X: Operand<f64>>(&self, g: &X, x: &[X], _y: &X, _needs: &[bool]) -> Grads<X> {
//!         smallvec::smallvec![Some(g.mul(&x[0].sigmoid()))]
//!     }
//! }
//!
//! fn softplus(x: Var<'_>) -> Var<'_> {
//!     let y = x.value().map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
//!     x.tape().custom_rule("my_softplus", &[x], y, Softplus)
//! }
//!
//! let x = Tensor::from_vec(vec![-2.0, 0.0, 0.5, 3.0], &[2, 2])?;
//! let report = gradgradcheck(&[x], |_, p| (softplus(p[0]) * p[0]).sum())?;
//! assert!(report.error < 1e-7, "{report}");
//! # Ok::<(), tapegrad::Error>(())
//! ```

pub use crate::tape::rule::{Grads, Operand, Rule};
pub use crate::tape::InputGrads;
