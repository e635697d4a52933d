"""What a nation gains from a treaty's terms, simulated: the batched-simulation valuation (#29).

The valuation of DESIGN.md section 7 where the theory (:class:`~model.negotiation.valuation.
TheoryValuation`) does not reach: any decision rule, term, hazard or world the engine runs.
Nation ``i`` values a term point ``theta`` (parameter overrides, e.g. ``{"p_detect": 0.6,
"penalty": 4.0}``) per month, in payoff units, as ``S_i = U_i(theta) + tau_i - D_i``, with

    U_i(theta) = (1 / W) sum_w sum_{t=1..T} d^(t-1) P_w(t) [u_{i,t}^w(theta) - h_t^w X c_{i,t}^w]
                 / sum_{t=1..T} d^(t-1)

* ``u_{i,t}^w`` the payoff the engine pays nation ``i``'s *jurisdiction* in month ``t`` of world
  ``w``: the sum of ``Engine.payoff`` (gain, sanctions paid, the shared risk ``r c R``, club
  costs) over its own programme and its labs, each lab with weight 1, as
  :class:`~model.negotiation.valuation.TheoryValuation` weighs them (the treaty's membership
  payoff weighs labs by ``national_interest``; the two agree at its default, 1). Every actor
  belongs to one jurisdiction, so the nations' payoffs sum to the month's ``total_payoff``.
* ``T = horizon`` months, ``d = discount`` (the base parameters'), ``W = n_worlds`` worlds.
* ``P_w(t) = prod_{s<t} (1 - h_s^w)`` the probability that no catastrophe has happened before
  month ``t``, ``h_s^w`` month ``s``'s catastrophe probability ``1 - exp(-hazard_scale
  R_s^hazard_exponent)`` (:func:`model.month.catastrophe_probability`); 1 without a hazard.
  **Choice**: a catastrophe ends the engine's run after its month is paid (the month's payoff is
  recorded; no later month is, :meth:`model.engine.Engine.run`), so a later month is worth 0.
  Rather than draw the catastrophe, each world's path is run on past it (the hazard's uniform is
  drawn every month all the same, so the path is the one the engine follows when that uniform
  spares it) and each month is weighted by the probability of reaching it: the engine's
  stopping in expectation over the hazard's draws, without their noise.
* ``h_t^w X c_{i,t}^w`` a catastrophe's loss, paid in the month it happens (with probability
  ``P_w(t) h_t^w``): ``X = G / (1 - discount)`` per unit of capability
  (:func:`~model.negotiation.valuation.catastrophe_loss`, the ``hazard_aware`` rule's: the
  discounted frontier gains it destroys, ``G = defect_gain``, from the valuation's parameters)
  and ``c_{i,t}^w`` nation ``i``'s jurisdiction's capability after month ``t`` (after its
  growth under ``rsi = on``: what the months cut off would have been paid on). Without a
  hazard (``hazard_scale = 0``) the term is skipped, not added as 0, so every number is the
  one without it; a hazard needs ``discount < 1`` (``X`` is infinite at 1).

Worlds and streams: world ``w`` has the integer seed ``seed.generate_state(W, uint64)[w] mod
2**63`` (``seed`` a :class:`numpy.random.SeedSequence` the caller spawns from the run's seed;
reading its state draws from no generator, so the run's own are untouched). Every point is run
on the same ``W`` worlds with the same streams (common random numbers): world ``w`` is built
once from its seed (:func:`model.world.build_world`), and each point's engine starts from a
copy of it and a generator in the state the construction left, exactly as ``Engine(params +
theta, seed_w)`` starts (the tests hold them equal), sharing built structures
(:class:`model.structure.StructureCache`). A point may not change what the world's construction
reads (``n_nations``, ``n_labs``, ...). The runs take the batched path together where they can
(:func:`model.batched.advance`, bit for bit :meth:`Engine.step`, which hands back each month's
per-actor payoffs: the engine's records keep only their total) and step alone where not
(:func:`model.batched.unbatchable`: a hazard, a vote, a treaty's own rules, ...). Each world's
terms are kept (:meth:`SimulatedValuation.world_utilities`; their spread gives the standard
error of ``U_i``). A run's negotiation passes its own world (``world=``): every simulated world is
then a copy of it, so nation ``i`` is the run's nation ``i``, and world ``w``'s seed draws only
its months (a generator fresh from that seed).

Membership: every point is valued as if every nation signs and the terms are ``theta``:
``membership = fixed``, ``initial_membership = 1``, ``terms_rule = fixed`` and ``protocol =
terms_rule`` (no bargaining before month 1) override the parameters, and a scenario's
``member`` fields are cleared (``None``) so that they do not decide. The status quo ``D_i``:
``status_quo=None`` is no treaty, the same worlds with no nation a member
(``initial_membership = 0``: nobody is bound); the permutation the engine draws for a partial
membership selects nobody then, and the generator is put back in its state after the world's
construction, so that the months draw exactly the numbers of the points' runs. A term point as
status quo is valued like any point (so the point itself has ``S = 0`` exactly). ``tau_i`` are
transfers (zero unless given).

:meth:`SimulatedValuation.hazard` is the probability of a catastrophe within the first
``months`` months under the status quo, ``1 - (1 / W) sum_w prod_{t <= months} (1 - h_t^w)``.

Example:
    >>> import numpy as np
    >>> from model.params import resolve
    >>> v = SimulatedValuation(resolve(n_nations=3, n_labs=3, n_worlds=2, horizon=6),
    ...                        np.random.SeedSequence(1))
    >>> v.n, v.surplus([{"p_detect": 0.9, "penalty": 12.0}]).shape, v.hazard(6)
    (3, (1, 3), 0.0)
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from model import batched
from model.engine import Engine
from model.errors import ConfigError, ParameterError
from model.month import catastrophe_probability
from model.negotiation.valuation import Key, Point, Valuation, catastrophe_loss, point_key
from model.params import Params, RecordingParams, resolve_run
from model.params.negotiation import TERMS_RULE
from model.scenario import Scenario, scenario_from_mapping
from model.structure import StructureCache
from model.world import World, build_world

__all__ = ["CHUNK_BYTES", "CHUNK_RUNS", "FIXED_BY_VALUATION", "SimulatedValuation", "world_seeds"]

#: Parameters the valuation sets itself (every nation signs, the terms are the point's: no
#: rounds of ``terms_rule``, no bargaining before month 1).
FIXED_BY_VALUATION: dict[str, Any] = {
    "membership": "fixed",
    "initial_membership": 1.0,
    "terms_rule": "fixed",
    "protocol": TERMS_RULE,
}
_OWN = ("n_worlds", "horizon", "seed")
#: The most runs built at once, and the most bytes of their monthly payoffs (points are
#: simulated in chunks within both; the numbers are the same in any chunks).
CHUNK_RUNS = 4096
CHUNK_BYTES = 128 * 2**20


def world_seeds(seed: np.random.SeedSequence | int, n_worlds: int) -> list[int]:
    """The worlds' integer seeds: ``seed``'s first ``n_worlds`` 64-bit words, mod ``2**63``.

    Example:
        >>> world_seeds(np.random.SeedSequence(1), 2) == world_seeds(1, 2)
        True
    """
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    return [int(x) % 2**63 for x in seq.generate_state(n_worlds, dtype=np.uint64)]


def _without_members(scenario: Scenario | Mapping[str, Any] | None) -> Scenario | None:
    """The scenario with every nation's ``member`` field cleared (None: no scenario)."""
    if scenario is None:
        return None
    sc = scenario_from_mapping(scenario)
    return replace(sc, nations=tuple(replace(n, member=None) for n in sc.nations))


class _Jurisdiction(NamedTuple):
    """A world's jurisdictions: its actors ordered by home nation, where each nation's start."""

    order: NDArray[np.int64]
    starts: NDArray[np.int64]

    @classmethod
    def of(cls, home: NDArray[np.int64], nations: NDArray[np.int64]) -> _Jurisdiction:
        """Nation ``j``'s actors are those with ``home == home[nations[j]]`` (actor order)."""
        order = np.argsort(home, kind="stable")
        homes = home[nations]
        if np.any(np.diff(homes) <= 0) or not np.array_equal(np.unique(home), homes):
            raise ConfigError("every actor's home must be a nation of the world")
        starts = np.searchsorted(home[order], homes)
        return cls(order, starts)


class _Runs:
    """Engines of some points on the common worlds, run together over the months."""

    def __init__(self, engines: list[Engine], world: NDArray[np.int64]) -> None:
        self.engines = engines
        self.world = world  # the world index of each engine
        n = len(engines)
        self.payoff: NDArray[np.float64] = np.zeros((n, 0, 0))  # (engines, months, nations)
        self.hazard: NDArray[np.float64] = np.zeros((n, 0))  # (engines, months)
        # (engines, months, nations): each nation's capability after the month, kept only when
        # a run has a hazard (None: no run has one, and no catastrophe's loss is weighed)
        self.capability: NDArray[np.float64] | None = None

    def step(self, months: int, jurisdictions: Sequence[_Jurisdiction]) -> None:
        """Run ``months`` more months; note each month's nation payoffs and hazard.

        The batchable runs go through :func:`model.batched.advance` in one call, which hands
        back every month's per-actor payoffs; the others step alone (on past a catastrophe,
        the module's Choice). A nation's payoff is summed over its actors in actor order, run
        by run, so that a run's numbers never depend on which other runs share the batch.
        """
        engines = self.engines
        pay = np.empty((len(engines), months, engines[0].n_actors))
        hazard = np.zeros((len(engines), months))
        hazardous = [float(e.params["hazard_scale"]) > 0 for e in engines]
        cap = np.zeros_like(pay) if any(hazardous) else None
        batch = [k for k, e in enumerate(engines) if batched.unbatchable(e) is None]
        if batch:
            batched.advance([engines[k] for k in batch], months, payoffs=[pay[k] for k in batch])
        for k in sorted(set(range(len(engines))) - set(batch)):
            e = engines[k]
            for m in range(months):
                e.step()
                pay[k, m] = e.payoff
                if hazardous[k]:
                    hazard[k, m] = catastrophe_probability(e, e.t)
                    assert cap is not None
                    cap[k, m] = e.structure.c  # after the month's growth (rsi = on)
        nations = self._by_nation(pay, jurisdictions)
        if not self.payoff.shape[1]:
            self.payoff = nations
        else:
            self.payoff = np.concatenate([self.payoff, nations], axis=1)
        self.hazard = np.concatenate([self.hazard, hazard], axis=1)
        if cap is not None:
            before = self.capability
            if before is None:
                before = np.zeros((len(engines), self.months - months, nations.shape[2]))
            self.capability = np.concatenate([before, self._by_nation(cap, jurisdictions)], 1)
        elif self.capability is not None:
            self.capability = np.concatenate([self.capability, np.zeros_like(nations)], axis=1)

    def _by_nation(
        self, per_actor: NDArray[np.float64], jurisdictions: Sequence[_Jurisdiction]
    ) -> NDArray[np.float64]:
        """``(engines, months, nations)``: per-actor numbers summed over each jurisdiction."""
        out = np.empty((*per_actor.shape[:2], jurisdictions[0].starts.size))
        for w, j in enumerate(jurisdictions):
            rows = self.world == w
            out[rows] = np.add.reduceat(per_actor[rows][:, :, j.order], j.starts, axis=2)
        return out

    @property
    def months(self) -> int:
        """The months run so far."""
        return int(self.hazard.shape[1])

    def survival(self, months: int) -> NDArray[np.float64]:
        """``(engines, months)``: the probability of no catastrophe before each month."""
        reached = np.cumprod(1.0 - self.hazard[:, :months], axis=1)
        out: NDArray[np.float64] = np.concatenate(
            [np.ones((len(self.engines), 1)), reached[:, :-1]], axis=1
        )
        return out

    def values(
        self, months: int, discount: float, loss: float | None = None
    ) -> NDArray[np.float64]:
        """``(engines, nations)``: the discounted, survival-weighted mean month payoff.

        With a hazard (some run's ``hazard_scale > 0``), less each month's catastrophe
        probability ``P(t) h_t`` times ``loss * c_{i,t}`` (``loss`` = ``X``, required then);
        without one that term is skipped, not added as 0.
        """
        weight = discount ** np.arange(months, dtype=float)
        survival = self.survival(months)
        total = np.zeros((len(self.engines), self.payoff.shape[2]))
        for t in range(months):  # elementwise, month by month: each run's sum on its own
            total += (weight[t] * survival[:, t])[:, None] * self.payoff[:, t]
        if self.capability is not None:  # the catastrophe's loss, paid in the month it happens
            if loss is None:
                raise ValueError("a run with a hazard needs the catastrophe's loss X")
            ended = survival * self.hazard[:, :months]  # P(t) h_t: a catastrophe in month t
            for t in range(months):
                total -= (weight[t] * ended[:, t] * loss)[:, None] * self.capability[:, t]
        out: NDArray[np.float64] = total / weight.sum()
        return out


class SimulatedValuation(Valuation):
    """Each nation's month value of term points, from simulated common worlds (see the module).

    Args:
        params: The run's parameters (:class:`~model.params.Params`, a scenario's ``[params]``
            already in; a plain mapping is resolved with the scenario). ``n_worlds``,
            ``horizon`` and ``discount`` are read here.
        seed: The valuation's stream, spawned by the caller from the run's seed (an integer is
            taken as ``SeedSequence(seed)``).
        scenario: The run's scenario (its ``member`` fields are cleared; see the module).
        status_quo: The disagreement point: None for no treaty, else the term point in force.
        world: The run's own world: every simulated world is a copy of it (the same nations,
            capabilities and alliances), each with its own stream for the months (world ``w``'s
            seed). None: each world is built from its seed, as a run with that seed builds it.

    Raises:
        ConfigError: A point naming an unknown parameter, one the valuation sets itself
            (:data:`FIXED_BY_VALUATION`, ``n_worlds``, ``horizon``, ``seed``) or one the
            world's construction reads; or a world without nations.
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        seed: np.random.SeedSequence | int,
        *,
        scenario: Scenario | Mapping[str, Any] | None = None,
        status_quo: Point | None = None,
        world: World | None = None,
    ) -> None:
        self.scenario = _without_members(scenario)
        base = (
            params
            if isinstance(params, Params)
            else resolve_run(params, self.scenario, draw_seed=False)
        )
        self.params: Params = base.replace(**FIXED_BY_VALUATION)
        self.n_worlds = int(self.params["n_worlds"])
        self.horizon = int(self.params["horizon"])
        self.discount = float(self.params["discount"])
        #: ``X``, a catastrophe's loss per unit of capability (None without a hazard).
        self.loss = catastrophe_loss(self.params)
        #: The worlds' integer seeds (:func:`world_seeds`).
        self.seeds = world_seeds(seed, self.n_worlds)
        self.worlds: list[World] = []
        self._states: list[Mapping[str, Any]] = []
        reads: set[str] = set()
        for s in self.seeds:
            rng = np.random.default_rng(s)
            recording = RecordingParams(self.params)
            built = build_world(recording, rng, scenario=self.scenario)
            self.worlds.append(built if world is None else world)
            if world is not None:  # the run's own world; the seed draws only the months
                rng = np.random.default_rng(s)
            self._states.append(rng.bit_generator.state)
            reads |= recording.seen
        self._world_reads = frozenset(reads)
        w0 = self.worlds[0]
        nations = np.flatnonzero(~w0.is_lab)
        if not nations.size:
            raise ConfigError("the valuation needs at least one nation among the actors")
        #: The nations' actor indices, in the order of the valuations' columns.
        self.nations: NDArray[np.int64] = nations[np.argsort(w0.home[nations], kind="stable")]
        # each world's jurisdictions: nation j's own programme and its labs
        self._jurisdiction = [_Jurisdiction.of(w.home, self.nations) for w in self.worlds]
        self._structures = StructureCache(max(64, self.n_worlds))
        self._cache: dict[Key, NDArray[np.float64]] = {}
        self.status_quo = status_quo
        if status_quo is None:
            status_params = self.params.replace(initial_membership=0.0)
            self._status = self._runs([status_params], reset=True)
        else:
            status_params = self._point_params(status_quo)
            self._status = self._runs([status_params])
        self._status.step(self.horizon, self._jurisdiction)
        status = self._status.values(self.horizon, self.discount, self._loss_of([status_params]))
        if status_quo is not None:
            self._cache[point_key(status_quo)] = status
        #: ``(nations,)``: ``D_i``, the status quo's value (the mean over the worlds).
        self.disagreement: NDArray[np.float64] = status.mean(axis=0)

    @property
    def n(self) -> int:
        """The number of nations."""
        return int(self.nations.size)

    def _point_params(self, point: Point) -> Params:
        """The parameters of a point's runs (validated; see the class's Raises)."""
        for name in point:
            if name in FIXED_BY_VALUATION or name in _OWN:
                raise ConfigError(
                    f"a term point may not set {name!r}: the valuation sets it (every nation "
                    "signs, the terms are the point's, the worlds are its own)"
                )
        try:
            params = self.params.replace(**dict(point))
        except ParameterError as err:
            raise ConfigError(f"term point {dict(point)!r}: {err}") from None
        for name in sorted(self._world_reads):
            if params[name] != self.params[name]:
                raise ConfigError(
                    f"term point {dict(point)!r} sets {name}={params[name]!r} (the worlds "
                    f"have {self.params[name]!r}): the world's construction reads it, and the "
                    "worlds are common to every point"
                )
        return params

    def _runs(self, point_params: Sequence[Params], *, reset: bool = False) -> _Runs:
        """Engines for each point's parameters on every world (point-major order)."""
        engines = []
        for params in point_params:
            for world, state, s in zip(self.worlds, self._states, self.seeds, strict=True):
                rng = np.random.Generator(np.random.PCG64(s))
                rng.bit_generator.state = state
                e = Engine(
                    params,
                    rng,
                    scenario=self.scenario,
                    world=copy.copy(world),
                    event_log=False,
                    structures=self._structures,
                )
                if reset:  # the membership draw chose nobody: the months' stream as the points'
                    e.rng.bit_generator.state = state
                engines.append(e)
        return _Runs(engines, np.tile(np.arange(self.n_worlds), len(point_params)))

    def world_utilities(self, points: Sequence[Point]) -> NDArray[np.float64]:
        """``(points, worlds, nations)``: each world's term of ``U_i(theta)`` (cached by point).

        :meth:`utilities` is their mean over the worlds (their spread gives its standard
        error). The points not yet valued are simulated together, once each (in chunks of at
        most :data:`CHUNK_RUNS` runs and :data:`CHUNK_BYTES` of monthly payoffs).
        """
        todo: dict[Key, Point] = {}
        for point in points:
            key = point_key(point)
            if key not in self._cache and key not in todo:
                todo[key] = point
        params = {key: self._point_params(point) for key, point in todo.items()}
        per_point = self.n_worlds * self.horizon * self.worlds[0].n_actors * 8
        chunk = max(1, min(CHUNK_RUNS // self.n_worlds, CHUNK_BYTES // per_point))
        keys = list(params)
        for first in range(0, len(keys), chunk):  # a run's numbers do not depend on its batch
            some = keys[first : first + chunk]
            chunk_params = [params[key] for key in some]
            runs = self._runs(chunk_params)
            runs.step(self.horizon, self._jurisdiction)
            values = runs.values(self.horizon, self.discount, self._loss_of(chunk_params))
            self._ran(some, runs.engines)
            values = values.reshape(-1, self.n_worlds, self.n)
            for key, block in zip(some, values, strict=True):
                self._cache[key] = block
        if not len(points):
            return np.zeros((0, self.n_worlds, self.n))
        return np.stack([self._cache[point_key(point)] for point in points])

    def _ran(self, keys: Sequence[Key], engines: Sequence[Engine]) -> None:
        """A hook: each chunk's runs once they reached the horizon (nothing by default).

        Point-major, each point on every world; a subclass reads more of the runs here.
        """

    def _loss_of(self, runs: Sequence[Params]) -> float | None:
        """``X`` for these runs: from the valuation's ``defect_gain`` and ``discount``.

        None when none of them has a hazard (also when a point switches on a hazard the base
        parameters lack, ``X`` is the base's: the months are discounted by the base's too).
        """
        scale = max(float(params["hazard_scale"]) for params in runs)
        return catastrophe_loss({**dict(self.params), "hazard_scale": scale})

    def utilities(self, points: Sequence[Point]) -> NDArray[np.float64]:
        """``(points, nations)``: ``U_i(theta)``, the mean over the worlds (cached by point)."""
        out: NDArray[np.float64] = self.world_utilities(points).mean(axis=1)
        return out

    def hazard(self, months: int) -> float:
        """The probability of a catastrophe within the first ``months`` months of the status quo.

        ``1 - (1 / W) sum_w prod_{t <= months} (1 - h_t^w)`` over the common worlds (0 without
        a hazard); the status quo's runs are stepped on as far as needed.

        Raises:
            ConfigError: ``months`` below 0.
        """
        if int(months) != months or months < 0:
            raise ConfigError(f"months={months!r} is not allowed; allowed: an integer >= 0")
        months = int(months)
        if not months:
            return 0.0
        if months > self._status.months:
            self._status.step(months - self._status.months, self._jurisdiction)
        h = self._status.hazard[:, :months]
        return float(1.0 - np.mean(np.prod(1.0 - h, axis=1)))
