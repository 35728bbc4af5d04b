//! Losses: `bce_with_logits` (binary), `cross_entropy_with_indices` (multi-class, from `(C, m)`
//! logits and class indices) and `mse`, each a mean over the examples, fused and stable.
//!
//! `bce_with_logits`: the mean binary cross-entropy computed from logits.
//!
//! For logits `z` and labels `y` (equal shapes, `n` elements):
//!
//! `J = (1/n) Σ [ max(z, 0) − z·y + ln(1 + e^{−|z|}) ]`
//!
//! which equals `−(1/n) Σ [ y ln σ(z) + (1 − y) ln(1 − σ(z)) ]` but never takes the log of 0:
//! it is finite for any finite `z` (at `|z| = 1000` too), where the plain sigmoid + log form
//! gives `inf` or NaN. Backward: `∂J/∂z = (σ(z) − y)/n`, `∂J/∂y = −z/n`.

use crate::error::{fmt_shape, or_panic, Error, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::zip_same;
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
        self.same_tape(labels, "bce_with_logits");
        let z = self.value();
        let cost = z.try_bce_with_logits(&labels.value())?;
        let scale = T::ONE / T::from_f64(z.len() as f64);
        Ok(self.record_binary("bce_with_logits", labels, cost, Bce { scale }))
    }

    /// [`Var::try_bce_with_logits`], panicking when the shapes differ.
    #[track_caller]
    pub fn bce_with_logits(self, labels: Var<'t, T>) -> Var<'t, T> {
        or_panic(self.try_bce_with_logits(labels))
    }
}

/// `∂J/∂z = (σ(z) − y)·g/n`, `∂J/∂y = −z·g/n`.
struct Bce<T> {
    scale: T,
}

impl<T: Element> Rule<T> for Bce<T> {
    fn backward<X: Operand<T>>(&self, g: &X, zy: &[X], _: &X, needs: &[bool]) -> Grads<X> {
        let (z, y) = (&zy[0], &zy[1]);
        let g = g.mul_scalar(self.scale);
        smallvec::smallvec![
            needs[0].then(|| z.sigmoid().sub(y).broadcast_mul(&g)),
            needs[1].then(|| z.neg().broadcast_mul(&g)),
        ]
    }
}

/// Checks `labels` against `(C, m)` logits.
fn check_labels(shape: &[usize], labels: &[usize]) -> Result<()> {
    let op = "cross_entropy_with_indices";
    let &[classes, m] = shape else {
        return Err(Error::shape(
            op,
            format!("expected (C, m) logits, got shape {}", fmt_shape(shape)),
        ));
    };
    if labels.len() != m {
        return Err(Error::shape(
            op,
            format!(
                "{} labels for logits of shape {} ({m} examples)",
                labels.len(),
                fmt_shape(shape)
            ),
        ));
    }
    if let Some((j, &c)) = labels.iter().enumerate().find(|(_, &c)| c >= classes) {
        return Err(Error::shape(
            op,
            format!(
                "label {c} of example {j} is not below the {classes} classes of shape {}",
                fmt_shape(shape)
            ),
        ));
    }
    Ok(())
}

impl<T: Element> Tensor<T> {
    /// The mean cross-entropy of `(C, m)` logits (one column per example) against class
    /// indices: `J = −(1/m) Σ_j log softmax(z)[y_j, j]`, stable for any logits.
    ///
    /// # Errors
    /// When the logits are not 2-D, the label count is not `m`, or a label is not below `C`.
    pub fn try_cross_entropy_with_indices(&self, labels: &[usize]) -> Result<Tensor<T>> {
        check_labels(self.shape(), labels)?;
        let logp = self.log_softmax(0);
        let m = labels.len();
        let total: T = labels
            .iter()
            .enumerate()
            .map(|(j, &c)| logp.get(&[c, j]))
            .sum();
        Ok(Tensor::scalar(-total / T::from_f64(m as f64)))
    }

    /// [`Tensor::try_cross_entropy_with_indices`], panicking on bad labels.
    #[track_caller]
    pub fn cross_entropy_with_indices(&self, labels: &[usize]) -> Tensor<T> {
        or_panic(self.try_cross_entropy_with_indices(labels))
    }

    /// The mean squared error `(1/n) Σ (a − b)²` of two tensors of equal shape.
    ///
    /// # Errors
    /// When the shapes differ.
    pub fn try_mse(&self, target: &Tensor<T>) -> Result<Tensor<T>> {
        Ok(zip_same("mse", self, target, |a, b| (a - b) * (a - b))?.mean())
    }

    /// [`Tensor::try_mse`], panicking when the shapes differ.
    #[track_caller]
    pub fn mse(&self, target: &Tensor<T>) -> Tensor<T> {
        or_panic(self.try_mse(target))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records the mean cross-entropy of `(C, m)` logits against class indices (see
    /// [`Tensor::try_cross_entropy_with_indices`]). Backward: `∂J/∂z = (softmax(z) − onehot(y)) / m`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// // Two examples, three classes: the first is sure of class 0, the second unsure.
    /// let z = tape.param(&Tensor::from_vec(vec![1000.0, 0.0, 0.0, 0.0, 0.0, 0.0], &[3, 2])?);
    /// let j = z.cross_entropy_with_indices(&[0, 2]);
    /// assert!((j.value().item() - 3f64.ln() / 2.0).abs() < 1e-15);
    /// let dz = j.backward()?.wrt(z).unwrap().to_vec();
    /// assert!((dz[5] - (1.0 / 3.0 - 1.0) / 2.0).abs() < 1e-15);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the logits are not 2-D, the label count is not `m`, or a label is not below `C`.
    pub fn try_cross_entropy_with_indices(self, labels: &[usize]) -> Result<Var<'t, T>> {
        let z = self.value();
        let cost = z.try_cross_entropy_with_indices(labels)?;
        let m = labels.len();
        let mut one_hot = Tensor::zeros(z.shape());
        let data = one_hot.as_mut_slice();
        for (j, &c) in labels.iter().enumerate() {
            data[c * m + j] = T::ONE;
        }
        let scale = T::ONE / T::from_f64(m as f64);
        let rule = CrossEntropy { one_hot, scale };
        Ok(self.record_unary("cross_entropy_with_indices", cost, rule))
    }

    /// [`Var::try_cross_entropy_with_indices`], panicking on bad labels.
    #[track_caller]
    pub fn cross_entropy_with_indices(self, labels: &[usize]) -> Var<'t, T> {
        or_panic(self.try_cross_entropy_with_indices(labels))
    }

    /// Records the mean squared error `(1/n) Σ (a − b)²`. Backward: `2(a − b)/n` for `a`,
    /// `−2(a − b)/n` for `b`.
    ///
    /// # Errors
    /// When the shapes differ.
    #[track_caller]
    pub fn try_mse(self, target: Var<'t, T>) -> Result<Var<'t, T>> {
        self.same_tape(target, "mse");
        let a = self.value();
        let cost = a.try_mse(&target.value())?;
        let scale = (T::ONE + T::ONE) / T::from_f64(a.len() as f64);
        Ok(self.record_binary("mse", target, cost, Mse { scale }))
    }

    /// [`Var::try_mse`], panicking when the shapes differ.
    #[track_caller]
    pub fn mse(self, target: Var<'t, T>) -> Var<'t, T> {
        or_panic(self.try_mse(target))
    }
}

/// `∂J/∂z = (softmax(z) − onehot(y))·g/m`, with the softmax as `e^{log_softmax}`.
struct CrossEntropy<T: Element> {
    one_hot: Tensor<T>,
    scale: T,
}

impl<T: Element> Rule<T> for CrossEntropy<T> {
    fn backward<X: Operand<T>>(&self, g: &X, z: &[X], _: &X, _: &[bool]) -> Grads<X> {
        let g = g.mul_scalar(self.scale);
        let p = z[0].log_softmax(0).exp();
        let at_labels = g.broadcast_to(&z[0].shape()).mul_constant(&self.one_hot);
        smallvec::smallvec![Some(p.broadcast_mul(&g).sub(&at_labels))]
    }
}

/// `∂J/∂a = 2(a − b)·g/n`, `∂J/∂b = 2(b − a)·g/n`.
struct Mse<T> {
    scale: T,
}

impl<T: Element> Rule<T> for Mse<T> {
    fn backward<X: Operand<T>>(&self, g: &X, ab: &[X], _: &X, needs: &[bool]) -> Grads<X> {
        let (a, b) = (&ab[0], &ab[1]);
        let k = g.mul_scalar(self.scale);
        smallvec::smallvec![
            needs[0].then(|| a.sub(b).broadcast_mul(&k)),
            needs[1].then(|| b.sub(a).broadcast_mul(&k)),
        ]
    }
}
