"""The code passes its lint and is formatted: ruff's rules for errors and import order, and ruff's formatter,
as pyproject.toml configures them (``ruff format`` rewrites what the second test finds)."""

from __future__ import annotations

import subprocess
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
