"""Benchmark `reportgen aging` against a bare `polars.read_csv` of the same data folder.

Usage: uv run python bench/run.py [--sizes 1000000,10000000] [--steps bare,aging,capped]
                                  [--cap-mb 2048] [--repeat 3]

For each size, generates bench/data/N/ once (bench/generate.py), then times each step in a
fresh subprocess: wall time, and the child's own peak RSS from os.wait4 (rusage of exactly that
child). The capped step reruns aging on the largest size, CSV and Parquet, inside a memory cap
(cgroup v2, else cgroup v1, else RLIMIT_AS), with default settings and then `--chunks 8`.
Results are printed as a table and written to bench/results/bench-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
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
PEAK_TARGET_MB = 6 * 1024
PEAK_TARGET_ROWS = 10_000_000
TABLES = ("customers", "invoices", "payments", "credit_notes")

BARE_READ = (
    "import pathlib, sys, polars as pl; "
    "frames = [pl.read_csv(p) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.csv'))]"
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
    stderr_tail: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def measure(command: list[str], prefix: list[str] | None = None) -> Measurement:
    """Run command (behind an optional wrapper prefix) and measure exactly that child.

    os.wait4 returns the rusage of the waited-for child only, so its ru_maxrss (KiB on Linux)
    is the child's own peak, unlike RUSAGE_CHILDREN which keeps the maximum over all children.
    The wrapper prefixes used here exec the command in place, so it is the same process.
    """
    started = time.perf_counter()
    with subprocess.Popen(
        [*(prefix or []), *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO
    ) as child:
        assert child.stderr is not None
        stderr = child.stderr.read()  # drained while it runs, so the pipe never blocks it
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    tail = stderr.decode(errors="replace").strip().splitlines()[-5:]
    return Measurement(
        command, round(wall, 2), round(usage.ru_maxrss / 1024, 1), child.returncode, "\n".join(tail)
    )


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


def folder_gb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.iterdir()) / 1e9, 3)


def aging_command(folder: Path, n: int, *extra: str) -> list[str]:
    out = f"/tmp/aging_{n}.parquet"
    return [
        sys.executable,
        "-m",
        "reportgen",
        "aging",
        str(folder),
        "--as-of",
        AS_OF,
        "--out",
        out,
        *extra,
    ]


def cli_available() -> bool:
    return (REPO / "reportgen" / "__main__.py").exists() and (
        REPO / "reportgen" / "cli.py"
    ).exists()


def repeated(label: str, command: list[str], repeat: int) -> Measurement:
    """Median wall time and maximum peak over `repeat` runs (stops at the first failure)."""
    runs: list[Measurement] = []
    for i in range(repeat):
        log(f"{label} (run {i + 1}/{repeat})")
        runs.append(measure(command))
        log(
            f"{label}: {runs[-1].wall_s:.2f}s, peak {runs[-1].peak_rss_mb:,.0f} MB, "
            f"rc {runs[-1].returncode}"
        )
        if not runs[-1].ok:
            return runs[-1]
    best = runs[0]
    best.wall_s = round(statistics.median(r.wall_s for r in runs), 2)
    best.peak_rss_mb = max(r.peak_rss_mb for r in runs)
    best.extra["wall_s_runs"] = [r.wall_s for r in runs]
    return best


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
    root, limit_file = (
        (CGROUP_V2, "memory.max")
        if mechanism == "cgroup2"
        else (CGROUP_V1, "memory.limit_in_bytes")
    )
    group = root / f"reportgen-bench-{os.getpid()}"
    group.mkdir()
    try:
        (group / limit_file).write_text(limit)
        if mechanism == "cgroup2" and (group / "memory.swap.max").exists():
            (group / "memory.swap.max").write_text("0")
        files = (
            {"peak": group / "memory.peak", "events": group / "memory.events"}
            if mechanism == "cgroup2"
            else {
                "peak": group / "memory.max_usage_in_bytes",
                "events": group / "memory.oom_control",
            }
        )
        yield ["sh", "-c", JOIN_CGROUP, str(group)], files
    finally:
        group.rmdir()


def oom_kills(events: Path) -> int:
    for line in events.read_text().splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill":
            return int(value)
    return 0


def capped_run(command: list[str], limit_mb: int, mechanism: str) -> Measurement:
    """Measure command under the cap; record the cgroup's own peak and OOM kills if any."""
    with memory_cap(limit_mb, mechanism) as (prefix, files):
        result = measure(command, prefix)
        if files:
            result.extra["cgroup_peak_mb"] = round(int(files["peak"].read_text()) / 2**20, 1)
            result.extra["oom_kills"] = oom_kills(files["events"])
    result.extra.update(cap_mb=limit_mb, mechanism=mechanism)
    return result


def outcome(m: Measurement) -> str:
    if m.ok:
        return "ok"
    if m.returncode == -9 or m.extra.get("oom_kills"):
        return "killed (OOM)"
    return f"failed (rc {m.returncode})"


# --- steps ---------------------------------------------------------------------------------


def bench_size(n: int, steps: set[str], repeat: int) -> dict[str, object]:
    folder = ensure_data(n)
    row: dict[str, object] = {"rows": n, "data_gb": folder_gb(folder)}
    if "bare" in steps:
        bare = repeated(
            f"{n:,}: bare read_csv", [sys.executable, "-c", BARE_READ, str(folder)], repeat
        )
        row["bare"] = asdict(bare)
    if "aging" in steps and cli_available():
        aging = repeated(f"{n:,}: reportgen aging", aging_command(folder, n), repeat)
        row["aging"] = asdict(aging)
    elif "aging" in steps:
        log(f"{n:,}: aging skipped, reportgen/cli.py does not exist yet")
    return row


def bench_capped(n: int, limit_mb: int) -> list[dict[str, object]]:
    """Aging of n invoices (CSV, Parquet) under the cap: default settings, then --chunks 8."""
    mechanism = cap_mechanism()
    runs: list[dict[str, object]] = []
    for fmt in ("csv", "parquet"):
        folder = ensure_data(n, fmt)
        for extra in ([], ["--chunks", "8"]):
            label = f"{n:,} {fmt}: aging capped at {limit_mb} MB ({mechanism}) {' '.join(extra)}"
            log(label)
            m = capped_run(aging_command(folder, n, *extra), limit_mb, mechanism)
            log(f"{label}: {outcome(m)}, {m.wall_s:.2f}s, peak {m.peak_rss_mb:,.0f} MB")
            runs.append(
                {
                    "rows": n,
                    "format": fmt,
                    "options": " ".join(extra) or "default",
                    "outcome": outcome(m),
                    **asdict(m),
                }
            )
            if m.ok:
                break
    return runs


# --- report --------------------------------------------------------------------------------


def print_table(rows: list[dict[str, object]], capped: list[dict[str, object]]) -> None:
    header = (
        f"{'rows':>12} {'GB':>6} {'bare s':>8} {'aging s':>8} {'ratio':>6} "
        f"{'bare MB':>8} {'aging MB':>9}  targets"
    )
    print(header)
    for row in rows:
        bare, aging = row.get("bare"), row.get("aging")
        cells = [f"{row['rows']:>12,}", f"{row['data_gb']:>6.3f}"]
        cells.append(f"{bare['wall_s']:>8.2f}" if bare else f"{'-':>8}")
        cells.append(
            f"{aging['wall_s']:>8.2f}"
            if aging and aging["returncode"] == 0
            else f"{'fail' if aging else '-':>8}"
        )
        ratio = row.get("ratio")
        cells.append(f"{ratio:>6.2f}" if ratio is not None else f"{'-':>6}")
        cells.append(f"{bare['peak_rss_mb']:>8,.0f}" if bare else f"{'-':>8}")
        cells.append(f"{aging['peak_rss_mb']:>9,.0f}" if aging else f"{'-':>9}")
        print(" ".join(cells) + "  " + targets(row))
    for run in capped:
        extra = run["extra"]
        print(
            f"capped {run['rows']:,} {run['format']:<7} {run['options']:<11} "
            f"cap {extra['cap_mb']} MB ({extra['mechanism']}): {run['outcome']}, "
            f"{run['wall_s']:.1f}s, peak RSS {run['peak_rss_mb']:,.0f} MB"
            + (
                f", cgroup peak {extra['cgroup_peak_mb']:,.0f} MB"
                if "cgroup_peak_mb" in extra
                else ""
            )
        )


def targets(row: dict[str, object]) -> str:
    notes = []
    ratio = row.get("ratio")
    if ratio is not None:
        notes.append(
            f"ratio {ratio:.2f} {'<=' if ratio <= RATIO_TARGET else '>'} "
            f"{RATIO_TARGET} {'PASS' if ratio <= RATIO_TARGET else 'FAIL'}"
        )
    aging = row.get("aging")
    if aging and row["rows"] >= PEAK_TARGET_ROWS:
        ok = aging["peak_rss_mb"] < PEAK_TARGET_MB
        notes.append(
            f"peak {aging['peak_rss_mb']:,.0f} MB {'<' if ok else '>='} 6 GB "
            f"{'PASS' if ok else 'FAIL'}"
        )
    return "; ".join(notes)


def environment() -> dict[str, object]:
    import polars

    return {
        "python": platform.python_version(),
        "polars": polars.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--steps", default="bare,aging,capped")
    parser.add_argument("--cap-mb", type=int, default=2048, help="memory cap of the capped step")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (median time)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    steps = set(args.steps.split(","))

    rows = []
    for n in sizes:
        row = bench_size(n, steps, args.repeat)
        bare, aging = row.get("bare"), row.get("aging")
        if bare and aging and aging["returncode"] == 0:
            row["ratio"] = round(aging["wall_s"] / bare["wall_s"], 2)
        rows.append(row)
    capped = []
    if "capped" in steps and cli_available():
        capped = bench_capped(max(sizes), args.cap_mb)
    elif "capped" in steps:
        log("capped step skipped, reportgen/cli.py does not exist yet")

    print_table(rows, capped)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "environment": environment(),
                "as_of": AS_OF,
                "targets": {"ratio_max": RATIO_TARGET, "aging_peak_mb_max_at_10M": PEAK_TARGET_MB},
                "sizes": rows,
                "capped": capped,
            },
            indent=2,
        )
    )
    log(f"results written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
