//! Safetensors files: round trips in f32 and f64, models with their metadata, every kind of
//! bad file (one clear error naming the file and the tensor), and interoperability with
//! Python's `safetensors` both ways (a venv with numpy and safetensors from PyPI is created
//! under `target/` on first use).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tapegrad::nn::{self, Activation, InitScale};
use tapegrad::{io, Error, ParamSet, Tensor};

/// k/7 − 3 for k = 0, 1, …: the values both sides compute independently.
fn sevenths<T: tapegrad::Element>(shape: &[usize]) -> Tensor<T> {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n).map(|k| k as f64 / 7.0 - 3.0).collect();
    Tensor::from_vec(v, shape).unwrap().cast()
}

fn bits<T: tapegrad::Element>(t: &Tensor<T>) -> Vec<u64> {
    t.to_vec().iter().map(|v| v.to_f64().to_bits()).collect()
}

#[track_caller]
fn assert_file_error<T: std::fmt::Debug>(r: tapegrad::Result<T>, path: &Path, needles: &[&str]) {
    let e = r.unwrap_err();
    assert!(matches!(e, Error::File { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    for n in needles {
        assert!(msg.contains(n), "{n:?} not in {msg}");
    }
}

#[test]
fn round_trips_are_bit_identical_in_f32_and_f64() {
    let dir = tempfile::tempdir().unwrap();
    let p64: ParamSet<f64> = [
        ("a", sevenths(&[3, 4])),
        ("b", sevenths::<f64>(&[4, 3]).t()),
    ]
    .into_iter()
    .collect();
    let path = dir.path().join("x.safetensors");
    let meta = BTreeMap::from([("k".to_string(), "v".to_string())]);
    io::save_safetensors(&path, &p64, &meta).unwrap();
    let (back, m) = io::load_safetensors::<f64>(&path).unwrap();
    assert_eq!(m, meta);
    assert_eq!(back.names().collect::<Vec<_>>(), ["a", "b"]);
    for ((_, a), (_, b)) in back.iter().zip(p64.iter()) {
        assert_eq!(a.shape(), b.shape());
        assert_eq!(bits(a), bits(b));
    }
    let p32: ParamSet<f32> = [("s", sevenths(&[2, 5]))].into_iter().collect();
    io::save_safetensors(&path, &p32, &BTreeMap::new()).unwrap();
    let (back, m) = ParamSet::<f32>::load_safetensors(&path).unwrap();
    assert!(m.is_empty());
    assert_eq!(bits(&back["s"]), bits(&p32["s"]));
    // f32 data read as f64 widens exactly.
    let (wide, _) = io::load_safetensors::<f64>(&path).unwrap();
    assert_eq!(bits(&wide["s"]), bits(&p32["s"].cast::<f64>()));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["x.safetensors"], "no temporary file left");
}

#[test]
fn models_round_trip_with_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let p = nn::initialize_parameters_deep(&[6, 4, 3, 1], 1, InitScale::He).unwrap();
    let acts = [Activation::Tanh, Activation::Relu, Activation::Sigmoid];
    io::save_model_safetensors(&path, &p, &acts).unwrap();
    let m = io::load_model_safetensors(&path).unwrap();
    assert_eq!(m.params, p);
    assert_eq!(m.layer_dims, [6, 4, 3, 1]);
    assert_eq!(m.activations, acts);
    let (set, meta) = io::load_safetensors::<f64>(&path).unwrap();
    // The set's order survives the file (the format itself sorts by name).
    assert_eq!(
        set.names().collect::<Vec<_>>(),
        ["W1", "b1", "W2", "b2", "W3", "b3"]
    );
    assert!(!meta.contains_key("tapegrad.order"));
    assert_eq!(meta["layer_dims"], "6,4,3,1");
    assert_eq!(meta["activations"], "tanh,relu,sigmoid");
    assert_eq!(meta["format"], "tapegrad-model");
    let e = io::save_model_safetensors(&path, &p, &acts[..2]).unwrap_err();
    assert!(
        matches!(e, Error::Invalid(_)) && e.to_string().contains("2 activations"),
        "{e}"
    );
}

/// A raw safetensors file from a JSON header and data bytes.
fn raw(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.safetensors");
    let p = nn::initialize_parameters_deep(&[4, 3, 1], 1, InitScale::He).unwrap();
    io::save_model_safetensors(&good, &p, &Activation::course_model(2)).unwrap();
    let bytes = std::fs::read(&good).unwrap();

    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "text.safetensors",
            b"this is not a safetensors file".to_vec(),
            vec!["not a valid safetensors file"],
        ),
        (
            "truncated.safetensors",
            bytes[..bytes.len() - 9].to_vec(),
            vec!["not a valid safetensors file"],
        ),
        (
            "empty.safetensors",
            Vec::new(),
            vec!["not a valid safetensors file"],
        ),
        (
            "lies.safetensors",
            raw(
                r#"{"w":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]}}"#,
                &[0u8; 16],
            ),
            vec!["not a valid safetensors file"],
        ),
        (
            "shape_vs_bytes.safetensors",
            raw(
                r#"{"w":{"dtype":"F64","shape":[3],"data_offsets":[0,16]}}"#,
                &[0u8; 16],
            ),
            vec!["not a valid safetensors file"],
        ),
        (
            "ints.safetensors",
            raw(
                r#"{"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}"#,
                &[1, 0, 0, 0, 2, 0, 0, 0],
            ),
            vec!["tensor `w`", "I32"],
        ),
    ];
    for (name, content, needles) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        assert_file_error(io::load_safetensors::<f64>(&path), &path, &needles);
    }
    let missing = dir.path().join("none.safetensors");
    assert_file_error(
        io::load_safetensors::<f64>(&missing),
        &missing,
        &["cannot read"],
    );

    // A model file without W2, and a plain tensor file that is no model.
    let (mut set, meta) = io::load_safetensors::<f64>(&good).unwrap();
    let mut without: ParamSet = set
        .iter()
        .filter(|(n, _)| *n != "W2")
        .map(|(n, t)| (n, t.clone()))
        .collect();
    let path = dir.path().join("no_w2.safetensors");
    io::save_safetensors(&path, &without, &meta).unwrap();
    assert_file_error(
        io::load_model_safetensors(&path),
        &path,
        &["tensor `W2` not found", "W1, b1, b2"],
    );
    without.insert("W2", Tensor::zeros(&[1, 5]));
    io::save_safetensors(&path, &without, &meta).unwrap();
    assert_file_error(
        io::load_model_safetensors(&path),
        &path,
        &["`W2`", "(1, 5)", "`W1`", "(3, 4)"],
    );
    set.insert("W1", Tensor::zeros(&[3, 5]));
    set.insert("W2", Tensor::zeros(&[1, 3]));
    io::save_safetensors(&path, &set, &meta).unwrap();
    assert_file_error(
        io::load_model_safetensors(&path),
        &path,
        &["tensor `W1`", "(3, 4)", "(3, 5)", "layer_dims"],
    );
    io::save_safetensors(&path, &set, &BTreeMap::new()).unwrap();
    assert_file_error(
        io::load_model_safetensors(&path),
        &path,
        &["metadata `format` not found"],
    );
    // Another tool's file (PyTorch writes {"format": "pt"} and nothing else): an error, no panic.
    let pt = BTreeMap::from([("format".to_string(), "pt".to_string())]);
    io::save_safetensors(&path, &set, &pt).unwrap();
    assert_file_error(
        io::load_model_safetensors(&path),
        &path,
        &["\"pt\"", "not a tapegrad model file"],
    );
}

/// A Python with numpy and safetensors, in a venv kept under `target/`.
fn python() -> PathBuf {
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("py-safetensors");
    let py = target.join("bin").join("python");
    if !py.exists() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&target)
            .status()
            .expect("python3 is needed for the interop test");
        assert!(ok.success(), "python3 -m venv failed");
        let ok = Command::new(target.join("bin").join("pip"))
            .args(["install", "--quiet", "numpy", "safetensors"])
            .status()
            .unwrap();
        assert!(ok.success(), "pip install numpy safetensors failed");
    }
    py
}

#[test]
fn python_reads_tapegrads_files_and_tapegrad_reads_pythons() {
    let py = python();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/safetensors_check.py");
    let dir = tempfile::tempdir().unwrap();

    // tapegrad → Python.
    let ours = dir.path().join("ours.safetensors");
    let mut set64: ParamSet<f64> = ParamSet::new();
    set64.insert("W1", sevenths(&[3, 4]));
    set64.insert("b1", sevenths(&[3, 1]));
    set64.insert("scalarish", sevenths(&[1]));
    // One file of both precisions: write the f32 tensor through its own set's bytes.
    let mut set32: ParamSet<f32> = ParamSet::new();
    set32.insert("single", sevenths(&[2, 5]));
    let both = dir.path().join("single.safetensors");
    io::save_safetensors(&both, &set32, &BTreeMap::new()).unwrap();
    io::save_safetensors(&ours, &set64, &BTreeMap::new()).unwrap();
    let merged = dir.path().join("merged.safetensors");
    merge(&[&ours, &both], &merged);
    let out = Command::new(&py)
        .arg(&script)
        .arg("read")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok 4");

    // Python → tapegrad.
    let theirs = dir.path().join("theirs.safetensors");
    let ok = Command::new(&py)
        .arg(&script)
        .arg("write")
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(ok.success());
    let (set, meta) = io::load_safetensors::<f64>(&theirs).unwrap();
    assert_eq!(meta["writer"], "python");
    assert_eq!(bits(&set["W1"]), bits(&sevenths::<f64>(&[3, 4])));
    assert_eq!(bits(&set["b1"]), bits(&sevenths::<f64>(&[3, 1])));
    assert_eq!(set["scalarish"].shape(), &[1]);
    let (s32, _) = io::load_safetensors::<f32>(&theirs).unwrap();
    assert_eq!(bits(&s32["single"]), bits(&sevenths::<f32>(&[2, 5])));
}

/// Joins the tensors of several safetensors files into one, keeping each tensor's dtype.
fn merge(parts: &[&Path], out: &Path) {
    use safetensors::tensor::{SafeTensors, TensorView};
    let buffers: Vec<Vec<u8>> = parts.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let files: Vec<SafeTensors> = buffers
        .iter()
        .map(|b| SafeTensors::deserialize(b).unwrap())
        .collect();
    let views: Vec<(String, TensorView)> = files.iter().flat_map(|f| f.tensors()).collect();
    let bytes = safetensors::serialize(views.iter().map(|(n, v)| (n.as_str(), v)), None).unwrap();
    std::fs::write(out, bytes).unwrap();
}
