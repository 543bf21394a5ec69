"""The ``cnnspec`` command.

    cnnspec backends                     what is installed, and whether each can run here and why not
    cnnspec run [--backend NAME ...]     the conformance suite on each backend, each in its own process
    cnnspec report [--backend NAME ...] [--out DIR] [--merge A.json ...]
                                         the same, and the report written to DIR (default reports/)

With no ``--backend``, every built-in backend; one that cannot run here is listed with its reason.
A backend that crashes the interpreter (a segfault in a native kernel), outlives ``--timeout`` or
runs out of memory is a failed row with what is known, and the others still run. ``report`` runs the
derandomized ``ci`` profile unless told, so that the same code gives the same report. Arguments after
``--`` go to pytest.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import time
from pathlib import Path

from cnnspec import compile_cache, report, runner
from cnnspec.backends import (
    BUILTIN,
    UnknownBackend,
    default_backends,
    describe,
    installed,
    load,
    max_examples,
    scheduled,
    unavailable,
)
from cnnspec.conformance.profiles import PROFILES
from cnnspec.pytest_plugin import DTYPE_NAMES


def _backends(argv: list[str]) -> int:
    print(f"{'backend':26} status")
    for name in installed():
        try:
            backend = load(name)
        except (UnknownBackend, ImportError) as e:
            print(f"{name:26} cannot load: {e}")
            continue
        reason = unavailable(backend)
        later = f" (not in a plain run: {scheduled(name)})" if scheduled(name) else ""
        print(f"{name:26} {'unavailable: ' + reason if reason else 'runs here: ' + describe(backend) + later}")
    return 0


def _progress() -> runner.Progress:
    last = [time.monotonic()]
    tty = sys.stdout.isatty()

    def show(name: str, done: int, total: int, failed: int) -> None:
        now = time.monotonic()
        if not tty and now - last[0] < 30:
            return
        last[0] = now
        line = f"    {name}: {done}{f'/{total}' if total else ''} tests done" + (f", {failed} failed" if failed else "")
        print(f"\r{line:70}" if tty else line, end="" if tty else "\n", flush=True)

    return show


def _run_one(
    name: str, args: argparse.Namespace, pytest_args: list[str], progress: runner.Progress | None
) -> tuple[runner.BackendRun, list[str], int]:
    """One backend's run in its own process: the run, the lines that say how it went, and its exit status."""
    try:
        reason = unavailable(load(name))
    except (UnknownBackend, ImportError) as e:
        return runner.BackendRun(name, "error", detail=str(e)), [f"{name:26} ERROR: {e}"], 2
    if reason:
        return runner.BackendRun(name, "unavailable", detail=reason), [f"{name:26} not run: {reason}"], 0
    run = runner.run_backend(
        name,
        profile=args.profile,
        timeout=args.timeout,
        pytest_args=tuple(pytest_args),
        memory_limit=args.memory_limit,
        progress=progress,
    )
    label = {
        "conformant": "conformant",
        "nonconformant": "NONCONFORMANT",
        "crashed": "CRASHED",
        "timed out": "FAILED",
        "error": "ERROR",
        "unavailable": "not run",
    }[run.status]
    lines = [f"{name:26} {label}: {run.detail} ({run.seconds:.0f} s)"]
    if run.status != "conformant" and (args.verbose or run.status != "nonconformant"):
        lines += ["    " + line for line in run.output_tail.splitlines()]
    if run.status == "nonconformant" or args.verbose:
        for result in run.results:
            if result["outcome"] in ("failed", "error", "crashed"):
                message = ((result.get("failure") or {}).get("message") or result.get("reason", "")).strip()
                lines.append(
                    f"    {result['outcome'].upper()} {result['nodeid']}: {message.splitlines()[0] if message else ''}"
                )
    return run, lines, 1 if run.status in runner.FAILING else 0


def _run_backends(args: argparse.Namespace) -> tuple[list[runner.BackendRun], int]:
    """Run each named backend in its own process, ``args.jobs`` at a time, printing its rows as it ends;
    the runs, in the order named, and the worst exit status."""
    names = args.backend or default_backends()
    # The built-ins a plain run leaves out still have their row, which says why and how they are run.
    left_out = [] if args.backend else [name for name in BUILTIN if scheduled(name)]
    pytest_args = [
        *(["-n", args.numprocesses] if args.numprocesses else []),
        *(arg for dtype in args.dtype for arg in ("--cnnspec-dtype", dtype)),
        *args.pytest,
    ]
    if args.no_compile_cache:
        os.environ[compile_cache.VARIABLE] = "off"  # the backends' processes inherit it
    jobs = max(1, min(args.jobs, len(names)))
    if jobs > 1:
        # Several frameworks share the cores: OpenMP threads that spin while they wait (libgomp's default)
        # starve the other processes; waiting passively changes no result, only who gets the cores.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    print(f"cnnspec: profile {args.profile}; {len(names)} backends, each in its own process, {jobs} at a time")
    # One backend at a time on a terminal shows its progress on one line; several print as they end.
    progress = _progress() if jobs == 1 else None
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        # The backends that compile each new shape take longest: they start first, so that the others
        # fill the remaining lanes around them.
        # Keyed in the order named, for the results; submitted in the order above.
        submitted = {
            n: pool.submit(_run_one, n, args, pytest_args, progress)
            for n in sorted(names, key=lambda n: not _compiles(n))
        }
        futures = {name: submitted[name] for name in names}
        for future in concurrent.futures.as_completed(futures.values()):
            _, lines, _ = future.result()
            if progress is not None and sys.stdout.isatty():
                print("\r" + " " * 70 + "\r", end="")
            print("\n".join(lines), flush=True)
    results = [future.result() for future in futures.values()]
    runs = [run for run, _, _ in results]
    runs += [runner.BackendRun(name, "unavailable", f"not run by this job: {scheduled(name)}") for name in left_out]
    return runs, max((status for _, _, status in results), default=0)


def _compiles(name: str) -> bool:
    """Whether backend ``name`` declares that each new shape costs it a compilation (``max_examples``).

    Loading an adapter imports its framework here, in the parent, and some frameworks change the environment
    as they load (Paddle sets OMP_NUM_THREADS=1): the environment is put back, so that every backend's own
    process starts from the user's, not from what another framework left in it."""
    saved = dict(os.environ)
    try:
        return max_examples(load(name)) is not None
    except (UnknownBackend, ImportError):
        return False
    finally:
        if dict(os.environ) != saved:
            os.environ.clear()
            os.environ.update(saved)


def _run(args: argparse.Namespace) -> int:
    return _run_backends(args)[1]


def _report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"cnnspec report: --out {out}: is a file, not a folder to write the report into", file=sys.stderr)
        return 2
    inputs = []
    for path in args.merge:
        try:
            inputs.append(report.load(Path(path)))
        except (OSError, ValueError, KeyError) as e:
            print(f"cnnspec report: cannot read {path}: {e}", file=sys.stderr)
            return 2
    worst = 0
    if args.backend or not args.merge:
        runs, worst = _run_backends(args)
        inputs.append(report.build(runs))
    try:
        merged, warnings = report.merge(inputs)
    except ValueError as e:
        print(f"cnnspec report: {e}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"cnnspec report: warning: {warning}")
    written = report.write(merged, Path(args.out))
    print(
        f"cnnspec report: wrote {', '.join(str(p) for p in written if p.parent == Path(args.out))}"
        f" and {sum(p.parent != Path(args.out) for p in written)} example files"
    )
    return max(worst, report.verdict(merged))


def _default_jobs() -> int:
    """One backend at a time per core this process may use."""
    return len(os.sched_getaffinity(0))


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be a whole number of at least 1")
    return number


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
    made = sub.add_parser("report", help="run the suite on each backend and write the conformance report")
    for command, profile in ((run, "ci" if os.environ.get("CI") else "default"), (made, "ci")):
        command.add_argument(
            "--backend",
            action="append",
            default=[],
            metavar="NAME",
            help="a built-in or registered name, or module:attribute (repeatable; default: every built-in)",
        )
        command.add_argument(
            "--profile", choices=sorted(PROFILES), default=profile, help=f"Hypothesis profile (default: {profile})"
        )
        command.add_argument(
            "--dtype",
            action="append",
            default=[],
            choices=DTYPE_NAMES,
            metavar="DTYPE",
            help=f"a dtype to test (repeatable; default: all of {', '.join(DTYPE_NAMES)}): "
            "leave out one that crashes a framework",
        )
        command.add_argument(
            "--timeout",
            type=float,
            default=1800,
            help="seconds a backend's run may take before it is killed as a hang (default 1800)",
        )
        command.add_argument(
            "--memory-limit",
            type=float,
            default=None,
            metavar="GIB",
            help="address-space limit of each backend's process, in GiB (default: none)",
        )
        command.add_argument(
            "-n",
            "--numprocesses",
            default=None,
            metavar="N",
            help="pytest-xdist workers within each backend's run (e.g. 2 or auto)",
        )
        command.add_argument(
            "-j",
            "--jobs",
            type=_positive,
            default=_default_jobs(),
            metavar="N",
            help=f"backends run at once, each in its own process (default: {_default_jobs()}, this machine's cores)",
        )
        command.add_argument(
            "--no-compile-cache",
            action="store_true",
            help="compile afresh: no persistent JAX or tinygrad cache (cnnspec.compile_cache)",
        )
        command.add_argument("-v", "--verbose", action="store_true", help="show the end of every backend's output")
    made.add_argument(
        "--out", default="reports", metavar="DIR", help="folder to write the report to (default: reports)"
    )
    made.add_argument(
        "--merge",
        nargs="+",
        default=[],
        metavar="JSON",
        help="conformance.json files to merge (with the runs of any --backend given)",
    )
    args = parser.parse_args(argv)
    args.pytest = pytest_args
    if args.command == "backends":
        return _backends(argv)
    return _run(args) if args.command == "run" else _report(args)


if __name__ == "__main__":
    sys.exit(main())
