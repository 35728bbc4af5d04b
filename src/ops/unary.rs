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

use crate::tape::Var;
use crate::tensor::kernels::zip_broadcast;
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

    fn backward(self, g: &Tensor<T>, z: &Tensor<T>, y: &Tensor<T>) -> Tensor<T> {
        let s = g.shape();
        let two = T::ONE + T::ONE;
        match self {
            Unary::Relu => zip_broadcast(g, z, s, |g, z| if z > T::ZERO { g } else { T::ZERO }),
            Unary::LeakyRelu(a) => {
                zip_broadcast(g, z, s, |g, z| if z > T::ZERO { g } else { a * g })
            }
            Unary::Sigmoid => zip_broadcast(g, y, s, |g, y| g * y * (T::ONE - y)),
            Unary::Tanh => zip_broadcast(g, y, s, |g, y| g * (T::ONE - y * y)),
            Unary::Softplus => zip_broadcast(g, z, s, |g, z| g * sigmoid(z)),
            Unary::Exp => zip_broadcast(g, y, s, |g, y| g * y),
            Unary::Log => zip_broadcast(g, z, s, |g, z| g / z),
            Unary::Abs => zip_broadcast(g, z, s, |g, z| {
                if z > T::ZERO {
                    g
                } else if z < T::ZERO {
                    -g
                } else {
                    T::ZERO
                }
            }),
            Unary::Sqrt => zip_broadcast(g, y, s, |g, y| g / (two * y)),
            Unary::Square => zip_broadcast(g, z, s, |g, z| two * z * g),
            // z^0 = 1 has derivative 0 everywhere, also at z = 0 where 0·0^−1 would be NaN.
            Unary::Powf(p) if p == T::ZERO => zip_broadcast(g, z, s, |_, _| T::ZERO),
            Unary::Powf(p) => zip_broadcast(g, z, s, |g, z| p * z.powf(p - T::ONE) * g),
            Unary::Clamp(lo, hi) => {
                zip_broadcast(g, z, s, |g, z| if z >= lo && z <= hi { g } else { T::ZERO })
            }
        }
    }

    #[track_caller]
    fn check(self) {
        if let Unary::Clamp(lo, hi) = self {
            assert!(lo <= hi, "clamp: min {lo} is above max {hi}");
        }
    }

    fn record<'t>(self, z: Var<'t, T>) -> Var<'t, T> {
        let zv = z.value();
        let y = self.forward(&zv);
        let yv = y.clone();
        z.record_unary(self.name(), y, move |g| self.backward(g, &zv, &yv))
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
