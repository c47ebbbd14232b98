"""Shared data for the review-site tests (no conftest here: `tests/conftest.py` is imported by
name elsewhere). Heavy things are made once per test run and cached: the sample company's
figures for two months, and the sites built from them and from a hostile little company."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import textwrap
from functools import cache
from pathlib import Path

from reportgen.load import load
from reportgen.periods import parse_period, series
from reportgen.report import data as figures
from reportgen.report.data import SiteData
from reportgen.report.site import build_site

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
REVIEWS = ("2025-11", "2025-12")  # two months: enough for comparisons, quick to build
SNAPSHOTS = Path(__file__).parent / "snapshots"

_scratch = Path(tempfile.mkdtemp(prefix="reportgen-site-tests-"))
atexit.register(shutil.rmtree, _scratch, True)


def scratch(name: str) -> Path:
    return _scratch / name


@cache
def sample_dataset():
    return load(SAMPLE)


@cache
def sample_data() -> SiteData:
    ds = sample_dataset()
    return figures.gather(
        ds,
        [parse_period(label) for label in REVIEWS],
        every="month",
        inputs=figures.input_files(SAMPLE),
        data_name="sample_data",
    )


@cache
def sample_site() -> Path:
    return build_site(sample_data(), scratch("sample") / "site")


# --- a little company whose names, notes and references try to inject markup ---------------

HOSTILE = {
    "C1": "<script>alert(1)</script>",
    "C2": "[x](javascript:alert(1))",
    "C3": "</title><script>alert(2)</script>",
    "C4": '{: onclick="alert(3)"} *b* _i_ | p ![i](x.png) <img src=x onerror=alert(4)>',
    "C5": "- 1. a list?",
}
HOSTILE_NOTES = ("<img src=x onerror=alert(5)>", "[y](javascript:alert(6)) **bold**")


def write_tables(folder: Path, **tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        body = textwrap.dedent(text).strip("\n")
        (folder / f"{name}.csv").write_text(body + "\n", encoding="utf-8")
    return folder


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def hostile_folder(folder: Path) -> Path:
    customers = ["customer_id,name,credit_limit,payment_terms_days,currency,segment,owner"]
    customers += [f"{cid},{_quoted(name)},100.00,30,CNY,Retail,<b>x</b>" for cid, name in
                  HOSTILE.items()]  # fmt: skip
    customers.append('C/../6,"Plain, Co.",5000.00,30,CNY,Retail,x')
    return write_tables(
        folder,
        customers="\n".join(customers),
        invoices="""
            invoice_id,customer_id,invoice_date,due_date,amount
            I1,C1,2024-12-01,2024-12-31,500.00
            I2,C2,2024-12-01,2024-12-31,500.00
            I3,C3,2025-01-05,2025-02-04,500.00
            I4,C4,2025-01-05,2025-01-20,500.00
            I5,C5,2025-01-10,2025-02-09,300.00
            I6,C/../6,2025-01-10,2025-02-09,800.00
            <i>I7</i>,C1,2025-02-01,2025-03-03,100.00
        """,
        payments="""
            payment_id,customer_id,payment_date,amount,invoice_id
            P1,C5,2025-02-20,300.00,I5
            P2,C/../6,2025-02-15,200.00,[doc](javascript:alert(7))
        """,
        activities=f"""
            customer_id,date,type,note
            C1,2025-01-15,call,{_quoted(HOSTILE_NOTES[0])}
            C2,2025-02-10,note,{_quoted(HOSTILE_NOTES[1])}
        """,
    )


def hostile_data(folder: Path) -> SiteData:
    data = hostile_folder(folder)
    ds = load(data)
    reviews = series(parse_period("2025-01").first_day, parse_period("2025-02").end, "month")
    return figures.gather(
        ds, reviews, every="month", inputs=figures.input_files(data), data_name=data.name
    )


@cache
def hostile_site() -> Path:
    return build_site(hostile_data(scratch("hostile") / "data"), scratch("hostile") / "site")


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones too) by its relative path, with its bytes."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}
