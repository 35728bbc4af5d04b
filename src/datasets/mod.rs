//! The data sets of the course's later notebooks, made exactly as the notebooks make them.
//!
//! - [`load_planar_dataset`]: the two-class "flower" of Course 1, week 3.
//! - [`make_moons`], [`make_circles`]: scikit-learn's generators, re-implemented on
//!   [`NumpyRng`](crate::rng::NumpyRng) so that a seeded generator gives the same points as
//!   `np.random.seed(s)` followed by sklearn's call with `random_state=None` (Course 2's
//!   Optimization and Initialization notebooks).
//! - [`load_football`]: the Regularization notebook's football data, shipped in the repository
//!   as `data/regularization/football.mat` (the notebook's `data.mat`).
//!
//! All return `X` as `(2, n)`, one example per column, and `Y` as `(1, n)` of 0s and 1s, the
//! course's layout.

mod football;
mod planar;
mod sklearn;

pub use football::{bundled_football_path, load_football, Football};
pub use planar::load_planar_dataset;
pub use sklearn::{make_circles, make_moons};
