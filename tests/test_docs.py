"""The tables the docs show are the ones the code makes."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_adapters_page_has_the_table_the_builtin_backends_make():
    from cnnspec.backends import BUILTIN, table, written_table

    assert written_table((DOCS / "adapters.md").read_text()) == table(), (
        "docs/adapters.md is out of date: run python -m cnnspec.backends"
    )
    assert all(f"| `{name}` |" in table() for name in BUILTIN)


def test_the_adapters_page_has_the_table_the_operations_make():
    from cnnspec import operations

    assert operations.written_table((DOCS / "adapters.md").read_text()) == operations.table(), (
        "docs/adapters.md is out of date: run python -m cnnspec.operations"
    )
    assert all(f"`{name}(" in operations.table() for name, op in operations.OPERATIONS.items() if op.optional)
