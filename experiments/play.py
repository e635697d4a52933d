"""Play a nation (the game): the player holds one nation's programme; the model plays the rest.

The player's choice reaches the engine as a held choice for that period,
``engine.step(held=Held(actions={nation: defect}, ...))`` (``model.held``; the nation's labs keep
following the decision rule).

Where the treaty has them, the player also takes part in its decisions. Under a vote
(``adjudication`` ``members_vote`` or ``great_power_veto``) the player sets, before each month,
how the nation votes on any sanction that comes up (``Held.votes``: yes or no per target
nation; a veto power's no is a veto). At a negotiation round (``membership = negotiated``) the
player decides whether the nation joins, stays or leaves (``Held.membership``).

The debrief compares the player's total payoff with a counterfactual: a second engine with the
same parameters and seed in which, each period, the same nation is held to the best response
computed from that engine's own state (``advantage() > tolerance``: defect), and votes and
decides membership by the model's own rules. The engine draws the same random numbers whatever
the actions and votes, so both runs see the same random stream; they differ only through the
nation's choices and what the others make of them.

Everything here is plain Python, headless (no widgets): the app's page (:mod:`viz.play`),
``pausegame play`` (:mod:`experiments.play_cli`) and the tests share it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import numpy as np

from experiments.scenarios import list_scenarios, load_scenario
from model import adjudication
from model.engine import Engine
from model.held import Held
from model.params import new_seed
from model.scenario import Scenario

#: Periods a game lasts unless the link says otherwise (a classroom round).
DEFAULT_PERIODS = 12
MAX_PERIODS = 60
#: The game lengths the page offers (any 1 to MAX_PERIODS works in a link).
PERIOD_CHOICES = (6, 12, 18, 24, 36, 48, 60)

#: The scenario Play opens on, and why (checked against the engine in tests/experiments).
DEFAULT_SCENARIO = "defection_cascade"
DEFAULT_REASON = (
    "Play opens on 'defection_cascade' because there your choice matters: the pause neither "
    "collapses at once (as it does by month 2 in 'default') nor holds whatever you do. Its "
    "nations follow their allies, so defecting can start the cascade: over seeds 1 to 8, a "
    "nation that always defects brings the collapse forward in most games, and the best "
    "response changes as the months go by."
)

#: The prefix of the notice for link values the game cannot use (as the Simulate page says it).
LINK_NOTICE = "The link had values the app cannot use (the defaults are kept): "

#: How the player votes on sanctions (under a vote): key -> what the page shows.
VOTE_POLICIES = {
    "model": "As the model would",
    "sanction_all": "Sanction everyone",
    "shield_allies": "Shield my allies",
    "shield_all": "Shield everyone",
    "choose": "Choose whom to shield",
}
#: What each vote policy does, in words.
VOTE_HELP = {
    "model": "the model votes for you: no on a flagged ally with probability equal to the "
    "alliance weight, yes on everyone else",
    "sanction_all": "you vote yes on every sanction",
    "shield_allies": "you vote no on sanctions against your allies, yes on the rest",
    "shield_all": "you vote no on every sanction",
    "choose": "you vote no on sanctions against the nations you pick, yes on the rest",
}


@dataclass(frozen=True)
class PeriodReport:
    """What happened in one period, seen from the player's nation.

    Attributes:
        t: The period (month), from 1.
        defected: The player's choice.
        advantage: The advantage of defecting the model computed for the nation this period.
        caught_domestic: The nation's programme was caught by its own (domestic) checks.
        caught_international: Caught by international verification.
        false_alarm: Flagged while complying.
        sanction_paid: The sanction the nation paid this period.
        payoff: The nation's payoff this period.
        others_defecting: Names of the other nations whose programmes defected.
        own_labs_defecting: The nation's labs that defected (of ``own_labs``).
        own_labs: The nation's labs.
        compliance: Capability-weighted compliance of the world after the period.
        welfare: The sum of every actor's payoff this period.
        flags: Under a vote: each flag against another nation or its labs and what the vote
            made of it (with the player's vote when the player set it).
        round: The period opened with a membership round.
        member: The nation is a treaty member after the period.
        members: Member nations after the period.
        in_force: The treaty binds its members after the period.
    """

    t: int
    defected: bool
    advantage: float
    caught_domestic: bool
    caught_international: bool
    false_alarm: bool
    sanction_paid: float
    payoff: float
    others_defecting: tuple[str, ...]
    own_labs_defecting: int
    own_labs: int
    compliance: float
    welfare: float
    flags: tuple[str, ...] = ()
    round: bool = False
    member: bool = True
    members: int = 0
    in_force: bool = True
    unit: float = 1.0
    expected: float = 0.0

    def points(self, value: float) -> str:
        """``value`` in points: 100 points are the nation's gain from defecting for a month."""
        return points_text(value, self.unit)

    def amount(self, value: float) -> str:
        """A sanction's size in points, without a sign."""
        return points_text(value, self.unit).lstrip("+")

    def sentence(self, votes: bool = True) -> str:
        """The period in words (``votes=False``: without the flags' fates, shown apart)."""
        you = "defected" if self.defected else "complied"
        if self.caught_domestic or self.caught_international:
            how = "international verification" if self.caught_international else "your own checks"
            seen = f" You were caught by {how}"
            seen += (
                f" and a sanction of {self.amount(self.sanction_paid)} points was paid this month."
                if self.sanction_paid
                else " (no sanction was paid this month)."
            )
        elif self.false_alarm:
            seen = " A false alarm flagged you"
            seen += (
                f" and you paid {self.amount(self.sanction_paid)} points."
                if self.sanction_paid
                else "."
            )
        else:
            seen = " Nobody flagged you."
        others = ", ".join(self.others_defecting) if self.others_defecting else "none"
        treaty = ""
        if self.round:
            status = "a member" if self.member else "outside the treaty"
            force = "in force" if self.in_force else "not in force"
            treaty = (
                f" Negotiation round: you are {status}; {self.members} nations are members "
                f"and the treaty is {force}."
            )
        fates = f" Sanction votes: {'; '.join(self.flags)}." if self.flags and votes else ""
        labs = (
            f" Your labs defecting: {self.own_labs_defecting} of {self.own_labs}."
            if self.own_labs
            else ""
        )
        return (
            f"Month {self.t}: you {you}.{seen}{treaty} Your payoff: "
            f"{self.points(self.payoff)} points (expected {self.points(self.expected)}). "
            f"Other nations defecting: {others}.{labs}{fates} World compliance "
            f"(capability-weighted): {self.compliance:.2f}."
        )


def points_text(value: float, unit: float) -> str:
    """``value`` as points of ``unit`` (100 points = ``unit``), never "-0"."""
    x = 100.0 * value / unit if unit else 0.0
    text = f"{x:+.0f}" if abs(x) >= 0.5 else "0"
    return text.replace("-", "\u2212")


@dataclass(frozen=True)
class Debrief:
    """The end of a game: the player's total against a best responder's, and the world's.

    Attributes:
        player_total: The player's summed payoff.
        best_response_total: What a best-responding nation earned in the same place on the
            same random stream.
        world_welfare: Every actor's summed payoff in the player's game.
        best_response_world_welfare: The same in the counterfactual game.
        player_defections: Periods the player defected.
        best_response_defections: Periods the best responder defected.
        periods: Periods played.
        unit: The nation's monthly gain from defecting (100 points).
        membership: The player's membership choices in words (empty without rounds).
    """

    player_total: float
    best_response_total: float
    world_welfare: float
    best_response_world_welfare: float
    player_defections: int
    best_response_defections: int
    periods: int
    unit: float = 1.0
    membership: str = ""

    def text(self) -> str:
        """The debrief in words."""
        diff = self.player_total - self.best_response_total
        pts = points_text
        if abs(diff) <= 1e-12 * max(1.0, abs(self.best_response_total)):
            verdict = "exactly what a best-responding nation earned"
        elif diff > 0:
            verdict = (
                f"{pts(diff, self.unit).lstrip('+')} points more than a best-responding nation"
            )
        else:
            verdict = (
                f"{pts(-diff, self.unit).lstrip('+')} points less than a best-responding nation"
            )
        member = f" {self.membership}" if self.membership else ""
        return (
            f"Over {self.periods} months you earned {pts(self.player_total, self.unit)} "
            f"points: {verdict} ({pts(self.best_response_total, self.unit)}, same nation, "
            f"same seed, same random draws). You defected in {self.player_defections} "
            f"months, the best responder in {self.best_response_defections}.{member} The "
            f"whole world's welfare was {pts(self.world_welfare, self.unit)} points in your "
            f"game and {pts(self.best_response_world_welfare, self.unit)} with the best "
            "responder in your place (it votes and decides membership by the model's "
            "rules). 100 points are what defecting gains your nation in one month."
        )


def build_engine(
    scenario: Scenario | None, seed: int, periods: int, overrides: dict[str, Any] | None = None
) -> Engine:
    """The engine of a game: the scenario's parameters, ``overrides``, ``periods`` and the seed.

    The engine's horizon reaches the scenario's last event even in a shorter game (the game
    stops after ``periods``; the horizon only sizes the records, it changes no number).
    """
    starts = [int(e.start) for e in scenario.events] if scenario is not None else []
    params = {**(overrides or {}), "steps": max([int(periods), *starts])}
    return Engine.from_params(params, rng=int(seed), scenario=scenario)


def best_response_action(engine: Engine, actor: int) -> bool:
    """The best response of ``actor`` next period: defect iff its advantage > the tolerance."""
    return bool(engine.advantage()[actor] > engine.tolerance)


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
    out = []
    for _ in range(int(periods)):
        action = best_response_action(engine, nation)
        engine.step(held=Held(actions={nation: action}))
        out.append(
            (
                float(engine.payoff[nation]),
                float(engine.payoff.sum()),
                bool(action),
                bool(engine.member[nation]),
            )
        )
    return out


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
        self.seed = new_seed() % (2**31)
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
        self.engine = build_engine(self.scenario, self.seed, self.periods)
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
    def unit(self) -> float:
        """The nation's gain from defecting for a month, ``G c`` (100 points)."""
        return float(self.engine.structure.gc[self.nation]) or 1.0

    def points(self, value: float) -> str:
        """``value`` in points (100 points: the nation's monthly gain from defecting)."""
        return points_text(value, self.unit)

    def _risk(self, defect: bool) -> float:
        """The shared-risk cost the nation pays this month if the others act as last month."""
        eng = self.engine
        c = eng.structure.c
        others = eng.defect.copy()
        others[self.nation] = bool(defect)
        return float(eng.structure.rc[self.nation]) * float(c[others].sum() / c.sum())

    def advice(self) -> tuple[float, float]:
        """Expected payoffs of complying and of defecting this month, for the nation.

        The model's expected payoffs (a sanction counted when it is incurred, at its expected
        value) plus the shared risk the nation pays, estimated from last month's actions of
        everyone else (:meth:`advice_leaves_out` names what this leaves out).
        """
        pay = self.engine.expected_payoffs()
        c = float(self.engine.c[self.nation])
        club = self._club()
        return (
            float(pay[0, self.nation]) * c - self._risk(False) - club,
            float(pay[1, self.nation]) * c - self._risk(True) - club,
        )

    def _club(self) -> float:
        """The club cost the nation pays this month (verification dues, or an outsider's)."""
        eng = self.engine
        treaty = eng.treaty
        if not (treaty.club_on and treaty.pause_active and treaty.in_force):
            return 0.0
        return float(eng._club_cost[self.nation])

    def advice_leaves_out(self) -> str:
        """What the expected values leave out, in words."""
        lag = int(self.engine.params["verification_lag"])
        due = (
            float(self.engine._ring[self.engine.t % len(self.engine._ring)][self.nation])
            if lag
            else 0.0
        )
        parts = [
            "they assume the others act as they did last month (the shared risk you pay "
            "grows with every defector's capability)"
        ]
        if lag:
            parts.append(
                f"a sanction is counted when incurred, but paid {lag} month"
                f"{'s' if lag > 1 else ''} later; this month you pay "
                f"{self.points(due) if due else 'no'} points of earlier sanctions "
                "whatever you choose"
            )
        if self.engine.treaty.club_on:
            parts.append(
                "the club cost (members' verification dues, outsiders' penalty) is "
                "this month's; a negotiation round can change it"
            )
        parts.append("detection and votes are random: the expected sanction is an average")
        return "; ".join(parts)

    def next_round(self) -> int | None:
        """The month of the next negotiation round on membership (None: no more this game)."""
        treaty = self.engine.treaty
        for t in range(self.engine.t + 1, self.periods + 1):
            if treaty.membership_round_at(t):
                return t
        return None

    def status(self) -> str:
        """Membership and the treaty's state in words, between rounds too."""
        eng = self.engine
        members = int(eng.member.sum())
        you = "a member of the treaty" if self.is_member else "outside the treaty"
        force = "in force" if eng.in_force else "not in force"
        text = (
            f"Your nation is {you}; {members} of {eng.n_nations} nations are members and "
            f"the treaty is {force}."
        )
        if eng.params["membership"] == "negotiated":
            nxt = self.next_round()
            text += (
                f" Next negotiation round: month {nxt}."
                if nxt is not None
                else " No negotiation round is left in this game."
            )
        else:
            text += " Membership is fixed in this scenario (no negotiation rounds)."
        return text

    # ------------------------------------------------------------------ the treaty's decisions
    @property
    def voting(self) -> bool:
        """True when sanctions are put to a vote in this game."""
        return self.engine.params["adjudication"] in ("members_vote", "great_power_veto")

    @property
    def is_member(self) -> bool:
        """True while the nation is a treaty member."""
        return bool(self.engine.member[self.nation])

    @property
    def is_veto_power(self) -> bool:
        """True when the nation holds a veto (``great_power_veto``)."""
        return bool(np.isin(self.nation, self.engine.veto_powers))

    @property
    def has_vote(self) -> bool:
        """True when sanctions are voted on and the nation is a member (as every veto power is)."""
        return self.voting and self.is_member

    @property
    def _learns(self) -> np.ndarray:
        """Per nation ``h``: the player's nation learns of (and votes on) flags against it."""
        per_bloc = self.engine.params["inspectorate"] == "per_bloc"
        return adjudication.learners(np.asarray(self.engine.world.bloc), per_bloc)[:, self.nation]

    @property
    def allies(self) -> list[str]:
        """The nation's allies (alliance weight above 0), by name."""
        row = self.engine.world.alliances[[self.nation], :].toarray().ravel()
        return [
            self.nation_names[k]
            for k in range(len(self.nation_names))
            if k != self.nation and row[k] > 0
        ]

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

    def membership_advice(self) -> bool:
        """What the model's nation would choose at the round now (True: be a member)."""
        return self.engine.prefers_membership(self.nation)

    def play(self, defect: bool, member: bool | None = None) -> PeriodReport | None:
        """Play one period: the nation complies or defects; the others decide by their rule.

        Args:
            defect: The nation's own programme defects this month.
            member: At a negotiation round, whether the nation is a member afterwards (None:
                the model's choice); ignored between rounds.
        """
        if self.finished:
            return None
        start = time.perf_counter()
        eng = self.engine
        i = self.nation
        was_round = eng.negotiation_round_next()
        expected = self.advice()[1 if defect else 0]
        votes = self.held_votes() if self.has_vote else None  # a vote counts as cast now
        eng.step(
            held=Held(
                actions={i: bool(defect)},
                votes={} if votes is None else {i: votes},
                membership={} if member is None or not was_round else {i: bool(member)},
            )
        )
        last = eng.last
        n = eng.n_nations
        others = tuple(self.nation_names[k] for k in range(n) if k != i and eng.defect[k])
        labs = np.flatnonzero((eng.home == i) & eng.is_lab)
        weighted = float(eng.latest("weighted_compliance"))
        report = PeriodReport(
            t=eng.t,
            defected=bool(eng.defect[i]),
            advantage=float(last["advantage"][i]),
            caught_domestic=bool(last["caught_domestic"][i]),
            caught_international=bool(last["caught_international"][i]),
            false_alarm=bool(last["false_alarm"][i]),
            sanction_paid=float(last["sanction_paid"][i]),
            payoff=float(eng.payoff[i]),
            others_defecting=others,
            own_labs_defecting=int(eng.defect[labs].sum()),
            own_labs=len(labs),
            compliance=weighted if math.isfinite(weighted) else 0.0,
            welfare=float(eng.payoff.sum()),
            flags=self._flags(votes),
            round=was_round,
            member=self.is_member,
            members=int(eng.member.sum()),
            in_force=bool(eng.in_force),
            unit=self.unit,
            expected=expected,
        )
        self.history.append(report)
        self.last_seconds = time.perf_counter() - start
        return report

    def _flags(self, votes: np.ndarray | None) -> tuple[str, ...]:
        """The period's flags against other nations' actors and what the vote made of them.

        Each names the actor (a nation's programme, or which of its labs), who vetoed a
        vetoed sanction, and why a sanction that failed its vote lapsed.
        """
        last = self.engine.last
        if "vote_passed" not in last:
            return ()
        eng = self.engine
        names = eng.world.names
        flagged = (last["caught_international"] | last["false_alarm"]) & eng.bound
        learns = self._learns
        powers = [int(x) for x in np.asarray(eng.veto_powers)]
        ties = eng.world.alliances.toarray()
        quorum = 100 * float(eng.params["sanction_quorum"])
        out = []
        for k in np.flatnonzero(flagged & (eng.home != self.nation)):
            h = int(eng.home[k])
            nation = self.nation_names[h]
            if eng.is_lab[k]:
                lab = str(names[k]).split("/")[-1].replace("-", " ")
                who = f"{nation}'s {lab}"
            else:
                who = f"{nation}'s own programme"
            why = "caught defecting" if last["caught_international"][k] else "a false alarm"
            share = 100 * float(last["vote_share"][k])
            mine_no = votes is not None and bool(learns[h]) and not bool(votes[h])
            if last["vetoed"][k]:
                if h in powers:
                    fate = (
                        f"vetoed by {nation} itself (a veto power blocks every sanction on "
                        "itself and its labs)"
                    )
                elif self.nation in powers and mine_no:
                    fate = "vetoed"  # ", you voted no" follows: the player's own veto
                else:
                    allied = [
                        (
                            "you (the model voting for you)"
                            if v == self.nation
                            else self.nation_names[v]
                        )
                        for v in powers
                        if v != h
                        and ties[v, h] > 0
                        and not (v == self.nation and votes is not None)
                    ]
                    fate = (
                        "vetoed by " + " or ".join(allied) + " (an ally holding a veto)"
                        if allied
                        else "vetoed"
                    )
            elif last["vote_passed"][k]:
                fate = f"sanctioned ({share:.0f}% yes, quorum {quorum:.0f}%)"
            else:
                fate = (
                    f"lapsed: only {share:.0f}% of the members voted yes, short of the "
                    f"{quorum:.0f}% quorum"
                )
            mine = (
                f", you voted {'yes' if votes[h] else 'no'}"
                if votes is not None and bool(learns[h])
                else ""
            )
            if fate == "vetoed" and mine_no and self.nation in powers:
                mine += " (your veto blocked it)"
            out.append(f"{who} ({why}): {fate}{mine}")
        return tuple(out)

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
                best_response_months(self.scenario, self.seed, self.periods, self.nation),
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
        return (
            f"scenario={self.scenario_name}&seed={self.seed}&periods={self.periods}"
            f"&nation={self.nation}"
        )
