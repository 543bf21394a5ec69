"""The reference conv2d: the plain definition of V.1, and a fast oracle pinned to it by tests.

``conv2d_definition`` is the spec written in NumPy, one output element at a time, for a reader to
check by eye. ``conv2d`` is the oracle the suite runs: the same sum as one matrix product over a
strided window view (im2col without a copy until the product), in float64, rounded once to the
input's dtype.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnnspec.dtypes import BFLOAT16
from cnnspec.errors import ConvSpecError
from cnnspec.geometry import (
    Axes,
    Padding,
    Pads,
    Pair,
    as_padding,
    as_tuple,
    check_bias,
    check_groups,
    check_kernel_depth,
    check_output_size,
    check_ranks,
    check_stride_dilation,
    explicit_padding,
)


@dataclass(frozen=True)
class ConvCall:
    """A validated call: batched arrays and explicit parameters (one entry per spatial axis), and
    whether to drop the batch axis."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[Pair, ...]
    dilation: tuple[int, ...]
    groups: int
    unbatched: bool


def as_batched(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """[S.6, S.7] A (C, H, W) input is one batch element; an (H, W) image is one greyscale channel."""
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 2:
        return x[None, None], True
    return x, False


def check_dtypes(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> None:
    """[S.5] x, w and b share one floating-point dtype."""
    if not (np.issubdtype(x.dtype, np.floating) or x.dtype == BFLOAT16):
        raise ConvSpecError(f"input dtype {x.dtype} must be a floating-point dtype", "S.5")
    for name, a in (("weight", w), ("bias", b)):
        if a is not None and a.dtype != x.dtype:
            raise ConvSpecError(f"{name} dtype {a.dtype} must equal the input dtype {x.dtype}", "S.5")


def validate(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
    rank: int = 2,
) -> ConvCall:
    """[S.1-S.7, E.1-E.7, N.1] Check a call of ``rank`` spatial axes against the spec and resolve its
    parameters, or raise ConvSpecError. Only rank 2 takes the unbatched forms of S.6 and S.7."""
    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    xb, unbatched = as_batched(x) if rank == 2 else (x, False)
    check_ranks(xb.shape, w.shape, rank)
    check_dtypes(xb, w, b)
    C_out, depth, *kernel = w.shape
    check_groups(groups, xb.shape[1], C_out)
    check_kernel_depth(depth, xb.shape[1], groups)
    check_bias(None if b is None else b.shape, C_out)
    s, d = as_tuple("stride", stride, rank), as_tuple("dilation", dilation, rank)
    check_stride_dilation(s, d)  # type: ignore[arg-type]
    pads = explicit_padding(
        as_padding(padding, rank),
        xb.shape[2:],
        tuple(kernel),
        stride=s,
        dilation=d,
    )
    check_output_size(xb.shape[2:], tuple(kernel), stride=s, padding=pads, dilation=d)
    return ConvCall(xb, w, b, s, pads, d, int(groups), unbatched)


def inside(size: int, pad: Pair) -> tuple[slice, slice]:
    """[D.3, P.5] Where an axis of x lands in x̂: the slice of x that x̂ keeps, and the slice of x̂ it fills."""
    kept = slice(max(0, -pad[0]), min(size, size + pad[1]))
    return kept, slice(kept.start + pad[0], max(kept.stop, kept.start) + pad[0])


def pad(x: np.ndarray, padding: tuple[Pair, ...], dtype: np.dtype | type = np.float64) -> np.ndarray:
    """[D.3, P.1, P.2, P.5, N.1] The padded input x̂ in ``dtype``: x̂[..., i, j] = x[..., i - top, j - left]
    where that lies inside x, else 0; negative amounts crop. One (low, high) pair per trailing axis."""
    n = len(padding)
    spatial = x.shape[-n:]
    out = np.zeros(x.shape[:-n] + tuple(size + lo + hi for size, (lo, hi) in zip(spatial, padding)), dtype)
    # One slice assignment serves every sign of every side (np.pad, which cannot crop, cost more than
    # the whole small-case correlation).
    kept, filled = zip(*(inside(size, p) for size, p in zip(spatial, padding)))
    if all(k.start < k.stop for k in kept):
        out[(..., *filled)] = x[(..., *kept)]
    return out


def unpad(xhat: np.ndarray, padding: tuple[Pair, ...], spatial: tuple[int, ...]) -> np.ndarray:
    """[B.1] The adjoint of ``pad``: each element of x gets its x̂ element; padding is dropped, and the
    rows and columns that a negative amount cropped get 0."""
    n = len(padding)
    out = np.zeros(xhat.shape[:-n] + tuple(spatial), xhat.dtype)
    kept, filled = zip(*(inside(size, p) for size, p in zip(spatial, padding)))
    if all(k.start < k.stop for k in kept):
        out[(..., *kept)] = xhat[(..., *filled)]
    return out


def group_of(o: int, C_out: int, groups: int) -> int:
    """[D.4, G.2] The group of output channel o: floor(o / (C_out / groups))."""
    return o // (C_out // groups)


def conv_definition(call: ConvCall) -> np.ndarray:
    """[V.1, N.1] The definition, one output element at a time, for any number of spatial axes."""
    xhat = pad(call.x, call.padding)
    C_out, C_in_g, *kernel = call.w.shape
    out = [
        (size - d * (k - 1) - 1) // s + 1 for size, k, s, d in zip(xhat.shape[2:], kernel, call.stride, call.dilation)
    ]
    y = np.zeros((call.x.shape[0], C_out, *out))
    for n, o, *at in np.ndindex(y.shape):
        first = group_of(o, C_out, call.groups) * C_in_g
        window = xhat[
            (
                n,
                slice(first, first + C_in_g),
                *(
                    slice(i * s, i * s + d * (k - 1) + 1, d)
                    for i, s, d, k in zip(at, call.stride, call.dilation, kernel)
                ),
            )
        ]
        y[(n, o, *at)] = (0.0 if call.b is None else float(call.b[o])) + np.sum(call.w[o].astype(np.float64) * window)
    y = y.astype(call.x.dtype)
    return y[0] if call.unbatched else y


def conv2d_definition(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: int | Pair = 1,
    padding: object = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """[V.1] The definition, one output element at a time: slow, for checking by eye and tiny cases."""
    return conv_definition(validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups))


def windows(
    xhat: np.ndarray, kernel: tuple[int, ...], *, stride: tuple[int, ...], dilation: tuple[int, ...], groups: int
) -> np.ndarray:
    """[V.1, T.1, T.2, N.1] The read-only view (N, g, C_in_g, k_1..k_n, out_1..out_n) of x̂: element
    [n, γ, c, p.., i..] is x̂[n, γ*C_in_g + c, i*s + p*d, ...], the input that tap p meets at output i."""
    N, C_in, *padded = xhat.shape
    out = [(size - d * (k - 1) - 1) // s + 1 for size, k, s, d in zip(padded, kernel, stride, dilation)]
    bN, bC, *b = xhat.strides
    return as_strided(
        xhat,
        shape=(N, groups, C_in // groups, *kernel, *out),
        strides=(
            bN,
            C_in // groups * bC,
            bC,
            *(d * a for d, a in zip(dilation, b)),
            *(s * a for s, a in zip(stride, b)),
        ),
        writeable=False,
    )


def correlate(
    xhat: np.ndarray, w: np.ndarray, *, stride: tuple[int, ...], dilation: tuple[int, ...], groups: int
) -> np.ndarray:
    """[V.1, V.3, G.2, N.1] The grouped, strided, dilated sum of V.1 over an already padded input, in xhat's dtype.

    The window view (N, g, C_in_g, k.., out..) of x̂ is laid out once, contiguously, as
    (N, g, K, L) with L the number of outputs, so that one batched matrix product with the
    (g, C_out_g, K) weights gives (N, g, C_out_g, L), already in output order.
    """
    C_out, C_in_g, *kernel = w.shape
    view = windows(xhat, tuple(kernel), stride=stride, dilation=dilation, groups=groups)
    N, g = view.shape[:2]
    out = view.shape[3 + len(kernel) :]
    K = C_in_g * math.prod(kernel)
    columns = np.ascontiguousarray(view).reshape(N, g, K, math.prod(out))
    kernels = w.astype(xhat.dtype, copy=False).reshape(g, C_out // g, K)
    return np.matmul(kernels, columns).reshape(N, C_out, *out)


def correlate_by_taps(x: np.ndarray, w: np.ndarray, *, padding: Pads, dilation: Axes, groups: int) -> np.ndarray:
    """[V.1] The stride-1 sum of V.1 as one matrix product per kernel tap, with no window copy, in float64.

    x̂ is laid out flat per channel with one spare zero row. For tap (p, q), the inputs of every output
    (i, j) sit at flat offset (i + p*d_H)*Ŵ + j + q*d_W: one contiguous run of H_out*Ŵ elements, read
    as full-width rows whose last Ŵ - W_out columns are cropped at the end. This trades the im2col
    copy (K times the input) for a little extra product on the cropped columns.
    """
    N, C_in = x.shape[:2]
    C_out, C_in_g, kH, kW = w.shape
    (dH, dW), g = dilation, groups
    (top, bottom), cols = padding
    xhat = pad(x, ((top, bottom + 1), cols))
    Hp, Wp = xhat.shape[2] - 1, xhat.shape[3]
    H_out, W_out = Hp - dH * (kH - 1), Wp - dW * (kW - 1)
    flat = xhat.reshape(N, g, C_in_g, (Hp + 1) * Wp)
    kernels = w.astype(np.float64).reshape(g, C_out // g, C_in_g, kH, kW)
    L = H_out * Wp
    y = np.zeros((N, g, C_out // g, L))
    for p in range(kH):
        for q in range(kW):
            start = p * dH * Wp + q * dW
            y += np.matmul(kernels[..., p, q], flat[..., start : start + L])
    return y.reshape(N, C_out, H_out, Wp)[..., :W_out]


def _conv64(call: ConvCall, magnitude: bool = False) -> np.ndarray:
    # NaN and infinity follow IEEE 754 (A.8); NumPy's warnings about them would only be noise.
    with np.errstate(invalid="ignore", over="ignore"):
        return _conv64_ieee(call, magnitude)


def _conv64_ieee(call: ConvCall, magnitude: bool) -> np.ndarray:
    x, w, b = call.x, call.w, call.b
    if magnitude:
        x, w, b = np.abs(x), np.abs(w), None if b is None else np.abs(b)
    if (
        call.stride == (1, 1)
        and w.ndim == 4
        and w.shape[1] >= 16
        and w.shape[2] * w.shape[3] <= 9
        and x.shape[2] * x.shape[3] > 256
    ):
        # Measured (benchmarks/bench_oracle.py): per-tap products beat im2col's copy on dense stride-1
        # layers with small kernels; with few channels a group, many taps or small inputs im2col wins.
        y = correlate_by_taps(x, w, padding=call.padding, dilation=call.dilation, groups=call.groups)
    else:
        y = correlate(pad(x, call.padding), w, stride=call.stride, dilation=call.dilation, groups=call.groups)
    if b is not None:
        y += b.astype(np.float64).reshape((-1,) + (1,) * (y.ndim - 2))
    return y[0] if call.unbatched else y


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: int | Pair = 1,
    padding: object = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """[V.1, S.4, S.5] The fast reference: computed in float64, rounded once to the input's dtype.

    ``padding`` is "valid", "same", one integer, a (height, width) pair or ((top, bottom), (left,
    right)); ``stride`` and ``dilation`` an integer or a pair. Raises ConvSpecError for a call the
    spec calls invalid (E.1-E.7).
    """
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return _conv64(call).astype(call.x.dtype)


def magnitude(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: int | Pair = 1,
    padding: object = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """[A.1] M: the sum of V.1 over absolute values, |b[o]| + sum |w|·|x̂|, in float64."""
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return _conv64(call, magnitude=True)


def conv(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: object = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> np.ndarray:
    """[N.1, N.2] The fast reference of any rank (conv1d, conv2d, conv3d), from the weight's rank:
    computed in float64, rounded once to the input's dtype. The input must be batched."""
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups, rank=_rank(w))
    return _conv64(call).astype(call.x.dtype)


def conv_magnitude(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: object = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> np.ndarray:
    """[A.1, N.2] M of any rank: the sum of N.1 over absolute values, in float64."""
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups, rank=_rank(w))
    return _conv64(call, magnitude=True)


def _rank(w: np.ndarray) -> int:
    ndim = np.ndim(w)
    if ndim < 3:
        raise ConvSpecError(
            f"weight of shape {np.shape(w)} must have rank 3 or more (C_out, C_in/groups, one extent per spatial axis)",
            "E.1",
        )
    return ndim - 2


__all__ = [
    "ConvCall",
    "Padding",
    "conv",
    "conv2d",
    "conv2d_definition",
    "conv_definition",
    "conv_magnitude",
    "correlate",
    "magnitude",
    "pad",
    "unpad",
    "validate",
    "windows",
]
