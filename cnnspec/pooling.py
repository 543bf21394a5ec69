"""The reference pooling (M.1-M.3): max and average over windows, channel by channel, any rank.

Pooling never mixes channels: a window lies in one channel of one batch element. Each output window
is a strided view of the input padded with a fill that never wins (``-inf`` for max, 0 for the sum),
extended far enough for ceil mode's last window.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnnspec.errors import ConvSpecError
from cnnspec.geometry import Case


def _windows(x: np.ndarray, case: Case, fill: float) -> np.ndarray:
    """[M.1] The view (N, C, H_out, W_out, kH, kW) of each output's window, out of range read as ``fill``."""
    out = case.out_shape[2:]
    need = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in zip(out, case.stride, case.dilation, case.kernel)]
    padded = np.full(x.shape[:2] + tuple(max(n, p + size) for n, p, size in zip(need, case.padding, x.shape[2:])), fill)
    (pH, pW), (H, W) = case.padding, x.shape[2:]
    padded[:, :, pH : pH + H, pW : pW + W] = x
    bN, bC, bH, bW = padded.strides
    return as_strided(
        padded,
        shape=x.shape[:2] + tuple(out) + tuple(case.kernel),
        strides=(bN, bC, case.stride[0] * bH, case.stride[1] * bW, case.dilation[0] * bH, case.dilation[1] * bW),
        writeable=False,
    )


def case_of(op: str, x: np.ndarray, **params: object) -> Case:
    """[M.1, E.11] The geometry of pooling ``x`` with these parameters, validated: x of rank 4 first, so
    that a wrong rank is named as such rather than failing in the geometry."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ConvSpecError(f"input of shape {x.shape} must have rank 4 (N, C, H, W)", "E.11")
    return Case.pool2d(op, *x.shape, **params)  # type: ignore[arg-type]


def max_pool2d(x: np.ndarray, case: Case) -> np.ndarray:
    """[M.2] The largest element of each window that lies inside x, in x's dtype (a copy, exact)."""
    with np.errstate(invalid="ignore"):
        return _windows(x.astype(np.float64), case, -np.inf).max(axis=(-2, -1)).astype(x.dtype)


def divisor(case: Case) -> np.ndarray:
    """[M.3] The count each window's sum is divided by, (H_out, W_out): positions inside the padded
    input with ``count_include_pad``, else inside x."""
    counts = []
    for size, o, k, s, p in zip(case.x_shape[2:], case.out_shape[2:], case.kernel, case.stride, case.padding):
        start = np.arange(o) * s - p
        if case.count_include_pad:
            counts.append(np.minimum(start + k, size + p) - start)
        else:
            counts.append(np.minimum(start + k, size) - np.maximum(start, 0))
    return np.outer(counts[0], counts[1]).astype(np.float64)


def avg_pool2d(x: np.ndarray, case: Case, *, magnitude: bool = False) -> np.ndarray:
    """[M.3] Each window's sum of the elements inside x over ``divisor``, in float64 rounded once to x's
    dtype; with ``magnitude``, the same mean of |x| in float64 (A.1's M)."""
    x64 = np.abs(x.astype(np.float64)) if magnitude else x.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        y = _windows(x64, case, 0.0).sum(axis=(-2, -1)) / divisor(case)
    return y if magnitude else y.astype(x.dtype)


__all__ = ["avg_pool2d", "case_of", "divisor", "max_pool2d"]
