"""The cnnspec command: each backend in its own process, so a crash or a hang is a row, not the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Each runs the cnnspec command, and so a backend's suite, in processes of its own.
pytestmark = pytest.mark.slow


TESTS = Path(__file__).resolve().parent


@pytest.fixture
def cnnspec(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cnnspec.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={"PYTHONPATH": str(TESTS), "PATH": "/usr/bin:/bin"}, timeout=600)

    return run


def test_backends_lists_each_with_whether_it_runs_here(cnnspec):
    out = cnnspec("backends").stdout
    assert "reference                  runs here: reference (numpy" in out
    assert "torch-cuda" in out


def test_a_crash_and_a_hang_are_failed_rows_and_the_rest_still_runs(cnnspec):
    done = cnnspec("run", "--profile", "smoke", "--timeout", "20", "--backend", "odd_backends:Crashes",
                   "--backend", "odd_backends:Hangs", "--backend", "broken_backends:FlippedKernel",
                   "--backend", "reference", "--", "-k", "test_output_shape or test_exact_on_small_integers or test_long_sums_exact")
    assert done.returncode == 1, done.stdout
    out = done.stdout
    assert "odd_backends:Crashes       CRASHED: the process died in test_shapes.py::test_output_shape_and_dtype" in out
    assert "resumed without it: 3 crashed, 9 passed" in out
    assert "odd_backends:Hangs         FAILED: no result within the time limit of 20 s while running" in out
    assert "broken_backends:FlippedKernel NONCONFORMANT: 8 failed, 4 passed" in out
    assert "reference                  conformant: 12 passed" in out


def test_an_unknown_backend_is_an_error_row(cnnspec):
    done = cnnspec("run", "--profile", "smoke", "--backend", "nope")
    assert done.returncode == 2
    assert "nope                       ERROR: unknown backend 'nope'; installed: reference" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
