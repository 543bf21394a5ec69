"""The conformance report as data: one entry per backend run, and one row per clause x backend.

A report is plain JSON (``SCHEMA``). Its ``backends`` hold what each run recorded; its ``rows`` are
derived from them, so that reports from several machines or jobs merge by their backends alone:

- a clause *fails* on a backend where a test failed under it (a ``Nonconformance`` names the clause
  it broke; any other failure counts against the test's primary clause), or where the backend's
  process died (crashed, timed out) in a test that names it;
- it is a *known nonconformance* where the only failures are expected ones (``KnownNonconformance``);
- it *passes* where at least one test that names it passed and none failed;
- it is *unsupported* where every test that names it was skipped (the reason is the backend's);
- it is *untested* where no test that names it ran (the run crashed first, the backend could not run
  here, or a ``-k`` left it out).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

from cnnspec import clauses
from cnnspec.conformance import errorstats
from cnnspec.runner import FAILING, BackendRun

SCHEMA = "cnnspec-report/1"

RESULTS = ("fail", "known nonconformance", "not judged", "pass", "unsupported", "untested")

# Test outcomes that fail a clause.
FAILED = ("failed", "error", "crashed", "timed out")


def broken_clause(test: dict[str, Any]) -> str | None:
    """The clause a failed test broke: the one its ``Nonconformance`` names, else its primary clause."""
    named = test.get("clauses") or []
    return test.get("clause") or (named[0] if named else None)


@dataclass(frozen=True)
class Failure:
    """A failed test, or a known nonconformance, as the report shows it."""

    backend: str
    test: str
    dtype: str | None
    kind: str
    clause: str
    message: str
    failure: dict[str, Any]
    inflight: dict[str, Any] | None


def failures(report: dict[str, Any]) -> Iterator[Failure]:
    """Every failed test and known nonconformance of the report, backend by backend."""
    for b in report["backends"]:
        for t in b["tests"]:
            if t["outcome"] not in (*FAILED, "xfailed"):
                continue
            failure = t.get("failure") or {}
            yield Failure(
                b["name"],
                t["test"],
                t.get("dtype"),
                "known nonconformance" if t["outcome"] == "xfailed" else t["outcome"],
                broken_clause(t) or "?",
                failure.get("message") or t.get("reason") or "",
                failure,
                t.get("inflight"),
            )


def spec_record() -> dict[str, Any]:
    """The spec a report was made against: its digest and every clause's ID, kind and text."""
    return {
        "file": "spec/conv2d.md",
        "sha256": hashlib.sha256(clauses.spec_text().encode()).hexdigest(),
        "clauses": [
            {"id": c.id, "kind": c.kind, "text": c.text, "section": c.section} for c in clauses.clauses().values()
        ],
    }


def backend_record(run: BackendRun) -> dict[str, Any]:
    """One backend's run as report data; tests in node-ID order, so that a report does not depend on
    the order in which pytest-xdist's workers finished."""
    header = run.header
    described = (header.get("backends") or [{}])[0]
    name = described.get("name", run.name)
    cost = ", ".join(f"{n} {what}" for what, n in run.statistics.get(name, {}).items())
    return {
        "name": name,
        "origin": described.get("origin", run.name),
        "description": described.get("description", run.name) + (f"; this run: {cost}" if cost else ""),
        "machine": header.get("machine", {}),
        "declared": described.get("declared") or {},
        "profile": header.get("profile"),
        "max_examples": header.get("max_examples"),
        "seed": header.get("seed"),
        "status": run.status,
        "detail": run.detail,
        "output_tail": run.output_tail if run.status in FAILING - {"nonconformant"} else "",
        "tests": [{k: v for k, v in t.items() if k != "event"} for t in sorted(run.results, key=lambda r: r["nodeid"])],
    }


def build(runs: list[BackendRun]) -> dict[str, Any]:
    """The report of these runs."""
    return finish({"schema": SCHEMA, "spec": spec_record(), "backends": [backend_record(r) for r in runs]})


def finish(report: dict[str, Any]) -> dict[str, Any]:
    """The report with its derived parts (rows, summary) made from its backends."""
    testable = [c["id"] for c in report["spec"]["clauses"] if c["kind"] == "testable"]
    report["rows"] = [row for backend in report["backends"] for row in _rows(backend, testable)]
    report["summary"] = {
        b["name"]: dict(Counter(r["result"] for r in report["rows"] if r["backend"] == b["name"]))
        for b in report["backends"]
    }
    report["accuracy"] = [row for backend in report["backends"] for row in _accuracy(backend)]
    return report


def _accuracy(backend: dict[str, Any]) -> list[dict[str, Any]]:
    """[A.1, A.5, A.7] Per dtype: how close the results came to their bounds, over every element that a
    property compared within one, and the significand bits the copies of A.3 carried."""
    by_dtype: dict[str, list[dict[str, Any]]] = {}
    for test in backend["tests"]:
        stats = (test.get("coverage") or {}).get("errors")
        if test.get("dtype") and stats:
            by_dtype.setdefault(test["dtype"], []).append(stats)
    rows = []
    for dtype, stats in sorted(by_dtype.items()):
        merged = errorstats.merge(stats)
        compared = sum(merged["histogram"].values())
        if not compared and not merged["copies"]:
            continue
        bits = errorstats.effective_bits(merged["copy_error"]) if merged["copies"] else None
        declared = (backend.get("declared") or {}).get(dtype, {})
        rows.append(
            {
                "backend": backend["name"],
                "dtype": dtype,
                "compared": compared,
                **merged,
                "effective_bits": None if bits is None or bits == float("inf") else round(bits, 2),
                "copies_exact": bits == float("inf"),
                "declared_bits": declared.get("copy_bits"),
            }
        )
    return rows


def _rows(backend: dict[str, Any], testable: list[str]) -> list[dict[str, Any]]:
    evidence: dict[str, list[tuple[str, str, str]]] = {c: [] for c in testable}
    for test in backend["tests"]:
        named = test.get("clauses") or []
        label = f"{test['test']} [{test.get('dtype')}]"
        outcome = test["outcome"]
        broken = broken_clause(test)
        if outcome in FAILED:
            if broken in evidence:
                evidence[broken].append(("fail", label, _why(test)))
        elif outcome == "xfailed":
            if broken in evidence:
                evidence[broken].append(("known nonconformance", label, test.get("reason", "")))
        found_by = test.get("found_by")
        if outcome in (*FAILED, "xfailed") and found_by in evidence and found_by != broken:
            evidence[found_by].append(
                ("not judged", label, f"its example breaks a more basic clause, {broken}, where the failure is filed")
            )
        elif outcome in ("passed", "xpassed"):
            for clause in named:
                if clause in evidence:
                    evidence[clause].append(("pass", label, ""))
        elif outcome == "skipped":
            for clause in named:
                if clause in evidence:
                    evidence[clause].append(("unsupported", label, test.get("reason", "")))
    rows = []
    for clause in testable:
        found = evidence[clause]
        result = next((r for r in RESULTS if any(e[0] == r for e in found)), "untested")
        reasons = sorted({e[2] for e in found if e[0] == result and e[2]})
        if result == "untested":
            reasons = [backend["detail"]] if backend["status"] in ("unavailable", "crashed", "timed out") else []
        partial = sorted({f"{e[1]}: {e[2]}" for e in found if e[0] == "unsupported"}) if result == "pass" else []
        rows.append(
            {
                "clause": clause,
                "backend": backend["name"],
                "result": result,
                "reason": "; ".join(reasons),
                "tests": sorted({e[1] for e in found if e[0] == result}),
                "unsupported": partial,
            }
        )
    return rows


def _why(test: dict[str, Any]) -> str:
    failure = test.get("failure")
    if failure:
        return failure["message"]
    reason = test.get("reason", "")
    lines = [line for line in reason.strip().splitlines() if line.strip()]
    return lines[-1] if lines else test["outcome"]


def merge(reports: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """One report of several (machines, runs, CI jobs), and warnings about what one replaced.

    A backend that appears more than once is kept once: a run that ran replaces one that could not
    run here (a CPU box's torch-cuda, say), and otherwise the later input wins, with a warning.
    """
    if not reports:
        raise ValueError("nothing to merge")
    warnings = []
    digests = {r["spec"]["sha256"] for r in reports}
    if len(digests) > 1:
        warnings.append("the reports were made against different versions of the spec; the first one's text is shown")
    backends: dict[str, dict[str, Any]] = {}
    for report in reports:
        if report.get("schema") != SCHEMA:
            raise ValueError(f"not a cnnspec report of schema {SCHEMA}: {report.get('schema')!r}")
        for backend in report["backends"]:
            kept = backends.get(backend["name"])
            if kept is not None and backend["status"] == "unavailable":
                continue
            if kept is not None and kept["status"] != "unavailable":
                warnings.append(f"{backend['name']} appears in more than one report; the later one is kept")
            backends[backend["name"]] = backend
    return finish({"schema": SCHEMA, "spec": reports[0]["spec"], "backends": list(backends.values())}), warnings


def verdict(report: dict[str, Any]) -> int:
    """0 where every backend that ran is conformant (known nonconformance allowed), else 1."""
    return 1 if any(b["status"] in FAILING for b in report["backends"]) else 0
