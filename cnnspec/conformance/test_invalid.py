"""[E] Invalid configurations: the backend must raise, and must not return a result."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases
from cnnspec.geometry import NO_PADDING

small = conv_cases(max_batch=2, max_group_channels=4, max_kernel=3, max_extra=4)


@pytest.mark.clauses("E.1", "S.1", "S.2")
@conformance
@given(case=small, data=st.data())
def test_wrong_rank_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, a.x, a.w, a.b)
    wrong = data.draw(st.sampled_from(["x rank 5", "x rank 1", "w rank 3", "w rank 5"]), label="wrong")
    x, w = {
        "x rank 5": (a.x[None], a.w),
        "x rank 1": (a.x.reshape(-1), a.w),
        "w rank 3": (a.x, a.w[0]),
        "w rank 5": (a.x, a.w[None]),
    }[wrong]
    call.but(x=x, w=w).must_raise("E.1", f"the call has {wrong}")


@pytest.mark.clauses("E.2", "G.1")
@conformance
@given(case=small, data=st.data())
def test_groups_that_do_not_divide_are_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, a.x, a.w, a.b)
    groups = data.draw(st.one_of(
        st.integers(-1, 0),
        st.integers(2, 2 * case.C_in + 1).filter(lambda g: case.C_in % g or case.C_out % g),
    ), label="groups")
    depth = case.C_in // groups if groups >= 1 and case.C_in >= groups else case.C_in
    w = np.ones((case.C_out, max(depth, 1), case.kH, case.kW), dtype)
    call.but(w=w, groups=groups).must_raise(
        "E.2", f"groups={groups} with C_in={case.C_in}, C_out={case.C_out}")


@pytest.mark.clauses("E.3", "S.2")
@conformance
@given(case=small, data=st.data(), off=st.sampled_from([-1, 1]))
def test_wrong_kernel_depth_is_rejected(backend, dtype, case, data, off):
    a = data.draw(conv_arrays(case, dtype))
    depth = case.C_in // case.groups + off
    if depth < 1:
        depth = case.C_in // case.groups + 1
    w = np.ones((case.C_out, depth, case.kH, case.kW), dtype)
    Call.of(backend, case, a.x, w, a.b).must_raise(
        "E.3", f"kernel depth {depth} with C_in/groups={case.C_in // case.groups}")


@pytest.mark.clauses("E.4")
@conformance
@given(case=small, data=st.data())
def test_kernel_larger_than_padded_input_is_rejected(backend, dtype, case, data):
    # Shrink the input one row or column below what the dilated kernel needs.
    axis = data.draw(st.sampled_from([2, 3]), label="axis")
    k, d = (case.kH, case.dilation[0]) if axis == 2 else (case.kW, case.dilation[1])
    extent = d * (k - 1) + 1
    if extent == 1:
        k, extent = 2, d + 1
    shape = list(case.x_shape)
    shape[axis] = extent - 1
    w_shape = list(case.w_shape)
    w_shape[axis] = k
    call = Call(backend, np.ones(shape, dtype), np.ones(w_shape, dtype), None, case.stride, NO_PADDING,
                case.dilation, case.groups)
    call.must_raise("E.4", f"dilated kernel extent {extent} > input extent {extent - 1} on axis {axis}")


@pytest.mark.clauses("E.5")
@conformance
@given(case=small, data=st.data())
def test_stride_or_dilation_below_1_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, a.x, a.w, a.b)
    which = data.draw(st.sampled_from(["stride", "dilation"]), label="which")
    value = data.draw(st.integers(-1, 0), label="value")
    axis = data.draw(st.integers(0, 1), label="axis")
    pair = list(getattr(case, which))
    pair[axis] = value
    call.but(**{which: tuple(pair)}).must_raise("E.5", f"{which}={tuple(pair)}")


@pytest.mark.clauses("E.6", "S.3")
@conformance
@given(case=small, data=st.data())
def test_wrong_bias_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    shape = data.draw(st.sampled_from([(case.C_out + 1,), (case.C_out, 1), (1, case.C_out)]
                                      + ([(case.C_out - 1,)] if case.C_out > 1 else [])), label="bias shape")
    Call.of(backend, case, a.x, a.w, np.ones(shape, dtype)).must_raise(
        "E.6", f"bias of shape {shape} with C_out={case.C_out}")


# Each example tries every string: drawn one at a time, the last of them were never reached in 30
# examples. The spellings in another letter case come last, since their check may discard the example.
UNKNOWN_PADDINGS = ("full", "SAME ", "causal", "", "Valid", "Same")


@pytest.mark.clauses("E.7")
@conformance
@given(case=small, data=st.data())
def test_unknown_padding_string_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    for padding in UNKNOWN_PADDINGS:
        call = Call.of(backend, case, a.x, a.w, a.b).but(padding=padding)
        if padding.lower() not in ("valid", "same"):
            call.must_raise("E.7", f"padding={padding!r}")
            continue
        # A spelling in another letter case may be accepted, as the form it spells (E.7).
        actual = call.attempt("E.7")
        expected = None if actual is None else call.but(padding=padding.lower()).attempt("P.4")
        if expected is not None:
            assert_equal(actual, expected, clause="E.7", call=call,
                         why=f"padding={padding!r} accepted, so computed as {padding.lower()!r}")
