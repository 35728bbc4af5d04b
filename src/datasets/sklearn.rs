//! scikit-learn's `make_moons` and `make_circles`, drawing from NumPy's legacy generator.
//!
//! Both build the points in order (first class 0, then class 1), shuffle them with
//! `rng.shuffle` of the indices, then add `normal(0, noise)` to each coordinate, row by row:
//! the same draws as sklearn with `random_state=None` after `np.random.seed(s)`.

use std::f64::consts::PI;

use crate::rng::NumpyRng;
use crate::Tensor;

/// Shuffles `(points, labels)` and adds the noise, returning `X` `(2, n)` and `Y` `(1, n)`.
fn shuffle_and_noise(
    points: Vec<[f64; 2]>,
    labels: Vec<f64>,
    noise: f64,
    rng: &mut NumpyRng,
) -> (Tensor, Tensor) {
    let n = points.len();
    let mut idx: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut idx);
    let mut x = vec![0.0; 2 * n];
    let mut y = vec![0.0; n];
    for (i, &k) in idx.iter().enumerate() {
        for (c, &v) in points[k].iter().enumerate() {
            // sklearn's `X += generator.normal(scale=noise, size=X.shape)`: row-major draws.
            x[c * n + i] = v + (0.0 + noise * rng.gauss());
        }
        y[i] = labels[k];
    }
    (
        Tensor::from_parts(x, &[2, n]),
        Tensor::from_parts(y, &[1, n]),
    )
}

fn labels(n_out: usize, n_in: usize) -> Vec<f64> {
    let mut y = vec![0.0; n_out];
    y.resize(n_out + n_in, 1.0);
    y
}

/// `sklearn.datasets.make_moons(n, noise=noise)`: two interleaving half circles, the outer
/// `(cos l, sin l)` for `l` in `linspace(0, π, n/2)` (class 0) and the inner
/// `(1 − cos l, 1 − sin l − 0.5)` (class 1), shuffled, plus Gaussian noise.
///
/// ```
/// use tapegrad::{datasets::make_moons, rng::NumpyRng};
/// let (x, y) = make_moons(300, 0.2, &mut NumpyRng::new(3)); // the Optimization notebook's
/// assert_eq!((x.get(&[0, 0]), x.get(&[1, 0])), (-0.21687013460912397, 1.0154493742029873));
/// assert_eq!(y.shape(), &[1, 300]);
/// ```
pub fn make_moons(n: usize, noise: f64, rng: &mut NumpyRng) -> (Tensor, Tensor) {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = Tensor::<f64>::linspace(0.0, PI, n_out).to_vec();
    let inner = Tensor::<f64>::linspace(0.0, PI, n_in).to_vec();
    let points = outer
        .iter()
        .map(|&l| [l.cos(), l.sin()])
        .chain(inner.iter().map(|&l| [1.0 - l.cos(), 1.0 - l.sin() - 0.5]))
        .collect();
    shuffle_and_noise(points, labels(n_out, n_in), noise, rng)
}

/// `sklearn.datasets.make_circles(n, noise=noise, factor=factor)`: a large circle
/// `(cos l, sin l)` for `l` in `linspace(0, 2π, n/2, endpoint=False)` (class 0) and a small one
/// scaled by `factor` (class 1; sklearn's default is 0.8), shuffled, plus Gaussian noise.
///
/// ```
/// use tapegrad::{datasets::make_circles, rng::NumpyRng};
/// let (x, _) = make_circles(300, 0.05, 0.8, &mut NumpyRng::new(1)); // Initialization's
/// assert_eq!((x.get(&[0, 0]), x.get(&[1, 0])), (-0.07741354010048114, 0.8526022642742742));
/// ```
pub fn make_circles(n: usize, noise: f64, factor: f64, rng: &mut NumpyRng) -> (Tensor, Tensor) {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = Tensor::<f64>::linspace_endpoint(0.0, 2.0 * PI, n_out, false).to_vec();
    let inner = Tensor::<f64>::linspace_endpoint(0.0, 2.0 * PI, n_in, false).to_vec();
    let points = outer
        .iter()
        .map(|&l| [l.cos(), l.sin()])
        .chain(inner.iter().map(|&l| [l.cos() * factor, l.sin() * factor]))
        .collect();
    shuffle_and_noise(points, labels(n_out, n_in), noise, rng)
}
