//! `bce_with_logits`: the mean binary cross-entropy computed from logits, fused and stable.
//!
//! For logits `z` and labels `y` (equal shapes, `n` elements):
//!
//! `J = (1/n) Σ [ max(z, 0) − z·y + ln(1 + e^{−|z|}) ]`
//!
//! which equals `−(1/n) Σ [ y ln σ(z) + (1 − y) ln(1 − σ(z)) ]` but never takes the log of 0:
//! it is finite for any finite `z` (at `|z| = 1000` too), where the plain sigmoid + log form
//! gives `inf` or NaN. Backward: `∂J/∂z = (σ(z) − y)/n`, `∂J/∂y = −z/n`.

use crate::error::{or_panic, Result};
use crate::ops::activation::sigmoid;
use crate::tape::Var;
use crate::tensor::kernels::{zip_broadcast, zip_same};
use crate::tensor::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// The mean binary cross-entropy of logits `self` against `labels` (a zero-dimensional
    /// tensor).
    ///
    /// # Errors
    /// When the shapes differ.
    pub fn try_bce_with_logits(&self, labels: &Tensor<T>) -> Result<Tensor<T>> {
        let per = zip_same("bce_with_logits", self, labels, |z, y| {
            z.max(T::ZERO) - z * y + (-z.abs()).exp().ln_1p()
        })?;
        Ok(per.mean())
    }

    /// [`Tensor::try_bce_with_logits`], panicking when the shapes differ.
    #[track_caller]
    pub fn bce_with_logits(&self, labels: &Tensor<T>) -> Tensor<T> {
        or_panic(self.try_bce_with_logits(labels))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records the mean binary cross-entropy of logits `self` against `labels`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let z = tape.param(&Tensor::from_vec(vec![1000.0, -1000.0], &[1, 2])?);
    /// let y = tape.constant(&Tensor::from_vec(vec![0.0, 1.0], &[1, 2])?);
    /// let cost = z.bce_with_logits(y);
    /// assert_eq!(cost.value().item(), 1000.0); // both examples confidently wrong
    /// let dz = cost.backward()?.wrt(z).unwrap().to_vec();
    /// assert_eq!(dz, vec![0.5, -0.5]); // (σ(z) − y)/n
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the shapes differ.
    #[track_caller]
    pub fn try_bce_with_logits(self, labels: Var<'t, T>) -> Result<Var<'t, T>> {
        self.same_tape(labels);
        let (z, y) = (self.value(), labels.value());
        let cost = z.try_bce_with_logits(&y)?;
        let scale = T::ONE / T::from_f64(z.len() as f64);
        Ok(self.record_binary("bce_with_logits", labels, cost, move |g, needs| {
            let g = g.item() * scale;
            let s = z.shape();
            [
                needs[0].then(|| zip_broadcast(&z, &y, s, |z, y| (sigmoid(z) - y) * g)),
                needs[1].then(|| z.map(|z| -z * g)),
            ]
        }))
    }

    /// [`Var::try_bce_with_logits`], panicking when the shapes differ.
    #[track_caller]
    pub fn bce_with_logits(self, labels: Var<'t, T>) -> Var<'t, T> {
        or_panic(self.try_bce_with_logits(labels))
    }
}
