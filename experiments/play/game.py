"""One visitor's game as a nation (:class:`PlayGame`): the link, the months played, the debrief.

The player's choice reaches the engine as a held choice for that period,
``engine.step(held=Held(actions={nation: defect}, ...))``; what the nation is shown (advice,
status, allies, votes, flags) is its :class:`~experiments.play.nation.NationView`.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

import numpy as np

from experiments.play.counterfactual import best_response_months, build_engine
from experiments.play.nation import NationView
from experiments.play.report import Debrief, PeriodReport, points_text
from experiments.play.settings import (
    DEFAULT_PERIODS,
    DEFAULT_SCENARIO,
    LINK_NOTICE,
    MAX_PERIODS,
    VOTE_POLICIES,
)
from experiments.scenarios import list_scenarios, load_scenario
from model.held import Held
from model.scenario import Scenario
from model.seeds import new_short_seed


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


class PlayGame:
    """One visitor's game as a nation.

    Args:
        query: The link's query string: ``scenario``, ``seed``, ``periods``, ``nation`` (an
            index or a name); unknown or bad values fall back to the defaults.
    """

    def __init__(self, query: str | None = None) -> None:
        given = dict(parse_qsl((query or "").lstrip("?"), keep_blank_values=True))
        names = list_scenarios()
        self.scenario_names = names
        bad: list[str] = []
        default = DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else (names[0] if names else "")
        self.scenario_name = given.pop("scenario", default)
        if self.scenario_name not in names:
            bad.append(
                f"unknown scenario {self.scenario_name!r} (the scenarios: {', '.join(names)})"
            )
            self.scenario_name = default
        self.seed = new_short_seed()
        seed_text = given.pop("seed", "").strip()
        if seed_text:
            seed = _int(seed_text, -1, -1, 2**63)
            if 0 <= seed <= 2**63 - 1:
                self.seed = seed
            else:
                bad.append(
                    f"seed {seed_text!r} must be a whole number from 0 to 2**63 - 1 "
                    "(a fresh seed is used)"
                )
        self.periods = DEFAULT_PERIODS
        if "periods" in given:
            text = given.pop("periods")
            periods = _int(text, 0, 0, MAX_PERIODS + 1)
            if 1 <= periods <= MAX_PERIODS:
                self.periods = periods
            else:
                bad.append(
                    f"periods {text!r} must be a whole number of months from 1 to {MAX_PERIODS}"
                )
        self._nation_text = given.pop("nation", "0")
        #: The pledges' force played (``off`` or a ``pledge_binding``); None: the scenario's.
        self.force: str | None = None
        if "pledges" in given:
            text = given.pop("pledges")
            if text in self.forces():
                self.force = text
            else:
                bad.append(f"pledges {text!r} is not offered; allowed: {', '.join(self.forces())}")
        #: The nation's pledge for the coming month (True: defect), held with its action.
        self.pledge = False
        bad += [f"unknown parameter {key!r} in the link" for key in given]
        self._bad_link = bad
        self.notice: str | None = None
        self.last_seconds = 0.0
        self.error: str | None = None
        self._played_as: tuple[str, int] | None = None
        self.vote_policy = "model"
        self.shielded: set[str] = set()
        self._br: tuple[str, list[tuple[float, float, bool, bool]]] | None = None
        self.start()
        if self._bad_link:
            self.notice = LINK_NOTICE + "; ".join(self._bad_link) + "."

    @property
    def scenario(self) -> Scenario | None:
        """The scenario played (None when none is shipped)."""
        if not self.scenario_name:
            return None
        sc, _ = load_scenario(self.scenario_name)
        return sc

    @staticmethod
    def forces() -> list[str]:
        """The pledges' forces a game offers: ``off`` and each force validation accepts."""
        from model.errors import ParameterError
        from model.params import resolve, schema

        out = ["off"]
        for choice in schema()["pledge_binding"].choices:
            try:
                resolve({"pledges": "on", "pledge_binding": choice})
            except ParameterError:
                continue
            out.append(str(choice))
        return out

    @property
    def scenario_force(self) -> str:
        """The pledges' force the scenario sets (``off`` when it sets no pledges)."""
        sc = self.scenario
        given = dict(sc.params) if sc is not None else {}
        if given.get("pledges", "off") != "on":
            return "off"
        return str(given.get("pledge_binding", "cheap_talk"))

    @property
    def pledge_force(self) -> str:
        """The pledges' force of this game (``off``, or the ``pledge_binding`` in force)."""
        return self.scenario_force if self.force is None else self.force

    def overrides(self) -> dict[str, str]:
        """The parameters the game sets over its scenario's: the pledges' force, if chosen."""
        if self.force is None or self.force == self.scenario_force:
            return {}
        if self.force == "off":
            return {"pledges": "off"}
        return {"pledges": "on", "pledge_binding": self.force}

    def choose_force(self, force: str) -> None:
        """Play with pledges of this force (``off``: none); a fresh game as the same nation."""
        if force not in self.forces():
            raise ValueError(
                f"pledges {force!r} is not offered; allowed: {', '.join(self.forces())}"
            )
        self.force = force
        self.start(self.nation)

    @property
    def pledging(self) -> bool:
        """True when the nations pledge before each month in this game."""
        return self.engine.pledges is not None

    def choose_scenario(self, name: str) -> None:
        """Play another shipped scenario (a fresh game as its first nation)."""
        if name not in self.scenario_names:
            raise ValueError(
                f"unknown scenario {name!r}; shipped: {', '.join(self.scenario_names)}"
            )
        self.scenario_name = name
        self.start(0)

    def start(self, nation: int | str | None = None) -> None:
        """A fresh game (same scenario, seed and periods) as ``nation``.

        The vote policy stays when the nation and scenario do (a new seed, the same strategy);
        otherwise it goes back to the model's.
        """
        self.engine = build_engine(self.scenario, self.seed, self.periods, self.overrides())
        self.nation_names = list(self.engine.world.names[: self.engine.n_nations])
        pick = self._nation_text if nation is None else nation
        if isinstance(pick, str) and pick in self.nation_names:
            self.nation = self.nation_names.index(pick)
        else:
            index = _int(str(pick), -1, -1, len(self.nation_names))
            if 0 <= index < len(self.nation_names):
                self.nation = index
            else:
                self.nation = 0
                if nation is None and hasattr(self, "_bad_link"):
                    self._bad_link.append(
                        f"nation {str(pick)!r} is not a nation of this scenario (0 to "
                        f"{len(self.nation_names) - 1} or a name: "
                        f"{', '.join(self.nation_names)})"
                    )
        self.notice = None
        self._nation_text = str(self.nation)
        self.history: list[PeriodReport] = []
        self._debrief: Debrief | None = None
        self.error = None
        played_as = (self.scenario_name, self.nation)
        if played_as != self._played_as:
            self.vote_policy, self.shielded = "model", set()
        self._played_as = played_as

    @property
    def nation_name(self) -> str:
        """The player's nation."""
        return self.nation_names[self.nation]

    @property
    def finished(self) -> bool:
        """True when every period has been played."""
        return self.engine.t >= self.periods

    @property
    def view(self) -> NationView:
        """The player's nation's readings of the game as it is now (:class:`NationView`)."""
        return NationView(self.engine, self.nation, self.periods, self.nation_names)

    @property
    def unit(self) -> float:
        """The nation's gain from defecting for a month, ``G c`` (100 points)."""
        return self.view.unit

    def points(self, value: float) -> str:
        """``value`` in points (100 points: the nation's monthly gain from defecting)."""
        return points_text(value, self.unit)

    def advice(self) -> tuple[float, float]:
        """Expected payoffs of complying and of defecting this month (:meth:`NationView.advice`).

        The nation's pledge (:attr:`pledge`) is counted when the nations pledge.
        """
        return self.view.advice(self.pledge if self.pledging else None)

    def advice_leaves_out(self) -> str:
        """What the expected values leave out, in words."""
        return self.view.advice_leaves_out()

    def next_round(self) -> int | None:
        """The month of the next negotiation round on membership (None: no more this game)."""
        return self.view.next_round()

    def status(self) -> str:
        """Membership and the treaty's state in words, between rounds too."""
        return self.view.status()

    # ------------------------------------------------------------------ the treaty's decisions
    @property
    def voting(self) -> bool:
        """True when sanctions are put to a vote in this game."""
        return self.view.voting

    @property
    def is_member(self) -> bool:
        """True while the nation is a treaty member."""
        return self.view.is_member

    @property
    def is_veto_power(self) -> bool:
        """True when the nation holds a veto (``great_power_veto``)."""
        return self.view.is_veto_power

    @property
    def has_vote(self) -> bool:
        """True when sanctions are voted on and the nation is a member (as every veto power is)."""
        return self.view.has_vote

    @property
    def allies(self) -> list[str]:
        """The nation's allies (alliance weight above 0), by name."""
        return self.view.allies

    def membership_advice(self) -> bool:
        """What the model's nation would choose at the round now (True: be a member)."""
        return self.view.membership_advice()

    def set_votes(self, policy: str, shielded: list[str] | set[str] | None = None) -> None:
        """How the nation votes from now on.

        Args:
            policy: A key of :data:`VOTE_POLICIES`.
            shielded: For ``choose``: the nations whose sanctions the nation votes against.
        """
        if policy not in VOTE_POLICIES:
            raise ValueError(f"unknown vote policy {policy!r}; allowed: {', '.join(VOTE_POLICIES)}")
        unknown = sorted(set(shielded or ()) - set(self.nation_names))
        if unknown:
            raise ValueError(
                f"unknown nation(s) {', '.join(unknown)}; the nations are "
                f"{', '.join(self.nation_names)}"
            )
        self.vote_policy = policy
        if shielded is not None:
            self.shielded = set(shielded)

    def held_votes(self) -> np.ndarray | None:
        """The nation's vote per target nation (True: yes) under the policy; None: the model's."""
        n = len(self.nation_names)
        if self.vote_policy == "model":
            return None
        if self.vote_policy == "sanction_all":
            return np.ones(n, dtype=bool)
        if self.vote_policy == "shield_all":
            return np.zeros(n, dtype=bool)
        shield = set(self.allies) if self.vote_policy == "shield_allies" else self.shielded
        return np.array([name not in shield for name in self.nation_names])

    @property
    def membership_round(self) -> bool:
        """True when the next month opens with a negotiation round on membership."""
        return not self.finished and self.engine.negotiation_round_next()

    def play(
        self, defect: bool, member: bool | None = None, pledge: bool | None = None
    ) -> PeriodReport | None:
        """Play one period: the nation complies or defects; the others decide by their rule.

        Args:
            defect: The nation's own programme defects this month.
            member: At a negotiation round, whether the nation is a member afterwards (None:
                the model's choice); ignored between rounds.
            pledge: With pledges on, the nation's pledge made before the month (True:
                defect), a real pledge under the game's force (``Held.pledges``); None: the
                nation pledges the action taken (no promise made, none broken; as a room's
                student who decides without pledging). Ignored without pledges.
        """
        if self.finished:
            return None
        start = time.perf_counter()
        eng = self.engine
        i = self.nation
        view = self.view
        was_round = eng.negotiation_round_next()
        pledged = (bool(defect) if pledge is None else pledge) if self.pledging else None
        expected = view.advice(pledged)[1 if defect else 0]
        votes = self.held_votes() if view.has_vote else None  # a vote counts as cast now
        eng.step(
            held=Held(
                actions={i: bool(defect)},
                votes={} if votes is None else {i: votes},
                membership={} if member is None or not was_round else {i: bool(member)},
                pledges={} if pledged is None else {i: bool(pledged)},
            )
        )
        report = view.report(was_round, expected, votes)
        self.history.append(report)
        self.last_seconds = time.perf_counter() - start
        return report

    def membership_choices(self) -> str:
        """The player's membership choices at the rounds and what they cost, in words."""
        rounds = [r for r in self.history if r.round]
        if not rounds:
            return ""
        br = self._best_months()
        parts = []
        for r in rounds:
            choice = "were a member" if r.member else "were outside the treaty"
            model = br[r.t - 1][3]
            same = r.member == model
            parts.append(
                f"after the round of month {r.t} you {choice}"
                + (
                    ""
                    if same
                    else f" (the best responder {'stayed in' if model else 'stayed out'})"
                )
            )
        mine = sum(r.payoff for r in self.history)
        theirs = sum(m[0] for m in br)
        cost = mine - theirs
        verdict = (
            f"{points_text(-cost, self.unit).lstrip('+')} points less"
            if cost < 0
            else f"{points_text(cost, self.unit).lstrip('+')} points more"
        )
        return (
            "Membership: " + "; ".join(parts) + f". With your membership and your moves you "
            f"earned {verdict} than the best responder did with its own."
        )

    def _best_months(self) -> list[tuple[float, float, bool, bool]]:
        key = self.query()
        if self._br is None or self._br[0] != key:
            self._br = (
                key,
                best_response_months(
                    self.scenario, self.seed, self.periods, self.nation, self.overrides()
                ),
            )
        return self._br[1]

    @property
    def total(self) -> float:
        """The player's summed payoff so far."""
        return sum(r.payoff for r in self.history)

    def debrief(self) -> Debrief | None:
        """The comparison with a best-responding nation (once every period is played)."""
        if not self.finished:
            return None
        if self._debrief is None:
            br = self._best_months()
            self._debrief = Debrief(
                player_total=self.total,
                best_response_total=sum(m[0] for m in br),
                world_welfare=sum(r.welfare for r in self.history),
                best_response_world_welfare=sum(m[1] for m in br),
                player_defections=sum(r.defected for r in self.history),
                best_response_defections=sum(m[2] for m in br),
                periods=self.periods,
                unit=self.unit,
                membership=self.membership_choices(),
            )
        return self._debrief

    def best_response_series(self) -> list[float]:
        """The best responder's payoff per month (for the debrief's chart)."""
        return [m[0] for m in self._best_months()]

    def query(self) -> str:
        """The link that reproduces this game."""
        force = f"&pledges={self.force}" if self.overrides() else ""
        return (
            f"scenario={self.scenario_name}&seed={self.seed}&periods={self.periods}"
            f"&nation={self.nation}{force}"
        )
