"""What a property's run covered: how many examples ran, and which corners of the geometry the backend
actually computed, so that a pass can be trusted and a corner that was never reached shows up.

A *corner* is a feature of a call where kernels break (a stride above 1, asymmetric padding, a
channel count above a SIMD width, ...). It counts once per example, and only when the backend
returned a result for a call with that feature: a corner whose every call the backend rejected (or
that was discarded as unsupported) was not reached. ``conv_cases()`` declares which corners its bounds
can reach, as data on the strategy (``declare``), so a reachable corner that no example reached is
reported as such.
"""

from __future__ import annotations

import contextlib
import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from hypothesis.errors import UnsatisfiedAssumption

from cnnspec.conformance import state
from cnnspec.conformance.covering import CoveringData
from cnnspec.conformance.errorstats import ErrorStats
from cnnspec.corners import CORNERS
from cnnspec.geometry import Case
from cnnspec.operations import OPERATIONS

T = TypeVar("T")


@dataclass
class Tally:
    """One property's run: examples by outcome, and per corner the examples that reached it.

    ``computed`` counts the examples in which the backend returned at least one result; a property
    that only makes invalid calls (section E) computes none, and has no corners to reach.
    """

    ran: int = 0
    covering: int = 0  # of which the covering set's examples, which run first
    discarded: int = 0
    failed: int = 0
    computed: int = 0
    reached: Counter[str] = field(default_factory=Counter)
    reachable: set[str] = field(default_factory=set)
    errors: ErrorStats = field(default_factory=ErrorStats)
    started: int = 0  # examples begun, the covering set's first
    arguments: dict[str, Any] = field(default_factory=dict)  # the last example's, for shrinking it

    def in_covering(self) -> bool:
        """Whether the example begun last is one of the covering set's."""
        return 0 < self.started <= self.covering

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for the report."""
        return {
            "errors": self.errors.as_dict(),
            "ran": self.ran,
            "covering": min(self.covering, self.started),
            "discarded": self.discarded,
            "failed": self.failed,
            "computed": self.computed,
            "reached": {name: self.reached[name] for name in CORNERS if self.reached[name]},
            "not_reached": [
                name for name in CORNERS if self.computed and name in self.reachable and not self.reached[name]
            ],
        }


# Where a strategy keeps the corners it can reach (as covering.py keeps its covering set on it).
_REACHABLE = "cnnspec_reachable"


def declare(strategy: T, corners: Iterable[str]) -> T:
    """``strategy``, declaring the corners its bounds can reach: a property that draws from it reports a
    reachable corner that no example reached."""
    setattr(strategy, _REACHABLE, frozenset(corners))
    return strategy


def reachable(strategies: Iterable[object]) -> frozenset[str]:
    """The corners that ``strategies`` (a property's, by argument) declare they can reach."""
    return frozenset().union(*(getattr(s, _REACHABLE, frozenset()) for s in strategies))


def computed(case: Case | None) -> None:
    """Record that the backend returned a result for a call of geometry ``case`` (None for a call the spec
    calls invalid, which reaches nothing); outside an example, nothing is recorded."""
    run = state.current()
    if run.example is None or case is None:
        return
    # Each operation's own catalogue (conv2d's, whose case the backward call has too); an operation without
    # one counts as computed.
    run.example.update(OPERATIONS[case.op].corners_of(case))
    run.computed = True


def counting(inner: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a property's per-example function (Hypothesis's ``inner_test``) to tally each example."""

    @functools.wraps(inner)
    def example(*args: Any, **kwargs: Any) -> Any:
        run = state.current()
        run.example, run.computed, run.held = set(), False, []
        tally = run.tally
        if tally is not None:
            tally.started += 1
            tally.arguments = kwargs
        for value in kwargs.values():
            if isinstance(value, CoveringData):  # a covering example: its draws start again
                value.start()
        try:
            result = inner(*args, **kwargs)
        except UnsatisfiedAssumption:
            if tally is not None:
                tally.discarded += 1
            raise
        except BaseException:
            if tally is not None:
                tally.failed += 1
                tally.reached.update(run.example or ())
            raise
        finally:
            reached, run.example, run.held = run.example or set(), None, None
        if tally is not None:
            tally.ran += 1
            tally.computed += run.computed
            tally.reached.update(reached)
        return result

    return example


def errors() -> ErrorStats | None:
    """The error statistics of the property running now, or None outside a conformance property."""
    tally = state.current().tally
    return None if tally is None else tally.errors


def start(covering: int = 0, reachable: Iterable[str] = ()) -> None:
    """Begin tallying a property's run, whose first ``covering`` examples are its covering set's and whose
    strategies can reach the corners ``reachable``."""
    run = state.current()
    run.tally, run.last, run.last_discard = Tally(covering=covering, reachable=set(reachable)), None, ""


@contextlib.contextmanager
def paused() -> Iterator[Tally | None]:
    """Nothing is tallied inside (the tries of a shrink); gives the run's tally."""
    run = state.current()
    tally, run.tally = run.tally, None
    try:
        yield tally
    finally:
        run.tally = tally


def stop() -> None:
    """End the run; its tally is the run state's ``last`` until the next one starts."""
    run = state.current()
    run.last, run.tally = run.tally, None
