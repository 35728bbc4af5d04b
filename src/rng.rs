//! NumPy's legacy random generator, bit for bit: `np.random.seed(s)`, then `randn`, `rand`,
//! `normal`, `permutation`, `shuffle` and `randint`.
//!
//! The course's printed matrices come from this generator, so reproducing them needs its exact
//! algorithm (docs/course.md §6): MT19937 seeded with `init_genrand`, doubles built from two 32-bit
//! draws (53 bits), and the polar Box–Muller method, which makes Gaussians in pairs and keeps the
//! second one for the next call — across `randn` calls, until the next seed.
//!
//! Why not `rand`'s own samplers: `rand`'s `f64` takes 53 bits from *one* 64-bit draw, and
//! `rand_distr::StandardNormal` is a ziggurat sampler. Both are good generators, but they turn
//! the same stream of bits into different numbers than NumPy does, so the course's expected
//! outputs would not come out. [`NumpyRng`] also implements [`rand::RngCore`], so it still
//! drives `rand`/`rand_distr` distributions (with *their* algorithms, not NumPy's).
//!
//! ```
//! use tapegrad::rng::NumpyRng;
//! let mut rng = NumpyRng::new(3);
//! let w1 = rng.randn(&[4, 5]);
//! // The course's initialize_parameters_deep([5, 4, 3]) prints, with 8 decimals,
//! // W1 = [[ 0.01788628  0.0043651   0.00096497 -0.01863493 -0.00277388] ...
//! let printed = [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388];
//! let first_row = &w1.to_vec()[..5];
//! for (a, b) in first_row.iter().zip(printed) {
//!     assert!((a * 0.01 - b).abs() <= 0.5e-8);
//! }
//! ```

use rand::rand_core::impls;
use rand::RngCore;

use crate::error::{Error, Result};
use crate::Tensor;

/// Words of MT19937 state.
const N: usize = 624;
/// The twist's middle offset.
const M: usize = 397;
/// The twist matrix's last row (`0x9908b0df`), XORed in when the shifted word's low bit is set.
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// NumPy's legacy `RandomState`: the Mersenne Twister MT19937 with NumPy's seeding, its uniform
/// doubles and its polar-method Gaussians.
///
/// Same seed, same calls, same numbers as `np.random.seed(seed)` followed by the matching
/// `np.random.*` calls, down to the last bit.
#[derive(Clone)]
pub struct NumpyRng {
    mt: [u32; N],
    /// Index of the next word to temper; `N` means "twist first".
    pos: usize,
    /// The second Gaussian of the last polar pair, returned by the next [`gauss`](Self::gauss)
    /// call (NumPy's `has_gauss`/`gauss` pair).
    cached_gauss: Option<f64>,
}

impl NumpyRng {
    /// A generator in the state `np.random.seed(seed)` leaves NumPy's in.
    pub fn new(seed: u32) -> Self {
        let mut rng = NumpyRng {
            mt: [0; N],
            pos: N,
            cached_gauss: None,
        };
        rng.seed(seed);
        rng
    }

    /// Reseeds like `np.random.seed(seed)` (MT19937's `init_genrand`) and forgets the kept
    /// Gaussian, as NumPy does.
    pub fn seed(&mut self, seed: u32) {
        self.mt[0] = seed;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.pos = N;
        self.cached_gauss = None;
    }

    /// Regenerates all 624 words in one pass, in place, like the reference code. Split in three
    /// stretches so no index needs a `% N`: word `k` mixes `k`, `k + 1` and `k + M` (wrapped).
    /// Words below `k` are already new, which is what MT19937 specifies.
    fn twist(&mut self) {
        #[inline(always)]
        fn mix(upper: u32, lower: u32, far: u32) -> u32 {
            let y = (upper & UPPER_MASK) | (lower & LOWER_MASK);
            // `0u32.wrapping_sub(y & 1)` is all ones when the low bit is set: a branch-free
            // `if y & 1 { MATRIX_A } else { 0 }`.
            far ^ (y >> 1) ^ (0u32.wrapping_sub(y & 1) & MATRIX_A)
        }
        let mt = &mut self.mt;
        for k in 0..N - M {
            mt[k] = mix(mt[k], mt[k + 1], mt[k + M]);
        }
        for k in N - M..N - 1 {
            mt[k] = mix(mt[k], mt[k + 1], mt[k + M - N]);
        }
        mt[N - 1] = mix(mt[N - 1], mt[0], mt[M - 1]);
        self.pos = 0;
    }

    /// The next tempered 32-bit output of MT19937 (the reference code's `genrand_int32`, the
    /// raw draw underneath every NumPy legacy sampler).
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let mut y = self.mt[self.pos];
        self.pos += 1;
        // Tempering: makes the output equidistributed in the high bits.
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A uniform double in `[0, 1)` from two draws: the top 27 bits of the first and the top
    /// 26 of the second (NumPy's `random_sample`, i.e. `np.random.rand()`).
    pub fn next_f64(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        // Both steps are exact in f64: a * 2^26 + b < 2^53, and dividing by 2^53 only changes
        // the exponent.
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// One standard normal sample by NumPy's legacy polar method (`np.random.randn()`).
    ///
    /// Each accepted pair of uniforms yields two Gaussians: this returns the second and keeps
    /// the first for the next call. The kept one survives across [`randn`](Self::randn) calls
    /// until [`seed`](Self::seed).
    pub fn gauss(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        let (x1, x2, r2) = loop {
            let x1 = 2.0 * self.next_f64() - 1.0;
            let x2 = 2.0 * self.next_f64() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                break (x1, x2, r2);
            }
        };
        // NumPy's C code evaluates `sqrt(-2.0 * log(r2) / r2)` left to right; any other order
        // (e.g. `-2.0 * (log(r2) / r2)`) changes last bits. `f64::ln` is the C library's `log`.
        let f = (-2.0 * r2.ln() / r2).sqrt();
        self.cached_gauss = Some(f * x1);
        f * x2
    }

    /// `n` successive [`gauss`](Self::gauss) samples: `np.random.randn(n)` as a `Vec`.
    pub fn randn_vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.gauss()).collect()
    }

    /// `np.random.randn(*shape)`: successive Gaussian samples filled row-major. An empty
    /// shape gives a scalar (one draw), a zero in the shape gives an empty tensor (no draw).
    pub fn randn(&mut self, shape: &[usize]) -> Tensor<f64> {
        let data = self.randn_vec(shape.iter().product());
        // The length is the product of the shape by construction, so this cannot fail.
        Tensor::from_vec(data, shape).expect("randn: length is the product of the shape")
    }

    /// NumPy's 64-bit draw: two [`next_u32`](Self::next_u32) draws, the **first as the high
    /// word**. (The [`RngCore::next_u64`] of this type puts it in the low word, rand's
    /// convention; the NumPy-exact samplers here use this one.)
    pub fn next_u64_numpy(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// A uniform integer in `[0, max]` by NumPy's masked rejection (`random_interval`): draw
    /// 32 bits (64 when `max` needs them), keep the low bits up to `max`'s highest set bit,
    /// retry while above `max`. `max = 0` draws nothing.
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        if max <= u64::from(u32::MAX) {
            loop {
                let v = u64::from(self.next_u32()) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.next_u64_numpy() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// `np.random.shuffle(x)`: Fisher–Yates from the end, `x[i] ↔ x[interval(i)]` for
    /// `i = n−1 … 1`. For a 2-D array, pass its rows: NumPy swaps rows with the same draws.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        for i in (1..x.len()).rev() {
            let j = self.interval(i as u64) as usize;
            x.swap(i, j);
        }
    }

    /// `np.random.permutation(n)`: `0..n` shuffled by [`shuffle`](Self::shuffle).
    ///
    /// ```
    /// use tapegrad::rng::NumpyRng;
    /// assert_eq!(NumpyRng::new(0).permutation(10), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    /// ```
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }

    /// `np.random.randint(lo, hi, n)`: `n` integers uniform in `[lo, hi)`, each
    /// `lo + interval(hi − lo − 1)`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `hi <= lo` (NumPy's "low >= high").
    pub fn randint(&mut self, lo: i64, hi: i64, n: usize) -> Result<Vec<i64>> {
        if hi <= lo {
            return Err(Error::Invalid(format!(
                "randint: the range [{lo}, {hi}) is empty: lo must be below hi"
            )));
        }
        let max = hi.wrapping_sub(lo).wrapping_sub(1) as u64;
        Ok((0..n)
            .map(|_| lo.wrapping_add(self.interval(max) as i64))
            .collect())
    }

    /// `np.random.normal(loc, scale, shape)`: `loc + scale·gauss()` for each element,
    /// row-major, sharing [`gauss`](Self::gauss)'s kept sample.
    pub fn normal(&mut self, loc: f64, scale: f64, shape: &[usize]) -> Tensor<f64> {
        let data = (0..shape.iter().product())
            .map(|_| loc + scale * self.gauss())
            .collect();
        Tensor::from_vec(data, shape).expect("normal: length is the product of the shape")
    }

    /// `np.random.rand(*shape)`: successive uniform samples in `[0, 1)`
    /// ([`next_f64`](Self::next_f64)) filled row-major. Does not touch the kept Gaussian.
    pub fn rand(&mut self, shape: &[usize]) -> Tensor<f64> {
        let data = (0..shape.iter().product())
            .map(|_| self.next_f64())
            .collect();
        // The length is the product of the shape by construction, so this cannot fail.
        Tensor::from_vec(data, shape).expect("rand: length is the product of the shape")
    }
}

/// Shows the position in the state and the kept Gaussian, not the 624 state words.
impl std::fmt::Debug for NumpyRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRng")
            .field("pos", &self.pos)
            .field("cached_gauss", &self.cached_gauss)
            .finish_non_exhaustive()
    }
}

/// Plugs the generator into `rand` and `rand_distr`. Their distributions draw their own way
/// (e.g. `StandardNormal` is a ziggurat), so only [`NumpyRng::randn`], [`NumpyRng::rand`] and
/// friends match NumPy; this is for reproducible sampling from one seeded stream.
impl RngCore for NumpyRng {
    /// Same as [`NumpyRng::next_u32`].
    fn next_u32(&mut self) -> u32 {
        NumpyRng::next_u32(self)
    }

    /// Two draws, the **first as the low word**, the second as the high word (rand_core's
    /// `next_u64_via_u32` convention, which keeps [`fill_bytes`](RngCore::fill_bytes) equal to
    /// the little-endian bytes of successive `u32` draws). This is for rand's distributions;
    /// NumPy puts the first draw in the high word: see [`NumpyRng::next_u64_numpy`].
    fn next_u64(&mut self) -> u64 {
        impls::next_u64_via_u32(self)
    }

    /// Little-endian bytes of successive draws: `dest` gets the bytes of `next_u32`,
    /// `next_u32`, ... in order, the last draw truncated.
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }
}
