"""Shared fixtures of cnnspec's own tests."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

# Imported once here, so that pytester's in-process runs, which drop the modules they import, never
# load numpy's or scipy's extension modules a second time.
import cnnspec.backends.reference  # noqa: F401
import cnnspec.conformance
import cnnspec.oracles  # noqa: F401
import cnnspec.suite_plugin  # noqa: F401

# The suite's own modules too, all but its test modules (which each in-process run collects afresh). An
# in-process run drops the modules it imported but not the package attributes that name them, so a module
# first imported inside one run is, in the next, two modules: the stale one that `from cnnspec.conformance
# import profiles` finds on the package and a fresh one that `from cnnspec.conformance.profiles import ...`
# loads. The plugin then set the profile on one and the properties read it from the other, so an earlier
# run on the same worker decided which profile a later run's properties used.
for _module in pkgutil.iter_modules(cnnspec.conformance.__path__):
    if not _module.name.startswith("test_"):
        importlib.import_module(f"cnnspec.conformance.{_module.name}")

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
