"""The conformance report: ``conformance.json``, ``conformance.md`` and ``index.html`` in one folder,
with each failure's arrays beside them in ``examples/`` as NumPy ``.npz`` files.

Every file is written whole or not at all (written aside, then renamed over the old one), so an
interrupted run leaves the previous report, never half of one. Nothing in a report depends on when
it was made or on how pytest-xdist spread the tests: the same inputs and profile give the same bytes.
"""

from __future__ import annotations

import base64
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from cnnspec.report import html, markdown
from cnnspec.report.model import SCHEMA, build, finish, merge, verdict

__all__ = ["build", "finish", "load", "merge", "verdict", "write"]

EXAMPLES = "examples"


def _atomic_write(path: Path, data: bytes) -> None:
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    aside.write_bytes(data)
    os.replace(aside, path)


def _npz(arrays: dict[str, str]) -> bytes:
    # np.savez stamps each member with the current time; fixed stamps keep the bytes reproducible.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, encoded in sorted(arrays.items()):
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), base64.b64decode(encoded))
    return buffer.getvalue()


def _calls(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every recorded call with arrays (failures and calls in flight) and the file name its arrays get."""
    found = []
    for b in report["backends"]:
        for t in b["tests"]:
            for kind in ("failure", "inflight"):
                call = t.get(kind)
                if call:
                    slug = "".join(
                        ch if ch.isalnum() or ch in "._" else "-"
                        for ch in f"{b['name']}--{t['test'].split('::')[-1]}--{t.get('dtype')}--{kind}"
                    )
                    found.append((f"{EXAMPLES}/{slug}.npz", call))
    return found


def write(report: dict[str, Any], out: Path) -> list[Path]:
    """Write the report into folder ``out``; returns the files written, the JSON last."""
    out.mkdir(parents=True, exist_ok=True)
    (out / EXAMPLES).mkdir(exist_ok=True)
    written = []
    for name, call in _calls(report):
        if call.get("arrays"):
            _atomic_write(out / name, _npz(call["arrays"]))
            call["arrays_file"] = name
            written.append(out / name)
    on_disk = json.loads(json.dumps(report))
    for _, call in _calls(on_disk):
        call.pop("arrays", None)
    for name, text in (
        ("conformance.md", markdown.render(on_disk)),
        ("index.html", html.render(report)),
        ("conformance.json", json.dumps(on_disk, indent=1, sort_keys=True) + "\n"),
    ):
        _atomic_write(out / name, text.encode("utf-8"))
        written.append(out / name)
    for stale in set((out / EXAMPLES).glob("*.npz")) - set(written):
        stale.unlink()
    return written


def _invalid(report: Any) -> str | None:
    """What makes ``report`` not a report of this schema (``model.SCHEMA``), or None."""
    if not isinstance(report, dict):
        return f"a report is a JSON object, not a {type(report).__name__}"
    if report.get("schema") != SCHEMA:
        return f"its schema is {report.get('schema')!r}, not {SCHEMA!r}"
    if not isinstance(report.get("spec"), dict) or not isinstance(report["spec"].get("clauses"), list):
        return "it has no spec with a list of clauses"
    if not isinstance(report.get("backends"), list):
        return "its backends are not a list"
    for i, backend in enumerate(report["backends"]):
        where = f"backends[{i}]"
        if not isinstance(backend, dict) or not isinstance(backend.get("name"), str):
            return f"{where} is not an object with a name"
        if not isinstance(backend.get("status"), str) or not isinstance(backend.get("tests"), list):
            return f"{where} ({backend['name']}) needs a status and a list of tests"
        for j, test in enumerate(backend["tests"]):
            if not isinstance(test, dict) or not all(isinstance(test.get(k), str) for k in ("nodeid", "outcome")):
                return f"{where}.tests[{j}] ({backend['name']}) is not an object with a nodeid and an outcome"
    return None


def load(path: Path) -> dict[str, Any]:
    """A report written by ``write``, with its arrays read back in from the files beside it; a file that
    is not one (of this schema) is a ValueError that says what is wrong."""
    report = json.loads(path.read_text(encoding="utf-8"))
    problem = _invalid(report)
    if problem:
        raise ValueError(f"not a cnnspec report: {problem}")
    for _, call in _calls(report):
        name = call.pop("arrays_file", None)
        if name and (path.parent / name).exists():
            with zipfile.ZipFile(path.parent / name) as archive:
                call["arrays"] = {
                    member[:-4]: base64.b64encode(archive.read(member)).decode() for member in archive.namelist()
                }
    return report
