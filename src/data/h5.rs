//! Small HDF5 helpers shared by the data set and the model file: opening files, datasets and
//! attributes with messages that name the file and what is missing, and reading strings and
//! floats of any stored width.

use std::path::Path;

use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};

use crate::error::fmt_shape;
use crate::{Error, Result, Tensor};

/// Reads dataset `name` as an `f64` tensor of its stored shape (any float width is widened).
///
/// # Errors
/// When it is missing or does not hold floating-point numbers (the message names both types).
pub(super) fn read_float_tensor(file: &hdf5::File, path: &Path, name: &str) -> Result<Tensor<f64>> {
    let ds = open_dataset(file, path, name)?;
    let shape = ds.shape();
    match descriptor(&ds, path, name)? {
        TypeDescriptor::Float(_) => {}
        ty => {
            return Err(Error::file(
                path,
                format!(
                    "dataset `{name}`: expected float64, found {ty} of shape {}",
                    fmt_shape(&shape)
                ),
            ))
        }
    }
    let data = ds
        .read_raw::<f64>()
        .map_err(|e| read_error(path, name, &e))?;
    Tensor::from_vec(data, &shape).map_err(|e| Error::file(path, format!("dataset `{name}`: {e}")))
}

/// Writes a scalar variable-length UTF-8 string attribute.
pub(super) fn write_str_attr(file: &hdf5::File, name: &str, value: &str) -> hdf5::Result<()> {
    let value: VarLenUnicode = value
        .parse()
        .map_err(|e| hdf5::Error::from(format!("bad string {value:?}: {e}")))?;
    file.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&value)
}

/// Opens `path` as an HDF5 file, turning each failure into a message naming what is wrong.
pub(super) fn open_h5(path: &Path) -> Result<hdf5::File> {
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
pub(super) fn open_dataset(file: &hdf5::File, path: &Path, name: &str) -> Result<hdf5::Dataset> {
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
pub(super) fn open_attr(file: &hdf5::File, path: &Path, name: &str) -> Result<hdf5::Attribute> {
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
pub(super) fn read_str_attr(file: &hdf5::File, path: &Path, name: &str) -> Result<String> {
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
pub(super) fn descriptor(
    container: &hdf5::Container,
    path: &Path,
    what: &str,
) -> Result<TypeDescriptor> {
    container
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| Error::file(path, format!("{what}: unsupported element type: {e}")))
}

/// An error reading the content of dataset or attribute `name`.
pub(super) fn read_error(path: &Path, name: &str, e: &hdf5::Error) -> Error {
    Error::file(path, format!("`{name}`: cannot read: {e}"))
}

/// `a, b, c`, or `nothing`.
pub(super) fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".to_string()
    } else {
        names.join(", ")
    }
}
