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

The other operations: conv1d and conv3d are the same call with NCH/OIH and NCDHW/OIDHW dimension
numbers; the conv2d gradients are ``jax.vjp`` of the jitted conv and bias add (what ``jax.grad``
runs in training); conv_transpose2d is a conv of the input dilated by the stride (``lhs_dilation``)
with the kernel flipped and its in and out axes swapped group by group, which is how
``lax.conv_transpose`` writes it, through ``conv_general_dilated`` because ``lax.conv_transpose`` has
no groups; lax has no output padding, so the adapter adds it to the end padding and U.4 is not lax's
to meet. Pooling is ``lax.reduce_window`` as flax computes it (max from -inf; the average over every
window position, or over those inside x by a second reduce_window of ones); lax has no ceil mode,
which the backend declares unsupported.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from cnnspec import compile_cache
from cnnspec.backends.protocol import Adapter
from cnnspec.backends.requirements import missing
from cnnspec.findings import known
from cnnspec.geometry import POOLINGS, Padding, Pair

_LAYOUTS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}
_DIMENSION_NUMBERS = _LAYOUTS[2]


def _lax_padding(padding: Any) -> Any:
    """lax's own padding argument: the string as given, or one (low, high) pair per spatial axis."""
    if isinstance(padding, str):
        return padding
    return tuple(tuple(pair) for pair in padding)


def _conv_and_bias(
    x: Any,
    w: Any,
    b: Any,
    *,
    stride: tuple[int, ...],
    padding: Any,
    dilation: tuple[int, ...],
    groups: int,
    layout: tuple[str, str, str],
) -> Any:
    """lax.conv_general_dilated in ``layout`` plus the bias broadcast over the output channels, as flax adds it."""
    from jax import lax

    y = lax.conv_general_dilated(
        x,
        w,
        window_strides=stride,
        padding=padding,
        rhs_dilation=dilation,
        dimension_numbers=layout,
        feature_group_count=groups,
    )
    return y if b is None else y + b.reshape((1, -1) + (1,) * (len(layout[0]) - 2))


_STATIC = ("stride", "padding", "dilation", "groups", "layout")


@functools.cache
def _conv() -> Any:
    """The jitted conv and bias add; the parameters are static, so each distinct call compiles once."""
    import jax

    return jax.jit(_conv_and_bias, static_argnames=_STATIC)


@functools.cache
def _backward() -> Any:
    """The jitted pullback of the conv and bias add (jax.vjp), as jax.grad computes it in training."""
    import jax

    def backward(x: Any, w: Any, b: Any, g: Any, **params: Any) -> Any:
        _, pullback = jax.vjp(functools.partial(_conv_and_bias, **params), x, w, b)
        return pullback(g)

    return jax.jit(backward, static_argnames=_STATIC)


@functools.cache
def _conv_transpose() -> Any:
    """The jitted transposed conv, written the way lax.conv_transpose writes it (a conv of the input
    dilated by the stride, with the kernel flipped and its in and out axes swapped), but through
    lax.conv_general_dilated, which takes groups where lax.conv_transpose does not."""
    import jax
    from jax import lax

    def conv_transpose(
        x: Any, w: Any, b: Any, *, stride: Pair, padding: Any, output_padding: Pair, dilation: Pair, groups: int
    ) -> Any:
        C_in, C_out_g, *kernel = w.shape
        # (C_in, C_out/g, kH, kW) -> (C_out, C_in/g, kH, kW), flipped: group by group, in and out swap.
        w = (
            w.reshape(groups, C_in // groups, C_out_g, *kernel)
            .swapaxes(1, 2)
            .reshape(groups * C_out_g, C_in // groups, *kernel)
        )
        w = lax.rev(w, (2, 3))
        pads = tuple(
            (d * (k - 1) - lo, d * (k - 1) - hi + a)
            for (lo, hi), k, d, a in zip(padding, kernel, dilation, output_padding)
        )
        y = lax.conv_general_dilated(
            x,
            w,
            window_strides=(1, 1),
            padding=pads,
            lhs_dilation=stride,
            rhs_dilation=dilation,
            dimension_numbers=_DIMENSION_NUMBERS,
            feature_group_count=groups,
        )
        return y if b is None else y + b.reshape(1, -1, 1, 1)

    return jax.jit(conv_transpose, static_argnames=("stride", "padding", "output_padding", "dilation", "groups"))


@functools.cache
def _pool() -> Any:
    """The jitted pooling through lax.reduce_window, as flax.linen's max_pool and avg_pool compute it:
    the maximum from -inf, so padding never wins; the average as the window sum over the count of its
    positions (every one, or those inside x for count_include_pad=False, by a second reduce_window of ones)."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    def pool(
        x: Any, *, op: str, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, count_include_pad: bool
    ) -> Any:
        window, strides, dilations = (1, 1, *kernel_size), (1, 1, *stride), (1, 1, *dilation)
        pads = ((0, 0), (0, 0), *((p, p) for p in padding))
        if op == "max_pool2d":
            return lax.reduce_window(
                x, jnp.array(-jnp.inf, x.dtype), lax.max, window, strides, pads, window_dilation=dilations
            )
        sums = lax.reduce_window(x, jnp.array(0, x.dtype), lax.add, window, strides, pads)
        if count_include_pad:
            return sums / (kernel_size[0] * kernel_size[1])
        counts = lax.reduce_window(
            jnp.ones(x.shape[2:], x.dtype),
            jnp.array(0, x.dtype),
            lax.add,
            kernel_size,
            stride,
            tuple((p, p) for p in padding),
        )
        return sums / counts

    return jax.jit(pool, static_argnames=("op", "kernel_size", "stride", "padding", "dilation", "count_include_pad"))


class JaxBackend(Adapter):
    """[V.1] jax.lax.conv_general_dilated on the CPU, with 64-bit mode on, NumPy in and out."""

    name = "jax-cpu"
    known_nonconformance = known("jax-cpu")
    # Each new shape costs an XLA compilation (about 0.05 s here, 0.01 s from the persistent cache): each
    # property runs the part of its covering set that meets every corner, then a few random examples.
    # More is a matter of patience: set covering to "pairs" and max_examples to None on an instance.
    covering = "values"
    max_examples = 4
    not_applicable = {
        "E.6": "lax.conv_general_dilated has no bias argument; the adapter adds the bias, as flax does",
        "U.4": "lax has no output_padding argument: the adapter adds it to the padding at the end, as "
        "lax.conv_transpose's callers do, so no output padding is lax's to reject",
    }

    def __init__(self) -> None:
        self._cache = None
        if self.unavailable() is None:
            import jax

            jax.config.update("jax_enable_x64", True)
            jax.config.update("jax_platforms", "cpu")
            self._cache = compile_cache.directory(f"jax-{jax.__version__}")
            if self._cache is not None:
                # Every compilation kept, however quick: the suite's are many and small.
                jax.config.update("jax_compilation_cache_dir", str(self._cache))
                jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
                jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

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

        cache = "persistent compilation cache on" if self._cache is not None else "no persistent compilation cache"
        return (
            f"jax {jax.__version__} (jaxlib {jaxlib.__version__}), {jax.devices()[0].platform}, jax_enable_x64 on, "
            f"{cache}"
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
        """[V.1] lax.conv_general_dilated with NCHW/OIHW dimension numbers, plus the bias, under jax.jit."""
        return np.asarray(
            _conv()(
                x,
                w,
                b,
                stride=tuple(stride),
                padding=_lax_padding(padding),
                dilation=tuple(dilation),
                groups=groups,
                layout=_DIMENSION_NUMBERS,
            )
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
        """[N.2] lax.conv_general_dilated with NCH/OIH dimension numbers, plus the bias, under jax.jit."""
        return np.asarray(
            _conv()(
                x,
                w,
                b,
                stride=tuple(stride),
                padding=_lax_padding(padding),
                dilation=tuple(dilation),
                groups=groups,
                layout=_LAYOUTS[1],
            )
        )

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
        """[N.2] lax.conv_general_dilated with NCDHW/OIDHW dimension numbers, plus the bias, under jax.jit."""
        return np.asarray(
            _conv()(
                x,
                w,
                b,
                stride=tuple(stride),
                padding=_lax_padding(padding),
                dilation=tuple(dilation),
                groups=groups,
                layout=_LAYOUTS[3],
            )
        )

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
        """[B.1-B.3] jax.vjp of the conv and bias add for grad_output, under jax.jit."""
        gx, gw, gb = _backward()(
            x,
            w,
            b,
            grad_output,
            stride=tuple(stride),
            padding=_lax_padding(padding),
            dilation=tuple(dilation),
            groups=groups,
            layout=_DIMENSION_NUMBERS,
        )
        return np.asarray(gx), np.asarray(gw), None if gb is None else np.asarray(gb)

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
        """[U.1] The conv of x dilated by the stride with the flipped, regrouped IOHW kernel, plus the bias."""
        if not isinstance(padding, str) and min(min(pair) for pair in padding) < 0:
            # lax has no transposed padding to validate: the adapter turns it into the conv's padding, where a
            # negative amount would become a valid, larger one. Refused here, as the mapping's own limit (E.9).
            raise ValueError(f"padding={padding!r}: a transposed convolution's padding must not be negative")
        return np.asarray(
            _conv_transpose()(
                x,
                w,
                b,
                stride=tuple(stride),
                padding=_lax_padding(padding),
                output_padding=tuple(output_padding),
                dilation=tuple(dilation),
                groups=groups,
            )
        )

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] lax.reduce_window of lax.max from -inf, under jax.jit; no ceil mode (``supports``)."""
        _no_ceil_mode(ceil_mode)
        return np.asarray(
            _pool()(
                x,
                op="max_pool2d",
                kernel_size=tuple(kernel_size),
                stride=tuple(stride),
                padding=tuple(padding),
                dilation=tuple(dilation),
                count_include_pad=True,
            )
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
        """[M.3] lax.reduce_window sums over the window's count, under jax.jit; no ceil mode (``supports``)."""
        _no_ceil_mode(ceil_mode)
        return np.asarray(
            _pool()(
                x,
                op="avg_pool2d",
                kernel_size=tuple(kernel_size),
                stride=tuple(stride),
                padding=tuple(padding),
                dilation=(1, 1),
                count_include_pad=count_include_pad,
            )
        )

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """lax.reduce_window has no ceil mode (nor has flax's pooling built on it)."""
        if case.op in POOLINGS and case.ceil_mode:
            return "lax.reduce_window has no ceil mode (flax's max_pool and avg_pool have none either)"
        return None

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """JAX code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        return "\n".join(
            [
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
            ]
        )


def _no_ceil_mode(ceil_mode: bool) -> None:
    if ceil_mode:
        raise ValueError("ceil_mode=True: lax.reduce_window has no ceil mode")


def jax_cpu() -> JaxBackend:
    """jax.lax.conv_general_dilated on the CPU."""
    return JaxBackend()
