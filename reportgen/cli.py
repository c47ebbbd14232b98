"""The `reportgen` command line (SPEC §7): parse arguments, call the core, write files.

Exit codes: 0 done; 1 the data is unusable (or `check` found rejected rows); 2 bad usage.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from reportgen import aging as aging_rules
from reportgen import metrics, periods
from reportgen import reconcile as reconciliation
from reportgen.ingest.export import ExportReport, Options
from reportgen.load import DataError, Dataset, load
from reportgen.outputs import (
    FORMATS,
    INVOICE_ORDER,
    customer_aging,
    for_output,
    invoice_aging,
    write_table,
)

if TYPE_CHECKING:
    from reportgen.policy import Policy

app = typer.Typer(
    help="Credit-management analytics from your accounting exports: open items as of any "
    "date, aging, credit exposure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped into a file or a CI log, tables get room instead of rich's 80-column default.
_WIDTH = None if sys.stdout.isatty() else 160
err = Console(stderr=True, highlight=False, width=_WIDTH)
out = Console(highlight=False, width=_WIDTH)


class BasisChoice(StrEnum):
    due = "due"
    invoice = "invoice"


class UnappliedChoice(StrEnum):
    fifo = "fifo"
    open_item = "open-item"


class LevelChoice(StrEnum):
    customer = "customer"
    invoice = "invoice"


DataArg = Annotated[
    Path,
    typer.Argument(
        help="A folder of CSV/Excel files or one file: canonical tables (invoices.csv, …) "
        "or exports from an accounting system (QuickBooks, Xero, SAP, Kingdee, …).",
        show_default=False,
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        help="Read exports as this system writes them: quickbooks, xero, sap-fbl5n, odoo, "
        "erpnext, zoho-books, sage, myob, kingdee, yonyou (default: recognised from the headers).",
        show_default=False,
    ),
]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        help="A TOML file saying which column is which (see `reportgen check --show-mapping`).",
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        help="Text encoding of the exports, e.g. gb18030, utf-16, cp1252 (default: detected).",
        show_default=False,
    ),
]
DateFormatOpt = Annotated[
    str | None,
    typer.Option(
        help="Day/month order where the dates do not tell: dmy, mdy, ymd, or a format "
        "such as %d.%m.%Y.",
        show_default=False,
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="Base currency for the report (default: the one currency without a "
        "rate in fx_rates.csv).",
        show_default=False,
    ),
]


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2025-12-31", param_hint=option
        ) from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text.assemble(("error: ", "bold red"), message))  # data text, never markup
    return typer.Exit(code)


@contextmanager
def _progress():
    """Steps and a bar on a terminal; silent when output goes to a file or a pipe."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with progress:
        yield progress


def _options(
    preset: str | None, mapping: Path | None, encoding: str | None, date_format: str | None
) -> Options:
    if preset and mapping:
        raise typer.BadParameter("give --preset or --mapping, not both", param_hint="--mapping")
    return Options(preset=preset, mapping=mapping, encoding=encoding, date_format=date_format)


def _load(
    data: Path,
    *,
    currency: str | None,
    as_of: date | None = None,
    partition: tuple[int, int] | None = None,
    options: Options | None = None,
) -> Dataset:
    try:
        return load(data, base_currency=currency, as_of=as_of, partition=partition, options=options)
    except DataError as exc:
        raise _fail(str(exc)) from None


# --- check ------------------------------------------------------------------------------


@app.command()
def check(
    data: DataArg,
    currency: CurrencyOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="The date of an open-item snapshot that does not state its own.",
            show_default=False,
        ),
    ] = None,
    show: Annotated[int, typer.Option(help="How many problems to list on screen.")] = 30,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
    show_mapping: Annotated[
        bool,
        typer.Option(
            "--show-mapping",
            help="Print, for each export, the mapping it was read with as a TOML file to "
            "copy, correct and pass back with --mapping.",
        ),
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write every problem (file, row, column, value, severity, reason) to "
            ".csv, .parquet or .json.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """What was read, what was rejected and why. Exit 1 if any row was rejected."""
    with _progress() as progress:
        progress.add_task("Reading and checking files", total=None)
        ds = _load(
            data,
            currency=currency,
            as_of=_date(as_of, "--as-of") if as_of else None,
            options=_options(preset, mapping, encoding, date_format),
        )

    files = Table(title=Text(f"Files in {data}"), title_justify="left")
    for name in ("file", "table", "rows read", "loaded", "skipped", "rejected"):
        files.add_column(name, justify="left" if name in ("file", "table") else "right")
    for f in ds.files:
        files.add_row(
            Text(f.file),
            f.table,
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_skipped:,}",
            f"{f.rows_rejected:,}",
        )
    out.print(files)
    for report in ds.exports:
        _print_export(report, show_mapping)
    out.print(
        f"Base currency: {ds.base_currency or '(none stated)'}; money in "
        f"{ds.digits} minor digits"
        + (f"; open-item snapshot as of {ds.snapshot_as_of}" if ds.snapshot_as_of else "")
    )
    _print_problems(ds.problems, show)
    if out_file is not None:
        _write(ds.problems, out_file)
        out.print(Text(f"All {ds.problems.height:,} problems written to {out_file}"))
    if ds.errors.height:
        raise typer.Exit(1)


def _print_export(report: ExportReport, show_mapping: bool) -> None:
    """How one export was read: system, encoding, header, columns, as-of, rows skipped."""
    skipped = ", ".join(f"{n:,} {why}" for why, n in report.skipped.items())
    system = report.system if report.system != "generic" else "not recognised (header names)"
    lines = [
        Text.assemble((report.file, "bold"), f" — {system}"),
        Text(
            f"  encoding {report.encoding or '-'}, delimiter {report.delimiter!r}, "
            f"header on row {report.header_row}"
            if report.encoding
            else f"  spreadsheet, header on row {report.header_row}"
        ),
        Text("  columns: " + " · ".join(f"{f} ← {h}" for f, h in report.columns.items())),
    ]
    if report.ignored:
        lines.append(Text("  not used: " + ", ".join(report.ignored)))
    if report.date_formats:
        formats = sorted(set(report.date_formats.values()))
        lines.append(Text("  dates read as " + ", ".join(formats)))
    if report.as_of:
        lines.append(Text(f"  as of {report.as_of} (printed in the title rows)"))
    if skipped:
        lines.append(Text(f"  skipped: {skipped}; {report.totals_checked} printed totals checked"))
    for line in lines:
        out.print(line)
    if show_mapping and report.mapping_toml:
        out.print(Text(f"# mapping for {report.file}\n{report.mapping_toml}"))


def _print_problems(problems: pl.DataFrame, show: int) -> None:
    if problems.height == 0:
        out.print("[green]No problems: every row was loaded.[/]")
        return
    counts = problems.group_by("severity").len().sort("severity")
    out.print("Problems: " + ", ".join(f"{n:,} {s}" for s, n in counts.iter_rows()))
    table = Table(show_lines=False)
    for name in ("file", "row", "column", "value", "severity", "reason"):
        table.add_column(name, overflow="fold")
    ordered = problems.sort(pl.col("severity") != "error", "file", "row", nulls_last=False)
    for row in ordered.head(show).iter_rows():
        # cells hold text from the files: shown as text, never read as rich markup
        table.add_row(*[Text("" if v is None else str(v)) for v in row])
    out.print(table)
    if problems.height > show:
        out.print(f"… and {problems.height - show:,} more (use --out FILE to list them all)")


# --- aging ------------------------------------------------------------------------------


@app.command()
def aging(
    data: DataArg,
    as_of: Annotated[
        str, typer.Option(help="The date D to age at (YYYY-MM-DD).", show_default=False)
    ],
    out_file: Annotated[
        Path,
        typer.Option("--out", help="Where to write: .csv, .parquet or .json.", show_default=False),
    ],
    basis: Annotated[
        BasisChoice,
        typer.Option(help="Age by days past the due date, or days since the invoice date."),
    ] = BasisChoice.due,
    buckets: Annotated[
        str, typer.Option(help="Bucket upper bounds in days, e.g. 30,60,90,120 or 3,7,30.")
    ] = "30,60,90,120",
    unapplied: Annotated[
        UnappliedChoice,
        typer.Option(
            help="fifo: unreferenced payments and credits pay the oldest items first; open-item: "
            "they stay as negative items of their own."
        ),
    ] = UnappliedChoice.fifo,
    level: Annotated[
        LevelChoice, typer.Option(help="One row per customer, or one per open invoice instalment.")
    ] = LevelChoice.customer,
    currency: CurrencyOpt = None,
    credit: Annotated[
        bool,
        typer.Option(
            "--credit",
            help="Add exposure, headroom, over-limit amount and credit-hold columns "
            "(customer level).",
        ),
    ] = False,
    hold_after_days: Annotated[
        int,
        typer.Option(help="Recommend a credit hold for any item more than this many days overdue."),
    ] = 90,
    chunks: Annotated[
        int,
        typer.Option(
            min=1,
            help="Process customers in this many partitions, one at a time, to age a "
            "ledger larger than memory.",
        ),
    ] = 1,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """Open items as of a date, aged into buckets, with credit limits and utilization."""
    day = _date(as_of, "--as-of")
    options = _options(preset, mapping, encoding, date_format)
    try:
        bounds = aging_rules.parse_bounds(buckets)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--buckets") from None
    if out_file.suffix.lower() not in FORMATS:
        raise typer.BadParameter(f"must end in {', '.join(FORMATS)}", param_hint="--out")

    def report(ds: Dataset) -> pl.LazyFrame:
        if level is LevelChoice.invoice:
            return invoice_aging(
                ds, as_of=day, basis=basis.value, bounds=bounds, unapplied=unapplied.value
            )
        return customer_aging(
            ds,
            as_of=day,
            basis=basis.value,
            bounds=bounds,
            unapplied=unapplied.value,
            hold_after_days=hold_after_days,
            credit=credit,
        )

    parts, problems = [], []
    with _progress() as progress:
        task = progress.add_task("Reading and checking files", total=chunks * 2)
        for k in range(chunks):
            partition = (k, chunks) if chunks > 1 else None
            label = f" (part {k + 1} of {chunks})" if chunks > 1 else ""
            progress.update(task, description=f"Reading and checking files{label}")
            ds = _load(data, currency=currency, as_of=day, partition=partition, options=options)
            problems.append(ds.errors)
            progress.update(task, advance=1, description=f"Allocating and aging{label}")
            try:
                parts.append(report(ds).collect())
            except DataError as exc:
                raise _fail(str(exc)) from None
            progress.advance(task)
        progress.update(task, description=f"Writing {out_file}")
        result = pl.concat(parts)
        if chunks > 1:
            keys = INVOICE_ORDER if level is LevelChoice.invoice else ["customer_id"]
            result = result.sort(keys, nulls_last=True)
        _write(result, out_file)
    rejected = pl.concat(problems).unique()
    if rejected.height:
        err.print(
            Text.assemble(
                ("warning: ", "yellow"),
                f"{rejected.height:,} problems left rows out of this report; "
                f"run `reportgen check {data}` to see them.",
            )
        )
    err.print(Text(f"{result.height:,} rows written to {out_file}"))


def _write(frame: pl.DataFrame, path: Path) -> None:
    try:
        write_table(frame, path)
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror or exc}") from None


# --- kpis -------------------------------------------------------------------------------


class EveryChoice(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class ByChoice(StrEnum):
    segment = "segment"
    owner = "owner"
    currency = "currency"


class LangChoice(StrEnum):
    en = "en"
    zh = "zh"


def _periods(period: str | None, first: str | None, last: str | None, every: EveryChoice | None):
    if period and (first or last):
        raise typer.BadParameter("give --period or --from/--to, not both", param_hint="--period")
    if period:
        try:
            return [periods.parse_period(period)]
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--period") from None
    if not (first and last):
        raise typer.BadParameter(
            "give --period (2025-12, 2025-Q4 or 2025) or both --from and --to",
            param_hint="--period",
        )
    day1, day2 = _date(first, "--from"), _date(last, "--to")
    try:
        if every:
            return periods.series(day1, day2, every.value)
        return [periods.between(day1, day2)]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from None


@app.command()
def kpis(
    data: DataArg,
    period: Annotated[
        str | None,
        typer.Option(
            help="A month (2025-12), a quarter (2025-Q4) or a year (2025).", show_default=False
        ),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day of the period (YYYY-MM-DD).", show_default=False),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="Last day of the period (YYYY-MM-DD).", show_default=False),
    ] = None,
    every: Annotated[
        EveryChoice | None,
        typer.Option(
            help="Split --from..--to into calendar months, quarters or years: one KPI set "
            "for each.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        ByChoice | None,
        typer.Option(
            help="One KPI set per customer segment, owner or currency.", show_default=False
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write one row per period (and group) with the KPI keys of SPEC §6: .json, "
            ".csv or .parquet. Without it, print a table.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        LangChoice, typer.Option(help="Language of the printed table.")
    ] = LangChoice.en,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """The credit KPIs of a period: DSO, countback DSO, best possible DSO, average days
    delinquent, CEI, turnover, days to pay and days late, bad debt, over-limit and promises."""
    wanted = _periods(period, first, last, every)
    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        raise typer.BadParameter(f"must end in {', '.join(FORMATS)}", param_hint="--out")
    options = _options(preset, mapping, encoding, date_format)
    dimension = by.value if by else None
    dates = {d for p in wanted for d in (p.start, p.end)}
    with _progress() as progress:
        task = progress.add_task("Reading and checking files", total=len(dates) + 2)
        ds = _load(data, currency=currency, options=options)
        progress.update(task, advance=1, description="Open items at each period's start and end")
        try:
            facts = metrics.kpi_facts(
                ds,
                wanted,
                by=dimension,
                progress=lambda day: progress.update(
                    task, advance=1, description=f"Open items as of {day}"
                ),
            )
        except DataError as exc:
            raise _fail(str(exc)) from None
        table = metrics.kpis(facts, digits=ds.digits, by=dimension)
        progress.advance(task)
    if out_file is not None:
        _write(table, out_file)
        err.print(Text(f"{table.height:,} rows written to {out_file}"))
    else:
        _print_kpis(table, dimension, lang.value, ds.base_currency)
    if ds.errors.height:
        err.print(
            Text.assemble(
                ("warning: ", "yellow"),
                f"{ds.errors.height:,} problems left rows out of these figures; "
                f"run `reportgen check {data}` to see them.",
            )
        )


def _print_kpis(table: pl.DataFrame, by: str | None, lang: str, currency: str) -> None:
    """One table per group: a row per KPI, a column per period (the last twelve)."""
    groups = table[by].unique(maintain_order=True).to_list() if by else [None]
    for group in groups:
        rows = table.filter(pl.col(by) == group) if by else table
        shown = rows.tail(12)
        title = f"KPIs ({currency})" + (f" — {by} {group}" if by else "")
        grid = Table(title=Text(title), title_justify="left")
        grid.add_column("KPI" if lang == "en" else "指标")
        for label in shown["period"]:
            grid.add_column(Text(label), justify="right")
        for metric in metrics.METRICS:
            name = metric.label if lang == "en" else metric.label_zh
            values = [metrics.format_value(metric, v, lang=lang) for v in shown[metric.key]]
            grid.add_row(name, *values)
        out.print(grid)
    if table.height > (len(groups) * 12):
        out.print("… earlier periods: use --out FILE.json to have them all")


# --- the credit policy (issue 7): collections, letters, ratings, the site, the dashboard ---

PolicyOpt = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="A credit policy TOML file (dunning ladder, interest, fees, calendar, scorecard); "
        "its keys override the default shipped with reportgen.",
        show_default=False,
    ),
]


def _policy(path: Path | None):
    from reportgen.policy import PolicyError, load_policy

    try:
        return load_policy(path)
    except PolicyError as exc:
        raise typer.BadParameter(str(exc), param_hint="--policy") from None


# --- site -----------------------------------------------------------------------------


class ReviewChoice(StrEnum):
    month = "month"
    quarter = "quarter"


class ReconcileChoice(StrEnum):
    every = "every"
    last = "last"
    none = "none"


@app.command()
def site(
    data: DataArg,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write the site into. A site built there before is replaced only "
            "once the new one is complete.",
            show_default=False,
        ),
    ],
    period: Annotated[
        ReviewChoice, typer.Option(help="One review per calendar month or quarter.")
    ] = ReviewChoice.month,
    first: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day of the first review (default: the start of the first "
            "document's month or quarter).",
            show_default=False,
        ),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Last day of the last review (default: the last document's date).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        LangChoice | None,
        typer.Option(
            help="Build this language only (default: English and Chinese, with a switch).",
            show_default=False,
        ),
    ] = None,
    reconcile_at: Annotated[
        ReconcileChoice,
        typer.Option(
            "--reconcile",
            help="List reconciliation exceptions at every review's end, at the last review "
            "only (much faster on a large ledger), or not at all.",
        ),
    ] = ReconcileChoice.every,
    policy_file: PolicyOpt = None,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """The periodic credit-review website: a portfolio page, one review per period, credit
    files of the key accounts, methodology and data quality, built into static HTML (MkDocs)
    that reads offline."""
    from reportgen.report import data as figures
    from reportgen.report.lang import LANGS
    from reportgen.report.site import SiteError, build_site

    options = _options(preset, mapping, encoding, date_format)
    day1 = _date(first, "--from") if first else None
    day2 = _date(last, "--to") if last else None
    policy = _policy(policy_file)  # a bad policy fails before the data is read
    with _progress() as progress:
        task = progress.add_task("Reading and checking files", total=None)
        ds = _load(data, currency=currency, options=options)
        try:
            reviews = figures.review_periods(ds, period.value, first=day1, last=day2)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--to") from None

        def step(text: str) -> None:
            progress.update(task, description=text)

        try:
            gathered = figures.gather(
                ds,
                reviews,
                every=period.value,
                inputs=figures.input_files(data),
                data_name=data.resolve().name,
                reconcile=reconcile_at.value,
                policy=policy,
                progress=step,
            )
            build_site(gathered, out_dir, langs=[lang.value] if lang else LANGS, progress=step)
        except (DataError, SiteError) as exc:
            raise _fail(str(exc)) from None
    err.print(
        Text(
            f"{len(reviews)} reviews ({reviews[0].label} to {reviews[-1].label}) and "
            f"{gathered.key_accounts.height} credit files written to {out_dir}/index.html"
        )
    )
    if ds.errors.height:
        err.print(
            Text.assemble(
                ("warning: ", "yellow"),
                f"{ds.errors.height:,} problems left rows out of these figures; "
                f"see the site's Data quality page or run `reportgen check {data}`.",
            )
        )


# --- reconcile --------------------------------------------------------------------------


@app.command()
def reconcile(
    data: DataArg,
    as_of: Annotated[
        str, typer.Option(help="The date D to reconcile at (YYYY-MM-DD).", show_default=False)
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write every exception (category, customer_id, documents, amount, date, "
            "explanation, explanation_zh) to .csv, .parquet or .json; the per-customer "
            "reconciliation sheet goes next to it as STEM.sheet.EXT and the monthly "
            "roll-forward as STEM.rollforward.EXT, in the same format. Without it, print a "
            "summary.",
            show_default=False,
        ),
    ] = None,
    tolerance: Annotated[
        str,
        typer.Option(
            help="Short payments: a residue left on a paid invoice up to this amount (base "
            "currency) …"
        ),
    ] = "1.00",
    tolerance_pct: Annotated[
        str,
        typer.Option(
            "--tolerance-pct",
            help="… or up to this percent of the invoice amount, whichever is larger.",
        ),
    ] = "0.5",
    transit_days: Annotated[
        int,
        typer.Option(
            min=0,
            help="Statements: our documents dated up to this many days after a statement "
            "date may be in transit (the customer booked them before its cut-off).",
        ),
    ] = reconciliation.TRANSIT_DAYS,
    show: Annotated[int, typer.Option(help="How many exceptions to list on screen.")] = 20,
    lang: Annotated[
        LangChoice, typer.Option(help="Language of the printed summary and explanations.")
    ] = LangChoice.en,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """Reconciliation gaps (对账差异) at a date: unapplied cash, wrong references, over- and
    short payments, credit balances, duplicates, customer statements, the general ledger and
    the monthly roll-forward, each exception with its documents and a plain explanation."""
    day = _date(as_of, "--as-of")
    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        raise typer.BadParameter(f"must end in {', '.join(FORMATS)}", param_hint="--out")
    limits = {}
    for name, text in (("tolerance", tolerance), ("tolerance-pct", tolerance_pct)):
        try:
            limits[name] = Decimal(text)
        except InvalidOperation:
            raise typer.BadParameter(f"{text!r} is not a number", param_hint=f"--{name}") from None
        if not limits[name].is_finite() or limits[name] < 0:
            raise typer.BadParameter("must be a number, 0 or more", param_hint=f"--{name}")
    options = _options(preset, mapping, encoding, date_format)
    with _progress() as progress:
        progress.add_task("Reading and checking files", total=None)
        ds = _load(data, currency=currency, as_of=day, options=options)
        progress.add_task("Reconciling: open items at each month-end, statement and GL date")
        try:
            result = reconciliation.reconcile(
                ds,
                as_of=day,
                tolerance=limits["tolerance"],
                tolerance_pct=limits["tolerance-pct"],
                transit_days=transit_days,
            )
        except DataError as exc:
            raise _fail(str(exc)) from None
    shown = reconciliation.for_output(result, ds.digits)
    if out_file is not None:
        paths = {
            "exceptions": out_file,
            "sheet": out_file.with_name(f"{out_file.stem}.sheet{out_file.suffix}"),
            "rollforward": out_file.with_name(f"{out_file.stem}.rollforward{out_file.suffix}"),
        }
        for name, path in paths.items():
            _write(shown[name], path)
            err.print(Text(f"{shown[name].height:,} {name} rows written to {path}"))
    else:
        _print_reconciliation(result, shown["exceptions"], show, lang.value, ds.base_currency)
    if ds.errors.height:
        err.print(
            Text.assemble(
                ("warning: ", "yellow"),
                f"{ds.errors.height:,} problems left rows out of this reconciliation; "
                f"run `reportgen check {data}` to see them.",
            )
        )


def _print_reconciliation(
    result: reconciliation.Reconciliation,
    exceptions: pl.DataFrame,
    show: int,
    lang: str,
    currency: str,
) -> None:
    """Exceptions by category (count, amount at stake), what was compared, the first ones."""
    zh = lang == "zh"
    title = (
        f"对账差异 {result.as_of}（{currency}）"
        if zh
        else f"Reconciliation at {result.as_of} ({currency})"
    )
    summary = Table(title=Text(title), title_justify="left")
    for name, justify in (
        ("类别" if zh else "category", "left"),
        ("key", "left"),
        ("笔数" if zh else "count", "right"),
        ("涉及金额" if zh else "amount at stake", "right"),
    ):
        summary.add_column(name, justify=justify)
    for key, (label, label_zh) in reconciliation.CATEGORIES.items():
        rows = exceptions.filter(pl.col("category") == key)
        at_stake = f"{rows['amount'].abs().sum():,}" if rows["amount"].is_not_null().any() else "-"
        summary.add_row(label_zh if zh else label, key, f"{rows.height:,}", at_stake)
    out.print(summary)
    agree = result.statements.filter(pl.col("difference") == 0).height
    tied = result.gl.filter(pl.col("difference") == 0).height
    periods_run = result.rollforward.filter(pl.col("customer_id").is_null()).height
    out.print(
        f"对账单 {result.statements.height} 份，{agree} 份一致；总账日期 {result.gl.height} 个，"
        f"{tied} 个一致；余额滚动 {periods_run} 个月。"
        if zh
        else f"Statements compared: {result.statements.height} ({agree} agree); GL dates: "
        f"{result.gl.height} ({tied} agree); roll-forward: {periods_run} months."
    )
    if exceptions.height == 0:
        out.print(
            "[green]没有差异。[/]" if zh else "[green]No exceptions: everything reconciles.[/]"
        )
        return
    listing = Table(show_lines=False)
    for name in ("category", "customer_id", "documents", "amount", "date", "explanation"):
        listing.add_column(name, overflow="fold", justify="right" if name == "amount" else "left")
    column = "explanation_zh" if zh else "explanation"
    for row in exceptions.head(show).iter_rows(named=True):
        # ids and names come from the files: shown as text, never read as rich markup
        listing.add_row(
            *[
                Text("" if row[c] is None else str(row[c]))
                for c in ("category", "customer_id", "documents", "amount", "date", column)
            ]
        )
    out.print(listing)
    if exceptions.height > show:
        out.print(
            f"… 另有 {exceptions.height - show:,} 条（用 --out FILE 全部写出）"
            if zh
            else f"… and {exceptions.height - show:,} more (use --out FILE to have them all)"
        )
    out.print(
        "同一事项可能属于多个类别（如预收款既是未核销收款也是贷方余额），各类金额不可相加。"
        if zh
        else "One event can fall in several categories (an advance is unapplied cash and a "
        "credit balance): amounts of different categories are not added up."
    )


# --- collections: worklist (issue 7) ---------------------------------------------------


@app.command()
def worklist(
    data: DataArg,
    as_of: Annotated[
        str, typer.Option(help="The day D of the worklist (YYYY-MM-DD).", show_default=False)
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write every action to .csv, .parquet or .json (default: print a summary).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[LangChoice, typer.Option(help="Language of the actions.")] = LangChoice.en,
    policy_file: PolicyOpt = None,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """Today's collection actions per owner: the dunning level each customer has reached,
    the action due and its deadline, interest, fees, last contact and open promises."""
    from reportgen.collections import worklist as collection_worklist
    from reportgen.collections import worklist_table
    from reportgen.ratings import latest_grades, rating_history

    day = _date(as_of, "--as-of")
    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        raise typer.BadParameter(f"must end in {', '.join(FORMATS)}", param_hint="--out")
    policy = _policy(policy_file)
    options = _options(preset, mapping, encoding, date_format)
    ds = _load(data, currency=currency, as_of=day, options=options)
    try:
        # the risk in the priority is the customer's rating over D's month so far
        month = periods.between(day.replace(day=1), day)
        history = rating_history(ds, [month], policy=policy)
        actions = collection_worklist(
            ds, as_of=day, policy=policy, grades=latest_grades(history)
        ).collect()
    except DataError as exc:
        raise _fail(str(exc)) from None
    table = worklist_table(actions, digits=ds.digits, lang=lang.value)
    if out_file is not None:
        _write(table, out_file)
        err.print(Text(f"{table.height:,} actions written to {out_file}"))
    else:
        _print_worklist(table, lang.value, ds.base_currency, policy)
    if ds.errors.height:
        err.print(
            Text.assemble(
                ("warning: ", "yellow"),
                f"{ds.errors.height:,} problems left rows out of this worklist; "
                f"run `reportgen check {data}` to see them.",
            )
        )


def _print_worklist(table: pl.DataFrame, lang: str, currency: str, policy: Policy) -> None:
    """Per owner, the actions still to do (late first), at most 15 each. In Chinese a
    rung's role reads as the policy names it (信用经理, 法务部); a collector's name stays."""
    from reportgen.collections import UNASSIGNED
    from reportgen.policy import COLLECTOR
    from reportgen.report.lang import WORDS  # the review site's words (the files keep codes)

    zh = lang == "zh"
    roles = {r.owner: r.owner_words(lang) for r in policy.ladder if r.owner != COLLECTOR}
    roles[UNASSIGNED] = WORDS["owner_unassigned"][1] if zh else UNASSIGNED
    todo = table.filter(pl.col("status") != "done")
    if todo.is_empty():
        out.print("没有待办的催收事项" if zh else "No collection actions due.")
        return
    heads = (
        ("客户", "动作", "状态", "截止日", f"逾期金额（{currency}）", "逾期天数")
        if zh
        else ("Customer", "Action", "Status", "Deadline", f"Overdue ({currency})", "Days")
    )
    for owner in todo["owner"].unique(maintain_order=True):
        rows = todo.filter(pl.col("owner") == owner)
        title = f"{roles.get(owner, owner)} — {rows.height}"
        grid = Table(title=Text(title), title_justify="left")
        for i, head in enumerate(heads):
            grid.add_column(head, justify="right" if i >= 4 else "left")
        for row in rows.head(15).iter_rows(named=True):
            grid.add_row(
                Text(f"{row['customer_id']} {row['name'] or ''}"),
                Text(row["action"]),
                Text(WORDS[f"status_{row['status']}"][1] if zh else row["status"]),
                Text(str(row["deadline"])),
                Text(f"{row['amount']:,}"),
                Text(str(row["max_days_overdue"])),
            )
        out.print(grid)
    out.print("… use --out FILE.csv for every action" if not zh else "… 用 --out FILE.csv 导出全部")


def _print_rows(frame: pl.DataFrame, columns: list[str], title: str, show: int = 20) -> None:
    grid = Table(title=Text(title), title_justify="left")
    for column in columns:
        grid.add_column(column)
    for row in frame.select(columns).head(show).iter_rows():
        grid.add_row(*[Text("" if v is None else str(v)) for v in row])
    out.print(grid)
    if frame.height > show:
        out.print(f"… {frame.height - show:,} more rows: use --out FILE.csv to have them all")


def _finish(table: pl.DataFrame, out_file: Path | None, columns: list[str], title: str) -> None:
    if out_file is not None:
        _write(table, out_file)
        err.print(Text(f"{table.height:,} rows written to {out_file}"))
    else:
        _print_rows(table, columns, title)


def _check_out(out_file: Path | None) -> None:
    if out_file is not None and out_file.suffix.lower() not in FORMATS:
        raise typer.BadParameter(f"must end in {', '.join(FORMATS)}", param_hint="--out")


OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Write every row to .csv, .parquet or .json (default: print the first rows).",
        show_default=False,
    ),
]
AsOfOpt = Annotated[str, typer.Option(help="The day D (YYYY-MM-DD).", show_default=False)]


class PromiseView(StrEnum):
    promises = "promises"
    customers = "customers"
    owners = "owners"
    plans = "plans"
    instalments = "instalments"


@app.command()
def promises(
    data: DataArg,
    as_of: AsOfOpt,
    out_file: OutOpt = None,
    view: Annotated[
        PromiseView,
        typer.Option(
            help="Each promise; kept rates per customer or owner; each instalment plan's "
            "adherence; or each plan instalment."
        ),
    ] = PromiseView.promises,
    policy_file: PolicyOpt = None,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """Promises to pay kept or broken, kept rates, instalment plans and their adherence;
    what has been broken twice in a row is flagged for escalation."""
    from reportgen import promises as promise_rules

    day = _date(as_of, "--as-of")
    _check_out(out_file)
    policy = _policy(policy_file)
    ds = _load(
        data, currency=currency, as_of=day, options=_options(preset, mapping, encoding, date_format)
    )
    try:
        if view in (PromiseView.plans, PromiseView.instalments):
            frame = promise_rules.plan_instalments(ds, as_of=day, policy=policy)
            if view is PromiseView.plans:
                frame = promise_rules.plan_adherence(frame, policy=policy)
        else:
            frame = promise_rules.promise_outcomes(ds, as_of=day, policy=policy)
            if view is not PromiseView.promises:
                by = "customer_id" if view is PromiseView.customers else "owner"
                frame = promise_rules.kept_rates(frame, by=by)
        table = for_output(
            frame.collect(), ["promised", "paid", "amount", "open_amount"], ds.digits
        )
    except DataError as exc:
        raise _fail(str(exc)) from None
    shown = {
        PromiseView.promises: ["customer_id", "date", "promised_date", "status", "escalate"],
        PromiseView.customers: ["customer_id", "promises_due", "promises_kept", "kept_rate"],
        PromiseView.owners: ["owner", "promises_due", "promises_kept", "kept_rate"],
        PromiseView.plans: [
            "invoice_id",
            "customer_id",
            "instalments_due",
            "adherence",
            "escalate",
        ],
        PromiseView.instalments: ["invoice_id", "instalment", "due_date", "status"],
    }[view]
    _finish(table, out_file, shown, f"{view.value} at {day}")


class ReasonView(StrEnum):
    reasons = "reasons"
    items = "items"
    recurring = "recurring"


@app.command()
def reasons(
    data: DataArg,
    as_of: AsOfOpt,
    out_file: OutOpt = None,
    view: Annotated[
        ReasonView,
        typer.Option(
            help="Overdue amount and count per reason and aging bucket; each overdue item with "
            "its reason; or the reasons that recur for a customer."
        ),
    ] = ReasonView.reasons,
    lookback_months: Annotated[
        int, typer.Option(min=1, help="Recurring: how many months back to look.")
    ] = 12,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """Why customers pay late (逾期原因): overdue amount by reason and aging bucket, and
    recurring reasons per customer."""
    from reportgen import reasons as reason_rules
    from reportgen.aging import bucket_labels

    day = _date(as_of, "--as-of")
    _check_out(out_file)
    ds = _load(
        data, currency=currency, as_of=day, options=_options(preset, mapping, encoding, date_format)
    )
    try:
        if view is ReasonView.recurring:
            frame = reason_rules.recurring_reasons(ds, as_of=day, lookback_months=lookback_months)
            shown = ["customer_id", "reason", "times", "first", "last"]
        else:
            frame = reason_rules.overdue_items_with_reasons(ds, as_of=day)
            shown = ["item_id", "customer_id", "days_overdue", "open_amount", "reason"]
            if view is ReasonView.reasons:
                frame = reason_rules.reasons_by_bucket(frame)
                shown = ["reason", "amount", "count", "share"]
            else:
                frame = frame.select(
                    "item_id", "customer_id", "instalment", "due_date", "days_overdue",
                    "bucket", "open_amount", "reason", "reason_source",
                )  # fmt: skip
        money_cols = ["amount", "open_amount", *bucket_labels()]
        table = for_output(frame.collect(), money_cols, ds.digits)
        if "bucket" in table.columns:
            table = table.with_columns(pl.col("bucket").cast(pl.String))
    except DataError as exc:
        raise _fail(str(exc)) from None
    _finish(table, out_file, shown, f"overdue reasons at {day}")


class RatingView(StrEnum):
    ratings = "ratings"
    warnings = "warnings"


@app.command()
def ratings(
    data: DataArg,
    period: Annotated[
        str | None,
        typer.Option(help="A month (2025-12), a quarter (2025-Q4) or a year.", show_default=False),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day of a series of periods.", show_default=False),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="Last day of the series.", show_default=False),
    ] = None,
    every: Annotated[
        EveryChoice | None,
        typer.Option(
            help="With --from/--to: rate at every month, quarter or year end.", show_default=False
        ),
    ] = None,
    out_file: OutOpt = None,
    view: Annotated[
        RatingView, typer.Option(help="Every customer's rating, or only the early warnings.")
    ] = RatingView.ratings,
    policy_file: PolicyOpt = None,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """Credit ratings A–E per customer from the policy's scorecard, re-rated every period,
    with early warnings: downgrades, utilization jumps, a first item over 60 days, payments
    slowing three periods in a row."""
    from reportgen.ratings import early_warnings, rating_history

    wanted = _periods(period, first, last, every or (EveryChoice.month if first else None))
    _check_out(out_file)
    policy = _policy(policy_file)
    ds = _load(data, currency=currency, options=_options(preset, mapping, encoding, date_format))
    try:
        history = rating_history(ds, wanted, policy=policy)
    except DataError as exc:
        raise _fail(str(exc)) from None
    if view is RatingView.warnings:
        table = for_output(early_warnings(history), [], ds.digits)
        shown = ["period", "customer_id", "warning", "grade", "previous_grade"]
    else:
        table = for_output(history, ["exposure", "credit_limit"], ds.digits)
        shown = ["period", "customer_id", "grade", "previous_grade", "score", "warnings"]
    _finish(table, out_file, shown, "credit ratings")


@app.command()
def letters(
    data: DataArg,
    as_of: AsOfOpt,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for the letters: Markdown, HTML (PDF with --pdf) and letters.csv.",
            show_default=False,
        ),
    ],
    lang: Annotated[
        LangChoice,
        typer.Option(help="Language for customers whose language is not given (or not en/zh)."),
    ] = LangChoice.en,
    include_done: Annotated[
        bool,
        typer.Option("--all", help="Also the letters of actions already done since the level."),
    ] = False,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also print every letter to PDF (A4), with the system's headless Chromium.",
        ),
    ] = False,
    policy_file: PolicyOpt = None,
    currency: CurrencyOpt = None,
    preset: PresetOpt = None,
    mapping: MappingOpt = None,
    encoding: EncodingOpt = None,
    date_format: DateFormatOpt = None,
) -> None:
    """One reminder or demand letter per customer and dunning level at D, in the customer's
    language: the overdue items, interest and fees, the payment requested and by when, and
    what follows if it is not paid."""
    from reportgen.browser import INSTALL_HINT, chromium
    from reportgen.letters import letter_contexts, write_letters

    day = _date(as_of, "--as-of")
    if out_dir.exists() and not out_dir.is_dir():
        raise typer.BadParameter(f"{out_dir} is a file, not a folder", param_hint="--out")
    if pdf and chromium() is None:  # before the work, not after it
        raise _fail(f"--pdf needs Chromium, which was not found: {INSTALL_HINT}")
    policy = _policy(policy_file)
    ds = _load(
        data, currency=currency, as_of=day, options=_options(preset, mapping, encoding, date_format)
    )
    try:
        drafted = letter_contexts(
            ds, as_of=day, policy=policy, lang=lang.value, include_done=include_done
        )
    except DataError as exc:
        raise _fail(str(exc)) from None
    try:
        with _progress() as progress:
            task = progress.add_task("Writing letters", total=len(drafted))
            index = write_letters(
                drafted, out_dir, pdf=pdf, progress=lambda n: progress.update(task, completed=n)
            )
    except OSError as exc:
        raise _fail(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # Chromium failed to start or to print
        raise _fail(f"cannot print the letters to PDF: {exc}") from None
    formats = "Markdown, HTML and PDF" if pdf else "Markdown and HTML"
    err.print(Text(f"{index.height:,} letters written to {out_dir} ({formats})"))


# --- sample -----------------------------------------------------------------------------


@app.command()
def sample(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder to write the sample company into.", show_default=False)
    ],
    invoices: Annotated[int, typer.Option(min=1, help="How many invoices.")] = 25_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 7,
) -> None:
    """Write a small, realistic sample company (canonical CSV tables) to try reportgen on."""
    from reportgen.sample import generate

    with _progress() as progress:
        progress.add_task(f"Generating {invoices:,} invoices", total=None)
        written = generate(out_dir, invoices=invoices, seed=seed)
    for name, rows in written.items():
        out.print(Text(f"{rows:>8,}  {out_dir / name}"))


# --- dashboard --------------------------------------------------------------------------


@app.command()
def dashboard(
    data: Annotated[
        Path | None,
        typer.Argument(
            help="A folder or export file to open (default: the sample company).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; localhost only unless you say otherwise.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
    users: Annotated[
        Path | None,
        typer.Option(
            help="A TOML file of users with hashed passwords (see dashboard/auth.py): sign-in "
            "is then required, and a user with owners sees only their customers.",
            show_default=False,
        ),
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option(min=1, help="Largest file the Data page accepts, in MB.")
    ] = 50,
    policy_file: PolicyOpt = None,
) -> None:
    """The managers' dashboard (Streamlit) in the browser: KPIs, aging, customers, credit,
    worklist and ratings (under --policy, else the default credit policy), reconciliation,
    and a page to read other data."""
    import subprocess

    # the checkout's dashboard/, or the copy an installed wheel carries (pyproject.toml)
    here = Path(__file__).resolve().parent
    script = here.parent / "dashboard" / "app.py"
    if not script.is_file():
        script = here / "_dashboard" / "app.py"
    if not script.is_file():
        raise _fail(f"the dashboard is not installed here ({script} is missing)")
    if data is not None and not data.exists():
        raise _fail(f"{data}: no such file or folder")
    if users is not None and not users.is_file():
        raise _fail(f"{users}: no such users file")
    _policy(policy_file)  # a bad policy file is said here, before Streamlit starts
    env = dict(os.environ, REPORTGEN_MAX_UPLOAD_MB=str(max_upload_mb))
    for name in ("REPORTGEN_DATA", "REPORTGEN_DASHBOARD_USERS", "REPORTGEN_POLICY"):
        env.pop(name, None)
    if data is not None:
        env["REPORTGEN_DATA"] = str(data.resolve())
    if users is not None:
        env["REPORTGEN_DASHBOARD_USERS"] = str(users.resolve())
    if policy_file is not None:
        env["REPORTGEN_POLICY"] = str(policy_file.resolve())
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", host,
        "--server.port", str(port),
        "--server.maxUploadSize", str(max_upload_mb),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
    ]  # fmt: skip
    err.print(Text(f"Dashboard on http://{host}:{port} (Ctrl+C to stop)"))
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:  # pragma: no cover - the user stopped it
        code = 0
    raise typer.Exit(code)


def main() -> None:
    """The console script and `python -m reportgen`: the command, then a quick exit.

    A run over millions of rows ends holding gigabytes of tables; freeing them frame by frame
    as the interpreter shuts down costs 0.1-0.2 s at 10M invoices (measured), on top of what
    the OS needs to take the memory back. Nothing is lost: every command has written and
    closed its files (they are opened in `with` blocks) before it returns, and the output
    streams are flushed here."""
    try:
        app(prog_name="reportgen")
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as `sys.exit("message")` does
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more can be said there
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
