"""Independent oracles: the spec's V.3 decompositions computed with scipy.signal, not with cnnspec's own sum.

They share cnnspec's validation (so they reject what the spec rejects) but neither its padding nor its
window arithmetic: padding is np.pad, dilation a zero-inserted kernel (T.2), stride a subsampling of
the stride-1 result (T.1), and the sums are scipy's direct correlations, all in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal

from cnnspec.geometry import Pair
from cnnspec.reference import ConvCall, validate


def dilate_kernel(w: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """[T.2, N.1] The zero-inserted kernel: tap (p*d_H, q*d_W) is w[..., p, q], every other tap 0."""
    n = len(dilation)
    kernel = w.shape[-n:]
    out = np.zeros(w.shape[:-n] + tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel)), dtype=np.float64)
    taps: tuple[Any, ...] = (..., *(slice(None, None, d) for d in dilation))
    out[taps] = w
    return out


def zero_pad(x: np.ndarray, padding: tuple[Pair, ...]) -> np.ndarray:
    """[D.3, P.5, N.1] x̂ by np.pad of the positive amounts, then slicing off the negative ones."""
    n = len(padding)
    widths = [(0, 0)] * (x.ndim - n) + [(max(lo, 0), max(hi, 0)) for lo, hi in padding]
    padded = np.pad(x.astype(np.float64), widths)
    kept: tuple[Any, ...] = (
        ...,
        *(slice(max(-lo, 0), size - max(-hi, 0)) for (lo, hi), size in zip(padding, padded.shape[-n:])),
    )
    return padded[kept]


def _per_output_map(call: ConvCall, correlate_group) -> np.ndarray:
    xhat = zero_pad(call.x, call.padding)
    wd = dilate_kernel(call.w, call.dilation)
    C_out, C_in_g = call.w.shape[:2]
    subsample = tuple(slice(None, None, s) for s in call.stride)
    C_out_g = C_out // call.groups
    maps = []
    for n in range(xhat.shape[0]):
        row = []
        for o in range(C_out):
            first = o // C_out_g * C_in_g
            full = correlate_group(xhat[n, first : first + C_in_g], wd[o])[subsample]
            row.append(full + (0.0 if call.b is None else float(call.b[o])))
        maps.append(row)
    y = np.array(maps, dtype=np.float64).astype(call.x.dtype)
    return y[0] if call.unbatched else y


def conv2d_correlate2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> np.ndarray:
    """[V.3, C.3] Each output map as the sum over its group's channels of scipy.signal.correlate2d."""
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    return _per_output_map(
        call, lambda stack, kernel: sum(signal.correlate2d(c, k, mode="valid") for c, k in zip(stack, kernel))
    )


def conv2d_correlate3d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> np.ndarray:
    """[V.3] Each output map as one 3-D scipy.signal.correlate of the group's stack, "valid" in depth."""
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    # method="direct": the FFT method would bring its own rounding error into an oracle.
    return _per_output_map(
        call, lambda stack, kernel: signal.correlate(stack, kernel, mode="valid", method="direct")[0]
    )


def conv_correlate(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> np.ndarray:
    """[N.2, V.3] A convolution of any rank (from the weight's): each output map as one (n+1)-D
    scipy.signal.correlate of the group's stack, "valid" in depth."""
    call = validate(
        x,
        w,
        b,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        rank=np.ndim(w) - 2,
    )
    return _per_output_map(
        call, lambda stack, kernel: signal.correlate(stack, kernel, mode="valid", method="direct")[0]
    )
