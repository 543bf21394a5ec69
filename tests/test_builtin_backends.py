"""Correct backends raise no false alarm: the whole conformance suite passes on every built-in backend
that can run here, each run the way a user runs it, in its own process. A framework's recorded
findings are expected failures (xfail), and the only skips are those its adapter declares."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cnnspec.backends import BUILTIN


# tinygrad compiles a kernel per shape: its suite takes many minutes, and the main job's report already
# runs it (and fails on anything but its recorded findings).
@pytest.mark.parametrize("name", [n for n in BUILTIN if n != "tinygrad-cpu"])
def test_the_suite_passes_on_a_builtin_backend(pytester: pytest.Pytester, name):
    # Asked in a process of its own: constructing an adapter imports its framework (JAX's changes the JAX
    # configuration), which stays out of the pytest workers.
    reason = subprocess.run([sys.executable, "-c", f"from cnnspec.backends import load, unavailable; "
                             f"print(unavailable(load({name!r})) or '')"], capture_output=True, text=True,
                            timeout=300).stdout.strip()
    result = pytester.runpytest_subprocess("--pyargs", "cnnspec.conformance", "--backend", name,
                                           "--cnnspec-profile", "ci", "-p", "no:cacheprovider", "-rsx")
    outcomes = result.parseoutcomes()
    if reason:
        assert result.ret == pytest.ExitCode.OK and set(outcomes) <= {"skipped", "warnings"}, outcomes
        result.stdout.fnmatch_lines([f"*{name}: {reason}*"])
        return
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-5000:]
    assert outcomes.get("passed", 0) >= 30 and "failed" not in outcomes, outcomes
    skips = re.findall(r"^SKIPPED \[\d+\] \S+: (.*)$", result.stdout.str(), flags=re.M)
    # A skip names the backend and its declared reason, or says none of a property's examples were
    # supported (its declarations) or accepted (a call the spec lets it reject, such as "same" with a stride).
    undeclared = [s for s in skips if not s.startswith((f"{name}: ", f"{name} supports or accepts none of"))]
    assert not undeclared, f"skips the adapter did not declare: {undeclared}"
