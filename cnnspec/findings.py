"""Nonconformance the suite has found in real frameworks, as data: each with its clause, a minimal
reproducer that needs only the framework, and what running it shows.

tests/test_findings.py runs every reproducer in its own process, so a finding that stops reproducing
(the framework fixed it) fails the project's tests until this record and the README are updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Finding:
    """One nonconformance found in a framework: where, which clause, how to see it, and what happens."""

    backend: str
    version: str
    clause: str
    summary: str
    reproducer: str
    outcome: Literal["segfault", "wrong result", "raises"]
    link: str = ""


FINDINGS: tuple[Finding, ...] = (
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
    ),
)
