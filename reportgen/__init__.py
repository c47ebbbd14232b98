"""reportgen: credit-management analytics on a Polars core."""

import os

# Polars allocates through jemalloc, which by default hands freed pages back to the OS within
# seconds; a run over millions of rows then pays a page fault for every page it touches again.
# Keeping freed pages for 30 s makes a 10M-invoice aging 10-15 % faster for ~0.7 GB more peak
# memory (bench/README.md). Set before Polars loads; an explicit setting wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:30000,muzzy_decay_ms:30000")
