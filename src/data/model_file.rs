//! The model file: an L-layer network's parameters, its layer sizes and activations, in HDF5.

use std::path::Path;

use hdf5::types::TypeDescriptor;

use super::h5::{
    descriptor, open_attr, open_h5, read_error, read_float_tensor, read_str_attr, write_str_attr,
};
use crate::error::fmt_shape;
use crate::io::write_atomically;
use crate::nn::{parse_activations, Activation, Parameters, SavedModel};
use crate::{Error, Result};

/// The value of a model file's `format` attribute.
pub const MODEL_FORMAT: &str = "tapegrad-model";

/// The model file format version [`save_model`] writes and [`load_model`] reads.
pub const MODEL_FORMAT_VERSION: u64 = 1;

/// Saves `params` to `path` in the model format described in the [module docs](super), with
/// the course's activations ([`Activation::course_model`]: ReLU hidden layers, sigmoid output).
///
/// The file is written through a temporary file renamed over `path`
/// ([`write_atomically`]), so `path` holds either the old content or the complete new
/// model, never a partial one.
///
/// # Errors
/// [`Error::Invalid`] when `params` is not a consistent network (no layers, `w` and `b` of
/// different lengths, shapes that do not chain); [`Error::File`] when the folder does not
/// exist or writing or renaming fails.
pub fn save_model(path: &Path, params: &Parameters<f64>) -> Result<()> {
    save_model_with_activations(path, params, &Activation::course_model(params.w.len()))
}

/// [`save_model`] with the activation of each layer given, stored comma-separated by name in
/// the `activations` attribute.
///
/// # Errors
/// As [`save_model`]; also [`Error::Invalid`] when `activations` does not have one entry per
/// layer.
pub fn save_model_with_activations(
    path: &Path,
    params: &Parameters<f64>,
    activations: &[Activation],
) -> Result<()> {
    let layer_dims = params
        .check_layers()
        .map_err(|e| Error::Invalid(format!("save_model: {e}")))?;
    if activations.len() != params.w.len() {
        return Err(Error::Invalid(format!(
            "save_model: {} activations given for {} layers",
            activations.len(),
            params.w.len()
        )));
    }
    let names: Vec<&str> = activations.iter().map(|a| a.name()).collect();
    write_atomically(path, |tmp| {
        let fail = |what: &str, e: hdf5::Error| format!("writing {what}: {e}");
        let file = hdf5::File::create(tmp).map_err(|e| fail("the file", e))?;
        write_str_attr(&file, "format", MODEL_FORMAT).map_err(|e| fail("attribute `format`", e))?;
        file.new_attr::<u64>()
            .create("format_version")
            .and_then(|a| a.write_scalar(&MODEL_FORMAT_VERSION))
            .map_err(|e| fail("attribute `format_version`", e))?;
        let dims: Vec<u64> = layer_dims.iter().map(|&d| d as u64).collect();
        file.new_attr_builder()
            .with_data(dims.as_slice())
            .create("layer_dims")
            .map_err(|e| fail("attribute `layer_dims`", e))?;
        write_str_attr(&file, "activations", &names.join(","))
            .map_err(|e| fail("attribute `activations`", e))?;
        for (l, (w, b)) in params.w.iter().zip(&params.b).enumerate() {
            for (name, t) in [(format!("W{}", l + 1), w), (format!("b{}", l + 1), b)] {
                file.new_dataset::<f64>()
                    .shape(t.shape())
                    .create(name.as_str())
                    .and_then(|ds| ds.write_raw(t.to_vec().as_slice()))
                    .map_err(|e| fail(&format!("dataset `{name}`"), e))?;
            }
        }
        file.close().map_err(|e| fail("the end of the file", e))
    })
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
/// is missing or not floating-point; the shapes do not chain or disagree with `layer_dims`
/// (the message gives the expected and found shapes); or the file has more layers than
/// `layer_dims` says.
pub fn load_saved_model(path: &Path) -> Result<SavedModel> {
    let file = open_h5(path)?;
    let err = |what: &str, msg: String| Error::file(path, format!("{what}: {msg}"));

    let format = read_str_attr(&file, path, "format")?;
    if format != MODEL_FORMAT {
        return Err(err(
            "attribute `format`",
            format!("expected {MODEL_FORMAT:?}, found {format:?}: not a tapegrad model file"),
        ));
    }
    let version = read_uints(&file, path, "format_version", true)?[0];
    if version != MODEL_FORMAT_VERSION {
        return Err(err(
            "attribute `format_version`",
            format!("version {version} is not supported; this tapegrad reads version {MODEL_FORMAT_VERSION}"),
        ));
    }
    let raw_dims = read_uints(&file, path, "layer_dims", false)?;
    let layer_dims: Vec<usize> = raw_dims.iter().map(|&d| d as usize).collect();
    if layer_dims.len() < 2 || layer_dims.contains(&0) {
        return Err(err(
            "attribute `layer_dims`",
            format!("{raw_dims:?}: expected at least 2 positive sizes"),
        ));
    }
    let layers = layer_dims.len() - 1;

    let acts = read_str_attr(&file, path, "activations")?;
    let activations = parse_activations(&acts)
        .map_err(|e| err("attribute `activations`", format!("{e} (in {acts:?})")))?;

    // Read every tensor as stored, then check them as saving does.
    let read = |name: String| read_float_tensor(&file, path, &name);
    let params = Parameters {
        w: (1..=layers)
            .map(|l| read(format!("W{l}")))
            .collect::<Result<_>>()?,
        b: (1..=layers)
            .map(|l| read(format!("b{l}")))
            .collect::<Result<_>>()?,
    };
    for extra in [format!("W{}", layers + 1), format!("b{}", layers + 1)] {
        if file.link_exists(&extra) {
            return Err(err(
                &format!("dataset `{extra}`"),
                format!("present, but layer_dims {layer_dims:?} has only {layers} layers"),
            ));
        }
    }
    SavedModel::checked("dataset", params, layer_dims, activations)
        .map_err(|e| Error::file(path, e))
}

/// Reads the root attribute `name` as non-negative integers: a scalar when `scalar`, else a
/// 1-D array.
fn read_uints(file: &hdf5::File, path: &Path, name: &str, scalar: bool) -> Result<Vec<u64>> {
    let attr = open_attr(file, path, name)?;
    let what = format!("attribute `{name}`");
    let ty = descriptor(&attr, path, &what)?;
    let int = matches!(ty, TypeDescriptor::Unsigned(_) | TypeDescriptor::Integer(_));
    let shape = attr.shape();
    let shape_ok = if scalar {
        attr.is_scalar()
    } else {
        shape.len() == 1
    };
    if !int || !shape_ok {
        let expected = if scalar {
            "an integer scalar"
        } else {
            "a 1-D integer array"
        };
        return Err(Error::file(
            path,
            format!(
                "{what}: expected {expected}, found {ty} of shape {}",
                fmt_shape(&shape)
            ),
        ));
    }
    let values = attr
        .read_raw::<i64>()
        .map_err(|e| read_error(path, name, &e))?;
    values
        .iter()
        .map(|&v| u64::try_from(v).ok())
        .collect::<Option<Vec<u64>>>()
        .ok_or_else(|| Error::file(path, format!("{what}: {values:?} has a negative entry")))
}
