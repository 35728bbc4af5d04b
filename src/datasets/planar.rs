//! The planar "flower": two classes of 200 points each, on the petals of `r = 4 sin 4t`.

use crate::rng::NumpyRng;
use crate::Tensor;

/// The course's `load_planar_dataset()`: seeds NumPy's generator with 1 itself, then for class
/// `j = 0, 1` draws `t = linspace(3.12j, 3.12(j+1), 200) + 0.2·randn(200)` and
/// `r = 4·sin(4t) + 0.2·randn(200)`; the points are `(r·sin t, r·cos t)`.
///
/// Returns `X` `(2, 400)` (class 0 in columns 0..200) and `Y` `(1, 400)`.
///
/// ```
/// let (x, y) = tapegrad::datasets::load_planar_dataset();
/// assert_eq!(x.shape(), &[2, 400]);
/// assert_eq!(x.get(&[0, 0]), 1.204442292254319);
/// assert_eq!(y.to_vec().iter().sum::<f64>(), 200.0);
/// ```
pub fn load_planar_dataset() -> (Tensor, Tensor) {
    const N: usize = 200;
    let mut rng = NumpyRng::new(1);
    let mut x = vec![0.0; 2 * 2 * N];
    let mut y = vec![0.0; 2 * N];
    for j in 0..2 {
        let lo = j as f64 * 3.12;
        let hi = (j + 1) as f64 * 3.12;
        let base = Tensor::<f64>::linspace(lo, hi, N).to_vec();
        let t: Vec<f64> = base.iter().map(|&b| b + rng.gauss() * 0.2).collect();
        let r: Vec<f64> = t
            .iter()
            .map(|&t| 4.0 * (4.0 * t).sin() + rng.gauss() * 0.2)
            .collect();
        for k in 0..N {
            let col = j * N + k;
            x[col] = r[k] * t[k].sin();
            x[2 * N + col] = r[k] * t[k].cos();
            y[col] = j as f64;
        }
    }
    (
        Tensor::from_parts(x, &[2, 2 * N]),
        Tensor::from_parts(y, &[1, 2 * N]),
    )
}
