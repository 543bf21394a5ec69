"""Every oracle and property earns its place: each broken backend is caught under its clause, by the
properties it names, within the covering set alone, and between them the broken backends make every
conformance property fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnnspec.conformance.catalogue import properties as conformance_markers

import broken_backends
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
        f"{broken.__name__} was caught, but never under {expected}: {sorted(set(clauses.values()))}"
    )
    failed = {nodeid.split("::")[-1].split("[")[0] for nodeid in clauses}
    missed = [name for name in must_fail if name not in failed]
    assert not missed, f"{broken.__name__} passed properties it must fail: {missed}"


def test_every_conformance_property_is_failed_by_a_broken_backend():
    required = {name for _, names in broken_backends.CAUGHT_BY.values() for name in names}
    properties = {test.split("::")[1] for test in conformance_markers()}
    assert properties - required == set(), "properties no broken backend is required to fail"
    assert required - properties == set(), "CAUGHT_BY names properties that do not exist"


# One defect, one clause: a "same" rule, the bias, the dilation. Every property whose examples meet the
# defect fails, and each failure is filed under the clause the example breaks (triage.py), so that the
# matrix shows the defect once, where it is. In a process of its own: what is judged is a real run's record.
@pytest.mark.slow
@pytest.mark.parametrize(
    "broken, clause",
    [
        (broken_backends.SameOddUnitOnTop, "P.4"),
        (broken_backends.BiasPerInputChannel, "V.4"),
        (broken_backends.DilationIgnored, "T.2"),
    ],
    ids=lambda p: getattr(p, "__name__", p),
)
def test_one_defect_fails_its_own_clause_alone(pytester, monkeypatch, broken, clause):
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent))
    events = pytester.path / "events.jsonl"
    pytester.runpytest_subprocess(
        "--pyargs",
        "cnnspec.conformance",
        "--cnnspec-backend",
        f"broken_backends:{broken.__name__}",
        "--cnnspec-profile",
        "covering",
        "--cnnspec-dtype",
        "float64",
        "--cnnspec-results",
        str(events),
        "-p",
        "no:cacheprovider",
    )
    results = [json.loads(line) for line in events.read_text().splitlines()]
    failed = {r["test"]: r.get("clause") for r in results if r.get("event") == "result" and r["outcome"] == "failed"}
    assert len(failed) > 1, f"{broken.__name__} failed {len(failed)} properties: the triage has nothing to show"
    assert set(failed.values()) == {clause}, sorted(f"{c}: {t}" for t, c in failed.items())
    found_by = {r.get("found_by") for r in results if r.get("event") == "result" and r.get("found_by")}
    assert found_by, "no failure says which property found it"
