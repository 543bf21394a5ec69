"""The one case type: every operation's case prints as the call that builds it, keeps only its own
parameters, and shrinks (covering failures) within its operation's rules."""

from __future__ import annotations

import pytest

from cnnspec import Case, Conv2dCase
from cnnspec.conformance import shrink
from cnnspec.errors import ConvSpecError
from cnnspec.operations import OPERATIONS

CASES = [
    Case.conv2d(N=2, C_in=4, H=5, W=6, C_out=6, kH=3, kW=2, stride=(2, 1), padding="same", dilation=(1, 2), groups=2),
    Case.conv(1, 3, 2, (7,), (3,), (2,), ((1, 0),), (1,), bias=False),
    Case.conv(1, 2, 2, (4, 5, 6), (2, 1, 3), (1, 1, 2), "valid", (1, 2, 1), groups=2),
    Case.conv_transpose2d(1, 4, 3, 3, 2, 2, 3, stride=(2, 2), padding=((1, 1), (0, 0)), output_padding=(1, 0)),
    Case.pool2d("max_pool2d", 1, 3, 5, 5, (3, 3), (2, 1), padding=(1, 0), dilation=(2, 1), ceil_mode=True),
    Case.pool2d("avg_pool2d", 2, 1, 4, 6, (2, 3), (2, 2), padding=(1, 1), count_include_pad=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.op)
def test_a_case_prints_as_the_call_that_builds_it(case):
    assert eval(repr(case), {"Case": Case}) == case


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.op)
def test_a_case_gives_the_call_of_its_operation(case):
    assert case.op in OPERATIONS
    assert set(case.params()) == set(OPERATIONS[case.op].params)
    assert len(case.out_shape) == len(case.x_shape) == case.rank + 2


def test_the_conv2d_case_keeps_its_shapes_and_old_name():
    case = Conv2dCase(N=1, C_in=6, H=14, W=14, C_out=16, kH=5, kW=5)
    assert case == Case.conv(1, 6, 16, (14, 14), (5, 5), (1, 1), ((0, 0), (0, 0)), (1, 1))
    assert (case.x_shape, case.w_shape, case.out_shape, case.K) == ((1, 6, 14, 14), (16, 6, 5, 5), (1, 16, 10, 10), 150)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Case("conv2d", 1, 1, 1, (3, 3), (1, 1), (1, 1), "valid", (1, 1), ceil_mode=True), "ceil_mode"),
        (
            lambda: Case("conv2d", 1, 1, 1, (3, 3), (1, 1), (1, 1), "valid", (1, 1), output_padding=(0, 0)),
            "output_padding",
        ),
        (lambda: Case("max_pool2d", 1, 1, 1, (3, 3), (1, 1), (1, 1), (0, 0), (1, 1)), "bias"),
        (lambda: Case("conv4d", 1, 1, 1, (3,), (1,), (1,), "valid", (1,)), "operation"),
    ],
)
def test_a_case_refuses_another_operations_parameters(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_a_pooling_keeps_its_channels():
    with pytest.raises(ConvSpecError, match="C_in=2 must be C_out=3"):
        Case("max_pool2d", 1, 2, 3, (3, 3), (1, 1), (1, 1), (0, 0), (1, 1), bias=False)


def test_a_pooling_shrinks_its_channels_together():
    case = Case.pool2d("max_pool2d", 1, 5, 4, 4, (2, 2), (2, 2))
    channels = {c.C for c in shrink.simpler(case) if c.C != case.C}
    assert channels == {1, 3, 4}
