"""Every recorded finding still reproduces on the pinned framework, each in its own process."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys

import pytest

from cnnspec.findings import FINDINGS


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f"{f.backend}-{f.clause}")
def test_finding_reproduces(finding):
    framework = finding.backend.split("-")[0]
    if importlib.util.find_spec(framework) is None:  # found, not imported: frameworks stay out of the workers
        pytest.skip(f"{framework} is not installed")
    if not finding.shows_here():
        pytest.skip(f"it shows only on a CPU with {finding.needs}, which this machine lacks")
    run = subprocess.run([sys.executable, "-c", finding.reproducer], capture_output=True, text=True, timeout=120)
    if finding.outcome in ("segfault", "sigfpe"):
        dies_of = {"segfault": signal.SIGSEGV, "sigfpe": signal.SIGFPE}[finding.outcome]
        assert run.returncode == -dies_of, (
            f"{finding.backend}: the recorded {finding.outcome} no longer reproduces (exit {run.returncode}); "
            f"update cnnspec/findings.py and the README's findings\n{run.stderr[-2000:]}")
    elif finding.outcome == "returns":
        assert run.returncode == 0 and run.stdout.strip(), (
            f"{finding.backend}: the invalid call now raises (exit {run.returncode}): the framework may have fixed "
            f"it; update cnnspec/findings.py and the README's findings\n{run.stderr[-2000:]}")
        assert finding.prints in run.stdout, (
            f"{finding.backend}: the reproducer no longer prints {finding.prints!r} but {run.stdout.strip()!r}: the "
            f"framework may have fixed it; update cnnspec/findings.py and the README's findings")
    else:
        pytest.fail(f"no check is written for the outcome {finding.outcome!r}")


def test_a_finding_that_needs_a_cpu_flag_is_expected_only_where_the_cpu_has_it(monkeypatch):
    from cnnspec import findings

    base = dict(backend="somelib", version="1", clause="A.2", summary="wrong", reproducer="print(1)",
                outcome="returns", tests=("test_values.py::test_exact_on_small_integers",))
    here, elsewhere = findings.Finding(**base), findings.Finding(**base, needs="no_cpu_has_this_flag")
    assert here.shows_here() and not elsewhere.shows_here()
    monkeypatch.setattr(findings, "FINDINGS", (elsewhere,))
    assert findings.known("somelib") == ()
    monkeypatch.setattr(findings, "FINDINGS", (here,))
    assert [k.test for k in findings.known("somelib")] == ["test_values.py::test_exact_on_small_integers"]
