//! `tapegrad::data`: the course's cat / non-cat files and the model file format.
//!
//! The real-data tests read the files that ship in `data/catvnoncat`; everything else runs on
//! small fixtures written into temporary folders.

#![cfg(feature = "hdf5")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

use hdf5::types::FixedAscii;
use tapegrad::data::{
    data_dir, load_catvnoncat, load_classes, load_model, load_saved_model, load_split, save_model,
    save_model_with_activations, Split, TEST_FILE, TRAIN_FILE,
};
use tapegrad::nn::Activation::{Relu, Sigmoid, Tanh};
use tapegrad::nn::Parameters;
use tapegrad::{Error, Tensor};

/// Serializes [`hdf5_prints_nothing_on_errors`] against the other tests: the child process it
/// spawns inherits the file descriptors HDF5 has open at that moment, with their `flock`
/// locks (HDF5 opens files without close-on-exec), which would make another test's
/// half-written fixture unopenable ("unable to lock file") until the child exits. Every other
/// test holds a read guard; the spawning test holds the write guard.
static SPAWN_LOCK: RwLock<()> = RwLock::new(());

fn shared_guard() -> RwLockReadGuard<'static, ()> {
    SPAWN_LOCK.read().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Real data

#[test]
fn real_data_loads_with_the_course_shapes_and_values() {
    let _guard = shared_guard();
    let dir = common::catvnoncat_dir();
    let data = load_catvnoncat(&dir).unwrap();

    assert_eq!(data.train.x.shape(), &[12288, 209]);
    assert_eq!(data.train.y.shape(), &[1, 209]);
    assert_eq!(data.test.x.shape(), &[12288, 50]);
    assert_eq!(data.test.y.shape(), &[1, 50]);
    assert_eq!(data.train.image_shape, [64, 64, 3]);
    assert_eq!(data.test.image_shape, [64, 64, 3]);
    assert_eq!(data.train.num_examples(), 209);
    assert_eq!(data.test.num_examples(), 50);
    assert_eq!(data.train.raw.len(), 209 * 12288);
    assert_eq!(data.test.raw.len(), 50 * 12288);
    assert_eq!(data.classes, ["non-cat", "cat"]);

    let cats = |s: &Split| s.y.to_vec().iter().filter(|&&v| v == 1.0).count();
    assert_eq!(cats(&data.train), 72);
    assert_eq!(cats(&data.test), 33);
    assert!(data.train.y.to_vec().iter().all(|&v| v == 0.0 || v == 1.0));

    // The course's check vector, exactly.
    let x = data.train.x.to_vec();
    let m = 209;
    let first: Vec<f64> = (0..6).map(|i| x[i * m]).collect();
    let expected: Vec<f64> = [17.0, 31.0, 56.0, 22.0, 33.0, 59.0]
        .iter()
        .map(|v| v / 255.0)
        .collect();
    assert_eq!(first, expected);
    assert_eq!(x[0], 0.06666666666666667);
    assert_eq!(
        &data.train.image(0).unwrap()[..6],
        &[17, 31, 56, 22, 33, 59]
    );

    // One more element, from the raw bytes read here independently.
    let file = hdf5::File::open(dir.join(TRAIN_FILE)).unwrap();
    let raw: Vec<u8> = file.dataset("train_set_x").unwrap().read_raw().unwrap();
    let (j, r, c, ch) = (137, 41, 9, 2);
    let byte = raw[((j * 64 + r) * 64 + c) * 3 + ch];
    assert_eq!(x[((r * 64 + c) * 3 + ch) * m + j], byte as f64 / 255.0);
    // And the labels, likewise.
    let y: Vec<i64> = file.dataset("train_set_y").unwrap().read_raw().unwrap();
    let y_f: Vec<f64> = y.iter().map(|&v| v as f64).collect();
    assert_eq!(data.train.y.to_vec(), y_f);
    assert_eq!(data.train.label(j), Some(y[j] as u8));
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// Fixture pixel `x[j, r, c, ch]` (all distinct for the 3 x 4 x 4 x 3 fixture, none zero).
fn pixel(j: usize, r: usize, c: usize, ch: usize) -> u8 {
    (1 + ((j * 4 + r) * 4 + c) * 3 + ch) as u8
}

/// The fixture's images, `(m, 4, 4, 3)` row-major.
fn fixture_images(m: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for j in 0..m {
        for r in 0..4 {
            for c in 0..4 {
                for ch in 0..3 {
                    v.push(pixel(j, r, c, ch));
                }
            }
        }
    }
    v
}

fn write<T: hdf5::H5Type>(file: &hdf5::File, name: &str, shape: &[usize], data: &[T]) {
    file.new_dataset::<T>()
        .shape(shape)
        .create(name)
        .unwrap()
        .write_raw(data)
        .unwrap();
}

fn write_classes(file: &hdf5::File) {
    let classes = [
        FixedAscii::<7>::from_ascii(b"non-cat").unwrap(),
        FixedAscii::<7>::from_ascii(b"cat").unwrap(),
    ];
    write(file, "list_classes", &[2], &classes);
}

/// Writes a valid split file: `{prefix}_set_x` (m, 4, 4, 3) u8, `{prefix}_set_y` labels, and
/// `list_classes`, like the course's files.
fn write_valid(path: &Path, prefix: &str, labels: &[i64]) {
    let file = hdf5::File::create(path).unwrap();
    let m = labels.len();
    write(
        &file,
        &format!("{prefix}_set_x"),
        &[m, 4, 4, 3],
        &fixture_images(m),
    );
    write(&file, &format!("{prefix}_set_y"), &[m], labels);
    write_classes(&file);
}

/// Asserts `result` is an `Error::File` for `path` whose message contains every one of `needles`.
fn assert_file_error<T: std::fmt::Debug>(
    result: tapegrad::Result<T>,
    path: &Path,
    needles: &[&str],
) {
    let err = result.unwrap_err();
    let shown = err.to_string();
    match &err {
        Error::File { path: p, message } => {
            assert_eq!(p, path, "{shown}");
            for needle in needles {
                assert!(message.contains(needle), "{needle:?} not in {shown:?}");
            }
        }
        other => panic!("expected Error::File, got {other:?}"),
    }
    assert!(shown.contains(&path.display().to_string()), "{shown}");
}

#[test]
fn fixture_flattens_like_numpy() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    write_valid(&path, "train", &[1, 0, 1]);
    let split = load_split(&path, "train").unwrap();

    let m = 3;
    assert_eq!(split.x.shape(), &[48, 3]);
    assert_eq!(split.y.shape(), &[1, 3]);
    assert_eq!(split.y.to_vec(), [1.0, 0.0, 1.0]);
    assert_eq!(split.image_shape, [4, 4, 3]);
    assert_eq!(split.num_examples(), 3);
    assert_eq!(split.raw, fixture_images(3));
    assert_eq!(split.image(1).unwrap(), &fixture_images(3)[48..96]);
    assert_eq!(split.image(3), None);
    assert_eq!(split.label(0), Some(1));
    assert_eq!(split.label(1), Some(0));
    assert_eq!(split.label(3), None);

    let x = split.x.to_vec();
    // X[(r*w + c)*3 + ch, j] = x[j, r, c, ch] / 255 for every element ...
    for j in 0..m {
        for r in 0..4 {
            for c in 0..4 {
                for ch in 0..3 {
                    let got = x[((r * 4 + c) * 3 + ch) * m + j];
                    assert_eq!(
                        got,
                        pixel(j, r, c, ch) as f64 / 255.0,
                        "j={j} r={r} c={c} ch={ch}"
                    );
                }
            }
        }
    }
    // ... and some spelled out: x[0,0,0,0] = 1, x[2,3,1,2] = 1 + (2*4+3)*4*3 + 1*3 + 2 = 138.
    assert_eq!(x[0], 1.0 / 255.0);
    assert_eq!(x[1], 49.0 / 255.0); // X[0, 1] = x[1, 0, 0, 0]
    assert_eq!(x[3], 2.0 / 255.0); // X[1, 0] = x[0, 0, 0, 1]
    assert_eq!(x[((3 * 4 + 1) * 3 + 2) * m + 2], 138.0 / 255.0);
    // True division, not multiplication by 1/255.
    assert!(x.iter().all(|&v| (v * 255.0).round() / 255.0 == v));
}

#[test]
fn fixture_folder_loads_as_catdata_and_is_found_by_data_dir() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    write_valid(&dir.path().join(TRAIN_FILE), "train", &[1, 0, 1]);
    write_valid(&dir.path().join(TEST_FILE), "test", &[0, 1]);
    assert_eq!(data_dir(Some(dir.path())).unwrap(), dir.path());
    let data = load_catvnoncat(dir.path()).unwrap();
    assert_eq!(data.train.x.shape(), &[48, 3]);
    assert_eq!(data.test.x.shape(), &[48, 2]);
    assert_eq!(data.test.y.to_vec(), [0.0, 1.0]);
    assert_eq!(data.classes, ["non-cat", "cat"]);
    assert_eq!(
        load_classes(&dir.path().join(TEST_FILE)).unwrap(),
        ["non-cat", "cat"]
    );
}

#[test]
fn data_dir_without_the_files_says_what_it_looked_for_and_where() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let err = data_dir(Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains(TRAIN_FILE), "{err}");
    assert!(err.contains(&dir.path().display().to_string()), "{err}");
    assert!(err.contains("from --data"), "{err}");

    write_valid(&dir.path().join(TRAIN_FILE), "train", &[1]);
    let err = data_dir(Some(dir.path())).unwrap_err().to_string();
    assert!(
        err.contains(TEST_FILE) && err.contains("from --data"),
        "{err}"
    );

    let missing = dir.path().join("no-such-folder");
    let err = data_dir(Some(&missing)).unwrap_err().to_string();
    assert!(
        err.contains("no-such-folder") && err.contains("--data"),
        "{err}"
    );
}

#[test]
fn missing_file_is_a_clean_error() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train_catvnoncat.h5");
    assert_file_error(load_split(&path, "train"), &path, &["not found"]);
    // A folder is not a file.
    assert_file_error(load_split(dir.path(), "train"), dir.path(), &["folder"]);
    // load_catvnoncat names the file it wanted.
    let err = load_catvnoncat(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains(TRAIN_FILE) && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn text_file_is_not_hdf5() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    std::fs::write(&path, "x,y\n1,2\nthis is a CSV file, not HDF5\n").unwrap();
    assert_file_error(load_split(&path, "train"), &path, &["not an HDF5 file"]);
    std::fs::write(&path, "").unwrap();
    assert_file_error(load_split(&path, "train"), &path, &["HDF5"]);
}

#[test]
fn truncated_file_is_a_clean_error() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.h5");
    write_valid(&good, "train", &[1, 0, 1]);
    let bytes = std::fs::read(&good).unwrap();
    for keep in [bytes.len() / 2, bytes.len() - 1, 100] {
        let path = dir.path().join(format!("cut{keep}.h5"));
        std::fs::write(&path, &bytes[..keep]).unwrap();
        assert_file_error(load_split(&path, "train"), &path, &["truncated"]);
    }
}

#[test]
fn missing_dataset_is_named() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 4, 4, 3], &fixture_images(3));
        write_classes(&file);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_y` not found", "train_set_x"],
    );
    // Asking for the test split of a training file names the test dataset.
    assert_file_error(
        load_split(&path, "test"),
        &path,
        &["`test_set_x` not found"],
    );
}

#[test]
fn x_of_the_wrong_rank_is_rejected() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 48], &fixture_images(3));
        write(&file, "train_set_y", &[3], &[1i64, 0, 1]);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_x`", "(m, height, width, 3)", "(3, 48)"],
    );
}

#[test]
fn x_with_wrong_channels_is_rejected() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 4, 3, 4], &fixture_images(3));
        write(&file, "train_set_y", &[3], &[1i64, 0, 1]);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_x`", "(3, 4, 3, 4)"],
    );
}

#[test]
fn x_of_the_wrong_dtype_is_rejected() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        let x: Vec<f32> = fixture_images(3)
            .iter()
            .map(|&v| v as f32 / 255.0)
            .collect();
        write(&file, "train_set_x", &[3, 4, 4, 3], &x);
        write(&file, "train_set_y", &[3], &[1i64, 0, 1]);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_x`", "uint8", "float32", "(3, 4, 4, 3)"],
    );
}

#[test]
fn y_of_the_wrong_length_or_type_is_rejected() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 4, 4, 3], &fixture_images(3));
        write(&file, "train_set_y", &[2], &[1i64, 0]);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_y`", "(3,)", "(2,)"],
    );

    let path = dir.path().join("float_labels.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 4, 4, 3], &fixture_images(3));
        write(&file, "train_set_y", &[3], &[1.0f64, 0.0, 1.0]);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_y`", "integer", "float64"],
    );

    // Any integer type is accepted (here uint8, shape (1, 3) is not).
    let path = dir.path().join("u8_labels.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 4, 4, 3], &fixture_images(3));
        write(&file, "train_set_y", &[3], &[1u8, 0, 1]);
    }
    assert_eq!(
        load_split(&path, "train").unwrap().y.to_vec(),
        [1.0, 0.0, 1.0]
    );
    let path = dir.path().join("row_labels.h5");
    {
        let file = hdf5::File::create(&path).unwrap();
        write(&file, "train_set_x", &[3, 4, 4, 3], &fixture_images(3));
        write(&file, "train_set_y", &[1, 3], &[1i64, 0, 1]);
    }
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_y`", "(1, 3)"],
    );
}

#[test]
fn labels_other_than_0_and_1_are_rejected() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.h5");
    write_valid(&path, "train", &[0, 2, 1]);
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_y`", "label 2 at index 1"],
    );
    write_valid(&path, "train", &[0, 1, -1]);
    assert_file_error(
        load_split(&path, "train"),
        &path,
        &["`train_set_y`", "label -1 at index 2"],
    );
}

#[test]
fn bad_list_classes_is_rejected() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    write_valid(&dir.path().join(TEST_FILE), "test", &[0, 1]);
    let train = dir.path().join(TRAIN_FILE);
    {
        let file = hdf5::File::create(&train).unwrap();
        write(&file, "train_set_x", &[1, 4, 4, 3], &fixture_images(1));
        write(&file, "train_set_y", &[1], &[1i64]);
        write(&file, "list_classes", &[2], &[0i64, 1]);
    }
    assert_file_error(
        load_catvnoncat(dir.path()),
        &train,
        &["`list_classes`", "string", "int64"],
    );
}

/// HDF5's C library prints an error stack to stderr on failures unless silenced. Run the
/// failing loads in a child process and check its stderr stays clean.
#[test]
fn hdf5_prints_nothing_on_errors() {
    let _exclusive = SPAWN_LOCK.write().unwrap_or_else(|e| e.into_inner());
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "hdf5_error_cases_child",
            "--include-ignored",
            "--nocapture",
        ])
        .args(["--test-threads", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "child did not run:\n{stdout}");
    assert!(
        !stderr.contains("HDF5") && !stderr.contains("H5"),
        "HDF5 printed:\n{stderr}"
    );
    assert!(!stdout.contains("HDF5-DIAG"), "HDF5 printed:\n{stdout}");
}

/// The failures [`hdf5_prints_nothing_on_errors`] runs in a child process (from several
/// threads, since HDF5's error printing is per thread).
#[test]
#[ignore = "run by hdf5_prints_nothing_on_errors"]
fn hdf5_error_cases_child() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_path_buf();
    let text = dir.join("text.h5");
    std::fs::write(&text, "not hdf5").unwrap();
    let good = dir.join("good.h5");
    write_valid(&good, "train", &[1, 0]);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.join("cut.h5");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let run = {
        let (text, good, cut) = (text.clone(), good.clone(), cut.clone());
        move || {
            assert!(load_split(&text, "train").is_err());
            assert!(load_split(&cut, "train").is_err());
            assert!(load_split(&good, "test").is_err());
            assert!(load_model(&good).is_err());
            assert!(load_classes(&text).is_err());
        }
    };
    run();
    let threads: Vec<_> = (0..3).map(|_| std::thread::spawn(run.clone())).collect();
    for t in threads {
        t.join().unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Model files

/// A deterministic network with layer sizes `dims`, including awkward values.
fn params(dims: &[usize]) -> Parameters<f64> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut w = Vec::new();
    let mut b = Vec::new();
    for l in 1..dims.len() {
        let mut wv: Vec<f64> = (0..dims[l] * dims[l - 1]).map(|_| next()).collect();
        wv[0] = -0.0;
        if wv.len() > 3 {
            wv[1] = 1e-310; // subnormal
            wv[2] = f64::MAX;
            wv[3] = std::f64::consts::PI / 3.0;
        }
        w.push(Tensor::from_vec(wv, &[dims[l], dims[l - 1]]).unwrap());
        let bv: Vec<f64> = (0..dims[l]).map(|_| next()).collect();
        b.push(Tensor::from_vec(bv, &[dims[l], 1]).unwrap());
    }
    Parameters { w, b }
}

fn bits(t: &Tensor<f64>) -> Vec<u64> {
    t.to_vec().iter().map(|v| v.to_bits()).collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn model_round_trip_is_bit_identical() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.h5");
    let p = params(&[12, 5, 4, 1]);
    save_model(&path, &p).unwrap();
    let q = load_model(&path).unwrap();
    assert_eq!(q.w.len(), 3);
    assert_eq!(q.b.len(), 3);
    for l in 0..3 {
        assert_eq!(q.w[l].shape(), p.w[l].shape());
        assert_eq!(q.b[l].shape(), p.b[l].shape());
        assert_eq!(bits(&q.w[l]), bits(&p.w[l]), "W{}", l + 1);
        assert_eq!(bits(&q.b[l]), bits(&p.b[l]), "b{}", l + 1);
    }
    let saved = load_saved_model(&path).unwrap();
    assert_eq!(saved.layer_dims, [12, 5, 4, 1]);
    assert_eq!(saved.activations, [Relu, Relu, Sigmoid]);

    // The documented layout, as another HDF5 reader sees it.
    let file = hdf5::File::open(&path).unwrap();
    assert_eq!(
        file.attr("format_version")
            .unwrap()
            .read_scalar::<u64>()
            .unwrap(),
        1
    );
    assert_eq!(
        file.attr("layer_dims").unwrap().read_raw::<u64>().unwrap(),
        [12, 5, 4, 1]
    );
    let acts: hdf5::types::VarLenUnicode = file.attr("activations").unwrap().read_scalar().unwrap();
    assert_eq!(acts.as_str(), "relu,relu,sigmoid");
    let w2 = file.dataset("W2").unwrap();
    assert_eq!(w2.shape(), [4, 5]);
    assert_eq!(w2.read_raw::<f64>().unwrap(), p.w[1].to_vec());
}

#[test]
fn model_round_trip_keeps_other_activations_and_transposed_tensors() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tanh.h5");
    let mut p = params(&[3, 2, 1]);
    // A transposed view is saved in its logical (row-major) order.
    let wt = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])
        .unwrap()
        .t();
    p.w[0] = wt.clone();
    save_model_with_activations(&path, &p, &[Tanh, Sigmoid]).unwrap();
    let saved = load_saved_model(&path).unwrap();
    assert_eq!(saved.activations, [Tanh, Sigmoid]);
    assert_eq!(saved.params.w[0].to_vec(), wt.to_vec());
    assert_eq!(saved.params.w[0].to_vec(), [1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);

    let err = save_model_with_activations(&path, &p, &[Sigmoid]).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
}

/// Saves a valid [6, 4, 3, 1] model, then lets `edit` damage it.
fn damaged_model(edit: impl FnOnce(&hdf5::File)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.h5");
    save_model(&path, &params(&[6, 4, 3, 1])).unwrap();
    {
        let file = hdf5::File::open_rw(&path).unwrap();
        edit(&file);
    }
    (dir, path)
}

#[test]
fn model_whose_shapes_do_not_chain_is_rejected() {
    let _guard = shared_guard();
    let (_dir, path) = damaged_model(|f| {
        f.unlink("W2").unwrap();
        write(f, "W2", &[3, 5], &[0.5f64; 15]);
    });
    assert_file_error(
        load_model(&path),
        &path,
        &["`W2`", "(3, 5)", "`W1`", "(4, 6)"],
    );
}

#[test]
fn model_disagreeing_with_layer_dims_is_rejected() {
    let _guard = shared_guard();
    let (_dir, path) = damaged_model(|f| {
        f.unlink("W1").unwrap();
        write(f, "W1", &[4, 7], &[0.5f64; 28]);
    });
    assert_file_error(
        load_model(&path),
        &path,
        &["`W1`", "(4, 6)", "(4, 7)", "layer_dims"],
    );

    let (_dir, path) = damaged_model(|f| {
        f.unlink("b3").unwrap();
        write(f, "b3", &[1], &[0.5f64]);
    });
    assert_file_error(load_model(&path), &path, &["`b3`", "(1, 1)", "(1,)"]);

    let (_dir, path) = damaged_model(|f| {
        write(f, "W4", &[1, 1], &[0.5f64]);
    });
    assert_file_error(load_model(&path), &path, &["`W4`", "3 layers"]);

    let (_dir, path) = damaged_model(|f| {
        f.unlink("W3").unwrap();
        write(f, "W3", &[1, 3], &[1i64, 2, 3]);
    });
    assert_file_error(load_model(&path), &path, &["`W3`", "float64", "int64"]);
}

#[test]
fn model_missing_a_dataset_is_rejected() {
    let _guard = shared_guard();
    let (_dir, path) = damaged_model(|f| f.unlink("W2").unwrap());
    assert_file_error(load_model(&path), &path, &["`W2` not found"]);
    let (_dir, path) = damaged_model(|f| f.unlink("b1").unwrap());
    assert_file_error(load_model(&path), &path, &["`b1` not found"]);
}

#[test]
fn model_with_bad_attributes_is_rejected() {
    let _guard = shared_guard();
    let set_str = |f: &hdf5::File, name: &str, value: &str| {
        f.delete_attr(name).unwrap();
        let v: hdf5::types::VarLenUnicode = value.parse().unwrap();
        f.new_attr::<hdf5::types::VarLenUnicode>()
            .create(name)
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    };
    let (_dir, path) = damaged_model(|f| set_str(f, "activations", "relu,swish,sigmoid"));
    assert_file_error(load_model(&path), &path, &["`activations`", "swish"]);
    let (_dir, path) = damaged_model(|f| set_str(f, "activations", "relu,sigmoid"));
    assert_file_error(load_model(&path), &path, &["`activations`", "3 layers"]);
    let (_dir, path) = damaged_model(|f| {
        f.delete_attr("format_version").unwrap();
        f.new_attr::<u64>()
            .create("format_version")
            .unwrap()
            .write_scalar(&2u64)
            .unwrap();
    });
    assert_file_error(load_model(&path), &path, &["`format_version`", "version 2"]);
    let (_dir, path) = damaged_model(|f| f.delete_attr("layer_dims").unwrap());
    assert_file_error(load_model(&path), &path, &["`layer_dims` not found"]);

    // A data file is not a model.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("train.h5");
    write_valid(&data, "train", &[1]);
    assert_file_error(load_model(&data), &data, &["`format` not found"]);
    let missing = dir.path().join("none.h5");
    assert_file_error(load_model(&missing), &missing, &["not found"]);
}

#[test]
fn save_writes_a_temporary_file_and_renames_it() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.h5");
    save_model(&path, &params(&[4, 3, 1])).unwrap();
    assert_eq!(files_in(dir.path()), ["model.h5"]);
    // Overwriting replaces the model whole and leaves no temporary file.
    let p = params(&[5, 2, 1]);
    save_model(&path, &p).unwrap();
    assert_eq!(files_in(dir.path()), ["model.h5"]);
    assert_eq!(bits(&load_model(&path).unwrap().w[0]), bits(&p.w[0]));
}

#[test]
fn failed_save_leaves_nothing_behind() {
    let _guard = shared_guard();
    let dir = tempfile::tempdir().unwrap();
    // Into a folder that does not exist.
    let path = dir.path().join("no-such-folder").join("model.h5");
    assert_file_error(
        save_model(&path, &params(&[4, 3, 1])),
        &path,
        &["no-such-folder", "does not exist"],
    );
    assert!(files_in(dir.path()).is_empty());

    // The rename fails (the target is a non-empty folder) after the temporary file is written.
    let target = dir.path().join("model.h5");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "x").unwrap();
    assert_file_error(
        save_model(&target, &params(&[4, 3, 1])),
        &target,
        &["rename"],
    );
    assert_eq!(files_in(dir.path()), ["model.h5"]);
    assert_eq!(files_in(&target), ["keep"]);

    // Inconsistent parameters are refused before anything is written.
    let path = dir.path().join("bad.h5");
    let mut p = params(&[4, 3, 1]);
    p.b.pop();
    assert!(matches!(save_model(&path, &p), Err(Error::Invalid(_))));
    let mut p = params(&[4, 3, 1]);
    p.w[1] = Tensor::zeros(&[1, 2]);
    let err = save_model(&path, &p).unwrap_err();
    assert!(
        matches!(err, Error::Invalid(_)) && err.to_string().contains("W2"),
        "{err}"
    );
    p.w[1] = Tensor::zeros(&[0, 3]);
    p.b[1] = Tensor::zeros(&[0, 1]);
    assert!(matches!(save_model(&path, &p), Err(Error::Invalid(_))));
    assert_eq!(files_in(dir.path()), ["model.h5"]);
}
