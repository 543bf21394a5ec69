"""How fast the conformance suite runs, per backend: wall time, examples run, examples per second.

    python benchmarks/bench_suite.py [--profile ci] [--backend reference --backend torch-cpu] [--cold] [--isolate]

Each backend runs the whole suite in a pytest process of its own, as ``cnnspec run`` does; the
examples are those the run recorded (``--cnnspec-results``: covering and random, passing or not,
discarded ones apart), the wall time includes collection and start-up. With ``--cold`` each backend
runs twice on a compile cache of its own, first empty (cold, as on a fresh machine) and then warm, so
that the difference shows what the compilations cost. With ``--isolate`` each backend runs twice more,
plain and with ``--cnnspec-isolate`` (every test in a forked process), so that the difference shows what
isolation costs. Ratios are against torch-cpu in the same run, where it ran.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(backend: str, profile: str, cache: str | None, *extra: str) -> tuple[int, int, int, float]:
    """One run: the examples run (of which covering), discarded, and the wall time in seconds."""
    with tempfile.TemporaryDirectory() as scratch:
        events = Path(scratch) / "events.jsonl"
        env = {**os.environ, **({"CNNSPEC_COMPILE_CACHE": cache} if cache else {})}
        start = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--pyargs",
                "cnnspec.conformance",
                "--cnnspec-backend",
                backend,
                "--cnnspec-profile",
                profile,
                "--cnnspec-results",
                str(events),
                "-p",
                "no:cacheprovider",
                "-q",
                *extra,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=scratch,
        )
        seconds = time.monotonic() - start
        coverage = [
            e.get("coverage") or {} for e in map(json.loads, events.read_text().splitlines()) if e["event"] == "result"
        ]
    ran = sum(c.get("ran", 0) + c.get("failed", 0) for c in coverage)
    return ran, sum(c.get("covering", 0) for c in coverage), sum(c.get("discarded", 0) for c in coverage), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--backend", action="append", default=[])
    parser.add_argument("--cold", action="store_true", help="run each backend cold, then warm")
    parser.add_argument("--isolate", action="store_true", help="run each backend plain, then with --cnnspec-isolate")
    args = parser.parse_args()
    rates = {}
    print(
        f"{'backend':24s} {'cache':6s} {'examples':>9s} {'covering':>9s} {'discarded':>9s} {'seconds':>8s} "
        f"{'examples/s':>10s}"
    )
    for backend in args.backend or ["reference", "torch-cpu"]:
        with tempfile.TemporaryDirectory() as cache:
            labels = ["cold", "warm"] if args.cold else ["plain", "forked"] if args.isolate else [""]
            for label in labels:
                extra = ("--cnnspec-isolate",) if label == "forked" else ()
                ran, covering, discarded, seconds = run(backend, args.profile, cache if args.cold else None, *extra)
                print(
                    f"{backend:24s} {label:6s} {ran:9d} {covering:9d} {discarded:9d} {seconds:8.1f} "
                    f"{ran / seconds:10.0f}",
                    flush=True,
                )
                rates[backend] = ran / seconds
    if "torch-cpu" in rates:
        for backend, rate in rates.items():
            print(f"{backend:24s} {rate / rates['torch-cpu']:.2f}x torch-cpu's examples per second")


if __name__ == "__main__":
    main()
