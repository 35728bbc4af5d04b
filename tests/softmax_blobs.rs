//! The model-of-your-own recipe (`examples/softmax_blobs.rs`) runs, learns and saves.

mod common;

use std::process::Command;

fn binary() -> std::path::PathBuf {
    common::example_binary("softmax_blobs")
}

#[test]
fn the_recipe_learns_and_saves_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(binary())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let losses: Vec<f64> = out
        .lines()
        .filter_map(|l| l.split("mean loss ").nth(1))
        .map(|v| v.parse().unwrap())
        .collect();
    // Three well-separated blobs: the loss falls by a factor of 4, accuracy well above 90 %.
    assert!(
        losses.len() >= 3 && losses.last().unwrap() * 4.0 < losses[0],
        "{out}"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("train accuracy"))
        .unwrap();
    let accs: Vec<f64> = line
        .split([' ', ','])
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(accs.len() == 2 && accs.iter().all(|&a| a > 0.93), "{line}");
    let (set, meta) =
        tapegrad::io::load_safetensors::<f64>(&dir.path().join("blobs.safetensors")).unwrap();
    assert_eq!(set.len(), 6);
    assert_eq!(set["W1"].shape(), &[16, 2]);
    assert_eq!(meta["model"], "2-16-16-3 ReLU MLP");

    let o = Command::new(binary())
        .args(["--epochs", "1", "--out", "no/such/folder/m.safetensors"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines().count() == 1 && err.contains("no/such/folder"),
        "{err}"
    );
}
