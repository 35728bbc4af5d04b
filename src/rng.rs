//! NumPy's legacy random generator, bit for bit: `np.random.seed(s)` then `np.random.randn`,
//! `np.random.rand`.
//!
//! The course's printed matrices come from this generator, so reproducing them needs its exact
//! algorithm: MT19937 seeded with `init_genrand`, doubles from two 32-bit draws (53 bits), and
//! the polar Box–Muller method, which makes Gaussians in pairs and keeps the second for the
//! next call — across `randn` calls, until the next seed. `rand`'s own `f64` sampling (53 bits
//! from one 64-bit draw) and `rand_distr`'s `StandardNormal` (a ziggurat) give other numbers.
//!
//! ```
//! use tapegrad::rng::NumpyRng;
//! let mut rng = NumpyRng::new(3);
//! let w1 = rng.randn(&[4, 5]).map(|x| x * 0.01);
//! // The course's initialize_parameters_deep([5, 4, 3]) prints
//! // W1 = [[ 0.01788628  0.0043651   0.00096497 -0.01863493 -0.00277388] ...
//! let printed = [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388];
//! for (a, b) in w1.to_vec().iter().zip(printed) {
//!     assert!((a - b).abs() <= 0.5e-8);
//! }
//! ```

use rand::RngCore;

use crate::Tensor;

const N: usize = 624;
const M: usize = 397;

/// NumPy's legacy `RandomState`: the Mersenne Twister MT19937 with NumPy's seeding, uniform
/// doubles and Gaussian samples.
#[derive(Clone)]
pub struct NumpyRng {
    mt: [u32; N],
    pos: usize,
    /// The second Gaussian of the last polar pair, returned by the next `gauss` call.
    cached_gauss: Option<f64>,
}

impl NumpyRng {
    /// A generator in the state `np.random.seed(seed)` leaves NumPy's.
    pub fn new(seed: u32) -> Self {
        let mut rng = NumpyRng {
            mt: [0; N],
            pos: N,
            cached_gauss: None,
        };
        rng.seed(seed);
        rng
    }

    /// Reseeds like `np.random.seed(seed)` (`init_genrand`), clearing the kept Gaussian.
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

    /// Regenerates all 624 words at once, as the reference implementation does.
    fn twist(&mut self) {
        for k in 0..N {
            let y = (self.mt[k] & 0x8000_0000) | (self.mt[(k + 1) % N] & 0x7fff_ffff);
            let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
            self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    /// The next tempered 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let mut y = self.mt[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// A uniform double in `[0, 1)` with 53 random bits from two draws (`random_sample`).
    pub fn next_f64(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// One standard normal sample by NumPy's legacy polar method.
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
        // The same operation order as NumPy's C code: ((-2 ln r2) / r2), then sqrt.
        let f = (-2.0 * r2.ln() / r2).sqrt();
        self.cached_gauss = Some(f * x1);
        f * x2
    }

    /// `n` successive Gaussian samples.
    pub fn randn_vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.gauss()).collect()
    }

    /// `np.random.randn(*shape)`: Gaussian samples filled row-major.
    pub fn randn(&mut self, shape: &[usize]) -> Tensor<f64> {
        let data = self.randn_vec(shape.iter().product());
        Tensor::from_vec(data, shape).expect("the length is the product of the shape")
    }

    /// `np.random.rand(*shape)`: uniform samples in `[0, 1)` filled row-major.
    pub fn rand(&mut self, shape: &[usize]) -> Tensor<f64> {
        let data = (0..shape.iter().product())
            .map(|_| self.next_f64())
            .collect();
        Tensor::from_vec(data, shape).expect("the length is the product of the shape")
    }
}

impl std::fmt::Debug for NumpyRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRng")
            .field("pos", &self.pos)
            .field("cached_gauss", &self.cached_gauss)
            .finish()
    }
}

/// Plugs the generator into `rand` and `rand_distr` (their samplers draw their own way; only
/// [`NumpyRng::randn`] and [`NumpyRng::rand`] match NumPy).
impl RngCore for NumpyRng {
    fn next_u32(&mut self) -> u32 {
        NumpyRng::next_u32(self)
    }

    /// Two draws, the first as the low word.
    fn next_u64(&mut self) -> u64 {
        let lo = u64::from(NumpyRng::next_u32(self));
        let hi = u64::from(NumpyRng::next_u32(self));
        (hi << 32) | lo
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let bytes = NumpyRng::next_u32(self).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}
