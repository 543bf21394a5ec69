"""The strategies: valid by construction, shrinking to the simplest case, reaching the corners, and
refusing bad bounds by name."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from cnnspec.conformance.strategies import conv_arrays, conv_cases, make_arrays
from cnnspec.geometry import Case


def test_shrinks_to_the_simplest_case():
    # Through @given, as the suite uses it: the last example run is the shrunk one.
    seen = []

    @settings(database=None, deadline=None)
    @given(case=conv_cases())
    def always_fails(case):
        seen.append(case)
        raise AssertionError

    with pytest.raises(AssertionError):
        always_fails()
    assert seen[-1] == Case.conv2d(N=1, C_in=1, H=1, W=1, C_out=1, kH=1, kW=1, padding="valid", bias=False)


def test_a_failure_that_needs_a_stride_shrinks_to_a_small_case():
    case = find(conv_cases(), lambda c: max(c.stride) > 1 and c.groups > 1, settings=settings(database=None))
    assert case.groups == 2 and case.C_in == 2 and case.C_out == 2 and case.kH == case.kW == 1
    assert sorted(case.stride) == [1, 2] and case.out_shape[2:] == (1, 1)


CORNERS = {
    "C_in/groups above 8, not a multiple of 8": lambda c: c.C_in // c.groups > 8 and (c.C_in // c.groups) % 8,
    "depthwise with multiplier above 1": lambda c: c.groups == c.C_in > 1 and c.C_out > c.C_in,
    "output width above 8, odd": lambda c: c.out_shape[3] > 8 and c.out_shape[3] % 2,
    "N above 1": lambda c: c.N > 1,
    "non-square kernel": lambda c: c.kH != c.kW,
    "asymmetric padding": lambda c: (
        not isinstance(c.padding, str) and (c.padding[0][0] != c.padding[0][1] or c.padding[1][0] != c.padding[1][1])
    ),
    "stride above the kernel": lambda c: c.stride[0] > c.kH or c.stride[1] > c.kW,
    "output size 1": lambda c: c.out_shape[2:] == (1, 1),
    "same padding": lambda c: c.padding == "same",
    "dilation above 1": lambda c: max(c.dilation) > 1,
}


def test_the_corners_are_reached_often():
    seen = {name: 0 for name in CORNERS}
    runs = 400

    @settings(max_examples=runs, derandomize=True, database=None, deadline=None)
    @given(case=conv_cases())
    def sample(case):
        for name, corner in CORNERS.items():
            seen[name] += bool(corner(case))

    sample()
    rare = {name: count for name, count in seen.items() if count < runs * 0.02}
    assert not rare, f"corners reached in under 2% of {runs} examples: {rare}"


@given(case=conv_cases())
def test_every_drawn_case_is_valid_and_has_the_requested_forms(case):
    assert case.out_shape[2] >= 1 and case.out_shape[3] >= 1
    assert case.C_in % case.groups == 0 and case.C_out % case.groups == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_batch": 0}, "min_batch=0 must be an integer of at least 1"),
        ({"min_stride": 3, "max_stride": 2}, "min_stride=3 must not exceed max_stride=2"),
        ({"max_padding": -1}, "max_padding=-1 must be an integer of at least 0"),
        ({"paddings": ("full",)}, "paddings=('full',) must be a non-empty tuple"),
        ({"bias": "yes"}, "bias='yes' must be None"),
    ],
)
def test_bad_bounds_are_refused_when_the_strategy_is_built(kwargs, message):
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        conv_cases(**kwargs)


def test_arrays_are_reproducible_from_their_seed():
    case = Case.conv2d(N=2, C_in=3, H=4, W=5, C_out=2, kH=2, kW=3)
    a, b = make_arrays(case, np.float32, 7), make_arrays(case, np.float32, 7)
    assert all(np.array_equal(p, q) for p, q in ((a.x, b.x), (a.w, b.w), (a.b, b.b)))
    assert a.x.shape == case.x_shape and a.w.dtype == np.float32 and a.b.shape == (2,)
    with pytest.raises(InvalidArgument, match="values='ints'"):
        conv_arrays(case, np.float32, values="ints")
