"""Deliberately broken backends, one per bug class that real conv kernels have shipped.

Each is the reference with one bug, named by what it gets wrong; ``CAUGHT_BY`` says which clause the
suite must report for it. tests/test_broken_backends.py runs the conformance suite on each.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from cnnspec import adjoint, pooling, reference
from cnnspec.errors import ConvSpecError
from cnnspec.geometry import explicit_padding, same_padding


class Broken:
    """The reference, to be broken by a subclass; ``conv`` is the call a subclass overrides."""

    @property
    def name(self) -> str:
        return type(self).__name__

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return reference.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv2d(self, x, w, b, /, *, stride, padding, dilation, groups):
        return self.conv(x, w, b, stride, padding, dilation, groups)


def _explicit(x, w, stride, padding, dilation):
    return explicit_padding(padding, x.shape[-2:], w.shape[-2:], stride=stride, dilation=dilation)


class FlippedKernel(Broken):
    """A true convolution: the kernel flipped in both spatial axes (V.2)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(x, np.ascontiguousarray(w[..., ::-1, ::-1]), b, stride, padding, dilation, groups)


class OneKernelForAllChannels(Broken):
    """One 2-D kernel (channel 0's slice) repeated over the input channels (C.1)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(x, np.repeat(w[:, :1], w.shape[1], axis=1), b, stride, padding, dilation, groups)


class GroupsInterleaved(Broken):
    """Output channel o reads group o % g instead of floor(o / (C_out/g)) (G.2)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim != 4:
            return super().conv(x, w, b, stride, padding, dilation, groups)
        C_out, C_in_g = w.shape[:2]
        maps = [
            super(GroupsInterleaved, self).conv(
                x[:, (o % groups) * C_in_g : (o % groups + 1) * C_in_g],
                w[o : o + 1],
                None if b is None else b[o : o + 1],
                stride,
                padding,
                dilation,
                1,
            )
            for o in range(C_out)
        ]
        return np.concatenate(maps, axis=1)


class OutputSizeRoundedUp(Broken):
    """Output size ceil((H + pads - extent) / s) + 1: an extra, partly padded row and column (S.4)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        (top, bottom), (left, right) = _explicit(x, w, stride, padding, dilation)
        return super().conv(
            x, w, b, stride, ((top, bottom + stride[0] - 1), (left, right + stride[1] - 1)), dilation, groups
        )


class BiasPerInputChannel(Broken):
    """The bias added once per input channel of the group, not once per map (V.4)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(x, w, None if b is None else b * w.shape[1], stride, padding, dilation, groups)


class DilationIgnored(Broken):
    """Dilation ignored, though the output size follows it (T.2)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        pads = _explicit(x, w, stride, padding, dilation)
        y = super().conv(x, w, b, stride, pads, (1, 1), groups)
        out = reference.conv2d(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups)
        return y[..., : out.shape[-2], : out.shape[-1]]


class HeightStrideForBoth(Broken):
    """The height stride used for the width too (T.3)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        pads = _explicit(x, w, stride, padding, dilation)
        return super().conv(x, w, b, (stride[0], stride[0]), pads, dilation, groups)


class SameOddUnitOnTop(Broken):
    """ "same" with the odd unit of padding at the top and left, ONNX's SAME_LOWER (P.4)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if padding == "same":
            pads = [
                same_padding(n, k, stride=s, dilation=d)
                for n, k, s, d in zip(x.shape[-2:], w.shape[-2:], stride, dilation)
            ]
            padding = tuple((hi, lo) for lo, hi in pads)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class PaddingTopUsedForBottom(Broken):
    """Asymmetric padding read as symmetric: the top and left amounts used on both sides (P.2)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if not isinstance(padding, str):
            (top, _), (left, _) = padding
            padding = ((top, top), (left, left))
        return super().conv(x, w, b, stride, padding, dilation, groups)


class ValidMeansSame(Broken):
    """ "valid" read as "same", a mix-up of the two padding strings (P.3)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(x, w, b, stride, "same" if padding == "valid" else padding, dilation, groups)


class NegativePaddingAsPositive(Broken):
    """Negative padding taken as its absolute value (P.5)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if not isinstance(padding, str):
            padding = tuple(tuple(abs(p) for p in side) for side in padding)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class StrideOffByOne(Broken):
    """Strided windows that start at s - 1 instead of 0 (T.1)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        pads = _explicit(x, w, stride, padding, dilation)
        y = reference.conv2d(x, w, b, stride=1, padding=pads, dilation=dilation, groups=groups)
        out = reference.conv2d(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups)
        H, W = out.shape[-2:]
        y = np.pad(y, [(0, 0)] * (y.ndim - 2) + [(0, stride[0]), (0, stride[1])])
        return np.ascontiguousarray(y[..., stride[0] - 1 :: stride[0], stride[1] - 1 :: stride[1]][..., :H, :W])


class WidthTailDropped(Broken):
    """A vector kernel of width 8 that zeroes the tail columns when W_out > 8 and not a multiple of 8."""

    axis, block = -1, 8  # the output axis blocked, and by how much

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(x, w, b, stride, padding, dilation, groups)
        n = y.shape[self.axis]
        if n > self.block and n % self.block:
            y = y.copy()
            tail = [slice(None)] * y.ndim
            tail[self.axis] = slice(n - n % self.block, None)
            y[tuple(tail)] = 0
        return y


class ChannelTailDropped(Broken):
    """A channel loop unrolled by 8 that drops the remainder when C_in/groups > 8 and not a multiple of 8."""

    block = 8

    def conv(self, x, w, b, stride, padding, dilation, groups):
        C_in_g = w.shape[1]
        if C_in_g > self.block and C_in_g % self.block:
            w = w.copy()
            w[:, C_in_g - C_in_g % self.block :] = 0
        return super().conv(x, w, b, stride, padding, dilation, groups)


class DepthwiseMultiplierModulo(Broken):
    """Depthwise with multiplier m > 1 reading channel o % C_in instead of floor(o / m) (G.4)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        C_out, C_in = w.shape[0], x.shape[-3]
        if x.ndim == 4 and groups == C_in and groups > 1 and w.shape[1] == 1 and C_out > C_in:
            order = np.array([(o % C_in) * (C_out // C_in) + o // C_in for o in range(C_out)])
            return super().conv(x, w[order], None if b is None else b[order], stride, padding, dilation, groups)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class SkipsChannelsZeroInFirstFilter(Broken):
    """A sparsity shortcut that skips input channel c wherever filter 0's slice is zero (G.5)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 4 and groups == 1:
            dead = ~w[0].any(axis=(-2, -1))
            if dead.any():
                x = x.copy()
                x[:, dead] = 0
        return super().conv(x, w, b, stride, padding, dilation, groups)


class BatchElementZeroForAll(Broken):
    """Every batch element computed from the first (V.5)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 4 and x.shape[0] > 1:
            x = np.repeat(x[:1], x.shape[0], axis=0)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class OutputChannelsReversed(Broken):
    """Within each group, filters written to the output maps in reverse order (R.4)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(x, w, b, stride, padding, dilation, groups)
        C_out_g = w.shape[0] // groups
        order = np.concatenate([g * C_out_g + np.arange(C_out_g)[::-1] for g in range(groups)])
        return np.ascontiguousarray(y[..., order, :, :])


class FusedRelu(Broken):
    """A ReLU fused into the conv by mistake: negative outputs clamped to 0 (R.1)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return np.maximum(super().conv(x, w, b, stride, padding, dilation, groups), 0)


class AccumulatesInFloat16(Broken):
    """float32 and float64 accumulated in float16 (A.1)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(
            x.astype(np.float16),
            w.astype(np.float16),
            None if b is None else b.astype(np.float16),
            stride,
            padding,
            dilation,
            groups,
        )
        return y.astype(x.dtype)


class RoundsInputsLikeTF32(Broken):
    """Inputs and weights rounded to 10 significand bits, as TF32 does, without declaring it (A.1)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(_tf32(x), _tf32(w), b, stride, padding, dilation, groups)


def _tf32(a):
    bits = a.astype(np.float32).view(np.uint32)
    return ((bits + 0x1000) & 0xFFFFE000).view(np.float32).astype(a.dtype)


def _bfloat16(a):
    return a.astype(ml_dtypes.bfloat16).astype(a.dtype)


def _by_input_channel(x, w, b, stride, padding, dilation, groups, accumulate):
    """The conv as a running sum over the input channels of each group, each step through ``accumulate``."""
    C_in_g = w.shape[1]
    y = None
    for c in range(C_in_g):
        part = reference.conv2d(
            x[:, c::C_in_g],
            w[:, c : c + 1],
            b if c == 0 else None,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )
        y = part if y is None else accumulate(y, part)
    return y


LONG = 512  # accumulation lengths only the long-sum properties reach (the others stop at 12*5*5 = 300)


class LongSumsInFloat16(Broken):
    """Sums of 512 terms or more accumulated in float16, as a kernel that picks a half-precision path for
    large layers might; short sums are right (A.5, only the long-sum properties reach it)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim != 4 or w.shape[1] * w.shape[2] * w.shape[3] < LONG:
            return super().conv(x, w, b, stride, padding, dilation, groups)
        return _by_input_channel(
            x,
            w,
            b,
            stride,
            padding,
            dilation,
            groups,
            lambda y, part: (y.astype(np.float16) + part.astype(np.float16)).astype(x.dtype),
        )


class LongSumsRoundedLikeTF32(Broken):
    """TF32 rounding of inputs and weights for sums of 512 terms or more, undeclared, as cuDNN picks
    tensor-core algorithms for large layers (A.5; only the long-sum properties reach it)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 4 and w.shape[1] * w.shape[2] * w.shape[3] >= LONG:
            x, w = _tf32(x), _tf32(w)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class ChannelsBeyond256Dropped(Broken):
    """A kernel whose channel tiles stop at 256: input channels from 256 on are ignored (A.2, long sums)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 4 and w.shape[1] > 256:
            w = w.copy()
            w[:, 256:] = 0
        return super().conv(x, w, b, stride, padding, dilation, groups)


class Float16DeclaredWide(Broken):
    """Declares float32 accumulation for float16 (A.5) but sums in float16 channel by channel."""

    def accumulates_in(self, dtype):
        return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim != 4 or x.dtype != np.float16:
            return super().conv(x, w, b, stride, padding, dilation, groups)
        return _by_input_channel(x, w, b, stride, padding, dilation, groups, lambda y, part: y + part)


class DeclaresTF32RoundsToBfloat16(Broken):
    """Declares TF32 for float32 (u = 2^-11) but rounds inputs and weights to bfloat16's 8 bits (A.7)."""

    def unit_roundoff(self, dtype):
        return 2.0**-11 if np.dtype(dtype) == np.float32 else float(ml_dtypes.finfo(dtype).eps) / 2

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.dtype == np.float32:
            x, w = _bfloat16(x), _bfloat16(w)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class FlushesSubnormals(Broken):
    """Subnormal inputs, weights and results flushed to zero, undeclared (A.10), as DAZ/FTZ kernels do."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        def flush(a):
            if a is None:
                return None
            tiny = ml_dtypes.finfo(a.dtype).smallest_normal
            return np.where(np.abs(a.astype(np.float64)) < tiny, 0, a).astype(a.dtype)

        return flush(super().conv(flush(x), flush(w), flush(b), stride, padding, dilation, groups))


class NaNToZero(Broken):
    """NaN results turned into 0, as a kernel that clamps or uses max(0, .) on its way out might (A.8)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(x, w, b, stride, padding, dilation, groups)
        return np.where(np.isnan(y.astype(np.float64)), 0, y).astype(y.dtype)


class IgnoresStrides(Broken):
    """Reads every array's memory as if it were contiguous NCHW, whatever its strides say (V.6)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        def as_laid_out(a):
            return a.ravel(order="K").reshape(a.shape)

        return super().conv(as_laid_out(x), as_laid_out(w), b, stride, padding, dilation, groups)


class OutputInFloat64(Broken):
    """The result returned in float64 whatever the input dtype (S.5)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(x, w, b, stride, padding, dilation, groups).astype(np.float64)


class UnbatchedAsBatchOfChannels(Broken):
    """A (C, H, W) input taken as C batch elements of one channel... then summed (S.6)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 3:
            per = [
                reference.conv2d(
                    x[None, c : c + 1],
                    w[:, c % w.shape[1] : c % w.shape[1] + 1],
                    None,
                    stride=stride,
                    padding=padding,
                    dilation=dilation,
                )
                for c in range(x.shape[0])
            ]
            y = sum(per)[0]
            return y if b is None else y + b[:, None, None]
        return super().conv(x, w, b, stride, padding, dilation, groups)


class GreyscaleKeepsBatchAxis(Broken):
    """A rank-2 image answered with shape (1, C_out, H_out, W_out) (S.7)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 2:
            return super().conv(x[None, None], w, b, stride, padding, dilation, groups)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class ImpulseOffByOne(Broken):
    """Padding placed one row too low when the top amount is positive: zeros on top, data shifted (P.1)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        pads = _explicit(x, w, stride, padding, dilation)
        (top, bottom), cols = pads
        if top > 0 and bottom > 0:
            pads = ((top + 1, bottom - 1), cols)
        return super().conv(x, w, b, stride, pads, dilation, groups)


class Lenient(Broken):
    """Answers zeros where it should raise for the invalid configuration of clause ``lets_through``."""

    lets_through = ""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        try:
            return super().conv(x, w, b, stride, padding, dilation, groups)
        except ConvSpecError as e:
            if e.clause != self.lets_through:
                raise
            return np.zeros((1, 1, 1, 1), x.dtype)


def _lenient(name: str, clause: str, doc: str) -> type[Lenient]:
    return type(name, (Lenient,), {"lets_through": clause, "__doc__": doc})


RankNotChecked = _lenient("RankNotChecked", "E.1", "Arrays of the wrong rank answered (E.1).")
GroupsNotChecked = _lenient("GroupsNotChecked", "E.2", "Groups that do not divide answered (E.2).")


class SingleFilterGroupsNotChecked(Broken):
    """A one-filter path that skips the groups check: groups that divide C_in but exceed C_out = 1 answered
    (E.2), as torch's meta kernels do; other groups that do not divide are rejected."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if w.shape[0] == 1 and groups > 1 and x.shape[1] % groups == 0:
            return np.zeros((x.shape[0], 1, 1, 1), x.dtype)
        return super().conv(x, w, b, stride, padding, dilation, groups)


DepthNotChecked = _lenient("DepthNotChecked", "E.3", "A kernel of the wrong depth answered (E.3).")
OversizedKernelClipped = _lenient(
    "OversizedKernelClipped", "E.4", "A kernel larger than the padded input answered (E.4)."
)
StrideBelowOneIsOne = _lenient("StrideBelowOneIsOne", "E.5", "A stride or dilation below 1 answered (E.5).")
BiasNotChecked = _lenient("BiasNotChecked", "E.6", "A bias of the wrong shape answered (E.6).")
UnknownPaddingIsValid = _lenient("UnknownPaddingIsValid", "E.7", "An unknown padding string answered (E.7).")


class ChannelTailPast16Dropped(ChannelTailDropped):
    """A channel loop blocked by 16 (AVX-512 floats) that drops the remainder when C_in/groups > 16 and not a
    multiple of 16: reached only past the random examples' 12 channels, by the covering set."""

    block = 16


class RowTilePast16Dropped(WidthTailDropped):
    """Output rows tiled by 16, the last partial tile never written (left 0) when H_out > 16."""

    axis, block = -2, 16


class OneColumnStridePath(Broken):
    """A path for one output column with a stride along the width that reads the last window that fits
    instead of the first, as oneDNN's AMX bfloat16 kernel did (the columns a stride leaves over matter)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(x, w, b, stride, padding, dilation, groups)
        if x.ndim == 4 and y.shape[-1] == 1 and stride[1] > 1:
            (top, bottom), (left, right) = _explicit(x, w, stride, padding, dilation)
            extent = dilation[1] * (w.shape[-1] - 1) + 1
            start = x.shape[-1] + left + right - extent  # the last window's first column, in the padded input
            if start > 0:
                xp = np.pad(x, ((0, 0), (0, 0), (0, 0), (left, right)))[..., start:]
                y = super().conv(xp, w, b, stride, ((top, bottom), (0, 0)), dilation, groups)
        return y


class MixedSignPaddingCropsTheWrongEnd(Broken):
    """Where one axis is cropped at one end and padded at the other while the other axis is unpadded, the
    two amounts are applied at each other's ends (the class of XLA's CPU convolution bug, openxla/xla#48713)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if not isinstance(padding, str):
            pads = [tuple(pair) for pair in padding]
            for axis in range(2):
                (lo, hi), other = pads[axis], pads[1 - axis]
                if lo * hi < 0 and other == (0, 0):
                    pads[axis] = (hi, lo)
            padding = tuple(pads)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class ZeroSlicesSkipped(Broken):
    """A sparsity shortcut: an input channel whose kernel slice w[o, c] is all zero is skipped for map o,
    so a NaN or an infinity there never meets its zero weights (0 * NaN is NaN, A.8)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim != 4 or np.isfinite(x).all():
            return super().conv(x, w, b, stride, padding, dilation, groups)
        C_out, C_in_g = w.shape[:2]
        maps = []
        for o in range(C_out):
            xo = x.copy()
            first = o // (C_out // groups) * C_in_g
            for c in range(C_in_g):
                if not w[o, c].any():
                    xo[:, first + c] = 0
            maps.append(super().conv(xo, w, b, stride, padding, dilation, groups)[:, o : o + 1])
        return np.concatenate(maps, axis=1)


class DilationZeroIsOne(Broken):
    """A dilation of 0 read as 1 (a negative one still raises): a missing check of a zero parameter (E.5)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        return super().conv(x, w, b, stride, padding, tuple(1 if d == 0 else d for d in dilation), groups)


class BiasOfOneBroadcast(Broken):
    """A bias of shape (1,) broadcast over every map where C_out > 1, as NumPy broadcasting would (E.6)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if b is not None and b.shape == (1,) and w.shape[0] > 1:
            return super().conv(x, w, None, stride, padding, dilation, groups) + b[0]
        return super().conv(x, w, b, stride, padding, dilation, groups)


class OneByOneOutputDropsBias(Broken):
    """An output of one element a map takes a dot-product path (the window against each filter) that
    forgets the bias (V.4); every larger output is right."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(x, w, b, stride, padding, dilation, groups)
        if b is not None and y.shape[-2:] == (1, 1):
            return super().conv(x, w, None, stride, padding, dilation, groups)
        return y


class PointwiseRankUnchecked(Broken):
    """A dilated call of one channel and a 1x1 kernel takes a path that reads the weight by its element
    count, so a weight of rank 5 passes (E.1), as the ONNX reference evaluator's Conv does."""

    def conv2d(self, x, w, b, /, *, stride, padding, dilation, groups):
        if w.ndim == 5 and w.size == 1 and x.ndim == 4 and x.shape[1] == 1 and dilation != (1, 1):
            w = w.reshape(1, 1, 1, 1)
        return super().conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)


class SamePaddingDilationsSwapped(Broken):
    """padding="same" computes each axis's amounts with the other axis's dilation (P.4), as tinygrad's
    nn.Conv2d does: right wherever the two dilations are equal. Like tinygrad, it refuses "same" at a stride
    above 1 and runs only the part of each covering set that every run meets."""

    covering = "values"

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if padding == "same" and stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        if padding == "same":
            padding = _explicit(x, w, stride, padding, dilation[::-1])
        return super().conv(x, w, b, stride, padding, dilation, groups)


# What the suite must report for each broken backend: the clause of its primary failure, and the
# properties it must fail. Between them the backends make every conformance property fail, so that
# each property is shown to catch a bug class (tests/test_broken_backends.py checks both).
class BrokenOps(Broken):
    """The reference for every operation (conv1d, conv3d, the conv2d gradients, conv_transpose2d, the
    poolings), to be broken by a subclass in one of them."""

    output_padding_limit = "stride"

    def __init__(self) -> None:
        from cnnspec.backends.reference import ReferenceBackend

        self.reference = ReferenceBackend()

    def conv1d(self, x, w, b, /, **params):
        return self.reference.conv1d(x, w, b, **params)

    def conv3d(self, x, w, b, /, **params):
        return self.reference.conv3d(x, w, b, **params)

    def conv2d_backward(self, x, w, b, g, /, **params):
        return self.reference.conv2d_backward(x, w, b, g, **params)

    def conv_transpose2d(self, x, w, b, /, **params):
        return self.reference.conv_transpose2d(x, w, b, **params)

    def max_pool2d(self, x, /, **params):
        return self.reference.max_pool2d(x, **params)

    def avg_pool2d(self, x, /, **params):
        return self.reference.avg_pool2d(x, **params)


class WeightGradMixesGroups(BrokenOps):
    """grad_weight of every group computed from group 0's input channels (B.2)."""

    def conv2d_backward(self, x, w, b, g, /, **params):
        gx, _, gb = super().conv2d_backward(x, w, b, g, **params)
        C_in_g = w.shape[1]
        first = np.concatenate([x[:, :C_in_g]] * (x.shape[1] // C_in_g), axis=1)
        return gx, super().conv2d_backward(first, w, b, g, **params)[1], gb


class GradInputKernelFlipped(BrokenOps):
    """grad_input scattered through the flipped kernel, a full convolution done the wrong way round (B.1)."""

    def conv2d_backward(self, x, w, b, g, /, **params):
        _, gw, gb = super().conv2d_backward(x, w, b, g, **params)
        return super().conv2d_backward(x, np.ascontiguousarray(w[..., ::-1, ::-1]), b, g, **params)[0], gw, gb


class GradBiasIsTheMean(BrokenOps):
    """grad_bias averaged over the batch and the map instead of summed (B.3)."""

    def conv2d_backward(self, x, w, b, g, /, **params):
        gx, gw, gb = super().conv2d_backward(x, w, b, g, **params)
        return gx, gw, None if gb is None else (gb.astype(np.float64) / (g.size // g.shape[1])).astype(gb.dtype)


class OutputPaddingAtTheTop(BrokenOps):
    """Output padding adds its rows at the top and its columns at the left (U.3)."""

    def conv_transpose2d(self, x, w, b, /, *, output_padding, **params):
        plain = super().conv_transpose2d(x, w, b, output_padding=(0, 0), **params)
        a_H, a_W = output_padding
        y = np.zeros(plain.shape[:2] + (plain.shape[2] + a_H, plain.shape[3] + a_W), plain.dtype)
        if b is not None:
            y += b[:, None, None]
        y[:, :, a_H:, a_W:] = plain
        return y


class OutputPaddingUnchecked(BrokenOps):
    """Any output padding accepted, however large, beyond the declared limit (U.4)."""

    def conv_transpose2d(self, x, w, b, /, *, stride, padding, output_padding, dilation, groups):
        if min(output_padding) < 0:
            raise ValueError("negative output padding")
        return adjoint.conv_transpose2d(
            x, w, b, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups
        )


class TransposedKernelFlipped(BrokenOps):
    """A transposed convolution through the flipped kernel: the adjoint of a true convolution (U.2)."""

    def conv_transpose2d(self, x, w, b, /, **params):
        return super().conv_transpose2d(x, np.ascontiguousarray(w[..., ::-1, ::-1]), b, **params)


class PoolingMixesChannels(BrokenOps):
    """Max pooling over each channel and the next one together, as a conv would (M.4)."""

    def max_pool2d(self, x, /, **params):
        pooled = super().max_pool2d(x, **params)
        return np.maximum(pooled, np.roll(pooled, -1, axis=1))


class AvgPoolAlwaysCountsPadding(BrokenOps):
    """avg_pool2d divides by the padded window size even with count_include_pad=False (M.3)."""

    def avg_pool2d(self, x, /, *, count_include_pad, **params):
        return super().avg_pool2d(x, count_include_pad=True, **params)


class AvgPoolDividesHangingWindowByItsSize(BrokenOps):
    """avg_pool2d counting a padding divides every window by kH*kW, also a last ceil-mode window that hangs
    past the end padding and covers fewer taps (M.3), as OpenVINO's AvgPool does; without padding, right."""

    def avg_pool2d(self, x, /, **params):
        y = super().avg_pool2d(x, **params)
        if not params["count_include_pad"] or params["padding"] == (0, 0):
            return y
        case = pooling.case_of(
            "avg_pool2d", x, **{("kernel" if k == "kernel_size" else k): v for k, v in params.items()}
        )
        kH, kW = case.kernel
        return (y.astype(np.float64) * pooling.divisor(case) / (kH * kW)).astype(x.dtype)


class MaxPoolPadsWithZeros(BrokenOps):
    """max_pool2d pads with zeros, so that padding wins over negative inputs (M.2)."""

    def max_pool2d(self, x, /, *, kernel_size, stride, padding, dilation, ceil_mode):
        (pH, pW) = padding
        xp = np.pad(x, ((0, 0), (0, 0), (pH, pH), (pW, pW)))
        return super().max_pool2d(
            xp, kernel_size=kernel_size, stride=stride, padding=(0, 0), dilation=dilation, ceil_mode=ceil_mode
        )


class MaxPoolPadsReadAcrossAxes(BrokenOps):
    """max_pool2d on its unit-stride, undilated path reads padding (p_H, p_W) as [top, bottom, left, right] =
    [p_H, p_W, p_H, p_W] (M.1), as the ONNX reference evaluator's MaxPool does: padding equal on both axes, or
    any stride or dilation, is right. The maximum's property meets it first, as a wrong output shape (M.2)."""

    def max_pool2d(self, x, /, *, kernel_size, stride, padding, dilation, ceil_mode):
        right = super().max_pool2d(  # which validates the call
            x, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode
        )
        (pH, pW) = padding
        if stride != (1, 1) or dilation != (1, 1) or pH == pW:
            return right
        xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pH, pW), (pH, pW)), constant_values=-np.inf).astype(x.dtype)
        return super().max_pool2d(
            xp, kernel_size=kernel_size, stride=stride, padding=(0, 0), dilation=dilation, ceil_mode=ceil_mode
        )


class Conv3dDepthHeightSwapped(BrokenOps):
    """conv3d reads the kernel's depth axis as height and its height as depth (N.2)."""

    def conv3d(self, x, w, b, /, **params):
        return super().conv3d(x, np.ascontiguousarray(w.swapaxes(2, 3)), b, **params)


class NdStepZeroIsOne(BrokenOps):
    """conv1d and conv3d guard their strides and dilations with max(s, 1): a 0 is read as 1, no error (E.8)."""

    def conv1d(self, x, w, b, /, *, stride, dilation, **params):
        return super().conv1d(
            x, w, b, stride=tuple(max(s, 1) for s in stride), dilation=tuple(max(d, 1) for d in dilation), **params
        )

    def conv3d(self, x, w, b, /, *, stride, dilation, **params):
        return super().conv3d(
            x, w, b, stride=tuple(max(s, 1) for s in stride), dilation=tuple(max(d, 1) for d in dilation), **params
        )


class TransposedWeightSliced(BrokenOps):
    """conv_transpose2d reads the first C_in filters of its weight, so a weight with more is accepted (E.9)."""

    def conv_transpose2d(self, x, w, b, /, **params):
        return super().conv_transpose2d(x, w[: x.shape[1]] if x.ndim == w.ndim == 4 else w, b, **params)


class EmptyTransposedOutput(BrokenOps):
    """conv_transpose2d returns an empty array where the padding leaves no output row, as torch does with
    more than one channel (E.10)."""

    def conv_transpose2d(self, x, w, b, /, **params):
        try:
            return super().conv_transpose2d(x, w, b, **params)
        except ConvSpecError as e:
            if e.clause != "E.10":
                raise
            return np.zeros((x.shape[0], w.shape[1] * params["groups"], 0, 0), x.dtype)


class PoolPaddingUnchecked(BrokenOps):
    """Pooling with any padding, however large: the input padded by hand with what never wins, then pooled
    unpadded, so that windows wholly in the padding give -inf or 0 (E.11)."""

    def _padded(self, x, padding, fill):
        return np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2), constant_values=fill)

    def max_pool2d(self, x, /, *, padding, **params):
        return super().max_pool2d(self._padded(x, padding, -np.inf).astype(x.dtype), padding=(0, 0), **params)

    def avg_pool2d(self, x, /, *, padding, count_include_pad, **params):
        return super().avg_pool2d(self._padded(x, padding, 0), padding=(0, 0), count_include_pad=True, **params)


class GradOutputBroadcast(BrokenOps):
    """conv2d_backward broadcasts grad_output to the output's shape: a (1, C_out, 1, 1) one is accepted (E.12)."""

    def conv2d_backward(self, x, w, b, g, /, **params):
        out = self.reference.conv2d(x, w, b, **params).shape
        return super().conv2d_backward(x, w, b, np.ascontiguousarray(np.broadcast_to(g, out)), **params)


class EmptyBatchUnchecked(BrokenOps):
    """conv2d answers an empty batch with an empty result before validating the call, as torch's does
    for a dilation of 0 (E.13)."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        if x.ndim == 4 and x.shape[0] == 0:
            try:
                return super().conv(np.zeros((1, *x.shape[1:]), x.dtype), w, b, stride, padding, dilation, groups)[:0]
            except ConvSpecError:
                return np.zeros((0, w.shape[0], 1, 1), x.dtype)
        return super().conv(x, w, b, stride, padding, dilation, groups)


class FlipsWeightInPlace(Broken):
    """Runs a true convolution on its weight flipped in the caller's own array: every value right, and the
    caller's weight left flipped (S.8), as a kernel that turns the weight into its own layout in place does."""

    def conv(self, x, w, b, stride, padding, dilation, groups):
        w[...] = w[..., ::-1, ::-1].copy()
        return super().conv(x, np.ascontiguousarray(w[..., ::-1, ::-1]), b, stride, padding, dilation, groups)


class OutputBufferPerShape(Broken):
    """Keeps one output buffer per shape and dtype and hands it out again, as a compiled graph's runtime
    (CUDA graphs, an inference request's output tensor) does: each result right when returned, and
    overwritten by the next call of the same shape (S.8)."""

    def __init__(self) -> None:
        self.buffers: dict[tuple, np.ndarray] = {}

    def conv(self, x, w, b, stride, padding, dilation, groups):
        y = super().conv(x, w, b, stride, padding, dilation, groups)
        out = self.buffers.setdefault((y.shape, y.dtype.str), np.empty_like(y))
        out[...] = y
        return out


class IdentityPoolReturnsItsInput(BrokenOps):
    """Max pooling with a 1x1 window at stride 1 and no padding is the identity, and hands back the input
    array itself: right values, but the caller's input and result are one array (S.8)."""

    def max_pool2d(self, x, /, **params):
        out = super().max_pool2d(x, **params)  # which validates the call
        if params["kernel_size"] == (1, 1) and params["stride"] == (1, 1) and params["padding"] == (0, 0):
            return x
        return out


class ParametersCachedPerShape(Broken):
    """Compiles a kernel per shape of its arrays and caches it under them alone: a later call of the same
    shapes with another stride, dilation or padding runs the first call's kernel (V.7), as a compiler
    whose cache key leaves a parameter out does."""

    def __init__(self) -> None:
        self.kernels: dict[tuple, tuple] = {}

    def conv(self, x, w, b, stride, padding, dilation, groups):
        key = (x.shape, w.shape, x.dtype.str, b is None)
        stride, padding, dilation, groups = self.kernels.setdefault(key, (stride, padding, dilation, groups))
        return super().conv(x, w, b, stride, padding, dilation, groups)


CAUGHT_BY: dict[type, tuple[str, tuple[str, ...]]] = {
    FlippedKernel: ("V.2", ("test_impulse_input_copies_the_kernel_unflipped",)),
    OneKernelForAllChannels: ("C.1", ("test_each_channel_has_its_own_kernel_slice",)),
    GroupsInterleaved: ("G.3", ("test_groups_are_independent_convolutions",)),
    OutputSizeRoundedUp: ("S.4", ("test_output_shape_and_dtype",)),
    BiasPerInputChannel: (
        "V.4",
        ("test_bias_is_added_once_to_its_own_map", "test_repeated_kernel_sees_the_channel_sum"),
    ),
    DilationIgnored: ("T.2", ("test_dilation_is_a_zero_inserted_kernel",)),
    HeightStrideForBoth: (
        "T.3",
        ("test_height_and_width_follow_their_own_parameters", "test_translation_equivariance"),
    ),
    SameOddUnitOnTop: ("P.4", ("test_same_padding_rule",)),
    PaddingTopUsedForBottom: ("P.1", ()),
    ValidMeansSame: ("P.3", ("test_valid_is_no_padding",)),
    NegativePaddingAsPositive: ("P.5", ("test_negative_padding_crops_or_is_rejected",)),
    StrideOffByOne: ("T.1", ("test_stride_subsamples_the_stride_1_result",)),
    WidthTailDropped: ("A.2", ()),
    ChannelTailDropped: ("A.2", ("test_exact_on_small_integers",)),
    DepthwiseMultiplierModulo: ("G.4", ("test_depthwise_with_channel_multiplier",)),
    SkipsChannelsZeroInFirstFilter: (
        "G.5",
        ("test_connection_table_is_a_full_conv_with_zero_slices", "test_lenet5_c3_layer"),
    ),
    BatchElementZeroForAll: ("V.5", ("test_batch_elements_are_independent", "test_greyscale_is_one_channel")),
    OutputChannelsReversed: ("R.4", ("test_permuted_filters_permute_the_output",)),
    FusedRelu: ("R.1", ("test_linear_in_the_input", "test_linear_in_the_weight")),
    AccumulatesInFloat16: (
        "A.1",
        (
            "test_matches_reference_within_bound",
            "test_matches_scipy_3d_correlation",
            "test_one_hot_weight_copies_the_input",
        ),
    ),
    RoundsInputsLikeTF32: (
        "A.1",
        ("test_one_hot_weight_copies_the_input", "test_impulse_input_copies_the_kernel_unflipped"),
    ),
    LongSumsInFloat16: ("A.5", ("test_long_sums_within_bound",)),
    LongSumsRoundedLikeTF32: ("A.5", ("test_long_sums_within_bound",)),
    ChannelsBeyond256Dropped: ("A.2", ("test_long_sums_exact_on_integers", "test_long_sums_within_bound")),
    Float16DeclaredWide: ("A.1", ("test_matches_reference_within_bound", "test_long_sums_within_bound")),
    DeclaresTF32RoundsToBfloat16: ("A.3", ("test_one_hot_weight_copies_the_input",)),
    FlushesSubnormals: ("A.10", ("test_subnormals_are_kept",)),
    NaNToZero: ("A.8", ("test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",)),
    IgnoresStrides: ("V.6", ("test_memory_layout_does_not_change_the_result",)),
    OutputInFloat64: ("S.5", ()),
    UnbatchedAsBatchOfChannels: ("S.6", ("test_unbatched_input_is_one_batch_element",)),
    GreyscaleKeepsBatchAxis: ("S.7", ("test_rank_2_image_is_greyscale",)),
    ImpulseOffByOne: ("P.1", ("test_explicit_padding_is_a_zero_padded_input",)),
    GroupsNotChecked: ("E.2", ("test_groups_that_do_not_divide_are_rejected",)),
    SingleFilterGroupsNotChecked: ("E.2", ("test_groups_that_do_not_divide_are_rejected",)),
    DepthNotChecked: ("E.3", ("test_wrong_kernel_depth_is_rejected",)),
    BiasNotChecked: ("E.6", ("test_wrong_bias_is_rejected",)),
    UnknownPaddingIsValid: ("E.7", ("test_unknown_padding_string_is_rejected",)),
    StrideBelowOneIsOne: ("E.5", ("test_stride_or_dilation_below_1_is_rejected",)),
    RankNotChecked: ("E.1", ("test_wrong_rank_is_rejected",)),
    OversizedKernelClipped: ("E.4", ("test_kernel_larger_than_padded_input_is_rejected",)),
    WeightGradMixesGroups: (
        "B.2",
        (
            "test_gradients_match_reference_within_bound",
            "test_gradients_exact_on_small_integers",
            "test_adjoint_identities_with_own_conv2d",
        ),
    ),
    GradInputKernelFlipped: (
        "B.1",
        (
            "test_gradients_match_reference_within_bound",
            "test_gradients_exact_on_small_integers",
            "test_adjoint_identities_with_own_conv2d",
        ),
    ),
    GradBiasIsTheMean: (
        "B.3",
        ("test_gradients_match_reference_within_bound", "test_gradients_exact_on_small_integers"),
    ),
    OutputPaddingAtTheTop: (
        "U.3",
        ("test_output_padding_extends_the_bottom_and_right", "test_transposed_matches_reference_within_bound"),
    ),
    OutputPaddingUnchecked: ("U.4", ("test_output_padding_limit",)),
    TransposedKernelFlipped: (
        "U.2",
        ("test_transposed_is_the_adjoint_of_own_conv2d", "test_transposed_matches_reference_within_bound"),
    ),
    PoolingMixesChannels: (
        "M.4",
        (
            "test_pooling_acts_on_each_channel_alone",
            "test_max_pool_is_the_window_maximum",
            "test_pooled_maps_feed_the_next_conv_as_channels",
        ),
    ),
    AvgPoolAlwaysCountsPadding: ("M.3", ("test_avg_pool_is_the_window_mean",)),
    AvgPoolDividesHangingWindowByItsSize: ("M.3", ("test_avg_pool_is_the_window_mean",)),
    MaxPoolPadsWithZeros: ("M.2", ("test_max_pool_is_the_window_maximum",)),
    MaxPoolPadsReadAcrossAxes: ("M.2", ("test_max_pool_is_the_window_maximum",)),
    ChannelTailPast16Dropped: ("A.2", ("test_exact_on_small_integers",)),
    RowTilePast16Dropped: ("A.2", ("test_exact_on_small_integers",)),
    OneColumnStridePath: ("A.2", ("test_exact_on_small_integers",)),
    MixedSignPaddingCropsTheWrongEnd: ("P.5", ("test_negative_padding_crops_or_is_rejected",)),
    ZeroSlicesSkipped: ("A.8", ("test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",)),
    DilationZeroIsOne: ("E.5", ("test_stride_or_dilation_below_1_is_rejected",)),
    BiasOfOneBroadcast: ("E.6", ("test_wrong_bias_is_rejected",)),
    SamePaddingDilationsSwapped: ("P.4", ("test_same_padding_rule",)),
    PointwiseRankUnchecked: ("E.1", ("test_wrong_rank_is_rejected",)),
    OneByOneOutputDropsBias: ("V.4", ("test_matches_reference_within_bound",)),
    Conv3dDepthHeightSwapped: (
        "N.2",
        (
            "test_conv1d_conv3d_match_reference_within_bound",
            "test_conv1d_conv3d_exact_on_small_integers",
            "test_spatial_axes_follow_their_own_parameters",
            "test_ranks_nest",
        ),
    ),
    NdStepZeroIsOne: ("E.8", ("test_invalid_conv1d_conv3d_are_rejected",)),
    TransposedWeightSliced: ("E.9", ("test_invalid_transposed_calls_are_rejected",)),
    EmptyTransposedOutput: ("E.10", ("test_transposed_with_empty_output_is_rejected",)),
    PoolPaddingUnchecked: ("E.11", ("test_invalid_pooling_is_rejected",)),
    GradOutputBroadcast: ("E.12", ("test_gradient_of_the_wrong_shape_is_rejected",)),
    EmptyBatchUnchecked: ("E.13", ("test_empty_batch_is_validated_as_any_other",)),
    FlipsWeightInPlace: ("S.8", ("test_a_call_leaves_its_arguments_and_results_alone",)),
    OutputBufferPerShape: ("S.8", ("test_a_call_leaves_its_arguments_and_results_alone",)),
    IdentityPoolReturnsItsInput: ("S.8", ("test_a_call_leaves_its_arguments_and_results_alone",)),
    ParametersCachedPerShape: ("V.7", ("test_a_call_does_not_depend_on_the_calls_before_it",)),
}
