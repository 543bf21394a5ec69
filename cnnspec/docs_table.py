"""[docs] A table the code writes into a page of docs/, between two markers, and reads back for the tests that
check the page holds the table the code makes (the built-in backends, the operations, the findings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


@dataclass(frozen=True)
class DocsTable:
    """The table of ``page`` (a file in docs/) that stands between the markers ``begin`` and ``end``."""

    page: str
    begin: str
    end: str

    def written(self, text: str) -> str:
        """The table as it stands between the markers in ``text`` (the page's text)."""
        return text.split(self.begin, 1)[1].split(self.end, 1)[0].strip("\n") + "\n"

    def write(self, table: str) -> Path:
        """Write ``table`` between the markers of the page; the file written."""
        path = DOCS / self.page
        head, rest = path.read_text().split(self.begin, 1)
        path.write_text(f"{head}{self.begin}\n{table}{self.end}{rest.split(self.end, 1)[1]}")
        return path
