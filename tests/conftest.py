"""Shared fixtures of cnnspec's own tests."""

from __future__ import annotations

import pytest

# Imported once here, so that pytester's in-process runs, which drop the modules they import, never
# load numpy's or scipy's extension modules a second time.
import cnnspec.backends.reference  # noqa: F401
import cnnspec.oracles  # noqa: F401

try:
    import torch  # noqa: F401
except ImportError:
    pass


@pytest.fixture
def run_suite(pytester: pytest.Pytester):
    """Run the conformance suite in-process on one backend spec (the covering set alone, unless told)."""

    def run(backend: str, *args: str, profile: str = "covering") -> pytest.HookRecorder:
        return pytester.inline_run(
            "--pyargs",
            "cnnspec.conformance",
            "--cnnspec-backend",
            backend,
            "--cnnspec-profile",
            profile,
            "-p",
            "no:cacheprovider",
            *args,
        )

    return run


def failed_clauses(recorder: pytest.HookRecorder) -> dict[str, str]:
    """The clause each failed test reported, by test node ID."""
    return {
        r.nodeid: dict(r.user_properties).get("clause", "?")
        for r in recorder.getreports("pytest_runtest_logreport")
        if r.failed and r.when == "call"
    }
