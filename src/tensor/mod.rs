//! Dense tensors and the plain (tape-free) kernels the tape is built on.
//!
//! A [`Tensor`] is an immutable, row-major array whose storage is shared: cloning one is a
//! reference-count bump, so a parameter or a whole data set can be handed to a tape, a cache or
//! a thread without a copy. The only non-contiguous tensors are transposed views made by
//! [`Tensor::t`]; every kernel accepts them, and [`Tensor::matmul`] reads them through their
//! strides.

mod display;
mod dot;
mod element;
pub(crate) mod kernels;
mod outer;
mod pool;
pub(crate) mod simd;

use std::sync::Arc;

use rand::Rng;
use rand_distr::StandardNormal;
use smallvec::SmallVec;

pub use element::Element;

use crate::error::{fmt_shape, or_panic, Error, Result};

/// A tensor's dimensions, outermost first. Up to four live inline without allocating.
pub type Shape = SmallVec<[usize; 4]>;

/// A dense, row-major n-dimensional array of `f64` (the default) or `f32`.
///
/// Storage is shared (`Arc`): `clone` never copies the elements. Values are immutable through
/// a shared tensor; the in-place methods ([`Tensor::axpy_`]) copy first only when the storage
/// is shared.
///
/// ```
/// use tapegrad::Tensor;
/// let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
/// let b = a.t(); // (3, 2) view, no copy
/// let c = a.matmul(&b);
/// assert_eq!(c.to_vec(), vec![14.0, 32.0, 32.0, 77.0]);
/// println!("{c}"); // [[14. 32.]\n [32. 77.]]
/// # Ok::<(), tapegrad::Error>(())
/// ```
#[derive(Clone)]
pub struct Tensor<T: Element = f64> {
    data: Arc<Vec<T>>,
    shape: Shape,
    /// Element strides per dimension. Row-major unless the tensor is a transposed view.
    strides: Shape,
    /// For 2-D tensors made by [`Tensor::with_both_layouts`]: the same matrix stored in the
    /// other order, so matrix products can read whichever layout packs contiguously.
    twin: Option<Arc<Vec<T>>>,
}

/// Row-major strides of `shape`.
pub(crate) fn contiguous_strides(shape: &[usize]) -> Shape {
    let mut strides: Shape = SmallVec::from_elem(0, shape.len());
    let mut acc = 1;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = acc;
        acc *= d;
    }
    strides
}

impl<T: Element> Tensor<T> {
    /// Wraps `data` (row-major) as a tensor of `shape`.
    ///
    /// # Errors
    /// [`Error::Length`] when `data.len()` is not the product of `shape`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert!(Tensor::from_vec(vec![1.0, 2.0, 3.0], &[2, 2]).is_err());
    /// ```
    pub fn from_vec(data: Vec<T>, shape: &[usize]) -> Result<Self> {
        if data.len() != shape.iter().product::<usize>() {
            return Err(Error::Length {
                len: data.len(),
                shape: shape.to_vec(),
            });
        }
        Ok(Self::from_parts(data, shape))
    }

    /// Builds a contiguous tensor whose length is known to match.
    pub(crate) fn from_parts(data: Vec<T>, shape: &[usize]) -> Self {
        debug_assert_eq!(data.len(), shape.iter().product::<usize>());
        Tensor {
            data: Arc::new(data),
            shape: shape.into(),
            strides: contiguous_strides(shape),
            twin: None,
        }
    }

    /// A tensor of `shape` filled with `value`.
    pub fn full(shape: &[usize], value: T) -> Self {
        Self::from_parts(vec![value; shape.iter().product()], shape)
    }

    /// A tensor of zeros.
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, T::ZERO)
    }

    /// A tensor of ones.
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, T::ONE)
    }

    /// A zero-dimensional tensor holding one value.
    pub fn scalar(value: T) -> Self {
        Self::from_parts(vec![value], &[])
    }

    /// `np.linspace(start, stop, n)`: `n` evenly spaced values from `start` to `stop`
    /// inclusive, as NumPy computes them: `i·step + start` with `step = (stop − start)/(n − 1)`,
    /// and the last value set to `stop` exactly. `n = 1` gives `[start]`. Computed in `f64`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f64>::linspace(0.0, 1.0, 5).to_vec(), [0.0, 0.25, 0.5, 0.75, 1.0]);
    /// assert_eq!(Tensor::<f64>::linspace_endpoint(0.0, 1.0, 4, false).to_vec(), [0.0, 0.25, 0.5, 0.75]);
    /// ```
    pub fn linspace(start: f64, stop: f64, n: usize) -> Self {
        Self::linspace_endpoint(start, stop, n, true)
    }

    /// `np.linspace(start, stop, n, endpoint)`: with `endpoint = false`, `step = (stop −
    /// start)/n` and `stop` is left out (no fix-up of the last value).
    pub fn linspace_endpoint(start: f64, stop: f64, n: usize, endpoint: bool) -> Self {
        let div = if endpoint { n.saturating_sub(1) } else { n };
        let step = (stop - start) / div as f64;
        let mut data: Vec<T> = (0..n)
            .map(|i| {
                T::from_f64(if div > 0 {
                    i as f64 * step + start
                } else {
                    start
                })
            })
            .collect();
        if endpoint && n > 1 {
            data[n - 1] = T::from_f64(stop);
        }
        Self::from_parts(data, &[n])
    }

    /// `np.arange(start, stop, step)` as NumPy fills it: `ceil((stop − start)/step)` values
    /// `start + i·δ` with `δ = (start + step) − start` (the step as rounded at `start`).
    /// Computed in `f64`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f64>::arange(0.0, 1.0, 0.25).to_vec(), [0.0, 0.25, 0.5, 0.75]);
    /// assert_eq!(Tensor::<f64>::arange(3.0, 0.0, -1.0).to_vec(), [3.0, 2.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// When `step` is 0 or not finite.
    #[track_caller]
    pub fn arange(start: f64, stop: f64, step: f64) -> Self {
        assert!(
            step != 0.0 && step.is_finite(),
            "arange: step must be finite and nonzero, got {step}"
        );
        let n = ((stop - start) / step).ceil().max(0.0) as usize;
        let delta = (start + step) - start;
        let data = (0..n)
            .map(|i| T::from_f64(start + i as f64 * delta))
            .collect();
        Self::from_parts(data, &[n])
    }

    /// Standard normal samples (rand_distr's `StandardNormal`), filled row-major.
    ///
    /// For NumPy's exact sequence, use [`NumpyRng::randn`](crate::rng::NumpyRng::randn).
    pub fn randn<R: Rng + ?Sized>(shape: &[usize], rng: &mut R) -> Self
    where
        StandardNormal: rand_distr::Distribution<T>,
    {
        let n = shape.iter().product();
        Self::from_parts((0..n).map(|_| rng.sample(StandardNormal)).collect(), shape)
    }

    /// The dimensions, outermost first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// The whole storage, in memory order (row-major for contiguous tensors).
    pub(crate) fn storage(&self) -> &[T] {
        &self.data
    }

    /// Whether the elements lie in row-major order (false only for transposed views).
    pub fn is_contiguous(&self) -> bool {
        self.strides == contiguous_strides(&self.shape)
    }

    /// The elements in row-major order, borrowed.
    ///
    /// # Panics
    /// On a transposed view (see [`Tensor::t`]); call [`Tensor::contiguous`] first, or use
    /// [`Tensor::to_vec`].
    #[track_caller]
    pub fn as_slice(&self) -> &[T] {
        assert!(
            self.is_contiguous(),
            "as_slice: tensor of shape {} is a transposed view; call contiguous() first",
            fmt_shape(&self.shape)
        );
        &self.data
    }

    /// The elements in row-major order, copied.
    pub fn to_vec(&self) -> Vec<T> {
        if self.is_contiguous() {
            self.data.to_vec()
        } else {
            kernels::gather(self)
        }
    }

    /// The same values in row-major storage: a cheap clone when already contiguous.
    pub fn contiguous(&self) -> Self {
        if self.is_contiguous() {
            self.clone()
        } else if let Some(twin) = &self.twin {
            // A transposed view of a tensor with both layouts: the twin is row-major already.
            Tensor {
                data: twin.clone(),
                shape: self.shape.clone(),
                strides: contiguous_strides(&self.shape),
                twin: Some(self.data.clone()),
            }
        } else {
            Self::from_parts(kernels::gather(self), &self.shape)
        }
    }

    /// The only element of a one-element tensor.
    ///
    /// # Panics
    /// When the tensor does not have exactly one element.
    #[track_caller]
    pub fn item(&self) -> T {
        assert!(
            self.len() == 1,
            "item: tensor of shape {} does not have exactly one element",
            fmt_shape(&self.shape)
        );
        self.data[0]
    }

    /// The element at a multi-index.
    ///
    /// # Panics
    /// When the index has the wrong rank or is out of bounds.
    #[track_caller]
    pub fn get(&self, index: &[usize]) -> T {
        assert!(
            index.len() == self.ndim() && index.iter().zip(&self.shape).all(|(i, d)| i < d),
            "get: index {index:?} is out of bounds for shape {}",
            fmt_shape(&self.shape)
        );
        let offset: usize = index.iter().zip(&self.strides).map(|(i, s)| i * s).sum();
        self.data[offset]
    }

    /// The same elements with another shape of equal size.
    ///
    /// # Errors
    /// When the element counts differ.
    pub fn try_reshape(&self, shape: &[usize]) -> Result<Self> {
        if shape.iter().product::<usize>() != self.len() {
            return Err(Error::shape(
                "reshape",
                format!(
                    "cannot reshape {} into {}",
                    fmt_shape(&self.shape),
                    fmt_shape(shape)
                ),
            ));
        }
        let t = self.contiguous();
        Ok(Tensor {
            data: t.data,
            shape: shape.into(),
            strides: contiguous_strides(shape),
            twin: None,
        })
    }

    /// [`Tensor::try_reshape`] that panics with the same message.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Self {
        or_panic(self.try_reshape(shape))
    }

    /// The transpose of a 2-D tensor as a view: no element is copied.
    ///
    /// # Panics
    /// When the tensor is not 2-D.
    #[track_caller]
    pub fn t(&self) -> Self {
        assert!(
            self.ndim() == 2,
            "t: expected a 2-D tensor, got shape {}",
            fmt_shape(&self.shape)
        );
        Tensor {
            data: self.data.clone(),
            shape: [self.shape[1], self.shape[0]].into_iter().collect(),
            strides: [self.strides[1], self.strides[0]].into_iter().collect(),
            twin: self.twin.clone(),
        }
    }

    /// The same 2-D tensor, also stored in the other memory order (one copy, made now).
    ///
    /// Worth it for a large constant used in products both as itself and transposed, like the
    /// training data `X` (in `W·X` forward and `dZ·Xᵀ` backward): each product then reads the
    /// layout it streams fastest (for `W·X`, X's columns, without a copy per product). Costs
    /// the tensor's memory again;
    /// values and results are unchanged. [`Tensor::t`] and clones keep both layouts, and
    /// `contiguous()` of the transpose is free.
    ///
    /// # Panics
    /// When the tensor is not 2-D.
    #[track_caller]
    pub fn with_both_layouts(&self) -> Self {
        assert!(
            self.ndim() == 2,
            "with_both_layouts: expected a 2-D tensor, got shape {}",
            fmt_shape(&self.shape)
        );
        if self.twin.is_some() {
            return self.clone();
        }
        let (rows, cols) = (self.shape[0], self.shape[1]);
        let twin = kernels::transpose(self.contiguous().storage(), rows, cols);
        Tensor {
            data: self.contiguous().data,
            shape: self.shape.clone(),
            strides: contiguous_strides(&self.shape),
            twin: Some(Arc::new(twin)),
        }
    }

    /// The memory layouts a matrix product may read this 2-D tensor from, as (pointer, row
    /// stride, column stride): its own, and its twin's if it has one.
    pub(crate) fn layouts(&self) -> SmallVec<[(*const T, isize, isize); 2]> {
        let (r, c) = (self.strides[0] as isize, self.strides[1] as isize);
        let mut out: SmallVec<[(*const T, isize, isize); 2]> =
            smallvec::smallvec![(self.data.as_ptr(), r, c)];
        if let Some(twin) = &self.twin {
            // The twin holds the other order: column-major if the primary is row-major.
            let (rows, cols) = (self.shape[0] as isize, self.shape[1] as isize);
            let strides = if c == 1 { (1, rows) } else { (cols, 1) };
            out.push((twin.as_ptr(), strides.0, strides.1));
        }
        out
    }

    /// Applies `f` to every element.
    pub fn map(&self, mut f: impl FnMut(T) -> T) -> Self {
        let src = self.contiguous();
        Self::from_parts(src.data.iter().map(|&x| f(x)).collect(), &self.shape)
    }

    /// Applies `f` to the elements of two tensors of equal shape.
    ///
    /// # Panics
    /// When the shapes differ.
    #[track_caller]
    pub fn zip_with(&self, other: &Tensor<T>, f: impl Fn(T, T) -> T) -> Self {
        or_panic(kernels::zip_same("zip_with", self, other, f))
    }

    /// Converts every element to another precision (`f64` → `f32` rounds).
    pub fn cast<U: Element>(&self) -> Tensor<U> {
        let src = self.contiguous();
        Tensor::from_parts(
            src.data.iter().map(|&x| U::from_f64(x.to_f64())).collect(),
            &self.shape,
        )
    }

    /// In place `self ← self + alpha·other` (equal shapes): the gradient-descent update
    /// `W ← W − α·dW` without allocating when the storage is not shared.
    ///
    /// # Panics
    /// When the shapes differ.
    #[track_caller]
    pub fn axpy_(&mut self, alpha: T, other: &Tensor<T>) {
        if self.shape != other.shape {
            panic!(
                "axpy_: shapes differ: {} and {}",
                fmt_shape(&self.shape),
                fmt_shape(&other.shape)
            );
        }
        *self = self.contiguous();
        // The update changes the values: a second layout would be stale.
        self.twin = None;
        let other = other.contiguous();
        let dst = Arc::make_mut(&mut self.data);
        // `alpha·dW` first, then the subtraction: the course's rounding order.
        for (d, &o) in dst.iter_mut().zip(other.data.iter()) {
            *d += alpha * o;
        }
    }

    /// The elements in row-major order, for writing in place: copies first when the storage
    /// is shared or the tensor is a transposed view, and drops a second layout (it would go
    /// stale).
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        *self = self.contiguous();
        self.twin = None;
        Arc::make_mut(&mut self.data).as_mut_slice()
    }

    /// Whether every element is finite.
    pub fn all_finite(&self) -> bool {
        self.data.iter().all(|x| x.is_finite())
    }

    /// Storage pointer identity: whether two tensors share their elements.
    pub fn shares_storage(&self, other: &Tensor<T>) -> bool {
        Arc::ptr_eq(&self.data, &other.data)
    }
}

impl<T: Element> std::fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor<{}>{} {}", T::NAME, fmt_shape(&self.shape), self)
    }
}

impl<T: Element> PartialEq for Tensor<T> {
    /// Equal shapes and equal elements (`==` on each, so NaN ≠ NaN).
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape && self.to_vec() == other.to_vec()
    }
}
