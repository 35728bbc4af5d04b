//! The course's later notebooks, their data: NumPy's legacy `permutation`, `shuffle`, `rand`,
//! `normal`, `randint` and `linspace` against the vectors of docs/course2.md §1, and the data
//! sets (planar flower, moons, circles, football) against their fingerprints (§2): sha256 of the
//! float64 little-endian bytes, row-major, of the `(n, 2)` array (the flower's: of `(2, n)`).

use sha2::{Digest, Sha256};
use tapegrad::datasets::{
    bundled_football_path, load_football, load_planar_dataset, make_circles, make_moons,
};
use tapegrad::rng::NumpyRng;
use tapegrad::Tensor;

fn sha256_hex(values: impl IntoIterator<Item = f64>) -> String {
    let mut h = Sha256::new();
    for v in values {
        h.update(v.to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of the `(n, 2)` array whose transpose is our `(2, n)` `x`.
fn fingerprint_rows(x: &Tensor) -> String {
    sha256_hex(x.t().to_vec())
}

#[test]
fn permutation_vectors() {
    let cases: [(u32, [usize; 10]); 4] = [
        (0, [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]),
        (1, [2, 9, 6, 4, 0, 3, 1, 7, 8, 5]),
        (3, [5, 4, 1, 2, 9, 6, 7, 0, 3, 8]),
        (10, [8, 2, 5, 6, 3, 1, 0, 7, 4, 9]),
    ];
    for (seed, want) in cases {
        assert_eq!(NumpyRng::new(seed).permutation(10), want, "seed {seed}");
    }
    let p = NumpyRng::new(0).permutation(148);
    assert_eq!(p[..10], [24, 7, 37, 114, 27, 26, 43, 54, 132, 71]);
    let mut sorted = p.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..148).collect::<Vec<_>>());
    // n ≤ 1 draws nothing.
    let mut rng = NumpyRng::new(7);
    assert_eq!(rng.permutation(1), [0]);
    assert!(rng.permutation(0).is_empty());
    assert_eq!(rng.next_u32(), NumpyRng::new(7).next_u32());
}

#[test]
fn shuffle_is_permutation_applied_in_place() {
    let mut rows = vec!["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    NumpyRng::new(0).shuffle(&mut rows);
    let order = NumpyRng::new(0).permutation(10);
    let expected: Vec<&str> = order
        .iter()
        .map(|&i| ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][i])
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn rand_normal_randint_and_raw_words() {
    let u = NumpyRng::new(1).rand(&[3]).to_vec();
    assert_eq!(
        u,
        [
            0.417022004702574,
            0.7203244934421581,
            0.00011437481734488664
        ]
    );
    let n = NumpyRng::new(1).normal(1.5, 0.2, &[2]).to_vec();
    assert_eq!(n, [1.8248690727326484, 1.377648717269985]);
    let mut rng = NumpyRng::new(5);
    let words: Vec<u32> = (0..4).map(|_| rng.next_u32()).collect();
    assert_eq!(words, [953453411, 236996814, 3739766767, 3570525885]);
    // NumPy's 64-bit word: the first draw is the high half.
    let mut rng = NumpyRng::new(5);
    assert_eq!(rng.next_u64_numpy(), (953453411u64 << 32) | 236996814);
    let r = NumpyRng::new(5).randint(0, 1 << 40, 3).unwrap();
    assert_eq!(r, [425438759118, 1030067709629, 989404716150]);
    let e = NumpyRng::new(5).randint(3, 3, 1).unwrap_err().to_string();
    assert!(e.contains("randint") && e.contains("[3, 3)"), "{e}");
}

#[test]
fn raw_word_samplers_leave_the_gaussian_cache_alone() {
    // gauss() keeps the second of a pair; shuffle/rand/randint in between do not clear it.
    let mut a = NumpyRng::new(4);
    let first = a.gauss();
    let _ = a.permutation(20);
    let _ = a.rand(&[3]);
    let _ = a.randint(0, 10, 2).unwrap();
    let mut b = NumpyRng::new(4);
    b.gauss();
    assert_eq!(a.gauss(), b.gauss());
    assert_ne!(first, b.gauss());
}

#[test]
fn linspace_as_numpy() {
    // The last value is `stop` exactly; the others are i·step + start.
    let l = Tensor::<f64>::linspace(0.0, std::f64::consts::PI, 7).to_vec();
    let step = std::f64::consts::PI / 6.0;
    for (i, &v) in l.iter().enumerate().take(6) {
        assert_eq!(v, i as f64 * step);
    }
    assert_eq!(l[6], std::f64::consts::PI);
    let open = Tensor::<f64>::linspace_endpoint(1.0, 2.0, 3, false).to_vec();
    let step = 1.0 / 3.0;
    assert_eq!(open, [1.0, step + 1.0, 2.0 * step + 1.0]);
    assert_eq!(Tensor::<f64>::linspace(2.5, 9.0, 1).to_vec(), [2.5]);
    assert!(Tensor::<f64>::linspace(0.0, 1.0, 0).is_empty());
}

#[test]
fn planar_flower() {
    let (x, y) = load_planar_dataset();
    assert_eq!(x.shape(), &[2, 400]);
    assert_eq!(y.shape(), &[1, 400]);
    assert_eq!(
        (x.get(&[0, 0]), x.get(&[1, 0])),
        (1.204442292254319, 3.5761141481288448)
    );
    assert_eq!(
        (x.get(&[0, 399]), x.get(&[1, 399])),
        (0.7307808250007513, 3.0683292081876545)
    );
    // This one is of the (2, 400) array itself.
    assert_eq!(
        sha256_hex(x.to_vec()),
        "8360ecab429e96da034019dc3a983b230ffb002eb7aa1a4e93cdad9d585ccf07"
    );
    let y = y.to_vec();
    assert!(y[..200].iter().all(|&v| v == 0.0) && y[200..].iter().all(|&v| v == 1.0));
}

#[track_caller]
fn check_set(x: &Tensor, first: (f64, f64), last: (f64, f64), sha: &str) {
    let n = x.shape()[1];
    assert_eq!((x.get(&[0, 0]), x.get(&[1, 0])), first);
    assert_eq!((x.get(&[0, n - 1]), x.get(&[1, n - 1])), last);
    assert_eq!(fingerprint_rows(x), sha);
}

#[test]
fn moons_and_circles_as_the_notebooks_draw_them() {
    let (x, y) = make_moons(300, 0.2, &mut NumpyRng::new(3));
    check_set(
        &x,
        (-0.21687013460912397, 1.0154493742029873),
        (0.547725598273234, 0.3481746137071188),
        "088afedfc1390a03685aa6eeedc8400b0f87975b7908dec17ad6d20711b6d4f4",
    );
    assert_eq!(
        y.to_vec()[..10],
        [0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    );
    assert_eq!(y.to_vec().iter().sum::<f64>(), 150.0);

    let (x, y) = make_circles(300, 0.05, 0.8, &mut NumpyRng::new(1));
    check_set(
        &x,
        (-0.07741354010048114, 0.8526022642742742),
        (-0.061145412565262895, 0.9298264080659127),
        "91191c9807c45ed201f81fd023bc92ee9a4b67312900d816b5816ee572423c47",
    );
    assert_eq!(
        y.to_vec()[..10],
        [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    );

    let (x, _) = make_circles(100, 0.05, 0.8, &mut NumpyRng::new(2));
    check_set(
        &x,
        (-0.5242373850862546, -0.6091036148461817),
        (0.3438483715909715, -0.9192735912720769),
        "8b98e93439732f9e0c737baf4c92a54f383ee24340ef7cd390136a05bca22c24",
    );
}

#[test]
fn football_ships_and_loads_in_the_course_layout() {
    let path = bundled_football_path();
    let bytes = std::fs::read(&path).unwrap();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sha,
        "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"
    );
    let d = load_football(&path).unwrap();
    assert_eq!(d.train_x.shape(), &[2, 211]);
    assert_eq!(d.train_y.shape(), &[1, 211]);
    assert_eq!(d.test_x.shape(), &[2, 200]);
    assert_eq!(d.test_y.shape(), &[1, 200]);
    for y in [&d.train_y, &d.test_y] {
        assert!(y.to_vec().iter().all(|&v| v == 0.0 || v == 1.0));
    }
    // Both classes occur, and the points lie on the half pitch (|x| < 1, |y| < 1).
    assert!(d.train_y.to_vec().contains(&0.0) && d.train_y.to_vec().contains(&1.0));
    assert!(d.train_x.to_vec().iter().all(|v| v.abs() < 1.0));
}

#[test]
fn football_bad_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.mat");
    std::fs::write(&junk, b"not a MATLAB file").unwrap();
    let e = load_football(&junk).unwrap_err().to_string();
    assert!(e.contains("junk.mat") && e.contains("MATLAB"), "{e}");
    let missing = dir.path().join("none.mat");
    let e = load_football(&missing).unwrap_err().to_string();
    assert!(e.contains("none.mat") && e.contains("cannot open"), "{e}");
    // A truncated copy of the real file.
    let bytes = std::fs::read(bundled_football_path()).unwrap();
    let cut = dir.path().join("cut.mat");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = load_football(&cut).unwrap_err().to_string();
    assert!(e.contains("cut.mat"), "{e}");
}
