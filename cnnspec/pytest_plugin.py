"""The pytest plugin: ``--cnnspec-backend`` chooses what the conformance suite tests.

    pytest --pyargs cnnspec.conformance --cnnspec-backend torch-cpu
    pytest --pyargs cnnspec.conformance --cnnspec-backend mypkg.adapters:my_conv --cnnspec-backend reference

Registered under the ``pytest11`` entry point, so it is loaded in every pytest session of an
environment where cnnspec is installed: it costs that session nothing. It adds its options, each
prefixed ``--cnnspec-`` so that a project's own (``--backend``, say) never collides with them, and
imports nothing else. The suite (``cnnspec.suite_plugin``, which imports NumPy, Hypothesis and
cnnspec's internals, and a backend's framework where one is named) is loaded only when a run asks for
it: a ``--cnnspec-*`` option given, a module of ``cnnspec.conformance`` collected, or a test marked
with the spec clauses it checks.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

DTYPE_NAMES = ("float32", "float64", "float16", "bfloat16")
PROFILE_NAMES = ("ci", "covering", "default", "smoke", "thorough")  # cnnspec.conformance.profiles.PROFILES
_SUITE = pytest.StashKey[ModuleType]()
_OPTIONS = (
    "cnnspec_backend",
    "cnnspec_profile",
    "cnnspec_dtype",
    "cnnspec_results",
    "cnnspec_isolate",
    "cnnspec_inflight",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cnnspec", "cnnspec conformance suite")
    group.addoption(
        "--cnnspec-backend",
        action="append",
        default=[],
        metavar="NAME",
        help="backend to test: a built-in or registered name, or module:attribute (repeatable; default: reference)",
    )
    group.addoption(
        "--cnnspec-profile",
        choices=PROFILE_NAMES,
        default=None,
        help="Hypothesis profile of the conformance properties (default: ci where CI is set, else default)",
    )
    group.addoption(
        "--cnnspec-dtype",
        action="append",
        default=[],
        choices=DTYPE_NAMES,
        metavar="DTYPE",
        help=f"dtype to test (repeatable; default: all of {', '.join(DTYPE_NAMES)})",
    )
    group.addoption(
        "--cnnspec-inflight",
        default=None,
        metavar="DIR",
        help="keep each backend call on disk in DIR while it runs, so that after a crash "
        "`python -m cnnspec.conformance.inflight DIR` shows the call the process died in, with a reproducer",
    )
    group.addoption(
        "--cnnspec-isolate",
        action="store_true",
        default=False,
        help="run each conformance test in a forked process of its own, so that a backend that crashes fails that "
        "test, naming the call it died in, and the run goes on",
    )
    group.addoption(
        "--cnnspec-results",
        default=None,
        metavar="PATH",
        help="write the run's events (results, coverage, minimal examples) to PATH as JSON lines, for `cnnspec report`",
    )


def _suite(config: pytest.Config, *, load: bool = False) -> ModuleType | None:
    """The suite, set up for this run where ``load`` or already loaded; else None."""
    suite = config.stash.get(_SUITE, None)
    if suite is None and load:
        # By its name in sys.modules (pytester's in-process runs drop the modules a run imported, and a
        # package's attribute can outlive its module).
        suite = config.stash[_SUITE] = importlib.import_module("cnnspec.suite_plugin")
        suite.configure(config)
    return suite


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clauses(*ids): the spec clauses a test checks, primary first")
    asked = any(config.getoption(name) for name in _OPTIONS)
    if asked or any("cnnspec.conformance" in arg or "cnnspec/conformance" in arg for arg in config.args):
        _suite(config, load=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    suite = _suite(config)
    return suite.report_header(config) if suite else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Only tests that name spec clauses: a user's own fixtures called backend or dtype stay theirs.
    if metafunc.definition.get_closest_marker("clauses") is not None:
        _suite(metafunc.config, load=True).generate_tests(metafunc)  # type: ignore[union-attr]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    suite = _suite(config)
    if suite is not None:
        suite.collection_modifyitems(config, items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("clauses")
    suite = _suite(item.config)
    if marker is not None and suite is not None:
        suite.runtest_setup(item, marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    suite = _suite(item.config)
    if suite is not None:
        suite.runtest_makereport(item, call, report)
    return report
