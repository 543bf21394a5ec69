"""Nonconformance the suite has found in real frameworks, as data: each with its clause, a minimal
reproducer that needs only the framework, what running it shows, and the conformance tests it fails.

This is the one record of a finding: an adapter's ``known_nonconformance`` is ``known(name)``, the
README's findings table is written from it, and tests/test_findings.py runs every reproducer in its own
process, so a finding that stops reproducing (the framework fixed it) fails the project's tests until
this record is updated.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cnnspec import cpu
from cnnspec.backends.protocol import KnownCrash, KnownNonconformance, KnownWrongAnswer


@dataclass(frozen=True)
class Finding:
    """One nonconformance found in a framework: where, which clause, how to see it, and what happens."""

    backend: str
    version: str
    clause: str
    summary: str
    reproducer: str
    # "returns": the reproducer runs to its end (an invalid call that returns a result, printed last);
    # "segfault", "sigfpe": the process dies of SIGSEGV or SIGFPE.
    outcome: Literal["segfault", "sigfpe", "returns"]
    link: str = ""
    tests: tuple[str, ...] = ()  # the conformance tests it fails, as ``module.py::name``
    dtypes: tuple[str, ...] = ()  # the dtypes it shows in, where not all
    also_in: tuple[str, ...] = ()  # other backends that run the same kernel and show it too
    prints: str = ""  # for a wrong value: what the reproducer prints while the finding stands
    # Where it shows (cnnspec.cpu): the oneDNN ISA level whose kernels have the bug, where oneDNN picks by
    # instruction set, and the fewest threads it needs; ``seen_on`` says on which machine it was found.
    isa: str = ""
    threads: int = 1
    seen_on: str = ""
    # A level above ``isa`` whose own kernels oneDNN picks instead where it may (AMX for bfloat16), and on which
    # the finding was not seen: there it is neither expected nor checked, so that it travels only where tried.
    not_above: str = ""

    def why_not_here(self) -> str | None:
        """Why this machine cannot show the finding (its kernel is not selected here), or None where it can."""
        if self.isa and not cpu.onednn_has(self.isa):
            capped = f" ({cpu.CAP_VARIABLE} is set)" if os.environ.get(cpu.CAP_VARIABLE) else ""
            return (
                f"it shows only where oneDNN selects its {self.isa} kernels; this machine's level is "
                f"{cpu.onednn_level()}{capped}"
            )
        if self.not_above and cpu.onednn_has(self.not_above):
            return (
                f"it was seen only where oneDNN cannot select its {self.not_above} kernels, which it selects here "
                f"(seen on: {self.seen_on or 'not recorded'})"
            )
        if self.threads > cpu.threads():
            return f"it shows only with {self.threads} threads or more; the kernels run {cpu.threads()} here"
        return None

    def crash(self) -> KnownCrash:
        """The exception an adapter raises instead of making a call this finding says kills the process."""
        if self.outcome not in ("segfault", "sigfpe"):
            raise ValueError(f"KnownCrash needs a finding whose outcome is a crash, not {self.outcome!r}")
        return KnownCrash(self.clause, f"({self.outcome}) {self.summary}", self.link)

    def wrong_answer(self) -> KnownWrongAnswer:
        """The exception an adapter raises instead of making a call this finding says answers wrongly here."""
        if self.outcome != "returns" or not self.shows_here():
            raise ValueError("KnownWrongAnswer needs a finding of wrong values that shows on this machine")
        return KnownWrongAnswer(self.clause, self.summary, self.link)

    def shows_here(self) -> bool:
        """Whether this machine has what the finding needs to show: its ISA level and its threads."""
        return self.why_not_here() is None

    def needs(self) -> str:
        """What the finding needs to show, in words ("" where it shows on any machine)."""
        parts = (
            [
                f"oneDNN's {self.isa} kernels (CPU flags {', '.join(sorted(cpu.own_flags(self.isa)))} and those "
                f"of {cpu.below(self.isa)})"
            ]
            if self.isa
            else []
        ) + ([f"{self.threads} threads or more"] if self.threads > 1 else [])
        return "; ".join(parts)


def _onnx_conv(
    x: str, w: str, attributes: str, shows: str, *, bias: str = "", runtime: bool = False, show: str = "y.shape"
) -> str:
    """A reproducer that runs one Conv node with these attributes in the ONNX reference evaluator, or
    in onnxruntime."""
    inputs = "['x', 'w', 'b']" if bias else "['x', 'w']"
    feeds = f"{{'x': {x}, 'w': {w}" + (f", 'b': {bias}}}" if bias else "}")
    return (
        "import numpy as np\n"
        "from onnx import TensorProto, helper\n"
        + ("import onnxruntime\n" if runtime else "from onnx.reference import ReferenceEvaluator\n")
        + f"inputs = {inputs}\n"
        f"node = helper.make_node('Conv', inputs, ['y'], **{attributes})\n"
        "graph = helper.make_graph([node], 'conv', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None)\n"
        "                                           for n in inputs],\n"
        "                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])\n"
        "model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])\n"
        + (
            "y = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])"
            if runtime
            else "y = ReferenceEvaluator(model)"
        )
        + f".run(None, {feeds})[0]\n"
        f"print({show})  # {shows}\n"
    )


_ONEDNN_BF16 = "torch 2.13.0+cpu (oneDNN v3.12.0), bfloat16"

FINDINGS: tuple[Finding, ...] = (
    Finding(
        backend="torch-cpu-channels-last",
        version=_ONEDNN_BF16,
        clause="G.4",
        summary=(
            "A bfloat16 depthwise conv in channels_last with a channel multiplier of 2 gives **wrong values**: on "
            "all-ones input (2, 2, 3, 3) and kernel (4, 1, 2, 3) with stride (1, 2), 8 of the 16 outputs are 3 "
            "instead of 6 (half the kernel missing). float32, NCHW, or oneDNN switched off give 6 everywhere. Any "
            "depthwise conv with a multiplier above 1 and a stride along the width may go wrong (about 1 in 10 of "
            "those tried, in whichever property meets one), so the adapter refuses every such call where the "
            "finding shows (KnownWrongAnswer: an expected failure with this summary)."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "cl = torch.channels_last\n"
            "x = torch.ones(2, 2, 3, 3, dtype=torch.bfloat16).contiguous(memory_format=cl)\n"
            "w = torch.ones(4, 1, 2, 3, dtype=torch.bfloat16).contiguous(memory_format=cl)\n"
            "print(F.conv2d(x, w, stride=(1, 2), groups=2).unique())  # tensor([3., 6.]): every output should be 6\n"
        ),
        outcome="returns",
        prints="tensor([3., 6.]",
        dtypes=("bfloat16",),
        # The properties whose examples met it where the adapter's refusal did not (a relation's other call, a
        # layer fed channels-last arrays); non-strict, since it shows in about 1 in 10 such calls.
        also_in=("torch-nn-cpu",),
        tests=(
            "test_groups.py::test_depthwise_with_channel_multiplier",
            "test_relations.py::test_translation_equivariance",
            "test_layouts.py::test_memory_layout_does_not_change_the_result",
        ),
        # brg_conv_fwd:avx512_core_bf16 (ONEDNN_VERBOSE); ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI or one thread hides it.
        isa="avx512_core_bf16",
        threads=2,
        seen_on="AMD EPYC (avx512_bf16, no avx512_fp16, no AMX), 2 threads; an Intel CPU with AMX",
    ),
    Finding(
        backend="torch-cpu",
        version="torch 2.13.0+cpu (oneDNN v3.12.0), float16 and bfloat16",
        clause="V.1",
        summary=(
            "F.conv2d **segfaults** on a valid float16 call (NCHW or channels_last; bfloat16 in channels_last): an "
            "input of width 1, depthwise with a channel multiplier of 3, stride (2, 3), padding (3, 2), dilation "
            "(1, 2). float32, float64, or oneDNN switched off do not crash. The thorough profile found five such "
            "calls, all with an input of width 1 and a stride, a padding and a dilation along the width (the family of "
            "the float32 channels_last crash above), in float16, bfloat16 and float32, with groups of up to 882 channels."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x = torch.ones(1, 3, 4, 1, dtype=torch.float16)\n"
            "w = torch.ones(9, 1, 3, 1, dtype=torch.float16)\n"
            "F.conv2d(x, w, stride=(2, 3), padding=(3, 2), dilation=(1, 2), groups=3)\n"
        ),
        outcome="segfault",
        link="likely the same fault as https://github.com/pytorch/pytorch/issues/195394",
        also_in=("torch-cpu-channels-last", "torch-nn-cpu"),
        # torch sends float16 to oneDNN only where oneDNN has float16 kernels (ideep's has_fp16_type_support);
        # elsewhere its native kernels run it, and it does not crash (seen on the AMD EPYC below).
        isa="avx512_core_fp16",
        seen_on="a CPU with avx512_fp16 (an earlier session's); not on AMD EPYC without it",
    ),
    Finding(
        backend="torch-cpu",
        version="torch 2.13.0+cpu (oneDNN v3.12.0), float16",
        clause="N.2",
        summary=(
            "F.conv1d **segfaults** on a valid float16 call: an input of length 1, a kernel of 1, stride 2, "
            "padding 1, dilation 2 (or 3). Stride 1, stride 3, padding 2, dilation 1, float32, or oneDNN "
            "switched off do not crash. It is the width-1 family of the conv2d crashes above (conv1d runs "
            "conv2d with a height of 1). The adapter declines float16 and bfloat16 conv1d and conv3d calls "
            "on oneDNN with an extent of 1 and a stride and a dilation on that axis (KnownCrash), so that "
            "the rest of the suite runs."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x = torch.ones(2, 2, 1, dtype=torch.float16)\n"
            "w = torch.ones(2, 2, 1, dtype=torch.float16)\n"
            "F.conv1d(x, w, stride=2, padding=1, dilation=2)\n"
        ),
        outcome="segfault",
        link="likely the same fault as https://github.com/pytorch/pytorch/issues/195394",
        also_in=("torch-cpu-channels-last", "torch-nn-cpu"),
        isa="avx512_core_fp16",  # as the conv2d crash above: float16 reaches oneDNN only with it
        seen_on="a CPU with avx512_fp16 (an earlier session's); not on AMD EPYC without it",
    ),
    Finding(
        backend="torch-cpu",
        version=_ONEDNN_BF16,
        clause="A.8",
        summary=(
            "With a stride, a NaN in a bfloat16 input **leaks into the output beside it**: a 1x1 kernel of 1 on "
            "the input [0.5, NaN] with stride (2, 1) gives [NaN, NaN] where [0.5, NaN] is right. float32, "
            "float16, stride (1, 1), or oneDNN switched off give [0.5, NaN]."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x = torch.tensor([[[[0.5, float('nan')]]]], dtype=torch.bfloat16)\n"
            "print(F.conv2d(x, torch.ones(1, 1, 1, 1, dtype=torch.bfloat16), stride=(2, 1)))  # [[[[nan, nan]]]]\n"
        ),
        outcome="returns",
        prints="[[[[nan, nan]]]]",
        tests=("test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",),
        dtypes=("bfloat16",),
        also_in=("torch-cpu-channels-last", "torch-nn-cpu"),
        # jit_bf16:avx512_core_bf16, and jit_bf16:avx512_core under ONEDNN_MAX_CPU_ISA=AVX512_CORE; below that
        # torch runs bfloat16 on its native kernels (ideep's has_bf16_type_support), which are right.
        isa="avx512_core",
        seen_on="AMD EPYC (avx512_bf16, no avx512_fp16, no AMX), 2 threads; an Intel CPU with AMX",
    ),
    Finding(
        backend="torch-cpu",
        version=_ONEDNN_BF16,
        clause="A.10",
        summary=(
            "bfloat16 **subnormals are flushed to zero**: a 1x1 conv of 1e-38 by 1 gives 0. torch does not flush "
            "by default (`torch.set_flush_denormal(False)`), float32 keeps the value, and with oneDNN switched "
            "off bfloat16 keeps it too."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x = torch.tensor([[[[1e-38]]]], dtype=torch.bfloat16)\n"
            "print(F.conv2d(x, torch.ones(1, 1, 1, 1, dtype=torch.bfloat16)).item())  # 0.0, should be 1.0010069e-38\n"
        ),
        outcome="returns",
        prints="0.0",
        tests=("test_special_values.py::test_subnormals_are_kept",),
        dtypes=("bfloat16",),
        also_in=("torch-cpu-channels-last", "torch-nn-cpu"),
        # jit_bf16_1x1:avx512_core_bf16; the avx512_core kernels (ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI) keep them.
        isa="avx512_core_bf16",
        seen_on="AMD EPYC (avx512_bf16, no avx512_fp16, no AMX), 2 threads; an Intel CPU with AMX",
    ),
    Finding(
        backend="torch-cpu-channels-last",
        version="torch 2.13.0+cpu (oneDNN v3.12.0)",
        clause="V.1",
        summary=(
            "F.conv2d segfaults on a valid call: float32 channels_last input of width 1, depthwise with a "
            "channel multiplier of 2, with a bias, stride (1, 2), padding (0, 1) and dilation (1, 2). Each "
            "of these is needed; the NCHW input, float64, or oneDNN switched off do not crash. Found by the "
            "thorough profile (the C.2 and P.1 properties), shrunk by hand in forked processes."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x = torch.ones(1, 2, 2, 1).contiguous(memory_format=torch.channels_last)\n"
            "w = torch.ones(4, 1, 1, 1)\n"
            "F.conv2d(x, w, torch.ones(4), stride=(1, 2), padding=(0, 1), dilation=(1, 2), groups=2)\n"
        ),
        outcome="segfault",
        link="https://github.com/pytorch/pytorch/issues/195394 (likely the same oneDNN size-1 spatial stride fault)",
        # Every ISA level: it crashes under ONEDNN_MAX_CPU_ISA=AVX2 too, and on an AVX2-only AMD EPYC.
        seen_on="AMD EPYC (avx512_bf16, no avx512_fp16, no AMX), 2 threads; an AVX2-only AMD EPYC; an Intel CPU with AMX",
    ),
    Finding(
        backend="jax-cpu",
        version="jax 0.10.2 (jaxlib 0.10.2)",
        clause="E.4",
        summary=(
            "A kernel larger than the padded input is not an error: `lax.conv_general_dilated` returns an "
            "array with a spatial extent of 0. This is XLA's rule (an extent is max(0, ...)), which the JAX "
            "maintainers call expected; Keras checks for it on top of JAX."
        ),
        reproducer=(
            "import numpy as np\n"
            "from jax import lax\n"
            "y = lax.conv_general_dilated(np.ones((1, 1, 1, 1), np.float32), np.ones((1, 1, 2, 1), np.float32),\n"
            "                             (1, 1), 'VALID', dimension_numbers=('NCHW', 'OIHW', 'NCHW'))\n"
            "print(y.shape)  # (1, 1, 0, 1)\n"
        ),
        outcome="returns",
        link="https://github.com/jax-ml/jax/issues/8325 (by design); https://github.com/keras-team/keras/issues/19753",
        tests=(
            "test_invalid.py::test_kernel_larger_than_padded_input_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
            "test_invalid_operators.py::test_transposed_with_empty_output_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv1d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv3d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv_transpose2d]",
        ),
    ),
    Finding(
        backend="tinygrad-cpu",
        version="tinygrad 0.14.0",
        clause="E.5",
        summary=(
            "A dilation below 1 is not an error, and the result is silently wrong: with `dilation=(1, 0)` every "
            "tap of a row reads the same pixel, and `dilation=(1, -1)` returns a wider map of wrapped-around "
            "values. A stride of 0 or below does raise."
        ),
        reproducer=(
            "import numpy as np\n"
            "from tinygrad import Tensor\n"
            "x = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))\n"
            "w = Tensor(np.array([[[[1.0, 10.0]]]], dtype=np.float32))\n"
            "print(x.conv2d(w, dilation=(1, 0)).numpy()[0, 0, 0])  # [0, 11, 22, 33]: x[i, j] * 11\n"
        ),
        outcome="returns",
        link="https://github.com/tinygrad/tinygrad/pull/14115 (a fix for dilation=0, closed unmerged)",
        also_in=("tinygrad-nn-cpu",),
        tests=(
            "test_invalid.py::test_stride_or_dilation_below_1_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv1d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv3d]",
        ),
    ),
    Finding(
        backend="tinygrad-cpu",
        version="tinygrad 0.14.0",
        clause="E.6",
        summary=(
            "A bias that is not of shape (C_out,) is broadcast, not rejected: with C_out = 1 a bias of shape "
            "(2,) gives an output of 2 maps, and a bias of shape (1,) with C_out > 1 is added to every map."
        ),
        reproducer=(
            "import numpy as np\n"
            "from tinygrad import Tensor\n"
            "x, w = Tensor(np.ones((1, 1, 1, 1), np.float32)), Tensor(np.ones((1, 1, 1, 1), np.float32))\n"
            "print(x.conv2d(w, Tensor(np.ones(2, np.float32))).shape)  # (1, 2, 1, 1) with C_out = 1\n"
        ),
        outcome="returns",
        tests=(
            "test_invalid.py::test_wrong_bias_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
        ),
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="A.1",
        summary=(
            "float64 convolution is computed in float32 and returned as float64: a 1x1 conv of "
            "0.1257302210933933 by -0.1321048632913019 gives -0.016609571874141693, the float32 product, "
            "where float64 gives -0.016609573669127884 (an error of 1.8e-9, about 10^7 times the float64 "
            "bound). Elementwise float64 arithmetic is exact; only the convolution loses the precision."
        ),
        reproducer=(
            "import mlx.core as mx\n"
            "x = mx.array([[[[0.1257302210933933]]]], dtype=mx.float64)\n"
            "w = mx.array([[[[-0.1321048632913019]]]], dtype=mx.float64)\n"
            "print(mx.conv2d(x, w).item(), (x * w).item())  # -0.016609571874141693 -0.016609573669127884\n"
        ),
        outcome="returns",
        link="related: https://github.com/ml-explore/mlx/issues/2856 (float64 arrays made at float32 precision, fixed)",
        tests=(
            "test_values.py::test_matches_reference_within_bound",
            "test_values.py::test_matches_scipy_3d_correlation",
            "test_values.py::test_impulse_input_copies_the_kernel_unflipped",
            "test_values.py::test_one_hot_weight_copies_the_input",
            "test_values.py::test_long_sums_within_bound",
            # float32's range: float64 subnormals come back as 0, and the finite outputs of A.8 miss the bound
            "test_special_values.py::test_subnormals_are_kept",
            "test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",
            # the same float32 arithmetic in conv1d, conv3d, the conv2d gradients (whose strided form
            # raises "unsupported data type" in float64 besides) and the conv after pooling
            "test_ranks.py::test_conv1d_conv3d_match_reference_within_bound",
            "test_gradients.py::test_gradients_match_reference_within_bound",
            "test_gradients.py::test_gradients_exact_on_small_integers",
            "test_gradients.py::test_adjoint_identities_with_own_conv2d",
            "test_pooling.py::test_pooled_maps_feed_the_next_conv_as_channels",
        ),
        dtypes=("float64",),
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="E.2",
        summary="`groups=0` kills the process with SIGFPE (an integer division by zero) instead of raising; "
        "a negative or non-dividing `groups` raises ValueError. The adapter refuses such calls "
        "(KnownCrash) so that the rest of the suite runs.",
        reproducer=(
            "import mlx.core as mx\n"
            "mx.eval(mx.conv2d(mx.ones((1, 1, 1, 2)), mx.ones((2, 1, 1, 1)), groups=0))  # Floating point exception\n"
        ),
        outcome="sigfpe",
        link="https://github.com/ml-explore/mlx/issues/2858 (the same crash in conv1d, reported fixed in 2025)",
        tests=("test_invalid.py::test_groups_that_do_not_divide_are_rejected",),
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="E.4",
        summary=(
            "With a stride above 1, a kernel larger than the padded input is not rejected: a 2x1 kernel on a "
            "1x1 input with stride (2, 1) returns a 1x1 map computed from the one tap inside the input. With "
            "stride 1 the same call raises ValueError."
        ),
        reproducer=(
            "import mlx.core as mx\n"
            "x = mx.full((1, 1, 1, 1), 3.0)\n"
            "w = mx.array([[[[1.0]], [[100.0]]]])  # (C_out, kH, kW, C_in) = (1, 2, 1, 1)\n"
            "print(mx.conv2d(x, w, stride=(2, 1)))  # [[[[3]]]]; stride=(1, 1) raises\n"
        ),
        outcome="returns",
        tests=(
            "test_invalid.py::test_kernel_larger_than_padded_input_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv1d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv3d]",
        ),
    ),
    Finding(
        backend="onnxruntime-cpu",
        version="onnxruntime 1.32.0",
        clause="E.7",
        summary="An empty `auto_pad` is accepted and read as NOTSET (explicit `pads`, here none); ONNX allows only "
        "NOTSET, SAME_UPPER, SAME_LOWER and VALID. Any other unknown value raises.",
        reproducer=_onnx_conv(
            "np.ones((1, 1, 1, 1), np.float32)",
            "np.ones((1, 1, 1, 1), np.float32)",
            "{'auto_pad': ''}",
            "(1, 1, 1, 1)",
            runtime=True,
        ),
        outcome="returns",
        tests=("test_invalid.py::test_unknown_padding_string_is_rejected",),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.4",
        summary="A kernel larger than the padded input returns an array with a spatial extent of 0 (onnxruntime raises).",
        reproducer=_onnx_conv(
            "np.ones((1, 1, 1, 1), np.float32)", "np.ones((1, 1, 2, 1), np.float32)", "{}", "(1, 1, 0, 1)"
        ),
        outcome="returns",
        tests=(
            "test_invalid.py::test_kernel_larger_than_padded_input_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv1d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv3d]",
        ),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.1",
        summary=(
            "A weight of rank 5 with an input of rank 4 is not always rejected: with `dilations=[1, 2]`, x of "
            "shape (1, 1, 1, 1) and w of shape (1, 1, 1, 1, 1) give a (1, 1, 1, 1) result. Larger shapes raise "
            "IndexError or ValueError from inside NumPy; onnxruntime raises 'X num_dims does not match W num_dims'. "
            "Found by E.1's covering set, which tries every wrong rank in every example."
        ),
        reproducer=_onnx_conv(
            "np.ones((1, 1, 1, 1), np.float32)",
            "np.ones((1, 1, 1, 1, 1), np.float32)",
            "{'dilations': [1, 2]}",
            "a result for a rank-5 weight: should raise",
        ),
        outcome="returns",
        prints="(1, 1, 1, 1)",
        link="related: https://github.com/microsoft/onnxruntime/pull/28734 (an unchecked weight rank in ONNX's own "
        "Conv shape inference)",
        tests=("test_invalid.py::test_wrong_rank_is_rejected",),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.5",
        summary="A negative stride is accepted: `strides=[-1, 1]` returns a result (onnxruntime raises).",
        reproducer=_onnx_conv(
            "np.ones((1, 1, 1, 1), np.float32)",
            "np.ones((1, 1, 1, 1), np.float32)",
            "{'strides': [-1, 1]}",
            "(1, 1, 1, 1)",
        ),
        outcome="returns",
        tests=("test_invalid.py::test_stride_or_dilation_below_1_is_rejected",),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.6",
        summary=(
            "A bias that is not of shape (C_out,) is accepted. One of shape (1,) is broadcast: with C_out = 2 "
            "every output map gets b[0], a silent wrong answer where a per-map bias was meant "
            "(`if B.size == 1: return mul + B` in op_conv.py). One of shape (1, C_out) is reshaped and used."
        ),
        reproducer=_onnx_conv(
            "np.ones((1, 1, 1, 1), np.float32)",
            "np.ones((2, 1, 1, 1), np.float32)",
            "{}",
            "(1, 2, 1, 1): both maps got b[0]",
            bias="np.ones((1,), np.float32)",
        ),
        outcome="returns",
        tests=(
            "test_invalid.py::test_wrong_bias_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
        ),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.7",
        summary=(
            "An unknown `auto_pad` is accepted and read as NOTSET (explicit `pads`, here none): "
            "`auto_pad='full'` returns the unpadded result."
        ),
        reproducer=_onnx_conv(
            "np.ones((1, 1, 1, 1), np.float32)",
            "np.ones((1, 1, 1, 1), np.float32)",
            "{'auto_pad': 'full'}",
            "(1, 1, 1, 1)",
        ),
        outcome="returns",
        tests=("test_invalid.py::test_unknown_padding_string_is_rejected",),
    ),
)


FINDINGS += (
    Finding(
        backend="jax-cpu",
        version="jax 0.10.2 (jaxlib 0.10.2), float64",
        clause="A.8",
        summary=(
            "In a float64 grouped convolution a NaN **leaks into the other groups' outputs**: with groups=2, a "
            "NaN in input channel 0 makes output channel 1 NaN too, though channel 1 reads only input channel 1 "
            "(the grouped conv behaves as a dense one with zero blocks, and NaN * 0 is NaN). float32 and float16 "
            "give [NaN, 2]."
        ),
        reproducer=(
            "import numpy as np\n"
            "import jax\n"
            "jax.config.update('jax_enable_x64', True)\n"
            "from jax import lax\n"
            "x = np.array([[[[np.nan]], [[1.0]]]])  # (1, 2, 1, 1) float64\n"
            "w = np.array([[[[1.0]]], [[[2.0]]]])   # (2, 1, 1, 1)\n"
            "y = lax.conv_general_dilated(x, w, (1, 1), 'VALID', dimension_numbers=('NCHW', 'OIHW', 'NCHW'),\n"
            "                             feature_group_count=2)\n"
            "print(np.asarray(y).ravel())  # [nan nan]: should be [nan 2.]\n"
        ),
        outcome="returns",
        prints="[nan nan]",
        tests=("test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",),
        dtypes=("float64",),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="A.8",
        summary=(
            "With a dilation, an infinity that the kernel steps over still reaches the output, as **NaN**: the "
            "evaluator dilates by zero-inserting the kernel, so the skipped input is multiplied by 0. A 2x1 "
            "kernel of ones with dilation (2, 1) on the column [1, inf, 1] gives NaN; the taps read 1 and 1, "
            "so the answer is 2, which onnxruntime gives."
        ),
        reproducer=_onnx_conv(
            "np.array([[[[1.0], [np.inf], [1.0]]]], np.float32)",
            "np.ones((1, 1, 2, 1), np.float32)",
            "{'dilations': [2, 1]}",
            "[nan], where the taps read 1 and 1",
            show="y.ravel()",
        ),
        outcome="returns",
        prints="[nan]",
        tests=("test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",),
    ),
)


FINDINGS += (
    Finding(
        backend="torch-cpu",
        also_in=("torch-cpu-channels-last", "torch-nn-cpu"),
        version="torch 2.13.0+cpu (oneDNN v3.12.0), bfloat16, a CPU with AMX, 2 threads",
        clause="A.2",
        summary=(
            "On a CPU with AMX (amx_bf16) and more than one thread, a bfloat16 conv2d with **one output column** "
            "and a stride along the width can give **wrong values**: integers x of shape "
            "(1, 1, 6, 5) with a 2x3 kernel, stride (1, 2), dilation (1, 2) give out[0, 0, 1, 0] = 5, where the "
            "exact answer is -3. One thread, oneDNN capped below AMX (ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16), "
            "oneDNN off, or float32 give -3; so does a CPU without AMX, where the suite does not expect it."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "torch.set_num_threads(2)\n"
            "x = torch.tensor([[2., 1., 0., -2., -1.], [-3., -3., -3., -2., 2.], [1., 3., 0., 1., 3.],\n"
            "                  [2., 1., 0., 0., 3.], [-2., 2., 1., -3., -1.], [3., 0., -3., 2., 2.]]).reshape(1, 1, 6, 5)\n"
            "w = torch.tensor([[2., -2., -3.], [3., -3., 0.]]).reshape(1, 1, 2, 3)\n"
            "y = F.conv2d(x.bfloat16(), w.bfloat16(), stride=(1, 2), dilation=(1, 2))\n"
            "print(y.flatten().tolist())  # [7.0, 5.0, -6.0, -14.0, 7.0]: float32 gives [7.0, -3.0, -1.0, -14.0, 15.0]\n"
        ),
        outcome="returns",
        prints="[7.0, 5.0, -6.0, -14.0, 7.0]",
        link="likely the AMX brgemm conv family of https://github.com/uxlfoundation/oneDNN/pull/5494 (fixed after "
        "oneDNN 3.12)",
        # No fixed list of tests: which calls come out wrong varies from run to run (a conv3d one did once in
        # two runs), so the adapters refuse every call of this family on such a machine (KnownWrongAnswer).
        dtypes=("bfloat16",),
        isa="avx512_core_amx",
        threads=2,
        seen_on="an Intel CPU with AMX (amx_bf16), 2 threads",
    ),
)


FINDINGS += (
    Finding(
        backend="jax-cpu",
        version="jax 0.10.2 (jaxlib 0.10.2), float32, float16 and bfloat16",
        clause="P.5",
        summary=(
            "A spatial axis **cropped at its start and padded at its end** (a negative low and a positive high "
            "amount, dilation 1) reads the wrong columns: with padding ((0, 0), (-1, 1)) a 3x3 conv of a (1, 1, 3, 5) "
            "input gives [63, 72, 66] where cropping the first column and padding one zero column gives [63, 72, 51]; "
            "past the end of the input it reads uninitialised memory (values near 1e35 were seen). XLA:CPU's Eigen "
            "convolution takes its unpadded fast path there. float64, a dilation, or more than 16 channels (another "
            "path) are right."
        ),
        reproducer=(
            "import numpy as np\n"
            "from jax import lax\n"
            "dn = ('NCHW', 'OIHW', 'NCHW')\n"
            "x = np.arange(15, dtype=np.float32).reshape(1, 1, 3, 5)\n"
            "w = np.ones((1, 1, 3, 3), np.float32)\n"
            "y = lax.conv_general_dilated(x, w, (1, 1), ((0, 0), (-1, 1)), dimension_numbers=dn)\n"
            "# The same conv spelt out: the first column cropped, one zero column padded on the right.\n"
            "z = lax.conv_general_dilated(np.pad(x[..., 1:], ((0, 0), (0, 0), (0, 0), (0, 1))), w, (1, 1), 'VALID',\n"
            "                             dimension_numbers=dn)\n"
            "print(np.asarray(y).ravel().tolist(), np.asarray(z).ravel().tolist())  # [63.0, 72.0, 66.0] [63.0, 72.0, 51.0]\n"
        ),
        outcome="returns",
        prints="[63.0, 72.0, 66.0] [63.0, 72.0, 51.0]",
        link="https://github.com/openxla/xla/issues/48713 (open; a fix in https://github.com/openxla/xla/pull/48748)",
        tests=("test_padding.py::test_negative_padding_crops_or_is_rejected",),
        dtypes=("float32", "float16", "bfloat16"),
        seen_on="AMD EPYC (avx512_bf16), 2 threads; the machine of the session that filed issue 13",
    ),
)


def _onnx_node(op: str, feeds: str, attributes: str, show: str, shows: str) -> str:
    """A reproducer that runs one ``op`` node on float32 ``feeds`` in the ONNX reference evaluator."""
    return (
        "import numpy as np\n"
        "from onnx import TensorProto, helper\n"
        "from onnx.reference import ReferenceEvaluator\n"
        f"feeds = {feeds}\n"
        f"node = helper.make_node('{op}', list(feeds), ['y'], **{attributes})\n"
        "graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in feeds],\n"
        "                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])\n"
        "model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])\n"
        "y = ReferenceEvaluator(model).run(None, feeds)[0]\n"
        f"print({show})  # {shows}\n"
    )


_MLX_TRANSPOSED_TESTS = (
    "test_transposed.py::test_transposed_matches_reference_within_bound",
    "test_transposed.py::test_transposed_is_the_adjoint_of_own_conv2d",
    "test_transposed.py::test_output_padding_extends_the_bottom_and_right",
    "test_transposed.py::test_output_padding_limit",
)

FINDINGS += (
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="U.1",
        summary=(
            "`mx.conv_transpose2d` **rejects valid calls** whose padding exceeds dilation·(kernel − 1) on an axis: "
            "a 1x1 kernel on a 2x2 input with stride 2 and padding 1 (a 1x1 output, which torch computes) raises "
            "ValueError 'Spatial dimensions of input after padding cannot be smaller than weight spatial "
            "dimensions': it pads the stride-dilated input by dilation·(kernel − 1) − padding, negative there."
        ),
        reproducer=(
            "import mlx.core as mx\n"
            "try:\n"
            "    print(mx.conv_transpose2d(mx.ones((1, 2, 2, 1)), mx.ones((1, 1, 1, 1)), stride=2, padding=1).shape)\n"
            "except ValueError as e:  # torch's F.conv_transpose2d gives a (1, 1, 1, 1) result\n"
            "    print('ValueError:', e)\n"
        ),
        outcome="returns",
        prints="ValueError",
        tests=_MLX_TRANSPOSED_TESTS,
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="U.4",
        summary=(
            "`mx.conv_transpose2d` **accepts any output padding**: with stride 2, `output_padding=2` (not below "
            "the stride, nor below the dilation 1) and `output_padding=-1` both return a result, 8x8 and 5x5 from "
            "a 3x3 input and a 2x2 kernel."
        ),
        reproducer=(
            "import mlx.core as mx\n"
            "x, w = mx.ones((1, 3, 3, 1)), mx.ones((1, 2, 2, 1))\n"
            "print([mx.conv_transpose2d(x, w, stride=2, output_padding=a).shape for a in (2, -1)])"
            "  # [(1, 8, 8, 1), (1, 5, 5, 1)]: both should raise\n"
        ),
        outcome="returns",
        prints="[(1, 8, 8, 1), (1, 5, 5, 1)]",
        tests=(
            "test_transposed.py::test_output_padding_limit",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv_transpose2d]",
        ),
    ),
    Finding(
        backend="tinygrad-cpu",
        version="tinygrad 0.14.0",
        clause="U.4",
        summary=(
            "`Tensor.conv_transpose2d` **accepts any output padding**: with stride 2 and dilation 1, "
            "`output_padding=2` returns an 8x8 map from a 3x3 input and a 2x2 kernel (its last row all zeros), "
            "and `output_padding=-1` a 5x5 one with the last row cut off."
        ),
        reproducer=(
            "from tinygrad import Tensor\n"
            "x, w = Tensor.ones(1, 1, 3, 3), Tensor.ones(1, 1, 2, 2)\n"
            "print([x.conv_transpose2d(w, stride=2, output_padding=a).shape for a in (2, -1)])"
            "  # [(1, 1, 8, 8), (1, 1, 5, 5)]: both should raise\n"
        ),
        outcome="returns",
        prints="[(1, 1, 8, 8), (1, 1, 5, 5)]",
        tests=(
            "test_transposed.py::test_output_padding_limit",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv_transpose2d]",
        ),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="U.1",
        summary=(
            "ConvTranspose with `group` above 1 is wrong unless every group has one input and one output channel "
            "and there is no bias: each group gets the first entries of the bias (a depthwise ConvTranspose of "
            "ones with bias [0, 10] gives [1, 1], not [1, 11]), and with more channels a group's weight is sliced "
            "by the output count, raising ValueError ('cannot reshape array') on valid calls."
        ),
        reproducer=_onnx_node(
            "ConvTranspose",
            "{'x': np.ones((1, 2, 1, 1), np.float32), "
            "'w': np.ones((2, 1, 1, 1), np.float32), 'b': np.array([0, 10], np.float32)}",
            "{'group': 2}",
            "y.ravel()",
            "[1. 1.]: should be [1. 11.]",
        ),
        outcome="returns",
        prints="[1. 1.]",
        link="related: https://github.com/onnx/onnx/issues/7802 (its reshape error, on an invalid model)",
        tests=(
            "test_transposed.py::test_transposed_matches_reference_within_bound",
            "test_transposed.py::test_transposed_is_the_adjoint_of_own_conv2d",
            "test_transposed.py::test_output_padding_extends_the_bottom_and_right",
            "test_transposed.py::test_output_padding_limit",
        ),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="M.1",
        summary=(
            "MaxPool with strides and dilations of 1 reads 2-D `pads` [x1_begin, x2_begin, x1_end, x2_end] as "
            "[top, bottom, left, right] (`pad_top, pad_bottom, pad_left, pad_right = pads` in _op_common_pool.py; "
            "AveragePool and strided MaxPool take another, right, path): padding 1 on the height only, "
            "`pads=[1, 0, 1, 0]`, pads the top and the left, so a 2x2 window on a 2x2 input gives a 2x2 map, "
            "not 3x1, and a window wholly in the padding raises ValueError. Equal padding on both axes is unaffected."
        ),
        reproducer=_onnx_node(
            "MaxPool",
            "{'x': np.ones((1, 1, 2, 2), np.float32)}",
            "{'kernel_shape': [2, 2], 'pads': [1, 0, 1, 0]}",
            "y.shape",
            "(1, 1, 2, 2): should be (1, 1, 3, 1)",
        ),
        outcome="returns",
        prints="(1, 1, 2, 2)",
        tests=("test_pooling.py::test_max_pool_is_the_window_maximum",),
    ),
)


# Invalid calls of the operators around conv2d (E.8-E.13), found by test_invalid_operators.py.
FINDINGS += (
    Finding(
        backend="torch-cpu",
        version="torch 2.13.0+cpu",
        clause="E.10",
        summary="`F.conv_transpose2d` **returns an empty tensor** where the padding leaves no output row: a (12, 8, 2, 2) input, an (8, 4, 1, 1) kernel and padding 1 give shape (12, 4, 0, 0), while the same call with one channel raises 'Output size is too small'.",
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "print(F.conv_transpose2d(torch.ones(12, 8, 2, 2), torch.ones(8, 4, 1, 1), padding=1).shape)  # torch.Size([12, 4, 0, 0]): should raise, as it does with one channel\n"
        ),
        outcome="returns",
        prints="torch.Size([12, 4, 0, 0])",
        link="https://github.com/pytorch/pytorch/issues/195590; https://github.com/pytorch/pytorch/issues/127734",
        also_in=("torch-cpu-channels-last", "torch-nn-cpu", "torch-compile-cpu", "torch-compile-dynamic-cpu"),
        dtypes=("float32", "bfloat16"),
        tests=("test_invalid_operators.py::test_transposed_with_empty_output_is_rejected",),
    ),
    Finding(
        backend="torch-cpu",
        version="torch 2.13.0+cpu",
        clause="E.13",
        summary="With an **empty batch** (N = 0), conv1d, conv2d, conv3d and conv_transpose2d skip part of their validation: a dilation of 0 gives an empty result instead of 'dilation should be greater than zero', and conv_transpose2d accepts output padding 5 with stride 2 (shape (0, 1, 11, 11)), which it rejects for N = 1.",
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x, w = torch.ones(0, 3, 5, 5), torch.ones(3, 3, 3, 3)\n"
            "print(F.conv2d(x, w, dilation=(0, 1)).shape)  # torch.Size([0, 3, 5, 3]): should raise, as it does for a batch of 1\n"
            "print(F.conv_transpose2d(torch.ones(0, 1, 3, 3), torch.ones(1, 1, 2, 2), stride=2, output_padding=5).shape)  # torch.Size([0, 1, 11, 11]): should raise\n"
        ),
        outcome="returns",
        prints="torch.Size([0, 3, 5, 3])",
        link="output padding with an empty batch: fix pending upstream (issue 19's survey)",
        also_in=(
            "torch-cpu-nomkldnn",
            "torch-cpu-channels-last",
            "torch-nn-cpu",
            "torch-compile-cpu",
            "torch-compile-dynamic-cpu",
        ),
        tests=(
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv1d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv3d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv_transpose2d]",
        ),
    ),
    Finding(
        backend="torch-cpu",
        version="torch 2.13.0+cpu (oneDNN v3.12.0)",
        clause="E.9",
        summary="`F.conv_transpose2d` with a batch of 2 or more and a kernel of one tap along an axis **accepts a dilation of 0** on that axis (the oneDNN deconvolution path skips the check; a batch of 1 raises 'dilation should be greater than zero', and a longer kernel fails inside oneDNN).",
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "print(F.conv_transpose2d(torch.ones(2, 1, 3, 3), torch.ones(1, 1, 1, 1), dilation=(0, 1)).shape)  # torch.Size([2, 1, 3, 3]): should raise, as it does for a batch of 1\n"
        ),
        outcome="returns",
        prints="torch.Size([2, 1, 3, 3])",
        also_in=("torch-cpu-channels-last", "torch-nn-cpu", "torch-compile-cpu", "torch-compile-dynamic-cpu"),
        dtypes=("float32", "bfloat16"),
        tests=("test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",),
    ),
    Finding(
        backend="jax-cpu",
        version="jax 0.10.2",
        clause="E.11",
        summary="`lax.reduce_window`, which flax's `max_pool`/`avg_pool` call with the user's padding, **validates no pooling limit**: a negative padding crops, a padding above half the window makes windows of padding alone, and a window larger than the padded input returns an empty array.",
        reproducer=(
            "import jax.numpy as jnp\n"
            "from jax import lax\n"
            "x = jnp.ones((1, 1, 4, 4))\n"
            "pool = lambda window, padding: lax.reduce_window(x, -jnp.inf, lax.max, window, (1, 1, 1, 1), padding).shape\n"
            "print(pool((1, 1, 3, 3), ((0, 0), (0, 0), (-1, -1), (0, 0))), pool((1, 1, 3, 3), ((0, 0), (0, 0), (2, 2), (0, 0))),\n"
            "      pool((1, 1, 5, 3), ((0, 0),) * 4))  # (1, 1, 0, 2) (1, 1, 6, 2) (1, 1, 0, 2): each should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 0, 2) (1, 1, 6, 2) (1, 1, 0, 2)",
        link="https://github.com/jax-ml/jax/issues/8325 (empty results by design)",
        tests=(
            "test_invalid_operators.py::test_invalid_pooling_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[max_pool2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[avg_pool2d]",
        ),
    ),
    Finding(
        backend="onnxruntime-cpu",
        version="onnxruntime 1.32.0",
        clause="E.9",
        summary="ConvTranspose **accepts negative `pads`**: `pads=[-1, 0, -1, 0]` on a 3x3 input with a 2x2 kernel returns a (1, 1, 6, 4) result, the rows past the scatter filled by the negative crop.",
        reproducer=(
            "import numpy as np\n"
            "import onnxruntime\n"
            "from onnx import TensorProto, helper\n"
            "node = helper.make_node('ConvTranspose', ['x', 'w'], ['y'], pads=[-1, 0, -1, 0])\n"
            "graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in 'xw'],\n"
            "                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])\n"
            "model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])\n"
            "session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])\n"
            "print(session.run(None, {'x': np.ones((1, 1, 3, 3), np.float32), 'w': np.ones((1, 1, 2, 2), np.float32)})[0].shape)  # (1, 1, 6, 4): should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 6, 4)",
        tests=(
            "test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv_transpose2d]",
        ),
    ),
    Finding(
        backend="onnxruntime-cpu",
        version="onnxruntime 1.32.0",
        clause="E.11",
        summary="Pooling validates too little: AveragePool **accepts `pads` above half the kernel** (2 with a 3x3 kernel: windows of padding alone), and MaxPool and AveragePool return an **empty output** for a window larger than the padded input.",
        reproducer=(
            "import numpy as np\n"
            "import onnxruntime\n"
            "from onnx import TensorProto, helper\n"
            "def pool(op, **attributes):\n"
            "    node = helper.make_node(op, ['x'], ['y'], **attributes)\n"
            "    graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, None)],\n"
            "                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])\n"
            "    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])\n"
            "    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])\n"
            "    return session.run(None, {'x': np.ones((1, 1, 4, 4), np.float32)})[0].shape\n"
            "print(pool('AveragePool', kernel_shape=[3, 3], pads=[2, 0, 2, 0]), pool('MaxPool', kernel_shape=[5, 3]))  # (1, 1, 6, 2) (1, 1, 0, 2): both should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 6, 2) (1, 1, 0, 2)",
        tests=(
            "test_invalid_operators.py::test_invalid_pooling_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[max_pool2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[avg_pool2d]",
        ),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.11",
        summary="MaxPool and AveragePool **validate no attribute**: a `kernel_shape` of 0 or -1, a negative `dilations`, negative `pads` or `pads` above half the window, and a window past the input all return a result.",
        reproducer=(
            "import numpy as np\n"
            "from onnx import TensorProto, helper\n"
            "from onnx.reference import ReferenceEvaluator\n"
            "def pool(op, **attributes):\n"
            "    node = helper.make_node(op, ['x'], ['y'], **attributes)\n"
            "    graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, None)],\n"
            "                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])\n"
            "    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])\n"
            "    return ReferenceEvaluator(model).run(None, {'x': np.ones((1, 1, 4, 4), np.float32)})[0].shape\n"
            "print(pool('MaxPool', kernel_shape=[0, 2], strides=[2, 2]), pool('MaxPool', kernel_shape=[2, 2], dilations=[-1, 1]))  # (1, 1, 3, 2) (1, 1, 5, 3): both should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 3, 2) (1, 1, 5, 3)",
        tests=(
            "test_invalid_operators.py::test_invalid_pooling_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[max_pool2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[avg_pool2d]",
        ),
    ),
    Finding(
        backend="tinygrad-cpu",
        version="tinygrad 0.14.0",
        clause="E.11",
        summary="`Tensor.max_pool2d` and `avg_pool2d` **validate no parameter**: a kernel extent of 0, a dilation of 0 or below, negative padding or padding above half the window, and inputs of rank 2 or 5 all return a result.",
        reproducer=(
            "from tinygrad import Tensor\n"
            "x = Tensor.ones(1, 1, 4, 4)\n"
            "print(x.max_pool2d((0, 2), stride=2).shape, x.max_pool2d((2, 2), dilation=0).shape,\n"
            "      Tensor.ones(4, 4).max_pool2d((2, 2)).shape)  # (1, 1, 3, 2) (1, 1, 2, 2) (2, 2): each should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 3, 2) (1, 1, 2, 2) (2, 2)",
        tests=(
            "test_invalid_operators.py::test_invalid_pooling_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[max_pool2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[avg_pool2d]",
        ),
    ),
    Finding(
        backend="tinygrad-cpu",
        version="tinygrad 0.14.0",
        clause="E.9",
        summary="`Tensor.conv_transpose2d` **accepts a dilation of 0 or below and a negative padding**: dilation 0 returns a 3x3 map from a 3x3 input and a 2x2 kernel, padding -1 a 6x6 one.",
        reproducer=(
            "from tinygrad import Tensor\n"
            "x, w = Tensor.ones(1, 1, 3, 3), Tensor.ones(1, 1, 2, 2)\n"
            "print(x.conv_transpose2d(w, dilation=0).shape, x.conv_transpose2d(w, padding=-1).shape)  # both should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 3, 3) (1, 1, 6, 6)",
        tests=("test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",),
    ),
    Finding(
        backend="tinygrad-cpu",
        version="tinygrad 0.14.0",
        clause="E.12",
        summary="`Tensor.gradient` **accepts an upstream gradient of another shape** that broadcasts to the output's: one of shape (1, 2, 1, 2, 2) for an output of (2, 1, 2, 2) returns gradients, of another loss.",
        reproducer=(
            "from tinygrad import Tensor\n"
            "x, w = Tensor.ones(2, 1, 3, 3), Tensor.ones(1, 1, 2, 2)\n"
            "y = x.conv2d(w)  # shape (2, 1, 2, 2)\n"
            "gx, gw = y.gradient(x, w, gradient=Tensor.ones(1, 2, 1, 2, 2))\n"
            "print(gx.shape, gw.shape)  # (2, 1, 3, 3) (1, 1, 2, 2): a grad_output of shape (1, 2, 1, 2, 2) should raise\n"
        ),
        outcome="returns",
        prints="(2, 1, 3, 3) (1, 1, 2, 2)",
        tests=(
            "test_invalid_operators.py::test_gradient_of_the_wrong_shape_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d_backward]",
        ),
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="E.11",
        summary="`mlx.nn.AvgPool2d` **accepts padding above half the kernel** (2 with a 3x3 kernel: a 6x6 map from 4x4), and `MaxPool2d` returns an **empty output** for a window larger than the input.",
        reproducer=(
            "import mlx.core as mx\n"
            "import mlx.nn as nn\n"
            "x = mx.ones((1, 4, 4, 1))\n"
            "print(nn.AvgPool2d(3, 1, 2)(x).shape, nn.MaxPool2d((5, 3), 1)(x).shape)  # padding 2 > 3 // 2, and a window past the input: both should raise\n"
        ),
        outcome="returns",
        prints="(1, 6, 6, 1) (1, 0, 2, 1)",
        tests=(
            "test_invalid_operators.py::test_invalid_pooling_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[max_pool2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[avg_pool2d]",
        ),
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="E.13",
        summary="The gradients of a depthwise conv with an **empty batch** (N = 0) **kill the process with SIGFPE** (an integer division by zero) when evaluated, instead of returning empty gradients or raising; with groups=1 `mx.vjp` raises ValueError. The adapter refuses every empty-batch gradient call (KnownCrash).",
        reproducer=(
            "import mlx.core as mx\n"
            "mx.set_default_device(mx.cpu)\n"
            "x, w = mx.ones((0, 1, 1, 3)), mx.ones((3, 3, 1, 1))  # an empty batch, depthwise (groups=3), channels last\n"
            "conv = lambda x, w: mx.conv_general(x, w, stride=(2, 1), padding=([2, 0], [2, 1]), kernel_dilation=(1, 2), groups=3)\n"
            "mx.eval(mx.vjp(conv, [x, w], [mx.ones((0, 2, 2, 3))])[1])  # dies of SIGFPE instead of returning empty gradients or raising\n"
        ),
        outcome="sigfpe",
        tests=("test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d_backward]",),
    ),
    Finding(
        backend="onnx-reference",
        version="onnx 1.23.2 ReferenceEvaluator",
        clause="E.9",
        summary="ConvTranspose **accepts a weight of rank 5** with an input of rank 4 (a (1, 1, 1, 1) result), and **returns an empty output** where the `pads` leave no row (E.10: `pads=[1, 0, 1, 0]` on a 2x1 input and a 1x1 kernel gives shape (1, 1, 0, 1)). onnxruntime rejects both.",
        reproducer=(
            "import numpy as np\n"
            "from onnx import TensorProto, helper\n"
            "from onnx.reference import ReferenceEvaluator\n"
            "def conv_transpose(x, w, **attributes):\n"
            "    node = helper.make_node('ConvTranspose', ['x', 'w'], ['y'], **attributes)\n"
            "    graph = helper.make_graph([node], 'g', [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in 'xw'],\n"
            "                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)])\n"
            "    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 22)])\n"
            "    return ReferenceEvaluator(model).run(None, {'x': np.ones(x, np.float32), 'w': np.ones(w, np.float32)})[0].shape\n"
            "print(conv_transpose((1, 1, 1, 1), (1, 1, 1, 1, 1)), conv_transpose((1, 1, 2, 1), (1, 1, 1, 1), pads=[1, 0, 1, 0]))  # (1, 1, 1, 1) (1, 1, 0, 1): a rank-5 weight and an empty output, both should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 1, 1) (1, 1, 0, 1)",
        tests=(
            "test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",
            "test_invalid_operators.py::test_transposed_with_empty_output_is_rejected",
        ),
    ),
    Finding(
        backend="mlx-cpu",
        version="mlx 0.32.4 (CPU)",
        clause="E.9",
        summary="`mx.conv_transpose2d` **accepts a negative padding**: padding -1 on a 1x1 input with a 1x1 kernel returns a 3x1 map.",
        reproducer=(
            "import mlx.core as mx\n"
            "print(mx.conv_transpose2d(mx.ones((1, 1, 1, 1)), mx.ones((1, 1, 1, 1)), padding=(-1, 0)).shape)  # (1, 3, 1, 1): a negative padding should raise\n"
        ),
        outcome="returns",
        prints="(1, 3, 1, 1)",
        tests=("test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",),
    ),
)


def _meta(clause: str, call: str, what: str, shape: str, tests: tuple[str, ...], *, cpu_too: bool = False) -> Finding:
    """[torch-meta] A call that torch's meta kernels accept, giving ``shape``, where the CPU kernels raise
    (or, ``cpu_too``, give the same wrong result): one record per clause, one reproducer each."""
    cpu = "as the CPU kernels do (torch-cpu's own finding)" if cpu_too else "where the CPU kernels raise"
    return Finding(
        backend="torch-meta",
        version="torch 2.13.0+cpu, meta device",
        clause=clause,
        summary=(
            f"torch's **meta kernels** (`device='meta'`, what torch.compile and FakeTensor trace through) "
            f"**accept** {what}, and give the shape {shape}, {cpu}."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through\n"
            f"print({call}.shape)  # {what}: should raise"
            + (", on the CPU too\n" if cpu_too else ", as it does on the CPU\n")
        ),
        outcome="returns",
        prints=f"torch.Size({shape})",
        link="https://github.com/pytorch/pytorch/issues/178125 (and #178126-178128, on the meta kernels' validation)",
        tests=tests,
    )


_EMPTY_BATCH = "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other"

# torch's meta kernels validate little of what the CPU kernels do (issue 19's survey: pytorch#178125-178128).
FINDINGS += (
    _meta(
        "E.1",
        "F.conv2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 1, 2, 2, **m))",
        "a weight of rank 5 with an input of rank 4",
        "[1, 1, 3, 2]",
        ("test_invalid.py::test_wrong_rank_is_rejected",),
    ),
    _meta(
        "E.2",
        "F.conv2d(torch.ones(1, 2, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), groups=2)",
        "groups=2 with C_out=1",
        "[1, 1, 2, 2]",
        ("test_invalid.py::test_groups_that_do_not_divide_are_rejected",),
    ),
    _meta(
        "E.5",
        "F.conv2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), stride=(-1, 1))",
        "a stride of -1",
        "[1, 1, 0, 2]",
        (
            "test_invalid.py::test_stride_or_dilation_below_1_is_rejected",
            *(f"{_EMPTY_BATCH}[{op}]" for op in ("conv2d", "conv1d", "conv3d", "conv_transpose2d")),
        ),
    ),
    _meta(
        "E.6",
        "F.conv2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), torch.ones(2, **m))",
        "a bias of 2 entries for C_out=1",
        "[1, 1, 2, 2]",
        ("test_invalid.py::test_wrong_bias_is_rejected",),
    ),
    _meta(
        "E.8",
        "F.conv1d(torch.ones(1, 1, 4, **m), torch.ones(1, 1, 2, **m), dilation=0)",
        "conv1d with dilation 0",
        "[1, 1, 4]",
        ("test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",),
    ),
    _meta(
        "E.9",
        "F.conv_transpose2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 1, 2, 2, **m))",
        "a transposed weight of rank 5",
        "[1, 1, 3, 4]",
        ("test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",),
    ),
    _meta(
        "E.10",
        "F.conv_transpose2d(torch.ones(1, 2, 2, 2, **m), torch.ones(2, 1, 1, 1, **m), stride=2, padding=(2, 1), "
        "output_padding=1, groups=2)",
        "padding that leaves no output row",
        "[1, 2, 0, 2]",
        ("test_invalid_operators.py::test_transposed_with_empty_output_is_rejected",),
        cpu_too=True,
    ),
    _meta(
        "U.4",
        "F.conv_transpose2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), stride=2, output_padding=5)",
        "output padding 5 with stride 2",
        "[1, 1, 11, 11]",
        ("test_transposed.py::test_output_padding_limit",),
    ),
)


# The layers users instantiate, beside the functional calls (issue 19).
FINDINGS += (
    Finding(
        backend="tinygrad-nn-cpu",
        version="tinygrad 0.14.0",
        clause="P.4",
        summary="`nn.Conv2d(padding='same')` **pairs each dilation with the other axis's kernel extent** (`zip(dilation, kernel_size[::-1])`), so with different dilations or kernel extents per axis the output is not the input's size: a (3, 5) kernel with dilation (2, 3) maps 28x31 to 30x27. Fixed upstream after 0.14. Every property whose examples meet it fails; the triage files each failure under P.4.",
        reproducer=(
            "from tinygrad import Tensor, nn\n"
            "layer = nn.Conv2d(3, 8, (3, 5), padding='same', dilation=(2, 3))\n"
            'print(layer(Tensor.ones(1, 3, 28, 31)).shape)  # (1, 8, 30, 27): "same" should keep (1, 8, 28, 31)\n'
        ),
        outcome="returns",
        prints="(1, 8, 30, 27)",
        link="https://github.com/tinygrad/tinygrad/pull/17805 (the fix, after 0.14)",
        tests=(
            "test_shapes.py::test_output_shape_and_dtype",
            "test_values.py::test_matches_reference_within_bound",
            "test_values.py::test_long_sums_exact_on_integers",
            "test_layouts.py::test_memory_layout_does_not_change_the_result",
            "test_padding.py::test_same_padding_rule",
        ),
    ),
)


FINDINGS += (
    Finding(
        backend="torch-compile-dynamic-cpu",
        version="torch 2.13.0+cpu (torch.compile, inductor)",
        clause="N.2",
        summary=(
            "`torch.compile(F.conv3d, dynamic=True)` **fails to compile a valid call**: once the function has "
            'compiled one call, a call with `padding="same"` and an even kernel (2, 2, 2), which eager torch and '
            "a first compiled call compute, raises InductorError 'LoweringException: ValueRangeError: Invalid "
            "ranges [0:-1]' in the lowering of aten.convolution. conv1d and conv2d compile the same sequence."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "conv3d = torch.compile(F.conv3d, fullgraph=True, dynamic=True)\n"
            "w = torch.ones(1, 1, 2, 2, 2)\n"
            "conv3d(torch.ones(1, 1, 3, 3, 3), w)  # compiles and runs\n"
            "try:\n"
            "    print(conv3d(torch.ones(2, 1, 2, 4, 9), w, padding='same').shape)  # eager: torch.Size([2, 1, 2, 4, 9])\n"
            "except Exception as e:\n"
            "    print(type(e).__name__, str(e).splitlines()[0])\n"
        ),
        outcome="returns",
        prints="InductorError",
        link="https://github.com/pytorch/pytorch/issues/188422 (the same lowering error, for SDPA)",
        tests=(
            "test_ranks.py::test_conv1d_conv3d_match_reference_within_bound[3]",
            "test_ranks.py::test_conv1d_conv3d_exact_on_small_integers[3]",
            "test_ranks.py::test_spatial_axes_follow_their_own_parameters",
        ),
    ),
)


# PaddlePaddle's CPU convolutions and pooling (paddle.nn.functional), run by the paddle-cpu adapter.
_PADDLE = "paddlepaddle 3.3.1 (CPU)"
_PADDLE_HEAD = "import paddle\nimport paddle.nn.functional as F\n"

FINDINGS += (
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="P.4",
        summary=(
            "`padding='SAME'` with a dilation above 1 **computes the undilated convolution**: the CPU kernels' "
            "UpdatePaddingAndDilation sets the dilation to 1 under SAME, so a 1x3 kernel with dilation 2 on the row "
            "1..7 gives [210, 321, ...] (dilation 1's result) where [310, 420, ...] is right. conv1d, conv2d, conv3d "
            "and the gradients alike; every property whose examples meet it fails, and the triage files each "
            "failure under P.4."
        ),
        reproducer=(
            "import numpy as np\n"
            + _PADDLE_HEAD
            + "x = paddle.to_tensor(np.arange(1, 8, dtype=np.float32).reshape(1, 1, 1, 7))  # one row: 1 .. 7\n"
            "w = paddle.to_tensor(np.array([[[[1.0, 10.0, 100.0]]]], np.float32))\n"
            "print(F.conv2d(x, w, padding='SAME', dilation=(1, 2)).numpy().ravel().tolist())"
            "  # [210.0, 321.0, ...]: dilation 1's result; dilation 2 gives [310.0, 420.0, ...]\n"
        ),
        outcome="returns",
        prints="[210.0, 321.0, 432.0",
        tests=(
            "test_padding.py::test_same_padding_rule",
            "test_values.py::test_matches_reference_within_bound",
            "test_values.py::test_exact_on_small_integers",
            "test_values.py::test_impulse_input_copies_the_kernel_unflipped",
            "test_values.py::test_one_hot_weight_copies_the_input",
            "test_values.py::test_long_sums_within_bound",
            "test_values.py::test_long_sums_exact_on_integers",
            "test_values.py::test_matches_scipy_3d_correlation",
            "test_channels.py::test_greyscale_is_one_channel",
            "test_groups.py::test_connection_table_is_a_full_conv_with_zero_slices",
            "test_groups.py::test_depthwise_with_channel_multiplier",
            "test_layouts.py::test_memory_layout_does_not_change_the_result",
            "test_special_values.py::test_subnormals_are_kept",
            "test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",
            "test_ranks.py::test_conv1d_conv3d_match_reference_within_bound",
            "test_ranks.py::test_conv1d_conv3d_exact_on_small_integers",
            "test_gradients.py::test_gradients_match_reference_within_bound",
            "test_gradients.py::test_gradients_exact_on_small_integers",
        ),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.4",
        summary=(
            "A dilated kernel larger than the padded input is **not rejected**, and with `padding='VALID'` it **kills "
            "the process with SIGSEGV** (x (2, 1, 1, 1), w (2, 1, 3, 2), dilation (1, 3): an output of shape "
            "[2, 2, -1, -2]). With explicit padding conv1d, conv2d and conv3d return an empty array, or with a stride "
            "a one-element result for a window that does not fit. The adapter refuses every VALID call whose kernel "
            "does not fit (KnownCrash), so that the rest of the suite runs."
        ),
        reproducer=(
            _PADDLE_HEAD + "x, w = paddle.ones([2, 1, 1, 1]), paddle.ones([2, 1, 3, 2])\n"
            "print(F.conv2d(x, w, padding='VALID', dilation=(1, 3)).numpy())  # dies of SIGSEGV instead of raising\n"
        ),
        outcome="segfault",
        link="https://github.com/PaddlePaddle/Paddle/issues/64838",
        tests=(
            "test_invalid.py::test_kernel_larger_than_padded_input_is_rejected",
            "test_invalid_operators.py::test_invalid_conv1d_conv3d_are_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv1d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv3d]",
        ),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.6",
        summary=(
            "A bias that is not of shape (C_out,) is **broadcast, not rejected**, by conv1d, conv2d, conv3d and "
            "conv2d_transpose: with C_out = 3 a bias of shape (3, 1) gives an output of rank 5, (1, 3, 3, 2, 2), and "
            "one of shape (1,) is added to every map."
        ),
        reproducer=(
            _PADDLE_HEAD + "x, w = paddle.ones([1, 3, 2, 2]), paddle.ones([3, 3, 1, 1])  # C_out = 3\n"
            "print(F.conv2d(x, w, paddle.ones([3, 1])).shape, F.conv2d(x, w, paddle.ones([1])).shape)"
            "  # [1, 3, 3, 2, 2] [1, 3, 2, 2]: both should raise\n"
        ),
        outcome="returns",
        prints="paddle.Size([1, 3, 3, 2, 2])",
        tests=("test_invalid.py::test_wrong_bias_is_rejected",),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.9",
        summary=(
            "`F.conv2d_transpose` **accepts a dilation of 0 or below** and returns a result: a 2x2 kernel on a 2x2 "
            "input gives 2x3 with `dilation=(0, 1)` and 1x3 with `dilation=(-1, 1)`."
        ),
        reproducer=(
            _PADDLE_HEAD + "x, w = paddle.ones([1, 1, 2, 2]), paddle.ones([1, 1, 2, 2])\n"
            "print(F.conv2d_transpose(x, w, dilation=(0, 1)).shape, F.conv2d_transpose(x, w, dilation=(-1, 1)).shape)"
            "  # [1, 1, 2, 3] [1, 1, 1, 3]: both should raise\n"
        ),
        outcome="returns",
        prints="paddle.Size([1, 1, 2, 3]) paddle.Size([1, 1, 1, 3])",
        link="https://github.com/PaddlePaddle/Paddle/issues/64840 (dilation 0 fails in cuDNN on the GPU)",
        tests=("test_invalid_operators.py::test_invalid_transposed_calls_are_rejected",),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.10",
        summary=(
            "`F.conv2d_transpose` **returns an empty array** where the padding leaves no output row: a 2x1 input, a "
            "1x1 kernel and padding 1 above and below give shape (1, 1, 0, 1)."
        ),
        reproducer=(
            _PADDLE_HEAD + "x, w = paddle.ones([1, 1, 2, 1]), paddle.ones([1, 1, 1, 1])\n"
            "print(F.conv2d_transpose(x, w, padding=[[0, 0], [0, 0], [1, 1], [0, 0]]).shape)"
            "  # [1, 1, 0, 1]: no output row left, should raise\n"
        ),
        outcome="returns",
        prints="paddle.Size([1, 1, 0, 1])",
        tests=("test_invalid_operators.py::test_transposed_with_empty_output_is_rejected",),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.11",
        summary=(
            "`F.max_pool2d` and `F.avg_pool2d` **validate few pooling limits**: max_pool2d accepts a kernel extent of "
            "0 or -1 (an output of -FLT_MAX) and a negative stride, and both accept a negative padding, a padding "
            "above half the window (windows of padding alone: -FLT_MAX, or NaN in avg_pool2d) and a window larger "
            "than the input (an empty result)."
        ),
        reproducer=(
            _PADDLE_HEAD + "x = paddle.ones([1, 1, 3, 4])\n"
            "print(F.max_pool2d(x, (0, 2), 1).shape, F.avg_pool2d(x, 2, 1, (-1, 0)).shape, "
            "F.max_pool2d(x, 2, 1, (2, 0)).shape, F.avg_pool2d(x, (4, 1), 1).shape)"
            "  # a kernel of 0, a negative padding, a padding above half the window, a window too large: each should raise\n"
        ),
        outcome="returns",
        prints="paddle.Size([1, 1, 4, 3]) paddle.Size([1, 1, 0, 3]) paddle.Size([1, 1, 6, 3]) paddle.Size([1, 1, 0, 4])",
        link="https://github.com/PaddlePaddle/Paddle/issues/51893 (the NaN of a padding above half the window, by design)",
        tests=(
            "test_invalid_operators.py::test_invalid_pooling_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[max_pool2d]",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[avg_pool2d]",
        ),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.12",
        summary=(
            "`paddle.grad` of a conv **accepts an upstream gradient of the wrong shape** and returns gradients: with "
            "a row fewer they hold uninitialised memory, with a batch element more or a rank of 3 they are those of "
            "some other loss. A `grad_outputs` of rank 1, which the suite does not try, kills the process with SIGFPE."
        ),
        reproducer=(
            _PADDLE_HEAD + "x, w = paddle.full([1, 1, 1, 1], 3.0), paddle.full([1, 1, 1, 1], 2.0)\n"
            "x.stop_gradient = w.stop_gradient = False\n"
            "for shape in ([1, 1, 0, 1], [2, 1, 1, 1], [1, 1, 1]):  # the output's shape is [1, 1, 1, 1]\n"
            "    print(*(g.shape for g in paddle.grad([F.conv2d(x, w)], [x, w], [paddle.ones(shape)])))"
            "  # each should raise\n"
        ),
        outcome="returns",
        prints="paddle.Size([1, 1, 1, 1]) paddle.Size([1, 1, 1, 1])",
        tests=(
            "test_invalid_operators.py::test_gradient_of_the_wrong_shape_is_rejected",
            "test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv2d_backward]",
        ),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="E.13",
        summary=(
            "With an **empty batch** (N = 0) `F.conv2d_transpose` skips its check of `groups`: groups=-1 returns a "
            "result of shape (0, -1, 1, 1), where a batch of 1 raises (PreconditionNotMet 'The meta data must be valid')."
        ),
        reproducer=(
            _PADDLE_HEAD + "for n in (1, 0):\n"
            "    try:\n"
            "        print(F.conv2d_transpose(paddle.ones([n, 9, 1, 1]), paddle.ones([9, 1, 1, 1]), groups=-1).shape)"
            "  # N = 0: [0, -1, 1, 1], should raise\n"
            "    except Exception as e:\n"
            "        print('N = 1 raises', type(e).__name__)\n"
        ),
        outcome="returns",
        prints="paddle.Size([0, -1, 1, 1])",
        tests=("test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[conv_transpose2d]",),
    ),
    Finding(
        backend="paddle-cpu",
        version=_PADDLE,
        clause="M.1",
        summary=(
            "In ceil mode `F.max_pool2d` and `F.avg_pool2d` **keep a last window that starts past the padded input**, "
            "which M.1 drops (as torch does): a 1x1 window every 2 columns of a 1x2 input gives 2 outputs, the second "
            "-FLT_MAX (max) or NaN (avg, exclusive or not), where 1 is right. float16, float32 and float64."
        ),
        reproducer=(
            _PADDLE_HEAD
            + "x = paddle.to_tensor([[[[1.0, 2.0]]]])  # (1, 1, 1, 2): a 1x1 window every 2 columns fits once\n"
            "print(F.max_pool2d(x, 1, (1, 2), 0, ceil_mode=True).numpy().tolist(), "
            "F.avg_pool2d(x, 1, (1, 2), 0, ceil_mode=True).numpy().tolist())"
            "  # [[[[1.0, -3.4e+38]]]] [[[[1.0, nan]]]]: [[[[1.0]]]] is right\n"
        ),
        outcome="returns",
        prints="[[[[1.0, nan]]]]",
        tests=(
            "test_pooling.py::test_max_pool_is_the_window_maximum",
            "test_pooling.py::test_avg_pool_is_the_window_mean",
        ),
    ),
)


def _openvino(body: str) -> str:
    """A reproducer that builds one OpenVINO opset node, compiles it for the CPU plugin (float32 pinned, one
    thread) and runs it on NumPy arrays; bfloat16 goes in and out by its bits, which the binding cannot read."""
    return (
        "import numpy as np\n"
        "import openvino as ov\n"
        "import openvino.opset14 as ops\n"
        "f32, bf16 = ov.Type.f32, ov.Type.bf16\n"
        "def run(y, params, *arrays):\n"
        "    config = {'INFERENCE_PRECISION_HINT': 'f32', 'INFERENCE_NUM_THREADS': 1}  # the default hint may be bf16\n"
        "    request = ov.Core().compile_model(ov.Model([y], params), 'CPU', config).create_infer_request()\n"
        "    for i, a in enumerate(arrays):\n"
        "        t = ov.Tensor(params[i].get_element_type(), ov.Shape(list(a.shape)))\n"
        "        if t.get_element_type() == bf16:  # the top half of float32 bits: exact, a holds bfloat16 values\n"
        "            t.data.view(np.uint16)[...] = np.asarray(a, np.float32).view(np.uint32) >> 16\n"
        "        else:\n"
        "            t.data[...] = a\n"
        "        request.set_input_tensor(i, t)\n"
        "    request.infer()\n"
        "    out = request.get_output_tensor(0)\n"
        "    if out.get_element_type() == bf16:\n"
        "        return (out.data.view(np.uint16).astype(np.uint32) << 16).view(np.float32)\n"
        "    return out.data.copy()\n"
    ) + body


_OPENVINO = "openvino 2026.4.1 (CPU plugin)"
_OPENVINO_BF16 = "AMD EPYC (avx512_bf16, no AMX), 2 cores, INFERENCE_NUM_THREADS 1"
_OPENVINO_BF16_LINK = "probably the root of https://github.com/openvinotoolkit/openvino/issues/38256 (not confirmed)"

FINDINGS += (
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="M.3",
        summary=(
            "`AvgPool-14` with `rounding_type='ceil_torch'` and `exclude_pad=False` **divides the last window, which "
            "hangs past the end padding, by the whole kernel size**: W=8, kernel 3, stride 2, padding 1 give 1/3 for "
            "the last window of an all-ones row, where the spec (and torch, whose rule `ceil_torch` is named for) "
            "gives 1/2. Plain `ceil` does the same. Every dtype."
        ),
        reproducer=_openvino(
            "x = ops.parameter([1, 1, 1, 8], f32)\n"
            "y = ops.avg_pool(x, [1, 2], [0, 1], [0, 1], [1, 3], exclude_pad=False, rounding_type='ceil_torch').output(0)\n"
            "print([round(float(v), 4) for v in run(y, [x], np.ones((1, 1, 1, 8))).ravel()])"
            "  # [0.6667, 1.0, 1.0, 1.0, 0.3333]: the last window should be 0.5\n"
        ),
        outcome="returns",
        prints="1.0, 0.3333]",
        tests=("test_pooling.py::test_avg_pool_is_the_window_mean",),
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="E.10",
        summary=(
            "`ConvolutionBackpropData` whose padding **removes every output row returns an empty array** instead of "
            "raising: x (1, 1, 2, 1), a 1x1 kernel, pads_begin (1, 0) and pads_end (1, 0) give shape (1, 1, 0, 1)."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([1, 1, 2, 1], f32), ops.parameter([1, 1, 1, 1], f32)\n"
            "y = ops.convolution_backprop_data(x, w, [1, 1], pads_begin=[1, 0], pads_end=[1, 0])\n"
            "print(run(y, [x, w], np.ones((1, 1, 2, 1)), np.ones((1, 1, 1, 1))).shape)"
            "  # (1, 1, 0, 1): padding that leaves no output row should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 0, 1)",
        tests=("test_invalid_operators.py::test_transposed_with_empty_output_is_rejected",),
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="U.4",
        summary=(
            "`ConvolutionBackpropData` **accepts a negative `output_padding`** and crops the output: "
            "output_padding (-1, 0) on x (1, 1, 3, 1) with a 1x1 kernel gives shape (1, 1, 2, 1); on a 1x1 input "
            "the result is empty."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([1, 1, 3, 1], f32), ops.parameter([1, 1, 1, 1], f32)\n"
            "y = ops.convolution_backprop_data(x, w, [1, 1], pads_begin=[0, 0], pads_end=[0, 0], output_padding=[-1, 0])\n"
            "print(run(y, [x, w], np.ones((1, 1, 3, 1)), np.ones((1, 1, 1, 1))).shape)"
            "  # (1, 1, 2, 1): output_padding -1 should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 2, 1)",
        tests=("test_transposed.py::test_output_padding_limit",),
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="E.11",
        summary=(
            "`MaxPool-14`, and `AvgPool-14` with `exclude_pad=False`, **accept padding beyond half the (dilated) "
            "window** and return windows that lie wholly in the padding: a 2x2 AvgPool with padding (2, 1) maps "
            "3x3 to 6x4. `AvgPool-14` with `exclude_pad=True` does raise."
        ),
        reproducer=_openvino(
            "x = ops.parameter([1, 1, 3, 3], f32)\n"
            "y = ops.avg_pool(x, [1, 1], [2, 1], [2, 1], [2, 2], exclude_pad=False).output(0)\n"
            "print(run(y, [x], np.ones((1, 1, 3, 3))).shape)  # (1, 1, 6, 4): padding 2 on a window of 2 should raise\n"
        ),
        outcome="returns",
        prints="(1, 1, 6, 4)",
        tests=("test_invalid_operators.py::test_invalid_pooling_is_rejected",),
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="E.13",
        summary=(
            "With an **empty batch** the CPU plugin skips the node, so an **invalid call returns an empty array**: "
            "a Convolution with stride (-1, 1) on x (0, 1, 4, 4) gives shape (0, 1, 1, 3); with N = 1 the same "
            "call raises. Transposed calls with output_padding -1 do the same; pooling is rejected."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([0, 1, 4, 4], f32), ops.parameter([1, 1, 2, 2], f32)\n"
            "y = ops.convolution(x, w, [-1, 1], [0, 0], [0, 0], [1, 1])\n"
            "print(run(y, [x, w], np.ones((0, 1, 4, 4)), np.ones((1, 1, 2, 2))).shape)"
            "  # (0, 1, 1, 3): stride -1 should raise, as it does with N = 1\n"
        ),
        outcome="returns",
        prints="(0, 1, 1, 3)",
        tests=tuple(
            f"test_invalid_operators.py::test_empty_batch_is_validated_as_any_other[{op}]"
            for op in ("conv2d", "conv1d", "conv3d", "conv_transpose2d")
        ),
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="G.3",
        summary=(
            "A bfloat16 `GroupConvolution` with a channel multiplier of 2 and a stride along the width gives "
            "**wrong values** in oneDNN's avx512_core_bf16 kernels: all-ones x (1, 2, 9, 3) and w (4, 1, 2, 3), "
            "groups 2, stride (1, 2) give outputs of 0, 3 and 4 where every one is 6. float32, or oneDNN capped "
            "below avx512_core_bf16, give 6."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([1, 2, 9, 3], bf16), ops.parameter([4, 1, 2, 3], bf16)\n"
            "filters = ops.reshape(w, ops.constant(np.array([2, 2, 1, 2, 3])), False)  # (G, C_out/G, C_in/G, kH, kW)\n"
            "y = ops.group_convolution(x, filters, [1, 2], [0, 0], [0, 0], [1, 1])\n"
            "print(np.unique(run(y, [x, w], np.ones((1, 2, 9, 3)), np.ones((4, 1, 2, 3)))).tolist())"
            "  # [0.0, 3.0, 4.0, 6.0]: every output should be 6\n"
        ),
        outcome="returns",
        prints="[0.0, 3.0, 4.0, 6.0]",
        link=_OPENVINO_BF16_LINK,
        tests=(
            "test_groups.py::test_groups_are_independent_convolutions",
            # Its failing example is a grouped conv2d of this family: x (1, 2, 8, 3), w (4, 1, 2, 3), stride (1, 2).
            "test_relations.py::test_translation_equivariance",
        ),
        dtypes=("bfloat16",),
        isa="avx512_core_bf16",
        not_above="avx512_core_amx",
        seen_on=_OPENVINO_BF16,
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="N.2",
        summary=(
            "A bfloat16 conv3d (`Convolution` at rank 5) over a padded 1x1x1 input gives **zeros where the kernel "
            "meets the input** in oneDNN's avx512_core_bf16 kernels: all ones with a 3x3x3 kernel and padding 1 "
            "before, 2 after, give four 0s of eight 1s. float32, or oneDNN capped below avx512_core_bf16, give 1s."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([1, 1, 1, 1, 1], bf16), ops.parameter([1, 1, 3, 3, 3], bf16)\n"
            "y = ops.convolution(x, w, [1, 1, 1], [1, 1, 1], [2, 2, 2], [1, 1, 1])\n"
            "print(run(y, [x, w], np.ones((1, 1, 1, 1, 1)), np.ones((1, 1, 3, 3, 3))).ravel().tolist())"
            "  # [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]: every output should be 1\n"
        ),
        outcome="returns",
        prints="[0.0, 0.0, 0.0, 0.0, 1.0",
        link=_OPENVINO_BF16_LINK,
        tests=(
            "test_ranks.py::test_conv1d_conv3d_exact_on_small_integers[3]",
            "test_ranks.py::test_conv1d_conv3d_match_reference_within_bound[3]",
        ),
        dtypes=("bfloat16",),
        isa="avx512_core_bf16",
        not_above="avx512_core_amx",
        seen_on=_OPENVINO_BF16,
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="A.8",
        summary=(
            "In a bfloat16 `Convolution` run on one thread, an infinity **leaks into the neighbouring column's "
            "output as NaN** in oneDNN's avx512_core_bf16 kernels: a 1x1 zero kernel over x = [-0.43359375, -inf] "
            "gives [NaN, NaN] where IEEE gives [0, NaN]. Two threads, float32, or oneDNN capped below "
            "avx512_core_bf16 give [0, NaN]."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([1, 1, 1, 2], bf16), ops.parameter([1, 1, 1, 1], bf16)\n"
            "y = ops.convolution(x, w, [1, 1], [0, 0], [0, 0], [1, 1])\n"
            "print(run(y, [x, w], np.array([-0.43359375, -np.inf]).reshape(1, 1, 1, 2), np.zeros((1, 1, 1, 1)))"
            ".ravel().tolist())  # [nan, nan]: 0 * -0.43359375 is 0\n"
        ),
        outcome="returns",
        prints="[nan, nan]",
        link=_OPENVINO_BF16_LINK,
        tests=("test_special_values.py::test_nan_and_infinity_reach_the_outputs_ieee_sends_them_to",),
        dtypes=("bfloat16",),
        isa="avx512_core_bf16",
        not_above="avx512_core_amx",
        seen_on=_OPENVINO_BF16,
    ),
    Finding(
        backend="openvino-cpu",
        version=_OPENVINO,
        clause="V.1",
        summary=(
            "A valid bfloat16 `Convolution` **segfaults** in oneDNN's avx512_core_bf16 kernels: x (1, 1, 32, 1), a "
            "1x1 kernel of 17 filters, stride 2, dilation 2, pads_begin (2, 1), pads_end (0, 1). float32, or oneDNN "
            "capped below avx512_core_bf16, run. The family located: a 1x1 kernel and an axis of extent 1 that is "
            "padded, with a stride and a dilation above 1 on it; the adapter refuses such calls (KnownCrash)."
        ),
        reproducer=_openvino(
            "x, w = ops.parameter([1, 1, 32, 1], bf16), ops.parameter([17, 1, 1, 1], bf16)\n"
            "y = ops.convolution(x, w, [2, 2], [2, 1], [0, 1], [2, 2])\n"
            "run(y, [x, w], np.ones((1, 1, 32, 1)), np.ones((17, 1, 1, 1)))  # dies of SIGSEGV\n"
            "print('ran')\n"
        ),
        outcome="segfault",
        link="likely the family of https://github.com/uxlfoundation/oneDNN/issues/5942 (a width-1 input with a "
        "stride, a padding and a dilation), as torch-cpu's V.1",
        # No fixed list of tests: the adapter refuses the family wherever it meets it (KnownCrash).
        dtypes=("bfloat16",),
        isa="avx512_core_bf16",
        not_above="avx512_core_amx",
        seen_on=_OPENVINO_BF16,
    ),
)


FINDINGS += (
    Finding(
        backend="torch-cpu-channels-last",
        version="torch 2.13.0+cpu (oneDNN v3.12.0)",
        clause="C.1",
        summary=(
            "A one-channel input whose channel axis has stride 1, as `.contiguous(memory_format=torch.channels_last)` "
            "makes it of a channel sliced from a wider batch (`x[:, c:c+1]`), **gives wrong values** with a stride "
            "along the width: a (3, 1, 9, 3) input with strides (27, 1, 3, 1), a (1, 1, 1, 2) kernel and stride "
            "(1, 2) give 24 of 27 outputs wrong, in float32 too; the same values with NCHW strides are right."
        ),
        reproducer=(
            "import torch\n"
            "import torch.nn.functional as F\n"
            "x = torch.arange(81, dtype=torch.float32).reshape(3, 1, 9, 3) % 7\n"
            "odd = x.as_strided(x.shape, (27, 1, 3, 1))  # the same values, the size-1 channel axis with stride 1\n"
            "w = torch.tensor([[[[1.0, 2.0]]]])\n"
            "print(torch.equal(odd, x), (F.conv2d(odd, w, stride=(1, 2)) != F.conv2d(x, w, stride=(1, 2))).sum().item(),"
            " 'of 27 outputs differ')  # True 24 of 27 outputs differ: none should\n"
        ),
        outcome="returns",
        prints="True 24 of 27",
        tests=("test_channels.py::test_each_channel_has_its_own_kernel_slice",),
        # Gone with ONEDNN_MAX_CPU_ISA=AVX2 or oneDNN switched off: oneDNN's avx512_core kernels.
        isa="avx512_core",
        seen_on="AMD EPYC (avx512_bf16, no AMX), 2 threads",
    ),
)


def finding(backend: str, clause: str) -> Finding:
    """The one finding of ``backend`` under ``clause``."""
    (found,) = (f for f in FINDINGS if f.backend == backend and f.clause == clause)
    return found


def known(backend: str) -> tuple[KnownNonconformance, ...]:
    """The known nonconformance of ``backend``: one expected failure per test (and dtype) a finding of it
    fails, of the findings that show on this machine (a CPU-specific one is no expected failure elsewhere)."""
    return tuple(
        KnownNonconformance(
            test=test,
            reason=f"[{f.clause}] {f.summary}" + (f" Shows with {f.needs()}." if f.needs() else ""),
            link=f.link,
            dtype=dtype,
        )
        for f in FINDINGS
        if backend in (f.backend, *f.also_in) and f.shows_here()
        for test in f.tests
        for dtype in f.dtypes or ("",)
    )


def _markdown_link(link: str) -> str:
    """A finding's link with each URL written as ``[owner/repo#N](url)``."""

    def name(match: re.Match[str]) -> str:
        url = match.group(0)
        found = re.match(r"https://github\.com/([^/]+)/([^/]+)/(?:issues|pull)/(\d+)", url)
        return f"[{found.group(2)}#{found.group(3)}]({url})" if found else f"<{url}>"

    return re.sub(r"https://\S+[^\s.,;)]", name, link) if link else "not reported upstream yet"


def table() -> str:
    """[docs] The findings as a Markdown table, one row each: docs/findings.md holds it, and a test checks
    that it is this one (``python -m cnnspec.findings`` writes it there)."""
    rows = ["| backend | clause | what | where it shows | upstream |", "| --- | --- | --- | --- | --- |"]
    for f in FINDINGS:
        backends = ", ".join((f.backend, *f.also_in))
        where = (
            "; ".join(
                part
                for part in (
                    f.needs() and f"needs {f.needs()}",
                    f.dtypes and ", ".join(f.dtypes),
                    f.seen_on and f"seen on {f.seen_on}",
                )
                if part
            )
            or "any machine"
        )
        cells = [f"{backends} ({f.version})", f.clause, f.summary, where, _markdown_link(f.link)]
        rows.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


_DOCS = Path(__file__).resolve().parent.parent / "docs" / "findings.md"
_BEGIN, _END = (
    "<!-- the findings table: written by python -m cnnspec.findings -->",
    "<!-- end of the findings table -->",
)


def written_table(text: str) -> str:
    """The findings table as it stands between its markers in ``text`` (docs/findings.md)."""
    return text.split(_BEGIN, 1)[1].split(_END, 1)[0].strip("\n") + "\n"


if __name__ == "__main__":
    page = _DOCS.read_text()
    head, rest = page.split(_BEGIN, 1)
    _DOCS.write_text(f"{head}{_BEGIN}\n{table()}{_END}{rest.split(_END, 1)[1]}")
    print(f"wrote the findings table to {_DOCS}")
