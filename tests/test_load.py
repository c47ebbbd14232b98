"""Loading the canonical tables (SPEC §1, §7, §8): every row loaded or listed with a reason.

Each bad-input test checks three things: the problem names the file, the spreadsheet row
(header = 1) and the column; the valid rows of the same file are still loaded; and the
file's counts add up (read = loaded + skipped + rejected).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import (
    D,
    assert_items,
    make_data,
    problem_rows,
    problems_of,
    report_of,
    write_data,
)
from polars.testing import assert_frame_equal

from reportgen.load import DataError, Dataset, load
from reportgen.sample import generate as sample

GOOD = "I1,C1,2024-01-01,100.00,2024-01-31"
HEADER = "invoice_id,customer_id,invoice_date,amount,due_date"


def invoices_with(*bad_rows: str) -> str:
    """An invoices file: a good row, the bad rows (rows 3, 4, …), then another good row."""
    return "\n".join([HEADER, GOOD, *bad_rows, "I9,C1,2024-01-05,9.00,2024-02-04"])


def loaded_ids(ds: Dataset, table: str = "invoices", key: str = "invoice_id") -> list[str]:
    return sorted(ds.tables[table][key].to_list())


def assert_counts_add_up(ds: Dataset) -> None:
    for f in ds.files:
        assert f.rows_read == f.rows_loaded + f.rows_skipped + f.rows_rejected, f


# --- bad input ------------------------------------------------------------------------------


def test_missing_required_column_rejects_that_file_and_names_the_column(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with(), payments="""
        payment_id,customer_id,amount,invoice_id
        P1,C1,50.00,I1
        P2,C1,10.00,I9
    """)
    errors = ds.errors.filter(pl.col("column").is_not_null())
    assert errors.select("file", "row", "column").rows() == [("payments.csv", 1, "payment_date")]
    assert "required column" in errors["reason"].item()
    payments = report_of(ds, "payments.csv")
    assert (payments.rows_read, payments.rows_loaded, payments.rows_rejected) == (2, 0, 2)
    # The other files are loaded as usual.
    assert loaded_ids(ds) == ["I1", "I9"]
    assert_counts_add_up(ds)


def test_missing_required_column_of_invoices_leaves_nothing_to_age(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,amount
        I1,C1,100.00
    """)
    assert problems_of(ds, "error").filter(pl.col("row") == 1).rows() == [
        ("invoices.csv", 1, "invoice_date", "error")]
    assert report_of(ds, "invoices.csv").rows_rejected == 1
    assert ds.tables["invoices"].height == 0


def test_non_numeric_amount_is_rejected_and_named(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C1,2024-01-01,12O.00,2024-01-31"))
    assert ds.errors.select("file", "row", "column", "value").rows() == [
        ("invoices.csv", 3, "amount", "12O.00")]
    assert loaded_ids(ds) == ["I1", "I9"]
    assert_counts_add_up(ds)


def test_amount_too_large_to_hold_is_rejected_and_named(tmp_path):
    # Money is held exactly as Int64 micro units: up to 9,223,372,036,854.775807 either way.
    # A larger amount is a bad cell like any other, not a crash of the reader.
    ds = make_data(
        tmp_path,
        invoices=invoices_with(
            "I2,C1,2024-01-01,99999999999999.00,2024-01-31",
            "I3,C1,2024-01-01,9223372036854.775807,2024-01-31",
        ),
    )
    assert ds.errors.select("file", "row", "column", "value").rows() == [
        ("invoices.csv", 3, "amount", "99999999999999.00")]
    assert "9.2 trillion" in ds.errors["reason"][0]
    assert loaded_ids(ds) == ["I1", "I3", "I9"]
    assert_counts_add_up(ds)


def test_impossible_date_is_rejected_and_named(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C1,2024-02-30,5.00,2024-03-01"))
    assert ds.errors.select("file", "row", "column", "value").rows() == [
        ("invoices.csv", 3, "invoice_date", "2024-02-30")]
    assert "date" in ds.errors["reason"].item()
    assert loaded_ids(ds) == ["I1", "I9"]
    assert_counts_add_up(ds)


def test_impossible_optional_date_is_rejected_too(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C1,2024-02-01,5.00,2023-02-29"))
    assert ds.errors.select("file", "row", "column").rows() == [("invoices.csv", 3, "due_date")]
    assert loaded_ids(ds) == ["I1", "I9"]


def test_missing_required_value_is_rejected_and_named(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,,2024-02-01,5.00,2024-03-01"))
    assert ds.errors.select("file", "row", "column").rows() == [
        ("invoices.csv", 3, "customer_id")]
    assert loaded_ids(ds) == ["I1", "I9"]


def test_exact_duplicate_keeps_one_copy_and_lists_the_other(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with(GOOD))
    assert ds.errors.select("file", "row", "column", "value").rows() == [
        ("invoices.csv", 3, "invoice_id", "I1")]
    assert "duplicate" in ds.errors["reason"].item()
    assert loaded_ids(ds) == ["I1", "I9"]
    assert_items(ds, D("2024-02-10"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I9", "C1", 1, "invoice", 9_00))
    assert_counts_add_up(ds)


def test_conflicting_duplicate_rejects_every_copy(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I1,C1,2024-01-01,120.00,2024-01-31"))
    assert problems_of(ds, "error").rows() == [
        ("invoices.csv", 2, "invoice_id", "error"),
        ("invoices.csv", 3, "invoice_id", "error"),
    ]
    assert loaded_ids(ds) == ["I9"]
    assert report_of(ds, "invoices.csv").rows_rejected == 2
    assert_counts_add_up(ds)


def test_duplicate_payment_id_is_caught_too(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with(), payments="""
        payment_id,customer_id,payment_date,amount
        P1,C1,2024-01-10,10.00
        P1,C1,2024-01-10,10.00
    """)
    assert problems_of(ds, "error").rows() == [("payments.csv", 3, "payment_id", "error")]
    assert_items(ds, D("2024-02-10"),
                 ("I1", "C1", 1, "invoice", 90_00),
                 ("I9", "C1", 1, "invoice", 9_00))


def test_unknown_currency_without_a_rate_is_rejected_and_named(tmp_path):
    ds = make_data(
        tmp_path, base_currency="EUR",
        invoices="""
            invoice_id,customer_id,invoice_date,amount,currency
            I1,C1,2024-01-01,100.00,EUR
            I2,C1,2024-01-01,5.00,ZZZ
            I3,C1,2024-01-01,7.00,usd
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,1.25
        """)
    assert ds.errors.select("file", "row", "column", "value").rows() == [
        ("invoices.csv", 3, "currency", "ZZZ")]
    assert "ZZZ" in ds.errors["reason"].item()
    assert loaded_ids(ds) == ["I1", "I3"]
    assert_counts_add_up(ds)


def test_truncated_row_is_rejected_and_named(tmp_path):
    # The row lost its amount and due date; the next row has one cell too many.
    ds = make_data(tmp_path, invoices=invoices_with(
        "I2,C1,2024-01-01", "I3,C1,2024-01-01,5.00,2024-01-31,oops"))
    errors = ds.errors
    assert errors["file"].unique().to_list() == ["invoices.csv"]
    assert sorted(errors["row"].unique().to_list()) == [3, 4]
    assert loaded_ids(ds) == ["I1", "I9"]
    assert report_of(ds, "invoices.csv").rows_rejected == 2
    assert_counts_add_up(ds)


def test_truncated_row_missing_a_required_cell_names_it(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C1,2024-01-01"))
    assert ds.errors.select("file", "row").unique().rows() == [("invoices.csv", 3)]
    assert "amount" in ds.errors["column"].to_list()
    assert loaded_ids(ds) == ["I1", "I9"]
    assert_counts_add_up(ds)


@pytest.mark.xfail(strict=True, reason="KNOWN LIMITATION: a short row in the middle of a file "
                   "is padded with blanks by Polars' reader; only a cut-off last row is caught "
                   "(checking every row's cell count would cost ~1 s per 10M rows)")
def test_truncated_row_missing_only_an_optional_cell_is_not_loaded_silently(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C1,2024-01-01,5.00"))
    assert ds.problems.filter(pl.col("row") == 3).height >= 1


def test_file_cut_off_in_its_last_row_rejects_that_row(tmp_path):
    ds = make_data(tmp_path, invoices="\n".join([HEADER, GOOD, "I3,C1,2024-01-01,5.00"]))
    assert ds.errors.filter(pl.col("row") == 3)["reason"].str.contains("cells").all()
    assert ds.errors.filter(pl.col("row") == 3).height >= 1
    assert loaded_ids(ds) == ["I1"]
    assert_counts_add_up(ds)


def test_check_lists_every_bad_row_at_once(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with(
        "I2,C1,2024-01-01,abc,2024-01-31",
        "I3,C1,2024-13-01,5.00,2024-01-31",
        "I4,C1,2024-01-01,5.00,someday",
    ))
    assert problems_of(ds, "error").rows() == [
        ("invoices.csv", 3, "amount", "error"),
        ("invoices.csv", 4, "invoice_date", "error"),
        ("invoices.csv", 5, "due_date", "error"),
    ]
    assert loaded_ids(ds) == ["I1", "I9"]


def test_schedule_not_summing_to_the_invoice_rejects_it_naming_both_sums(tmp_path):
    ds = make_data(
        tmp_path, invoices=invoices_with(),
        payment_schedule="""
            invoice_id,due_date,amount
            I1,2024-02-01,50.00
            I1,2024-03-01,40.00
            I9,2024-02-04,9.00
        """)
    assert loaded_ids(ds) == ["I9"]
    invoice_problem = ds.errors.filter(pl.col("file") == "invoices.csv")
    assert invoice_problem.select("row", "column").rows() == [(2, "amount")]
    reason = invoice_problem["reason"].item()
    assert "I1" in reason
    assert pl.Series([reason]).str.contains(r"\b90(\.0+)?\b").item(), reason
    assert pl.Series([reason]).str.contains(r"\b100(\.0+)?\b").item(), reason
    # Its instalments go with it: nothing of I1 is aged.
    assert_items(ds, D("2024-03-31"), ("I9", "C1", 1, "invoice", 9_00))
    assert_counts_add_up(ds)


def test_schedule_for_an_unknown_invoice_is_rejected(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with(), payment_schedule="""
        invoice_id,due_date,amount
        NOPE,2024-02-01,50.00
    """)
    assert problems_of(ds, "error").rows() == [
        ("payment_schedule.csv", 2, "invoice_id", "error")]


def test_negative_credit_note_is_rejected(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with(), credit_notes="""
        credit_note_id,customer_id,date,amount
        N1,C1,2024-01-10,-5.00
        N2,C1,2024-01-10,5.00
    """)
    assert problems_of(ds, "error").rows() == [("credit_notes.csv", 2, "amount", "error")]
    assert loaded_ids(ds, "credit_notes", "credit_note_id") == ["N2"]


# --- rows that are not receivables, and rows that are something else ------------------------


def test_draft_void_cancelled_quote_order_are_skipped_and_counted(tmp_path):
    ds = make_data(
        tmp_path,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,status
            I1,C1,2024-01-01,100.00,posted
            I2,C1,2024-01-01,200.00,draft
            I3,C1,2024-01-01,300.00,VOID
            I4,C1,2024-01-01,400.00,cancelled
            I5,C1,2024-01-01,500.00,Quote
            I6,C1,2024-01-01,600.00,order
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,status
            P1,C1,2024-01-05,10.00,void
            P2,C1,2024-01-05,20.00,posted
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount,status
            N1,C1,2024-01-05,30.00,draft
        """)
    assert_frame_equal(problems_of(ds), problem_rows(
        ("credit_notes.csv", 2, "status", "skipped"),
        ("invoices.csv", 3, "status", "skipped"),
        ("invoices.csv", 4, "status", "skipped"),
        ("invoices.csv", 5, "status", "skipped"),
        ("invoices.csv", 6, "status", "skipped"),
        ("invoices.csv", 7, "status", "skipped"),
        ("payments.csv", 2, "status", "skipped"),
    ))
    counts = {f.file: (f.rows_read, f.rows_loaded, f.rows_skipped, f.rows_rejected)
              for f in ds.files}
    assert counts == {"invoices.csv": (6, 1, 5, 0), "payments.csv": (2, 1, 1, 0),
                      "credit_notes.csv": (1, 0, 1, 0)}
    assert ds.errors.height == 0  # skipping is not an error
    assert_items(ds, D("2024-03-31"), ("I1", "C1", 1, "invoice", 80_00))


def test_blank_status_is_a_receivable(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,status
        I1,C1,2024-01-01,100.00,posted
        I2,C1,2024-01-01,50.00,
        I3,C1,2024-01-01,25.00,draft
    """)
    assert loaded_ids(ds) == ["I1", "I2"]
    assert_counts_add_up(ds)


def test_negative_invoice_is_loaded_as_a_credit_note_with_a_warning(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date,currency
        I1,C1,2024-01-01,100.00,2024-01-31,EUR
        I2,C1,2024-01-05,-20.00,2024-02-04,EUR
    """)
    assert ds.problems.select("file", "row", "column", "severity").rows() == [
        ("invoices.csv", 3, "amount", "warning")]
    assert "credit note" in ds.problems["reason"].item()
    assert loaded_ids(ds) == ["I1"]
    notes = ds.tables["credit_notes"]
    assert notes.select("credit_note_id", "customer_id", "date", "amount").rows() == [
        ("I2", "C1", D("2024-01-05"), 20_00)]
    invoices = report_of(ds, "invoices.csv")
    assert (invoices.rows_read, invoices.rows_loaded, invoices.rows_rejected) == (2, 2, 0)
    # It is an unreferenced credit: the pool pays I1 with it.
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 80_00))
    assert_items(ds, D("2024-01-31"),
                 ("I1", "C1", 1, "invoice", 100_00),
                 ("I2", "C1", None, "credit", -20_00), unapplied="open-item")


def test_negative_invoice_without_currency_column(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2024-01-01,100.00,2024-01-31
        I2,C1,2024-01-05,-20.00,2024-02-04
    """)
    assert loaded_ids(ds, "credit_notes", "credit_note_id") == ["I2"]
    assert_items(ds, D("2024-01-31"), ("I1", "C1", 1, "invoice", 80_00))


def test_due_date_before_invoice_date_is_kept_with_a_warning(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C1,2024-01-10,5.00,2024-01-01"))
    assert problems_of(ds).rows() == [("invoices.csv", 3, "due_date", "warning")]
    assert loaded_ids(ds) == ["I1", "I2", "I9"]
    assert report_of(ds, "invoices.csv").rows_loaded == 3


def test_customer_missing_from_customers_is_kept_with_a_warning(tmp_path):
    ds = make_data(tmp_path, invoices=invoices_with("I2,C7,2024-01-10,5.00,2024-02-09"),
                   customers="""
        customer_id,name
        C1,Acme
    """)
    assert problems_of(ds).rows() == [("invoices.csv", 3, "customer_id", "warning")]
    assert loaded_ids(ds) == ["I1", "I2", "I9"]


def test_unknown_column_is_ignored_with_a_warning(tmp_path):
    ds = make_data(tmp_path, invoices="""
        invoice_id,customer_id,invoice_date,amount,salesperson
        I1,C1,2024-01-01,100.00,Ann
    """)
    assert problems_of(ds).rows() == [("invoices.csv", 1, "salesperson", "warning")]
    assert loaded_ids(ds) == ["I1"]


def test_header_names_are_matched_loosely(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "invoices.csv").write_bytes(
        "\ufeffInvoice ID,Customer_ID, Invoice Date ,AMOUNT\nI1,C1,2024-01-01,1.50\n".encode())
    ds = load(folder)
    assert ds.problems.height == 0
    assert_items(ds, D("2024-01-01"), ("I1", "C1", 1, "invoice", 1_50))


def test_counts_add_up_for_every_file_of_a_messy_folder(tmp_path):
    ds = make_data(
        tmp_path,
        customers="""
            customer_id,name,credit_limit
            C1,Acme,abc
            C2,Beta,100
        """,
        invoices="""
            invoice_id,customer_id,invoice_date,amount,due_date,currency,status
            I1,C1,2024-01-01,100.00,2024-01-31,EUR,posted
            I2,C1,2024-02-30,5.00,2024-01-31,EUR,posted
            I1,C1,2024-01-01,100.00,2024-01-31,EUR,posted
            I3,C1,2024-01-01,-5.00,2024-01-31,EUR,posted
            I4,C1,2024-01-01
            I9,C1,2024-01-05,9.00,2024-02-04,EUR,draft
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id,status
            P1,C1,2024-01-10,10.00,I1,posted
            P1,C1,2024-01-10,11.00,I1,posted
            P2,C1,2024-01-11,x,I1,posted
            P3,C1,2024-01-12,3.00,I1,void
        """,
        credit_notes="""
            credit_note_id,customer_id,date,amount
            N1,C1,2024-01-10,2.00
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,0
        """)
    counts = {f.file: (f.rows_read, f.rows_loaded, f.rows_skipped, f.rows_rejected)
              for f in ds.files}
    assert counts == {
        "customers.csv": (2, 1, 0, 1),
        "invoices.csv": (6, 2, 1, 3),  # I1 and I3 (as a credit note); I9 draft; 3 bad rows
        "payments.csv": (4, 0, 1, 3),
        "credit_notes.csv": (1, 1, 0, 0),
        "fx_rates.csv": (1, 0, 0, 1),
    }
    assert_counts_add_up(ds)


def test_no_invoices_file_is_an_error(tmp_path):
    folder = write_data(tmp_path / "data", payments="""
        payment_id,customer_id,payment_date,amount
        P1,C1,2024-01-10,10.00
    """)
    with pytest.raises(DataError, match="invoices"):
        load(folder)


def test_missing_folder_is_an_error(tmp_path: Path):
    with pytest.raises(DataError, match="no such"):
        load(tmp_path / "nowhere")


def test_single_file_is_read_as_its_table(tmp_path):
    folder = write_data(tmp_path / "data", invoices=invoices_with())
    ds = load(folder / "invoices.csv")
    assert loaded_ids(ds) == ["I1", "I9"]


def test_snapshot_with_two_as_of_dates_is_an_error(tmp_path):
    with pytest.raises(DataError, match="as_of"):
        make_data(tmp_path, invoices="""
            invoice_id,customer_id,invoice_date,amount,open_amount,as_of
            I1,C1,2024-01-01,100.00,40.00,2024-03-31
            I2,C1,2024-01-01,100.00,40.00,2024-04-30
        """)


def test_parquet_tables_give_the_same_aging_as_csv(tmp_path):
    """Parquet is read by its stored types (dates, decimals, floats); the result is the CSV's."""
    import datetime as dt

    from reportgen.outputs import customer_aging

    csv_dir = tmp_path / "csv"
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    sample(csv_dir, invoices=400, seed=3)
    for path in csv_dir.glob("*.csv"):
        frame = pl.read_csv(path, infer_schema_length=None, try_parse_dates=True)
        frame.write_parquet(parquet_dir / f"{path.stem}.parquet")
    invoices = pl.read_parquet(parquet_dir / "invoices.parquet")
    assert invoices.schema["invoice_date"] == pl.Date  # really typed, not text
    as_of = dt.date(2025, 12, 31)
    from_csv = customer_aging(load(csv_dir), as_of=as_of).collect()
    from_parquet = customer_aging(load(parquet_dir), as_of=as_of).collect()
    assert from_csv.height > 0
    assert from_parquet.equals(from_csv)


@pytest.mark.parametrize(
    ("table", "text", "column"),
    [
        ("credit_notes", "credit_note_id,customer_id,date,amount\nN1,C1,2024-01-05,-5", "amount"),
        ("open_orders", "customer_id,amount\nC1,-100.00", "amount"),
        ("customers", "customer_id,credit_limit\nC1,-1000", "credit_limit"),
        ("payment_schedule", "invoice_id,due_date,amount\nI1,2024-01-31,-1.00", "amount"),
    ],
)
def test_a_negative_amount_where_none_can_be_is_rejected_by_name(tmp_path, table, text, column):
    ds = make_data(tmp_path, invoices="\n".join([HEADER, GOOD]), **{table: text})
    rejected = ds.errors.filter(pl.col("file") == f"{table}.csv")
    assert rejected.select("row", "column").rows() == [(2, column)]
    assert "negative" in rejected["reason"].item()
    assert_counts_add_up(ds)
