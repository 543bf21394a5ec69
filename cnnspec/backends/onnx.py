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

The other operations are one node each, with the same two runners: conv1d and conv3d are Conv (ONNX's
Conv takes any rank; ``pads`` lists every axis's start, then every end); conv_transpose2d is
ConvTranspose, whose weight is IOHW as cnnspec's and whose ``pads`` (asymmetric) and
``output_padding`` map one to one; pooling is MaxPool (``dilations``, ``ceil_mode``) and AveragePool
(``count_include_pad``, ``ceil_mode``). ONNX has no autodiff: no gradients.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from cnnspec.backends.protocol import Adapter
from cnnspec.backends.requirements import missing
from cnnspec.dtypes import BFLOAT16
from cnnspec.findings import known
from cnnspec.geometry import POOLINGS, Padding, Pair

OPSET = 22  # Conv's latest version (Conv-22); onnxruntime and the reference evaluator both run it


def _pads(padding: Any) -> list[int]:
    """ONNX's ``pads``: every axis's start, then every axis's end ([top, left, bottom, right] for 2-D)."""
    return [lo for lo, _ in padding] + [hi for _, hi in padding]


def conv_attributes(*, stride: Any, padding: Any, dilation: Any, groups: int) -> dict[str, Any]:
    """Conv's attributes for the call, any rank: ONNX's own auto_pad for "valid" and "same", else explicit pads."""
    attributes: dict[str, Any] = {"strides": list(stride), "dilations": list(dilation), "group": groups}
    if padding == "valid":
        attributes["auto_pad"] = "VALID"
    elif padding == "same":
        attributes["auto_pad"] = "SAME_UPPER"
    elif isinstance(padding, str):  # not a form the spec defines: auto_pad as given, for ONNX to reject (E.7)
        attributes["auto_pad"] = padding
    else:
        attributes["pads"] = _pads(padding)
    return attributes


def conv_transpose_attributes(
    *, stride: Pair, padding: Padding, output_padding: Pair, dilation: Pair, groups: int
) -> dict[str, Any]:
    """ConvTranspose's attributes: explicit (asymmetric) pads and output_padding, as ONNX defines them."""
    return {
        "strides": list(stride),
        "dilations": list(dilation),
        "group": groups,
        "pads": _pads(padding),
        "output_padding": list(output_padding),
    }


def pool_attributes(
    *,
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    ceil_mode: bool,
    dilation: Pair | None = None,
    count_include_pad: bool | None = None,
) -> dict[str, Any]:
    """MaxPool's or AveragePool's attributes: the window, symmetric pads, ceil_mode, and dilations (MaxPool)
    or count_include_pad (AveragePool)."""
    attributes: dict[str, Any] = {
        "kernel_shape": list(kernel_size),
        "strides": list(stride),
        "pads": list(padding) * 2,
        "ceil_mode": int(ceil_mode),
    }
    if dilation is not None:
        attributes["dilations"] = list(dilation)
    if count_include_pad is not None:
        attributes["count_include_pad"] = int(count_include_pad)
    return attributes


_POOLS = {"max_pool2d": "MaxPool", "avg_pool2d": "AveragePool"}
_ONNX_OPS = {**_POOLS, "conv_transpose2d": "ConvTranspose"}  # cnnspec operation -> ONNX node


def conv_model(dtype: np.dtype, attributes: dict[str, Any], *, bias: bool, op: str = "Conv") -> Any:
    """An ONNX model of one ``op`` node (Conv, ConvTranspose; MaxPool and AveragePool without a weight)
    with these attributes, inputs x, w (and b), output y, shapes open."""
    from onnx import helper

    element = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    inputs = ["x"] if op in _POOLS.values() else ["x", "w", "b"] if bias else ["x", "w"]
    node = helper.make_node(op, inputs, ["y"], **attributes)
    graph = helper.make_graph(
        [node],
        op.lower(),
        [helper.make_tensor_value_info(n, element, None) for n in inputs],
        [helper.make_tensor_value_info("y", element, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def _model_of(op: str, x: np.ndarray, b: np.ndarray | None, parameters: dict[str, Any]) -> bytes:
    """The serialized one-node model of cnnspec operation ``op`` (conv2d ... avg_pool2d) for this call: the
    cache key of its session or evaluator, since equal models serialize equally."""
    if op == "conv_transpose2d":
        return conv_model(
            x.dtype, conv_transpose_attributes(**parameters), bias=b is not None, op="ConvTranspose"
        ).SerializeToString()
    if op in _POOLS:
        return conv_model(x.dtype, pool_attributes(**parameters), bias=False, op=_POOLS[op]).SerializeToString()
    return conv_model(x.dtype, conv_attributes(**parameters), bias=b is not None).SerializeToString()


class _OneNode(Adapter):
    """Every operation as one ONNX node run by the subclass's ``_run(model, feeds)`` (a session or the
    reference evaluator): conv2d, conv1d and conv3d as Conv (ONNX's Conv takes any rank),
    conv_transpose2d as ConvTranspose, pooling as MaxPool and AveragePool. ONNX has no autodiff, so no
    gradients."""

    def _run(self, model: bytes, feeds: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

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
        """[V.1] The Conv node, run by this backend's runner."""
        return self._call("conv2d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def _call(
        self, op: str, x: np.ndarray, w: np.ndarray | None = None, b: np.ndarray | None = None, **parameters: Any
    ) -> np.ndarray:
        feeds = {"x": x} if w is None else _feeds(x, w, b)
        return self._run(_model_of(op, x, b, parameters), feeds)

    def conv1d(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, **parameters: Any) -> np.ndarray:
        """[N.2] A 1-D Conv node (stride, padding, dilation, groups as for conv2d, one entry per axis)."""
        return self._call("conv1d", x, w, b, **parameters)

    def conv3d(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, **parameters: Any) -> np.ndarray:
        """[N.2] A 3-D Conv node (stride, padding, dilation, groups as for conv2d, one entry per axis)."""
        return self._call("conv3d", x, w, b, **parameters)

    def conv_transpose2d(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, /, **parameters: Any) -> np.ndarray:
        """[U.1] A ConvTranspose node: explicit pads, output_padding, group and dilations; IOHW weight, as ONNX's."""
        return self._call("conv_transpose2d", x, w, b, **parameters)

    def max_pool2d(self, x: np.ndarray, /, **parameters: Any) -> np.ndarray:
        """[M.2] A MaxPool node: kernel_shape, strides, pads, dilations, ceil_mode."""
        return self._call("max_pool2d", x, **parameters)

    def avg_pool2d(self, x: np.ndarray, /, **parameters: Any) -> np.ndarray:
        """[M.3] An AveragePool node: kernel_shape, strides, pads, ceil_mode, count_include_pad."""
        return self._call("avg_pool2d", x, **parameters)


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
    return "\n".join(
        [
            "from onnx import helper",
            "inputs = ['x', 'w'] if b is None else ['x', 'w', 'b']",
            "element = helper.np_dtype_to_tensor_dtype(x.dtype)",
            f"node = helper.make_node('Conv', inputs, ['y'], **{attributes!r})",
            "graph = helper.make_graph([node], 'conv', [helper.make_tensor_value_info(n, element, None) for n in inputs],",
            "                          [helper.make_tensor_value_info('y', element, None)])",
            f"model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', {OPSET})])",
            "feeds = {'x': x, 'w': w} if b is None else {'x': x, 'w': w, 'b': b}",
            *run,
        ]
    )


class OnnxRuntimeBackend(_OneNode):
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

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """No float64 kernel on the CPU provider but MaxPool's, no bfloat16 kernel at all, and no dilation
        with auto_pad SAME_UPPER: onnxruntime rejects each with an error (ONNX defines them all)."""
        op = _ONNX_OPS.get(getattr(case, "op", "conv2d"), "Conv")
        if np.dtype(dtype) == np.float64 and op != "MaxPool":
            return f"onnxruntime's CPU execution provider has no float64 {op} kernel (NOT_IMPLEMENTED)"
        if np.dtype(dtype) == BFLOAT16:
            return f"onnxruntime's CPU execution provider has no bfloat16 {op} kernel (NOT_IMPLEMENTED)"
        if case.op in POOLINGS:
            return None
        if case.padding == "same" and any(d != 1 for d in case.dilation):
            return "onnxruntime rejects auto_pad SAME_UPPER with a dilation: 'Dilation not supported for AutoPadType'"
        return None

    def _run(self, model: bytes, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return _session(model).run(None, feeds)[0]

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """onnx and onnxruntime code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` as this backend does."""
        return _snippet(
            [
                "import onnxruntime",
                "session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])",
                "y = session.run(None, feeds)[0]",
            ],
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )


class OnnxReferenceBackend(_OneNode):
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

    def _run(self, model: bytes, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return _evaluator(model).run(None, feeds)[0]

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """onnx code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` the way this backend does."""
        return _snippet(
            [
                "from onnx.reference import ReferenceEvaluator",
                "y = ReferenceEvaluator(model).run(None, feeds)[0]",
            ],
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
        )


def onnxruntime_cpu() -> OnnxRuntimeBackend:
    """onnxruntime on the CPU execution provider."""
    return OnnxRuntimeBackend()


def onnx_reference() -> OnnxReferenceBackend:
    """The ONNX reference evaluator."""
    return OnnxReferenceBackend()
