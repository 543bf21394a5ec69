"""The reference: the fast oracle pinned to the plain definition and to scipy, and errors that name
the parameter, the rule and the clause."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnspec import Case, ConvSpecError, oracles, reference, special_values
from cnnspec.accuracy import Precision, error_bound, exact_integers
from cnnspec.conformance.strategies import conv_cases, integer_range, make_arrays
from cnnspec.dtypes import BFLOAT16

tiny = conv_cases(max_batch=2, max_groups=3, max_group_channels=3, max_group_filters=2, max_kernel=3, max_extra=4)


@settings(max_examples=300, deadline=None)
@given(case=tiny, seed=st.integers(0, 2**32 - 1))
def test_fast_oracle_equals_the_definition_on_integers(case, seed):
    a = make_arrays(case, np.float64, seed)
    fast = reference.conv2d(a.x, a.w, a.b, **case.params())
    plain = reference.conv2d_definition(a.x, a.w, a.b, **case.params())
    np.testing.assert_array_equal(fast, plain)


@settings(max_examples=200, deadline=None)
@given(case=tiny, seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from([np.float32, np.float64, np.float16, BFLOAT16]))
def test_fast_oracle_agrees_with_definition_and_scipy_on_floats(case, seed, dtype):
    a = make_arrays(case, dtype, seed, "floats")
    fast = reference.conv2d(a.x, a.w, a.b, **case.params())
    assert fast.dtype == dtype and fast.shape == case.out_shape
    wide = [None if v is None else v.astype(np.float64) for v in (a.x, a.w, a.b)]
    bound = error_bound(
        reference.magnitude(*wide, **case.params()),
        reference.conv2d(*wide, **case.params()),
        case.K,
        Precision.of(dtype),
    )
    for other in (reference.conv2d_definition, oracles.conv2d_correlate2d, oracles.conv2d_correlate3d):
        assert np.all(
            np.abs(fast.astype(np.float64) - other(a.x, a.w, a.b, **case.params()).astype(np.float64)) <= bound
        ), other


@settings(max_examples=200, deadline=None)
@given(
    case=conv_cases(max_group_channels=300, max_groups=2, max_kernel=3, max_extra=2),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float16, BFLOAT16]),
)
def test_integer_data_stays_exact_in_its_dtype_with_room_for_a_sum_of_two(case, seed, dtype):
    a = make_arrays(case, dtype, seed)
    M = reference.magnitude(a.x, a.w, a.b, **case.params())
    # Linearity adds two draws: twice M must still be exact (A.2).
    assert 2 * M.max() <= exact_integers(dtype), (integer_range(case.K, dtype), M.max())
    assert np.array_equal(a.x.astype(np.float64).round(), a.x.astype(np.float64))


def test_the_declared_accumulator_tightens_the_bound():
    M, r64 = np.array([100.0]), np.array([1.0])
    plain = error_bound(M, r64, 1000, Precision.of(np.float16))
    wide = error_bound(M, r64, 1000, Precision.of(np.float16, accumulator=np.float32))
    assert wide[0] < plain[0] / 20
    # An output of no terms (M = 0) is 0 even where (K + 1)*u >= 1 leaves the bound of the others infinite.
    assert error_bound(np.array([0.0, 1.0]), np.zeros(2), 300, Precision.of(BFLOAT16)).tolist()[0] < 1e-30


@settings(max_examples=300, deadline=None)
@given(case=tiny, seed=st.integers(0, 2**32 - 1), data=st.data())
def test_the_special_value_rule_is_what_ieee_arithmetic_gives_term_by_term(case, seed, data):
    """[A.8] The rule, computed from indicator arrays, against the plain definition summing in IEEE
    float64 (which forms the products of padding, so a tap meeting only padding gives NaN there)."""
    a = make_arrays(case, np.float64, seed, "floats")
    x, w = a.x.copy(), a.w.copy()
    for arr, n in ((x, 3), (w, 2)):
        for _ in range(data.draw(st.integers(0, n))):
            at = tuple(data.draw(st.integers(0, k - 1)) for k in arr.shape)
            arr[at] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0]))
    with np.errstate(invalid="ignore", over="ignore"):
        ieee = reference.conv2d_definition(x, w, a.b, **case.params())
    rule = special_values.expected(case, x, w, a.b)
    assert np.all(np.isnan(ieee[rule.nan]))
    # Where a special tap meets padding, IEEE forms 0*inf: NaN, which the rule allows.
    assert np.all(np.isnan(ieee[rule.nan_allowed]))
    assert np.all(ieee[rule.pos_inf & ~rule.nan_allowed] == np.inf)
    assert np.all(ieee[rule.neg_inf & ~rule.nan_allowed] == -np.inf)
    assert np.all(np.isfinite(ieee[rule.finite]))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_negative_padding_follows_the_index_rule_of_D3(data, seed):
    amount = st.integers(-4, 3)
    pads = ((data.draw(amount), data.draw(amount)), (data.draw(amount), data.draw(amount)))
    H, W = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    x = np.random.default_rng(seed).integers(-4, 5, size=(1, 2, H, W)).astype(np.float64)
    expected_shape = (1, 2, H + pads[0][0] + pads[0][1], W + pads[1][0] + pads[1][1])
    if min(expected_shape) < 1:
        return
    xhat = reference.pad(x, pads)
    assert xhat.shape == expected_shape
    for i, j in np.ndindex(*xhat.shape[2:]):
        r, c = i - pads[0][0], j - pads[1][0]
        inside = 0 <= r < H and 0 <= c < W
        np.testing.assert_array_equal(xhat[0, :, i, j], x[0, :, r, c] if inside else 0)
    np.testing.assert_array_equal(oracles.zero_pad(x, pads), xhat)


def test_rounds_once_from_float64():
    # 1 + 2^-24 + 2^-24 is 1 + 2^-23 exactly; summed in float32 it would round to 1 twice.
    x = np.array([[[[1.0, 2.0**-24, 2.0**-24]]]], dtype=np.float32)
    w = np.ones((1, 1, 1, 3), dtype=np.float32)
    assert reference.conv2d(x, w)[0, 0, 0, 0] == np.float32(1 + 2.0**-23)


def test_greyscale_and_unbatched_inputs_follow_S6_S7():
    rng = np.random.default_rng(0)
    image, w = rng.standard_normal((5, 6)), rng.standard_normal((3, 1, 2, 2))
    np.testing.assert_array_equal(reference.conv2d(image, w), reference.conv2d(image[None, None], w)[0])
    maps = rng.standard_normal((2, 5, 6))
    w2 = rng.standard_normal((3, 2, 2, 2))
    np.testing.assert_array_equal(reference.conv2d(maps, w2), reference.conv2d(maps[None], w2)[0])


X = np.zeros((1, 4, 5, 5), np.float32)
W = np.zeros((2, 4, 3, 3), np.float32)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((X, W[:, :2]), {"groups": 3}, r"groups=3 must divide C_in=4 \[E.2\]"),
        ((X, W[:1, :2]), {"groups": 2}, r"groups=2 must divide C_out=1 \[E.2\]"),
        ((X, W), {"groups": 0}, r"groups=0 must be an integer of at least 1 \[E.2\]"),
        ((X, W[:, :3]), {}, r"weight depth w.shape\[1\]=3 must equal C_in/groups=4/1=4 \[E.3\]"),
        ((X, W), {"stride": (1, 0)}, r"stride=\(1, 0\) must be at least 1 on each axis \[E.5\]"),
        ((X, W), {"dilation": -1}, r"dilation=\(-1, -1\) must be at least 1 on each axis \[E.5\]"),
        (
            (X, W),
            {"dilation": 3},
            r"dilated kernel extent 3\*\(3-1\)\+1=7 must not exceed the padded input H=5\+0\+0=5 \[E.4\]",
        ),
        ((X, W, np.zeros(3, np.float32)), {}, r"bias of shape \(3,\) must have shape \(C_out,\)=\(2,\) \[E.6\]"),
        ((X, W), {"padding": "full"}, r"padding='full' must be \"valid\", \"same\" or explicit amounts \[E.7\]"),
        ((X, W), {"padding": (1, 2, 3)}, r"padding=\(1, 2, 3\) must be .* \[D.2\]"),
        ((X, W), {"stride": "2"}, r"stride='2' must be an integer or a pair of integers \(height, width\) \[D.2\]"),
        ((X[0, 0, 0], W), {}, r"input of shape \(5,\) must have rank 4 .* \[E.1\]"),
        ((X[None], W), {}, r"input of shape \(1, 1, 4, 5, 5\) must have rank 4 .* \[E.1\]"),
        ((X, W[0]), {}, r"weight of shape \(4, 3, 3\) must have rank 4 .* \[E.1\]"),
        ((X, W.astype(np.float64)), {}, r"weight dtype float64 must equal the input dtype float32 \[S.5\]"),
        ((X.astype(np.int32), W), {}, r"input dtype int32 must be a floating-point dtype \[S.5\]"),
        ((X[:, :, :0], W), {}, r"input of shape \(1, 4, 0, 5\) must have every extent at least 1 \[S.1\]"),
    ],
)
def test_invalid_calls_raise_conv_spec_error_naming_the_rule(args, kwargs, message):
    for function in (reference.conv2d, reference.conv2d_definition, oracles.conv2d_correlate2d):
        with pytest.raises(ConvSpecError, match=message):
            function(*args, **kwargs)


def test_conv_spec_error_is_a_value_error_with_its_clause():
    with pytest.raises(ValueError) as info:
        reference.conv2d(X, W[:, :2], groups=3)
    assert info.value.clause == "E.2"


@pytest.mark.parametrize("padding", ["full", "SAME ", ""])
def test_a_geometry_with_an_unknown_padding_form_is_refused_by_its_clause(padding):
    # Not a TypeError from the output-size arithmetic: a caller that asks "is this call valid?" by
    # building its geometry must get the spec's answer.
    with pytest.raises(ConvSpecError, match=r"\[E.7\]"):
        Case.conv2d(N=1, C_in=1, H=3, W=3, C_out=1, kH=1, kW=1, padding=padding)
