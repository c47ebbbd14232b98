"""Tables as files to take away: CSV and Excel, with formula-like cells made harmless.

Customer names, references and notes come from the users' files; a cell such as
`=HYPERLINK(...)` would run as a formula when the download is opened in a spreadsheet. Both
formats go through the CLI's own `outputs.neutralise_formulas` (a leading apostrophe), and the
workbook is written with xlsxwriter told never to read a string as a formula or a link.
"""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from reportgen.outputs import neutralise_formulas

SHEET_NAME_MAX = 31  # Excel's limit


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so that Excel reads Chinese names right), columns
    named as the command line names them."""
    return neutralise_formulas(_plain(frame)).write_csv(include_bom=True).encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "reportgen") -> bytes:
    """One worksheet; every text cell is a string cell, never a formula or a hyperlink."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    neutralise_formulas(_plain(frame)).write_excel(
        workbook, worksheet=_sheet_name(sheet), autofit=True, float_precision=4
    )
    workbook.close()
    return buffer.getvalue()


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical and enum columns as text, so that they are neutralised like any text."""
    return frame.with_columns(
        pl.col(c).cast(pl.String)
        for c, kind in frame.schema.items()
        if isinstance(kind, pl.Categorical | pl.Enum)
    )


def _sheet_name(text: str) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in text)
    return cleaned[:SHEET_NAME_MAX] or "reportgen"
