"""The clause IDs of spec/conv2d.md, read from the spec itself so that it stays the one place they are defined."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Kind = Literal["testable", "definition", "informative", "withdrawn"]

# A clause opens with its bold ID and kind, e.g. "**S.4** (testable) The output MUST ...", and runs
# to the next blank line or heading.
_CLAUSE = re.compile(r"^\*\*([A-Z]\.\d+)\*\* \((testable|definition|informative|withdrawn)\) ")


@dataclass(frozen=True)
class Clause:
    """One numbered clause of the spec: its stable ID, its kind and its text."""

    id: str
    kind: Kind
    text: str
    section: str = ""  # the heading it stands under: "B. Gradients", say; an operator's section of the report


def spec_text() -> str:
    """The text of spec/conv2d.md, as shipped in the package."""
    return resources.files("cnnspec.spec").joinpath("conv2d.md").read_text(encoding="utf-8")


@cache
def clauses() -> dict[str, Clause]:
    """Every clause of the spec by ID, in the spec's order."""
    found: dict[str, Clause] = {}
    current: list[str] | None = None
    header: tuple[str, str] | None = None
    section = ""
    for line in spec_text().splitlines() + [""]:
        if line.startswith("## "):
            section = line[3:].strip()
        match = _CLAUSE.match(line)
        if match:
            if match.group(1) in found:
                raise RuntimeError(f"spec/conv2d.md defines clause {match.group(1)} twice")
            header, current = (match.group(1), match.group(2)), [line[match.end() :]]
        elif current is not None and line.strip() and not line.startswith("#"):
            current.append(line.strip())
        elif current is not None and header is not None:
            found[header[0]] = Clause(header[0], header[1], " ".join(current), section)  # type: ignore[arg-type]
            current, header = None, None
    return found


def testable() -> list[str]:
    """The IDs of the testable clauses, which the conformance suite must cover between its tests."""
    return [c.id for c in clauses().values() if c.kind == "testable"]


def unknown(ids: tuple[str, ...] | list[str]) -> list[str]:
    """Those of ``ids`` that the spec does not define."""
    known = clauses()
    return [i for i in ids if i not in known]
