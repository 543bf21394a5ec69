"""Nonconformance the suite has found in real frameworks, as data: each with its clause, a minimal
reproducer that needs only the framework, what running it shows, and the conformance tests it fails.

A finding is two files in ``cnnspec/findings/<backend>/``: ``<clause>.toml``, its record (every field of
``Finding`` but the backend and the clause, which the path gives, and the reproducer), and ``<clause>.py``, its
reproducer, which ``python cnnspec/findings/<backend>/<clause>.py`` runs. They are the one record of a finding:
an adapter's ``known_nonconformance`` is ``known(name)``, docs/findings.md's table is written from them, and
tests/test_findings.py runs every reproducer in its own process, so a finding that stops reproducing (the
framework fixed it) fails the project's tests until its record is updated.
"""

from __future__ import annotations

import os
import re
import tomllib
import typing
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, Literal

from cnnspec import cpu
from cnnspec.backends import BUILTIN
from cnnspec.backends.protocol import KnownCrash, KnownNonconformance, KnownWrongAnswer
from cnnspec.docs_table import DocsTable


@dataclass(frozen=True)
class Finding:
    """One nonconformance found in a framework: where, which clause, how to see it, and what happens."""

    backend: str
    version: str
    clause: str
    summary: str
    reproducer: str
    # "returns": the reproducer runs to its end (an invalid call that returns a result, printed last);
    # "segfault", "sigfpe": the process dies of SIGSEGV or SIGFPE.
    outcome: Literal["segfault", "sigfpe", "returns"]
    link: str = ""
    tests: tuple[str, ...] = ()  # the conformance tests it fails, as ``module.py::name``
    dtypes: tuple[str, ...] = ()  # the dtypes it shows in, where not all
    also_in: tuple[str, ...] = ()  # other backends that run the same kernel and show it too
    prints: str = ""  # for a wrong value: what the reproducer prints while the finding stands
    # Where it shows (cnnspec.cpu): the oneDNN ISA level whose kernels have the bug, where oneDNN picks by
    # instruction set, and the fewest threads it needs; ``seen_on`` says on which machine it was found.
    isa: str = ""
    threads: int = 1
    seen_on: str = ""
    # A level above ``isa`` whose own kernels oneDNN picks instead where it may (AMX for bfloat16), and on which
    # the finding was not seen: there it is neither expected nor checked, so that it travels only where tried.
    not_above: str = ""

    def why_not_here(self) -> str | None:
        """Why this machine cannot show the finding (its kernel is not selected here), or None where it can."""
        if self.isa and not cpu.onednn_has(self.isa):
            capped = f" ({cpu.CAP_VARIABLE} is set)" if os.environ.get(cpu.CAP_VARIABLE) else ""
            return (
                f"it shows only where oneDNN selects its {self.isa} kernels; this machine's level is "
                f"{cpu.onednn_level()}{capped}"
            )
        if self.not_above and cpu.onednn_has(self.not_above):
            return (
                f"it was seen only where oneDNN cannot select its {self.not_above} kernels, which it selects here "
                f"(seen on: {self.seen_on or 'not recorded'})"
            )
        if self.threads > cpu.threads():
            return f"it shows only with {self.threads} threads or more; the kernels run {cpu.threads()} here"
        return None

    def crash(self) -> KnownCrash:
        """The exception an adapter raises instead of making a call this finding says kills the process."""
        if self.outcome not in ("segfault", "sigfpe"):
            raise ValueError(f"KnownCrash needs a finding whose outcome is a crash, not {self.outcome!r}")
        return KnownCrash(self.clause, f"({self.outcome}) {self.summary}", self.link)

    def wrong_answer(self) -> KnownWrongAnswer:
        """The exception an adapter raises instead of making a call this finding says answers wrongly here."""
        if self.outcome != "returns" or not self.shows_here():
            raise ValueError("KnownWrongAnswer needs a finding of wrong values that shows on this machine")
        return KnownWrongAnswer(self.clause, self.summary, self.link)

    def shows_here(self) -> bool:
        """Whether this machine has what the finding needs to show: its ISA level and its threads."""
        return self.why_not_here() is None

    def needs(self) -> str:
        """What the finding needs to show, in words ("" where it shows on any machine)."""
        parts = (
            [
                f"oneDNN's {self.isa} kernels (CPU flags {', '.join(sorted(cpu.own_flags(self.isa)))} and those "
                f"of {cpu.below(self.isa)})"
            ]
            if self.isa
            else []
        ) + ([f"{self.threads} threads or more"] if self.threads > 1 else [])
        return "; ".join(parts)


# The findings' folder: in it, a folder per backend, and in that a record and a reproducer per finding.
ROOT = Path(__file__).resolve().parent

# The fields a record does not hold, and what gives each; its keys are the other fields, typed as they are.
_GIVEN = {
    "backend": "the name of the record's folder gives it",
    "clause": "the record's file name gives it",
    "reproducer": "it is the .py file beside the record",
}
_KEYS = {name: hint for name, hint in typing.get_type_hints(Finding).items() if name not in _GIVEN}
_REQUIRED = [field.name for field in fields(Finding) if field.name in _KEYS and field.default is MISSING]
# Keys that name oneDNN levels: a level cnnspec.cpu does not know would fail only when a machine is asked about it.
_LEVELS = ("isa", "not_above")
_BUILTIN_RANK = {name: rank for rank, name in enumerate(BUILTIN)}


class RecordError(ValueError):
    """A finding's files break a rule: the message names the file, the key and the rule."""


def reproducer_file(finding: Finding, root: Path = ROOT) -> Path:
    """The file that holds ``finding``'s reproducer: ``python <it>`` runs it."""
    return root / finding.backend / f"{finding.clause}.py"


def load(root: Path = ROOT) -> tuple[Finding, ...]:
    """Every finding under ``root``, one folder per backend holding ``<clause>.toml`` and ``<clause>.py`` for
    each, ordered by backend as ``cnnspec.backends.BUILTIN`` is (others after, by name), then by clause, E.2
    before E.10. A record that breaks a rule, or a record or reproducer without the other, is a RecordError."""
    found = []
    for folder in (entry for entry in os.scandir(root) if entry.is_dir() and entry.name != "__pycache__"):
        names = os.listdir(folder.path)
        records = {name[: -len(".toml")] for name in names if name.endswith(".toml")}
        reproducers = {name[: -len(".py")] for name in names if name.endswith(".py")}
        if reproducers - records:
            clause = min(reproducers - records)
            raise RecordError(f"{folder.path}/{clause}.py: a reproducer without its record ({clause}.toml)")
        if records - reproducers:
            clause = min(records - reproducers)
            raise RecordError(f"{folder.path}/{clause}.toml: a record without its reproducer ({clause}.py)")
        found += [_record(Path(folder.path), clause) for clause in records]
    return tuple(sorted(found, key=_order))


def _record(folder: Path, clause: str) -> Finding:
    """The finding recorded in ``folder/<clause>.toml``, its reproducer read from ``folder/<clause>.py``."""
    path = folder / f"{clause}.toml"
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise RecordError(f"{path}: not TOML: {error}") from None
    for key in data:
        if key in _GIVEN:
            raise RecordError(f"{path}: {key}: not a key of a record; {_GIVEN[key]}")
        if key not in _KEYS:
            raise RecordError(f"{path}: {key}: not a key of a record; its keys are {', '.join(_KEYS)}")
    for key in _REQUIRED:
        if key not in data:
            raise RecordError(f"{path}: {key}: missing; a record needs {', '.join(_REQUIRED)}")
    values: dict[str, Any] = {key: _checked(path, key, value) for key, value in data.items()}
    reproducer = (folder / f"{clause}.py").read_text(encoding="utf-8")
    return Finding(backend=folder.name, clause=clause, reproducer=reproducer, **values)


def _checked(path: Path, key: str, value: object) -> object:
    """``value`` as the field ``key`` holds it (an array as a tuple), or a RecordError that says the rule."""
    hint = _KEYS[key]
    if typing.get_origin(hint) is tuple:
        rule, ok = "an array of strings", isinstance(value, list) and all(isinstance(item, str) for item in value)
    elif typing.get_origin(hint) is Literal:
        rule, ok = "one of " + ", ".join(map(repr, typing.get_args(hint))), value in typing.get_args(hint)
    elif hint is int:
        rule, ok = "an integer", isinstance(value, int) and not isinstance(value, bool)
    elif key in _LEVELS:
        rule, ok = (
            f"a oneDNN ISA level that cnnspec.cpu knows ({', '.join(cpu.levels())})",
            value in ("", *cpu.levels()),
        )
    else:
        rule, ok = "a string", isinstance(value, str)
    if not ok:
        raise RecordError(f"{path}: {key}: must be {rule}, not {value!r}")
    return tuple(value) if isinstance(value, list) else value


def _order(finding: Finding) -> tuple[int, str, tuple[str | int, ...]]:
    """Where ``finding`` comes in FINDINGS (a folder has no order): by backend, then by clause."""
    clause = tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", finding.clause))
    return _BUILTIN_RANK.get(finding.backend, len(_BUILTIN_RANK)), finding.backend, clause


FINDINGS: tuple[Finding, ...] = load()


def finding(backend: str, clause: str) -> Finding:
    """The one finding of ``backend`` under ``clause``."""
    (found,) = (f for f in FINDINGS if f.backend == backend and f.clause == clause)
    return found


def known(backend: str) -> tuple[KnownNonconformance, ...]:
    """The known nonconformance of ``backend``: one expected failure per test (and dtype) a finding of it
    fails, of the findings that show on this machine (a CPU-specific one is no expected failure elsewhere)."""
    return tuple(
        KnownNonconformance(
            test=test,
            reason=f"[{f.clause}] {f.summary}" + (f" Shows with {f.needs()}." if f.needs() else ""),
            link=f.link,
            dtype=dtype,
        )
        for f in FINDINGS
        if backend in (f.backend, *f.also_in) and f.shows_here()
        for test in f.tests
        for dtype in f.dtypes or ("",)
    )


def _markdown_link(link: str) -> str:
    """A finding's link with each URL written as ``[owner/repo#N](url)``."""

    def name(match: re.Match[str]) -> str:
        url = match.group(0)
        found = re.match(r"https://github\.com/([^/]+)/([^/]+)/(?:issues|pull)/(\d+)", url)
        return f"[{found.group(2)}#{found.group(3)}]({url})" if found else f"<{url}>"

    return re.sub(r"https://\S+[^\s.,;)]", name, link) if link else "not reported upstream yet"


def table() -> str:
    """[docs] The findings as a Markdown table, one row each: docs/findings.md holds it, and a test checks
    that it is this one (``python -m cnnspec.findings`` writes it there)."""
    rows = ["| backend | clause | what | where it shows | upstream |", "| --- | --- | --- | --- | --- |"]
    for f in FINDINGS:
        backends = ", ".join((f.backend, *f.also_in))
        where = (
            "; ".join(
                part
                for part in (
                    f.needs() and f"needs {f.needs()}",
                    f.dtypes and ", ".join(f.dtypes),
                    f.seen_on and f"seen on {f.seen_on}",
                )
                if part
            )
            or "any machine"
        )
        cells = [f"{backends} ({f.version})", f.clause, f.summary, where, _markdown_link(f.link)]
        rows.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


_PAGE = DocsTable(
    "findings.md",
    "<!-- the findings table: written by python -m cnnspec.findings -->",
    "<!-- end of the findings table -->",
)


def written_table(text: str) -> str:
    """The findings table as it stands between its markers in ``text`` (docs/findings.md)."""
    return _PAGE.written(text)


def write_table() -> Path:
    """[docs] Write ``table()`` between its markers in docs/findings.md; the file written."""
    return _PAGE.write(table())
