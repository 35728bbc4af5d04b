//! Inverted dropout, as the course writes it.
//!
//! With a mask `D` of 0s and 1s (`D = rand(shape) < keep_prob`) and `p = keep_prob`:
//!
//! | | formula |
//! |---|---|
//! | forward | `y = (x ⊙ D) / p` — two roundings, in the course's order (`A = A * D; A = A / p`) |
//! | backward | `∂/∂x = (g ⊙ D) / p` |
//!
//! Dividing by `p` keeps each unit's expected value, so prediction runs without dropout and
//! without rescaling.

use crate::error::{fmt_shape, or_panic, Error, Result};
use crate::rng::NumpyRng;
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::zip_broadcast;
use crate::tensor::{Element, Tensor};

/// `keep_prob` must be in `(0, 1]`; the error names `op` and the value.
pub(crate) fn check_keep_prob(op: &str, keep_prob: f64) -> Result<()> {
    if keep_prob > 0.0 && keep_prob <= 1.0 {
        Ok(())
    } else {
        Err(dropout_error(op, keep_prob))
    }
}

fn dropout_error(op: &str, keep_prob: f64) -> Error {
    Error::Invalid(format!(
        "{op}: keep_prob must be in (0, 1], got {keep_prob}"
    ))
}

/// `(x ⊙ D) / p` elementwise: the forward and, applied to `g`, the backward.
fn mask_and_scale<T: Element>(x: &Tensor<T>, mask: &Tensor<T>, keep_prob: T) -> Tensor<T> {
    zip_broadcast(x, mask, x.shape(), |x, d| (x * d) / keep_prob)
}

impl<T: Element> Tensor<T> {
    /// The course's dropout mask: `rng.rand(shape) < keep_prob` as 1s and 0s, drawn row-major
    /// now (so a seeded `NumpyRng` gives the notebook's masks).
    ///
    /// ```
    /// use tapegrad::{rng::NumpyRng, Tensor};
    /// let mut rng = NumpyRng::new(1);
    /// let d = Tensor::<f64>::dropout_mask(&[2, 3], 0.5, &mut rng)?;
    /// // rand: 0.417 0.720 0.000114 0.302 0.147 0.0923
    /// assert_eq!(d.to_vec(), [1.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `keep_prob` is not in `(0, 1]`.
    pub fn dropout_mask(shape: &[usize], keep_prob: f64, rng: &mut NumpyRng) -> Result<Self> {
        check_keep_prob("dropout_mask", keep_prob)?;
        let keep = rng
            .rand(shape)
            .as_slice()
            .iter()
            .map(|&r| if r < keep_prob { T::ONE } else { T::ZERO })
            .collect();
        Ok(Tensor::from_parts(keep, shape))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records inverted dropout with a fresh mask [`Tensor::dropout_mask`] drawn from `rng`
    /// (to keep the mask, draw it yourself and use [`Var::dropout_with_mask`]).
    ///
    /// # Errors
    /// When `keep_prob` is not in `(0, 1]`.
    pub fn try_dropout(self, keep_prob: f64, rng: &mut NumpyRng) -> Result<Var<'t, T>> {
        let mask = Tensor::dropout_mask(&self.shape(), keep_prob, rng)
            .map_err(|_| dropout_error("dropout", keep_prob))?;
        self.try_dropout_with_mask(&mask, keep_prob)
    }

    /// [`Var::try_dropout`], panicking on a bad `keep_prob`.
    ///
    /// ```
    /// use tapegrad::{rng::NumpyRng, Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.param(&Tensor::full(&[2, 3], 2.0));
    /// let mut rng = NumpyRng::new(1);
    /// let y = a.dropout(0.5, &mut rng); // mask [1 0 1; 1 1 1], see Tensor::dropout_mask
    /// assert_eq!(y.value().to_vec(), [4.0, 0.0, 4.0, 4.0, 4.0, 4.0]);
    /// let grads = y.sum().backward()?;
    /// assert_eq!(grads.wrt(a).unwrap().to_vec(), [2.0, 0.0, 2.0, 2.0, 2.0, 2.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    #[track_caller]
    pub fn dropout(self, keep_prob: f64, rng: &mut NumpyRng) -> Var<'t, T> {
        or_panic(self.try_dropout(keep_prob, rng))
    }

    /// Records `(self ⊙ mask) / keep_prob` with a given mask of 0s and 1s (e.g. the one a
    /// notebook drew), the same at every step if you pass the same mask.
    ///
    /// # Errors
    /// When `keep_prob` is not in `(0, 1]` or the mask's shape differs from the value's.
    pub fn try_dropout_with_mask(self, mask: &Tensor<T>, keep_prob: f64) -> Result<Var<'t, T>> {
        check_keep_prob("dropout_with_mask", keep_prob)?;
        if mask.shape() != self.shape().as_slice() {
            return Err(Error::shape(
                "dropout_with_mask",
                format!(
                    "the mask's shape {} differs from the value's {}",
                    fmt_shape(mask.shape()),
                    fmt_shape(&self.shape())
                ),
            ));
        }
        let p = T::from_f64(keep_prob);
        let y = mask_and_scale(&self.value(), mask, p);
        let rule = Dropout {
            mask: mask.clone(),
            keep_prob: p,
        };
        Ok(self.record_unary("dropout", y, rule))
    }

    /// [`Var::try_dropout_with_mask`], panicking on a bad `keep_prob` or mask shape.
    #[track_caller]
    pub fn dropout_with_mask(self, mask: &Tensor<T>, keep_prob: f64) -> Var<'t, T> {
        or_panic(self.try_dropout_with_mask(mask, keep_prob))
    }
}

/// The backward of dropout: the same mask and scale applied to `g`.
struct Dropout<T: Element> {
    mask: Tensor<T>,
    keep_prob: T,
}

impl<T: Element> Rule<T> for Dropout<T> {
    fn backward<X: Operand<T>>(&self, g: &X, _: &[X], _: &X, _: &[bool]) -> Grads<X> {
        smallvec::smallvec![Some(g.mul_constant(&self.mask).div_scalar(self.keep_prob))]
    }
}
