//! The SIMD registers both kernels are written with: which instruction set this CPU runs,
//! and the handful of register operations, for AVX-512, AVX2 + FMA and plain code.

use super::{dot, outer, Element};

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
                if std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512vl")
                {
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
            if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl")
            {
                out.push(Isa::Avx512);
            }
        }
        out
    }
}

/// Whether this CPU runs a 512-bit multiply-add as two 256-bit halves (AMD Zen 4, family
/// 19h), so that a zmm vector does no more work per cycle than a ymm one; detected once.
/// Elsewhere (Intel's cores with two 512-bit FMA units, Zen 5) a zmm vector does twice the
/// work, even with some of its lanes padding. Cores with a single 512-bit unit are not told
/// apart by CPUID and count as whole. Every element is the same chain of multiply-adds either
/// way, so this decides speed only.
pub(crate) fn halved_512() -> bool {
    static HALVED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HALVED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::__cpuid;
            let (vendor, signature) = (__cpuid(0), __cpuid(1).eax);
            let amd =
                (vendor.ebx, vendor.edx, vendor.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163);
            let base = (signature >> 8) & 0xf;
            let family = if base == 0xf {
                base + ((signature >> 20) & 0xff)
            } else {
                base
            };
            amd && family == 0x19
        }
        #[cfg(not(target_arch = "x86_64"))]
        false
    })
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
                    $crate::tensor::simd::Isa::Avx512 => unsafe { $avx512::<$t, $v512>($p, $($arg),*) },
                    #[cfg(target_arch = "x86_64")]
                    $crate::tensor::simd::Isa::Avx2 => unsafe { $avx2::<$t, $v256>($p, $($arg),*) },
                    // SAFETY: plain code.
                    $crate::tensor::simd::Isa::Portable => unsafe { $portable::<$t, $crate::tensor::simd::Portable, 2, 2>($p, $($arg),*) },
                }
            }};
        }
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f64>() {
            typed!(f64, $crate::tensor::simd::x86::Avx512F64, $crate::tensor::simd::x86::Avx2F64)
        } else if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() {
            typed!(f32, $crate::tensor::simd::x86::Avx512F32, $crate::tensor::simd::x86::Avx2F32)
        } else {
            unreachable!("Element is sealed: f32 or f64")
        }
    }};
}

pub(crate) use on_lanes;

/// A SIMD register of `L` elements of `T` and what the kernels do with it.
///
/// # Safety
/// The methods may only run on a CPU with the instruction set the implementation names.
pub(crate) trait Lanes<T: Element>: Copy {
    type V: Copy;
    const L: usize;
    /// Half-width registers on the same instruction set (itself where there are none): for a
    /// C only a few dozen elements wide, where full vectors would compute many padding lanes.
    type Narrow: Lanes<T>;
    unsafe fn zero() -> Self::V;
    /// `L` elements from `p` (unaligned).
    unsafe fn load(p: *const T) -> Self::V;
    /// `a·b + c` lane by lane, rounded once.
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// Asks for the cache line at `p` (which need not be valid) to be loaded into L1.
    unsafe fn prefetch(p: *const T);
    /// Asks for the cache line at `p` (which need not be valid) to be loaded into L2.
    unsafe fn prefetch_l2(p: *const T);
    /// The first `n ≤ L` elements from `p`, the other lanes zero.
    unsafe fn load_first(p: *const T, n: usize) -> Self::V;
    /// The lanes' sum, in a fixed order.
    unsafe fn sum(v: Self::V) -> T;
    /// `x` in every lane.
    unsafe fn splat(x: T) -> Self::V;
    /// Writes the `L` lanes to `p` (unaligned).
    unsafe fn store(p: *mut T, v: Self::V);
    /// The lower half of `lo`'s lanes, then the lower half of `hi`'s.
    unsafe fn join_halves(lo: Self::V, hi: Self::V) -> Self::V;
    /// The upper half of `v`'s lanes moved down (the upper half of the result is unspecified).
    unsafe fn upper_half(v: Self::V) -> Self::V;
    /// Writes the first `n < L` lanes to `p`.
    unsafe fn store_first(p: *mut T, v: Self::V, n: usize);
    /// The dot kernel's tile with these lanes. The SIMD sets run each tile as a function of
    /// its own, so its registers are allocated for the tile alone, not for the whole band.
    unsafe fn dot_tile<const MR: usize, const NR: usize>(t: &dot::Tile<T>);
    /// The outer-product kernel's tile with these lanes.
    unsafe fn outer_tile<const MR: usize, const NV: usize>(t: &outer::Tile<T>);
}

/// Plain code: four lanes, each a fused multiply-add as on the SIMD sets.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

impl<T: Element> Lanes<T> for Portable {
    type V = [T; 4];
    const L: usize = 4;
    type Narrow = Self;
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
        std::array::from_fn(|l| a[l].mul_add(b[l], c[l]))
    }
    #[inline(always)]
    unsafe fn prefetch(_: *const T) {}
    #[inline(always)]
    unsafe fn prefetch_l2(_: *const T) {}
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
    unsafe fn join_halves(lo: [T; 4], hi: [T; 4]) -> [T; 4] {
        [lo[0], lo[1], hi[0], hi[1]]
    }
    #[inline(always)]
    unsafe fn upper_half(v: [T; 4]) -> [T; 4] {
        [v[2], v[3], v[2], v[3]]
    }
    #[inline(always)]
    unsafe fn store_first(p: *mut T, v: [T; 4], n: usize) {
        for (l, &x) in v.iter().enumerate().take(n) {
            // SAFETY: the caller's n elements.
            unsafe { *p.add(l) = x };
        }
    }
    #[inline(always)]
    unsafe fn dot_tile<const MR: usize, const NR: usize>(t: &dot::Tile<T>) {
        // SAFETY: forwarded.
        unsafe { dot::tile_at::<T, Self, MR, NR>(t) }
    }
    #[inline(always)]
    unsafe fn outer_tile<const MR: usize, const NV: usize>(t: &outer::Tile<T>) {
        // SAFETY: forwarded.
        unsafe { outer::tile_at::<T, Self, MR, NV>(t) }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    use super::{dot, outer, Lanes};
    use std::arch::x86_64::*;

    macro_rules! lanes {
        ($name:ident, $narrow:ty, $features:literal, $dot_tile:ident, $outer_tile:ident, $t:ty,
         $v:ty, $l:literal, $zero:ident, $load:ident, $fma:ident, $splat:ident, $store:ident,
         |$p:ident, $n:ident| $first:block, |$sp:ident, $sv2:ident, $sn:ident| $store_first:block,
         |$sv:ident| $sum:block, |$jlo:ident, $jhi:ident| $join:block, |$uv:ident| $upper:block) => {
            #[derive(Clone, Copy)]
            pub(crate) struct $name;

            #[target_feature(enable = $features)]
            #[inline(never)]
            unsafe fn $dot_tile<const MR: usize, const NR: usize>(t: &dot::Tile<$t>) {
                // SAFETY: forwarded; the caller runs on this instruction set.
                unsafe { dot::tile_at::<$t, $name, MR, NR>(t) }
            }

            #[target_feature(enable = $features)]
            #[inline(never)]
            unsafe fn $outer_tile<const MR: usize, const NV: usize>(t: &outer::Tile<$t>) {
                // SAFETY: forwarded; the caller runs on this instruction set.
                unsafe { outer::tile_at::<$t, $name, MR, NV>(t) }
            }

            impl Lanes<$t> for $name {
                type V = $v;
                const L: usize = $l;
                type Narrow = $narrow;
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
                unsafe fn prefetch_l2(p: *const $t) {
                    // SAFETY: a prefetch never faults.
                    unsafe { _mm_prefetch::<_MM_HINT_T1>(p as *const i8) }
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
                unsafe fn join_halves($jlo: $v, $jhi: $v) -> $v {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $join }
                }
                #[inline(always)]
                unsafe fn upper_half($uv: $v) -> $v {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $upper }
                }
                #[inline(always)]
                unsafe fn store_first($sp: *mut $t, $sv2: $v, $sn: usize) {
                    // SAFETY: the caller's n elements, on this instruction set.
                    unsafe { $store_first }
                }
                #[inline(always)]
                unsafe fn dot_tile<const MR: usize, const NR: usize>(t: &dot::Tile<$t>) {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $dot_tile::<MR, NR>(t) }
                }
                #[inline(always)]
                unsafe fn outer_tile<const MR: usize, const NV: usize>(t: &outer::Tile<$t>) {
                    // SAFETY: the caller runs on this instruction set.
                    unsafe { $outer_tile::<MR, NV>(t) }
                }
            }
        };
    }

    lanes!(
        Avx512F64,
        Avx512VlF64,
        "avx512f,avx2,fma",
        dot_tile_avx512_f64,
        outer_tile_avx512_f64,
        f64,
        __m512d,
        8,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_fmadd_pd,
        _mm512_set1_pd,
        _mm512_storeu_pd,
        |p, n| { _mm512_maskz_loadu_pd(((1u32 << n) - 1) as u8, p) },
        |p, v, n| { _mm512_mask_storeu_pd(p, ((1u32 << n) - 1) as u8, v) },
        |v| { _mm512_reduce_add_pd(v) },
        |lo, hi| { _mm512_shuffle_f64x2(lo, hi, 0x44) },
        |v| { _mm512_shuffle_f64x2(v, v, 0xEE) }
    );
    lanes!(
        Avx512F32,
        Avx512VlF32,
        "avx512f,avx2,fma",
        dot_tile_avx512_f32,
        outer_tile_avx512_f32,
        f32,
        __m512,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_fmadd_ps,
        _mm512_set1_ps,
        _mm512_storeu_ps,
        |p, n| { _mm512_maskz_loadu_ps(((1u32 << n) - 1) as u16, p) },
        |p, v, n| { _mm512_mask_storeu_ps(p, ((1u32 << n) - 1) as u16, v) },
        |v| { _mm512_reduce_add_ps(v) },
        |lo, hi| { _mm512_shuffle_f32x4(lo, hi, 0x44) },
        |v| { _mm512_shuffle_f32x4(v, v, 0xEE) }
    );
    // ymm registers: of AVX2, and (with AVX-512's 32 of them) the narrow lanes of AVX-512.
    macro_rules! ymm_f64 {
        ($name:ident, $features:literal, $dot_tile:ident, $outer_tile:ident) => {
            lanes!(
                $name,
                $name,
                $features,
                $dot_tile,
                $outer_tile,
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
                    let mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), lane);
                    _mm256_maskstore_pd(p, mask, v)
                },
                |v| {
                    let h = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
                    _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)))
                },
                |lo, hi| { _mm256_permute2f128_pd(lo, hi, 0x20) },
                |v| { _mm256_permute2f128_pd(v, v, 0x11) }
            );
        };
    }
    macro_rules! ymm_f32 {
        ($name:ident, $features:literal, $dot_tile:ident, $outer_tile:ident) => {
            lanes!(
                $name,
                $name,
                $features,
                $dot_tile,
                $outer_tile,
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
                    let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), lane);
                    _mm256_maskstore_ps(p, mask, v)
                },
                |v| {
                    let h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
                    let h = _mm_add_ps(h, _mm_movehl_ps(h, h));
                    _mm_cvtss_f32(_mm_add_ss(h, _mm_shuffle_ps(h, h, 1)))
                },
                |lo, hi| { _mm256_permute2f128_ps(lo, hi, 0x20) },
                |v| { _mm256_permute2f128_ps(v, v, 0x11) }
            );
        };
    }
    ymm_f64!(Avx2F64, "avx2,fma", dot_tile_avx2_f64, outer_tile_avx2_f64);
    ymm_f32!(Avx2F32, "avx2,fma", dot_tile_avx2_f32, outer_tile_avx2_f32);
    ymm_f64!(
        Avx512VlF64,
        "avx512f,avx512vl,avx2,fma",
        dot_tile_avx512vl_f64,
        outer_tile_avx512vl_f64
    );
    ymm_f32!(
        Avx512VlF32,
        "avx512f,avx512vl,avx2,fma",
        dot_tile_avx512vl_f32,
        outer_tile_avx512vl_f32
    );
}
