"""[P] Padding: explicit amounts are zeros around the input, asymmetric sides are independent, "valid"
is no padding, "same" follows P.4 to the unit, and negative amounts crop or are rejected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.conformance.checks import Call, assert_equal, assert_shape
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases, negative_padding_cases
from cnnspec.geometry import NO_PADDING


@pytest.mark.clauses("P.1", "P.2")
@conformance
@given(case=conv_cases(paddings=("explicit",)), data=st.data())
def test_explicit_padding_is_a_zero_padded_input(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    (top, bottom), (left, right) = case.padding
    padded = call.but(x=np.pad(a.x, ((0, 0), (0, 0), (top, bottom), (left, right))), padding=NO_PADDING)
    assert_equal(
        call.run("P.1"),
        padded.run(),
        clause="P.1",
        call=call,
        why=f"the unpadded result on the input zero-padded by {case.padding}",
    )


@pytest.mark.clauses("P.3")
@conformance
@given(case=conv_cases(paddings=("valid",)), data=st.data())
def test_valid_is_no_padding(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    assert_equal(
        call.run(),
        call.but(padding=NO_PADDING).run(),
        clause="P.3",
        call=call,
        why="the result with padding ((0, 0), (0, 0))",
    )


@pytest.mark.clauses("P.4", "S.4")
@conformance
@given(case=conv_cases(paddings=("same",)), data=st.data())
def test_same_padding_rule(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    # P.4 lets an implementation reject "same" with a stride above 1; it may not answer otherwise.
    out = call.attempt("P.4") if max(case.stride) > 1 else call.run("P.4")
    if out is None:
        return
    assert_shape(out, case.out_shape, dtype, call=call, clause="P.4")
    explicit = call.but(padding=case.pads).run()
    assert_equal(
        out,
        explicit,
        clause="P.4",
        call=call,
        why=f"the result with the explicit amounts {case.pads} of P.4 (odd unit at the bottom and right)",
    )


@pytest.mark.clauses("P.5", "P.2")
@conformance
@given(case=negative_padding_cases(), data=st.data())
def test_negative_padding_crops_or_is_rejected(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    out = call.attempt("P.5")
    if out is None:
        return
    (top, bottom), (left, right) = pads = case.padding
    crop = [max(-p, 0) for p in (top, bottom, left, right)]
    kept = a.x[:, :, crop[0] : case.H - crop[1], crop[2] : case.W - crop[3]]
    positive = tuple((max(p, 0), max(q, 0)) for p, q in pads)
    expected = call.but(x=np.pad(kept, ((0, 0), (0, 0), *positive)), padding=NO_PADDING).run()
    assert_equal(
        out,
        expected,
        clause="P.5",
        call=call,
        why=f"the input cropped by the negative amounts of {pads} and padded by the rest",
    )
