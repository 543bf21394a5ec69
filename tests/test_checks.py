"""The failure messages and the reproducers the suite attaches to them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnspec.backends import BUILTIN, load
from cnnspec.conformance import state, triage
from cnnspec.conformance.checks import Call, Nonconformance, assert_equal, assert_within

import broken_backends
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
    call = Call.conv2d(backend, x, w, b)
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
    call = Call.conv2d(load("reference"), *arrays(1))
    y = call.run()
    bound = np.full(y.shape, 0.5)
    assert_within(y + 0.25, y, bound, clause="A.1", call=call, why="within the bound")
    nan = y.copy()
    nan[0, 0, 0, 0] = np.nan
    with pytest.raises(Nonconformance, match=r"out\[0, 0, 0, 0\]=nan, .*error nan > bound 0.5.*\[A.1\]"):
        assert_within(nan, y, bound, clause="A.1", call=call, why="within the bound")


def test_exact_equality_takes_nan_on_both_sides_as_the_same_and_nan_against_a_number_as_different():
    # A relation (M.4, R.*) holds where both of its calls give NaN; a NaN where a number is due still fails.
    call = Call.conv2d(load("reference"), *arrays(1))
    y = call.run()
    nan = y.copy()
    nan[0, 0, 0, 0] = np.nan
    assert_equal(nan, nan.copy(), clause="M.4", call=call, why="")
    with pytest.raises(Nonconformance, match=r"out\[0, 0, 0, 0\]=nan, but should be"):
        assert_equal(nan, y, clause="M.4", call=call, why="")
    with pytest.raises(Nonconformance, match=r"out\[0, 0, 0, 0\]=.*, but should be nan"):
        assert_equal(y, nan, clause="M.4", call=call, why="")


def test_a_shape_or_dtype_failure_is_reported_before_values():
    call = Call.conv2d(load("reference"), *arrays(1))
    y = call.run()
    with pytest.raises(Nonconformance, match=r"out.shape=\(2, 4, 4\), but should be \(2, 4, 4, 5\) \[P.1\]"):
        assert_equal(y[..., 0], y, clause="P.1", call=call, why="")
    with pytest.raises(Nonconformance, match=r"out.dtype=float64, but should be float32 \[S.5\]"):
        assert_equal(y.astype(np.float64), y, clause="P.1", call=call, why="")


def test_triage_leaves_a_rejection_failure_alone_even_where_its_call_has_a_padding_string():
    # A property of the rejections has an invalid call by design (a bias of the wrong shape, here with
    # "same"): the triage must neither refile it nor fail on it when the reference rejects the call.
    x, w, _ = arrays(1)
    call = Call.conv2d(broken_backends.BiasNotChecked(), x, w, np.zeros(3, np.float32), padding="same")
    failure = Nonconformance("returned a result for an invalid call [E.6]", "E.6", call)
    assert triage.refiled(failure, "E.6") is None
    # Met by another property, the same call is no value the basic rules can judge either.
    assert triage.basic_clause(call) is None


def _pool_call(backend):
    x = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
    params = {"kernel_size": (1, 1), "stride": (1, 1), "padding": (0, 0), "dilation": (1, 1), "ceil_mode": False}
    return Call(backend, "max_pool2d", (("x", x),), tuple(params.items()))


@pytest.mark.parametrize(
    "broken, what, shown",
    [
        (
            broken_backends.FlipsWeightInPlace,
            "changed its argument w: w[0, 0, 0, 0] is now",
            "w as it was given: False",
        ),
        (broken_backends.OutputBufferPerShape, "changed the result of an earlier call", "is as it was: False"),
        (
            broken_backends.IdentityPoolReturnsItsInput,
            "shares memory with its argument x",
            "shares memory with x: True",
        ),
    ],
    ids=lambda p: getattr(p, "__name__", None),
)
def test_a_call_that_changes_its_arguments_or_shares_its_result_breaks_s8(broken, what, shown):
    backend = load(f"broken_backends:{broken.__name__}")
    x, w, b = arrays(1)
    calls = (
        [_pool_call(backend)]
        if broken is broken_backends.IdentityPoolReturnsItsInput
        else [Call.conv2d(backend, x, w, b), Call.conv2d(backend, -x, w, b)]
    )
    run = state.current()
    run.held = []  # as in an example: the second call is checked against the first's result
    try:
        with pytest.raises(Nonconformance) as info:
            for call in calls:
                call.run()
    finally:
        run.held = None
    assert info.value.clause == "S.8" and what in str(info.value), str(info.value)
    # The reproducer shows it on its own, on the arguments as they were given.
    done = subprocess.run(
        [sys.executable, "-c", info.value.__notes__[0]],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
    )
    assert shown in done.stdout, done.stdout + done.stderr


def test_a_result_shared_read_only_with_an_earlier_one_is_its_callers_alone():
    class Memoised(broken_backends.Broken):
        """The same read-only array for the same call, as a cache of immutable results may give."""

        def __init__(self):
            self.kept = {}

        def conv(self, x, w, b, stride, padding, dilation, groups):
            key = (x.tobytes(), w.tobytes())
            if key not in self.kept:
                self.kept[key] = super().conv(x, w, b, stride, padding, dilation, groups)
                self.kept[key].flags.writeable = False
            return self.kept[key]

    call = Call.conv2d(Memoised(), *arrays(1))
    run = state.current()
    run.held = []
    try:
        assert np.array_equal(call.run(), call.run())
    finally:
        run.held = None
