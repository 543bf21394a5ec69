"""What one conformance run records as it goes, for the report: a JSON-lines file of events.

``pytest --pyargs cnnspec.conformance --cnnspec-backend NAME --cnnspec-results run.jsonl`` writes, one line
each and flushed at once, so that a run that dies midway leaves what it finished:

- ``{"event": "header", ...}``: the backend (name, how it was loaded, version and device), the profile
  and seed, the machine, and the spec's testable clauses;
- ``{"event": "collected", "count": ...}``: how many tests will run;
- ``{"event": "start", "nodeid": ...}`` as each test starts;
- ``{"event": "result", ...}`` as each test ends: its outcome, its clauses, the reason of a skip or
  an expected failure, the coverage tally, and for a failure the minimal example (the call, its
  arrays, the reproducer) where the failure is a ``Nonconformance``;
- ``{"event": "end", "exitstatus": ...}``.

Only the process that reports writes (the controller under pytest-xdist): a test's details reach it
through the report's ``user_properties``, which pytest-xdist carries from its workers.
"""

from __future__ import annotations

import base64
import io
import json
import platform
import re
from pathlib import Path
from typing import IO, Any, Callable

import numpy as np
import pytest

from cnnspec.conformance import checks
from cnnspec.dtypes import BFLOAT16

# Arrays above this many bytes in all are left out of a failure's record (the reproducer still has them).
MAX_ARRAY_BYTES = 4 << 20

PROPERTY = "cnnspec"


def encode_array(a: np.ndarray) -> str:
    """An array as base64 of its .npy bytes. A .npy file cannot say bfloat16 (it would read back as raw
    2-byte voids), so bfloat16 is stored as the float32 of the same values, exactly; the call's
    description keeps the dtype."""
    if a.dtype == BFLOAT16:
        a = a.astype(np.float32)
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(a), allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode()


def decode_array(text: str) -> np.ndarray:
    """The array that ``encode_array`` encoded."""
    return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)


def machine() -> dict[str, str]:
    """The machine a run ran on, as far as results can depend on it."""
    return {
        "system": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def describe_call(parameters: dict[str, Any]) -> dict[str, Any]:
    """A call (``Call.parameters()`` or an in-flight record) as plain data: its one-line description,
    parameters, shapes, dtype, arrays. A conv2d call keeps the fields its rows have always had (``x_shape``,
    ``stride``, ...); a call of another operation names it and gives its shapes and parameters by name."""
    arrays = {k: a for k, a in parameters["arrays"] if a is not None}
    plain = {
        "call": checks.describe(parameters),
        "backend": parameters["backend"],
        "origin": parameters["origin"],
    }
    if parameters["op"] != "conv2d" or parameters.get("pick") is not None:
        return plain | {
            "op": parameters["op"],
            "pick": parameters.get("pick"),
            "shapes": {k: None if a is None else list(a.shape) for k, a in parameters["arrays"]},
            "dtype": str(next(iter(arrays.values())).dtype),
            "params": {k: _plain(v) for k, v in parameters["params"]},
            "arrays": _arrays(arrays),
        }
    given, params = dict(parameters["arrays"]), dict(parameters["params"])
    return plain | {
        "x_shape": list(given["x"].shape),
        "w_shape": list(given["w"].shape),
        "b_shape": None if given.get("b") is None else list(given["b"].shape),
        "dtype": str(given["x"].dtype),
        **{k: _plain(params[k]) for k in ("stride", "padding", "dilation", "groups")},
        "arrays": _arrays(arrays),
    }


def _plain(value: Any) -> Any:
    """A parameter as JSON: tuples as lists, all the way down."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _arrays(arrays: dict[str, np.ndarray]) -> dict[str, str]:
    if sum(a.nbytes for a in arrays.values()) > MAX_ARRAY_BYTES:
        return {}
    return {name: encode_array(a) for name, a in arrays.items()}


def failure_details(error: BaseException) -> dict[str, Any] | None:
    """The minimal example of a ``Nonconformance``: the call, the arrays, the first bad element, the reproducer."""
    call = getattr(error, "call", None)
    if call is None:
        return None
    details = describe_call(call.parameters())
    reproducer = next((n for n in getattr(error, "__notes__", ()) if n.startswith("# Reproducer")), "")
    details.update(message=str(error), clause=error.clause, reproducer=reproducer)  # type: ignore[attr-defined]
    if getattr(error, "actual", None) is not None:
        index = error.index  # type: ignore[attr-defined]
        details["index"] = list(index)
        results = {"actual": error.actual, "expected": error.expected, "bad": error.bad}  # type: ignore[attr-defined]
        if details["arrays"]:
            details["arrays"].update(_arrays(results))
    return details


# Object addresses differ from run to run; a report must not.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else report.longreprtext[-4000:]
    return _ADDRESS.sub("", str(text)).strip()


class Recorder:
    """The plugin object that writes the events of one run to a JSON-lines file."""

    def __init__(
        self, path: Path, header: dict[str, Any], statistics: Callable[[], dict[str, Any]] | None = None
    ) -> None:
        self.file: IO[str] = open(path, "w", encoding="utf-8", buffering=1)
        self.header = header
        # What the backends say the run cost them (graphs compiled, say), asked when the session ends.
        self.statistics = statistics
        self.pending: dict[str, dict[str, Any]] = {}
        self.collected = False

    def _write(self, event: dict[str, Any]) -> None:
        self.file.write(json.dumps(event, sort_keys=True) + "\n")

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._write({"event": "header", **self.header})

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not hasattr(session.config, "workerinput") and session.items:
            self._write({"event": "collected", "count": len(session.items)})

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.collected:
            self.collected = True
            self._write({"event": "collected", "count": len(ids)})

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self._write({"event": "start", "nodeid": nodeid})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row = self.pending.setdefault(report.nodeid, {"event": "result", "nodeid": report.nodeid, "outcome": "passed"})
        for name, value in report.user_properties:
            if name == PROPERTY and isinstance(value, dict):
                row.update(value)
        if report.when == "???":
            # pytest-xdist's report of a worker that died while running this test.
            row.update(outcome="crashed", reason=report.longreprtext.strip())
        elif report.skipped and hasattr(report, "wasxfail"):
            row.update(outcome="xfailed", reason=report.wasxfail)
        elif report.skipped:
            row.update(outcome="skipped", reason=_reason(report))
        elif report.failed:
            row.update(outcome="failed" if report.when == "call" else "error", reason=_reason(report))
        elif report.when == "call" and hasattr(report, "wasxfail"):
            row.update(outcome="xpassed", reason=report.wasxfail)
        if report.when in ("teardown", "???"):
            self._write(self.pending.pop(report.nodeid))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        for row in self.pending.values():
            self._write(row)
        if self.statistics is not None:
            self._write({"event": "statistics", "backends": self.statistics()})
        self._write({"event": "end", "exitstatus": int(exitstatus)})
        self.file.close()
