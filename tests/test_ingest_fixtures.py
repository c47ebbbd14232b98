"""Every export fixture in tests/fixtures/ingest (one folder per case, mirroring a real
system's layout) read through the command line and checked against its hand-computed
`expected.toml`: the system recognised, the encoding, the header row, the as-of date in the
title, every row accounted for, and the aging of every customer to the cent. Broken files
must give a clear message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.ingest.export import Options
from reportgen.load import load

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
CASES = sorted(p.parent for p in FIXTURES.glob("*/*/expected.toml"))
BUCKETS = ("not_due", "1-30", "31-60", "61-90", "91-120", "121+")


def _case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def _data(case: Path, tmp_path: Path) -> Path:
    """The case folder without its expectation and mapping files: what a user drops in."""
    data = tmp_path / "data"
    data.mkdir()
    for path in case.iterdir():
        if path.name != "expected.toml" and not path.name.endswith(".mapping.toml"):
            shutil.copy(path, data / path.name)
    return data


def _args(case: Path, expected: dict) -> list[str]:
    args = list(expected.get("args", []))
    for i, arg in enumerate(args):
        if arg == "--mapping":
            args[i + 1] = str(case / args[i + 1])
    return args


def _run(args: list[str]):
    result = CliRunner().invoke(app, args)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_fixture(case: Path, tmp_path: Path) -> None:
    expected = tomllib.loads((case / "expected.toml").read_text(encoding="utf-8"))
    data = _data(case, tmp_path)
    args = _args(case, expected)
    if "error" in expected:
        _check_error(expected["error"], data, args, tmp_path)
        return

    problems = tmp_path / "problems.json"
    check = _run(["check", str(data), *args, "--out", str(problems), "--show-mapping"])
    text = check.output
    assert expected.get("system", "") in text, text
    if expected.get("encoding"):
        assert f"encoding {expected['encoding']}" in text, text
    if expected.get("header_row"):
        assert f"header on row {expected['header_row']}" in text, text
    if expected.get("as_of_in_file"):
        assert f"as of {expected['as_of_in_file']} (printed" in text, text

    if "rows" in expected:
        rows = expected["rows"]
        reports = {f.file: f for f in _load(data, args).files}
        main = reports[rows["file"]] if "file" in rows else next(iter(reports.values()))
        assert (main.rows_read, main.rows_loaded, main.rows_skipped, main.rows_rejected) == (
            rows["read"],
            rows["loaded"],
            rows["skipped"],
            rows["rejected"],
        ), text
        for report in reports.values():  # every row of every file accounted for
            assert report.rows_read == (
                report.rows_loaded + report.rows_skipped + report.rows_rejected
            ), report
        assert check.exit_code == (1 if rows["rejected"] else 0), text
        # the fixtures print correct totals: checking them must not cry wolf
        warnings = json.loads(problems.read_text())
        mismatches = [p for p in warnings if "printed total" in (p["reason"] or "")]
        assert len(mismatches) == expected.get("total_mismatches", 0), mismatches

    out = tmp_path / "aging.json"
    aging = _run(["aging", str(data), *args, "--as-of", expected["as_of"], "--out", str(out)])
    assert aging.exit_code == 0, aging.output
    got = {r["customer_id"]: r for r in json.loads(out.read_text())}
    want = expected.get("customers", {})
    open_customers = {
        k for k, r in got.items() if Decimal(r["open_amount"]) or Decimal(r["unapplied_credit"])
    }
    assert open_customers == set(want), (sorted(open_customers), sorted(want))
    for customer, amounts in want.items():
        for key, value in amounts.items():
            assert Decimal(got[customer][key]) == Decimal(value), (customer, key, got[customer])
        assert sum(Decimal(got[customer][b]) for b in BUCKETS) == Decimal(
            got[customer]["open_amount"]
        )


def _load(data: Path, args: list[str]):
    """The dataset `check` sees, through the API (for exact row counts)."""
    flags = dict(zip(args[::2], args[1::2], strict=False))
    options = Options(
        preset=flags.get("--preset"),
        mapping=Path(flags["--mapping"]) if "--mapping" in flags else None,
        encoding=flags.get("--encoding"),
        date_format=flags.get("--date-format"),
    )
    as_of = date.fromisoformat(flags["--as-of"]) if "--as-of" in flags else None
    return load(data, options=options, as_of=as_of, base_currency=flags.get("--currency"))


def _check_error(error: dict, data: Path, args: list[str], tmp_path: Path) -> None:
    command = error.get("command", "check")
    if command == "aging":
        argv = ["aging", str(data), *args, "--out", str(tmp_path / "a.csv")]
        if "--as-of" not in args:
            argv += ["--as-of", "2025-12-31"]
    else:
        argv = ["check", str(data), *args]
    result = _run(argv)
    assert result.exit_code == error.get("exit_code", 1), result.output
    text = " ".join(result.output.split()).lower()
    for part in error.get("message", []):
        assert " ".join(part.split()).lower() in text, (part, result.output)


def test_every_system_has_a_fixture() -> None:
    systems = {c.parent.name for c in CASES}
    for name in (
        "quickbooks", "xero", "sap-fbl5n", "odoo", "erpnext", "zoho-books", "sage", "myob",
        "kingdee", "yonyou", "handmade", "broken",
    ):  # fmt: skip
        assert name in systems, name
