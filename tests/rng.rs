//! `NumpyRng` against NumPy's legacy generator: every test vector of docs/course.md §6 bit for bit,
//! the Gaussian cache's carry-over and reset, the course's printed initializations (§3.1–§3.3),
//! the full-size init fingerprints (§4), and use through `rand` / `rand_distr`.
//!
//! NumPy is not installed on the machine these were written on, so there is no live comparison
//! with NumPy; the vectors below were produced by NumPy (docs/course.md says each was re-derived in
//! NumPy float64) and by the MT19937 reference code.

use rand::{Rng, RngCore};
use rand_distr::{Distribution, StandardNormal, Uniform};
use tapegrad::rng::NumpyRng;

/// Asserts bit-for-bit equality (`==` on f64, with the index in the message).
#[track_caller]
fn assert_exact(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "lengths differ");
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(a == b, "element {i}: got {a:?}, want {b:?}");
    }
}

/// Asserts `got` prints as `printed` with 8 decimals: |a − b| ≤ 0.5e-8 per element (plus 1e-15
/// for the binary rounding of the decimal literal itself).
#[track_caller]
fn assert_printed(got: &[f64], printed: &[f64]) {
    assert_eq!(got.len(), printed.len(), "lengths differ");
    for (i, (a, b)) in got.iter().zip(printed).enumerate() {
        assert!(
            (a - b).abs() <= 0.5e-8 + 1e-15,
            "element {i}: got {a:?}, printed {b:?}"
        );
    }
}

/// Asserts `|got − want| ≤ rel · |want|`.
#[track_caller]
fn assert_rel(got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "got {got:?}, want {want:?} (relative {rel:e})"
    );
}

/// `n` draws of a `u32` source.
fn u32s(rng: &mut NumpyRng, n: usize) -> Vec<u32> {
    (0..n).map(|_| rng.next_u32()).collect()
}

/// Left-to-right sum (docs/course.md's sums are compared at 1e-12 relative, so any order does).
fn sum(v: &[f64]) -> f64 {
    v.iter().sum()
}

// ---------------------------------------------------------------------------------------------
// docs/course.md §6 test vectors, bit for bit.

#[test]
fn seed_1_next_u32() {
    let mut rng = NumpyRng::new(1);
    assert_eq!(
        u32s(&mut rng, 4),
        [1791095845, 4282876139, 3093770124, 4005303368]
    );
}

#[test]
fn seed_3_next_u32() {
    let mut rng = NumpyRng::new(3);
    assert_eq!(
        u32s(&mut rng, 4),
        [2365658986, 303761048, 3041471737, 3607553667]
    );
}

#[test]
fn seed_1_rand_2() {
    let mut rng = NumpyRng::new(1);
    let t = rng.rand(&[2]);
    assert_eq!(t.shape(), &[2]);
    assert_exact(&t.to_vec(), &[0.417022004702574, 0.7203244934421581]);
    // next_f64 is the same draw.
    let mut rng = NumpyRng::new(1);
    assert!(rng.next_f64() == 0.417022004702574);
    assert!(rng.next_f64() == 0.7203244934421581);
}

#[test]
fn seed_1_randn_10() {
    let mut rng = NumpyRng::new(1);
    let t = rng.randn(&[10]);
    assert_eq!(t.shape(), &[10]);
    assert_exact(
        &t.to_vec(),
        &[
            1.6243453636632417,
            -0.6117564136500754,
            -0.5281717522634557,
            -1.0729686221561705,
            0.8654076293246785,
            -2.3015386968802827,
            1.74481176421648,
            -0.7612069008951028,
            0.31903909605709857,
            -0.2493703754774101,
        ],
    );
}

#[test]
fn seed_2_randn_5() {
    let mut rng = NumpyRng::new(2);
    assert_exact(
        &rng.randn(&[5]).to_vec(),
        &[
            -0.4167578474054706,
            -0.056266827226329474,
            -2.136196095668454,
            1.6402708084049886,
            -1.7934355851948631,
        ],
    );
}

#[test]
fn seed_3_randn_10() {
    let mut rng = NumpyRng::new(3);
    assert_exact(
        &rng.randn(&[10]).to_vec(),
        &[
            1.7886284734303186,
            0.43650985051198943,
            0.09649746807200862,
            -1.8634927033644908,
            -0.27738820251439905,
            -0.35475897926898675,
            -0.08274148148245977,
            -0.6270006768238473,
            -0.04381816897592824,
            -0.47721803035950267,
        ],
    );
}

#[test]
fn seed_6_randn_5() {
    let mut rng = NumpyRng::new(6);
    assert_exact(
        &rng.randn(&[5]).to_vec(),
        &[
            -0.3117836734875166,
            0.7290039236125041,
            0.217820788076002,
            -0.899091796547139,
            -2.486780651627865,
        ],
    );
}

#[test]
fn mt19937_reference_outputs_across_many_twists() {
    // The reference MT19937 with init_genrand(5489): first output 3499211612, and the 10000th
    // is 4123659995 (the value C++'s std::mt19937 is required to produce), 16 twists later.
    let mut rng = NumpyRng::new(5489);
    assert_eq!(rng.next_u32(), 3499211612);
    for _ in 1..9999 {
        rng.next_u32();
    }
    assert_eq!(rng.next_u32(), 4123659995);
}

// ---------------------------------------------------------------------------------------------
// The Gaussian cache.

#[test]
fn gaussian_cache_carries_over_between_calls() {
    let mut split = NumpyRng::new(1);
    let mut got = split.randn(&[3]).to_vec();
    got.extend(split.randn(&[1]).to_vec());
    let whole = NumpyRng::new(1).randn(&[4]).to_vec();
    assert_exact(&got, &whole);

    // Odd splits everywhere, and the vec / scalar forms agree with the tensor form.
    let mut rng = NumpyRng::new(1);
    let mut got = vec![rng.gauss()];
    got.extend(rng.randn_vec(2));
    got.extend(rng.randn(&[1, 3]).to_vec());
    got.extend(rng.randn(&[]).to_vec());
    assert_exact(&got, &NumpyRng::new(1).randn_vec(7));
}

#[test]
fn reseeding_clears_the_gaussian_cache() {
    // After an odd number of Gaussians a value is kept; seed() must drop it.
    let mut rng = NumpyRng::new(3);
    rng.randn(&[3]);
    rng.seed(1);
    assert_exact(&rng.randn_vec(4), &NumpyRng::new(1).randn_vec(4));

    // Reseeding with the same seed restarts the same stream.
    let mut rng = NumpyRng::new(2);
    let first = rng.randn_vec(5);
    rng.seed(2);
    assert_exact(&rng.randn_vec(5), &first);
}

#[test]
fn uniforms_do_not_touch_the_gaussian_cache() {
    // NumPy's legacy random_sample leaves has_gauss alone: after an odd randn, a rand() call
    // draws fresh words while the kept Gaussian is still returned next.
    let whole = NumpyRng::new(1).randn_vec(2);
    let mut rng = NumpyRng::new(1);
    let g0 = rng.gauss();
    rng.rand(&[3]);
    let g1 = rng.gauss();
    assert_exact(&[g0, g1], &whole);
}

#[test]
fn shapes() {
    let mut rng = NumpyRng::new(0);
    let t = rng.randn(&[2, 3, 4]);
    assert_eq!(t.shape(), &[2, 3, 4]);
    assert_eq!(t.to_vec().len(), 24);
    assert_eq!(rng.rand(&[]).shape(), &[] as &[usize]);
    // A zero-sized shape draws nothing.
    let mut a = NumpyRng::new(0);
    let mut b = NumpyRng::new(0);
    assert!(a.randn(&[3, 0]).to_vec().is_empty());
    assert!(a.rand(&[0]).to_vec().is_empty());
    assert_eq!(a.next_u32(), b.next_u32());
    // Uniforms are in [0, 1).
    let u = NumpyRng::new(7).rand(&[1000]).to_vec();
    assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
}

#[test]
fn clone_continues_the_same_stream() {
    let mut a = NumpyRng::new(4);
    a.gauss(); // leave a kept Gaussian in the state
    let mut b = a.clone();
    assert_exact(&a.randn_vec(9), &b.randn_vec(9));
    assert!(format!("{a:?}").starts_with("NumpyRng"));
}

// ---------------------------------------------------------------------------------------------
// The course's printed initializations (docs/course.md §3, 8 decimals).

#[test]
fn course_3_1_initialize_parameters_3_2_1() {
    let mut rng = NumpyRng::new(1);
    let w1: Vec<f64> = rng
        .randn(&[2, 3])
        .to_vec()
        .iter()
        .map(|x| x * 0.01)
        .collect();
    let w2: Vec<f64> = rng
        .randn(&[1, 2])
        .to_vec()
        .iter()
        .map(|x| x * 0.01)
        .collect();
    assert_printed(
        &w1,
        &[
            0.01624345,
            -0.00611756,
            -0.00528172,
            -0.01072969,
            0.00865408,
            -0.02301539,
        ],
    );
    assert_printed(&w2, &[0.01744812, -0.00761207]);
}

#[test]
fn course_3_2_initialize_parameters_deep_5_4_3() {
    let mut rng = NumpyRng::new(3);
    let w1: Vec<f64> = rng
        .randn(&[4, 5])
        .to_vec()
        .iter()
        .map(|x| x * 0.01)
        .collect();
    let w2: Vec<f64> = rng
        .randn(&[3, 4])
        .to_vec()
        .iter()
        .map(|x| x * 0.01)
        .collect();
    #[rustfmt::skip]
    assert_printed(&w1, &[
        0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388,
        -0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218,
        -0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034,
        -0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068,
    ]);
    #[rustfmt::skip]
    assert_printed(&w2, &[
        -0.01185047, -0.0020565, 0.01486148, 0.00236716,
        -0.01023785, -0.00712993, 0.00625245, -0.00160513,
        -0.00768836, -0.00230031, 0.00745056, 0.01976111,
    ]);
}

#[test]
fn course_3_3_initialize_parameters_deep_3_2_3_times_0_05() {
    let mut rng = NumpyRng::new(3);
    let w1: Vec<f64> = rng
        .randn(&[2, 3])
        .to_vec()
        .iter()
        .map(|x| x * 0.05)
        .collect();
    let w2: Vec<f64> = rng
        .randn(&[3, 2])
        .to_vec()
        .iter()
        .map(|x| x * 0.05)
        .collect();
    #[rustfmt::skip]
    assert_printed(&w1, &[
        0.08943142, 0.02182549, 0.00482487,
        -0.09317464, -0.01386941, -0.01773795,
    ]);
    #[rustfmt::skip]
    assert_printed(&w2, &[
        -0.00413707, -0.03135003,
        -0.00219091, -0.0238609,
        -0.06569324, 0.04423112,
    ]);
}

// ---------------------------------------------------------------------------------------------
// docs/course.md §4 init fingerprints, at full size.

#[test]
fn course_4_two_layer_init_fingerprint() {
    let mut rng = NumpyRng::new(1);
    let w1: Vec<f64> = rng
        .randn(&[7, 12288])
        .to_vec()
        .iter()
        .map(|x| x * 0.01)
        .collect();
    let w2: Vec<f64> = rng
        .randn(&[1, 7])
        .to_vec()
        .iter()
        .map(|x| x * 0.01)
        .collect();
    assert_exact(
        &w1[..5],
        &[
            0.01624345363663242,
            -0.006117564136500754,
            -0.005281717522634557,
            -0.010729686221561705,
            0.008654076293246785,
        ],
    );
    assert_rel(sum(&w1), 2.421608176704326, 1e-12);
    assert_exact(
        &w2,
        &[
            -0.008533065088761125,
            0.026267755393225116,
            0.00144462274133704,
            0.02815821542661361,
            -4.482470369058102e-05,
            0.0156583537165925,
            -0.0029008464298936926,
        ],
    );
}

#[test]
fn course_4_l_layer_init_fingerprint() {
    let dims = [12288usize, 20, 7, 5, 1];
    let mut rng = NumpyRng::new(1);
    let ws: Vec<Vec<f64>> = dims
        .windows(2)
        .map(|p| {
            // Division by sqrt(n_{l-1}), not multiplication by its inverse (docs/course.md §2.1).
            let root = (p[0] as f64).sqrt();
            let w = rng.randn(&[p[1], p[0]]);
            assert_eq!(w.shape(), &[p[1], p[0]]);
            w.to_vec().iter().map(|x| x / root).collect()
        })
        .collect();
    assert_exact(
        &ws[0][..5],
        &[
            0.014653378640123331,
            -0.0055187145328023605,
            -0.004764689114807226,
            -0.009679355044279483,
            0.007806926996083735,
        ],
    );
    assert_rel(sum(&ws[0]), 7.373509610089014, 1e-12);
    assert_exact(
        &ws[3],
        &[
            -0.38423553330727866,
            -0.019751508080455768,
            0.5008105331955379,
            0.8976636752163728,
            0.018698163198335283,
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// As a rand / rand_distr generator.

#[test]
fn rng_core_word_order() {
    // next_u64: the first draw is the low word, the second the high word.
    let mut rng = NumpyRng::new(1);
    assert_eq!(
        RngCore::next_u64(&mut rng),
        (4282876139u64 << 32) | 1791095845
    );
    assert_eq!(RngCore::next_u32(&mut rng), 3093770124);

    // fill_bytes: little-endian bytes of successive u32 draws, the last one truncated.
    let words = u32s(&mut NumpyRng::new(3), 3);
    let want: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    for len in 0..=12 {
        let mut buf = vec![0u8; len];
        NumpyRng::new(3).fill_bytes(&mut buf);
        assert_eq!(buf, want[..len], "fill_bytes of {len} bytes");
    }
}

#[test]
fn works_with_rand_distr_and_is_deterministic() {
    let draw = |seed: u32| {
        let mut rng = NumpyRng::new(seed);
        let uniform = Uniform::new(-2.0, 3.0).unwrap();
        let u: Vec<f64> = (0..100).map(|_| uniform.sample(&mut rng)).collect();
        let n: Vec<f64> = (0..100).map(|_| StandardNormal.sample(&mut rng)).collect();
        let k: Vec<u32> = (0..100).map(|_| rng.random_range(0..10)).collect();
        (u, n, k)
    };
    let (u, n, k) = draw(42);
    assert!(u.iter().all(|&x| (-2.0..3.0).contains(&x)));
    assert!(n.iter().all(|x| x.is_finite()));
    assert!(k.iter().all(|&x| x < 10));
    let (u2, n2, k2) = draw(42);
    assert_exact(&u, &u2);
    assert_exact(&n, &n2);
    assert_eq!(k, k2);
    // A different seed gives a different stream.
    assert_ne!(draw(43).0, u);
    // rand_distr's StandardNormal is a ziggurat: not NumPy's randn.
    let numpy = NumpyRng::new(42).randn_vec(100);
    let mut rng = NumpyRng::new(42);
    let zig: Vec<f64> = (0..100).map(|_| rng.sample(StandardNormal)).collect();
    assert_ne!(zig, numpy);
}
