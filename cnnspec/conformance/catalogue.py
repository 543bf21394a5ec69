"""The conformance properties and the clauses each names, read from the test modules themselves."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import cnnspec.conformance


@cache
def properties() -> dict[str, tuple[str, ...]]:
    """Each conformance property's clauses (primary first), by ``test_module.py::test_name``."""
    found = {}
    for info in pkgutil.iter_modules(cnnspec.conformance.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"cnnspec.conformance.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("test_"):
                marks = [m for m in getattr(obj, "pytestmark", []) if m.name == "clauses"]
                found[f"{info.name}.py::{name}"] = marks[0].args if marks else ()
    return found


def clauses_of(test: str) -> list[str]:
    """The clauses that ``test`` (``test_module.py::test_name``) names; none for an unknown test."""
    return list(properties().get(test, ()))
