"""The error bound of A.1 and the exactness condition of A.2."""

from __future__ import annotations

import numpy as np


def unit_roundoff(dtype: np.dtype | type) -> float:
    """[A.1] u = 2^-p for a dtype with a p-bit significand: 2^-24 for float32, 2^-53 for float64."""
    return float(np.finfo(dtype).eps) / 2


def gamma(n: int, u: float) -> float:
    """[A.1] Higham's gamma_n = n*u / (1 - n*u), the relative error bound of n roundings."""
    if n * u >= 1:
        return float("inf")
    return n * u / (1 - n * u)


def error_bound(M: np.ndarray, K: int, u: float) -> np.ndarray:
    """[A.1, A.4] What |y - r| may reach against the float64 reference r: 2 * gamma_{K+1}(u) * M.

    The factor 2 is one gamma for the implementation and one that covers the reference's own error.
    """
    return 2 * gamma(K + 1, u) * M


def exact_integers(dtype: np.dtype | type) -> float:
    """[A.2] 2^t: every integer up to this magnitude is exact in the dtype (t significand bits)."""
    return float(2 ** (np.finfo(dtype).nmant + 1))
