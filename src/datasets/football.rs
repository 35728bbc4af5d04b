//! The Regularization notebook's football data: where the goalkeeper kicked the ball and
//! whether a player of the same team headed it (1) or the other team did (0).

use std::path::{Path, PathBuf};

use matfile::{MatFile, NumericData};

use crate::error::{fmt_shape, Error, Result};
use crate::Tensor;

/// The training and validation sets, in the course's layout.
#[derive(Clone, Debug)]
pub struct Football {
    /// `train_X`, `(2, 211)`: the kick positions, one per column.
    pub train_x: Tensor,
    /// `train_Y`, `(1, 211)`.
    pub train_y: Tensor,
    /// `test_X` (the file's `Xval`), `(2, 200)`.
    pub test_x: Tensor,
    /// `test_Y` (the file's `yval`), `(1, 200)`.
    pub test_y: Tensor,
}

/// The football file that ships with the crate: `data/regularization/football.mat`.
pub fn bundled_football_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("regularization")
        .join("football.mat")
}

/// Reads the notebook's MATLAB file (variables `X` `(n, 2)`, `y` `(n, 1)`, `Xval`, `yval`) and
/// transposes it as the notebook does: `train_X = X.T`, `train_Y = y.T`.
///
/// ```
/// let data = tapegrad::datasets::load_football(&tapegrad::datasets::bundled_football_path())?;
/// assert_eq!(data.train_x.shape(), &[2, 211]);
/// assert_eq!(data.test_y.shape(), &[1, 200]);
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// [`Error::File`] naming the file and the variable when the file cannot be read or parsed, a
/// variable is missing, is not 2-D with the expected columns, or the labels are not 0/1 or do
/// not match the points in number.
pub fn load_football(path: &Path) -> Result<Football> {
    let file =
        std::fs::File::open(path).map_err(|e| Error::file(path, format!("cannot open: {e}")))?;
    let mat = MatFile::parse(std::io::BufReader::new(file))
        .map_err(|e| Error::file(path, format!("not a readable MATLAB v5 file: {e:?}")))?;
    let (train_x, m) = points(&mat, path, "X")?;
    let train_y = labels(&mat, path, "y", m)?;
    let (test_x, m) = points(&mat, path, "Xval")?;
    let test_y = labels(&mat, path, "yval", m)?;
    Ok(Football {
        train_x,
        train_y,
        test_x,
        test_y,
    })
}

/// Variable `name` as `f64`s, column-major as MATLAB stores it, with its size.
fn variable(mat: &MatFile, path: &Path, name: &str) -> Result<(Vec<f64>, Vec<usize>)> {
    let array = mat.find_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = mat.arrays().iter().map(|a| a.name()).collect();
        Error::file(
            path,
            format!(
                "variable `{name}` not found (the file holds: {})",
                names.join(", ")
            ),
        )
    })?;
    let values: Vec<f64> = match array.data() {
        NumericData::Double { real, imag: None } => real.clone(),
        NumericData::UInt8 { real, imag: None } => real.iter().map(|&v| f64::from(v)).collect(),
        other => {
            return Err(Error::file(
                path,
                format!(
                    "variable `{name}`: expected real double or uint8 values, found {}",
                    kind(other)
                ),
            ))
        }
    };
    Ok((values, array.size().clone()))
}

fn kind(data: &NumericData) -> &'static str {
    match data {
        NumericData::Double { imag: Some(_), .. } | NumericData::UInt8 { imag: Some(_), .. } => {
            "complex values"
        }
        NumericData::Double { .. } => "double",
        NumericData::Single { .. } => "single",
        NumericData::UInt8 { .. } => "uint8",
        _ => "another integer type",
    }
}

/// `(m, 2)` points as the course's `(2, m)`.
fn points(mat: &MatFile, path: &Path, name: &str) -> Result<(Tensor, usize)> {
    let (values, size) = variable(mat, path, name)?;
    if size.len() != 2 || size[1] != 2 || size[0] == 0 {
        return Err(Error::file(
            path,
            format!(
                "variable `{name}`: expected points of size (m, 2), found {}",
                fmt_shape(&size)
            ),
        ));
    }
    // Column-major (m, 2) is already row-major (2, m): MATLAB's X.T needs no reordering.
    Ok((Tensor::from_vec(values, &[2, size[0]])?, size[0]))
}

/// `(m, 1)` labels as `(1, m)`, each 0 or 1.
fn labels(mat: &MatFile, path: &Path, name: &str, m: usize) -> Result<Tensor> {
    let (values, size) = variable(mat, path, name)?;
    if size != [m, 1] {
        return Err(Error::file(
            path,
            format!(
                "variable `{name}`: expected labels of size ({m}, 1) to match the {m} points, found {}",
                fmt_shape(&size)
            ),
        ));
    }
    if let Some((i, v)) = values
        .iter()
        .enumerate()
        .find(|(_, &v)| v != 0.0 && v != 1.0)
    {
        return Err(Error::file(
            path,
            format!("variable `{name}`: label {v} at index {i}; labels must be 0 or 1"),
        ));
    }
    Tensor::from_vec(values, &[1, m])
}
