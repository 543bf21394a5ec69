"""The cnnspec command: each backend in its own process, so a crash or a hang is a row, not the end."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BACKENDS = """
    import os
    import signal
    import time

    from cnnspec import reference

    class Crashes:
        name = "crashes"

        def conv2d(self, x, w, b, /, **params):
            os.kill(os.getpid(), signal.SIGSEGV)

    class Hangs:
        name = "hangs"

        def conv2d(self, x, w, b, /, **params):
            time.sleep(3600)

    class Lies:
        name = "lies"

        def conv2d(self, x, w, b, /, **params):
            return reference.conv2d(x, w, b, **params) + 1
"""


@pytest.fixture
def cnnspec(tmp_path):
    (tmp_path / "odd.py").write_text(textwrap.dedent(BACKENDS))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cnnspec.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=600)

    return run


def test_backends_lists_each_with_whether_it_runs_here(cnnspec):
    out = cnnspec("backends").stdout
    assert "reference                  runs here: reference (numpy" in out
    assert "torch-cuda" in out


def test_a_crash_and_a_hang_are_failed_rows_and_the_rest_still_runs(cnnspec):
    done = cnnspec("run", "--profile", "smoke", "--timeout", "20", "--backend", "odd:Crashes", "--backend", "odd:Hangs",
                   "--backend", "odd:Lies", "--backend", "reference", "--", "-k", "test_output_shape or exact")
    assert done.returncode == 1, done.stdout
    assert "odd:Crashes                CRASHED with SIGSEGV" in done.stdout
    assert "odd:Hangs                  FAILED: no result within --timeout 20.0 s (a hang?)" in done.stdout
    assert "odd:Lies                   NONCONFORMANT: 2 failed, 2 passed" in done.stdout
    assert "reference                  conformant: 4 passed" in done.stdout


def test_an_unknown_backend_is_an_error_row(cnnspec):
    done = cnnspec("run", "--profile", "smoke", "--backend", "nope")
    assert done.returncode == 2
    assert "nope                       ERROR: unknown backend 'nope'; installed: reference" in done.stdout
