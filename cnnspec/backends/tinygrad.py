"""The tinygrad backend: ``Tensor.conv2d`` on tinygrad's CPU device, which compiles each kernel with clang.

tinygrad takes NCHW and OIHW as they are, a bias argument, and its own padding forms: a pair of
symmetric amounts ``(p_H, p_W)`` or four amounts ``(left, right, top, bottom)``, negative ones
cropping. Symmetric amounts go as the pair and asymmetric ones as the four; "valid" is the default,
no padding argument. tinygrad has no "same" form, so the backend declares it unsupported; any other
string is passed to the padding argument as it is, for tinygrad to reject (E.7).

Compiled kernels are cached on disk (tinygrad's ``CACHEDB``). The backend points that cache at
cnnspec's compile cache (``cnnspec.compile_cache``: one folder per tinygrad version, kept across runs)
before tinygrad is imported, or, with the compile cache off, at a temporary directory of its own, so
that a kernel compiled on another run cannot hide a missing or broken compiler; it is unavailable where
``clang`` (or the compiler named by ``CC``) is missing. Each new shape compiles a kernel (about 0.1 s on
a 2-core machine), so the backend asks for fewer random examples a property (``max_examples``), which
the report shows, after the covering set.

The other operations are tinygrad's own, each taking any number of spatial axes: conv1d and conv3d
are ``Tensor.conv2d`` on a 3-D or 5-D input; the conv2d gradients are ``Tensor.gradient`` (its
autograd) of the same conv; conv_transpose2d is ``Tensor.conv_transpose2d``, which takes torch's IOHW
weight and the same padding forms; pooling is ``Tensor.max_pool2d`` and ``avg_pool2d``, with
dilation, ceil mode and ``count_include_pad``.

``tinygrad-nn-cpu`` calls the conv layer instead (``tinygrad.nn.Conv2d``), which adds its own "same"
arithmetic and weight loading in front of the same Tensor method.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import tempfile
from typing import Any

import numpy as np

from cnnspec import compile_cache
from cnnspec.backends.protocol import Adapter
from cnnspec.backends.requirements import missing, missing_program
from cnnspec.dtypes import BFLOAT16
from cnnspec.findings import known
from cnnspec.geometry import POOLINGS, Padding, Pair


def _tinygrad_padding(padding: Any) -> Any:
    """tinygrad's padding argument: None for its default, one symmetric amount per axis ((p_H, p_W) for
    conv2d), or (low, high) pairs last axis first ((left, right, top, bottom) for conv2d)."""
    if padding == "valid":
        return None
    if isinstance(padding, str):  # "same" never gets here (supports() declines it); "full", say, does
        return padding  # and tinygrad, which has no string forms, is the one to reject it (E.7)
    if all(lo == hi for lo, hi in padding):
        return tuple(lo for lo, _ in padding)
    return tuple(v for lo, hi in reversed(padding) for v in (lo, hi))


def _tensor(a: np.ndarray) -> Any:
    """A tensor of ``a`` on the CPU device. bfloat16 goes in as float32 and through tinygrad's own cast
    (exact): a bfloat16 buffer makes the CPU device emit ``__bf16``, which clang before 15 rejects for
    its x86-64 target."""
    from tinygrad import Tensor, dtypes

    if a.dtype == BFLOAT16:
        return Tensor(a.astype(np.float32), device="CPU").cast(dtypes.bfloat16)
    return Tensor(a, device="CPU")


@functools.cache
def _clang_major() -> int:
    """The major version of the C compiler tinygrad's CPU device runs (0 where it cannot be read)."""
    try:
        out = subprocess.run([os.environ.get("CC", "clang"), "--version"], capture_output=True, text=True).stdout
    except OSError:
        return 0
    found = re.search(r"clang version (\d+)", out)
    return int(found.group(1)) if found else 0


def _numpy(t: Any, dtype: np.dtype) -> np.ndarray:
    """A tensor as NumPy in ``dtype``: tinygrad gives a bfloat16 tensor to NumPy as float32 (NumPy has no
    bfloat16), whose values are bfloat16's."""
    return t.numpy().astype(BFLOAT16) if dtype == BFLOAT16 else t.numpy()


def _conv(tx: Any, tw: Any, tb: Any, *, stride: Any, padding: Any, dilation: Any, groups: int) -> Any:
    """Tensor.conv2d in tinygrad's padding form for ``padding`` (no argument for "valid", its default)."""
    amounts = _tinygrad_padding(padding)
    options: dict[str, Any] = {} if amounts is None else {"padding": amounts}
    return tx.conv2d(tw, tb, groups=groups, stride=stride, dilation=dilation, **options)


class TinygradBackend(Adapter):
    """[V.1] tinygrad's Tensor.conv2d on the CPU device (clang), NumPy in and out."""

    name = "tinygrad-cpu"
    known_nonconformance = known("tinygrad-cpu")
    # Each new shape costs tinygrad a kernel compilation (about 0.1 s on a 2-core machine): each property
    # runs the part of its covering set that meets every corner, then a few random examples.
    covering = "values"
    max_examples = 1

    def __init__(self) -> None:
        self._private: tempfile.TemporaryDirectory | None = None
        self._cache = None
        if self.unavailable() is None:
            from importlib.metadata import version

            self._cache = compile_cache.directory(f"tinygrad-{version('tinygrad')}")
            if self._cache is None:  # a kernel compiled on another run must not hide a missing compiler
                self._private = tempfile.TemporaryDirectory(prefix="cnnspec-tinygrad-")
            os.environ["CACHEDB"] = os.path.join(self._cache or self._private.name, "cache.db")  # type: ignore[union-attr]
            helpers = sys.modules.get("tinygrad.helpers")
            if helpers is not None:  # imported before this backend: its cache path is already read
                setattr(helpers, "CACHEDB", os.environ["CACHEDB"])

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: tinygrad is not installed, or its CPU device has no C compiler."""
        return missing("tinygrad", extra="tinygrad") or missing_program(
            os.environ.get("CC", "clang"),
            why="tinygrad's CPU device compiles its kernels with it; on Debian or Ubuntu: apt-get install clang",
        )

    def version(self) -> str:
        """The tinygrad version and device."""
        from importlib.metadata import version

        cache = "persistent kernel cache on" if self._cache is not None else "private kernel cache"
        return f"tinygrad {version('tinygrad')}, CPU ({os.environ.get('CC', 'clang')}), {cache}"

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """tinygrad has no "same" padding form; its bfloat16 max pooling needs a compiler with __bf16."""
        if case.op in POOLINGS:
            if case.op == "max_pool2d" and dtype == BFLOAT16 and _clang_major() < 15:
                return (
                    f"tinygrad's bfloat16 max-pooling kernel keeps a __bf16 buffer, which clang "
                    f"{_clang_major()} rejects for x86-64 (clang 15 and later accept it)"
                )
            return None
        if case.padding == "same":
            return "tinygrad has no 'same' padding form (conv2d takes a pair or (left, right, top, bottom))"
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
        """[V.1] Tensor.conv2d on the CPU device."""
        return _numpy(
            _conv(
                _tensor(x),
                _tensor(w),
                None if b is None else _tensor(b),
                stride=stride,
                padding=padding,
                dilation=dilation,
                groups=groups,
            ),
            x.dtype,
        )

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
        """[N.2] Tensor.conv2d, which takes any number of spatial axes, on a 3-D input."""
        return self.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # type: ignore[arg-type]

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
        """[N.2] Tensor.conv2d, which takes any number of spatial axes, on a 5-D input."""
        return self.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)  # type: ignore[arg-type]

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
        """[B.1-B.3] Tensor.gradient of Tensor.conv2d for grad_output (tinygrad's autograd)."""
        leaves = [_tensor(x), _tensor(w)] + ([] if b is None else [_tensor(b)])
        y = _conv(
            leaves[0],
            leaves[1],
            leaves[2] if b is not None else None,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )
        grads = [_numpy(g, x.dtype) for g in y.gradient(*leaves, gradient=_tensor(grad_output))]
        return grads[0], grads[1], grads[2] if b is not None else None

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
        """[U.1] Tensor.conv_transpose2d (torch's IOHW weight; padding (left, right, top, bottom) where asymmetric)."""
        amounts = _tinygrad_padding(padding)
        y = _tensor(x).conv_transpose2d(
            _tensor(w),
            None if b is None else _tensor(b),
            groups=groups,
            stride=stride,
            dilation=dilation,
            padding=0 if amounts is None else amounts,
            output_padding=output_padding,
        )
        return _numpy(y, x.dtype)

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] Tensor.max_pool2d."""
        y = _tensor(x).max_pool2d(kernel_size, stride, dilation, padding, ceil_mode)
        return _numpy(y, x.dtype)

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
        """[M.3] Tensor.avg_pool2d."""
        y = _tensor(x).avg_pool2d(kernel_size, stride, 1, padding, ceil_mode, count_include_pad)
        return _numpy(y, x.dtype)

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """tinygrad code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        amounts = _tinygrad_padding(padding)
        pad = "" if amounts is None else f", padding={amounts!r}"
        return "\n".join(
            [
                "from tinygrad import Tensor, dtypes",
                "def tensor(a):  # bfloat16 through float32 and tinygrad's own cast",
                "    if a.dtype.name == 'bfloat16':",
                "        return Tensor(a.astype(np.float32), device='CPU').cast(dtypes.bfloat16)",
                "    return Tensor(a, device='CPU')",
                "tb = None if b is None else tensor(b)",
                f"y = tensor(x).conv2d(tensor(w), tb, groups={groups!r}, stride={stride!r}, "
                f"dilation={dilation!r}{pad}).numpy().astype(x.dtype)",
            ]
        )


class TinygradLayerBackend(TinygradBackend):
    """[V.1] tinygrad's conv layer (``tinygrad.nn.Conv2d``) rather than the Tensor method: each call builds
    the layer from the weight's shape and the parameters, loads the weight and bias with
    ``nn.state.load_state_dict`` (which checks their shapes), and calls it. The layer has padding rules of
    its own (its "same"), in front of ``Tensor.conv2d``. The other operations' layers add nothing to the
    Tensor methods that tinygrad-cpu tests."""

    name = "tinygrad-nn-cpu"
    known_nonconformance = known("tinygrad-nn-cpu")
    # ConvTranspose2d's call is Tensor.conv_transpose2d with its own attributes, and the other layers are the
    # Tensor methods too: tinygrad-cpu tests them; this backend is for the conv layer's own logic.
    conv1d = conv3d = conv2d_backward = conv_transpose2d = max_pool2d = avg_pool2d = None  # type: ignore[assignment]

    def version(self) -> str:
        """The tinygrad version, device and layers."""
        return super().version() + ", tinygrad.nn layers"

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """The layer takes "same" and amounts, not "valid"; its bfloat16 parameters need clang 15 or later."""
        if getattr(case, "padding", None) == "valid":
            return "tinygrad.nn.Conv2d takes 'same' and amounts, not 'valid' ('only 'same' is supported')"
        if dtype == BFLOAT16 and _clang_major() < 15:
            return (
                f"the layer's bfloat16 parameters are __bf16 buffers, which clang {_clang_major()} rejects for "
                "x86-64 (clang 15 and later accept them)"
            )
        return None

    def _loaded(self, layer: Any, w: np.ndarray, b: np.ndarray | None, dtype: np.dtype) -> Any:
        from tinygrad.nn.state import load_state_dict

        # The layer's own parameters are float32: made in the call's dtype first, so that loading is a copy.
        layer.weight = layer.weight.cast(_tensor(w).dtype)
        if layer.bias is not None:
            layer.bias = layer.bias.cast(_tensor(w).dtype)
        load_state_dict(layer, {"weight": _tensor(w)} | ({} if b is None else {"bias": _tensor(b)}), verbose=False)
        return layer

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
        """[V.1] tinygrad.nn.Conv2d: the "same" and "valid" strings as given, amounts in Tensor.conv2d's form."""
        from tinygrad import nn

        amounts = padding if isinstance(padding, str) else _tinygrad_padding(padding)
        # One stride for both axes as one integer, as user code writes it: the layer compares it with 1
        # (``stride != 1``) to refuse "same", so a pair would make every "same" call a strided one.
        one = stride[0] if isinstance(stride, tuple) and len(set(stride)) == 1 else stride
        layer = nn.Conv2d(
            w.shape[1] * groups,
            w.shape[0],
            tuple(w.shape[2:]),
            stride=one,
            padding=amounts,
            dilation=dilation,
            groups=groups,
            bias=b is not None,
        )
        return _numpy(self._loaded(layer, w, b, x.dtype)(_tensor(x)), x.dtype)

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """tinygrad code that computes a NumPy ``y`` from NumPy float32 or float64 ``x``, ``w``, ``b`` through the layer."""
        amounts = padding if isinstance(padding, str) else _tinygrad_padding(padding) or 0
        one = stride[0] if len(set(stride)) == 1 else stride
        return "\n".join(
            [
                "from tinygrad import Tensor, nn",
                "from tinygrad.nn.state import load_state_dict",
                f"layer = nn.Conv2d(w.shape[1] * {groups!r}, w.shape[0], w.shape[2:], stride={one!r}, "
                f"padding={amounts!r}, dilation={dilation!r}, groups={groups!r}, bias=b is not None)",
                "layer.weight = layer.weight.cast(Tensor(w).dtype)",
                "if b is not None:",
                "    layer.bias = layer.bias.cast(Tensor(b).dtype)",
                "load_state_dict(layer, {'weight': Tensor(w)} | ({} if b is None else {'bias': Tensor(b)}), verbose=False)",
                "y = layer(Tensor(x)).numpy()",
            ]
        )


def tinygrad_nn_cpu() -> TinygradLayerBackend:
    """tinygrad's layers on the CPU device."""
    return TinygradLayerBackend()


def tinygrad_cpu() -> TinygradBackend:
    """tinygrad's conv2d on the CPU device."""
    return TinygradBackend()
