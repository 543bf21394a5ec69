"""Backends: the one way to put a conv2d in front of the suite.

The contract an adapter keeps is written down in ``cnnspec.backends.protocol`` (the ``Backend`` protocol,
and ``Adapter`` with every optional hook and its default); where backends come from is
``cnnspec.backends.registry``; the built-in adapters are ``cnnspec/backends/<framework>.py``. This
package gives both modules' public names in one place.
"""

from cnnspec.backends.protocol import (
    Adapter,
    Backend,
    KnownCrash,
    KnownNonconformance,
    KnownWrongAnswer,
    covering,
    describe,
    flushes_subnormals,
    has,
    known_nonconformance,
    max_examples,
    not_applicable,
    output_padding_limit,
    snippet,
    statistics,
    supports,
    unavailable,
    version,
)
from cnnspec.backends.registry import (
    BUILTIN,
    ENTRY_POINT_GROUP,
    UnknownBackend,
    default_backends,
    installed,
    load,
    origin,
    scheduled,
    table,
    write_table,
    written_table,
)

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Adapter",
    "Backend",
    "KnownCrash",
    "KnownNonconformance",
    "KnownWrongAnswer",
    "UnknownBackend",
    "covering",
    "default_backends",
    "describe",
    "flushes_subnormals",
    "has",
    "installed",
    "known_nonconformance",
    "load",
    "max_examples",
    "not_applicable",
    "origin",
    "output_padding_limit",
    "scheduled",
    "snippet",
    "statistics",
    "supports",
    "table",
    "unavailable",
    "version",
    "write_table",
    "written_table",
]
