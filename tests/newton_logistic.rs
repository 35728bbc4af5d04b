//! End-to-end test of `examples/newton_logistic`: gradient descent's log against the course's
//! printed costs, Newton-CG's first step against a closed form computed here with plain tensor
//! code, and the plot. `cargo test` builds the example before running this.

mod common;

use std::path::PathBuf;
use std::process::Command;

use tapegrad::Tensor;

fn binary() -> PathBuf {
    common::example_binary("newton_logistic")
}

/// The cost `−(1/m)Σ(y ln a + (1 − y) ln(1 − a))` at `(w, b)`, plain tensor code.
fn course_cost(w: &Tensor, b: f64, x: &Tensor, y: &Tensor) -> f64 {
    let a = w.t().matmul(x).add_scalar(b).sigmoid();
    let m = y.len() as f64;
    let terms = &(y * &a.log()) + &(&(1.0 - y) * &(1.0 - &a).log());
    -terms.sum().item() / m
}

#[test]
fn gradient_descent_matches_the_course_and_newton_cg_its_closed_form_first_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .args(["--newton-steps", "3"])
        .current_dir(dir.path())
        .env_remove("CATVNONCAT_DIR")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The course's week-2 costs for zero init, α = 0.005 (docs/course.md §4).
    let course = [
        "0.693147", "0.584508", "0.466949", "0.376007", "0.331463", "0.303273", "0.279880",
        "0.260042", "0.242941", "0.228004", "0.214820", "0.203078", "0.192544", "0.183033",
        "0.174399", "0.166521", "0.159305", "0.152667", "0.146542", "0.140872",
    ];
    for (k, cost) in course.iter().enumerate() {
        let line = format!("Cost after iteration {}: {cost}", 100 * k);
        assert!(log.contains(&line), "missing {line:?} in\n{log}");
    }
    // 207/209 and 35/50.
    assert!(
        log.contains("gradient descent  ") && log.contains("99.04 %    70.00 %"),
        "{log}"
    );

    // Newton-CG's first step from zero: the loose first solve (tolerance 0.5·|g|) stops after
    // one conjugate-gradient iteration, which is the exact line minimum of the quadratic model
    // along −g: d = −(gᵀg / gᵀHg)·g, with g and H·g in closed form at a = ½:
    // g = (1/m)·X̃(a − y), H·g = (1/m)·X̃·diag(a(1 − a))·X̃ᵀ·g.
    let data = tapegrad::data::load_catvnoncat(&common::catvnoncat_dir()).unwrap();
    let (x, y) = (&data.train.x, &data.train.y);
    let m = y.len() as f64;
    let r = y.map(|y| 0.5 - y);
    let gw = x.matmul(&r.t()).div_scalar(m);
    let gb = r.sum().item() / m;
    let xtg = x.t().matmul(&gw).add_scalar(gb); // X̃ᵀ·g, (m, 1)
    let q = xtg.mul_scalar(0.25 / m);
    let (hw, hb) = (x.matmul(&q), q.sum().item());
    let gg = (&gw * &gw).sum().item() + gb * gb;
    let ghg = (&gw * &hw).sum().item() + gb * hb;
    let alpha = gg / ghg;
    let step1 = course_cost(&gw.mul_scalar(-alpha), -alpha * gb, x, y);
    let line = format!("step 1: cost {step1:.6}  (1 Hessian-vector product, step length 1");
    assert!(log.contains(&line), "missing {line:?} in\n{log}");

    // Every Newton step lowers the cost.
    let costs: Vec<f64> = log
        .lines()
        .filter_map(|l| l.trim().strip_prefix("step "))
        .map(|l| l.split("cost ").nth(1).unwrap()[..8].parse().unwrap())
        .collect();
    assert_eq!(costs.len(), 4, "{log}");
    assert!(costs.windows(2).all(|w| w[1] < w[0]), "{costs:?}");

    let png = image::open(dir.path().join("newton_logistic.png")).unwrap();
    assert_eq!((png.width(), png.height()), (640, 480));
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let out = Command::new(binary())
        .args(["--newton-steps", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: --newton-steps"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .args(["--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("train_catvnoncat.h5"), "{err}");
}
