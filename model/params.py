"""The parameter schema: every parameter declared once, validated in one place.

The core's parameters are declared here (DESIGN.md section 2); each decision rule declares the
ones it reads in its own file, and :func:`schema` gathers them through the rule registry. The model
constructor, the CLI flags, scenario validation, ``pausegame params`` and (later) the app's
controls and the samplers are all generated from :func:`schema`.

Example:
    >>> from model.params import resolve
    >>> p = resolve({"p_detect": 0.5})
    >>> p.p_detect, p.penalty
    (0.5, 4.0)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.declare import Param
from agents.rules import rules
from model.adjudication import adjudication_rules, get_adjudication
from model.errors import ParameterError
from model.seeds import new_seed as new_seed
from model.verification import get_regime, regimes

if TYPE_CHECKING:
    import networkx as nx

    from model.scenario import Scenario

_NETWORKS = (
    "none",
    "complete",
    "erdos_renyi",
    "barabasi_albert",
    "watts_strogatz",
    "blocs",
    "explicit",
)

CORE: tuple[Param, ...] = (
    # --- payoffs -------------------------------------------------------------------------
    Param(
        "defect_gain",
        "float",
        1.0,
        "Gain per period from frontier development per unit of "
        "capability when defecting (the numeraire G = 1).",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 5.0),
        group="payoffs",
        symbol="G",
    ),
    Param(
        "race_pressure",
        "float",
        0.5,
        "How much the gain from defecting grows with the "
        "believed defection share of rivals: G * (1 + race_pressure * rho).",
        unit="",
        low=0.0,
        range=(0.0, 3.0),
        group="payoffs",
        symbol="lam",
    ),
    Param(
        "risk_cost",
        "float",
        1.0,
        "Shared risk: every actor pays risk_cost * c * R each "
        "period, R being the capability share that defects.",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 5.0),
        group="payoffs",
        symbol="r",
    ),
    Param(
        "risk_internalization",
        "float",
        0.0,
        "Share of the world's risk from its own "
        "defection that an actor weighs when deciding (0 ignores it, 1 like a planner).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="payoffs",
        symbol="phi",
    ),
    # --- verification --------------------------------------------------------------------
    Param(
        "p_detect",
        "float",
        0.3,
        "Probability per period that international verification catches a defector.",
        unit="per period",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
        symbol="p",
    ),
    Param(
        "p_domestic",
        "float",
        0.2,
        "Probability per period that a complying nation catches "
        "its own defecting lab under domestic law.",
        unit="per period",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
        symbol="p_dom",
    ),
    Param(
        "p_false_alarm",
        "float",
        0.02,
        "Probability per period that international verification wrongly flags a complier.",
        unit="per period",
        low=0.0,
        high=1.0,
        range=(0.0, 0.2),
        group="verification",
        symbol="q",
    ),
    Param(
        "verification_lag",
        "int",
        0,
        "Periods between a violation and its sanction.",
        unit="periods",
        low=0,
        range=(0, 24),
        group="verification",
        symbol="L",
    ),
    Param(
        "verification",
        "choice",
        "custom",
        "Verification regime: a named, illustrative preset "
        "of p_detect, p_false_alarm, verification_lag and coverage (values you set win).",
        group="verification",
    ),
    Param(
        "coverage",
        "float",
        1.0,
        "Share of violations observable at all; effective "
        "international detection is coverage * p_detect.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="verification",
    ),
    Param(
        "inspectorate",
        "choice",
        "global",
        "Who inspects whom: one international "
        "inspectorate ('global') or each alliance bloc its own members ('per_bloc'; only the "
        "bloc learns of a violation and can sanction it).",
        choices=("global", "per_bloc"),
        group="verification",
    ),
    Param(
        "inspection_quota",
        "int",
        0,
        "Actors that can be inspected each period (0: no limit, everyone is inspected).",
        unit="actors per period",
        low=0,
        range=(0, 60),
        group="verification",
    ),
    Param(
        "quota_allocation",
        "choice",
        "random",
        "How a quota is allocated: 'random', "
        "'capability' (in proportion to capability) or 'risk' (to last period's largest "
        "advantages to defect, flagged actors first).",
        choices=("random", "capability", "risk"),
        group="verification",
    ),
    # --- sanctions -----------------------------------------------------------------------
    Param(
        "penalty",
        "float",
        4.0,
        "Sanction per unit of capability when caught (or falsely "
        "flagged), before shielding by allies.",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 20.0),
        group="sanctions",
        symbol="F",
    ),
    Param(
        "discount",
        "float",
        0.95,
        "Per-period discount factor applied to lagged sanctions when actors decide.",
        unit="per period",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.5, 1.0),
        group="sanctions",
        symbol="delta",
    ),
    Param(
        "adjudication",
        "choice",
        "coalition",
        "Who decides on a flag:",  # then each rule's name and gloss (model/adjudication/)
        group="sanctions",
    ),
    Param(
        "sanction_quorum",
        "float",
        0.5,
        "Share of the voting weight that must vote yes for a "
        "sanction to pass (members_vote, great_power_veto).",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.05, 1.0),
        group="sanctions",
    ),
    Param(
        "n_veto_powers",
        "int",
        5,
        "Number of most capable nations holding a veto (great_power_veto).",
        unit="nations",
        low=0,
        range=(0, 10),
        group="sanctions",
    ),
    Param(
        "sanction_escalation",
        "float",
        0.0,
        "Graduated sanctions: the n-th sanctioned "
        "offence costs penalty * (1 + sanction_escalation * (n - 1)).",
        low=0.0,
        range=(0.0, 2.0),
        group="sanctions",
    ),
    Param(
        "max_escalation",
        "float",
        5.0,
        "Cap of graduated sanctions, as a multiple of penalty.",
        low=1.0,
        range=(1.0, 10.0),
        group="sanctions",
    ),
    # --- decisions -----------------------------------------------------------------------
    Param(
        "decision_rule",
        "choice",
        "logit",
        "How actors decide (a registered rule).",
        group="decisions",
    ),
    Param(
        "revision_rate",
        "float",
        1.0,
        "Share of actors that revise their action each period "
        "(exactly max(1, round(revision_rate * N)) of them; 'one' for exactly one).",
        unit="per period",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.01, 1.0),
        group="decisions",
        aliases=("one",),
    ),
    Param(
        "information",
        "choice",
        "perfect",
        "What actors know of others: 'perfect' (last "
        "period's actions), 'detected' (only international flags) or 'bayesian' (a posterior "
        "learned from the flags).",
        choices=("perfect", "detected", "bayesian"),
        group="decisions",
    ),
    Param(
        "belief_prior_mean",
        "float",
        0.1,
        "information=bayesian: prior mean of rivals' defection rate.",
        low=0.0,
        high=1.0,
        low_open=True,
        high_open=True,
        range=(0.01, 0.99),
        group="escalation",
    ),
    Param(
        "belief_prior_strength",
        "float",
        10.0,
        "information=bayesian: strength of the "
        "prior (Beta a + b, in pseudo-observations; 0 is uniform).",
        low=0.0,
        range=(0.0, 100.0),
        group="escalation",
    ),
    Param(
        "belief_forgetting",
        "float",
        0.1,
        "information=bayesian: share of the posterior "
        "forgotten (pulled back to the prior) each period, so beliefs track a changing "
        "world.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="escalation",
    ),
    Param(
        "rsi",
        "choice",
        "off",
        "Recursive self-improvement: defectors' capability "
        "compounds, faster for leaders when rsi_exponent > 1.",
        choices=("off", "on"),
        group="escalation",
    ),
    Param(
        "growth_rate",
        "float",
        0.1,
        "rsi=on: a defector's capability grows by growth_rate * "
        "(c / mean c) ** (rsi_exponent - 1) per period.",
        unit="per period",
        low=0.0,
        range=(0.0, 0.5),
        group="escalation",
    ),
    Param(
        "rsi_exponent",
        "float",
        1.5,
        "rsi=on: returns to relative capability (> 1: the "
        "leader runs away; 1: exponential growth).",
        low=0.0,
        low_open=True,
        range=(0.5, 3.0),
        group="escalation",
    ),
    Param(
        "safe_growth_rate",
        "float",
        0.0,
        "rsi=on: growth per period of compliers' capability (safety-compatible progress).",
        unit="per period",
        low=0.0,
        range=(0.0, 0.2),
        group="escalation",
    ),
    Param(
        "takeoff_share",
        "float",
        0.5,
        "Takeoff: the first step an actor holds more than this share of world capability.",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.1, 1.0),
        group="escalation",
    ),
    Param(
        "hazard_scale",
        "float",
        0.0,
        "Shared hazard: each period a catastrophe ends the run "
        "with probability 1 - exp(-hazard_scale * R ** hazard_exponent).",
        low=0.0,
        range=(0.0, 1.0),
        group="escalation",
    ),
    Param(
        "hazard_exponent",
        "float",
        1.0,
        "Shared hazard: how the catastrophe rate grows with the defecting capability share R.",
        low=0.0,
        low_open=True,
        range=(0.5, 3.0),
        group="escalation",
    ),
    Param(
        "initial_compliance",
        "float",
        1.0,
        "Share of actors complying at the start (an exact count, chosen at random).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="decisions",
    ),
    # --- population ----------------------------------------------------------------------
    Param(
        "n_nations",
        "int",
        12,
        "Number of nations.",
        unit="nations",
        low=2,
        range=(2, 60),
        app_max=100,
        group="population",
    ),
    Param(
        "n_labs",
        "int",
        48,
        "Number of AI labs, placed in nations in proportion to nation capability.",
        unit="labs",
        low=0,
        range=(0, 200),
        app_max=500,
        group="population",
    ),
    Param(
        "capability_dist",
        "choice",
        "lognormal",
        "Distribution capabilities are drawn from before normalising to world shares.",
        choices=("equal", "lognormal", "pareto"),
        group="population",
    ),
    Param(
        "capability_spread",
        "float",
        1.0,
        "Spread of the capability distribution (lognormal "
        "sigma; pareto 1 / shape); 0 makes everyone equal.",
        low=0.0,
        high=10.0,
        range=(0.0, 3.0),
        group="population",
    ),
    Param(
        "state_share",
        "float",
        0.25,
        "Share of world capability held by nations' own state "
        "programmes (all of it when there are no labs).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="population",
    ),
    # --- alliances -----------------------------------------------------------------------
    Param(
        "alliance_network",
        "choice",
        "blocs",
        "How nations are allied: a generator, or 'explicit' for a graph from a scenario or file.",
        choices=_NETWORKS,
        group="alliances",
    ),
    Param(
        "alliance_density",
        "float",
        0.3,
        "Edge density of the erdos_renyi, barabasi_albert "
        "and watts_strogatz generators (expected degree / (n_nations - 1)).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="alliances",
    ),
    Param(
        "alliance_weight",
        "float",
        0.8,
        "Weight w of every generated alliance tie: how much "
        "allies shield each other and stop being rivals.",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.05, 1.0),
        group="alliances",
        symbol="w",
    ),
    Param(
        "n_blocs",
        "int",
        2,
        "Number of dense alliance blocs of the 'blocs' generator.",
        unit="blocs",
        low=1,
        range=(1, 6),
        group="alliances",
    ),
    Param(
        "bloc_crosslink",
        "float",
        0.05,
        "Probability of a tie between two nations of different blocs in the 'blocs' generator.",
        low=0.0,
        high=1.0,
        range=(0.0, 0.5),
        group="alliances",
    ),
    Param(
        "alliance_rewiring",
        "float",
        0.1,
        "Rewiring probability of the watts_strogatz generator.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="alliances",
    ),
    # --- treaty --------------------------------------------------------------------------
    Param(
        "membership",
        "choice",
        "fixed",
        "'fixed': membership never changes (all nations, or "
        "the scenario's); 'negotiated': nations join or leave at negotiation rounds when "
        "membership pays.",
        choices=("fixed", "negotiated"),
        group="treaty",
    ),
    Param(
        "initial_membership",
        "float",
        1.0,
        "Share of nations that are members at the start "
        "(an exact count chosen at random, unless the scenario names members).",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="treaty",
    ),
    Param(
        "negotiation_interval",
        "int",
        12,
        "Periods between negotiation rounds (membership and terms).",
        unit="periods",
        low=1,
        range=(1, 60),
        group="treaty",
    ),
    Param(
        "national_interest",
        "float",
        1.0,
        "Weight a nation gives its labs' payoffs next to "
        "its own programme's when it decides on membership.",
        low=0.0,
        range=(0.0, 2.0),
        group="treaty",
    ),
    Param(
        "verification_cost",
        "float",
        0.0,
        "Members pay verification_cost * p_detect * c per period while the treaty binds.",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 2.0),
        group="treaty",
    ),
    Param(
        "outsider_penalty",
        "float",
        0.0,
        "Club penalty: an outsider pays outsider_penalty * "
        "c * M per period while the treaty binds, M being the members' (alliance-discounted) "
        "share of world enforcement weight.",
        unit="G per unit capability",
        low=0.0,
        range=(0.0, 5.0),
        group="treaty",
    ),
    Param(
        "entry_threshold",
        "float",
        0.0,
        "The treaty binds only while its members hold at least this share of world capability.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="treaty",
    ),
    Param(
        "terms_rule",
        "choice",
        "fixed",
        "How the detection terms are set at each round: "
        "'fixed' (p_detect as given), 'unanimity' (the lowest proposal), 'weighted_median' "
        "(the capability-weighted median proposal).",
        choices=("fixed", "unanimity", "weighted_median"),
        group="treaty",
    ),
    Param(
        "intrusion_aversion",
        "float",
        0.0,
        "How much a nation lowers its proposed detection "
        "for its own capability relative to the largest nation's.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="treaty",
    ),
    Param(
        "trigger",
        "choice",
        "immediate",
        "When the pause starts: 'immediate', 'date' (at "
        "trigger_step) or 'capability' (when an actor passes trigger_level of world "
        "capability).",
        choices=("immediate", "date", "capability"),
        group="treaty",
    ),
    Param(
        "trigger_step",
        "int",
        1,
        "trigger='date': the step the pause starts.",
        unit="periods",
        low=1,
        range=(1, 120),
        group="treaty",
    ),
    Param(
        "trigger_level",
        "float",
        0.3,
        "trigger='capability': the capability share of the "
        "most capable actor that starts the pause.",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.05, 1.0),
        group="treaty",
    ),
    Param(
        "lift",
        "choice",
        "never",
        "When the pause ends: 'never', 'duration' (after "
        "pause_duration periods) or 'safety' (when safety progress reaches lift_level).",
        choices=("never", "duration", "safety"),
        group="treaty",
    ),
    Param(
        "pause_duration",
        "int",
        24,
        "lift='duration': periods the pause lasts.",
        unit="periods",
        low=1,
        range=(1, 120),
        group="treaty",
    ),
    Param(
        "safety_rate",
        "float",
        0.05,
        "lift='safety': safety progress per period while the pause holds.",
        unit="per period",
        low=0.0,
        range=(0.0, 0.5),
        group="treaty",
    ),
    Param(
        "lift_level",
        "float",
        1.0,
        "lift='safety': the safety progress that lifts the pause.",
        low=0.0,
        low_open=True,
        range=(0.1, 5.0),
        group="treaty",
    ),
    Param(
        "betrayal_penalty",
        "float",
        0.0,
        "When a nation or its lab is sanctioned, each complying ally lowers its tie by this.",
        low=0.0,
        high=1.0,
        range=(0.0, 1.0),
        group="treaty",
    ),
    Param(
        "min_alliance_weight",
        "float",
        0.05,
        "Ties weaker than this break.",
        low=0.0,
        high=1.0,
        range=(0.0, 0.5),
        group="treaty",
    ),
    Param(
        "trust_building",
        "float",
        0.0,
        "Two allied members that both complied for "
        "trust_window periods strengthen their tie by this (up to 1).",
        low=0.0,
        high=1.0,
        range=(0.0, 0.5),
        group="treaty",
    ),
    Param(
        "trust_window",
        "int",
        12,
        "Periods of joint compliance that build trust.",
        unit="periods",
        low=1,
        range=(1, 60),
        group="treaty",
    ),
    # --- run -----------------------------------------------------------------------------
    Param(
        "stability_threshold",
        "float",
        0.9,
        "The pause holds while the capability-weighted "
        "compliance of bound actors is at least this.",
        low=0.0,
        high=1.0,
        low_open=True,
        range=(0.5, 1.0),
        group="run",
    ),
    Param(
        "collapse_patience",
        "int",
        3,
        "Consecutive periods below the threshold that make a collapse (one noisy month is not).",
        unit="periods",
        low=1,
        range=(1, 12),
        group="run",
    ),
    Param(
        "steps",
        "int",
        120,
        "Number of periods (months) to run.",
        unit="periods",
        low=1,
        range=(12, 600),
        app_max=1000,
        group="run",
    ),
    Param(
        "seed",
        "seed",
        None,
        "Seed of the run's random number generator (none: drawn fresh and recorded).",
        group="run",
    ),
)


def schema() -> dict[str, Param]:
    """Every declared parameter by name: the core's, then each registered rule's."""
    table = {p.name: p for p in CORE}
    registered = rules()
    table["decision_rule"] = _with_choices(table["decision_rule"], tuple(registered))
    table["verification"] = _with_choices(table["verification"], tuple(regimes()))
    judges = adjudication_rules()
    glosses = ", ".join(f"'{name}' ({rule.gloss})" for name, rule in judges.items())
    table["adjudication"] = _with_choices(
        table["adjudication"], tuple(judges), help=f"{table['adjudication'].help} {glosses}."
    )
    for rule in registered.values():
        for p in rule.params:
            if p.name in table and table[p.name] != p:
                raise ValueError(
                    f"parameter {p.name!r} is declared twice, differently (by rule {rule.name!r})"
                )
            table[p.name] = p
    return table


def _with_choices(p: Param, choices: tuple[str, ...], **changes: Any) -> Param:
    from dataclasses import replace

    return replace(p, choices=choices, **changes)


def defaults() -> dict[str, Any]:
    """The default value of every parameter."""
    return {name: p.default for name, p in schema().items()}


def unknown_name_error(name: str, table: Mapping[str, Param]) -> ParameterError:
    """The error for a parameter name the schema does not know, with the closest names."""
    close = difflib.get_close_matches(name, table, n=3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return ParameterError(
        name,
        None,
        "see `pausegame params`",
        message=f"unknown parameter {name!r}; {hint}see `pausegame params` for every parameter",
    )


def coerce(p: Param, value: Any) -> Any:
    """Validate one value against its declaration; return it in its canonical type.

    Raises:
        ParameterError: naming the field, the value and the allowed range.
    """
    allowed = p.bounds_text()
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        value = value.item()  # numpy scalars behave as the Python number they hold
    if isinstance(value, str) and value in p.aliases:
        return value
    if p.kind == "choice":
        if not isinstance(value, str) or value not in p.choices:
            raise ParameterError(p.name, value, allowed)
        return value
    if p.kind == "seed":
        if value is None:
            return None
        if isinstance(value, bool) or not _is_integral(value) or int(value) < 0:
            raise ParameterError(p.name, value, allowed)
        return int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float)):
        raise ParameterError(p.name, value, allowed, why="has the wrong type")
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(p.name, value, allowed, why="is not a finite number")
    if p.kind == "int":
        if not _is_integral(value):
            raise ParameterError(p.name, value, allowed, why="is not an integer")
        value = int(value)
    else:
        value = float(value)
    lo, hi = p.low, p.high
    if lo is not None and (value < lo or (p.low_open and value == lo)):
        raise ParameterError(p.name, value, allowed, why="is out of bounds")
    if hi is not None and (value > hi or (p.high_open and value == hi)):
        raise ParameterError(p.name, value, allowed, why="is out of bounds")
    return value


def _is_integral(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def parse_text(p: Param, text: str) -> Any:
    """Parse a value typed on the command line (or into a text box) and validate it."""
    raw = text.strip()
    if raw in p.aliases:
        return raw
    if p.kind == "choice":
        return coerce(p, raw)
    if p.kind == "seed" and raw.lower() in ("", "none", "null"):
        return None
    try:
        value: Any = (
            int(raw) if p.kind in ("int", "seed") and raw.lstrip("+-").isdigit() else float(raw)
        )
    except ValueError:
        raise ParameterError(p.name, raw, p.bounds_text(), why="is not a number") from None
    return coerce(p, value)


class Params(Mapping[str, Any]):
    """A complete, validated, immutable set of parameter values.

    Behaves as a read-only mapping and gives attribute access (``params.p_detect``).
    Build one with :func:`resolve`.
    """

    __slots__ = ("_given", "_values")

    def __init__(self, values: Mapping[str, Any], given: frozenset[str] | None = None) -> None:
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_given", frozenset(values) if given is None else given)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params are immutable; use params.replace(...)")

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Params({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Params, (self._values, self._given))

    @property
    def given(self) -> frozenset[str]:
        """Names set explicitly (the rest are defaults or a regime's presets)."""
        return self._given

    def replace(self, **changes: Any) -> Params:
        """A new validated Params with some values changed.

        Values set explicitly before stay set; a changed ``verification`` regime applies its
        presets to every verification parameter not set explicitly.
        """
        kept = {k: v for k, v in self._values.items() if k in self._given}
        return resolve({**kept, **changes})

    def to_dict(self) -> dict[str, Any]:
        """A plain dict copy."""
        return dict(self._values)


class RecordingParams(Params):
    """Params that note which names are read (to learn what a computation depends on).

    ``seen`` holds every name read through ``params[name]``, ``get``, attribute access or
    iteration since construction.
    """

    __slots__ = ("seen",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        object.__setattr__(self, "seen", set())

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def __getattr__(self, name: str) -> Any:
        self.seen.add(name)
        return super().__getattr__(name)

    def __iter__(self) -> Iterator[str]:
        self.seen.update(self._values)
        return super().__iter__()

    def to_dict(self) -> dict[str, Any]:
        """A plain dict copy (every name counts as read)."""
        self.seen.update(self._values)
        return super().to_dict()


def resolve(overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Params:
    """Defaults overlaid with ``overrides`` and ``kwargs``, every value validated.

    Raises:
        ParameterError: for an unknown name, a wrong type, NaN or infinity, a value out of
            bounds, or a contradiction between fields (``n_blocs`` above ``n_nations``).
    """
    table = schema()
    given = {**(overrides or {}), **kwargs}
    values = {name: p.default for name, p in table.items()}
    for name, value in given.items():
        if name not in table:
            raise unknown_name_error(name, table)
        values[name] = coerce(table[name], value)
    for name, value in get_regime(values["verification"]).presets.items():
        if name not in given:
            values[name] = coerce(table[name], value)
    _check_together(values)
    return Params(values, frozenset(given))


def _check_together(v: Mapping[str, Any]) -> None:
    if v["trigger"] == "date" and v["trigger_step"] > v["steps"]:
        raise ParameterError(
            "trigger_step",
            v["trigger_step"],
            f"an integer in [1, steps={v['steps']}]",
            why="is after the last step, so the pause would never start",
        )
    n_actors = v["n_nations"] + v["n_labs"]
    if v["inspection_quota"] > n_actors:
        raise ParameterError(
            "inspection_quota",
            v["inspection_quota"],
            f"an integer in [0, n_nations + n_labs = {n_actors}]",
            why="is larger than the number of actors",
        )
    get_adjudication(v["adjudication"]).check(v)
    if v["alliance_network"] == "blocs" and v["n_blocs"] > v["n_nations"]:
        raise ParameterError(
            "n_blocs",
            v["n_blocs"],
            f"an integer in [1, n_nations={v['n_nations']}]",
            why="is larger than the number of nations",
        )


def resolve_run(
    values: Mapping[str, Any] | None = None,
    scenario: Scenario | None = None,
    graph: nx.Graph | None = None,
    *,
    draw_seed: bool = True,
) -> Params:
    """The parameters of one run: the scenario's ``[params]`` < ``values``, validated, seeded.

    The one place where a run's parameters are put together (the engine, the Mesa model, the
    CLI, batches and the per-agent reference all call it). A ``[[nations]]`` table sets
    ``n_nations`` (and ``n_labs`` when it places labs), and ``[[alliances]]`` or an explicit
    graph set ``alliance_network='explicit'``, unless the values say otherwise (a
    contradiction is then reported when the world is built). With ``draw_seed`` and no
    ``seed`` anywhere, a fresh one is drawn (:func:`new_seed`) and recorded in the result.

    Example:
        >>> resolve_run({"seed": 3, "p_detect": 0.5})["p_detect"]
        0.5
        >>> resolve_run({"seed": None})["seed"] is not None
        True
    """
    merged = {**(dict(scenario.params) if scenario is not None else {}), **dict(values or {})}
    if scenario is not None and scenario.nations:
        merged.setdefault("n_nations", len(scenario.nations))
        if any(n.labs is not None for n in scenario.nations):
            merged.setdefault(
                "n_labs",
                sum(
                    n.labs if isinstance(n.labs, int) else len(n.labs or ())
                    for n in scenario.nations
                ),
            )
        if scenario.alliances:
            merged.setdefault("alliance_network", "explicit")
    if graph is not None:
        merged.setdefault("alliance_network", "explicit")
    params = resolve(merged)
    if draw_seed and params["seed"] is None:
        params = params.replace(seed=new_seed())
    return params
