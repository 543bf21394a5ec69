"""What this machine offers the kernels a framework picks at run time: the CPU's instruction sets, as
oneDNN names its levels, and the threads a framework runs with.

oneDNN (under torch's CPU convolutions) dispatches by instruction set, so a bug in one of its kernels
shows only on CPUs that select that kernel; torch also routes bfloat16 and float16 to oneDNN only where
oneDNN reports kernels for them. A finding records the level it needs (``Finding.isa``), and is
expected only where ``onednn_has(level)``. Levels are read from /proc/cpuinfo's flags and capped, as
oneDNN caps itself, by ``ONEDNN_MAX_CPU_ISA``: setting it shows a finding appear and disappear with
its kernel on one machine.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

# oneDNN's x86-64 levels (lower case, as ONEDNN_MAX_CPU_ISA takes them in any case), each with the
# /proc/cpuinfo flags it needs over the level it extends. The levels form a tree, not a line: avx2_vnni
# is not below avx512_core, and a CPU may have the one without the other.
_LEVELS: dict[str, tuple[str | None, frozenset[str]]] = {
    "sse41": (None, frozenset({"sse4_1"})),
    "avx": ("sse41", frozenset({"avx"})),
    "avx2": ("avx", frozenset({"avx2"})),
    "avx2_vnni": ("avx2", frozenset({"avx_vnni"})),
    "avx2_vnni_2": ("avx2_vnni", frozenset({"avx_vnni_int8", "avx_ne_convert"})),
    "avx512_core": ("avx2", frozenset({"avx512f", "avx512bw", "avx512vl", "avx512dq"})),
    "avx512_core_vnni": ("avx512_core", frozenset({"avx512_vnni"})),
    "avx512_core_bf16": ("avx512_core_vnni", frozenset({"avx512_bf16"})),
    "avx512_core_fp16": ("avx512_core_bf16", frozenset({"avx512_fp16"})),
    "avx512_core_amx": ("avx512_core_fp16", frozenset({"amx_tile", "amx_int8", "amx_bf16"})),
    "avx512_core_amx_fp16": ("avx512_core_amx", frozenset({"amx_fp16"})),
}
# oneDNN's other spellings of the same levels.
_ALIASES = {
    "avx10_1_512": "avx512_core_fp16",
    "avx10_1_512_amx": "avx512_core_amx",
    "avx10_1_512_amx_fp16": "avx512_core_amx_fp16",
    "all": "",
}

CAP_VARIABLE = "ONEDNN_MAX_CPU_ISA"


def levels() -> tuple[str, ...]:
    """oneDNN's x86-64 ISA levels that cnnspec knows, lowest first."""
    return tuple(_LEVELS)


def flags_of(level: str) -> frozenset[str]:
    """Every /proc/cpuinfo flag ``level`` needs, those of the levels it extends included."""
    if level not in _LEVELS:
        raise ValueError(f"unknown oneDNN ISA level {level!r}; known: {', '.join(_LEVELS)}")
    parent, own = _LEVELS[level]
    return own | (flags_of(parent) if parent else frozenset())


def own_flags(level: str) -> frozenset[str]:
    """The /proc/cpuinfo flags ``level`` needs beyond the level it extends."""
    return _LEVELS[level][1]


def below(level: str) -> str:
    """The level that ``level`` extends: capped there, oneDNN cannot select ``level``'s kernels."""
    parent = _LEVELS[level][0]
    if parent is None:
        raise ValueError(f"{level!r} is the lowest level")
    return parent


@functools.cache
def cpu_flags() -> frozenset[str]:
    """This machine's CPU flags, from /proc/cpuinfo (none where it cannot be read)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    return frozenset(word for line in text.splitlines() if line.startswith("flags") for word in line.split()[2:])


def _cap() -> str:
    """The level ``ONEDNN_MAX_CPU_ISA`` caps oneDNN at, or "" where it does not (unset, ``ALL``, or a
    value oneDNN would ignore)."""
    value = os.environ.get(CAP_VARIABLE, "").strip().lower()
    value = _ALIASES.get(value, value)
    return value if value in _LEVELS else ""


def onednn_has(level: str) -> bool:
    """[A.*, V.*] Whether oneDNN may select kernels of ``level`` here: the CPU has every flag the level
    needs, and ``ONEDNN_MAX_CPU_ISA`` does not cap oneDNN below it."""
    needed = flags_of(level)
    cap = _cap()
    return needed <= cpu_flags() and (not cap or needed <= flags_of(cap))


def onednn_level() -> str:
    """The most capable level oneDNN may select here (capped as above), for a message that says why a
    finding cannot show; "none" below sse41."""
    return max(
        (level for level in _LEVELS if onednn_has(level)), key=lambda level: len(flags_of(level)), default="none"
    )


def threads() -> int:
    """The threads a framework's CPU kernels run with here by default: ``OMP_NUM_THREADS`` where set,
    else the CPUs this process may run on."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0))
