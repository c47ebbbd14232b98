"""An export as a grid of text cells: the first rows (to find the header and the title block)
and the body below the header, every cell a string, every row numbered as a spreadsheet
would number it (the first row of the file is 1).

Text in GB18030 (or any other ASCII-compatible encoding) is not transcoded up front: its bytes
are read as Latin-1, which Polars can split at full speed because delimiters, quotes and line
ends are ASCII and never occur inside a GBK character; only the columns that turn out to hold
other characters are decoded afterwards (`decoder`), a few distinct values at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reportgen import trim_heap
from reportgen.ingest.sniff import SAMPLE_BYTES, Sniffed, decode_sample
from reportgen.read import ROW, DataError, distinct_values

HEAD_ROWS = 40
# encodings whose bytes Polars can read directly
# encodings where every non-ASCII character is bytes >= 0x40: safe to split as Latin-1
_ASCII_SAFE = {"gb18030", "gbk", "gb2312", "cp936", "big5", "cp1252", "latin-1", "iso8859-1"}


@dataclass
class Head:
    rows: list[list[str]]  # the first rows, cells trimmed ('' for blank)
    lines: list[int]  # text files: the physical line each row ends on (for skip_lines)


def column_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def read_head(path: Path, sniffed: Sniffed, sheet: int | str = 0) -> Head:
    if sniffed.kind != "text":
        frame = _sheet(path, sheet, n_rows=HEAD_ROWS)
        rows = [[(c or "").strip() for c in row] for row in frame.iter_rows()]
        return Head(rows, list(range(1, len(rows) + 1)))
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES * 4)
    text = decode_sample(sample, sniffed.encoding or "utf-8", path.name).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=sniffed.delimiter or ",")
    rows, lines = [], []
    try:
        for cells in reader:
            rows.append([c.strip() for c in cells])
            lines.append(reader.line_num)
            if len(rows) >= HEAD_ROWS:
                break
    except csv.Error:
        pass  # a quote left open in the sample: the rows so far will do
    return Head(rows, lines)


def read_body(
    path: Path, sniffed: Sniffed, header_row: int, head: Head, width: int, sheet: int | str = 0
) -> tuple[pl.DataFrame, list[int]]:
    """The rows below the header (`header_row`, 1-based), as columns c0..c{width-1} of text plus
    ROW; and the rows that hold more cells than the header (their extra cells are cut)."""
    names = column_names(width)
    if sniffed.kind != "text":
        frame = _sheet(path, sheet)
        frame = frame.select(frame.columns[:width]) if frame.width >= width else frame
        frame = frame.rename(dict(zip(frame.columns, names[: frame.width], strict=False)))
        for name in names[frame.width :]:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(name))
        frame = frame.with_row_index(ROW, offset=1).slice(header_row)
        return _blank_is_null(frame.with_columns(pl.col(ROW).cast(pl.Int64)), names), []
    skip = head.lines[header_row - 1]  # physical lines up to the end of the header
    delimiter = sniffed.delimiter or ","

    def parse(source: Path | bytes, skip_lines: int) -> pl.DataFrame:
        return pl.read_csv(
            source,
            has_header=False,
            skip_lines=skip_lines,
            separator=delimiter,
            schema={n: pl.String for n in names},
            infer_schema=False,
            raise_if_empty=False,
        )

    long_rows: list[int] = []
    try:
        if _latin1_safe(sniffed.encoding or "utf-8"):
            frame = _parse_blocks(path, skip, parse)
        else:
            with _utf8_source(path, sniffed.encoding or "utf-8") as source:
                frame = parse(source, skip)
    except pl.exceptions.ComputeError:
        with _utf8_source(path, sniffed.encoding or "utf-8") as source:
            frame, long_rows = _python_csv(source, delimiter, skip, width)
        long_rows = [r + header_row for r in long_rows]
    frame = frame.with_row_index(ROW, offset=header_row + 1).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    return frame, long_rows  # (Polars reads an empty field as null already)


def _blank_is_null(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col(n).str.strip_chars().str.len_bytes() > 0).then(pl.col(n)).alias(n)
        for n in names
    )


def _sheet(path: Path, sheet: int | str, n_rows: int | None = None) -> pl.DataFrame:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        loaded = reader.load_sheet(sheet, header_row=None, dtypes="string", n_rows=n_rows)
    except Exception as exc:  # fastexcel raises its own error types
        raise DataError(f"{path.name}: cannot be read as a spreadsheet ({exc})") from None
    return loaded.to_polars()


CHUNK = 1 << 24  # 16 MB: with its UTF-8 form (up to twice as long) under the 64 MB of __init__


def _latin1_safe(encoding: str) -> bool:
    """An encoding read as Latin-1 (see the module note): every non-ASCII character in it is
    bytes >= 0x40. UTF-8 is not one: Polars reads it as it is."""
    return codecs.lookup(encoding).name in {codecs.lookup(e).name for e in _ASCII_SAFE}


def _parse_blocks(
    path: Path, skip: int, parse: Callable[[bytes, int], pl.DataFrame]
) -> pl.DataFrame:
    """The body of a file in an ASCII-safe encoding (below its first `skip` lines), read as
    Latin-1 and parsed block by block: this thread turns the next block into UTF-8 while
    Polars parses the last one on the other core (it lets go of the interpreter while it
    parses). No copy on disk, and no more than two blocks of text in memory at a time."""
    frames: list[pl.DataFrame] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: list[Future[pl.DataFrame]] = []
        for text in _row_blocks(path, skip):
            pending.append(pool.submit(parse, text.encode("utf-8"), 0))
            if len(pending) == 2:
                frames.append(pending.pop(0).result())
        frames += [future.result() for future in pending]
    trim_heap()  # the blocks' pages (see reportgen/__init__.py)
    return pl.concat(frames) if frames else parse(b"", 0)


def _row_blocks(path: Path, skip: int) -> Iterator[str]:
    """The file without its first `skip` lines, read as Latin-1 in blocks of about CHUNK
    bytes, each cut after a line end that lies outside quotes (an even number of quote marks
    before it), so that no row is split in two. Lines are counted as Polars' `skip_lines`
    counts them. The file is mapped, not read: a block is decoded straight from the map."""
    if path.stat().st_size == 0:
        return
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        view = memoryview(mm)
        try:
            start = 0
            for _ in range(skip):
                start = mm.find(b"\n", start) + 1
                if start == 0:  # no line below the title and header
                    return
            while start < len(mm):
                text = _block(mm, view, start)
                start += len(text)  # Latin-1: one character per byte
                yield text
        finally:
            view.release()


def _block(mm: mmap.mmap, view: memoryview, start: int) -> str:
    """The block from `start`, as text: up to the last line end within CHUNK bytes that lies
    outside quotes, else (a row longer than a block) up to the first one beyond."""
    end = min(start + CHUNK, len(mm))
    if end < len(mm):
        cut = mm.rfind(b"\n", start, end) + 1
        while cut > start:  # line ends within the block, last first
            if _quotes(view[start:cut]) % 2 == 0:
                return str(view[start:cut], "latin-1")
            cut = mm.rfind(b"\n", start, cut - 1) + 1
        cut = end
        while cut := mm.find(b"\n", cut) + 1:  # then the ones beyond it
            if _quotes(view[start:cut]) % 2 == 0:
                return str(view[start:cut], "latin-1")
    return str(view[start:], "latin-1")


def _quotes(data: memoryview) -> int:
    """The quote marks in a stretch of the file (NumPy: 1.7 ms for 16 MB, against 6-8 ms for
    Python's `count`, which went over the 0.96 GB of a 10M-row export on the main thread).
    NumPy is imported here, only where an export is read in blocks."""
    import numpy as np

    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == ord('"')))


@contextmanager
def _utf8_source(path: Path, encoding: str) -> Iterator[Path]:
    """A file Polars reads as UTF-8 with the same rows and cells as `path`: the file itself,
    or a temporary copy converted chunk by chunk (memory stays flat whatever the size)."""
    name = codecs.lookup(encoding).name
    if name in ("utf-8", "utf-8-sig"):  # (a mark at the start lies in the skipped lines)
        yield path
        return
    decoder = codecs.getincrementaldecoder("latin-1" if _latin1_safe(name) else encoding)()
    with tempfile.NamedTemporaryFile(suffix=".csv", prefix="reportgen-") as out:
        with path.open("rb") as handle:
            done = 0
            while chunk := handle.read(CHUNK):
                try:
                    out.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise DataError(
                        f"{path.name}: not {encoding} text at byte {done + exc.start}; "
                        "check the encoding (--encoding)"
                    ) from None
                done += len(chunk)
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        out.flush()
        yield Path(out.name)


def decoder(sniffed: Sniffed) -> Callable[[pl.Series], pl.Series] | None:
    """For a text file read as Latin-1 (see the module note): decodes a column of it."""
    if sniffed.kind != "text" or not sniffed.encoding:
        return None
    if not _latin1_safe(sniffed.encoding):
        return None
    encoding = sniffed.encoding

    def decode(col: pl.Series) -> pl.Series:
        foreign = col.str.len_bytes() != col.str.len_chars()
        if not foreign.any():
            return col  # all ASCII: the same in every ASCII-compatible encoding
        if foreign.all():
            distinct = distinct_values(col)
            return col.replace_strict(distinct, _decode_series(distinct, encoding), default=None)
        where = foreign.fill_null(False).arg_true()  # only the cells that need it
        part = col.gather(where)
        distinct = distinct_values(part)
        fixed = part.replace_strict(distinct, _decode_series(distinct, encoding), default=None)
        return col.scatter(where, fixed)

    return decode


def non_ascii(frame: pl.DataFrame, names: list[str]) -> list[str]:
    """The text columns of `names` that hold a character other than ASCII (the others read
    the same in every ASCII-compatible encoding): all asked in one pass, side by side."""
    if not names:
        return []
    foreign = pl.col(names).str.len_bytes() != pl.col(names).str.len_chars()
    found = frame.lazy().select(foreign.any()).collect().row(0, named=True)
    return [n for n in names if found[n]]


_SEP = "\x1f"  # unit separator: ASCII, never part of a multi-byte character


def _decode_series(values: pl.Series, encoding: str) -> pl.Series:
    if values.len() == 0:
        return values
    joined = values.str.join(_SEP).item()
    text = joined.encode("latin-1").decode(encoding, errors="replace")
    return pl.Series(text.split(_SEP), dtype=pl.String)


def _python_csv(
    source: Path | bytes, delimiter: str, skip: int, width: int
) -> tuple[pl.DataFrame, list[int]]:
    """Rows Polars will not split (more cells than the header): Python's csv module, rows
    padded or cut to the header's width; returns the body-relative numbers of cut rows."""
    data = source.read_bytes() if isinstance(source, Path) else source
    handle = io.StringIO(data.decode("utf-8", errors="replace"))
    for _ in range(skip):
        handle.readline()
    rows, long_rows = [], []
    for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            long_rows.append(number)
        cells = (cells + [""] * width)[:width]
        rows.append([c if c != "" else None for c in cells])
    frame = pl.DataFrame(rows, schema=column_names(width), orient="row")
    return frame.with_columns(pl.all().cast(pl.String)), long_rows


def ends_mid_row(path: Path, sniffed: Sniffed) -> bool:
    """A text file whose last byte is not a line end: the mark of a file cut off while it
    was written (a complete export ends its last row with a newline)."""
    if sniffed.kind != "text":
        return False
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4))
        tail = handle.read()
    if sniffed.encoding and sniffed.encoding.startswith("utf-16"):
        return not (tail.endswith(b"\n\x00") or tail.endswith(b"\x00\n"))
    return not tail.endswith((b"\n", b"\r"))
