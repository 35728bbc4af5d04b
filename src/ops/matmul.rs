//! Matrix product and transpose.
//!
//! `C = A·B` has backward `dA = g·Bᵀ` and `dB = Aᵀ·g`. The transposes are strided views,
//! never copies (a product with a small side or a short inner dimension reads them in place
//! with tapegrad's own kernels, others go to `matrixmultiply`), and each side is computed only when its
//! operand wants a gradient: for `W·X` with `X` a constant, `Wᵀ·g` is never formed.

use crate::error::{or_panic, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels;
use crate::tensor::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// The matrix product of two 2-D tensors (either may be a transposed view).
    ///
    /// # Errors
    /// When an operand is not 2-D or the inner dimensions differ:
    /// `matmul: inner dimensions differ: (1, 3) x (4, 2)`.
    pub fn try_matmul(&self, other: &Tensor<T>) -> Result<Tensor<T>> {
        kernels::matmul(self, other)
    }

    /// The matrix product of two 2-D tensors.
    ///
    /// # Panics
    /// When the shapes do not fit; see [`Tensor::try_matmul`].
    #[track_caller]
    pub fn matmul(&self, other: &Tensor<T>) -> Tensor<T> {
        or_panic(self.try_matmul(other))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records the matrix product `self·other` of two 2-D values.
    ///
    /// # Errors
    /// When an operand is not 2-D or the inner dimensions differ.
    #[track_caller]
    pub fn try_matmul(self, other: Var<'t, T>) -> Result<Var<'t, T>> {
        self.same_tape(other, "matmul");
        let c = kernels::matmul(&self.value(), &other.value())?;
        Ok(self.record_binary("matmul", other, c, Matmul))
    }

    /// Records the matrix product `self·other`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let w = tape.param(&Tensor::from_vec(vec![1.0, 2.0], &[1, 2])?);
    /// let x = tape.constant(&Tensor::from_vec(vec![3.0, 4.0], &[2, 1])?);
    /// let grads = w.matmul(x).sum().backward()?;
    /// assert_eq!(grads.wrt(w).unwrap().to_vec(), vec![3.0, 4.0]); // dW = g·Xᵀ
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Panics
    /// When the shapes do not fit; see [`Var::try_matmul`].
    #[track_caller]
    pub fn matmul(self, other: Var<'t, T>) -> Var<'t, T> {
        or_panic(self.try_matmul(other))
    }

    /// Records the transpose of a 2-D value (a view; its backward transposes `g` back).
    ///
    /// # Panics
    /// When the value is not 2-D.
    #[track_caller]
    pub fn t(self) -> Var<'t, T> {
        let value = self.value().t();
        self.record_unary("t", value, Transpose)
    }
}

/// `dA = g·Bᵀ`, `dB = Aᵀ·g`, each only when asked for.
struct Matmul;

impl<T: Element> Rule<T> for Matmul {
    fn backward<X: Operand<T>>(&self, g: &X, ab: &[X], _: &X, needs: &[bool]) -> Grads<X> {
        smallvec::smallvec![
            needs[0].then(|| g.matmul(&ab[1].t())),
            needs[1].then(|| ab[0].t().matmul(g)),
        ]
    }
}

/// The gradient transposed back.
struct Transpose;

impl<T: Element> Rule<T> for Transpose {
    fn backward<X: Operand<T>>(&self, g: &X, _: &[X], _: &X, _: &[bool]) -> Grads<X> {
        smallvec::smallvec![Some(g.t())]
    }
}
