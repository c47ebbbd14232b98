"""Benchmark `reportgen aging` against a bare `polars.read_csv` of the same data folder.

Usage: uv run python bench/run.py [--sizes 1000000,10000000] [--steps bare,aging,capped,ingest,kpis]
                                  [--cap-mb 2048] [--safety-mb 16384] [--timeout 1800]
                                  [--repeat 3]

For each size, generates bench/data/N/ once (bench/generate.py), then times each step in a
fresh subprocess: wall time, and the child's own peak RSS from os.wait4 (rusage of exactly that
child). The capped step reruns aging on the largest size, CSV and Parquet, inside a hard memory
cap (cgroup v2, else cgroup v1, else RLIMIT_AS), with default settings and then `--chunks 8`.
The ingest step times `reportgen check --preset kingdee` of the same invoices written as a messy
Kingdee 应收单 export (bench/data/N-messy/, bench/generate_messy.py: GB18030, a title block,
thousands separators, a 合计 row) against a bare read_csv of the clean invoices and customers.
Every other run sits under a generous safety cap and a timeout, so a runaway child cannot take
the machine down. Results are printed as a table and written to
bench/results/bench-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
AS_OF = "2025-12-31"
RATIO_TARGET = 3.0
INGEST_RATIO_TARGET = 2.0
MESSY_FILE = "应收单列表.csv"  # bench/generate_messy.py
PEAK_TARGET_MB = 6 * 1024
PEAK_TARGET_ROWS = 10_000_000
TABLES = ("customers", "invoices", "payments", "credit_notes")
LONG_RUN_S = 60.0  # a run this long is not repeated: one sample is precise enough

BARE_READ = (
    "import pathlib, sys, polars as pl; "
    "frames = [pl.read_csv(p) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.csv'))]"
)
# The floor of the ingest step: the clean equivalent of the messy export, invoices + customers.
BARE_READ_CLEAN = (
    "import pathlib, sys, polars as pl; folder = pathlib.Path(sys.argv[1]); "
    "frames = [pl.read_csv(folder / f'{t}.csv') for t in ('invoices', 'customers')]"
)

_started = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, with the time since the benchmark started."""
    print(f"[bench {time.perf_counter() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass
class Measurement:
    """One subprocess run: wall time, the child's peak RSS, and how it ended."""

    command: list[str]
    wall_s: float
    peak_rss_mb: float
    returncode: int
    cpu_s: float = 0.0  # user + system CPU time: robust when other work shares the cores
    system_s: float = 0.0  # of which in the kernel (page faults, mostly, at this scale)
    minor_faults: int = 0
    timed_out: bool = False
    stderr_tail: str = ""
    stdout_head: str = ""  # the first lines: what `reportgen check` read, loaded and rejected
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def outcome(self) -> str:
        if self.ok:
            return "ok"
        if self.timed_out:
            return "timeout"
        if self.returncode == -9 or self.extra.get("oom_kills"):
            return "killed (OOM)"
        return f"failed (rc {self.returncode})"


def measure(
    command: list[str],
    prefix: list[str] | None = None,
    timeout_s: float | None = None,
    *,
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> Measurement:
    """Run command (behind an optional wrapper prefix) and measure exactly that child; `env`
    is added to this process's environment.

    os.wait4 returns the rusage of the waited-for child only, so its ru_maxrss (KiB on Linux)
    is the child's own peak, unlike RUSAGE_CHILDREN which keeps the maximum over all children.
    The wrapper prefixes used here exec the command in place, so it is the same process.
    """
    started = time.perf_counter()
    timed_out = False
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [*(prefix or []), *command],
            stdout=out,
            stderr=err,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if timeout_s and not timed_out and time.perf_counter() - started > timeout_s:
                child.kill()
                timed_out = True
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-5:]
        out.seek(0)
        head = out.read(64 * 1024).decode(errors="replace").splitlines()[:40]
    wall = round(time.perf_counter() - started, 2)
    peak = round(usage.ru_maxrss / 1024, 1)
    cpu = round(usage.ru_utime + usage.ru_stime, 2)
    return Measurement(
        command,
        wall,
        peak,
        child.returncode,
        cpu,
        round(usage.ru_stime, 2),
        usage.ru_minflt,
        timed_out,
        "\n".join(tail),
        "\n".join(head),
    )


# --- memory caps -------------------------------------------------------------------------

CGROUP_V2 = Path("/sys/fs/cgroup")
CGROUP_V1 = Path("/sys/fs/cgroup/memory")
# Runs `sh -c SCRIPT CGROUP_DIR cmd...`: the shell joins the cgroup, then execs the command.
JOIN_CGROUP = 'echo $$ > "$0/cgroup.procs" && exec "$@"'


def cap_mechanism() -> str:
    """The first memory cap that this machine offers us: cgroup2, cgroup1 or rlimit-as."""
    controllers = CGROUP_V2 / "cgroup.controllers"
    if (
        controllers.exists()
        and "memory" in controllers.read_text().split()
        and os.access(CGROUP_V2, os.W_OK)
    ):
        return "cgroup2"
    if (CGROUP_V1 / "memory.limit_in_bytes").exists() and os.access(CGROUP_V1, os.W_OK):
        return "cgroup1"
    return "rlimit-as"


@contextmanager
def memory_cap(limit_mb: int, mechanism: str) -> Iterator[tuple[list[str], dict[str, Path]]]:
    """A wrapper prefix that runs a command under a hard memory cap, and the cgroup files
    that report its peak and OOM kills afterwards. The cgroup is ours alone and removed after.
    """
    limit = str(limit_mb * 1024 * 1024)
    if mechanism == "rlimit-as":
        yield ["prlimit", f"--as={limit}", "--"], {}
        return
    v2 = mechanism == "cgroup2"
    group = (CGROUP_V2 if v2 else CGROUP_V1) / f"reportgen-bench-{os.getpid()}"
    group.mkdir()
    try:
        (group / ("memory.max" if v2 else "memory.limit_in_bytes")).write_text(limit)
        if v2 and (group / "memory.swap.max").exists():
            (group / "memory.swap.max").write_text("0")
        files = {
            "peak": group / ("memory.peak" if v2 else "memory.max_usage_in_bytes"),
            "events": group / ("memory.events" if v2 else "memory.oom_control"),
        }
        yield ["sh", "-c", JOIN_CGROUP, str(group)], files
    finally:
        group.rmdir()


def oom_kills(events: Path) -> int:
    for line in events.read_text().splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill":
            return int(value)
    return 0


@dataclass
class Runner:
    """Runs measured children: each under a memory cap (the step's own, else the safety cap)
    and a timeout, repeated for a median when short."""

    mechanism: str
    safety_mb: int
    timeout_s: float
    repeat: int

    def run(self, command: list[str], cap_mb: int | None = None) -> Measurement:
        code = code_version()
        if cap_mb is None and self.mechanism == "rlimit-as":  # RLIMIT_AS would break Polars
            result = measure(command, timeout_s=self.timeout_s)
            result.extra.update(cap_mb=None, mechanism="none", reportgen_code=code)
            return result
        cap = cap_mb or self.safety_mb
        with memory_cap(cap, self.mechanism) as (prefix, files):
            result = measure(command, prefix, self.timeout_s)
            if files:
                result.extra["cgroup_peak_mb"] = round(int(files["peak"].read_text()) / 2**20, 1)
                result.extra["oom_kills"] = oom_kills(files["events"])
        result.extra.update(cap_mb=cap, mechanism=self.mechanism, reportgen_code=code)
        return result

    def repeated(
        self, label: str, command: list[str], ok_codes: tuple[int, ...] = (0,)
    ) -> Measurement:
        """Median wall time and largest peak over the runs; stops at a failure (an exit code
        not in ok_codes) or a long run."""
        return self.paired([(label, command, ok_codes)])[0]

    def paired(self, steps: list[tuple[str, list[str], tuple[int, ...]]]) -> list[Measurement]:
        """Each step `repeat` times, the steps taking turns (A B A B ...), so that a machine
        that slows down or speeds up during the runs weighs on every step alike, and a ratio
        of two steps compares runs made side by side. Per step: its first failed run (an exit
        code not in its ok_codes), else the `summary` of its runs. Stops after the round in
        which a step failed or took long."""
        runs: list[list[Measurement]] = [[] for _ in steps]
        for i in range(self.repeat):
            stop = False
            for (label, command, ok_codes), done in zip(steps, runs, strict=True):
                log(f"{label} (run {i + 1}/{self.repeat})")
                last = self.run(command)
                done.append(last)
                log(
                    f"{label}: {last.outcome}, {last.wall_s:.2f}s wall, {last.cpu_s:.2f}s CPU, "
                    f"peak {last.peak_rss_mb:,.0f} MB"
                )
                stop |= last.returncode not in ok_codes or last.wall_s > LONG_RUN_S
            if stop:
                break
        results = []
        for (label, _, ok_codes), done in zip(steps, runs, strict=True):
            failures = [r for r in done if r.returncode not in ok_codes]
            results.append(failures[0] if failures else summary(label, done))
        return results


def summary(label: str, runs: list[Measurement]) -> Measurement:
    """The first run, holding the median wall and CPU times and the largest peak of all."""
    if len({r.extra["reportgen_code"] for r in runs}) > 1:
        log(f"{label}: WARNING reportgen/*.py changed between runs; the median mixes versions")
    walls = [r.wall_s for r in runs]  # before runs[0] becomes the summary
    result = runs[0]
    result.wall_s = round(statistics.median(walls), 2)
    result.cpu_s = round(statistics.median(r.cpu_s for r in runs), 2)
    result.peak_rss_mb = max(r.peak_rss_mb for r in runs)
    result.extra["wall_s_runs"] = walls
    return result


def pair_ratios(base: Measurement, other: Measurement) -> list[float]:
    """other / base, run by run (the runs were made in turns, see `Runner.paired`)."""
    # (a failed run carries no wall_s_runs: then there is no pair)
    pairs = zip(base.extra.get("wall_s_runs", []), other.extra.get("wall_s_runs", []), strict=False)
    return [round(b / a, 2) for a, b in pairs if a > 0]


# --- data and commands ---------------------------------------------------------------------


def ensure_data(n: int, fmt: str = "csv") -> Path:
    """bench/data/N (or N-parquet), generated once; a half-written folder is never reused."""
    target = DATA / (str(n) if fmt == "csv" else f"{n}-{fmt}")
    if all((target / f"{t}.{fmt}").exists() for t in TABLES):
        return target
    log(f"{n:,}: generating {fmt} data into {target.relative_to(REPO)}")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(n), str(partial), "--format", fmt],
        check=True,
    )
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def ensure_messy(n: int) -> Path:
    """bench/data/N-messy/应收单列表.csv, written once from bench/data/N."""
    clean = ensure_data(n)
    target = DATA / f"{n}-messy"
    if (target / MESSY_FILE).exists():
        return target
    log(f"{n:,}: writing the Kingdee export into {target.relative_to(REPO)}")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [sys.executable, str(BENCH / "generate_messy.py"), str(clean), str(partial)], check=True
    )
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def folder_gb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.iterdir()) / 1e9, 3)


def aging_output(n: int, label: str = "") -> Path:
    return Path(f"/tmp/aging_{n}{label}.parquet")


def aging_command(folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "reportgen", "aging", str(folder),
        "--as-of", AS_OF, "--out", str(out), *extra,
    ]  # fmt: skip


SAME_REPORT = (
    "import sys, polars as pl; "
    "a, b = (pl.read_parquet(p).sort('customer_id') for p in sys.argv[1:]); "
    "sys.exit(0 if a.equals(b) else 1)"
)


def same_report(a: Path, b: Path) -> bool | None:
    """Whether two aging outputs hold the same rows (None when one is missing)."""
    if not (a.exists() and b.exists()):
        return None
    return subprocess.run([sys.executable, "-c", SAME_REPORT, str(a), str(b)]).returncode == 0


def code_version() -> str:
    """A short hash of reportgen's code and presets, recorded with every run: the core and the
    ingest layer may change under us."""
    digest = hashlib.sha1()
    package = REPO / "reportgen"
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):
        digest.update(str(path.relative_to(package)).encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def cli_available() -> bool:
    package = REPO / "reportgen"
    return (package / "__main__.py").exists() and (package / "cli.py").exists()


def check_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "reportgen", "check", str(folder), "--preset", "kingdee"]


def check_counts(stdout: str) -> dict[str, int] | None:
    """The messy file's row of `reportgen check`'s files table: rows read, loaded, skipped,
    rejected (None when the table is not there)."""
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("│|").split("│")]
        if len(cells) == 6 and cells[0] == MESSY_FILE:
            numbers = [int(c.replace(",", "")) for c in cells[2:]]
            return dict(zip(("read", "loaded", "skipped", "rejected"), numbers, strict=True))
    return None


def ingest_verdict(n: int, m: Measurement, counts: dict[str, int] | None) -> str:
    """ "ok" when check loaded all n invoices and skipped only the 合计 row; else what is wrong.
    Exit 1 is accepted as a finished run only when the table shows rejected rows (a bug)."""
    if m.timed_out or m.returncode not in (0, 1):
        return m.outcome
    if counts is None:
        return f"{m.outcome}, no files table in the output"
    if m.returncode == 1 and not counts["rejected"]:
        return f"{m.outcome} without rejected rows"
    expected = {"read": n + 1, "loaded": n, "skipped": 1, "rejected": 0}
    wrong = [f"{k} {counts[k]:,} (expected {v:,})" for k, v in expected.items() if counts[k] != v]
    return "ok" if not wrong else "BUG: " + ", ".join(wrong)


def bench_ingest(runner: Runner, n: int) -> dict[str, object]:
    """check of the messy Kingdee export against a bare read_csv of the clean invoices and
    customers (the same data, canonical)."""
    clean, messy = ensure_data(n), ensure_messy(n)
    bare_read = [sys.executable, "-c", BARE_READ_CLEAN, str(clean)]
    bare, check = runner.paired(
        [
            (f"{n:,}: bare read_csv of clean invoices + customers", bare_read, (0,)),
            (f"{n:,}: reportgen check --preset kingdee", check_command(messy), (0, 1)),
        ]
    )
    counts = check_counts(check.stdout_head)
    verdict = ingest_verdict(n, check, counts)
    log(f"{n:,}: check counts {counts}: {verdict}")
    clean_bytes = sum((clean / f"{t}.csv").stat().st_size for t in ("invoices", "customers"))
    result: dict[str, object] = {
        "clean_gb": round(clean_bytes / 1e9, 3),
        "messy_gb": folder_gb(messy),
        "bare": asdict(bare),
        "check": {**asdict(check), "outcome": check.outcome},
        "counts": counts,
        "verdict": verdict,
    }
    loaded = check.ok or (check.returncode == 1 and counts and counts["rejected"] > 0)
    if bare.ok and counts is not None and loaded:
        result["ratio"] = round(check.wall_s / bare.wall_s, 2)
        result["cpu_ratio"] = round(check.cpu_s / bare.cpu_s, 2)
        result["pair_ratios"] = pair_ratios(bare, check)
        log(f"{n:,}: check / bare, run by run: {result['pair_ratios']}")
    return result


def bench_kpis(runner: Runner, n: int) -> dict[str, object]:
    """`reportgen kpis` for one month against 24 months at once (issue 4: the series must reuse
    the loaded tables and the allocation work, not cost 24 times one). Both include loading."""
    folder = ensure_data(n)
    out = RESULTS.parent / "data" / f"kpis_{n}.json"
    one = runner.repeated(
        f"{n:,}: reportgen kpis --period 2025-12",
        [
            sys.executable,
            "-m",
            "reportgen",
            "kpis",
            str(folder),
            "--period",
            "2025-12",
            "--out",
            str(out),
        ],
    )
    series = runner.repeated(
        f"{n:,}: reportgen kpis, 24 months",
        [sys.executable, "-m", "reportgen", "kpis", str(folder), "--from", "2024-01-01",
         "--to", "2025-12-31", "--every", "month", "--out", str(out)],
    )  # fmt: skip
    result: dict[str, object] = {"one": asdict(one), "series_24": asdict(series)}
    if one.ok and series.ok:
        result["ratio"] = round(series.wall_s / one.wall_s, 2)
    return result


# --- steps ---------------------------------------------------------------------------------


def bench_size(runner: Runner, n: int, steps: set[str]) -> dict[str, object]:
    folder = ensure_data(n)
    row: dict[str, object] = {"rows": n, "data_gb": folder_gb(folder)}
    timed: dict[str, tuple[str, list[str], tuple[int, ...]]] = {}  # run in turns (paired)
    if "bare" in steps:
        bare_read = [sys.executable, "-c", BARE_READ, str(folder)]
        timed["bare"] = (f"{n:,}: bare read_csv", bare_read, (0,))
    if "aging" in steps and cli_available():
        aging_output(n).unlink(missing_ok=True)
        command = aging_command(folder, aging_output(n))
        timed["aging"] = (f"{n:,}: reportgen aging", command, (0,))
    elif "aging" in steps:
        log(f"{n:,}: aging skipped, reportgen/cli.py does not exist yet")
    measured = dict(zip(timed, runner.paired(list(timed.values())), strict=True))
    if "bare" in measured:
        row["bare"] = asdict(measured["bare"])
    if "aging" in measured:
        row["aging"] = {**asdict(measured["aging"]), "outcome": measured["aging"].outcome}
    if "ingest" in steps and cli_available():
        row["ingest"] = bench_ingest(runner, n)
    elif "ingest" in steps:
        log(f"{n:,}: ingest skipped, reportgen/cli.py does not exist yet")
    if "kpis" in steps and cli_available():
        row["kpis"] = bench_kpis(runner, n)
    bare, aging = row.get("bare"), row.get("aging")
    if bare and aging and aging["returncode"] == 0:
        row["ratio"] = round(aging["wall_s"] / bare["wall_s"], 2)
        row["cpu_ratio"] = round(aging["cpu_s"] / bare["cpu_s"], 2)
        row["pair_ratios"] = pair_ratios(measured["bare"], measured["aging"])
        log(f"{n:,}: aging / bare, run by run: {row['pair_ratios']}")
    return row


def bench_capped(runner: Runner, n: int, cap_mb: int) -> list[dict[str, object]]:
    """Aging of n invoices (CSV, Parquet) under the cap: default settings, then --chunks 8."""
    runs: list[dict[str, object]] = []
    for fmt in ("csv", "parquet"):
        folder = ensure_data(n, fmt)
        for extra in ([], ["--chunks", "8"]):
            options = " ".join(extra) or "default"
            label = f"{n:,} {fmt}: aging capped at {cap_mb} MB ({runner.mechanism}), {options}"
            log(label)
            out = aging_output(n, f"_capped_{fmt}_{len(extra)}")
            out.unlink(missing_ok=True)
            m = runner.run(aging_command(folder, out, *extra), cap_mb)
            same = same_report(out, aging_output(n)) if m.ok else None
            log(
                f"{label}: {m.outcome}, {m.wall_s:.2f}s, peak {m.peak_rss_mb:,.0f} MB"
                + ("" if same is None else f", same report as uncapped: {same}")
            )
            runs.append(
                {"rows": n, "format": fmt, "options": options, "outcome": m.outcome,
                 "same_as_uncapped": same, **asdict(m)}
            )  # fmt: skip
            if m.ok:
                break
    return runs


# --- report --------------------------------------------------------------------------------


def cell(value: float | None, width: int, fmt: str = ".2f", missing: str = "-") -> str:
    return f"{value:>{width}{fmt}}" if value is not None else f"{missing:>{width}}"


def print_table(rows: list[dict[str, object]], capped: list[dict[str, object]]) -> None:
    aging_rows = [row for row in rows if "bare" in row or "aging" in row]
    if aging_rows:
        print(
            f"{'rows':>12} {'GB':>6} {'bare s':>8} {'aging s':>8} {'ratio':>6} {'CPU ratio':>9} "
            f"{'bare MB':>8} {'aging MB':>9}  targets"
        )
    for row in aging_rows:
        bare, aging = row.get("bare") or {}, row.get("aging") or {}
        aging_ok = aging.get("returncode") == 0
        cells = [
            f"{row['rows']:>12,}",
            cell(row["data_gb"], 6, ".3f"),
            cell(bare.get("wall_s"), 8),
            cell(aging.get("wall_s") if aging_ok else None, 8,
                 missing=aging.get("outcome", "-")),
            cell(row.get("ratio"), 6),
            cell(row.get("cpu_ratio"), 9),
            cell(bare.get("peak_rss_mb"), 8, ",.0f"),
            cell(aging.get("peak_rss_mb"), 9, ",.0f"),
        ]  # fmt: skip
        print(" ".join(cells) + "  " + targets(row))
    print_ingest([row for row in rows if "ingest" in row])
    print_kpis([row for row in rows if "kpis" in row])
    for run in capped:
        extra = run["extra"]
        cgroup_peak = extra.get("cgroup_peak_mb")
        print(
            f"capped {run['rows']:,} {run['format']:<7} {run['options']:<11} "
            f"cap {extra['cap_mb']} MB ({extra['mechanism']}): {run['outcome']}, "
            f"{run['wall_s']:.1f}s, peak RSS {run['peak_rss_mb']:,.0f} MB"
            + (f", cgroup peak {cgroup_peak:,.0f} MB" if cgroup_peak is not None else "")
            + (
                f", same report as uncapped: {run['same_as_uncapped']}"
                if run["same_as_uncapped"] is not None
                else ""
            )
        )


def print_ingest(rows: list[dict[str, object]]) -> None:
    """The ingest step: check of the messy Kingdee export vs bare read_csv of the clean data."""
    if not rows:
        return
    print(
        "ingest: `reportgen check --preset kingdee` of N-messy/应收单列表.csv (GB18030) vs bare "
        "read_csv of N/invoices.csv + customers.csv"
    )
    print(
        f"{'rows':>12} {'clean GB':>8} {'messy GB':>8} {'bare s':>8} {'ingest s':>8} "
        f"{'ratio':>6} {'CPU ratio':>9} {'bare MB':>8} {'ingest MB':>9}  counts; target"
    )
    for row in rows:
        ingest = row["ingest"]
        bare, check = ingest["bare"], ingest["check"]
        ratio = ingest.get("ratio")
        target = "-"
        if ratio is not None:
            ok = ratio <= INGEST_RATIO_TARGET
            target = f"ratio {'<=' if ok else '>'} {INGEST_RATIO_TARGET} {'PASS' if ok else 'FAIL'}"
        cells = [
            f"{row['rows']:>12,}",
            cell(ingest["clean_gb"], 8, ".3f"),
            cell(ingest["messy_gb"], 8, ".3f"),
            cell(bare["wall_s"] if bare["returncode"] == 0 else None, 8),
            cell(check["wall_s"] if "ratio" in ingest else None, 8, missing=check["outcome"]),
            cell(ratio, 6),
            cell(ingest.get("cpu_ratio"), 9),
            cell(bare["peak_rss_mb"], 8, ",.0f"),
            cell(check["peak_rss_mb"], 9, ",.0f"),
        ]  # fmt: skip
        print(" ".join(cells) + f"  {ingest['verdict']}; {target}")


def print_kpis(rows: list[dict[str, object]]) -> None:
    """The kpis step: one month against a 24-month series, whole commands."""
    if not rows:
        return
    print("kpis: `reportgen kpis --period 2025-12` vs `--from 2024-01-01 --to 2025-12-31 "
          "--every month` (loading included)")  # fmt: skip
    print(f"{'rows':>12} {'1 month s':>9} {'24 months s':>11} {'ratio':>6} {'24m MB':>8}")
    for row in rows:
        k = row["kpis"]
        one, series = k["one"], k["series_24"]
        cells = [
            f"{row['rows']:>12,}",
            cell(one["wall_s"] if one["returncode"] == 0 else None, 9),
            cell(series["wall_s"] if series["returncode"] == 0 else None, 11),
            cell(k.get("ratio"), 6),
            cell(series["peak_rss_mb"], 8, ",.0f"),
        ]
        print(" ".join(cells))


def targets(row: dict[str, object]) -> str:
    notes = []
    ratio = row.get("ratio")
    if ratio is not None:
        ok = ratio <= RATIO_TARGET
        notes.append(f"ratio {'<=' if ok else '>'} {RATIO_TARGET} {'PASS' if ok else 'FAIL'}")
    aging = row.get("aging")
    if aging and row["rows"] >= PEAK_TARGET_ROWS:
        ok = aging["returncode"] == 0 and aging["peak_rss_mb"] < PEAK_TARGET_MB
        notes.append(f"aging peak < 6 GB {'PASS' if ok else 'FAIL'}")
    return "; ".join(notes)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def environment() -> dict[str, object]:
    import polars

    return {
        "python": platform.python_version(),
        "polars": polars.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "git_head": git("rev-parse", "--short", "HEAD"),
        "reportgen_uncommitted": git("status", "--porcelain", "reportgen").splitlines(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="invoice counts, commas")
    parser.add_argument(
        "--steps",
        default="bare,aging,capped,ingest,kpis",
        help="any of bare,aging,capped,ingest,kpis",
    )
    parser.add_argument("--cap-mb", type=int, default=2048, help="memory cap of the capped step")
    parser.add_argument("--safety-mb", type=int, default=16384, help="cap of every other run")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (median time)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    steps = set(args.steps.split(","))
    runner = Runner(cap_mechanism(), args.safety_mb, args.timeout, args.repeat)
    load_before = os.getloadavg()
    log(f"memory caps via {runner.mechanism}; safety cap {args.safety_mb} MB")
    if load_before[0] > 0.5:
        log(f"load average {load_before[0]:.1f}: other work shares the cores, times will be noisy")

    rows = [bench_size(runner, n, steps) for n in sizes]
    capped = []
    if "capped" in steps and cli_available():
        capped = bench_capped(runner, max(sizes), args.cap_mb)
    elif "capped" in steps:
        log("capped step skipped, reportgen/cli.py does not exist yet")

    print_table(rows, capped)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    report = {
        "environment": environment(),
        "loadavg_before_after": [load_before[0], os.getloadavg()[0]],
        "as_of": AS_OF,
        "targets": {
            "ratio_max": RATIO_TARGET,
            "aging_peak_mb_max_at_10M": PEAK_TARGET_MB,
            "ingest_ratio_max": INGEST_RATIO_TARGET,
        },
        "sizes": rows,
        "capped": capped,
    }
    out.write_text(json.dumps(report, indent=2))
    log(f"results written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
