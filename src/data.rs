//! The course's cat / non-cat data set, and a file format for trained models (both HDF5).
//!
//! # Data
//!
//! [`load_catvnoncat`] reads `train_catvnoncat.h5` and `test_catvnoncat.h5` from a folder and
//! returns them the way the course's notebooks prepare them: `X = x.reshape(m, -1).T / 255.`
//! with shape `(n_x, m)` = `(12288, m)`, one column per image, pixels in C order (row, column,
//! channel), so `X[(r*64 + c)*3 + ch, j] = x[j, r, c, ch] / 255.0` (a true division); and
//! `Y = y.reshape(1, m)` as `f64`. Label 1 is a cat. The raw bytes of the images are kept too
//! ([`Split::raw`], [`Split::image`]), for drawing them. [`data_dir`] finds the folder from a
//! `--data` argument or the `CATVNONCAT_DIR` environment variable.
//!
//! Every problem with a file (missing, not HDF5, truncated, a dataset missing or of the wrong
//! shape or type, labels other than 0/1) is an [`Error::File`] naming the file, the dataset
//! and what was expected and found; nothing here panics on bad input, and the HDF5 library's
//! own error printing is silenced.
//!
//! # Models
//!
//! [`save_model`] and [`load_model`] store the [`Parameters`] of an L-layer network in one
//! HDF5 file, readable from Python with `h5py`:
//!
//! | item | kind | content |
//! |---|---|---|
//! | `W1` … `WL` | dataset, float64 | `W{l}` with shape `(n_l, n_{l-1})`, row-major |
//! | `b1` … `bL` | dataset, float64 | `b{l}` with shape `(n_l, 1)` |
//! | `format` | root attribute, string | always `"tapegrad-model"` |
//! | `format_version` | root attribute, u64 scalar | [`MODEL_FORMAT_VERSION`] (1) |
//! | `layer_dims` | root attribute, u64 array | `[n_0, n_1, …, n_L]` |
//! | `activations` | root attribute, string | one name per layer, comma-separated, e.g. `"relu,relu,relu,sigmoid"`; names from [`KNOWN_ACTIVATIONS`] |
//!
//! Strings are variable-length UTF-8 scalars. A save writes a temporary file next to the
//! target and renames it into place, so an interrupted save never leaves a half-written model.
//!
//! # Example
//!
//! ```no_run
//! use std::path::Path;
//! use tapegrad::data::{data_dir, load_catvnoncat, load_model, save_model};
//! use tapegrad::nn::Parameters;
//! use tapegrad::Tensor;
//!
//! // `--data DIR` if the program got one, else $CATVNONCAT_DIR.
//! let dir = data_dir(None)?;
//! let data = load_catvnoncat(&dir)?;
//! assert_eq!(data.train.x.shape(), &[12288, 209]);
//! assert_eq!(data.train.y.shape(), &[1, 209]);
//! assert_eq!(data.test.x.shape(), &[12288, 50]);
//! assert_eq!(data.classes, ["non-cat", "cat"]);
//! let first_image: &[u8] = data.train.image(0).unwrap(); // 64 * 64 * 3 bytes, RGB
//! assert_eq!(first_image.len(), 12288);
//!
//! // A (trained) network: here logistic regression, layer_dims [12288, 1].
//! let params = Parameters { w: vec![Tensor::zeros(&[1, 12288])], b: vec![Tensor::zeros(&[1, 1])] };
//! save_model(Path::new("model.h5"), &params)?;
//! let again = load_model(Path::new("model.h5"))?;
//! assert_eq!(again.w.len(), params.w.len());
//! # Ok::<(), tapegrad::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};

use crate::error::fmt_shape;
use crate::nn::Parameters;
use crate::{Error, Result, Tensor};

/// The training file's name: `train_catvnoncat.h5`.
pub const TRAIN_FILE: &str = "train_catvnoncat.h5";

/// The test file's name: `test_catvnoncat.h5`.
pub const TEST_FILE: &str = "test_catvnoncat.h5";

/// The environment variable [`data_dir`] reads when no `--data` argument is given.
pub const DATA_DIR_ENV: &str = "CATVNONCAT_DIR";

/// The value of a model file's `format` attribute.
pub const MODEL_FORMAT: &str = "tapegrad-model";

/// The model file format version [`save_model`] writes and [`load_model`] reads.
pub const MODEL_FORMAT_VERSION: u64 = 1;

/// The activation names a model file may list: `relu`, `sigmoid`, `tanh`.
pub const KNOWN_ACTIVATIONS: &[&str] = &["relu", "sigmoid", "tanh"];

/// Largest number of bytes of images [`load_split`] accepts (1 GiB), so a corrupt header
/// claiming a huge shape is an error rather than an out-of-memory abort.
const MAX_IMAGE_BYTES: usize = 1 << 30;

/// How to get the data, appended to every "data not found" message.
const HOW_TO_GET: &str = "pass --data DIR or set CATVNONCAT_DIR to a folder holding \
     train_catvnoncat.h5 and test_catvnoncat.h5 (the course's cat / non-cat data set, e.g. \
     ../shared/data/catvnoncat next to this repository)";

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

/// Finds the data folder: `arg` (a program's `--data DIR`) when given, else the
/// `CATVNONCAT_DIR` environment variable.
///
/// # Errors
/// [`Error::Invalid`] when neither is given; [`Error::File`] when the chosen folder does not
/// exist or lacks [`TRAIN_FILE`] or [`TEST_FILE`]. The message names the file looked for,
/// where, and how to get the data.
pub fn data_dir(arg: Option<&Path>) -> Result<PathBuf> {
    let env = std::env::var_os(DATA_DIR_ENV);
    resolve_data_dir(arg, env.as_deref().map(Path::new))
}

/// [`data_dir`] with the environment variable's value passed in (for testing).
fn resolve_data_dir(arg: Option<&Path>, env: Option<&Path>) -> Result<PathBuf> {
    let (dir, source) = match (arg, env) {
        (Some(dir), _) => (dir, "--data".to_string()),
        (None, Some(dir)) if !dir.as_os_str().is_empty() => (dir, format!("${DATA_DIR_ENV}")),
        _ => {
            return Err(Error::Invalid(format!(
                "no data folder given: looked for {TRAIN_FILE} and {TEST_FILE} but neither \
                 --data nor {DATA_DIR_ENV} is set; {HOW_TO_GET}"
            )))
        }
    };
    if !dir.is_dir() {
        return Err(Error::file(
            dir,
            format!(
                "the data folder (from {source}) does not exist or is not a folder; {HOW_TO_GET}"
            ),
        ));
    }
    for name in [TRAIN_FILE, TEST_FILE] {
        let file = dir.join(name);
        if !file.is_file() {
            return Err(Error::file(
                &file,
                format!(
                    "{name} not found in the data folder {} (from {source}); {HOW_TO_GET}",
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
            return Err(Error::file(path, format!("file not found; {HOW_TO_GET}")));
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
                "dataset `test_set_x`: images of shape {} differ from the training images' {}",
                fmt_shape(&test.image_shape),
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

/// The activations of the course's L-layer model: ReLU for layers 1..L-1, sigmoid for L.
pub fn course_activations(layers: usize) -> Vec<&'static str> {
    let mut acts = vec!["relu"; layers.saturating_sub(1)];
    if layers > 0 {
        acts.push("sigmoid");
    }
    acts
}

/// Saves `params` to `path` in the model format described in the [module docs](self), with
/// the course's activations ([`course_activations`]: ReLU hidden layers, sigmoid output).
///
/// The file is written to a temporary file in the same folder and renamed over `path`, so
/// `path` holds either the old content or the complete new model, never a partial one; the
/// temporary file is removed on error.
///
/// # Errors
/// [`Error::Invalid`] when `params` is not a consistent network (no layers, `w` and `b` of
/// different lengths, shapes that do not chain); [`Error::File`] when the folder does not
/// exist or writing or renaming fails.
pub fn save_model(path: &Path, params: &Parameters<f64>) -> Result<()> {
    save_model_with_activations(path, params, &course_activations(params.w.len()))
}

/// [`save_model`] with the activation of each layer given: one name per layer from
/// [`KNOWN_ACTIVATIONS`], stored comma-separated in the `activations` attribute.
///
/// # Errors
/// As [`save_model`]; also [`Error::Invalid`] when `activations` does not have one known
/// name per layer.
pub fn save_model_with_activations(
    path: &Path,
    params: &Parameters<f64>,
    activations: &[&str],
) -> Result<()> {
    let layer_dims = check_params(params)?;
    if activations.len() != params.w.len() {
        return Err(Error::Invalid(format!(
            "save_model: {} activations given for {} layers",
            activations.len(),
            params.w.len()
        )));
    }
    if let Some(bad) = activations
        .iter()
        .find(|a| !KNOWN_ACTIVATIONS.contains(a) || a.contains(','))
    {
        return Err(Error::Invalid(format!(
            "save_model: unknown activation {bad:?}; known: {}",
            KNOWN_ACTIVATIONS.join(", ")
        )));
    }

    let file_name = path
        .file_name()
        .ok_or_else(|| Error::file(path, "cannot save a model: the path has no file name"))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::file(
            path,
            format!(
                "cannot save a model: the folder {} does not exist",
                parent.display()
            ),
        ));
    }
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let tmp = parent.join(format!(
        ".{}.{}-{}.tmp",
        file_name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));

    // Declared before the HDF5 file, so the file is closed before the guard removes it.
    let mut guard = TempFile {
        path: tmp.clone(),
        keep: false,
    };
    let file = hdf5::File::create_excl(&tmp).map_err(|e| {
        Error::file(
            path,
            format!("cannot create the temporary file {}: {e}", tmp.display()),
        )
    })?;
    let write = |what: &str, e: hdf5::Error| {
        Error::file(path, format!("writing {what} to {}: {e}", tmp.display()))
    };
    write_str_attr(&file, "format", MODEL_FORMAT).map_err(|e| write("attribute `format`", e))?;
    file.new_attr::<u64>()
        .create("format_version")
        .and_then(|a| a.write_scalar(&MODEL_FORMAT_VERSION))
        .map_err(|e| write("attribute `format_version`", e))?;
    let dims: Vec<u64> = layer_dims.iter().map(|&d| d as u64).collect();
    file.new_attr_builder()
        .with_data(dims.as_slice())
        .create("layer_dims")
        .map_err(|e| write("attribute `layer_dims`", e))?;
    write_str_attr(&file, "activations", &activations.join(","))
        .map_err(|e| write("attribute `activations`", e))?;
    for (l, (w, b)) in params.w.iter().zip(&params.b).enumerate() {
        for (name, t) in [(format!("W{}", l + 1), w), (format!("b{}", l + 1), b)] {
            file.new_dataset::<f64>()
                .shape(t.shape())
                .create(name.as_str())
                .and_then(|ds| ds.write_raw(t.to_vec().as_slice()))
                .map_err(|e| write(&format!("dataset `{name}`"), e))?;
        }
    }
    file.close().map_err(|e| write("the end of the file", e))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::file(path, format!("syncing {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        Error::file(
            path,
            format!("cannot rename {} into place: {e}", tmp.display()),
        )
    })?;
    guard.keep = true;
    Ok(())
}

/// Removes the temporary file on drop unless `keep` is set.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes a scalar variable-length UTF-8 string attribute.
fn write_str_attr(file: &hdf5::File, name: &str, value: &str) -> hdf5::Result<()> {
    let value: VarLenUnicode = value
        .parse()
        .map_err(|e| hdf5::Error::from(format!("bad string {value:?}: {e}")))?;
    file.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&value)
}

/// Checks that `params` is a consistent network and returns its `layer_dims`.
fn check_params(params: &Parameters<f64>) -> Result<Vec<usize>> {
    let invalid = |msg: String| Err(Error::Invalid(format!("save_model: {msg}")));
    if params.w.is_empty() || params.w.len() != params.b.len() {
        return invalid(format!(
            "expected the same number (at least 1) of weights and biases, got {} W and {} b",
            params.w.len(),
            params.b.len()
        ));
    }
    let mut dims = Vec::with_capacity(params.w.len() + 1);
    for (l, (w, b)) in params.w.iter().zip(&params.b).enumerate() {
        let l = l + 1;
        let &[rows, cols] = w.shape() else {
            return invalid(format!(
                "W{l} must be 2-D, has shape {}",
                fmt_shape(w.shape())
            ));
        };
        if rows == 0 || cols == 0 {
            return invalid(format!(
                "W{l} has shape {}: layers must not be empty",
                fmt_shape(w.shape())
            ));
        }
        if dims.is_empty() {
            dims.push(cols);
        }
        let prev = dims[dims.len() - 1];
        if cols != prev {
            return invalid(format!(
                "W{l} has shape {} but W{} has {} rows: shapes do not chain",
                fmt_shape(w.shape()),
                l - 1,
                prev
            ));
        }
        if b.shape() != [rows, 1] {
            return invalid(format!(
                "b{l} must have shape ({rows}, 1) to match W{l} {}, has {}",
                fmt_shape(w.shape()),
                fmt_shape(b.shape())
            ));
        }
        dims.push(rows);
    }
    Ok(dims)
}

/// A model read by [`load_saved_model`]: the parameters and what the file says about them.
#[derive(Clone, Debug)]
pub struct SavedModel {
    /// `W1..WL`, `b1..bL`.
    pub params: Parameters<f64>,
    /// `[n_0, n_1, …, n_L]`.
    pub layer_dims: Vec<usize>,
    /// One activation name per layer, from [`KNOWN_ACTIVATIONS`].
    pub activations: Vec<String>,
}

/// Loads the parameters of a model saved by [`save_model`].
///
/// # Errors
/// As [`load_saved_model`].
pub fn load_model(path: &Path) -> Result<Parameters<f64>> {
    load_saved_model(path).map(|m| m.params)
}

/// Loads a model file with its `layer_dims` and `activations`.
///
/// # Errors
/// [`Error::File`] naming `path` and the dataset or attribute: the file is missing or not
/// HDF5; it is not a tapegrad model or of another format version; `layer_dims` or
/// `activations` is missing or malformed, or an activation is unknown; some `W{l}` or `b{l}`
/// is missing, not floating-point, or its shape does not chain with the previous layer's or
/// disagree with `layer_dims` (the message gives the expected and found shapes); or the file
/// has more layers than `layer_dims` says.
pub fn load_saved_model(path: &Path) -> Result<SavedModel> {
    let file = open_h5(path)?;
    let err = |what: &str, msg: String| Err(Error::file(path, format!("{what}: {msg}")));

    let format = read_str_attr(&file, path, "format")?;
    if format != MODEL_FORMAT {
        return err(
            "attribute `format`",
            format!("expected {MODEL_FORMAT:?}, found {format:?}: not a tapegrad model file"),
        );
    }
    let version_attr = open_attr(&file, path, "format_version")?;
    let version = match descriptor(&version_attr, path, "attribute `format_version`")? {
        TypeDescriptor::Unsigned(_) | TypeDescriptor::Integer(_) if version_attr.is_scalar() => {
            version_attr
                .read_scalar::<u64>()
                .map_err(|e| read_error(path, "format_version", &e))?
        }
        ty => {
            return err(
                "attribute `format_version`",
                format!(
                    "expected an integer scalar, found {ty} of shape {}",
                    fmt_shape(&version_attr.shape())
                ),
            )
        }
    };
    if version != MODEL_FORMAT_VERSION {
        return err(
            "attribute `format_version`",
            format!("version {version} is not supported; this tapegrad reads version {MODEL_FORMAT_VERSION}"),
        );
    }

    let dims_attr = open_attr(&file, path, "layer_dims")?;
    let dims_type = descriptor(&dims_attr, path, "attribute `layer_dims`")?;
    let dims_shape = dims_attr.shape();
    let int = matches!(
        dims_type,
        TypeDescriptor::Unsigned(_) | TypeDescriptor::Integer(_)
    );
    if !int || dims_shape.len() != 1 || dims_shape[0] < 2 {
        return err(
            "attribute `layer_dims`",
            format!(
                "expected a 1-D integer array of at least 2 entries, found {dims_type} of shape {}",
                fmt_shape(&dims_shape)
            ),
        );
    }
    let raw_dims = dims_attr
        .read_raw::<i64>()
        .map_err(|e| read_error(path, "layer_dims", &e))?;
    let layer_dims: Option<Vec<usize>> = raw_dims
        .iter()
        .map(|&d| usize::try_from(d).ok().filter(|&d| d > 0))
        .collect();
    let Some(layer_dims) = layer_dims else {
        return err(
            "attribute `layer_dims`",
            format!("{raw_dims:?} has an entry that is not positive"),
        );
    };
    let layers = layer_dims.len() - 1;

    let acts = read_str_attr(&file, path, "activations")?;
    let activations: Vec<String> = acts.split(',').map(|a| a.trim().to_string()).collect();
    if activations.len() != layers {
        return err(
            "attribute `activations`",
            format!(
                "{acts:?} names {} activations, layer_dims {layer_dims:?} has {layers} layers",
                activations.len()
            ),
        );
    }
    if let Some(bad) = activations
        .iter()
        .find(|a| !KNOWN_ACTIVATIONS.contains(&a.as_str()))
    {
        return err(
            "attribute `activations`",
            format!(
                "unknown activation {bad:?} in {acts:?}; known: {}",
                KNOWN_ACTIVATIONS.join(", ")
            ),
        );
    }

    let mut w = Vec::with_capacity(layers);
    let mut b = Vec::with_capacity(layers);
    let mut prev: Option<(String, Vec<usize>)> = None;
    for l in 1..=layers {
        let (rows, cols) = (layer_dims[l], layer_dims[l - 1]);
        let w_name = format!("W{l}");
        let w_shape = float_dataset_shape(&file, path, &w_name)?;
        if w_shape.len() != 2 {
            return err(
                &format!("dataset `{w_name}`"),
                format!(
                    "expected a 2-D array of shape ({rows}, {cols}), found shape {}",
                    fmt_shape(&w_shape)
                ),
            );
        }
        if let Some((prev_name, prev_shape)) = &prev {
            if w_shape[1] != prev_shape[0] {
                return err(
                    &format!("dataset `{w_name}`"),
                    format!(
                        "shape {} does not chain with `{prev_name}` of shape {}: {w_name} needs {} columns",
                        fmt_shape(&w_shape),
                        fmt_shape(prev_shape),
                        prev_shape[0]
                    ),
                );
            }
        }
        if w_shape != [rows, cols] {
            return err(
                &format!("dataset `{w_name}`"),
                format!(
                    "expected shape ({rows}, {cols}) from layer_dims {layer_dims:?}, found {}",
                    fmt_shape(&w_shape)
                ),
            );
        }
        let b_name = format!("b{l}");
        let b_shape = float_dataset_shape(&file, path, &b_name)?;
        if b_shape != [rows, 1] {
            return err(
                &format!("dataset `{b_name}`"),
                format!(
                    "expected shape ({rows}, 1) to match `{w_name}` of shape {}, found {}",
                    fmt_shape(&w_shape),
                    fmt_shape(&b_shape)
                ),
            );
        }
        w.push(read_f64_tensor(&file, path, &w_name, &w_shape)?);
        b.push(read_f64_tensor(&file, path, &b_name, &b_shape)?);
        prev = Some((w_name, w_shape));
    }
    for extra in [format!("W{}", layers + 1), format!("b{}", layers + 1)] {
        if file.link_exists(&extra) {
            return err(
                &format!("dataset `{extra}`"),
                format!("present, but layer_dims {layer_dims:?} has only {layers} layers"),
            );
        }
    }
    Ok(SavedModel {
        params: Parameters { w, b },
        layer_dims,
        activations,
    })
}

/// Opens `name`, checks it holds floating-point numbers, and returns its shape.
fn float_dataset_shape(file: &hdf5::File, path: &Path, name: &str) -> Result<Vec<usize>> {
    let ds = open_dataset(file, path, name)?;
    match descriptor(&ds, path, name)? {
        TypeDescriptor::Float(_) => Ok(ds.shape()),
        ty => Err(Error::file(
            path,
            format!(
                "dataset `{name}`: expected float64, found {ty} of shape {}",
                fmt_shape(&ds.shape())
            ),
        )),
    }
}

/// Reads the floating-point dataset `name` of `shape` as an `f64` tensor.
fn read_f64_tensor(
    file: &hdf5::File,
    path: &Path,
    name: &str,
    shape: &[usize],
) -> Result<Tensor<f64>> {
    let ds = open_dataset(file, path, name)?;
    let data = ds
        .read_raw::<f64>()
        .map_err(|e| read_error(path, name, &e))?;
    Tensor::from_vec(data, shape).map_err(|e| Error::file(path, format!("dataset `{name}`: {e}")))
}

/// Opens `path` as an HDF5 file, turning each failure into a message naming what is wrong.
fn open_h5(path: &Path) -> Result<hdf5::File> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::file(path, "file not found"));
        }
        Err(e) => return Err(Error::file(path, format!("cannot read: {e}"))),
        Ok(meta) if meta.is_dir() => {
            return Err(Error::file(path, "is a folder, not an HDF5 file"));
        }
        Ok(_) => {}
    }
    if let Err(e) = std::fs::File::open(path) {
        return Err(Error::file(path, format!("cannot read: {e}")));
    }
    hdf5::File::open(path).map_err(|e| {
        let detail = e.to_string();
        let message = if detail.contains("file signature not found") {
            format!("not an HDF5 file ({detail})")
        } else if detail.contains("truncated file") {
            format!("truncated HDF5 file, e.g. an incomplete download or copy ({detail})")
        } else {
            format!("cannot open as HDF5: {detail}")
        };
        Error::file(path, message)
    })
}

/// Opens dataset `name`; when it is missing, the message lists what the file holds.
fn open_dataset(file: &hdf5::File, path: &Path, name: &str) -> Result<hdf5::Dataset> {
    if !file.link_exists(name) {
        let members = file.member_names().unwrap_or_default();
        return Err(Error::file(
            path,
            format!(
                "dataset `{name}` not found (the file holds: {})",
                list(&members)
            ),
        ));
    }
    file.dataset(name)
        .map_err(|e| Error::file(path, format!("dataset `{name}`: cannot open: {e}")))
}

/// Opens the root attribute `name`; when it is missing, the message lists the attributes.
fn open_attr(file: &hdf5::File, path: &Path, name: &str) -> Result<hdf5::Attribute> {
    let names = file.attr_names().unwrap_or_default();
    if !names.iter().any(|n| n == name) {
        return Err(Error::file(
            path,
            format!(
                "attribute `{name}` not found (the file's attributes: {}); not a tapegrad model file?",
                list(&names)
            ),
        ));
    }
    file.attr(name)
        .map_err(|e| Error::file(path, format!("attribute `{name}`: cannot open: {e}")))
}

/// Reads the scalar string attribute `name` (variable- or fixed-length).
fn read_str_attr(file: &hdf5::File, path: &Path, name: &str) -> Result<String> {
    let attr = open_attr(file, path, name)?;
    let what = format!("attribute `{name}`");
    let ty = descriptor(&attr, path, &what)?;
    let read = |e: hdf5::Error| read_error(path, name, &e);
    let value = match ty {
        _ if !attr.is_scalar() => None,
        TypeDescriptor::VarLenUnicode => Some(
            attr.read_scalar::<VarLenUnicode>()
                .map_err(read)?
                .to_string(),
        ),
        TypeDescriptor::VarLenAscii => {
            Some(attr.read_scalar::<VarLenAscii>().map_err(read)?.to_string())
        }
        TypeDescriptor::FixedAscii(len) if len <= 1024 => Some(
            attr.read_scalar::<FixedAscii<1024>>()
                .map_err(read)?
                .to_string(),
        ),
        TypeDescriptor::FixedUnicode(len) if len <= 1024 => Some(
            attr.read_scalar::<FixedUnicode<1024>>()
                .map_err(read)?
                .to_string(),
        ),
        _ => None,
    };
    value.ok_or_else(|| {
        Error::file(
            path,
            format!(
                "{what}: expected a string scalar, found {ty} of shape {}",
                fmt_shape(&attr.shape())
            ),
        )
    })
}

/// The element type of a dataset or attribute.
fn descriptor(container: &hdf5::Container, path: &Path, what: &str) -> Result<TypeDescriptor> {
    container
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| Error::file(path, format!("{what}: unsupported element type: {e}")))
}

/// An error reading the content of dataset or attribute `name`.
fn read_error(path: &Path, name: &str, e: &hdf5::Error) -> Error {
    Error::file(path, format!("`{name}`: cannot read: {e}"))
}

/// `a, b, c`, or `nothing`.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_prefers_the_argument_then_the_environment() {
        let dir = std::env::temp_dir().join(format!("tapegrad-data-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in [TRAIN_FILE, TEST_FILE] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let missing = dir.join("missing");
        assert_eq!(resolve_data_dir(Some(&dir), Some(&missing)).unwrap(), dir);
        assert_eq!(resolve_data_dir(None, Some(&dir)).unwrap(), dir);
        let e = resolve_data_dir(Some(&missing), Some(&dir))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--data") && e.contains("CATVNONCAT_DIR"), "{e}");
        let e = resolve_data_dir(None, Some(&missing))
            .unwrap_err()
            .to_string();
        assert!(e.contains("$CATVNONCAT_DIR"), "{e}");
        let e = resolve_data_dir(None, None).unwrap_err().to_string();
        assert!(
            e.contains(TRAIN_FILE) && e.contains("--data") && e.contains("CATVNONCAT_DIR"),
            "{e}"
        );
        let e = resolve_data_dir(None, Some(Path::new("")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("neither"), "{e}");
        std::fs::remove_file(dir.join(TEST_FILE)).unwrap();
        let e = resolve_data_dir(Some(&dir), None).unwrap_err().to_string();
        assert!(
            e.contains(TEST_FILE) && e.contains(&dir.display().to_string()),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn course_activations_are_relu_then_sigmoid() {
        assert_eq!(course_activations(0), Vec::<&str>::new());
        assert_eq!(course_activations(1), ["sigmoid"]);
        assert_eq!(course_activations(3), ["relu", "relu", "sigmoid"]);
    }
}
