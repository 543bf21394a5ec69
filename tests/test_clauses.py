"""The spec's clause IDs: parsed from spec/conv2d.md, every testable one covered, unknown ones refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnspec import clauses
from cnnspec.conformance.catalogue import properties as conformance_markers

REPO = Path(__file__).resolve().parent.parent


def test_the_packaged_spec_is_the_repository_spec():
    assert clauses.spec_text() == (REPO / "spec" / "conv2d.md").read_text(encoding="utf-8")


def test_clauses_are_parsed_with_kind_and_text():
    parsed = clauses.clauses()
    assert parsed["S.4"].kind == "testable" and "floor((H + p_top + p_bottom" in parsed["S.4"].text
    assert parsed["D.3"].kind == "definition"
    assert parsed["C.4"].kind == "informative"
    assert set(clauses.testable()) < set(parsed)


def test_every_conformance_test_names_known_clauses():
    for test, ids in conformance_markers().items():
        assert ids, f"{test} names no clause"
        assert not clauses.unknown(list(ids)), f"{test} names unknown clauses {clauses.unknown(list(ids))}"


def test_every_testable_clause_is_covered_by_a_conformance_test():
    covered = {i for ids in conformance_markers().values() for i in ids}
    missing = [i for i in clauses.testable() if i not in covered]
    assert not missing, f"testable clauses no conformance test checks: {missing}"


def test_an_unknown_clause_id_is_an_error_at_collection(pytester: pytest.Pytester):
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.clauses("Z.9")
        def test_something():
            pass
    """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "clauses(Z.9) names unknown clause IDs ['Z.9']" in result.stderr.str()


def test_a_duplicate_clause_id_in_the_spec_is_refused(monkeypatch):
    text = "**S.1** (testable) one\n\n**S.1** (testable) two\n"
    monkeypatch.setattr(clauses, "spec_text", lambda: text)
    clauses.clauses.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="defines clause S.1 twice"):
            clauses.clauses()
    finally:
        monkeypatch.undo()
        clauses.clauses.cache_clear()
