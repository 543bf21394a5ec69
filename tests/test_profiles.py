"""Profiles: the one active when a property runs is the one it runs under."""

from __future__ import annotations

import numpy as np
import pytest

from cnnspec import reference
from cnnspec.conformance import profiles


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def conv2d(self, x, w, b, /, **params):
        self.calls += 1
        return reference.conv2d(x, w, b, **params)


@pytest.mark.parametrize("profile, examples", [("smoke", 30), ("default", 100), ("smoke", 30)])
def test_a_property_imported_earlier_runs_under_the_profile_active_now(profile, examples):
    from cnnspec.conformance.test_shapes import test_output_shape_and_dtype

    before = profiles.active()
    profiles.activate(profile)
    try:
        backend = Counting()
        test_output_shape_and_dtype(backend=backend, dtype=np.dtype(np.float32))
    finally:
        profiles.activate(before)
    assert backend.calls == examples


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown profile 'fast'; profiles: ci, default, thorough, smoke"):
        profiles.activate("fast")
