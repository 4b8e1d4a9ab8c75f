//! The process's allocator: the system's, with large blocks backed by huge pages where the
//! kernel leaves that to the program (Linux transparent huge pages in `madvise` mode, the
//! common default). A 10 MB log's texts are new blocks of that size (the `didOpen` message, its
//! decoded text, a snapshot's copies), and in a virtual machine each 4 KiB page of them faults
//! in at some 3 µs: 10 ms for a 10 MB block, against one fault per 2 MiB.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks at least this big are advised as huge pages: smaller ones hold no whole huge page
/// worth the waste of a partly used one.
const HUGE_FROM: usize = 4 << 20;
const HUGE_PAGE: usize = 2 << 20;

/// [`System`], advising blocks of `HUGE_FROM` bytes and more as huge pages.
pub struct LargeBlocksOnHugePages;

// SAFETY: every call is the system allocator's with the same arguments; `advise` only gives
// the kernel a hint about memory the block owns.
unsafe impl GlobalAlloc for LargeBlocksOnHugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        advise(block, layout.size());
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc_zeroed(layout) };
        advise(block, layout.size());
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if new_size > layout.size() {
            advise(moved, new_size);
        }
        moved
    }
}

/// Advises the whole huge pages inside a block of `size` bytes at `block` (null: none).
#[cfg(target_os = "linux")]
fn advise(block: *mut u8, size: usize) {
    if size < HUGE_FROM || block.is_null() {
        return;
    }
    let start = (block as usize).next_multiple_of(HUGE_PAGE);
    let end = (block as usize + size) / HUGE_PAGE * HUGE_PAGE;
    if end > start {
        // SAFETY: the range lies inside the block just allocated; MADV_HUGEPAGE changes no
        // contents and fails harmlessly where huge pages are off.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_block: *mut u8, _size: usize) {}
