"""The torch.compile backends: torch's functional calls compiled by ``torch.compile`` (dynamo and inductor,
on the CPU), each function compiled once per backend and called with every shape the suite makes, as a
user's model is called with the shapes of its data.

- ``torch-compile-cpu``: ``dynamic=False``, static shapes: each new shape is a recompilation, guarded by
  dynamo, in the same compiled function;
- ``torch-compile-dynamic-cpu``: ``dynamic=True``, symbolic shapes from the first call: one graph serves
  every shape its guards admit (extents of 0 and 1 are specialised, so they recompile).

The adapter is torch-cpu's (``cnnspec.backends.torch``) with every ``torch.nn.functional`` call it makes
(conv1d, conv2d, conv3d, F.pad for asymmetric padding, conv_transpose2d, max_pool2d, avg_pool2d) made
through its compiled twin; gradients are ``torch.autograd.grad`` of the compiled forward, whose backward
AOTAutograd compiles with it.

The silent trap: past its recompile limits (8 per function, 256 in all, by default) dynamo runs the
function eagerly without a word, and the suite would be testing eager torch. Here every function is
compiled with ``fullgraph=True`` (a graph break raises rather than falling back to eager), the limits
are raised and ``fail_on_recompile_limit_hit`` is set, so that a call past them raises rather than run
eagerly; and the backend counts the graphs dynamo compiled for it, which its description reports.
Inductor's own FX graph cache is kept in cnnspec's compile cache (``cnnspec.compile_cache``).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from cnnspec import compile_cache
from cnnspec.backends.requirements import missing
from cnnspec.backends.torch import TorchBackend
from cnnspec.findings import known
from cnnspec.geometry import Padding, Pair

# Far past what one run compiles (a few thousand graphs for the ci profile), so that no call is answered
# eagerly; with fail_on_recompile_limit_hit, a run that did reach it raises instead.
_RECOMPILE_LIMIT = 1 << 16


def _compiler() -> str | None:
    """The C++ compiler inductor's CPU code generation calls (``CXX``, else g++ or clang++), or None."""
    for candidate in (os.environ.get("CXX"), "g++", "clang++"):
        if candidate and shutil.which(candidate):
            return candidate
    return None


class TorchCompileBackend(TorchBackend):
    """[V.1] torch.nn.functional's calls compiled by ``torch.compile`` (inductor, CPU), static or dynamic shapes."""

    # Each new shape (static) or guard (dynamic) costs a compilation of about a second on a 2-core machine:
    # each property runs the part of its covering set that meets every corner, then a few random examples.
    covering = "values"
    max_examples = 1

    def __init__(self, name: str, *, dynamic: bool) -> None:
        super().__init__(name)
        self.known_nonconformance = known(name)
        self.dynamic = dynamic
        self._compiled: dict[str, Any] = {}
        self._cache = None
        if self.unavailable() is None:
            import torch

            self._cache = compile_cache.directory(f"torch-inductor-{torch.__version__}")
            if self._cache is not None:
                os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(self._cache))

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: no torch, or no C++ compiler for inductor's CPU kernels."""
        reason = missing("torch", extra="torch")
        if reason:
            return reason
        if _compiler() is None:
            return "inductor compiles its CPU kernels with a C++ compiler, and none is here (apt-get install g++)"
        return None

    def version(self) -> str:
        """The torch version, the shapes mode, and the graphs compiled so far in this process."""
        import torch

        shapes = "dynamic=True" if self.dynamic else "dynamic=False (static shapes)"
        cache = "inductor cache on" if self._cache is not None else "inductor cache off"
        return f"torch {torch.__version__}, torch.compile inductor on the cpu, {shapes}, {cache}"

    def statistics(self) -> dict[str, int]:
        """[report] What compiling cost this run: the graphs dynamo compiled and the calls it captured."""
        from torch._dynamo.utils import counters

        return {"graphs compiled": int(counters["stats"]["unique_graphs"])}

    def _f(self, name: str) -> Any:
        """torch.nn.functional's ``name`` compiled once for this backend, every shape through the one function."""
        if name not in self._compiled:
            import torch
            import torch._dynamo.config as dynamo
            import torch.nn.functional as F

            dynamo.recompile_limit = max(dynamo.recompile_limit, _RECOMPILE_LIMIT)
            dynamo.accumulated_recompile_limit = max(dynamo.accumulated_recompile_limit, _RECOMPILE_LIMIT)
            dynamo.fail_on_recompile_limit_hit = True
            self._compiled[name] = torch.compile(getattr(F, name), fullgraph=True, dynamic=self.dynamic)
        return self._compiled[name]

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """torch code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        eager = super().snippet(stride=stride, padding=padding, dilation=dilation, groups=groups)
        compiled = [
            "import torch._dynamo.config",
            "torch._dynamo.config.fail_on_recompile_limit_hit = True",
            f"conv2d = torch.compile(F.conv2d, fullgraph=True, dynamic={self.dynamic})",
            f"pad = torch.compile(F.pad, fullgraph=True, dynamic={self.dynamic})",
        ]
        lines = eager.split("\n")
        at = lines.index("import torch.nn.functional as F") + 1
        lines[at:at] = compiled
        return "\n".join(line.replace("F.conv2d(tx", "conv2d(tx").replace("F.pad(tx", "pad(tx") for line in lines)


def torch_compile_cpu() -> TorchCompileBackend:
    """torch.compile (inductor) on the CPU, static shapes: each new shape recompiles."""
    return TorchCompileBackend("torch-compile-cpu", dynamic=False)


def torch_compile_dynamic_cpu() -> TorchCompileBackend:
    """torch.compile (inductor) on the CPU with ``dynamic=True``: symbolic shapes."""
    return TorchCompileBackend("torch-compile-dynamic-cpu", dynamic=True)
