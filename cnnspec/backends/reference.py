"""cnnspec's own reference, run as a backend under test: the fast oracle the properties also compare with."""

from __future__ import annotations

import numpy as np

from cnnspec import adjoint, pooling, reference
from cnnspec.backends.protocol import Adapter
from cnnspec.errors import ConvSpecError
from cnnspec.geometry import Padding, Pair


def _snippet(function: str, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
    return (
        f"from {function.rpartition('.')[0]} import {function.rpartition('.')[2]}\n"
        f"y = {function.rpartition('.')[2]}(x, w, b, stride={stride!r}, padding={padding!r}, "
        f"dilation={dilation!r}, groups={groups!r})"
    )


class ReferenceBackend(Adapter):
    """[V.1] cnnspec.reference.conv2d, the fast oracle, as a backend (checked against the scipy oracles)."""

    name = "reference"

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
        return reference.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] cnnspec.reference.conv at rank 1."""
        return reference.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] cnnspec.reference.conv at rank 3."""
        return reference.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv2d_backward(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        grad_output: np.ndarray,
        /,
        *,
        stride: Pair,
        padding: Padding,
        dilation: Pair,
        groups: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """[B.1-B.3] cnnspec.adjoint.conv_grad."""
        return adjoint.conv_grad(x, w, b, grad_output, stride=stride, padding=padding, dilation=dilation, groups=groups)

    # [U.4] The limit every implementation must accept, and no further.
    output_padding_limit = "stride"

    def conv_transpose2d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: Pair,
        padding: Padding,
        output_padding: Pair,
        dilation: Pair,
        groups: int,
    ) -> np.ndarray:
        """[U.1, U.4] cnnspec.adjoint.conv_transpose2d, rejecting output padding of the stride or more."""
        if any(a >= s for a, s in zip(output_padding, stride)):
            raise ConvSpecError(f"output_padding={output_padding} must be below the stride {stride}", "U.4")
        return adjoint.conv_transpose2d(
            x, w, b, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups
        )

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2, E.11] cnnspec.pooling.max_pool2d."""
        return pooling.max_pool2d(
            x,
            pooling.case_of(
                "max_pool2d",
                x,
                kernel=kernel_size,
                stride=stride,
                padding=padding,
                dilation=dilation,
                ceil_mode=ceil_mode,
            ),
        )

    def avg_pool2d(
        self,
        x: np.ndarray,
        /,
        *,
        kernel_size: Pair,
        stride: Pair,
        padding: Pair,
        ceil_mode: bool,
        count_include_pad: bool,
    ) -> np.ndarray:
        """[M.3, E.11] cnnspec.pooling.avg_pool2d."""
        return pooling.avg_pool2d(
            x,
            pooling.case_of(
                "avg_pool2d",
                x,
                kernel=kernel_size,
                stride=stride,
                padding=padding,
                ceil_mode=ceil_mode,
                count_include_pad=count_include_pad,
            ),
        )

    def version(self) -> str:
        """The NumPy version."""
        return f"numpy {np.__version__}, cpu"

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """Code that calls cnnspec's reference on NumPy ``x``, ``w``, ``b``."""
        return _snippet("cnnspec.reference.conv2d", stride, padding, dilation, groups)
