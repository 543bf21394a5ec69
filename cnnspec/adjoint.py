"""The adjoints of conv: its gradients (B.1-B.3) and the transposed convolution (U.1), any rank.

Both are one scatter, the adjoint of the window gather of ``reference.correlate``: every output
element sends ``w[o, c, p..]·ĝ[n, o, i..]`` back to the input position ``i·s + p·d`` that tap ``p``
read. ``scatter`` is that sum, ``unpad`` the adjoint of padding, and the rest composes them, in float64,
rounded once to the input's dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cnnspec.errors import ConvSpecError
from cnnspec.geometry import (
    ExplicitPadding,
    Pair,
    as_padding,
    as_pair,
    check_groups,
    check_stride_dilation,
    transposed_output_size,
)
from cnnspec.reference import ConvCall, check_dtypes, pad, unpad, validate, windows


def scatter(
    gy: np.ndarray,
    w: np.ndarray,
    padded: tuple[int, ...],
    *,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    groups: int,
) -> np.ndarray:
    """[B.1, U.1] The adjoint of the grouped correlation: x̂-shaped (N, C_in, padded..) sums of
    w[o, c, p..]·gy[n, o, i..] at position i·s + p·d of channel γ(o)·C_in_g + c, in float64."""
    N, C_out, *out = gy.shape
    _, C_in_g, *kernel = w.shape
    g, T, L = groups, math.prod(kernel), math.prod(out)
    kernels = w.astype(np.float64).reshape(g, C_out // g, C_in_g * T).transpose(0, 2, 1)
    # columns[n, γ, c·T + t, l]: what tap t of channel c receives from output l, summed over the filters.
    columns = np.matmul(kernels, gy.astype(np.float64).reshape(N, g, C_out // g, L))
    columns = columns.reshape(N, g * C_in_g, T, *out)
    xhat = np.zeros((N, g * C_in_g, *padded))
    for t, tap in enumerate(np.ndindex(*kernel)):
        at = tuple(slice(p * d, p * d + s * (o - 1) + 1, s) for p, d, s, o in zip(tap, dilation, stride, out))
        xhat[(slice(None), slice(None), *at)] += columns[:, :, t]
    return xhat


def _check_grad_output(call: ConvCall, gy: np.ndarray, expected: tuple[int, ...]) -> None:
    if gy.shape != expected:
        raise ConvSpecError(f"grad_output of shape {gy.shape} must have the output's shape {expected}", "B.1")
    if gy.dtype != call.x.dtype:
        raise ConvSpecError(f"grad_output dtype {gy.dtype} must equal the input dtype {call.x.dtype}", "S.5")


def _grads64(call: ConvCall, gy: np.ndarray, magnitude: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x, w, b = call.x, call.w, call.b
    if magnitude:
        x, w, gy = np.abs(x), np.abs(w), np.abs(gy)
    xhat = pad(x, call.padding)
    view = windows(xhat, w.shape[2:], stride=call.stride, dilation=call.dilation, groups=call.groups)
    _check_grad_output(call, gy, (x.shape[0], w.shape[0], *view.shape[3 + w.ndim - 2 :]))
    N, g = x.shape[0], call.groups
    L = math.prod(gy.shape[2:])
    K = w.shape[1] * math.prod(w.shape[2:])
    with np.errstate(invalid="ignore", over="ignore"):
        columns = np.ascontiguousarray(view).reshape(N, g, K, L)
        per_group = gy.astype(np.float64).reshape(N, g, w.shape[0] // g, L)
        # [B.2] grad_weight[γ, o, k] = Σ_n Σ_l ĝ[n, γ, o, l]·columns[n, γ, k, l]: own group's channels only.
        gw = np.einsum("ngol,ngkl->gok", per_group, columns).reshape(w.shape)
        gx = unpad(
            scatter(gy, w, xhat.shape[2:], stride=call.stride, dilation=call.dilation, groups=g),
            call.padding,
            x.shape[2:],
        )
        gb = None if b is None else gy.astype(np.float64).sum(axis=(0, *range(2, gy.ndim)))
    return gx, gw, gb


def conv_grad(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    grad_output: np.ndarray,
    /,
    *,
    stride: int | tuple[int, ...] = 1,
    padding: object = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    magnitude: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """[B.1, B.2, B.3] (grad_input, grad_weight, grad_bias) of the conv of ``w``'s rank at ``x``, for the
    upstream gradient ``grad_output``; grad_bias is None without a bias. Computed in float64 and
    rounded once to the input's dtype, or, with ``magnitude``, each gradient's M of B.4 in float64."""
    call = validate(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups, rank=np.ndim(w) - 2)
    grads = _grads64(call, np.asarray(grad_output), magnitude)
    if magnitude:
        return grads
    gx, gw, gb = grads
    dtype = call.x.dtype
    return gx.astype(dtype), gw.astype(dtype), None if gb is None else gb.astype(dtype)


def grad_terms(x_shape: tuple[int, ...], w_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """[B.4] The number of products in one element of grad_input, grad_weight and grad_bias."""
    C_out_g_taps = w_shape[0] * math.prod(w_shape[2:]) // max(x_shape[1] // w_shape[1], 1)
    batch_outputs = out_shape[0] * math.prod(out_shape[2:])
    return C_out_g_taps, batch_outputs, batch_outputs


def _validate_transposed(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: object,
    padding: object,
    output_padding: object,
    dilation: object,
    groups: int,
) -> tuple[Pair, ExplicitPadding, Pair, Pair]:
    if x.ndim != 4 or w.ndim != 4:
        raise ConvSpecError(f"input {x.shape} and weight {w.shape} must have rank 4", "E.9")
    check_dtypes(x, w, b)
    check_groups(groups, x.shape[1], w.shape[1] * groups if isinstance(groups, int) and groups > 0 else 1)
    if w.shape[0] != x.shape[1]:
        raise ConvSpecError(
            f"weight w.shape[0]={w.shape[0]} must equal C_in={x.shape[1]} (layout (C_in, C_out/groups, kH, kW))", "E.9"
        )
    s, d, a = as_pair("stride", stride), as_pair("dilation", dilation), as_pair("output_padding", output_padding)
    check_stride_dilation(s, d)
    pads = as_padding(padding)
    if isinstance(pads, str) or min(min(pads[0]), min(pads[1])) < 0:
        raise ConvSpecError(f"padding={padding!r} must be non-negative explicit amounts", "E.9")
    if min(a) < 0:
        raise ConvSpecError(f"output_padding={a} must not be negative", "U.4")
    if b is not None and b.shape != (w.shape[1] * groups,):
        raise ConvSpecError(f"bias of shape {b.shape} must have shape (C_out,)=({w.shape[1] * groups},)", "E.9")
    return s, pads, a, d


def conv_transpose2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    /,
    *,
    stride: int | Pair = 1,
    padding: object = 0,
    output_padding: int | Pair = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
    magnitude: bool = False,
) -> np.ndarray:
    """[U.1, U.5] The transposed convolution of x (N, C_in, H, W) with w (C_in, C_out/groups, kH, kW):
    the scatter of U.1, cropped by the padding and extended at the end by the output padding, in
    float64 rounded once to the input's dtype; with ``magnitude``, its M of U.5 in float64.

    Any output padding is computed; the limit of U.4 is for the caller to apply."""
    x, w = np.asarray(x), np.asarray(w)
    b = None if b is None else np.asarray(b)
    s, pads, a, d = _validate_transposed(x, w, b, stride, padding, output_padding, dilation, groups)
    out = [
        transposed_output_size(n, k, stride=si, pad=p, dilation=di, output_padding=ai)
        for n, k, si, p, di, ai in zip(x.shape[2:], w.shape[2:], s, pads, d, a)
    ]
    if min(out) < 1:
        raise ConvSpecError(f"the output extents {out} must be at least 1", "E.10")
    if magnitude:
        x, w, b = np.abs(x), np.abs(w), None if b is None else np.abs(b)
    with np.errstate(invalid="ignore", over="ignore"):
        yhat = scatter(x, w, tuple(o + lo + hi for o, (lo, hi) in zip(out, pads)), stride=s, dilation=d, groups=groups)
        kept: tuple[Any, ...] = (..., *(slice(lo, lo + o) for o, (lo, _) in zip(out, pads)))
        y = yhat[kept]
        if b is not None:
            y = y + b.astype(np.float64)[:, None, None]
    return y if magnitude else y.astype(x.dtype)


__all__ = ["conv_grad", "conv_transpose2d", "grad_terms", "scatter"]
