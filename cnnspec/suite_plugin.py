"""What the conformance suite does in a pytest run, called by the plugin (``cnnspec.pytest_plugin``)
once a run asks for the suite (a ``--cnnspec-*`` option, a module of ``cnnspec.conformance``, or a test
marked with spec clauses), never before: this module imports NumPy, Hypothesis and cnnspec's internals.

It parametrizes every test marked with the spec clauses it checks that takes ``backend`` (each backend
of ``--cnnspec-backend``) and ``dtype`` (float32, float64, float16 and bfloat16), and leaves every other
test alone. It checks at collection that each conformance test names known spec clauses, skips what a
backend cannot run with its reason, and marks a backend's known nonconformance as expected failures.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cnnspec
from cnnspec import clauses, operations, recording
from cnnspec.accuracy import declared_precision, reduced_precision, significand_bits
from cnnspec.backends import (
    Backend,
    UnknownBackend,
    describe,
    flushes_subnormals,
    has,
    known_nonconformance,
    load,
    not_applicable,
    origin,
    statistics,
    supports,
    unavailable,
)
from cnnspec.conformance import checks, inflight, profiles, state
from cnnspec.dtypes import DTYPES

BACKENDS = pytest.StashKey[list[Backend]]()
CHOSEN_DTYPES = pytest.StashKey[list[np.dtype]]()
_DTYPE_NAMES = {d.name: d for d in DTYPES}


def _unsupported(backend: Backend, clause: str, dtype: np.dtype) -> str | None:
    """Why the backend declines ``dtype`` for the operation of ``clause`` (``operations.of_clause``), asked of
    its simplest call, so that a dtype a backend declines for it skips the whole test up front (onnxruntime
    has float64 MaxPool but no float64 Conv, say). An adapter without that operation is not asked (its tests
    skip as "has no ..."), so that an adapter written for conv2d alone never sees another operation's case."""
    op = operations.of_clause(clause)
    if op.optional and not has(backend, op.name):
        return None
    return supports(backend, op.simplest, dtype)


def configure(config: pytest.Config) -> None:
    """Set the suite up for this run: its profile, its backends (imported here), its dtypes, its record."""
    directory = config.getoption("cnnspec_inflight")
    if config.getoption("cnnspec_isolate"):
        if not hasattr(os, "fork"):
            raise pytest.UsageError("--cnnspec-isolate forks a process for each test, and this platform cannot fork")
        directory = directory or tempfile.mkdtemp(prefix="cnnspec-inflight-")
        config.pluginmanager.register(_Isolator(Path(directory)), "cnnspec-isolator")
    if directory:  # the workers of pytest-xdist inherit it; cnnspec run/report set it themselves
        Path(directory).mkdir(parents=True, exist_ok=True)
        os.environ[inflight.ENVIRONMENT_VARIABLE] = str(Path(directory).resolve())
    profile = config.getoption("cnnspec_profile") or ("ci" if os.environ.get("CI") else "default")
    profiles.activate(profile)
    if (
        config.getoption("cnnspec_backend")
        and not profiles.PROFILES[profile].get("derandomize")
        and config.getoption("hypothesis_seed", None) is None
    ):
        # A random run picks its seed here, before Hypothesis's plugin reads the option, so that the
        # header can say how to repeat the run exactly.
        config.option.hypothesis_seed = str(random.SystemRandom().getrandbits(32))
    backends = []
    for name in config.getoption("cnnspec_backend"):
        try:
            backends.append(load(name))
        except UnknownBackend as e:
            raise pytest.UsageError(f"--cnnspec-backend {name}: {e}") from e
    config.stash[BACKENDS] = backends
    config.stash[CHOSEN_DTYPES] = [_DTYPE_NAMES[n] for n in dict.fromkeys(config.getoption("cnnspec_dtype"))] or list(
        _DTYPE_NAMES.values()
    )
    results = config.getoption("cnnspec_results")
    if results and not hasattr(config, "workerinput"):
        recorder = recording.Recorder(Path(results), _header(config), lambda: _statistics(config))
        config.pluginmanager.register(recorder, "cnnspec-recorder")


class _Isolator:
    """[--cnnspec-isolate] Runs each conformance test in a forked process of its own, so that a backend that
    kills its process fails that test alone: the report then names the backend call the process died in
    (its in-flight record), with a reproducer, and the run goes on. The child sends its reports back
    through a pipe, serialized by pytest's own hooks (as pytest-xdist does)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        if item.get_closest_marker("clauses") is None:
            return None
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        for report in self._forked(item):
            item.ihook.pytest_runtest_logreport(report=report)
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _forked(self, item: pytest.Item) -> list[pytest.TestReport]:
        from _pytest.runner import runtestprotocol

        hook = item.config.hook
        # What every run of the property shares is built here, once, not in each child that throws it away.
        getattr(getattr(item, "obj", None), "cnnspec_prepare", lambda: None)()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the test, send its reports, and leave without any cleanup of the parent's
            os.close(read)
            status = 0
            try:
                reports = runtestprotocol(item, log=False)
                data = [hook.pytest_report_to_serializable(config=item.config, report=r) for r in reports]
                with os.fdopen(write, "w") as pipe:
                    json.dump(data, pipe)
            except BaseException:  # noqa: BLE001 - the parent reports a child that sent nothing
                status = 3
            os._exit(status)
        os.close(write)
        with os.fdopen(read) as pipe:
            sent = pipe.read()
        _, status = os.waitpid(pid, 0)
        # The child's in-flight file: empty where it returned from every call, else the call it died in.
        left = inflight.file_of(self.directory, pid)
        calls = inflight.orphans_in([left]) if left.exists() else []
        left.unlink(missing_ok=True)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and sent:
            return [hook.pytest_report_from_serializable(config=item.config, data=d) for d in json.loads(sent)]
        why = (
            f"the test's process died of {signal.Signals(os.WTERMSIG(status)).name}"
            if os.WIFSIGNALED(status)
            else f"the test's process exited with status {os.WEXITSTATUS(status)} without a report"
        )
        call = "".join(f", in the backend call {checks.describe(c)}\n{checks.reproducer_of(c)}" for c in calls)
        return [
            pytest.TestReport(
                item.nodeid,
                item.location,
                dict.fromkeys(item.keywords, 1),
                "failed",
                f"{why}{call}",
                "call",
                user_properties=[(recording.PROPERTY, _identity(item))],
            )
        ]


def _header(config: pytest.Config) -> dict[str, object]:
    settings = profiles.PROFILES[profiles.active()]
    return {
        "cnnspec": cnnspec.__version__,
        "backends": [
            {
                "name": b.name,
                "origin": origin(b),
                "description": describe(b),
                "unavailable": unavailable(b),
                "declared": None if unavailable(b) else _declared(b, config.stash[CHOSEN_DTYPES]),
            }
            for b in _backends(config)
        ],
        # Each report run has one backend: its own number of examples, where it asks for fewer.
        "profile": profiles.active(),
        "max_examples": min(profiles.examples_for(b) for b in _backends(config)),
        "seed": None if settings.get("derandomize") else config.getoption("hypothesis_seed"),
        "machine": recording.machine(),
    }


def _statistics(config: pytest.Config) -> dict[str, Any]:
    """[report] What each backend with a ``statistics()`` hook says this process's run cost it (a compiler's
    graphs compiled, say), by backend name; under pytest-xdist the workers' calls are not counted here."""
    said = {b.name: statistics(b) for b in _backends(config)}
    return {name: counts for name, counts in said.items() if counts is not None}


def _declared(backend: Backend, dtypes: list[np.dtype]) -> dict[str, dict[str, Any]]:
    """[A.5, A.7, A.10] What the backend declares for each dtype of the run, for the report's accuracy table."""
    declared = {}
    for dtype in dtypes:
        precision = declared_precision(backend, dtype)
        reduced = reduced_precision(backend, dtype)
        declared[dtype.name] = {
            "accumulator_u": precision.u_acc,
            "flushes_subnormals": flushes_subnormals(backend, dtype),
            # The precision its copies must carry (A.7): a reduced mode's, else the dtype's own, all of it.
            "copy_bits": -math.log2(reduced) if reduced else significand_bits(dtype),
        }
    return declared


def _backends(config: pytest.Config) -> list[Backend]:
    if not config.stash[BACKENDS]:
        config.stash[BACKENDS] = [load("reference")]
    return config.stash[BACKENDS]


def report_header(config: pytest.Config) -> list[str]:
    """The run's profile, backends and the command that repeats it."""
    if not config.getoption("cnnspec_backend"):
        return []
    names = " ".join(
        [f"--cnnspec-backend {n}" for n in config.getoption("cnnspec_backend")]
        + [f"--cnnspec-dtype {d}" for d in dict.fromkeys(config.getoption("cnnspec_dtype"))]
    )
    settings = profiles.PROFILES[profiles.active()]
    kind = "derandomized" if settings.get("derandomize") else "random"
    return [
        f"cnnspec: spec conv2d.md ({len(clauses.testable())} testable clauses); profile {profiles.active()} "
        f"({kind}: each property's covering set, then {settings['max_examples']} random examples)",
        *(f"cnnspec: backend {describe(b)}" for b in config.stash[BACKENDS]),
        f"cnnspec: reproduce with: pytest --pyargs cnnspec.conformance {names} "
        f"--cnnspec-profile {profiles.active()}"
        + ("" if settings.get("derandomize") else f" --hypothesis-seed={config.getoption('hypothesis_seed')}"),
    ]


def generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize a test that names spec clauses with each backend and dtype it takes."""
    if "backend" in metafunc.fixturenames:
        backends = _backends(metafunc.config)
        metafunc.parametrize("backend", backends, ids=[b.name for b in backends], scope="session")
    if "dtype" in metafunc.fixturenames:
        dtypes = metafunc.config.stash[CHOSEN_DTYPES]
        metafunc.parametrize("dtype", dtypes, ids=[d.name for d in dtypes], scope="session")


def _is_conformance(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    return module is not None and module.__name__.startswith("cnnspec.conformance.")


def _test(item: pytest.Item) -> str:
    """The test as ``KnownNonconformance`` and the report name it: ``test_module.py::test_name``."""
    return f"{item.path.name}::{getattr(item, 'originalname', item.name)}"


def _names(item: pytest.Item) -> set[str]:
    """The names a ``KnownNonconformance`` may give ``item`` by: its test, and its test with one of its own
    parameters besides the backend and the dtype in brackets (``test_x.py::test_y[conv_transpose2d]``), for
    a finding that shows in one operation of a test parametrized by operation."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return {_test(item)} | {
        f"{_test(item)}[{value}]" for name, value in params.items() if name not in ("backend", "dtype")
    }


def _parameters(item: pytest.Item) -> tuple[Backend | None, np.dtype | None]:
    """The backend and dtype this plugin parametrized ``item`` with, where it did."""
    params = getattr(item, "callspec", None)
    return (params.params.get("backend"), params.params.get("dtype")) if params else (None, None)


def collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check each test's clauses; skip what a backend cannot run, with its reason; mark known nonconformance."""
    for item in items:
        marker = item.get_closest_marker("clauses")
        if marker is None:
            if _is_conformance(item):
                raise pytest.UsageError(f"{item.nodeid}: a conformance test must name its clauses")
            continue
        bad = clauses.unknown(list(marker.args))
        if bad or not marker.args:
            raise pytest.UsageError(
                f"{item.nodeid}: clauses({', '.join(marker.args)}) names unknown clause IDs "
                f"{bad} that spec/conv2d.md does not define"
            )
        backend, dtype = _parameters(item)
        if backend is None:
            continue
        reason = unavailable(backend) or not_applicable(backend, marker.args[0])
        if reason is None and dtype is not None:
            reason = _unsupported(backend, marker.args[0], dtype)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"{backend.name}: {reason}"))
            continue
        names = _names(item)
        for known in known_nonconformance(backend):
            if known.test in names and known.dtype in ("", getattr(dtype, "name", "")):
                link = f" ({known.link})" if known.link else ""
                item.add_marker(pytest.mark.xfail(reason=f"known nonconformance: {known.reason}{link}", strict=False))


def runtest_setup(item: pytest.Item, marker: pytest.Mark) -> None:
    """Note the test in flight, and what the report needs of it."""
    state.begin(test=item.nodeid, primary_clause=marker.args[0])
    item.user_properties.append((recording.PROPERTY, _identity(item)))


def _identity(item: pytest.Item) -> dict[str, object]:
    """What the report needs of a test whatever its outcome: its name, clauses, backend and dtype."""
    backend, dtype = _parameters(item)
    marker = item.get_closest_marker("clauses")
    return {
        "test": _test(item),
        "clauses": list(marker.args) if marker else [],
        "backend": getattr(backend, "name", None),
        "dtype": getattr(dtype, "name", None),
    }


def runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Add to a test's report the clause it broke, its coverage and its minimal example."""
    error = call.excinfo.value if call.excinfo else None
    clause = getattr(error, "clause", None)
    if clause:
        report.user_properties.append(("clause", clause))
    if call.when == "call" and item.get_closest_marker("clauses") is not None:
        details: dict[str, object] = {"clause": clause} if clause else {}
        if getattr(error, "found_by", None):  # triaged: the property's own clause was not judged
            details["found_by"] = error.found_by  # type: ignore[union-attr]
        last = state.current().last
        if last is not None:
            details["coverage"] = last.as_dict()
        if error is not None and (failure := recording.failure_details(error)) is not None:
            details["failure"] = failure
        # As plain JSON (NumPy's scalars made floats and ints): pytest-forked marshals the report.
        report.user_properties.append((recording.PROPERTY, json.loads(json.dumps(details))))
