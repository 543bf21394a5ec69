"""Hypothesis strategies: valid conv2d geometries, and arrays for a geometry and dtype.

Geometry and data are drawn apart. ``conv_cases()`` draws a valid ``Case`` by construction (no
filtering) and shrinks towards groups=1, one channel, a 1x1 kernel, stride 1, dilation 1, no padding,
one batch element and the smallest input that fits, whose output is 1x1. ``conv_arrays()`` draws the
data for a case from a seed: data are random, not shrunk, so that examples stay fast however large,
and Hypothesis spends its shrinking on the geometry, where conv bugs live.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from cnnspec.accuracy import exact_integers
from cnnspec.conformance import coverage, covering
from cnnspec.geometry import Case

PaddingForm = Literal["explicit", "valid", "same"]
Values = Literal["integers", "floats"]

# Small integers keep every partial sum exact (A.2): |x|, |w|, |b| <= 4 and K <= 12*5*5 give M < 2^13,
# exact in float32 and float64. float16 (2^11) and bfloat16 (2^8) need smaller ranges (integer_range).
INTEGER_RANGE = 4
# M may double where a property adds two draws (linearity, R.1 and R.2), and double again in its sums.
_HEADROOM = 4
# How far random examples go where a strategy leaves a bound open (None): the covering set goes further,
# to the block sizes 16 and 32 and past them (covering.CONV2D_AXES).
RANDOM_GROUPS, RANDOM_GROUP_CHANNELS, RANDOM_GROUP_FILTERS, RANDOM_EXTRA = 4, 12, 4, 12


def _check(name: str, value: int, low: int) -> None:
    if not isinstance(value, int) or value < low:
        raise InvalidArgument(f"{name}={value!r} must be an integer of at least {low}")


def _check_range(low_name: str, low: int, high_name: str, high: int, floor: int) -> None:
    _check(low_name, low, floor)
    _check(high_name, high, floor)
    if low > high:
        raise InvalidArgument(f"{low_name}={low} must not exceed {high_name}={high}")


def conv_cases(
    *,
    min_batch: int = 1,
    max_batch: int = 3,
    min_groups: int = 1,
    max_groups: int | None = None,
    min_group_channels: int = 1,
    max_group_channels: int | None = None,
    max_group_filters: int | None = None,
    max_kernel: int = 5,
    min_stride: int = 1,
    max_stride: int = 3,
    min_dilation: int = 1,
    max_dilation: int = 3,
    max_padding: int = 3,
    max_extra: int | None = None,
    paddings: tuple[PaddingForm, ...] = ("valid", "explicit", "same"),
    bias: bool | None = None,
    covering_strength: Literal["pairs", "values"] = "pairs",
) -> st.SearchStrategy[Case]:
    """[S.1-S.4, G.1, P.1-P.4, T.1-T.3] Valid conv2d geometries, its covering set first (covering.py).

    ``min_group_channels`` and ``max_group_channels`` bound C_in/groups and ``max_group_filters`` C_out/groups; ``max_padding``
    each explicit amount (never negative: P.5 has its own property); ``max_extra`` how far H and W may
    exceed the smallest size that fits. ``paddings`` names the padding forms to draw; ``bias`` forces
    a bias on or off; ``covering_strength`` how much of the corner catalogue the covering set crosses:
    ``"pairs"`` (covering.CONV2D_PAIRS) or ``"values"`` (each value once). A bound left at None is the property's to leave open: random examples then stop at
    4 groups, 12 channels and 4 filters a group and 12 extra rows, and the covering set goes on to the
    block sizes 16 and 32 and past them. Reaches the corners where kernels break: C_in/groups above 8
    and not a multiple of 8, depthwise with a channel multiplier above 1, output widths above 8 and
    odd, N > 1, non-square kernels, asymmetric padding, stride above the kernel size, and output size 1.
    Shrinks towards the 1x1 case named in the module docstring.
    """
    bounds = covering.Conv2dBounds(
        min_batch,
        max_batch,
        min_groups,
        max_groups,
        min_group_channels,
        max_group_channels,
        max_group_filters,
        max_kernel,
        min_stride,
        max_stride,
        min_dilation,
        max_dilation,
        max_padding,
        max_extra,
        tuple(paddings),
        bias,
        covering_strength,
    )
    max_groups = max(RANDOM_GROUPS, min_groups) if max_groups is None else max_groups
    max_group_channels = (
        max(RANDOM_GROUP_CHANNELS, min_group_channels) if max_group_channels is None else max_group_channels
    )
    max_group_filters = RANDOM_GROUP_FILTERS if max_group_filters is None else max_group_filters
    max_extra = RANDOM_EXTRA if max_extra is None else max_extra
    _check_range("min_batch", min_batch, "max_batch", max_batch, 1)
    _check_range("min_groups", min_groups, "max_groups", max_groups, 1)
    _check_range("min_group_channels", min_group_channels, "max_group_channels", max_group_channels, 1)
    _check("max_group_filters", max_group_filters, 1)
    _check("max_kernel", max_kernel, 1)
    _check_range("min_stride", min_stride, "max_stride", max_stride, 1)
    _check_range("min_dilation", min_dilation, "max_dilation", max_dilation, 1)
    _check("max_padding", max_padding, 0)
    _check("max_extra", max_extra, 0)
    if not paddings or not set(paddings) <= {"explicit", "valid", "same"}:
        raise InvalidArgument(f"paddings={paddings!r} must be a non-empty tuple of 'explicit', 'valid', 'same'")
    if bias not in (None, True, False):
        raise InvalidArgument(f"bias={bias!r} must be None (drawn), True or False")
    if covering_strength not in ("pairs", "values"):
        raise InvalidArgument(f"covering_strength={covering_strength!r} must be 'pairs' or 'values'")

    @st.composite
    def cases(draw: st.DrawFn) -> Case:
        groups = draw(st.integers(min_groups, max_groups))
        # Every example makes the same draws, whatever it picks, so that the shrinker's choices stay
        # aligned: with a varying number of draws it could not shrink an example that fails everywhere.
        # The fewest channels per group half the time, so that depthwise (with a multiplier) is common.
        fewest = draw(st.booleans())
        C_in_g = draw(st.integers(min_group_channels, max_group_channels))
        C_in_g = min_group_channels if fewest else C_in_g
        C_out_g = draw(st.integers(1, max_group_filters))
        kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
        stride = (draw(st.integers(min_stride, max_stride)), draw(st.integers(min_stride, max_stride)))
        dilation = (draw(st.integers(min_dilation, max_dilation)), draw(st.integers(min_dilation, max_dilation)))
        form = draw(st.sampled_from(paddings))
        amount = st.integers(0, max_padding)
        pads = ((draw(amount), draw(amount)), (draw(amount), draw(amount)))
        # The smallest size whose padded extent holds the dilated kernel gives a 1x1 output.
        sizes = []
        for axis in range(2):
            fit = dilation[axis] * (kernel[axis] - 1) + 1 - (sum(pads[axis]) if form == "explicit" else 0)
            sizes.append(max(fit, 1) + draw(st.integers(0, max_extra)))
        return Case.conv2d(
            N=draw(st.integers(min_batch, max_batch)),
            C_in=C_in_g * groups,
            H=sizes[0],
            W=sizes[1],
            C_out=C_out_g * groups,
            kH=kernel[0],
            kW=kernel[1],
            stride=stride,
            padding=pads if form == "explicit" else form,
            dilation=dilation,
            groups=groups,
            bias=draw(st.booleans()) if bias is None else bias,
        )

    # The corners these bounds can reach, as data: a report shows one that no example reached.
    return coverage.declare(
        covering.attach(cases(), lambda: covering.conv2d_cases(bounds), bounds.allows), bounds.reachable()
    )


@dataclass(frozen=True)
class ConvArrays:
    """The data of one example: x, w and b (None without a bias), and the seed that made them."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    seed: int
    values: Values

    def __repr__(self) -> str:
        b = "None" if self.b is None else f"{self.b.shape}"
        return (
            f"ConvArrays(seed={self.seed}, values={self.values!r}, x: {self.x.shape} {self.x.dtype}, "
            f"w: {self.w.shape}, b: {b})"
        )


def integer_range(K: int, dtype: np.dtype | type) -> tuple[int, int | None]:
    """[A.2] The integer range r (values in -r..r) that keeps M <= 2^t / 4 for sums of K products in
    ``dtype``, and, where even r = 1 cannot, the most nonzero weights a filter may keep (else None)."""
    room = exact_integers(dtype) / _HEADROOM
    r = min(INTEGER_RANGE, math.isqrt(int(room // (K + 1))))
    if r >= 1:
        return r, None
    return 1, int(room) - 1  # |x|, |w|, |b| <= 1 with at most room - 1 nonzero taps: M <= room


def make_arrays(case: Case, dtype: np.dtype | type, seed: int, values: Values = "integers") -> ConvArrays:
    """[A.1, A.2] The data of a case from a seed: small integers (exact in ``dtype``, A.2) or standard
    normal floats. Where K is too long for even -1..1 to stay exact (bfloat16 from K = 64 on), each
    filter keeps only as many nonzero taps as stay exact, at random places."""
    rng = np.random.default_rng(seed)
    r, taps = integer_range(case.K, dtype)

    def draw(shape: tuple[int, ...]) -> np.ndarray:
        if values == "integers":
            return rng.integers(-r, r + 1, size=shape).astype(dtype)
        return rng.standard_normal(shape).astype(dtype)

    x, w = draw(case.x_shape), draw(cast(tuple[int, ...], case.w_shape))
    if values == "integers" and taps is not None:
        flat = w.reshape(w.shape[0], -1)
        for o in range(w.shape[0]):
            flat[o, rng.permutation(flat.shape[1])[taps:]] = 0
    b = draw(case.b_shape) if case.b_shape else None
    return ConvArrays(x, w, b, seed, values)


def conv_arrays(case: Case, dtype: np.dtype | type, *, values: Values = "integers") -> st.SearchStrategy[ConvArrays]:
    """[A.1, A.2] Arrays for ``case`` in ``dtype``, from a drawn seed; shrinks towards seed 0."""
    if values not in ("integers", "floats"):
        raise InvalidArgument(f"values={values!r} must be 'integers' or 'floats'")
    return st.integers(0, 2**32 - 1).map(lambda seed: make_arrays(case, dtype, seed, values))


@functools.cache  # one strategy object per set of bounds: a property may ask at every example
def conv_nd_cases(
    *,
    rank: int,
    max_batch: int = 2,
    max_groups: int = 3,
    max_group_channels: int = 4,
    max_group_filters: int = 3,
    max_kernel: int = 3,
    max_stride: int = 3,
    max_dilation: int = 2,
    max_padding: int = 2,
    max_extra: int = 4,
    bias: bool | None = None,
) -> st.SearchStrategy[Case]:
    """[N.1] Valid rank-``rank`` convolution geometries (conv1d, conv3d), its covering set first (the
    bounds are the random examples'; covering.py), each axis with its own kernel
    extent, stride, dilation and padding, in the three padding forms. Shrinks like ``conv_cases``:
    towards groups=1, one channel, kernel 1, stride 1, no padding and an output of extent 1."""
    _check("rank", rank, 1)
    for name, value, low in (
        ("max_batch", max_batch, 1),
        ("max_groups", max_groups, 1),
        ("max_group_channels", max_group_channels, 1),
        ("max_group_filters", max_group_filters, 1),
        ("max_kernel", max_kernel, 1),
        ("max_stride", max_stride, 1),
        ("max_dilation", max_dilation, 1),
        ("max_padding", max_padding, 0),
        ("max_extra", max_extra, 0),
    ):
        _check(name, value, low)

    @st.composite
    def cases(draw: st.DrawFn) -> Case:
        groups = draw(st.integers(1, max_groups))
        C_in_g, C_out_g = draw(st.integers(1, max_group_channels)), draw(st.integers(1, max_group_filters))
        kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(rank))
        stride = tuple(draw(st.integers(1, max_stride)) for _ in range(rank))
        dilation = tuple(draw(st.integers(1, max_dilation)) for _ in range(rank))
        form: Literal["valid", "explicit", "same"] = draw(st.sampled_from(["valid", "explicit", "same"]))
        pads = tuple((draw(st.integers(0, max_padding)), draw(st.integers(0, max_padding))) for _ in range(rank))
        spatial = tuple(
            max(d * (k - 1) + 1 - (sum(p) if form == "explicit" else 0), 1) + draw(st.integers(0, max_extra))
            for k, d, p in zip(kernel, dilation, pads)
        )
        return Case.conv(
            N=draw(st.integers(1, max_batch)),
            C_in=C_in_g * groups,
            C_out=C_out_g * groups,
            spatial=spatial,
            kernel=kernel,
            stride=stride,
            padding=pads if form == "explicit" else form,
            dilation=dilation,
            groups=groups,
            bias=draw(st.booleans()) if bias is None else bias,
        )

    return covering.attach(
        cases(),
        lambda: covering.conv_nd_cases(rank).where(lambda c: bias is None or c.bias == bias),
        lambda c: c.rank == rank and (bias is None or c.bias == bias),
    )


@functools.cache  # one strategy object per set of bounds: a property may ask at every example
def transposed_cases(
    *,
    min_groups: int = 1,
    max_groups: int = 3,
    max_group_channels: int = 4,
    max_group_filters: int = 3,
    max_kernel: int = 4,
    min_stride: int = 1,
    max_stride: int = 3,
    max_dilation: int = 3,
    max_padding: int = 2,
    max_size: int = 6,
    output_padding: bool = True,
    bias: bool | None = None,
) -> st.SearchStrategy[Case]:
    """[U.1, U.4] Valid conv_transpose2d geometries, its covering set first (the size bounds are the random
    examples'; covering.py), with output padding below the stride on each axis
    (the range every implementation must accept) where ``output_padding``, else none. Padding is at
    most what leaves every output extent at least 1 without the output padding. Shrinks towards one channel, a 1x1 kernel, stride
    1, no padding and a 1x1 input."""
    _check_range("min_groups", min_groups, "max_groups", max_groups, 1)
    _check_range("min_stride", min_stride, "max_stride", max_stride, 1)
    for name, value, low in (
        ("max_group_channels", max_group_channels, 1),
        ("max_group_filters", max_group_filters, 1),
        ("max_kernel", max_kernel, 1),
        ("max_dilation", max_dilation, 1),
        ("max_padding", max_padding, 0),
        ("max_size", max_size, 1),
    ):
        _check(name, value, low)

    @st.composite
    def cases(draw: st.DrawFn) -> Case:
        groups = draw(st.integers(min_groups, max_groups))
        C_in_g, C_out_g = draw(st.integers(1, max_group_channels)), draw(st.integers(1, max_group_filters))
        sizes = (draw(st.integers(1, max_size)), draw(st.integers(1, max_size)))
        kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
        stride = (draw(st.integers(min_stride, max_stride)), draw(st.integers(min_stride, max_stride)))
        dilation = (draw(st.integers(1, max_dilation)), draw(st.integers(1, max_dilation)))
        extra = (draw(st.integers(0, stride[0] - 1)), draw(st.integers(0, stride[1] - 1))) if output_padding else (0, 0)
        pads = []
        for n, k, s, d, a in zip(sizes, kernel, stride, dilation, extra):
            # The output extent less one before padding, output padding left out: the same call without
            # it (U.3) must be valid too.
            room = (n - 1) * s + d * (k - 1)
            lo = draw(st.integers(0, min(max_padding, room)))
            pads.append((lo, draw(st.integers(0, min(max_padding, room - lo)))))
        return Case.conv_transpose2d(
            N=draw(st.integers(1, 2)),
            C_in=C_in_g * groups,
            H=sizes[0],
            W=sizes[1],
            C_out=C_out_g * groups,
            kH=kernel[0],
            kW=kernel[1],
            stride=stride,
            padding=(pads[0], pads[1]),
            output_padding=extra,
            dilation=dilation,
            groups=groups,
            bias=draw(st.booleans()) if bias is None else bias,
        )

    def allows(c: Case) -> bool:
        # As drawn: output padding below the stride (none without it), an output of at least 1 without it.
        return (
            (bias is None or c.bias == bias)
            and min_groups <= c.groups
            and min(c.stride) >= min_stride
            and all(a < s if output_padding else a == 0 for a, s in zip(c.output_padding, c.stride))
            and min(c.out_shape[2:]) - max(c.output_padding) >= 1
        )

    return covering.attach(
        cases(),
        lambda: covering.transposed_cases(min_stride=min_stride, output_padding=output_padding).where(allows),
        allows,
    )


@functools.cache  # one strategy object per set of bounds: a property may ask at every example
def pool_cases(
    op: str,
    *,
    max_batch: int = 2,
    max_channels: int = 4,
    max_kernel: int = 4,
    max_stride: int = 3,
    max_dilation: int = 2,
    max_extra: int = 8,
) -> st.SearchStrategy[Case]:
    """[M.1] Valid ``op`` ("max_pool2d" or "avg_pool2d") geometries, its covering set first (the size bounds
    are the random examples'; covering.py): padding up to half the kernel, ceil
    mode on or off, dilation for max pooling, ``count_include_pad`` for average pooling. Shrinks
    towards one channel, a 1x1 kernel, stride 1, no padding and a 1x1 output."""
    if op not in ("max_pool2d", "avg_pool2d"):
        raise InvalidArgument(f"op={op!r} must be 'max_pool2d' or 'avg_pool2d'")
    for name, value in (
        ("max_batch", max_batch),
        ("max_channels", max_channels),
        ("max_kernel", max_kernel),
        ("max_stride", max_stride),
        ("max_dilation", max_dilation),
    ):
        _check(name, value, 1)
    _check("max_extra", max_extra, 0)

    @st.composite
    def cases(draw: st.DrawFn) -> Case:
        kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
        stride = (draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride)))
        dilation = (
            (draw(st.integers(1, max_dilation)), draw(st.integers(1, max_dilation))) if op == "max_pool2d" else (1, 1)
        )
        padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
        # At least the dilation: every window then holds an input element (M.1).
        sizes = [
            max(d * (k - 1) + 1 - 2 * p, d) + draw(st.integers(0, max_extra))
            for k, d, p in zip(kernel, dilation, padding)
        ]
        return Case.pool2d(
            op,
            N=draw(st.integers(1, max_batch)),
            C=draw(st.integers(1, max_channels)),
            H=sizes[0],
            W=sizes[1],
            kernel=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=draw(st.booleans()),
            count_include_pad=draw(st.booleans()),
        )

    return covering.attach(cases(), lambda: covering.pool_cases(op), lambda c: c.op == op)


def arrays_of(
    shapes: dict[str, tuple[int, ...] | None], dtype: np.dtype | type, *, values: Values = "floats", terms: int = 1
) -> st.SearchStrategy[dict[str, np.ndarray | None]]:
    """[A.1, A.2] Arrays of these shapes (None for an absent one) in ``dtype``, from a drawn seed: standard
    normal floats, or integers in the range that keeps sums of ``terms`` products exact (A.2)."""
    if values not in ("integers", "floats"):
        raise InvalidArgument(f"values={values!r} must be 'integers' or 'floats'")

    def make(seed: int) -> dict[str, np.ndarray | None]:
        rng = np.random.default_rng(seed)
        r, _ = integer_range(terms, dtype)
        return {
            name: None
            if shape is None
            else (rng.integers(-r, r + 1, size=shape) if values == "integers" else rng.standard_normal(shape)).astype(
                dtype
            )
            for name, shape in shapes.items()
        }

    return st.integers(0, 2**32 - 1).map(make)


def negative_padding_cases(**bounds: Any) -> st.SearchStrategy[Case]:
    """[P.5] Valid geometries with explicit amounts in [-2, 2], at least one of them negative: a case of
    ``conv_cases(paddings=("explicit",), max_padding=0, **bounds)`` whose input is grown by each crop. The
    covering set has every pattern of signs over the four sides, each with kernels wider than one.
    Shrinks towards a crop of 1 at the top alone."""
    base = conv_cases(paddings=("explicit",), max_padding=0, **bounds)
    amount = st.integers(-2, 2)

    @st.composite
    def cases(draw: st.DrawFn) -> Case:
        case = draw(base)
        top, bottom, left, right = (draw(amount) for _ in range(4))
        pads = ((top if min(top, bottom, left, right) < 0 else -1, bottom), (left, right))
        return covering.with_padding(case, pads)

    key = covering.Conv2dBounds(**{"paddings": ("explicit",), "max_padding": 0, **bounds})
    # The base bounds but for the padding, which the crops make negative.
    either_sign = dataclasses.replace(key, max_padding=2)

    def allows(case: Case) -> bool:
        pads = case.padding
        if isinstance(pads, str) or min(map(min, pads)) >= 0 or max(abs(p) for pair in pads for p in pair) > 2:
            return False
        (top, bottom), (left, right) = pads
        return either_sign.allows(dataclasses.replace(case, padding=((abs(top), abs(bottom)), (abs(left), abs(right)))))

    return coverage.declare(
        covering.attach(cases(), lambda: covering.negative_padding_cases(key), allows), covering.negative_reachable(key)
    )
