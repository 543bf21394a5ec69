"""[M] Pooling: max_pool2d and avg_pool2d against the reference windows (kernel, stride, padding,
dilation, ceil mode, count_include_pad), each channel pooled alone, and pooled maps feeding the
next conv as its channels (LeNet-5's S2 to C3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import pooling
from cnnspec.accuracy import error_bound, operation_precision
from cnnspec.conformance.checks import Call, assert_equal, assert_within, reference_and_bound
from cnnspec.conformance.covering import either, exhaustive
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import arrays_of, make_arrays, pool_cases
from cnnspec.conformance.test_groups import lenet5_c3_table
from cnnspec.geometry import Case
from cnnspec.operations import POOLS

OPS = POOLS


def _x(data, case: Case, dtype) -> np.ndarray:
    return data.draw(arrays_of({"x": case.x_shape}, dtype), label="x")["x"]


def check_pooled(backend, case: Case, call: Call, actual: np.ndarray, *, clause: str, why: str = "") -> None:
    """[M.2, M.3] ``actual`` is the reference pooling of the call's input: exactly for max, within A.1's
    bound (K = kH·kW + 1, for the sum and the division) for the average."""
    x = call.array("x")
    if case.op == "max_pool2d":
        assert_equal(
            actual,
            pooling.max_pool2d(x, case),
            clause=clause,
            call=call,
            why=why or "the largest element of each window inside x (a copy, exact)",
        )
        return
    x64 = x.astype(np.float64)
    r64 = pooling.avg_pool2d(x64, case)
    bound = error_bound(
        pooling.avg_pool2d(x64, case, magnitude=True),
        r64,
        case.kernel[0] * case.kernel[1] + 1,
        operation_precision(backend, x.dtype),
    )
    assert_within(
        actual,
        r64.astype(x.dtype),
        bound,
        clause=clause,
        call=call,
        why=why
        or f"each window's sum over {'the padded input' if case.count_include_pad else 'x'}'s "
        "count of its positions, within A.1's bound",
    )


@pytest.mark.clauses("M.2", "M.1")
@conformance
@given(case=pool_cases("max_pool2d"), data=st.data())
def test_max_pool_is_the_window_maximum(backend, dtype, case, data):
    call = Call.of(backend, case, x=_x(data, case, dtype))
    check_pooled(backend, case, call, call.run("M.2"), clause="M.2")


@pytest.mark.clauses("M.3", "M.1", "A.1")
@conformance
@given(case=pool_cases("avg_pool2d"), data=st.data())
def test_avg_pool_is_the_window_mean(backend, dtype, case, data):
    call = Call.of(backend, case, x=_x(data, case, dtype))
    check_pooled(backend, case, call, call.run("M.3"), clause="M.3")


@pytest.mark.clauses("M.4")
@conformance
@given(case=either(*(pool_cases(op, max_channels=5) for op in OPS)), data=st.data())
def test_pooling_acts_on_each_channel_alone(backend, dtype, case, data):
    x = _x(data, case, dtype)
    c = data.draw(st.integers(0, case.C - 1), label="c")
    # Every other channel replaced: channel c of the result must not move.
    other = data.draw(arrays_of({"x": case.x_shape}, dtype), label="other")["x"]
    other[:, c] = x[:, c]
    call = Call.of(backend, case, x=x)
    changed = call.but(x=other)
    assert_equal(
        changed.run("M.4")[:, c : c + 1],
        call.run("M.4")[:, c : c + 1],
        clause="M.4",
        call=changed,
        why=f"channel {c} of the result for the same channel {c} among other channels: pooling never mixes channels",
    )


@pytest.mark.clauses("M.5", "C.4", "G.5")
@conformance
@given(op=exhaustive(OPS), seed=st.integers(0, 2**32 - 1))
def test_pooled_maps_feed_the_next_conv_as_channels(backend, dtype, op, seed):
    # LeNet-5: C1's six 28x28 maps, subsampled 2x2 by S2, are C3's six 14x14 input channels, which
    # its connection table links to sixteen 10x10 maps with 5x5 kernels.
    case = Case.pool2d(op, N=1, C=6, H=28, W=28, kernel=(2, 2), stride=(2, 2))
    x = np.random.default_rng(seed).standard_normal(case.x_shape).astype(dtype)
    pool = Call.of(backend, case, x=x)
    pooled = pool.run("M.5")
    check_pooled(backend, case, pool, pooled, clause="M.5", why=f"S2's {op} of C1's maps")
    c3 = Case.conv2d(N=1, C_in=6, H=14, W=14, C_out=16, kH=5, kW=5)
    a = make_arrays(c3, dtype, seed, "floats")
    w = a.w * lenet5_c3_table()[:, :, None, None].astype(dtype)
    conv = Call.of(backend, c3, x=np.ascontiguousarray(pooled), w=w, b=a.b)
    expected, bound = reference_and_bound(backend, c3, pooled, w, a.b)
    assert_within(
        conv.run("M.5"),
        expected,
        bound,
        clause="M.5",
        call=conv,
        why="C3 (connection table) of the six pooled maps stacked as channels, within A.6's bound",
    )
