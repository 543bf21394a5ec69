"""The OpenVINO backend: each call is one node of OpenVINO's opset (``openvino.opset14``), compiled for the CPU plugin.

Each call builds a one-node ``openvino.Model`` whose inputs are ``Parameter`` nodes of the call's static
shapes (weights too: one compile serves every weight value), compiles it with ``Core().compile_model(model,
"CPU", CONFIG)`` and caches it on the operation, dtype, shapes and parameters. The shapes are static because
the CPU plugin refuses a Convolution whose weight is a dynamic Parameter, and because then OpenVINO's own shape
inference validates every call as the model is built.

- conv2d, conv1d, conv3d: ``Convolution`` (any rank) for ``groups == 1``, else ``GroupConvolution``, whose
  filters are ``(G, C_out/G, C_in/G, *k)``: a ``Reshape`` node in the graph makes them from cnnspec's OIHW
  weight, so a ``groups`` that does not divide ``C_out`` is OpenVINO's to reject. ``"same"`` is
  ``auto_pad="same_upper"`` (P.4), ``"valid"`` is ``auto_pad="valid"``, explicit amounts are
  ``pads_begin``/``pads_end`` as given (negative ones too); any other string goes to ``auto_pad`` as it is,
  for OpenVINO to reject (E.7).
- conv_transpose2d: ``ConvolutionBackpropData`` (filters ``(C_in, C_out, kH, kW)``: cnnspec's IOHW) or
  ``GroupConvolutionBackpropData`` (``(G, C_in/G, C_out/G, kH, kW)``, again a ``Reshape`` node), with the
  padding and ``output_padding`` as given.
- max_pool2d: ``MaxPool-14`` (its first output); avg_pool2d: ``AvgPool-14`` with ``exclude_pad = not
  count_include_pad``. Ceil mode is ``rounding_type="ceil_torch"``: the spec's M.1 drops a last window that
  starts in the end padding, as torch does; OpenVINO's plain ``"ceil"`` keeps it.

The bias: OpenVINO's Convolution has no bias input. The adapter adds it as OpenVINO's ONNX and PyTorch
frontends do, ``Add(conv, Reshape(b, [1, -1, 1, ...]))``, whose broadcast accepts a bias of shape ``(1,)``
and whose Reshape accepts ``(C_out, 1)``: rejecting those is the bias-adding code's job, so E.6 is not
applicable.

Precision: on a CPU with avx512_bf16 or AMX the CPU plugin's default ``INFERENCE_PRECISION_HINT`` is bf16, so
a float32 model is silently computed in bfloat16 (documented as intended). The adapter pins ``"f32"``, and
one thread. float16 is then converted to float32 inside (A.5). bfloat16 keeps oneDNN's bf16 kernels (the
hint does not widen them); the Python binding can neither read NumPy's (ml_dtypes) bfloat16 nor return it
(a bf16 output comes back as a float16 array of bf16 bits), so the adapter passes bfloat16 by its bits both
ways, exactly. float64 is declined (``supports``). What the CPU plugin gets wrong is cnnspec's findings of
``openvino-cpu`` (cnnspec.findings).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from cnnspec import cpu
from cnnspec.backends.protocol import Adapter
from cnnspec.backends.requirements import missing
from cnnspec.dtypes import BFLOAT16
from cnnspec.findings import finding, known
from cnnspec.geometry import ExplicitPadding, Padding, Pair

# f32 pinned: the plugin's default hint is bf16 where the CPU has avx512_bf16 or AMX. One thread, as the suite runs.
CONFIG = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": 1}


@functools.cache
def _core() -> Any:
    import openvino as ov

    return ov.Core()


def _pads(padding: Any, n: int) -> tuple[str, list[int], list[int]]:
    """OpenVINO's padding forms for ``padding``: auto_pad "valid" or "same_upper", or explicit pads_begin/pads_end."""
    if isinstance(padding, str):
        # "same" and "valid" are OpenVINO's own; any other string goes as it is, for OpenVINO to reject (E.7).
        return {"same": "same_upper"}.get(padding, padding), [0] * n, [0] * n
    return "explicit", [int(lo) for lo, _ in padding], [int(hi) for _, hi in padding]


def _model(op: str, dtype: str, shapes: tuple[tuple[int, ...], ...], params: tuple[tuple[str, Any], ...]) -> Any:
    """The one-node openvino.Model of ``op`` on Parameters of these shapes (x, then w and b where given)."""
    import openvino as ov
    import openvino.opset14 as ops

    p = dict(params)
    element = ov.Type.bf16 if dtype == "bfloat16" else ov.Type(np.dtype(dtype))
    inputs = [ops.parameter(list(shape), element) for shape in shapes]
    x = inputs[0]
    if op.endswith("pool2d"):
        pads, rounding = [int(v) for v in p["padding"]], "ceil_torch" if p["ceil_mode"] else "floor"
        stride, kernel = list(p["stride"]), list(p["kernel_size"])
        if op == "max_pool2d":
            y = ops.max_pool(x, stride, list(p["dilation"]), pads, pads, kernel, rounding_type=rounding)
        else:
            y = ops.avg_pool(
                x, stride, pads, pads, kernel, exclude_pad=not p["count_include_pad"], rounding_type=rounding
            )
        return ov.Model([y.output(0)], inputs, op)
    w, groups, stride, dilation = inputs[1], p["groups"], list(p["stride"]), list(p["dilation"])
    if groups != 1:  # (G, -1, ...): OpenVINO's Reshape, not NumPy, finds whether groups divides the weight
        w = ops.reshape(w, ops.constant(np.array([groups, -1, *shapes[1][1:]], np.int64)), special_zero=False)
    if op == "conv_transpose2d":
        transposed = ops.convolution_backprop_data if groups == 1 else ops.group_convolution_backprop_data
        y = transposed(
            x,
            w,
            stride,
            pads_begin=[lo for lo, _ in p["padding"]],
            pads_end=[hi for _, hi in p["padding"]],
            dilations=dilation,
            output_padding=list(p["output_padding"]),
        )
    else:
        auto_pad, begin, end = _pads(p["padding"], len(shapes[0]) - 2)
        conv = ops.convolution if groups == 1 else ops.group_convolution
        y = conv(x, w, stride, begin, end, dilation, auto_pad=auto_pad)
    if len(inputs) == 3:  # the frontends' bias: Add of b reshaped to (1, C_out, 1, ...)
        shape = ops.constant(np.array([1, -1] + [1] * (len(shapes[0]) - 2), np.int64))
        y = ops.add(y, ops.reshape(inputs[2], shape, special_zero=False))
    return ov.Model([y], inputs, op)


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, (list, tuple)) else value


@functools.lru_cache(maxsize=512)
def _compiled(op: str, dtype: str, shapes: tuple[tuple[int, ...], ...], params: tuple[tuple[str, Any], ...]) -> Any:
    return _core().compile_model(_model(op, dtype, shapes, params), "CPU", CONFIG)


def _tensor(a: np.ndarray) -> Any:
    """The ov.Tensor of ``a``; bfloat16 by its bits, which the binding cannot read from NumPy."""
    import openvino as ov

    a = np.ascontiguousarray(a)
    if a.dtype != BFLOAT16:
        return ov.Tensor(a)
    tensor = ov.Tensor(ov.Type.bf16, ov.Shape(list(a.shape)))
    tensor.data.view(np.uint16)[...] = a.view(np.uint16)
    return tensor


def _run(op: str, *arrays: np.ndarray | None, **params: Any) -> np.ndarray:
    """Run ``op`` on the given arrays (x, w, b; None left out) through its cached compiled model."""
    given = [a for a in arrays if a is not None]
    dtype = "bfloat16" if given[0].dtype == BFLOAT16 else given[0].dtype.name
    frozen = tuple(sorted((k, _frozen(v)) for k, v in params.items()))
    request = _compiled(op, dtype, tuple(tuple(a.shape) for a in given), frozen).create_infer_request()
    request.infer([_tensor(a) for a in given])
    out = request.get_output_tensor(0)
    if out.element_type.get_type_name() == "bf16":  # the binding's view is float16; its bits are bfloat16
        return out.data.view(np.uint16).copy().view(BFLOAT16)
    return np.array(out.data, copy=True)


def _would_segfault(x: np.ndarray, w: np.ndarray, stride: Pair, padding: Padding, dilation: Pair) -> bool:
    """Whether the call is of the bfloat16 family that kills the process where the finding shows: a 1x1 kernel,
    and an axis of extent 1 that is padded, with a stride and a dilation above 1 on it."""
    if x.dtype != BFLOAT16 or isinstance(padding, str) or x.ndim != 4 or tuple(w.shape[2:]) != (1, 1):
        return False
    family = any(
        n == 1 and lo + hi > 0 and s > 1 and d > 1 for n, (lo, hi), s, d in zip(x.shape[2:], padding, stride, dilation)
    )
    # Refused wherever oneDNN may select the bf16 kernels, AMX machines too, where the finding was not tried:
    # a refused call is an expected failure, a call that kills the process a lost run.
    return family and cpu.onednn_has(finding("openvino-cpu", "V.1").isa)


class OpenVinoCpu(Adapter):
    """[V.1] One OpenVINO opset node compiled for the CPU plugin, f32 inference precision pinned, NumPy in and out."""

    # Each new shape costs a model compilation (0.02-0.1 s on a 2-core machine; the ci profile took over 7
    # minutes): each property runs the part of its covering set that meets every corner (the ceil-mode window
    # hanging past the padding among them), then a few random examples, as for jax-cpu.
    covering = "values"
    max_examples = 4

    name = "openvino-cpu"
    known_nonconformance = known("openvino-cpu")
    not_applicable = {
        "E.6": "OpenVINO's Convolution has no bias input; the adapter adds the bias as OpenVINO's frontends do "
        "(an Add of the bias reshaped to (1, C_out, 1, 1)), whose broadcast accepts a length-1 bias",
    }

    def unavailable(self) -> str | None:
        """Why this backend cannot run here: openvino is not installed."""
        return missing("openvino", extra="openvino")

    def version(self) -> str:
        """The openvino version, the CPU and the configuration."""
        import openvino as ov

        device = _core().get_property("CPU", "FULL_DEVICE_NAME")
        return f"openvino {ov.__version__}, CPU plugin ({device}), INFERENCE_PRECISION_HINT f32, 1 thread"

    def supports(self, case: Any, dtype: np.dtype) -> str | None:
        """[S.5] float64 is declined: the CPU plugin has no f64 kernels and would compute it in float32 while
        returning float64 (one plus 2^-30 comes back 1.0, infinities are clamped to the float32 maximum)."""
        if np.dtype(dtype) == np.float64:
            return (
                "OpenVINO's CPU plugin accepts float64 and returns float64, but computes it in float32 "
                "(no f64 kernels; the inputs are converted to f32)"
            )
        return None

    def accumulates_in(self, dtype: np.dtype) -> np.dtype:
        """[A.5] float16 is converted to float32 under the f32 hint: the node and the bias Add run in float32,
        rounded once on output. Not bfloat16: its kernels round the convolution to bfloat16 before the bias Add."""
        return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)

    def flushes_subnormals(self, dtype: np.dtype) -> bool:
        """[A.10] bfloat16 where oneDNN selects its avx512_core_bf16 kernels: their vdpbf16ps flushes subnormal
        inputs and results by definition; below that level the copies are exact."""
        return np.dtype(dtype) == BFLOAT16 and cpu.onednn_has("avx512_core_bf16")

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
        """[V.1] Convolution, or GroupConvolution, plus the Add of the bias."""
        if _would_segfault(x, w, stride, padding, dilation):
            raise finding(self.name, "V.1").crash()
        return _run("conv2d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv1d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: tuple[int],
        padding: Any,
        dilation: tuple[int],
        groups: int,
    ) -> np.ndarray:
        """[N.2] The same nodes at rank 3."""
        return _run("conv1d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv3d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: tuple[int, int, int],
        padding: Any,
        dilation: tuple[int, int, int],
        groups: int,
    ) -> np.ndarray:
        """[N.2] The same nodes at rank 5."""
        return _run("conv3d", x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    def conv_transpose2d(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None,
        /,
        *,
        stride: Pair,
        padding: ExplicitPadding,
        output_padding: Pair,
        dilation: Pair,
        groups: int,
    ) -> np.ndarray:
        """[U.1] ConvolutionBackpropData, or GroupConvolutionBackpropData, plus the Add of the bias."""
        return _run(
            "conv_transpose2d",
            x,
            w,
            b,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
            groups=groups,
        )

    def max_pool2d(
        self, x: np.ndarray, /, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool
    ) -> np.ndarray:
        """[M.2] MaxPool-14; ceil mode is rounding_type "ceil_torch"."""
        return _run(
            "max_pool2d",
            x,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
        )

    def avg_pool2d(
        self,
        x: np.ndarray,
        /,
        *,
        kernel_size: Pair,
        stride: Pair,
        padding: Pair,
        ceil_mode: bool,
        count_include_pad: bool,
    ) -> np.ndarray:
        """[M.3] AvgPool-14 with exclude_pad = not count_include_pad; ceil mode is rounding_type "ceil_torch"."""
        return _run(
            "avg_pool2d",
            x,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )

    def snippet(self, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> str:
        """openvino code that computes a NumPy ``y`` from NumPy ``x``, ``w``, ``b`` as conv2d does (bfloat16 by its bits)."""
        auto_pad, begin, end = _pads(padding, 2)
        return "\n".join(
            [
                "import openvino as ov, openvino.opset14 as ops",
                "bf16 = x.dtype.name == 'bfloat16'  # the binding can neither read nor return NumPy's bfloat16: its bits",
                "t = ov.Type.bf16 if bf16 else ov.Type(x.dtype)",
                "xp, wp = ops.parameter(list(x.shape), t), ops.parameter(list(w.shape), t)",
                f"groups = {groups!r}",
                "f = wp if groups == 1 else ops.reshape(wp, ops.constant(np.array([groups, -1, *w.shape[1:]])), False)",
                "conv = ops.convolution if groups == 1 else ops.group_convolution",
                f"y = conv(xp, f, {list(stride)!r}, {begin!r}, {end!r}, {list(dilation)!r}, auto_pad={auto_pad!r})",
                "params, feeds = [xp, wp], [x, w]",
                "if b is not None:",
                "    bp = ops.parameter(list(b.shape), t); params.append(bp); feeds.append(b)",
                "    y = ops.add(y, ops.reshape(bp, ops.constant(np.array([1, -1, 1, 1])), False))",
                "config = {'INFERENCE_PRECISION_HINT': 'f32', 'INFERENCE_NUM_THREADS': 1}  # the default hint may be bf16",
                "request = ov.Core().compile_model(ov.Model([y], params), 'CPU', config).create_infer_request()",
                "for i, a in enumerate(feeds):",
                "    tensor = ov.Tensor(t, ov.Shape(list(a.shape)))",
                "    tensor.data.view(np.uint16 if bf16 else a.dtype)[...] = a.view(np.uint16) if bf16 else a",
                "    request.set_input_tensor(i, tensor)",
                "request.infer()",
                "out = request.get_output_tensor(0).data",
                "y = out.view(np.uint16).view(x.dtype).copy() if bf16 else np.array(out)",
            ]
        )


def openvino_cpu() -> OpenVinoCpu:
    """OpenVINO's CPU plugin, f32 inference precision pinned, one thread."""
    return OpenVinoCpu()
