"""Teaching scenarios: machine-readable claims, their contrasts, and replicated checks.

A teaching scenario is a scenario file (``experiments/scenarios/NAME.toml``) whose ``[meta]``
states a **claim** about the model and a **contrast**: a few changed parameters for which the
claim must fail::

    [meta.claim]
    text = "Weighted compliance falls below 0.1 within 24 months."
    outcome = "compliance_below"   # a name in OUTCOMES
    level = 0.1                    # the outcome's level, when it has one
    horizon = 24                   # months the outcome looks at (1..horizon)
    share = 0.9                    # the claim: at least this share of replicates

    [meta.contrast]
    text = "With trust_but_verify's verification compliance stays high."
    params = { verification = "custom", p_detect = 0.6 }

A claim *holds* over ``n`` replicates when the Wilson 95% interval of the share of replicates
showing the outcome lies above ``share``; its contrast *fails* when the interval of the same
outcome under the contrast's parameters lies below ``share``. An interval that contains
``share`` decides neither way: the check is *inconclusive* at that ``n``
(:attr:`ClaimCheck.claim_verdict`), and :func:`replicates_needed` says how many replicates the
observed share would need (even 20 of 20 replicates cannot show a claim of 0.9: the Wilson
lower bound of ``n`` of ``n`` is ``n / (n + z**2)``, above 0.9 only from ``n = 35``).

Every replicate's seed derives from a master seed and the replicate number through
``numpy.random.SeedSequence``; the claim and its contrast use the same seeds (common random
numbers).

Example:
    >>> from experiments.teaching import check_claim, load_teaching
    >>> case = load_teaching("open_letter_2023")
    >>> result = check_claim(case, replicates=50)
    >>> result.claim.share, result.claim.interval()          # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from experiments.analysis.common import wilson_interval
from experiments.scenarios import list_scenarios, load_scenario
from model.engine import Engine
from model.scenario import Scenario

__all__ = [
    "OUTCOMES",
    "Claim",
    "ClaimCheck",
    "Contrast",
    "Share",
    "TeachingScenario",
    "Trace",
    "check_claim",
    "load_teaching",
    "replicate_cost",
    "replicate_seed",
    "replicates_needed",
    "run_trace",
    "teaching_names",
    "wilson_interval",
]

#: The master seed of the claim tests and of ``pausegame claims``.
MASTER_SEED = 20260611


# ------------------------------------------------------------------------------ statistics
@dataclass(frozen=True)
class Share:
    """The share of replicates showing an outcome."""

    successes: int
    n: int

    @property
    def share(self) -> float:
        """The share ``successes / n`` (NaN for no replicates)."""
        return self.successes / self.n if self.n else math.nan

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """The Wilson score interval (95% by default; :func:`wilson_interval`)."""
        low, high = wilson_interval(self.successes, self.n, confidence)
        return float(low), float(high)

    def describe(self) -> str:
        """``0.97 (194/200; Wilson 95% 0.94-0.99)``."""
        lo, hi = self.interval()
        return f"{self.share:.3f} ({self.successes}/{self.n}; Wilson 95% {lo:.3f}-{hi:.3f})"


#: Largest replicate count :func:`replicates_needed` looks at.
_MAX_REPLICATES = 10**7


def replicates_needed(
    observed: float, claimed: float, *, above: bool = True, confidence: float = 0.95
) -> int | None:
    """The fewest replicates at which a share ``observed`` decides against ``claimed``.

    With ``above`` (a claim), the smallest ``n`` whose Wilson interval of ``observed * n``
    successes in ``n`` lies above ``claimed``; otherwise (a contrast) below it. None when no
    ``n`` would do: ``observed`` is on the wrong side of ``claimed`` or equal to it (or it
    needs more than ten million). The Wilson bound moves monotonically towards ``observed``
    as ``n`` grows, so the answer is found by bisection.

    Example:
        >>> replicates_needed(1.0, 0.9)      # n / (n + 1.96**2) > 0.9 from n = 35
        35
    """

    def decided(n: int) -> bool:
        low, high = wilson_interval(observed * n, n, confidence)
        return bool(low > claimed) if above else bool(high < claimed)

    if (observed <= claimed) if above else (observed >= claimed):
        return None
    if not decided(_MAX_REPLICATES):
        return None
    lo, hi = 0, _MAX_REPLICATES  # decided(hi), not decided(lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid and decided(mid):
            hi = mid
        else:
            lo = mid
    return hi


# ------------------------------------------------------------------------------ claims
@dataclass(frozen=True)
class Claim:
    """A scenario's machine-readable claim (``[meta.claim]``).

    Attributes:
        text: The claim in words.
        outcome: The name of the outcome (a key of :data:`OUTCOMES`).
        horizon: Months the outcome looks at (steps 1..horizon).
        share: The claimed share of replicates.
        level: The outcome's level, when it has one (a compliance, a share, ...).
        options: Further outcome options (e.g. ``hold_until``).
    """

    text: str
    outcome: str
    horizon: int
    share: float
    level: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Contrast:
    """The variant for which the claim must fail (``[meta.contrast]``)."""

    text: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class TeachingScenario:
    """A scenario with its narrative, claim and contrast."""

    scenario: Scenario
    narrative: str
    claim: Claim
    contrast: Contrast

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def title(self) -> str:
        """The scenario's title."""
        return str(self.scenario.meta.get("title", self.name))

    @property
    def summary(self) -> str:
        """The scenario's one-line summary."""
        return str(self.scenario.meta.get("summary", ""))

    def variant(self, contrast: bool) -> Scenario:
        """The scenario itself, or with the contrast's parameters."""
        if not contrast:
            return self.scenario
        return replace(self.scenario, params={**self.scenario.params, **self.contrast.params})


def _claim_from_meta(meta: Mapping[str, Any], source: str) -> tuple[Claim, Contrast]:
    raw = meta.get("claim")
    con = meta.get("contrast")
    if not isinstance(raw, Mapping) or not isinstance(con, Mapping):
        raise ValueError(f"{source}: a teaching scenario needs [meta.claim] and [meta.contrast]")
    known = {"text", "outcome", "horizon", "share", "level"}
    outcome = str(raw["outcome"])
    if outcome not in OUTCOMES:
        raise ValueError(
            f"{source}: [meta.claim] outcome={outcome!r} is not allowed; allowed: "
            f"{', '.join(sorted(OUTCOMES))}"
        )
    level = raw.get("level")
    claim = Claim(
        text=str(raw["text"]),
        outcome=outcome,
        horizon=int(raw["horizon"]),
        share=float(raw["share"]),
        level=None if level is None else float(level),
        options={k: v for k, v in raw.items() if k not in known},
    )
    params = con.get("params", {})
    if not isinstance(params, Mapping):
        raise ValueError(f"{source}: [meta.contrast] params must be a table")
    return claim, Contrast(text=str(con.get("text", "")), params=dict(params))


def load_teaching(path_or_name: str | Path) -> TeachingScenario:
    """Read a teaching scenario: the scenario, its narrative, its claim and its contrast.

    Raises:
        ScenarioError: For a bad scenario file.
        ValueError: When the file has no claim or contrast, or an unknown outcome.
    """
    scenario, narrative = load_scenario(path_or_name)
    claim, contrast = _claim_from_meta(scenario.meta, scenario.name)
    return TeachingScenario(scenario, narrative or "", claim, contrast)


def teaching_names() -> list[str]:
    """Names of the shipped scenarios that state a claim, sorted."""
    out = []
    for name in list_scenarios():
        scenario, _ = load_scenario(name)
        if isinstance(scenario.meta.get("claim"), Mapping):
            out.append(name)
    return out


# ------------------------------------------------------------------------------ runs
@dataclass
class Trace:
    """One run and what the outcomes read from it.

    Attributes:
        engine: The engine after the run.
        series: Its time series (row 0 is the start).
        nation_capability: Capability of each nation's jurisdiction (programme and labs) per
            step, shape (steps + 1, n_nations).
        members: Treaty membership per step, shape (steps + 1, n_nations).
        defect: Every actor's action per step (True = defect), shape (steps + 1, N).
        counterfactual: A paired run, when an outcome asks for one.
    """

    engine: Engine
    series: dict[str, np.ndarray]
    nation_capability: np.ndarray
    members: np.ndarray
    defect: np.ndarray
    counterfactual: Trace | None = None

    @property
    def collapse_step(self) -> int | None:
        """The run's collapse step (None when the pause held)."""
        return self.engine.summary().collapse_step


def replicate_seed(master_seed: int, replicate: int) -> int:
    """Replicate ``replicate``'s seed: ``SeedSequence(master_seed, spawn_key=(replicate,))``."""
    seq = np.random.SeedSequence(master_seed, spawn_key=(replicate,))
    return int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def run_trace(
    scenario: Scenario,
    seed: int,
    *,
    steps: int | None = None,
    event_log: bool = False,
    on_step: Callable[[Engine], None] | None = None,
) -> Trace:
    """Run a scenario for ``steps`` months (default: its ``steps``), recording a :class:`Trace`.

    Args:
        scenario: The scenario (its ``[params]`` apply).
        seed: The run's seed.
        steps: Months to run.
        event_log: Record the event log (for narration).
        on_step: Called after every step with the engine (narration).
    """
    params = dict(scenario.params)
    if steps is not None:
        params["steps"] = steps
    engine = Engine.from_params(params, rng=seed, scenario=scenario, event_log=event_log)
    n_steps = int(engine.params["steps"])
    w = engine.world
    caps = [np.bincount(w.home, weights=w.capability, minlength=w.n_nations)]
    members = [engine.member.copy()]
    defect = [engine.defect.copy()]
    for _ in range(n_steps):
        if engine.catastrophe_step is not None:
            break
        engine.step()
        caps.append(np.bincount(w.home, weights=w.capability, minlength=w.n_nations))
        members.append(engine.member.copy())
        defect.append(engine.defect.copy())
        if on_step is not None:
            on_step(engine)
    return Trace(engine, engine.timeseries(), np.array(caps), np.array(members), np.array(defect))


# ------------------------------------------------------------------------------ outcomes
Outcome = Callable[[Trace, Claim], bool]


def _window(trace: Trace, column: str, claim: Claim) -> np.ndarray:
    return np.asarray(trace.series[column][1 : claim.horizon + 1], dtype=float)


def _level(claim: Claim) -> float:
    if claim.level is None:
        raise ValueError(f"outcome {claim.outcome!r} needs a level")
    return claim.level


def compliance_below(trace: Trace, claim: Claim) -> bool:
    """Capability-weighted compliance falls below ``level`` within the horizon."""
    return bool(np.any(_window(trace, "weighted_compliance", claim) < _level(claim)))


def holds(trace: Trace, claim: Claim) -> bool:
    """The pause does not collapse within the horizon (and was active at some point)."""
    cs = trace.collapse_step
    active = np.nansum(_window(trace, "pause_active", claim)) > 0
    return bool(active and (cs is None or cs > claim.horizon))


def collapses(trace: Trace, claim: Claim) -> bool:
    """The pause collapses within the horizon."""
    cs = trace.collapse_step
    return cs is not None and cs <= claim.horizon


def holds_then_collapses(trace: Trace, claim: Claim) -> bool:
    """The pause holds through month ``hold_until`` and collapses later, within the horizon."""
    cs = trace.collapse_step
    hold_until = int(claim.options.get("hold_until", 12))
    return cs is not None and hold_until < cs <= claim.horizon


def members_at_least(trace: Trace, claim: Claim) -> bool:
    """At the horizon, members are at least ``level`` of all nations."""
    t = min(claim.horizon, len(trace.members) - 1)
    return bool(trace.members[t].mean() >= _level(claim) - 1e-12)


def veto_blocs_defect(trace: Trace, claim: Claim) -> bool:
    """The pause collapses and the veto powers' blocs hold most of the defecting capability.

    "Most": at least ``level`` of the capability that defects, averaged over the months from
    the collapse to the horizon.
    """
    cs = trace.collapse_step
    if cs is None or cs > claim.horizon:
        return False
    eng = trace.engine
    bloc = np.asarray(eng.world.bloc)
    powers = np.asarray(eng.veto_powers, dtype=np.int64)
    in_veto_bloc = np.isin(bloc, bloc[powers])
    defect = trace.defect[cs : claim.horizon + 1]
    home = eng.world.home
    # the engine keeps only the current capabilities (they change only under rsi=on)
    cap = np.asarray(eng.world.capability, dtype=float)
    share = []
    for row in defect:
        total = float(cap[row].sum())
        if total > 0:
            share.append(float(cap[row & in_veto_bloc[home]].sum()) / total)
    return bool(share) and float(np.mean(share)) >= _level(claim)


def unilateral_futile(trace: Trace, claim: Claim) -> bool:
    """A unilateral pause does not solve the problem (three parts, all within the horizon).

    1. The other nations' capability-weighted defection, averaged over the horizon, is no lower
       than in the paired run without the commitment (same seed), to within ``tolerance``.
    2. The committed nation (``nation``) loses the capability lead: some other nation's
       jurisdiction becomes more capable.
    3. The defecting capability share passes ``level``.
    """
    cf = trace.counterfactual
    if cf is None:
        raise ValueError("unilateral_futile needs the paired run without the commitment")
    nation = trace.engine.world.names.index(str(claim.options["nation"]))
    tolerance = float(claim.options.get("tolerance", 0.02))
    others_with = _others_defection(trace, nation, claim.horizon)
    others_without = _others_defection(cf, nation, claim.horizon)
    caps = trace.nation_capability[1 : claim.horizon + 1]
    rivals = np.delete(caps, nation, axis=1).max(axis=1)
    lost_lead = bool(np.any(rivals > caps[:, nation]))
    passes = bool(np.any(_window(trace, "defecting_share", claim) > _level(claim)))
    return others_with >= others_without - tolerance and lost_lead and passes


def _others_defection(trace: Trace, nation: int, horizon: int) -> float:
    """Defection of the actors outside ``nation``, averaged over months 1..horizon.

    Weighted by the actors' capabilities at the end of the run.
    """
    home = trace.engine.world.home
    others = home != nation
    weights = np.asarray(trace.engine.world.capability, dtype=float)[others]
    rows = trace.defect[1 : horizon + 1][:, others]
    return float(np.mean(rows @ weights / weights.sum()))


#: Outcomes a claim can name.
OUTCOMES: dict[str, Outcome] = {
    "compliance_below": compliance_below,
    "holds": holds,
    "collapses": collapses,
    "holds_then_collapses": holds_then_collapses,
    "members_at_least": members_at_least,
    "veto_blocs_defect": veto_blocs_defect,
    "unilateral_futile": unilateral_futile,
}

#: Outcomes that compare with a paired run; the function makes the paired scenario.
PAIRED: dict[str, Callable[[Scenario, Claim], Scenario]] = {}


def _uncommitted(scenario: Scenario, claim: Claim) -> Scenario:
    """The same scenario without ``claim.options['nation']``'s commitment."""
    name = str(claim.options["nation"])
    nations = tuple(
        replace(n, committed=None, action=None) if n.name == name else n for n in scenario.nations
    )
    return replace(scenario, nations=nations)


PAIRED["unilateral_futile"] = _uncommitted


def evaluate(case: TeachingScenario, seed: int, *, contrast: bool = False) -> bool:
    """Whether one replicate (seed ``seed``) shows the claim's outcome."""
    claim = case.claim
    scenario = case.variant(contrast)
    steps = max(claim.horizon, int(scenario.params.get("steps", claim.horizon)))
    trace = run_trace(scenario, seed, steps=steps)
    if claim.outcome in PAIRED:
        trace.counterfactual = run_trace(PAIRED[claim.outcome](scenario, claim), seed, steps=steps)
    return OUTCOMES[claim.outcome](trace, claim)


def replicate_cost(case: TeachingScenario) -> tuple[float, int]:
    """About how long one replicate of a claim and its contrast takes, and its largest run.

    Returns:
        The seconds (:func:`experiments.limits.run_seconds` of every run a replicate makes) and
        the bytes of the largest run (:func:`experiments.limits.run_bytes`), from the sizes.
    """
    from experiments.limits import run_bytes, run_seconds
    from model.params import resolve_run

    seconds, largest = 0.0, 0
    runs = 2 if case.claim.outcome in PAIRED else 1
    for contrast in (False, True):
        scenario = case.variant(contrast)
        steps = max(case.claim.horizon, int(scenario.params.get("steps", case.claim.horizon)))
        params = resolve_run({"steps": steps, "seed": 0}, scenario, draw_seed=False)
        seconds += runs * run_seconds(params)
        largest = max(largest, run_bytes(params))
    return seconds, largest


@dataclass(frozen=True)
class ClaimCheck:
    """A claim and its contrast, checked over the same replicates."""

    name: str
    claimed: float
    claim: Share
    contrast: Share

    @property
    def claim_holds(self) -> bool:
        """The claim's Wilson interval lies above the claimed share."""
        return self.claim.interval()[0] > self.claimed

    @property
    def contrast_fails(self) -> bool:
        """The contrast's Wilson interval lies below the claimed share."""
        return self.contrast.interval()[1] < self.claimed

    @property
    def claim_verdict(self) -> str:
        """The claim's verdict: ``holds``, ``fails`` or ``inconclusive``.

        ``holds``: the Wilson interval lies above the claimed share; ``fails``: below it;
        ``inconclusive``: it contains it (more replicates are needed).
        """
        low, high = self.claim.interval()
        return (
            "holds" if low > self.claimed else ("fails" if high < self.claimed else "inconclusive")
        )

    @property
    def contrast_verdict(self) -> str:
        """The contrast's verdict: ``fails``, ``does not fail`` or ``inconclusive``.

        ``fails`` (as it should): the interval lies below the claimed share; ``does not
        fail``: above it; ``inconclusive``: it contains it.
        """
        low, high = self.contrast.interval()
        return (
            "fails"
            if high < self.claimed
            else ("does not fail" if low > self.claimed else "inconclusive")
        )

    @property
    def verdict(self) -> str:
        """The check's verdict: ``shown``, ``failed`` or ``inconclusive``.

        ``shown``: the claim holds and its contrast fails; ``failed``: the claim fails or the
        contrast does not; ``inconclusive``: neither, at this number of replicates.
        """
        if self.claim_verdict == "fails" or self.contrast_verdict == "does not fail":
            return "failed"
        if self.claim_holds and self.contrast_fails:
            return "shown"
        return "inconclusive"

    def claim_needs(self) -> int | None:
        """Replicates the claim's observed share needs to hold (None: none would do)."""
        return replicates_needed(self.claim.share, self.claimed, above=True)

    def contrast_needs(self) -> int | None:
        """Replicates the contrast's observed share needs to fail (None: none would do)."""
        return replicates_needed(self.contrast.share, self.claimed, above=False)


def check_claim(
    case: TeachingScenario | str, replicates: int = 200, *, master_seed: int = MASTER_SEED
) -> ClaimCheck:
    """Run the claim and its contrast over ``replicates`` seeds each.

    Args:
        case: A teaching scenario or its name.
        replicates: Replicates of each.
        master_seed: Seeds derive from it with :func:`replicate_seed`.
    """
    if not isinstance(case, TeachingScenario):
        case = load_teaching(case)
    seeds: Sequence[int] = [replicate_seed(master_seed, r) for r in range(replicates)]
    hits = sum(evaluate(case, s) for s in seeds)
    contrast_hits = sum(evaluate(case, s, contrast=True) for s in seeds)
    return ClaimCheck(
        case.name, case.claim.share, Share(hits, replicates), Share(contrast_hits, replicates)
    )
