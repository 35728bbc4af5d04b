//! Backward rules written once for both kinds of backward sweep.
//!
//! A rule computes its inputs' gradients from the output's gradient `g` with the ops of
//! [`Operand`]. [`Var::backward`] runs it on plain [`Tensor`]s (nothing is recorded, so the
//! first-order path costs what hand-written tensor code costs); [`Var::grad`] runs the same
//! code on [`Var`]s, so the gradient is itself recorded on the tape and can be differentiated
//! again.

use smallvec::SmallVec;

use crate::tape::{InputGrads, Var};
use crate::tensor::{Element, Shape, Tensor};

/// One optional gradient per input, as a backward rule returns them: plain tensors on a
/// first-order sweep, vars when the gradient is recorded.
pub type Grads<X> = SmallVec<[Option<X>; 2]>;

/// What a backward rule computes with: implemented by [`Tensor`] (computing) and by [`Var`]
/// (recording, so the gradient can be differentiated again). Each method is the tensor or
/// var op of the same name; shapes a rule gets wrong panic, naming the op.
pub trait Operand<T: Element>: Clone {
    /// The forward value (a tensor is its own value).
    fn value(&self) -> Tensor<T>;
    /// The shape.
    fn shape(&self) -> Shape;
    /// Elementwise `self + other`, equal shapes.
    fn add(&self, other: &Self) -> Self;
    /// Elementwise `self − other`, equal shapes.
    fn sub(&self, other: &Self) -> Self;
    /// Elementwise `self ⊙ other`, equal shapes.
    fn mul(&self, other: &Self) -> Self;
    /// Elementwise `self / other`, equal shapes.
    fn div(&self, other: &Self) -> Self;
    /// `self + other` with broadcasting.
    fn broadcast_add(&self, other: &Self) -> Self;
    /// `self − other` with broadcasting.
    fn broadcast_sub(&self, other: &Self) -> Self;
    /// `self ⊙ other` with broadcasting.
    fn broadcast_mul(&self, other: &Self) -> Self;
    /// `self / other` with broadcasting.
    fn broadcast_div(&self, other: &Self) -> Self;
    /// `self ⊙ c` with broadcasting, for a constant `c` (a mask, a derivative that is
    /// piecewise constant): no gradient flows into `c`.
    fn mul_constant(&self, c: &Tensor<T>) -> Self;
    /// `self ⊙ f(at)` elementwise for a piecewise-constant `f` (a slope): as
    /// [`Operand::mul_constant`] of `at.map(f)`, in one pass on tensors.
    fn mul_slope(&self, at: &Tensor<T>, f: impl Fn(T) -> T) -> Self;
    /// `−self`.
    fn neg(&self) -> Self;
    /// `self + s`.
    fn add_scalar(&self, s: T) -> Self;
    /// `self · s`.
    fn mul_scalar(&self, s: T) -> Self;
    /// `self / s`.
    fn div_scalar(&self, s: T) -> Self;
    /// `s − self`.
    fn rsub_scalar(&self, s: T) -> Self;
    /// The matrix product.
    fn matmul(&self, other: &Self) -> Self;
    /// The transpose of a 2-D value (a view).
    fn t(&self) -> Self;
    /// The same values in another shape.
    fn reshape(&self, shape: &[usize]) -> Self;
    /// The sum along `axis`.
    fn sum_axis(&self, axis: usize, keepdims: bool) -> Self;
    /// Summed down to `shape` (the adjoint of [`Operand::broadcast_to`]).
    fn sum_to_shape(&self, shape: &[usize]) -> Self;
    /// Broadcast up to `shape` (the adjoint of [`Operand::sum_to_shape`]).
    fn broadcast_to(&self, shape: &[usize]) -> Self;
    /// Slices `start..start + len` along `axis`.
    fn narrow(&self, axis: usize, start: usize, len: usize) -> Self;
    /// Picks `indices` along `axis`.
    fn select(&self, axis: usize, indices: &[usize]) -> Self;
    /// Adds slice `k` into position `indices[k]` of zeros of `shape` (the adjoint of
    /// [`Operand::select`]).
    fn scatter_add(&self, shape: &[usize], axis: usize, indices: &[usize]) -> Self;
    /// `1 / (1 + e^{−x})`.
    fn sigmoid(&self) -> Self;
    /// `e^x`.
    fn exp(&self) -> Self;
    /// `x^p`.
    fn powf(&self, p: T) -> Self;
    /// Log-softmax along `axis`.
    fn log_softmax(&self, axis: usize) -> Self;
}

// Both operands forward every method to their own op of the same name, by path (their
// inherent ops, never these trait methods); `$recv` turns `&self` into the receiver those ops
// take: a reference for tensors, a copy for vars.
macro_rules! forward_operand {
    ($ty:ident, $recv:tt) => {
        forward_operand!(@binary $ty, $recv; add, sub, mul, div, broadcast_add, broadcast_sub,
            broadcast_mul, broadcast_div, matmul);
        forward_operand!(@unary $ty, $recv;
            add_scalar(s: T), mul_scalar(s: T), div_scalar(s: T), rsub_scalar(s: T),
            t(), reshape(shape: &[usize]), sum_axis(axis: usize, keepdims: bool),
            sum_to_shape(shape: &[usize]), broadcast_to(shape: &[usize]),
            narrow(axis: usize, start: usize, len: usize), select(axis: usize, indices: &[usize]),
            scatter_add(shape: &[usize], axis: usize, indices: &[usize]),
            sigmoid(), exp(), powf(p: T), log_softmax(axis: usize));
    };
    (@binary $ty:ident, $recv:tt; $($method:ident),*) => {
        $(
            fn $method(&self, other: &Self) -> Self {
                $ty::$method(forward_operand!(@recv $recv self), forward_operand!(@recv $recv other))
            }
        )*
    };
    (@unary $ty:ident, $recv:tt; $($method:ident($($arg:ident: $arg_ty:ty),*)),*) => {
        $(
            fn $method(&self $(, $arg: $arg_ty)*) -> Self {
                $ty::$method(forward_operand!(@recv $recv self) $(, $arg)*)
            }
        )*
    };
    (@recv ref $a:ident) => { $a };
    (@recv copy $a:ident) => { *$a };
}

impl<T: Element> Operand<T> for Tensor<T> {
    fn value(&self) -> Tensor<T> {
        self.clone()
    }
    fn shape(&self) -> Shape {
        Tensor::shape(self).into()
    }
    fn mul_constant(&self, c: &Tensor<T>) -> Self {
        Tensor::broadcast_mul(self, c)
    }
    fn mul_slope(&self, at: &Tensor<T>, f: impl Fn(T) -> T) -> Self {
        crate::tensor::kernels::zip_same("mul_slope", self, at, |g, z| g * f(z))
            .expect("a gradient has its value's shape")
    }
    fn neg(&self) -> Self {
        -self
    }
    forward_operand!(Tensor, ref);
}

impl<'t, T: Element> Operand<T> for Var<'t, T> {
    fn value(&self) -> Tensor<T> {
        Var::value(self)
    }
    fn shape(&self) -> Shape {
        Var::shape(self)
    }
    fn mul_constant(&self, c: &Tensor<T>) -> Self {
        Var::broadcast_mul(*self, self.tape().constant(c))
    }
    fn mul_slope(&self, at: &Tensor<T>, f: impl Fn(T) -> T) -> Self {
        self.mul_constant(&at.map(f))
    }
    fn neg(&self) -> Self {
        -*self
    }
    forward_operand!(Var, copy);
}

/// A backward rule, written once with [`Operand`] ops so it serves both sweeps: on tensors
/// for [`Var::backward`], on vars for [`Var::grad`] (gradients of gradients).
///
/// `backward(g, inputs, output, needs)` gets the gradient `g` of the output, the inputs and
/// the output (values or vars), and per input whether it wants a gradient; it returns one
/// entry per input, `None` where `needs` is false. Record an op with a rule through
/// [`Tape::custom_rule`](crate::Tape::custom_rule); the [`custom`](crate::custom) module has
/// an example.
pub trait Rule<T: Element>: 'static {
    /// The inputs' gradients, computed only where `needs` asks.
    fn backward<X: Operand<T>>(&self, g: &X, inputs: &[X], output: &X, needs: &[bool]) -> Grads<X>;
}

/// The object-safe form the tape stores: the rule on tensors, and on vars where it can
/// (`None`: a first-order-only custom op).
pub(crate) trait DynRule<T: Element> {
    fn on_tensors(
        &self,
        g: &Tensor<T>,
        inputs: &[Tensor<T>],
        output: &Tensor<T>,
        needs: &[bool],
    ) -> Grads<Tensor<T>>;

    fn on_vars<'t>(
        &self,
        g: &Var<'t, T>,
        inputs: &[Var<'t, T>],
        output: &Var<'t, T>,
        needs: &[bool],
    ) -> Option<Grads<Var<'t, T>>>;
}

/// A [`Rule`], which runs on both.
pub(crate) struct Generic<R>(pub(crate) R);

impl<T: Element, R: Rule<T>> DynRule<T> for Generic<R> {
    fn on_tensors(
        &self,
        g: &Tensor<T>,
        inputs: &[Tensor<T>],
        output: &Tensor<T>,
        needs: &[bool],
    ) -> Grads<Tensor<T>> {
        self.0.backward(g, inputs, output, needs)
    }

    fn on_vars<'t>(
        &self,
        g: &Var<'t, T>,
        inputs: &[Var<'t, T>],
        output: &Var<'t, T>,
        needs: &[bool],
    ) -> Option<Grads<Var<'t, T>>> {
        Some(self.0.backward(g, inputs, output, needs))
    }
}

/// A closure on tensors ([`Tape::custom`](crate::Tape::custom)): first order only.
pub(crate) struct FirstOrder<F>(pub(crate) F);

impl<T: Element, F: Fn(&Tensor<T>, &[bool]) -> InputGrads<T>> DynRule<T> for FirstOrder<F> {
    fn on_tensors(
        &self,
        g: &Tensor<T>,
        _: &[Tensor<T>],
        _: &Tensor<T>,
        needs: &[bool],
    ) -> Grads<Tensor<T>> {
        (self.0)(g, needs)
    }

    fn on_vars<'t>(
        &self,
        _: &Var<'t, T>,
        _: &[Var<'t, T>],
        _: &Var<'t, T>,
        _: &[bool],
    ) -> Option<Grads<Var<'t, T>>> {
        None
    }
}
