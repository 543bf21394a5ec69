"""The cnnspec command: each backend in its own process, so a crash or a hang is a row, not the end."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

# Each runs the cnnspec command, and so a backend's suite, in processes of its own.
pytestmark = pytest.mark.slow


TESTS = Path(__file__).resolve().parent


@pytest.fixture
def cnnspec(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "cnnspec.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PYTHONPATH": str(TESTS), "PATH": "/usr/bin:/bin"},
            timeout=600,
        )

    return run


def test_backends_lists_each_with_whether_it_runs_here(cnnspec):
    out = cnnspec("backends").stdout
    assert "reference                  runs here: reference (numpy" in out
    assert "torch-cuda" in out


def test_a_crash_and_a_hang_are_failed_rows_and_the_rest_still_runs(cnnspec):
    # Two runs, each with its own limit, which holds for all of a backend's resumptions together: Crashes
    # starts pytest four times (12 s alone, over 20 s beside CI's other worker), so its run has room to
    # spare, while the hang is judged after a short wait.
    select = ["--", "-k", "test_output_shape or test_exact_on_small_integers or test_long_sums_exact"]
    crashes = cnnspec(
        "run",
        "--profile",
        "smoke",
        "--timeout",
        "300",
        "--backend",
        "odd_backends:Crashes",
        "--backend",
        "broken_backends:FlippedKernel",
        *select,
    )
    hangs = cnnspec(
        "run",
        "--profile",
        "smoke",
        "--timeout",
        "20",
        "--backend",
        "odd_backends:Hangs",
        "--backend",
        "reference",
        *select,
    )
    assert crashes.returncode == 1 and hangs.returncode == 1, crashes.stdout + hangs.stdout
    out = crashes.stdout + hangs.stdout
    assert "odd_backends:Crashes       CRASHED: the process died in test_shapes.py::test_output_shape_and_dtype" in out
    assert "resumed without it: 3 crashed, 9 passed" in out
    assert "odd_backends:Hangs         FAILED: no result within the time limit of 20 s while running" in out
    assert "broken_backends:FlippedKernel NONCONFORMANT: 8 failed, 4 passed" in out
    assert "reference                  conformant: 12 passed" in out


def test_a_resumed_run_runs_each_test_once(cnnspec, tmp_path):
    # Each test crashes in float16, after float32 and float64 finished: every resumption must run only
    # what had not finished, so that each of the 8 tests has one outcome.
    done = cnnspec(
        "report",
        "--out",
        "out",
        "--profile",
        "smoke",
        "--backend",
        "odd_backends:CrashesOnFloat16",
        "--",
        "-k",
        "test_output_shape or test_exact_on_small_integers",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    backend = json.loads((tmp_path / "out" / "conformance.json").read_text())["backends"][0]
    nodeids = [t["nodeid"] for t in backend["tests"]]
    assert len(nodeids) == len(set(nodeids)) == 8, nodeids
    assert Counter(t["outcome"] for t in backend["tests"]) == {"passed": 6, "crashed": 2}
    assert "resumed without it: 2 crashed, 6 passed" in backend["detail"]
    crashed = next(t for t in backend["tests"] if t["outcome"] == "crashed")
    assert crashed["inflight"]["dtype"] == "float16"
    assert crashed["inflight"]["reproducer"].startswith("# Reproducer, through cnnspec's adapter")


def test_a_plain_pytest_run_keeps_the_call_in_flight(tmp_path):
    # No cnnspec run to isolate it: the process dies, and the folder given to --cnnspec-inflight says in
    # which call, with a reproducer that dies the same way.
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    folder = tmp_path / "inflight"
    died = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "cnnspec.conformance",
            "--cnnspec-backend",
            "odd_backends:Crashes",
            "--cnnspec-inflight",
            str(folder),
            "--cnnspec-dtype",
            "float32",
            "-k",
            "test_output_shape",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert died.returncode == -signal.SIGSEGV, died.stdout[-2000:]
    shown = subprocess.run(
        [sys.executable, "-m", "cnnspec.conformance.inflight", str(folder)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "test_shapes.py::test_output_shape_and_dtype[crashes-float32]" in shown.stdout
    assert "died in crashes.conv2d(x: (" in shown.stdout and " float32, w: " in shown.stdout
    reproducer = shown.stdout[shown.stdout.index("# Reproducer") :].split("\n\n")[0]
    again = subprocess.run(
        [sys.executable, "-c", reproducer], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert again.returncode == -signal.SIGSEGV, again.stderr


def test_isolation_turns_a_crash_into_a_failed_test_naming_its_call(tmp_path):
    # --cnnspec-isolate: each test in a forked process; the crashing ones fail, naming the call, the rest pass.
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "cnnspec.conformance",
            "--cnnspec-backend",
            "odd_backends:Crashes",
            "--cnnspec-isolate",
            "--cnnspec-dtype",
            "float32",
            "--cnnspec-dtype",
            "float64",
            "-k",
            "test_output_shape or test_exact_on_small_integers",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:]
    assert "2 failed, 2 passed" in done.stdout, done.stdout[-3000:]
    # Each crashed test's report names its call (the short summary may repeat it, as the terminal's width allows).
    for test in ("test_output_shape_and_dtype[crashes-float32]", "test_exact_on_small_integers[crashes-float32]"):
        section = done.stdout.split(f"_ {test} _", 1)[1].split("\n_", 1)[0]
        assert "the test's process died of SIGSEGV, in the backend call crashes.conv2d(x: (" in section, section[:500]
    assert "y = load('odd_backends:Crashes').conv2d(x, w, b," in done.stdout


def test_an_unknown_backend_is_an_error_row(cnnspec):
    done = cnnspec("run", "--profile", "smoke", "--backend", "nope")
    assert done.returncode == 2
    assert "nope                       ERROR: unknown backend 'nope'; installed: reference" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_what_a_run_cost_the_backend_reaches_its_description(cnnspec, tmp_path):
    # statistics() is asked when the run ends (a compiler's graphs compiled); the report says it.
    cnnspec("report", "--backend", "odd_backends:Counting", "--out", "out", "--", "-k", "test_lenet5_c3_layer")
    (backend,) = json.loads((tmp_path / "out" / "conformance.json").read_text())["backends"]
    calls = re.search(r"; this run: (\d+) conv2d calls$", backend["description"])
    assert calls and int(calls.group(1)) > 0, backend["description"]


def test_loading_a_backend_in_the_parent_leaves_the_environment_as_it_was(monkeypatch):
    # cnnspec run loads each backend to order them; a framework that sets OMP_NUM_THREADS as it loads
    # (Paddle) must not run every other backend's process with one thread.
    from cnnspec import cli

    monkeypatch.syspath_prepend(str(TESTS))
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cli._compiles("odd_backends:SetsThreads")
    assert "OMP_NUM_THREADS" not in os.environ
