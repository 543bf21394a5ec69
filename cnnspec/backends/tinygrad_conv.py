"""The tinygrad backend: ``Tensor.conv2d`` on tinygrad's CPU device, which compiles each kernel with clang.

tinygrad takes NCHW and OIHW as they are, a bias argument, and its own padding forms: a pair of
symmetric amounts ``(p_H, p_W)`` or four amounts ``(left, right, top, bottom)``, negative ones
cropping. Symmetric amounts go as the pair and asymmetric ones as the four; "valid" is the default,
no padding argument. tinygrad has no "same" form, so the backend declares it unsupported; any other
string is passed to the padding argument as it is, for tinygrad to reject (E.7).

Compiled kernels are cached on disk by default (``~/.cache/tinygrad``). The backend points tinygrad's
cache at a temporary directory of its own before tinygrad is imported, so that a kernel compiled on
another run cannot hide a missing or broken compiler, and it is unavailable where ``clang`` (or the
compiler named by ``CC``) is missing. Each new shape compiles a kernel, about a second on a 2-core
machine, so the backend asks for at most 4 examples a property (``max_examples``), which the report shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

import numpy as np

from cnnspec.backends.requirements import missing, missing_program
from cnnspec.findings import known
from cnnspec.geometry import Conv2dCase, Pair, Padding
from cnnspec.reference import BFLOAT16


def _tinygrad_padding(padding: Padding) -> Any:
    """tinygrad's padding argument: None for its default, a symmetric pair, or (left, right, top, bottom)."""
    if padding == "valid":
        return None
    if isinstance(padding, str):  # "same" never gets here (supports() declines it); "full", say, does
        return padding  # and tinygrad, which has no string forms, is the one to reject it (E.7)
    (top, bottom), (left, right) = padding
    if top == bottom and left == right:
        return (top, left)
    return (left, right, top, bottom)


def _tensor(a: np.ndarray) -> Any:
    """A tensor of ``a`` on the CPU device. bfloat16 goes in as float32 and through tinygrad's own cast
    (exact): a bfloat16 buffer makes the CPU device emit ``__bf16``, which clang before 15 rejects for
    its x86-64 target."""
    from tinygrad import Tensor, dtypes

    if a.dtype == BFLOAT16:
        return Tensor(a.astype(np.float32), device="CPU").cast(dtypes.bfloat16)
    return Tensor(a, device="CPU")


class TinygradBackend:
    """[V.1] tinygrad's Tensor.conv2d on the CPU device (clang), with a private kernel cache, NumPy in and out."""

    name = "tinygrad-cpu"
    known_nonconformance = known("tinygrad-cpu")
    # Each new shape costs tinygrad one to three seconds of kernel search and compilation on a 2-core
    # machine, shrinking included, so 30 examples a property take about an hour; 4 keep a run to minutes.
    max_examples = 4

    def __init__(self) -> None:
        self._cache: tempfile.TemporaryDirectory | None = None
        if self.unavailable() is None:
            self._cache = tempfile.TemporaryDirectory(prefix="cnnspec-tinygrad-")
            os.environ["CACHEDB"] = os.path.join(self._cache.name, "cache.db")
            helpers = sys.modules.get("tinygrad.helpers")
            if helpers is not None:  # imported before this backend: its cache path is already read
                helpers.CACHEDB = os.environ["CACHEDB"]

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: tinygrad is not installed, or its CPU device has no C compiler."""
        return missing("tinygrad", extra="tinygrad") or missing_program(
            os.environ.get("CC", "clang"), why="tinygrad's CPU device compiles its kernels with it")

    def version(self) -> str:
        """The tinygrad version and device."""
        from importlib.metadata import version

        return f"tinygrad {version('tinygrad')}, CPU ({os.environ.get('CC', 'clang')}), private kernel cache"

    def supports(self, case: Conv2dCase, dtype: np.dtype) -> str | None:
        """tinygrad has no "same" padding form."""
        if case.padding == "same":
            return "tinygrad has no 'same' padding form (conv2d takes a pair or (left, right, top, bottom))"
        return None

    def conv2d(
        self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, *, stride: Pair, padding: Padding,
        dilation: Pair, groups: int,
    ) -> np.ndarray:
        """[V.1] Tensor.conv2d on the CPU device."""
        amounts = _tinygrad_padding(padding)
        tb = None if b is None else _tensor(b)
        options: dict[str, Any] = {} if amounts is None else {"padding": amounts}
        y = _tensor(x).conv2d(_tensor(w), tb, groups=groups, stride=stride, dilation=dilation, **options)
        # tinygrad gives a bfloat16 tensor to NumPy as float32 (NumPy has no bfloat16); its values are bfloat16's
        return y.numpy().astype(BFLOAT16) if x.dtype == BFLOAT16 else y.numpy()

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """tinygrad code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        amounts = _tinygrad_padding(padding)
        pad = "" if amounts is None else f", padding={amounts!r}"
        return "\n".join([
            "from tinygrad import Tensor, dtypes",
            "def tensor(a):  # bfloat16 through float32 and tinygrad's own cast",
            "    if a.dtype.name == 'bfloat16':",
            "        return Tensor(a.astype(np.float32), device='CPU').cast(dtypes.bfloat16)",
            "    return Tensor(a, device='CPU')",
            "tb = None if b is None else tensor(b)",
            f"y = tensor(x).conv2d(tensor(w), tb, groups={groups!r}, stride={stride!r}, "
            f"dilation={dilation!r}{pad}).numpy().astype(x.dtype)",
        ])


def tinygrad_cpu() -> TinygradBackend:
    """tinygrad's conv2d on the CPU device."""
    return TinygradBackend()
