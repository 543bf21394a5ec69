"""The NumPy backends: cnnspec's own reference and the scipy.signal oracle, run as backends under test."""

from __future__ import annotations

import numpy as np
import scipy

from cnnspec import oracles, reference
from cnnspec.backends import KnownNonconformance
from cnnspec.geometry import Pair, Padding


def _snippet(function: str, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
    return (
        f"from {function.rpartition('.')[0]} import {function.rpartition('.')[2]}\n"
        f"y = {function.rpartition('.')[2]}(x, w, b, stride={stride!r}, padding={padding!r}, "
        f"dilation={dilation!r}, groups={groups!r})"
    )


class ReferenceBackend:
    """[V.1] cnnspec.reference.conv2d, the fast oracle, as a backend (checked against the scipy oracles)."""

    name = "reference"

    def conv2d(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, *, stride: Pair, padding: Padding,
               dilation: Pair, groups: int) -> np.ndarray:
        return reference.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def version(self) -> str:
        """The NumPy version."""
        return f"numpy {np.__version__}, cpu"

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """Code that calls cnnspec's reference on NumPy ``x``, ``w``, ``b``."""
        return _snippet("cnnspec.reference.conv2d", stride, padding, dilation, groups)


class ScipyBackend:
    """[V.3] Sums of scipy.signal.correlate2d over each group's channels, as a backend."""

    name = "scipy"
    # The oracle dilates by zero-inserting the kernel, so an infinite input that a dilated kernel steps
    # over is still multiplied, by 0, and gives NaN: right for finite values, which it exists to check.
    known_nonconformance = (KnownNonconformance(
        test="test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",
        reason="[A.8] dilation as a zero-inserted kernel multiplies the inputs between taps by 0, so an "
               "infinity there gives NaN (the oracle is for finite values)"),)

    def conv2d(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, *, stride: Pair, padding: Padding,
               dilation: Pair, groups: int) -> np.ndarray:
        return oracles.conv2d_correlate2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def version(self) -> str:
        """The SciPy version."""
        return f"scipy {scipy.__version__}, cpu"

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """Code that calls the scipy oracle on NumPy ``x``, ``w``, ``b``."""
        return _snippet("cnnspec.oracles.conv2d_correlate2d", stride, padding, dilation, groups)
