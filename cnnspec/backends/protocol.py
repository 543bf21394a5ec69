"""The adapter contract, written down: what cnnspec calls on a backend, and every optional hook it asks.

A backend is any object with a ``name`` and a ``conv2d`` method (``Backend``): NumPy in, NumPy out, NCHW
input and OIHW weight. Everything else is optional. ``Adapter`` declares each optional member with its
signature, its default and the clause it serves; an adapter may subclass it (the built-in ones do) or
define only the members it needs, since cnnspec reads every hook through the readers at the end of this
module, which fall back to ``Adapter``'s defaults.

``KnownCrash``, ``KnownWrongAnswer`` and ``KnownNonconformance`` are what an adapter says about its own
framework's bugs; they need nothing from cnnspec's findings, so a third-party adapter can raise them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from cnnspec.geometry import Case, Padding, Pair


@runtime_checkable
class Backend(Protocol):
    """What cnnspec calls: a named conv2d, NumPy in and out, NCHW input and OIHW weight."""

    name: str

    def conv2d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: Pair,
        padding: Padding,
        dilation: Pair,
        groups: int,
    ) -> np.ndarray:
        """[V.1] The framework's conv2d of x (N, C_in, H, W) with w (C_out, C_in/groups, kH, kW) and bias b.

        ``padding`` is ((top, bottom), (left, right)), "valid" or "same". The adapter maps the call one
        to one onto the framework's own call and leaves validation to the framework.
        """
        ...


@dataclass(frozen=True)
class KnownNonconformance:
    """An expected failure of one backend: the test (``module.py::test_name``, a parameter in brackets where
    only one case fails), why, where it is reported, and the dtype it fails in ("" for every dtype)."""

    test: str
    reason: str
    link: str = ""
    dtype: str = ""


class KnownCrash(Exception):
    """Raised by an adapter instead of making a call known to kill the process (a segfault, a SIGFPE).

    The suite reads it as a known nonconformance of ``clause``: the test is an expected failure with
    ``reason``, and the rest of the run goes on."""

    def __init__(self, clause: str, reason: str, link: str = "") -> None:
        super().__init__(f"[{clause}] the call would crash the process: {reason}")
        self.clause, self.reason, self.link = clause, reason, link


class KnownWrongAnswer(KnownCrash):
    """Raised by an adapter instead of making a call known to give wrong values on this machine, though not
    every time, so that no fixed list of tests can say where it shows. It is an expected failure of the
    properties whose primary clause is ``clause``; elsewhere the example is not judged (discarded), so that
    one bug fails its own clause rather than every property whose examples meet it."""

    def __init__(self, clause: str, reason: str, link: str = "") -> None:
        Exception.__init__(
            self, f"[{clause}] the call gives wrong values on this machine, though not every time: {reason}"
        )
        self.clause, self.reason, self.link = clause, reason, link


class Adapter:
    """Every optional member of the adapter contract, with its default: subclass it and override what your
    framework needs. Each default is what cnnspec assumes of a backend that does not define the member.

    The operations beyond conv2d are optional methods too, one per row of ``cnnspec.operations.OPERATIONS``
    (their signatures and what they take); a backend without one skips their tests with the reason."""

    name: str

    # [report] At most this many random examples a property whatever the profile, for a framework whose
    # every new shape costs a compilation; the report shows it beside the backend. None: the profile's own.
    max_examples: int | None = None
    # [report] "values": run only the first part of each property's covering set, the cases that meet every
    # corner of the catalogue once (for the same framework); "pairs": all of it.
    covering: Literal["pairs", "values"] = "pairs"
    # [report] Clause ID to the reason it is not the framework's to meet (a framework with no bias argument,
    # whose bias the adapter adds, cannot reject a bias of the wrong shape, E.6): its tests skip with it.
    not_applicable: Mapping[str, str] = {}
    # [report] Expected failures, so that CI stays green while each failure stays visible in the report.
    known_nonconformance: Sequence[KnownNonconformance] = ()
    # [U.4] Which output padding the transposed convolution accepts: below the stride ("stride"), or below
    # the stride or the dilation ("stride or dilation", torch's).
    output_padding_limit: Literal["stride", "stride or dilation"] = "stride"

    def unavailable(self) -> str | None:
        """Why the backend cannot run on this machine (no GPU, say): its tests skip with the reason."""
        return None

    def supports(self, case: Case, dtype: np.dtype) -> str | None:
        """Why the backend does not support this geometry (a case of any operation) or dtype: such examples
        are discarded, and a property none of whose examples is supported skips with the reason."""
        return None

    def unit_roundoff(self, dtype: np.dtype) -> float | None:
        """[A.1, A.3, A.7] The unit roundoff of a declared reduced-precision mode (TF32, say) where it is
        coarser than ``dtype``'s own; it stands for the accumulator's. None: the dtype's own arithmetic."""
        return None

    def accumulates_in(self, dtype: np.dtype) -> np.dtype | type | None:
        """[A.5] The type the forward convolution's sums of ``dtype`` are accumulated in (float32 for float16,
        say), which holds the backend to A.5's tighter bound. None: ``dtype`` itself."""
        return None

    def flushes_subnormals(self, dtype: np.dtype) -> bool:
        """[A.10] Whether the backend flushes subnormals in ``dtype``: the subnormal property then skips, and
        A.1 allows what flushing loses."""
        return False

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str | None:
        """[reproducers] Framework-native code that computes a NumPy ``y`` from NumPy ``x``, ``w`` and ``b`` the
        way ``conv2d`` does, so that a reproducer needs no cnnspec. None: the reproducer calls the adapter."""
        return None

    def version(self) -> str | None:
        """[report] The framework's version and device, for the report's header."""
        return None

    def statistics(self) -> dict[str, int] | None:
        """[report] What the run cost the backend (a compiler's graphs compiled), asked when the session ends;
        the report adds it to the backend's description."""
        return None


_DEFAULTS = Adapter()


def _hook(backend: object, name: str) -> Any:
    """The backend's member ``name``, or Adapter's default where it has none."""
    own = getattr(backend, name, None)
    return getattr(_DEFAULTS, name) if own is None else own


def has(backend: object, op: str) -> bool:
    """Whether the backend offers operation ``op`` (conv2d, or one of the optional operations)."""
    return callable(getattr(backend, op, None))


def unavailable(backend: Backend) -> str | None:
    """Why ``backend`` cannot run here, or None (``Adapter.unavailable``)."""
    return _hook(backend, "unavailable")()


def supports(backend: Backend, case: Case, dtype: np.dtype) -> str | None:
    """Why ``backend`` does not support this case and dtype, or None (``Adapter.supports``)."""
    return _hook(backend, "supports")(case, dtype)


def max_examples(backend: Backend | None) -> int | None:
    """The most random examples a property the backend asks for, or None for the profile's own."""
    return _hook(backend, "max_examples")


def covering(backend: Backend | None) -> str:
    """How much of each property's covering set the backend runs: "pairs" (all) or "values" (its first part)."""
    return _hook(backend, "covering")


def not_applicable(backend: Backend, clause: str) -> str | None:
    """Why ``clause`` is not the framework's to meet, or None."""
    return _hook(backend, "not_applicable").get(clause)


def known_nonconformance(backend: Backend) -> Sequence[KnownNonconformance]:
    """The backend's expected failures."""
    return _hook(backend, "known_nonconformance")


def output_padding_limit(backend: Backend) -> str:
    """[U.4] The output padding the backend declares it accepts: "stride" or "stride or dilation"."""
    limit = _hook(backend, "output_padding_limit")
    limits = ("stride", "stride or dilation")
    if limit not in limits:
        raise ValueError(f"{backend.name}.output_padding_limit={limit!r} must be one of {limits}")
    return limit


def flushes_subnormals(backend: Backend, dtype: np.dtype) -> bool:
    """[A.10] Whether the backend declares that it flushes subnormals in ``dtype``."""
    return bool(_hook(backend, "flushes_subnormals")(dtype))


def unit_roundoff(backend: Backend, dtype: np.dtype) -> float | None:
    """[A.1, A.3, A.7] The unit roundoff the backend declares for ``dtype``, or None for the dtype's own."""
    u = _hook(backend, "unit_roundoff")(dtype)
    return None if u is None else float(u)


def accumulates_in(backend: Backend, dtype: np.dtype) -> np.dtype | None:
    """[A.5] The accumulator the backend declares for ``dtype``'s forward sums, or None for ``dtype`` itself."""
    acc = _hook(backend, "accumulates_in")(dtype)
    return None if acc is None else np.dtype(acc)


def snippet(backend: Backend, **params: Any) -> str | None:
    """[reproducers] The backend's framework-native code for a conv2d call with ``params``, or None."""
    return _hook(backend, "snippet")(**params)


def version(backend: Backend) -> str | None:
    """[report] The framework's version and device, or None."""
    return _hook(backend, "version")()


def statistics(backend: Backend) -> dict[str, int] | None:
    """[report] What the run cost the backend, or None."""
    return _hook(backend, "statistics")()


def describe(backend: Backend) -> str:
    """The backend's name and, where it says, its framework version and device, or why it cannot run."""
    reason = unavailable(backend)
    if reason:
        return f"{backend.name} (unavailable: {reason})"
    details = [v] if (v := version(backend)) else []
    if covering(backend) != "pairs":
        details.append("the covering sets' corners once")
    budget = max_examples(backend)
    if budget is not None:
        details.append(f"at most {budget} random examples a property")
    return f"{backend.name} ({'; '.join(details)})" if details else backend.name
