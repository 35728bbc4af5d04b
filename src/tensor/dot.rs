//! Matrix products as dot products of two contiguous streams.
//!
//! When row `i` of A and column `j` of B each lie in one contiguous run of memory, `C[i][j]`
//! is a dot product of two streams and nothing needs copying into panels first. Products
//! whose C is small on both sides but whose inner dimension is long come here: the backward
//! `dW = dZ·A_prevᵀ` of the small layers (k = the number of examples), and `W1·bx` of a
//! mini-batch (20 × 64, k = 12288) reading the column-major batch that `random_mini_batches`
//! writes. (Products with one long side of C go to the outer-product kernel, `outer`.)
//!
//! Every element of C is summed in the same order — `L` running partial sums over `k`, combined
//! pairwise, then the leftover `k`s — whichever tile it falls in and whichever thread computes
//! it, so the result does not depend on the thread count.

use super::kernels::Banded;
use super::simd::{on_lanes, Isa, Lanes};
use super::Element;

/// Inner-dimension block: a tile's columns of B for one block stay in L1 while every row tile
/// of A passes over them.
const KC: usize = 512;

/// One product: row `i` of A starts at `a + i·lda`, column `j` of B at `b + j·ldb`, both `k`
/// long and contiguous; `C[i][j]` is at `c + i·rsc + j·csc`.
#[derive(Clone, Copy)]
pub(crate) struct Problem<T> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub a: *const T,
    pub lda: usize,
    pub b: *const T,
    pub ldb: usize,
    pub c: *mut T,
    pub rsc: usize,
    pub csc: usize,
}

// SAFETY: a problem is only shared between the threads of one product; they read A and B and
// each writes its own band of C.
unsafe impl<T> Send for Problem<T> {}
unsafe impl<T> Sync for Problem<T> {}

impl<T: Element> Banded for Problem<T> {
    fn dims(&self) -> (usize, usize, usize) {
        (self.m, self.k, self.n)
    }

    unsafe fn band(&self, isa: Isa, rows: (usize, usize), cols: (usize, usize)) {
        let p = self;
        on_lanes!(isa, p: Problem, band_avx512, band_avx2, band, (rows, cols))
    }
}

/// One zmm register per partial-sum vector; 4×3 tiles keep 12 of them live, with the four
/// rows of A and a column of B 17 of the 32 registers. (4×4 tiles need 21, and the compiler
/// then kept one accumulator on the stack in the inner loop.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn band_avx512<T: Element, S: Lanes<T>>(
    p: &Problem<T>,
    rows: (usize, usize),
    cols: (usize, usize),
) {
    // SAFETY: forwarded.
    unsafe { band::<T, S, 4, 3>(p, rows, cols) }
}

/// One ymm register per partial-sum vector; 3×4 tiles keep 12 of them live.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn band_avx2<T: Element, S: Lanes<T>>(
    p: &Problem<T>,
    rows: (usize, usize),
    cols: (usize, usize),
) {
    // SAFETY: forwarded.
    unsafe { band::<T, S, 3, 4>(p, rows, cols) }
}

/// The rows × cols part of C, in MR×NR tiles (and 1-wide tiles at the edges), one block of
/// `k` at a time. The long side is the outer loop and streams from memory once; the short
/// side's block is copied, once per block, into a buffer with a row stride that is not a
/// multiple of 4 KiB, so it stays in L1 while the long side passes (rows 4 KiB apart, like
/// those of W1 with its 12288 columns, would all compete for the same few cache sets).
#[inline(always)]
unsafe fn band<T: Element, S: Lanes<T>, const MR: usize, const NR: usize>(
    p: &Problem<T>,
    (r0, r1): (usize, usize),
    (c0, c1): (usize, usize),
) {
    let rows_outer = r1 - r0 >= c1 - c0;
    let short = if rows_outer { c1 - c0 } else { r1 - r0 };
    let ld = KC.min(p.k).next_multiple_of(8) + 8;
    let mut pack = vec![T::ZERO; short * ld];
    for k0 in (0..p.k.max(1)).step_by(KC) {
        let len = KC.min(p.k - k0);
        // SAFETY: rows r0..r1 of A and columns c0..c1 of B exist, each k long.
        unsafe {
            let (src, stride) = if rows_outer {
                (p.b.add(c0 * p.ldb + k0), p.ldb)
            } else {
                (p.a.add(r0 * p.lda + k0), p.lda)
            };
            for x in 0..short {
                std::ptr::copy_nonoverlapping(
                    src.add(x * stride),
                    pack.as_mut_ptr().add(x * ld),
                    len,
                );
            }
        }
        // Row i of A and column j of B at k0, from the copy or from the operand itself.
        let a_at = |i: usize| -> *const T {
            if rows_outer {
                p.a.wrapping_add(i * p.lda + k0)
            } else {
                pack.as_ptr().wrapping_add((i - r0) * ld)
            }
        };
        let b_at = |j: usize| -> *const T {
            if rows_outer {
                pack.as_ptr().wrapping_add((j - c0) * ld)
            } else {
                p.b.wrapping_add(j * p.ldb + k0)
            }
        };
        let (lda, ldb) = if rows_outer { (p.lda, ld) } else { (ld, p.ldb) };
        // Tiles along one side: full ones, then single rows or columns.
        let steps = |lo: usize, hi: usize, full: usize| {
            let whole = lo + (hi - lo) / full * full;
            (lo..whole)
                .step_by(full)
                .map(move |x| (x, full))
                .chain((whole..hi).map(|x| (x, 1)))
        };
        let at = |i: usize, j: usize, mr: usize, nr: usize, ahead: *const T| Tile {
            a: a_at(i),
            lda,
            b: b_at(j),
            ldb,
            c: p.c.wrapping_add(i * p.rsc + j * p.csc),
            rsc: p.rsc,
            csc: p.csc,
            len,
            first: k0 == 0,
            mr,
            nr,
            ahead,
            ld_ahead: if rows_outer { lda } else { ldb },
        };
        // The first tile of each pass over the short side fetches the long side's next tile.
        if rows_outer {
            for (i, mr) in steps(r0, r1, MR) {
                let next = if i + mr < r1 {
                    a_at(i + mr)
                } else {
                    std::ptr::null()
                };
                for (j, nr) in steps(c0, c1, NR) {
                    let ahead = if j == c0 { next } else { std::ptr::null() };
                    // SAFETY: inside the band, which is inside C.
                    unsafe { S::dot_tile::<MR, NR>(&at(i, j, mr, nr, ahead)) };
                }
            }
        } else {
            for (j, nr) in steps(c0, c1, NR) {
                let next = if j + nr < c1 {
                    b_at(j + nr)
                } else {
                    std::ptr::null()
                };
                for (i, mr) in steps(r0, r1, MR) {
                    let ahead = if i == r0 { next } else { std::ptr::null() };
                    // SAFETY: inside the band, which is inside C.
                    unsafe { S::dot_tile::<MR, NR>(&at(i, j, mr, nr, ahead)) };
                }
            }
        }
    }
}

/// One tile's operands: `mr` rows of A from `a` (`lda` apart), `nr` columns of B from `b`
/// (`ldb` apart), each `len` long; C's corner at `c`. The first block writes C, later ones add.
pub(crate) struct Tile<T> {
    a: *const T,
    lda: usize,
    b: *const T,
    ldb: usize,
    c: *mut T,
    rsc: usize,
    csc: usize,
    len: usize,
    first: bool,
    mr: usize,
    nr: usize,
    /// Where the long side's next tile starts (its rows or columns `ld_ahead` apart), to
    /// prefetch while this tile computes; null when there is nothing to fetch.
    ahead: *const T,
    ld_ahead: usize,
}

/// The tile: full, or one row or column wide at an edge. (A function, not a closure: closures
/// do not inherit the caller's target features.)
#[inline(always)]
pub(crate) unsafe fn tile_at<T: Element, S: Lanes<T>, const MR: usize, const NR: usize>(
    t: &Tile<T>,
) {
    // SAFETY: forwarded.
    unsafe {
        match (t.mr == MR, t.nr == NR) {
            (true, true) => tile::<T, S, MR, NR>(t),
            (true, false) => tile::<T, S, MR, 1>(t),
            (false, true) => tile::<T, S, 1, NR>(t),
            (false, false) => tile::<T, S, 1, 1>(t),
        }
    }
}

/// The dot products of one tile. (Indexed loops: each index names a row of A or a column of
/// B in several arrays at once.)
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn tile<T: Element, S: Lanes<T>, const MR: usize, const NR: usize>(t: &Tile<T>) {
    // SAFETY: the tile's rows, columns and corner of C exist (the caller's band), and every
    // read stays within `len` of them.
    unsafe {
        let mut acc = [[S::zero(); NR]; MR];
        let body = t.len / S::L * S::L;
        let mut q = 0;
        let (ahead, fetch) = (t.ahead, if t.ahead.is_null() { 0 } else { MR.max(NR) });
        while q < body {
            // One cache line per row of the next tile, so the next tile is in cache by its turn.
            for x in 0..fetch {
                S::prefetch(ahead.wrapping_add(x * t.ld_ahead + q));
            }
            let mut av = [S::zero(); MR];
            for (r, v) in av.iter_mut().enumerate() {
                *v = S::load(t.a.add(r * t.lda + q));
            }
            for s in 0..NR {
                let bv = S::load(t.b.add(s * t.ldb + q));
                for r in 0..MR {
                    acc[r][s] = S::mul_add(av[r], bv, acc[r][s]);
                }
            }
            q += S::L;
        }
        if body < t.len {
            // The leftover k: one more step on vectors padded with zeros.
            let rest = t.len - body;
            let mut av = [S::zero(); MR];
            for (r, v) in av.iter_mut().enumerate() {
                *v = S::load_first(t.a.add(r * t.lda + body), rest);
            }
            for s in 0..NR {
                let bv = S::load_first(t.b.add(s * t.ldb + body), rest);
                for r in 0..MR {
                    acc[r][s] = S::mul_add(av[r], bv, acc[r][s]);
                }
            }
        }
        for r in 0..MR {
            for s in 0..NR {
                let sum = S::sum(acc[r][s]);
                let dst = t.c.add(r * t.rsc + s * t.csc);
                *dst = if t.first { sum } else { *dst + sum };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::NumpyRng;
    use crate::tensor::kernels::in_bands_on;
    use crate::Tensor;

    /// The product through matrixmultiply, as the reference.
    fn reference<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> Vec<T> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let mut c = vec![T::ZERO; m * n];
        let (a, b) = (a.contiguous(), b.contiguous());
        // SAFETY: row-major m×k, k×n and m×n buffers.
        unsafe {
            T::gemm(
                m,
                k,
                n,
                T::ONE,
                a.storage().as_ptr(),
                k as isize,
                1,
                b.storage().as_ptr(),
                n as isize,
                1,
                T::ZERO,
                c.as_mut_ptr(),
                n as isize,
                1,
            )
        };
        c
    }

    /// C = A·B on the dot kernel, `isa`, from A row-major and a row-major copy of Bᵀ (so B's
    /// columns are contiguous).
    fn dot<T: Element>(isa: Isa, threads: usize, a: &Tensor<T>, b: &Tensor<T>) -> Vec<T> {
        let bt = b.t().contiguous();
        let (m, k, n) = (a.shape()[0], a.shape()[1], bt.shape()[0]);
        let mut c = vec![T::from_f64(f64::NAN); m * n];
        let p = Problem {
            m,
            k,
            n,
            a: a.storage().as_ptr(),
            lda: k,
            b: bt.storage().as_ptr(),
            ldb: k,
            c: c.as_mut_ptr(),
            rsc: n,
            csc: 1,
        };
        // SAFETY: the buffers match the problem; `isa` comes from `Isa::available`.
        unsafe { in_bands_on(isa, threads, &p) };
        c
    }

    /// A kernel under test: C = A·B on an instruction set and a thread count.
    type Kernel<T> = fn(Isa, usize, &Tensor<T>, &Tensor<T>) -> Vec<T>;

    /// `kernel` against matrixmultiply on every instruction set, and 1 thread against 2.
    fn check<T: Element>(
        rng: &mut NumpyRng,
        (m, k, n): (usize, usize, usize),
        tol: f64,
        kernel: Kernel<T>,
    ) {
        let a: Tensor<T> = Tensor::<f64>::randn(&[m, k], rng).cast();
        let b: Tensor<T> = Tensor::<f64>::randn(&[k, n], rng).cast();
        let want = reference(&a, &b);
        for isa in Isa::available() {
            let got = kernel(isa, 1, &a, &b);
            for (idx, (g, w)) in got.iter().zip(&want).enumerate() {
                let (g, w) = (g.to_f64(), w.to_f64());
                assert!(
                    (g - w).abs() <= tol * (k as f64).sqrt(),
                    "{isa:?} {m}x{k}x{n} element {idx}: {g} vs matrixmultiply {w}"
                );
            }
            let threaded = kernel(isa, 2, &a, &b);
            assert!(
                got.iter()
                    .zip(&threaded)
                    .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits()),
                "{isa:?} {m}x{k}x{n}: two threads differ from one"
            );
        }
    }

    #[test]
    fn agrees_with_matrixmultiply_on_every_instruction_set() {
        let mut rng = NumpyRng::new(3);
        // Edges in every direction, k below and above one block, the course's shapes.
        for &(m, k, n) in &[
            (1, 32, 1),
            (3, 33, 5),
            (5, 100, 7),
            (20, 1031, 209),
            (20, 209, 1100),
            (7, 209, 20),
            (64, 600, 3),
            (2, 12288, 9),
        ] {
            check::<f64>(&mut rng, (m, k, n), 1e-13, dot);
            check::<f32>(&mut rng, (m, k, n), 1e-5, dot);
        }
    }

    #[test]
    fn big_products_are_the_same_on_any_thread_count() {
        let mut rng = NumpyRng::new(4);
        // Large enough to be split into bands, with bands that cut through tiles.
        check::<f64>(&mut rng, (20, 2000, 333), 1e-13, dot);
        check::<f64>(&mut rng, (333, 2000, 19), 1e-13, dot);
    }
}
