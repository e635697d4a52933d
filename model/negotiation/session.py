"""The treaty negotiated in a run: bargaining before the months, under a protocol (#29).

With ``protocol`` other than ``terms_rule`` a run opens with a negotiation
(DESIGN.md section 7, model/ODD.md section 3.9), computed by :func:`negotiate` when the engine
is built, before its first month:

1. **Terms on the table.** The scenario's ``[negotiation]`` table (:func:`model.params.terms
   .term_box`), else :data:`DEFAULT_BOX` (``p_detect`` and ``penalty`` over their ranges),
   sampled on at most ``max_term_points`` points (:func:`model.params.terms.term_points`).
2. **Valuation.** Every nation's month value ``S_i`` of every point, as if every nation signed,
   over the status quo of no treaty: from the mean-field theory
   (:class:`~model.negotiation.valuation.TheoryValuation`) where it covers the world and the
   terms, otherwise from the batched simulation
   (:class:`~model.negotiation.simulated.SimulatedValuation`) over ``n_worlds`` copies of the
   run's world, on the child ``(..., 1)`` of the negotiation's seed sequence. Both count a
   catastrophe as a loss of ``X = G / (1 - discount)`` per unit of capability in the month it
   happens, under the terms and under the status quo alike, so a treaty that lowers the
   hazard gains more the higher the hazard.
3. **Discount per round.** ``delta = discount ** round_months * (1 - H)``, ``H`` the probability
   of a catastrophe during a round's months under the status quo: by theory
   ``1 - exp(-hazard_scale * round_months * R0 ** hazard_exponent)`` with ``R0`` the theory's
   defecting share without a treaty, simulated the worlds' share with a catastrophe in those
   months; urgency lowers ``delta``. The same for every nation (the hazard is shared).
4. **Equilibrium.** The protocol's stationary subgame-perfect play over the points
   (:func:`~model.negotiation.solve` on a :class:`~model.negotiation.valuation.TermSurplus`;
   with transfers when ``max_transfer_share > 0``). The players are the nations, or for
   ``alternating_offers`` the world's two blocs, each valued at the sum of its members'
   non-negative ``S_i`` (a member with ``S_i < 0`` does not sign; ``S_i`` is in payoff units,
   so the sum is capability-weighted). ``nash`` adopts the Nash point in one round.
5. **Play.** At most ``max_bargaining_rounds`` rounds of the stationary strategies
   (:func:`model.negotiation._play.turns`): recognition and ties drawn from the negotiation
   stream, a stream spawned from the run's seed sequence (the run's own draws are untouched).
   The finite game is played with the stationary strategies of the infinite one: a responder in
   the last round still asks for its continuation value, although none is left.
6. **Signing.** Under ``membership = negotiated`` a nation signs iff ``S_i + tau_i >= 0`` at the
   adopted terms; otherwise the treaty's members are those the scenario or
   ``initial_membership`` makes. The agreement takes effect after its round's months
   (``rounds * round_months``); until then, and for good without an agreement, no nation is
   bound.

Transfers ``tau`` are agreed here; :mod:`model.transfers` pays them in the months the treaty
is in force and reads ``transfers_conditional``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model.errors import ConfigError
from model.negotiation import get_protocol, solve
from model.negotiation._play import turns
from model.negotiation._surplus import TIE_TOLERANCE
from model.negotiation.shared import BARGAINING_ONLY, ValuationCache
from model.negotiation.valuation import THEORY_TERMS, TermSurplus, TheoryValuation
from model.params.terms import TermBox, term_box, term_points
from model.theory import Actors

__all__ = [
    "DEFAULT_BOX",
    "STREAM_KEY",
    "Agreement",
    "BargainingRound",
    "negotiate",
    "negotiation_seed",
    "term_values",
]

#: The negotiable terms when a scenario declares none: verification and the penalty.
DEFAULT_BOX: Mapping[str, list[float]] = {"p_detect": [0.0, 1.0], "penalty": [0.0, 20.0]}
#: The spawn key of the negotiation stream under the run's seed sequence.
STREAM_KEY = 29


def negotiation_seed(rng: np.random.Generator) -> np.random.SeedSequence:
    """The negotiation stream's seed: a fixed child of the run's seed sequence.

    Deterministic (the same run seed gives the same stream) and independent of the run's own
    draws, which it does not advance. Any seed with a ``SeedSequence``'s ``entropy`` and
    ``spawn_key`` serves (a sweep worker's generator rebuilt from a kept state has one).
    """
    seq = rng.bit_generator.seed_seq
    entropy, key = getattr(seq, "entropy", None), getattr(seq, "spawn_key", None)
    if entropy is None or key is None:
        raise ConfigError("the run's generator has no seed sequence to spawn the negotiation from")
    return np.random.SeedSequence(entropy, spawn_key=(*key, STREAM_KEY))


@dataclass(frozen=True)
class BargainingRound:
    """One round of the negotiation.

    Attributes:
        number: The round, from 1.
        month: The month it ends (``number * round_months``).
        proposer: The recognised player (a nation, or a bloc under ``alternating_offers``;
            -1 under ``nash``, which has no proposer).
        terms: The proposed terms (None: the proposer passed).
        transfers: ``(n_nations,)``: the proposed per-month transfers (zeros without).
        votes: ``(n_nations,)``: each nation's yes (a bloc's vote is its members').
        passed: The proposal was adopted.
    """

    number: int
    month: int
    proposer: int
    terms: dict[str, Any] | None
    transfers: np.ndarray
    votes: np.ndarray
    passed: bool


@dataclass(frozen=True)
class Agreement:
    """A run's negotiation: its rounds and, when one passed, the adopted treaty.

    Attributes:
        protocol: The protocol's name.
        source: Where the valuations came from (``theory``).
        n_points: How many term points were on the table.
        deltas: ``(players,)``: the per-round discount factors.
        rounds: The rounds played, in order.
        terms: The adopted terms (None: no agreement within ``max_bargaining_rounds``).
        transfers: ``(n_nations,)``: the agreed per-month transfers (zeros without).
        surplus: ``(n_nations,)``: each nation's ``S_i + tau_i`` at the adopted terms.
        signatories: ``(n_nations,)``: who signs under ``membership = negotiated``
            (``S_i + tau_i >= 0``); under ``fixed`` every nation (the treaty's members stay
            those the scenario or ``initial_membership`` makes).
    """

    protocol: str
    source: str
    n_points: int
    deltas: np.ndarray
    rounds: tuple[BargainingRound, ...]
    terms: dict[str, Any] | None
    transfers: np.ndarray
    surplus: np.ndarray
    signatories: np.ndarray
    box: tuple[str, ...] = field(default=())

    @property
    def month(self) -> int | None:
        """The month the agreement was reached (it binds from the next); None: never."""
        return self.rounds[-1].month if self.terms is not None else None


def _box(scenario: Any) -> TermBox:
    # a scenario object, or its mapping form (``{"negotiation": {...}}``), as Engine accepts both
    if isinstance(scenario, Mapping):
        table = scenario.get("negotiation") or DEFAULT_BOX
    else:
        table = getattr(scenario, "negotiation", None) or DEFAULT_BOX
    return term_box(table)


def _nation_capability(world: Any) -> np.ndarray:
    cap: np.ndarray = np.bincount(world.home, weights=world.capability, minlength=world.n_nations)
    return cap


def _theory(
    params: Mapping[str, Any], world: Any, box: TermBox, valuations: ValuationCache | None = None
) -> TheoryValuation:
    """The theory's valuation of the world as if every nation signed (ConfigError: not covered).

    Given the parameters less :data:`~model.negotiation.shared.BARGAINING_ONLY`, which it does
    not read; from ``valuations`` when given (:class:`~model.negotiation.shared.ValuationCache`).
    """
    from model.structure import Structure

    outside = [name for name in box.names if name not in THEORY_TERMS]
    if outside:
        raise ConfigError(
            f"the theory valuation covers the terms {', '.join(THEORY_TERMS)}, not "
            f"{', '.join(outside)}"
        )
    if params["rsi"] == "on":
        raise ConfigError("the theory valuation covers rsi='off', not rsi='on'")
    values = {
        **{k: v for k, v in dict(params).items() if k not in BARGAINING_ONLY},
        "membership": "fixed",
        "initial_membership": 1.0,
    }
    st = Structure(params, world, np.ones(world.n_nations, dtype=bool))  # type: ignore[arg-type]
    actors = Actors(
        c=np.asarray(st.c, dtype=float),
        shield=np.clip(np.asarray(st.shield, dtype=float), 0.0, 1.0),
        is_lab=np.asarray(world.is_lab, dtype=bool),
        home=np.asarray(world.home, dtype=np.int64),
    )
    if valuations is not None:
        return valuations.theory(values, actors)
    return TheoryValuation(values, actors)


def _term_values(
    params: Mapping[str, Any],
    world: Any,
    scenario: Any,
    seed: np.random.SeedSequence,
    rng: np.random.Generator,
    valuations: ValuationCache | None = None,
) -> tuple[list[dict[str, Any]], np.ndarray, Any, str]:
    """The term points (from ``rng``), their surpluses, the valuation and its source."""
    box = _box(scenario)
    points = term_points(box, rng, int(params["max_term_points"]))
    valuation, source = _valuation(params, world, scenario, box, seed, valuations)
    return points, valuation.surplus(points), valuation, source


def term_values(
    params: Mapping[str, Any], world: Any, scenario: Any, seed: np.random.SeedSequence
) -> tuple[list[dict[str, Any]], np.ndarray, str]:
    """The term points of a run's negotiation and every nation's ``S_i`` at each, as it sees them.

    The same points and values :func:`negotiate` bargains over (before dropping the dominated
    ones), from the same seed (:func:`negotiation_seed`); with the source (``theory`` or
    ``simulation``).
    """
    points, values, _, source = _term_values(
        params, world, scenario, seed, np.random.default_rng(seed)
    )
    return points, values, source


def _valuation(
    params: Mapping[str, Any],
    world: Any,
    scenario: Any,
    box: TermBox,
    seed: np.random.SeedSequence,
    valuations: ValuationCache | None = None,
) -> tuple[Any, str]:
    """The theory's valuation where it covers the world and the terms, else the simulated one.

    The simulated worlds are copies of the run's world on a stream of their own, the child
    ``(..., 1)`` of the negotiation's seed sequence. ``valuations`` shares the theory's between
    runs with identical inputs (never the simulated one: its stream is the run's).
    """
    try:
        return _theory(params, world, box, valuations), "theory"
    except ConfigError:
        from model.negotiation.simulated import SimulatedValuation

        child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 1))
        return SimulatedValuation(params, child, scenario=scenario, world=world), "simulation"


def _blocs(world: Any) -> np.ndarray:
    """The two blocs' labels per nation, as 0 and 1 (ConfigError: not two blocs)."""
    labels, index = np.unique(np.asarray(world.bloc), return_inverse=True)
    if len(labels) != 2:
        raise ConfigError(
            f"alternating_offers is played by two blocs; this world has {len(labels)} "
            "(set n_blocs = 2 or give the nations two blocs in the scenario)"
        )
    out: np.ndarray = index.astype(np.int64)
    return out


def _quota(params: Mapping[str, Any], protocol: Any, players: int) -> int | None:
    quota = int(params["quota"])
    if not protocol.uses_quota or quota == 0:
        return None
    return quota


def negotiate(
    params: Mapping[str, Any],
    world: Any,
    scenario: Any,
    seed: np.random.SeedSequence,
    *,
    valuations: ValuationCache | None = None,
) -> Agreement:
    """The run's negotiation (see the module): its rounds, the adopted terms, who signed.

    Args:
        params: The run's parameters (``protocol`` other than ``terms_rule``).
        world: The run's world (:class:`model.world.World`).
        scenario: The scenario (its ``[negotiation]`` table), or None.
        seed: The negotiation stream's seed (:func:`negotiation_seed`).
        valuations: Theory valuations shared with earlier runs of identical inputs (a sweep's
            worker); None: this run's own. The numbers are the same either way.

    Raises:
        ConfigError: What the negotiation cannot do here, named with what is allowed.
    """
    protocol = get_protocol(str(params["protocol"]))
    rng = np.random.default_rng(seed)
    points, values, valuation, source = _term_values(params, world, scenario, seed, rng, valuations)
    n = world.n_nations
    months = int(params["round_months"])
    hazard = valuation.hazard(months)
    delta = float(params["discount"]) ** months * (1.0 - hazard)
    if not 0.0 < delta < 1.0:
        raise ConfigError(
            f"the per-round discount factor discount**round_months * (1 - H) = {delta!r} must "
            "be in (0, 1), 0 and 1 excluded: set discount below 1 or hazard_scale above 0"
        )
    share = float(params["max_transfer_share"])
    blocs = _blocs(world) if protocol.name == "alternating_offers" else None
    players = values if blocs is None else _bloc_values(values, blocs)
    n_points = len(points)
    keep = pareto_points(players)  # a dominated point is never proposed
    points, values, players = [points[i] for i in keep], values[keep], players[keep]
    surplus = TermSurplus(
        players, transfers=share > 0.0, max_transfer_share=share if share > 0.0 else None
    )
    deltas = np.full(players.shape[1], delta)
    played = _play(params, protocol, surplus, deltas, rng, months)
    adopted = played[-1] if played and played[-1].passed else None
    signed = np.ones(n, dtype=bool)
    if adopted is None:
        terms, tau, gained = None, np.zeros(n), np.zeros(n)
    else:
        k, tau_players = _adopted(adopted, surplus)
        tau = tau_players if blocs is None else _spread(tau_players, blocs, world)
        terms = dict(points[k])
        gained = values[k] + tau
        if params["membership"] == "negotiated":
            signed = gained >= -TIE_TOLERANCE
    rounds = tuple(
        BargainingRound(
            number=r.number + 1,
            month=(r.number + 1) * months,
            proposer=r.proposer,
            terms=None if r.proposal is None else dict(points[int(r.proposal.point or 0)]),
            transfers=_round_transfers(r, surplus, blocs, world, n),
            votes=_nation_votes(r, blocs, n),
            passed=r.passed,
        )
        for r in played
    )
    return Agreement(
        protocol=protocol.name,
        source=source,
        n_points=n_points,
        deltas=deltas,
        rounds=rounds,
        terms=terms,
        transfers=tau,
        surplus=gained,
        signatories=signed,
        box=_box(scenario).names,
    )


def pareto_points(values: np.ndarray) -> np.ndarray:
    """Indices of the points no other point dominates (the first of equal points kept).

    Point ``k`` is dominated when another is at least as good for every player and better for
    one. A proposer never picks a dominated point: with or without transfers the dominating
    point pays it more and costs its partners' votes less.

    Example:
        >>> pareto_points(np.array([[1.0, 0.0], [0.5, 0.5], [0.4, 0.4], [1.0, 0.0]])).tolist()
        [0, 1]
    """
    ge = (values[:, None, :] >= values[None, :, :]).all(axis=2)  # ge[a, b]: a at least b
    gt = (values[:, None, :] > values[None, :, :]).any(axis=2)
    dominated = (ge & gt).any(axis=0)
    equal = ge & ge.T
    earlier = np.tril(equal, k=-1).any(axis=1)  # an equal point comes first
    out: np.ndarray = np.flatnonzero(~dominated & ~earlier)
    return out


def _bloc_values(values: np.ndarray, blocs: np.ndarray) -> np.ndarray:
    """``(points, 2)``: each bloc's sum of its members' non-negative ``S_i``."""
    out = np.zeros((values.shape[0], 2))
    for b in (0, 1):
        out[:, b] = np.maximum(values[:, blocs == b], 0.0).sum(axis=1)
    return out


def _spread(tau: np.ndarray, blocs: np.ndarray, world: Any) -> np.ndarray:
    """Bloc transfers shared among each bloc's nations by capability."""
    cap = _nation_capability(world)
    out = np.zeros(len(blocs))
    for b in (0, 1):
        inside = blocs == b
        out[inside] = tau[b] * cap[inside] / cap[inside].sum()
    return out


def _adopted(turn: Any, surplus: TermSurplus) -> tuple[int, np.ndarray]:
    """The adopted point and the players' transfers (payoffs less the point's surplus)."""
    k = int(turn.proposal.point)
    tau: np.ndarray = turn.proposal.payoffs - surplus.values[k]
    return k, tau


def _round_transfers(
    turn: Any, surplus: TermSurplus, blocs: np.ndarray | None, world: Any, n: int
) -> np.ndarray:
    if turn.proposal is None:
        return np.zeros(n)
    tau = _adopted(turn, surplus)[1]
    return tau if blocs is None else _spread(tau, blocs, world)


def _nation_votes(turn: Any, blocs: np.ndarray | None, n: int) -> np.ndarray:
    if turn.votes is None:
        return np.zeros(n, dtype=bool)
    votes: np.ndarray = turn.votes if blocs is None else turn.votes[blocs]
    return votes.copy()


def _play(
    params: Mapping[str, Any],
    protocol: Any,
    surplus: TermSurplus,
    deltas: np.ndarray,
    rng: np.random.Generator,
    months: int,
) -> list[Any]:
    """The rounds played: the stationary strategies, or the Nash point in one round."""
    from model.negotiation._play import Turn
    from model.negotiation._surplus import Proposal

    if protocol.axiomatic:
        k = surplus.nash_point()
        if k is None:
            return [Turn(0, 0, -1, None, None, False)]
        row = surplus.values[k].copy()
        votes = row >= -TIE_TOLERANCE
        return [Turn(0, 0, -1, Proposal(-1, (), row, k), votes, bool(votes.all()))]
    quota = _quota(params, protocol, surplus.n)
    eq = solve(protocol, surplus, deltas, quota)
    return turns(eq, rng, int(params["max_bargaining_rounds"]))


#: The time-series columns of a negotiated run (:func:`negotiation_columns`).
NEGOTIATION_COLUMNS = ("proposer", "yes_votes", "agreed")


def negotiation_columns(
    rounds: list[tuple[int, int, int, bool]], length: int
) -> dict[str, np.ndarray]:
    """The negotiation's time-series columns over steps ``0..length-1``.

    Args:
        rounds: Each round as ``(month, proposer, yes votes, passed)`` (a round ends in its
            month; a proposer that passed has ``-1`` yes votes).
        length: The number of rows (step 0 is the starting state).

    Returns:
        ``proposer`` (the round's proposer, NaN in months without a round's end; -1 under
        ``nash``), ``yes_votes`` (NaN when none or the proposer passed) and ``agreed``
        (1.0 from the month of the agreement on, else 0.0).
    """
    proposer = np.full(length, np.nan)
    yes = np.full(length, np.nan)
    agreed = np.zeros(length)
    for month, who, votes, passed in rounds:
        if month < length:
            proposer[month] = who
            yes[month] = np.nan if votes < 0 else votes
            if passed:
                agreed[month:] = 1.0
    return {"proposer": proposer, "yes_votes": yes, "agreed": agreed}


def round_tuples(agreement: Agreement) -> list[tuple[int, int, int, bool]]:
    """The rounds as :func:`negotiation_columns` reads them."""
    return [
        (r.month, r.proposer, -1 if r.terms is None else int(r.votes.sum()), r.passed)
        for r in agreement.rounds
    ]


def log_negotiation(log: Any, agreement: Agreement) -> None:
    """Append the negotiation's records to a run's event log (at step 0, before the months).

    One ``proposal`` record a round (its month, proposer, terms, transfers, votes as a string
    of 0 and 1 by nation, passed), then one ``agreement`` record (terms or null, transfers,
    signatories, the month it was reached).
    """
    for r in agreement.rounds:
        log.append(
            "proposal",
            0,
            round=r.number,
            month=r.month,
            proposer=r.proposer,
            terms=r.terms,
            transfers=r.transfers,
            votes="".join("1" if v else "0" for v in r.votes),
            passed=r.passed,
        )
    log.append(
        "agreement",
        0,
        protocol=agreement.protocol,
        terms=agreement.terms,
        transfers=agreement.transfers,
        signatories="".join("1" if v else "0" for v in agreement.signatories),
        month=agreement.month,
    )
