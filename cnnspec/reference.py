"""The reference conv2d: the plain definition of V.1, and a fast oracle pinned to it by tests.

``conv2d_definition`` is the spec written in NumPy, one output element at a time, for a reader to
check by eye. ``conv2d`` is the oracle the suite runs: the same sum as one matrix product over a
strided window view (im2col without a copy until the product), in float64, rounded once to the
input's dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnnspec.errors import ConvSpecError
from cnnspec.geometry import (
    ExplicitPadding,
    Pair,
    Padding,
    as_pair,
    as_padding,
    check_bias,
    check_groups,
    check_kernel_depth,
    check_output_size,
    check_ranks,
    check_stride_dilation,
    explicit_padding,
)


@dataclass(frozen=True)
class Conv2dCall:
    """A validated call: batched arrays and explicit parameters, and whether to drop the batch axis."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: Pair
    padding: ExplicitPadding
    dilation: Pair
    groups: int
    unbatched: bool


# NumPy has no bfloat16; ml_dtypes's is the one JAX, TensorFlow and ONNX use.
BFLOAT16 = np.dtype(ml_dtypes.bfloat16)


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
    stride: int | Pair = 1,
    padding: object = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> Conv2dCall:
    """[S.1-S.7, E.1-E.7] Check a call against the spec and resolve its parameters, or raise ConvSpecError."""
    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    x4, unbatched = as_batched(x)
    check_ranks(x4.shape, w.shape)
    check_dtypes(x4, w, b)
    C_out, depth, kH, kW = w.shape
    check_groups(groups, x4.shape[1], C_out)
    check_kernel_depth(depth, x4.shape[1], groups)
    check_bias(None if b is None else b.shape, C_out)
    s, d = as_pair("stride", stride), as_pair("dilation", dilation)
    check_stride_dilation(s, d)
    pads = explicit_padding(as_padding(padding), x4.shape[2:], (kH, kW), stride=s, dilation=d)
    check_output_size(x4.shape[2:], (kH, kW), stride=s, padding=pads, dilation=d)
    return Conv2dCall(x4, w, b, s, pads, d, int(groups), unbatched)


def pad(x: np.ndarray, padding: ExplicitPadding, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """[D.3, P.1, P.2, P.5] The padded input x̂ in ``dtype``: x̂[..., i, j] = x[..., i - top, j - left]
    where that lies inside x, else 0; negative amounts crop."""
    (top, bottom), (left, right) = padding
    H, W = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (H + top + bottom, W + left + right), dtype)
    # Rows i of x land on row i + top of x̂ where that exists; one slice assignment serves every sign
    # of every side (np.pad, which cannot crop, cost more than the whole small-case correlation).
    rows = slice(max(0, -top), min(H, H + bottom))
    cols = slice(max(0, -left), min(W, W + right))
    if rows.start < rows.stop and cols.start < cols.stop:
        out[..., rows.start + top : rows.stop + top, cols.start + left : cols.stop + left] = x[..., rows, cols]
    return out


def group_of(o: int, C_out: int, groups: int) -> int:
    """[D.4, G.2] The group of output channel o: floor(o / (C_out / groups))."""
    return o // (C_out // groups)


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
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    xhat = pad(call.x, call.padding)
    C_out, C_in_g, kH, kW = call.w.shape
    (sH, sW), (dH, dW) = call.stride, call.dilation
    H_out = (xhat.shape[2] - dH * (kH - 1) - 1) // sH + 1
    W_out = (xhat.shape[3] - dW * (kW - 1) - 1) // sW + 1
    y = np.zeros((call.x.shape[0], C_out, H_out, W_out))
    for n, o, i, j in np.ndindex(y.shape):
        first = group_of(o, C_out, call.groups) * C_in_g
        window = xhat[n, first : first + C_in_g, i * sH : i * sH + dH * (kH - 1) + 1 : dH,
                      j * sW : j * sW + dW * (kW - 1) + 1 : dW]  # fmt: skip
        y[n, o, i, j] = (0.0 if call.b is None else float(call.b[o])) + np.sum(call.w[o].astype(np.float64) * window)
    y = y.astype(call.x.dtype)
    return y[0] if call.unbatched else y


def correlate(xhat: np.ndarray, w: np.ndarray, *, stride: Pair, dilation: Pair, groups: int) -> np.ndarray:
    """[V.1, V.3, G.2] The grouped, strided, dilated sum of V.1 over an already padded input, in xhat's dtype.

    A window view (N, g, C_in_g, kH, kW, H_out, W_out) of x̂ is laid out once, contiguously, as
    (N, g, K, H_out*W_out), so that one batched matrix product with the (g, C_out_g, K) weights gives
    (N, g, C_out_g, H_out*W_out), already in output order.
    """
    N, C_in, Hp, Wp = xhat.shape
    C_out, C_in_g, kH, kW = w.shape
    (sH, sW), (dH, dW), g = stride, dilation, groups
    H_out, W_out = (Hp - dH * (kH - 1) - 1) // sH + 1, (Wp - dW * (kW - 1) - 1) // sW + 1
    bN, bC, bH, bW = xhat.strides
    windows = as_strided(
        xhat,
        shape=(N, g, C_in_g, kH, kW, H_out, W_out),
        strides=(bN, C_in_g * bC, bC, dH * bH, dW * bW, sH * bH, sW * bW),
        writeable=False,
    )
    K = C_in_g * kH * kW
    columns = np.ascontiguousarray(windows).reshape(N, g, K, H_out * W_out)
    kernels = w.astype(xhat.dtype, copy=False).reshape(g, C_out // g, K)
    return np.matmul(kernels, columns).reshape(N, C_out, H_out, W_out)


def correlate_by_taps(x: np.ndarray, w: np.ndarray, *, padding: ExplicitPadding, dilation: Pair,
                      groups: int) -> np.ndarray:
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


def _conv64(call: Conv2dCall, magnitude: bool = False) -> np.ndarray:
    # NaN and infinity follow IEEE 754 (A.8); NumPy's warnings about them would only be noise.
    with np.errstate(invalid="ignore", over="ignore"):
        return _conv64_ieee(call, magnitude)


def _conv64_ieee(call: Conv2dCall, magnitude: bool) -> np.ndarray:
    x, w, b = call.x, call.w, call.b
    if magnitude:
        x, w, b = np.abs(x), np.abs(w), None if b is None else np.abs(b)
    if call.stride == (1, 1) and w.shape[1] >= 16 and w.shape[2] * w.shape[3] <= 9 and x.shape[2] * x.shape[3] > 256:
        # Measured (benchmarks/bench_oracle.py): per-tap products beat im2col's copy on dense stride-1
        # layers with small kernels; with few channels a group, many taps or small inputs im2col wins.
        y = correlate_by_taps(x, w, padding=call.padding, dilation=call.dilation, groups=call.groups)
    else:
        y = correlate(pad(x, call.padding), w, stride=call.stride, dilation=call.dilation, groups=call.groups)
    if b is not None:
        y += b.astype(np.float64)[:, None, None]
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


__all__ = ["Conv2dCall", "Padding", "conv2d", "conv2d_definition", "correlate", "magnitude", "pad", "validate"]
