"""[G] Groups and connection tables: the group mapping, groups as independent convolutions, depthwise
with a channel multiplier, and LeNet-5's connection table as a full conv with zero slices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import oracles
from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases, make_arrays
from cnnspec.geometry import Case


@pytest.mark.clauses("G.3", "G.2", "G.1")
@conformance
@given(case=conv_cases(min_groups=2), data=st.data())
def test_groups_are_independent_convolutions(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    C_in_g, C_out_g = case.C_in // case.groups, case.C_out // case.groups
    parts = [
        call.but(
            x=np.ascontiguousarray(a.x[:, g * C_in_g : (g + 1) * C_in_g]),
            w=a.w[g * C_out_g : (g + 1) * C_out_g],
            b=None if a.b is None else a.b[g * C_out_g : (g + 1) * C_out_g],
            groups=1,
        ).run()
        for g in range(case.groups)
    ]
    assert_equal(
        call.run(),
        np.concatenate(parts, axis=1),
        clause="G.3",
        call=call,
        why="the concatenation of one groups=1 convolution per group",
    )


@pytest.mark.clauses("G.4", "G.2")
@conformance
@given(case=conv_cases(min_groups=2, max_groups=6, max_group_channels=1), data=st.data())
def test_depthwise_with_channel_multiplier(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    m = case.C_out // case.C_in
    expected = np.concatenate(
        [
            oracles.conv2d_correlate2d(
                a.x[:, o // m : o // m + 1],
                a.w[o : o + 1],
                None if a.b is None else a.b[o : o + 1],
                stride=case.stride,
                padding=case.padding,
                dilation=case.dilation,
            )
            for o in range(case.C_out)
        ],
        axis=1,
    )
    assert_equal(
        call.run(),
        expected,
        clause="G.4",
        call=call,
        why=f"input channel floor(o/{m}) correlated with w[o, 0] (channel multiplier {m})",
    )


def lenet5_c3_table() -> np.ndarray:
    """[G.5] LeNet-5's C3 connection table (LeCun et al. 1998, Table I), as T[output, input]."""
    table = np.zeros((16, 6), dtype=bool)
    for o in range(6):
        table[o, [(o + k) % 6 for k in range(3)]] = True
    for o in range(6, 12):
        table[o, [(o - 6 + k) % 6 for k in range(4)]] = True
    for o, inputs in zip(range(12, 15), ([0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5])):
        table[o, inputs] = True
    table[15] = True
    return table


def _check_table(backend, case, a, table):
    # The expected value comes from scipy, not from one-channel calls of the backend: a sparsity
    # shortcut in the backend would break those calls the same way and hide itself.
    w = a.w * table[:, :, None, None]
    call = Call.of(backend, case, x=a.x, w=w, b=a.b)
    expected = oracles.conv2d_correlate2d(a.x, w, a.b, **case.params())
    assert_equal(
        call.run(),
        expected,
        clause="G.5",
        call=call,
        why="the sum over the connected input channels alone (scipy.signal.correlate2d)",
    )


@pytest.mark.clauses("G.5")
@conformance
@given(case=conv_cases(max_groups=1, max_group_channels=6), data=st.data())
def test_connection_table_is_a_full_conv_with_zero_slices(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    table = np.array(
        data.draw(
            st.lists(st.booleans(), min_size=case.C_out * case.C_in, max_size=case.C_out * case.C_in), label="table"
        )
    ).reshape(case.C_out, case.C_in)
    _check_table(backend, case, a, table)


@pytest.mark.clauses("G.5", "C.4")
@conformance
@given(seed=st.integers(0, 2**32 - 1))
def test_lenet5_c3_layer(backend, dtype, seed):
    # C3 takes S2's six 14x14 pooled maps as six channels and makes sixteen 10x10 maps with 5x5 kernels.
    case = Case.conv2d(N=1, C_in=6, H=14, W=14, C_out=16, kH=5, kW=5)
    _check_table(backend, case, make_arrays(case, dtype, seed), lenet5_c3_table())
