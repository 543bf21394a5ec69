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
