//! Elementwise functions of one value, each with its derivative.
//!
//! | op | forward `y = f(z)` | backward `∂/∂z` (`g` = output gradient) |
//! |---|---|---|
//! | `relu` | `max(0, z)` | `g` where `z > 0`, else 0 (so `relu'(0) = 0`, as the course's `dZ[Z <= 0] = 0`) |
//! | `leaky_relu(α)` | `z` where `z > 0`, else `α·z` | `g` where `z > 0`, else `α·g` (at 0: `α`, like relu's 0) |
//! | `sigmoid` | `1 / (1 + e^{−z})` | `g ⊙ y ⊙ (1 − y)` |
//! | `tanh` | `tanh z` | `g ⊙ (1 − y²)` |
//! | `softplus` | `ln(1 + e^z)`, computed as `max(z, 0) + ln(1 + e^{−|z|})` | `g ⊙ σ(z)` |
//! | `exp` | `e^z` | `g ⊙ y` |
//! | `log` | `ln z` | `g / z` |
//! | `abs` | `|z|` | `g ⊙ sign(z)`, with `sign(0) = 0` (the subgradient 0 at the kink) |
//! | `sqrt` | `√z` | `g / (2y)` (infinite at `z = 0`) |
//! | `square` | `z²` | `2z ⊙ g` |
//! | `powf(p)` | `z^p` | `p·z^{p−1} ⊙ g` |
//! | `clamp(lo, hi)` | `min(max(z, lo), hi)` (NaN stays NaN; `lo ≤ hi` is required) | `g` where `lo ≤ z ≤ hi` (the bounds included), else 0 |
//!
//! `sigmoid` is the course's exact expression `1 / (1 + exp(−z))`, which is stable at both
//! ends: for `z → −∞`, `exp(−z)` overflows to `inf` and the result is exactly 0, never NaN.

use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::{Element, Tensor};

/// The course's `1 / (1 + e^{−z})`, exactly this expression (shared with the fused loss).
pub(crate) fn sigmoid<T: Element>(z: T) -> T {
    T::ONE / (T::ONE + (-z).exp())
}

/// The scalar functions and their derivatives, shared by the tensor and tape forms.
#[derive(Clone, Copy)]
enum Unary<T> {
    Relu,
    LeakyRelu(T),
    Sigmoid,
    Tanh,
    Softplus,
    Exp,
    Log,
    Abs,
    Sqrt,
    Square,
    Powf(T),
    Clamp(T, T),
}

impl<T: Element> Unary<T> {
    fn name(self) -> &'static str {
        match self {
            Unary::Relu => "relu",
            Unary::LeakyRelu(_) => "leaky_relu",
            Unary::Sigmoid => "sigmoid",
            Unary::Tanh => "tanh",
            Unary::Softplus => "softplus",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Abs => "abs",
            Unary::Sqrt => "sqrt",
            Unary::Square => "square",
            Unary::Powf(_) => "powf",
            Unary::Clamp(..) => "clamp",
        }
    }

    fn forward(self, z: &Tensor<T>) -> Tensor<T> {
        match self {
            Unary::Relu => z.map(|z| if z > T::ZERO { z } else { T::ZERO }),
            Unary::LeakyRelu(a) => z.map(|z| if z > T::ZERO { z } else { a * z }),
            Unary::Sigmoid => z.map(sigmoid),
            Unary::Tanh => z.map(T::tanh),
            Unary::Softplus => z.map(|z| z.max(T::ZERO) + (-z.abs()).exp().ln_1p()),
            Unary::Exp => z.map(T::exp),
            Unary::Log => z.map(T::ln),
            Unary::Abs => z.map(T::abs),
            Unary::Sqrt => z.map(T::sqrt),
            Unary::Square => z.map(|z| z * z),
            Unary::Powf(p) => z.map(|z| z.powf(p)),
            // NaN stays NaN (f64::max alone would turn it into `lo`), as NumPy's clip.
            Unary::Clamp(lo, hi) => z.map(|z| if z.is_nan() { z } else { z.max(lo).min(hi) }),
        }
    }

    /// The derivative of the piecewise-linear ops at `z`: constant on each piece, so the
    /// backward multiplies `g` by it as a constant (its own derivative is 0).
    fn slope(self, z: T) -> T {
        let (one, zero) = (T::ONE, T::ZERO);
        match self {
            Unary::Relu if z > zero => one,
            Unary::Relu => zero,
            Unary::LeakyRelu(_) if z > zero => one,
            Unary::LeakyRelu(a) => a,
            Unary::Abs if z > zero => one,
            Unary::Abs if z < zero => -one,
            Unary::Abs => zero,
            Unary::Clamp(lo, hi) if z >= lo && z <= hi => one,
            Unary::Clamp(..) => zero,
            _ => unreachable!("{} is not piecewise linear", self.name()),
        }
    }

    #[track_caller]
    fn check(self) {
        if let Unary::Clamp(lo, hi) = self {
            assert!(lo <= hi, "clamp: min {lo} is above max {hi}");
        }
    }

    fn record<'t>(self, z: Var<'t, T>) -> Var<'t, T> {
        let y = self.forward(&z.value());
        z.record_unary(self.name(), y, self)
    }
}

impl<T: Element> Rule<T> for Unary<T> {
    fn backward<X: Operand<T>>(&self, g: &X, z: &[X], y: &X, _: &[bool]) -> Grads<X> {
        let z = &z[0];
        let dz = match *self {
            Unary::Relu | Unary::LeakyRelu(_) | Unary::Abs | Unary::Clamp(..) => {
                g.mul_slope(&z.value(), |z| self.slope(z))
            }
            Unary::Sigmoid => g.mul(y).mul(&y.rsub_scalar(T::ONE)),
            Unary::Tanh => g.mul(&y.mul(y).rsub_scalar(T::ONE)),
            Unary::Softplus => g.mul(&z.sigmoid()),
            Unary::Exp => g.mul(y),
            Unary::Log => g.div(z),
            Unary::Sqrt => g.div(&y.mul_scalar(T::ONE + T::ONE)),
            Unary::Square => z.mul_scalar(T::ONE + T::ONE).mul(g),
            // z^0 = 1 has derivative 0 everywhere, also at z = 0 where 0·0^−1 would be NaN.
            Unary::Powf(p) if p == T::ZERO => g.mul_scalar(T::ZERO),
            Unary::Powf(p) => z.powf(p - T::ONE).mul_scalar(p).mul(g),
        };
        smallvec::smallvec![Some(dz)]
    }
}

macro_rules! unary {
    ($name:ident, $variant:expr, $doc:literal $(, $arg:ident)*) => {
        impl<T: Element> Tensor<T> {
            #[doc = $doc]
            #[track_caller]
            pub fn $name(&self $(, $arg: T)*) -> Tensor<T> {
                Unary::<T>::check($variant);
                $variant.forward(self)
            }
        }
        impl<'t, T: Element> Var<'t, T> {
            #[doc = concat!("Records ", $doc)]
            #[track_caller]
            pub fn $name(self $(, $arg: T)*) -> Var<'t, T> {
                Unary::<T>::check($variant);
                $variant.record(self)
            }
        }
    };
}

unary!(
    relu,
    Unary::Relu,
    "`max(0, z)` elementwise; derivative `z > 0` (0 at 0)."
);
unary!(
    leaky_relu,
    Unary::LeakyRelu(alpha),
    "`z` where `z > 0`, else `alpha·z`, elementwise; derivative 1, else `alpha` (at 0: `alpha`).",
    alpha
);
unary!(
    sigmoid,
    Unary::Sigmoid,
    "`1 / (1 + e^{−z})` elementwise; derivative `y(1 − y)`."
);
unary!(
    tanh,
    Unary::Tanh,
    "`tanh z` elementwise; derivative `1 − y²`."
);
unary!(
    softplus,
    Unary::Softplus,
    "`ln(1 + e^z)` elementwise, stable for any `z`; derivative `σ(z)`."
);
unary!(exp, Unary::Exp, "`e^z` elementwise; derivative `y`.");
unary!(
    log,
    Unary::Log,
    "`ln z` elementwise (natural log); derivative `1/z`."
);
unary!(
    abs,
    Unary::Abs,
    "`|z|` elementwise; derivative `sign(z)`, and 0 at `z = 0` (a subgradient)."
);
unary!(
    sqrt,
    Unary::Sqrt,
    "`√z` elementwise; derivative `1 / (2√z)` (infinite at 0)."
);
unary!(square, Unary::Square, "`z²` elementwise; derivative `2z`.");
unary!(
    powf,
    Unary::Powf(p),
    "`z^p` elementwise; derivative `p·z^{p−1}`.",
    p
);
unary!(
    clamp,
    Unary::Clamp(min, max),
    "`min(max(z, min), max)` elementwise; derivative 1 where `min ≤ z ≤ max` (the bounds included), else 0.",
    min,
    max
);
