"""Per-step records of a run and the named time series computed from them.

The engine sums each period into one kernel row (columns :class:`model.records.Rec`) and keeps a
few per-step counters beside it (:class:`Records`: sanctions blocked by vote and veto, sanctions
paid by each bloc, the belief error, the treaty's row). :func:`metrics_from_records` turns rows
into the named time-series columns; the event log's replay (:func:`model.ledger.replay`) uses the
same function, so a replay reproduces the metrics exactly.
"""

from __future__ import annotations

import numpy as np

from model.records import N_REC, REC_FIELDS

#: Time-series columns, in output order (see :func:`metrics_from_records`).
TIMESERIES_COLUMNS = (
    "step", "compliance", "weighted_compliance", "compliance_nations", "compliance_labs",
    "weighted_compliance_nations", "weighted_compliance_labs", "bound_compliance",
    "defecting_share", "detections", "detections_domestic", "detections_international",
    "false_alarms", "sanctions_paid", "mean_payoff", "total_payoff", "mean_belief",
    "pause_active", "holds", "flags", "sanctions_applied", "sanctions_blocked_by_vote",
    "sanctions_blocked_by_veto", "inspections", "leader_share", "defector_lead",
    "belief_error", "catastrophe", "members", "member_share", "in_force", "safety_progress",
    "terms_p_detect", "alliance_edges", "alliance_weight", "members_would_leave",
    "outsiders_would_join",
)

#: Per-step treaty metrics (the engine fills them; they are the last columns above).
TREATY_FIELDS = TIMESERIES_COLUMNS[-9:]



def _ratio(num: np.ndarray, den: np.ndarray | float) -> np.ndarray:
    d = np.broadcast_to(np.asarray(den, dtype=float), num.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d > 0, num / np.where(d > 0, d, 1.0), np.nan)


def metrics_from_records(rec: np.ndarray, n_nations: int, n_actors: int,
                         stability_threshold: float, first_step: int) -> dict[str, np.ndarray]:
    """Named per-step metrics from kernel rows (one row per step from ``first_step``).

    Columns (:data:`TIMESERIES_COLUMNS`): count and capability-weighted compliance (all,
    nations, labs), ``bound_compliance`` (weighted, over actors bound by an active pause; NaN
    when none), ``defecting_share`` (R_t), detections (domestic, international, both), false
    alarms, sanctions paid (G), mean and total payoff, mean belief, whether a pause was active,
    and ``holds`` (1.0 / 0.0; NaN when no pause was active); then the verification counters:
    international ``flags``, ``sanctions_applied``, sanctions blocked by vote and by veto
    (filled in by the engine from its own record), and ``inspections`` used; then
    ``leader_share`` (the largest capability share), ``defector_lead`` (the largest defector's
    share minus the largest complier's; NaN unless both exist), ``belief_error`` (mean absolute
    error of beliefs against the true rival defection share; filled in by the engine when
    information is not perfect) and ``catastrophe`` (1 at the step a catastrophe happened);
    then the treaty's ``members``, ``member_share`` (of world capability), ``in_force``,
    ``safety_progress``, ``terms_p_detect`` (the detection in force), ``alliance_edges``,
    ``alliance_weight`` (total), and at negotiation rounds the coalition diagnostics
    ``members_would_leave`` and ``outsiders_would_join`` (filled in by the engine). The engine
    adds ``sanctions_paid_bloc_<b>`` per alliance bloc after these.
    """
    f = {name: rec[:, i] for i, name in enumerate(REC_FIELDS)}
    n_nat = float(n_nations)
    n_lab = float(n_actors - n_nations)
    n_all = n_nat + n_lab
    cap_all = f["capability_nations"] + f["capability_labs"]
    weighted = _ratio(f["comply_capability_nations"] + f["comply_capability_labs"], cap_all)
    active = f["pause_active"] > 0.5
    bound = np.where(active, _ratio(f["comply_capability_bound"], f["capability_bound"]),
                     np.nan)
    holds = np.where(np.isnan(bound), np.nan, (bound >= stability_threshold).astype(float))
    dom = np.rint(f["caught_domestic"]).astype(np.int64)
    intl = np.rint(f["caught_international"]).astype(np.int64)
    return {
        "step": np.arange(first_step, first_step + len(rec)),
        "compliance": _ratio(f["comply_nations"] + f["comply_labs"], n_all),
        "weighted_compliance": weighted,
        "compliance_nations": _ratio(f["comply_nations"], n_nat),
        "compliance_labs": _ratio(f["comply_labs"], n_lab),
        "weighted_compliance_nations": _ratio(f["comply_capability_nations"],
                                              f["capability_nations"]),
        "weighted_compliance_labs": _ratio(f["comply_capability_labs"], f["capability_labs"]),
        "bound_compliance": bound,
        "defecting_share": 1.0 - weighted,
        "detections": dom + intl,
        "detections_domestic": dom,
        "detections_international": intl,
        "false_alarms": np.rint(f["false_alarms"]).astype(np.int64),
        "sanctions_paid": f["sanctions_paid"].copy(),
        "mean_payoff": f["total_payoff"] / n_all,
        "total_payoff": f["total_payoff"].copy(),
        "mean_belief": f["belief_sum"] / n_all,
        "pause_active": active.astype(float),
        "holds": holds,
        "flags": np.rint(f["flags"]).astype(np.int64),
        "sanctions_applied": np.rint(f["sanctions_applied"]).astype(np.int64),
        "sanctions_blocked_by_vote": np.zeros(len(rec), dtype=np.int64),
        "sanctions_blocked_by_veto": np.zeros(len(rec), dtype=np.int64),
        "inspections": np.rint(f["inspections"]).astype(np.int64),
        "leader_share": _ratio(f["max_capability"], cap_all),
        "defector_lead": np.where(
            (f["max_capability_defecting"] >= 0) & (f["max_capability_complying"] >= 0),
            _ratio(f["max_capability_defecting"] - f["max_capability_complying"], cap_all),
            np.nan),
        "belief_error": np.full(len(rec), np.nan),
        "catastrophe": np.zeros(len(rec), dtype=np.int64),
        **{name: np.full(len(rec), np.nan) for name in TREATY_FIELDS},
    }


class Records:
    """Every per-step record of one run (row 0 is the starting state).

    Attributes:
        rows: Kernel rows, shape (steps + 1, :data:`N_REC`).
        blocked: Flags whose sanction failed the vote, and that a veto blocked, per step.
        bloc_paid: Sanctions paid by each alliance bloc's actors, per step.
        belief_error: Mean absolute belief error per step (NaN with perfect information).
        treaty: The treaty's row per step (layout :data:`model.metrics.TREATY_FIELDS`).
    """

    def __init__(self, steps: int, n_blocs: int) -> None:
        rows = steps + 1
        self.rows = np.zeros((rows, N_REC))
        self.blocked = np.zeros((rows, 2))
        self.bloc_paid = np.zeros((rows, n_blocs))
        self.belief_error = np.full(rows, np.nan)
        self.treaty = np.zeros((rows, len(TREATY_FIELDS)))

    def __len__(self) -> int:
        return len(self.rows)

    def reserve(self, rows: int) -> None:
        """Grow every record to ``rows`` rows (runs past the ``steps`` parameter)."""
        for name in ("rows", "blocked", "bloc_paid", "belief_error", "treaty"):
            old = getattr(self, name)
            if len(old) >= rows:
                continue
            grown = np.full((rows, *old.shape[1:]), np.nan if old.ndim == 1 else 0.0)
            grown[: len(old)] = old
            setattr(self, name, grown)

    def series(self, first: int, stop: int, n_nations: int, n_actors: int,
               stability_threshold: float, catastrophe_step: int | None,
               treaty_row: tuple[float, ...] | None = None) -> dict[str, np.ndarray]:
        """The named time-series columns for steps ``first`` to ``stop - 1``.

        ``treaty_row``: when the treaty's mechanisms are off its row never changes, and this
        row stands for every step instead of the recorded ones.
        """
        rec = self.rows[first:stop]
        out = metrics_from_records(rec, n_nations, n_actors, stability_threshold, first)
        blocked = self.blocked[first:stop]
        out["sanctions_blocked_by_vote"] = np.rint(blocked[:, 0]).astype(np.int64)
        out["sanctions_blocked_by_veto"] = np.rint(blocked[:, 1]).astype(np.int64)
        out["belief_error"] = self.belief_error[first:stop].copy()
        tr = self.treaty[first:stop] if treaty_row is None else np.tile(treaty_row,
                                                                         (len(rec), 1))
        for i, name in enumerate(TREATY_FIELDS):
            out[name] = tr[:, i].copy()
        out["catastrophe"] = (out["step"] == catastrophe_step).astype(np.int64)
        bloc_paid = self.bloc_paid[first:stop]
        for b in range(bloc_paid.shape[1]):
            out[f"sanctions_paid_bloc_{b}"] = bloc_paid[:, b].copy()
        return out
