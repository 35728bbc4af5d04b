//! The loops. Every op, on the tape or off it, ends up here.

use super::simd::Isa;
use super::{Element, Shape, Tensor};
use crate::error::{fmt_shape, Error, Result};

/// Copies a (possibly transposed) tensor into row-major order.
pub(crate) fn gather<T: Element>(t: &Tensor<T>) -> Vec<T> {
    if t.ndim() == 2 && t.strides() == [1, t.shape()[0]] {
        // A transposed view: its storage is the row-major (cols, rows) matrix.
        return transpose(t.storage(), t.shape()[1], t.shape()[0]);
    }
    let mut out = Vec::with_capacity(t.len());
    let strides: Shape = t.strides().into();
    for_each_row(t.shape(), &[&strides], |offsets, len| {
        let s = strides.last().copied().unwrap_or(0);
        let src = t.storage();
        out.extend((0..len).map(|i| src[offsets[0] + i * s]));
    });
    out
}

/// The transpose of the row-major `rows × cols` matrix `src`, in blocks: eight rows at a time
/// of the side whose rows lie far apart, 256 elements at a time along them. Rows a multiple of
/// 4 KiB apart share cache sets, so touching many of them at once (as square blocks do) misses
/// the cache on nearly every access; for a mini-batch of X (12288 × 64) this runs about three
/// times faster than 32 × 32 blocks.
pub(crate) fn transpose<T: Element>(src: &[T], rows: usize, cols: usize) -> Vec<T> {
    debug_assert_eq!(src.len(), rows * cols);
    let mut out = vec![T::ZERO; rows * cols];
    let (bi, bj) = if rows >= cols { (256, 8) } else { (8, 256) };
    for j0 in (0..cols).step_by(bj) {
        for i0 in (0..rows).step_by(bi) {
            for j in j0..(j0 + bj).min(cols) {
                for i in i0..(i0 + bi).min(rows) {
                    out[j * rows + i] = src[i * cols + j];
                }
            }
        }
    }
    out
}

/// Walks the rows (last dimension) of `shape`, calling `row(offsets, len)` with the starting
/// element offset of each row in each of the `strides` layouts.
fn for_each_row(shape: &[usize], strides: &[&Shape], mut row: impl FnMut(&[usize], usize)) {
    let n = shape.len();
    if shape.contains(&0) {
        return;
    }
    if n == 0 {
        row(&vec![0; strides.len()], 1);
        return;
    }
    let len = shape[n - 1];
    let mut index: Shape = smallvec::smallvec![0; n - 1];
    let mut offsets = vec![0usize; strides.len()];
    loop {
        row(&offsets, len);
        // Odometer increment over the outer dimensions, keeping offsets in step.
        let mut d = n - 1;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            for (o, s) in offsets.iter_mut().zip(strides) {
                *o += s[d];
            }
            if index[d] < shape[d] {
                break;
            }
            for (o, s) in offsets.iter_mut().zip(strides) {
                *o -= s[d] * shape[d];
            }
            index[d] = 0;
        }
    }
}

/// NumPy's broadcasting rule: align trailing dimensions; each pair must be equal or contain 1.
pub(crate) fn broadcast_shape(op: &'static str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = smallvec::smallvec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() {
            1
        } else {
            a[i - (n - a.len())]
        };
        let db = if i < n - b.len() {
            1
        } else {
            b[i - (n - b.len())]
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Error::shape(
                    op,
                    format!(
                    "shapes {} and {} cannot be broadcast together (dimension {i}: {da} vs {db})",
                    fmt_shape(a),
                    fmt_shape(b)
                ),
                ))
            }
        };
    }
    Ok(out)
}

/// Strides that read `t` as if it had shape `out` (0 along broadcast dimensions).
fn broadcast_strides<T: Element>(t: &Tensor<T>, out: &[usize]) -> Shape {
    let lead = out.len() - t.ndim();
    let mut s: Shape = smallvec::smallvec![0; out.len()];
    for (i, (&d, &st)) in t.shape().iter().zip(t.strides()).enumerate() {
        s[lead + i] = if d == 1 { 0 } else { st };
    }
    s
}

/// Elementwise `f(a, b)` over the broadcast shape `out`.
pub(crate) fn zip_broadcast<T: Element>(
    a: &Tensor<T>,
    b: &Tensor<T>,
    out: &[usize],
    f: impl Fn(T, T) -> T,
) -> Tensor<T> {
    // The common case, equal contiguous shapes, is one flat loop the compiler vectorizes.
    if a.shape() == out && b.shape() == out && a.is_contiguous() && b.is_contiguous() {
        let data = a
            .storage()
            .iter()
            .zip(b.storage())
            .map(|(&x, &y)| f(x, y))
            .collect();
        return Tensor::from_parts(data, out);
    }
    let (sa, sb) = (broadcast_strides(a, out), broadcast_strides(b, out));
    let (da, db) = (a.storage(), b.storage());
    let mut data = Vec::with_capacity(out.iter().product());
    let (ia, ib) = (
        sa.last().copied().unwrap_or(0),
        sb.last().copied().unwrap_or(0),
    );
    for_each_row(out, &[&sa, &sb], |o, len| {
        let (ra, rb) = (o[0], o[1]);
        match (ia, ib) {
            (1, 1) => data.extend(
                da[ra..ra + len]
                    .iter()
                    .zip(&db[rb..rb + len])
                    .map(|(&x, &y)| f(x, y)),
            ),
            (1, 0) => data.extend(da[ra..ra + len].iter().map(|&x| f(x, db[rb]))),
            (0, 1) => data.extend(db[rb..rb + len].iter().map(|&y| f(da[ra], y))),
            _ => data.extend((0..len).map(|i| f(da[ra + i * ia], db[rb + i * ib]))),
        }
    });
    Tensor::from_parts(data, out)
}

/// Elementwise `f(a, b)` for equal shapes (`op` names the caller in the error).
pub(crate) fn zip_same<T: Element>(
    op: &'static str,
    a: &Tensor<T>,
    b: &Tensor<T>,
    f: impl Fn(T, T) -> T,
) -> Result<Tensor<T>> {
    if a.shape() != b.shape() {
        return Err(Error::shape(
            op,
            format!(
                "shapes differ: {} and {}",
                fmt_shape(a.shape()),
                fmt_shape(b.shape())
            ),
        ));
    }
    Ok(zip_broadcast(a, b, a.shape(), f))
}

/// `(outer, n, inner)`: the sizes before, at and after `axis`, for row-major loops over the
/// `n` slices along an axis (element `(o, k, i)` sits at `(o·n + k)·inner + i`).
pub(crate) fn split_at_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

/// Sums `t` along `axis`, keeping it as a dimension of size 1 (in order, first to last).
pub(crate) fn sum_axis_keepdim<T: Element>(t: &Tensor<T>, axis: usize) -> Tensor<T> {
    fold_axis_keepdim(t, axis, T::ZERO, |acc, x| acc + x)
}

/// Reduces along `axis` with `f`, starting from the first element; the inner loop runs over
/// contiguous memory.
pub(crate) fn fold_axis_keepdim<T: Element>(
    t: &Tensor<T>,
    axis: usize,
    empty: T,
    f: impl Fn(T, T) -> T,
) -> Tensor<T> {
    let t = t.contiguous();
    let shape = t.shape();
    let (outer, n, inner) = split_at_axis(shape, axis);
    let mut out_shape: Shape = shape.into();
    out_shape[axis] = 1;
    if n == 0 {
        return Tensor::full(&out_shape, empty);
    }
    let src = t.storage();
    let mut out = Vec::with_capacity(outer * inner);
    for o in 0..outer {
        let first = (o * n) * inner;
        out.extend_from_slice(&src[first..first + inner]);
        let dst_start = o * inner;
        for k in 1..n {
            let row = &src[(o * n + k) * inner..(o * n + k + 1) * inner];
            for (d, &x) in out[dst_start..].iter_mut().zip(row) {
                *d = f(*d, x);
            }
        }
    }
    Tensor::from_parts(out, &out_shape)
}

/// Sums a broadcast result back to `target` (the inverse of broadcasting, used by every
/// broadcast op's backward): leading dimensions are summed away, size-1 ones kept.
pub(crate) fn sum_to_shape<T: Element>(g: &Tensor<T>, target: &[usize]) -> Tensor<T> {
    if g.shape() == target {
        return g.clone();
    }
    let lead = g.ndim() - target.len();
    let mut acc = g.clone();
    for axis in 0..g.ndim() {
        let want = if axis < lead { 1 } else { target[axis - lead] };
        if acc.shape()[axis] != want {
            acc = sum_axis_keepdim(&acc, axis);
        }
    }
    acc.reshape(target)
}

/// Below this many multiply-adds a product runs on the calling thread alone: handing a band
/// to another thread would cost a good part of what it saves.
const PARALLEL_MIN_WORK: usize = 1 << 22;
/// Each thread gets a band at least this wide of the product's longer side.
const PARALLEL_MIN_ROWS: usize = 64;
/// A wide C with at most this many rows (`W1·X`: 20 × 209) is cut along its rows.
const FEW_ROWS: usize = 64;

/// How many threads big matrix products use: `MATMUL_NUM_THREADS` (as for matrixmultiply's own
/// threading) when set, else the number of CPUs the process may use.
pub(crate) fn matmul_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        let from_env = std::env::var("MATMUL_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse().ok());
        from_env
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, 64)
    })
}

/// `C = A·B` through `matrixmultiply`, with C split into bands along its longer side,
/// computed on separate threads, when the product is big. Each element is computed by one
/// thread in the same order as single-threaded, so the result does not depend on the thread
/// count.
///
/// # Safety
/// As [`Element::gemm`].
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_split<T: Element>(
    m: usize,
    k: usize,
    n: usize,
    a: *const T,
    (rsa, csa): (isize, isize),
    b: *const T,
    (rsb, csb): (isize, isize),
    c: *mut T,
    (rsc, csc): (isize, isize),
) {
    let long = m.max(n);
    // A band of rows of C needs the same rows of A; a band of columns, the same columns of B.
    let band_of = move |lo: usize, len: usize| {
        if m >= n {
            (
                len,
                n,
                a.wrapping_offset(lo as isize * rsa),
                b,
                c.wrapping_offset(lo as isize * rsc),
            )
        } else {
            (
                m,
                len,
                a,
                b.wrapping_offset(lo as isize * csb),
                c.wrapping_offset(lo as isize * csc),
            )
        }
    };
    let run = move |lo: usize, len: usize| {
        let (bm, bn, a, b, c) = band_of(lo, len);
        // SAFETY: the band lies inside the caller's matrices (as in `Element::gemm`), and no two
        // bands share an element of C.
        unsafe {
            T::gemm(
                bm,
                k,
                bn,
                T::ONE,
                a,
                rsa,
                csa,
                b,
                rsb,
                csb,
                T::ZERO, // C is written, never read
                c,
                rsc,
                csc,
            )
        };
    };
    // Raw pointers are not Send: the threads get the band bounds and rebuild the pointers.
    struct Shared<F>(F);
    // SAFETY: the closure only reads A and B and writes its own band of C.
    unsafe impl<F> Sync for Shared<F> {}
    impl<F: Fn(usize, usize)> Shared<F> {
        fn run(&self, lo: usize, len: usize) {
            (self.0)(lo, len)
        }
    }
    let shared = Shared(run);
    in_bands(
        m * n * k,
        long,
        PARALLEL_MIN_ROWS,
        matmul_threads(),
        1,
        &|lo, len| shared.run(lo, len),
    );
}

/// Runs `band(lo, len)` over `0..long` split into `pieces` bands per thread, each at least
/// `min_len` long, when the product is big (`work` multiply-adds), taken by the calling thread
/// and the pool's workers as each gets free; else once, here, over all of it.
pub(crate) fn in_bands(
    work: usize,
    long: usize,
    min_len: usize,
    threads: usize,
    pieces: usize,
    band: &(dyn Fn(usize, usize) + Sync),
) {
    let parts = if work >= PARALLEL_MIN_WORK {
        threads.min(long / min_len).max(1)
    } else {
        1
    };
    if parts == 1 {
        band(0, long);
        return;
    }
    let width = match pieces {
        1 => long.div_ceil(parts),
        // Whole multiples of the minimum, so that row tiles are not cut.
        _ => long
            .div_ceil(parts * pieces)
            .next_multiple_of(PARALLEL_MIN_ROWS),
    };
    super::pool::run(parts, width, long, band);
}

/// A product that one of the SIMD kernels computes band by band of C.
pub(crate) trait Banded: Sync {
    /// `(m, k, n)`: C is m × n, the inner dimension k.
    fn dims(&self) -> (usize, usize, usize);
    /// Rows `rows.0..rows.1` × columns `cols.0..cols.1` of C, on `isa`.
    ///
    /// # Safety
    /// The problem must describe valid, non-aliasing matrices, the band must lie inside C,
    /// and the CPU must run `isa`.
    unsafe fn band(&self, isa: Isa, rows: (usize, usize), cols: (usize, usize));
}

/// Runs `p` on the detected instruction set, in bands on several threads when it is big.
///
/// # Safety
/// As [`Banded::band`].
pub(crate) unsafe fn run_banded<P: Banded>(p: &P) {
    // SAFETY: forwarded; the instruction set is this CPU's.
    unsafe { in_bands_on(Isa::detected(), matmul_threads(), p) }
}

/// Runs `p` on `isa` in bands along C's longer side, or along the rows of a wide C with few
/// of them (one per thread when it is big). Each kernel computes every element the same way
/// whichever band holds it, so the result does not depend on the thread count.
///
/// # Safety
/// As [`Banded::band`].
pub(crate) unsafe fn in_bands_on<P: Banded>(isa: Isa, threads: usize, p: &P) {
    let (m, k, n) = p.dims();
    if m == 0 || n == 0 {
        return;
    }
    // Bands of rows (a tall C, whose A streams) come in several pieces per thread, so a slower
    // thread takes fewer. A wide C with few rows is cut along them too, one band per thread:
    // each thread then reads B's rows whole and in order, where bands of columns would each
    // read part of every row. Other wide Cs get bands of columns, one per thread (they share
    // A's blocks).
    let (by_rows, long, min_len, pieces) = if m > n {
        (true, m, PARALLEL_MIN_ROWS, 8)
    } else if m <= FEW_ROWS {
        // Bands of at least 2 rows: the two-layer model's 7 rows of `W1·X` still split.
        (true, m, 2, 1)
    } else {
        (false, n, PARALLEL_MIN_ROWS, 1)
    };
    in_bands(
        m * n * k.max(1),
        long,
        min_len,
        threads,
        pieces,
        &|lo, len| {
            let band = (lo, lo + len);
            let (rows, cols) = if by_rows {
                (band, (0, n))
            } else {
                ((0, m), band)
            };
            // SAFETY: the band lies inside C; the caller vouches for the rest.
            unsafe { p.band(isa, rows, cols) }
        },
    );
}

/// `C = A·B` for 2-D tensors with any strides (transposed views included, never copied).
pub(crate) fn matmul<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> Result<Tensor<T>> {
    if a.ndim() != 2 || b.ndim() != 2 {
        return Err(Error::shape(
            "matmul",
            format!(
                "expected 2-D operands: {} x {}",
                fmt_shape(a.shape()),
                fmt_shape(b.shape())
            ),
        ));
    }
    let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
    if b.shape()[0] != k {
        return Err(Error::shape(
            "matmul",
            format!(
                "inner dimensions differ: {} x {}",
                fmt_shape(a.shape()),
                fmt_shape(b.shape())
            ),
        ));
    }
    // C is not zeroed first: every kernel writes each element (none reads C). Zeroing would
    // also leave the C of a product split over threads in the calling thread's cache.
    let mut c = Vec::with_capacity(m * n);
    gemm_into(a, b, &mut c.spare_capacity_mut()[..m * n]);
    // SAFETY: `gemm_into` wrote all m·n elements.
    unsafe { c.set_len(m * n) };
    Ok(Tensor::from_parts(c, &[m, n]))
}

/// A layout of the 2-D `t` with contiguous rows: its start and the stride between rows.
fn contiguous_rows<T: Element>(t: &Tensor<T>) -> Option<(*const T, usize)> {
    t.layouts()
        .into_iter()
        .find(|&(_, _, cs)| cs == 1)
        .map(|(p, rs, _)| (p, rs as usize))
}

/// `t`'s rows as [`contiguous_rows`] finds them, or else those of a row-major copy kept in
/// `copy` (so the pointer stays valid while `copy` and `t` live).
fn rows_or_copy<T: Element>(t: &Tensor<T>, copy: &mut Option<Tensor<T>>) -> (*const T, usize) {
    contiguous_rows(t).unwrap_or_else(|| {
        let c = copy.insert(t.contiguous());
        (c.storage().as_ptr(), t.shape()[1])
    })
}

/// Where a product goes, by its dimensions only: each kernel sums in its own order, and the
/// choice never depends on the operands' layouts, so neither does the result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kernel {
    /// A C of a few registers' worth (at most 256 elements) and a long inner dimension, like
    /// the small layers' `dW = dZ·A_prevᵀ` over the examples: dot products (`dot`), each
    /// element in `L` partial sums.
    Dot,
    /// One side of C small (`W1·X`, `dZ1·Xᵀ`, a mini-batch's products), or a short inner
    /// dimension: outer products read in place (`outer`), each element one chain of fused
    /// multiply-adds.
    Outer,
    /// Everything else: matrixmultiply's packed panels.
    Packed,
}

impl Kernel {
    fn for_shape(m: usize, k: usize, n: usize) -> Kernel {
        if k <= 64 && m <= 64 {
            Kernel::Outer
        } else if m * n <= 256 && k >= 32 {
            Kernel::Dot
        } else if m.min(n) <= 64 {
            Kernel::Outer
        } else {
            Kernel::Packed
        }
    }
}

/// `c = A·B`, with `c` row-major (m, n): every element written, none read. Shapes are checked
/// by the caller.
pub(crate) fn gemm_into<T: Element>(
    a: &Tensor<T>,
    b: &Tensor<T>,
    c: &mut [std::mem::MaybeUninit<T>],
) {
    let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
    debug_assert_eq!(c.len(), m * n);
    if m == 0 || n == 0 {
        return;
    }
    let kernel = Kernel::for_shape(m, k, n);
    if kernel == Kernel::Dot {
        // Read rows of A and columns of B in place when some layout has them contiguous, else
        // from a copy: the path depends on the shapes only, so an operand's layouts never
        // change the result.
        let (mut a_copy, mut bt_copy) = (None, None);
        let (pa, lda) = rows_or_copy(a, &mut a_copy);
        let (pb, ldb) = rows_or_copy(&b.t(), &mut bt_copy);
        let p = super::dot::Problem {
            m,
            k,
            n,
            a: pa,
            lda,
            b: pb,
            ldb,
            c: c.as_mut_ptr().cast(),
            rsc: n,
            csc: 1,
        };
        // SAFETY: row i of A and column j of B are contiguous runs of k elements (in the
        // operands or in the copies, which live until the end of this block), and `c` is a
        // buffer of m·n elements that aliases neither.
        unsafe { run_banded(&p) };
        return;
    }
    if kernel == Kernel::Outer {
        // Read B's rows in place when some layout has them contiguous (`W1·X`), or else
        // compute Cᵀ = Bᵀ·Aᵀ when B's columns are (`dZ1·Xᵀ`: X's own rows become the broadcast
        // side). With both, a wide C prefers the second: B's rows would lie far apart. Every
        // choice gives the same bits (see `outer`), so layouts never change the result.
        let (rows, cols) = (contiguous_rows(b), contiguous_rows(&b.t()));
        let (pc, ldc) = (c.as_mut_ptr().cast::<T>(), n);
        let narrow_lanes = super::simd::halved_512();
        let mut copy = None;
        let p = match cols {
            Some((pb, ld)) if rows.is_none() || n > 1024 => {
                // B' = Aᵀ: its rows are A's columns, in place or from a copy (A is small).
                let (pa, lda) = rows_or_copy(&a.t(), &mut copy);
                super::outer::Outer {
                    m: n,
                    k,
                    n: m,
                    a: pb,
                    rsa: ld,
                    csa: 1,
                    b: pa,
                    ldb: lda,
                    c: pc,
                    rsc: 1,
                    csc: ldc,
                    narrow_lanes,
                }
            }
            _ => {
                let (pb, ldb) = rows_or_copy(b, &mut copy);
                // A is broadcast element by element: along its rows when it can be.
                let (pa, rsa, csa) = a
                    .layouts()
                    .into_iter()
                    .find(|&(_, _, cs)| cs == 1)
                    .unwrap_or(a.layouts()[0]);
                super::outer::Outer {
                    m,
                    k,
                    n,
                    a: pa,
                    rsa: rsa as usize,
                    csa: csa as usize,
                    b: pb,
                    ldb,
                    c: pc,
                    rsc: ldc,
                    csc: 1,
                    narrow_lanes,
                }
            }
        };
        // SAFETY: the strides are the operands' own (or the copies', alive until the end of
        // this block), B's rows are contiguous runs, and `c` is a buffer of m·n elements that
        // aliases neither.
        unsafe { run_banded(&p) };
        return;
    }
    // matrixmultiply copies A into panels of a few rows and B into panels of a few columns;
    // how fast depends on the operands' layouts (see `Element::PACK_A_ROW_MAJOR`: for the
    // 20 MB X of the course, 4.0 instead of 5.8 ms on one core in f64). An operand with both
    // layouts is read from the one that packs fastest.
    let pick = |t: &Tensor<T>, row_major: bool| {
        let layouts = t.layouts();
        let fits =
            |&(_, rs, cs): &(*const T, isize, isize)| if row_major { cs == 1 } else { rs == 1 };
        layouts.iter().copied().find(fits).unwrap_or(layouts[0])
    };
    let (pa, rsa, csa) = pick(a, T::PACK_A_ROW_MAJOR);
    let (pb, rsb, csb) = pick(b, !T::PACK_A_ROW_MAJOR);
    let (rsc, csc) = (n as isize, 1isize);
    let pc = c.as_mut_ptr().cast::<T>();
    // SAFETY: the shapes and strides describe the tensors' own storage (checked by the
    // callers), and `c` is a buffer of m·n elements that aliases neither operand.
    unsafe {
        if hand_over_transposed::<T>(m, n) {
            gemm_split(n, k, m, pb, (csb, rsb), pa, (csa, rsa), pc, (csc, rsc))
        } else {
            gemm_split(m, k, n, pa, (rsa, csa), pb, (rsb, csb), pc, (rsc, csc))
        }
    }
}

/// Whether to hand `C = A·B` (C is m×n) to matrixmultiply as `Cᵀ = Bᵀ·Aᵀ`, written into C
/// through swapped strides: same values, other blocking. Measured on the course's products
/// (W1·X is 20×209, dZ1·Xᵀ is 20×12288; ms per product, 1 thread / 2 threads): with C's longer
/// side as the rows, f64 runs 4.2 + 5.1 / 2.2 + 2.8 against 4.2 + 5.3 / 2.4 + 3.0 as written;
/// f32 prefers the product as written on one thread (step 6.6 against 7.0 ms) and transposed on
/// two (3.5 against 4.1 ms).
fn hand_over_transposed<T: Element>(m: usize, n: usize) -> bool {
    m < n && (T::TRANSPOSE_ON_ONE_THREAD || matmul_threads() > 1)
}

/// Checks that an axis exists.
pub(crate) fn check_axis(op: &'static str, shape: &[usize], axis: usize) -> Result<()> {
    if axis >= shape.len() {
        return Err(Error::shape(
            op,
            format!("axis {axis} is out of range for shape {}", fmt_shape(shape)),
        ));
    }
    Ok(())
}

/// Shape of `shape` with `axis` removed (the `keepdims = false` form of a reduction).
pub(crate) fn drop_axis(shape: &[usize], axis: usize) -> Shape {
    shape
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != axis)
        .map(|(_, &d)| d)
        .collect()
}
