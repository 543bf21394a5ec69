"""The ONNX backends: one ``Conv`` node, built with ``onnx.helper``, run by two implementations.

- ``onnxruntime-cpu``: an ``onnxruntime.InferenceSession`` on the CPU execution provider (MLAS);
- ``onnx-reference``: ``onnx.reference.ReferenceEvaluator``, the ONNX project's own pure-NumPy
  implementation of the operator, which converters and runtimes use as their oracle.

The call maps one to one onto Conv's attributes: ``strides``, ``dilations``, ``group``, and ONNX's
own padding forms, ``auto_pad="VALID"``, ``auto_pad="SAME_UPPER"`` (the spec's "same", P.4) and
explicit ``pads=[top, left, bottom, right]``, negative amounts passed as given; any other string
goes to ``auto_pad`` as it is. The bias is Conv's
optional third input. The model leaves shapes open, so one model (and, for onnxruntime, one session)
serves every shape with the same attributes; the ONNX checker is not run, since validation is the
implementation's, and that is what is tested.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from cnnspec.backends.requirements import missing
from cnnspec.findings import known
from cnnspec.geometry import Conv2dCase, Pair, Padding
from cnnspec.reference import BFLOAT16

OPSET = 22  # Conv's latest version (Conv-22); onnxruntime and the reference evaluator both run it


def conv_attributes(*, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> dict[str, Any]:
    """Conv's attributes for the call: ONNX's own auto_pad for "valid" and "same", else explicit pads."""
    attributes: dict[str, Any] = {"strides": list(stride), "dilations": list(dilation), "group": groups}
    if padding == "valid":
        attributes["auto_pad"] = "VALID"
    elif padding == "same":
        attributes["auto_pad"] = "SAME_UPPER"
    elif isinstance(padding, str):  # not a form the spec defines: auto_pad as given, for ONNX to reject (E.7)
        attributes["auto_pad"] = padding
    else:
        (top, bottom), (left, right) = padding
        attributes["pads"] = [top, left, bottom, right]
    return attributes


def conv_model(dtype: np.dtype, attributes: dict[str, Any], *, bias: bool) -> Any:
    """An ONNX model of one Conv node with these attributes, inputs x, w (and b), output y, shapes open."""
    from onnx import helper

    element = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    inputs = ["x", "w", "b"] if bias else ["x", "w"]
    node = helper.make_node("Conv", inputs, ["y"], **attributes)
    graph = helper.make_graph([node], "conv", [helper.make_tensor_value_info(n, element, None) for n in inputs],
                              [helper.make_tensor_value_info("y", element, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def _model_bytes(x: np.ndarray, b: np.ndarray | None, **parameters: Any) -> bytes:
    """The serialized model for this call: the cache key of its session, since equal models serialize equally."""
    return conv_model(x.dtype, conv_attributes(**parameters), bias=b is not None).SerializeToString()


@functools.lru_cache(maxsize=256)
def _session(model: bytes) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # the suite runs in parallel processes, not threads
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@functools.lru_cache(maxsize=256)
def _evaluator(model: bytes) -> Any:
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(model)


def _feeds(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> dict[str, np.ndarray]:
    return {"x": x, "w": w} if b is None else {"x": x, "w": w, "b": b}


def _snippet(run: list[str], *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
    attributes = conv_attributes(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return "\n".join([
        "from onnx import helper",
        "inputs = ['x', 'w'] if b is None else ['x', 'w', 'b']",
        "element = helper.np_dtype_to_tensor_dtype(x.dtype)",
        f"node = helper.make_node('Conv', inputs, ['y'], **{attributes!r})",
        "graph = helper.make_graph([node], 'conv', [helper.make_tensor_value_info(n, element, None) for n in inputs],",
        "                          [helper.make_tensor_value_info('y', element, None)])",
        f"model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', {OPSET})])",
        "feeds = {'x': x, 'w': w} if b is None else {'x': x, 'w': w, 'b': b}",
        *run,
    ])


class OnnxRuntimeBackend:
    """[V.1] onnxruntime's CPU Conv kernel (MLAS) on a one-node ONNX model, NumPy in and out."""

    name = "onnxruntime-cpu"
    known_nonconformance = known("onnxruntime-cpu")

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: onnx or onnxruntime is not installed."""
        return missing("onnx", extra="onnx") or missing("onnxruntime", extra="onnx")

    def version(self) -> str:
        """The onnxruntime and onnx versions and the execution provider."""
        import onnx
        import onnxruntime

        return f"onnxruntime {onnxruntime.__version__} (onnx {onnx.__version__}, opset {OPSET}), CPUExecutionProvider"

    def supports(self, case: Conv2dCase, dtype: np.dtype) -> str | None:
        """No float64 Conv kernel on the CPU provider, and no dilation with auto_pad SAME_UPPER: onnxruntime
        rejects both with an error (ONNX defines both)."""
        if np.dtype(dtype) == np.float64:
            return "onnxruntime's CPU execution provider has no float64 Conv kernel (NOT_IMPLEMENTED)"
        if np.dtype(dtype) == BFLOAT16:
            return "onnxruntime's CPU execution provider has no bfloat16 Conv kernel (NOT_IMPLEMENTED)"
        if case.padding == "same" and case.dilation != (1, 1):
            return "onnxruntime rejects auto_pad SAME_UPPER with a dilation: 'Dilation not supported for AutoPadType'"
        return None

    def conv2d(
        self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, *, stride: Pair, padding: Padding,
        dilation: Pair, groups: int,
    ) -> np.ndarray:
        """[V.1] The Conv node run in an InferenceSession on the CPU execution provider."""
        session = _session(_model_bytes(x, b, stride=stride, padding=padding, dilation=dilation, groups=groups))
        return session.run(None, _feeds(x, w, b))[0]

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """onnx and onnxruntime code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` as this backend does."""
        return _snippet([
            "import onnxruntime",
            "session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])",
            "y = session.run(None, feeds)[0]",
        ], stride=stride, padding=padding, dilation=dilation, groups=groups)


class OnnxReferenceBackend:
    """[V.1] onnx.reference.ReferenceEvaluator's Conv, the ONNX project's NumPy implementation."""

    name = "onnx-reference"
    known_nonconformance = known("onnx-reference")

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: onnx is not installed."""
        return missing("onnx", extra="onnx")

    def version(self) -> str:
        """The onnx version."""
        import onnx

        return f"onnx {onnx.__version__} ReferenceEvaluator (opset {OPSET}), cpu"

    def conv2d(
        self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, *, stride: Pair, padding: Padding,
        dilation: Pair, groups: int,
    ) -> np.ndarray:
        """[V.1] The Conv node run by the ONNX reference evaluator."""
        evaluator = _evaluator(_model_bytes(x, b, stride=stride, padding=padding, dilation=dilation, groups=groups))
        return evaluator.run(None, _feeds(x, w, b))[0]

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """onnx code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        return _snippet([
            "from onnx.reference import ReferenceEvaluator",
            "y = ReferenceEvaluator(model).run(None, feeds)[0]",
        ], stride=stride, padding=padding, dilation=dilation, groups=groups)


def onnxruntime_cpu() -> OnnxRuntimeBackend:
    """onnxruntime on the CPU execution provider."""
    return OnnxRuntimeBackend()


def onnx_reference() -> OnnxReferenceBackend:
    """The ONNX reference evaluator."""
    return OnnxReferenceBackend()
