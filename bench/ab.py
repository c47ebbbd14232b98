"""Compare variants of one command, run in turns: environment settings or code trees.

    uv run python bench/ab.py --repeat 5 \\
        --variant "before=_RJEM_MALLOC_CONF=dirty_decay_ms:30000,muzzy_decay_ms:30000" \\
        --variant "now=" \\
        -- .venv/bin/python -m reportgen aging bench/data/10000000 --as-of 2025-12-31 \\
           --out /tmp/aging.parquet

Each round runs every variant once (A, B, C, A, B, C, ...), so that a machine that slows down
during the runs weighs on all of them alike. A variant is `NAME=SETTINGS`, the settings being
`KEY=VALUE` pairs separated by `;` (empty: the environment as it is). To compare two code
trees, set `PYTHONPATH` and run from a directory other than the project's: `python -m` puts
the current directory first on `sys.path`.

Per run, measured by `run.measure` (the benchmark's own): wall time, CPU time (user + system),
system time, minor page faults and peak RSS of exactly that child; then the median of each per
variant, the peak the largest. The command runs from the current directory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from run import Measurement, measure  # bench/run.py: one measured child, its own rusage


def _variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, settings = text.partition("=")
    env = {}
    for pair in filter(None, settings.split(";")):
        key, sep, value = pair.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"{pair!r} is not KEY=VALUE")
        env[key] = value
    return name, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--variant", type=_variant, action="append", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or len(args.variant) < 2:
        parser.error("give at least two --variant and a command after --")

    runs: dict[str, list[Measurement]] = {name: [] for name, _ in args.variant}
    for round_ in range(1, args.repeat + 1):
        for name, settings in args.variant:
            run = measure(command, env=settings, cwd=Path.cwd())
            if not run.ok:
                sys.exit(f"{name}: the command failed (exit {run.returncode})\n{run.stderr_tail}")
            runs[name].append(run)
            print(
                f"round {round_} {name}: {run.wall_s:.2f} s wall, {run.cpu_s:.2f} s CPU "
                f"({run.system_s:.2f} s system), {run.minor_faults / 1e6:.2f}M faults, "
                f"peak {run.peak_rss_mb:,.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    print(f"{'variant':<16} {'wall':>7} {'CPU':>7} {'system':>7} {'faults':>8} {'peak MB':>9}")
    for name, done in runs.items():
        wall, cpu, system, faults = (
            statistics.median(getattr(r, field) for r in done)
            for field in ("wall_s", "cpu_s", "system_s", "minor_faults")
        )
        peak = max(r.peak_rss_mb for r in done)
        print(f"{name:<16} {wall:7.2f} {cpu:7.2f} {system:7.2f} {faults / 1e6:7.2f}M {peak:9,.0f}")


if __name__ == "__main__":
    main()
