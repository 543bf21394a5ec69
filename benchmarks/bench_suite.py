"""How many examples a second the conformance suite runs, per backend, in one run.

    python benchmarks/bench_suite.py [--profile default] [--backend reference --backend torch-cpu]

Counts the examples Hypothesis ran (passing and discarded, from --hypothesis-show-statistics) and
the wall time of each backend's whole run, including collection and start-up.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time


def run(backend: str, profile: str) -> tuple[int, int, float, str]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "cnnspec.conformance", "--backend", backend,
         "--cnnspec-profile", profile, "-p", "no:cacheprovider", "-q", "--hypothesis-show-statistics"],
        capture_output=True, text=True,
    )
    seconds = time.monotonic() - start
    passing = sum(int(n) for n in re.findall(r"(\d+) passing, \d+ failing", done.stdout))
    invalid = sum(int(n) for n in re.findall(r"(\d+) invalid test cases", done.stdout))
    summary = done.stdout.strip().splitlines()[-1].strip("= ")
    return passing, invalid, seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--backend", action="append", default=[])
    args = parser.parse_args()
    results = {b: run(b, args.profile) for b in (args.backend or ["reference", "torch-cpu"])}
    for backend, (passing, invalid, seconds, summary) in results.items():
        print(f"{backend:26s} {passing:6d} examples (+{invalid} discarded) in {seconds:6.1f} s = "
              f"{passing / seconds:6.0f} examples/s   [{summary}]")
    if "reference" in results:
        base = results["reference"][0] / results["reference"][2]
        for backend, (passing, _, seconds, _) in results.items():
            print(f"{backend:26s} {passing / seconds / base:.2f}x the reference backend's rate")


if __name__ == "__main__":
    main()
