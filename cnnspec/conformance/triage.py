"""[report] Each failure under the clause it breaks, not under every property whose examples meet it.

A property draws whole convolutions, and a defect in one basic rule fails every property whose
examples meet it: a "same" rule that drops the dilation fails the subnormal, layout and linearity
properties too, and a reader of the matrix would conclude the backend mishandles subnormals. So when
a property fails that is not itself about a basic rule (``BASIC``: padding, stride and dilation, the
bias, shapes, rejections), its minimal example is checked against the basic rules first, on plain
contiguous copies of its arrays:

1. a padding string against its explicit amounts (P.4 for "same", P.3 for "valid"), the reference
   saying which of the two the backend got wrong (the explicit one is P.1);
2. the call's value (NaN and infinity set to 0) against the reference within A.1's bound, and where it breaks it, the same call
   with one parameter taken away at a time (the bias V.4, where the error is a multiple of it, the dilation T.2, the stride T.1, the
   explicit padding P.1): the one whose removal makes the value right is the rule that broke.

The failure is then filed under that basic clause, its message saying which property found it
(``found_by``); the report's cell of the property's own clause says it was not judged. Where no
basic rule explains the example, the failure stays where it was: a batch mixed up, a layout read
wrong, a flip, a rounding are the property's own to report.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest

from cnnspec.conformance import coverage
from cnnspec.conformance.checks import Call, Nonconformance, reference_and_bound
from cnnspec.geometry import AnyPadding, explicit_padding

# The basic rules themselves: their properties' failures are theirs (a padding, a stride, a dilation,
# the bias, the shapes, the rejections); every other property's failure is triaged.
BASIC = ("P.", "T.", "S.", "E.", "V.4")


def triaged(primary: str) -> bool:
    """Whether a failure of a property of ``primary`` is checked against the basic rules first."""
    return not primary.startswith(BASIC)


def _answer(call: Call) -> np.ndarray | None:
    try:
        out = call.answer()
    except (Exception, pytest.skip.Exception, pytest.xfail.Exception):  # a raise, a refused call: no answer
        return None
    return np.asarray(out)


def _agrees(call: Call) -> bool | None:
    """Whether the backend's answer to ``call`` is the reference's within A.1's bound (None: no answer)."""
    case = call.case
    if case is None or case.op != "conv2d":
        return None
    actual = _answer(call)
    if actual is None:
        return None
    try:
        expected, bound = reference_and_bound(call.backend, case, call.x, call.w, call.b)
    except ValueError:  # the reference rejects the call (a bias of the wrong shape): no value to compare
        return None
    if actual.shape != expected.shape:
        return False
    return bool(np.all(np.abs(actual.astype(np.float64) - expected.astype(np.float64)) <= bound))


def _bias_explains(call: Call) -> bool:
    """[V.4] Whether the bias explains how the backend's answer to ``call`` is wrong: at every element it gets
    wrong the error is a whole multiple of the bias (dropped, added twice, once per channel), and at one of
    them at least the window's sum is not 0. An element that holds its bias alone and reads 0 is as much a dropped element (a tail a
    kernel skipped) as a dropped bias; an error of another size is a rounding or a reading, not the bias."""
    actual = _answer(call)
    if actual is None or call.b is None or call.case is None:
        return False
    expected, bound = reference_and_bound(call.backend, call.case, call.x, call.w, call.b)
    if actual.shape != expected.shape:
        return False
    error = actual.astype(np.float64) - expected.astype(np.float64)
    bound = np.broadcast_to(bound, error.shape)
    wrong = np.abs(error) > bound
    bias = np.broadcast_to(call.b.astype(np.float64).reshape(1, -1, 1, 1), error.shape)
    times = np.round(np.divide(error, bias, out=np.zeros_like(error), where=bias != 0))
    by_the_bias = (times != 0) & (np.abs(error - times * bias) <= bound)
    window = np.abs(expected.astype(np.float64) - bias) > bound
    return bool(wrong.any() and by_the_bias[wrong].all() and window[wrong].any())


def basic_clause(call: Call, *, removals: bool = True) -> tuple[str, str] | None:
    """The basic rule that ``call`` itself breaks, with why, or None where none explains it; the padding
    string's rule alone where not ``removals``."""
    if call.op != "conv2d" or call.case is None:  # not a valid rank-4 conv2d call (its case checks the ranks too)
        return None

    def finite(a: np.ndarray | None) -> np.ndarray | None:
        # NaN and infinity are A.8's, and the bound says nothing about them: the basic rules are checked
        # on the same geometry with them set to 0.
        if a is None:
            return None
        return np.ascontiguousarray(np.where(np.isfinite(a.astype(np.float64)), a, np.zeros((), a.dtype)))

    plain = call.but(x=finite(call.x), w=finite(call.w), b=finite(call.b))
    padding, stride, dilation = plain.param("padding"), plain.param("stride"), plain.param("dilation")
    if isinstance(padding, str):
        amounts = explicit_padding(
            cast(AnyPadding, padding), plain.x.shape[2:], plain.w.shape[2:], stride=stride, dilation=dilation
        )
        as_string, as_amounts = _agrees(plain), _agrees(plain.but(padding=amounts))
        rule = "P.4" if padding == "same" else "P.3"
        if as_string is False and as_amounts:
            return rule, f"padding={padding!r} is not the explicit padding {amounts} it stands for"
        if as_string is None and as_amounts:
            return (
                rule,
                f"padding={padding!r} is refused, while the explicit padding {amounts} it stands for is right",
            )
        if as_string and as_amounts is False:
            return "P.1", f"the explicit padding {amounts} is wrong, while padding={padding!r} is right"
        plain, padding = plain.but(padding=amounts), amounts
    if not removals or _agrees(plain) is not False:
        return None
    taken_away: tuple[tuple[str, str, dict[str, Any]] | None, ...] = (
        ("V.4", "without the bias the value is right", {"b": None}) if plain.b is not None else None,
        ("T.2", "with dilation 1 the value is right", {"dilation": (1, 1)}) if dilation != (1, 1) else None,
        ("T.1", "with stride 1 the value is right", {"stride": (1, 1)}) if stride != (1, 1) else None,
        ("P.1", "without the padding the value is right", {"padding": ((0, 0), (0, 0))})
        if padding != ((0, 0), (0, 0))
        else None,
    )
    for clause, why, change in filter(None, taken_away):
        try:
            if _agrees(plain.but(**change)) and (clause != "V.4" or _bias_explains(plain)):
                return clause, why
        except ValueError:  # the call without it is invalid (a kernel larger than the input, say)
            continue
    return None


def refiled(failure: BaseException, primary: str) -> Nonconformance | None:
    """``failure`` of a property of ``primary`` filed under the basic clause its example breaks, or None
    where it stays (a padding property, a call of another operation, no basic rule explains it). The
    padding string's rule is checked for every other property (a shape that "same" got wrong is P.4's),
    the rest only for those not about a basic rule themselves."""
    call = getattr(failure, "call", None)
    # A rejection property's call is invalid on purpose: it has no value for a basic rule to explain; and
    # what one call leaves to another (S.8, V.7) is wrong whatever the value of either alone.
    if (
        primary.startswith(("P.", "E."))
        or call is None
        or call.op != "conv2d"
        or getattr(failure, "clause", "") in ("S.8", "V.7")
    ):
        return None
    with coverage.paused():
        # A padding string's rule for any property but the padding ones; the rest for the others.
        found = basic_clause(call, removals=triaged(primary))
    if found is None:
        return None
    clause, why = found
    first = str(failure).splitlines()[0]
    moved = Nonconformance(
        f"the example breaks {clause}: {why} [{clause}] [{call.describe()}] (found by the "
        f"{primary} property, which it failed: {first})",
        clause,
        call,
    )
    moved.found_by = primary  # type: ignore[attr-defined]
    for note in getattr(failure, "__notes__", ()):
        moved.add_note(note)
    return moved


__all__ = ["BASIC", "basic_clause", "refiled", "triaged"]
