//! The course's cat / non-cat data set (Course 1, week 4), read from its two HDF5 files.

use std::fmt;
use std::path::{Path, PathBuf};

use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};

use super::h5::{descriptor, open_dataset, open_h5, read_error};
use crate::error::fmt_shape;
use crate::{Error, Result, Tensor};

/// The training file's name: `train_catvnoncat.h5`.
pub const TRAIN_FILE: &str = "train_catvnoncat.h5";

/// The test file's name: `test_catvnoncat.h5`.
pub const TEST_FILE: &str = "test_catvnoncat.h5";

/// The environment variable [`data_dir`] reads when no `--data` argument is given.
pub const DATA_DIR_ENV: &str = "CATVNONCAT_DIR";

/// Largest number of bytes of images [`load_split`] accepts (1 GiB), so a corrupt header
/// claiming a huge shape is an error rather than an out-of-memory abort.
const MAX_IMAGE_BYTES: usize = 1 << 30;

/// One part (train or test) of the cat / non-cat data set.
#[derive(Clone)]
pub struct Split {
    /// Inputs, shape `(n_x, m)` = `(h*w*3, m)`: column `j` is image `j` flattened in C order
    /// (row, column, channel) and divided by 255: `x[(r*w + c)*3 + ch, j] = raw / 255.0`.
    pub x: Tensor<f64>,
    /// Labels as `f64`, shape `(1, m)`: 1 = cat, 0 = non-cat.
    pub y: Tensor<f64>,
    /// The images' bytes as stored, shape `(m, h, w, 3)` row-major: image `j` is
    /// `raw[j*h*w*3 .. (j+1)*h*w*3]` (see [`Split::image`]), RGB, row after row.
    pub raw: Vec<u8>,
    /// The shape of one image, `[height, width, channels]` (`[64, 64, 3]` for the course data).
    pub image_shape: [usize; 3],
    /// The file this split was read from.
    pub path: PathBuf,
}

impl Split {
    /// The number of examples `m`.
    pub fn num_examples(&self) -> usize {
        self.y.shape().get(1).copied().unwrap_or(0)
    }

    /// The raw RGB bytes of image `j` (`height * width * 3` of them, row after row, each pixel
    /// `[r, g, b]`), or `None` when `j >= m`.
    pub fn image(&self, j: usize) -> Option<&[u8]> {
        let n: usize = self.image_shape.iter().product();
        let start = j.checked_mul(n)?;
        self.raw.get(start..start.checked_add(n)?)
    }

    /// The label of example `j` (1 = cat, 0 = non-cat), or `None` when `j >= m`.
    pub fn label(&self, j: usize) -> Option<u8> {
        let in_range = self.y.shape().len() == 2 && j < self.num_examples();
        in_range.then(|| u8::from(self.y.get(&[0, j]) == 1.0))
    }
}

impl fmt::Debug for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Split")
            .field("x", &fmt_shape(self.x.shape()))
            .field("y", &fmt_shape(self.y.shape()))
            .field("raw", &format_args!("{} bytes", self.raw.len()))
            .field("image_shape", &self.image_shape)
            .field("path", &self.path)
            .finish()
    }
}

/// The whole cat / non-cat data set: 209 training and 50 test images of 64×64 RGB.
#[derive(Clone, Debug)]
pub struct CatData {
    /// The training split (`train_set_x`, `train_set_y`): 209 images, 72 cats.
    pub train: Split,
    /// The test split (`test_set_x`, `test_set_y`): 50 images, 33 cats.
    pub test: Split,
    /// The class names, indexed by label, from `list_classes`: `["non-cat", "cat"]`.
    pub classes: Vec<String>,
}

impl CatData {
    /// Checks that a model taking `n_x` inputs fits the images: `n_x = height·width·3`.
    ///
    /// # Errors
    /// [`Error::File`] naming the training file, its image shape and both sizes.
    pub fn check_input_size(&self, n_x: usize) -> Result<()> {
        let [h, w, c] = self.train.image_shape;
        let have = h * w * c;
        if n_x == have {
            return Ok(());
        }
        Err(Error::file(
            &self.train.path,
            format!(
                "dataset `train_set_x`: images of shape {} give {have} input values per example, \
                 but the model takes {n_x}",
                fmt_shape(&self.train.image_shape)
            ),
        ))
    }
}

/// The data folder that ships with this crate: `data/catvnoncat` in its source tree.
pub fn bundled_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("catvnoncat")
}

/// Finds the data folder: `arg` (a program's `--data DIR`) when given, else the
/// `CATVNONCAT_DIR` environment variable, else the crate's own `data/catvnoncat`
/// ([`bundled_data_dir`]).
///
/// # Errors
/// [`Error::File`] when the chosen folder does not exist or lacks [`TRAIN_FILE`] or
/// [`TEST_FILE`]. The message names the file looked for, the folder, and where the folder came
/// from (`--data`, `$CATVNONCAT_DIR` or the crate's data folder).
pub fn data_dir(arg: Option<&Path>) -> Result<PathBuf> {
    let env = std::env::var_os(DATA_DIR_ENV);
    resolve_data_dir(arg, env.as_deref().map(Path::new), &bundled_data_dir())
}

/// [`data_dir`] with the environment variable's value and the bundled folder passed in.
fn resolve_data_dir(arg: Option<&Path>, env: Option<&Path>, bundled: &Path) -> Result<PathBuf> {
    let (dir, source) = match (arg, env) {
        (Some(dir), _) => (dir, "from --data".to_string()),
        (None, Some(dir)) if !dir.as_os_str().is_empty() => (dir, format!("from ${DATA_DIR_ENV}")),
        _ => (bundled, "the crate's own data folder".to_string()),
    };
    if !dir.is_dir() {
        return Err(Error::file(
            dir,
            format!(
                "looked for {TRAIN_FILE} and {TEST_FILE} here ({source}), but the folder does not exist"
            ),
        ));
    }
    for name in [TRAIN_FILE, TEST_FILE] {
        let file = dir.join(name);
        if !file.is_file() {
            return Err(Error::file(
                &file,
                format!(
                    "not found: looked for {name} in the data folder {} ({source})",
                    dir.display()
                ),
            ));
        }
    }
    Ok(dir.to_path_buf())
}

/// Loads both splits and the class names from `dir` (which holds [`TRAIN_FILE`] and
/// [`TEST_FILE`]).
///
/// # Errors
/// [`Error::File`] naming the file and dataset, when a file is missing or not HDF5, a dataset
/// is missing or has the wrong shape or type, a label is not 0 or 1, `list_classes` does not
/// hold two names, or the two files disagree on the classes or the image shape.
pub fn load_catvnoncat(dir: &Path) -> Result<CatData> {
    let train_path = dir.join(TRAIN_FILE);
    let test_path = dir.join(TEST_FILE);
    for path in [&train_path, &test_path] {
        if !path.exists() {
            return Err(Error::file(path, "file not found"));
        }
    }
    let train = load_split(&train_path, "train")?;
    let test = load_split(&test_path, "test")?;
    let classes = load_classes(&train_path)?;
    if classes.len() != 2 {
        return Err(Error::file(
            &train_path,
            format!(
                "dataset `list_classes`: expected 2 class names (for labels 0 and 1), found {}: {classes:?}",
                classes.len()
            ),
        ));
    }
    let test_classes = load_classes(&test_path)?;
    if test_classes != classes {
        return Err(Error::file(
            &test_path,
            format!(
                "dataset `list_classes`: {test_classes:?} differs from {classes:?} in {}",
                train_path.display()
            ),
        ));
    }
    if test.image_shape != train.image_shape {
        return Err(Error::file(
            &test_path,
            format!(
                "dataset `test_set_x`: images of shape {} differ from those of `train_set_x` in {}, {}",
                fmt_shape(&test.image_shape),
                train_path.display(),
                fmt_shape(&train.image_shape)
            ),
        ));
    }
    Ok(CatData {
        train,
        test,
        classes,
    })
}

/// Loads one split from `path`: datasets `{prefix}_set_x` (images, `(m, h, w, 3)` uint8) and
/// `{prefix}_set_y` (labels, `(m,)` of any integer type, each 0 or 1). `prefix` is `"train"`
/// or `"test"` for the course files.
///
/// # Errors
/// [`Error::File`] naming `path` and, where there is one, the dataset: the file is missing,
/// not HDF5 or truncated; a dataset is missing; `x` is not a 4-D uint8 array with 3 channels
/// and at least one image; `y` is not 1-D with `m` integer entries; a label is not 0 or 1.
pub fn load_split(path: &Path, prefix: &str) -> Result<Split> {
    let file = open_h5(path)?;
    let x_name = format!("{prefix}_set_x");
    let y_name = format!("{prefix}_set_y");

    let x_ds = open_dataset(&file, path, &x_name)?;
    let x_shape = x_ds.shape();
    let x_type = descriptor(&x_ds, path, &x_name)?;
    let x_ok = x_type == TypeDescriptor::Unsigned(hdf5::types::IntSize::U1)
        && x_shape.len() == 4
        && x_shape[3] == 3
        && x_shape.iter().all(|&d| d > 0);
    if !x_ok {
        return Err(Error::file(
            path,
            format!(
                "dataset `{x_name}`: expected a uint8 array of shape (m, height, width, 3) with \
                 m, height, width > 0, found {x_type} of shape {}",
                fmt_shape(&x_shape)
            ),
        ));
    }
    let (m, h, w, c) = (x_shape[0], x_shape[1], x_shape[2], x_shape[3]);
    let n = h.checked_mul(w).and_then(|hw| hw.checked_mul(c));
    let total = n.and_then(|n| n.checked_mul(m));
    let (n, total) = match (n, total) {
        (Some(n), Some(total)) if total <= MAX_IMAGE_BYTES => (n, total),
        _ => {
            return Err(Error::file(
                path,
                format!(
                "dataset `{x_name}`: shape {} is larger than the {MAX_IMAGE_BYTES} bytes accepted",
                fmt_shape(&x_shape)
            ),
            ))
        }
    };

    let y_ds = open_dataset(&file, path, &y_name)?;
    let y_shape = y_ds.shape();
    let y_type = descriptor(&y_ds, path, &y_name)?;
    let y_int = matches!(
        y_type,
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_)
    );
    if !y_int || y_shape.as_slice() != [m] {
        return Err(Error::file(
            path,
            format!(
                "dataset `{y_name}`: expected integer labels of shape ({m},) to match the {m} \
                 images of `{x_name}`, found {y_type} of shape {}",
                fmt_shape(&y_shape)
            ),
        ));
    }

    let raw: Vec<u8> = x_ds
        .read_raw::<u8>()
        .map_err(|e| read_error(path, &x_name, &e))?;
    let labels: Vec<i64> = y_ds
        .read_raw::<i64>()
        .map_err(|e| read_error(path, &y_name, &e))?;
    if raw.len() != total || labels.len() != m {
        return Err(Error::file(
            path,
            format!(
                "datasets `{x_name}`/`{y_name}`: read {} bytes and {} labels, expected {total} and {m}",
                raw.len(),
                labels.len()
            ),
        ));
    }
    if let Some((i, v)) = labels.iter().enumerate().find(|(_, &v)| v != 0 && v != 1) {
        return Err(Error::file(
            path,
            format!(
                "dataset `{y_name}`: label {v} at index {i}; labels must be 0 (non-cat) or 1 (cat)"
            ),
        ));
    }

    // X = x.reshape(m, -1).T / 255.
    let mut xs = vec![0.0f64; total];
    for (j, image) in raw.chunks_exact(n).enumerate() {
        for (i, &v) in image.iter().enumerate() {
            xs[i * m + j] = f64::from(v) / 255.0;
        }
    }
    let ys: Vec<f64> = labels.iter().map(|&v| v as f64).collect();
    Ok(Split {
        x: Tensor::from_vec(xs, &[n, m])?,
        y: Tensor::from_vec(ys, &[1, m])?,
        raw,
        image_shape: [h, w, c],
        path: path.to_path_buf(),
    })
}

/// Reads the class names from the `list_classes` dataset of `path` (fixed- or variable-length
/// strings, one per label): `["non-cat", "cat"]` for the course files.
///
/// # Errors
/// [`Error::File`] when the file cannot be opened, or `list_classes` is missing, not 1-D, or
/// not a string dataset.
pub fn load_classes(path: &Path) -> Result<Vec<String>> {
    const NAME: &str = "list_classes";
    let file = open_h5(path)?;
    let ds = open_dataset(&file, path, NAME)?;
    let ty = descriptor(&ds, path, NAME)?;
    let shape = ds.shape();
    let read = |e: hdf5::Error| read_error(path, NAME, &e);
    let names: Vec<String> = match ty {
        _ if shape.len() != 1 => Vec::new(),
        TypeDescriptor::FixedAscii(len) if len <= 255 => {
            let v = ds.read_raw::<FixedAscii<255>>().map_err(read)?;
            v.iter().map(|s| s.as_str().to_string()).collect()
        }
        TypeDescriptor::FixedUnicode(len) if len <= 255 => {
            let v = ds.read_raw::<FixedUnicode<255>>().map_err(read)?;
            v.iter().map(|s| s.as_str().to_string()).collect()
        }
        TypeDescriptor::VarLenAscii => {
            let v = ds.read_raw::<VarLenAscii>().map_err(read)?;
            v.iter().map(|s| s.as_str().to_string()).collect()
        }
        TypeDescriptor::VarLenUnicode => {
            let v = ds.read_raw::<VarLenUnicode>().map_err(read)?;
            v.iter().map(|s| s.as_str().to_string()).collect()
        }
        _ => Vec::new(),
    };
    if names.len() != shape.iter().product::<usize>() || shape.len() != 1 {
        return Err(Error::file(
            path,
            format!(
                "dataset `{NAME}`: expected a 1-D array of strings (at most 255 bytes each), \
                 found {ty} of shape {}",
                fmt_shape(&shape)
            ),
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_prefers_the_argument_then_the_environment_then_the_bundled_folder() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        for name in [TRAIN_FILE, TEST_FILE] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let missing = dir.join("missing");
        assert_eq!(
            resolve_data_dir(Some(dir), Some(&missing), &missing).unwrap(),
            dir
        );
        assert_eq!(resolve_data_dir(None, Some(dir), &missing).unwrap(), dir);
        assert_eq!(resolve_data_dir(None, None, dir).unwrap(), dir);
        assert_eq!(
            resolve_data_dir(None, Some(Path::new("")), dir).unwrap(),
            dir
        );
        let e = resolve_data_dir(Some(&missing), Some(dir), dir)
            .unwrap_err()
            .to_string();
        assert!(e.contains("from --data") && e.contains("missing"), "{e}");
        let e = resolve_data_dir(None, Some(&missing), dir)
            .unwrap_err()
            .to_string();
        assert!(e.contains("$CATVNONCAT_DIR"), "{e}");
        let e = resolve_data_dir(None, None, &missing)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(TRAIN_FILE) && e.contains("the crate's own data folder"),
            "{e}"
        );
        std::fs::remove_file(dir.join(TEST_FILE)).unwrap();
        let e = resolve_data_dir(Some(dir), None, dir)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(TEST_FILE) && e.contains(&dir.display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn the_bundled_folder_holds_the_course_files() {
        let dir = bundled_data_dir();
        assert_eq!(resolve_data_dir(None, None, &dir).unwrap(), dir);
    }
}
