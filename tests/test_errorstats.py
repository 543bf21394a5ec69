"""[A.1, A.5, A.7] The accuracy statistics: decades of |error| / bound, and the significand bits that
copies carry, measured and shown in the report beside the declared ones."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnspec.conformance import errorstats

TESTS = Path(__file__).resolve().parent


def test_ratios_fall_in_their_decades_and_the_worst_is_kept():
    stats = errorstats.ErrorStats()
    stats.add_ratios(np.array([0.0, 0.0, 5e-9, 3e-4, 0.5, 1.0, 2.0, np.nan]))
    h = dict(zip(errorstats.BINS, stats.histogram))
    assert h["exact"] == 2 and h["< 1e-8"] == 1 and h["1e-4..1e-3"] == 1 and h["1e-1..1e0"] == 2
    assert h["over 1"] == 1 and sum(h.values()) == 7 and stats.worst == 2.0
    assert errorstats.quantile_bin(dict(zip(errorstats.BINS, stats.histogram)), 0.5) == "1e-4..1e-3"


def test_copies_give_the_effective_significand_bits():
    stats = errorstats.ErrorStats()
    values = np.array([1.0, 3.0, 0.0])
    stats.add_copies(values * (1 + 2.0**-11), values)
    assert stats.copies == 2 and math.isclose(errorstats.effective_bits(stats.copy_error), 11)
    assert errorstats.effective_bits(0.0) == math.inf


@pytest.mark.slow
def test_the_report_measures_a_declared_tf32_backend_at_11_bits(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    env.pop("CI", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cnnspec.cli",
            "report",
            "--out",
            "out",
            "--profile",
            "ci",
            "--backend",
            "reference",
            "--backend",
            "odd_backends:DeclaredTF32",
            "--",
            "-k",
            "test_one_hot_weight_copies_the_input or test_impulse or test_matches_reference_within_bound",
            "--cnnspec-dtype",
            "float32",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "conformance.json").read_text())
    rows = {(r["backend"], r["dtype"]): r for r in report["accuracy"]}
    exact, tf32 = rows[("reference", "float32")], rows[("declared-tf32", "float32")]
    assert exact["copies_exact"] and exact["declared_bits"] == 24 and exact["histogram"]["over 1"] == 0
    # TF32 keeps 10 explicit bits: its copies err by up to 2^-11, so it carries 11 bits, as it declares.
    assert tf32["declared_bits"] == 11 and 11 <= tf32["effective_bits"] <= 12, tf32
    markdown = (tmp_path / "out" / "conformance.md").read_text()
    assert "## Accuracy" in markdown and "(declared 11)" in markdown
    html = (tmp_path / "out" / "index.html").read_text()
    assert "id='accuracy'" in html and "aria-label='|error| / bound by decade'" in html
