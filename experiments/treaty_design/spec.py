"""A design-of-treaty file: levers, uncertainties, outcomes, validated whole (#32).

A treaty design names the negotiable terms a treaty may set (the *levers*, each with a range;
:data:`model.params.terms.TERMS`), one fixed treaty whose failures are to be found (values of
negotiable terms), the world's parameters nobody controls (the *uncertainties*, each with a
range: ``[low, high]``, ``{ low = .., high = .. }``, or ``{}`` for the cited registry's range
where it has one, else the schema's), the outcomes, the sample and the runs::

    [meta]
    name = "treaty_design_quick"

    [base.params]                 # the world held fixed (any schema parameter but seed, steps)
    alliance_network = "none"

    [treaty]                      # the treaty scenario discovery examines (negotiable terms)
    p_detect = 0.5
    penalty = 8.0

    [levers]                      # negotiable terms and their ranges (for the robust search)
    p_detect = [0.1, 0.9]         # a number term: [low, high]
    penalty = [2.0, 16.0]
    adjudication = ["coalition", "independent_body"]   # a choice term: the choices searched
    # layers = ["chip_tracking", "whistleblower"]   # a set of verification layers (any
    #                             # non-empty subset; not with a p_detect lever)

    [uncertainties]               # world parameters with ranges
    defect_gain = [0.5, 1.5]
    p_false_alarm = {}            # the cited registry's range
    alliance_network = ["none", "random"]   # a choice parameter: its choices, sampled evenly

    [outcomes]
    names = ["survival", "months_to_collapse"]
    failure_below = 0.5           # a world fails when its survival is below this

    [sample]
    n = 200                       # worlds: a Latin hypercube (scipy.stats.qmc), seeded below

    [run]
    replicates = 8
    steps = 120
    master_seed = 20261207

    [discovery]                   # optional: PRIM's and CART's settings
    min_density = 0.8             # report the box of most coverage with at least this density
    peel_alpha = 0.05
    mass_min = 0.05
    max_boxes = 3
    resample_iterations = 10      # PRIM on random halves of a box's worlds: its stability

    [search]                      # optional: the robust search (NSGA-II) and its budget
    population = 16
    evaluations = 64              # at least one population
    agreeability = false          # true: a third objective (the share of nations that sign)

Every problem is one line naming the file, the table and the field, and what is allowed
(:class:`~experiments.batch.design_tables.DesignError`, a ConfigError: exit status 2).

Example:
    >>> d = load_treaty_design("treaty_design_quick")
    >>> d.uncertainties[:2], d.n_worlds, d.replicates
    (('defect_gain', 'race_pressure'), 64, 4)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from experiments.batch.design import Design, design_from_mapping
from experiments.batch.design_tables import DesignError
from experiments.files import list_shipped, read_toml, shipped_or_path
from model.errors import ConfigError
from model.params import schema
from model.params.layers import NO_LAYERS
from model.params.terms import TermBox, negotiable, term_box

#: The lever that sets a set of verification layers (``[levers] layers = [...]``).
LAYERS = "layers"

__all__ = [
    "OUTCOMES",
    "TreatyDesign",
    "list_treaty_designs",
    "load_treaty_design",
    "treaty_design_from_mapping",
]

#: The outcomes this increment computes per world (defined in the analysis docs, README).
OUTCOMES: tuple[str, ...] = (
    "survival",
    "months_to_collapse",
    "false_alarms",
    "catastrophe",
    "welfare",
)

_TABLES = (
    "meta",
    "base",
    "treaty",
    "levers",
    "uncertainties",
    "outcomes",
    "sample",
    "run",
    "discovery",
    "search",
)
_RUN_KEYS = ("replicates", "steps", "master_seed")
_DISCOVERY_DEFAULTS: dict[str, float] = {
    "min_density": 0.8,
    "peel_alpha": 0.05,
    "mass_min": 0.05,
    "max_boxes": 3,
    "resample_iterations": 10,
}
_FOLDER = "treaty_designs"


@dataclass(frozen=True)
class TreatyDesign:
    """A validated treaty design.

    Attributes:
        name: ``[meta] name`` (else the file's stem).
        meta: The ``[meta]`` table.
        base: The ``[base]`` table (a scenario and parameter overrides), as a batch design's.
        treaty: The fixed treaty: negotiable term to value.
        levers: The negotiable terms' ranges (:class:`~model.params.terms.TermBox`).
        uncertainties: The uncertain parameters' names, in file order.
        ranges: Each uncertainty's range as written (``[low, high]``, a table, ``{}``).
        outcomes: The outcomes to report (names in :data:`OUTCOMES`).
        failure_below: A world fails when its survival probability is below this.
        n_worlds: Worlds in the Latin hypercube.
        replicates: Runs per world.
        steps: Months per run (the horizon).
        master_seed: The seed of the sample and of every run's seed.
        discovery: PRIM's and CART's settings (``min_density``, ``peel_alpha``, ``mass_min``,
            ``max_boxes``, ``resample_iterations``).
        search: The robust search's budget (``population``, ``evaluations``) and whether
            agreeability is an objective (``agreeability``, 0 or 1), or empty.
        source: Where it came from, for messages.
        text: The file's text, when it came from a file.
        base_dir: The file's folder (a relative ``[base] scenario`` path is read from there).
    """

    name: str
    meta: Mapping[str, Any]
    base: Mapping[str, Any]
    treaty: Mapping[str, Any]
    levers: TermBox
    uncertainties: tuple[str, ...]
    ranges: Mapping[str, Any]
    outcomes: tuple[str, ...]
    failure_below: float
    n_worlds: int
    replicates: int
    steps: int
    master_seed: int
    discovery: Mapping[str, float] = field(default_factory=dict)
    search: Mapping[str, int] = field(default_factory=dict)
    source: str = "treaty design"
    text: str | None = None
    base_dir: str | None = None
    layer_lever: tuple[str, ...] = ()

    @property
    def lever_names(self) -> tuple[str, ...]:
        """Every lever's name: the negotiable terms', then ``layers`` when it is a lever."""
        return (*self.levers.names, *((LAYERS,) if self.layer_lever else ()))

    def discovery_design(self, base_dir: str | Path | None = None) -> Design:
        """The batch design that evaluates the fixed treaty over the sampled worlds.

        A ``[sample]`` Latin hypercube of :attr:`n_worlds` points over the uncertainties
        (seeded from :attr:`master_seed`), the treaty's terms added to the base parameters,
        ``replicates`` runs a world with the ``common`` seed scheme (every world sees the same
        random numbers in a replicate). It runs on the batch machinery
        (:func:`experiments.batch.run_design`: resumable, serial, local or Dask).
        """
        base = dict(self.base)
        params = {**dict(base.get("params", {}) or {}), **dict(self.treaty)}
        base["params"] = params
        mapping = {
            "meta": {"name": f"{self.name}_discovery"},
            "base": base,
            "sample": {"method": "lhs", "n": self.n_worlds, "params": dict(self.ranges)},
            "run": {
                "replicates": self.replicates,
                "steps": self.steps,
                "master_seed": self.master_seed,
                "seed_scheme": "common",
            },
        }
        return design_from_mapping(
            mapping,
            source=self.source,
            base_dir=self.base_dir if base_dir is None else base_dir,
            default_name=self.name,
        )


def list_treaty_designs() -> list[str]:
    """Names of the treaty designs shipped under ``experiments/treaty_designs/``."""
    return list_shipped(_FOLDER)


def load_treaty_design(path_or_name: str | Path) -> TreatyDesign:
    """Read and validate a treaty design (a path, or a shipped design's name).

    Raises:
        DesignError: One line naming the file, the table and the field.
    """
    path = shipped_or_path(path_or_name, _FOLDER, "treaty design", DesignError)
    data, text = read_toml(path, "treaty design", DesignError)
    design = treaty_design_from_mapping(data, source=path.name, text=text, default_name=path.stem)
    design = replace(design, base_dir=str(path.parent))
    design.discovery_design()  # the world and every sampled point resolve
    return design


def treaty_design_from_mapping(
    data: Mapping[str, Any],
    *,
    source: str = "treaty design",
    text: str | None = None,
    default_name: str = "treaty_design",
) -> TreatyDesign:
    """Validate the tables of a treaty design.

    The sampled worlds themselves are checked by :meth:`TreatyDesign.discovery_design`.

    Raises:
        DesignError: One line naming the source, the table and the field.
    """
    at = f"{source}: "
    for key in data:
        if key not in _TABLES:
            raise DesignError(f"{at}unknown table [{key}]; allowed: {', '.join(_TABLES)}")
    tables = {key: _table(data, key, at) for key in _TABLES}
    meta = tables["meta"]
    name = meta.get("name", default_name)
    if not isinstance(name, str) or not name.strip() or any(c in name for c in "/\\\0"):
        raise DesignError(f"{at}[meta] name={name!r} is not allowed; allowed: a non-empty text")
    treaty = _treaty(tables["treaty"], at)
    lever_table = dict(tables["levers"])
    layer_lever = _layer_lever(lever_table.pop(LAYERS, None), at)
    terms = negotiable()
    for key in lever_table:
        if key not in terms:
            raise DesignError(
                f"{at}[levers] {key!r} is not a negotiable term; allowed: {', '.join(terms)}, "
                f"and {LAYERS} (a set of verification layers)"
            )
    try:
        levers = term_box(lever_table)
    except ConfigError as exc:
        raise DesignError(f"{at}[levers] {exc}") from None
    if layer_lever and "p_detect" in lever_table:
        raise DesignError(
            f"{at}[levers] {LAYERS} and p_detect: the layers set p_detect (a p_detect given "
            "would replace theirs); give one of them"
        )
    ranges = _uncertainties(tables["uncertainties"], at)
    base_params = tables["base"].get("params", {}) or {}
    for key in ranges:
        lever_names = (*levers.names, *((LAYERS,) if layer_lever else ()))
        for where, names in (("[treaty]", treaty), ("[levers]", lever_names)):
            if key in names:
                raise DesignError(
                    f"{at}{key!r} is both an uncertainty and in {where}; give it in one place"
                )
    for key in treaty:
        if isinstance(base_params, Mapping) and key in base_params:
            raise DesignError(
                f"{at}{key!r} is both in [treaty] and [base.params]; give it in one place"
            )
    outcomes, failure_below = _outcomes(tables["outcomes"], at)
    n_worlds = _sample(tables["sample"], at)
    run = tables["run"]
    for key in run:
        if key not in _RUN_KEYS:
            raise DesignError(f"{at}[run] unknown field {key!r}; allowed: {', '.join(_RUN_KEYS)}")
    if "master_seed" not in run:
        raise DesignError(f"{at}[run] master_seed is required (the sample and every run's seed)")
    replicates = _integer(run.get("replicates", 1), f"{at}[run] replicates", 1)
    steps = _integer(run.get("steps", schema()["steps"].default), f"{at}[run] steps", 1)
    master_seed = _integer(run["master_seed"], f"{at}[run] master_seed", 0)
    return TreatyDesign(
        name=name,
        meta=meta,
        base=tables["base"],
        treaty=treaty,
        levers=levers,
        uncertainties=tuple(ranges),
        ranges=ranges,
        outcomes=outcomes,
        failure_below=failure_below,
        n_worlds=n_worlds,
        replicates=replicates,
        steps=steps,
        master_seed=master_seed,
        discovery=_discovery(tables["discovery"], at),
        search=_search(tables["search"], at),
        layer_lever=layer_lever,
        source=source,
        text=text,
    )


def _layer_lever(value: Any, at: str) -> tuple[str, ...]:
    """The layers a ``layers`` lever may combine (a set of them is the lever's value)."""
    if value is None:
        return ()
    known = [c for c in schema()[LAYERS].choices if c != NO_LAYERS]
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(v, str) or v not in known for v in value)
        or len(set(value)) != len(value)
    ):
        raise DesignError(
            f"{at}[levers] {LAYERS}={value!r} is not allowed; allowed: a non-empty list of "
            f"distinct layers from {', '.join(known)} (the search sets a non-empty set of them)"
        )
    return tuple(value)


def _table(data: Mapping[str, Any], key: str, at: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise DesignError(f"{at}[{key}] must be a table, not {value!r}")
    return dict(value)


def _treaty(table: Mapping[str, Any], at: str) -> dict[str, Any]:
    from model.params import coerce

    terms = negotiable()
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in terms:
            raise DesignError(
                f"{at}[treaty] {key!r} is not a negotiable term; negotiable: {', '.join(terms)}"
            )
        try:
            out[key] = coerce(terms[key], value)
        except ConfigError as exc:
            raise DesignError(f"{at}[treaty] {exc}") from None
    return out


def _uncertainties(table: Mapping[str, Any], at: str) -> dict[str, Any]:
    if not table:
        raise DesignError(
            f"{at}[uncertainties] is empty; name at least one world parameter with a range "
            "([low, high], or {} for the cited registry's range)"
        )
    known = schema()
    for key, spec in table.items():
        if key not in known or key in ("seed", "steps"):
            raise DesignError(
                f"{at}[uncertainties] {key!r} is not a world parameter; allowed: a parameter "
                "of the schema (pausegame params) but seed and steps"
            )
        if known[key].kind == "choice":
            ok = spec == {} or (
                isinstance(spec, list) and spec and all(isinstance(v, str) for v in spec)
            )
            if not ok:
                raise DesignError(
                    f"{at}[uncertainties] {key}={spec!r} is a choice parameter without its "
                    f"choices; allowed: a non-empty list of {known[key].bounds_text()}, or {{}} "
                    "(every choice)"
                )
            continue
        is_range = (
            spec == {}
            or (isinstance(spec, list) and len(spec) == 2)
            or (isinstance(spec, Mapping) and set(spec) == {"low", "high"})
        )
        if not is_range:
            raise DesignError(
                f"{at}[uncertainties] {key}={spec!r} has no range; allowed: [low, high], "
                "{ low = .., high = .. } or {} (the cited registry's range, else the schema's)"
            )
    return dict(table)


def _outcomes(table: Mapping[str, Any], at: str) -> tuple[tuple[str, ...], float]:
    for key in table:
        if key not in ("names", "failure_below"):
            raise DesignError(
                f"{at}[outcomes] unknown field {key!r}; allowed: names, failure_below"
            )
    names = table.get("names", list(OUTCOMES))
    if not isinstance(names, list) or not names or any(n not in OUTCOMES for n in names):
        raise DesignError(
            f"{at}[outcomes] names={names!r} is not allowed; allowed: a non-empty list of "
            f"{', '.join(OUTCOMES)}"
        )
    below = table.get("failure_below", 0.5)
    if isinstance(below, bool) or not isinstance(below, int | float) or not 0 < below <= 1:
        raise DesignError(
            f"{at}[outcomes] failure_below={below!r} is not allowed; allowed: a number in (0, 1]"
        )
    return tuple(names), float(below)


def _sample(table: Mapping[str, Any], at: str) -> int:
    for key in table:
        if key != "n":
            raise DesignError(f"{at}[sample] unknown field {key!r}; allowed: n")
    if "n" not in table:
        raise DesignError(f"{at}[sample] n is required (the number of worlds sampled)")
    n = table["n"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DesignError(
            f"{at}[sample] n={n!r} is an empty sample; allowed: an integer >= 1 (worlds)"
        )
    return n


def _discovery(table: Mapping[str, Any], at: str) -> dict[str, float]:
    out = dict(_DISCOVERY_DEFAULTS)
    for key, value in table.items():
        if key not in out:
            raise DesignError(
                f"{at}[discovery] unknown field {key!r}; allowed: {', '.join(_DISCOVERY_DEFAULTS)}"
            )
        if key in ("max_boxes", "resample_iterations"):
            out[key] = _integer(value, f"{at}[discovery] {key}", int(key == "max_boxes"))
            continue
        ok = (
            not isinstance(value, bool)
            and isinstance(value, int | float)
            and math.isfinite(value)
            and 0 < value <= (1 if key == "min_density" else 0.5)
        )
        if not ok:
            most = "1" if key == "min_density" else "0.5"
            raise DesignError(
                f"{at}[discovery] {key}={value!r} is not allowed; allowed: a number in (0, {most}]"
            )
        out[key] = float(value)
    return out


def _search(table: Mapping[str, Any], at: str) -> dict[str, int]:
    if not table:
        return {}
    for key in table:
        if key not in ("population", "evaluations", "agreeability"):
            raise DesignError(
                f"{at}[search] unknown field {key!r}; allowed: population, evaluations, "
                "agreeability"
            )
    agree = table.get("agreeability", False)
    if not isinstance(agree, bool):
        raise DesignError(
            f"{at}[search] agreeability={agree!r} is not allowed; allowed: true or false"
        )
    population = _integer(table.get("population", 16), f"{at}[search] population", 2)
    evaluations = _integer(table.get("evaluations", 4 * population), f"{at}[search] evaluations", 1)
    if evaluations < population:
        raise DesignError(
            f"{at}[search] evaluations={evaluations} is below population={population}; "
            "allowed: a budget of at least one population"
        )
    return {"population": population, "evaluations": evaluations, "agreeability": int(agree)}


def _integer(value: Any, where: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise DesignError(f"{where}={value!r} is not allowed; allowed: an integer >= {least}")
    return value
