//! Named tensors in safetensors files: an 8-byte header length, a JSON header (each tensor's
//! dtype, shape and byte range, plus string metadata), then the little-endian data.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, View};

use super::write_atomically;
use crate::error::{fmt_shape, Error, Result};
use crate::nn::{Activation, Parameters, SavedModel};
use crate::{Element, ParamSet, Tensor};

/// The metadata key holding the tensors' order (the format sorts them by name).
const ORDER_KEY: &str = "tapegrad.order";

/// The `format` metadata of a model file.
const MODEL_FORMAT: &str = "tapegrad-model";
/// The `format_version` metadata of a model file.
const MODEL_FORMAT_VERSION: &str = "1";

/// One tensor's bytes, ready for the writer.
struct Bytes {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for &Bytes {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

fn to_bytes<T: Element>(t: &Tensor<T>) -> Bytes {
    let values = t.to_vec();
    let data = if T::NAME == "float32" {
        values
            .iter()
            .flat_map(|v| (v.to_f64() as f32).to_le_bytes())
            .collect()
    } else {
        values
            .iter()
            .flat_map(|v| v.to_f64().to_le_bytes())
            .collect()
    };
    Bytes {
        dtype: if T::NAME == "float32" {
            Dtype::F32
        } else {
            Dtype::F64
        },
        shape: t.shape().to_vec(),
        data,
    }
}

/// Saves `tensors` (f32 or f64, by their element type) to `path` in the safetensors format,
/// with `metadata` as the header's string map; written atomically
/// ([`write_atomically`]). Transposed views are saved in their logical (row-major) order.
///
/// ```
/// use std::collections::BTreeMap;
/// use tapegrad::{io, ParamSet, Tensor};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("weights.safetensors");
/// let set: ParamSet<f32> = [("w", Tensor::from_vec(vec![1.0, 2.5], &[1, 2])?)].into_iter().collect();
/// let meta = BTreeMap::from([("note".to_string(), "hello".to_string())]);
/// io::save_safetensors(&path, &set, &meta)?;
/// let (back, meta_back) = io::load_safetensors::<f32>(&path)?;
/// assert_eq!(back, set);
/// assert_eq!(meta_back, meta);
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// [`Error::File`] naming `path` when the folder does not exist, the tensors cannot be encoded
/// or writing fails.
pub fn save_safetensors<T: Element>(
    path: &Path,
    tensors: &ParamSet<T>,
    metadata: &BTreeMap<String, String>,
) -> Result<()> {
    let bytes: Vec<(String, Bytes)> = tensors
        .iter()
        .map(|(n, t)| (n.to_string(), to_bytes(t)))
        .collect();
    let mut info: HashMap<String, String> = metadata.clone().into_iter().collect();
    // safetensors' writer sorts the tensors; the set's own order travels in the metadata.
    let names: Vec<&str> = tensors.names().collect();
    info.insert(
        ORDER_KEY.to_string(),
        serde_json::to_string(&names).expect("strings encode"),
    );
    let buffer = safetensors::serialize(bytes.iter().map(|(n, b)| (n.as_str(), b)), Some(info))
        .map_err(|e| Error::file(path, format!("cannot encode as safetensors: {e}")))?;
    write_atomically(path, |tmp| {
        std::fs::write(tmp, &buffer).map_err(|e| e.to_string())
    })
}

/// Loads every tensor of a safetensors file, converted to `T` (f32 and f64 tensors are
/// accepted; f64 → f32 rounds), and the header's metadata. The tensors come in the order
/// [`save_safetensors`] was given them (kept in the metadata key `tapegrad.order`, which is
/// not returned); files from other writers come in their own order (sorted by name).
///
/// # Errors
/// [`Error::File`] naming `path` when it cannot be read, is not a safetensors file, is
/// truncated or its header does not fit its data (the message says what), or a tensor (named)
/// holds another dtype than F32 or F64.
pub fn load_safetensors<T: Element>(
    path: &Path,
) -> Result<(ParamSet<T>, BTreeMap<String, String>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::file(path, format!("cannot read: {e}")))?;
    let invalid = |e: safetensors::SafeTensorError| {
        let detail = diagnose(&bytes).unwrap_or_else(|| e.to_string());
        Error::file(path, format!("not a valid safetensors file: {detail}"))
    };
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(invalid)?;
    let file = SafeTensors::deserialize(&bytes).map_err(invalid)?;
    // The data's order (by offset) is the file's order.
    let mut views = file.tensors();
    views.sort_by_key(|(_, v)| v.data().as_ptr() as usize);
    let mut set = ParamSet::new();
    for (name, view) in views {
        let data = view.data();
        let values: Vec<T> = match view.dtype() {
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|c| T::from_f64(f64::from_le_bytes(c.try_into().expect("8 bytes"))))
                .collect(),
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|c| {
                    T::from_f64(f64::from(f32::from_le_bytes(
                        c.try_into().expect("4 bytes"),
                    )))
                })
                .collect(),
            other => {
                return Err(Error::file(
                    path,
                    format!(
                    "tensor `{name}`: dtype {other} is not supported; tapegrad reads F32 and F64"
                ),
                ))
            }
        };
        let tensor = Tensor::from_vec(values, view.shape())
            .map_err(|e| Error::file(path, format!("tensor `{name}`: {e}")))?;
        set.insert(name, tensor);
    }
    let mut metadata: BTreeMap<String, String> = header
        .metadata()
        .clone()
        .map(|m| m.into_iter().collect())
        .unwrap_or_default();
    // Restore the writer's order when it recorded one that names exactly these tensors.
    if let Some(order) = metadata.remove(ORDER_KEY) {
        let names: Vec<String> = serde_json::from_str(&order).unwrap_or_default();
        let mut sorted_names = names.clone();
        sorted_names.sort();
        let mut have: Vec<&str> = set.names().collect();
        have.sort_unstable();
        if sorted_names == have {
            set = names
                .iter()
                .map(|n| (n.clone(), set[n.as_str()].clone()))
                .collect();
        }
    }
    Ok((set, metadata))
}

/// Names the tensor whose header entry does not fit the file, when the header can be read.
fn diagnose(bytes: &[u8]) -> Option<String> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
    let header = bytes.get(8..8usize.checked_add(n)?)?;
    let data_len = bytes.len() - 8 - n;
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(header).ok()?;
    for (name, entry) in map.iter().filter(|(k, _)| *k != "__metadata__") {
        let offsets: Vec<usize> = entry
            .get("data_offsets")?
            .as_array()?
            .iter()
            .map(|v| v.as_u64().map(|v| v as usize))
            .collect::<Option<_>>()?;
        let shape: Vec<usize> = entry
            .get("shape")?
            .as_array()?
            .iter()
            .map(|v| v.as_u64().map(|v| v as usize))
            .collect::<Option<_>>()?;
        let width = match entry.get("dtype")?.as_str()? {
            "F64" | "I64" | "U64" => 8,
            "F32" | "I32" | "U32" => 4,
            "F16" | "BF16" | "I16" | "U16" => 2,
            _ => 1,
        };
        let &[start, end] = offsets.as_slice() else {
            return Some(format!(
                "tensor `{name}`: data_offsets {offsets:?} is not [start, end]"
            ));
        };
        if start > end || end > data_len {
            return Some(format!(
                "tensor `{name}`: the header puts it at bytes {start}..{end}, but the file has {data_len} bytes of data (truncated?)"
            ));
        }
        let needed = shape.iter().product::<usize>() * width;
        if end - start != needed {
            return Some(format!(
                "tensor `{name}`: shape {} needs {needed} bytes, the header gives it {}",
                fmt_shape(&shape),
                end - start
            ));
        }
    }
    None
}

/// Saves an L-layer network as safetensors: tensors `W1`, `b1`, … and the metadata
/// `format = "tapegrad-model"`, `format_version = "1"`, `layer_dims` (e.g. `"12288,20,7,5,1"`)
/// and `activations` (e.g. `"relu,relu,relu,sigmoid"`). Python reads it with
/// `safetensors.numpy.load_file`.
///
/// # Errors
/// [`Error::Invalid`] when `activations` does not have one entry per layer or the shapes do
/// not chain; as [`save_safetensors`] otherwise.
pub fn save_model_safetensors<T: Element>(
    path: &Path,
    params: &Parameters<T>,
    activations: &[Activation],
) -> Result<()> {
    let dims = params
        .check_layers()
        .map_err(|e| Error::Invalid(format!("save_model_safetensors: {e}")))?;
    if activations.len() != params.num_layers() {
        return Err(Error::Invalid(format!(
            "save_model_safetensors: {} activations given for {} layers",
            activations.len(),
            params.num_layers()
        )));
    }
    let join = |v: Vec<String>| v.join(",");
    let metadata = BTreeMap::from([
        ("format".to_string(), MODEL_FORMAT.to_string()),
        (
            "format_version".to_string(),
            MODEL_FORMAT_VERSION.to_string(),
        ),
        (
            "layer_dims".to_string(),
            join(dims.iter().map(usize::to_string).collect()),
        ),
        (
            "activations".to_string(),
            join(activations.iter().map(|a| a.name().to_string()).collect()),
        ),
    ]);
    save_safetensors(path, &params.to_param_set(), &metadata)
}

/// Loads a model saved by [`save_model_safetensors`] (in `f64`).
///
/// # Errors
/// [`Error::File`] naming `path` and what is wrong: as [`load_safetensors`]; the metadata is
/// missing or not a tapegrad model's; a tensor `W{l}` or `b{l}` is missing (named) or its
/// shape does not fit `layer_dims`.
pub fn load_model_safetensors(path: &Path) -> Result<SavedModel> {
    let (set, meta) = load_safetensors::<f64>(path)?;
    let field = |key: &str| {
        meta.get(key).ok_or_else(|| {
            Error::file(
                path,
                format!(
                    "metadata `{key}` not found (the file's: {:?}); not a tapegrad model file?",
                    meta.keys().collect::<Vec<_>>()
                ),
            )
        })
    };
    let format = Some(field("format")?);
    let version = meta.get("format_version");
    if format.map(String::as_str) != Some(MODEL_FORMAT)
        || version.map(String::as_str) != Some(MODEL_FORMAT_VERSION)
    {
        return Err(Error::file(
            path,
            format!(
                "metadata: format {format:?}, format_version {version:?}: not a tapegrad model file \
                 (this tapegrad reads format {MODEL_FORMAT:?} version {MODEL_FORMAT_VERSION})"
            ),
        ));
    }
    let layer_dims: Vec<usize> = field("layer_dims")?
        .split(',')
        .map(|d| d.trim().parse().ok().filter(|&d| d > 0))
        .collect::<Option<_>>()
        .filter(|d: &Vec<usize>| d.len() >= 2)
        .ok_or_else(|| {
            Error::file(
                path,
                format!(
                    "metadata `layer_dims`: {:?} is not a list of at least 2 positive sizes",
                    meta["layer_dims"]
                ),
            )
        })?;
    let activations = crate::nn::parse_activations(field("activations")?)
        .map_err(|e| Error::file(path, format!("metadata `activations`: {e}")))?;
    let layers = layer_dims.len() - 1;
    let params =
        Parameters::from_param_set(&set, layers).map_err(|e| Error::file(path, e.to_string()))?;
    SavedModel::checked("tensor", params, layer_dims, activations).map_err(|e| Error::file(path, e))
}
