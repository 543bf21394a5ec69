"""PyTorch backends: torch.nn.functional.conv2d on the CPU paths with separate kernels, and on CUDA.

Each backend maps cnnspec's call one to one onto ``F.conv2d``: torch's own "same" and "valid",
torch's own validation. Torch has no asymmetric padding argument, so asymmetric explicit amounts are
composed from torch's own ``F.pad`` (which crops for negative amounts, P.5) followed by an unpadded
``F.conv2d``; symmetric amounts go to ``F.conv2d`` itself, which rejects negative ones (P.5 allows
both). The CPU variants exist because they are separate kernels with separate bug histories:

- ``torch-cpu``: torch's defaults (oneDNN for float32 where torch's heuristics pick it, the native
  kernels for float64 and the rest);
- ``torch-cpu-nomkldnn``: oneDNN switched off, so float32 runs torch's native kernels too;
- ``torch-cpu-channels-last``: input and weight in channels_last (NHWC) memory format;
- ``torch-nn-cpu``: the layers (``torch.nn.Conv2d`` and friends) rather than the functional calls;
- ``torch-meta``: the meta kernels that torch.compile and FakeTensor trace through (shapes only);
- ``torch-cuda``: cuDNN with TF32 off; ``torch-cuda-tf32``: cuDNN with TF32 on (torch's default for
  conv), a declared reduced-precision mode: float32 is held to A.1 with u = 2^-11.

Arrays go to torch with their strides (``torch.from_numpy``), so strided, channels-last and expanded
inputs reach torch's own kernels for them (V.6). bfloat16, which NumPy lacks, travels as its bits.
float16 and bfloat16 are declared to accumulate in float32 (A.5): torch's CPU kernels sum in float32
(``at::opmath_type``), and so do cuDNN's with torch's default math type; the suite holds them to it.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from cnnspec.accuracy import unit_roundoff
from cnnspec.backends.protocol import Adapter
from cnnspec.dtypes import BFLOAT16
from cnnspec.findings import finding, known
from cnnspec.geometry import ExplicitPadding, Padding, Pair

_TF32_UNIT_ROUNDOFF = 2.0**-11  # TF32 keeps 10 explicit significand bits


def _torch_padding(padding: Any) -> tuple[tuple[int, ...] | None, Any]:
    """F.pad's amounts for asymmetric padding (last axis first: (left, right, top, bottom) for conv2d),
    or None, and the padding argument of F.conv1d, F.conv2d or F.conv3d (one amount per axis)."""
    if isinstance(padding, str):
        return None, padding
    if all(lo == hi for lo, hi in padding):
        return None, tuple(lo for lo, _ in padding)
    return tuple(v for lo, hi in reversed(padding) for v in (lo, hi)), 0


def _tensor(a: np.ndarray) -> Any:
    """A CPU tensor over ``a``'s memory, strides and all; bfloat16 through its bits."""
    import torch

    if a.dtype == BFLOAT16:
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def _array(t: Any) -> np.ndarray:
    """A CPU tensor as a NumPy array; bfloat16 through its bits."""
    import torch

    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(BFLOAT16)
    return t.numpy()


# Looked up once: the guards run on every low-precision CPU call.
_AMX_FINDING = finding("torch-cpu", "A.2")
_WIDTH_1_CRASH = finding("torch-cpu", "N.2")
_DEPTHWISE_FINDING = finding("torch-cpu-channels-last", "G.4")


def _depthwise_multiplier_strided(x: np.ndarray, w: np.ndarray, stride: Any, groups: int) -> bool:
    """Whether a conv2d has the shape of the channels_last finding (G.4): depthwise with a channel
    multiplier above 1 and a stride along the width."""
    try:
        return (
            x.ndim == 4
            and w.ndim == 4
            and groups == x.shape[1] > 1
            and w.shape[1] == 1
            and w.shape[0] > x.shape[1]
            and stride[-1] > 1
        )
    except (TypeError, IndexError):  # an invalid call: torch's to reject
        return False


def _one_column_strided(x: np.ndarray, w: np.ndarray, stride: Any, padding: Any, dilation: Any) -> bool:
    """Whether a conv has the shape of the AMX finding (A.2): one output column and a stride along the width."""
    if isinstance(padding, str) and padding != "valid" or w.ndim < 4:
        return False
    try:
        lo, hi = (0, 0) if padding == "valid" else padding[-1]
        columns = (x.shape[-1] + lo + hi - dilation[-1] * (w.shape[-1] - 1) - 1) // stride[-1] + 1
    except (TypeError, ValueError, IndexError, ZeroDivisionError):  # an invalid call: torch's to reject
        return False
    return columns == 1 and stride[-1] > 1


class TorchBackend(Adapter):
    """[V.1] torch.nn.functional.conv2d on one device and kernel path, NumPy in and out."""

    def __init__(
        self, name: str, *, device: str = "cpu", mkldnn: bool = True, channels_last: bool = False, tf32: bool = False
    ) -> None:
        self.name = name
        self.known_nonconformance = known(name)
        self.device = device
        self.mkldnn = mkldnn
        self.channels_last = channels_last
        self.tf32 = tf32

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: no torch, or no CUDA device for the CUDA backends."""
        try:
            import torch
        except ImportError:
            return "torch is not installed (pip install 'cnnspec[torch]')"
        if self.device == "cuda" and not torch.cuda.is_available():
            return "no CUDA device here (torch.cuda.is_available() is False)"
        return None

    def version(self) -> str:
        """The torch version, the device and the kernel path."""
        import torch

        where = torch.cuda.get_device_name() if self.device == "cuda" else "cpu"
        return f"torch {torch.__version__}, {where}, {self._path()}"

    def unit_roundoff(self, dtype: np.dtype) -> float:
        """[A.1, A.7] 2^-11 for float32 under TF32; the accumulator's unit roundoff otherwise."""
        if self.tf32 and np.dtype(dtype) == np.float32:
            return _TF32_UNIT_ROUNDOFF
        return unit_roundoff(self.accumulates_in(dtype))

    def accumulates_in(self, dtype: np.dtype) -> np.dtype:
        """[A.5] float32 for float16 and bfloat16 (torch's opmath type); the dtype itself otherwise."""
        return np.dtype(np.float32) if np.dtype(dtype) in (np.float16, BFLOAT16) else np.dtype(dtype)

    def _path(self) -> str:
        if self.device == "cuda":
            return "cuDNN, TF32 " + ("on" if self.tf32 else "off")
        return ("oneDNN allowed" if self.mkldnn else "oneDNN off") + (", channels_last" if self.channels_last else "")

    def _refuse_known_wrong(
        self, x: np.ndarray, w: np.ndarray, stride: Any, padding: Any, dilation: Any, groups: int
    ) -> None:
        """[A.2, G.4 findings] Refuse a bfloat16 oneDNN conv of a finding's shape on a machine where it shows,
        with its threads: its answer is wrong there, though not for every call, so that no fixed list of
        tests can hold it."""
        import torch

        if self.device != "cpu" or not self.mkldnn or x.dtype != BFLOAT16:
            return
        if (
            torch.get_num_threads() >= _AMX_FINDING.threads
            and _AMX_FINDING.shows_here()
            and _one_column_strided(x, w, stride, padding, dilation)
        ):
            raise _AMX_FINDING.wrong_answer()
        if (
            self.channels_last
            and torch.get_num_threads() >= _DEPTHWISE_FINDING.threads
            and _DEPTHWISE_FINDING.shows_here()
            and _depthwise_multiplier_strided(x, w, stride, groups)
        ):
            raise _DEPTHWISE_FINDING.wrong_answer()

    def _refuse_known_crash(self, x: np.ndarray, stride: Any, dilation: Any) -> None:
        """[N.2 finding] Refuse a low-precision oneDNN conv1d/conv3d of the shape that segfaults where it shows."""
        if (
            self.device == "cpu"
            and self.mkldnn
            and x.dtype in (np.float16, BFLOAT16)
            and _WIDTH_1_CRASH.shows_here()
            and any(n == 1 and s > 1 and d > 1 for n, s, d in zip(x.shape[2:], stride, dilation))
        ):
            raise _WIDTH_1_CRASH.crash()

    @contextlib.contextmanager
    def _flags(self) -> Iterator[None]:
        import torch

        if self.device == "cuda":
            with torch.backends.cudnn.flags(enabled=True, allow_tf32=self.tf32):
                yield
        elif not self.mkldnn:
            # Only this one flag: mkldnn.flags() would also reset oneDNN's TF32 setting, and warn.
            before = torch.backends.mkldnn.enabled
            torch.backends.mkldnn.enabled = False  # type: ignore[assignment]  # a module-level flag torch types as its descriptor
            try:
                yield
            finally:
                torch.backends.mkldnn.enabled = before
        else:
            yield

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
        """[V.1] F.conv2d on this backend's device and path; asymmetric padding through F.pad first."""
        import torch

        self._refuse_known_wrong(x, w, stride, padding, dilation, groups)
        tx, tw = _tensor(x).to(self.device), _tensor(w).to(self.device)
        tb = None if b is None else _tensor(b).to(self.device)
        pre_pad, torch_padding = _torch_padding(padding)
        if pre_pad is not None:
            tx = self._f("pad")(tx, pre_pad)
        if self.channels_last and tx.dim() == 4:
            tx = tx.contiguous(memory_format=torch.channels_last)
            tw = tw.contiguous(memory_format=torch.channels_last)
        with self._flags():
            y = self._f("conv2d")(tx, tw, tb, stride=stride, padding=torch_padding, dilation=dilation, groups=groups)
        return self._out(y)

    def _f(self, name: str) -> Any:
        """``torch.nn.functional``'s ``name`` as this backend calls it: the function itself here; compiled by
        ``torch.compile`` in the compiled backends (``cnnspec.backends.torch_compile``)."""
        import torch.nn.functional as F

        return getattr(F, name)

    def _out(self, t: Any) -> np.ndarray:
        """A result as NumPy: its values, or on the meta device, which computes shapes and no values, zeros of
        its shape and dtype (the meta backend is judged on shapes and rejections only)."""
        if t.is_meta:
            return np.zeros(tuple(t.shape), _array(t.new_empty((0,), device="cpu")).dtype)
        return _array(t.detach().cpu())

    def _in(self, a: np.ndarray | None, grad: bool = False) -> Any:
        """``a`` as a tensor on this backend's device (channels_last for a 4-D one where asked), a leaf
        that records its gradient where ``grad``."""
        import torch

        if a is None:
            return None
        t = _tensor(a).to(self.device)
        if self.channels_last and t.dim() == 4:
            t = t.contiguous(memory_format=torch.channels_last)
        if grad:
            # A leaf of its own: the bfloat16 tensor is a view of NumPy's int16 memory.
            t = t.clone().requires_grad_()
        return t

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
        """[N.2] F.conv1d; asymmetric padding through F.pad first."""
        return self._conv_nd("conv1d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] F.conv3d; asymmetric padding through F.pad first."""
        return self._conv_nd("conv3d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def _conv_nd(
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

        self._refuse_known_crash(x, stride, dilation)
        self._refuse_known_wrong(x, w, stride, padding, dilation, groups)
        tx, tw, tb = self._in(x), self._in(w), self._in(b)
        pre_pad, torch_padding = _torch_padding(padding)
        if pre_pad is not None:
            tx = self._f("pad")(tx, pre_pad)
        with self._flags():
            y = self._f(op)(tx, tw, tb, stride=stride, padding=torch_padding, dilation=dilation, groups=groups)
        return self._out(y)

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
        """[B.1-B.3] torch.autograd.grad of F.conv2d (after F.pad for asymmetric padding) for grad_output."""
        import torch

        tx, tw, tb = self._in(x, grad=True), self._in(w, grad=True), self._in(b, grad=True)
        pre_pad, torch_padding = _torch_padding(padding)
        with self._flags():
            y = self._f("conv2d")(
                self._f("pad")(tx, pre_pad) if pre_pad is not None else tx,
                tw,
                tb,
                stride=stride,
                padding=torch_padding,
                dilation=dilation,
                groups=groups,
            )
            leaves = [t for t in (tx, tw, tb) if t is not None]
            grads = torch.autograd.grad(y, leaves, self._in(grad_output))
        gx, gw = self._out(grads[0]), self._out(grads[1])
        return gx, gw, None if b is None else self._out(grads[2])

    # [U.4] torch accepts output padding below the stride or below the dilation.
    output_padding_limit = "stride or dilation"

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
        """[U.1] F.conv_transpose2d; torch's padding is symmetric (``supports`` declines the rest)."""

        (top, _), (left, _) = padding
        with self._flags():
            y = self._f("conv_transpose2d")(
                self._in(x),
                self._in(w),
                self._in(b),
                stride=stride,
                padding=(top, left),
                output_padding=output_padding,
                groups=groups,
                dilation=dilation,
            )
        return self._out(y)

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] F.max_pool2d."""

        y = self._f("max_pool2d")(self._in(x), kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)
        return self._out(y)

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
        """[M.3] F.avg_pool2d."""

        y = self._f("avg_pool2d")(
            self._in(x), kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad
        )
        return self._out(y)

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """torch's conv_transpose2d takes one padding amount per axis, applied to both sides."""
        if case.op == "conv_transpose2d" and any(lo != hi for lo, hi in case.padding):
            return "F.conv_transpose2d takes symmetric padding only"
        return None

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """torch code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        lines = [
            "import torch",
            "import torch.nn.functional as F",
            f"device = {self.device!r}",
            "def tensor(a):  # bfloat16 travels as its bits",
            "    return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16) if a.dtype.name == 'bfloat16' "
            "else torch.from_numpy(a)",
            "tx, tw = tensor(x).to(device), tensor(w).to(device)",
            "tb = None if b is None else tensor(b).to(device)",
        ]
        pre_pad, torch_padding = _torch_padding(padding)
        if pre_pad is not None:
            lines.append(f"tx = F.pad(tx, {pre_pad!r})")
        if self.channels_last:
            lines.append("tx, tw = (t.contiguous(memory_format=torch.channels_last) for t in (tx, tw))")
        call = (
            f"F.conv2d(tx, tw, tb, stride={stride!r}, padding={torch_padding!r}, dilation={dilation!r}, "
            f"groups={groups!r}).cpu()"
        )
        if self.device == "cuda":
            lines += [f"with torch.backends.cudnn.flags(enabled=True, allow_tf32={self.tf32}):", f"    y = {call}"]
        elif not self.mkldnn:
            lines += ["torch.backends.mkldnn.enabled = False", f"y = {call}"]
        else:
            lines.append(f"y = {call}")
        lines.append("y = y.view(torch.int16).numpy().view(x.dtype) if y.dtype == torch.bfloat16 else y.numpy()")
        return "\n".join(lines)


def torch_cpu() -> TorchBackend:
    """torch on the CPU with its defaults."""
    return TorchBackend("torch-cpu")


def torch_cpu_nomkldnn() -> TorchBackend:
    """torch on the CPU with oneDNN switched off."""
    return TorchBackend("torch-cpu-nomkldnn", mkldnn=False)


def torch_cpu_channels_last() -> TorchBackend:
    """torch on the CPU with input and weight in channels_last memory format."""
    return TorchBackend("torch-cpu-channels-last", channels_last=True)


def _symmetric(padding: Any) -> Any:
    """A layer's padding argument: the string, or one amount per axis; a layer has no asymmetric padding."""
    if isinstance(padding, str):
        return padding
    if any(lo != hi for lo, hi in padding):
        raise NotImplementedError(f"padding={padding!r}: torch.nn's layers take one amount per axis")
    return tuple(lo for lo, _ in padding)


class TorchLayerBackend(TorchBackend):
    """[V.1, N.2, U.1, M.2, M.3] The layers user code instantiates (``torch.nn.Conv2d`` and friends, padding
    mode zeros) instead of the functional calls: each call builds the layer from the weight's shape and
    the parameters, loads the weight and bias with ``load_state_dict`` (which checks their shapes), and
    calls it. The layers add their own rules (their "same" and "valid", their groups check) in front of
    the functional kernels. No gradients: the layer's are the functional ones'."""

    conv2d_backward = None  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__("torch-nn-cpu")

    def version(self) -> str:
        """The torch version and the layers."""
        import torch

        return f"torch {torch.__version__}, cpu, torch.nn layers"

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """torch.nn's layers take one padding amount per axis, applied to both sides."""
        padding = getattr(case, "padding", "valid")
        if not isinstance(padding, str) and isinstance(padding[0], tuple) and any(lo != hi for lo, hi in padding):
            return "torch.nn's conv layers take symmetric padding only (one amount per axis)"
        return None

    def _loaded(self, layer: Any, w: np.ndarray, b: np.ndarray | None) -> Any:
        state = {"weight": _tensor(w)} | ({} if b is None else {"bias": _tensor(b)})
        layer.load_state_dict(state)
        return layer

    def _conv(
        self,
        rank: int,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        *,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
    ) -> np.ndarray:
        import torch

        if rank != 2:
            self._refuse_known_crash(x, stride, dilation)
        layer_class = getattr(torch.nn, f"Conv{rank}d")
        layer = layer_class(
            w.shape[1] * groups,
            w.shape[0],
            tuple(w.shape[2:]),
            stride=stride,
            padding=_symmetric(padding),
            dilation=dilation,
            groups=groups,
            bias=b is not None,
            padding_mode="zeros",
            dtype=_tensor(x).dtype,
        )
        with torch.no_grad():
            return self._out(self._loaded(layer, w, b)(_tensor(x)))

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
        """[V.1] torch.nn.Conv2d."""
        self._refuse_known_wrong(x, w, stride, padding, dilation, groups)
        return self._conv(2, x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] torch.nn.Conv1d."""
        return self._conv(1, x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[N.2] torch.nn.Conv3d."""
        return self._conv(3, x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

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
        """[U.1] torch.nn.ConvTranspose2d, its IOHW weight as loaded."""
        import torch

        layer = torch.nn.ConvTranspose2d(
            w.shape[0],
            w.shape[1] * groups,
            tuple(w.shape[2:]),
            stride=stride,
            padding=_symmetric(padding),
            output_padding=output_padding,
            groups=groups,
            bias=b is not None,
            dilation=dilation,
            dtype=_tensor(x).dtype,
        )
        with torch.no_grad():
            return self._out(self._loaded(layer, w, b)(_tensor(x)))

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] torch.nn.MaxPool2d."""
        import torch

        return self._out(torch.nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)(_tensor(x)))

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
        """[M.3] torch.nn.AvgPool2d."""
        import torch

        layer = torch.nn.AvgPool2d(
            kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad
        )
        return self._out(layer(_tensor(x)))

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """torch code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` through torch.nn.Conv2d."""
        return "\n".join(
            [
                "import torch",
                "def tensor(a):  # bfloat16 travels as its bits",
                "    return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16) if a.dtype.name == 'bfloat16' "
                "else torch.from_numpy(a)",
                f"layer = torch.nn.Conv2d(w.shape[1] * {groups!r}, w.shape[0], w.shape[2:], stride={stride!r}, "
                f"padding={_symmetric(padding)!r}, dilation={dilation!r}, groups={groups!r}, bias=b is not None, "
                "dtype=tensor(x).dtype)",
                "layer.load_state_dict({'weight': tensor(w)} | ({} if b is None else {'bias': tensor(b)}))",
                "with torch.no_grad():",
                "    y = layer(tensor(x))",
                "y = y.view(torch.int16).numpy().view(x.dtype) if y.dtype == torch.bfloat16 else y.numpy()",
            ]
        )


def torch_nn_cpu() -> TorchLayerBackend:
    """torch.nn's layers on the CPU."""
    return TorchLayerBackend()


class TorchMetaBackend(TorchBackend):
    """[S, E] torch's meta kernels (``device="meta"``): what torch.compile and FakeTensor trace through, which
    compute the output's shape and validate the call but compute no values. Judged on the shape clauses and
    the rejections (E, U.4) only: every value clause is not applicable."""

    def __init__(self) -> None:
        super().__init__("torch-meta", device="meta")

    def version(self) -> str:
        """The torch version and the meta device."""
        import torch

        return f"torch {torch.__version__}, meta device (shapes and validation, no values)"

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """torch code that gives a NumPy ``y`` of the shape and dtype the meta kernels give (zeros: no values)."""
        pre_pad, torch_padding = _torch_padding(padding)
        return "\n".join(
            [
                "import torch",
                "import torch.nn.functional as F",
                "def meta(a):  # shape and dtype only",
                "    return None if a is None else torch.empty(a.shape, dtype=torch.bfloat16 if a.dtype.name == "
                "'bfloat16' else getattr(torch, a.dtype.name), device='meta')",
                "tx = meta(x)" + (f"\ntx = F.pad(tx, {pre_pad!r})" if pre_pad is not None else ""),
                f"y = F.conv2d(tx, meta(w), meta(b), stride={stride!r}, padding={torch_padding!r}, "
                f"dilation={dilation!r}, groups={groups!r})",
                "y = np.zeros(tuple(y.shape), x.dtype)",
            ]
        )


def _value_clauses() -> dict[str, str]:
    from cnnspec.clauses import testable

    reason = "the meta device computes no values, only the output's shape and the call's validation"
    return {clause: reason for clause in testable() if clause[0] not in "SE" and clause != "U.4"}


def torch_meta() -> TorchMetaBackend:
    """torch's meta kernels: shapes and validation, no values."""
    backend = TorchMetaBackend()
    backend.not_applicable = _value_clauses()
    return backend


def torch_cuda() -> TorchBackend:
    """torch on CUDA (cuDNN), TF32 off: float32 held to float32's bound."""
    return TorchBackend("torch-cuda", device="cuda")


def torch_cuda_tf32() -> TorchBackend:
    """torch on CUDA (cuDNN), TF32 on: a declared reduced-precision mode for float32."""
    return TorchBackend("torch-cuda-tf32", device="cuda", tf32=True)
