"""The scipy.signal oracle run as a backend under test: sums of 2-D correlations, the spec's V.3 read literally."""

from __future__ import annotations

import numpy as np
import scipy

from cnnspec import oracles
from cnnspec.backends.protocol import Adapter, KnownNonconformance
from cnnspec.backends.reference import _snippet
from cnnspec.geometry import Padding, Pair


class ScipyBackend(Adapter):
    """[V.3] Sums of scipy.signal.correlate2d over each group's channels, as a backend."""

    name = "scipy"
    # The oracle dilates by zero-inserting the kernel, so an infinite input that a dilated kernel steps
    # over is still multiplied, by 0, and gives NaN: right for finite values, which it exists to check.
    known_nonconformance = (
        KnownNonconformance(
            test="test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",
            reason="[A.8] dilation as a zero-inserted kernel multiplies the inputs between taps by 0, so an "
            "infinity there gives NaN (the oracle is for finite values)",
        ),
    )

    def conv2d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: Pair,
        padding: Padding,
        dilation: Pair,
        groups: int,
    ) -> np.ndarray:
        return oracles.conv2d_correlate2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv1d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: tuple[int],
        padding: object,
        dilation: tuple[int],
        groups: int,
    ) -> np.ndarray:
        """[N.2] Each output map as one 2-D scipy.signal.correlate of its group's stack."""
        return oracles.conv_correlate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv3d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: tuple[int, int, int],
        padding: object,
        dilation: tuple[int, int, int],
        groups: int,
    ) -> np.ndarray:
        """[N.2] Each output map as one 4-D scipy.signal.correlate of its group's stack."""
        return oracles.conv_correlate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def version(self) -> str:
        """The SciPy version."""
        return f"scipy {scipy.__version__}, cpu"

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """Code that calls the scipy oracle on NumPy ``x``, ``w``, ``b``."""
        return _snippet("cnnspec.oracles.conv2d_correlate2d", stride, padding, dilation, groups)
