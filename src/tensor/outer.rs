//! Matrix products with a small side, as sums of outer products read in place.
//!
//! `C = A·B` is `Σ_q A[·][q] ⊗ B[q][·]`: a tile of C (a few rows by a few vectors of columns)
//! stays in registers while `q` runs over a block of `k`, each step loading a stretch of row
//! `q` of B in vectors and broadcasting one element of A per row. B's rows are read where they
//! lie and A's elements through any strides, so nothing the size of `X` is ever copied.
//!
//! The course's big products fit it in one orientation or the other. `W1·X` reads X's rows as
//! B (row-major X, 12288 × 209). `dZ1·Xᵀ` is computed as `(dZ1·Xᵀ)ᵀ = X·dZ1ᵀ`, written into C
//! transposed: X's rows are then the broadcast side, read eight at a time from one contiguous
//! stretch, and `dZ1ᵀ` (209 × 20) is the small B. X is streamed from memory once per product,
//! and the next stretch is prefetched while the current one computes: without that, the
//! products waited on memory for a third of their time.
//!
//! Every element of C is the chain `c ← A[i][q]·B[q][j] + c` over `q` in order, one fused
//! multiply-add per step from `c = 0`, whatever the tile, the block of `k`, the orientation,
//! the instruction set or the thread — so results do not depend on any of them, and equal a
//! plain scalar loop of `mul_add` bit for bit.

use super::kernels::Banded;
use super::simd::{on_lanes, Isa, Lanes};
use super::Element;

/// Inner-dimension block: a tile's stretch of B for one block (`KC` rows of a few vectors)
/// stays in L1 while every row tile of A passes over it. Shorter `k`s (up to twice this) are
/// one block.
const KC: usize = 128;

/// Bytes in a cache line.
const LINE: usize = 64;

/// One product: `A[i][q]` at `a + i·rsa + q·csa`, row `q` of B contiguous at `b + q·ldb`,
/// `C[i][j]` at `c + i·rsc + j·csc`.
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
    pub rsc: usize,
    pub csc: usize,
    /// A tall C at most 20 columns wide takes the narrow lanes (ymm under AVX-512) instead of
    /// paired zmm tiles: see [`super::simd::halved_512`].
    pub narrow_lanes: bool,
}

// SAFETY: a problem is only shared between the threads of one product; they read A and B and
// each writes its own band of C.
unsafe impl<T> Send for Outer<T> {}
unsafe impl<T> Sync for Outer<T> {}

impl<T: Element> Banded for Outer<T> {
    fn dims(&self) -> (usize, usize, usize) {
        (self.m, self.k, self.n)
    }

    unsafe fn band(&self, isa: Isa, rows: (usize, usize), cols: (usize, usize)) {
        let p = self;
        on_lanes!(isa, p: Outer, band_avx512, band_avx2, band, (rows, cols))
    }
}

/// 8 rows × 3 zmm vectors: 24 accumulators, 3 of B and a broadcast, 28 of the 32 registers.
/// A tall C at most 20 columns wide (`(dZ1·Xᵀ)ᵀ`) is 2½ zmm vectors in f64, and its tiles pair
/// the last one (8 + 8 + 4 columns). It takes ymm vectors instead where a zmm multiply-add
/// costs as much as two ymm ones (`narrow_lanes`), and always in f32, where 20 columns are 1¼
/// zmm vectors and a tile would wait on its broadcasts: 4 rows × 5 ymm vectors in f64 (exactly
/// 20), 8 rows × 3 in f32 (the last one paired).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn band_avx512<T: Element, S: Lanes<T>>(
    p: &Outer<T>,
    rows: (usize, usize),
    cols: (usize, usize),
) {
    let narrow = (p.narrow_lanes || S::L > 8) && cols.1 - cols.0 <= 20 && rows.1 - rows.0 > 64;
    // SAFETY: forwarded; the narrow lanes run on the same instruction set.
    unsafe {
        match (narrow, <S::Narrow as Lanes<T>>::L) {
            (true, 4) => band::<T, S::Narrow, 4, 5>(p, rows, cols),
            (true, _) => band::<T, S::Narrow, 8, 3>(p, rows, cols),
            _ => band::<T, S, 8, 3>(p, rows, cols),
        }
    }
}

/// 4 rows × 2 ymm vectors: 8 accumulators of the 16 registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn band_avx2<T: Element, S: Lanes<T>>(
    p: &Outer<T>,
    rows: (usize, usize),
    cols: (usize, usize),
) {
    // SAFETY: forwarded.
    unsafe { band::<T, S, 4, 2>(p, rows, cols) }
}

/// The rows × cols part of C: for each block of `k`, tiles of `NV·L` columns left to right
/// (the last one narrower), each over the rows top to bottom in tiles of `MR` rows, then 4 or
/// 2, then single rows. While a block computes, B's next block of rows (over the band's
/// columns) is fetched in order when it fits in L2; otherwise the first row tile of each
/// column tile fetches the next column tile's panel. When the band has many rows, A is the
/// side that streams, and each row tile fetches the next one's rows.
#[inline(always)]
unsafe fn band<T: Element, S: Lanes<T>, const MR: usize, const NV: usize>(
    p: &Outer<T>,
    (r0, r1): (usize, usize),
    (c0, c1): (usize, usize),
) {
    let kc = if p.k <= 2 * KC { p.k.max(1) } else { KC };
    let wide = NV * S::L;
    let a_streams = r1 - r0 > 64 && p.csa == 1;
    let per_line = LINE / std::mem::size_of::<T>();
    // When the next block of B's rows, over the band's columns, fits in L2, it is fetched in
    // order, a line per step of this block: one stretch of memory when the band spans whole
    // rows, else `per_row` lines of each row (a band of columns).
    let per_row = if p.ldb - (c1 - c0) < per_line {
        0
    } else {
        (c1 - c0).div_ceil(per_line) + 1
    };
    for k0 in (0..p.k.max(1)).step_by(kc) {
        let len = kc.min(p.k - k0);
        let next = k0 + len;
        let next_rows = kc.min(p.k - next);
        let next_lines = match per_row {
            0 => (next_rows * p.ldb).div_ceil(per_line),
            lines => next_rows * lines,
        };
        let whole_rows = next_lines > 0 && next_lines * LINE <= 1 << 19;
        let mut step = 0;
        for j in (c0..c1).step_by(wide) {
            let w = wide.min(c1 - j);
            // The next panel: this block's rows at the next columns, or the next block's rows
            // at the band's first columns.
            let ahead_b = if whole_rows {
                p.b.wrapping_add(next * p.ldb + if per_row == 0 { 0 } else { c0 })
            } else if j + wide < c1 {
                p.b.wrapping_add(k0 * p.ldb + j + wide)
            } else if next < p.k {
                p.b.wrapping_add(next * p.ldb + c0)
            } else {
                std::ptr::null()
            };
            let mut i = r0;
            while i < r1 {
                let mr = match r1 - i {
                    left if left >= MR => MR,
                    left if left >= 4 && MR > 4 => 4,
                    left if left >= 2 && MR > 2 => 2,
                    _ => 1,
                };
                let t = Tile {
                    a: p.a.wrapping_add(i * p.rsa + k0 * p.csa),
                    rsa: p.rsa,
                    csa: p.csa,
                    b: p.b.wrapping_add(k0 * p.ldb + j),
                    ldb: p.ldb,
                    c: p.c.wrapping_add(i * p.rsc + j * p.csc),
                    rsc: p.rsc,
                    csc: p.csc,
                    len,
                    w,
                    mr,
                    first: k0 == 0,
                    ahead_b: if i == r0 || whole_rows {
                        ahead_b
                    } else {
                        std::ptr::null()
                    },
                    in_order: whole_rows.then_some(InOrder {
                        from: step,
                        to: next_lines,
                        per_row,
                        width: c1 - c0,
                    }),
                    ahead_a: if a_streams && i + mr < r1 {
                        p.a.wrapping_add((i + mr) * p.rsa + k0)
                    } else {
                        std::ptr::null()
                    },
                };
                // SAFETY: the tile lies inside the band, which lies inside C, A and B.
                unsafe { S::outer_tile::<MR, NV>(&t) };
                i += mr;
                step += len;
            }
        }
    }
}

/// The next block of B's rows, fetched a line per step: lines `from..to` of it, counted
/// contiguously when `per_row` is 0, else `per_row` lines of each row (rows `ldb` apart), which
/// cover the row's `width` elements.
#[derive(Clone, Copy)]
struct InOrder {
    from: usize,
    to: usize,
    per_row: usize,
    width: usize,
}

/// One tile: `mr` rows of A from `a` (elements `rsa` and `csa` apart), `len` rows of B from
/// `b` (`ldb` apart), `w ≤ NV·L` columns; C's corner at `c`. The first block of k starts from
/// zero, later ones add to what C holds.
pub(crate) struct Tile<T> {
    a: *const T,
    rsa: usize,
    csa: usize,
    b: *const T,
    ldb: usize,
    c: *mut T,
    rsc: usize,
    csc: usize,
    len: usize,
    w: usize,
    mr: usize,
    first: bool,
    /// What of B to ask L2 for while this tile computes, null for nothing: the next panel
    /// (the same rows, the next tile's columns), one row per step, when `in_order` is `None`;
    /// else the next block of rows from `ahead_b` on, as `in_order` says.
    ahead_b: *const T,
    in_order: Option<InOrder>,
    /// A's next row tile (rows `rsa` apart), to ask L1 for one line per step; null unless A
    /// is the side that streams.
    ahead_a: *const T,
}

/// The tile with `MR`, 4, 2 or one row, and as many vectors as its columns fill (at most
/// `NV`: a narrow C, like the 20 columns of `(dZ1·Xᵀ)ᵀ`, computes no vectors of zeros), whole
/// or at the right edge. (A function, not a closure: closures do not inherit the caller's
/// target features.)
#[inline(always)]
pub(crate) unsafe fn tile_at<T: Element, S: Lanes<T>, const MR: usize, const NV: usize>(
    t: &Tile<T>,
) {
    // SAFETY: forwarded.
    unsafe {
        match t.w.div_ceil(S::L) {
            nv if nv == NV => rows::<T, S, MR, NV>(t),
            4 if NV > 4 => rows::<T, S, MR, 4>(t),
            3 if NV > 3 => rows::<T, S, MR, 3>(t),
            2 => rows::<T, S, MR, 2>(t),
            _ => rows::<T, S, MR, 1>(t),
        }
    }
}

/// [`tile_at`] for `NV` vectors, the last one paired when it is at most half full.
#[inline(always)]
unsafe fn rows<T: Element, S: Lanes<T>, const MR: usize, const NV: usize>(t: &Tile<T>) {
    let whole = t.w == NV * S::L;
    let paired = t.w - (NV - 1) * S::L <= S::L / 2;
    // SAFETY: forwarded.
    unsafe {
        match t.mr {
            mr if mr == MR && whole => tile::<T, S, MR, NV, true, false>(t),
            mr if mr == MR && paired && MR.is_multiple_of(2) => {
                tile::<T, S, MR, NV, false, true>(t)
            }
            mr if mr == MR => tile::<T, S, MR, NV, false, false>(t),
            4 if whole => tile::<T, S, 4, NV, true, false>(t),
            4 if paired => tile::<T, S, 4, NV, false, true>(t),
            4 => tile::<T, S, 4, NV, false, false>(t),
            2 => tile::<T, S, 2, NV, false, false>(t),
            _ => tile::<T, S, 1, NV, false, false>(t),
        }
    }
}

/// `C[tile] (+)= Σ_q A[rows][q] ⊗ B[q][cols]` over the tile's block of k, in order of q;
/// `WHOLE`: all `NV` vectors full. `PAIRED`: the last vector is at most half full, and rows
/// `2p` and `2p + 1` share one register for it, each in a half, so no multiply-add is spent
/// on padding lanes there (the 20 columns of `(dZ1·Xᵀ)ᵀ` in f32 are 2½ ymm vectors).
/// (Indexed loops: each index names a row or a vector in several arrays at once.)
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn tile<
    T: Element,
    S: Lanes<T>,
    const MR: usize,
    const NV: usize,
    const WHOLE: bool,
    const PAIRED: bool,
>(
    t: &Tile<T>,
) {
    debug_assert!(t.mr == MR && t.w <= NV * S::L && NV * S::L <= 64);
    debug_assert!(!PAIRED || (MR.is_multiple_of(2) && t.w - (NV - 1) * S::L <= S::L / 2));
    // Elements of each vector inside the tile: L, fewer at the right edge, or none.
    let fill: [usize; NV] = std::array::from_fn(|v| t.w.saturating_sub(v * S::L).min(S::L));
    let per_line = LINE / std::mem::size_of::<T>();
    let last = NV * S::L - 1;
    // SAFETY: the tile's rows of A, its rows of B over its columns and its corner of C exist
    // (the caller's band); partial vectors are read and written through masks; prefetches
    // never fault.
    unsafe {
        let mut acc = if t.first {
            [[S::zero(); NV]; MR]
        } else {
            load_c::<T, S, MR, NV>(t, &fill)
        };
        let last_v = NV - 1;
        if PAIRED && !t.first {
            for r in (0..MR).step_by(2) {
                acc[r][last_v] = S::join_halves(acc[r][last_v], acc[r + 1][last_v]);
            }
        }
        // One step of q: this row of B against the tile's column of A.
        macro_rules! step {
            ($q:expr) => {
                let q = $q;
                let row = t.b.add(q * t.ldb);
                let mut bv = [S::zero(); NV];
                for v in 0..NV {
                    bv[v] = if WHOLE || fill[v] == S::L {
                        S::load(row.add(v * S::L))
                    } else if fill[v] > 0 {
                        S::load_first(row.add(v * S::L), fill[v])
                    } else {
                        S::zero()
                    };
                }
                if PAIRED {
                    bv[last_v] = S::join_halves(bv[last_v], bv[last_v]);
                }
                let a = t.a.add(q * t.csa);
                let mut even = S::zero();
                for r in 0..MR {
                    let a = S::splat(*a.add(r * t.rsa));
                    for v in 0..NV {
                        if PAIRED && v == last_v {
                            if r % 2 == 0 {
                                even = a;
                            } else {
                                let pair = S::join_halves(even, a);
                                acc[r - 1][v] = S::mul_add(pair, bv[v], acc[r - 1][v]);
                            }
                        } else {
                            acc[r][v] = S::mul_add(a, bv[v], acc[r][v]);
                        }
                    }
                }
            };
        }
        // Step q's line of A's next row tile: line q / MR of row q % MR. Into L2, not L1: the
        // tile's B and its own rows of A nearly fill L1 already (the transposed `dZ1·Xᵀ`).
        let ahead_a = |q: usize| {
            t.ahead_a
                .wrapping_add((q % MR) * t.rsa + (q / MR) * per_line)
        };
        // The common case, the next block of B fetched in order from one stretch of memory
        // (`W1·X` on one thread), runs without the per-step tests of the general loop.
        let flat = match t.in_order {
            Some(InOrder {
                from,
                to,
                per_row: 0,
                ..
            }) if !t.ahead_b.is_null() && t.ahead_a.is_null() => {
                Some((from, to.saturating_sub(from).min(t.len)))
            }
            _ => None,
        };
        if let Some((from, count)) = flat {
            for q in 0..count {
                S::prefetch_l2(t.ahead_b.wrapping_add((from + q) * per_line));
                step!(q);
            }
            for q in count..t.len {
                step!(q);
            }
        } else if t.ahead_b.is_null() && !t.ahead_a.is_null() {
            // A streams (the transposed `dZ1·Xᵀ`): the next row tile, a line per step.
            for q in 0..t.len {
                S::prefetch_l2(ahead_a(q));
                step!(q);
            }
        } else {
            // Lines of the next block row by row (`per_row` of each), counted on from the
            // tile's first one without a division per step.
            let mut cursor = match t.in_order {
                Some(InOrder { from, per_row, .. }) if per_row > 0 => {
                    (from / per_row, from % per_row)
                }
                _ => (0, 0),
            };
            for q in 0..t.len {
                if !t.ahead_b.is_null() {
                    match t.in_order {
                        Some(InOrder {
                            from,
                            to,
                            per_row,
                            width,
                        }) => {
                            if from + q < to {
                                let at = match per_row {
                                    0 => (from + q) * per_line,
                                    lines => {
                                        // The row's last line is the one holding its last
                                        // element (its first one may start mid-line).
                                        let (row, l) = cursor;
                                        cursor = if l + 1 == lines {
                                            (row + 1, 0)
                                        } else {
                                            (row, l + 1)
                                        };
                                        row * t.ldb + (l * per_line).min(width - 1)
                                    }
                                };
                                S::prefetch_l2(t.ahead_b.wrapping_add(at));
                            }
                        }
                        None => {
                            // Every cache line of the next panel's row q.
                            let row = t.ahead_b.wrapping_add(q * t.ldb);
                            let mut x = 0;
                            while x < last {
                                S::prefetch_l2(row.wrapping_add(x));
                                x += per_line;
                            }
                            S::prefetch_l2(row.wrapping_add(last));
                        }
                    }
                }
                if !t.ahead_a.is_null() {
                    S::prefetch_l2(ahead_a(q));
                }
                step!(q);
            }
        }
        if PAIRED {
            for r in (0..MR).step_by(2) {
                acc[r + 1][last_v] = S::upper_half(acc[r][last_v]);
            }
        }
        store_c::<T, S, MR, NV, WHOLE>(t, acc, &fill);
    }
}

/// The tile's C as it stands (`fill` elements of each vector), to add a later block to.
#[inline(always)]
unsafe fn load_c<T: Element, S: Lanes<T>, const MR: usize, const NV: usize>(
    t: &Tile<T>,
    fill: &[usize; NV],
) -> [[S::V; NV]; MR] {
    let mut acc = [[S::zero(); NV]; MR];
    // SAFETY: the tile's elements of C exist; the buffer's rows are read only where written.
    unsafe {
        if t.csc == 1 {
            for (r, row) in acc.iter_mut().enumerate() {
                let at = t.c.add(r * t.rsc);
                for (v, x) in row.iter_mut().enumerate() {
                    *x = match fill[v] {
                        0 => S::zero(),
                        f if f == S::L => S::load(at.add(v * S::L)),
                        f => S::load_first(at.add(v * S::L), f),
                    };
                }
            }
        } else {
            // Through a buffer (the accumulators' own address is never taken, so they can
            // live in registers), column by column.
            let mut buf = std::mem::MaybeUninit::<[[T; 64]; MR]>::uninit();
            let flat = buf.as_mut_ptr() as *mut T;
            for col in 0..t.w {
                for r in 0..MR {
                    *flat.add(r * 64 + col) = *t.c.add(r * t.rsc + col * t.csc);
                }
            }
            for (r, row) in acc.iter_mut().enumerate() {
                for (v, x) in row.iter_mut().enumerate() {
                    if fill[v] > 0 {
                        *x = S::load_first(flat.add(r * 64 + v * S::L), fill[v]);
                    }
                }
            }
        }
    }
    acc
}

/// Writes the tile's sums into C: row by row, or column by column when C is written
/// transposed (its columns are the contiguous side).
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn store_c<T: Element, S: Lanes<T>, const MR: usize, const NV: usize, const WHOLE: bool>(
    t: &Tile<T>,
    acc: [[S::V; NV]; MR],
    fill: &[usize; NV],
) {
    // SAFETY: the tile's elements of C exist.
    unsafe {
        if t.csc == 1 {
            for r in 0..MR {
                let row = t.c.add(r * t.rsc);
                for v in 0..NV {
                    if WHOLE || fill[v] == S::L {
                        S::store(row.add(v * S::L), acc[r][v]);
                    } else if fill[v] > 0 {
                        S::store_first(row.add(v * S::L), acc[r][v], fill[v]);
                    }
                }
            }
        } else {
            // Through a buffer (see `load_c`), column by column.
            let mut buf = std::mem::MaybeUninit::<[[T; 64]; MR]>::uninit();
            let flat = buf.as_mut_ptr() as *mut T;
            for r in 0..MR {
                for v in 0..NV {
                    S::store(flat.add(r * 64 + v * S::L), acc[r][v]);
                }
            }
            for col in 0..t.w {
                for r in 0..MR {
                    *t.c.add(r * t.rsc + col * t.csc) = *flat.add(r * 64 + col);
                }
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

    /// The product as a plain scalar loop: each element the chain of fused multiply-adds over
    /// `q` in order — what the kernel promises to compute, bit for bit.
    fn chain<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> Vec<T> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let mut c = vec![T::ZERO; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut acc = T::ZERO;
                for q in 0..k {
                    acc = a.get(&[i, q]).mul_add(b.get(&[q, j]), acc);
                }
                c[i * n + j] = acc;
            }
        }
        c
    }

    /// The product through matrixmultiply: another summation order, so close, not equal.
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

    /// C = A·B on the kernel as written: A row-major, broadcast; B's rows.
    fn direct<T: Element>(way: Way, a: &Tensor<T>, b: &Tensor<T>) -> Vec<T> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let mut c = vec![T::from_f64(f64::NAN); m * n];
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
            rsc: n,
            csc: 1,
            narrow_lanes: way.narrow_lanes,
        };
        // SAFETY: the buffers match the problem; `isa` comes from `Isa::available`.
        unsafe { in_bands_on(way.isa, way.threads, &p) };
        c
    }

    /// C = A·B as Cᵀ = Bᵀ·Aᵀ written into C through swapped strides: Bᵀ row-major is the
    /// broadcast side, Aᵀ row-major the rows read in place.
    fn transposed<T: Element>(way: Way, a: &Tensor<T>, b: &Tensor<T>) -> Vec<T> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let mut c = vec![T::from_f64(f64::NAN); m * n];
        let (at, bt) = (a.t().contiguous(), b.t().contiguous());
        let p = Outer {
            m: n,
            k,
            n: m,
            a: bt.storage().as_ptr(),
            rsa: k,
            csa: 1,
            b: at.storage().as_ptr(),
            ldb: m,
            c: c.as_mut_ptr(),
            rsc: 1,
            csc: n,
            narrow_lanes: way.narrow_lanes,
        };
        // SAFETY: as in `direct`, with C's strides swapped.
        unsafe { in_bands_on(way.isa, way.threads, &p) };
        c
    }

    /// How a test runs the kernel: on an instruction set and a thread count, with or without
    /// the narrow lanes.
    #[derive(Clone, Copy, Debug)]
    struct Way {
        isa: Isa,
        threads: usize,
        narrow_lanes: bool,
    }

    /// A way to lay the problem out: C = A·B, run as `Way` says.
    type Kernel<T> = fn(Way, &Tensor<T>, &Tensor<T>) -> Vec<T>;

    /// Both orientations on every instruction set, with and without the narrow lanes, and on
    /// 1 and 2 threads: bit for bit the
    /// scalar chain of `mul_add`s, and close to matrixmultiply (`tol` per √k).
    fn check<T: Element>(rng: &mut NumpyRng, (m, k, n): (usize, usize, usize), tol: f64) {
        let a: Tensor<T> = Tensor::<f64>::randn(&[m, k], rng).cast();
        let b: Tensor<T> = Tensor::<f64>::randn(&[k, n], rng).cast();
        let exact = chain(&a, &b);
        let near = reference(&a, &b);
        for (e, r) in exact.iter().zip(&near) {
            assert!(
                (e.to_f64() - r.to_f64()).abs() <= tol * (k.max(1) as f64).sqrt(),
                "{m}x{k}x{n}: the chain {e:?} is far from matrixmultiply's {r:?}"
            );
        }
        let kernels: [(&str, Kernel<T>); 2] = [("direct", direct), ("transposed", transposed)];
        for isa in Isa::available() {
            for (name, kernel) in kernels {
                for (threads, narrow_lanes) in [(1, false), (2, false), (1, true), (2, true)] {
                    let way = Way {
                        isa,
                        threads,
                        narrow_lanes,
                    };
                    let got = kernel(way, &a, &b);
                    for (idx, (g, e)) in got.iter().zip(&exact).enumerate() {
                        assert!(
                            g.to_f64().to_bits() == e.to_f64().to_bits(),
                            "{way:?} {name} {m}x{k}x{n} element {idx}: {g:?}, the chain of \
                             mul_adds gives {e:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_element_is_the_chain_of_mul_adds_on_every_instruction_set() {
        let mut rng = NumpyRng::new(3);
        // Edges in every direction (rows below a tile, columns not a multiple of a vector),
        // k from 0 to past several blocks, and the course's shapes cut down.
        for &(m, k, n) in &[
            (1, 0, 1),
            (1, 1, 1),
            (3, 5, 7),
            (4, 64, 100),
            (5, 17, 33),
            (7, 20, 209),
            (9, 300, 25),
            (20, 1031, 209),
            (20, 209, 300),
            (64, 64, 65),
            (2, 2000, 9),
        ] {
            check::<f64>(&mut rng, (m, k, n), 1e-13);
            check::<f32>(&mut rng, (m, k, n), 1e-4);
        }
    }

    #[test]
    fn big_products_are_the_same_on_any_thread_count() {
        let mut rng = NumpyRng::new(4);
        // Large enough to be split into bands, with bands that cut through tiles, both ways;
        // tall and at most 20 wide (in one orientation or the other) takes the narrow lanes or
        // paired zmm tiles (the f64 course shape, 20 = 8 + 8 + 4 columns), with 20 columns in
        // f32 their last vector paired.
        check::<f64>(&mut rng, (20, 600, 333), 1e-13);
        check::<f64>(&mut rng, (333, 600, 19), 1e-13);
        check::<f64>(&mut rng, (333, 600, 20), 1e-13);
        check::<f64>(&mut rng, (20, 300, 333), 1e-13);
        check::<f64>(&mut rng, (13, 300, 200), 1e-13);
        check::<f32>(&mut rng, (20, 600, 333), 1e-4);
        check::<f32>(&mut rng, (200, 300, 7), 1e-4);
        check::<f32>(&mut rng, (333, 600, 20), 1e-4);
        check::<f32>(&mut rng, (20, 300, 333), 1e-4);
    }
}
