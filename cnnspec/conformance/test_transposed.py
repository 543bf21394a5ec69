"""[U] Transposed convolution: against the reference scatter within its bound, as the adjoint of the
backend's own conv2d, with output padding at the end, and the output padding limit each declares."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import adjoint, reference
from cnnspec.accuracy import error_bound, exact_integers, operation_precision
from cnnspec.backends import output_padding_limit
from cnnspec.conformance.checks import Call, Nonconformance, assert_equal, assert_within, discard
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import Values, arrays_of, transposed_cases
from cnnspec.geometry import Case


def _arrays(data, case: Case, dtype, values: Values, bias: bool = True):
    a = data.draw(
        arrays_of(
            {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape if bias else None},
            dtype,
            values=values,
            terms=case.K,
        ),
        label="arrays",
    )
    return a["x"], a["w"], a["b"]


def _expected(backend, case: Case, x, w, b, dtype):
    x64, w64, b64 = x.astype(np.float64), w.astype(np.float64), None if b is None else b.astype(np.float64)
    r64 = adjoint.conv_transpose2d(x64, w64, b64, **case.params())
    bound = error_bound(
        adjoint.conv_transpose2d(x64, w64, b64, **case.params(), magnitude=True),
        r64,
        case.K,
        operation_precision(backend, np.dtype(dtype)),
    )
    return r64.astype(dtype), bound


def _exact(data, case: Case, dtype, bias: bool = True):
    x, w, b = _arrays(data, case, dtype, "integers", bias)
    if adjoint.conv_transpose2d(x, w, b, **case.params(), magnitude=True).max() > exact_integers(dtype):
        discard(f"sums too long for exact integers in {np.dtype(dtype).name}")
    return x, w, b


@pytest.mark.clauses("U.1", "U.5", "A.1")
@conformance
@given(case=transposed_cases(), data=st.data())
def test_transposed_matches_reference_within_bound(backend, dtype, case, data):
    x, w, b = _arrays(data, case, dtype, "floats")
    call = Call.of(backend, case, x=x, w=w, b=b)
    expected, bound = _expected(backend, case, x, w, b, dtype)
    assert_within(
        call.run("U.1"),
        expected,
        bound,
        clause="U.1",
        call=call,
        why="the float64 scatter of U.1, within the declared bound of A.6",
    )


@pytest.mark.clauses("U.2", "U.5", "A.2")
@conformance
@given(case=transposed_cases(), data=st.data())
def test_transposed_is_the_adjoint_of_own_conv2d(backend, dtype, case, data):
    x, w, _ = _exact(data, case, dtype, bias=False)
    z = data.draw(arrays_of({"z": case.out_shape}, dtype, values="integers", terms=case.K), label="z")["z"]
    call = Call.of(backend, case, x=x, w=w, b=None)
    y = call.run("U.2")
    assert_equal(
        y,
        adjoint.conv_transpose2d(x, w, None, **case.params()),
        clause="U.2",
        call=call,
        why="the exact integer scatter of U.1",
    )
    forward_case = Case.conv2d(
        case.N,
        case.C_out,
        *case.out_shape[2:],
        case.C_in,
        case.kH,
        case.kW,
        case.stride,
        case.padding,
        case.dilation,
        case.groups,
        bias=False,
    )
    if reference.magnitude(z, w, None, **forward_case.params()).max() > exact_integers(dtype):
        discard(f"sums too long for exact integers in {np.dtype(dtype).name}")
    forward = Call.of(backend, forward_case, x=z, w=w, b=None)
    cz = forward.run("U.2")
    left = float(np.sum(y.astype(np.float64) * z.astype(np.float64)))
    right = float(np.sum(x.astype(np.float64) * cz.astype(np.float64)))
    if left != right:
        raise Nonconformance.of(
            f"<conv_transpose2d(x, w), z> = {left!r}, but <x, conv2d(z, w)> = {right!r}; they "
            "must be equal (U.2, exact on integers)",
            "U.2",
            call,
        )


@pytest.mark.clauses("U.3", "U.1")
@conformance
@given(case=transposed_cases(min_stride=2), data=st.data())
def test_output_padding_extends_the_bottom_and_right(backend, dtype, case, data):
    x, w, b = _exact(data, case, dtype)
    call = Call.of(backend, case, x=x, w=w, b=b)
    plain = call.but(output_padding=(0, 0), case=None).run("U.3")
    a_H, a_W = case.output_padding
    full = call.run("U.3")
    H, W = full.shape[2] - a_H, full.shape[3] - a_W
    if full.shape[:2] != plain.shape[:2] or (H, W) != plain.shape[2:]:
        raise Nonconformance.of(
            f"out.shape={full.shape} with output_padding={case.output_padding}, {plain.shape} "
            f"without: it must add {a_H} rows and {a_W} columns",
            "U.3",
            call,
        )
    assert_equal(
        np.ascontiguousarray(full[:, :, :H, :W]),
        plain,
        clause="U.3",
        call=call,
        why=f"the result without output padding: output padding {case.output_padding} adds rows at "
        "the bottom and columns at the right only",
    )


@pytest.mark.clauses("U.4")
@conformance
@given(case=transposed_cases(output_padding=False), data=st.data())
def test_output_padding_limit(backend, dtype, case, data):
    limit = output_padding_limit(backend)
    x, w, b = _arrays(data, case, dtype, "floats")
    # Every axis, the values on both sides of the limit and a negative one: a small space, exhausted.
    for axis in (0, 1):
        s, d = case.stride[axis], case.dilation[axis]
        bound = max(s, d) if limit == "stride or dilation" else s
        for a in sorted({-1, bound - 1, bound, max(s, d)}):
            allowed = 0 <= a < bound
            extra = tuple(a if i == axis else 0 for i in range(2))
            call = Call.of(backend, case, x=x, w=w, b=b).but(output_padding=extra)
            if not allowed:
                call.must_raise(
                    "U.4",
                    f"output_padding {a} on axis {'HW'[axis]} with stride {s} and dilation {d}, "
                    f"beyond the declared limit (below the {limit})",
                )
                continue
            moved = Case.conv_transpose2d(
                case.N,
                case.C_in,
                case.H,
                case.W,
                case.C_out,
                case.kH,
                case.kW,
                case.stride,
                case.padding,
                extra,
                case.dilation,
                case.groups,
                case.bias,
            )
            expected, tolerance = _expected(backend, moved, x, w, b, dtype)
            assert_within(
                call.run("U.4"),
                expected,
                tolerance,
                clause="U.4",
                call=call,
                why=f"the scatter of U.1 with output padding {extra}, within the declared limit (below the {limit})",
            )
