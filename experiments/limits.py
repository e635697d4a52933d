"""Practical limits: the memory a run or a design needs, estimated before anything is allocated.

A run's memory grows with its sizes: every actor holds a few dozen state arrays and a name
(``n_nations + n_labs`` actors), every step a row of records and of the time series
(``steps + 1`` rows), every alliance tie a networkx edge and a sparse entry, and some mechanisms
hold the alliances as a dense ``n_nations x n_nations`` matrix (``per_bloc`` inspection, a
voting adjudication rule, negotiated membership, alliances that react to betrayal or build
trust, club costs). :func:`run_bytes` adds these up from the parameters alone, with
per-item costs measured with ``tracemalloc`` (``tests/experiments/test_limits.py``
holds the estimate within a factor of two of the measured peak). :func:`check_run` and
:func:`check_plan` refuse, with the estimate and the machine's available memory
(``psutil.virtual_memory().available``), what cannot fit; ``pausegame run``, scenario files and
designs call them before building anything, and ``pausegame params --limits`` states the limits
(:func:`limits_text`).

Example:
    >>> from model.params import resolve
    >>> from experiments.limits import format_bytes, run_bytes
    >>> format_bytes(run_bytes(resolve({"n_labs": 100_000_000, "steps": 2})))
    '45.8 GB'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from experiments.words import plural
from model.adjudication import ADJUDICATION_RULES, get_adjudication
from model.errors import ConfigError

__all__ = [
    "MAX_SECONDS",
    "LimitError",
    "available_bytes",
    "check_plan",
    "check_run",
    "check_scenario_run",
    "check_work",
    "dense_reasons",
    "expected_edges",
    "format_bytes",
    "format_seconds",
    "limits_text",
    "max_actors",
    "plan_bytes",
    "run_bytes",
    "run_seconds",
]

# Per-item costs in bytes, measured with tracemalloc on this package's runs (run + outputs) and
# rounded up: 410 per actor, 910 per step, 360-420 per tie, 17-28 per dense cell, about 4,000
# per actor for the Bayesian posterior grid and 107 per actor and step for the event log.
BASE = 4_000_000
PER_ACTOR = 450
PER_STEP = 1_000
PER_BLOC_STEP = 24
PER_EDGE = 450
PER_DENSE_CELL = 32
PER_BAYES_ACTOR = 4_500
PER_LOG_ACTOR_STEP = 120
PER_LAG_ACTOR = 8
#: Bytes per design point of a batch's plan (points, keys, seeds, the plan table) and per
#: point and varied parameter.
PER_POINT = 400
PER_POINT_VARIED = 40
#: Share of the available memory a run or a plan may use.
HEADROOM = 0.8

#: The longest a command may be estimated to take before it needs ``--force`` (10 minutes).
MAX_SECONDS = 600.0
#: Seconds a run takes, about (process time on one core, measured on the teaching scenarios:
#: 2 to 18 ms for 10 to 20 nations over 24 to 120 months): per month, plus per actor and month.
SECONDS_PER_STEP = 2.5e-4
SECONDS_PER_ACTOR_STEP = 2e-6
#: Seconds a bootstrap resample of a threshold fit takes, about (0.2 to 0.3 ms measured for 5
#: to 200 values of the parameter), and the bytes it holds until its fit's interval is known
#: (a float in a list and in the array of draws).
SECONDS_PER_RESAMPLE = 3e-4
PER_RESAMPLE = 40
#: Bytes a replicate's seed takes while ``pausegame claims`` runs (a Python int in a list).
PER_SEED = 40


class LimitError(ConfigError):
    """A run or a design too large for this machine's memory."""


def available_bytes() -> int:
    """The memory this machine has available now (``psutil.virtual_memory().available``)."""
    import psutil

    return int(psutil.virtual_memory().available)


def format_bytes(n: float) -> str:
    """``"7.9 GB"``, ``"312 MB"``, ``"4.0 kB"`` (decimal units)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{int(n)} B"


def format_seconds(seconds: float) -> str:
    """``"45 s"``, ``"12 min"``, ``"3.2 h"``, ``"5.0 days"``, ``"3.1 years"``."""
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("h", 3600)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def run_seconds(params: Mapping[str, Any]) -> float:
    """About how long one run takes, in seconds, from its sizes (a pure function)."""
    actors = int(params["n_nations"]) + int(params["n_labs"])
    return int(params["steps"]) * (SECONDS_PER_STEP + SECONDS_PER_ACTOR_STEP * actors)


def check_work(
    what: str,
    count: int,
    unit: str,
    *,
    seconds_each: float,
    bytes_each: float,
    base_bytes: float = BASE,
    force: bool = False,
    available: float | None = None,
) -> float:
    """Refuse ``count`` units of work that would take too long or cannot fit; return the seconds.

    The work is estimated, before it starts, as ``count`` units of ``seconds_each`` seconds and
    ``bytes_each`` bytes (on top of ``base_bytes``). Memory over the practical limit (as for
    :func:`check_run`) is always refused; more than :data:`MAX_SECONDS` only without ``force``.
    Nothing is asked: the refusal says what to do.

    Args:
        what: The command and flag as typed (``"claims --replicates 100000"``).
        count: Units of work (resamples, replicates).
        unit: Their name, singular (``"replicate"``).
        seconds_each: Estimated seconds per unit.
        bytes_each: Estimated bytes per unit.
        base_bytes: Estimated bytes whatever the count.
        force: Run although the estimated time is over :data:`MAX_SECONDS`.
        available: The memory available (default: :func:`available_bytes`).

    Raises:
        LimitError: ``claims --replicates 100000 would take about 1.1 h (...), over the bound
            of 10 min; give --force to run it anyway, or at most about 15,000 replicates``.

    Example:
        >>> check_work("x --n 10", 10, "unit", seconds_each=1.0, bytes_each=1.0, available=1e9)
        10.0
    """
    need = base_bytes + count * bytes_each
    have = available_bytes() if available is None else float(available)
    each = f"{plural(count, unit, thousands=True)} x about {_each_seconds(seconds_each)} each"
    if need > HEADROOM * have:
        fit = max(0, int((HEADROOM * have - base_bytes) / bytes_each)) if bytes_each else 0
        raise LimitError(
            f"{what} needs about {format_bytes(need)} of memory "
            f"({plural(count, unit, thousands=True)} x about {format_bytes(bytes_each)} each); "
            f"this machine has {format_bytes(have)} available; allowed: at most about "
            f"{plural(fit, unit, thousands=True)} here (a memory bound, which --force does not "
            "lift)"
        )
    seconds = count * seconds_each
    if seconds > MAX_SECONDS and not force:
        fit = int(MAX_SECONDS / seconds_each) if seconds_each else count
        raise LimitError(
            f"{what} would take about {format_seconds(seconds)} ({each}), over the bound of "
            f"{format_seconds(MAX_SECONDS)}; give --force to run it anyway, or at most about "
            f"{plural(fit, unit, thousands=True)}"
        )
    return seconds


def _each_seconds(seconds: float) -> str:
    ms = seconds * 1000
    if ms >= 1000:
        return format_seconds(seconds)
    return f"{ms:.0f} ms" if ms >= 10 else f"{ms:.2g} ms"


def dense_reasons(params: Mapping[str, Any]) -> list[str]:
    """The settings that make a run hold the alliances as a dense n_nations^2 matrix."""
    p = params
    reasons = []
    if p.get("inspectorate") == "per_bloc":
        reasons.append("inspectorate='per_bloc'")
    kind = p.get("adjudication", "coalition")
    if kind not in ADJUDICATION_RULES or get_adjudication(kind).dense:
        reasons.append(f"adjudication={kind!r}")
    if p.get("membership") == "negotiated":
        reasons.append("membership='negotiated'")
    for name in ("betrayal_penalty", "trust_building", "outsider_penalty", "verification_cost"):
        if float(p.get(name) or 0) > 0:
            reasons.append(f"{name}>0")
    return reasons


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def expected_edges(params: Mapping[str, Any], blocs: Sequence[Any] | None = None) -> float:
    """The expected number of alliance ties the generator of ``alliance_network`` makes.

    ``blocs`` (a bloc label per nation, from a scenario) sets the blocs' sizes of the ``blocs``
    generator. For ``explicit`` the caller counts the ties it has.
    """
    n = int(params["n_nations"])
    pairs = n * (n - 1) / 2
    kind = params["alliance_network"]
    density = float(params.get("alliance_density", 0.3))
    if kind == "complete":
        return pairs
    if kind == "erdos_renyi":
        return density * pairs
    if kind == "barabasi_albert":
        m = min(n - 1, max(1, _round_half_up(density * (n - 1) / 2)))
        return float(m * (n - m))
    if kind == "watts_strogatz":
        largest_even = (n - 1) // 2 * 2
        if largest_even < 2:
            return pairs
        k = min(largest_even, max(2, 2 * _round_half_up(density * (n - 1) / 2)))
        return n * k / 2
    if kind == "blocs":
        if blocs is not None and len(blocs) == n:
            sizes: list[int] = []
            counts: dict[Any, int] = {}
            for b in blocs:
                counts[b] = counts.get(b, 0) + 1
            sizes = list(counts.values())
        else:
            b = max(1, min(n, int(params.get("n_blocs", 2))))
            sizes = [n // b + (1 if i < n % b else 0) for i in range(b)]
        within = sum(s * (s - 1) / 2 for s in sizes)
        return within + float(params.get("bloc_crosslink", 0.0)) * (pairs - within)
    return 0.0


def run_bytes(
    params: Mapping[str, Any],
    *,
    n_edges: float | None = None,
    n_blocs: int | None = None,
    event_log: bool | None = None,
) -> int:
    """The estimated peak memory of one run and its outputs, in bytes (a pure function).

    Args:
        params: The run's parameters (resolved: ``n_nations``, ``n_labs``, ``steps`` and the
            mechanism switches).
        n_edges: Alliance ties, when known (an explicit graph); else :func:`expected_edges`.
        n_blocs: Alliance blocs (columns of the per-bloc records); else ``n_blocs`` under the
            ``blocs`` generator, 1 otherwise.
        event_log: Whether the hash-chained event log is recorded (None: the regime's default).
    """
    n = int(params["n_nations"])
    actors = n + int(params["n_labs"])
    rows = int(params["steps"]) + 1
    edges = expected_edges(params) if n_edges is None else float(n_edges)
    if n_blocs is None:
        n_blocs = int(params.get("n_blocs", 1)) if params["alliance_network"] == "blocs" else 1
    total: float = BASE + PER_ACTOR * actors + PER_STEP * rows + PER_BLOC_STEP * rows * n_blocs
    total += PER_EDGE * edges
    total += PER_LAG_ACTOR * (int(params.get("verification_lag", 0)) + 1) * actors
    if dense_reasons(params):
        total += PER_DENSE_CELL * n * n
    if params.get("information") == "bayesian":
        total += PER_BAYES_ACTOR * actors
    if event_log is None:
        event_log = params.get("verification") == "hardware_ledger"
    if event_log:
        total += PER_LOG_ACTOR_STEP * actors * rows
    return int(total)


def max_actors(steps: int, available: float) -> int:
    """About how many actors (no alliances, core mechanisms) fit in ``available`` bytes."""
    room = HEADROOM * available - BASE - (PER_STEP + PER_BLOC_STEP) * (steps + 1)
    return max(0, int(room / (PER_ACTOR + PER_LAG_ACTOR)))


def _sizes_text(params: Mapping[str, Any], edges: float, dense: list[str]) -> str:
    n = int(params["n_nations"])
    parts = [f"n_nations={n}", f"n_labs={int(params['n_labs'])}", f"steps={int(params['steps'])}"]
    if edges >= 1e6:
        parts.append(
            f"about {edges:.3g} alliance ties from alliance_network={params['alliance_network']!r}"
        )
    if dense and PER_DENSE_CELL * n * n >= 1e8:
        parts.append(f"a dense {n} x {n} alliance matrix for {', '.join(dense)}")
    if int(params.get("verification_lag", 0)) >= 1000:
        parts.append(f"verification_lag={int(params['verification_lag'])}")
    return ", ".join(parts)


def check_run(
    params: Mapping[str, Any],
    *,
    n_edges: float | None = None,
    n_blocs: int | None = None,
    event_log: bool | None = None,
    available: float | None = None,
    what: str = "run",
) -> int:
    """Refuse a run that cannot fit in memory; return its estimate in bytes.

    Raises:
        LimitError: ``run needs about 45.0 GB (n_nations=12, n_labs=100000000, steps=2); this
            machine has 21.3 GB available; ...``.
    """
    need = run_bytes(params, n_edges=n_edges, n_blocs=n_blocs, event_log=event_log)
    have = available_bytes() if available is None else float(available)
    if need <= HEADROOM * have:
        return need
    edges = expected_edges(params) if n_edges is None else float(n_edges)
    steps = int(params["steps"])
    actors = int(params["n_nations"]) + int(params["n_labs"])
    fit_actors = max_actors(steps, have)
    hints = []
    if fit_actors > 0:
        hints.append(f"at most about {fit_actors:,} actors at steps={steps}")
    fit_steps = int((HEADROOM * have - BASE - PER_ACTOR * actors) / (PER_STEP + PER_BLOC_STEP))
    if fit_steps > 0 and fit_steps < steps:
        hints.append(f"at most about {fit_steps:,} steps with {actors:,} actors")
    hint = " or ".join(hints) if hints else "fewer actors and steps"
    raise LimitError(
        f"{what} needs about {format_bytes(need)} of memory "
        f"({_sizes_text(params, edges, dense_reasons(params))}); this machine has "
        f"{format_bytes(have)} available; allowed: sizes that fit in "
        f"{format_bytes(HEADROOM * have)}, e.g. {hint}, without alliances "
        "(`pausegame params --limits` states the limits)"
    )


def plan_bytes(n_points: int, n_varied: int) -> int:
    """The estimated memory of a design's plan: its points, keys, seeds and plan table."""
    return int(BASE + n_points * (PER_POINT + PER_POINT_VARIED * max(1, n_varied)))


def check_plan(
    n_points: int,
    n_varied: int,
    *,
    replicates: int = 1,
    available: float | None = None,
    where: str = "design",
) -> int:
    """Refuse a design whose plan cannot fit in memory; return its estimate in bytes.

    Raises:
        LimitError: ``design: 10000000000 points x 1 replicates need about 4.4 TB ...``.
    """
    need = plan_bytes(n_points * max(1, replicates), n_varied)
    have = available_bytes() if available is None else float(available)
    if need <= HEADROOM * have:
        return need
    fit = int((HEADROOM * have - BASE) / (PER_POINT + PER_POINT_VARIED * max(1, n_varied)))
    raise LimitError(
        f"{where}: {plural(n_points, 'point', thousands=True)} x "
        f"{plural(replicates, 'replicate', thousands=True)}; the plan needs about "
        f"{format_bytes(need)} of memory; this machine has {format_bytes(have)} available; "
        f"allowed: at most about {fit:,} runs (points x replicates) here"
    )


def limits_text(available: float | None = None) -> str:
    """The practical limits of this machine, in words (for ``pausegame params --limits``)."""
    from model.params import defaults

    have = available_bytes() if available is None else float(available)
    d = defaults()
    steps_fit = int((HEADROOM * have - BASE - PER_ACTOR * 60) / (PER_STEP + 2 * PER_BLOC_STEP))
    n_blocs_fit = 2
    # nations that fit under the default blocs network: ties ~ n^2 / (2 n_blocs) (+ crosslink)
    per_n2 = PER_EDGE * (1 / (2 * n_blocs_fit) + float(d["bloc_crosslink"]) / 4)
    nations_blocs = int(math.sqrt(max(0.0, HEADROOM * have - BASE) / per_n2))
    nations_dense = int(math.sqrt(max(0.0, HEADROOM * have - BASE) / (per_n2 + PER_DENSE_CELL)))
    return (
        f"Practical limits on this machine ({format_bytes(have)} of memory available; a run "
        f"needs about {PER_ACTOR} B per actor, {PER_STEP} B per step, {PER_EDGE} B per "
        f"alliance tie and, with per_bloc inspection, voting adjudication, negotiated "
        f"membership or reactive alliances, {PER_DENSE_CELL} B x n_nations^2): about "
        f"{max_actors(int(d['steps']), have):,} actors (n_nations + n_labs) at "
        f"{d['steps']} steps without alliances; about {steps_fit:,} steps for 60 actors; "
        f"about {nations_blocs:,} nations with the default 'blocs' network (its ties grow "
        f"as n_nations^2), {nations_dense:,} with a dense matrix too. Larger runs are "
        "refused before they start, with the estimate."
    )


def check_scenario_run(
    params: Mapping[str, Any],
    scenario: Any = None,
    graph: Any = None,
    *,
    event_log: bool | None = None,
    available: float | None = None,
    what: str = "run",
) -> int:
    """:func:`check_run` for a run of a scenario (its blocs and ties) and an optional graph."""
    n_edges: float | None = None
    n_blocs: int | None = None
    blocs = None
    nations = getattr(scenario, "nations", ()) or ()
    if nations and nations[0].bloc is not None:
        blocs = [s.bloc for s in nations]
        n_blocs = len(set(blocs))
    if params["alliance_network"] == "explicit":
        if graph is not None:
            n_edges = float(graph.number_of_edges())
            labels = {d.get("bloc") for _, d in graph.nodes(data=True)}
            n_blocs = max(n_blocs or 1, len(labels))
        else:
            n_edges = float(len(getattr(scenario, "alliances", ()) or ()))
    elif blocs is not None and params["alliance_network"] == "blocs":
        n_edges = expected_edges(params, blocs)
    return check_run(
        params,
        n_edges=n_edges,
        n_blocs=n_blocs,
        event_log=event_log,
        available=available,
        what=what,
    )
