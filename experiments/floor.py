"""The arithmetic floor of a sweep: a bare kernel of the game's arithmetic, timed.

``pausegame sweep-benchmark`` compares the standard map with this kernel (issue [performance]):
it does only what a month of the game must do for each actor, with the draws the game draws,
and nothing else (no worlds built, no records, no summaries, no storage, no scheduling). Per
replicate and month, with every actor deciding:

1. three uniforms per actor from the replicate's own :class:`numpy.random.Generator` with the
   engine's bit generator (``numpy.random.default_rng``, as :func:`model.engine.make_rng`), a
   block of months drawn at once as the batched path draws them (``rng.random((K, 3, N))``);
2. the rivals' defection share from jurisdiction sums: ``A_j = sum_{home(k)=j} c_k x_k``,
   ``rho_k = (sum_j A_j - A_{home(k)}) / (C - C_{home(k)})`` with ``x`` last month's actions and
   ``C_j`` the capability of jurisdiction ``j``;
3. a shielded expected sanction: a lab whose nation defected last month is shielded from the
   domestic check, ``s_k = F c_k (p_h + (1 - p_h) p)`` with ``p_h = p_dom`` for an unshielded lab
   and 0 otherwise;
4. the logit decision: ``delta_k = G c_k (1 + lam rho_k) - phi r c_k - s_k``, defect when
   ``u_0 < 1 / (1 + exp(-delta_k / T))``;
5. the detection and false-alarm tests: a defecting lab of a complying nation is caught at home
   when ``u_1 < p_dom``, else a defector is caught when ``u_2 < p``; a complier is flagged when
   ``u_2 < q``; a catch or a flag costs ``F c_k``;
6. payoffs (``G c_k (1 + lam rho_k)`` for a defector, less its sanction, less the shared risk
   ``r c_k D / C`` with ``D`` the defecting capability) and compliance sums.

Each replicate's sums over its months go into ``totals`` (:data:`TOTALS`), so nothing is
optimised away and :func:`floor_reference` can check them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

__all__ = [
    "TOTALS",
    "FloorTiming",
    "design_floor",
    "floor_block",
    "floor_lines",
    "floor_reference",
    "floor_world",
    "time_floor",
]

#: The columns of a replicate's sums (``totals[r]``).
TOTALS = ("payoff", "complying", "complying_capability", "caught", "false_alarms")

#: The floor's fixed stakes (the arithmetic's cost does not depend on them).
G, LAM, PHI_R, R_RISK, TEMP, P_DOM, Q_FALSE = 1.0, 0.5, 0.3, 0.2, 0.1, 0.3, 0.02

#: Bytes of uniforms drawn ahead per block (the batched path's ``BLOCK_BYTES``).
BLOCK_BYTES = 16 * 2**20


@njit(cache=True, nogil=True)
def floor_block(
    u, c, home, is_lab, n_nations, p_detect, penalty, defect, totals
):  # pragma: no cover
    """Advance each replicate ``r`` ``u.shape[1]`` months; sums added to ``totals[r]``.

    Args:
        u: Uniforms ``(R, K, 3, N)`` (decision, domestic, international).
        c: Capabilities ``(N,)``; nations are actors ``0..n_nations-1``, a lab's nation is
            ``home[k]`` (a nation's own is itself).
        home: Jurisdiction of each actor.
        is_lab: True for labs.
        n_nations: Number of nations.
        p_detect: The international detection probability ``p``.
        penalty: The sanction factor ``F``.
        defect: Last month's actions ``(R, N)``, updated in place.
        totals: ``(R, 5)`` sums (:data:`TOTALS`), added to.
    """
    n_r, n_k, _, n = u.shape
    cap = np.zeros(n_nations)
    for k in range(n):
        cap[home[k]] += c[k]
    c_total = 0.0
    for j in range(n_nations):
        c_total += cap[j]
    inv_den = np.empty(n)
    for k in range(n):
        den = c_total - cap[home[k]]
        inv_den[k] = 1.0 / den if den > 0.0 else 0.0
    agg = np.empty(n_nations)
    new = np.empty(n, dtype=np.bool_)
    for r in range(n_r):
        x = defect[r]
        for m in range(n_k):
            um = u[r, m]
            for j in range(n_nations):
                agg[j] = 0.0
            for k in range(n):
                if x[k]:
                    agg[home[k]] += c[k]
            all_def = 0.0
            for j in range(n_nations):
                all_def += agg[j]
            pay = comply = comply_c = caught = alarms = defecting = 0.0
            for k in range(n):
                h = home[k]
                rho = (all_def - agg[h]) * inv_den[k]
                shielded = x[h] if is_lab[k] else True
                ph = 0.0 if shielded else P_DOM
                fc = penalty * c[k]
                sanction = fc * (ph + (1.0 - ph) * p_detect)
                gain = G * c[k] * (1.0 + LAM * rho)
                delta = gain - PHI_R * c[k] - sanction
                d = um[0, k] < 1.0 / (1.0 + np.exp(-delta / TEMP))
                new[k] = d
                paid = 0.0
                if d:
                    if (is_lab[k] and not new[h] and um[1, k] < P_DOM) or um[2, k] < p_detect:
                        paid = fc
                        caught += 1.0
                    defecting += c[k]
                    pay += gain - paid
                else:
                    if um[2, k] < Q_FALSE:
                        paid = fc
                        alarms += 1.0
                    pay -= paid
                    comply += 1.0
                    comply_c += c[k]
            pay -= R_RISK * defecting  # sum_k r c_k D / C
            for k in range(n):
                x[k] = new[k]
            totals[r, 0] += pay
            totals[r, 1] += comply
            totals[r, 2] += comply_c
            totals[r, 3] += caught
            totals[r, 4] += alarms


def floor_world(n_nations: int, n_labs: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """A world for the floor: capabilities, each actor's jurisdiction, which are labs.

    Labs are spread over the nations in order of their nation (as the engine sorts them).

    Example:
        >>> c, home, is_lab = floor_world(2, 3)
        >>> home.tolist(), is_lab.tolist()
        ([0, 1, 0, 0, 1], [False, False, True, True, True])
    """
    rng = np.random.default_rng(seed)
    home = np.concatenate([np.arange(n_nations), np.sort(np.arange(n_labs) % n_nations)])
    is_lab = np.arange(n_nations + n_labs) >= n_nations
    c = rng.lognormal(0.0, 1.0, n_nations + n_labs)
    return c, home.astype(np.int64), is_lab


def floor_reference(
    u: np.ndarray,
    c: np.ndarray,
    home: np.ndarray,
    is_lab: np.ndarray,
    n_nations: int,
    p_detect: float,
    penalty: float,
    defect: np.ndarray,
) -> np.ndarray:
    """:func:`floor_block`'s sums, by a plain numpy loop over months (a test's reference)."""
    n_r, n_k, _, n = u.shape
    cap = np.bincount(home, weights=c, minlength=n_nations)
    den = cap.sum() - cap[home]
    inv_den = np.where(den > 0, 1.0 / np.where(den > 0, den, 1.0), 0.0)
    totals = np.zeros((n_r, len(TOTALS)))
    for r in range(n_r):
        x = defect[r].copy()
        for m in range(n_k):
            agg = np.bincount(home, weights=c * x, minlength=n_nations)
            rho = (agg.sum() - agg[home]) * inv_den
            ph = np.where(is_lab & ~x[home], P_DOM, 0.0)
            fc = penalty * c
            gain = G * c * (1.0 + LAM * rho)
            delta = gain - PHI_R * c - fc * (ph + (1.0 - ph) * p_detect)
            d = u[r, m, 0] < 1.0 / (1.0 + np.exp(-delta / TEMP))
            dom = d & is_lab & ~d[home] & (u[r, m, 1] < P_DOM)
            caught = d & (dom | (u[r, m, 2] < p_detect))
            alarm = ~d & (u[r, m, 2] < Q_FALSE)
            paid = np.where(caught | alarm, fc, 0.0)
            pay = np.where(d, gain, 0.0) - paid
            totals[r] += (
                pay.sum() - R_RISK * c[d].sum(),
                (~d).sum(),
                c[~d].sum(),
                caught.sum(),
                alarm.sum(),
            )
            x = d
    return totals


@dataclass(frozen=True)
class FloorTiming:
    """What :func:`time_floor` measured.

    Attributes:
        wall: Wall time, s (one core).
        cpu: This process's CPU time, s.
        actor_months: Runs x months x actors done.
        totals: The sums over every run (:data:`TOTALS`).
    """

    wall: float
    cpu: float
    actor_months: int
    totals: np.ndarray

    @property
    def ns_per_actor_month(self) -> float:
        """CPU per actor-month, ns."""
        return self.cpu / self.actor_months * 1e9


def time_floor(
    p_detect: np.ndarray,
    penalty: np.ndarray,
    replicates: int,
    steps: int,
    n_nations: int,
    n_labs: int,
    master_seed: int = 0,
) -> FloorTiming:
    """Time the floor over points ``(p_detect[i], penalty[i])``, replicates batched, one core.

    Each replicate of each point draws from its own generator (``default_rng``); the kernel is
    compiled (or loaded) before the clock starts.
    """
    c, home, is_lab = floor_world(n_nations, n_labs, master_seed)
    n = len(c)
    warm_u = np.zeros((1, 1, 3, n))
    floor_block(
        warm_u, c, home, is_lab, n_nations, 0.5, 1.0, np.zeros((1, n), bool), np.zeros((1, 5))
    )
    block = max(1, min(steps, BLOCK_BYTES // (replicates * 3 * n * 8)))
    grand = np.zeros(len(TOTALS))
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(len(p_detect)):
        rngs = [np.random.default_rng([master_seed, i, r]) for r in range(replicates)]
        defect = np.zeros((replicates, n), dtype=bool)
        totals = np.zeros((replicates, len(TOTALS)))
        done = 0
        while done < steps:
            k = min(block, steps - done)
            u = np.empty((replicates, k, 3, n))
            for r, rng in enumerate(rngs):
                rng.random(out=u[r])
            floor_block(
                u, c, home, is_lab, n_nations, float(p_detect[i]), float(penalty[i]), defect, totals
            )
            done += k
        grand += totals.sum(axis=0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return FloorTiming(wall, cpu, len(p_detect) * replicates * steps * n, grand)


def design_floor(design: Any) -> FloorTiming:
    """:func:`time_floor` on ``design``'s runs: its points, replicates, months and world size.

    ``p_detect`` and ``penalty`` are the points' own when the design varies them (else each
    point's resolved value); the world's size is the resolved ``n_nations`` and ``n_labs``.
    """
    from experiments.batch.worker import RunContext, _point_params

    context = RunContext.from_design(design)
    first = {name: design.points[name][0].item() for name in design.varied}
    params, _ = _point_params(context, first)
    n_points = design.n_points
    p = np.broadcast_to(
        np.asarray(design.points.get("p_detect", params["p_detect"]), float), (n_points,)
    )
    f = np.broadcast_to(
        np.asarray(design.points.get("penalty", params["penalty"]), float), (n_points,)
    )
    return time_floor(
        p,
        f,
        design.replicates,
        design.steps,
        int(params["n_nations"]),
        int(params["n_labs"]),
        design.master_seed,
    )


def floor_lines(floor: FloorTiming, wall: float, cpu: float, workers: int) -> list[str]:
    """The benchmark's lines: the floor, and a sweep's wall and CPU against it.

    ``wall`` and ``cpu`` are the sweep's wall time and its workers' CPU time over the same
    runs x months x actors; the floor runs on one core, so the floor's wall on ``workers``
    cores is taken as ``floor.wall / workers``.

    Example:
        >>> t = FloorTiming(6.0, 6.0, 10**9, np.zeros(5))
        >>> print(floor_lines(t, 6.0, 12.0, 2)[-2])
        - the map over the floor: wall 2.00x (floor on 2 cores 3.00 s), CPU per actor-month
          2.00x (12.0 ns against 6.0 ns)
    """
    per = floor.ns_per_actor_month
    map_per = cpu / floor.actor_months * 1e9
    floor_wall = floor.wall / workers
    return [
        f"- the floor (a bare kernel of the game's arithmetic, experiments/floor.py; same "
        f"{floor.actor_months:,} actor-months, one core): {floor.wall:.2f} s wall, "
        f"{floor.cpu:.2f} s CPU, {per:.1f} ns of CPU per actor-month",
        f"- the map over the floor: wall {wall / floor_wall:.2f}x (floor on {workers} cores "
        f"{floor_wall:.2f} s), CPU per actor-month {map_per / per:.2f}x ({map_per:.1f} ns "
        f"against {per:.1f} ns)",
        f"- target, the map's compute within 1.5x of the floor: "
        f"{'met' if map_per / per <= 1.5 else 'NOT met'}",
    ]
