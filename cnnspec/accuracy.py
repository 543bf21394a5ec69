"""The error bounds of A.1 and A.5 as the suite applies them (A.6), and the exactness condition of A.2.

NumPy's ``finfo`` does not know bfloat16; ``ml_dtypes.finfo`` knows it and every NumPy float, so it is
the one used here.
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

from cnnspec.backends import protocol
from cnnspec.backends.protocol import Backend

_FLOAT64_U = 2.0**-53


def unit_roundoff(dtype: np.dtype | type) -> float:
    """[A.1] u = 2^-p for a dtype with a p-bit significand: 2^-53 for float64, 2^-24 for float32,
    2^-11 for float16, 2^-8 for bfloat16."""
    return float(ml_dtypes.finfo(dtype).eps) / 2


def underflow(dtype: np.dtype | type) -> float:
    """[A.1] eta: half the smallest subnormal, what one rounding may lose in absolute terms below the normal range."""
    return float(ml_dtypes.finfo(dtype).smallest_subnormal) / 2


def smallest_normal(dtype: np.dtype | type) -> float:
    """[A.10] The smallest positive normal number, what one rounding may lose where subnormals are flushed."""
    return float(ml_dtypes.finfo(dtype).smallest_normal)


def significand_bits(dtype: np.dtype | type) -> int:
    """[A.2, A.7] t, the significand bits, the implicit one included: 53, 24, 11 and 8."""
    return int(ml_dtypes.finfo(dtype).nmant) + 1


def gamma(n: int, u: float) -> float:
    """[A.1] Higham's gamma_n = n*u / (1 - n*u), the relative error bound of n roundings."""
    if n * u >= 1:
        return float("inf")
    return n * u / (1 - n * u)


@dataclass(frozen=True)
class Precision:
    """[A.1, A.5, A.10] What a backend declares for one dtype: the output's unit roundoff and underflow
    loss, and the arithmetic's (the accumulator, or a reduced mode such as TF32)."""

    u_out: float
    eta_out: float
    u_acc: float
    eta_acc: float

    @classmethod
    def of(
        cls,
        dtype: np.dtype | type,
        *,
        accumulator: np.dtype | type | None = None,
        u_acc: float | None = None,
        flushes_subnormals: bool = False,
    ) -> Precision:
        """The precision of ``dtype`` computed in ``accumulator`` (the dtype itself by default), at
        ``u_acc`` where a reduced mode declares one, with subnormals kept or flushed (A.10)."""
        acc = dtype if accumulator is None else accumulator
        loss = smallest_normal if flushes_subnormals else underflow
        return cls(
            u_out=unit_roundoff(dtype),
            eta_out=loss(dtype),
            u_acc=unit_roundoff(acc) if u_acc is None else u_acc,
            eta_acc=loss(acc),
        )


def error_bound(M: np.ndarray, r64: np.ndarray, K: int, precision: Precision) -> np.ndarray:
    """[A.1, A.5, A.6] What |y - r| may reach against the reference r = fl_out(r64):
    2*u_o*|r64| + (1 + u_o)*(gamma_{K+1}(u_a) + gamma_{K+1}(2^-53))*M + (K + 1)*eta_a + 2*eta_o.

    One u_o*|e| is the backend's final rounding and one the reference's; the gammas are the backend's
    accumulation and the reference's float64 one; the etas what underflow may lose in each.
    """
    p = precision
    relative = (1 + p.u_out) * (gamma(K + 1, p.u_acc) + gamma(K + 1, _FLOAT64_U))
    # Where (K + 1)*u reaches 1 the bound says nothing (infinite), but an output of no terms (M = 0) is still 0.
    sums = relative * M if np.isfinite(relative) else np.where(M > 0, np.inf, 0.0)
    return 2 * p.u_out * np.abs(r64) + sums + (K + 1) * p.eta_acc + 2 * p.eta_out


def exact_integers(dtype: np.dtype | type) -> float:
    """[A.2] 2^t: every integer up to this magnitude is exact in the dtype (t significand bits)."""
    return float(2 ** significand_bits(dtype))


# What a backend declares about its arithmetic (cnnspec.backends.protocol's hooks), as the precision the
# properties hold it to.


def declared_precision(backend: Backend, dtype: np.dtype) -> Precision:
    """[A.1, A.5, A.10] The precision the backend declares for ``dtype``: its accumulator
    (``accumulates_in``), a reduced mode's unit roundoff (``unit_roundoff``), and whether it flushes
    subnormals; by default, the dtype's own arithmetic with subnormals kept."""
    return Precision.of(
        dtype,
        accumulator=protocol.accumulates_in(backend, dtype),
        u_acc=protocol.unit_roundoff(backend, dtype),
        flushes_subnormals=protocol.flushes_subnormals(backend, dtype),
    )


def operation_precision(backend: Backend, dtype: np.dtype) -> Precision:
    """[A.1, B.4, U.5, M.3] The precision gradients, transposed convolutions and pooling are held to: the
    dtype's own accumulation (A.1), with a declared reduced mode and subnormal flushing as declared.
    ``accumulates_in`` is a declaration about the forward convolution (A.5) and does not reach them."""
    return Precision.of(
        dtype,
        u_acc=reduced_precision(backend, dtype),
        flushes_subnormals=protocol.flushes_subnormals(backend, dtype),
    )


def reduced_precision(backend: Backend, dtype: np.dtype) -> float | None:
    """[A.3, A.7] The unit roundoff of a declared reduced-precision mode for ``dtype`` (its copies are
    rounded once to it), or None where the backend declares none and its copies must be exact."""
    u = protocol.unit_roundoff(backend, dtype)
    return u if u is not None and u > unit_roundoff(dtype) else None
