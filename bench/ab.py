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

Per run: wall time, CPU time (user + system), system time, minor page faults and peak RSS of
exactly that child (`os.wait4`); then the median of each per variant, the peak the largest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


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

    runs: dict[str, list[tuple[float, float, float, int, int]]] = {n: [] for n, _ in args.variant}
    for round_ in range(1, args.repeat + 1):
        for name, settings in args.variant:
            start = time.perf_counter()
            child = subprocess.Popen(
                command,
                env={**os.environ, **settings},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"{name}: the command failed (exit {os.waitstatus_to_exitcode(status)})")
            cpu = usage.ru_utime + usage.ru_stime
            runs[name].append((wall, cpu, usage.ru_stime, usage.ru_minflt, usage.ru_maxrss))
            print(
                f"round {round_} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU "
                f"({usage.ru_stime:.2f} s system), {usage.ru_minflt / 1e6:.2f}M faults, "
                f"peak {usage.ru_maxrss / 1024:,.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    print(f"{'variant':<16} {'wall':>7} {'CPU':>7} {'system':>7} {'faults':>8} {'peak MB':>9}")
    for name, results in runs.items():
        wall, cpu, system, faults = (statistics.median(r[i] for r in results) for i in range(4))
        peak = max(r[4] for r in results) / 1024
        print(f"{name:<16} {wall:7.2f} {cpu:7.2f} {system:7.2f} {faults / 1e6:7.2f}M {peak:9,.0f}")


if __name__ == "__main__":
    main()
