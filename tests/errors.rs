//! Every error path: the message names the op and both shapes.

use std::ops::AddAssign;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tapegrad::{Error, Tape, Tensor};

fn t(shape: &[usize]) -> Tensor {
    Tensor::ones(shape)
}

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| err.downcast_ref::<&str>().unwrap().to_string())
}

#[test]
fn matmul_inner_dimensions() {
    let e = t(&[1, 3]).try_matmul(&t(&[4, 2])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (1, 3) x (4, 2)"
    );
    assert!(matches!(e, Error::Shape { op: "matmul", .. }));
    let tape = Tape::new();
    let (a, b) = (tape.param(&t(&[1, 3])), tape.constant(&t(&[4, 2])));
    assert_eq!(
        a.try_matmul(b).unwrap_err().to_string(),
        "matmul: inner dimensions differ: (1, 3) x (4, 2)"
    );
    assert_eq!(
        panic_message(|| {
            let _ = a.matmul(b);
        }),
        "matmul: inner dimensions differ: (1, 3) x (4, 2)"
    );
    assert_eq!(
        panic_message(|| {
            let _ = t(&[1, 3]).matmul(&t(&[4, 2]));
        }),
        "matmul: inner dimensions differ: (1, 3) x (4, 2)"
    );
    let e = t(&[3]).try_matmul(&t(&[3, 1])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: expected 2-D operands: (3,) x (3, 1)"
    );
}

#[test]
fn equal_shape_ops_reject_different_shapes() {
    let tape = Tape::new();
    let (a, b) = (tape.param(&t(&[1, 3])), tape.constant(&t(&[3, 1])));
    for (name, result) in [
        ("add", a.try_add(b)),
        ("sub", a.try_sub(b)),
        ("mul", a.try_mul(b)),
        ("div", a.try_div(b)),
    ] {
        let msg = result.err().unwrap().to_string();
        assert_eq!(
            msg,
            format!("{name}: shapes differ: (1, 3) and (3, 1) (use broadcast_{name} to broadcast)")
        );
    }
    // The operators panic with the same message: a transposed label row fails loudly
    // instead of silently making an (m, m) matrix.
    assert_eq!(
        panic_message(|| {
            let _ = a * b;
        }),
        "mul: shapes differ: (1, 3) and (3, 1) (use broadcast_mul to broadcast)"
    );
    assert_eq!(
        panic_message(|| {
            let _ = a + b;
        }),
        "add: shapes differ: (1, 3) and (3, 1) (use broadcast_add to broadcast)"
    );
    assert_eq!(
        panic_message(|| {
            let _ = &t(&[2]) - &t(&[3]);
        }),
        "sub: shapes differ: (2,) and (3,) (use broadcast_sub to broadcast)"
    );
    assert!(t(&[2, 2]).try_div(&t(&[2])).is_err());
}

#[test]
fn broadcast_ops_reject_incompatible_shapes() {
    let tape = Tape::new();
    let (a, b) = (tape.param(&t(&[2, 3])), tape.constant(&t(&[4, 1])));
    for (name, result) in [
        ("broadcast_add", a.try_broadcast_add(b)),
        ("broadcast_sub", a.try_broadcast_sub(b)),
        ("broadcast_mul", a.try_broadcast_mul(b)),
        ("broadcast_div", a.try_broadcast_div(b)),
    ] {
        assert_eq!(
            result.err().unwrap().to_string(),
            format!("{name}: shapes (2, 3) and (4, 1) cannot be broadcast together (dimension 0: 2 vs 4)")
        );
    }
    assert_eq!(
        panic_message(|| {
            let _ = t(&[2, 3]).broadcast_mul(&t(&[2]));
        }),
        "broadcast_mul: shapes (2, 3) and (2,) cannot be broadcast together (dimension 1: 3 vs 2)"
    );
}

#[test]
fn bce_with_logits_shape_mismatch() {
    let tape = Tape::new();
    let (z, y) = (tape.param(&t(&[1, 4])), tape.constant(&t(&[4, 1])));
    assert_eq!(
        z.try_bce_with_logits(y).err().unwrap().to_string(),
        "bce_with_logits: shapes differ: (1, 4) and (4, 1)"
    );
}

#[test]
fn backward_needs_one_element() {
    let tape = Tape::new();
    let x = tape.param(&t(&[2, 3]));
    let e = (x * 2.0).backward().err().unwrap();
    assert_eq!(e, Error::NotScalar { shape: vec![2, 3] });
    assert_eq!(
        e.to_string(),
        "backward: the loss must have exactly one element, got shape (2, 3)"
    );
    // One element of any rank is fine.
    assert!(tape.param(&t(&[1, 1])).backward().is_ok());
}

#[test]
fn from_vec_length_mismatch() {
    let e = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[2, 2]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "from_vec: 3 elements do not fill shape (2, 2) (4 elements)"
    );
    assert!(Tensor::from_vec(Vec::<f64>::new(), &[0, 3]).is_ok());
}

#[test]
fn axes_out_of_range() {
    let x = t(&[2, 3]);
    assert_eq!(
        x.try_sum_axis(2, false).unwrap_err().to_string(),
        "sum_axis: axis 2 is out of range for shape (2, 3)"
    );
    assert_eq!(
        x.try_softmax(5).unwrap_err().to_string(),
        "softmax: axis 5 is out of range for shape (2, 3)"
    );
    let tape = Tape::new();
    assert!(tape.param(&x).try_mean_axis(2, true).is_err());
}

#[test]
fn reshape_and_item() {
    assert_eq!(
        t(&[2, 3]).try_reshape(&[4]).unwrap_err().to_string(),
        "reshape: cannot reshape (2, 3) into (4,)"
    );
    assert_eq!(
        panic_message(|| {
            let _ = t(&[2]).item();
        }),
        "item: tensor of shape (2,) does not have exactly one element"
    );
}

#[test]
fn vars_from_two_tapes() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let (a, b) = (t1.param(&t(&[2])), t2.param(&t(&[2])));
    assert_eq!(
        panic_message(|| {
            let _ = a + b;
        }),
        "add: the two values are on different tapes; record them on one tape"
    );
    assert_eq!(
        panic_message(|| {
            let _ = a.matmul(b.reshape(&[2, 1]));
        }),
        "matmul: the two values are on different tapes; record them on one tape"
    );
    let grads = (a * a).sum().backward().unwrap();
    assert_eq!(
        panic_message(|| {
            let _ = grads.wrt(b);
        }),
        "wrt: the var belongs to another tape than the loss"
    );
}

/// Runs `f`, which must panic, and returns the file and line the panic reports.
fn panic_location(f: impl FnOnce()) -> (String, u32) {
    use std::sync::{Arc, Mutex};
    static HOOK: Mutex<()> = Mutex::new(());
    let _serial = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let seen: Arc<Mutex<Option<(String, u32)>>> = Arc::default();
    let sink = seen.clone();
    let previous = std::panic::take_hook();
    // The hook is global: record only this thread's panic, not other tests'.
    let me = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == me {
            let loc = info.location().unwrap();
            *sink.lock().unwrap() = Some((loc.file().to_string(), loc.line()));
        }
    }));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    assert!(result.is_err(), "expected a panic");
    let seen = seen.lock().unwrap().clone();
    seen.expect("the hook saw the panic")
}

#[test]
fn shape_panics_point_at_the_callers_line() {
    let tape = Tape::new();
    let (a, b) = (tape.param(&t(&[1, 3])), tape.param(&t(&[4, 2])));
    let (x, y) = (t(&[2, 3]), t(&[3, 2]));
    let here = file!();
    // `case!` records the line it is written on; the panic must name that line of this file.
    macro_rules! case {
        ($e:expr) => {
            (
                line!(),
                Box::new(|| {
                    let _ = $e;
                }) as Box<dyn FnOnce() + '_>,
            )
        };
    }
    let cases = vec![
        case!(a.matmul(b)),
        case!(a + b),
        case!(a - b),
        case!(a * b),
        case!(a / b),
        case!(a.add(b)),
        case!(a.broadcast_mul(b)),
        case!(a.sum_axis(2, false)),
        case!(a.mean_axis(5, true)),
        case!(a.softmax(2)),
        case!(a.bce_with_logits(b)),
        case!(x.matmul(&x)),
        case!(&x + &y),
        case!(x.clone() * y.clone()),
        case!(x.reshape(&[7])),
        case!(x.broadcast_sub(&y)),
        case!(x.zip_with(&y, |p, q| p + q)),
        case!(x.max_axis(3, false)),
        case!(x.clone().axpy_(1.0, &y)),
        case!(AddAssign::add_assign(&mut x.clone(), &y)),
    ];
    for (line, f) in cases {
        let (file, at) = panic_location(f);
        assert_eq!((file.as_str(), at), (here, line), "case at line {line}");
    }
}

#[test]
fn errors_debug_print_their_message() {
    let e = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[2, 2]).unwrap_err();
    assert_eq!(format!("{e:?}"), e.to_string());
    assert_eq!(
        format!("{e:?}"),
        "from_vec: 3 elements do not fill shape (2, 2) (4 elements)"
    );
}

#[test]
fn owned_and_assign_operators_match_the_borrowed_ones() {
    let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    let b = Tensor::from_vec(vec![0.5, -1.0, 2.0, 8.0], &[2, 2]).unwrap();
    assert_eq!((a.clone() + b.clone()).to_vec(), vec![1.5, 1.0, 5.0, 12.0]);
    assert_eq!((a.clone() - &b).to_vec(), vec![0.5, 3.0, 1.0, -4.0]);
    assert_eq!((&a * b.clone()).to_vec(), vec![0.5, -2.0, 6.0, 32.0]);
    assert_eq!((a.clone() / 2.0).to_vec(), vec![0.5, 1.0, 1.5, 2.0]);
    let r: Tensor = 1.0 - a.clone();
    assert_eq!(r.to_vec(), vec![0.0, -1.0, -2.0, -3.0]);
    assert_eq!((-a.clone()).to_vec(), vec![-1.0, -2.0, -3.0, -4.0]);
    let mut c = a.clone();
    c += &b;
    c -= b.clone();
    assert_eq!(c, a);
    c *= 3.0;
    c /= &a;
    assert_eq!(c.to_vec(), vec![3.0; 4]);
    c -= 1.0;
    c += 0.5;
    assert_eq!(c.to_vec(), vec![2.5; 4]);
    // The assign forms do not change a tensor that shared the storage.
    let shared = a.clone();
    let mut d = a.clone();
    d *= &b;
    assert_eq!(shared.to_vec(), vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(d.to_vec(), vec![0.5, -2.0, 6.0, 32.0]);
    let f32s = Tensor::<f32>::ones(&[2]) * 0.25f32;
    assert_eq!((2.0f32 * f32s).to_vec(), vec![0.5, 0.5]);
}

#[test]
fn update_parameters_names_both_layer_counts() {
    use tapegrad::nn::{update_parameters, Parameters};
    let mut params = Parameters {
        w: vec![t(&[2, 3]), t(&[1, 2])],
        b: vec![t(&[2, 1]), t(&[1, 1])],
    };
    let grads = Parameters {
        w: vec![t(&[2, 3])],
        b: vec![t(&[2, 1])],
    };
    let msg = panic_message(|| update_parameters(&mut params, &grads, 0.1));
    assert_eq!(
        msg,
        "update_parameters: the parameters have 2 weights and 2 biases but the gradients 1 and 1"
    );
}

#[test]
fn select_narrow_and_dropout_name_the_op_and_the_values() {
    let x = t(&[2, 3]);
    assert_eq!(
        x.try_select(1, &[0, 3]).unwrap_err().to_string(),
        "select: index 3 (position 1) is out of bounds for axis 1 of size 3 in shape (2, 3)"
    );
    assert_eq!(
        x.try_select(2, &[0]).unwrap_err().to_string(),
        "select: axis 2 is out of range for shape (2, 3)"
    );
    assert_eq!(
        x.try_narrow(1, 2, 2).unwrap_err().to_string(),
        "narrow: 2..2+2 is out of bounds for axis 1 of size 3 in shape (2, 3)"
    );
    let tape = Tape::new();
    let v = tape.param(&x);
    assert!(v
        .try_select(0, &[2])
        .unwrap_err()
        .to_string()
        .contains("index 2"));
    let mut rng = tapegrad::rng::NumpyRng::new(1);
    for kp in [0.0, -0.5, 1.5, f64::NAN] {
        let e = v.try_dropout(kp, &mut rng).unwrap_err().to_string();
        assert!(
            e.starts_with("dropout: keep_prob must be in (0, 1], got"),
            "{e}"
        );
    }
    let e = v
        .try_dropout_with_mask(&t(&[3, 2]), 0.5)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "dropout_with_mask: the mask's shape (3, 2) differs from the value's (2, 3)"
    );
    // keep_prob = 1 keeps everything.
    assert_eq!(v.dropout(1.0, &mut rng).value(), x);
}
