"""Where compiling frameworks keep what they compiled, across runs: JAX's persistent compilation cache
and tinygrad's kernel cache, in the user's cache directory (``$XDG_CACHE_HOME/cnnspec``, else
``~/.cache/cnnspec``), one folder per framework and version.

On by default: a compiling framework pays for each new shape once per machine rather than once per
run. ``CNNSPEC_COMPILE_CACHE=off`` (``cnnspec run/report --no-compile-cache``) turns it off, and a
path puts it there instead. A backend says in its description whether its run used it.
"""

from __future__ import annotations

import os
from pathlib import Path

VARIABLE = "CNNSPEC_COMPILE_CACHE"
_OFF = frozenset({"0", "off", "no", "false"})


def directory(framework: str) -> Path | None:
    """The folder ``framework`` (a name and version, such as ``jax-0.10.2``) keeps its compiled code in,
    made if missing; None where the cache is off or the folder cannot be made."""
    value = os.environ.get(VARIABLE, "").strip()
    if value.lower() in _OFF:
        return None
    if value and value.lower() not in ("1", "on", "yes", "true"):
        root = Path(value).expanduser()
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cnnspec"
    try:
        (root / framework).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root / framework
