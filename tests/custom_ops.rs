//! Custom ops behave like built-in ones; stop-gradient; frozen parameters; the tape's picture.

use tapegrad::{Error, Tape, Tensor, Var};

/// y = 3x with a correct backward, recorded as a custom op.
fn triple<'t>(x: Var<'t>) -> Var<'t> {
    let y = x.value().mul_scalar(3.0);
    x.tape()
        .custom("triple", &[x], y, |g, _| vec![Some(g.mul_scalar(3.0))])
}

#[test]
fn a_custom_op_is_recorded_like_a_built_in() {
    let tape = Tape::new();
    let x = tape.param(&Tensor::from_vec(vec![1.0, 2.0], &[2]).unwrap());
    // Reused values accumulate: d/dx (3x + 3x) = 6.
    let y = triple(x) + triple(x);
    assert_eq!(
        y.sum().backward().unwrap().wrt(x).unwrap().to_vec(),
        [6.0, 6.0]
    );
    // No input needs a gradient: nothing to do backwards.
    let c = tape.constant(&Tensor::ones(&[2]));
    let z = triple(c);
    assert!(!z.requires_grad());
    assert!(z.sum().backward().unwrap().wrt(c).is_none());
}

#[test]
fn a_wrong_backward_is_an_error_naming_the_op() {
    let tape = Tape::new();
    let x = tape.param(&Tensor::ones(&[2, 3]));
    let bad = tape.custom("bad_shape", &[x], x.value(), |g, _| {
        vec![Some(g.reshape(&[6]))]
    });
    let e = bad.sum().backward().unwrap_err();
    assert!(matches!(e, Error::Shape { op: "backward", .. }));
    assert_eq!(
        e.to_string(),
        "backward: op bad_shape: its backward returned a gradient of shape (6,) for input 0 of shape (2, 3)"
    );
    let tape = Tape::new();
    let x = tape.param(&Tensor::ones(&[2]));
    let bad = tape.custom("bad_count", &[x], x.value(), |g, _| {
        vec![Some(g.clone()), None]
    });
    assert_eq!(
        bad.sum().backward().unwrap_err().to_string(),
        "backward: op bad_count: its backward returned 2 gradients for 1 inputs"
    );
}

#[test]
fn needs_tells_which_inputs_want_a_gradient() {
    let tape = Tape::new();
    let (a, b) = (
        tape.param(&Tensor::ones(&[2])),
        tape.constant(&Tensor::ones(&[2])),
    );
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = seen.clone();
    let y = tape.custom("add2", &[a, b], &a.value() + &b.value(), move |g, needs| {
        log.borrow_mut().push(needs.to_vec());
        [needs[0].then(|| g.clone()), needs[1].then(|| g.clone())]
    });
    y.sum().backward().unwrap();
    assert_eq!(*seen.borrow(), [vec![true, false]]);
}

#[test]
fn detach_stops_the_gradient() {
    let tape = Tape::new();
    let x = tape.param(&Tensor::from_vec(vec![2.0, -1.0], &[2]).unwrap());
    let d = x.detach();
    assert!(!d.requires_grad());
    assert_eq!(d.value(), x.value());
    // d/dx (x · stop(x)) = stop(x) = x, not 2x.
    let g = (x * d).sum().backward().unwrap();
    assert_eq!(g.wrt(x).unwrap().to_vec(), [2.0, -1.0]);
}

#[test]
fn frozen_layers_get_zero_gradients() {
    let p = tapegrad::nn::initialize_parameters_deep(&[3, 4, 1], 1, tapegrad::nn::InitScale::He)
        .unwrap();
    let x = Tensor::ones(&[3, 2]);
    let tape = Tape::new();
    let vars = p.on_tape_training(&tape, |l| l == 2);
    let (al, _) = tapegrad::nn::model::l_model_forward(tape.constant(&x), &vars);
    let grads = vars.grads(&al.sum().backward().unwrap());
    assert!(grads.w[0].to_vec().iter().all(|&v| v == 0.0));
    assert!(grads.w[1].to_vec().iter().any(|&v| v != 0.0));
    assert!(!vars.w[0].requires_grad() && vars.w[1].requires_grad());
}

#[test]
fn to_dot_draws_every_value() {
    let tape = Tape::new();
    let w = tape.param_named("W1", &Tensor::ones(&[2, 3]));
    let x = tape.constant_named("X", &Tensor::ones(&[3, 4]));
    let c = tape.constant(&Tensor::ones(&[2, 4]));
    let cc = c * c; // depends only on constants: records no backward
    let loss = (w.matmul(x) + cc).sigmoid().mean();
    let grads = loss.backward().unwrap();
    let dot = tape.to_dot(loss, Some(&grads));
    let nodes = dot
        .lines()
        .filter(|l| l.trim_start().starts_with('n') && l.contains("[label"))
        .count();
    assert_eq!(nodes, tape.len());
    assert!(dot.contains("n0 [label=\"W1\\n(2, 3)\\n‖g‖ ="), "{dot}");
    assert!(dot.contains("shape=box, style=filled, fillcolor=\"#cfe2f3\""));
    assert!(dot.contains("label=\"X\\n(3, 4)\", shape=box, style=\"filled,dashed\""));
    assert!(
        dot.contains("n3 [label=\"mul\\n(2, 4)\", shape=ellipse, style=dashed"),
        "{dot}"
    );
    assert!(
        dot.contains("n4 [label=\"matmul\\n(2, 4)\", shape=ellipse]"),
        "{dot}"
    );
    assert!(dot.contains("peripheries=2"));
    for edge in ["n0 -> n4", "n1 -> n4", "n2 -> n3", "n4 -> n5", "n3 -> n5"] {
        assert!(dot.contains(edge), "{edge} in {dot}");
    }
    // c·c draws two edges from c.
    assert_eq!(dot.matches("->").count(), 8);
}

/// The course's 4-layer model on the first 16 real images: the DOT text renders with
/// Graphviz (installed by `.ci/run` and `make test`), one SVG node per value on the tape.
#[test]
#[cfg(feature = "hdf5")]
fn the_course_models_graph_renders_with_graphviz() {
    let data = tapegrad::data::load_catvnoncat(&tapegrad::data::bundled_data_dir()).unwrap();
    let cols: Vec<usize> = (0..16).collect();
    let (x, y) = (data.train.x.select(1, &cols), data.train.y.select(1, &cols));
    let p = tapegrad::nn::initialize_parameters_deep(
        &[12288, 20, 7, 5, 1],
        1,
        tapegrad::nn::InitScale::DivSqrtFanIn,
    )
    .unwrap();
    let tape = Tape::new();
    let vars = p.on_tape_named(&tape);
    let (al, _) = tapegrad::nn::model::l_model_forward(tape.constant_named("X", &x), &vars);
    let cost = tapegrad::nn::model::compute_cost(al, tape.constant_named("Y", &y));
    let grads = cost.backward().unwrap();
    let dot = tape.to_dot(cost, Some(&grads));
    let dir = tempfile::tempdir().unwrap();
    let (dot_path, svg_path) = (dir.path().join("g.dot"), dir.path().join("g.svg"));
    std::fs::write(&dot_path, &dot).unwrap();
    let status = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_path)
        .arg("-o")
        .arg(&svg_path)
        .status()
        .expect("Graphviz's dot must be installed (apt-get install graphviz)");
    assert!(status.success());
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains("<svg"));
    assert_eq!(svg.matches("class=\"node\"").count(), tape.len());
    assert_eq!(
        svg.matches("class=\"edge\"").count(),
        dot.matches("->").count()
    );
}
