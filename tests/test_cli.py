"""The command line (SPEC §7): exit codes, messages, output files and their columns."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import write_data
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from reportgen.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

CUSTOMER_COLUMNS = ["customer_id", "name", "open_amount", "not_due", "1-30", "31-60", "61-90",
                    "91-120", "121+", "unapplied_credit", "net_balance", "credit_limit",
                    "utilization", "over_limit"]
INVOICE_COLUMNS = ["invoice_id", "customer_id", "instalment", "invoice_date", "due_date",
                   "amount", "open_amount", "days_overdue", "bucket"]

CUSTOMERS = """
    customer_id,name,credit_limit
    C1,Acme,150.00
    C2,"=HYPERLINK(""x"")",
    C3,Idle,0
"""
INVOICES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    I1,C1,2024-01-01,100.00,2024-01-31
    I2,C1,2024-03-01,60.00,2024-03-31
    I3,C2,2024-02-01,25.50,2024-03-02
    @I4,C2,2024-03-20,10.00,2024-04-19
"""
PAYMENTS = """
    payment_id,customer_id,payment_date,amount,invoice_id
    P1,C1,2024-02-15,40.00,I1
    P2,C2,2024-03-01,5.00,
"""


@pytest.fixture
def data(tmp_path) -> Path:
    return write_data(tmp_path / "data", customers=CUSTOMERS, invoices=INVOICES,
                      payments=PAYMENTS)


def run(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args])


def said(result) -> str:
    """What the command printed, with rich's line wrapping undone."""
    return " ".join(result.output.split())


def read_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# --- check ----------------------------------------------------------------------------------


def test_check_clean_data_exits_0_and_prints_each_files_counts(data):
    result = run("check", data)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name, table, read in (("customers.csv", "customers", 3), ("invoices.csv", "invoices", 4),
                              ("payments.csv", "payments", 2)):
        line = next(line for line in lines if name in line)
        cells = [c.strip() for c in line.replace("│", "|").split("|") if c.strip()]
        assert cells == [name, table, str(read), str(read), "0", "0"], line
    assert "No problems" in result.output


BAD_INPUTS = {
    "missing required column": (
        {"payments": "payment_id,customer_id,amount\nP1,C1,5.00\n"},
        ("payments.csv", "1", "payment_date"), ("payments.csv", 1, 0, 0, 1)),
    "non-numeric amount": (
        {"invoices": INVOICES + "    I5,C1,2024-01-01,1O.00,2024-01-31\n"},
        ("invoices.csv", "6", "amount"), ("invoices.csv", 5, 4, 0, 1)),
    "impossible date": (
        {"invoices": INVOICES + "    I5,C1,2024-02-30,10.00,2024-03-01\n"},
        ("invoices.csv", "6", "invoice_date"), ("invoices.csv", 5, 4, 0, 1)),
    "exact duplicate": (
        {"invoices": INVOICES + "    I1,C1,2024-01-01,100.00,2024-01-31\n"},
        ("invoices.csv", "6", "invoice_id"), ("invoices.csv", 5, 4, 0, 1)),
    "conflicting duplicate": (
        {"invoices": INVOICES + "    I1,C1,2024-01-01,999.00,2024-01-31\n"},
        ("invoices.csv", "6", "invoice_id"), ("invoices.csv", 5, 3, 0, 2)),
    "unknown currency": (
        {"invoices": INVOICES.replace("due_date", "due_date,currency")
         .replace("2024-01-31\n", "2024-01-31,EUR\n").replace("2024-03-31", "2024-03-31,XYZ")
         .replace("2024-03-02", "2024-03-02,EUR").replace("2024-04-19", "2024-04-19,EUR"),
         "fx_rates": "date,currency,rate\n2024-01-01,USD,1.1\n"},
        ("invoices.csv", "3", "currency"), ("invoices.csv", 4, 3, 0, 1)),
    "truncated row": (
        {"invoices": INVOICES + "    I5,C1,2024-01-01\n"},
        ("invoices.csv", "6", None), ("invoices.csv", 5, 4, 0, 1)),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_check_bad_input_exits_1_naming_file_row_and_column(tmp_path, case):
    tables, (file, row, column), counts = BAD_INPUTS[case]
    folder = write_data(tmp_path / "data", **{"customers": CUSTOMERS, "invoices": INVOICES,
                                              "payments": PAYMENTS, **tables})
    problems = tmp_path / "problems.csv"
    result = run("check", folder, "--currency", "EUR", "--out", problems)
    assert result.exit_code == 1, result.output
    assert file in result.output
    listed = pl.read_csv(problems, infer_schema=False).filter(pl.col("severity") == "error")
    named = listed.filter((pl.col("file") == file) & (pl.col("row") == row))
    assert named.height >= 1, listed
    if column is not None:
        assert column in named["column"].to_list()
    assert named["reason"].str.len_chars().min() > 10  # a reason a person can act on
    # The file's counts add up, and the valid rows are still loaded.
    line = next(line for line in result.output.splitlines() if line.count(file) and "│" in line)
    cells = [c.strip() for c in line.split("│") if c.strip()]
    name, _, *numbers = cells
    assert (name, *map(int, numbers)) == counts
    read, loaded, skipped, rejected = counts[1:]
    assert read == loaded + skipped + rejected


def test_check_with_only_warnings_and_skipped_rows_exits_0(tmp_path):
    folder = write_data(tmp_path / "data", invoices="""
        invoice_id,customer_id,invoice_date,amount,due_date,status
        I1,C1,2024-01-10,100.00,2024-01-01,posted
        I2,C1,2024-01-10,100.00,2024-02-09,draft
    """)
    result = run("check", folder)
    assert result.exit_code == 0, result.output
    text = said(result)
    assert "1 skipped" in text and "1 warning" in text
    line = next(line for line in result.output.splitlines() if "invoices.csv" in line)
    assert [c.strip() for c in line.split("│") if c.strip()] == [
        "invoices.csv", "invoices", "2", "1", "1", "0"]


def test_check_missing_folder_exits_1_with_a_message(tmp_path):
    result = run("check", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "no such file or folder" in said(result)
    assert "Traceback" not in result.output


# --- aging: files and columns ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
@pytest.mark.parametrize(("level", "columns"), [("customer", CUSTOMER_COLUMNS),
                                                ("invoice", INVOICE_COLUMNS)])
def test_aging_writes_each_format_with_exactly_the_spec_columns(data, tmp_path, suffix, level,
                                                                 columns):
    out = tmp_path / f"aging{suffix}"
    result = run("aging", data, "--as-of", "2024-03-31", "--level", level, "--out", out)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        header = read_csv_rows(out)[0]
        rows = len(read_csv_rows(out)) - 1
    elif suffix == ".parquet":
        frame = pl.read_parquet(out)
        header, rows = frame.columns, frame.height
    else:
        records = json.loads(out.read_text(encoding="utf-8"))
        header, rows = list(records[0]), len(records)
    assert header == columns
    assert rows == (3 if level == "customer" else 4)
    assert not out.with_name(out.name + ".partial").exists()


def test_aging_csv_values_are_exact(data, tmp_path):
    out = tmp_path / "aging.csv"
    assert run("aging", data, "--as-of", "2024-03-31", "--out", out).exit_code == 0
    assert read_csv_rows(out)[1:] == [
        # I1 60 open, 60 days overdue; I2 60 due on D.
        ["C1", "Acme", "120.00", "60.00", "0.00", "60.00", "0.00", "0.00", "0.00", "0.00",
         "120.00", "150.00", "0.8", "false"],
        # P2 (5.00) pays the oldest, I3 (29 days overdue); @I4 is not yet due.
        ["C2", "'=HYPERLINK(\"x\")", "30.50", "10.00", "20.50", "0.00", "0.00", "0.00", "0.00",
         "0.00", "30.50", "", "", "false"],
        ["C3", "Idle", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
         "0.00", "", "false"],
    ]


def test_aging_invoice_level_csv_values_are_exact(data, tmp_path):
    out = tmp_path / "invoices.csv"
    assert run("aging", data, "--as-of", "2024-03-31", "--level", "invoice",
               "--out", out).exit_code == 0
    assert read_csv_rows(out)[1:] == [
        ["I1", "C1", "1", "2024-01-01", "2024-01-31", "100.00", "60.00", "60", "31-60"],
        ["I2", "C1", "1", "2024-03-01", "2024-03-31", "60.00", "60.00", "0", "not_due"],
        ["I3", "C2", "1", "2024-02-01", "2024-03-02", "25.50", "20.50", "29", "1-30"],
        ["'@I4", "C2", "1", "2024-03-20", "2024-04-19", "10.00", "10.00", "-19", "not_due"],
    ]


def test_json_money_is_exact(data, tmp_path):
    out = tmp_path / "aging.json"
    assert run("aging", data, "--as-of", "2024-03-31", "--out", out).exit_code == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    # Money survives as exact decimal text (never 30.499999…).
    assert [str(r["open_amount"]) for r in records] == ["120.00", "30.50", "0.00"]


def test_parquet_holds_the_same_table_as_csv(data, tmp_path):
    csv_out, parquet_out = tmp_path / "a.csv", tmp_path / "a.parquet"
    assert run("aging", data, "--as-of", "2024-03-31", "--out", csv_out).exit_code == 0
    assert run("aging", data, "--as-of", "2024-03-31", "--out", parquet_out).exit_code == 0
    frame = pl.read_parquet(parquet_out)
    assert frame.schema["open_amount"] == pl.Decimal(38, 2)
    # Only the CSV neutralises formulas; parquet keeps the name as it is.
    assert frame["name"].to_list() == ["Acme", '=HYPERLINK("x")', "Idle"]


def test_buckets_option_changes_the_columns(data, tmp_path):
    out = tmp_path / "aging.csv"
    result = run("aging", data, "--as-of", "2024-03-31", "--buckets", "3,7", "--out", out)
    assert result.exit_code == 0, result.output
    header = read_csv_rows(out)[0]
    assert header == ["customer_id", "name", "open_amount", "not_due", "1-3", "4-7", "8+",
                      "unapplied_credit", "net_balance", "credit_limit", "utilization",
                      "over_limit"]


def test_invoice_basis_columns(data, tmp_path):
    out = tmp_path / "aging.csv"
    result = run("aging", data, "--as-of", "2024-03-31", "--basis", "invoice",
                 "--buckets", "60,120", "--out", out)
    assert result.exit_code == 0, result.output
    assert read_csv_rows(out)[0][2:6] == ["open_amount", "0-60", "61-120", "121+"]


def test_open_item_mode_from_the_command_line(data, tmp_path):
    out = tmp_path / "aging.csv"
    result = run("aging", data, "--as-of", "2024-03-31", "--unapplied", "open-item",
                 "--level", "invoice", "--out", out)
    assert result.exit_code == 0, result.output
    rows = [r for r in read_csv_rows(out)[1:] if r[1] == "C2"]
    # Rows sort by customer, then due date: the credit's date is its due date.
    assert rows == [
        ["P2", "C2", "", "2024-03-01", "2024-03-01", "-5.00", "-5.00", "30", "1-30"],
        ["I3", "C2", "1", "2024-02-01", "2024-03-02", "25.50", "25.50", "29", "1-30"],
        ["'@I4", "C2", "1", "2024-03-20", "2024-04-19", "10.00", "10.00", "-19", "not_due"],
    ]


# --- aging: bad usage and unusable data -----------------------------------------------------


@pytest.mark.parametrize(("args", "option"), [
    (["--as-of", "2024-03-31", "--buckets", "60,30"], "--buckets"),
    (["--as-of", "2024-03-31", "--buckets", "thirty"], "--buckets"),
    (["--as-of", "2024-02-30"], "--as-of"),
    (["--as-of", "31/03/2024"], "--as-of"),
])
def test_bad_options_exit_2_with_a_message(data, tmp_path, args, option):
    out = tmp_path / "aging.csv"
    result = run("aging", data, *args, "--out", out)
    assert result.exit_code == 2
    assert option in said(result)
    assert not out.exists()


def test_unknown_output_extension_exits_2(data, tmp_path):
    out = tmp_path / "aging.txt"
    result = run("aging", data, "--as-of", "2024-03-31", "--out", out)
    assert result.exit_code == 2
    assert "--out" in said(result) and ".csv" in said(result)
    assert not out.exists()


def test_aging_missing_folder_exits_1_without_a_traceback(tmp_path):
    result = run("aging", tmp_path / "nowhere", "--as-of", "2024-03-31",
                 "--out", tmp_path / "a.csv")
    assert result.exit_code == 1
    assert "nowhere" in said(result) and "no such file or folder" in said(result)
    assert "Traceback" not in result.output
    assert not (tmp_path / "a.csv").exists()


def test_aging_snapshot_at_another_date_exits_1_saying_why(tmp_path):
    folder = write_data(tmp_path / "data", invoices="""
        invoice_id,customer_id,invoice_date,amount,open_amount,as_of
        I1,C1,2024-01-01,100.00,40.00,2024-03-31
    """)
    result = run("aging", folder, "--as-of", "2024-04-30", "--out", tmp_path / "a.csv")
    assert result.exit_code == 1
    assert "2024-03-31" in said(result) and "snapshot" in said(result)


def test_aging_without_a_usable_rate_exits_1_naming_currency_and_date(tmp_path):
    folder = write_data(
        tmp_path / "data",
        invoices="""
            invoice_id,customer_id,invoice_date,amount,currency
            I1,C1,2023-12-01,100.00,USD
            I2,C1,2023-12-01,100.00,EUR
        """,
        fx_rates="""
            date,currency,rate
            2024-01-01,USD,1.1
        """)
    result = run("aging", folder, "--as-of", "2023-12-31", "--out", tmp_path / "a.csv")
    assert result.exit_code == 1
    assert "USD" in said(result) and "2023-12-31" in said(result)
    assert "Traceback" not in result.output


def test_aging_with_two_unrated_currencies_is_an_error(tmp_path):
    folder = write_data(tmp_path / "data", invoices="""
        invoice_id,customer_id,invoice_date,amount,currency
        I1,C1,2024-01-01,100.00,EUR
        I2,C1,2024-01-01,7.00,AAA
    """)
    out = tmp_path / "a.csv"
    result = run("aging", folder, "--as-of", "2024-03-31", "--out", out)
    assert result.exit_code == 1
    assert "AAA" in said(result) and "EUR" in said(result)
    assert not out.exists()


def test_aging_with_rejected_rows_warns_and_points_to_check(data, tmp_path):
    with (data / "invoices.csv").open("a", encoding="utf-8") as handle:
        handle.write("I5,C1,2024-01-01,abc,2024-01-31\n")
    out = tmp_path / "a.csv"
    result = run("aging", data, "--as-of", "2024-03-31", "--out", out)
    assert result.exit_code == 0
    assert "reportgen check" in said(result)
    assert read_csv_rows(out)[1][2] == "120.00"  # the good rows are aged as before


# --- chunks ---------------------------------------------------------------------------------

CHUNK_CUSTOMERS = "customer_id,name,credit_limit\n" + "".join(
    f"K{i:02d},Customer {i},{100 * i}\n" for i in range(12))
CHUNK_INVOICES = "invoice_id,customer_id,invoice_date,amount,due_date\n" + "".join(
    f"N{i:03d},K{i % 12:02d},2024-0{1 + i % 3}-{1 + i % 27:02d},{13.07 * (i + 1):.2f},"
    f"2024-0{2 + i % 3}-{1 + i % 28:02d}\n" for i in range(60))
CHUNK_PAYMENTS = "payment_id,customer_id,payment_date,amount,invoice_id\n" + "".join(
    f"Q{i:03d},K{i % 12:02d},2024-03-{1 + i % 28:02d},{7.5 * (i + 2):.2f},"
    f"{f'N{i:03d}' if i % 3 else ''}\n" for i in range(0, 60, 2))


@pytest.fixture
def chunk_data(tmp_path) -> Path:
    return write_data(tmp_path / "chunks", customers=CHUNK_CUSTOMERS, invoices=CHUNK_INVOICES,
                      payments=CHUNK_PAYMENTS)


def test_chunks_give_the_same_customer_report(chunk_data, tmp_path):
    one, three = tmp_path / "one.csv", tmp_path / "three.csv"
    assert run("aging", chunk_data, "--as-of", "2024-04-15", "--out", one).exit_code == 0
    assert run("aging", chunk_data, "--as-of", "2024-04-15", "--chunks", "3",
               "--out", three).exit_code == 0
    assert len(read_csv_rows(one)) == 13
    assert one.read_bytes() == three.read_bytes()


def test_chunks_give_the_same_invoice_rows(chunk_data, tmp_path):
    one, three = tmp_path / "one.csv", tmp_path / "three.csv"
    for out, chunks in ((one, "1"), (three, "3")):
        result = run("aging", chunk_data, "--as-of", "2024-04-15", "--level", "invoice",
                     "--unapplied", "open-item", "--chunks", chunks, "--out", out)
        assert result.exit_code == 0, result.output
    a, b = pl.read_csv(one), pl.read_csv(three)
    assert a.height > 20
    assert_frame_equal(a.sort(a.columns), b.sort(b.columns))


def test_chunks_give_the_same_invoice_file(chunk_data, tmp_path):
    one, three = tmp_path / "one.csv", tmp_path / "three.csv"
    for out, chunks in ((one, "1"), (three, "3")):
        run("aging", chunk_data, "--as-of", "2024-04-15", "--level", "invoice",
            "--chunks", chunks, "--out", out)
    assert one.read_bytes() == three.read_bytes()


# --- the module entry point -------------------------------------------------------------------


def test_python_dash_m_reportgen_help():
    result = subprocess.run([sys.executable, "-m", "reportgen", "--help"], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for command in ("check", "aging", "sample"):
        assert command in result.stdout
    assert "reportgen" in result.stdout


def test_python_dash_m_reportgen_writes_everything_and_keeps_exit_codes(tmp_path):
    # the entry point leaves with os._exit: the output file is complete, the last message is
    # printed, and the exit codes are those of the command (0 done, 1 bad data, 2 bad usage)
    def run(*args):
        return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True,
                              text=True, timeout=300, check=False)

    out = tmp_path / "aging.csv"
    done = run("aging", str(SAMPLE), "--as-of", "2025-12-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "300 rows written" in done.stderr
    assert pl.read_csv(out).height == 300
    assert run("aging", str(tmp_path / "nowhere"), "--as-of", "2025-12-31",
               "--out", str(out)).returncode == 1
    assert run("aging", str(SAMPLE), "--as-of", "someday", "--out", str(out)).returncode == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty (0 bytes)"),
        (bytes(range(256)) * 8, "not a text file"),
        ("invoice_id,customer_id,invoice_date,amount\nI1,Café,2024-01-01,5\n".encode("latin-1"),
         "not UTF-8 text"),
    ],
    ids=["zero-bytes", "binary", "latin-1"],
)
def test_unreadable_file_is_named_with_a_reason_not_a_traceback(tmp_path, content, message):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "invoices.csv").write_bytes(content)
    result = run("check", folder)
    assert result.exit_code == 1
    assert "invoices.csv" in said(result) and message in said(result)
    assert "Traceback" not in result.output
    aged = run("aging", folder, "--as-of", "2024-03-31", "--out", tmp_path / "a.csv")
    assert aged.exit_code == 0  # nothing to age, said plainly
    assert "reportgen check" in said(aged)


def test_invoices_missing_a_required_column_age_to_nothing_said_plainly(tmp_path):
    folder = write_data(tmp_path / "data", invoices="""
        invoice_id,customer_id,amount
        I1,C1,100.00
    """)
    result = run("aging", folder, "--as-of", "2024-03-31", "--out", tmp_path / "a.csv")
    assert result.exit_code == 0
    assert "reportgen check" in said(result)
    rows = read_csv_rows(tmp_path / "a.csv")
    assert rows[0][:3] == ["customer_id", "name", "open_amount"]
    assert rows[1:] == []  # the rejected file's rows are in no report, and said so


def test_text_from_the_files_is_shown_as_text_not_terminal_markup(tmp_path):
    folder = write_data(tmp_path / "data", invoices="""
        invoice_id,customer_id,invoice_date,amount
        [bold red]I1[/],C1,2024-01-01,not[/]a-number
    """)
    result = run("check", folder)
    assert result.exit_code == 1
    assert "not[/]a-number" in said(result)  # rich would have raised on a stray closing tag
