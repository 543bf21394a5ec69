"""Correct backends raise no false alarm: the whole conformance suite passes on every built-in backend
that can run here, each run the way a user runs it, in its own process."""

from __future__ import annotations

import pytest

from cnnspec.backends import BUILTIN, load, unavailable


@pytest.mark.parametrize("name", list(BUILTIN))
def test_the_suite_passes_on_a_builtin_backend(pytester: pytest.Pytester, name):
    reason = unavailable(load(name))
    result = pytester.runpytest_subprocess("--pyargs", "cnnspec.conformance", "--backend", name,
                                           "--cnnspec-profile", "ci", "-p", "no:cacheprovider", "-rs")
    outcomes = result.parseoutcomes()
    if reason:
        assert result.ret == pytest.ExitCode.OK and set(outcomes) <= {"skipped", "warnings"}, outcomes
        result.stdout.fnmatch_lines([f"*{name}: {reason}*"])
    else:
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-5000:]
        assert outcomes.get("passed", 0) >= 60 and "failed" not in outcomes and "skipped" not in outcomes, outcomes
