"""[T] Stride subsamples the stride-1 result, dilation is a zero-inserted kernel, and the two spatial
axes never mix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.conformance import coverage
from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases
from cnnspec.oracles import dilate_kernel


@pytest.mark.clauses("T.1", "T.3")
@conformance
@given(case=conv_cases(paddings=("explicit", "valid"), max_stride=4), data=st.data())
def test_stride_subsamples_the_stride_1_result(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    sH, sW = case.stride
    dense = call.but(stride=(1, 1)).run()
    assert_equal(
        call.run(),
        dense[:, :, ::sH, ::sW],
        clause="T.1",
        call=call,
        why=f"the stride-1 result subsampled by {case.stride}",
    )


# Its calls pad by the explicit amounts that each form stands for (a "same" padding of the dilated kernel is
# not that of the zero-inserted one), so the padding forms are not corners it reaches.
explicit_calls = conv_cases()
coverage.declare(
    explicit_calls,
    {name for name in coverage.reachable([explicit_calls]) if not name.startswith(("padding valid", "padding same"))},
)


@pytest.mark.clauses("T.2", "T.3")
@conformance
@given(case=explicit_calls, data=st.data())
def test_dilation_is_a_zero_inserted_kernel(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    inserted = call.but(w=dilate_kernel(a.w, case.dilation).astype(dtype), dilation=(1, 1), padding=case.pads)
    assert_equal(
        call.but(padding=case.pads).run(),
        inserted.run(),
        clause="T.2",
        call=call,
        why=f"the undilated result with the kernel zero-inserted by {case.dilation}",
    )


def _swap(padding):
    return padding if isinstance(padding, str) else (padding[1], padding[0])


@pytest.mark.clauses("T.3", "P.2", "S.4")
@conformance
@given(case=conv_cases(), data=st.data())
def test_height_and_width_follow_their_own_parameters(backend, dtype, case, data):
    # Transposing H and W of the input and the kernel, and swapping every per-axis parameter,
    # must transpose the output: a kernel that reads stride[0] for the width fails this.
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    transposed = call.but(
        x=np.ascontiguousarray(a.x.transpose(0, 1, 3, 2)),
        w=np.ascontiguousarray(a.w.transpose(0, 1, 3, 2)),
        stride=case.stride[::-1],
        dilation=case.dilation[::-1],
        padding=_swap(case.padding),
    )
    expected = call.run().transpose(0, 1, 3, 2)
    assert_equal(
        transposed.run(),
        np.ascontiguousarray(expected),
        clause="T.3",
        call=transposed,
        why="the transposed result of the call with H and W swapped",
    )
