//! What every example program shares: the pictures, the progress bar, and how a run ends
//! (one `error:` line on stderr and exit code 1).

#![allow(dead_code)] // each example uses a part

pub mod plot;

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use tapegrad::nn::{self, Parameters};
use tapegrad::Tensor;

/// A progress bar on stderr when it is a terminal, else a hidden one (so logs and tests see
/// only the printed lines). `unit` names what is counted ("iterations", "epochs").
pub fn progress(len: usize, unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let template =
        format!("{{bar:40}} {{pos}}/{{len}} {unit} {{msg}} [{{elapsed_precise}} < {{eta}}]");
    ProgressBar::new(len as u64)
        .with_style(ProgressStyle::with_template(&template).expect("a valid template"))
}

/// Prints `line` above the progress bar (or plainly when the bar is hidden).
pub fn say(bar: &ProgressBar, line: &str) {
    if bar.is_hidden() {
        println!("{line}");
    } else {
        bar.println(line);
    }
}

/// Ends `main`: success, or the error's chain on one line and exit code 1.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a warning returned by a picture (e.g. no font), if any.
pub fn warn(warning: Option<String>) {
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
}

/// The Course 2 notebooks' accuracy lines: `On the {split} set:` then `Accuracy: {mean}`
/// (Python's `str` of the fraction right).
pub fn print_accuracy(split: &str, x: &Tensor, y: &Tensor, params: &Parameters) {
    let right = nn::accuracy(&nn::predict(x, params), y);
    println!("On the {split} set:");
    println!(
        "Accuracy: {}",
        plot::python_str(right as f64 / y.shape()[1] as f64)
    );
}
