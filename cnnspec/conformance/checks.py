"""Calling a backend, and assertions that say what broke, where, which clause, and how to see it again.

Every failure reads
``out[0, 3, 1, 2]=7.0, but should be 5.0 (why) [T.1] [torch-cpu.conv2d(x: (1,4,3,3) float32, ...)]``
and carries, as an exception note, a reproducer that needs only NumPy and the framework.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, note
from hypothesis.errors import UnsatisfiedAssumption

from cnnspec import reference
from cnnspec.accuracy import declared_precision, error_bound, reduced_precision
from cnnspec.backends import Backend, KnownCrash, KnownWrongAnswer, has, origin, snippet, supports
from cnnspec.conformance import coverage, inflight, state
from cnnspec.dtypes import BFLOAT16
from cnnspec.geometry import NO_PADDING, Case


def discard(reason: str) -> None:
    """Discard the example for ``reason``, which the skip of a property whose every example was discarded gives."""
    state.current().last_discard = reason
    note(reason)
    assume(False)


def _declined(backend: Backend, refused: KnownCrash) -> None:
    """The adapter declined a call that a finding says crashes, or answers wrongly here (not the backend
    rejecting it): an expected failure with the finding's summary. A wrong answer of another clause than
    the test's own discards the example instead, so that one bug fails its own clause, not every
    property whose examples happen to meet it."""
    if isinstance(refused, KnownWrongAnswer) and refused.clause != state.current().primary_clause:
        discard(f"{backend.name}: not judged here, a known wrong answer of {refused.clause}: {refused}")
    pytest.xfail(f"known nonconformance: {backend.name}: {refused}")


class Nonconformance(AssertionError):
    """A backend result, or a raise, that breaks a clause; ``clause`` is its ID.

    ``call`` is the call that broke it; for a wrong value, ``actual`` and ``expected`` are the two
    results, ``bad`` marks the elements that break the clause and ``index`` is the first of them.
    """

    @classmethod
    def of(
        cls,
        what: str,
        clause: str,
        call: Call,
        index: tuple[int, ...] | None = None,
        expected: float | None = None,
        shown_by: str | None = None,
    ) -> Nonconformance:
        """The nonconformance of ``clause`` that ``call`` shows (``what``), named in its message with the call,
        and with the reproducer that repeats it (and prints element ``index``, which should be ``expected``),
        or ``shown_by``, one that needs more than the call alone (what an earlier call left to it, say)."""
        failure = cls(f"{what} [{clause}] [{call.describe()}]", clause, call)
        failure.add_note(shown_by or reproducer(call, index, expected))
        return failure

    def __init__(self, message: str, clause: str, call: Call | None = None) -> None:
        super().__init__(message)
        self.clause = clause
        self.call = call
        self.actual: np.ndarray | None = None
        self.expected: np.ndarray | None = None
        self.index: tuple[int, ...] | None = None
        self.bad: np.ndarray | None = None


def describe(parameters: dict[str, Any]) -> str:
    """A call (``Call.parameters()``, or a call recorded in flight) in one line: backend, operation, shapes
    and dtype, parameters."""

    def shape(a: np.ndarray | None) -> str:
        return "None" if a is None else f"({','.join(map(str, a.shape))})"

    p = parameters
    arrays = ", ".join(
        f"{k}: {shape(v)}" + (f" {v.dtype}" if i == 0 else "")
        for i, (k, v) in enumerate((k, v) for k, v in p["arrays"])
    )
    params = ", ".join(f"{k}={v!r}" for k, v in p["params"])
    pick = "" if p.get("pick") is None else f"[{p['pick']}]"
    return f"{p['backend']}.{p['op']}({arrays}, {params}){pick}"


def _conv2d_case(arrays: dict[str, np.ndarray | None], params: dict[str, Any]) -> Case | None:
    """The geometry of a conv2d call's arrays and parameters, or None for a call that is not a valid rank-4 one."""
    x, w = arrays.get("x"), arrays.get("w")
    if x is None or w is None or x.ndim != 4 or w.ndim != 4:
        return None
    N, C_in, H, W = x.shape
    C_out, _, kH, kW = w.shape
    try:
        return Case.conv2d(N, C_in, H, W, C_out, kH, kW, **params, bias=arrays.get("b") is not None)
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class Call:
    """One backend call of any operation (conv2d, conv1d, conv3d, conv2d_backward, conv_transpose2d,
    max_pool2d, avg_pool2d): the arrays in order, the keyword parameters, and the geometry (``case``) that
    ``supports`` is asked about. ``pick`` selects one result of an operation that returns several (the
    gradients). Every way a call fails a clause goes through ``Nonconformance.of``, which attaches the
    reproducer."""

    backend: Backend
    op: str
    arrays: tuple[tuple[str, np.ndarray | None], ...]
    params: tuple[tuple[str, Any], ...]
    case: Case | None = None
    pick: int | None = None

    @classmethod
    def of(cls, backend: Backend, case: Case, op: str | None = None, **arrays: np.ndarray | None) -> Call:
        """The call of ``case`` (of ``op``, else the case's own operation) on these arrays, in this order."""
        return cls(backend, op or case.op, tuple(arrays.items()), tuple(case.params().items()), case)

    @classmethod
    def conv2d(cls, backend: Backend, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **params: Any) -> Call:
        """A conv2d call from its arrays and parameters, D.2's defaults for those not given (stride and dilation
        1, no padding, one group)."""
        given = {"stride": (1, 1), "padding": NO_PADDING, "dilation": (1, 1), "groups": 1} | params
        arrays = {"x": x, "w": w, "b": b}
        return cls(backend, "conv2d", tuple(arrays.items()), tuple(given.items()), _conv2d_case(arrays, given))

    def array(self, name: str) -> np.ndarray:
        """The array called ``name``, which this call has (the bias, which it may lack, is ``b``)."""
        array = dict(self.arrays)[name]
        if array is None:
            raise KeyError(f"{self.op} call without {name}")
        return array

    @property
    def x(self) -> np.ndarray:
        """The input."""
        return self.array("x")

    @property
    def w(self) -> np.ndarray:
        """The weight."""
        return self.array("w")

    @property
    def b(self) -> np.ndarray | None:
        """The bias, or None."""
        return dict(self.arrays).get("b")

    def param(self, name: str) -> Any:
        """The keyword parameter called ``name``."""
        return dict(self.params)[name]

    def but(self, **changes: Any) -> Call:
        """The same call with some arrays or parameters changed, or a new case's parameters (``case=``), or one
        result picked (``pick=``). A conv2d call's geometry follows its arrays and parameters (None once they
        are not a valid call); another operation's is the case it was made of, or the new one."""
        case, pick = changes.pop("case", None), changes.pop("pick", None)
        arrays = tuple((k, changes.pop(k, v)) for k, v in self.arrays)
        params = dict(self.params if case is None else case.params().items())
        params.update(changes)
        if case is None:
            case = _conv2d_case(dict(arrays), params) if self.op == "conv2d" else self.case
        return replace(
            self,
            arrays=arrays,
            params=tuple(params.items()),
            case=case,
            pick=self.pick if pick is None else pick,
        )

    def describe(self) -> str:
        """The call in one line: backend, operation, shapes and dtype, parameters."""
        return describe(self.parameters())

    def parameters(self) -> dict[str, Any]:
        """The call as plain data: the backend, how to load it, the operation, the arrays and the parameters."""
        return {
            "backend": self.backend.name,
            "origin": origin(self.backend),
            "op": self.op,
            "arrays": list(self.arrays),
            "params": list(self.params),
            "pick": self.pick,
        }

    def answer(self) -> Any:
        """The backend's answer to this call, as it gives it, with the call kept on disk while it runs.

        Callers catch what this raises as the backend's raise, so nothing of cnnspec's runs in it
        but the in-flight record; the coverage tally comes after, outside their ``try``."""
        inflight.begin(self.parameters())
        try:
            return getattr(self.backend, self.op)(*(a for _, a in self.arrays), **dict(self.params))
        except KnownCrash as crash:
            _declined(self.backend, crash)
        finally:
            inflight.end()

    def skip_unsupported(self) -> None:
        """Skip the test where the backend has no such operation; discard the example where its
        ``supports`` gives a reason."""
        if not has(self.backend, self.op):
            pytest.skip(f"{self.backend.name}: has no {self.op} (an optional method of the Backend protocol)")
        if self.case is not None:
            dtype = next(a.dtype for _, a in self.arrays if a is not None)
            reason = supports(self.backend, self.case, dtype)
            if reason:
                discard(reason)

    def _copies(self) -> dict[str, np.ndarray]:
        """Copies of the call's arrays, taken before it runs, to tell afterwards whether it changed them (S.8)."""
        return {name: a.copy() for name, a in self.arrays if isinstance(a, np.ndarray)}

    def _result(self, out: Any, before: dict[str, np.ndarray]) -> Any:
        coverage.computed(self.case)
        result = tuple(None if o is None else np.asarray(o) for o in out) if isinstance(out, tuple) else np.asarray(out)
        _check_ownership(self, result, before)
        return result

    def run(self, clause: str = "V.1") -> Any:
        """The backend's result, as NumPy arrays (a tuple for several).

        A raise on a call that the spec lets an implementation reject (``may_reject``) discards the
        example, and so does a call the backend says it does not support; any other raise on a valid
        call is a nonconformance of ``clause``.
        """
        self.skip_unsupported()
        before = self._copies()
        try:
            out = self.answer()
        except UnsatisfiedAssumption:  # a discarded example, not the backend's raise
            raise
        except Exception as e:
            allowed = self.may_reject()
            if allowed:
                discard(f"{self.backend.name} rejected a call that {allowed} lets it reject: {type(e).__name__}: {e}")
            raise Nonconformance.of(f"raised {type(e).__name__}: {e} on a valid call", clause, self) from e
        return self._result(out, before)

    def run_or_discard(self, clause: str = "V.1") -> Any:
        """``run``, for a property about what calls leave to one another (S.8, V.7): a raise on this valid
        call is for the properties of ``clause`` to judge, so it discards the example instead of failing it."""
        try:
            return self.run(clause)
        except Nonconformance as failure:
            if failure.clause != clause or failure.__cause__ is None:  # not the backend's raise: S.8, say
                raise
            discard(f"{self.backend.name}: not judged here, a raise that {clause}'s properties judge: {failure}")

    def attempt(self, clause: str) -> Any:
        """The result, or None where the backend raised on a call that ``clause`` lets it reject."""
        self.skip_unsupported()
        before = self._copies()
        try:
            out = self.answer()
        except UnsatisfiedAssumption:  # a discarded example, not the backend's raise
            raise
        except Exception as e:
            note(f"{self.backend.name} rejected a call that {clause} lets it reject: {type(e).__name__}: {e}")
            return None
        return self._result(out, before)

    def may_reject(self) -> str | None:
        """The clause that lets an implementation reject this valid call, or None: an unbatched conv2d input
        (S.6) or an unbatched single-channel one (S.7); "same" with a stride (P.4); a negative amount (P.5)."""
        x = dict(self.arrays).get("x")
        if self.op == "conv2d" and x is not None and x.ndim in (3, 2):
            return "S.6" if x.ndim == 3 else "S.7"
        params = dict(self.params)
        padding, stride = params.get("padding"), params.get("stride") or (1,)
        if padding == "same" and max(stride) > 1:
            return "P.4"
        if (
            isinstance(padding, tuple)
            and padding
            and isinstance(padding[0], tuple)
            and min(min(p) for p in padding) < 0
        ):
            return "P.5"
        return None

    def must_raise(self, clause: str, why: str) -> None:
        """[E.*] The backend must raise on this invalid call, and must not return a result.

        Only the backend's own raise counts (``answer``), and a result reaches no corner to tally."""
        self.skip_unsupported()
        try:
            out = self.answer()
        except UnsatisfiedAssumption:  # a discarded example, not the backend's raise
            raise
        except Exception:
            return
        shape = [np.shape(o) for o in out] if isinstance(out, tuple) else np.shape(out)
        raise Nonconformance.of(f"returned a result of shape {shape} for an invalid call: {why}", clause, self)


def _bits(a: np.ndarray) -> np.ndarray:
    """``a``'s elements as unsigned integers of the same width: NaN payloads and the sign of zero count."""
    return np.ascontiguousarray(a).view(f"u{a.dtype.itemsize}")


def _changed(now: np.ndarray, was: np.ndarray) -> str:
    """How ``now`` differs from its copy ``was`` (its shape, dtype, or the first changed element), or ""."""
    if now.shape != was.shape or now.dtype != was.dtype:
        return f" is now {now.dtype} {now.shape}, was {was.dtype} {was.shape}"
    bad = _bits(now) != _bits(was)
    if not bad.any():
        return ""
    i = tuple(int(k) for k in np.argwhere(bad)[0])
    return f"[{', '.join(map(str, i))}] is now {now[i].item()!r}, was {was[i].item()!r}; {int(bad.sum())} of {bad.size} elements changed"


def _shared(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.may_share_memory(a, b)) and bool(np.shares_memory(a, b))


def _owned_failure(what: str, call: Call, shown_by: str) -> Nonconformance:
    """The S.8 failure of ``call``, shown by the reproducer ``shown_by``. Another property's clause was not
    judged on the example: it says which property found it, as triage does."""
    failure = Nonconformance.of(what, "S.8", call, shown_by=shown_by)
    primary = state.current().primary_clause
    if primary and primary != "S.8":
        failure.found_by = primary  # type: ignore[attr-defined]
    return failure


def _check_ownership(call: Call, result: Any, before: dict[str, np.ndarray]) -> None:
    """[S.8] The call left its arguments as they were (``before``: their copies), no array of its ``result``
    shares memory with an argument, and no result of the example's earlier calls changed or is shared.

    A failure's reproducer repeats the call on the arguments as they were given, one result picked where
    it gives several (``call.but(**before, pick=...)``), built only then: every call passes through here."""
    for name, was in before.items():
        how = _changed(call.array(name), was)
        if how:
            given = call.but(**before)
            keep = [f"{name}_given = {name}.copy()"]
            raise _owned_failure(
                f"changed its argument {name}: {name}{how}",
                given,
                "\n".join([*_lines(given, keep=keep), _SAME.format(name=name)]),
            )
    several = isinstance(result, tuple)
    results = [(i if several else None, r) for i, r in enumerate(result if several else (result,)) if r is not None]
    for pick, r in results:
        for name, a in call.arrays:
            if a is not None and _shared(r, a):
                given = call.but(**before, pick=pick)
                show = f"print('the result shares memory with {name}:', np.shares_memory(y, {name}))"
                raise _owned_failure(
                    f"returned a result that shares memory with its argument {name}",
                    given,
                    "\n".join([*_lines(given), show]),
                )
    held = state.current().held
    if held is None:  # outside an example: the call alone is checked
        return
    for earlier, kept, copy in held:
        how = _changed(kept, copy)
        # A result that is shared but that neither side can write changes nothing (a read-only array).
        shared = [pick for pick, r in results if _shared(r, kept) and (kept.flags.writeable or r.flags.writeable)]
        if how or shared:
            what = (
                f"changed the result of an earlier call ({earlier().describe()}): out{how}"
                if how
                else f"returned memory that the result of an earlier call ({earlier().describe()}) holds too"
            )
            later = call.but(**before, pick=shared[0] if shared else results[0][0] if results else None)
            raise _owned_failure(
                what,
                later,
                two_calls(
                    earlier(),
                    later,
                    "print('the first result is as it was:', np.array_equal(first, first_given, equal_nan=True),"
                    " '| it shares memory with the second:', np.shares_memory(first, y))",
                ),
            )
    held += [(functools.partial(call.but, **before, pick=pick), r, r.copy()) for pick, r in results]


def two_calls(earlier: Call, later: Call, show: str) -> str:
    """[S.8, V.7] A reproducer of ``later`` made after ``earlier`` (on one adapter object, where it goes through
    cnnspec's): what one call leaves behind for the next. ``earlier``'s result is ``first`` (and a copy of it,
    ``first_given``), ``later``'s is ``y``; ``show`` prints what broke."""
    lines = [
        *_lines(earlier, adapter="backend"),
        "first, first_given = y, y.copy()",
        *_lines(later, adapter="backend")[1:],
        show,
    ]
    if any(line.startswith("y = backend.") for line in lines):  # one adapter object for both calls
        lines[1:1] = ["from cnnspec.backends import load", f"backend = load({origin(later.backend)!r})"]
    return "\n".join(lines)


_SAME = "print('{name} as it was given:', np.array_equal({name}, {name}_given, equal_nan=True))"


def _literal(name: str, a: np.ndarray | None) -> str:
    if a is None:
        return f"{name} = None"
    dtype = "ml_dtypes.bfloat16" if a.dtype == BFLOAT16 else f"np.{a.dtype}"
    if a.size <= 64:
        # Exact as float64 for every dtype; tolist() writes NaN and infinity as nan and inf, not Python.
        values = np.asarray(a, np.float64).tolist()
        return f"{name} = np.array({values!r}, dtype={dtype})".replace("nan", "float('nan')").replace(
            "inf", "float('inf')"
        )
    data = base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()
    return f"{name} = np.frombuffer(base64.b64decode({data!r}), dtype={dtype}).reshape({a.shape}).copy()"


# The first line of a reproducer that goes through cnnspec's adapter, where the backend gives no snippet().
THROUGH_ADAPTER = (
    "# Reproducer, through cnnspec's adapter: this backend has no snippet() for {op}, so the call "
    "below needs cnnspec (docs/adapters.md shows how to write one in a few lines)"
)


def _imports(arrays: list[np.ndarray | None]) -> list[str]:
    """The imports the arrays' literals need: NumPy, base64 for the long ones, ml_dtypes for bfloat16."""
    present = [a for a in arrays if a is not None]
    return (
        (["import base64"] if any(a.size > 64 for a in present) else [])
        + ["import numpy as np"]
        + (["import ml_dtypes"] if any(a.dtype == BFLOAT16 for a in present) else [])
    )


def reproducer(call: Call, index: tuple[int, ...] | None = None, expected: float | None = None) -> str:
    """Paste-able code that repeats ``call`` with NumPy and the backend's framework alone (a conv2d call of a
    backend that gives a ``snippet``; else through its adapter, as its first line says) and prints the
    element that is wrong, or the result's shape."""
    show = (
        f"print('out{list(index)} =', y[{', '.join(map(str, index))}], 'but should be', {expected!r})"
        if index is not None
        else "print(y.shape, y.dtype)"
    )
    return "\n".join([*_lines(call), show])


def _lines(call: Call, keep: list[str] | None = None, adapter: str | None = None) -> list[str]:
    """A reproducer's lines up to the call, which leaves its result in ``y``: a first line that says what it
    needs, the imports, the arrays, then ``keep`` (lines that keep what the call may change), then the call.
    Through cnnspec's adapter, ``adapter`` names one loaded already (one object for several calls)."""
    native = snippet(call.backend, **dict(call.params)) if call.op == "conv2d" and call.pick is None else None
    params = ", ".join(f"{k}={v!r}" for k, v in call.params)
    pick = "" if call.pick is None else f"[{call.pick}]"
    load = "" if adapter else "from cnnspec.backends import load\n"
    return [
        "# Reproducer: NumPy and the framework alone" if native else THROUGH_ADAPTER.format(op=call.op),
        *_imports([a for _, a in call.arrays]),
        *(_literal(k, a) for k, a in call.arrays),
        *(keep or []),
        native
        or f"{load}y = {adapter or f'load({origin(call.backend)!r})'}.{call.op}"
        f"({', '.join(k for k, _ in call.arrays)}, {params}){pick}",
    ]


class _Named:
    """A stand-in for a backend that is not loaded here: its name and how to load it."""

    def __init__(self, name: str, origin: str) -> None:
        self.name, self.cnnspec_origin = name, origin


def reproducer_of(parameters: dict[str, Any]) -> str:
    """[crash rows] The reproducer of a call recorded as plain data (an in-flight record of a process that
    died in it), through the backend's adapter, without loading the backend here."""
    backend = _Named(parameters["backend"], parameters.get("origin", parameters["backend"]))
    call = Call(
        backend,  # type: ignore[arg-type]
        parameters["op"],
        tuple(parameters["arrays"]),
        tuple(parameters["params"]),
        None,
        parameters.get("pick"),
    )
    return reproducer(call)


def _first_bad(bad: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(bad)[0])


def fail(
    actual: np.ndarray,
    expected: np.ndarray,
    bad: np.ndarray,
    *,
    clause: str,
    call: Call,
    why: str,
    extra: str = "",
) -> None:
    """Raise the Nonconformance of ``clause`` for the elements ``bad`` marks, naming the first."""
    index = _first_bad(bad)
    a, e = actual[index].item(), expected[index].item()
    failure = Nonconformance.of(
        f"out{list(index)}={a!r}, but should be {e!r} ({why}){extra}; {int(bad.sum())} of {bad.size} elements differ",
        clause,
        call,
        index,
        e,
    )
    failure.actual, failure.expected, failure.bad, failure.index = actual, expected, bad, index
    raise failure


def assert_shape(
    actual: np.ndarray, shape: tuple[int, ...], dtype: np.dtype, *, call: Call, clause: str = "S.4"
) -> None:
    """[S.4, S.5] The result has the spec's shape (``clause``) and the input's dtype (S.5)."""
    if actual.shape != tuple(shape):
        raise Nonconformance.of(f"out.shape={actual.shape}, but should be {tuple(shape)}", clause, call)
    if actual.dtype != dtype:
        raise Nonconformance.of(f"out.dtype={actual.dtype}, but should be {dtype}", "S.5", call)


def assert_equal(actual: np.ndarray, expected: np.ndarray, *, clause: str, call: Call, why: str) -> None:
    """[A.2, R.*] Bit-for-bit equality, where the spec says the result is exact.

    A shape that differs from the expected one is reported under ``clause`` too: the relation that
    predicts the shape is what broke."""
    assert_shape(actual, expected.shape, expected.dtype, call=call, clause=clause)
    # A NaN on both sides is the same result: a relation holds where both calls give NaN (a pooling
    # window wholly in the padding, say); a NaN against a number still differs.
    both_nan = np.isnan(actual.astype(np.float64)) & np.isnan(expected.astype(np.float64))
    bad = (actual != expected) & ~both_nan
    if bad.any():
        fail(actual, expected, bad, clause=clause, call=call, why=why)


def assert_within(
    actual: np.ndarray, expected: np.ndarray, bound: np.ndarray, *, clause: str, call: Call, why: str
) -> None:
    """[A.1] |actual - expected| <= bound, element by element (a NaN anywhere fails)."""
    assert_shape(actual, expected.shape, expected.dtype, call=call, clause=clause)
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    stats = coverage.errors()
    if stats is not None:
        informative = np.isfinite(bound)  # an infinite bound (A.1 with (K + 1)*u >= 1) measures nothing
        with np.errstate(divide="ignore", invalid="ignore"):
            stats.add_ratios(np.where(error == 0, 0.0, error / bound)[informative])
    bad = ~(error <= bound)
    if bad.any():
        index = _first_bad(bad)
        fail(
            actual,
            expected,
            bad,
            clause=clause,
            call=call,
            why=why,
            extra=f", error {error[index]:.3g} > bound {bound[index]:.3g}",
        )


def reference_and_bound(
    backend: Backend, case: Case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """[A.1, A.5, A.6] The reference result in the input's dtype, and the bound the backend's result
    must keep to against it: A.6's, from the precision the backend declares for that dtype."""
    x64, w64, b64 = (None if a is None else a.astype(np.float64) for a in (x, w, b))
    assert x64 is not None and w64 is not None
    r64 = reference.conv2d(x64, w64, b64, **case.params())
    M = reference.magnitude(x64, w64, b64, **case.params())
    return r64.astype(x.dtype), error_bound(M, r64, case.K, declared_precision(backend, x.dtype))


def assert_copies(actual: np.ndarray, expected: np.ndarray, *, clause: str, call: Call, why: str) -> None:
    """[A.3, A.7] Copies of values: exact, or, where the backend declares a reduced-precision mode,
    each rounded once to it (|y - v| <= u*|v|). Their relative errors go to the run's statistics."""
    assert_shape(actual, expected.shape, expected.dtype, call=call, clause=clause)
    stats = coverage.errors()
    if stats is not None:
        stats.add_copies(actual, expected)
    u = reduced_precision(call.backend, expected.dtype)
    if u is None:
        assert_equal(actual, expected, clause=clause, call=call, why=why)
    else:
        assert_within(
            actual,
            expected,
            u * np.abs(expected.astype(np.float64)),
            clause=clause,
            call=call,
            why=f"{why}, each rounded once at the declared u = 2^{np.log2(u):.0f}",
        )
