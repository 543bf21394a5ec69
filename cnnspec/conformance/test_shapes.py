"""[S] Shapes and dtypes: the output shape of S.4, the input dtype, and the rank-3 and rank-2 inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.conformance.checks import Call, assert_equal, assert_shape
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases


@pytest.mark.clauses("S.4", "S.1", "S.2", "S.3", "S.5")
@conformance
@given(case=conv_cases(), data=st.data())
def test_output_shape_and_dtype(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    assert_shape(call.run("S.1"), case.out_shape, dtype, call=call)


@pytest.mark.clauses("S.6")
@conformance
@given(case=conv_cases(max_batch=1), data=st.data())
def test_unbatched_input_is_one_batch_element(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    batched = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    expected = batched.run()[0]
    unbatched = batched.but(x=a.x[0])
    out = unbatched.attempt("S.6")
    if out is not None:
        assert_equal(out, expected, clause="S.6", call=unbatched, why="the batched result without its batch axis")


@pytest.mark.clauses("S.7", "C.3")
@conformance
@given(case=conv_cases(max_batch=1, max_groups=1, max_group_channels=1), data=st.data())
def test_rank_2_image_is_greyscale(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    batched = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    expected = batched.run()[0]
    image = batched.but(x=a.x[0, 0])
    out = image.attempt("S.7")
    if out is not None:
        assert_equal(out, expected, clause="S.7", call=image, why="the (1, 1, H, W) result without its batch axis")
