"""Per-step records of a run and the named time series computed from them.

The engine sums each period into one kernel row (columns :class:`model.records.Rec`) and keeps a
few per-step counters beside it (:class:`Records`: sanctions blocked by vote and veto, sanctions
paid by each bloc, the belief error, the treaty's row). :func:`metrics_from_records` turns rows
into the named time-series columns; the event log's replay (:func:`model.ledger.replay`) uses the
same function, so a replay reproduces the metrics exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from model.records import N_REC, REC_FIELDS

#: Time-series columns, in output order (see :func:`metrics_from_records`).
TIMESERIES_COLUMNS = (
    "step",
    "compliance",
    "weighted_compliance",
    "compliance_nations",
    "compliance_labs",
    "weighted_compliance_nations",
    "weighted_compliance_labs",
    "bound_compliance",
    "defecting_share",
    "detections",
    "detections_domestic",
    "detections_international",
    "false_alarms",
    "sanctions_paid",
    "mean_payoff",
    "total_payoff",
    "mean_belief",
    "pause_active",
    "holds",
    "flags",
    "sanctions_applied",
    "sanctions_blocked_by_vote",
    "sanctions_blocked_by_veto",
    "inspections",
    "leader_share",
    "defector_lead",
    "belief_error",
    "catastrophe",
    "members",
    "member_share",
    "in_force",
    "safety_progress",
    "terms_p_detect",
    "alliance_edges",
    "alliance_weight",
    "members_would_leave",
    "outsiders_would_join",
)

#: Per-step treaty metrics (the engine fills them; they are the last columns above).
TREATY_FIELDS = TIMESERIES_COLUMNS[-9:]


def _ratio(num: np.ndarray, den: np.ndarray | float) -> np.ndarray:
    """``num / den`` where ``den > 0``, NaN elsewhere (never divides by zero)."""
    if np.ndim(den) == 0:
        d = float(den)
        return num / d if d > 0 else np.full(num.shape, np.nan)
    ok = den > 0
    return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def metrics_from_records(
    rec: np.ndarray,
    n_nations: int,
    n_actors: int,
    stability_threshold: float,
    first_step: int,
    columns: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
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

    ``columns``: only these (in this order; default all); each is computed exactly as in the
    full set. ``rec`` may stack several runs' rows (shape (runs, steps, columns)); each
    metric then has shape (runs, steps), every run's row computed as it would be alone.
    """
    f = {name: rec[..., i] for i, name in enumerate(REC_FIELDS)}
    n_nat = float(n_nations)
    n_lab = float(n_actors - n_nations)
    n_all = n_nat + n_lab
    n_rows = rec.shape[:-1]
    memo: dict[str, np.ndarray] = {}

    def once(name: str, make: Callable[[], np.ndarray]) -> np.ndarray:
        if name not in memo:
            memo[name] = make()
        return memo[name]

    def cap_all() -> np.ndarray:
        return once("cap_all", lambda: f["capability_nations"] + f["capability_labs"])

    def weighted() -> np.ndarray:
        return once(
            "weighted",
            lambda: _ratio(f["comply_capability_nations"] + f["comply_capability_labs"], cap_all()),
        )

    def active() -> np.ndarray:
        return once("active", lambda: f["pause_active"] > 0.5)

    def bound() -> np.ndarray:
        return once(
            "bound",
            lambda: np.where(
                active(), _ratio(f["comply_capability_bound"], f["capability_bound"]), np.nan
            ),
        )

    def count(name: str) -> np.ndarray:
        return once(name, lambda: np.rint(f[name]).astype(np.int64))

    def holds() -> np.ndarray:
        b = bound()
        return np.where(np.isnan(b), np.nan, (b >= stability_threshold).astype(float))

    make: dict[str, Callable[[], np.ndarray]] = {
        "step": lambda: np.broadcast_to(
            np.arange(first_step, first_step + n_rows[-1]), n_rows
        ).copy(),
        "compliance": lambda: _ratio(f["comply_nations"] + f["comply_labs"], n_all),
        "weighted_compliance": weighted,
        "compliance_nations": lambda: _ratio(f["comply_nations"], n_nat),
        "compliance_labs": lambda: _ratio(f["comply_labs"], n_lab),
        "weighted_compliance_nations": lambda: _ratio(
            f["comply_capability_nations"], f["capability_nations"]
        ),
        "weighted_compliance_labs": lambda: _ratio(
            f["comply_capability_labs"], f["capability_labs"]
        ),
        "bound_compliance": bound,
        "defecting_share": lambda: 1.0 - weighted(),
        "detections": lambda: count("caught_domestic") + count("caught_international"),
        "detections_domestic": lambda: count("caught_domestic"),
        "detections_international": lambda: count("caught_international"),
        "false_alarms": lambda: count("false_alarms"),
        "sanctions_paid": lambda: f["sanctions_paid"].copy(),
        "mean_payoff": lambda: f["total_payoff"] / n_all,
        "total_payoff": lambda: f["total_payoff"].copy(),
        "mean_belief": lambda: f["belief_sum"] / n_all,
        "pause_active": lambda: active().astype(float),
        "holds": holds,
        "flags": lambda: count("flags"),
        "sanctions_applied": lambda: count("sanctions_applied"),
        "sanctions_blocked_by_vote": lambda: np.zeros(n_rows, dtype=np.int64),
        "sanctions_blocked_by_veto": lambda: np.zeros(n_rows, dtype=np.int64),
        "inspections": lambda: count("inspections"),
        "leader_share": lambda: _ratio(f["max_capability"], cap_all()),
        "defector_lead": lambda: np.where(
            (f["max_capability_defecting"] >= 0) & (f["max_capability_complying"] >= 0),
            _ratio(f["max_capability_defecting"] - f["max_capability_complying"], cap_all()),
            np.nan,
        ),
        "belief_error": lambda: np.full(n_rows, np.nan),
        "catastrophe": lambda: np.zeros(n_rows, dtype=np.int64),
        **{name: (lambda: np.full(n_rows, np.nan)) for name in TREATY_FIELDS},
    }
    wanted = TIMESERIES_COLUMNS if columns is None else columns
    unknown = [c for c in wanted if c not in make]
    if unknown:
        raise ValueError(
            f"unknown time-series columns {unknown}; allowed: " + ", ".join(TIMESERIES_COLUMNS)
        )
    return {name: make[name]() for name in wanted}


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

    def series(
        self,
        first: int,
        stop: int,
        n_nations: int,
        n_actors: int,
        stability_threshold: float,
        catastrophe_step: int | None,
        treaty_row: tuple[float, ...] | None = None,
        columns: Sequence[str] | None = None,
        base: Mapping[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """The named time-series columns for steps ``first`` to ``stop - 1``.

        ``treaty_row``: when the treaty's mechanisms are off its row never changes, and this
        row stands for every step instead of the recorded ones. ``columns``: only these of
        :data:`TIMESERIES_COLUMNS` (default: all, and the per-bloc columns). ``base``: these
        columns already computed from the rows by :func:`metrics_from_records` (for many runs
        at once); the per-step counters kept beside the rows are filled in as usual.
        """
        rec = self.rows[first:stop]
        wanted = TIMESERIES_COLUMNS if columns is None else tuple(columns)
        out = (
            metrics_from_records(rec, n_nations, n_actors, stability_threshold, first, wanted)
            if base is None
            else dict(base)
        )
        blocked = self.blocked[first:stop]
        if "sanctions_blocked_by_vote" in out:
            out["sanctions_blocked_by_vote"] = np.rint(blocked[:, 0]).astype(np.int64)
        if "sanctions_blocked_by_veto" in out:
            out["sanctions_blocked_by_veto"] = np.rint(blocked[:, 1]).astype(np.int64)
        if "belief_error" in out:
            out["belief_error"] = self.belief_error[first:stop].copy()
        if any(name in out for name in TREATY_FIELDS):
            tr = (
                self.treaty[first:stop]
                if treaty_row is None
                else np.tile(treaty_row, (len(rec), 1))
            )
            for i, name in enumerate(TREATY_FIELDS):
                if name in out:
                    out[name] = tr[:, i].copy()
        if "catastrophe" in out:
            step = np.arange(first, first + len(rec))
            out["catastrophe"] = (step == catastrophe_step).astype(np.int64)
        if columns is None:
            bloc_paid = self.bloc_paid[first:stop]
            for b in range(bloc_paid.shape[1]):
                out[f"sanctions_paid_bloc_{b}"] = bloc_paid[:, b].copy()
        return out
