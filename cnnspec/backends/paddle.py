"""The PaddlePaddle backend: ``paddle.nn.functional`` on Paddle's CPU device.

Each operation is one Paddle call in Paddle's default layouts (NCL, NCHW, NCDHW), which are cnnspec's:
conv1d/conv2d/conv3d are ``F.conv1d``/``F.conv2d``/``F.conv3d``; the conv2d gradients are
``paddle.grad`` of ``F.conv2d``; conv_transpose2d is ``F.conv2d_transpose``, whose weight layout
``(C_in, C_out/g, kH, kW)`` is already cnnspec's IOHW; pooling is ``F.max_pool2d`` and ``F.avg_pool2d``
(``exclusive`` is ``not count_include_pad``). Padding uses Paddle's own forms: "same" and "valid" are
Paddle's "SAME" and "VALID"; explicit amounts are its pairs form, one ``[lo, hi]`` per axis, batch and
channel included, at every rank, symmetric or not. Any other string, negative amounts and every other
argument reach Paddle as they are, so that Paddle's validation is what is tested (E.7, P.5).

Arrays go in with ``paddle.to_tensor`` (a copy: strided NumPy arrays reach Paddle contiguous) and come out
with ``.numpy()``; bfloat16, which ``to_tensor`` cannot read from ml_dtypes, goes through float32 (exactly)
and ``paddle.cast``. Paddle's CPU convolutions have float32 and float64 kernels only, and its pooling no
bfloat16 one, so ``supports`` declines those dtypes with Paddle's reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnnspec.backends.protocol import Adapter
from cnnspec.backends.requirements import missing
from cnnspec.dtypes import BFLOAT16
from cnnspec.findings import finding, known
from cnnspec.geometry import POOLINGS, Padding, Pair

_NO_POOL_DILATION = "paddle.nn.functional.max_pool2d has no dilation argument"


def _paddle_padding(padding: Any) -> Any:
    """Paddle's padding argument: its "SAME"/"VALID" for cnnspec's strings, any other string as it is (for
    Paddle to reject, or accept as the form it spells: E.7), explicit amounts as Paddle's pairs form."""
    if isinstance(padding, str):
        return {"same": "SAME", "valid": "VALID"}.get(padding, padding)
    return [[0, 0], [0, 0], *([lo, hi] for lo, hi in padding)]


def _tensor(a: np.ndarray | None, *, grad: bool = False) -> Any:
    """A CPU tensor of ``a`` in ``a``'s dtype (bfloat16 through float32 and paddle.cast, exactly)."""
    import paddle

    if a is None:
        return None
    t = paddle.cast(paddle.to_tensor(a.astype(np.float32)), "bfloat16") if a.dtype == BFLOAT16 else paddle.to_tensor(a)
    t.stop_gradient = not grad
    return t


def _array(t: Any) -> np.ndarray:
    """The NumPy array of a CPU tensor; bfloat16 through float32, exactly."""
    import paddle

    if t.dtype == paddle.bfloat16:
        return paddle.cast(t, "float32").numpy().astype(BFLOAT16)
    return t.numpy()


def _valid_kernel_too_large(x: np.ndarray, w: np.ndarray, padding: Any, dilation: Any) -> bool:
    """[E.4] Whether this is a "VALID" call (in any letter case) whose dilated kernel exceeds the input on an
    axis: Paddle builds a negative output shape for it and dies of SIGSEGV (finding E.4)."""
    if not (isinstance(padding, str) and padding.lower() == "valid"):
        return False
    try:
        return any(d * (k - 1) + 1 > n for n, k, d in zip(x.shape[2:], w.shape[2:], dilation, strict=True))
    except (TypeError, ValueError):  # ranks or arguments that do not line up: Paddle's to reject
        return False


class PaddleCpu(Adapter):
    """[V.1] paddle.nn.functional's convolutions and pooling on the CPU device, NumPy in and out."""

    name = "paddle-cpu"
    known_nonconformance = known("paddle-cpu")
    # [U.4] Paddle's message says "less than either stride or dilation", but it rejects a >= s with a < d
    # ("Output_height and padding(...) are inconsistent"): the limit it applies is the stride.
    output_padding_limit = "stride"

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: paddle is not installed."""
        return missing("paddle", extra="paddle")

    def version(self) -> str:
        """The paddle version, its commit and the device."""
        import paddle

        return f"paddle {paddle.__version__} ({paddle.version.commit[:10]}), {paddle.get_device()}"

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """Paddle's CPU convolutions have float32 and float64 kernels only, its pool2d no bfloat16 kernel, and
        ``F.max_pool2d`` no dilation: each declined with Paddle's reason, not run into its NotFound error."""
        dtype = np.dtype(dtype)
        if case.op in POOLINGS:
            if case.op == "max_pool2d" and case.dilation != (1, 1):
                return _NO_POOL_DILATION
            if dtype == BFLOAT16:
                return "Paddle's CPU pool2d kernel is registered for float16, float32 and float64, not bfloat16"
            return None
        if dtype in (np.float16, BFLOAT16):
            return (
                f"Paddle's CPU convolution kernels are registered for float32 and float64 only (NotFound: the "
                f"kernel with key (CPU, ..., {dtype.name}) of kernel `conv2d` is not registered)"
            )
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
        """[V.1] F.conv2d."""
        return self._conv("conv2d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] F.conv1d."""
        return self._conv("conv1d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] F.conv3d."""
        return self._conv("conv3d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def _conv(
        self,
        op: str,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        *,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
    ) -> np.ndarray:
        import paddle
        import paddle.nn.functional as F

        if _valid_kernel_too_large(x, w, padding, dilation):
            raise finding(self.name, "E.4").crash()
        with paddle.no_grad():
            y = getattr(F, op)(
                _tensor(x),
                _tensor(w),
                _tensor(b),
                stride=stride,
                padding=_paddle_padding(padding),
                dilation=dilation,
                groups=groups,
            )
        return _array(y)

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
        """[B.1-B.3] paddle.grad of F.conv2d (and its bias) for grad_output."""
        import paddle
        import paddle.nn.functional as F

        if _valid_kernel_too_large(x, w, padding, dilation):
            raise finding(self.name, "E.4").crash()
        tx, tw, tb = _tensor(x, grad=True), _tensor(w, grad=True), _tensor(b, grad=True)
        y = F.conv2d(tx, tw, tb, stride=stride, padding=_paddle_padding(padding), dilation=dilation, groups=groups)
        grads = paddle.grad([y], [t for t in (tx, tw, tb) if t is not None], [_tensor(grad_output)])
        return _array(grads[0]), _array(grads[1]), None if b is None else _array(grads[2])

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
        """[U.1] F.conv2d_transpose: the IOHW weight as it is, the padding in Paddle's pairs form."""
        import paddle
        import paddle.nn.functional as F

        with paddle.no_grad():
            y = F.conv2d_transpose(
                _tensor(x),
                _tensor(w),
                _tensor(b),
                stride=stride,
                padding=_paddle_padding(padding),
                output_padding=output_padding,
                dilation=dilation,
                groups=groups,
            )
        return _array(y)

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] F.max_pool2d (no dilation argument: ``supports`` declines a dilation above 1)."""
        import paddle
        import paddle.nn.functional as F

        if tuple(dilation) != (1, 1):
            # F.max_pool2d cannot express it: refused here rather than dropped (an invalid dilation too).
            raise NotImplementedError(_NO_POOL_DILATION)
        with paddle.no_grad():
            return _array(F.max_pool2d(_tensor(x), kernel_size, stride, padding, ceil_mode=ceil_mode))

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
        """[M.3] F.avg_pool2d; Paddle's ``exclusive`` is ``not count_include_pad``."""
        import paddle
        import paddle.nn.functional as F

        with paddle.no_grad():
            y = F.avg_pool2d(
                _tensor(x), kernel_size, stride, padding, ceil_mode=ceil_mode, exclusive=not count_include_pad
            )
        return _array(y)

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """Paddle code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way ``conv2d`` does."""
        return "\n".join(
            [
                "import paddle",
                "import paddle.nn.functional as F",
                "paddle.set_device('cpu')",
                "def tensor(a):  # bfloat16 through float32 and paddle.cast, exactly",
                "    if a is None or a.dtype.name != 'bfloat16':",
                "        return None if a is None else paddle.to_tensor(a)",
                "    return paddle.cast(paddle.to_tensor(a.astype(np.float32)), 'bfloat16')",
                f"y = F.conv2d(tensor(x), tensor(w), tensor(b), stride={stride!r}, "
                f"padding={_paddle_padding(padding)!r}, dilation={dilation!r}, groups={groups!r})",
                "y = paddle.cast(y, 'float32').numpy().astype(x.dtype) if y.dtype == paddle.bfloat16 else y.numpy()",
            ]
        )


def paddle_cpu() -> PaddleCpu:
    """paddle.nn.functional on the CPU device."""
    import paddle

    paddle.set_device("cpu")  # a GPU build would otherwise default to the GPU
    return PaddleCpu()
