"""Every oracle and property earns its place: each broken backend is caught under its clause."""

from __future__ import annotations

import pytest

import broken_backends
from conftest import failed_clauses


@pytest.mark.parametrize("broken", list(broken_backends.CAUGHT_BY), ids=lambda b: b.__name__)
def test_broken_backend_is_caught_with_its_clause(run_suite, broken):
    recorder = run_suite(f"broken_backends:{broken.__name__}")
    clauses = failed_clauses(recorder)
    expected = broken_backends.CAUGHT_BY[broken]
    assert clauses, f"{broken.__name__} ({broken.__doc__}) passed the whole suite"
    assert expected in clauses.values(), (
        f"{broken.__name__} was caught, but never under {expected}: {sorted(set(clauses.values()))}")
