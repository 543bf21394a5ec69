"""[V.6] Memory layout: strided, channels-last and broadcast views give what contiguous arrays give.

NumPy views carry strides, and an adapter that hands them on as they are (``torch.from_numpy`` does)
sends them down the framework's own strided, channels-last and expanded kernel paths; one that copies
tests its copy. Each layout is named with the NumPy expression that makes it, for the reproducer.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import reference
from cnnspec.conformance.checks import Call, assert_equal
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases


def _sliced(a: np.ndarray) -> np.ndarray:
    """Every other column of a larger array, one row down: strides that are not the shape's."""
    return np.repeat(np.pad(a, ((0, 0), (0, 0), (1, 0), (0, 0))), 2, axis=-1)[..., 1:, ::2]


def _channels_last(a: np.ndarray) -> np.ndarray:
    """NHWC (or OHWI) memory seen as NCHW."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def _broadcast(a: np.ndarray) -> np.ndarray:
    """The first element repeated along the leading axis with a zero stride, as torch's expand makes it."""
    return np.broadcast_to(a[:1], a.shape)


# Each layout, and the same as code for a reproducer ({0} is the array's name).
LAYOUTS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "contiguous": (np.ascontiguousarray, "{0}"),
    "sliced": (_sliced, "np.repeat(np.pad({0}, ((0, 0), (0, 0), (1, 0), (0, 0))), 2, axis=-1)[..., 1:, ::2]"),
    "channels-last": (_channels_last, "np.ascontiguousarray({0}.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)"),
    "Fortran-ordered": (np.asfortranarray, "np.asfortranarray({0})"),
    "broadcast": (_broadcast, "np.broadcast_to({0}[:1], {0}.shape)"),
}


@pytest.mark.clauses("V.6", "A.2")
@conformance
@given(case=conv_cases(), data=st.data())
def test_memory_layout_does_not_change_the_result(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    x_layout = data.draw(st.sampled_from(list(LAYOUTS)), label="x layout")
    w_layout = data.draw(st.sampled_from(list(LAYOUTS)), label="w layout")
    x, w = LAYOUTS[x_layout][0](a.x), LAYOUTS[w_layout][0](a.w)
    call = Call.of(backend, case, x=x, w=w, b=a.b)
    expected = reference.conv2d(np.ascontiguousarray(x), np.ascontiguousarray(w), a.b, **case.params())
    assert_equal(
        call.run(clause="V.6"),
        expected,
        clause="V.6",
        call=call,
        why=f"the result of contiguous copies; x {x_layout} ({LAYOUTS[x_layout][1].format('x')}), "
        f"w {w_layout} ({LAYOUTS[w_layout][1].format('w')})",
    )
