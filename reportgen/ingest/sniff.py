"""What a file is before it is read: spreadsheet or text, which encoding, which delimiter.

Never trust the extension (Yonyou's ".xls" is often an .xlsx, SAP's ".xls" often tab-separated
text): the first bytes decide. Encodings are tried in the order real exports need them:
a byte-order mark, then strict UTF-8, then GB18030 (the superset of GBK/GB2312, what Excel
writes on Chinese Windows). Anything else must be named by the user (`--encoding`).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from reportgen.read import DataError

SAMPLE_BYTES = 1 << 16
DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class Sniffed:
    kind: str  # text | xlsx | xls
    encoding: str | None = None  # text only: a Python codec name
    delimiter: str | None = None  # text only


def sniff(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Sniffed:
    """The kind, encoding and delimiter of `path`; DataError with a plain reason when the file
    cannot be an export at all (empty, binary)."""
    with path.open("rb") as handle:
        start = handle.read(SAMPLE_BYTES)
    if not start:
        raise DataError(f"{path.name}: the file is empty (0 bytes)")
    if start.startswith(b"PK\x03\x04"):
        return Sniffed("xlsx")
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        return Sniffed("xls")
    if encoding is None:
        encoding = detect_encoding(start, path.name)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"unknown encoding '{encoding}'") from None
    text = decode_sample(start, encoding, path.name)
    if not text.strip():
        raise DataError(f"{path.name}: the file holds no text (only blanks)")
    if delimiter is None:
        delimiter = detect_delimiter(text)
    return Sniffed("text", encoding, delimiter)


def detect_encoding(start: bytes, name: str) -> str:
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in start:
        # UTF-16 without a mark shows as text with every other byte zero
        zeros = start[1::2].count(0) if len(start) > 1 else 0
        if zeros > len(start) // 4:
            return "utf-16-le"
        raise DataError(f"{name}: not a text file (binary content; is it really a CSV export?)")
    for candidate in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(start, final=False)
        except UnicodeDecodeError:
            continue
        return candidate
    raise DataError(
        f"{name}: not UTF-8 or GBK/GB18030 text; give the encoding with --encoding "
        "(or `encoding` in the mapping file)"
    )


def decode_sample(start: bytes, encoding: str, name: str) -> str:
    """The first bytes as text (a character cut at the end of the sample is dropped)."""
    try:
        return codecs.getincrementaldecoder(encoding)().decode(start, final=False)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{name}: not {encoding} text "
            f"(byte {exc.start}: {start[exc.start : exc.start + 1]!r}); "
            "check the encoding (--encoding, or `encoding` in the mapping file)"
        ) from None


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number (> 1) of cells.
    Title rows above a table have one cell whatever the delimiter, so they do not vote."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may cut its last line
    best, best_score = ",", 0
    for candidate in DELIMITERS:
        counts: dict[int, int] = {}
        for cells in csv.reader(io.StringIO("\n".join(lines)), delimiter=candidate):
            if len(cells) > 1:
                counts[len(cells)] = counts.get(len(cells), 0) + 1
        if not counts:
            continue
        width, lines_with_width = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = lines_with_width * 1000 + width
        if score > best_score:
            best, best_score = candidate, score
    return best
