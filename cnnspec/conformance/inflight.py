"""The backend call in flight, kept on disk, so that a crash or a hang can say which call it was.

A segfault in a native kernel ends the process before Python can report anything, and a hang ends
when the runner kills it. Where ``CNNSPEC_INFLIGHT_DIR`` is set (by ``cnnspec run`` and ``report``, or
by pytest's ``--cnnspec-inflight DIR``), each process keeps one file there, ``call-<pid>.pickle``, that holds the call being made and is emptied when the call returns. A
file that is not empty after its process ended holds the call that the process died in.

Writing costs one small pickle per call (tens of microseconds); a write() reaches the kernel's page
cache, which outlives the process, so no fsync is needed.

``python -m cnnspec.conformance.inflight DIR`` prints each call that a process died in, with its test
and a reproducer.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import IO, Any

from cnnspec.conformance import state

ENVIRONMENT_VARIABLE = "CNNSPEC_INFLIGHT_DIR"

_file: IO[bytes] | None = None
_pid = 0


def _open() -> IO[bytes] | None:
    global _file, _pid
    directory = os.environ.get(ENVIRONMENT_VARIABLE)
    if not directory:
        return None
    if _file is None or _pid != os.getpid():
        _pid = os.getpid()
        _file = open(file_of(Path(directory), _pid), "wb", buffering=0)
    return _file


def file_of(directory: Path, pid: int) -> Path:
    """The in-flight file that process ``pid`` keeps in ``directory``."""
    return directory / f"call-{pid}.pickle"


def begin(call: dict[str, Any]) -> None:
    """Record ``call`` (arrays and parameters, plain data) as in flight in the running test."""
    f = _open()
    if f is not None:
        f.seek(0)
        f.truncate()
        f.write(pickle.dumps({"test": state.current().test, **call}, protocol=pickle.HIGHEST_PROTOCOL))


def end() -> None:
    """The call in flight returned (or raised)."""
    if _file is not None and _pid == os.getpid():
        _file.truncate(0)


def orphans(directory: Path) -> list[dict[str, Any]]:
    """The calls that processes died in: the non-empty files left in ``directory``, oldest first."""
    return orphans_in(sorted(directory.glob("call-*.pickle"), key=lambda p: p.stat().st_mtime))


def orphans_in(paths: list[Path]) -> list[dict[str, Any]]:
    """The calls held by those of these in-flight files that are not empty."""
    found = []
    for path in paths:
        data = path.read_bytes()
        if data:
            try:
                found.append(pickle.loads(data))
            except Exception:
                continue
    return found


if __name__ == "__main__":
    import sys

    from cnnspec.conformance.checks import describe, reproducer_of

    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit("usage: python -m cnnspec.conformance.inflight DIR (the folder given to --cnnspec-inflight)")
    calls = orphans(Path(sys.argv[1]))
    for call in calls:
        print(f"{call['test']}\n  died in {describe(call)}\n{reproducer_of(call)}\n")
    print(
        f"{len(calls)} call(s) in flight when their process ended"
        if calls
        else "no call was in flight: no process died in one"
    )
