"""The manifest of a results directory (``manifest.json``): what made its numbers, its history.

It records the design (name, hash, master seed, varied parameters, sizes), the plan's parts,
the versions of the packages that make the numbers, the git commit and the verification
sources registry (``verification_registry``: its SHA-256 and every regime's presets; a resumed
sweep refuses other ones: :func:`version_changes`), the command line and a history of every
session.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from experiments.batch.design import Design
from experiments.batch.schema import RESULTS_SCHEMA_VERSION, StoreError
from model.params import schema
from model.verification import sources

__all__ = [
    "INFO_PACKAGES",
    "VERSIONED_PACKAGES",
    "new_manifest",
    "now",
    "package_versions",
    "read_manifest",
    "version_changes",
]

#: Packages whose versions are recorded (and must match on resume): the ones that make numbers.
VERSIONED_PACKAGES = ("pausegame", "numpy", "scipy", "networkx", "numba", "mesa")

#: Packages recorded for information only.
INFO_PACKAGES = ("pandas", "pyarrow", "dask", "distributed")


def package_versions() -> dict[str, str]:
    """Versions of the packages that make the numbers, and of the storage packages."""
    out = {}
    for name in VERSIONED_PACKAGES + INFO_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def now() -> str:
    """The time now (UTC), as the manifest records it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_manifest(
    design: Design, plan_parts: list[dict[str, Any]], command: list[str]
) -> dict[str, Any]:
    """The manifest of a directory created for ``design`` with the plan ``plan_parts``."""
    from experiments.run import git_commit

    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "created": now(),
        "design_name": design.name,
        "design_hash": design.hash,
        "extension_hash": design.extension_hash,
        "master_seed": design.master_seed,
        "seed_scheme": design.seed_scheme,
        "varied": list(design.varied),
        "replicates": design.replicates,
        "steps": design.steps,
        "n_points": design.n_points,
        "n_runs": design.n_runs,
        "timeseries": design.timeseries,
        "series_columns": list(design.columns) if design.timeseries else [],
        "plan_parts": plan_parts,
        "package_versions": package_versions(),
        "git_commit": git_commit(),
        "verification_registry": sources.provenance(),
        "python": platform.python_version(),
        "command": command,
        "history": [
            {"event": "created", "time": now(), "command": command, "design_hash": design.hash}
        ],
    }


def version_changes(manifest: dict[str, Any]) -> tuple[list[str], dict[str, str], str]:
    """What changed since ``manifest`` was written: package versions, commit, registry presets.

    The versioned packages, the git commit and the regimes' presets in the verification
    sources registry.

    Returns:
        One line per change (``numpy 2.0 -> 2.1``, ``git commit ... -> ...``, ``verification
        registry ...: onsite_inspections.p_detect 0.9 -> 0.7``; empty when nothing changed), the
        versions now and the commit now.

    Raises:
        ConfigError: The registry is damaged.
    """
    from experiments.run import git_commit

    old = manifest.get("package_versions")
    old = old if isinstance(old, dict) else {}  # missing or edited: every version "changed"
    versions = package_versions()
    changed = [
        f"{name} {old.get(name)} -> {versions[name]}"
        for name in VERSIONED_PACKAGES
        if old.get(name) != versions[name]
    ]
    commit_old, commit_now = manifest.get("git_commit"), git_commit()
    if commit_old != commit_now:
        changed.append(f"git commit {str(commit_old)[:12]} -> {commit_now[:12]}")
    changed += sources.changes_since(manifest.get("verification_registry"))
    return changed, versions, commit_now


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a results directory, checked enough to be used."""
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(
            f"{manifest_path}: cannot read the manifest ({exc}); the finished "
            f"runs are in {path / 'results'}{os.sep} (pandas.read_parquet reads "
            "them)"
        ) from None
    if not isinstance(manifest, dict):
        raise StoreError(f"{manifest_path}: the manifest is not a JSON object")
    if manifest.get("schema_version") != RESULTS_SCHEMA_VERSION:
        raise StoreError(
            f"{path} holds results of schema version "
            f"{manifest.get('schema_version')!r}; this pausegame reads and writes "
            f"version {RESULTS_SCHEMA_VERSION}; use a new --out directory"
        )
    problems = []
    if not isinstance(manifest.get("varied"), list) or not all(
        isinstance(v, str) and v in schema() for v in manifest["varied"]
    ):
        problems.append("varied")
    if not isinstance(manifest.get("design_hash"), str):
        problems.append("design_hash")
    for key in ("n_runs", "replicates", "n_points"):
        if (
            isinstance(manifest.get(key), bool)
            or not isinstance(manifest.get(key), int)
            or manifest[key] < 0
        ):
            problems.append(key)
    if not isinstance(manifest.get("plan_parts"), list):
        problems.append("plan_parts")
    if not isinstance(manifest.get("history"), list):
        problems.append("history")
    if problems:
        raise StoreError(
            f"{manifest_path}: the manifest's "
            + ", ".join(problems)
            + " are missing or not valid; use a new --out directory"
        )
    return manifest
