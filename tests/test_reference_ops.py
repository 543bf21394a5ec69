"""The N-d reference, the adjoints and the pooling, each pinned to a plain definition written out
element by element here, and to scipy where scipy has the sum."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnspec import ConvSpecError, adjoint, oracles, pooling, reference
from cnnspec.backends.reference import ReferenceBackend
from cnnspec.conformance.strategies import conv_nd_cases, pool_cases, transposed_cases
from cnnspec.operations import OPERATIONS

tiny_nd = st.sampled_from([1, 2, 3]).flatmap(
    lambda rank: conv_nd_cases(
        rank=rank, max_group_channels=2, max_group_filters=2, max_groups=2, max_kernel=3, max_extra=2, max_padding=1
    )
)


def _arrays(shapes, seed):
    rng = np.random.default_rng(seed)
    return {k: None if s is None else rng.integers(-3, 4, size=s).astype(np.float64) for k, s in shapes.items()}


@settings(max_examples=150, deadline=None)
@given(case=tiny_nd, seed=st.integers(0, 2**32 - 1))
def test_nd_reference_equals_the_nd_definition_and_scipy(case, seed):
    a = _arrays({"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, seed)
    fast = reference.conv(a["x"], a["w"], a["b"], **case.params())
    assert fast.shape == case.out_shape
    call = reference.validate(a["x"], a["w"], a["b"], **case.params(), rank=case.rank)
    np.testing.assert_array_equal(fast, reference.conv_definition(call))
    np.testing.assert_array_equal(fast, oracles.conv_correlate(a["x"], a["w"], a["b"], **case.params()))


@settings(max_examples=100, deadline=None)
@given(case=tiny_nd, seed=st.integers(0, 2**32 - 1))
def test_gradients_are_the_derivatives_by_unit_vectors(case, seed):
    # The definition of B.1 and B.2: grad_input[i] = <conv(e_i, w), g>, grad_weight[i] = <conv(x, e_i), g>.
    a = _arrays({"x": case.x_shape, "w": case.w_shape, "b": case.b_shape, "g": case.out_shape}, seed)
    gx, gw, gb = adjoint.conv_grad(a["x"], a["w"], a["b"], a["g"], **case.params())
    for array, grad, place in ((a["x"], gx, "x"), (a["w"], gw, "w")):
        expected = np.zeros(array.shape)
        for i in np.ndindex(array.shape):
            unit = np.zeros(array.shape)
            unit[i] = 1
            args = (unit, a["w"]) if place == "x" else (a["x"], unit)
            expected[i] = np.sum(reference.conv(*args, None, **case.params()) * a["g"])
        np.testing.assert_array_equal(grad, expected)
    if case.bias:
        np.testing.assert_array_equal(gb, a["g"].sum(axis=(0, *range(2, a["g"].ndim))))
    else:
        assert gb is None


@settings(max_examples=150, deadline=None)
@given(case=transposed_cases(max_group_channels=2, max_group_filters=2, max_size=3), seed=st.integers(0, 2**32 - 1))
def test_transposed_reference_is_the_scatter_of_U1_and_the_adjoint_of_conv2d(case, seed):
    a = _arrays({"x": case.x_shape, "w": case.w_shape, "b": case.b_shape, "z": case.out_shape}, seed)
    y = adjoint.conv_transpose2d(a["x"], a["w"], a["b"], **case.params())
    assert y.shape == case.out_shape
    # U.1 written out: each input element scattered through its kernel into the uncropped output.
    (top, bottom), (left, right) = case.padding
    C_in_g, C_out_g = case.C_in // case.groups, case.C_out // case.groups
    full = np.zeros((case.N, case.C_out, case.out_shape[2] + top + bottom, case.out_shape[3] + left + right))
    for n, c, i, j in np.ndindex(case.x_shape):
        for o, p, q in np.ndindex(C_out_g, case.kH, case.kW):
            full[
                n,
                c // C_in_g * C_out_g + o,
                i * case.stride[0] + p * case.dilation[0],
                j * case.stride[1] + q * case.dilation[1],
            ] += a["x"][n, c, i, j] * a["w"][c, o, p, q]
    expected = full[:, :, top : top + case.out_shape[2], left : left + case.out_shape[3]]
    if a["b"] is not None:
        expected = expected + a["b"][:, None, None]
    np.testing.assert_array_equal(y, expected)
    # U.2 with the reference conv2d, where the output padding leaves the conv's output at x's size.
    if all(o < s for o, s in zip(case.output_padding, case.stride)):
        plain = adjoint.conv_transpose2d(a["x"], a["w"], None, **case.params())
        cz = reference.conv2d(
            a["z"], a["w"], None, stride=case.stride, padding=case.padding, dilation=case.dilation, groups=case.groups
        )
        assert np.sum(plain * a["z"]) == np.sum(a["x"] * cz)


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(["max_pool2d", "avg_pool2d"]).flatmap(pool_cases), seed=st.integers(0, 2**32 - 1))
def test_pooling_reference_is_the_window_rule_of_M1(case, seed):
    x = np.random.default_rng(seed).standard_normal(case.x_shape)
    (H, W), (pH, pW) = case.x_shape[2:], case.padding
    expected = np.zeros(case.out_shape)
    for n, c, i, j in np.ndindex(case.out_shape):
        rows = [i * case.stride[0] - pH + u * case.dilation[0] for u in range(case.kernel[0])]
        cols = [j * case.stride[1] - pW + v * case.dilation[1] for v in range(case.kernel[1])]
        inside = [x[n, c, r, s] for r in rows for s in cols if 0 <= r < H and 0 <= s < W]
        if case.op == "max_pool2d":
            expected[n, c, i, j] = max(inside)
        else:
            # ceil mode's last window may run past the padding: those positions never count.
            count = (
                sum(-pH <= r < H + pH for r in rows) * sum(-pW <= s < W + pW for s in cols)
                if case.count_include_pad
                else len(inside)
            )
            expected[n, c, i, j] = sum(inside) / count
    actual = (pooling.max_pool2d if case.op == "max_pool2d" else pooling.avg_pool2d)(x, case)
    if case.op == "max_pool2d":
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=1e-13, atol=1e-15)


def test_pool_case_rejects_padding_beyond_half_the_kernel():
    from cnnspec.geometry import Case

    # Beyond half the dilated window: an invalid call (E.11); within it but beyond half the kernel: outside M.1.
    with pytest.raises(
        ConvSpecError, match=r"padding=\(2, 0\) must be between 0 and half the dilated window.*\[E.11\]"
    ):
        Case.pool2d("max_pool2d", 1, 1, 5, 5, kernel=(3, 3), stride=(1, 1), padding=(2, 0))
    with pytest.raises(ConvSpecError, match=r"padding=\(2, 0\) must be between 0 and half the kernel.*\[M.1\]"):
        Case.pool2d("max_pool2d", 1, 1, 9, 5, kernel=(3, 3), stride=(1, 1), padding=(2, 0), dilation=(3, 1))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"output_padding": -1}, r"output_padding=\(-1, -1\) must not be negative \[U.4\]"),
        ({"padding": "same"}, r"padding='same' must be non-negative explicit amounts \[E.9\]"),
    ],
)
def test_transposed_reference_names_the_rule_it_refuses(kwargs, message):
    x, w = np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2))
    with pytest.raises(ConvSpecError, match=message):
        adjoint.conv_transpose2d(x, w, None, **kwargs)


def test_transposed_weight_layout_is_checked():
    with pytest.raises(ConvSpecError, match=r"weight w.shape\[0\]=3 must equal C_in=2 .*\[E.9\]"):
        adjoint.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((3, 1, 2, 2)))


def test_nd_reference_names_the_rank_it_needs():
    with pytest.raises(
        ConvSpecError, match=r"input of shape \(1, 2, 5\) must have rank 5 \(N, C_in, D, H, W\) \[E.1\]"
    ):
        reference.conv(np.ones((1, 2, 5)), np.ones((1, 2, 1, 1, 1)))


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_every_operation_is_the_reference_backends_method_with_the_signature_its_row_gives(name):
    op = OPERATIONS[name]
    parameters = inspect.signature(getattr(ReferenceBackend(), name)).parameters.values()
    positional = tuple(p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_ONLY)
    keywords = tuple(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)
    assert (positional, keywords) == (op.arrays, op.params)
    # Its simplest case is a case of it (the gradients' is the forward call's).
    assert op.simplest.op == ("conv2d" if name == "conv2d_backward" else name)
