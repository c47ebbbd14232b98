"""The ingest layer's rules, one small export each: encodings, delimiters, title blocks,
totals, group rows, fill-down, line-level documents, routing by type, mapping files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from reportgen.ingest import grid
from reportgen.ingest import mapping as mp
from reportgen.ingest.export import Options, read_export
from reportgen.ingest.sniff import sniff
from reportgen.load import load
from reportgen.read import DataError

KINGDEE = (
    "应收单列表\n公司：示例贸易有限公司\n日期: 2025-01-01 至 2025-03-31\n\n"
    "单据编号,单据类型,业务日期,到期日,往来单位编码,客户,币别,价税合计,单据状态\n"
    'AR001,标准应收单,2025/1/5,2025/2/4,C1,上海华东贸易有限公司,人民币,"1,234.50",已审核\n'
    'AR002,标准应收单,2025/1/20,2025/2/19,C2,北京远景科技有限公司,人民币,"￥2,000.00",已审核\n'
    "AR003,标准应收单,2025/2/1,2025/3/3,C1,上海华东贸易有限公司,人民币,500,暂存\n"
    "SK001,收款单,2025/2/10,,C1,上海华东贸易有限公司,人民币,234.50,已审核\n"
    ',合计,,,,,,"3,969.00",\n'
)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _counts(ds, file: str) -> tuple[int, int, int, int]:
    f = next(f for f in ds.files if f.file == file)
    return f.rows_read, f.rows_loaded, f.rows_skipped, f.rows_rejected


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_kingdee_list_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    _write(tmp_path / "d" / "应收单.csv", KINGDEE, encoding)
    ds = load(tmp_path / "d")
    report = ds.exports[0]
    assert report.system == "kingdee"
    assert report.header_row == 5
    assert report.encoding == {"utf-16": "utf-16"}.get(encoding, encoding)
    inv = ds.tables["invoices"].sort("invoice_id")
    assert inv["invoice_id"].to_list() == ["AR001", "AR002"]  # AR003 is a draft (暂存)
    assert inv["amount"].to_list() == [123450, 200000]
    assert inv["invoice_date"].to_list() == [date(2025, 1, 5), date(2025, 1, 20)]
    assert ds.tables["payments"]["amount"].to_list() == [23450]
    names = dict(ds.tables["customers"].select("customer_id", "name").iter_rows())
    assert names == {"C1": "上海华东贸易有限公司", "C2": "北京远景科技有限公司"}
    # 7 rows below the header: 3 invoices + 1 payment loaded, the draft and 合计 skipped
    assert _counts(ds, "应收单.csv") == (5, 3, 2, 0)
    skipped = ds.problems.filter(pl.col("severity") == "skipped")["reason"].to_list()
    assert any("status '暂存'" in r for r in skipped)
    assert any(r.startswith("total row") for r in skipped)


# a name quoted over two lines (with a comma in it), and a stray quote mark in the title rows
QUOTED_NAME = KINGDEE.replace("应收单列表\n", '应收单列表 "初稿\n').replace(
    "C2,北京远景科技有限公司", 'C2,"北京远景科技\n有限公司, 二部"'
)
# Blocks start below the header (5 lines). A block of _INSIDE bytes ends right after the
# line end inside the quotes: it must be cut earlier.
_BODY_START = len("\n".join(QUOTED_NAME.split("\n")[:5]).encode("gb18030")) + 1
_INSIDE = QUOTED_NAME.encode("gb18030").index("科技\n".encode("gb18030")) + 5 - _BODY_START


@pytest.mark.parametrize("block_bytes", [1, 5, 37, 300, _INSIDE, _INSIDE + 1, _INSIDE + 9])
def test_gb18030_read_in_blocks_of_any_size_gives_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    # GB18030 is parsed block by block, each cut at a line end outside quotes: the quoted
    # line end must not split a row, wherever the blocks are cut, and the title rows are
    # skipped without counting their quote marks.
    _write(tmp_path / "d" / "应收单.csv", QUOTED_NAME, "gb18030")
    whole = load(tmp_path / "d")
    monkeypatch.setattr(grid, "CHUNK", block_bytes)

    def no_fallback(*_):  # the blocks alone must do it, not the whole-file fallback
        raise AssertionError("a block was cut inside a row")

    monkeypatch.setattr(grid, "_utf8_source", no_fallback)
    blocks = load(tmp_path / "d")
    for name in ("invoices", "payments", "customers"):
        assert blocks.tables[name].equals(whole.tables[name]), name
    assert blocks.problems.equals(whole.problems)
    names = dict(blocks.tables["customers"].select("customer_id", "name").iter_rows())
    assert names == {"C1": "上海华东贸易有限公司", "C2": "北京远景科技\n有限公司, 二部"}
    assert _counts(blocks, "应收单.csv") == (5, 3, 2, 0)


def test_a_printed_total_that_disagrees_is_reported_not_used(tmp_path: Path) -> None:
    wrong = KINGDEE.replace('"3,969.00"', '"9,999.00"')
    _write(tmp_path / "d" / "应收单.csv", wrong, "gb18030")
    ds = load(tmp_path / "d")
    warning = ds.problems.filter(pl.col("severity") == "warning")
    assert warning.height == 1
    assert "printed total 9,999.00" in warning["reason"][0]
    assert "3,969.00" in warning["reason"][0]
    assert int(ds.tables["invoices"]["amount"].sum()) == 323450  # the rows, not the total


def test_padded_types_statuses_and_currencies_in_a_gb18030_export(tmp_path: Path) -> None:
    # the columns decoded late (types, statuses, currencies, names) are trimmed where they
    # are decoded: padded, they route and load as the plain ones; a grand total that names
    # its currency still closes the padded rows
    total = ',合计,,,,,,"3,969.00",'
    plain = KINGDEE.replace(total, ',合计,,,,,人民币,"3,969.00",')
    padded = (
        plain.replace(",人民币,", ", 人民币\u3000,")
        .replace("标准应收单", " 标准应收单")
        .replace("已审核", "已审核 ")
        .replace("暂存", "\t暂存")
    )
    _write(tmp_path / "a" / "应收单.csv", plain, "gb18030")
    _write(tmp_path / "b" / "应收单.csv", padded, "gb18030")
    a, b = load(tmp_path / "a"), load(tmp_path / "b")
    for name in ("invoices", "payments", "customers"):
        assert b.tables[name].equals(a.tables[name]), name
    assert b.tables["invoices"]["currency"].to_list() == ["CNY", "CNY"]
    assert b.exports[0].totals_checked == 1
    assert b.problems.filter(pl.col("severity") == "warning").height == 0
    assert _counts(b, "应收单.csv") == (5, 3, 2, 0)


def test_a_customer_named_only_on_a_later_row_keeps_that_name(tmp_path: Path) -> None:
    # the customer list derived from an export: one row per customer, in the order they
    # first appear, each with the first name given (C1's first row has none)
    text = KINGDEE.replace("C1,上海华东贸易有限公司,人民币,\"1,234.50\"", 'C1,,人民币,"1,234.50"')
    assert text != KINGDEE
    _write(tmp_path / "d" / "应收单.csv", text, "gb18030")
    customers = load(tmp_path / "d").tables["customers"]
    assert customers.select(pl.col("customer_id").cast(pl.String), "name").rows() == [
        ("C1", "上海华东贸易有限公司"),
        ("C2", "北京远景科技有限公司"),
    ]


def test_the_columns_to_decode_are_the_ones_with_a_character_beyond_ascii(tmp_path: Path) -> None:
    # (a GB18030 file read as Latin-1: 客 is two characters of it, \xbf\xcd)
    frame = pl.DataFrame(
        {"id": ["A1", "A2", None], "name": ["\xbf\xcd", "B", None], "blank": [None] * 3},
        schema={"id": pl.String, "name": pl.String, "blank": pl.String},
    )
    assert grid.non_ascii(frame, ["id", "name", "blank"]) == ["name"]
    assert grid.non_ascii(frame, ["id"]) == []
    assert grid.non_ascii(frame, []) == []
    decode = grid.decoder(sniff(_write(tmp_path / "x.csv", "客户,金额\n甲,1\n", "gb18030")))
    assert decode(frame["name"]).to_list() == ["客", "B", None]


def test_an_amount_too_large_to_hold_rejects_its_row(tmp_path: Path) -> None:
    text = KINGDEE.replace('"1,234.50"', '"99,999,999,999,999.00"')
    _write(tmp_path / "d" / "应收单.csv", text, "gb18030")
    ds = load(tmp_path / "d")
    errors = ds.problems.filter(pl.col("severity") == "error")
    assert errors.select("row", "value").rows() == [(6, "99,999,999,999,999.00")]
    assert ds.tables["invoices"]["invoice_id"].to_list() == ["AR002"]
    assert _counts(ds, "应收单.csv") == (5, 2, 2, 1)


def test_a_total_checked_against_rows_beyond_int64_micro_units(tmp_path: Path) -> None:
    # two amounts of 5 trillion (each within what an amount may be) close to 10 trillion, more
    # than Int64 micro units hold: the sum must not wrap round
    rows = [
        'AR001,标准应收单,2025/1/5,2025/2/4,C1,甲,人民币,"5,000,000,000,000.00",已审核',
        'AR002,标准应收单,2025/1/6,2025/2/5,C1,甲,人民币,"5,000,000,000,000.00",已审核',
        ',合计,,,,,,"1.00",',
    ]
    text = "\n".join([*KINGDEE.split("\n")[:5], *rows]) + "\n"
    _write(tmp_path / "d" / "应收单.csv", text, "gb18030")
    ds = load(tmp_path / "d")
    warning = ds.problems.filter(pl.col("severity") == "warning")["reason"].to_list()
    assert len(warning) == 1
    assert "rows it closes (10,000,000,000,000.00;" in warning[0], warning[0]
    assert ds.tables["invoices"]["amount"].to_list() == [500_000_000_000_000] * 2


def test_sniff(tmp_path: Path) -> None:
    assert sniff(_write(tmp_path / "a.csv", "a;b;c\n1;2;3\n")).delimiter == ";"
    assert sniff(_write(tmp_path / "b.txt", "a\tb\n1\t2\n")).delimiter == "\t"
    assert sniff(_write(tmp_path / "c.csv", "客户,金额\n甲,1\n", "gb18030")).encoding == "gb18030"
    assert sniff(_write(tmp_path / "d.csv", "a,b\n1,2\n", "utf-16")).encoding == "utf-16"
    (tmp_path / "e.xls").write_bytes(b"PK\x03\x04rest")
    assert sniff(tmp_path / "e.xls").kind == "xlsx"  # the bytes decide, not the extension
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        sniff(tmp_path / "empty.csv")
    (tmp_path / "img.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(DataError, match="binary"):
        sniff(tmp_path / "img.csv")


def test_line_level_export_is_grouped_into_documents(tmp_path: Path) -> None:
    """Xero: one row per line, the document's Total repeated; a draft and a void skipped."""
    rows = [
        "ContactName,InvoiceNumber,InvoiceDate,DueDate,Total,InvoiceAmountDue,Description,"
        "LineAmount,Currency,Type,Status",
        "Kiwi Ltd,INV-1,15/01/2026,14/02/2026,150.00,150.00,Widgets,100.00,NZD,Sales invoice,"
        "Awaiting Payment",
        "Kiwi Ltd,INV-1,15/01/2026,14/02/2026,150.00,150.00,Bolts,50.00,NZD,Sales invoice,"
        "Awaiting Payment",
        "Kiwi Ltd,INV-2,20/01/2026,19/02/2026,80.00,80.00,Nuts,80.00,NZD,Sales invoice,Draft",
        "Kiwi Ltd,INV-3,21/01/2026,20/02/2026,70.00,0.00,Nuts,70.00,NZD,Sales invoice,Voided",
        "Kiwi Ltd,CN-1,25/01/2026,25/01/2026,20.00,20.00,Refund,20.00,NZD,Sales credit note,"
        "Awaiting Payment",
    ]
    _write(tmp_path / "d" / "Invoices.csv", "\n".join(rows) + "\n")
    ds = load(tmp_path / "d", as_of=date(2026, 1, 31))
    assert ds.exports[0].system == "xero"
    inv = ds.tables["invoices"]
    assert inv["invoice_id"].to_list() == ["INV-1"]
    assert inv["amount"].to_list() == [15000]
    assert ds.tables["credit_notes"]["amount"].to_list() == [2000]
    assert _counts(ds, "Invoices.csv") == (5, 3, 2, 0)


def test_continuation_rows_take_their_document_fields(tmp_path: Path) -> None:
    """Odoo: header fields on a document's first row only; decimal commas."""
    rows = [
        "Number;Partner;Invoice/Bill Date;Due Date;Total;Amount Due;Type;Status;"
        "Invoice lines/Label;Invoice lines/Subtotal",
        'INV/2026/0001;Café Lumière;2026-01-10;2026-02-09;"1.210,00";"1.210,00";'
        "Customer Invoice;Posted;Design;1.000,00",
        ';;;;;;;;Support;"210,00"',
        "RINV/2026/0001;Café Lumière;2026-01-20;2026-01-20;100,00;100,00;"
        "Customer Credit Note;Posted;Discount;100,00",
    ]
    _write(tmp_path / "d" / "account.move.csv", "\n".join(rows) + "\n")
    ds = load(tmp_path / "d", as_of=date(2026, 1, 31))
    assert ds.exports[0].system == "odoo"
    inv = ds.tables["invoices"]
    assert inv.select("invoice_id", "amount", "open_amount").rows() == [
        ("INV/2026/0001", 121000, 121000)
    ]
    assert ds.tables["credit_notes"]["amount"].to_list() == [10000]
    assert _counts(ds, "account.move.csv") == (3, 3, 0, 0)


def test_debit_credit_indicator_signs_amounts(tmp_path: Path) -> None:
    """SAP FBL5N: tab-separated, unsigned amounts with S/H, trailing minus, dd.mm.yyyy."""
    rows = [
        "Account\tDocument Number\tDocument Type\tDocument Date\tNet due date\t"
        "Amount in doc. curr.\tDocument currency\tDebit/Credit ind",
        "0000100001\t1800000001\tDR\t05.01.2026\t04.02.2026\t1.500,00\tEUR\tS",
        "0000100001\t1400000001\tDZ\t20.01.2026\t20.01.2026\t500,00-\tEUR\tH",
        "\t\t\t\t\t1.000,00\tEUR\t",
    ]
    _write(tmp_path / "d" / "FBL5N.txt", "\n".join(rows) + "\n")
    ds = load(tmp_path / "d")
    assert ds.exports[0].system == "sap-fbl5n"
    assert ds.tables["invoices"].select("customer_id", "amount").rows() == [("0000100001", 150000)]
    assert ds.tables["payments"]["amount"].to_list() == [50000]
    assert _counts(ds, "FBL5N.txt") == (3, 2, 1, 0)  # the currency total row skipped


def test_mapping_file(tmp_path: Path) -> None:
    _write(
        tmp_path / "d" / "sheet.csv",
        "Our receivables\n\nBill No;Client;Billed on;Due;Gross\n"
        "B-1;Ana;03/04/2026;03/05/2026;1 234,50\n",
    )
    mapping = _write(
        tmp_path / "m.toml",
        '[source]\ndate_format = "dmy"\ntable = "invoices"\n\n[columns]\n'
        'invoice_id = "Bill No"\nname = "Client"\ninvoice_date = "Billed on"\n'
        'due_date = "Due"\namount = "Gross"\n',
    )
    ds = load(tmp_path / "d", options=Options(mapping=mapping))
    inv = ds.tables["invoices"]
    assert inv.select("invoice_id", "invoice_date", "amount").rows() == [
        ("B-1", date(2026, 4, 3), 123450)
    ]
    assert ds.exports[0].system == "mapping"
    assert '[columns]\ndocument_id = "Bill No"' in ds.exports[0].mapping_toml


def test_mapping_file_errors_name_the_problem(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.toml", '[columns]\ninvoice_number = "No"\n')
    with pytest.raises(DataError, match="invoice_number is not a field"):
        mp.read_mapping(bad)
    _write(tmp_path / "d" / "sheet.csv", "Bill No,Client,Billed on,Gross\nB-1,Ana,2026-01-01,5\n")
    missing = _write(tmp_path / "m.toml", '[columns]\ninvoice_id = "Invoice"\n')
    export = read_export(tmp_path / "d" / "sheet.csv", Options(mapping=missing))
    reason = export.problems[0]["reason"][0]
    assert "invoice_id" in reason and "Bill No, Client, Billed on, Gross" in reason


def test_ambiguous_dates_are_refused_until_the_user_says(tmp_path: Path) -> None:
    _write(
        tmp_path / "d" / "list.csv",
        "Invoice Number,Customer Name,Invoice Date,Total\nA1,Ana,03/04/2026,10\n"
        "A2,Bo,05/06/2026,20\n",
    )
    ds = load(tmp_path / "d")
    reason = ds.errors["reason"][0]
    assert "Invoice Date" in reason and "%d/%m/%Y" in reason and "%m/%d/%Y" in reason
    assert "invoices" not in ds.tables or ds.tables["invoices"].height == 0
    ds = load(tmp_path / "d", options=Options(date_format="mdy"))
    assert ds.tables["invoices"]["invoice_date"].to_list() == [date(2026, 3, 4), date(2026, 5, 6)]


def test_header_synonyms_normalise() -> None:
    assert mp.normal("*InvoiceNumber") == mp.normal("invoicenumber")
    assert mp.normal("ＩｎｖｏｉｃｅＮｕｍｂｅｒ") == "invoicenumber"
    assert mp.normal(" 借方 - 未结 - 金额 ") == "借方-未结-金额"
    assert mp.normal("余额(原币)") == "余额"


def test_spreadsheet_with_a_preamble_and_contact_rows(tmp_path: Path) -> None:
    """Xero Aged Receivables Detail (.xlsx): title rows with the as-of date, contact names
    alone in a row above their invoices, native dates, per-contact and grand totals."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (
        ["Aged Receivables Detail"],
        ["Kiwi Trading Ltd"],
        ["As at 31 March 2026"],
        ["Ageing by due date"],
        [],
        ["Invoice Date", "Invoice Number", "Due Date", "< 1 Month", "1 Month", "Older", "Total"],
        [],
        ["Acme Ltd"],
        [date(2026, 3, 1), "INV-0001", date(2026, 3, 31), 1200.5, None, None, 1200.5],
        [date(2026, 1, 10), "INV-0002", date(2026, 2, 9), None, 300, None, 300],
        ["Total Acme Ltd", None, None, 1200.5, 300, None, 1500.5],
        ["Beta Co"],
        [date(2026, 3, 5), None, date(2026, 3, 5), -50, None, None, -50],
        ["Total Beta Co", None, None, -50, None, None, -50],
        ["Total", None, None, 1150.5, 300, None, 0],
        ["Percentage of total", None, None, "79%", "21%", None, None],
    ):
        ws.append(row)
    (tmp_path / "d").mkdir()
    wb.save(tmp_path / "d" / "Aged Receivables Detail.xlsx")
    ds = load(tmp_path / "d")
    report = ds.exports[0]
    assert (report.system, report.header_row, report.as_of) == (
        "xero-aged-receivables",
        6,
        date(2026, 3, 31),
    )
    inv = ds.tables["invoices"].sort("invoice_id")
    assert inv.select("invoice_id", "customer_id", "open_amount").rows() == [
        ("INV-0001", "Acme Ltd", 120050),
        ("INV-0002", "Acme Ltd", 30000),
    ]
    assert ds.tables["credit_notes"].select("customer_id", "amount").rows() == [("Beta Co", 5000)]
    # 9 rows below the header: 3 loaded; 2 contact rows, 3 totals, 1 footer skipped
    assert _counts(ds, "Aged Receivables Detail.xlsx") == (9, 3, 6, 0)
    warning = ds.problems.filter(pl.col("severity") == "warning")["reason"].to_list()
    assert any("printed total 0" in r and "1,450.50" in r for r in warning)  # never trusted


def test_header_only_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "list.csv", "Invoice Number,Customer Name,Invoice Date,Total\n")
    ds = load(tmp_path / "a")
    assert "no rows below the header" in ds.errors["reason"][0]
    _write(tmp_path / "b" / "notes.csv", "hello\nworld\n")
    assert "no header row found" in load(tmp_path / "b").errors["reason"][0]


def test_scientific_notation_is_not_an_amount(tmp_path: Path) -> None:
    """Excel turns long numbers into `1.5E+06`: not an amount anyone wrote, so rejected."""
    _write(
        tmp_path / "d" / "list.csv",
        "Invoice Number,Customer Name,Invoice Date,Total\nA1,Ana,2026-01-05,1.5E+06\n"
        "A2,Bo,2026-01-06,\"(1,200.00)\"\n",
    )
    ds = load(tmp_path / "d")
    assert ds.errors.select("row", "value").rows() == [(2, "1.5E+06")]
    assert ds.tables["credit_notes"]["amount"].to_list() == [120000]


def test_an_unknown_debit_credit_indicator_rejects_its_row(tmp_path: Path) -> None:
    rows = [
        "Account\tDocument Number\tDocument Type\tDocument Date\tNet due date\t"
        "Amount in doc. curr.\tDocument currency\tDebit/Credit ind",
        "0000100001\t1800000001\tDR\t05.01.2026\t04.02.2026\t1.500,00\tEUR\tS",
        "0000100001\t1800000002\tDR\t06.01.2026\t05.02.2026\t200,00\tEUR\tX",
    ]
    _write(tmp_path / "d" / "FBL5N.txt", "\n".join(rows) + "\n")
    ds = load(tmp_path / "d")
    assert ds.errors.select("row", "value").rows() == [(3, "X")]
    assert ds.tables["invoices"]["invoice_id"].to_list() == ["1800000001"]


def test_dates_worked_out_per_distinct_value_equal_cell_by_cell() -> None:
    # Dates repeat (a few hundred days over millions of rows): they are parsed once per
    # distinct value and mapped back; blanks, bad cells and times of day stay as cell by cell.
    from reportgen.ingest import values
    from reportgen.ingest.values import by_distinct

    cells = ["2025/1/5", "2025/1/5", None, "2025/12/31", "not a date", " 2025/1/5 ",
             "2025/2/30", "2025/12/31 13:45"] * 50
    raw = pl.Series("d", cells)
    expr = values.date_expr(pl.col("d"), "%Y/%m/%d")
    direct = raw.to_frame().select(expr).to_series()
    mapped_expr = by_distinct(pl.col("d"), raw.drop_nulls().unique(), expr, raw.len())
    mapped = raw.to_frame().select(mapped_expr).to_series()
    assert mapped.equals(direct)
    assert mapped.head(8).to_list() == [date(2025, 1, 5), date(2025, 1, 5), None,
                                        date(2025, 12, 31), None, date(2025, 1, 5), None,
                                        date(2025, 12, 31)]


def test_text_cells_are_trimmed_of_blanks_and_full_width_spaces(tmp_path: Path) -> None:
    # ids and names padded with spaces, a tab or an ideographic space (U+3000, common in
    # Chinese exports) are the same customer as the unpadded ones
    text = KINGDEE.replace("C2,北京远景科技有限公司", " C2\t,\u3000北京远景科技有限公司 ")
    _write(tmp_path / "d" / "应收单.csv", text, "gb18030")
    ds = load(tmp_path / "d")
    names = dict(ds.tables["customers"].select("customer_id", "name").iter_rows())
    assert names == {"C1": "上海华东贸易有限公司", "C2": "北京远景科技有限公司"}
    assert sorted(ds.tables["invoices"]["customer_id"].cast(pl.String)) == ["C1", "C2"]
