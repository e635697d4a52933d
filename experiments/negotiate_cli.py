"""``pausegame negotiate``: a scenario's treaty negotiated, narrated, then lived with.

The run opens with the negotiation of :mod:`model.negotiation.session` (the scenario's
``[negotiation]`` terms, else ``p_detect`` and ``penalty``; ``--protocol``, default
:data:`DEFAULT_PROTOCOL` when neither the flags nor the scenario choose one). The command
narrates it (the terms on the table, each round's proposer, proposal, transfers and votes, the
agreement, who signed, and the transfers the months paid and forfeited), then runs the months
under the agreed treaty and reports them as ``pausegame run`` does, writing the same outputs
plus ``negotiation.json``.

Example:
    $ pausegame negotiate default --risk-cost 3
    $ pausegame negotiate bipolar_blocs --protocol alternating_offers --json
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from experiments.files import check_out_dir, out_argument
from experiments.run import RunResult, default_out_dir, run_scenario, write_outputs
from experiments.words import plural
from model.negotiation.session import Agreement
from model.params.negotiation import TERMS_RULE
from model.transfers import Payments

__all__ = ["DEFAULT_PROTOCOL", "agreement_record", "narrate", "register"]

#: The protocol ``pausegame negotiate`` uses when nothing chooses one: treaties are adopted
#: by consensus, proposers taking turns.
DEFAULT_PROTOCOL = "rotating_unanimity"
_WIDTH = 88
#: Amounts (payoff units per month) below which the narrative calls them negligible.
NEGLIGIBLE = 1e-6


def register(subparsers: Any) -> None:
    """Register ``pausegame negotiate``."""
    from experiments.cli import _StoreOnce, add_param_flags

    sub = subparsers.add_parser(
        "negotiate",
        help="negotiate a scenario's treaty under a bargaining protocol, then run its months",
        allow_abbrev=False,
        usage="pausegame negotiate [SCENARIO] [--PARAM VALUE ...] [--seed N] [--out DIR] "
        "[--json] [--quiet]",
        description="Negotiate the treaty of a scenario (a shipped name or a .toml file): the "
        "nations bargain over its [negotiation] terms (default: p_detect and penalty) under "
        f"--protocol (default {DEFAULT_PROTOCOL!r}), playing the protocol's stationary "
        "subgame-perfect strategies; the command narrates the rounds, the agreement and who "
        "signed, then runs the months under the agreed treaty and writes the outputs of "
        "`pausegame run` plus negotiation.json.",
    )
    sub.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="a scenario file, or the name of a shipped scenario (default: 'default')",
    )
    sub.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        action=_StoreOnce,
        help="output folder (default: runs/<scenario-name>-seed<seed>/)",
    )
    sub.add_argument(
        "--json", action="store_true", help="print the negotiation as JSON instead of prose"
    )
    sub.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    add_param_flags(sub)
    sub.set_defaults(handler=_cmd_negotiate, _parser=sub)


def _cmd_negotiate(args: argparse.Namespace) -> int:
    from experiments.cli import format_run, param_overrides
    from experiments.scenarios import load_scenario

    source = args.scenario or "default"
    overrides = param_overrides(args)
    if "protocol" not in overrides:
        scenario, _ = load_scenario(source)
        chosen = scenario.params.get("protocol", TERMS_RULE)
        overrides["protocol"] = DEFAULT_PROTOCOL if chosen == TERMS_RULE else chosen
    if overrides["protocol"] == TERMS_RULE:
        from model.errors import ConfigError

        raise ConfigError(
            f"protocol={TERMS_RULE!r} negotiates nothing; `pausegame negotiate` needs a "
            "bargaining protocol (rotating_unanimity, baron_ferejohn, alternating_offers, nash)"
        )
    if args.out:
        check_out_dir(args.out)
    result = run_scenario(source, overrides)
    out = Path(args.out) if args.out else default_out_dir(result.name, result.seed)
    result = write_outputs(result, out)
    agreement = result.engine.agreement
    assert agreement is not None  # the protocol is a bargaining protocol
    record = agreement_record(result, agreement)
    path = out / "negotiation.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    result.outputs["negotiation"] = path
    if args.json:
        print(json.dumps(record, indent=2))
    elif not args.quiet:
        print(narrate(result, agreement))
        print(format_run(result))
    return 0


def _terms_text(terms: dict[str, Any] | None) -> str:
    if terms is None:
        return "nothing"
    return ", ".join(
        f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in terms.items()
    )


def _who(names: list[str], index: int, blocs: bool) -> str:
    if index < 0:
        return "the Nash bargaining solution"
    return f"bloc {index}" if blocs else names[index]


def _transfers_text(names: list[str], tau: np.ndarray) -> str:
    if np.abs(tau).max() < NEGLIGIBLE:
        return ""
    paying = [f"{names[i]} {-tau[i]:.3g}" for i in np.flatnonzero(tau < -1e-12)]
    paid = [f"{names[i]} {tau[i]:.3g}" for i in np.flatnonzero(tau > 1e-12)]
    if not paying and not paid:
        return ""
    return f" Transfers per month: {', '.join(paying) or 'nobody'} pay; " + (
        f"{', '.join(paid) or 'nobody'} receive."
    )


def _paid_text(payments: Payments | None) -> str:
    """The transfers paid over the months run (empty without transfers)."""
    if payments is None or max(payments.paid.values(), default=0.0) < NEGLIGIBLE:
        return ""
    months = len(payments.paid)
    text = (
        f"Transfers paid monthly while the treaty was in force: {plural(months, 'month')}, "
        f"{sum(payments.paid.values()):.3g} received in all."
    )
    if payments.conditional:
        lost = sum(payments.forfeited.values())
        text += (
            f" Conditional (a bond): {plural(len(payments.forfeited), 'receipt')} forfeited by "
            f"receivers paying a sanction, {lost:.3g} in all."
        )
    return text


def narrate(result: RunResult, agreement: Agreement) -> str:
    """The negotiation in words: the table, each round, the agreement, who signed."""
    engine = result.engine
    world = engine.world
    names = [str(n) for n in world.names[: world.n_nations]]
    p = result.params
    blocs = agreement.protocol == "alternating_offers"
    months = int(p["round_months"])
    lines = [
        f"Negotiation under {agreement.protocol}: {plural(world.n_nations, 'nation')} bargain "
        f"over {', '.join(agreement.box)} ({plural(agreement.n_points, 'term point')}, valued "
        f"from the {agreement.source}; per-round discount factor {agreement.deltas[0]:.4f}, "
        f"a round taking {plural(months, 'month')}).",
    ]
    for r in agreement.rounds:
        who = _who(names, r.proposer, blocs)
        if r.terms is None:
            text = f"Round {r.number} (month {r.month}): {who} passes (no proposal it prefers)."
        else:
            yes = int(r.votes.sum())
            verb = "proposes" if r.proposer >= 0 else "gives"
            text = (
                f"Round {r.number} (month {r.month}): {who} {verb} {_terms_text(r.terms)}."
                f"{_transfers_text(names, r.transfers)} Votes: {yes} yes, "
                f"{world.n_nations - yes} no: {'adopted' if r.passed else 'rejected'}."
            )
        lines.append(text)
    if agreement.terms is None:
        lines.append(
            f"No agreement in {plural(len(agreement.rounds), 'round')}: no treaty binds anyone."
        )
    else:
        cap = np.bincount(world.home, weights=world.capability, minlength=world.n_nations)
        member = engine.treaty.member if engine.t > (agreement.month or 0) else None
        signed = agreement.signatories if p["membership"] == "negotiated" else None
        signers = member if member is not None else signed
        lines.append(
            f"Agreement: {_terms_text(agreement.terms)}, in force from month "
            f"{(agreement.month or 0) + 1} if its members hold at least "
            f"{float(engine.params['entry_threshold']):.0%} of world capability."
        )
        if signers is not None:
            share = float(cap[signers].sum() / cap.sum())
            listed = ", ".join(n for n, s in zip(names, signers, strict=True) if s)
            lines.append(
                f"Signed: {int(signers.sum())} of {world.n_nations} nations, {share:.0%} of "
                f"capability ({listed})."
            )
        surplus = agreement.surplus
        if np.abs(surplus).max() < NEGLIGIBLE:
            lines.append(
                f"Every nation gains less than {NEGLIGIBLE:g} per month over no treaty: the terms "
                "adopted change next to nothing (at these parameters no treaty on the table is "
                "worth its costs to every nation; try a larger --risk-cost)."
            )
        else:
            lines.append(
                f"Each nation's gain per month over no treaty (S_i + tau_i): from "
                f"{surplus.min():.3g} to {surplus.max():.3g}."
            )
        paid_text = _paid_text(engine.payments)
        if paid_text:
            lines.append(paid_text)
    out: list[str] = []
    for text in lines:
        out += textwrap.wrap(text, _WIDTH, subsequent_indent="  ")
    return "\n".join(out)


def agreement_record(result: RunResult, agreement: Agreement) -> dict[str, Any]:
    """The negotiation as a JSON-ready record (``negotiation.json``)."""
    names = [str(n) for n in result.engine.world.names[: result.engine.world.n_nations]]
    return {
        "protocol": agreement.protocol,
        "source": agreement.source,
        "terms_on_the_table": list(agreement.box),
        "term_points": agreement.n_points,
        "delta": float(agreement.deltas[0]),
        "rounds": [
            {
                "round": r.number,
                "month": r.month,
                "proposer": r.proposer,
                "terms": r.terms,
                "transfers": [float(x) for x in r.transfers],
                "votes": [bool(v) for v in r.votes],
                "passed": r.passed,
            }
            for r in agreement.rounds
        ],
        "agreed": agreement.terms,
        "month": agreement.month,
        "transfers": [float(x) for x in agreement.transfers],
        "surplus": [float(x) for x in agreement.surplus],
        "signatories": [bool(s) for s in agreement.signatories],
        "nations": names,
        **_paid_record(result.engine.payments),
    }


def _paid_record(payments: Payments | None) -> dict[str, Any]:
    """What the months paid and forfeited (``transfers_paid``, ``transfers_forfeited``)."""
    if payments is None:
        return {"transfers_paid": 0.0, "transfers_forfeited": 0.0}
    return {
        "transfers_paid": float(sum(payments.paid.values())),
        "transfers_forfeited": float(sum(payments.forfeited.values())),
    }
