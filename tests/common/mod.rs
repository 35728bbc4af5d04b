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
