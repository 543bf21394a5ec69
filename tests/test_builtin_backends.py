"""Correct backends raise no false alarm. The cheap ones (reference, scipy) run the whole suite here, the
way a user runs it, in a process of their own; every framework runs it once, in the main job, whose
report this reads: each built-in backend there is conformant (its recorded findings expected failures)
or could not run, and skips only what its adapter declares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cnnspec.backends import BUILTIN, default_backends, scheduled

REPORT = Path(__file__).resolve().parent.parent / "reports" / "conformance.json"


def _undeclared(name: str, reasons: list[str]) -> list[str]:
    """The skips that do not name the backend and its declared reason, or say that none of a property's
    examples were supported (its declarations) or accepted (a call the spec lets it reject)."""
    return [r for r in reasons if not r.startswith((f"{name}: ", f"{name} supports or accepts none of"))]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["reference"])
def test_the_suite_passes_on_a_cheap_builtin_backend(pytester: pytest.Pytester, name):
    # The way a user runs it, plain pytest, on the covering sets. The main job runs every built-in backend on
    # the ci profile (scipy, a Python loop of correlate2d, takes minutes of it), and the test below reads its
    # report: this one is the plain-pytest path, which the cheapest backend shows.
    result = pytester.runpytest_subprocess(
        "--pyargs",
        "cnnspec.conformance",
        "--cnnspec-backend",
        name,
        "--cnnspec-profile",
        "covering",
        "-p",
        "no:cacheprovider",
        "-rsx",
    )
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-5000:]
    assert outcomes.get("passed", 0) >= 150 and "failed" not in outcomes, outcomes
    skips = re.findall(r"^SKIPPED \[\d+\] \S+: (.*)$", result.stdout.str(), flags=re.M)
    assert not _undeclared(name, skips), f"skips the adapter did not declare: {_undeclared(name, skips)}"


def test_the_main_jobs_report_finds_every_builtin_backend_conformant():
    data = json.loads(REPORT.read_text())
    runs = {backend["name"]: backend for backend in data["backends"]}
    assert set(runs) == set(BUILTIN), "the report must have a row for every built-in backend"
    for name, run in runs.items():
        if run["status"] == "unavailable":
            assert run["detail"], f"{name} could not run, and the report does not say why"
            continue
        assert run["status"] == "conformant", f"{name}: {run['status']}: {run['detail']}"
        reasons = [t.get("reason", "") for t in run["tests"] if t["outcome"] == "skipped"]
        assert not _undeclared(name, reasons), (
            f"{name} skips what its adapter did not declare: {_undeclared(name, reasons)}"
        )


def test_a_plain_run_leaves_out_only_the_scheduled_backends_and_says_how_each_is_run():
    # A backend too costly for every CI run (torch.compile: a compilation for each new shape) still has its
    # row in the main job's report, saying why it did not run and the command that runs it.
    left_out = [name for name in BUILTIN if scheduled(name)]
    assert default_backends() == [name for name in BUILTIN if name not in left_out]
    for name in left_out:
        assert f"cnnspec report --backend {name}" in scheduled(name), scheduled(name)
