"""The world and the rules of the game: schema, engine, theory, Mesa model, reference.

``from model import PauseModel, Engine, resolve`` covers most uses. Everything but the schema
and the errors is imported lazily, so that importing the schema (as ``model.reference`` does)
does not load the engine, and the pure core can be used without loading Mesa.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from model.errors import ConfigError, GraphError, ParameterError, ScenarioError
from model.params import Params, resolve, schema

__all__ = [
    "ConfigError",
    "Engine",
    "GraphError",
    "ParameterError",
    "Params",
    "PauseModel",
    "RunSummary",
    "ScenarioError",
    "resolve",
    "schema",
    "theory",
]

_LAZY = {"Engine": "model.engine", "RunSummary": "model.engine", "PauseModel": "model.mesa_model"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    if name == "theory":
        return import_module("model.theory")
    raise AttributeError(name)
