"""Shrinking a failure found by a covering example, which Hypothesis runs but does not shrink.

Hypothesis shrinks the failures it generates; a covering example is an explicit one, which it reports
as it is. So that every failure still ends as a minimal reproducer, a covering failure is shrunk here
the way Hypothesis shrinks: greedily, one simplification at a time (one batch element, one group, fewer
channels, a smaller kernel, stride, dilation, padding and input, no bias), keeping each simpler example
that still breaks the same clause, until none does. Each try is run by Hypothesis itself, as a single
explicit example, so notes, discards and reproducers work as in any example.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator, cast

from hypothesis import Phase, example, given, settings

from cnnspec.conformance import covering
from cnnspec.errors import ConvSpecError
from cnnspec.geometry import POOLINGS

# The most examples a shrink runs: enough to walk a 33-channel case down to one channel and a few rows.
MOST_TRIES = 300

# Fields a simpler example may not change: they say what the example is, not how large it is.
_KEPT = frozenset({"op"})


def _smaller(value: int, low: int) -> list[int]:
    """Smaller integers than ``value`` down to ``low``: the least first, then halfway, then one less."""
    return [v for v in dict.fromkeys((low, low + (value - low) // 2, value - 1)) if low <= v < value]


def _toward_zero(value: int) -> list[int]:
    """Integers nearer 0 than ``value``, of its sign: 0 first, then halfway, then one step."""
    step = 1 if value > 0 else -1
    return [v for v in dict.fromkeys((0, step * (abs(value) // 2), value - step)) if abs(v) < abs(value)]


def _simpler_values(value: Any) -> Iterator[Any]:
    """Simpler values of one field: smaller integers (down to 1), tuples with one entry simpler (padding
    pairs toward 0), False for True."""
    if isinstance(value, bool):
        if value:
            yield False
    elif isinstance(value, int):
        yield from _smaller(value, 1)
    elif isinstance(value, tuple):
        for i, entry in enumerate(value):
            if isinstance(entry, tuple):
                for j, amount in enumerate(entry):
                    for v in _toward_zero(amount):
                        yield value[:i] + (entry[:j] + (v,) + entry[j + 1 :],) + value[i + 1 :]
            elif isinstance(entry, int):
                for v in _smaller(entry, 1):
                    yield value[:i] + (v,) + value[i + 1 :]


def simpler(value: Any) -> Iterator[Any]:
    """Simpler values than ``value``: for a case, each field made simpler on its own (channels per group
    and groups kept consistent); for a padding, each amount toward 0."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = cast(Any, value)  # a case: its fields are read by name
        if getattr(value, "padding", "valid") != "valid":
            # The simplest form first, while the input still holds the kernel, as Hypothesis's order of
            # draws has it shrink the form before the sizes.
            yield from _replaced(value, padding="valid")
        if getattr(value, "groups", 1) > 1:
            g = value.groups
            for groups in _smaller(g, 1):
                yield from _replaced(
                    value, groups=groups, C_in=value.C_in // g * groups, C_out=value.C_out // g * groups
                )
        if getattr(value, "op", None) in POOLINGS:  # a pooling's channels are its input's and its output's
            for C in _smaller(value.C_in, 1):
                yield from _replaced(value, C_in=C, C_out=C)
        elif hasattr(value, "groups"):
            g = value.groups
            for C_in_g in _smaller(value.C_in // g, 1):
                yield from _replaced(value, C_in=C_in_g * g)
            for C_out_g in _smaller(value.C_out // g, 1):
                yield from _replaced(value, C_out=C_out_g * g)
        for field in dataclasses.fields(value):
            if field.name in _KEPT or field.name in ("groups", "C_in", "C_out"):
                continue
            current = getattr(value, field.name)
            if (
                field.name in ("padding", "output_padding")
                and isinstance(current, tuple)
                and current
                and isinstance(current[0], int)
            ):
                candidates: Iterator[Any] = (
                    current[:i] + (v,) + current[i + 1 :] for i, c in enumerate(current) for v in _smaller(c, 0)
                )
            else:
                candidates = _simpler_values(current)
            for v in candidates:
                yield from _replaced(value, **{field.name: v})
    elif isinstance(value, tuple):
        yield from _simpler_values(value)


def _replaced(value: Any, **changes: Any) -> Iterator[Any]:
    try:
        yield dataclasses.replace(value, **changes)
    except (ConvSpecError, ValueError, TypeError):
        return


def shrink(
    test: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    row: dict[str, Any],
    failure: BaseException,
    profile: dict[str, Any],
    still_fails: Callable[[BaseException], bool],
) -> BaseException:
    """The failure of the simplest example, reached from covering example ``row`` of property ``test``
    (called with ``args`` and ``kwargs`` as pytest calls it), whose failure was ``failure``: each
    simpler row that the property's strategies allow is run, and kept where ``still_fails`` its error."""
    given_kwargs = test.hypothesis._given_kwargs
    run_settings = settings(**{**profile, "phases": [Phase.explicit], "max_examples": 1})

    def attempt(candidate: dict[str, Any]) -> BaseException | None:
        probe = run_settings(example(**candidate)(given(**given_kwargs)(test.hypothesis.inner_test)))
        try:
            probe(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 (any failure, judged by still_fails)
            return error if still_fails(error) else None
        return None

    tries = 0
    improved = True
    while improved and tries < MOST_TRIES:
        improved = False
        for name, value in row.items():
            strategy = given_kwargs[name]
            if covering.of(strategy) is None:
                continue
            for candidate in simpler(value):
                if not covering.allows(strategy, candidate):
                    continue
                tries += 1
                error = attempt({**row, name: candidate})
                if error is not None:
                    row, failure, improved = {**row, name: candidate}, error, True
                    break
                if tries >= MOST_TRIES:
                    break
            if improved or tries >= MOST_TRIES:
                break
    failure.add_note(f"(cnnspec shrank this failure of a covering example in {tries} tries)")
    return failure
