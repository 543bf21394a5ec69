"""The ``cnnspec`` command.

    cnnspec backends                  what is installed, and whether each can run here and why not
    cnnspec run [--backend NAME ...]  the conformance suite on each backend, each in its own process

``run`` with no ``--backend`` runs every built-in backend; one that cannot run here is listed with
its reason. A backend that crashes the interpreter (a segfault in a native kernel) or outlives
``--timeout`` is a failed row with what is known, and the others still run. Arguments after ``--``
go to pytest.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from cnnspec.backends import BUILTIN, UnknownBackend, describe, installed, load, unavailable
from cnnspec.conformance.profiles import PROFILES


def _backends(argv: list[str]) -> int:
    print(f"{'backend':26} status")
    for name in installed():
        try:
            backend = load(name)
        except (UnknownBackend, ImportError) as e:
            print(f"{name:26} cannot load: {e}")
            continue
        reason = unavailable(backend)
        print(f"{name:26} {'unavailable: ' + reason if reason else 'runs here: ' + describe(backend)}")
    return 0


def _summary(output: str) -> str:
    for line in reversed(output.strip().splitlines()):
        if " in " in line and any(word in line for word in ("passed", "failed", "skipped", "error")):
            return line.strip("= ")
    return output.strip().splitlines()[-1] if output.strip() else "no output"


def _run(args: argparse.Namespace) -> int:
    names = args.backend or list(BUILTIN)
    worst = 0
    print(f"cnnspec run: profile {args.profile}; {len(names)} backends, each in its own process")
    for name in names:
        try:
            reason = unavailable(load(name))
        except (UnknownBackend, ImportError) as e:
            print(f"{name:26} ERROR: {e}")
            worst = max(worst, 2)
            continue
        if reason:
            print(f"{name:26} not run: {reason}")
            continue
        command = [sys.executable, "-m", "pytest", "--pyargs", "cnnspec.conformance", "--backend", name,
                   "--cnnspec-profile", args.profile, "-p", "no:cacheprovider", "-q", "-rfEs", *args.pytest]
        start = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout,
                                  env={**os.environ, "PYTHONFAULTHANDLER": "1"})
        except subprocess.TimeoutExpired:
            print(f"{name:26} FAILED: no result within --timeout {args.timeout} s (a hang?)")
            worst = 1
            continue
        seconds = time.monotonic() - start
        if done.returncode < 0:
            status = f"CRASHED with {signal.Signals(-done.returncode).name}"
            tail = (done.stdout + done.stderr).strip().splitlines()[-12:]
            print(f"{name:26} {status} after {seconds:.0f} s; last output:\n    " + "\n    ".join(tail))
            worst = 1
            continue
        verdict = {0: "conformant", 1: "NONCONFORMANT"}.get(done.returncode, f"ERROR (pytest exit {done.returncode})")
        print(f"{name:26} {verdict}: {_summary(done.stdout)} ({seconds:.0f} s)")
        if args.verbose or done.returncode != 0:
            print("\n".join("    " + line for line in (done.stdout + done.stderr).strip().splitlines()[-40:]))
        worst = max(worst, 0 if done.returncode == 0 else 1)
    return worst


__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cnnspec`` command."""
    argv = sys.argv[1:] if argv is None else argv
    pytest_args: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, pytest_args = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(prog="cnnspec", description="The conv2d conformance suite.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backends", help="list the installed backends and whether each can run here")
    run = sub.add_parser("run", help="run the conformance suite on each backend in its own process")
    run.add_argument("--backend", action="append", default=[], metavar="NAME",
                     help="a built-in or registered name, or module:attribute (repeatable; default: every built-in)")
    run.add_argument("--profile", choices=sorted(PROFILES), default="ci" if os.environ.get("CI") else "default",
                     help="Hypothesis profile (default: ci where CI is set, else default)")
    run.add_argument("--timeout", type=float, default=1800, help="seconds a backend's run may take (default 1800)")
    run.add_argument("-v", "--verbose", action="store_true", help="show the end of every backend's pytest output")
    args = parser.parse_args(argv)
    args.pytest = pytest_args
    if args.command == "backends":
        return _backends(argv)
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
