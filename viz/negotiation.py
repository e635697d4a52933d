"""What the Simulate page shows of a run's negotiation: its table, rounds, agreement and signers.

Plain Python (no widgets), tested without a browser; the panel itself is
:func:`viz.simulate.negotiation.NegotiationPanel`. A run negotiates its treaty when the model is
built (``protocol`` other than ``terms_rule``, :mod:`model.negotiation.session`), so the view
follows the current model and is None for a run without a negotiation. The words follow
``pausegame negotiate``'s narrative (:func:`experiments.negotiate_cli.narrate`).

Example:
    >>> from model import PauseModel
    >>> model = PauseModel(protocol="rotating_unanimity", risk_cost=3, n_nations=6, n_labs=6,
    ...                    rng=1)
    >>> view = negotiation_view(model)
    >>> view.rounds[0].outcome, view.rounds[0].votes
    ('adopted', '6 yes, 0 no')
    >>> view.agreement
    'Adopted in month 1: p_detect 1, penalty 2.67.'
    >>> negotiation_view(PauseModel(n_nations=6, rng=1)) is None
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.actors import signers
from experiments.words import plural
from model.negotiation.session import DEFAULT_BOX
from model.params.terms import term_box

__all__ = ["NegotiationView", "RoundRow", "negotiation_view", "terms_text", "transfers_text"]


@dataclass(frozen=True)
class RoundRow:
    """One bargaining round as the panel's table shows it.

    Attributes:
        number: The round, from 1.
        month: The month it ends.
        proposer: Who proposed (a nation's name, a bloc and its nations, or the Nash solution).
        proposal: The proposed terms (with a rejected proposal's transfers; an adopted one's
            are the agreement's), or that the proposer passed.
        votes: ``"5 yes, 1 no"``, or ``""`` when there was nothing to vote on.
        outcome: ``"adopted"``, ``"rejected"`` or ``"passed"`` (the proposer passed).
    """

    number: int
    month: int
    proposer: str
    proposal: str
    votes: str
    outcome: str


@dataclass(frozen=True)
class NegotiationView:
    """A run's negotiation in words.

    Attributes:
        protocol: The protocol's name.
        table: The terms on the table and how they were valued.
        rounds: The rounds played, in order.
        agreement: The adopted terms and when, or that no treaty binds.
        in_force: When and on what condition the agreement binds (None: no agreement).
        signed_label: ``"Signed"`` (``membership = negotiated``) or ``"Parties"`` (fixed
            membership).
        signed_note: Who they are: the nations the terms make better off, or the members the
            scenario or ``initial_membership`` makes.
        signed: Who signed, with their share of capability (None: no agreement).
        transfers: The agreed transfers per month (None: none).
    """

    protocol: str
    table: str
    rounds: tuple[RoundRow, ...]
    agreement: str
    in_force: str | None
    signed_label: str
    signed_note: str
    signed: str | None
    transfers: str | None


def terms_text(terms: Mapping[str, Any] | None) -> str:
    """Terms as ``p_detect 1, penalty 2.67`` (``nothing`` for None).

    >>> terms_text({"p_detect": 0.5, "penalty": 2.6666, "adjudication": "automatic"})
    'p_detect 0.5, penalty 2.67, adjudication automatic'
    """
    if terms is None:
        return "nothing"
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in terms.items()
    )


def transfers_text(names: Sequence[str], tau: np.ndarray) -> str | None:
    """Who pays and who receives per month (None when nobody does).

    >>> transfers_text(["A", "B", "C"], np.array([-0.5, 0.25, 0.25]))
    'A 0.5 pay; B 0.25, C 0.25 receive (per month, in payoff units).'
    """
    paying = [f"{names[i]} {-tau[i]:.3g}" for i in np.flatnonzero(tau < -1e-12).tolist()]
    paid = [f"{names[i]} {tau[i]:.3g}" for i in np.flatnonzero(tau > 1e-12).tolist()]
    if not paying and not paid:
        return None
    return (
        f"{', '.join(paying) or 'nobody'} pay; {', '.join(paid) or 'nobody'} receive "
        "(per month, in payoff units)."
    )


def _range_text(term: Any) -> str:
    if term.choices:
        return f"{term.name} ({' or '.join(term.choices)})"
    return f"{term.name} from {term.low:g} to {term.high:g}"


def _table(agreement: Any, scenario: Any, n_nations: int, round_months: int) -> str:
    try:
        box = term_box(getattr(scenario, "negotiation", None) or DEFAULT_BOX)
        on_table = ", ".join(_range_text(t) for t in box.terms)
    except Exception:  # noqa: BLE001 - the names are enough where the ranges cannot be read
        on_table = ", ".join(agreement.box)
    return (
        f"{plural(n_nations, 'nation')} bargain over {on_table} "
        f"({plural(agreement.n_points, 'term point')}, valued from the {agreement.source}; "
        f"per-round discount factor {float(agreement.deltas[0]):.4f}, a round taking "
        f"{plural(round_months, 'month')})."
    )


def _proposers(agreement: Any, world: Any, names: Sequence[str]) -> dict[int, str]:
    """Each proposer index's label: a nation's name, or under alternating offers a bloc's."""
    if agreement.protocol != "alternating_offers":
        return dict(enumerate(names))
    labels, index = np.unique(np.asarray(world.bloc)[: len(names)], return_inverse=True)
    return {
        b: f"bloc {b} ({', '.join(n for n, k in zip(names, index, strict=True) if k == b)})"
        for b in range(len(labels))
    }


def _row(r: Any, who: str, names: Sequence[str]) -> RoundRow:
    if r.terms is None:
        return RoundRow(r.number, r.month, who, "passes (no proposal it prefers)", "", "passed")
    yes = int(np.count_nonzero(r.votes))
    paid = None if r.passed else transfers_text(names, np.asarray(r.transfers))
    return RoundRow(
        number=r.number,
        month=r.month,
        proposer=who,
        proposal=terms_text(r.terms) + (f"; transfers: {paid.rstrip('.')}" if paid else ""),
        votes=f"{yes} yes, {len(names) - yes} no",
        outcome="adopted" if r.passed else "rejected",
    )


def negotiation_view(model: Any, scenario: Any = None) -> NegotiationView | None:
    """The model's negotiation in words, or None when the run did not negotiate.

    Args:
        model: A :class:`~model.mesa_model.PauseModel` (its engine's ``agreement``).
        scenario: The scenario the model was built with (its ``[negotiation]`` ranges; None:
            the default table).
    """
    engine = model.engine
    agreement = engine.agreement
    if agreement is None:
        return None
    world = engine.world
    names = [str(n) for n in world.names[: world.n_nations]]
    proposers = _proposers(agreement, world, names)
    rows = tuple(
        _row(r, "the Nash bargaining solution" if r.proposer < 0 else proposers[r.proposer], names)
        for r in agreement.rounds
    )
    table = _table(agreement, scenario, world.n_nations, int(engine.params["round_months"]))
    if agreement.terms is None:
        return NegotiationView(
            protocol=agreement.protocol,
            table=table,
            rounds=rows,
            agreement=f"No agreement in {plural(len(rows), 'round')}: no treaty binds anyone.",
            in_force=None,
            signed_label="Signed",
            signed_note="",
            signed=None,
            transfers=None,
        )
    month = int(agreement.month or 0)
    who = signers(engine)
    cap = np.bincount(world.home, weights=world.capability, minlength=world.n_nations)
    share = float(cap[who].sum() / cap.sum())
    listed = ", ".join(n for n, s in zip(names, who, strict=True) if s) or "none"
    negotiated = engine.params["membership"] == "negotiated"
    threshold = float(engine.params["entry_threshold"])
    condition = (
        f" if its members hold at least {threshold:.0%} of world capability"
        if threshold > 0
        else ""
    )
    return NegotiationView(
        protocol=agreement.protocol,
        table=table,
        rounds=rows,
        agreement=f"Adopted in month {month}: {terms_text(agreement.terms)}.",
        in_force=f"In force from month {month + 1}{condition}.",
        signed_label="Signed" if negotiated else "Parties",
        signed_note=(
            "the nations the terms make better off, S_i + tau_i >= 0"
            if negotiated
            else "membership is fixed: the members the scenario or initial_membership makes"
        ),
        signed=(
            f"{int(who.sum())} of {world.n_nations} nations, {share:.0%} of capability: {listed}."
        ),
        transfers=transfers_text(names, np.asarray(agreement.transfers)),
    )
