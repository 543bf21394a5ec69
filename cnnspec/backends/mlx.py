"""The MLX backend: ``mlx.core.conv2d`` on MLX's CPU device (the ``mlx[cpu]`` build on Linux).

MLX is channels-last, and ``mx.array`` turns a float64 NumPy array into float32 unless it is given the
dtype, so the adapter gives it (as a user who wants float64 must). MLX is channels-last: input ``(N, H, W, C_in)``, weight ``(C_out, kH, kW, C_in/g)``. The adapter moves
the channel axis with MLX's own ``moveaxis`` and back, so an input of another rank reaches MLX as it
is and MLX's own validation decides. Padding maps onto MLX's own forms: symmetric amounts go to
``conv2d``'s ``padding=(p_H, p_W)``; asymmetric ones to ``conv_general``'s ``(low, high)`` lists,
MLX's one asymmetric form; "valid" is ``conv2d``'s default, no padding argument. MLX has no "same"
form, so the backend declares "same" unsupported rather than computing the amounts on MLX's behalf.
MLX has no bias argument; the bias is added after the convolution, as ``mlx.nn.Conv2d`` does, so
rejecting a bias of the wrong shape (E.6) is not MLX's to do. Any other string is passed to
``conv2d``'s padding argument as it is, for MLX to reject (E.7).

The other operations: conv1d and conv3d go to ``conv_general`` (its low/high lists for every
padding); the conv2d gradients are ``mx.vjp`` of the same conv and bias add; conv_transpose2d is
``mx.conv_transpose2d`` with the IOHW weight moved to MLX's (C_out, kH, kW, C_in), declining what it
lacks (groups, asymmetric padding); pooling is ``mlx.nn.MaxPool2d`` and ``AvgPool2d`` on the
channels-last view, declining dilation, ceil mode and ``count_include_pad=False``, which they lack.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnspec.backends.protocol import Adapter
from cnnspec.backends.requirements import missing
from cnnspec.dtypes import BFLOAT16
from cnnspec.findings import finding, known
from cnnspec.geometry import POOLINGS, ExplicitPadding, Padding, Pair


def _mlx_padding(padding: Padding) -> tuple[str, Any]:
    """Which MLX function and which padding argument: conv2d's default, conv2d's pair, or conv_general's lists."""
    if padding == "valid":
        return "conv2d", None
    if isinstance(padding, str):  # "same" never gets here (supports() declines it); "full", say, does
        return "conv2d", padding  # and MLX, which has no string forms, is the one to reject it (E.7)
    (top, bottom), (left, right) = padding
    if top == bottom and left == right:
        return "conv2d", (top, left)
    return "conv_general", ([top, left], [bottom, right])


def _array(a: np.ndarray) -> Any:
    """The MLX array of ``a`` in ``a``'s own dtype: mx.array alone turns float64 into float32, and it
    cannot read ml_dtypes' bfloat16, which goes through float32 (exactly: every bfloat16 is a float32)."""
    import mlx.core as mx

    if a.dtype == BFLOAT16:
        return mx.array(a.astype(np.float32)).astype(mx.bfloat16)
    return mx.array(a, dtype=getattr(mx, a.dtype.name))


def _numpy(y: object) -> np.ndarray:
    """The NumPy array of an MLX array; bfloat16 through float32, exactly."""
    import mlx.core as mx

    if y.dtype == mx.bfloat16:  # type: ignore[attr-defined]
        return np.array(y.astype(mx.float32)).astype(BFLOAT16)  # type: ignore[attr-defined]
    return np.array(y)


def _conv2d(tx: Any, tw: Any, tb: Any, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> Any:
    """MLX's conv of channels-last tx and tw in its padding form for ``padding``, plus the bias, as mlx.nn.Conv2d."""
    import mlx.core as mx

    function, amounts = _mlx_padding(padding)
    if function == "conv_general":
        y = mx.conv_general(tx, tw, stride=stride, padding=amounts, kernel_dilation=dilation, groups=groups)
    elif amounts is None:
        y = mx.conv2d(tx, tw, stride=stride, dilation=dilation, groups=groups)
    else:
        y = mx.conv2d(tx, tw, stride=stride, padding=amounts, dilation=dilation, groups=groups)
    return y if tb is None else y + tb


class MlxBackend(Adapter):
    """[V.1] mlx.core.conv2d (conv_general for asymmetric padding) on the CPU device, NumPy in and out."""

    name = "mlx-cpu"
    known_nonconformance = known("mlx-cpu")
    not_applicable = {"E.6": "mlx.core.conv2d has no bias argument; the adapter adds the bias, as mlx.nn.Conv2d does"}

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: mlx is not installed."""
        return missing("mlx", extra="mlx")

    def version(self) -> str:
        """The mlx version and device."""
        import mlx.core as mx

        return f"mlx {getattr(mx, '__version__', '?')}, {mx.default_device()}"

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """MLX has no "same" padding form, and its CPU convolution has no float64 kernel for groups or
        dilation, nor a grouped conv3d; its conv_transpose2d has symmetric padding and groups=1 only; its pooling layers
        (mlx.nn.MaxPool2d, AvgPool2d) have no dilation and no ceil mode, and always count padding."""
        if case.op in POOLINGS:
            if case.dilation != (1, 1) or case.ceil_mode:
                return "mlx.nn's pooling layers have no dilation and no ceil mode"
            if case.op == "avg_pool2d" and not case.count_include_pad:
                return "mlx.nn.AvgPool2d always counts the zero padding (no count_include_pad=False)"
            return None
        if case.op == "conv_transpose2d":
            if case.groups > 1:
                return "mx.conv_transpose2d supports groups=1 only (its documentation says so)"
            if any(lo != hi for lo, hi in case.padding):
                return "mx.conv_transpose2d takes symmetric padding only"
        if case.padding == "same":
            return "MLX has no 'same' padding form (conv2d takes symmetric amounts, conv_general low/high lists)"
        if case.op == "conv3d" and case.groups > 1:
            return "MLX's conv3d raises 'Can only handle groups != 1 in 1D or 2D convolutions'"
        if np.dtype(dtype) == np.float64 and (case.groups > 1 or any(d != 1 for d in case.dilation)):
            return "MLX's CPU convolution raises 'unsupported data type' for float64 with groups or dilation above 1"
        return None

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
        """[V.1] MLX's conv on the channels-last views of x and w, plus the bias, moved back to NCHW."""
        import mlx.core as mx

        if isinstance(groups, int) and groups == 0:
            raise finding(self.name, "E.2").crash()
        with mx.stream(mx.cpu):
            tx, tw = mx.moveaxis(_array(x), -3, -1), mx.moveaxis(_array(w), 1, -1)
            y = _conv2d(
                tx,
                tw,
                None if b is None else _array(b),
                stride=stride,
                padding=padding,
                dilation=dilation,
                groups=groups,
            )
            return _numpy(mx.moveaxis(y, -1, -3))

    def conv1d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: tuple[int],
        padding: Any,
        dilation: tuple[int],
        groups: int,
    ) -> np.ndarray:
        """[N.2] mx.conv_general on the channels-last views, plus the bias."""
        return self._conv_general(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv3d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: tuple[int, int, int],
        padding: Any,
        dilation: tuple[int, int, int],
        groups: int,
    ) -> np.ndarray:
        """[N.2] mx.conv_general on the channels-last views, plus the bias."""
        return self._conv_general(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def _conv_general(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        *,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
    ) -> np.ndarray:
        import mlx.core as mx

        if isinstance(groups, int) and groups == 0:
            raise finding(self.name, "E.2").crash()
        with mx.stream(mx.cpu):
            tx, tw = mx.moveaxis(_array(x), 1, -1), mx.moveaxis(_array(w), 1, -1)
            # conv_general's padding: 0 for "valid", else its (low, high) lists; "same" is declined by supports().
            amounts: Any = (
                0
                if padding == "valid"
                else padding
                if isinstance(padding, str)
                else ([lo for lo, _ in padding], [hi for _, hi in padding])
            )
            y = mx.conv_general(
                tx, tw, stride=list(stride), padding=amounts, kernel_dilation=list(dilation), groups=groups
            )
            if b is not None:
                y = y + _array(b)
            return _numpy(mx.moveaxis(y, -1, 1))

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
        """[B.1-B.3] mx.vjp of the conv and bias add (channels-last) for grad_output, moved back to NCHW."""
        import mlx.core as mx

        if len(x) == 0:
            raise finding(self.name, "E.13").crash()

        def forward(*primals: Any) -> Any:
            return _conv2d(
                primals[0],
                primals[1],
                primals[2] if b is not None else None,
                stride=stride,
                padding=padding,
                dilation=dilation,
                groups=groups,
            )

        with mx.stream(mx.cpu):
            primals = [mx.moveaxis(_array(x), -3, -1), mx.moveaxis(_array(w), 1, -1)]
            if b is not None:
                primals.append(_array(b))
            _, grads = mx.vjp(forward, primals, [mx.moveaxis(_array(grad_output), -3, -1)])
            gx, gw = _numpy(mx.moveaxis(grads[0], -1, -3)), _numpy(mx.moveaxis(grads[1], -1, 1))
            return gx, gw, None if b is None else _numpy(grads[2])

    def conv_transpose2d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: Pair,
        padding: ExplicitPadding,
        output_padding: Pair,
        dilation: Pair,
        groups: int,
    ) -> np.ndarray:
        """[U.1] mx.conv_transpose2d, the IOHW weight as MLX's (C_out, kH, kW, C_in), plus the bias; its
        padding is symmetric (``supports`` declines the rest)."""
        import mlx.core as mx

        if isinstance(groups, int) and groups == 0:
            raise finding(self.name, "E.2").crash()
        (top, _), (left, _) = padding
        with mx.stream(mx.cpu):
            tx, tw = mx.moveaxis(_array(x), -3, -1), mx.transpose(_array(w), (1, 2, 3, 0))
            y = mx.conv_transpose2d(
                tx,
                tw,
                stride=stride,
                padding=(top, left),
                dilation=dilation,
                output_padding=output_padding,
                groups=groups,
            )
            if b is not None:
                y = y + _array(b)
            return _numpy(mx.moveaxis(y, -1, -3))

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] mlx.nn.MaxPool2d on the channels-last view (no dilation, no ceil mode: ``supports``)."""
        import mlx.nn as nn

        if tuple(dilation) != (1, 1) or ceil_mode:
            # The layer cannot express them: refused here rather than dropped (an invalid dilation too).
            raise NotImplementedError("mlx.nn.MaxPool2d has no dilation and no ceil mode")
        return self._pool(nn.MaxPool2d(kernel_size, stride, padding), x)

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
        """[M.3] mlx.nn.AvgPool2d on the channels-last view (padding counted, no ceil mode: ``supports``)."""
        import mlx.nn as nn

        if ceil_mode or not count_include_pad:
            raise NotImplementedError("mlx.nn.AvgPool2d has no ceil mode and always counts the padding")
        return self._pool(nn.AvgPool2d(kernel_size, stride, padding), x)

    def _pool(self, layer: Any, x: np.ndarray) -> np.ndarray:
        import mlx.core as mx

        with mx.stream(mx.cpu):
            return _numpy(mx.moveaxis(layer(mx.moveaxis(_array(x), -3, -1)), -1, -3))

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """MLX code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        function, amounts = _mlx_padding(padding)
        if function == "conv_general":
            call = (
                f"mx.conv_general(tx, tw, stride={stride!r}, padding={amounts!r}, kernel_dilation={dilation!r}, "
                f"groups={groups!r})"
            )
        else:
            pad = "" if amounts is None else f"padding={amounts!r}, "
            call = f"mx.conv2d(tx, tw, stride={stride!r}, {pad}dilation={dilation!r}, groups={groups!r})"
        return "\n".join(
            [
                "import mlx.core as mx",
                "mx.set_default_device(mx.cpu)",
                "def array(a):  # bfloat16 through float32, exactly",
                "    if a.dtype.name == 'bfloat16':",
                "        return mx.array(a.astype(np.float32)).astype(mx.bfloat16)",
                "    return mx.array(a, dtype=getattr(mx, a.dtype.name))",
                "tx, tw = mx.moveaxis(array(x), -3, -1), mx.moveaxis(array(w), 1, -1)",
                f"y = {call}",
                "if b is not None:",
                "    y = y + array(b)",
                "y = mx.moveaxis(y, -1, -3)",
                "y = np.array(y.astype(mx.float32)).astype(x.dtype) if y.dtype == mx.bfloat16 else np.array(y)",
            ]
        )


def mlx_cpu() -> MlxBackend:
    """mlx.core.conv2d on the CPU device."""
    return MlxBackend()
