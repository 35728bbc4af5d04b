//! Elementwise functions: `relu`, `sigmoid`, `tanh`, `exp`, `log`.
//!
//! | op | forward | backward (`g` = output gradient, `y` = output) |
//! |---|---|---|
//! | `relu` | `max(0, z)` | `g` where `z > 0`, else 0 (so `relu'(0) = 0`, as the course's `dZ[Z <= 0] = 0`) |
//! | `sigmoid` | `1 / (1 + e^{−z})` | `g ⊙ y ⊙ (1 − y)` |
//! | `tanh` | `tanh z` | `g ⊙ (1 − y²)` |
//! | `exp` | `e^z` | `g ⊙ y` |
//! | `log` | `ln z` | `g / z` |
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
enum Unary {
    Relu,
    Sigmoid,
    Tanh,
    Exp,
    Log,
}

impl Unary {
    fn name(self) -> &'static str {
        match self {
            Unary::Relu => "relu",
            Unary::Sigmoid => "sigmoid",
            Unary::Tanh => "tanh",
            Unary::Exp => "exp",
            Unary::Log => "log",
        }
    }

    fn forward<T: Element>(self, z: &Tensor<T>) -> Tensor<T> {
        match self {
            Unary::Relu => z.map(|z| if z > T::ZERO { z } else { T::ZERO }),
            Unary::Sigmoid => z.map(sigmoid),
            Unary::Tanh => z.map(T::tanh),
            Unary::Exp => z.map(T::exp),
            Unary::Log => z.map(T::ln),
        }
    }

    fn backward<T: Element>(self, g: &Tensor<T>, z: &Tensor<T>, y: &Tensor<T>) -> Tensor<T> {
        let s = g.shape();
        match self {
            Unary::Relu => zip_broadcast(g, z, s, |g, z| if z > T::ZERO { g } else { T::ZERO }),
            Unary::Sigmoid => zip_broadcast(g, y, s, |g, y| g * y * (T::ONE - y)),
            Unary::Tanh => zip_broadcast(g, y, s, |g, y| g * (T::ONE - y * y)),
            Unary::Exp => zip_broadcast(g, y, s, |g, y| g * y),
            Unary::Log => zip_broadcast(g, z, s, |g, z| g / z),
        }
    }

    fn record<'t, T: Element>(self, z: Var<'t, T>) -> Var<'t, T> {
        let zv = z.value();
        let y = self.forward(&zv);
        let yv = y.clone();
        z.record_unary(self.name(), y, move |g| self.backward(g, &zv, &yv))
    }
}

macro_rules! activation {
    ($variant:ident, $name:ident, $doc:literal) => {
        impl<T: Element> Tensor<T> {
            #[doc = $doc]
            pub fn $name(&self) -> Tensor<T> {
                Unary::$variant.forward(self)
            }
        }
        impl<'t, T: Element> Var<'t, T> {
            #[doc = concat!("Records ", $doc)]
            pub fn $name(self) -> Var<'t, T> {
                Unary::$variant.record(self)
            }
        }
    };
}

activation!(Relu, relu, "`max(0, z)` elementwise; derivative `z > 0`.");
activation!(
    Sigmoid,
    sigmoid,
    "`1 / (1 + e^{−z})` elementwise; derivative `y(1 − y)`."
);
activation!(Tanh, tanh, "`tanh z` elementwise; derivative `1 − y²`.");
activation!(Exp, exp, "`e^z` elementwise; derivative `y`.");
activation!(
    Log,
    log,
    "`ln z` elementwise (natural log); derivative `1/z`."
);
