"""Hypothesis settings profiles for the conformance suite, as plain data.

- ``ci``: derandomized, so the same code gives the same verdict on every CI run;
- ``default``: random, 100 examples a property;
- ``thorough``: random, 1000 examples a property, for a release or a new kernel;
- ``smoke``: derandomized, 30 examples and no shrinking: a quick yes or no, whose failures are the
  first example found rather than the minimal one.

The pytest plugin picks one (``--cnnspec-profile``; ``ci`` when the CI variable is set, else
``default``); ``conformance`` applies it to a property when it runs, so that the suite never changes
the settings of a user's own Hypothesis tests.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Unsatisfiable

from cnnspec.backends import max_examples
from cnnspec.conformance import checks, coverage

# Every profile stops at a property's first failure and shrinks it, and skips the explain phase: a
# report row holds one minimal example, and a backend that fails every call would otherwise spend
# seconds a property generating more failures and varying the minimal one.
_FIND_AND_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]

PROFILES: dict[str, dict[str, Any]] = {
    "ci": {"max_examples": 30, "derandomize": True, "database": None, "deadline": None, "print_blob": True,
           "report_multiple_bugs": False, "phases": _FIND_AND_SHRINK},
    "default": {"max_examples": 100, "deadline": None, "print_blob": True, "report_multiple_bugs": False,
                "phases": _FIND_AND_SHRINK},
    "thorough": {"max_examples": 1000, "deadline": None, "print_blob": True, "report_multiple_bugs": False,
                 "phases": _FIND_AND_SHRINK},
    "smoke": {"max_examples": 30, "derandomize": True, "database": None, "deadline": None,
              "phases": [Phase.explicit, Phase.generate], "report_multiple_bugs": False},
}

# Oracles on the largest drawn cases may take longer than Hypothesis's default health-check budget,
# and a backend that supports few of a property's cases filters many: what it cannot run at all
# ends as Unsatisfiable, which becomes a skip with the reason.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much]

# Hypothesis fixes a test's settings when @given decorates it, refuses a second @settings, and has
# no public way to change them later; this attribute is where @settings itself stores them.
_SETTINGS_ATTRIBUTE = "_hypothesis_internal_use_settings"

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

    The profile is applied at each call, not at import, so that a module imported under one profile
    never runs under it after another is chosen. A backend that declares ``max_examples`` (one whose
    every new shape costs a compilation) runs at most that many examples a property. A property none of whose examples the backend
    supports or accepts (every one discarded) is skipped with that reason rather than reported as
    an error. Each run is tallied (``coverage.last``): examples by outcome and the corners reached.
    """

    if not hasattr(test, _SETTINGS_ATTRIBUTE):
        raise TypeError(f"@conformance must be put above @given on {getattr(test, '__name__', test)!r}, "
                        f"and needs a Hypothesis that keeps a test's settings in {_SETTINGS_ATTRIBUTE}")
    # inner_test is Hypothesis's documented hook for wrapping what runs once per example.
    test.hypothesis.inner_test = coverage.counting(test.hypothesis.inner_test)  # type: ignore[attr-defined]

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        profile = {**PROFILES[_active], "max_examples": examples_for(kwargs.get("backend"))}
        setattr(test, _SETTINGS_ATTRIBUTE, settings(**profile, suppress_health_check=_SUPPRESSED))
        checks.last_discard = ""
        coverage.start()
        try:
            return test(*args, **kwargs)
        except Unsatisfiable:
            backend = kwargs.get("backend")
            pytest.skip(f"{getattr(backend, 'name', 'the backend')} supports or accepts none of this property's "
                        f"examples: {checks.last_discard}")
        finally:
            coverage.stop()

    return run  # type: ignore[return-value]
