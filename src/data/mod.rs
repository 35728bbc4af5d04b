//! The course's cat / non-cat data set, and a file format for trained models (both HDF5).
//!
//! # Data
//!
//! [`load_catvnoncat`] reads `train_catvnoncat.h5` and `test_catvnoncat.h5` from a folder and
//! returns them the way the course's notebooks prepare them: `X = x.reshape(m, -1).T / 255.`
//! with shape `(n_x, m)` = `(12288, m)`, one column per image, pixels in C order (row, column,
//! channel), so `X[(r*64 + c)*3 + ch, j] = x[j, r, c, ch] / 255.0` (a true division); and
//! `Y = y.reshape(1, m)` as `f64`. Label 1 is a cat. The raw bytes of the images are kept too
//! ([`Split::raw`], [`Split::image`]), for drawing them. The files ship with the crate in
//! `data/catvnoncat` ([`bundled_data_dir`]); [`data_dir`] finds the folder from a `--data`
//! argument, the `CATVNONCAT_DIR` environment variable, or that bundled folder.
//!
//! Every problem with a file (missing, not HDF5, truncated, a dataset missing or of the wrong
//! shape or type, labels other than 0/1) is an [`Error::File`](crate::Error::File) naming the
//! file, the dataset and what was expected and found; nothing here panics on bad input, and
//! the HDF5 library's own error printing is silenced.
//!
//! # Models
//!
//! [`save_model`] and [`load_model`] store the [`Parameters`](crate::nn::Parameters) of an
//! L-layer network in one HDF5 file, readable from Python with `h5py`:
//!
//! | item | kind | content |
//! |---|---|---|
//! | `W1` … `WL` | dataset, float64 | `W{l}` with shape `(n_l, n_{l-1})`, row-major |
//! | `b1` … `bL` | dataset, float64 | `b{l}` with shape `(n_l, 1)` |
//! | `format` | root attribute, string | always `"tapegrad-model"` |
//! | `format_version` | root attribute, u64 scalar | [`MODEL_FORMAT_VERSION`] (1) |
//! | `layer_dims` | root attribute, u64 array | `[n_0, n_1, …, n_L]` |
//! | `activations` | root attribute, string | one [`Activation`](crate::nn::Activation) name per layer, comma-separated, e.g. `"relu,relu,relu,sigmoid"` |
//!
//! Strings are variable-length UTF-8 scalars. A save writes a temporary file next to the
//! target and renames it into place, so an interrupted save never leaves a half-written model.
//!
//! # Example
//!
//! ```
//! use tapegrad::data::{data_dir, load_catvnoncat, load_model, save_model};
//! use tapegrad::nn::Parameters;
//! use tapegrad::Tensor;
//!
//! // `--data DIR` if the program got one, else $CATVNONCAT_DIR, else the bundled files.
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
//! let folder = tempfile::tempdir().unwrap();
//! let path = folder.path().join("model.h5");
//! save_model(&path, &params)?;
//! let again = load_model(&path)?;
//! assert_eq!(again, params);
//! # Ok::<(), tapegrad::Error>(())
//! ```

mod catvnoncat;
mod h5;
mod model_file;

pub use crate::nn::SavedModel;
pub use catvnoncat::{
    bundled_data_dir, data_dir, load_catvnoncat, load_classes, load_split, CatData, Split,
    DATA_DIR_ENV, TEST_FILE, TRAIN_FILE,
};
pub use model_file::{
    load_model, load_saved_model, save_model, save_model_with_activations, MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
};
