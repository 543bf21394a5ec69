"""[V.7] A call's result does not depend on the calls made before it.

A compiler caches a kernel per call it has seen; a cache keyed on the shapes but not on every parameter
hands a later call the kernel of an earlier one, and a plan that the next call overwrites changes what
the same call gives. Each example calls its case, then the same arrays with one parameter changed
(stride, dilation or padding), then its case again, on integers exact in the dtype (A.2): the same call
must give the same result both times, and the call in between must not give what the first call's
parameters compute. A wrong value that neither explains is left to the properties of its own clause.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import reference
from cnnspec.conformance.checks import Call, Nonconformance, discard, two_calls
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases
from cnnspec.errors import ConvSpecError
from cnnspec.geometry import Case

# Three in a batch, which other properties' cases seldom have: shapes a cache is less likely to hold from them.
cases = conv_cases(min_batch=3, max_batch=3, max_group_channels=4, max_extra=5)


def other_parameters(case: Case) -> list[Case]:
    """``case`` with one parameter changed and the same arrays valid: a stride of 1 or 2, a dilation of 1
    or 2, no padding or some, each where it gives another output. "same" keeps stride 1 (P.4)."""
    stride = (1, 1) if case.stride != (1, 1) else None if case.padding == "same" else (2, 2)
    dilation = (1, 1) if case.dilation != (1, 1) else (2, 2)
    padding = "valid" if case.padding != "valid" and case.padding != ((0, 0), (0, 0)) else ((1, 0), (0, 1))
    others = []
    for change in ({"stride": stride}, {"dilation": dilation}, {"padding": padding}):
        if None in change.values():
            continue
        try:
            others.append(dataclasses.replace(case, **change))
        except (ConvSpecError, ValueError):
            continue  # the kernel does not fit with it
    return others


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


@pytest.mark.clauses("V.7")
@conformance
@given(case=cases, data=st.data())
def test_a_call_does_not_depend_on_the_calls_before_it(backend, dtype, case, data):
    others = other_parameters(case)
    if not others:
        discard(f"no parameter of {case!r} can change with the same arrays")
    other = data.draw(st.sampled_from(others), label="the call between")
    a = data.draw(conv_arrays(case, dtype, values="integers"), label="arrays")
    first = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    between = Call.of(backend, other, x=a.x, w=a.w, b=a.b)
    y1, y2, y3 = first.run_or_discard(), between.run_or_discard(), first.run_or_discard()
    if not _same(y1, y3):
        raise _depends(
            f"gave another result for the same call made again after {between.describe()}",
            between,
            first,
            "print('the same call, again: the same result:', np.array_equal(first_given, y, equal_nan=True))",
        )
    expected = reference.conv2d(a.x, a.w, a.b, **other.params())
    stale = reference.conv2d(a.x, a.w, a.b, **case.params())
    if not _same(y2, expected) and _same(y2, stale) and not _same(expected, stale):
        raise _depends(
            f"gave, right after {first.describe()}, what that call's parameters compute on its arrays",
            first,
            between,
            f"print('the second result is the first call\\'s:', np.array_equal(y, first, equal_nan=True),"
            f" '| its shape:', y.shape, 'but should be', {expected.shape!r})",
        )


def _depends(what: str, earlier: Call, later: Call, show: str) -> Nonconformance:
    return Nonconformance.of(what, "V.7", later, shown_by=two_calls(earlier, later, show))
