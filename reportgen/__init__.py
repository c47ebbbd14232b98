"""reportgen: credit-management analytics on a Polars core."""

import os

# Polars allocates through jemalloc, and a page fault is dear (2-3 us each on a small VM): a
# run over millions of rows should reuse the memory it freed rather than fault in fresh pages.
# - dirty_decay_ms/muzzy_decay_ms 30 s: freed pages are kept, not handed back to the OS within
#   seconds (10-15 % faster at 10M invoices);
# - narenas:1: one arena for every thread, so that what one thread frees another can reuse
#   (by default threads are spread over 4 arenas per core, and pages freed by the reader
#   threads sat unused by the others);
# - oversize_threshold:0: large buffers (most of them, at this scale) come from that arena too,
#   not from the separate "huge" arena, which jemalloc purges at once (its decay set to 0);
# - lg_extent_max_active_fit:10: a freed block may be split for a much smaller request.
# Together (bench/README.md): a 10M-invoice aging faults in 0.78M pages instead of 1.03M and
# peaks at 3.1 GB instead of 4.1 GB. Set before Polars loads; an explicit setting wins.
os.environ.setdefault(
    "_RJEM_MALLOC_CONF",
    "dirty_decay_ms:30000,muzzy_decay_ms:30000,narenas:1,oversize_threshold:0,"
    "lg_extent_max_active_fit:10",
)


# The same for Python's own large buffers, which come from the C library's malloc. The ingest
# turns an export into text in blocks of 16 MB (ingest/grid.py), and glibc maps each block
# fresh and unmaps it when it is freed: every buffer over its mmap threshold does, and in a
# worker thread's arena any buffer too large for a 64 MB heap. One arena, served from the main
# heap up to 64 MB and trimmed only above 128 MB of free space, lets each block reuse the
# pages of the one before; `trim_heap` hands them back once the blocks are read. A 10M-row
# GB18030 export then faults in 0.8M pages instead of 1.35M (bench/README.md). Not glibc
# (macOS, musl): nothing is changed.
def _glibc():
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the symbols the process has loaded: the C library's among them
        libc.gnu_get_libc_version  # noqa: B018 (glibc only)
    except (OSError, AttributeError):
        return None
    m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8  # malloc.h
    libc.mallopt(m_arena_max, 1)
    libc.mallopt(m_mmap_threshold, 64 << 20)
    libc.mallopt(m_trim_threshold, 128 << 20)
    return libc


_LIBC = _glibc()


def trim_heap() -> None:
    """Hands the free pages of the C library's heap back to the OS (see above)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
