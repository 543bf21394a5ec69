"""The state of the conformance property running now, in one object held in a ``contextvars.ContextVar``
(as Hypothesis's own plugin keeps its dynamic variables), rather than module globals set and reset by hand.

The pytest plugin begins a fresh ``PropertyRun`` for each conformance test (``begin``); the conformance
decorator starts and stops its tally (``coverage.start``, ``coverage.stop``); the calls, the coverage
tally and the in-flight record read and write ``current()``.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:
    from cnnspec.conformance.coverage import Tally


@dataclass
class PropertyRun:
    """What the suite keeps while one conformance test runs."""

    test: str = ""  # the node ID, which the in-flight record names
    primary_clause: str = ""  # a refused call (KnownWrongAnswer) is an expected failure of this clause only
    tally: Tally | None = None  # the run's tally; None outside a property's run, and while paused
    example: set[str] | None = None  # the corners the current example's results reached; None outside one
    computed: bool = False  # whether the backend returned a result in the current example
    last_discard: str = ""  # why the last example was discarded, for a property none of whose examples ran
    # The results of the current example's calls so far, each with a copy and what makes its call (for a
    # reproducer), to tell whether a later call changed one (S.8); None outside an example, where each call
    # is checked alone.
    held: list[tuple[Callable[[], Any], np.ndarray, np.ndarray]] | None = None
    last: Tally | None = None  # the tally of the test's finished run, for the report


_RUN: ContextVar[PropertyRun] = ContextVar("cnnspec_property_run")


def current() -> PropertyRun:
    """The run in progress (an empty one where none was begun: a property called outside the plugin)."""
    run = _RUN.get(None)
    if run is None:
        run = PropertyRun()
        _RUN.set(run)
    return run


def begin(test: str = "", primary_clause: str = "") -> PropertyRun:
    """Begin the run of the conformance test ``test`` (a node ID) whose primary clause is ``primary_clause``."""
    run = PropertyRun(test=test, primary_clause=primary_clause)
    _RUN.set(run)
    return run
