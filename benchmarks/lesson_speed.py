"""Measure a whole class's lesson: negotiation, delegations, months (a benchmark, not a test).

Run ``python -m benchmarks.lesson_speed`` (defaults: 40 students in 8 delegations of 5, 3
negotiation rounds, 24 months). Issue #33 asks that each vote resolve within 1 s of the last
click, each proposal's consequence appear within 2 s, and the whole game fit a 45-minute
lesson at the deadlines the lesson plan sets. It measures, and prints, never asserts:

- **votes**: for each round, the time from the last student's vote (the click that closes the
  round) until the result is there: the call that counts it returns and a student's view
  (what each page reads on its redraw) shows the tally;
- **consequences**: for each proposal, the time from Propose until a voter's view shows the
  proposal's consequence (the terms valued on the batched engine when new), and for each
  "try these terms" the time until the trying student sees it;
- **months**: the time from the month's last decision until a student's view shows the next
  month; the wall time of each month (all 40 decisions and the resolution);
- **the lesson**: the game's length at the given deadlines (``--month-seconds``, default 60;
  ``--round-seconds``, default 90 for a whole round, proposal and vote) plus every measured
  wait, and the minutes it leaves of a 45-minute lesson for the briefing and the debrief;
- **memory**: the resident memory (RSS) of the process holding the room, sampled every 20 ms
  (peak) and at the end.

Two ways (``--clients``, default ``room,served``):

- ``room``: the :class:`experiments.room.Room` in this process, every student a thread-free
  caller of its API (as the pages call it), no pages. The world: the plain parameters with 8
  nations (one a delegation), ``hazard_scale`` (``--hazard``, default 0.05: a shared risk, so
  weak terms cost every nation and strong ones pay; with the default 0 the model's nations
  lose from every treaty with teeth), proposals passed by ``baron_ferejohn`` with a quota of 5
  of 8. Delegations decide by majority (``majority``, 5 students each); each student votes
  by what the card shows them: accept iff their nation's expected points a month with the
  proposal are at least those without it (one member of each delegation votes the other way,
  so the majority rule has work to do). The proposer of round ``r`` first tries
  :data:`TRIES` terms, then proposes the ``r``-th of :data:`SCHEDULE` (weak terms first).
- ``served``: ``pausegame app`` on a free loopback port (a process of its own, stopped by its
  id); the teacher's page (Chromium through Playwright) creates the room on ``/teach``; of
  the 40 students ``--browser-students`` (default 5, one delegation) are tabs of one headless
  Chromium in one context, the others websocket clients (:class:`benchmarks.room_ws
  .PageClient`: the server does a tab's full work, nothing is drawn). The teacher page offers
  no ``hazard_scale`` and at least 10 nations: the world has 10 nations (8 delegations, 2
  played by the model), a quota of 6 of 10, and the students vote by script (rounds before
  the last: 3 of 5 members reject; the last: all accept), so the third round adopts. The
  times are until each page shows the result (a browser page: a ``MutationObserver``; a
  websocket client: the message's arrival). The server's RSS is sampled as above, and its CPU
  seconds from each last click to the result are printed (close to the latency: the time is
  the server's, redrawing 40 pages). The clicks of a vote or a month follow one another at
  once, so the last one's result also waits for the pages the earlier ones redrew;
  ``--settle`` waits before each last click until the server and the browsers are idle, as
  when a class's clicks come over a minute.

The machine's load when each run starts is printed beside the numbers (other work slows
every number). ``--students 10 --months 3`` is a quick check that it runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from typing import Any

import psutil

from experiments.room import Room

#: Terms each round's proposer tries before proposing (valued once, shared).
TRIES = (
    {"p_detect": 0.3, "penalty": 2.0},
    {"p_detect": 0.5, "penalty": 3.0},
    {"p_detect": 0.7, "penalty": 5.0},
)
#: The proposal of each round, in order (the last repeats): weak terms first.
SCHEDULE = (
    {"p_detect": 0.2, "penalty": 1.0},
    {"p_detect": 0.25, "penalty": 1.5},
    {"p_detect": 0.6, "penalty": 4.0},
)
#: Issue #33's bounds (seconds): a vote's result, a proposal's consequence.
VOTE_BOUND, CONSEQUENCE_BOUND = 1.0, 2.0


def quantiles(xs: list[float]) -> dict[str, float]:
    """min, median, 95th percentile (nearest rank), max and n of ``xs`` (empty: {}).

    Example:
        >>> quantiles([3.0, 1.0, 2.0])
        {'min': 1.0, 'median': 2.0, 'p95': 3.0, 'max': 3.0, 'n': 3}
    """
    xs = sorted(xs)
    if not xs:
        return {}
    rank = max(0, min(len(xs) - 1, -(-95 * len(xs) // 100) - 1))
    return {
        "min": xs[0],
        "median": statistics.median(xs),
        "p95": xs[rank],
        "max": xs[-1],
        "n": len(xs),
    }


class RssSampler:
    """The resident memory of process ``pid``, sampled every ``every`` seconds in a thread."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self._proc = psutil.Process(pid)
        self.peak_mb = self.now_mb()
        self._stop = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now_mb(self) -> float:
        """The RSS now in MB (nan once the process is gone)."""
        try:
            return float(self._proc.memory_info().rss) / 2**20
        except psutil.Error:
            return float("nan")

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            rss = self.now_mb()
            if rss == rss:
                self.peak_mb = max(self.peak_mb, rss)

    def stop(self) -> float:
        """Stop sampling; the RSS at the end (MB)."""
        end = self.now_mb()
        self._stop.set()
        self._thread.join()
        return end


def lesson_length(
    rounds: int, months: int, waits: float, month_seconds: float, round_seconds: float
) -> dict[str, float]:
    """The game's minutes at the deadlines (every stage runs to its deadline) plus the waits.

    Example:
        >>> lesson_length(3, 24, 30.0, 60, 90)["game_minutes"]
        29.0
    """
    game = rounds * round_seconds + months * month_seconds + waits
    return {
        "month_seconds": month_seconds,
        "round_seconds": round_seconds,
        "measured_waits_seconds": waits,
        "game_minutes": game / 60,
        "left_of_45_minutes": 45 - game / 60,
    }


def tally_text(result: dict[str, Any]) -> str:
    """A round's result in one line.

    Example:
        >>> tally_text({"round": 1, "proposer": "Nation 1", "terms": "p_detect 0.2",
        ...             "yes": 1, "needed": 5, "passed": False})
        'round 1: Nation 1 proposed p_detect 0.2: 1 yes of 5 needed, rejected'
    """
    verdict = "adopted" if result["passed"] else "rejected"
    return (
        f"round {result['round']}: {result['proposer']} proposed {result['terms']}: "
        f"{result['yes']} yes of {result['needed']} needed, {verdict}"
    )


def _verdict(name: str, xs: list[float], bound: float) -> str:
    over = sum(x > bound for x in xs)
    return f"{name}: {over} of {len(xs)} beyond {bound:g} s"


def _student_vote(view: dict[str, Any], member: int) -> bool:
    """What a student votes from their card: accept iff their nation gains (member 4 dissents)."""
    c = view["consequence"]
    gains = float(c["mine"]) >= float(c["without"])
    return gains if member != 4 else not gains


def measure_room(
    students: int = 40,
    size: int = 5,
    rounds: int = 3,
    months: int = 24,
    hazard: float = 0.05,
    *,
    month_seconds: float = 60.0,
    round_seconds: float = 90.0,
    progress: bool = True,
) -> dict[str, Any]:
    """The lesson on a :class:`Room` in this process (``--clients room``; see the module)."""
    nations = -(-students // size)
    sampler = RssSampler(os.getpid())
    load = os.getloadavg()[0]
    started = time.perf_counter()
    room = Room(
        None,
        seed=1,
        periods=months,
        overrides={"n_nations": nations, "hazard_scale": hazard},
        deadline_seconds=None,
        negotiation_rounds=rounds,
        vote_rule="baron_ferejohn",
        quota=nations // 2 + 1,
        delegation="majority",
        delegation_size=size,
    )
    tokens = [room.join(f"Student {k}") for k in range(students)]
    members: dict[int, list[str]] = {}
    for token in tokens:
        members.setdefault(room.seats[token].nation, []).append(token)
    room.teacher_start(room.teacher_token)
    setup = time.perf_counter() - started
    votes: list[float] = []
    offers: list[float] = []
    tries: list[float] = []
    tallies: list[str] = []
    for r in range(1, rounds + 1):
        view = room.negotiation_view(tokens[0])
        if not view["open"]:
            break
        proposer = next(t for t in tokens if room.negotiation_view(t)["my_turn"])
        for terms in TRIES:
            began = time.perf_counter()
            room.consequence(proposer, terms)
            tries.append(time.perf_counter() - began)
        began = time.perf_counter()
        room.propose(proposer, SCHEDULE[min(r, len(SCHEDULE)) - 1])
        nation = room.seats[proposer].nation
        voters = [t for t in tokens if room.seats[t].nation != nation]
        room.negotiation_view(voters[0])["consequence"]  # the first voter's page redraws
        offers.append(time.perf_counter() - began)
        for t in voters[:-1]:
            member = members[room.seats[t].nation].index(t)
            room.vote(t, _student_vote(room.negotiation_view(t), member))
        last = voters[-1]
        choice = _student_vote(
            room.negotiation_view(last), members[room.seats[last].nation].index(last)
        )
        began = time.perf_counter()
        room.vote(last, choice)
        result = room.negotiation_view(tokens[0])["results"][-1]
        votes.append(time.perf_counter() - began)
        tallies.append(tally_text(result))
        if progress:
            print(f"  {tally_text(result)}", flush=True)
    month_latency: list[float] = []
    month_wall: list[float] = []
    clicks_needed: list[int] = []
    for month in range(1, months + 1):
        began = time.perf_counter()
        clicks = 0
        for k, token in enumerate(tokens):  # in join order: the delegations' members interleave
            click = time.perf_counter()
            room.decide(token, month, "defect" if (k + month) % 7 == 0 else "comply")
            clicks += 1
            if room.month != month or room.finished:  # this click resolved the month
                room.student_view(tokens[0])
                month_latency.append(time.perf_counter() - click)
                break
        clicks_needed.append(clicks)
        month_wall.append(time.perf_counter() - began)
    began = time.perf_counter()
    room.debrief()
    room.debrief_charts()
    debrief = time.perf_counter() - began
    end = sampler.stop()
    waits = sum(votes) + sum(offers) + sum(month_latency)
    return {
        "clients": f"{students} students through the Room API in this process (no pages)",
        "world": f"plain parameters, {nations} nations, hazard_scale {hazard:g}",
        "machine_load_1min": load,
        "setup_seconds": setup,
        "rounds_played": len(votes),
        "tallies": tallies,
        "adopted": room.adopted,
        "vote_result_seconds": quantiles(votes),
        "consequence_of_proposal_seconds": quantiles(offers),
        "consequence_of_try_seconds": quantiles(tries),
        "next_month_seconds": quantiles(month_latency),
        "month_wall_seconds": quantiles(month_wall),
        "decisions_until_resolved": quantiles([float(c) for c in clicks_needed]),
        "debrief_seconds": debrief,
        "rss_peak_mb": sampler.peak_mb,
        "rss_end_mb": end,
        "bounds": [
            _verdict("votes", votes, VOTE_BOUND),
            _verdict("consequences", offers, CONSEQUENCE_BOUND),
        ],
        "lesson": lesson_length(len(votes), months, waits + debrief, month_seconds, round_seconds),
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.lesson_speed [--clients room,served] [--students N] ...``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.lesson_speed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--clients", default="room,served", help="room, served or both (default)")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--delegation-size", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--hazard", type=float, default=0.05, help="room: hazard_scale")
    parser.add_argument("--browser-students", type=int, default=5, help="served: browser tabs")
    parser.add_argument(
        "--settle",
        action="store_true",
        help="served: before each last vote and last decision, wait until the server and the "
        "browsers are idle (the earlier clicks drawn), as when a class's clicks come over a minute",
    )
    parser.add_argument("--month-seconds", type=float, default=60.0)
    parser.add_argument("--round-seconds", type=float, default=90.0)
    args = parser.parse_args(argv)
    runs = [k.strip() for k in args.clients.split(",") if k.strip()]
    if not runs or any(k not in ("room", "served") for k in runs):
        parser.error(f"--clients {args.clients!r}: room, served or room,served")
    if not 1 <= args.delegation_size <= args.students:
        parser.error(f"--delegation-size {args.delegation_size}: from 1 to --students")
    if not 0 <= args.browser_students <= args.students:
        parser.error(f"--browser-students {args.browser_students}: from 0 to --students")
    if args.delegation_size < 3 and "served" in runs:
        parser.error("served: --delegation-size 3 or more (3 members click each month)")
    common = {"month_seconds": args.month_seconds, "round_seconds": args.round_seconds}
    for kind in runs:
        if kind == "room":
            result = measure_room(
                args.students, args.delegation_size, args.rounds, args.months, args.hazard, **common
            )
        else:
            from benchmarks.lesson_pages import measure_served

            result = measure_served(
                args.students,
                args.delegation_size,
                args.rounds,
                args.months,
                browsers=args.browser_students,
                settle=args.settle,
                **common,
            )
        print(f"{kind}:")
        for key, value in result.items():
            print(f"  {key}: {_fmt(value)}", flush=True)


def _fmt(value: Any) -> str:
    """A result's value for the terminal (seconds and MB to three places)."""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "; ".join(_fmt(v) for v in value)
    return str(value)


if __name__ == "__main__":  # pragma: no cover - manual use
    main()
