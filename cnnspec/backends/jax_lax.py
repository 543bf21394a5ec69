"""The JAX backend: ``jax.lax.conv_general_dilated`` on the CPU, the convolution under ``flax``,
``jax.numpy`` and every JAX model.

The call maps one to one: NCHW/OIHW through lax's own ``dimension_numbers``, lax's own padding forms
(the strings, which lax reads in any letter case, passed as given; per-axis ``(low, high)`` pairs,
which lax lets be negative), ``rhs_dilation`` for the spec's dilation, ``feature_group_count`` for
groups. The call is ``jax.jit``-compiled, as JAX code runs in practice; each new shape compiles once,
so the backend asks for at most 30 examples a property (``max_examples``), which the report shows.
lax has no bias argument: the bias is added inside the same jitted function, broadcast over the
output channels, as flax's ``nn.Conv`` does, so rejecting a bias of the wrong shape (E.6) is not
lax's to do.

Float64 needs JAX's 64-bit mode, which is off by default (JAX would silently compute float32): the
backend switches it on (``jax_enable_x64``) when it is loaded, as a user who asks for float64 must,
and says so in its version line. The CPU's default precision is full float32: no reduced mode.

XLA's CPU backend flushes subnormal inputs and results to zero in float32, float64 and bfloat16, by
design (jax#16200, "working as intended"; JAX's Sharp Bits), so the backend declares it (A.10);
float16 takes another path and keeps them, as measured.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from cnnspec.backends.requirements import missing
from cnnspec.findings import known
from cnnspec.geometry import Pair, Padding

_DIMENSION_NUMBERS = ("NCHW", "OIHW", "NCHW")


def _lax_padding(padding: Padding) -> Any:
    """lax's own padding argument: the string as given, or one (low, high) pair per spatial axis."""
    if isinstance(padding, str):
        return padding
    return tuple(tuple(pair) for pair in padding)


@functools.cache
def _conv() -> Any:
    """The jitted conv and bias add; the parameters are static, so each distinct call compiles once."""
    import jax
    from jax import lax

    def conv(x: Any, w: Any, b: Any, *, stride: Pair, padding: Any, dilation: Pair, groups: int) -> Any:
        y = lax.conv_general_dilated(x, w, window_strides=stride, padding=padding, rhs_dilation=dilation,
                                     dimension_numbers=_DIMENSION_NUMBERS, feature_group_count=groups)
        return y if b is None else y + b.reshape(1, -1, 1, 1)

    return jax.jit(conv, static_argnames=("stride", "padding", "dilation", "groups"))


class JaxBackend:
    """[V.1] jax.lax.conv_general_dilated on the CPU, with 64-bit mode on, NumPy in and out."""

    name = "jax-cpu"
    known_nonconformance = known("jax-cpu")
    # Each new shape costs an XLA compilation (about 0.1 s here): 30 examples a property take about 6 minutes
    # on a 2-core machine, and the default profile's 100 would take 20. More is a matter of patience:
    # set max_examples to None on an instance.
    max_examples = 30
    not_applicable = {"E.6": "lax.conv_general_dilated has no bias argument; the adapter adds the bias, as flax does"}

    def __init__(self) -> None:
        if self.unavailable() is None:
            import jax

            jax.config.update("jax_enable_x64", True)
            jax.config.update("jax_platforms", "cpu")

    def flushes_subnormals(self, dtype: np.dtype) -> bool:
        """[A.10] XLA's CPU backend flushes subnormals, by design, in every dtype but float16."""
        return np.dtype(dtype) != np.float16

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: jax is not installed."""
        return missing("jax", extra="jax")

    def version(self) -> str:
        """The jax and jaxlib versions, the device, and the 64-bit mode."""
        import jax
        import jaxlib

        return f"jax {jax.__version__} (jaxlib {jaxlib.__version__}), {jax.devices()[0].platform}, jax_enable_x64 on"

    def conv2d(
        self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, *, stride: Pair, padding: Padding,
        dilation: Pair, groups: int,
    ) -> np.ndarray:
        """[V.1] lax.conv_general_dilated with NCHW/OIHW dimension numbers, plus the bias, under jax.jit."""
        return np.asarray(_conv()(x, w, b, stride=tuple(stride), padding=_lax_padding(padding),
                                  dilation=tuple(dilation), groups=groups))

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """JAX code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        return "\n".join([
            "import jax",
            "jax.config.update('jax_enable_x64', True)",
            "from jax import lax",
            "@jax.jit",
            "def conv(x, w, b):",
            f"    y = lax.conv_general_dilated(x, w, window_strides={tuple(stride)!r}, "
            f"padding={_lax_padding(padding)!r}, rhs_dilation={tuple(dilation)!r}, "
            f"dimension_numbers={_DIMENSION_NUMBERS!r}, feature_group_count={groups!r})",
            "    return y if b is None else y + b.reshape(1, -1, 1, 1)",
            "y = np.asarray(conv(x, w, b))",
        ])


def jax_cpu() -> JaxBackend:
    """jax.lax.conv_general_dilated on the CPU."""
    return JaxBackend()
