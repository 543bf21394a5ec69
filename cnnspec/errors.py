"""The error cnnspec raises for a call that breaks the spec."""

from __future__ import annotations


class ConvSpecError(ValueError):
    """A conv2d call that breaks a clause: names the parameter, the rule and the clause ID.

    Raised by the reference and the oracles at their boundary (E.1-E.7, S.1-S.5), for example
    ``ConvSpecError: groups=3 must divide C_in=4 [G.1]``.
    """

    def __init__(self, message: str, clause: str) -> None:
        super().__init__(f"{message} [{clause}]")
        self.clause = clause
