"""Worlds and helpers shared by the mean-field theory's tests (model/theory/)."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from model.params import resolve

EXACT = {
    "p_domestic": 0.0,
    "race_pressure": 0.0,
    "p_false_alarm": 0.0,
    "risk_internalization": 0.0,
    "verification_lag": 0,
}


FAST = settings(max_examples=30, deadline=None)


def exact(**kw):
    """The exact limit of DESIGN.md section 2 (G = 1, F = 4 unless overridden)."""
    return resolve({**EXACT, **kw})


def bistable(**kw):
    """The exact limit with race pressure: beta * G * lam = 5 > 4."""
    return exact(race_pressure=0.5, beta=10.0, **kw)


PARAMS = {
    "gain": st.floats(0.0, 5.0),
    "lam": st.floats(0.0, 3.0),
    "q": st.floats(0.0, 0.2),
    "p_dom": st.floats(0.0, 1.0),
    "phi": st.floats(0.0, 1.0),
    "risk": st.floats(0.0, 5.0),
    "lag": st.integers(0, 12),
    "kind": st.sampled_from(["nation", "lab"]),
}


def core(gain, lam, q, p_dom, phi, risk, lag, **kw):
    return resolve(
        defect_gain=gain,
        race_pressure=lam,
        p_false_alarm=q,
        p_domestic=p_dom,
        risk_internalization=phi,
        risk_cost=risk,
        verification_lag=lag,
        **kw,
    )
