"""Profiles: the one active when a property runs is the one it runs under."""

from __future__ import annotations

import numpy as np
import pytest

from cnnspec import reference
from cnnspec.conformance import profiles
from cnnspec.conformance.covering import examples as examples_of


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
    # One call an example: the covering set's, then the profile's random examples.
    covering = len(examples_of(test_output_shape_and_dtype.hypothesis._given_kwargs)[0])
    assert covering > 30 and backend.calls == covering + examples


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown profile 'fast'; profiles: ci, default, thorough, smoke, covering"):
        profiles.activate("fast")
