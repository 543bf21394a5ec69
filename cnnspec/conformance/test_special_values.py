"""[A.8, A.10] Special values: NaN and infinity reach exactly the outputs IEEE 754 sends them to, and
subnormal values are kept, not flushed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import special_values
from cnnspec.accuracy import reduced_precision, significand_bits, smallest_normal
from cnnspec.backends import flushes_subnormals
from cnnspec.conformance.checks import Call, assert_equal, assert_shape, assert_within, fail, reference_and_bound
from cnnspec.conformance.covering import exhaustive
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


def _unread(size: int, kernel: int, stride: int, dilation: int, pad: tuple[int, int], out: int) -> list[int]:
    """The input rows (or columns) of one axis that no window reads: those a stride or a dilation steps over."""
    read = {o * stride - pad[0] + t * dilation for o in range(out) for t in range(kernel)}
    return [i for i in range(size) if i not in read]


# Where the specials go: scattered at random, or where the rule is decided. Every example tries each.
PLACEMENTS = ("scattered", "under zero weights", "at the border, beside the padding", "where no window reads")


def _place(data: st.DataObject, case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, placement: str):
    """x, w and b with NaN, +-inf or signed zeros put in as ``placement`` says."""
    value = data.draw(st.sampled_from(SPECIAL[:3]), label="special")
    n, c = data.draw(st.integers(0, case.N - 1), label="n"), data.draw(st.integers(0, case.C_in - 1), label="c")
    x, w = x.copy(), w.copy()
    if placement == "under zero weights":
        # Every tap that reads input channel c is 0: each output that reads the special gets 0 * it, NaN.
        C_in_g, C_out_g = case.C_in // case.groups, case.C_out // case.groups
        group = c // C_in_g
        w[group * C_out_g : (group + 1) * C_out_g, c % C_in_g] = 0
        x[n, c, data.draw(st.integers(0, case.H - 1), label="i"), data.draw(st.integers(0, case.W - 1), label="j")] = (
            value
        )
    elif placement == "at the border, beside the padding":
        i, j = (
            data.draw(st.sampled_from([0, case.H - 1]), label="i"),
            data.draw(st.sampled_from([0, case.W - 1]), label="j"),
        )
        x[n, c, i, j] = value
        # An infinite tap at the kernel's edge, which meets the padding (its products there may be formed).
        o = data.draw(st.integers(0, case.C_out - 1), label="o")
        w[
            o,
            data.draw(st.integers(0, w.shape[1] - 1), label="w channel"),
            data.draw(st.sampled_from([0, case.kH - 1]), label="w row"),
            0,
        ] = np.inf
    elif placement == "where no window reads":
        rows = _unread(case.H, case.kH, case.stride[0], case.dilation[0], case.pads[0], case.out_shape[2])
        cols = _unread(case.W, case.kW, case.stride[1], case.dilation[1], case.pads[1], case.out_shape[3])
        if rows or cols:
            i = (
                data.draw(st.sampled_from(rows), label="i")
                if rows
                else data.draw(st.integers(0, case.H - 1), label="i")
            )
            j = (
                data.draw(st.sampled_from(cols), label="j")
                if cols and not rows
                else data.draw(st.integers(0, case.W - 1), label="j")
            )
            x[n, c, i, j] = np.nan  # no output reads it: none may be NaN
            return x, w, b
    if placement == "scattered" or placement == "where no window reads":
        x, w = _scatter(data, x, 3, "x"), _scatter(data, w, 2, "w")
        b = None if b is None else _scatter(data, b, 1, "b")
    return x, w, b


@pytest.mark.clauses("A.8", "A.9", "V.5", "T.1")
@conformance
@given(case=conv_cases(), data=st.data())
def test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype, values="floats"))
    for placement in PLACEMENTS:  # the same shape each time: a compiling framework pays once
        _check_specials(backend, case, *_place(data, case, a.x, a.w, a.b, placement))


def _check_specials(backend, case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> None:
    """[A.8] The outputs that NaN and infinity in x, w and b reach are those IEEE 754 sends them to."""
    call = Call.of(backend, case, x=x, w=w, b=b)
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
        (
            rule.finite_or_nan & ~padding_nan & ~(error <= bound),
            "NaN (padding times an infinite tap) or the sum of the other terms",
        ),
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
    # Anywhere, or the first or last element: beside the padding, where a kernel's edge path runs.
    where = data.draw(exhaustive(("anywhere", "first", "last")), label="one at")
    one[
        tuple(
            0 if where == "first" else n - 1 if where == "last" else data.draw(st.integers(0, n - 1), label=f"one[{i}]")
            for i, n in enumerate(one.shape)
        )
    ] = 1
    if probe_weight:
        x, w, what = one, _subnormals(rng, case.w_shape, dtype), "subnormal kernel taps for an impulse"
    else:
        x, w, what = _subnormals(rng, case.x_shape, dtype), one, "subnormal inputs for a one-hot weight"
    call = Call.of(backend, case, x=x, w=w, b=None)
    expected, _ = reference_and_bound(backend, case, x, w, None)
    u = reduced_precision(backend, dtype)
    if u is None:
        assert_equal(call.run(clause="A.10"), expected, clause="A.10", call=call, why=f"exact copies of {what}")
    else:  # a reduced mode rounds a subnormal at the smallest normal's exponent
        bound = u * np.maximum(np.abs(expected.astype(np.float64)), smallest_normal(dtype))
        assert_within(
            call.run(clause="A.10"),
            expected,
            bound,
            clause="A.10",
            call=call,
            why=f"copies of {what}, rounded once at the declared u",
        )
