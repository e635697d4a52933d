"""The world and the rules of the game: schema, engine, theory, Mesa model, reference.

``from model import PauseModel, Engine, resolve`` covers most uses. ``PauseModel`` is imported
lazily so that the pure core (schema, engine, theory) can be used without loading Mesa.
"""

from __future__ import annotations

from typing import Any

from model.engine import Engine, RunSummary
from model.errors import ConfigError, GraphError, ParameterError, ScenarioError
from model.params import Params, resolve, schema

__all__ = ["ConfigError", "Engine", "GraphError", "ParameterError", "Params", "PauseModel",
           "RunSummary", "ScenarioError", "resolve", "schema"]


def __getattr__(name: str) -> Any:
    if name == "PauseModel":
        from model.mesa_model import PauseModel

        return PauseModel
    raise AttributeError(name)
