"""Every oracle and property earns its place: each broken backend is caught under its clause, by the
properties it names, within the covering set alone, and between them the broken backends make every
conformance property fail."""

from __future__ import annotations

import pytest

import broken_backends
from cnnspec.conformance.catalogue import properties as conformance_markers
from conftest import failed_clauses


@pytest.mark.parametrize("broken", list(broken_backends.CAUGHT_BY), ids=lambda b: b.__name__)
def test_broken_backend_is_caught_with_its_clause(run_suite, broken):
    expected, must_fail = broken_backends.CAUGHT_BY[broken]
    # The covering set alone (the run_suite profile), of the properties it must fail and of those that
    # check its clause: what every run of the suite is sure to try.
    names = {test.split("::")[1] for test, clauses in conformance_markers().items() if expected in clauses}
    recorder = run_suite(f"broken_backends:{broken.__name__}", "-k", " or ".join(sorted(names | set(must_fail))))
    clauses = failed_clauses(recorder)
    assert clauses, f"{broken.__name__} ({broken.__doc__}) passed the whole suite"
    assert expected in clauses.values(), (
        f"{broken.__name__} was caught, but never under {expected}: {sorted(set(clauses.values()))}")
    failed = {nodeid.split("::")[-1].split("[")[0] for nodeid in clauses}
    missed = [name for name in must_fail if name not in failed]
    assert not missed, f"{broken.__name__} passed properties it must fail: {missed}"


def test_every_conformance_property_is_failed_by_a_broken_backend():
    required = {name for _, names in broken_backends.CAUGHT_BY.values() for name in names}
    properties = {test.split("::")[1] for test in conformance_markers()}
    assert properties - required == set(), "properties no broken backend is required to fail"
    assert required - properties == set(), "CAUGHT_BY names properties that do not exist"
