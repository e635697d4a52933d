"""Errors a user can cause with bad input.

Every one of them names what was wrong and what is allowed. The CLI turns any
:class:`ConfigError` into a one-line message and exit status 2.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """Bad input: a parameter, a scenario, a graph or a file."""


class ParameterError(ConfigError):
    """A parameter value that is unknown, of the wrong type, or out of bounds."""

    def __init__(
        self, field: str, value: object, allowed: str, *, why: str = "", message: str = ""
    ) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        reason = why or "is not allowed"
        super().__init__(message or f"{field}={value!r} {reason}; allowed: {allowed}")


class GraphError(ConfigError):
    """An alliance graph that does not fit the model."""


class ScenarioError(ConfigError):
    """A scenario file or mapping that does not fit the model."""
