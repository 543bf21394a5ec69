"""The failure messages and the reproducers the suite attaches to them."""

from __future__ import annotations

import numpy as np
import pytest

from cnnspec.backends import BUILTIN, load, supports, unavailable
from cnnspec.conformance.checks import Call, Nonconformance, assert_equal, assert_within, reproducer
from cnnspec.reference import BFLOAT16

PARAMS = [
    {"stride": (1, 1), "padding": ((0, 0), (0, 0)), "dilation": (1, 1), "groups": 1},
    {"stride": (2, 1), "padding": ((1, 2), (0, 3)), "dilation": (1, 2), "groups": 2},
    {"stride": (1, 1), "padding": "same", "dilation": (2, 1), "groups": 1},
    {"stride": (1, 2), "padding": ((1, 1), (2, 2)), "dilation": (1, 1), "groups": 4},
]


def _arrays(groups, size=6, dtype=np.float32):
    rng = np.random.default_rng(1)
    x = rng.integers(-4, 5, (2, 4, size, size)).astype(dtype)
    w = rng.integers(-4, 5, (4, 4 // groups, 3, 2)).astype(dtype)
    return x, w, rng.integers(-4, 5, 4).astype(dtype)


@pytest.mark.parametrize("name", [n for n in BUILTIN if "cuda" not in n])
@pytest.mark.parametrize("params", PARAMS, ids=lambda p: f"{p['padding']}-g{p['groups']}")
@pytest.mark.parametrize("dtype", [np.float32, np.float16, BFLOAT16], ids=["float32", "float16", "bfloat16"])
def test_a_snippet_computes_what_its_backend_computes(request, name, params, dtype):
    backend = load(name)
    if unavailable(backend):
        pytest.skip(unavailable(backend))
    # Over 64 elements: the base64 form of the arrays, which must keep bfloat16 too.
    x, w, b = _arrays(params["groups"], size=12, dtype=dtype)
    call = Call(backend, x, w, b, **params)
    if supports(backend, call.case(), x.dtype):
        pytest.skip(supports(backend, call.case(), x.dtype))
    namespace: dict = {}
    if name.startswith("torch"):
        import torch

        # The oneDNN-off snippet switches oneDNN off for the process, as a pasted reproducer should.
        request.addfinalizer(lambda flag=torch.backends.mkldnn.enabled: setattr(torch.backends.mkldnn, "enabled", flag))
    exec(reproducer(call).rpartition("\nprint(")[0], namespace)
    np.testing.assert_array_equal(namespace["y"], call.run())


def test_a_value_failure_names_the_element_the_clause_the_call_and_how_many():
    backend = load("reference")
    x, w, b = _arrays(1)
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
        "stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)]")
    assert info.value.clause == "T.1"
    assert "print('out[1, 3, 2, 0] =', y[1, 3, 2, 0], 'but should be'" in info.value.__notes__[0]


def test_a_bound_failure_reports_the_error_and_the_bound_and_nan_fails():
    call = Call(load("reference"), *_arrays(1))
    y = call.run()
    bound = np.full(y.shape, 0.5)
    assert_within(y + 0.25, y, bound, clause="A.1", call=call, why="within the bound")
    nan = y.copy()
    nan[0, 0, 0, 0] = np.nan
    with pytest.raises(Nonconformance, match=r"out\[0, 0, 0, 0\]=nan, .*error nan > bound 0.5.*\[A.1\]"):
        assert_within(nan, y, bound, clause="A.1", call=call, why="within the bound")


def test_a_shape_or_dtype_failure_is_reported_before_values():
    call = Call(load("reference"), *_arrays(1))
    y = call.run()
    with pytest.raises(Nonconformance, match=r"out.shape=\(2, 4, 4\), but should be \(2, 4, 4, 5\) \[P.1\]"):
        assert_equal(y[..., 0], y, clause="P.1", call=call, why="")
    with pytest.raises(Nonconformance, match=r"out.dtype=float64, but should be float32 \[S.5\]"):
        assert_equal(y.astype(np.float64), y, clause="P.1", call=call, why="")
