"""[B] Gradients of conv2d: grad_input, grad_weight and grad_bias against the reference's adjoint
sums within their own bounds, exactly on integers, and the adjoint identities with the backend's own
conv2d, over the forward pass's geometries (groups, dilation, stride, asymmetric padding)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import adjoint, reference
from cnnspec.accuracy import error_bound, exact_integers, operation_precision
from cnnspec.conformance.checks import Call, Nonconformance, assert_equal, assert_within, discard
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import Values, arrays_of, conv_cases
from cnnspec.geometry import Case

# Sums over the batch and the output map (grad_weight) grow with the map: keep them moderate.
gradient_cases = conv_cases(max_batch=2, max_group_channels=6, max_extra=6)

NAMES = ("grad_input", "grad_weight", "grad_bias")
CLAUSES = ("B.1", "B.2", "B.3")


def backward_call(backend, case: Case, x, w, b, g) -> Call:
    """The backend's ``conv2d_backward`` of ``case`` at x, w, b for the upstream gradient g."""
    return Call.of(backend, case, op="conv2d_backward", x=x, w=w, b=b, grad_output=g)


def _arrays(data, case: Case, dtype, values: Values):
    terms = max(adjoint.grad_terms(case.x_shape, case.w_shape or (), case.out_shape))
    a = data.draw(
        arrays_of(
            {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape, "g": case.out_shape},
            dtype,
            values=values,
            terms=max(terms, case.K),
        ),
        label="arrays",
    )
    return a["x"], a["w"], a["b"], a["g"]


def _results(call: Call):
    out = call.run("B.1")
    if not (isinstance(out, tuple) and len(out) == 3):
        raise Nonconformance.of(
            f"returned {type(out).__name__}, but should return (grad_input, grad_weight, grad_bias) ",
            "B.1",
            call,
        )
    return out


@pytest.mark.clauses("B.1", "B.2", "B.3", "B.4", "A.1")
@conformance
@given(case=gradient_cases, data=st.data())
def test_gradients_match_reference_within_bound(backend, dtype, case, data):
    x, w, b, g = _arrays(data, case, dtype, "floats")
    call = backward_call(backend, case, x, w, b, g)
    results = _results(call)
    wide = [None if a is None else a.astype(np.float64) for a in (x, w, b, g)]
    exact = adjoint.conv_grad(*wide, **case.params())
    magnitude = adjoint.conv_grad(*wide, **case.params(), magnitude=True)
    precision = operation_precision(backend, np.dtype(dtype))
    terms = adjoint.grad_terms(case.x_shape, case.w_shape, case.out_shape)
    for i, (name, clause) in enumerate(zip(NAMES, CLAUSES)):
        if exact[i] is None:
            continue  # no bias, no grad_bias to check
        bound = error_bound(magnitude[i], exact[i], terms[i], precision)
        assert_within(
            results[i],
            exact[i].astype(dtype),
            bound,
            clause=clause,
            call=call.but(pick=i),
            why=f"{name} of the float64 reference, within the bound of B.4 (K = {terms[i]})",
        )


def _exact_arrays(data, case: Case, dtype):
    x, w, b, g = _arrays(data, case, dtype, "integers")
    magnitudes = adjoint.conv_grad(x, w, b, g, **case.params(), magnitude=True)
    largest = max(float(m.max()) for m in magnitudes if m is not None)
    if max(largest, float(reference.magnitude(x, w, None, **case.params()).max())) > exact_integers(dtype):
        discard(f"sums too long for exact integers in {np.dtype(dtype).name}")
    return x, w, b, g


@pytest.mark.clauses("B.4", "B.1", "B.2", "B.3", "A.2")
@conformance
@given(case=gradient_cases, data=st.data())
def test_gradients_exact_on_small_integers(backend, dtype, case, data):
    x, w, b, g = _exact_arrays(data, case, dtype)
    call = backward_call(backend, case, x, w, b, g)
    results = _results(call)
    expected = adjoint.conv_grad(x, w, b, g, **case.params())
    for i, (name, clause) in enumerate(zip(NAMES, CLAUSES)):
        if expected[i] is not None:
            assert_equal(
                results[i],
                expected[i],
                clause=clause,
                call=call.but(pick=i),
                why=f"the exact integer {name} of the definition",
            )


@pytest.mark.clauses("B.1", "B.2", "B.4")
@conformance
@given(case=gradient_cases, data=st.data())
def test_adjoint_identities_with_own_conv2d(backend, dtype, case, data):
    # No reference here: the backend's own conv2d and its own gradients must agree by definition.
    x, w, _, g = _exact_arrays(data, case, dtype)
    forward = Call.of(backend, case, x=x, w=w, b=None)
    call = backward_call(backend, case, x, w, None, g)
    y = forward.run()
    gx, gw, _ = _results(call)
    if y.shape != g.shape or gx.shape != x.shape or gw.shape != w.shape:
        raise Nonconformance.of(
            f"shapes: conv2d {y.shape} for {g.shape}, grad_input {gx.shape} for {x.shape}, "
            f"grad_weight {gw.shape} for {w.shape}",
            "B.1",
            call,
        )
    inner = float(np.sum(y.astype(np.float64) * g.astype(np.float64)))
    for name, clause, grad, a in (("x", "B.1", gx, x), ("w", "B.2", gw, w)):
        other = float(np.sum(grad.astype(np.float64) * a.astype(np.float64)))
        if other != inner:
            raise Nonconformance.of(
                f"<conv2d(x, w), g> = {inner!r}, but <{name}, grad_{'input' if name == 'x' else 'weight'}> = "
                f"{other!r}; they must be equal (the adjoint identity of {clause}, exact on integers)",
                clause,
                call,
            )
