//! Elementwise arithmetic: `add`, `sub`, `mul`, `div` (equal shapes), their `broadcast_*`
//! forms (NumPy's rule), scalar forms and the operators.
//!
//! Backward rules, with `g` the gradient of the output `c`:
//!
//! | op | `∂/∂a` | `∂/∂b` |
//! |---|---|---|
//! | `c = a + b` | `g` | `g` |
//! | `c = a − b` | `g` | `−g` |
//! | `c = a ⊙ b` | `g ⊙ b` | `g ⊙ a` |
//! | `c = a / b` | `g / b` | `−g ⊙ c / b` |
//!
//! For the broadcast forms each gradient is then summed back to its operand's shape
//! (`sum_to_shape`): a `(n, 1)` bias gets the column sum `Σ_cols g`, the course's `db`.

use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::error::{or_panic, Error, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::{broadcast_shape, zip_broadcast, zip_same};
use crate::tensor::{Element, Tensor};

/// The four elementwise binary ops, each with its forward and its backward.
#[derive(Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

impl Arith {
    fn name(self, broadcast: bool) -> &'static str {
        match (self, broadcast) {
            (Arith::Add, false) => "add",
            (Arith::Sub, false) => "sub",
            (Arith::Mul, false) => "mul",
            (Arith::Div, false) => "div",
            (Arith::Add, true) => "broadcast_add",
            (Arith::Sub, true) => "broadcast_sub",
            (Arith::Mul, true) => "broadcast_mul",
            (Arith::Div, true) => "broadcast_div",
        }
    }

    fn forward<T: Element>(
        self,
        a: &Tensor<T>,
        b: &Tensor<T>,
        broadcast: bool,
    ) -> Result<Tensor<T>> {
        let name = self.name(broadcast);
        let f = match self {
            Arith::Add => |x: T, y: T| x + y,
            Arith::Sub => |x: T, y: T| x - y,
            Arith::Mul => |x: T, y: T| x * y,
            Arith::Div => |x: T, y: T| x / y,
        };
        if broadcast {
            let out = broadcast_shape(name, a.shape(), b.shape())?;
            Ok(zip_broadcast(a, b, &out, f))
        } else {
            zip_same(name, a, b, f).map_err(|e| match e {
                Error::Shape { op, message } => Error::Shape {
                    op,
                    message: format!("{message} (use broadcast_{op} to broadcast)"),
                },
                other => other,
            })
        }
    }

    #[track_caller]
    fn record<'t, T: Element>(
        self,
        a: Var<'t, T>,
        b: Var<'t, T>,
        broadcast: bool,
    ) -> Result<Var<'t, T>> {
        a.same_tape(b, self.name(broadcast));
        let c = self.forward(&a.value(), &b.value(), broadcast)?;
        Ok(a.record_binary(self.name(broadcast), b, c, self))
    }
}

/// The backward, equal shapes or broadcast alike: each gradient at the output's shape, then
/// summed back to its operand's.
impl<T: Element> Rule<T> for Arith {
    fn backward<X: Operand<T>>(&self, g: &X, ab: &[X], c: &X, needs: &[bool]) -> Grads<X> {
        let (a, b) = (&ab[0], &ab[1]);
        let da = needs[0].then(|| match self {
            Arith::Add | Arith::Sub => g.clone(),
            Arith::Mul => g.broadcast_mul(b),
            Arith::Div => g.broadcast_div(b),
        });
        let db = needs[1].then(|| match self {
            Arith::Add => g.clone(),
            Arith::Sub => g.neg(),
            Arith::Mul => g.broadcast_mul(a),
            Arith::Div => g.neg().mul(c).broadcast_div(b),
        });
        smallvec::smallvec![
            da.map(|d| d.sum_to_shape(&a.shape())),
            db.map(|d| d.sum_to_shape(&b.shape())),
        ]
    }
}

macro_rules! arith_methods {
    ($op:expr, $try_name:ident, $name:ident, $try_b:ident, $b:ident, $what:literal) => {
        impl<T: Element> Tensor<T> {
            #[doc = concat!("Elementwise `", $what, "` of two tensors of equal shape.")]
            ///
            /// # Errors
            /// When the shapes differ (the message names the op and both shapes).
            pub fn $try_name(&self, other: &Tensor<T>) -> Result<Tensor<T>> {
                $op.forward(self, other, false)
            }

            #[doc = concat!("Elementwise `", $what, "` of two tensors of equal shape.")]
            ///
            /// # Panics
            #[doc = concat!("When the shapes differ; see [`Tensor::", stringify!($try_name), "`].")]
            #[track_caller]
            #[allow(clippy::should_implement_trait)]
            pub fn $name(&self, other: &Tensor<T>) -> Tensor<T> {
                or_panic(self.$try_name(other))
            }

            #[doc = concat!("Elementwise `", $what, "` with NumPy broadcasting.")]
            ///
            /// # Errors
            /// When the shapes cannot be broadcast together.
            pub fn $try_b(&self, other: &Tensor<T>) -> Result<Tensor<T>> {
                $op.forward(self, other, true)
            }

            #[doc = concat!("Elementwise `", $what, "` with NumPy broadcasting.")]
            ///
            /// # Panics
            /// When the shapes cannot be broadcast together.
            #[track_caller]
            pub fn $b(&self, other: &Tensor<T>) -> Tensor<T> {
                or_panic(self.$try_b(other))
            }
        }

        impl<'t, T: Element> Var<'t, T> {
            #[doc = concat!("Records `", $what, "` of two values of equal shape.")]
            ///
            /// # Errors
            /// When the shapes differ (the message names the op and both shapes).
            #[track_caller]
            pub fn $try_name(self, other: Var<'t, T>) -> Result<Var<'t, T>> {
                $op.record(self, other, false)
            }

            #[doc = concat!("Records `", $what, "` of two values of equal shape.")]
            ///
            /// # Panics
            #[doc = concat!("When the shapes differ; see [`Var::", stringify!($try_name), "`].")]
            #[track_caller]
            #[allow(clippy::should_implement_trait)]
            pub fn $name(self, other: Var<'t, T>) -> Var<'t, T> {
                or_panic(self.$try_name(other))
            }

            #[doc = concat!("Records `", $what, "` with NumPy broadcasting; the backward sums each")]
            /// gradient back to its operand's shape.
            ///
            /// # Errors
            /// When the shapes cannot be broadcast together.
            #[track_caller]
            pub fn $try_b(self, other: Var<'t, T>) -> Result<Var<'t, T>> {
                $op.record(self, other, true)
            }

            #[doc = concat!("Records `", $what, "` with NumPy broadcasting.")]
            ///
            /// # Panics
            /// When the shapes cannot be broadcast together.
            #[track_caller]
            pub fn $b(self, other: Var<'t, T>) -> Var<'t, T> {
                or_panic(self.$try_b(other))
            }
        }
    };
}

arith_methods!(
    Arith::Add,
    try_add,
    add,
    try_broadcast_add,
    broadcast_add,
    "a + b"
);
arith_methods!(
    Arith::Sub,
    try_sub,
    sub,
    try_broadcast_sub,
    broadcast_sub,
    "a - b"
);
arith_methods!(
    Arith::Mul,
    try_mul,
    mul,
    try_broadcast_mul,
    broadcast_mul,
    "a * b"
);
arith_methods!(
    Arith::Div,
    try_div,
    div,
    try_broadcast_div,
    broadcast_div,
    "a / b"
);

/// Ops between a value and a scalar `s`, each with its derivative in `x`.
#[derive(Clone, Copy)]
enum ScalarOp<T> {
    /// `x + s`, derivative 1.
    Add(T),
    /// `x * s`, derivative `s`.
    Mul(T),
    /// `x / s`, derivative `1/s` (computed as a division, like NumPy's `x / s`).
    Div(T),
    /// `s − x`, derivative −1.
    RSub(T),
    /// `s / x`, derivative `−s/x² = −c/x`.
    RDiv(T),
    /// `−x`, derivative −1.
    Neg,
}

impl<T: Element> ScalarOp<T> {
    fn name(self) -> &'static str {
        match self {
            ScalarOp::Add(_) => "add_scalar",
            ScalarOp::Mul(_) => "mul_scalar",
            ScalarOp::Div(_) => "div_scalar",
            ScalarOp::RSub(_) => "rsub_scalar",
            ScalarOp::RDiv(_) => "rdiv_scalar",
            ScalarOp::Neg => "neg",
        }
    }

    fn forward(self, x: &Tensor<T>) -> Tensor<T> {
        match self {
            ScalarOp::Add(s) => x.map(|x| x + s),
            ScalarOp::Mul(s) => x.map(|x| x * s),
            ScalarOp::Div(s) => x.map(|x| x / s),
            ScalarOp::RSub(s) => x.map(|x| s - x),
            ScalarOp::RDiv(s) => x.map(|x| s / x),
            ScalarOp::Neg => x.map(|x| -x),
        }
    }

    fn record<'t>(self, x: Var<'t, T>) -> Var<'t, T> {
        let c = self.forward(&x.value());
        x.record_unary(self.name(), c, self)
    }
}

impl<T: Element> Rule<T> for ScalarOp<T> {
    fn backward<X: Operand<T>>(&self, g: &X, x: &[X], c: &X, _: &[bool]) -> Grads<X> {
        let dx = match *self {
            ScalarOp::Add(_) => g.clone(),
            ScalarOp::Mul(s) => g.mul_scalar(s),
            ScalarOp::Div(s) => g.div_scalar(s),
            ScalarOp::RSub(_) | ScalarOp::Neg => g.neg(),
            ScalarOp::RDiv(_) => g.neg().mul(c).div(&x[0]),
        };
        smallvec::smallvec![Some(dx)]
    }
}

impl<T: Element> Tensor<T> {
    /// `self + s` elementwise.
    pub fn add_scalar(&self, s: T) -> Tensor<T> {
        ScalarOp::Add(s).forward(self)
    }
    /// `self * s` elementwise.
    pub fn mul_scalar(&self, s: T) -> Tensor<T> {
        ScalarOp::Mul(s).forward(self)
    }
    /// `self / s` elementwise (a true division, not a multiplication by `1/s`).
    pub fn div_scalar(&self, s: T) -> Tensor<T> {
        ScalarOp::Div(s).forward(self)
    }
    /// `s − self` elementwise (the operator form is `1.0 - &x`).
    pub fn rsub_scalar(&self, s: T) -> Tensor<T> {
        ScalarOp::RSub(s).forward(self)
    }
}

/// The scalar ops by name, for generic code where `T::ONE - x` cannot be an operator.
impl<'t, T: Element> Var<'t, T> {
    /// Records `self + s`.
    pub fn add_scalar(self, s: T) -> Var<'t, T> {
        ScalarOp::Add(s).record(self)
    }
    /// Records `self · s`.
    pub fn mul_scalar(self, s: T) -> Var<'t, T> {
        ScalarOp::Mul(s).record(self)
    }
    /// Records `self / s`.
    pub fn div_scalar(self, s: T) -> Var<'t, T> {
        ScalarOp::Div(s).record(self)
    }
    /// Records `s − self` (the operator form is `1.0 - y`).
    pub fn rsub_scalar(self, s: T) -> Var<'t, T> {
        ScalarOp::RSub(s).record(self)
    }
}

// Operators. Between two operands they are the equal-shape ops (and panic on a mismatch);
// broadcasting is always asked for by name.
macro_rules! operators {
    ($Trait:ident, $method:ident, $plain:ident, $scalar_rhs:expr, $scalar_lhs:expr) => {
        impl<'t, T: Element> $Trait<Var<'t, T>> for Var<'t, T> {
            type Output = Var<'t, T>;
            #[track_caller]
            fn $method(self, rhs: Var<'t, T>) -> Var<'t, T> {
                Var::$plain(self, rhs)
            }
        }
        impl<'t, T: Element> $Trait<T> for Var<'t, T> {
            type Output = Var<'t, T>;
            fn $method(self, s: T) -> Var<'t, T> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_rhs)(self, s)
            }
        }
        impl<T: Element> $Trait<&Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                Tensor::$plain(self, rhs)
            }
        }
        impl<T: Element> $Trait<T> for &Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, s: T) -> Tensor<T> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_rhs)(self, s)
            }
        }
        impl<'t> $Trait<Var<'t, f64>> for f64 {
            type Output = Var<'t, f64>;
            fn $method(self, x: Var<'t, f64>) -> Var<'t, f64> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_lhs)(self, x)
            }
        }
        impl<'t> $Trait<Var<'t, f32>> for f32 {
            type Output = Var<'t, f32>;
            fn $method(self, x: Var<'t, f32>) -> Var<'t, f32> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_lhs)(self, x)
            }
        }
        impl $Trait<&Tensor<f64>> for f64 {
            type Output = Tensor<f64>;
            fn $method(self, x: &Tensor<f64>) -> Tensor<f64> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_lhs)(self, x)
            }
        }
        impl $Trait<&Tensor<f32>> for f32 {
            type Output = Tensor<f32>;
            fn $method(self, x: &Tensor<f32>) -> Tensor<f32> {
                #[allow(clippy::redundant_closure_call)]
                ($scalar_lhs)(self, x)
            }
        }
    };
}

/// Applies a scalar op to either a `Var` (recording it) or a `Tensor`.
trait ApplyScalar<T: Element> {
    type Out;
    fn apply(self, op: ScalarOp<T>) -> Self::Out;
}
impl<'t, T: Element> ApplyScalar<T> for Var<'t, T> {
    type Out = Var<'t, T>;
    fn apply(self, op: ScalarOp<T>) -> Var<'t, T> {
        op.record(self)
    }
}
impl<T: Element> ApplyScalar<T> for &Tensor<T> {
    type Out = Tensor<T>;
    fn apply(self, op: ScalarOp<T>) -> Tensor<T> {
        op.forward(self)
    }
}

fn scalar<T: Element, X: ApplyScalar<T>>(x: X, op: ScalarOp<T>) -> X::Out {
    x.apply(op)
}

operators!(Add, add, add, |x, s| scalar(x, ScalarOp::Add(s)), |s, x| {
    scalar(x, ScalarOp::Add(s))
});
operators!(
    Sub,
    sub,
    sub,
    |x, s: T| scalar(x, ScalarOp::Add(-s)),
    |s, x| scalar(x, ScalarOp::RSub(s))
);
operators!(Mul, mul, mul, |x, s| scalar(x, ScalarOp::Mul(s)), |s, x| {
    scalar(x, ScalarOp::Mul(s))
});
operators!(Div, div, div, |x, s| scalar(x, ScalarOp::Div(s)), |s, x| {
    scalar(x, ScalarOp::RDiv(s))
});

impl<'t, T: Element> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    fn neg(self) -> Var<'t, T> {
        ScalarOp::Neg.record(self)
    }
}

impl<T: Element> Neg for &Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        ScalarOp::Neg.forward(self)
    }
}

// Owned operands and the assign forms, as ndarray offers them: `randn(..) * 0.01`,
// `a + &b`, `w -= &dw`. Each forwards to the borrowed form above, so it behaves identically.
macro_rules! owned_operators {
    ($Trait:ident, $method:ident, $Assign:ident, $assign:ident) => {
        impl<T: Element> $Trait<Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<T>) -> Tensor<T> {
                $Trait::$method(&self, &rhs)
            }
        }
        impl<T: Element> $Trait<&Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                $Trait::$method(&self, rhs)
            }
        }
        impl<T: Element> $Trait<Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<T>) -> Tensor<T> {
                $Trait::$method(self, &rhs)
            }
        }
        impl<T: Element> $Trait<T> for Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, s: T) -> Tensor<T> {
                $Trait::$method(&self, s)
            }
        }
        impl $Trait<Tensor<f64>> for f64 {
            type Output = Tensor<f64>;
            fn $method(self, x: Tensor<f64>) -> Tensor<f64> {
                $Trait::$method(self, &x)
            }
        }
        impl $Trait<Tensor<f32>> for f32 {
            type Output = Tensor<f32>;
            fn $method(self, x: Tensor<f32>) -> Tensor<f32> {
                $Trait::$method(self, &x)
            }
        }
        impl<T: Element> $Assign<&Tensor<T>> for Tensor<T> {
            #[track_caller]
            fn $assign(&mut self, rhs: &Tensor<T>) {
                *self = $Trait::$method(&*self, rhs);
            }
        }
        impl<T: Element> $Assign<Tensor<T>> for Tensor<T> {
            #[track_caller]
            fn $assign(&mut self, rhs: Tensor<T>) {
                *self = $Trait::$method(&*self, &rhs);
            }
        }
        impl<T: Element> $Assign<T> for Tensor<T> {
            fn $assign(&mut self, s: T) {
                *self = $Trait::$method(&*self, s);
            }
        }
    };
}

owned_operators!(Add, add, AddAssign, add_assign);
owned_operators!(Sub, sub, SubAssign, sub_assign);
owned_operators!(Mul, mul, MulAssign, mul_assign);
owned_operators!(Div, div, DivAssign, div_assign);

impl<T: Element> Neg for Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        ScalarOp::Neg.forward(&self)
    }
}
