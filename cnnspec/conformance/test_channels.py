"""[C] Channels: every input channel has its own kernel slice; a repeated kernel sees the channel sum;
greyscale is one channel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import oracles
from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases


@pytest.mark.clauses("C.1", "V.3")
@conformance
@given(case=conv_cases(max_groups=1, min_group_channels=2, max_group_channels=6), data=st.data())
def test_each_channel_has_its_own_kernel_slice(backend, dtype, case, data):
    # An RGB-like input: only channel c is non-zero, so the output must be that channel correlated
    # with its own slice w[:, c], which a one-channel call computes.
    a = data.draw(conv_arrays(case, dtype))
    c = data.draw(st.integers(0, case.C_in - 1), label="channel")
    x = np.zeros_like(a.x)
    x[:, c] = a.x[:, c]
    call = Call.of(backend, case, x=x, w=a.w, b=a.b)
    expected = call.but(x=a.x[:, c : c + 1], w=np.ascontiguousarray(a.w[:, c : c + 1])).run()
    assert_equal(
        call.run(), expected, clause="C.1", call=call, why=f"channel {c} correlated with its own slice w[:, {c}] alone"
    )


@pytest.mark.clauses("C.2", "C.1")
@conformance
@given(case=conv_cases(max_groups=1, min_group_channels=2, max_group_channels=6), data=st.data())
def test_repeated_kernel_sees_the_channel_sum(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    repeated = np.repeat(a.w[:, :1], case.C_in, axis=1)
    call = Call.of(backend, case, x=a.x, w=repeated, b=a.b)
    summed = call.but(x=a.x.sum(axis=1, keepdims=True), w=np.ascontiguousarray(a.w[:, :1]))
    assert_equal(
        call.run(),
        summed.run(),
        clause="C.2",
        call=call,
        why="the channel sum correlated with the one repeated 2-D kernel",
    )


@pytest.mark.clauses("C.3", "V.3")
@conformance
@given(case=conv_cases(max_groups=1, max_group_channels=1), data=st.data())
def test_greyscale_is_one_channel(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    expected = oracles.conv2d_correlate2d(a.x, a.w, a.b, **case.params())
    assert_equal(
        call.run(),
        expected,
        clause="C.3",
        call=call,
        why="scipy.signal.correlate2d of the image with each w[o, 0], plus b[o]",
    )
