//! Adam: momentum and RMSprop together, with bias correction.

use super::{t, Optimizer, Shapes};
use crate::error::Result;
use crate::tensor::{Element, Tensor};

/// Adam (the course's `update_parameters_with_adam`), with `t` counting updates from 1:
///
/// ```text
/// v ← β1·v + (1 − β1)·g        v̂ = v / (1 − β1^t)
/// s ← β2·s + (1 − β2)·g²       ŝ = s / (1 − β2^t)
/// p ← p − α·v̂ / (√ŝ + ε)
/// ```
///
/// `v` and `s` start at 0 (the course's `initialize_adam`). The defaults are the course's:
/// β1 = 0.9, β2 = 0.999, ε = 1e-8.
#[derive(Clone, Debug)]
pub struct Adam<T: Element = f64> {
    /// α.
    pub learning_rate: f64,
    /// β1, the momentum weight.
    pub beta1: f64,
    /// β2, the squared-gradient weight.
    pub beta2: f64,
    /// ε, outside the square root as in the formula.
    pub epsilon: f64,
    t: u64,
    v: Vec<Tensor<T>>,
    s: Vec<Tensor<T>>,
    shapes: Shapes,
}

impl<T: Element> Adam<T> {
    /// Adam for `params` with learning rate α and the default β1, β2, ε.
    pub fn new(params: &[&Tensor<T>], learning_rate: f64) -> Self {
        Self::with(params, learning_rate, 0.9, 0.999, 1e-8)
    }

    /// Adam with every hyperparameter given.
    pub fn with(
        params: &[&Tensor<T>],
        learning_rate: f64,
        beta1: f64,
        beta2: f64,
        epsilon: f64,
    ) -> Self {
        let shapes = Shapes::of(params);
        Adam {
            learning_rate,
            beta1,
            beta2,
            epsilon,
            t: 0,
            v: shapes.zeros(),
            s: shapes.zeros(),
            shapes,
        }
    }

    /// How many updates have been made: the `t` of the last bias correction.
    pub fn step_count(&self) -> u64 {
        self.t
    }

    /// The first moments `v`, one per param.
    pub fn v(&self) -> &[Tensor<T>] {
        &self.v
    }

    /// The second moments `s`, one per param.
    pub fn s(&self) -> &[Tensor<T>] {
        &self.s
    }
}

/// Adam's hyperparameters, for [`step`].
#[derive(Clone, Copy)]
pub(crate) struct Hyper {
    pub learning_rate: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
}

/// One tensor's Adam update at step `t` (≥ 1), in the course's operation order.
pub(crate) fn step<T: Element>(
    p: &mut Tensor<T>,
    g: &Tensor<T>,
    v: &mut Tensor<T>,
    s: &mut Tensor<T>,
    t_step: u64,
    h: Hyper,
) {
    let (b1, rest1) = (t::<T>(h.beta1), t::<T>(1.0 - h.beta1));
    let (b2, rest2) = (t::<T>(h.beta2), t::<T>(1.0 - h.beta2));
    // NumPy's `1 - np.power(beta, t)`, in f64 like the course.
    let c1 = t::<T>(1.0 - h.beta1.powf(t_step as f64));
    let c2 = t::<T>(1.0 - h.beta2.powf(t_step as f64));
    let (lr, eps) = (t::<T>(h.learning_rate), t::<T>(h.epsilon));
    let g = g.contiguous();
    let (p, v, s) = (p.as_mut_slice(), v.as_mut_slice(), s.as_mut_slice());
    let k = [b1, rest1, b2, rest2, c1, c2, lr, eps];
    // Two divisions and a square root per element: on the widest vectors the CPU has. (Each
    // operation is correctly rounded at any width, and none is fused, so the result is the
    // same bit for bit.)
    #[cfg(target_arch = "x86_64")]
    match crate::tensor::simd::Isa::detected() {
        // SAFETY: the CPU runs the instruction set.
        crate::tensor::simd::Isa::Avx512 => {
            return unsafe { elements_avx512(p, v, s, g.as_slice(), k) }
        }
        // SAFETY: as above.
        crate::tensor::simd::Isa::Avx2 => {
            return unsafe { elements_avx2(p, v, s, g.as_slice(), k) }
        }
        crate::tensor::simd::Isa::Portable => {}
    }
    elements(p, v, s, g.as_slice(), k)
}

/// The update of every element: `v`, `s`, then the parameter.
#[inline(always)]
fn elements<T: Element>(p: &mut [T], v: &mut [T], s: &mut [T], g: &[T], k: [T; 8]) {
    let [b1, rest1, b2, rest2, c1, c2, lr, eps] = k;
    for (((p, v), s), &g) in p.iter_mut().zip(v.iter_mut()).zip(s.iter_mut()).zip(g) {
        *v = b1 * *v + rest1 * g;
        let v_hat = *v / c1;
        *s = b2 * *s + rest2 * (g * g);
        let s_hat = *s / c2;
        *p -= lr * v_hat / (s_hat.sqrt() + eps);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2")]
unsafe fn elements_avx512<T: Element>(p: &mut [T], v: &mut [T], s: &mut [T], g: &[T], k: [T; 8]) {
    elements(p, v, s, g, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn elements_avx2<T: Element>(p: &mut [T], v: &mut [T], s: &mut [T], g: &[T], k: [T; 8]) {
    elements(p, v, s, g, k)
}

impl<T: Element> Optimizer<T> for Adam<T> {
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&Tensor<T>]) -> Result<()> {
        self.shapes.check("Adam", params, grads)?;
        self.t += 1;
        let h = Hyper {
            learning_rate: self.learning_rate,
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
        };
        for (((p, g), v), s) in params
            .iter_mut()
            .zip(grads)
            .zip(&mut self.v)
            .zip(&mut self.s)
        {
            step(p, g, v, s, self.t, h);
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }
}
