"""Running the conformance suite on one backend in its own process, and reading back what it recorded.

A backend that crashes the interpreter (a segfault in a native kernel), outlives its time limit, or
runs out of memory ends its own process only: the run becomes a ``BackendRun`` with what is known,
which is every test that finished (the run records them as it goes, ``cnnspec.recording``), the test
that was running, and the backend call that was in flight (``cnnspec.conformance.inflight``).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from cnnspec import recording
from cnnspec.conformance import catalogue, inflight

Status = Literal["conformant", "nonconformant", "crashed", "timed out", "unavailable", "error"]

# What a status says about conformance: these fail a run.
FAILING: frozenset[str] = frozenset({"nonconformant", "crashed", "timed out", "error"})


@dataclass
class BackendRun:
    """One backend's run: its status, what its process recorded, and what was in flight when it died."""

    name: str
    status: Status
    detail: str = ""
    header: dict[str, Any] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    inflight: list[dict[str, Any]] = field(default_factory=list)
    output_tail: str = ""
    seconds: float = 0.0
    # What the backend said the run cost it (``statistics()``: a compiler's graphs compiled), by backend name.
    statistics: dict[str, dict[str, int]] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        """The number of tests by outcome."""
        return Counter(r["outcome"] for r in self.results)

    def summary(self) -> str:
        """The outcomes in one line, as pytest orders them."""
        counts = self.counts()
        order = ("crashed", "failed", "error", "passed", "skipped", "xfailed", "xpassed")
        return ", ".join(f"{counts[o]} {o}" for o in order if counts[o]) or "no tests ran"


Progress = Callable[[str, int, int, int], None]


def _read_events(path: Path) -> list[dict[str, Any]]:
    events = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                break  # the last line of a process killed mid-write
    return events


class _Counts:
    """Tests done and failed so far in a run's events file, read on from where the last read stopped."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0
        self.total = self.done = self.failed = 0

    def read(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            chunk = f.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits for the next read
        self.offset += len(complete)
        for line in complete.splitlines():
            event = json.loads(line)
            if event["event"] == "collected":
                self.total = event["count"]
            elif event["event"] == "result":
                self.done += 1
                self.failed += event["outcome"] in ("failed", "crashed", "error")


def _limit_memory(gigabytes: float) -> Callable[[], None]:
    def limit() -> None:
        size = int(gigabytes * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return limit


# How many times a run that crashed is resumed without the test it crashed in.
RESUMES = 5


def _identify(nodeid: str, backend: str) -> dict[str, Any]:
    """The test, dtype and clauses of a test that never reported (its process died in it)."""
    name = nodeid.split("::")[-1].split("[")[0]
    module = nodeid.split("::")[0].rsplit("/", 1)[-1]
    dtype = next((d for d in ("float16", "bfloat16", "float32", "float64") if f"-{d}]" in nodeid), None)
    return {
        "test": f"{module}::{name}",
        "backend": backend,
        "dtype": dtype,
        "clauses": catalogue.clauses_of(f"{module}::{name}"),
    }


def _reproducer(call: dict[str, Any]) -> str:
    """The reproducer of a call a process died in, or "" where the record cannot make one."""
    from cnnspec.conformance.checks import reproducer_of

    try:
        return reproducer_of(call)
    except Exception:  # a record from another version of cnnspec, say: the row still names the call
        return ""


def run_backend(
    name: str,
    *,
    profile: str,
    timeout: float,
    pytest_args: tuple[str, ...] = (),
    memory_limit: float | None = None,
    progress: Progress | None = None,
) -> BackendRun:
    """Run the conformance suite on backend ``name`` in a child process and read back its record.

    A process that dies in a test (a segfault, or the out-of-memory killer) is resumed with the tests
    that had not finished, up to ``RESUMES`` times, so that one crashing corner does not leave the rest
    untested and no test runs twice: each test has one outcome, and the counts add up to the tests. A
    run that outlives ``timeout`` seconds (all resumptions together) is killed and not resumed.
    """
    start = time.monotonic()
    run = BackendRun(name, "error")
    crashes: list[str] = []
    for _ in range(RESUMES + 1):
        # Every test that has an outcome (finished, or crashed in) stays out of the next attempt.
        deselected = [r["nodeid"] for r in run.results]
        extra = tuple(arg for nodeid in deselected for arg in ("--deselect", nodeid))
        returncode, timed_out, events, orphans, output = _attempt(
            name, profile, (*pytest_args, *extra), start + timeout, memory_limit, progress, len(run.results)
        )
        run.header = run.header or next((e for e in events if e["event"] == "header"), {})
        for event in events:
            if event["event"] == "statistics":  # a resumed attempt's counts add to the first's
                for backend, counts in event["backends"].items():
                    kept = run.statistics.setdefault(backend, {})
                    for what, n in counts.items():
                        kept[what] = kept.get(what, 0) + n
        results = [e for e in events if e["event"] == "result"]
        finished = {r["nodeid"] for r in results}
        unfinished = [e["nodeid"] for e in events if e["event"] == "start" and e["nodeid"] not in finished]
        calls = [
            {"test": call["test"], **recording.describe_call(call), "reproducer": _reproducer(call)} for call in orphans
        ]
        for result in results:
            if result["outcome"] == "crashed":  # a pytest-xdist worker died in it; xdist resumes by itself
                call = next((c for c in reversed(calls) if c["test"] == result["nodeid"]), None)
                result.update(
                    inflight=call,
                    reason="a pytest-xdist worker died in this test"
                    + (f", in the call {call['call']}" if call else ""),
                )
                crashes.append(f"{result['nodeid']} (a pytest-xdist worker)")
        run.results += results
        run.output_tail = _tail(output)
        if returncode >= 0 or timed_out or not unfinished:
            run.unfinished = unfinished
            run.inflight = calls
            break
        died = signal.Signals(-returncode).name
        for nodeid in unfinished:
            call = next((c for c in reversed(calls) if c["test"] == nodeid), None)
            run.results.append(
                {
                    "nodeid": nodeid,
                    "outcome": "crashed",
                    "inflight": call,
                    "reason": f"the process died with {died} in this test"
                    + (f", in the call {call['call']}" if call else "")
                    + f"\n{run.output_tail}",
                    **_identify(nodeid, name),
                }
            )
            crashes.append(f"{nodeid} ({died})")
    run.seconds = time.monotonic() - start
    for nodeid in run.unfinished:
        call = next((c for c in reversed(run.inflight) if c["test"] == nodeid), None)
        run.results.append(
            {
                "nodeid": nodeid,
                "outcome": "timed out" if timed_out else "crashed",
                "inflight": call,
                "reason": "killed at the time limit in this test" if timed_out else "died in this test",
                **_identify(nodeid, name),
            }
        )
    _judge(run, returncode, timed_out, timeout, crashes)
    return run


def _attempt(
    name: str,
    profile: str,
    pytest_args: tuple[str, ...],
    deadline: float,
    memory_limit: float | None,
    progress: Progress | None,
    done_before: int,
) -> tuple[int, bool, list[dict[str, Any]], list[dict[str, Any]], str]:
    """One child process: its exit status, whether it was killed at the deadline, its events, the
    calls it died in, and its output."""
    with tempfile.TemporaryDirectory(prefix="cnnspec-") as scratch:
        work = Path(scratch)
        (work / "inflight").mkdir()
        events_path, output_path = work / "events.jsonl", work / "output.txt"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "cnnspec.conformance",
            "--cnnspec-backend",
            name,
            "--cnnspec-profile",
            profile,
            "--cnnspec-results",
            str(events_path),
            "-p",
            "no:cacheprovider",
            "-q",
            "-rfEs",
            *pytest_args,
        ]
        env = {**os.environ, "PYTHONFAULTHANDLER": "1", inflight.ENVIRONMENT_VARIABLE: str(work / "inflight")}
        with open(output_path, "wb") as output:
            # A session of its own, so that a timeout kills pytest-xdist's workers with it.
            process = subprocess.Popen(
                command,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=work,
                start_new_session=True,
                preexec_fn=_limit_memory(memory_limit) if memory_limit else None,
            )
            timed_out = _wait(process, events_path, name, deadline, progress, done_before)
        return (
            process.returncode,
            timed_out,
            _read_events(events_path),
            inflight.orphans(work / "inflight"),
            output_path.read_text(errors="replace"),
        )


def _tail(output: str, lines: int = 25) -> str:
    """The end of a child's output; for a crash, faulthandler's dump from its first line, where the
    innermost frames are, without the list of extension modules."""
    text = output.splitlines()
    fatal = next((i for i, line in enumerate(text) if line.startswith("Fatal Python error")), None)
    if fatal is not None:
        text = [line for line in text[fatal:] if not line.startswith("Extension modules:")]
        return "\n".join(text[:lines])
    return "\n".join(text[-lines:])


def _wait(
    process: subprocess.Popen[bytes],
    events: Path,
    name: str,
    deadline: float,
    progress: Progress | None,
    done_before: int,
) -> bool:
    """Wait for the child, reporting progress; kill its whole session at the deadline. True if killed."""
    counts = _Counts(events)
    while True:
        try:
            process.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return True
        if progress is not None:
            counts.read()
            progress(name, done_before + counts.done, done_before + counts.total, counts.failed)
    try:
        # Leftover pytest-xdist workers of a controller that died.
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return False


def _judge(run: BackendRun, returncode: int, timed_out: bool, timeout: float, crashes: list[str]) -> None:
    where = ""
    if run.unfinished:
        where = f" while running {run.unfinished[-1]}"
        call = next((c for c in reversed(run.inflight) if c["test"] == run.unfinished[-1]), None)
        if call:
            where += f", in the call {call['call']}"
    backends = run.header.get("backends", [])
    died = ""
    if crashes:
        hint = " (SIGKILL: the out-of-memory killer?)" if any("SIGKILL" in c for c in crashes) else ""
        died = f"the process died in {'; '.join(crashes)}{hint}"
    if timed_out:
        run.status = "timed out"
        run.detail = (f"{died}; then " if died else "") + f"no result within the time limit of {timeout:g} s{where}"
        if where:
            run.detail += " (a hang?)"
    elif crashes:
        run.status = "crashed"
        run.detail = f"{died}; " + (
            f"resumed without it: {run.summary()}" if returncode >= 0 else f"gave up after {RESUMES} resumptions"
        )
    elif returncode < 0:
        run.status, run.detail = "crashed", f"the process died with {signal.Signals(-returncode).name} outside any test"
    elif backends and backends[0].get("unavailable"):
        run.status, run.detail = "unavailable", backends[0]["unavailable"]
    elif returncode == 0:
        run.status, run.detail = "conformant", run.summary()
    elif returncode == 1:
        run.status, run.detail = "nonconformant", run.summary()
    else:
        last = run.output_tail.strip().splitlines()[-1:] or ["no output"]
        run.status, run.detail = "error", f"pytest exited with {returncode}: {last[0]}"
