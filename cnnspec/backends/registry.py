"""Where backends come from: the built-in ones, those installed packages register, and ``module:attribute``.

Backends are named three ways: a built-in name (``reference``, ``torch-cpu``, ...), a name registered
by an installed package under the entry-point group ``cnnspec.backends``, or ``module:attribute``
where the attribute is an adapter object, an adapter class or a zero-argument factory. Each built-in
adapter lives in ``cnnspec/backends/<framework>.py``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

from cnnspec.backends.protocol import Backend
from cnnspec.docs_table import DocsTable

ENTRY_POINT_GROUP = "cnnspec.backends"


def _builtin(module: str, attribute: str, extra: str, what: str, *, scheduled: str = "") -> Callable[[], Backend]:
    def load() -> Backend:
        return getattr(importlib.import_module(module), attribute)()

    load.extra, load.what, load.scheduled = extra, what, scheduled  # type: ignore[attr-defined]
    return load


def scheduled(name: str) -> str:
    """[report] Why the built-in backend ``name`` is not run by a plain ``cnnspec run`` or ``cnnspec report``
    (its run costs more than a CI job affords) and how it is run instead, or "" where it is run."""
    return getattr(BUILTIN.get(name), "scheduled", "")


def default_backends() -> list[str]:
    """The built-in backends a plain ``cnnspec run`` or ``cnnspec report`` runs: every one not ``scheduled``."""
    return [name for name in BUILTIN if not scheduled(name)]


_TORCH, _TORCH_COMPILE = "cnnspec.backends.torch", "cnnspec.backends.torch_compile"
# Measured on a 2-core machine (issue 17's note): each new shape is a compilation of 0.1-2.5 s, and float32
# alone of the ci profile took the static backend 14 minutes and the dynamic one 24 (both at once).
_COMPILES_EVERY_SHAPE = (
    "each new shape costs torch.compile a compilation, and one dtype of the ci profile takes 14-24 minutes on 2 "
    "cores, so a plain `cnnspec report` does not run it; `tox -e torch-compile` or `cnnspec report --backend "
    "{name}` does (its last run, float32: reports/torch-compile/), and `--merge` adds that run's "
    "conformance.json to a report"
)

# Factories, not instances, so that naming a backend is what imports its framework; each with the extra
# that installs its framework and what it runs, for the docs' table (``python -m cnnspec.backends``).
BUILTIN: dict[str, Callable[[], Backend]] = {
    "reference": _builtin(
        "cnnspec.backends.reference",
        "ReferenceBackend",
        "",
        "`cnnspec.reference.conv2d`, the fast oracle (checked against the scipy oracles)",
    ),
    "scipy": _builtin(
        "cnnspec.backends.scipy", "ScipyBackend", "", "sums of `scipy.signal.correlate2d` over each group's channels"
    ),
    "torch-cpu": _builtin(
        _TORCH,
        "torch_cpu",
        "torch",
        "`torch.nn.functional.conv2d` on the CPU with torch's defaults (oneDNN for float32)",
    ),
    "torch-cpu-nomkldnn": _builtin(
        _TORCH, "torch_cpu_nomkldnn", "torch", "the same with oneDNN switched off: torch's native kernels"
    ),
    "torch-cpu-channels-last": _builtin(
        _TORCH, "torch_cpu_channels_last", "torch", "input and weight in channels_last (NHWC) memory format"
    ),
    "torch-nn-cpu": _builtin(
        _TORCH,
        "torch_nn_cpu",
        "torch",
        "the layers user code instantiates (`torch.nn.Conv2d` and friends, weights loaded with "
        "`load_state_dict`) rather than the functional calls",
    ),
    "torch-meta": _builtin(
        _TORCH,
        "torch_meta",
        "torch",
        'torch\'s meta kernels (`device="meta"`), what torch.compile and FakeTensor trace '
        "through: shapes and rejections only (S, E, U.4), every value clause not applicable",
    ),
    "torch-cuda": _builtin(
        _TORCH, "torch_cuda", "torch", "cuDNN, TF32 off; skips with the reason where there is no GPU"
    ),
    "torch-cuda-tf32": _builtin(
        _TORCH, "torch_cuda_tf32", "torch", "cuDNN, TF32 on (torch's default for conv), held to A.1 with u = 2^-11"
    ),
    "torch-compile-cpu": _builtin(
        _TORCH_COMPILE,
        "torch_compile_cpu",
        "torch",
        "`torch.compile` (inductor, CPU) of every functional call, `dynamic=False`: one function per operation "
        "called with every shape, each new shape a recompilation; never run eagerly past the recompile limits",
        scheduled=_COMPILES_EVERY_SHAPE.format(name="torch-compile-cpu"),
    ),
    "torch-compile-dynamic-cpu": _builtin(
        _TORCH_COMPILE,
        "torch_compile_dynamic_cpu",
        "torch",
        "the same with `dynamic=True`: symbolic shapes from the first call",
        scheduled=_COMPILES_EVERY_SHAPE.format(name="torch-compile-dynamic-cpu"),
    ),
    "jax-cpu": _builtin(
        "cnnspec.backends.jax",
        "jax_cpu",
        "jax",
        "`jax.lax.conv_general_dilated` under `jax.jit` on the CPU, 64-bit "
        "mode on (else JAX computes float64 as float32)",
    ),
    "onnxruntime-cpu": _builtin(
        "cnnspec.backends.onnx",
        "onnxruntime_cpu",
        "onnx",
        "one ONNX `Conv` node in an `onnxruntime.InferenceSession`, CPU execution provider",
    ),
    "onnx-reference": _builtin(
        "cnnspec.backends.onnx",
        "onnx_reference",
        "onnx",
        "the same node in `onnx.reference.ReferenceEvaluator`, ONNX's own NumPy implementation",
    ),
    "mlx-cpu": _builtin(
        "cnnspec.backends.mlx",
        "mlx_cpu",
        "mlx",
        "`mlx.core.conv2d` (`conv_general` for asymmetric padding) on MLX's CPU device",
    ),
    "tinygrad-cpu": _builtin(
        "cnnspec.backends.tinygrad",
        "tinygrad_cpu",
        "tinygrad",
        "`Tensor.conv2d` on tinygrad's CPU device (clang), its kernels kept in cnnspec's compile cache",
    ),
    "tinygrad-nn-cpu": _builtin(
        "cnnspec.backends.tinygrad",
        "tinygrad_nn_cpu",
        "tinygrad",
        "the conv layer (`tinygrad.nn.Conv2d`, weights loaded with `load_state_dict`) on the same device",
    ),
    "openvino-cpu": _builtin(
        "cnnspec.backends.openvino",
        "openvino_cpu",
        "openvino",
        "one-node models of OpenVINO's opset (Convolution, GroupConvolution, ConvolutionBackpropData, MaxPool, "
        "AvgPool) compiled for its CPU plugin, float32 inference pinned (the plugin's default is bf16 on CPUs "
        "with bf16 instructions)",
    ),
    "paddle-cpu": _builtin(
        "cnnspec.backends.paddle",
        "paddle_cpu",
        "paddle",
        '`paddle.nn.functional` on Paddle\'s CPU device, Paddle\'s own "SAME"/"VALID" strings and pairs padding',
    ),
}


def table() -> str:
    """[docs] The built-in backends as a Markdown table: docs/adapters.md holds it, and a test checks that
    it is this one (``python -m cnnspec.backends`` writes it there)."""
    rows = ["| name | install | what it runs |", "| --- | --- | --- |"]
    for name, load in BUILTIN.items():
        extra = f"`pip install 'cnnspec[{load.extra}]'`" if load.extra else "(always)"  # type: ignore[attr-defined]
        later = " (not run by a plain `cnnspec report`: see below)" if scheduled(name) else ""
        rows.append(f"| `{name}` | {extra} | {load.what}{later} |")  # type: ignore[attr-defined]
    return "\n".join(rows) + "\n"


_PAGE = DocsTable(
    "adapters.md",
    "<!-- the built-in backends: written by python -m cnnspec.backends -->",
    "<!-- end of the built-in backends -->",
)


def write_table() -> Path:
    """[docs] Write ``table()`` between its markers in docs/adapters.md; the file written."""
    return _PAGE.write(table())


def written_table(text: str) -> str:
    """The built-in backends table as it stands between its markers in ``text`` (docs/adapters.md)."""
    return _PAGE.written(text)


class UnknownBackend(LookupError):
    """A backend name that is neither built in, registered, nor an importable ``module:attribute``."""


def installed() -> list[str]:
    """The names of the built-in backends and of those registered under ``cnnspec.backends``."""
    return list(BUILTIN) + sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN)


def _as_backend(obj: Any, origin: str) -> Backend:
    if isinstance(obj, type) or (not hasattr(obj, "conv2d") and callable(obj)):
        obj = obj()
    missing = [a for a in ("name", "conv2d") if not hasattr(obj, a)]
    if missing or not callable(obj.conv2d) or not isinstance(obj.name, str):
        raise UnknownBackend(
            f"{origin} gave {obj!r}, which is not a backend: it needs a str 'name' and a callable 'conv2d'"
            + (f" (missing: {', '.join(missing)})" if missing else "")
        )
    return obj


def load(spec: str) -> Backend:
    """The backend named by ``spec``: a built-in or registered name, or ``module:attribute``."""
    backend = _load(spec)
    try:
        # Reproducers name the backend the way it was loaded, which for module:attribute is not its name.
        backend.cnnspec_origin = spec  # type: ignore[attr-defined]
    except AttributeError:
        pass
    return backend


def origin(backend: Backend) -> str:
    """How to load ``backend`` again: the spec it was loaded by, else its name."""
    return getattr(backend, "cnnspec_origin", backend.name)


def _load(spec: str) -> Backend:
    if spec in BUILTIN:
        return BUILTIN[spec]()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == spec:
            return _as_backend(ep.load(), f"entry point {spec!r} ({ep.value})")
    if ":" in spec:
        module, _, attribute = spec.partition(":")
        try:
            obj = importlib.import_module(module)
            for part in attribute.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as e:
            raise UnknownBackend(f"cannot load backend {spec!r}: {type(e).__name__}: {e}") from e
        return _as_backend(obj, spec)
    raise UnknownBackend(
        f"unknown backend {spec!r}; installed: {', '.join(installed())}; or name an adapter as module:attribute"
    )
