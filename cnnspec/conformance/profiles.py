"""Hypothesis settings profiles for the conformance suite, as plain data.

- ``ci``: derandomized, so the same code gives the same verdict on every CI run;
- ``default``: random, 100 examples a property;
- ``thorough``: random, 1000 examples a property, for a release or a new kernel;
- ``smoke``: derandomized, 30 examples and no shrinking: a quick yes or no, whose failures are the
  first example found rather than the minimal one;
- ``covering``: the covering set alone (covering.py), no random examples.

Every profile runs a property's covering set first, whatever its random budget.
The pytest plugin picks one (``--cnnspec-profile``; ``ci`` when the CI variable is set, else
``default``); ``conformance`` applies it to a property when it runs, so that the suite never changes
the settings of a user's own Hypothesis tests.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, example, settings
from hypothesis.errors import Unsatisfiable

from cnnspec import backends
from cnnspec.backends import max_examples
from cnnspec.conformance import coverage, covering, shrink, state, triage

# Every profile stops at a property's first failure and shrinks it, and skips the explain phase: a
# report row holds one minimal example, and a backend that fails every call would otherwise spend
# seconds a property generating more failures and varying the minimal one.
_FIND_AND_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]

PROFILES: dict[str, dict[str, Any]] = {
    "ci": {
        "max_examples": 30,
        "derandomize": True,
        "database": None,
        "deadline": None,
        "print_blob": True,
        "report_multiple_bugs": False,
        "phases": _FIND_AND_SHRINK,
    },
    "default": {
        "max_examples": 100,
        "deadline": None,
        "print_blob": True,
        "report_multiple_bugs": False,
        "phases": _FIND_AND_SHRINK,
    },
    "thorough": {
        "max_examples": 1000,
        "deadline": None,
        "print_blob": True,
        "report_multiple_bugs": False,
        "phases": _FIND_AND_SHRINK,
    },
    "smoke": {
        "max_examples": 30,
        "derandomize": True,
        "database": None,
        "deadline": None,
        "phases": [Phase.explicit, Phase.generate],
        "report_multiple_bugs": False,
    },
    # The covering set alone, no random examples: what every run is sure to try.
    "covering": {
        "max_examples": 1,
        "derandomize": True,
        "database": None,
        "deadline": None,
        "phases": [Phase.explicit],
        "report_multiple_bugs": False,
    },
}

# Oracles on the largest drawn cases may take longer than Hypothesis's default health-check budget,
# and a backend that supports few of a property's cases filters many: what it cannot run at all
# ends as Unsatisfiable, which becomes a skip with the reason.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much]

# Hypothesis fixes a test's settings when @given decorates it, refuses a second @settings, and has
# no public way to change them later; this attribute is where @settings itself stores them.
_SETTINGS_ATTRIBUTE = "_hypothesis_internal_use_settings"
# A property's covering examples and how many of the first meet every value, set when they are made (at
# its first run, not at import: building the sets takes a moment, which a collection should not pay).
_COVERED_ATTRIBUTE = "_cnnspec_covering_attached"

_active = "default"

T = TypeVar("T", bound=Callable[..., Any])


def activate(name: str) -> None:
    """Use profile ``name`` for the conformance properties imported from now on."""
    global _active
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; profiles: {', '.join(PROFILES)}")
    _active = name


def active() -> str:
    """The name of the profile in use."""
    return _active


def examples_for(backend: object) -> int:
    """How many examples a property runs on ``backend``: the active profile's, or fewer where the backend
    asks for fewer (``max_examples``)."""
    budget = max_examples(backend)  # type: ignore[arg-type]
    return PROFILES[_active]["max_examples"] if budget is None else min(PROFILES[_active]["max_examples"], budget)


def conformance(test: T) -> T:
    """Run a conformance property (put this above ``@given``) under the profile active when it runs.

    The property's covering set (covering.py) runs first, as Hypothesis's explicit examples, in every
    profile and whatever the random budget. The profile is applied at each call, not at import, so that
    a module imported under one profile never runs under it after another is chosen. A backend that declares ``max_examples`` (one whose
    every new shape costs a compilation) runs at most that many examples a property. A property none of whose examples the backend
    supports or accepts (every one discarded) is skipped with that reason rather than reported as
    an error. Each run is tallied (``state.current().last``): examples by outcome and the corners reached.
    """

    if not hasattr(test, _SETTINGS_ATTRIBUTE):
        raise TypeError(
            f"@conformance must be put above @given on {getattr(test, '__name__', test)!r}, "
            f"and needs a Hypothesis that keeps a test's settings in {_SETTINGS_ATTRIBUTE}"
        )
    # inner_test is Hypothesis's documented hook for wrapping what runs once per example.
    test.hypothesis.inner_test = coverage.counting(test.hypothesis.inner_test)  # type: ignore[attr-defined]

    def prepare() -> tuple[list[Any], int]:
        """The property's covering examples, attached once (a forked test asks before it forks)."""
        if getattr(test, _COVERED_ATTRIBUTE, None) is None:
            # The public @example adds explicit examples, in a list that Hypothesis reads when the test
            # runs, in the order @example decorators are written (from the last added).
            rows, values = covering.examples(test.hypothesis._given_kwargs)  # type: ignore[attr-defined]
            for row in reversed(rows):
                example(**row)(test)
            setattr(test, _COVERED_ATTRIBUTE, (list(test.hypothesis_explicit_examples), values))  # type: ignore[attr-defined]
        return getattr(test, _COVERED_ATTRIBUTE)

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        every, values = prepare()
        backend = kwargs.get("backend")
        run_now = every if backends.covering(backend) == "pairs" else every[-values:]
        test.hypothesis_explicit_examples = run_now  # type: ignore[attr-defined]
        profile = {**PROFILES[_active], "max_examples": examples_for(kwargs.get("backend"))}
        setattr(test, _SETTINGS_ATTRIBUTE, settings(**profile, suppress_health_check=_SUPPRESSED))
        given = test.hypothesis._given_kwargs  # type: ignore[attr-defined]
        coverage.start(covering=len(run_now), reachable=coverage.reachable(given.values()))
        try:
            return test(*args, **kwargs)
        except AssertionError as failure:
            if getattr(failure, "clause", None) is None:  # not a Nonconformance (by duck type: a test's
                raise  # pytester run may import cnnspec's modules twice)
            final: BaseException = failure
            with coverage.paused() as tally:
                if tally is not None and tally.in_covering() and Phase.shrink in profile["phases"]:
                    # A covering example's failure, which Hypothesis does not shrink: shrink it here.
                    given = test.hypothesis._given_kwargs  # type: ignore[attr-defined]
                    row = {name: value for name, value in tally.arguments.items() if name in given}
                    clause = getattr(failure, "clause")
                    final = shrink.shrink(
                        test,
                        args,
                        kwargs,
                        row,
                        failure,
                        profile,
                        lambda error: getattr(error, "clause", None) == clause,
                    )
            # The minimal example, filed under the basic clause it breaks where one explains it.
            # The property's own primary clause, from its marker (applied to this wrapper), not a global.
            primary = next((m.args[0] for m in getattr(run, "pytestmark", []) if m.name == "clauses"), "")
            moved = triage.refiled(final, primary) if getattr(final, "clause", None) else None
            if moved is None and final is failure:
                raise
            raise (moved or final) from None
        except (pytest.skip.Exception, pytest.xfail.Exception) as outcome:
            # Raised in a covering example, it carries Hypothesis's account of that example as notes (with
            # the backend's address in memory); the reason alone is what a report keeps.
            if not getattr(outcome, "__notes__", None):
                raise
            raise type(outcome)(outcome.msg) from None
        except Unsatisfiable:
            backend = kwargs.get("backend")
            pytest.skip(
                f"{getattr(backend, 'name', 'the backend')} supports or accepts none of this property's "
                f"examples: {state.current().last_discard}"
            )
        finally:
            coverage.stop()

    run.cnnspec_prepare = prepare  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]
