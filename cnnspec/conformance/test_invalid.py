"""[E] Invalid configurations: the backend must raise, and must not return a result."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from cnnspec.backends import not_applicable
from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases

# Each value of the corner catalogue once: these properties exhaust their own space of invalid calls.
small = conv_cases(max_batch=2, max_group_channels=4, max_kernel=3, max_extra=4, covering_strength="values")


@pytest.mark.clauses("E.1", "S.1", "S.2")
@conformance
@given(case=small, data=st.data())
def test_wrong_rank_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    # The same parameters on one element, one channel and a 1x1 kernel: a degenerate call that kernels
    # special-case, and whose validation some skip (the ONNX reference evaluator, with a dilation).
    one = call.but(x=a.x[:1, :1, :1, :1], w=a.w[:1, :1, :1, :1], b=None if a.b is None else a.b[:1], groups=1)
    # Every wrong rank in every example: the space is small, and a sampled one may never come up.
    for valid in (call, one):
        for wrong, (x, w) in {
            "x rank 5": (valid.x[None], valid.w),
            "x rank 1": (valid.x.reshape(-1), valid.w),
            "w rank 3": (valid.x, valid.w[0]),
            "w rank 5": (valid.x, valid.w[None]),
        }.items():
            valid.but(x=x, w=w).must_raise("E.1", f"the call has {wrong}")


def bad_groups(C_in: int, C_out: int) -> list[int]:
    """[E.2] Every kind of groups that E.2 rejects, for these channels: one that divides neither, one that
    divides C_in alone and one that divides C_out alone (where there are such), one above both, then -1
    and 0 (last: a framework may die of a division by zero, KnownCrash)."""
    divides_neither = next(g for g in range(2, C_in + C_out + 2) if C_in % g and C_out % g)
    only_in = [g for g in range(2, C_in + 1) if C_in % g == 0 and C_out % g]
    only_out = [g for g in range(2, C_out + 1) if C_out % g == 0 and C_in % g]
    return list(dict.fromkeys([divides_neither, *only_in[:1], *only_out[:1], max(C_in, C_out) + 1, -1, 0]))


def bad_bias_shapes(C_out: int) -> list[tuple[int, ...]]:
    """[E.6] Every kind of bias shape E.6 rejects: one entry too many or too few, a column, a row, a
    single entry where C_out > 1 (which a broadcasting framework adds to every map), and a 0-d bias."""
    shapes = [(C_out + 1,), (C_out, 1), (1, C_out), ()]
    return shapes + ([(C_out - 1,), (1,)] if C_out > 1 else [])


class Invalid(NamedTuple):
    """An invalid call: the clause that rejects it, why, the call, and the conv2d rule it is an instance of
    at another rank or operation (E.6 for a bias of the wrong shape), which a backend may declare not its
    framework's to meet (``not_applicable``: a framework with no bias argument)."""

    clause: str
    why: str
    call: Any
    rule: str = ""


def invalid_convolutions(
    call: Call, clauses: tuple[str, str, str, str, str] = ("E.2", "E.3", "E.4", "E.5", "E.6")
) -> Iterator[Invalid]:
    """[E.2-E.6, E.8] Every kind of invalid call a convolution of any rank must reject, made from the valid
    ``call`` (of conv1d, conv2d or conv3d) one rule at a time: bad groups, a wrong kernel
    depth, a dilated kernel larger than the unpadded input on each axis, a stride or a dilation of 0 or -1 on
    each axis, each bad bias shape, groups above C_out, bad groups (0 last). ``clauses`` names the rules' clauses (E.8 for every one at rank 1 and 3)."""
    groups_clause, depth_clause, larger_clause, step_clause, bias_clause = clauses
    x, w, params = call.x, call.w, dict(call.params)
    C_in, C_out, groups, n = x.shape[1], w.shape[0], params["groups"], x.ndim - 2
    for depth in dict.fromkeys(d for d in (C_in // groups - 1, C_in // groups + 1) if d >= 1):
        yield Invalid(
            depth_clause,
            f"kernel depth {depth} with C_in/groups={C_in // groups}",
            call.but(w=np.ones((C_out, depth, *w.shape[2:]), w.dtype)),
        )
    for axis in range(n):
        # The input one row below what the dilated kernel needs, unpadded; a kernel of one tap grows to two.
        k, d = w.shape[2 + axis], params["dilation"][axis]
        if d * (k - 1) + 1 == 1:
            k = 2
        extent = d * (k - 1) + 1
        x_shape, w_shape = list(x.shape), list(w.shape)
        x_shape[2 + axis], w_shape[2 + axis] = extent - 1, k
        yield Invalid(
            larger_clause,
            f"dilated kernel extent {extent} > input extent {extent - 1} on spatial axis {axis}",
            call.but(x=np.ones(x_shape, x.dtype), w=np.ones(w_shape, w.dtype), padding=((0, 0),) * n),
        )
    for which, value, axis in itertools.product(("stride", "dilation"), (0, -1), range(n)):
        steps = list(params[which])
        steps[axis] = value
        yield Invalid(step_clause, f"{which}={tuple(steps)}", call.but(**{which: tuple(steps)}))
    for shape in bad_bias_shapes(C_out):
        yield Invalid(
            bias_clause, f"bias of shape {shape} with C_out={C_out}", call.but(b=np.ones(shape, x.dtype)), "E.6"
        )
    # Groups last: 0 may kill a framework (KnownCrash), and the other rules are still tried first.
    # First groups that divide C_in but exceed C_out (one filter): a kernel that checks C_out % groups only
    # where C_out >= groups, or sizes its output as C_out // groups, accepts it whatever the example's
    # channels, so the input gets channels g divides where it has none.
    g = next((d for d in range(2, C_in + 1) if C_in % d == 0), 2)
    x_g = x if C_in % g == 0 else np.ones((x.shape[0], g, *x.shape[2:]), x.dtype)
    yield Invalid(
        groups_clause,
        f"groups={g} with C_in={x_g.shape[1]}, C_out=1",
        call.but(x=x_g, w=np.ones((1, x_g.shape[1] // g, *w.shape[2:]), w.dtype), b=None, groups=g),
    )
    for g in bad_groups(C_in, C_out):
        depth = C_in // g if 1 <= g <= C_in else C_in
        yield Invalid(
            groups_clause,
            f"groups={g} with C_in={C_in}, C_out={C_out}",
            call.but(w=np.ones((C_out, max(depth, 1), *w.shape[2:]), w.dtype), groups=g),
        )


def must_all_raise(calls: Iterable[Invalid], clause: str | None = None) -> None:
    """Each of these invalid calls (those of ``clause`` only, where given) must raise, but for those whose
    rule the backend declares not applicable."""
    for invalid in map(lambda made: Invalid(*made), calls):
        if clause not in (None, invalid.clause):
            continue
        if not_applicable(invalid.call.backend, invalid.rule):
            note(f"not judged: {invalid.why}, as {invalid.rule} is not applicable here")
            continue
        invalid.call.must_raise(invalid.clause, invalid.why)


@pytest.mark.clauses("E.2", "G.1")
@conformance
@given(case=small, data=st.data())
def test_groups_that_do_not_divide_are_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    must_all_raise(invalid_convolutions(Call.of(backend, case, x=a.x, w=a.w, b=a.b)), "E.2")


@pytest.mark.clauses("E.3", "S.2")
@conformance
@given(case=small, data=st.data())
def test_wrong_kernel_depth_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    must_all_raise(invalid_convolutions(Call.of(backend, case, x=a.x, w=a.w, b=a.b)), "E.3")


@pytest.mark.clauses("E.4")
@conformance
@given(case=small, data=st.data())
def test_kernel_larger_than_padded_input_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    must_all_raise(invalid_convolutions(Call.of(backend, case, x=a.x, w=a.w, b=None)), "E.4")


@pytest.mark.clauses("E.5")
@conformance
@given(case=small, data=st.data())
def test_stride_or_dilation_below_1_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    # Every parameter, every bad value, every axis: eight calls.
    must_all_raise(invalid_convolutions(Call.of(backend, case, x=a.x, w=a.w, b=a.b)), "E.5")


@pytest.mark.clauses("E.6", "S.3")
@conformance
@given(case=small, data=st.data())
def test_wrong_bias_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    must_all_raise(invalid_convolutions(Call.of(backend, case, x=a.x, w=a.w, b=a.b)), "E.6")


# Each example tries every string: drawn one at a time, the last of them were never reached in 30
# examples. The spellings in another letter case come last, since their check may discard the example.
UNKNOWN_PADDINGS = ("full", "SAME ", "causal", "", "Valid", "Same")


@pytest.mark.clauses("E.7")
@conformance
@given(case=small, data=st.data())
def test_unknown_padding_string_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    for padding in UNKNOWN_PADDINGS:
        call = Call.of(backend, case, x=a.x, w=a.w, b=a.b).but(padding=padding)
        if padding.lower() not in ("valid", "same"):
            call.must_raise("E.7", f"padding={padding!r}")
            continue
        # A spelling in another letter case may be accepted, as the form it spells (E.7).
        actual = call.attempt("E.7")
        expected = None if actual is None else call.but(padding=padding.lower()).attempt("P.4")
        if expected is not None:
            assert_equal(
                actual,
                expected,
                clause="E.7",
                call=call,
                why=f"padding={padding!r} accepted, so computed as {padding.lower()!r}",
            )
