"""The room's negotiation phase: the class agrees its treaty's terms before month 1 (#33).

A room with ``negotiation_rounds = R > 0`` opens, when the teacher starts it, in the phase
:data:`NEGOTIATING` instead of month 1 (``R = 0``, the default: no such phase, the room of
before exactly). In each round:

1. **Who proposes.** The recognised proposer of round ``r``: the nations with a present
   student take turns in nation order (the ``((r - 1) mod k)``-th of the ``k`` present when
   the round opens: the cyclic proposer of ``rotating_unanimity``, used under either rule so
   that every student's turn comes in a known order; **Choice**). With no student present,
   nation ``(r - 1) mod n`` proposes for the model.
2. **Terms.** A proposal sets every negotiable term of the scenario (its ``[negotiation]``
   table, :func:`model.params.terms.term_box`, else :data:`model.negotiation.session
   .DEFAULT_BOX`) within its range (numbers kept to two decimals); anything else is refused
   with a :class:`~experiments.room.names.RoomError` naming what is allowed.
3. **Consequence.** Before voting every student sees what the proposal would do: the share
   of simulated worlds in which the pause holds and each nation's expected payoff a month,
   against no treaty (:mod:`experiments.room.consequence`). Any student may ask for the
   consequence of terms before the proposal (the proposer tries terms); each new set of
   terms is valued once, shared by all, and a round values at most ``max_term_points``
   new ones (more are refused; terms already valued stay free).
4. **Vote.** The proposer's nation votes yes (any present member of it may propose); each
   other present student votes accept or reject, a seat's ballot being its nation's and a
   delegation's members' ballots settled by the room's delegation rule
   (:func:`experiments.room.delegations.settle`); the others vote as the model's valuation
   says, yes iff ``S_i >= 0`` (``S_i = U_i - D_i``, no transfers in the room); all through
   :func:`nation_vote`. The vote closes when every present student has voted, at the
   deadline (``deadline_seconds``, per stage) or when the teacher closes it (next). At the
   deadline or the teacher's close before a proposal, the model proposes for the recognised
   nation (as it plays an undecided seat's month): among at most :data:`MODEL_OFFER_POINTS`
   points of the box (:func:`model.params.terms.term_points`, within the round's budget) the
   best for that nation that the model's votes would adopt, else the best for it.
5. **Rule.** ``rotating_unanimity``: every nation's yes; ``baron_ferejohn``: ``quota`` yes
   votes, the proposer's included (default a simple majority, ``n // 2 + 1``).

The teacher's Pause stops a stage's clock as a month's (proposals and ballots still come in, no
round closes until Resume; a vote the teacher closes while paused opens month 1 paused), and
+30 s extends it; neither writes a log record.

The first adopted proposal ends the phase: its terms are the engine's parameters from month 1
(:meth:`model.engine.Engine.adopt_terms`, given parameters kept), and month 1 opens. If no
proposal passes in ``R`` rounds there is no treaty: as after a run's negotiation without an
agreement (model/ODD.md 3.9) no nation is ever bound, and the months are played so.

Log records (step 0): ``round`` (round, proposer, by student or model), ``consequence`` (the
terms, held share, worlds, every nation's ``U_i`` and ``D_i``; each new valuation),
``offer`` (round, nation, terms, by), ``ballot`` (a student's vote), ``tally`` (round, the
nations' votes as 0/1, which the model cast, yes, needed, passed) and ``adopted`` (terms, or
null without an agreement; the rule), which :func:`experiments.room.replay` re-runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np

from experiments.play import build_engine
from experiments.room.clock import Clock, _extra_seconds
from experiments.room.consequence import Consequence, Consequences
from experiments.room.delegations import settle
from experiments.room.holders import check_holder
from experiments.room.names import RoomError
from experiments.room.negotiation_views import NegotiationViews
from experiments.room.seats import Seat, _as_bool
from experiments.room.state import LOBBY, PAUSED, PLAYING, RoomState
from experiments.room.talks import NEGOTIATING, Talk, Tally, terms_text
from model.engine import Engine
from model.errors import ConfigError
from model.negotiation import TIE_TOLERANCE, get_protocol
from model.negotiation.session import DEFAULT_BOX, negotiation_seed
from model.params.negotiation import TERMS_RULE
from model.params.terms import TermBox, TermRange, term_box, term_points

#: The most negotiation rounds a room may have.
MAX_NEGOTIATION_ROUNDS = 10
#: The vote rules a room offers (protocols of :mod:`model.negotiation`).
VOTE_RULES = ("rotating_unanimity", "baron_ferejohn")
#: The most points of the box the model tries when it proposes for a nation.
MODEL_OFFER_POINTS = 16


def check_negotiation(rounds: Any, rule: Any, quota: Any, n: int) -> tuple[int, str, int]:
    """A room's negotiation settings: (rounds, rule, yes votes needed).

    Raises:
        RoomError: Rounds outside 0 to :data:`MAX_NEGOTIATION_ROUNDS`, an unknown rule, a quota
            under ``rotating_unanimity`` or outside 1 to the number of nations.
    """
    if (
        isinstance(rounds, bool)
        or not isinstance(rounds, (int, np.integer))
        or not 0 <= int(rounds) <= MAX_NEGOTIATION_ROUNDS
    ):
        raise RoomError(
            f"negotiation_rounds {rounds!r} must be a whole number from 0 (no negotiation) "
            f"to {MAX_NEGOTIATION_ROUNDS}"
        )
    if rule not in VOTE_RULES:
        raise RoomError(f"unknown vote rule {rule!r}; allowed: {', '.join(VOTE_RULES)}")
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, (int, np.integer))):
        raise RoomError(f"quota {quota!r} must be a whole number of yes votes, or none")
    try:
        needed = get_protocol(rule).check(n, None if quota is None else int(quota))
    except ConfigError as err:
        raise RoomError(f"the vote rule: {err}") from None
    return int(rounds), str(rule), int(needed)


def _range_text(t: TermRange) -> str:
    if t.choices:
        return f"{t.name}: one of {', '.join(t.choices)}"
    what = "a whole number" if t.param.kind == "int" else "a number"
    return f"{t.name}: {what} from {t.low:g} to {t.high:g}"


def allowed_terms(box: TermBox) -> str:
    """The negotiable terms and their ranges in words (for refusals and the form)."""
    return "; ".join(_range_text(t) for t in box.terms)


def check_terms(box: TermBox, terms: Any) -> dict[str, Any]:
    """A proposal's terms, validated and normalised (numbers to two decimals).

    Raises:
        RoomError: Not a mapping, a term that is not negotiable here, a term missing, a value
            out of its range or not among its choices; the message names what is allowed.
    """
    allowed = allowed_terms(box)
    if not isinstance(terms, Mapping):
        raise RoomError(f"terms must map each negotiable term to a value; allowed: {allowed}")
    unknown = sorted(set(map(str, terms)) - set(box.names))
    if unknown:
        raise RoomError(f"{', '.join(unknown)} is not negotiable here; allowed: {allowed}")
    missing = [name for name in box.names if name not in terms]
    if missing:
        raise RoomError(f"a proposal sets every term ({', '.join(missing)} missing); {allowed}")
    out: dict[str, Any] = {}
    for t in box.terms:
        value = terms[t.name]
        if t.choices:
            if value not in t.choices:
                raise RoomError(f"{t.name} {value!r} is not on the table; {_range_text(t)}")
            out[t.name] = str(value)
            continue
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = float("nan")
        assert t.low is not None and t.high is not None
        if isinstance(value, bool) or not t.low <= x <= t.high:
            raise RoomError(f"{t.name} {value!r} is out of range; {_range_text(t)}")
        out[t.name] = int(round(x)) if t.param.kind == "int" else round(x, 2)
    return out


def nation_vote(room: Negotiation, nation: int, gain: np.ndarray) -> tuple[bool, str]:
    """How ``nation`` votes on the round's proposal, and who cast it.

    The one place a nation's vote is decided: the proposer's nation votes yes (``proposer``);
    a seat's ballot is its nation's (``student``); a delegation's members' ballots are settled
    by the room's delegation rule (:func:`experiments.room.delegations.settle`, as a month's
    choice: ``delegation``), a silent delegation abstaining counts as no (``abstain``);
    otherwise the model's valuation, yes iff ``S_i >= 0`` (``gain``, within the solver's tie
    tolerance; ``model``).
    """
    talk = room.talk
    assert talk is not None
    if nation == talk.proposer:
        return True, "proposer"
    members = [
        s
        for s in room.seats.values()
        if s.nation == nation and (s.present or s.token in talk.ballots)
    ]
    if members and not room.delegations_on:
        ballot = talk.ballots.get(members[0].token)
        if ballot is not None:
            return ballot, "student"
    elif members:
        spoke = room.spokesperson(nation)
        settled = settle(
            {s.token: talk.ballots.get(s.token) for s in members},
            None if spoke is None else spoke.token,
            room.delegation,
            silent=room.silent,
        )
        if settled.choice is not None:
            return bool(settled.choice), "delegation"
        if settled.how == "abstain":
            return False, "abstain"
    return bool(gain[nation] >= -TIE_TOLERANCE), "model"


def game_engine(room: RoomState) -> Engine:
    """A fresh engine of the room's game, with the terms its negotiation adopted (if any)."""
    eng = build_engine(room.scenario, room.seed, room.periods, room.overrides)
    adopted = [r for r in room.log.records if r["type"] == "adopted"]
    if adopted:
        eng.adopt_terms(adopted[-1]["terms"], protocol=adopted[-1]["rule"])
    return eng


class Negotiation(NegotiationViews, Clock):
    """The negotiation phase of a room (each public method takes the room's lock).

    First among the room's parts: it wraps the students' ``decide`` and ``pledge`` (refused
    while the class negotiates) and the clock's start, next and deadline.
    """

    # the negotiation's own attributes are annotated on NegotiationViews
    # the delegations' (experiments.room.delegations), read by nation_vote: annotations only
    delegation: str
    silent: str
    delegations_on: bool
    spokesperson: Callable[[int], Seat | None]

    def _setup_negotiation(self, rounds: Any, rule: Any, quota: Any) -> dict[str, Any]:
        """Check and keep the settings; returns the ``room`` record's fields (none at 0)."""
        n = len(self.nation_names)
        self.negotiation_rounds, self.vote_rule, self.votes_needed = check_negotiation(
            rounds, rule, quota, n
        )
        table = getattr(self.scenario, "negotiation", None) or DEFAULT_BOX
        self.term_box = term_box(table)
        self.talk, self.tallies, self.adopted = None, [], None
        self.concluded = False  # the phase ended with a vote's outcome (terms or none)
        self.talk_paused = False  # the teacher paused the round's clock (teacher_pause)
        self._consequences = None
        if not self.negotiation_rounds:
            return {}
        protocol = self.engine.given_params["protocol"]
        if protocol != TERMS_RULE:
            raise RoomError(
                f"this game's nations negotiate by themselves (protocol = {protocol}); a "
                "class negotiates with protocol = terms_rule (or set negotiation_rounds = 0)"
            )
        return {
            "negotiation": {
                "rounds": self.negotiation_rounds,
                "rule": self.vote_rule,
                "needed": self.votes_needed,
            }
        }

    # ------------------------------------------------------------------ the phase's course
    def teacher_start(self, teacher_token: Any) -> None:
        """Start the game: the negotiation's first round, or month 1 without negotiation."""
        with self._lock:
            if not self.negotiation_rounds:
                super().teacher_start(teacher_token)
                return
            self._open()
            self._teacher(teacher_token)
            if self.status != LOBBY:
                raise RoomError("the game has already started")
            try:
                self._consequences = Consequences(self.engine, self.scenario, self.periods)
            except ConfigError as err:
                raise RoomError(f"this room's proposals cannot be valued: {err}") from None
            self.status = NEGOTIATING
            self._open_round(1)
            self._touch()

    def _changed(self) -> None:
        self._touch()

    def _restart_clock(self) -> None:
        """A new stage's full deadline: running, or kept whole while the teacher pauses."""
        if self.talk_paused:
            self._remaining, self._deadline_at = self.deadline_seconds, None
            return
        self._remaining = None
        self._deadline_at = (
            self._clock() + self.deadline_seconds if self.deadline_seconds is not None else None
        )

    def _open_round(self, number: int) -> None:
        present = sorted({s.nation for s in self._present()})
        if present:
            proposer, by = present[(number - 1) % len(present)], "student"
        else:
            proposer, by = (number - 1) % len(self.nation_names), "model"
        self.talk = Talk(number, proposer, by)
        self.log.append("round", 0, round=number, proposer=proposer, by=by)
        self._restart_clock()
        if by == "model":
            self._model_offer()

    def _valued(self, terms: dict[str, Any]) -> Consequence:
        """The consequence of checked terms, valued now if new (within the round's budget)."""
        talk, values = self.talk, self._consequences
        assert talk is not None and values is not None
        known = values.known(terms)
        if known is not None:
            return known
        budget = int(self.engine.params["max_term_points"])
        if talk.valued >= budget:
            raise RoomError(
                f"this round has valued its {budget} proposals (max_term_points); propose "
                "terms already valued, or wait for the next round"
            )
        try:
            made = values.value(terms)
        except ConfigError as err:
            raise RoomError(f"terms {terms_text(terms)} cannot be valued: {err}") from None
        talk.valued += 1
        self.log.append("consequence", 0, round=talk.round, **made.record())
        return made

    def _model_offer(self) -> None:
        """The model proposes for the recognised nation (see the module); none: the round ends."""
        talk = self.talk
        assert talk is not None and self._consequences is not None
        budget = int(self.engine.params["max_term_points"]) - talk.valued
        rng = np.random.default_rng(negotiation_seed(self.engine.rng))
        points = term_points(self.term_box, rng, max(1, min(MODEL_OFFER_POINTS, budget)))
        points = [check_terms(self.term_box, p) for p in points]
        valued = []
        for p in points:
            try:
                valued.append(self._valued(p))
            except RoomError:
                break  # the round's budget is spent
        if not valued:
            self._close_round()
            return

        def adopts(c: Consequence) -> bool:  # with the model's votes for every other nation
            others = np.delete(c.gain, talk.proposer)
            return 1 + int(np.sum(others >= -TIE_TOLERANCE)) >= self.votes_needed

        best = max(valued, key=lambda c: (adopts(c), float(c.gain[talk.proposer])))
        self._make_offer(best.terms, "model")

    def _make_offer(self, terms: dict[str, Any], by: str) -> None:
        talk = self.talk
        assert talk is not None
        talk.offer = terms
        self.log.append("offer", 0, round=talk.round, nation=talk.proposer, terms=terms, by=by)
        self._restart_clock()
        self._close_if_all_voted()

    def _close_if_all_voted(self) -> None:
        talk = self.talk
        if (
            self.status == NEGOTIATING
            and not self.talk_paused  # as a paused month: ballots come in, nothing closes
            and talk is not None
            and talk.offer is not None
            and all(s.token in talk.ballots for s in self._voters())
        ):
            self._close_round()

    def _close_round(self) -> None:
        """Count the votes (the model's for the rest), then adopt, open the next round or end."""
        talk = self.talk
        assert talk is not None and self._consequences is not None
        votes: list[tuple[int, bool, str]] = []
        if talk.offer is not None:
            gain = self._consequences.value(talk.offer).gain
            votes = [(k, *nation_vote(self, k, gain)) for k in range(len(self.nation_names))]
        yes = sum(v for _, v, _ in votes)
        passed = talk.offer is not None and yes >= self.votes_needed
        tally = Tally(
            talk.round, talk.proposer, talk.offer, tuple(votes), yes, self.votes_needed, passed
        )
        self.tallies.append(tally)
        self.log.append(
            "tally",
            0,
            round=talk.round,
            terms=talk.offer,
            votes="".join("1" if v else "0" for _, v, _ in votes),
            model=[k for k, _, by in votes if by == "model"],
            yes=yes,
            needed=self.votes_needed,
            passed=passed,
        )
        if passed:
            self._conclude(talk.offer)
        elif talk.round < self.negotiation_rounds:
            self._open_round(talk.round + 1)
        else:
            self._conclude(None)

    def _conclude(self, terms: dict[str, Any] | None) -> None:
        """Adopt the terms (None: no treaty, nobody bound) and open month 1."""
        self.log.append("adopted", 0, terms=terms, rule=self.vote_rule)
        self.engine.adopt_terms(terms, protocol=self.vote_rule)
        self.adopted, self.concluded = terms, True
        self._build_briefings()  # the briefings now say what the adopted treaty says
        self.talk = None
        self.status = PLAYING
        self._open_month()
        if self.talk_paused:  # the teacher closed the last vote while paused: month 1 waits
            self.talk_paused = False
            self.status = PAUSED
            self._remaining, self._deadline_at = self.deadline_seconds, None

    # ------------------------------------------------------------------ the students' requests
    def _negotiating(self) -> Talk:
        self._open()
        if self.status != NEGOTIATING or self.talk is None:
            raise RoomError("the class is not negotiating now (no round is open)")
        return self.talk

    def consequence(self, token: Any, terms: Any) -> dict[str, Any]:
        """What ``terms`` would do, as the student's nation sees it (valued once, shared).

        Raises:
            NotAllowed: Not a seat of this room.
            RoomError: No round open, terms refused (:func:`check_terms`), the round's budget
                of new valuations spent.
        """
        with self._lock:
            seat = self._seat(token)
            self._negotiating()
            made = self._valued(check_terms(self.term_box, terms))
            self._changed()
            return self._consequence_view(made, seat.nation)

    def propose(self, token: Any, terms: Any, *, session: str | None = None) -> None:
        """The recognised proposer puts terms to the vote (valued first if new).

        Raises:
            NotAllowed: Not a seat of this room, or another browser holds it.
            RoomError: No round open, not this seat's turn, a proposal already made, terms
                refused, the round's budget spent.
        """
        with self._lock:
            seat = self._seat(token)
            check_holder(seat, session)
            talk = self._negotiating()
            if seat.nation != talk.proposer or talk.by != "student":
                raise RoomError(
                    f"round {talk.round}'s proposer is {self.nation_names[talk.proposer]}; "
                    "you vote on its proposal"
                )
            if talk.offer is not None:
                raise RoomError("your proposal is already on the table (one a round)")
            checked = check_terms(self.term_box, terms)
            self._valued(checked)
            self._make_offer(checked, "student")
            self._changed()

    def vote(self, token: Any, accept: Any, *, session: str | None = None) -> None:
        """The student's nation's vote on the round's proposal (one a round; final).

        Raises:
            NotAllowed: Not a seat of this room, or another browser holds it.
            RoomError: No proposal to vote on, the proposer voting, a second vote, not yes/no.
        """
        with self._lock:
            seat = self._seat(token)
            check_holder(seat, session)
            talk = self._negotiating()
            if talk.offer is None:
                raise RoomError("no proposal is on the table yet: wait for the proposer")
            if seat.nation == talk.proposer:
                raise RoomError("your nation proposed these terms: it votes yes")
            if seat.token in talk.ballots:
                raise RoomError(f"your vote in round {talk.round} is already in (one a round)")
            if not seat.present:
                raise RoomError("you left this room: rejoin first")
            yes = _as_bool(accept, "the vote")
            talk.ballots[seat.token] = yes
            self.log.append(
                "ballot", 0, round=talk.round, nation=seat.nation, name=seat.name, yes=yes
            )
            self._close_if_all_voted()
            self._changed()

    # ------------------------------------------------------------------ the teacher's and clock's
    def teacher_close_round(self, teacher_token: Any) -> None:
        """Close the round now: before a proposal the model proposes; a vote is counted."""
        with self._lock:
            self._teacher(teacher_token)
            self._advance()
            self._changed()

    def _advance(self) -> None:
        talk = self._negotiating()
        if talk.offer is None:
            self._model_offer()
        else:
            self._close_round()

    def teacher_next(self, teacher_token: Any) -> None:
        """Close the negotiation's round (while negotiating), else resolve the month."""
        with self._lock:
            if self.status == NEGOTIATING:
                self.teacher_close_round(teacher_token)
                return
        super().teacher_next(teacher_token)

    def tick(self, now: float | None = None) -> bool:
        """At the deadline: the round's stage closes (negotiating), else the month resolves."""
        with self._lock:
            if self.status != NEGOTIATING:
                return super().tick(now)
            now = self._clock() if now is None else now
            if (
                self.closed
                or self.talk_paused
                or self._deadline_at is None
                or now < self._deadline_at
            ):
                return False
            self._advance()
            self._changed()
            return True

    def teacher_pause(self, teacher_token: Any) -> None:
        """Stop the clock: the round's while negotiating (ballots still come in), else a month's."""
        with self._lock:
            if self.status != NEGOTIATING:
                super().teacher_pause(teacher_token)
                return
            self._teacher(teacher_token)
            if self.talk_paused:
                raise RoomError("the negotiation is already paused")
            self.talk_paused = True
            self._stop_clock()
            self._touch()

    def teacher_resume(self, teacher_token: Any) -> None:
        """Restart the round's clock where it stopped (while negotiating), else the month's."""
        with self._lock:
            if self.status != NEGOTIATING:
                super().teacher_resume(teacher_token)
                return
            self._teacher(teacher_token)
            if not self.talk_paused:
                raise RoomError("the negotiation is not paused")
            self.talk_paused = False
            self._run_clock()
            self._touch()
            self._close_if_all_voted()

    def teacher_extend(self, teacher_token: Any, seconds: Any) -> None:
        """Give the round's stage (while negotiating), else the month, ``seconds`` more."""
        with self._lock:
            if self.status != NEGOTIATING:
                super().teacher_extend(teacher_token, seconds)
                return
            self._teacher(teacher_token)
            extra = _extra_seconds(seconds)
            if self.talk_paused:  # the clock is stopped: the seconds kept grow
                self._remaining = (self._remaining or 0.0) + extra
            else:
                self._extend_clock(extra)
            self._touch()

    def _resolve_if_all_decided(self) -> None:
        if self.status == NEGOTIATING:
            self._close_if_all_voted()
            return
        super()._resolve_if_all_decided()

    def _check_month(self, month: Any) -> None:
        if self.status == NEGOTIATING:
            raise RoomError("the class is negotiating its treaty: month 1 opens after the vote")
        cast(Any, super())._check_month(month)  # Students'

    def pledge(
        self, token: Any, kind: Any, value: Any = None, *, session: str | None = None
    ) -> Any:
        """Messages wait for month 1 while the class negotiates (else as :class:`Students`)."""
        with self._lock:
            if self.status == NEGOTIATING:
                raise RoomError("messages open with month 1; now the class votes on proposals")
        return cast(Any, super()).pledge(token, kind, value, session=session)  # Students'

    def _stamp_of(self, seat: Seat) -> tuple[Any, ...]:
        base = super()._stamp_of(seat)
        return (*base, self._talk_stamp(seat)) if self.negotiation_rounds else base

    def _talk_stamp(self, seat: Seat) -> tuple[Any, ...]:
        """What of the negotiation the seat's card shows: other nations' ballots are not in it.

        A ballot redraws its voter's page and those of its delegation's members only (until it
        closes the round); with 40 students a round's ballots would otherwise redraw every
        page 40 times.
        """
        talk = self.talk
        now: tuple[Any, ...] | None = None
        if talk is not None:
            offer = None if talk.offer is None else tuple(sorted(talk.offer.items()))
            mine: Any = talk.ballots.get(seat.token)
            if self.delegations_on:  # the card shows the fellow members' ballots
                mine = tuple(
                    talk.ballots.get(s.token)
                    for s in self.seats.values()
                    if s.nation == seat.nation
                )
            now = (talk.round, talk.proposer, talk.by, offer, talk.valued, mine)
        return (self.status, now, len(self.tallies), self.concluded, self.talk_paused)
