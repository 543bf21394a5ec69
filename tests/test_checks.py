"""The failure messages and the reproducers the suite attaches to them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnspec.backends import BUILTIN, load
from cnnspec.conformance.checks import Call, Nonconformance, assert_equal, assert_within

from snippet_check import UNAVAILABLE, arrays

TESTS = Path(__file__).resolve().parent


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in BUILTIN if "cuda" not in n])
def test_a_snippet_computes_what_its_backend_computes(name):
    done = subprocess.run(
        [sys.executable, "-m", "snippet_check", name],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=TESTS,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
    )
    if done.returncode == UNAVAILABLE:
        pytest.skip(done.stdout.strip())
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]


def test_a_value_failure_names_the_element_the_clause_the_call_and_how_many():
    backend = load("reference")
    x, w, b = arrays(1)
    call = Call(backend, x, w, b)
    y = call.run()
    wrong = y.copy()
    wrong[1, 3, 2, 0] += 1
    with pytest.raises(Nonconformance) as info:
        assert_equal(wrong, y, clause="T.1", call=call, why="the stride-1 result subsampled")
    expected = float(y[1, 3, 2, 0])
    assert str(info.value) == (
        f"out[1, 3, 2, 0]={expected + 1!r}, but should be {expected!r} (the stride-1 result subsampled); 1 of "
        f"{y.size} elements differ [T.1] [reference.conv2d(x: (2,4,6,6) float32, w: (4,4,3,2), b: (4), "
        "stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)]"
    )
    assert info.value.clause == "T.1"
    assert "print('out[1, 3, 2, 0] =', y[1, 3, 2, 0], 'but should be'" in info.value.__notes__[0]


def test_a_bound_failure_reports_the_error_and_the_bound_and_nan_fails():
    call = Call(load("reference"), *arrays(1))
    y = call.run()
    bound = np.full(y.shape, 0.5)
    assert_within(y + 0.25, y, bound, clause="A.1", call=call, why="within the bound")
    nan = y.copy()
    nan[0, 0, 0, 0] = np.nan
    with pytest.raises(Nonconformance, match=r"out\[0, 0, 0, 0\]=nan, .*error nan > bound 0.5.*\[A.1\]"):
        assert_within(nan, y, bound, clause="A.1", call=call, why="within the bound")


def test_a_shape_or_dtype_failure_is_reported_before_values():
    call = Call(load("reference"), *arrays(1))
    y = call.run()
    with pytest.raises(Nonconformance, match=r"out.shape=\(2, 4, 4\), but should be \(2, 4, 4, 5\) \[P.1\]"):
        assert_equal(y[..., 0], y, clause="P.1", call=call, why="")
    with pytest.raises(Nonconformance, match=r"out.dtype=float64, but should be float32 \[S.5\]"):
        assert_equal(y.astype(np.float64), y, clause="P.1", call=call, why="")
