//! The global allocator: mimalloc, called the way the system allocator is.
//!
//! The `mimalloc` crate's allocator asks for every block through `mi_malloc_aligned`, whose
//! fast path only serves a block when the size class's free list is ready; otherwise (its
//! free list was just used up, the freed blocks wait on the page's local list) it falls back
//! to over-allocating `size + align - 1` bytes from a larger size class. Engine values are
//! 16-byte aligned (they hold `i128`), and on the packet engine's alloc/free pattern that
//! fallback took one allocation in four: slower, and blocks a size class too big. Like Rust's
//! own system allocator, this one calls plain `mi_malloc` when the alignment is one malloc
//! already gives (at most 16 bytes, and no more than the size: mimalloc's size classes for
//! multiples of 16 are multiples of 16), checks it, and keeps the aligned call for the rest.

//!
//! [`configure_process`] turns transparent huge pages off for the process, which the
//! `wirecraft` binary does first thing (and benches that stand for it): see there why.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The largest alignment plain `mi_malloc` gives blocks of at least that size (mimalloc's
/// `MI_MAX_ALIGN_SIZE`, `sizeof(max_align_t)`).
const MALLOC_ALIGN: usize = 16;

/// Turns transparent huge pages off for this process (and the programs it starts), on
/// Linux; elsewhere does nothing.
///
/// mimalloc advises the kernel to back its arenas with huge pages. Where the kernel then
/// compacts memory synchronously to find a free 2 MB page (THP `defrag=madvise`, common),
/// a fault in fresh memory can stall for milliseconds: reading 20 000 packets with rdpcap
/// measured 1.5 µs of CPU a packet on a quiet machine and 5 to 7 µs on a busy one (the
/// kernel zeroing and compacting), against a steady 2.0 µs with 4 KB pages; and streaming a
/// 2 GB capture kept 20 MB resident in whole huge pages against 11 MB without them. A
/// campaign runner wants the steady figure. The flag is checked at each page fault, so
/// setting it after mimalloc reserved its first arena still applies to that arena.
pub fn configure_process() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc as the global allocator (see the module documentation).
pub struct Allocator;

fn plain(layout: &Layout) -> bool {
    layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size()
}

fn aligned(p: *mut c_void, align: usize) -> bool {
    (p as usize) & (align - 1) == 0
}

// SAFETY: every block comes from mimalloc (`mi_malloc`, `mi_zalloc`, `mi_realloc` or their
// aligned forms) with at least the layout's size and alignment (checked for the plain calls,
// which fall back to the aligned ones), and `mi_free` releases any of them.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(&layout) {
            let p = mi::mi_malloc(layout.size());
            if aligned(p, layout.align()) {
                return p.cast();
            }
            mi::mi_free(p);
        }
        mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(&layout) {
            let p = mi::mi_zalloc(layout.size());
            if aligned(p, layout.align()) {
                return p.cast();
            }
            mi::mi_free(p);
        }
        mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        if align > MALLOC_ALIGN || align > new_size {
            return mi::mi_realloc_aligned(ptr.cast(), new_size, align).cast();
        }
        let p = mi::mi_realloc(ptr.cast(), new_size);
        if p.is_null() || aligned(p, align) {
            return p.cast();
        }
        // Moved to a block malloc would not have given this alignment: move it once more.
        let q = mi::mi_malloc_aligned(new_size, align);
        if !q.is_null() {
            std::ptr::copy_nonoverlapping(
                p.cast::<u8>(),
                q.cast::<u8>(),
                new_size.min(layout.size()),
            );
        }
        mi::mi_free(p);
        q.cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_their_alignment() {
        let a = Allocator;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 16, 24, 48, 144, 176, 1000, 5000] {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: a non-zero size; the block is written within its size, grown
                // through realloc with the same layout, and freed once.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null() && (p as usize).is_multiple_of(align));
                    p.write_bytes(0xab, size);
                    let q = a.realloc(p, layout, size * 3);
                    assert!(!q.is_null() && (q as usize).is_multiple_of(align));
                    assert_eq!(*q.add(size - 1), 0xab);
                    a.dealloc(
                        q,
                        Layout::from_size_align(size * 3, align).unwrap_or(layout),
                    );
                    let z = a.alloc_zeroed(layout);
                    assert!((z as usize).is_multiple_of(align) && *z.add(size - 1) == 0);
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
