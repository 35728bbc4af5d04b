//! Matrix products whose operands both run contiguously along the inner dimension.
//!
//! When row `i` of A and column `j` of B each lie in one contiguous run of memory, `C[i][j]`
//! is a dot product of two streams and nothing needs copying into panels first. That is the
//! layout of the course's two big products: `W1·X` reads the column-major twin of `X`
//! ([`Tensor::with_both_layouts`](super::Tensor::with_both_layouts)) and `dZ1·Xᵀ` reads the
//! rows of `X` itself. matrixmultiply packs the whole of `X` on every call, which costs as much
//! as the arithmetic; this kernel reads `X` once and does nothing else with it.
//!
//! It only pays when one side of C is small (a few dozen rows or columns), so that side's
//! operand stays in cache while the other streams past; other shapes go to matrixmultiply.
//!
//! Products with a short inner dimension (k ≤ 64) and few rows of C go to the second kernel
//! here, the outer-product one ([`Outer`]): it reads B's rows in place and adds `A[i][q]·B[q]`
//! into rows of C held in registers. That is `dZ1·bxᵀ` of a mini-batch (k = 64) reading the
//! column-major batch (`random_mini_batches` writes them so), and the small layers' products.
//!
//! Every element of C is summed in the same order — `L` running partial sums over `k`, combined
//! pairwise, then the leftover `k`s — whichever tile it falls in and whichever thread computes
//! it, so the result does not depend on the thread count.

use std::any::TypeId;

use super::kernels::{in_bands, matmul_threads};
use super::Element;

/// Inner-dimension block: a tile's columns of B for one block stay in L1 while every row tile
/// of A passes over them.
const KC: usize = 512;

/// Whether a product of these dimensions should take this path (given the layouts fit).
pub(crate) fn worth_it(m: usize, k: usize, n: usize) -> bool {
    m.min(n) <= 64 && k >= 32
}

/// The instruction sets the kernel is compiled for, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
}

impl Isa {
    /// The best one this CPU runs, detected once.
    pub(crate) fn detected() -> Isa {
        static ISA: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *ISA.get_or_init(|| {
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("avx512f") {
                    return Isa::Avx512;
                }
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    return Isa::Avx2;
                }
            }
            Isa::Portable
        })
    }

    /// Every instruction set this CPU can run (for tests).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Isa> {
        let mut out = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                out.push(Isa::Avx2);
            }
            if std::is_x86_feature_detected!("avx512f") {
                out.push(Isa::Avx512);
            }
        }
        out
    }
}

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

/// `C = A·B` on the detected instruction set, in bands on several threads when it is big.
///
/// # Safety
/// The problem must describe valid matrices, and C must alias neither A nor B.
pub(crate) unsafe fn gemm<T: Element>(p: Problem<T>) {
    // SAFETY: forwarded.
    unsafe { gemm_on(Isa::detected(), matmul_threads(), p) }
}

/// [`gemm`] on a given instruction set and number of threads.
///
/// # Safety
/// As [`gemm`], and the CPU must support `isa`.
pub(crate) unsafe fn gemm_on<T: Element>(isa: Isa, threads: usize, p: Problem<T>) {
    let Problem { m, k, n, .. } = p;
    if m == 0 || n == 0 {
        return;
    }
    let long = m.max(n);
    in_bands(m * n * k, long, threads, &|lo, len| {
        let band = (lo, lo + len);
        let (rows, cols) = if m >= n {
            (band, (0, n))
        } else {
            ((0, m), band)
        };
        // SAFETY: the band lies inside C; the caller vouches for the rest.
        unsafe { on_isa(isa, &p, rows, cols) }
    });
}

/// Calls a kernel's band on `isa` for the element type `T` (f32 or f64): casts the problem
/// `$p` (a `&$P<T>`) to the concrete type and runs `$avx512`, `$avx2` or the portable
/// `$portable` (2×2 tiles) on it with `$args`.
macro_rules! on_lanes {
    ($isa:expr, $p:ident: $P:ident, $avx512:ident, $avx2:ident, $portable:ident, ($($arg:expr),*)) => {{
        macro_rules! typed {
            ($t:ty, $v512:ty, $v256:ty) => {{
                // SAFETY: T is $t (checked through TypeId), so the cast is the identity.
                let $p = unsafe { &*($p as *const $P<T> as *const $P<$t>) };
                match $isa {
                    // SAFETY: the caller checked the CPU runs this instruction set.
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => unsafe { $avx512::<$t, $v512>($p, $($arg),*) },
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => unsafe { $avx2::<$t, $v256>($p, $($arg),*) },
                    // SAFETY: plain code.
                    Isa::Portable => unsafe { $portable::<$t, Portable, 2, 2>($p, $($arg),*) },
                }
            }};
        }
        if TypeId::of::<T>() == TypeId::of::<f64>() {
            typed!(f64, x86::Avx512F64, x86::Avx2F64)
        } else if TypeId::of::<T>() == TypeId::of::<f32>() {
            typed!(f32, x86::Avx512F32, x86::Avx2F32)
        } else {
            unreachable!("Element is sealed: f32 or f64")
        }
    }};
}

/// Runs one band (rows × cols of C) on `isa`, for `f32` or `f64`.
unsafe fn on_isa<T: Element>(isa: Isa, p: &Problem<T>, rows: (usize, usize), cols: (usize, usize)) {
    on_lanes!(isa, p: Problem, band_avx512, band_avx2, band, (rows, cols))
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
                    unsafe { S::tile::<MR, NR>(&at(i, j, mr, nr, ahead)) };
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
                    unsafe { S::tile::<MR, NR>(&at(i, j, mr, nr, ahead)) };
                }
            }
        }
    }
}

/// One tile's operands: `mr` rows of A from `a` (`lda` apart), `nr` columns of B from `b`
/// (`ldb` apart), each `len` long; C's corner at `c`. The first block writes C, later ones add.
struct Tile<T> {
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
unsafe fn tile_at<T: Element, S: Lanes<T>, const MR: usize, const NR: usize>(t: &Tile<T>) {
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

/// An outer-product problem: `C = A·B` with `A[i][q]` at `a + i·rsa + q·csa`, row `q` of B
/// contiguous at `b + q·ldb`, and row `i` of C contiguous at `c + i·ldc`.
#[derive(Clone, Copy)]
pub(crate) struct Outer<T> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub a: *const T,
    pub rsa: usize,
    pub csa: usize,
    pub b: *const T,
    pub ldb: usize,
    pub c: *mut T,
    pub ldc: usize,
}

// SAFETY: as for `Problem`: threads write disjoint columns of C and only read A and B.
unsafe impl<T> Send for Outer<T> {}
unsafe impl<T> Sync for Outer<T> {}

/// Whether a product goes to the outer-product kernel: a short inner dimension and few rows
/// of C, like `dZ1·Xᵀ` of a mini-batch (k = 64) or the small layers' products. Each element
/// is then a sum of at most 64 terms, accumulated in order along k; B's rows are read in
/// place, so a column-major mini-batch is never transposed.
pub(crate) fn outer_worth_it(m: usize, k: usize) -> bool {
    k <= 64 && m <= 64
}

/// Runs `p` on the detected instruction set, in bands of C's columns across threads.
///
/// # Safety
/// `p` must describe valid, non-aliasing buffers (see [`Outer`]).
pub(crate) unsafe fn outer_gemm<T: Element>(p: Outer<T>) {
    // SAFETY: forwarded.
    unsafe { outer_on(Isa::detected(), matmul_threads(), p) }
}

/// [`outer_gemm`] on a given instruction set and thread count (for the tests).
///
/// # Safety
/// As [`outer_gemm`], and the CPU must run `isa`.
pub(crate) unsafe fn outer_on<T: Element>(isa: Isa, threads: usize, p: Outer<T>) {
    if p.m == 0 || p.n == 0 {
        return;
    }
    in_bands(p.m * p.n * p.k.max(1), p.n, threads, &|lo, len| {
        // SAFETY: the band is inside C; forwarded.
        unsafe { outer_isa(isa, &p, (lo, lo + len)) }
    });
}

/// Runs one band of C's columns on `isa`, for `f32` or `f64`.
unsafe fn outer_isa<T: Element>(isa: Isa, p: &Outer<T>, cols: (usize, usize)) {
    on_lanes!(isa, p: Outer, outer_avx512, outer_avx2, outer_band, (cols))
}

/// 4 rows × 3 vectors of C: 12 accumulators, 3 of B and one broadcast of A.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn outer_avx512<T: Element, S: Lanes<T>>(p: &Outer<T>, cols: (usize, usize)) {
    // SAFETY: forwarded.
    unsafe { outer_band::<T, S, 4, 3>(p, cols) }
}

/// 4 rows × 2 vectors of C: 8 accumulators of the 16 ymm registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn outer_avx2<T: Element, S: Lanes<T>>(p: &Outer<T>, cols: (usize, usize)) {
    // SAFETY: forwarded.
    unsafe { outer_band::<T, S, 4, 2>(p, cols) }
}

/// Columns `c0..c1` of C in tiles of MR rows × NV vectors, then single vectors (the last one
/// partial) at the right edge and single rows at the bottom.
#[inline(always)]
unsafe fn outer_band<T: Element, S: Lanes<T>, const MR: usize, const NV: usize>(
    p: &Outer<T>,
    (c0, c1): (usize, usize),
) {
    let wide = NV * S::L;
    let mut j = c0;
    while j < c1 {
        let w = (c1 - j).min(wide);
        let mut i = 0;
        while i < p.m {
            let mr = if p.m - i >= MR { MR } else { 1 };
            // SAFETY: rows i..i + mr and columns j..j + w are inside C (and A, B).
            unsafe {
                if w == wide {
                    if mr == MR {
                        outer_tile::<T, S, MR, NV>(p, i, j, wide);
                    } else {
                        outer_tile::<T, S, 1, NV>(p, i, j, wide);
                    }
                } else {
                    for jj in (j..j + w).step_by(S::L) {
                        let ww = (j + w - jj).min(S::L);
                        if mr == MR {
                            outer_tile::<T, S, MR, 1>(p, i, jj, ww);
                        } else {
                            outer_tile::<T, S, 1, 1>(p, i, jj, ww);
                        }
                    }
                }
            }
            i += mr;
        }
        j += w;
    }
}

/// One tile: `C[i..i+MR][j..j+w] = Σ_q A[·][q]·B[q][j..j+w]`, summed in order of q; `w` is
/// `NV·L`, or below `L` for a partial single vector.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn outer_tile<T: Element, S: Lanes<T>, const MR: usize, const NV: usize>(
    p: &Outer<T>,
    i: usize,
    j: usize,
    w: usize,
) {
    // SAFETY: the tile is inside C, its rows of A and its columns of B exist.
    unsafe {
        let partial = w < NV * S::L;
        let mut acc = [[S::zero(); NV]; MR];
        for q in 0..p.k {
            let row = p.b.add(q * p.ldb + j);
            let mut bv = [S::zero(); NV];
            for v in 0..NV {
                bv[v] = if partial {
                    S::load_first(row, w)
                } else {
                    S::load(row.add(v * S::L))
                };
            }
            for r in 0..MR {
                let a = S::splat(*p.a.add((i + r) * p.rsa + q * p.csa));
                for v in 0..NV {
                    acc[r][v] = S::mul_add(a, bv[v], acc[r][v]);
                }
            }
        }
        for r in 0..MR {
            let row = p.c.add((i + r) * p.ldc + j);
            for v in 0..NV {
                if partial {
                    S::store_first(row, acc[r][v], w);
                } else {
                    S::store(row.add(v * S::L), acc[r][v]);
                }
            }
        }
    }
}

/// A SIMD register of `L` elements of `T` and the four things the kernel does with it.
///
/// # Safety
/// The methods may only run on a CPU with the instruction set the implementation names.
trait Lanes<T: Element>: Copy {
    type V: Copy;
    const L: usize;
    unsafe fn zero() -> Self::V;
    /// `L` elements from `p` (unaligned).
    unsafe fn load(p: *const T) -> Self::V;
    /// `a·b + c` lane by lane.
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// Asks for the cache line at `p` (which need not be valid) to be loaded.
    unsafe fn prefetch(p: *const T);
    /// The first `n < L` elements from `p`, the other lanes zero.
    unsafe fn load_first(p: *const T, n: usize) -> Self::V;
    /// The lanes' sum, in a fixed order.
    unsafe fn sum(v: Self::V) -> T;
    /// `x` in every lane.
    unsafe fn splat(x: T) -> Self::V;
    /// Writes the `L` lanes to `p` (unaligned).
    unsafe fn store(p: *mut T, v: Self::V);
    /// Writes the first `n < L` lanes to `p`.
    unsafe fn store_first(p: *mut T, v: Self::V, n: usize);
    /// [`tile_at`] with these lanes. The SIMD sets run it as a function of its own, so its
    /// registers are allocated for the tile alone, not for the whole band.
    unsafe fn tile<const MR: usize, const NR: usize>(t: &Tile<T>);
}

/// Plain code: four lanes, multiply then add.
#[derive(Clone, Copy)]
struct Portable;

impl<T: Element> Lanes<T> for Portable {
    type V = [T; 4];
    const L: usize = 4;
    #[inline(always)]
    unsafe fn zero() -> [T; 4] {
        [T::ZERO; 4]
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> [T; 4] {
        // SAFETY: the caller's four elements.
        unsafe { (p as *const [T; 4]).read_unaligned() }
    }
    #[inline(always)]
    unsafe fn mul_add(a: [T; 4], b: [T; 4], c: [T; 4]) -> [T; 4] {
        std::array::from_fn(|l| a[l] * b[l] + c[l])
    }
    #[inline(always)]
    unsafe fn prefetch(_: *const T) {}
    #[inline(always)]
    unsafe fn load_first(p: *const T, n: usize) -> [T; 4] {
        // SAFETY: the caller's n elements.
        std::array::from_fn(|l| if l < n { unsafe { *p.add(l) } } else { T::ZERO })
    }
    #[inline(always)]
    unsafe fn sum(v: [T; 4]) -> T {
        (v[0] + v[2]) + (v[1] + v[3])
    }
    #[inline(always)]
    unsafe fn splat(x: T) -> [T; 4] {
        [x; 4]
    }
    #[inline(always)]
    unsafe fn store(p: *mut T, v: [T; 4]) {
        // SAFETY: the caller's four elements.
        unsafe { (p as *mut [T; 4]).write_unaligned(v) }
    }
    #[inline(always)]
    unsafe fn store_first(p: *mut T, v: [T; 4], n: usize) {
        for (l, &x) in v.iter().enumerate().take(n) {
            // SAFETY: the caller's n elements.
            unsafe { *p.add(l) = x };
        }
    }
    #[inline(always)]
    unsafe fn tile<const MR: usize, const NR: usize>(t: &Tile<T>) {
        // SAFETY: forwarded.
        unsafe { tile_at::<T, Self, MR, NR>(t) }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Lanes;
    use std::arch::x86_64::*;

    macro_rules! lanes {
        ($name:ident, $features:literal, $tile:ident, $t:ty, $v:ty, $l:literal, $zero:ident,
         $load:ident, $fma:ident, $splat:ident, $store:ident,
         |$p:ident, $n:ident| $first:block, |$sp:ident, $sv2:ident, $sn:ident| $store_first:block,
         |$sv:ident| $sum:block) => {
            #[derive(Clone, Copy)]
            pub(super) struct $name;

            #[target_feature(enable = $features)]
            #[inline(never)]
            unsafe fn $tile<const MR: usize, const NR: usize>(t: &super::Tile<$t>) {
                // SAFETY: forwarded; the caller runs on this instruction set.
                unsafe { super::tile_at::<$t, $name, MR, NR>(t) }
            }

            impl Lanes<$t> for $name {
                type V = $v;
                const L: usize = $l;
                #[inline(always)]
                unsafe fn zero() -> $v {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $zero() }
                }
                #[inline(always)]
                unsafe fn load(p: *const $t) -> $v {
                    // SAFETY: the caller's $l elements, on this instruction set.
                    unsafe { $load(p) }
                }
                #[inline(always)]
                unsafe fn mul_add(a: $v, b: $v, c: $v) -> $v {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $fma(a, b, c) }
                }
                #[inline(always)]
                unsafe fn prefetch(p: *const $t) {
                    // SAFETY: a prefetch never faults.
                    unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) }
                }
                #[inline(always)]
                unsafe fn load_first($p: *const $t, $n: usize) -> $v {
                    // SAFETY: the caller's n elements, on this instruction set.
                    unsafe { $first }
                }
                #[inline(always)]
                unsafe fn sum($sv: $v) -> $t {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $sum }
                }
                #[inline(always)]
                unsafe fn splat(x: $t) -> $v {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $splat(x) }
                }
                #[inline(always)]
                unsafe fn store(p: *mut $t, v: $v) {
                    // SAFETY: the caller's $l elements, on this instruction set.
                    unsafe { $store(p, v) }
                }
                #[inline(always)]
                unsafe fn store_first($sp: *mut $t, $sv2: $v, $sn: usize) {
                    // SAFETY: the caller's n elements, on this instruction set.
                    unsafe { $store_first }
                }
                #[inline(always)]
                unsafe fn tile<const MR: usize, const NR: usize>(t: &super::Tile<$t>) {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $tile::<MR, NR>(t) }
                }
            }
        };
    }

    lanes!(
        Avx512F64,
        "avx512f,avx2,fma",
        tile_avx512_f64,
        f64,
        __m512d,
        8,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_fmadd_pd,
        _mm512_set1_pd,
        _mm512_storeu_pd,
        |p, n| { _mm512_maskz_loadu_pd((1u8 << n) - 1, p) },
        |p, v, n| { _mm512_mask_storeu_pd(p, (1u8 << n) - 1, v) },
        |v| { _mm512_reduce_add_pd(v) }
    );
    lanes!(
        Avx512F32,
        "avx512f,avx2,fma",
        tile_avx512_f32,
        f32,
        __m512,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_fmadd_ps,
        _mm512_set1_ps,
        _mm512_storeu_ps,
        |p, n| { _mm512_maskz_loadu_ps((1u16 << n) - 1, p) },
        |p, v, n| { _mm512_mask_storeu_ps(p, (1u16 << n) - 1, v) },
        |v| { _mm512_reduce_add_ps(v) }
    );
    lanes!(
        Avx2F64,
        "avx2,fma",
        tile_avx2_f64,
        f64,
        __m256d,
        4,
        _mm256_setzero_pd,
        _mm256_loadu_pd,
        _mm256_fmadd_pd,
        _mm256_set1_pd,
        _mm256_storeu_pd,
        |p, n| {
            let lane = _mm256_setr_epi64x(0, 1, 2, 3);
            _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), lane))
        },
        |p, v, n| {
            let lane = _mm256_setr_epi64x(0, 1, 2, 3);
            _mm256_maskstore_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), lane), v)
        },
        |v| {
            let h = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
            _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)))
        }
    );
    lanes!(
        Avx2F32,
        "avx2,fma",
        tile_avx2_f32,
        f32,
        __m256,
        8,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_fmadd_ps,
        _mm256_set1_ps,
        _mm256_storeu_ps,
        |p, n| {
            let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), lane))
        },
        |p, v, n| {
            let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), lane), v)
        },
        |v| {
            let h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            let h = _mm_add_ps(h, _mm_movehl_ps(h, h));
            _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps(h, h, 1)))
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::NumpyRng;
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
        unsafe { gemm_on(isa, threads, p) };
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

    /// C = A·B on the outer-product kernel (row-major A and B).
    fn outer<T: Element>(isa: Isa, threads: usize, a: &Tensor<T>, b: &Tensor<T>) -> Vec<T> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let mut c = vec![T::ZERO; m * n];
        let (a, b) = (a.contiguous(), b.contiguous());
        let p = Outer {
            m,
            k,
            n,
            a: a.storage().as_ptr(),
            rsa: k,
            csa: 1,
            b: b.storage().as_ptr(),
            ldb: n,
            c: c.as_mut_ptr(),
            ldc: n,
        };
        // SAFETY: the buffers match the problem; `isa` comes from `Isa::available`.
        unsafe { outer_on(isa, threads, p) };
        c
    }

    #[test]
    fn outer_products_agree_with_matrixmultiply_on_every_instruction_set() {
        let mut rng = NumpyRng::new(5);
        // Edges in every direction (rows below 4, columns not a multiple of a vector), k from
        // 1 to 64, the course's mini-batch and small-layer shapes, and one wide enough for
        // bands that cut through tiles.
        for &(m, k, n) in &[
            (1, 1, 1),
            (3, 5, 7),
            (4, 64, 100),
            (5, 17, 33),
            (7, 20, 209),
            (20, 64, 1234),
            (20, 7, 209),
            (64, 64, 65),
            (20, 64, 12288),
        ] {
            check::<f64>(&mut rng, (m, k, n), 1e-13, outer);
            check::<f32>(&mut rng, (m, k, n), 1e-5, outer);
        }
    }
}
