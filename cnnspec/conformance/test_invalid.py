"""[E] Invalid configurations: the backend must raise, and must not return a result."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases
from cnnspec.geometry import NO_PADDING

# Each value of the corner catalogue once: these properties exhaust their own space of invalid calls.
small = conv_cases(max_batch=2, max_group_channels=4, max_kernel=3, max_extra=4, covering_strength="values")


@pytest.mark.clauses("E.1", "S.1", "S.2")
@conformance
@given(case=small, data=st.data())
def test_wrong_rank_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, a.x, a.w, a.b)
    # Every wrong rank in every example: the space is small, and a sampled one may never come up.
    for wrong, (x, w) in {
        "x rank 5": (a.x[None], a.w),
        "x rank 1": (a.x.reshape(-1), a.w),
        "w rank 3": (a.x, a.w[0]),
        "w rank 5": (a.x, a.w[None]),
    }.items():
        call.but(x=x, w=w).must_raise("E.1", f"the call has {wrong}")


def bad_groups(C_in: int, C_out: int) -> list[int]:
    """[E.2] Every kind of groups that E.2 rejects, for these channels: one that divides neither, one that
    divides C_in alone and one that divides C_out alone (where there are such), one above both, then -1
    and 0 (last: a framework may die of a division by zero, KnownCrash)."""
    divides_neither = next(g for g in range(2, C_in + C_out + 2) if C_in % g and C_out % g)
    only_in = [g for g in range(2, C_in + 1) if C_in % g == 0 and C_out % g]
    only_out = [g for g in range(2, C_out + 1) if C_out % g == 0 and C_in % g]
    return [divides_neither, *only_in[:1], *only_out[:1], max(C_in, C_out) + 1, -1, 0]


@pytest.mark.clauses("E.2", "G.1")
@conformance
@given(case=small, data=st.data())
def test_groups_that_do_not_divide_are_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, a.x, a.w, a.b)
    for groups in dict.fromkeys(bad_groups(case.C_in, case.C_out)):
        depth = case.C_in // groups if groups >= 1 and case.C_in >= groups else case.C_in
        w = np.ones((case.C_out, max(depth, 1), case.kH, case.kW), dtype)
        call.but(w=w, groups=groups).must_raise(
            "E.2", f"groups={groups} with C_in={case.C_in}, C_out={case.C_out}")


@pytest.mark.clauses("E.3", "S.2")
@conformance
@given(case=small, data=st.data())
def test_wrong_kernel_depth_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    for depth in dict.fromkeys(d for d in (case.C_in // case.groups - 1, case.C_in // case.groups + 1) if d >= 1):
        w = np.ones((case.C_out, depth, case.kH, case.kW), dtype)
        Call.of(backend, case, a.x, w, a.b).must_raise(
            "E.3", f"kernel depth {depth} with C_in/groups={case.C_in // case.groups}")


@pytest.mark.clauses("E.4")
@conformance
@given(case=small, data=st.data())
def test_kernel_larger_than_padded_input_is_rejected(backend, dtype, case, data):
    for axis in (2, 3):
        # Shrink the input one row or column below what the dilated kernel needs.
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
    # Every parameter, every bad value, every axis: eight calls.
    for which, value, axis in itertools.product(("stride", "dilation"), (0, -1), (0, 1)):
        pair = list(getattr(case, which))
        pair[axis] = value
        call.but(**{which: tuple(pair)}).must_raise("E.5", f"{which}={tuple(pair)}")


def bad_bias_shapes(C_out: int) -> list[tuple[int, ...]]:
    """[E.6] Every kind of bias shape E.6 rejects: one entry too many or too few, a column, a row, a
    single entry where C_out > 1 (which a broadcasting framework adds to every map), and a 0-d bias."""
    shapes = [(C_out + 1,), (C_out, 1), (1, C_out), ()]
    return shapes + ([(C_out - 1,), (1,)] if C_out > 1 else [])


@pytest.mark.clauses("E.6", "S.3")
@conformance
@given(case=small, data=st.data())
def test_wrong_bias_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    for shape in dict.fromkeys(bad_bias_shapes(case.C_out)):
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
