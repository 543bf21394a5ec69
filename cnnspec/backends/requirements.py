"""What an adapter needs before it can run: its framework installed, and any program that framework calls."""

from __future__ import annotations

import importlib.util
import shutil


def missing(module: str, *, extra: str) -> str | None:
    """Why ``module`` cannot be imported here (with the extra that installs it), or None where it can."""
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed (pip install 'cnnspec[{extra}]')"
    return None


def missing_program(program: str, *, why: str) -> str | None:
    """Why ``program`` is not on the PATH (and what needs it), or None where it is."""
    if shutil.which(program) is None:
        return f"the program {program!r} is not on the PATH ({why})"
    return None
