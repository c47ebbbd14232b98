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
