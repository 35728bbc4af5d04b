//! How the process's allocator treats the big buffers a training loop frees and allocates
//! again at every step.
//!
//! A mini-batch step allocates its batch, the batch's other layout and its gradients (several
//! MB each) and frees them when its tape is dropped. glibc's malloc hands such blocks back to
//! the operating system (`munmap`, or trimming the heap) as soon as they are freed, so the
//! next step takes a page fault for every 4 KiB page it writes — with the course's mini-batch
//! training, a third of the run. Caching allocators (PyTorch's, XLA's) keep freed blocks for
//! the next step; [`keep_freed_memory`] asks glibc to do the same.

/// Asks the allocator to keep freed memory in the process for reuse rather than return it to
/// the operating system at once, so that a loop allocating the same big tensors step after
/// step stops paying a page fault per page. Call it once, at the start of `main`; it changes
/// the whole process's allocator. Returns whether it applied.
///
/// On Linux with glibc it serves blocks up to 32 MiB from the heap (`M_MMAP_THRESHOLD`) and
/// trims the heap only past 512 MiB of free memory at its top (`M_TRIM_THRESHOLD`); memory
/// in use is unchanged, and freed memory is reused by the next allocation. Elsewhere (musl,
/// macOS, Windows, whose allocators behave differently) it does nothing and returns `false`.
///
/// ```
/// let applied = tapegrad::memory::keep_freed_memory();
/// assert_eq!(applied, cfg!(all(target_os = "linux", target_env = "gnu")));
/// ```
pub fn keep_freed_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;
        extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        const M_TRIM_THRESHOLD: c_int = -1;
        const M_MMAP_THRESHOLD: c_int = -3;
        // SAFETY: mallopt only sets two of glibc's malloc parameters (documented in
        // mallopt(3)); it returns 1 on success and 0 for a value out of range.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
