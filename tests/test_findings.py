"""Every recorded finding still reproduces on the pinned framework, each in its own process, wherever
the machine has what it needs; and where it needs a oneDNN ISA level, it disappears below that level."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from cnnspec import cpu
from cnnspec.findings import FINDINGS, Finding, RecordError, load, reproducer_file

_ASK = (
    "import json, sys; from cnnspec.backends import load, unavailable; "
    "print(json.dumps({name: unavailable(load(name)) or '' for name in sys.argv[1:]}))"
)


@functools.cache
def _unavailable_all() -> dict[str, str]:
    """Why each backend a finding names cannot run here ("" where it can), asked in one process of its own:
    loading an adapter imports its framework, which stays out of the pytest workers, and one process imports
    each framework once for all of its backends. Empty where that process failed: then each is asked alone."""
    names = sorted({f.backend for f in FINDINGS})
    done = subprocess.run([sys.executable, "-c", _ASK, *names], capture_output=True, text=True, timeout=600)
    return json.loads(done.stdout.splitlines()[-1]) if done.returncode == 0 and done.stdout.strip() else {}


@functools.cache
def _unavailable(backend: str) -> str:
    """Why ``backend`` cannot run here ("" where it can)."""
    known = _unavailable_all()
    if backend in known:
        return known[backend]
    done = subprocess.run([sys.executable, "-c", _ASK, backend], capture_output=True, text=True, timeout=300)
    return json.loads(done.stdout.splitlines()[-1])[backend] if done.returncode == 0 else done.stderr[-500:]


def _skip_unless_it_can_show(finding: Finding) -> None:
    framework = finding.backend.split("-")[0]
    if importlib.util.find_spec(framework) is None:  # found, not imported: frameworks stay out of the workers
        pytest.skip(f"{framework} is not installed")
    reason = _unavailable(finding.backend)
    if reason:
        pytest.skip(f"{finding.backend} cannot run here: {reason}")
    reason = finding.why_not_here()
    if reason:
        pytest.skip(reason)


def _shows(finding: Finding, **environment: str) -> tuple[bool, subprocess.CompletedProcess[str]]:
    """Whether the reproducer shows the finding, run with these environment variables set."""
    run = subprocess.run(
        [sys.executable, reproducer_file(finding)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **environment},
    )
    if finding.outcome in ("segfault", "sigfpe"):
        dies_of = {"segfault": signal.SIGSEGV, "sigfpe": signal.SIGFPE}[finding.outcome]
        return run.returncode == -dies_of, run
    return run.returncode == 0 and finding.prints in run.stdout, run


@pytest.mark.slow
@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f"{f.backend}-{f.clause}")
def test_finding_reproduces(finding):
    _skip_unless_it_can_show(finding)
    shows, run = _shows(finding)
    assert shows, (
        f"{finding.backend} [{finding.clause}]: the recorded finding ({finding.outcome}"
        + (f", printing {finding.prints!r}" if finding.prints else "")
        + f") no longer reproduces here (exit {run.returncode}, printed {run.stdout.strip()[-300:]!r}), though "
        f"this machine has what it needs ({finding.needs() or 'nothing particular'}): the framework may have "
        f"fixed it; update its record, {reproducer_file(finding).with_suffix('.toml')}\n"
        f"{run.stderr[-2000:]}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("finding", [f for f in FINDINGS if f.isa], ids=lambda f: f"{f.backend}-{f.clause}")
def test_finding_disappears_below_its_isa(finding):
    """The ISA a finding names is the one it needs: capped at the level below, oneDNN no longer selects the
    kernel, and the reproducer runs right."""
    _skip_unless_it_can_show(finding)
    shows, run = _shows(finding, **{cpu.CAP_VARIABLE: cpu.below(finding.isa).upper()})
    assert not shows, (
        f"{finding.backend} [{finding.clause}] still shows with oneDNN capped at "
        f"{cpu.below(finding.isa)}: it does not need {finding.isa}; correct isa in {reproducer_file(finding).with_suffix('.toml')}"
    )


BASE = dict(
    backend="somelib",
    version="1",
    clause="A.2",
    summary="wrong",
    reproducer="print(1)",
    outcome="returns",
    tests=("test_values.py::test_exact_on_small_integers",),
)


def test_a_finding_is_expected_only_where_its_isa_and_threads_are(monkeypatch):
    from cnnspec import findings

    monkeypatch.setattr(cpu, "cpu_flags", lambda: cpu.flags_of("avx512_core_bf16"))
    monkeypatch.delenv(cpu.CAP_VARIABLE, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    anywhere = findings.Finding(**BASE)
    bf16 = findings.Finding(**BASE, isa="avx512_core_bf16")
    amx = findings.Finding(**BASE, isa="avx512_core_amx")
    four_threads = findings.Finding(**BASE, threads=4)
    assert anywhere.shows_here() and bf16.shows_here()
    assert "avx512_core_amx" in amx.why_not_here() and "avx512_core_bf16" in amx.why_not_here()
    assert "4 threads" in four_threads.why_not_here()
    assert "avx512_bf16" in bf16.needs() and "avx512_core_vnni" in bf16.needs()
    assert four_threads.needs() == "4 threads or more" and anywhere.needs() == ""
    monkeypatch.setenv(cpu.CAP_VARIABLE, "AVX512_CORE_VNNI")
    assert not bf16.shows_here() and cpu.CAP_VARIABLE in bf16.why_not_here()
    monkeypatch.setattr(findings, "FINDINGS", (amx,))
    assert findings.known("somelib") == ()
    monkeypatch.setattr(findings, "FINDINGS", (anywhere,))
    assert [k.test for k in findings.known("somelib")] == ["test_values.py::test_exact_on_small_integers"]


def test_a_finding_not_seen_above_a_level_is_neither_expected_nor_checked_there(monkeypatch):
    # OpenVINO's bfloat16 findings were seen where oneDNN runs its avx512_core_bf16 kernels; on a CPU with
    # AMX it runs others, untried: the finding must not travel there, capped below AMX it is back.
    from cnnspec import findings

    monkeypatch.delenv(cpu.CAP_VARIABLE, raising=False)
    bf16 = findings.Finding(**BASE, isa="avx512_core_bf16", not_above="avx512_core_amx", seen_on="an AMD EPYC")
    monkeypatch.setattr(cpu, "cpu_flags", lambda: cpu.flags_of("avx512_core_bf16"))
    assert bf16.shows_here()
    monkeypatch.setattr(cpu, "cpu_flags", lambda: cpu.flags_of("avx512_core_amx"))
    assert "avx512_core_amx" in bf16.why_not_here() and "an AMD EPYC" in bf16.why_not_here()
    monkeypatch.setattr(findings, "FINDINGS", (bf16,))
    assert findings.known("somelib") == ()
    monkeypatch.setenv(cpu.CAP_VARIABLE, "AVX512_CORE_FP16")
    assert bf16.shows_here()


@pytest.mark.parametrize(
    "flags, cap, level",
    [
        ({"avx2", "avx", "sse4_1", "avx_vnni"}, "", "avx2_vnni"),
        (cpu.flags_of("avx512_core_bf16") | {"avx_vnni"}, "", "avx512_core_bf16"),
        (cpu.flags_of("avx512_core_amx"), "AVX512_CORE", "avx512_core"),
        (cpu.flags_of("avx512_core_amx"), "avx10_1_512", "avx512_core_fp16"),
        (cpu.flags_of("avx512_core_amx"), "no such level", "avx512_core_amx"),
        (set(), "", "none"),
    ],
)
def test_onednn_levels_follow_the_flags_and_the_cap(monkeypatch, flags, cap, level):
    monkeypatch.setattr(cpu, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setenv(cpu.CAP_VARIABLE, cap)
    assert cpu.onednn_level() == level
    assert cpu.below("avx512_core_bf16") == "avx512_core_vnni" and cpu.below("avx512_core") == "avx2"


def test_the_findings_page_has_the_table_the_findings_make():
    from pathlib import Path

    from cnnspec.findings import table, written_table

    page = (Path(__file__).resolve().parent.parent / "docs" / "findings.md").read_text()
    assert written_table(page) == table(), "docs/findings.md is out of date: run python -m cnnspec.findings"


def test_every_test_a_finding_names_exists():
    from cnnspec.conformance.catalogue import properties

    named = {(f.backend, test.split("[")[0]) for f in FINDINGS for test in f.tests}
    assert {(b, t) for b, t in named if t not in properties()} == set()
    # A parameter in brackets is matched by its value (test_ranks' rank is 3, whose id is "conv3d"): a name
    # no value gives is an expected failure that never applies.
    wrong = []
    for f in FINDINGS:
        for test in f.tests:
            if "[" in test:
                module, name = test.split("[")[0].split("::")
                function = getattr(importlib.import_module(f"cnnspec.conformance.{module[:-3]}"), name)
                values = {
                    str(value)
                    for mark in getattr(function, "pytestmark", [])
                    if mark.name == "parametrize"
                    for value in mark.args[1]
                }
                if test.split("[")[1].rstrip("]") not in values:
                    wrong.append(f"{f.backend}: {test} (values: {sorted(values)})")
    assert wrong == []


RECORD = """\
version = "1"
outcome = "returns"
summary = "wrong"
tests = ["test_values.py::test_exact_on_small_integers"]
"""


def _write(root, backend="somelib", clause="A.2", record=RECORD, reproducer=BASE["reproducer"]):
    """A finding's files under ``root`` (None: that file is left out); the record's path."""
    folder = root / backend
    folder.mkdir(exist_ok=True)
    if record is not None:
        (folder / f"{clause}.toml").write_text(record)
    if reproducer is not None:
        (folder / f"{clause}.py").write_text(reproducer)
    return folder / f"{clause}.toml"


def test_the_loader_reads_a_finding_from_its_path_record_and_reproducer(tmp_path):
    _write(tmp_path, record=RECORD + "threads = 2\ndtypes = []\n")
    assert load(tmp_path) == (Finding(**BASE, threads=2),)


def test_findings_are_ordered_by_builtin_backend_then_by_clause(tmp_path):
    for backend, clause in [("somelib", "A.1"), ("jax-cpu", "E.10"), ("torch-cpu", "E.10"), ("jax-cpu", "E.2")]:
        _write(tmp_path, backend, clause)
    assert [(f.backend, f.clause) for f in load(tmp_path)] == [
        ("torch-cpu", "E.10"),
        ("jax-cpu", "E.2"),
        ("jax-cpu", "E.10"),
        ("somelib", "A.1"),
    ]


@pytest.mark.parametrize(
    "line, words",
    [
        ('colour = "red"', ["colour", "not a key of a record", "version, summary, outcome"]),
        ('backend = "otherlib"', ["backend", "not a key of a record", "folder"]),
        ('outcome = "hangs"', ["outcome", "must be one of 'segfault', 'sigfpe', 'returns', not 'hangs'"]),
        ("threads = true", ["threads", "must be an integer, not True"]),
        ("dtypes = [16]", ["dtypes", "must be an array of strings"]),
        ('isa = "avx9"', ["isa", "must be a oneDNN ISA level", "avx512_core_bf16", "not 'avx9'"]),
    ],
)
def test_the_loader_rejects_a_record_that_breaks_a_rule(tmp_path, line, words):
    key = line.split()[0]  # the line replaces the record's own line for its key
    record = _write(tmp_path, record="".join(kept for kept in RECORD.splitlines(True) if kept.split()[0] != key) + line)
    with pytest.raises(RecordError) as raised:
        load(tmp_path)
    assert all(word in str(raised.value) for word in [str(record), *words]), str(raised.value)


def test_the_loader_rejects_a_record_without_a_required_key(tmp_path):
    record = _write(tmp_path, record=RECORD.replace('summary = "wrong"', ""))
    with pytest.raises(
        RecordError, match=re.escape(f"{record}: summary: missing; a record needs version, summary, outcome")
    ):
        load(tmp_path)


def test_the_loader_rejects_a_record_without_its_reproducer_and_a_reproducer_without_its_record(tmp_path):
    record = _write(tmp_path, reproducer=None)
    with pytest.raises(RecordError, match=re.escape(f"{record}: a record without its reproducer (A.2.py)")):
        load(tmp_path)
    record.unlink()
    _write(tmp_path, clause="E.1", record=None)
    reproducer = tmp_path / "somelib" / "E.1.py"
    with pytest.raises(RecordError, match=re.escape(f"{reproducer}: a reproducer without its record (E.1.toml)")):
        load(tmp_path)


def test_every_reproducer_is_python():
    # They are run only where their framework is installed, and ruff leaves them alone: a syntax error in one
    # shows here first.
    for f in FINDINGS:
        compile(f.reproducer, str(reproducer_file(f)), "exec")
