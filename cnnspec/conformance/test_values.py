"""[V, A] Values: against the float64 reference within the bound the backend declares (A.1, A.5),
exactly on integers (A.2), both again for sums thousands of terms long, against scipy's 3-D
correlation (V.3), and with impulse probes that expose a flipped kernel (V.2, A.3) and measure the
precision a backend carries (A.7)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import oracles, reference
from cnnspec.accuracy import exact_integers
from cnnspec.conformance.checks import Call, assert_copies, assert_equal, assert_within, reference_and_bound
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import conv_arrays, conv_cases

_WHY_BOUND = "the float64 reference, within the declared bound of A.6"

# Sums thousands of terms long (K = C_in/g * kH * kW from 128 to 9216) on small maps: where the bound,
# not luck, decides, and where kernels switch to blocked or split accumulation.
long_sums = conv_cases(
    min_group_channels=128,
    max_group_channels=1024,
    max_groups=2,
    max_group_filters=2,
    max_kernel=3,
    max_batch=1,
    max_stride=2,
    max_dilation=2,
    max_padding=1,
    max_extra=3,
)


def _within_bound(backend, dtype, case, data, *, clause: str, why: str) -> None:
    """[A.1, A.5] Random floats: the backend's result within its declared bound of the reference."""
    a = data.draw(conv_arrays(case, dtype, values="floats"))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    expected, bound = reference_and_bound(backend, case, a.x, a.w, a.b)
    assert_within(call.run(), expected, bound, clause=clause, call=call, why=why)


def _exact_on_integers(backend, dtype, case, data, *, why: str) -> None:
    """[A.2] Integers in the dtype's exact tier: the backend's result equal to the reference."""
    a = data.draw(conv_arrays(case, dtype, values="integers"))
    assert reference.magnitude(a.x, a.w, a.b, **case.params()).max() <= exact_integers(dtype)
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    expected = reference.conv2d(a.x, a.w, a.b, **case.params())
    assert_equal(call.run(), expected, clause="A.2", call=call, why=why)


@pytest.mark.clauses("A.1", "A.5", "V.1", "G.2", "P.2", "T.3")
@conformance
@given(case=conv_cases(), data=st.data())
def test_matches_reference_within_bound(backend, dtype, case, data):
    _within_bound(backend, dtype, case, data, clause="A.1", why=_WHY_BOUND)


@pytest.mark.clauses("A.5", "A.1")
@conformance
@given(case=long_sums, data=st.data())
def test_long_sums_within_bound(backend, dtype, case, data):
    _within_bound(backend, dtype, case, data, clause="A.5", why=f"{_WHY_BOUND}, K = {case.K}")


@pytest.mark.clauses("A.2", "V.1", "G.2")
@conformance
@given(case=conv_cases(), data=st.data())
def test_exact_on_small_integers(backend, dtype, case, data):
    _exact_on_integers(backend, dtype, case, data, why="the exact integer result")


@pytest.mark.clauses("A.2", "A.5")
@conformance
@given(case=long_sums, data=st.data())
def test_long_sums_exact_on_integers(backend, dtype, case, data):
    _exact_on_integers(backend, dtype, case, data, why=f"the exact integer result, K = {case.K}")


@pytest.mark.clauses("V.3", "A.1")
@conformance
@given(case=conv_cases(max_batch=2, max_group_channels=6), data=st.data())
def test_matches_scipy_3d_correlation(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype, values="floats"))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    _, bound = reference_and_bound(backend, case, a.x, a.w, a.b)
    expected = oracles.conv2d_correlate3d(a.x, a.w, a.b, **case.params())
    assert_within(
        call.run(),
        expected,
        bound,
        clause="V.3",
        call=call,
        why="scipy.signal.correlate of each group's stack, 'valid' in depth",
    )


def _one_hot(shape, index, dtype):
    out = np.zeros(shape, dtype)
    out[index] = 1
    return out


@pytest.mark.clauses("V.2", "A.3", "A.7")
@conformance
@given(case=conv_cases(bias=False), data=st.data())
def test_impulse_input_copies_the_kernel_unflipped(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype, values="floats"))
    at = tuple(data.draw(st.integers(0, n - 1), label=f"impulse[{i}]") for i, n in enumerate(case.x_shape))
    x = _one_hot(case.x_shape, at, dtype)
    call = Call.of(backend, case, x=x, w=a.w, b=None)
    expected = reference.conv2d(x, a.w, None, **case.params())
    assert_copies(
        call.run(),
        expected,
        clause="V.2",
        call=call,
        why=f"an exact, unflipped copy of kernel taps for the impulse at x{list(at)}",
    )


@pytest.mark.clauses("A.3", "A.7", "V.1")
@conformance
@given(case=conv_cases(bias=False), data=st.data())
def test_one_hot_weight_copies_the_input(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype, values="floats"))
    at = tuple(data.draw(st.integers(0, n - 1), label=f"tap[{i}]") for i, n in enumerate(case.w_shape))
    w = _one_hot(case.w_shape, at, dtype)
    call = Call.of(backend, case, x=a.x, w=w, b=None)
    expected = reference.conv2d(a.x, w, None, **case.params())
    assert_copies(
        call.run(),
        expected,
        clause="A.3",
        call=call,
        why=f"an exact copy of the input for the one-hot weight at w{list(at)}",
    )


@pytest.mark.clauses("V.4")
@conformance
@given(case=conv_cases(bias=True), data=st.data())
def test_bias_is_added_once_to_its_own_map(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    with_bias = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    without = with_bias.but(b=None).run()
    assert_equal(
        with_bias.run(),
        without + a.b[:, None, None],
        clause="V.4",
        call=with_bias,
        why="the result without bias, plus b[o] on map o",
    )


@pytest.mark.clauses("V.5")
@conformance
@given(case=conv_cases(min_batch=2), data=st.data())
def test_batch_elements_are_independent(backend, dtype, case, data):
    a = data.draw(conv_arrays(case, dtype))
    call = Call.of(backend, case, x=a.x, w=a.w, b=a.b)
    whole = call.run()
    n = data.draw(st.integers(0, case.N - 1), label="n")
    alone = call.but(x=a.x[n : n + 1])
    assert_equal(
        alone.run(), whole[n : n + 1], clause="V.5", call=alone, why=f"element {n} of the whole batch's result"
    )
