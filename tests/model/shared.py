"""Worlds shared by the engine's tests in tests/model/."""

from __future__ import annotations


def fixed_world(n: int, defectors: int, **params) -> dict:
    """A scenario of n equal nations, the first `defectors` committed to defect."""
    nations = [
        {"name": f"N{i}", "committed": "defect" if i < defectors else "comply"} for i in range(n)
    ]
    base = {"n_labs": 0, "capability_dist": "equal", "alliance_network": "none"}
    return {"params": {**base, **params}, "nations": nations}
