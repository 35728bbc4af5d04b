//! Helpers shared by the integration tests. Use with `mod common;` at the top of a test file.
//!
//! Tests that need the course's data call [`catvnoncat_dir`]: it finds the data through the
//! `CATVNONCAT_DIR` environment variable only, skips the test (returns `None`, with a note on
//! stderr) when the data is not there, and fails it when running in CI (`CI=true`), where the
//! data must be present.

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use std::path::PathBuf;

/// The environment variable naming the folder that holds the course's cat / non-cat files.
pub const CATVNONCAT_ENV: &str = "CATVNONCAT_DIR";

/// The files [`catvnoncat_dir`] requires in that folder.
pub const CATVNONCAT_FILES: [&str; 2] = ["train_catvnoncat.h5", "test_catvnoncat.h5"];

/// The folder holding `train_catvnoncat.h5` and `test_catvnoncat.h5`, from `CATVNONCAT_DIR`.
///
/// When the variable is unset or empty, or the folder lacks either file:
/// - with `CI=true` it panics (`CI=true but CATVNONCAT_DIR ...`), so CI cannot pass silently
///   without the data;
/// - otherwise it prints `skipping: ... set CATVNONCAT_DIR` to stderr and returns `None`; the
///   caller should `return` (the test then passes without checking anything).
///
/// ```ignore
/// let Some(dir) = common::catvnoncat_dir() else { return };
/// ```
pub fn catvnoncat_dir() -> Option<PathBuf> {
    let problem = match std::env::var_os(CATVNONCAT_ENV) {
        None => format!("{CATVNONCAT_ENV} is not set"),
        Some(v) if v.is_empty() => format!("{CATVNONCAT_ENV} is empty"),
        Some(v) => {
            let dir = PathBuf::from(v);
            let missing: Vec<&str> = CATVNONCAT_FILES
                .iter()
                .copied()
                .filter(|f| !dir.join(f).is_file())
                .collect();
            if missing.is_empty() {
                return Some(dir);
            }
            format!(
                "{CATVNONCAT_ENV}={} has no data: {} missing",
                dir.display(),
                missing.join(", ")
            )
        }
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but {problem}; CI must set {CATVNONCAT_ENV} to the folder holding {}",
            CATVNONCAT_FILES.join(" and ")
        );
    }
    eprintln!(
        "skipping: {problem}; set {CATVNONCAT_ENV} to the folder holding {} to run this test",
        CATVNONCAT_FILES.join(" and ")
    );
    None
}

/// The inputs of COURSE.md §3.6 (`L_model_forward` test case): seed 6, then `X(5,4)`,
/// `W1(4,5)`, `b1(4,1)`, `W2(3,4)`, `b2(3,1)`, `W3(1,3)`, `b3(1,1)` drawn in that order.
pub fn l_model_forward_inputs() -> (tapegrad::Tensor, tapegrad::nn::Parameters) {
    let mut rng = tapegrad::rng::NumpyRng::new(6);
    let x = rng.randn(&[5, 4]);
    let mut p = tapegrad::nn::Parameters {
        w: vec![],
        b: vec![],
    };
    for (n, n_prev) in [(4, 5), (3, 4), (1, 3)] {
        p.w.push(rng.randn(&[n, n_prev]));
        p.b.push(rng.randn(&[n, 1]));
    }
    (x, p)
}
