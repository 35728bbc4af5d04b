//! End-to-end tests of the later notebooks' example programs: each run's printed log and
//! accuracies against the notebooks' (docs/course2.md §8), its pictures, and its errors.
//! `%f` logs must equal the notebook's as strings (the planar log up to iteration 6000, after
//! which it is chaotic, §9.1); repr logs within 1e-10 relative; accuracies exactly.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn binary(name: &str) -> PathBuf {
    common::example_binary(name)
}

fn run(name: &str, args: &[&str], cwd: &Path) -> Output {
    Command::new(binary(name))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The values after `prefix N: ` on the lines that start with `prefix`.
fn values<'a>(out: &'a str, prefix: &str) -> Vec<&'a str> {
    out.lines()
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.rsplit(": ").next().unwrap())
        .collect()
}

#[track_caller]
fn assert_repr_log(got: &[&str], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        let g: f64 = g.parse().unwrap();
        assert!((g - w).abs() <= 1e-10 * w.abs(), "{g} vs {w}");
    }
}

/// The lines between `start` (a run's title line) and the next title, for one run's output.
fn section<'a>(out: &'a str, start: &str) -> &'a str {
    let from = out
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {out}"));
    &out[from..]
}

#[track_caller]
fn assert_png(path: &Path) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(img.width() >= 400 && img.height() >= 300);
}

#[test]
fn planar_reproduces_the_notebook() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&run("planar", &[], dir.path()));
    let log = values(&out, "Cost after iteration");
    assert_eq!(log.len(), 10);
    assert_eq!(
        log[..7],
        ["0.693162", "0.258625", "0.239334", "0.230802", "0.225528", "0.221845", "0.219094"]
    );
    // After 6000 the run is chaotic: within 2e-4 of the notebook's (docs/course2.md §9.1).
    for (g, w) in log[7..].iter().zip([0.220590, 0.219405, 0.218524]) {
        assert!((g.parse::<f64>().unwrap() - w).abs() <= 2e-4, "{g} vs {w}");
    }
    assert!(out.contains("Accuracy: 90%"), "{out}");
    assert!(
        out.contains("Accuracy of logistic regression: 47 %"),
        "{out}"
    );
    let sweep = values(&out, "Accuracy for ");
    assert_eq!(
        sweep[..5],
        ["67.5 %", "67.25 %", "90.75 %", "90.5 %", "91.25 %"]
    );
    // Sizes 20 and 50 are chaotic too (the notebook's runs: 90.0–91 and 90.25–90.5).
    for acc in &sweep[5..] {
        let a: f64 = acc.trim_end_matches(" %").parse().unwrap();
        assert!((89.0..=92.0).contains(&a), "{acc}");
    }
    assert_png(&dir.path().join("planar_boundary.png"));
    assert_png(&dir.path().join("planar_hidden_sizes.png"));
}

#[test]
fn initialization_reproduces_the_notebook() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&run("initialization", &[], dir.path()));
    let zeros = section(&out, "Training with zeros");
    // The notebook's repr of ln 2, and one last-digit wobble at i = 10000.
    let mut want = vec![std::f64::consts::LN_2; 15];
    want[10] = 0.6931471805599455;
    assert_repr_log(&values(zeros, "Cost after iteration")[..15], &want);
    let random = section(&out, "Training with random");
    let log = values(random, "Cost after iteration");
    assert_eq!(log[0], "inf");
    // After the overflow the public runs disagree at the 3rd digit (§9.6): within 5e-3.
    let want = [
        0.6248, 0.5980, 0.5638, 0.5501, 0.5444, 0.5374, 0.4716, 0.3977, 0.3935, 0.3920, 0.3891,
        0.3861, 0.3850, 0.3828,
    ];
    for (g, w) in log[1..15].iter().zip(want) {
        assert!((g.parse::<f64>().unwrap() - w).abs() <= 5e-3, "{g} vs {w}");
    }
    let he = section(&out, "Training with he");
    assert_repr_log(
        &values(he, "Cost after iteration"),
        &[
            0.8830537463419761,
            0.6879825919728063,
            0.6751286264523371,
            0.6526117768893807,
            0.6082958970572938,
            0.5304944491717495,
            0.4138645817071794,
            0.3117803464844441,
            0.23696215330322562,
            0.18597287209206836,
            0.15015556280371817,
            0.12325079292273552,
            0.09917746546525932,
            0.08457055954024274,
            0.07357895962677362,
        ],
    );
    let accuracies = values(&out, "Accuracy");
    assert_eq!(
        accuracies,
        ["0.5", "0.5", "0.83", "0.86", "0.9933333333333333", "0.96"]
    );
    assert_png(&dir.path().join("initialization_boundaries.png"));
    assert_png(&dir.path().join("initialization_costs.png"));
}

#[test]
fn regularization_reproduces_the_notebook() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&run("regularization", &[], dir.path()));
    let runs = [
        (
            "Model without regularization",
            [0.6557412523481002, 0.16329987525724204, 0.13851642423234922],
            ["0.9478672985781991", "0.915"],
        ),
        (
            "Model with L2",
            [0.6974484493131264, 0.2684918873282238, 0.26809163371273004],
            ["0.9383886255924171", "0.93"],
        ),
        (
            "Model with dropout",
            [0.6543912405149825, 0.0610169865749056, 0.060582435798513114],
            ["0.9289099526066351", "0.95"],
        ),
    ];
    for (title, log, accuracy) in runs {
        let s = section(&out, title);
        assert_repr_log(&values(s, "Cost after iteration")[..3], &log);
        assert_eq!(values(s, "Accuracy")[..2], accuracy, "{title}");
    }
    assert_png(&dir.path().join("regularization_boundaries.png"));
    assert_png(&dir.path().join("regularization_costs.png"));

    // Bad input: a keep_prob outside (0, 1], a data file that is not MATLAB.
    let o = run(
        "regularization",
        &[
            "--only",
            "dropout",
            "--keep-prob",
            "1.5",
            "--iterations",
            "1",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("keep_prob") && err.contains("1.5"),
        "{err}"
    );
    std::fs::write(dir.path().join("junk.mat"), "junk").unwrap();
    let o = run("regularization", &["--data", "junk.mat"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines().count() == 1 && err.contains("junk.mat"),
        "{err}"
    );
}

#[test]
fn optimization_reproduces_the_notebook() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(&run("optimization", &[], dir.path()));
    /// A run's title, its cost log, its learning-rate log and its accuracy.
    type Expected<'a> = (&'a str, [&'a str; 5], Option<[&'a str; 5]>, Option<&'a str>);
    let runs: [Expected; 7] = [
        (
            "Gradient Descent optimization",
            ["0.702405", "0.668101", "0.635288", "0.600491", "0.573367"],
            None,
            Some("0.7166666666666667"),
        ),
        (
            "Momentum optimization",
            ["0.702413", "0.668167", "0.635388", "0.600591", "0.573444"],
            None,
            Some("0.7166666666666667"),
        ),
        (
            "Adam optimization",
            ["0.702166", "0.167845", "0.141316", "0.138788", "0.136066"],
            None,
            Some("0.9433333333333334"),
        ),
        (
            "Gradient Descent with learning rate decay",
            ["0.701091", "0.661884", "0.658620", "0.656765", "0.655486"],
            Some(["0.100000", "0.000100", "0.000050", "0.000033", "0.000025"]),
            Some("0.6533333333333333"),
        ),
        (
            "Gradient Descent with scheduled",
            ["0.701091", "0.127161", "0.120304", "0.117033", "0.117512"],
            Some(["0.100000", "0.050000", "0.033333", "0.025000", "0.020000"]),
            // No public print of these two accuracies; docs/course2.md §8 gives these.
            Some("0.9433333333333334"),
        ),
        (
            "Momentum with scheduled",
            ["0.702226", "0.128974", "0.125965", "0.123375", "0.123218"],
            None,
            Some("0.9533333333333334"),
        ),
        (
            "Adam with scheduled",
            ["0.699346", "0.130074", "0.129826", "0.129282", "0.128361"],
            Some(["0.010000", "0.005000", "0.003333", "0.002500", "0.002000"]),
            Some("0.94"),
        ),
    ];
    for (title, log, rates, accuracy) in runs {
        let s = section(&out, title);
        assert_eq!(values(s, "Cost after epoch")[..5], log, "{title}");
        if let Some(rates) = rates {
            assert_eq!(
                values(s, "learning rate after epoch")[..5],
                rates,
                "{title}"
            );
        }
        if let Some(acc) = accuracy {
            assert_eq!(values(s, "Accuracy")[0], acc, "{title}");
        }
    }
    assert_png(&dir.path().join("optimization_boundaries.png"));
    assert_png(&dir.path().join("optimization_costs.png"));
    let o = run("optimization", &["--mini-batch-size", "0"], dir.path());
    assert_eq!(o.status.code(), Some(2), "a usage error");
}
