"""The code passes its lint, is formatted and type-checks: ruff's rules for errors and import order, ruff's
formatter (``ruff format`` rewrites what it finds) and mypy over cnnspec/, as pyproject.toml configures them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    ruff = pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [ruff.find_ruff_bin(), "check", "cnnspec", "tests", "benchmarks"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_changes_nothing():
    ruff = pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [ruff.find_ruff_bin(), "format", "--check", "cnnspec", "tests", "benchmarks"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, "run `ruff format cnnspec tests benchmarks`:\n" + done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_finds_nothing():
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    # A process of its own: mypy's API is not re-entrant, and its cache (.mypy_cache) makes a rerun fast.
    done = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
