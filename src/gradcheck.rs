//! A finite-difference gradient checker, for tapegrad's own ops and for users' models.

use std::fmt;

use crate::error::{Error, Result};
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;
use crate::{ParamSet, ParamVarSet};

/// The step of the central difference. With f64, `(f(x+h) − f(x−h)) / 2h` has truncation error
/// `O(h²) ≈ 1e-12` and rounding error `≈ 1e-16·|f| / h ≈ 1e-10·|f|`.
pub const DEFAULT_EPS: f64 = 1e-6;

/// The outcome of [`gradcheck`]: the worst element over all params.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckReport {
    /// Which param (position in the slice passed to `gradcheck`) holds the worst element.
    pub param: usize,
    /// The worst element's multi-index within that param.
    pub index: Vec<usize>,
    /// Its central-difference derivative.
    pub numeric: f64,
    /// Its derivative from the tape (0 when the tape gives the param no gradient).
    pub analytic: f64,
    /// `|analytic − numeric| / max(1, |analytic|, |numeric|)`: absolute for small derivatives,
    /// relative for large ones; `inf` when either derivative is NaN or infinite, so such an
    /// element is always the worst and fails every tolerance.
    pub error: f64,
    /// How many elements were compared.
    pub checked: usize,
}

impl fmt::Display for GradcheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "worst of {} elements: param {} at {:?}: numeric {:e}, analytic {:e}, error {:e}",
            self.checked, self.param, self.index, self.numeric, self.analytic, self.error
        )
    }
}

/// Compares the tape's gradient of a scalar function with central finite differences, in f64,
/// for every element of every param, and reports the worst element.
///
/// `f` builds the scalar on the fresh tape it is given, from vars holding `params` (in order);
/// it is called once with params recorded by [`Tape::param`] and twice per element with
/// perturbed copies. Use the report's `error` against a tolerance of your choosing, e.g. 1e-6.
///
/// ```
/// use tapegrad::{gradcheck, Tensor};
/// let w = Tensor::from_vec(vec![0.3, -0.2, 0.5, 0.1], &[2, 2])?;
/// let x = Tensor::from_vec(vec![1.0, 2.0, -1.0, 0.5, 0.0, 3.0], &[2, 3])?;
/// let report = gradcheck::gradcheck(&[w], |tape, p| {
///     let x = tape.constant(&x);
///     p[0].matmul(x).tanh().sum()
/// })?;
/// assert!(report.error < 1e-7, "{report}");
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// When `f` returns a value that does not have exactly one element.
pub fn gradcheck<F>(params: &[Tensor<f64>], f: F) -> Result<GradcheckReport>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    gradcheck_with(params, DEFAULT_EPS, f)
}

/// [`gradcheck`] with a chosen finite-difference step `eps`.
///
/// # Errors
/// When `f` returns a value that does not have exactly one element, or `eps` is not positive.
pub fn gradcheck_with<F>(params: &[Tensor<f64>], eps: f64, f: F) -> Result<GradcheckReport>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    if eps.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::Invalid(format!(
            "gradcheck: eps must be positive, got {eps}"
        )));
    }
    let analytic: Vec<Vec<f64>> = {
        let tape = Tape::new();
        let vars: Vec<Var<'_, f64>> = params.iter().map(|p| tape.param(p)).collect();
        let grads = f(&tape, &vars).backward()?;
        vars.iter()
            .zip(params)
            .map(|(&v, p)| {
                grads
                    .wrt(v)
                    .map_or_else(|| vec![0.0; p.len()], Tensor::to_vec)
            })
            .collect()
    };
    let eval = |values: &[Tensor<f64>]| -> Result<f64> {
        let tape = Tape::new();
        let vars: Vec<Var<'_, f64>> = values.iter().map(|p| tape.constant(p)).collect();
        let out = f(&tape, &vars).value();
        if out.len() != 1 {
            return Err(Error::NotScalar {
                shape: out.shape().to_vec(),
            });
        }
        Ok(out.item())
    };
    let mut values: Vec<Tensor<f64>> = params.iter().map(Tensor::contiguous).collect();
    let mut worst = GradcheckReport {
        param: 0,
        index: vec![],
        numeric: 0.0,
        analytic: 0.0,
        error: -1.0,
        checked: 0,
    };
    for p in 0..params.len() {
        let original = values[p].to_vec();
        for i in 0..original.len() {
            let mut at = |x: f64| -> Result<f64> {
                let mut data = original.clone();
                data[i] = x;
                values[p] = Tensor::from_vec(data, params[p].shape())?;
                eval(&values)
            };
            let numeric = (at(original[i] + eps)? - at(original[i] - eps)?) / (2.0 * eps);
            let a = analytic[p][i];
            let error = mixed_error(a, numeric);
            worst.checked += 1;
            if error > worst.error {
                worst = GradcheckReport {
                    param: p,
                    index: unravel(i, params[p].shape()),
                    numeric,
                    analytic: a,
                    error,
                    checked: worst.checked,
                };
            }
        }
        values[p] = params[p].contiguous();
    }
    // Nothing compared (no params): no error.
    worst.error = worst.error.max(0.0);
    Ok(worst)
}

/// [`gradcheck`] for a [`ParamSet`]: `f` gets the params by name. The report's `param` is
/// the position in the set's order (`set.names().nth(report.param)`).
///
/// ```
/// use tapegrad::{gradcheck::gradcheck_set, ParamSet, Tensor};
/// let set: ParamSet = [("w", Tensor::from_vec(vec![0.3, -0.7], &[1, 2])?), ("b", Tensor::zeros(&[1, 1]))]
///     .into_iter()
///     .collect();
/// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
/// let report = gradcheck_set(&set, |tape, p| p["w"].matmul(tape.constant(&x)).broadcast_add(p["b"]).tanh().sum())?;
/// assert!(report.error < 1e-7, "{report}");
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// As [`gradcheck`].
pub fn gradcheck_set<F>(params: &ParamSet<f64>, f: F) -> Result<GradcheckReport>
where
    F: for<'t> Fn(&'t Tape<f64>, &ParamVarSet<'t, f64>) -> Var<'t, f64>,
{
    let names: Vec<String> = params.names().map(str::to_string).collect();
    let tensors: Vec<Tensor<f64>> = params.tensors().into_iter().cloned().collect();
    gradcheck(&tensors, |tape, vars| {
        f(
            tape,
            &ParamVarSet::from_parts(names.iter().cloned().zip(vars.iter().copied()).collect()),
        )
    })
}

/// `|a − n| / max(1, |a|, |n|)`: absolute for small derivatives, relative for large ones. A
/// NaN or infinite derivative on either side is an infinite error: it must fail every
/// tolerance (`f64::max` would otherwise drop a NaN), and it stays the worst.
fn mixed_error(analytic: f64, numeric: f64) -> f64 {
    if analytic.is_finite() && numeric.is_finite() {
        (analytic - numeric).abs() / 1f64.max(analytic.abs()).max(numeric.abs())
    } else {
        f64::INFINITY
    }
}

fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (slot, &d) in index.iter_mut().zip(shape).rev() {
        *slot = flat % d;
        flat /= d;
    }
    index
}

/// The outcome of [`gradgradcheck`]: the worst entry of the Hessian over all params.
#[derive(Clone, Debug, PartialEq)]
pub struct GradgradReport {
    /// The entry's row: the param (position in the slice) and the element's multi-index
    /// whose gradient is differentiated.
    pub row: (usize, Vec<usize>),
    /// The entry's column: the param and element that the finite difference perturbs.
    pub column: (usize, Vec<usize>),
    /// Its central difference of the tape's first-order gradient.
    pub numeric: f64,
    /// Its second derivative from the tape ([`hessian`](crate::second_order::hessian)).
    pub analytic: f64,
    /// `|analytic − numeric| / max(1, |analytic|, |numeric|)`, `inf` for a NaN or infinite
    /// entry, as in [`GradcheckReport`].
    pub error: f64,
    /// How many entries were compared.
    pub checked: usize,
}

impl fmt::Display for GradgradReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "worst of {} second derivatives: d/d(param {} at {:?}) of the gradient at param {} {:?}: numeric {:e}, analytic {:e}, error {:e}",
            self.checked,
            self.column.0,
            self.column.1,
            self.row.0,
            self.row.1,
            self.numeric,
            self.analytic,
            self.error
        )
    }
}

/// Compares the tape's second derivatives of a scalar function with central differences of
/// its first-order gradient, in f64, for every entry of the Hessian over all params, and
/// reports the worst: [`gradcheck`] one order up.
///
/// The tape's side is [`hessian`](crate::second_order::hessian) (gradients recorded by
/// [`Var::grad`], differentiated again); the numeric side perturbs each element by `±eps`
/// and differences the gradients of [`Var::backward`]. For `n` elements it runs `2n + 1`
/// gradients and holds `n²` numbers: for small checks.
///
/// ```
/// use tapegrad::{gradcheck::gradgradcheck, Tensor};
/// let w = Tensor::from_vec(vec![0.3, -0.2, 0.5, 0.1], &[2, 2])?;
/// let x = Tensor::from_vec(vec![1.0, 2.0, -1.0, 0.5, 0.0, 3.0], &[2, 3])?;
/// let report = gradgradcheck(&[w], |tape, p| p[0].matmul(tape.constant(&x)).tanh().sum())?;
/// assert!(report.error < 1e-7, "{report}");
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// When `f` is not a scalar, and [`Error::FirstOrderOnly`] when it uses a first-order-only
/// custom op.
pub fn gradgradcheck<F>(params: &[Tensor<f64>], f: F) -> Result<GradgradReport>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    let eps = DEFAULT_EPS;
    let n: usize = params.iter().map(Tensor::len).sum();
    let analytic = crate::second_order::hessian(&f, params)?.to_vec();
    let gradient = |values: &[Tensor<f64>]| -> Result<Vec<f64>> {
        let tape = Tape::new();
        let vars: Vec<Var<'_, f64>> = values.iter().map(|p| tape.param(p)).collect();
        let grads = f(&tape, &vars).backward()?;
        Ok(vars
            .iter()
            .zip(values)
            .flat_map(|(&v, p)| {
                grads
                    .wrt(v)
                    .map_or_else(|| vec![0.0; p.len()], Tensor::to_vec)
            })
            .collect())
    };
    // Flat position → (param, multi-index).
    let locate = |mut flat: usize| -> (usize, Vec<usize>) {
        for (k, p) in params.iter().enumerate() {
            if flat < p.len() {
                return (k, unravel(flat, p.shape()));
            }
            flat -= p.len();
        }
        unreachable!("a flat index below the element count")
    };
    let mut values: Vec<Tensor<f64>> = params.iter().map(Tensor::contiguous).collect();
    let mut worst = GradgradReport {
        row: (0, vec![]),
        column: (0, vec![]),
        numeric: 0.0,
        analytic: 0.0,
        error: -1.0,
        checked: 0,
    };
    let mut column = 0;
    for p in 0..params.len() {
        let original = values[p].to_vec();
        for i in 0..original.len() {
            let mut at = |x: f64| -> Result<Vec<f64>> {
                let mut data = original.clone();
                data[i] = x;
                values[p] = Tensor::from_vec(data, params[p].shape())?;
                gradient(&values)
            };
            let (plus, minus) = (at(original[i] + eps)?, at(original[i] - eps)?);
            for row in 0..n {
                let numeric = (plus[row] - minus[row]) / (2.0 * eps);
                let a = analytic[row * n + column];
                let error = mixed_error(a, numeric);
                worst.checked += 1;
                if error > worst.error {
                    worst = GradgradReport {
                        row: locate(row),
                        column: locate(column),
                        numeric,
                        analytic: a,
                        error,
                        checked: worst.checked,
                    };
                }
            }
            column += 1;
        }
        values[p] = params[p].contiguous();
    }
    worst.error = worst.error.max(0.0);
    Ok(worst)
}
