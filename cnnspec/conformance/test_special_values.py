"""[A.8, A.10] Special values: NaN and infinity reach exactly the outputs IEEE 754 sends them to, and
subnormal values are kept, not flushed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import special_values
from cnnspec.accuracy import smallest_normal, significand_bits
from cnnspec.backends import flushes_subnormals, reduced_precision
from cnnspec.conformance.checks import Call, assert_equal, assert_shape, assert_within, fail, reference_and_bound
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases

SPECIAL = (np.nan, np.inf, -np.inf, 0.0, -0.0)


def _scatter(data: st.DataObject, a: np.ndarray, most: int, label: str) -> np.ndarray:
    """A copy of ``a`` with up to ``most`` elements set to NaN, +-inf or a signed zero, drawn."""
    a = a.copy()
    for k in range(data.draw(st.integers(0, most), label=f"{label} specials")):
        at = tuple(data.draw(st.integers(0, n - 1), label=f"{label} special {k} [{i}]") for i, n in enumerate(a.shape))
        a[at] = data.draw(st.sampled_from(SPECIAL), label=f"{label} special {k}")
    return a


@pytest.mark.clauses("A.8", "A.9", "V.5", "T.1")
@conformance
@given(case=conv_cases(), data=st.data())
def test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype, values="floats"))
    x, w = _scatter(data, a.x, 3, "x"), _scatter(data, a.w, 2, "w")
    b = None if a.b is None else _scatter(data, a.b, 1, "b")
    call = Call.of(backend, case, x, w, b)
    rule = special_values.expected(case, x, w, b)

    def finite(v: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(v.astype(np.float64)), v, 0).astype(v.dtype)

    # Where every term is finite the specials play no part, so their places may hold zeros.
    reference, bound = reference_and_bound(backend, case, finite(x), finite(w), None if b is None else finite(b))
    actual = call.run(clause="A.8")
    assert_shape(actual, reference.shape, reference.dtype, call=call, clause="A.8")
    y = actual.astype(np.float64)
    expected = reference.astype(np.float64)
    expected[rule.nan], expected[rule.pos_inf], expected[rule.neg_inf] = np.nan, np.inf, -np.inf
    error = np.abs(y - reference.astype(np.float64))
    padding_nan = rule.nan_allowed & np.isnan(y)  # padding's product with a special tap, formed
    checks = [
        (rule.nan & ~np.isnan(y), "NaN: a term is NaN, 0*inf, or +inf meets -inf"),
        (rule.pos_inf & (y != np.inf) & ~padding_nan, "+inf: a term is +inf and none is NaN or -inf"),
        (rule.neg_inf & (y != -np.inf) & ~padding_nan, "-inf: a term is -inf and none is NaN or +inf"),
        (rule.finite & ~(error <= bound), "finite: every term is finite, so within the bound of A.6"),
        (rule.finite_or_nan & ~padding_nan & ~(error <= bound),
         "NaN (padding times an infinite tap) or the sum of the other terms"),
    ]
    for bad, why in checks:
        if bad.any():
            fail(actual, expected, bad, clause="A.8", call=call, why=why)


def _subnormals(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Random subnormal values of ``dtype``: k times the smallest subnormal, k below 2^(t-1), either sign."""
    tiny = smallest_normal(dtype) / 2 ** (significand_bits(dtype) - 1)
    k = rng.integers(1, 2 ** (significand_bits(dtype) - 1), size=shape)
    return (k * tiny * rng.choice([-1.0, 1.0], size=shape)).astype(dtype)


@pytest.mark.clauses("A.10", "A.3")
@conformance
@given(case=conv_cases(bias=False), data=st.data())
def test_subnormals_are_kept(backend, dtype, case, data):
    if flushes_subnormals(backend, dtype):
        pytest.skip(f"{backend.name}: declares that it flushes subnormals in {dtype.name} (A.10)")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    probe_weight = data.draw(st.booleans(), label="subnormal weights (else inputs)")
    one = np.zeros(case.x_shape if probe_weight else case.w_shape, dtype)
    one[tuple(data.draw(st.integers(0, n - 1), label=f"one[{i}]") for i, n in enumerate(one.shape))] = 1
    if probe_weight:
        x, w, what = one, _subnormals(rng, case.w_shape, dtype), "subnormal kernel taps for an impulse"
    else:
        x, w, what = _subnormals(rng, case.x_shape, dtype), one, "subnormal inputs for a one-hot weight"
    call = Call.of(backend, case, x, w, None)
    expected, _ = reference_and_bound(backend, case, x, w, None)
    u = reduced_precision(backend, dtype)
    if u is None:
        assert_equal(call.run(clause="A.10"), expected, clause="A.10", call=call, why=f"exact copies of {what}")
    else:  # a reduced mode rounds a subnormal at the smallest normal's exponent
        bound = u * np.maximum(np.abs(expected.astype(np.float64)), smallest_normal(dtype))
        assert_within(call.run(clause="A.10"), expected, bound, clause="A.10", call=call,
                      why=f"copies of {what}, rounded once at the declared u")
