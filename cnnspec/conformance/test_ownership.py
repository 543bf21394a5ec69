"""[S.8] A call leaves its arguments as they were, and its result is the caller's own.

Every call the suite makes is checked for this (``checks.Call``): its arguments against copies taken before
it ran, its result against its arguments' memory, and the results of the example's earlier calls against
their copies. This property makes the calls that meet it in every operation: each call twice, on other
values the second time, which is where an output buffer kept for a shape is handed out again.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec.backends import has, supports
from cnnspec.conformance.checks import Call, discard
from cnnspec.conformance.covering import either
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import arrays_of, conv_cases, conv_nd_cases, pool_cases, transposed_cases
from cnnspec.operations import OPERATIONS, POOLS

cases = either(
    conv_cases(max_batch=2, max_group_channels=4, max_extra=4),
    conv_nd_cases(rank=1, max_group_channels=3, max_extra=3),
    conv_nd_cases(rank=3, max_group_channels=3, max_extra=2),
    transposed_cases(),
    *(pool_cases(op) for op in POOLS),
)

# The operations called on a case of each kind, with the clause that a raise on the (valid) call breaks.
CALLED = {
    "conv2d": (("conv2d", "V.1"), ("conv2d_backward", "B.1")),
    "conv1d": (("conv1d", "N.2"),),
    "conv3d": (("conv3d", "N.2"),),
    "conv_transpose2d": (("conv_transpose2d", "U.1"),),
    "max_pool2d": (("max_pool2d", "M.2"),),
    "avg_pool2d": (("avg_pool2d", "M.3"),),
}
# A new operation is called here too, or this fails at import.
assert {op for calls in CALLED.values() for op, _ in calls} == set(OPERATIONS), "an operation CALLED lacks"


@pytest.mark.clauses("S.8")
@conformance
@given(case=cases, data=st.data())
def test_a_call_leaves_its_arguments_and_results_alone(backend, dtype, case, data):
    shapes = {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape, "grad_output": case.out_shape}
    called = [(op, clause) for op, clause in CALLED[case.op] if has(backend, op)]
    if not called or supports(backend, case, dtype):
        discard(f"{backend.name} supports no operation of {case!r} in {dtype}")
    for op, clause in called:
        for label in (f"{op} arrays", f"{op} other arrays"):
            arrays = data.draw(arrays_of({name: shapes[name] for name in OPERATIONS[op].arrays}, dtype), label=label)
            # Each call checks S.8 (and each earlier call's result) as it returns.
            Call.of(backend, case, op=op, **arrays).run_or_discard(clause)
