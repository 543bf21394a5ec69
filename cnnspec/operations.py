"""The operations the suite checks, one row each (what PyTorch's OpInfo is to its operators).

A row says what an operation is to every layer: the adapter method that computes it and the arrays and
parameters it takes (the Backend protocol), the spec section that defines it, the case of its simplest
call (asked of ``supports`` before a test of its clauses runs), which clauses' tests are about it, and
its corner catalogue (what the coverage tally counts).
cnnspec's reference for it is the reference backend's method of the same name, whose signature a test
checks against the row. The pytest plugin, the empty-batch and pooling properties and the adapters' docs
table read it; adding an operation starts here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from cnnspec.corners import CORNERS
from cnnspec.docs_table import DocsTable
from cnnspec.geometry import Case


@dataclass(frozen=True)
class Operation:
    """One operation: its adapter method (``name``) and everything the suite keeps about it."""

    name: str
    section: str  # the spec section that defines it ("V" for conv2d, "N", "B", "U", "M")
    arrays: tuple[str, ...]  # the arrays it takes, positionally, in order ("b" may be None)
    params: tuple[str, ...]  # its keyword parameters
    takes: str  # what its arguments mean, in words, where they differ from conv2d's
    returns: str  # what it returns, in words
    simplest: Case  # the case of its simplest call: all ones
    # The primary clauses (or their sections) whose tests are about this operation; a dtype the backend
    # declines for its simplest call skips such a test up front. conv2d's tests are every other one.
    clauses: tuple[str, ...] = ()
    # Its corner catalogue: name to predicate on a valid case, in report order (cnnspec.corners); the coverage
    # tally counts the corners each example's results reached. Empty: its results are only counted.
    corners: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)

    def corners_of(self, case: Case) -> set[str]:
        """The corners of this operation's catalogue that ``case`` sits in."""
        return {name for name, holds in self.corners.items() if holds(case)}

    @property
    def optional(self) -> bool:
        """Whether an adapter may lack it (every operation but conv2d): its tests then skip with the reason."""
        return self.name != "conv2d"

    def signature(self) -> str:
        """The adapter method's signature, as docs/adapters.md writes it."""
        return f"{self.name}({', '.join(self.arrays)}, /, *, {', '.join(self.params)})"


_CONV = ("stride", "padding", "dilation", "groups")

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "conv2d",
            "V",
            ("x", "w", "b"),
            _CONV,
            "x (N, C_in, H, W), w (C_out, C_in/groups, kH, kW); `padding=((top, bottom), (left, right))` or "
            '`"valid"`/`"same"` (V)',
            "the output",
            Case.conv2d(N=1, C_in=1, H=1, W=1, C_out=1, kH=1, kW=1),
            corners=CORNERS,
        ),
        Operation(
            "conv1d",
            "N",
            ("x", "w", "b"),
            _CONV,
            'one entry per spatial axis: `stride=(s,)`, `padding=((lo, hi),)` or `"valid"`/`"same"` (N)',
            "the output",
            Case.conv(1, 1, 1, (1,), (1,), (1,), ((0, 0),), (1,)),
        ),
        Operation(
            "conv3d",
            "N",
            ("x", "w", "b"),
            _CONV,
            "as `conv1d`, three entries (N)",
            "the output",
            Case.conv(1, 1, 1, (1, 1, 1), (1, 1, 1), (1, 1, 1), ((0, 0),) * 3, (1, 1, 1)),
        ),
        Operation(
            "conv2d_backward",
            "B",
            ("x", "w", "b", "grad_output"),
            _CONV,
            "as `conv2d`, plus the upstream gradient (B)",
            "`(grad_input, grad_weight, grad_bias)`, `grad_bias` None without a bias",
            Case.conv2d(N=1, C_in=1, H=1, W=1, C_out=1, kH=1, kW=1),
        ),
        Operation(
            "conv_transpose2d",
            "U",
            ("x", "w", "b"),
            ("stride", "padding", "output_padding", "dilation", "groups"),
            "`w` in layout (C_in, C_out/groups, kH, kW), `padding=((top, bottom), (left, right))` (U)",
            "the output",
            Case.conv_transpose2d(N=1, C_in=1, H=1, W=1, C_out=1, kH=1, kW=1),
            clauses=("U",),
        ),
        Operation(
            "max_pool2d",
            "M",
            ("x",),
            ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
            "`padding=(p_H, p_W)`, symmetric (M)",
            "the output",
            Case.pool2d("max_pool2d", N=1, C=1, H=1, W=1, kernel=(1, 1), stride=(1, 1)),
            clauses=("M",),
        ),
        Operation(
            "avg_pool2d",
            "M",
            ("x",),
            ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
            "as max, no dilation (M)",
            "the output",
            Case.pool2d("avg_pool2d", N=1, C=1, H=1, W=1, kernel=(1, 1), stride=(1, 1)),
            clauses=("M.3",),
        ),
    )
}

POOLS = tuple(name for name, op in OPERATIONS.items() if op.section == "M")


def of_clause(clause: str) -> Operation:
    """The operation a test whose primary clause is ``clause`` is about: the row that names the clause
    itself, else its section, else conv2d."""
    for key in (clause, clause.split(".")[0]):
        for op in OPERATIONS.values():
            if key in op.clauses:
                return op
    return OPERATIONS["conv2d"]


def table() -> str:
    """[docs] The optional operations as docs/adapters.md's Markdown table (a test checks it is this one)."""
    rows = ["| method | takes | returns |", "| --- | --- | --- |"]
    rows += [f"| `{op.signature()}` | {op.takes} | {op.returns} |" for op in OPERATIONS.values() if op.optional]
    return "\n".join(rows) + "\n"


_PAGE = DocsTable(
    "adapters.md", "<!-- the operations: written by python -m cnnspec.operations -->", "<!-- end of the operations -->"
)


def written_table(text: str) -> str:
    """The operations table as it stands between its markers in ``text`` (docs/adapters.md)."""
    return _PAGE.written(text)


if __name__ == "__main__":
    print(f"wrote the operations table to {_PAGE.write(table())}")
