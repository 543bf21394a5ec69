"""[R] Relations that need no oracle: linearity in the input and the weight, translation equivariance,
and output channels that follow their filters. Exact on integer data (A.2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases


@pytest.mark.clauses("R.1")
@conformance
@given(case=conv_cases(), data=st.data())
def test_linear_in_the_input(backend, dtype, case, data):
    a1, a2 = data.draw(conv_arrays(case, dtype)), data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a1.x + a2.x, w=a1.w, b=a1.b)
    expected = call.but(x=a1.x).run() + call.but(x=a2.x, b=None).run()
    assert_equal(call.run(), expected, clause="R.1", call=call, why="conv(x1, w, b) + conv(x2, w)")


@pytest.mark.clauses("R.2")
@conformance
@given(case=conv_cases(), data=st.data())
def test_linear_in_the_weight(backend, dtype, case, data):
    a1, a2 = data.draw(conv_arrays(case, dtype)), data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a1.x, w=a1.w + a2.w, b=a1.b)
    expected = call.but(w=a1.w).run() + call.but(w=a2.w, b=None).run()
    assert_equal(call.run(), expected, clause="R.2", call=call, why="conv(x, w1, b) + conv(x, w2)")


@pytest.mark.clauses("R.3")
@conformance
@given(case=conv_cases(paddings=("valid",)), data=st.data())
def test_translation_equivariance(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    _, _, H_out, W_out = case.out_shape
    rows, cols = data.draw(st.integers(0, H_out - 1), label="rows"), data.draw(st.integers(0, W_out - 1), label="cols")
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    (sH, sW) = case.stride
    shifted = call.but(x=np.ascontiguousarray(a.x[:, :, rows * sH :, cols * sW :]))
    assert_equal(
        shifted.run(),
        call.run()[:, :, rows:, cols:],
        clause="R.3",
        call=shifted,
        why=f"the full result without its first {rows} rows and {cols} columns",
    )


@pytest.mark.clauses("R.4", "G.2")
@conformance
@given(case=conv_cases(), data=st.data())
def test_permuted_filters_permute_the_output(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    C_out_g = case.C_out // case.groups
    order = np.concatenate(
        [
            g * C_out_g + np.array(data.draw(st.permutations(range(C_out_g)), label=f"group {g} order"), dtype=int)
            for g in range(case.groups)
        ]
    )
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    permuted = call.but(w=np.ascontiguousarray(a.w[order]), b=None if a.b is None else a.b[order])
    assert_equal(
        permuted.run(),
        np.ascontiguousarray(call.run()[:, order]),
        clause="R.4",
        call=permuted,
        why="the output maps permuted like the filters",
    )
