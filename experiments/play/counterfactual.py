"""A game's engine and its counterfactual: the one builder and the one best-response replay.

Play (:mod:`experiments.play`) and the classroom room (:mod:`experiments.room`) build their
engines with :func:`build_engine` and compare a player with a best-responding nation with
:func:`respond`: the same engine, the same seed, every other held choice kept, and the nation
held each month to the best response computed from that engine's own state. The engine draws
the same random numbers whatever the actions and votes, so both runs see the same stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from experiments.limits import check_scenario_run
from model.engine import Engine
from model.held import Held
from model.params import resolve_run
from model.scenario import Scenario


def _game_params(
    scenario: Scenario | None, periods: int, overrides: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The values a game's engine is built from: ``overrides`` and the steps ``periods`` need."""
    starts = [int(e.start) for e in scenario.events] if scenario is not None else []
    return {**dict(overrides or {}), "steps": max([int(periods), *starts])}


def check_game_size(
    scenario: Scenario | None,
    periods: int,
    overrides: Mapping[str, Any] | None = None,
    *,
    event_log: bool | None = None,
    available: float | None = None,
    what: str = "the game",
) -> int:
    """Refuse a game whose engine cannot fit in memory, before anything is built.

    The size guard of ``pausegame run`` (:func:`experiments.limits.check_scenario_run`) on the
    parameters :func:`build_engine` would resolve; returns the estimate in bytes.

    Raises:
        model.errors.ParameterError: A parameter value that is not allowed.
        experiments.limits.LimitError: The game needs more memory than this machine has
            (``available``: its available bytes, as a test sets them; None: measured).
    """
    params = resolve_run(_game_params(scenario, periods, overrides), scenario, draw_seed=False)
    return check_scenario_run(params, scenario, event_log=event_log, available=available, what=what)


def build_engine(
    scenario: Scenario | None,
    seed: int,
    periods: int,
    overrides: Mapping[str, Any] | None = None,
    *,
    event_log: bool | None = None,
) -> Engine:
    """The engine of a game: the scenario's parameters, ``overrides``, ``periods`` and the seed.

    The engine's horizon reaches the scenario's last event even in a shorter game (the game
    stops after ``periods``; the horizon only sizes the records, it changes no number). The
    event log (``event_log``; None: as the verification regime records it) draws no number:
    with or without it, the same seed gives the same game.
    """
    params = _game_params(scenario, periods, overrides)
    return Engine.from_params(params, rng=int(seed), scenario=scenario, event_log=event_log)


def best_response_action(engine: Engine, actor: int) -> bool:
    """The best response of ``actor`` next period: defect iff its advantage > the tolerance."""
    return bool(engine.advantage()[actor] > engine.tolerance)


def respond(
    engine: Engine, nation: int, others: Iterable[Held]
) -> list[tuple[float, float, bool, bool]]:
    """Step ``engine`` once per entry of ``others``, ``nation`` best-responding each month.

    Args:
        engine: The engine to step (fresh, as :func:`build_engine` makes it).
        nation: The nation held to its best response (with pledges on, it pledges the action
            it takes, so it never breaks a pledge).
        others: Each month's held choices of everyone else (the nation's own are dropped).

    Returns:
        Per month: (the nation's payoff, the world's welfare, it defected, member after).
    """
    out = []
    for h in others:
        actions = {k: v for k, v in h.actions.items() if k != nation}
        actions[nation] = best_response_action(engine, nation)
        # the best responder pledges what it does (with pledges on): it never breaks a pledge
        pledges = {k: v for k, v in h.pledges.items() if k != nation}
        if engine.pledges is not None:
            pledges[nation] = actions[nation]
        engine.step(
            held=Held(
                actions=actions,
                votes={k: v for k, v in h.votes.items() if k != nation},
                membership={k: v for k, v in h.membership.items() if k != nation},
                pledges=pledges,
                shock=h.shock,  # the teacher's injects apply to the counterfactual too
            )
        )
        out.append(
            (
                float(engine.payoff[nation]),
                float(engine.payoff.sum()),
                bool(actions[nation]),
                bool(engine.member[nation]),
            )
        )
    return out


def best_response_run(
    scenario: Scenario | None,
    seed: int,
    periods: int,
    nation: int,
    overrides: dict[str, Any] | None = None,
) -> tuple[float, float, int]:
    """The counterfactual: the nation best-responds every period; everything else as played.

    Returns:
        (the nation's total payoff, the world's total payoff, the nation's defections).
    """
    run = best_response_months(scenario, seed, periods, nation, overrides)
    return (sum(m[0] for m in run), sum(m[1] for m in run), sum(m[2] for m in run))


def best_response_months(
    scenario: Scenario | None,
    seed: int,
    periods: int,
    nation: int,
    overrides: dict[str, Any] | None = None,
) -> list[tuple[float, float, bool, bool]]:
    """The counterfactual month by month: (payoff, welfare, defected, member after)."""
    engine = build_engine(scenario, seed, periods, overrides)
    return respond(engine, nation, [Held() for _ in range(int(periods))])
