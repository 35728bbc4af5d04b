//! End-to-end tests of `examples/cat_classifier`: the real training against the course's log,
//! the saved model, the PNG outputs, and every bad input (one clear line, exit code 1, no
//! panic). `cargo test` builds the example before running these.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tapegrad::Tensor;

fn binary() -> PathBuf {
    common::example_binary("cat_classifier")
}

/// Serializes the tests of this file. HDF5 opens files without close-on-exec, so a child
/// started while another test has an HDF5 file open for writing inherits its lock and keeps
/// it until the child exits; one test at a time never overlaps the two.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run(args: &[&str], cwd: &Path, data: Option<&Path>) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args).current_dir(cwd).env_remove("CATVNONCAT_DIR");
    if let Some(dir) = data {
        cmd.env("CATVNONCAT_DIR", dir);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure is exit code 1 and exactly one line on stderr, starting with "error: ", with no
/// panic or backtrace; returns that line.
#[track_caller]
fn one_line_error(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

fn cost_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.starts_with("Cost after iteration "))
        .collect()
}

/// docs/course.md §4, L-layer column, as printed with %f.
const DEEP_LOG: [&str; 25] = [
    "0.771749", "0.672053", "0.648263", "0.611507", "0.567047", "0.540138", "0.527930", "0.465477",
    "0.369126", "0.391747", "0.315187", "0.272700", "0.237419", "0.199601", "0.189263", "0.161189",
    "0.148214", "0.137775", "0.129740", "0.121225", "0.113821", "0.107839", "0.102855", "0.100897",
    "0.092878",
];

/// docs/course.md §4, two-layer column (Python repr; compared at 1e-10 relative, §5).
const TWO_LAYER_LOG: [f64; 25] = [
    0.693049735659989,
    0.6464320953428849,
    0.6325140647912678,
    0.6015024920354665,
    0.5601966311605748,
    0.515830477276473,
    0.4754901313943325,
    0.43391631512257495,
    0.4007977536203886,
    0.35807050113237987,
    0.3394281538366413,
    0.30527536361962654,
    0.2749137728213015,
    0.24681768210614827,
    0.1985073503746611,
    0.17448318112556593,
    0.1708076297809661,
    0.11306524562164737,
    0.09629426845937163,
    0.08342617959726878,
    0.0743907870431909,
    0.06630748132267938,
    0.05919329501038176,
    0.05336140348560564,
    0.048554785628770226,
];

#[test]
fn default_training_reproduces_the_course_and_its_outputs_work() {
    let _serial = serial();
    let data = common::catvnoncat_dir();
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["train"], dir.path(), Some(&data));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let expected: Vec<String> = DEEP_LOG
        .iter()
        .enumerate()
        .map(|(k, c)| format!("Cost after iteration {}: {c}", k * 100))
        .collect();
    assert_eq!(cost_lines(&out), expected);
    assert!(
        out.contains("Train accuracy: 0.985645933014 (206/209)"),
        "{out}"
    );
    assert!(out.contains("Test accuracy: 0.8 (40/50)"), "{out}");
    assert!(out.contains("ms per iteration"), "{out}");

    // The cost curve and the model exist; the PNG decodes.
    let plot = image::open(dir.path().join("costs.png")).unwrap();
    assert!(plot.width() > 100 && plot.height() > 100);
    let model = dir.path().join("model.h5");
    assert!(model.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "costs.png" && n != "model.h5")
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );

    // Save → load → identical predictions: evaluate gives the same counts.
    let o = run(
        &["evaluate", "--model", "model.h5"],
        dir.path(),
        Some(&data),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let eval = stdout(&o);
    assert!(
        eval.contains("Train accuracy: 0.985645933014 (206/209)"),
        "{eval}"
    );
    assert!(eval.contains("Test accuracy: 0.8 (40/50)"), "{eval}");
    assert!(eval.contains("Confusion matrix (test)"), "{eval}");
    // Test set: 33 cats, 17 non-cats, 40 right: the four cells add up to 50 and the rows to
    // the class counts.
    let test_rows: Vec<Vec<usize>> = eval
        .split("Confusion matrix (test)")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with("actual"))
        .map(|l| {
            l.split_whitespace()
                .rev()
                .take(2)
                .map(|n| n.parse().unwrap())
                .collect()
        })
        .collect();
    // rev(): [predicted cat, predicted non-cat]
    assert_eq!(test_rows[0][0] + test_rows[0][1], 17);
    assert_eq!(test_rows[1][0] + test_rows[1][1], 33);
    assert_eq!(test_rows[0][1] + test_rows[1][0], 40);

    // The mislabeled grid: 10 wrong test images.
    let o = run(
        &["mislabeled", "--model", "model.h5", "--out", "wrong.png"],
        dir.path(),
        Some(&data),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("10 mislabeled test images"),
        "{}",
        stdout(&o)
    );
    let grid = image::open(dir.path().join("wrong.png")).unwrap();
    assert!(grid.width() >= 64 && grid.height() >= 64);

    // predict on generated PNGs: one real training image written as a PNG must get the same
    // probability class as the model gives it from the data set; and a flat gray image runs.
    let loaded = tapegrad::data::load_catvnoncat(&data).unwrap();
    let params = tapegrad::data::load_model(&model).unwrap();
    let j = 2; // the third training image
    let img = image::RgbImage::from_raw(64, 64, loaded.train.image(j).unwrap().to_vec()).unwrap();
    img.save(dir.path().join("train2.png")).unwrap();
    image::RgbImage::from_pixel(100, 80, image::Rgb([128, 128, 128]))
        .save(dir.path().join("gray.png"))
        .unwrap();
    let o = run(
        &["predict", "--model", "model.h5", "train2.png", "gray.png"],
        dir.path(),
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2);
    let column = Tensor::from_vec(
        (0..12288).map(|r| loaded.train.x.get(&[r, j])).collect(),
        &[12288, 1],
    )
    .unwrap();
    let prob = tapegrad::nn::model::probabilities(&column, &params).item();
    let expected = format!(
        "train2.png: {prob:.4} {}",
        if prob > 0.5 { "cat" } else { "non-cat" }
    );
    assert_eq!(lines[0], expected);
    assert!(lines[1].starts_with("gray.png: "), "{}", lines[1]);

    // A model whose shapes do not fit the images.
    let small =
        tapegrad::nn::initialize_parameters_deep(&[100, 3, 1], 1, tapegrad::nn::InitScale::He)
            .unwrap();
    tapegrad::data::save_model(&dir.path().join("small.h5"), &small).unwrap();
    let line = one_line_error(&run(
        &["evaluate", "--model", "small.h5"],
        dir.path(),
        Some(&data),
    ));
    assert!(
        line.contains("small.h5") && line.contains("[100, 3, 1]") && line.contains("12288"),
        "{line}"
    );

    // A model whose activations are not the course's.
    let tanh = tapegrad::nn::initialize_parameters(12288, 3, 1, 1).unwrap();
    tapegrad::data::save_model_with_activations(
        &dir.path().join("tanh.h5"),
        &tanh,
        &[
            tapegrad::nn::Activation::Tanh,
            tapegrad::nn::Activation::Sigmoid,
        ],
    )
    .unwrap();
    let line = one_line_error(&run(
        &["evaluate", "--model", "tanh.h5"],
        dir.path(),
        Some(&data),
    ));
    assert!(
        line.contains("tanh.h5") && line.contains("activations"),
        "{line}"
    );

    // An image that cannot be decoded.
    std::fs::write(dir.path().join("fake.jpg"), b"not a jpeg at all").unwrap();
    let line = one_line_error(&run(
        &["predict", "--model", "model.h5", "fake.jpg"],
        dir.path(),
        None,
    ));
    assert!(line.contains("fake.jpg"), "{line}");
}

#[test]
fn two_layer_model_matches_the_course() {
    let _serial = serial();
    let data = common::catvnoncat_dir();
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["train", "--model", "two-layer"], dir.path(), Some(&data));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines = cost_lines(&out);
    assert_eq!(lines.len(), 25);
    for (k, (line, expected)) in lines.iter().zip(TWO_LAYER_LOG).enumerate() {
        let prefix = format!("Cost after iteration {}: ", k * 100);
        let value: f64 = line.strip_prefix(&prefix).unwrap().parse().unwrap();
        assert!(
            (value - expected).abs() <= 1e-10 * expected,
            "{line} vs {expected}"
        );
    }
    assert!(out.contains("Train accuracy: 1.0 (209/209)"), "{out}");
    assert!(out.contains("Test accuracy: 0.72 (36/50)"), "{out}");
}

#[test]
fn diverging_training_stops_with_advice() {
    let _serial = serial();
    let data = common::catvnoncat_dir();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &["train", "--learning-rate", "1000", "--iterations", "300"],
        dir.path(),
        Some(&data),
    );
    let line = one_line_error(&o);
    assert!(
        line.contains("diverged")
            && line.contains("at iteration")
            && line.contains("--learning-rate"),
        "{line}"
    );
    assert!(
        !dir.path().join("model.h5").exists(),
        "no model is saved from a diverged run"
    );
}

#[test]
fn missing_data_says_what_was_looked_for_and_how_to_fix_it() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    // $CATVNONCAT_DIR names a folder without the files.
    let line = one_line_error(&run(&["train"], dir.path(), Some(dir.path())));
    assert!(line.contains("train_catvnoncat.h5"), "{line}");
    assert!(line.contains(&dir.path().display().to_string()), "{line}");
    assert!(line.contains("from $CATVNONCAT_DIR"), "{line}");
    assert!(line.contains("--data DIR"), "{line}");
    // --data names a folder that does not exist.
    let line = one_line_error(&run(
        &["evaluate", "--model", "m.h5", "--data", "no-such-folder"],
        dir.path(),
        None,
    ));
    // The model is read first: without it, that is the error.
    assert!(line.contains("m.h5"), "{line}");
    let small =
        tapegrad::nn::initialize_parameters_deep(&[12288, 1], 1, tapegrad::nn::InitScale::He)
            .unwrap();
    tapegrad::data::save_model(&dir.path().join("m.h5"), &small).unwrap();
    let line = one_line_error(&run(
        &["evaluate", "--model", "m.h5", "--data", "no-such-folder"],
        dir.path(),
        None,
    ));
    assert!(
        line.contains("no-such-folder") && line.contains("from --data"),
        "{line}"
    );
}

#[test]
fn without_data_arguments_the_shipped_files_are_used() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let small =
        tapegrad::nn::initialize_parameters_deep(&[12288, 1], 1, tapegrad::nn::InitScale::He)
            .unwrap();
    tapegrad::data::save_model(&dir.path().join("m.h5"), &small).unwrap();
    let o = run(&["evaluate", "--model", "m.h5"], dir.path(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("/209)") && stdout(&o).contains("/50)"),
        "{}",
        stdout(&o)
    );
    // And the shipped photo is predicted on.
    let photo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/images/my_image.jpg");
    let o = run(
        &["predict", "--model", "m.h5", photo.to_str().unwrap()],
        dir.path(),
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("my_image.jpg: "), "{}", stdout(&o));
}

#[test]
fn a_dead_network_stops_with_advice_and_saves_nothing() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &["train", "--learning-rate", "10", "--iterations", "2500"],
        dir.path(),
        None,
    );
    let line = one_line_error(&o);
    assert!(
        line.contains("stuck") && line.contains("0.739068") && line.contains("--learning-rate"),
        "{line}"
    );
    // Stopped at the fifth equal report, long before 2500 iterations.
    assert!(cost_lines(&stdout(&o)).len() < 10, "{}", stdout(&o));
    assert!(!dir.path().join("model.h5").exists());
}

#[test]
fn images_of_another_size_are_named_with_both_files() {
    let _serial = serial();
    let data = common::catvnoncat_dir();
    let dir = tempfile::tempdir().unwrap();
    let small_images = |p: &Path, prefix: &str| {
        let f = hdf5::File::create(p).unwrap();
        f.new_dataset::<u8>()
            .shape([2, 32, 32, 3])
            .create(format!("{prefix}_set_x").as_str())
            .unwrap();
        let y = f
            .new_dataset::<i64>()
            .shape([2])
            .create(format!("{prefix}_set_y").as_str())
            .unwrap();
        y.write_raw(&[0i64, 1]).unwrap();
        let classes: Vec<hdf5::types::FixedAscii<7>> = ["non-cat", "cat"]
            .iter()
            .map(|c| hdf5::types::FixedAscii::from_ascii(c).unwrap())
            .collect();
        f.new_dataset::<hdf5::types::FixedAscii<7>>()
            .shape([2])
            .create("list_classes")
            .unwrap()
            .write_raw(&classes)
            .unwrap();
    };
    // The training file has 32×32 images, the test file the course's 64×64.
    let folder = folder_with(dir.path(), &data, |p| small_images(p, "train"), "mixed");
    let line = one_line_error(&run(
        &["train", "--data", folder.to_str().unwrap()],
        dir.path(),
        None,
    ));
    assert!(
        line.contains("train_catvnoncat.h5")
            && line.contains("test_catvnoncat.h5")
            && line.contains("(32, 32, 3)")
            && line.contains("(64, 64, 3)"),
        "{line}"
    );
    // Both files have 32×32 images: they agree, but not with the model's 12288 inputs.
    let folder = dir.path().join("small");
    std::fs::create_dir(&folder).unwrap();
    small_images(&folder.join("train_catvnoncat.h5"), "train");
    small_images(&folder.join("test_catvnoncat.h5"), "test");
    let line = one_line_error(&run(
        &["train", "--data", folder.to_str().unwrap()],
        dir.path(),
        None,
    ));
    assert!(
        line.contains("train_catvnoncat.h5") && line.contains("3072") && line.contains("12288"),
        "{line}"
    );
}

/// A data folder with a bad train file and a good test file (or the other way round).
fn folder_with(dir: &Path, data: &Path, train: impl FnOnce(&Path), name: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(
        data.join("test_catvnoncat.h5"),
        folder.join("test_catvnoncat.h5"),
    )
    .unwrap();
    train(&folder.join("train_catvnoncat.h5"));
    folder
}

#[test]
fn bad_data_files_get_one_clear_line() {
    let _serial = serial();
    let data = common::catvnoncat_dir();
    let dir = tempfile::tempdir().unwrap();
    type MakeFile<'a> = Box<dyn FnOnce(&Path) + 'a>;
    let cases: Vec<(&str, MakeFile, &str)> = vec![
        (
            "text",
            Box::new(|p: &Path| std::fs::write(p, "this is not HDF5\n").unwrap()),
            "train_catvnoncat.h5",
        ),
        (
            "truncated",
            Box::new(|p: &Path| {
                let bytes = std::fs::read(data.join("train_catvnoncat.h5")).unwrap();
                std::fs::write(p, &bytes[..bytes.len() / 3]).unwrap()
            }),
            "train_catvnoncat.h5",
        ),
        (
            "missing_dataset",
            Box::new(|p: &Path| {
                let f = hdf5::File::create(p).unwrap();
                f.new_dataset::<i64>()
                    .shape([209])
                    .create("train_set_y")
                    .unwrap();
            }),
            "train_set_x",
        ),
        (
            "wrong_type",
            Box::new(|p: &Path| {
                let f = hdf5::File::create(p).unwrap();
                f.new_dataset::<f32>()
                    .shape([2, 64, 64, 3])
                    .create("train_set_x")
                    .unwrap();
                f.new_dataset::<i64>()
                    .shape([2])
                    .create("train_set_y")
                    .unwrap();
            }),
            "train_set_x",
        ),
        (
            "wrong_shape",
            Box::new(|p: &Path| {
                let f = hdf5::File::create(p).unwrap();
                f.new_dataset::<u8>()
                    .shape([2, 64, 64])
                    .create("train_set_x")
                    .unwrap();
                f.new_dataset::<i64>()
                    .shape([2])
                    .create("train_set_y")
                    .unwrap();
            }),
            "train_set_x",
        ),
    ];
    for (name, make, dataset) in cases {
        let folder = folder_with(dir.path(), &data, make, name);
        let o = run(
            &["train", "--data", folder.to_str().unwrap()],
            dir.path(),
            None,
        );
        let line = one_line_error(&o);
        assert!(line.contains("train_catvnoncat.h5"), "{name}: {line}");
        assert!(line.contains(dataset), "{name}: {line}");
    }
    // A missing model file and a model file that is not HDF5.
    let line = one_line_error(&run(
        &["evaluate", "--model", "nope.h5"],
        dir.path(),
        Some(&data),
    ));
    assert!(line.contains("nope.h5"), "{line}");
    std::fs::write(dir.path().join("junk.h5"), "junk").unwrap();
    let line = one_line_error(&run(
        &["predict", "--model", "junk.h5", "x.png"],
        dir.path(),
        None,
    ));
    assert!(line.contains("junk.h5"), "{line}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (&["train", "--iterations", "many"][..], "many"),
        (&["train", "--model", "wide"], "wide"),
        (&["train", "--layers", "12288,x,1"], "'x'"),
        (&["train", "--learning-rate", "-1"], "positive"),
        (&["train", "--bogus", "1"], "--bogus"),
        (&["evaluate"], "--model"),
        (&["predict", "--model", "m.h5"], "IMAGES"),
        (&["frobnicate"], "frobnicate"),
    ] {
        let o = run(args, dir.path(), None);
        // clap's convention: usage errors exit with 2 and point at --help.
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.contains(needle) && err.contains("--help"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // Help for each command, exit 0.
    for command in ["train", "evaluate", "mislabeled", "predict"] {
        let o = run(&[command, "--help"], dir.path(), None);
        assert!(o.status.success(), "{command}");
        assert!(
            stdout(&o).contains("Usage: cat_classifier"),
            "{}",
            stdout(&o)
        );
    }
    let o = run(&["train", "--help"], dir.path(), None);
    assert!(stdout(&o).contains("--learning-rate"), "{}", stdout(&o));
}

#[test]
fn train_writes_the_graph_of_one_step() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &["train", "--iterations", "1", "--graph", "step.dot"],
        dir.path(),
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // 4 layers: W, b, matmul, broadcast_add, activation each, X, Y and the cost's ops.
    let line = out
        .lines()
        .find(|l| l.starts_with("Graph of one training step"))
        .unwrap();
    let values: usize = line.split(['(', ' ']).find_map(|w| w.parse().ok()).unwrap();
    let dot = std::fs::read_to_string(dir.path().join("step.dot")).unwrap();
    assert_eq!(dot.matches("[label=").count(), values);
    for name in ["W1", "b4", "X", "Y", "matmul", "relu", "sigmoid", "log"] {
        assert!(dot.contains(&format!("label=\"{name}\\n")), "{name}");
    }
    let svg = std::fs::read_to_string(dir.path().join("step.svg")).unwrap();
    assert_eq!(svg.matches("class=\"node\"").count(), values);
    assert!(out.contains("Rendered with Graphviz to"), "{out}");
}

#[test]
fn models_save_and_load_as_safetensors_too() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for out in ["m.h5", "m.safetensors"] {
        let o = run(
            &["train", "--iterations", "300", "--out", out],
            dir.path(),
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let eval = |model: &str| {
        let o = run(&["evaluate", "--model", model], dir.path(), None);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    // The same training saved both ways evaluates identically.
    assert_eq!(eval("m.h5"), eval("m.safetensors"));
    let (set, meta) =
        tapegrad::io::load_safetensors::<f64>(&dir.path().join("m.safetensors")).unwrap();
    assert_eq!(meta["layer_dims"], "12288,20,7,5,1");
    assert_eq!(meta["activations"], "relu,relu,relu,sigmoid");
    let h5 = tapegrad::data::load_model(&dir.path().join("m.h5")).unwrap();
    assert_eq!(set["W1"], h5.w[0]);
    std::fs::write(dir.path().join("bad.safetensors"), "junk").unwrap();
    let line = one_line_error(&run(
        &["evaluate", "--model", "bad.safetensors"],
        dir.path(),
        None,
    ));
    assert!(
        line.contains("bad.safetensors") && line.contains("safetensors"),
        "{line}"
    );
}

/// The epoch costs of mini-batch Adam (batches of 64, seed = epoch, learning rate 0.0007) on the
/// deep model, from the NumPy course code in benches/numpy_step.py:
/// `benches/.venv/bin/python benches/numpy_step.py --data data/catvnoncat --workload minibatch --epochs 2`
/// (run after `benches/compare.sh` has made the venv) printed `cost 1 0.7774705904774847` and
/// `cost 2 0.6926834633535871`.
const ADAM_EPOCH_COSTS: [f64; 2] = [0.7774705904774847, 0.6926834633535871];

#[test]
fn minibatch_adam_matches_the_numpy_course_code() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "train",
            "--optimizer",
            "adam",
            "--batch-size",
            "64",
            "--epochs",
            "2",
        ],
        dir.path(),
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let costs: Vec<f64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("Cost after epoch "))
        .enumerate()
        .map(|(k, rest)| {
            let value = rest.strip_prefix(&format!("{}: ", k + 1)).unwrap();
            value.parse().unwrap()
        })
        .collect();
    assert_eq!(costs.len(), 2, "{out}");
    for (got, expected) in costs.iter().zip(ADAM_EPOCH_COSTS) {
        // Same math, other rounding order (the tape's gradients): equal to ~1e-16.
        assert!(
            (got - expected).abs() <= 1e-12 * expected,
            "{got} vs NumPy {expected}"
        );
    }
    assert!(out.contains("Trained 2 epochs in "), "{out}");
    assert!(out.contains(" ms per epoch)"), "{out}");
    assert!(dir.path().join("model.h5").exists());
    // Adam counts epochs, not iterations: asking for both is a usage error.
    for args in [
        &["train", "--optimizer", "adam", "--iterations", "5"][..],
        &["train", "--epochs", "2", "--iterations", "5"],
        &["train", "--batch-size", "0"],
    ] {
        let o = run(args, dir.path(), None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}
