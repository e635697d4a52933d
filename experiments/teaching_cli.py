"""``pausegame scenarios``, ``pausegame demo NAME`` and ``pausegame claims``: the teaching commands.

- ``scenarios`` lists the shipped scenarios with their one-line summaries (and claims).
- ``demo NAME`` runs one scenario with its event log and narrates it month by month: who
  defected or returned to compliance, who was caught (at home or by international
  verification), who was falsely flagged, sanctioned, vetoed, who joined or left the treaty;
  it ends with the outcome against the scenario's claim and writes its plots.
- ``claims`` runs every claim and its contrast over replicates and prints the shares with
  their Wilson 95% intervals (see :mod:`experiments.teaching`); a share whose interval contains
  the claimed share is *inconclusive* at that number of replicates, with the number it needs.
  Exit status 0 when every claim holds and every contrast fails, 1 when one fails (or a
  contrast does not), 3 when none failed but some are inconclusive, 2 for bad input.

Example:
    $ pausegame scenarios
    $ pausegame demo open_letter_2023 --seed 7
    $ pausegame claims trust_but_verify --replicates 200
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.files import check_out_dir, out_argument
from experiments.limits import BASE, PER_SEED, check_work
from experiments.scenarios import list_scenarios, load_scenario
from experiments.teaching import (
    MASTER_SEED,
    OUTCOMES,
    PAIRED,
    ClaimCheck,
    TeachingScenario,
    Trace,
    check_claim,
    load_teaching,
    replicate_cost,
    replicate_seed,
    run_trace,
    teaching_names,
)
from experiments.words import plural
from model.engine import Engine
from model.errors import ConfigError

__all__ = ["claim_lines", "format_scenarios", "narrate", "register", "write_demo_plots"]

_WIDTH = 100


def register(subparsers: Any) -> None:
    """Register ``scenarios``, ``demo`` and ``claims``."""
    sub = subparsers.add_parser(
        "scenarios",
        help="list the shipped scenarios with their summaries",
        allow_abbrev=False,
        description="List the shipped scenarios (experiments/scenarios/) with their one-line "
        "summaries; teaching scenarios also show their claim.",
    )
    sub.set_defaults(handler=_cmd_scenarios, _parser=sub)

    demo = subparsers.add_parser(
        "demo",
        help="narrate one run of a teaching scenario, month by month",
        allow_abbrev=False,
        description="Run a scenario with its event log and narrate it month by month (who "
        "defected, was caught, sanctioned, vetoed, joined or left), then compare "
        "the outcome with the scenario's claim and write plots.",
    )
    demo.add_argument(
        "scenario",
        metavar="NAME",
        help="a shipped scenario (`pausegame scenarios` lists them) or a .toml file",
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the run (default: replicate 0 of the claim tests' seeds)",
    )
    demo.add_argument(
        "--contrast", action="store_true", help="run the scenario's contrast variant instead"
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        type=out_argument,
        help="folder for the plots (default: runs/demo-NAME-seedN/)",
    )
    demo.add_argument(
        "--quiet-months", action="store_true", help="print only months in which something happened"
    )
    demo.set_defaults(handler=_cmd_demo, _parser=demo)

    claims = subparsers.add_parser(
        "claims",
        help="check every teaching claim and its contrast over replicates",
        allow_abbrev=False,
        description="Run each teaching scenario's claim and its contrast over the same "
        "replicates (seeds from the master seed) and print the share of "
        "replicates showing the claimed outcome with its Wilson 95% interval. "
        "Exit status 0 when every claim holds and every contrast fails, 1 when "
        "one fails, 3 when none failed but some are inconclusive at this number "
        "of replicates (the output says how many they need).",
    )
    claims.add_argument(
        "names", nargs="*", metavar="NAME", help="teaching scenarios (default: all)"
    )
    claims.add_argument(
        "--replicates",
        type=int,
        default=200,
        metavar="N",
        help="replicates of the claim and of the contrast (default 200)",
    )
    claims.add_argument(
        "--master-seed",
        type=int,
        default=MASTER_SEED,
        metavar="N",
        help=f"master seed (default {MASTER_SEED}, the tests')",
    )
    claims.add_argument(
        "--force",
        action="store_true",
        help="run although the estimated time is over 10 minutes",
    )
    claims.set_defaults(handler=_cmd_claims, _parser=claims)


# ------------------------------------------------------------------------------ scenarios
def format_scenarios(width: int = _WIDTH) -> str:
    """The text of ``pausegame scenarios``."""
    from experiments.cli import command

    lines = [
        f"Shipped scenarios (run one with `{command('run', 'NAME')}`, narrate a teaching "
        f"scenario with `{command('demo', 'NAME')}`):",
        "",
    ]
    for name in list_scenarios():
        scenario, _ = load_scenario(name)
        meta = scenario.meta
        lines.append(f"{name}  ({meta.get('title', name)})")
        lines += textwrap.wrap(
            str(meta.get("summary", "")), width, initial_indent="    ", subsequent_indent="    "
        )
        claim = meta.get("claim")
        if isinstance(claim, dict):
            lines += textwrap.wrap(
                f"claim ({float(claim['share']):.0%} of runs or more): {claim['text']}",
                width,
                initial_indent="    ",
                subsequent_indent="      ",
            )
    return "\n".join(lines)


def _cmd_scenarios(args: argparse.Namespace) -> int:
    print(format_scenarios())
    return 0


# ------------------------------------------------------------------------------ demo
def _names(engine: Engine, idx: Sequence[int] | np.ndarray, limit: int = 8) -> str:
    """Actor names, grouped: a nation whose programme and all labs are listed is ``Nation/*``."""
    idx = [int(i) for i in idx]
    if not idx:
        return ""
    names = engine.world.names
    home = engine.world.home
    chosen = set(idx)
    out: list[str] = []
    done: set[int] = set()
    for i in idx:
        if i in done:
            continue
        jurisdiction = [int(k) for k in np.flatnonzero(home == home[i])]
        if len(jurisdiction) > 1 and chosen.issuperset(jurisdiction):
            out.append(f"{names[int(home[i])]} and its labs")
            done.update(jurisdiction)
        else:
            out.append(names[i])
            done.add(i)
    if len(out) > limit:
        return ", ".join(out[:limit]) + f" and {len(out) - limit} more"
    return ", ".join(out)


def narrate(engine: Engine, t: int, previous: np.ndarray, members_before: np.ndarray) -> list[str]:
    """What happened at step ``t``, from the event log's records of that step."""
    assert engine.log is not None
    records = [r for r in engine.log.records if r["t"] == t]
    lines: list[str] = []
    state = next((r for r in records if r["type"] == "state"), None)
    now = (
        engine.defect
        if state is None
        else np.array([ch == "1" for ch in state["actions"]], dtype=bool)
    )
    started = np.flatnonzero(now & ~previous)
    stopped = np.flatnonzero(~now & previous)
    if len(started):
        lines.append(f"defected: {_names(engine, started)}")
    if len(stopped):
        lines.append(f"returned to compliance: {_names(engine, stopped)}")

    def actors(kind: str, **match: Any) -> list[int]:
        return [
            int(r["actor"])
            for r in records
            if r["type"] == kind and all(r.get(k) == v for k, v in match.items())
        ]

    caught_home = actors("detection", where="domestic")
    caught_int = actors("detection", where="international")
    if caught_home:
        lines.append(f"caught at home (domestic law): {_names(engine, caught_home)}")
    if caught_int:
        lines.append(f"caught by international verification: {_names(engine, caught_int)}")
    alarms = actors("false_alarm")
    if alarms:
        lines.append(f"falsely flagged (complying): {_names(engine, alarms)}")
    vetoed = actors("veto")
    if vetoed:
        powers = ", ".join(engine.world.names[int(v)] for v in engine.veto_powers)
        lines.append(f"sanctions vetoed (veto powers {powers}): {_names(engine, vetoed)}")
    failed = actors("vote", passed=False)
    if failed:
        lines.append(f"sanctions voted down: {_names(engine, failed)}")
    sanctions = [r for r in records if r["type"] == "sanction"]
    if sanctions:
        total = sum(float(r["amount"]) for r in sanctions)
        lands = sanctions[0]["lands"]
        when = "now" if lands == t else f"landing in month {lands}"
        lines.append(
            f"sanctioned ({total:.3g} G in all, {when}): "
            f"{_names(engine, [int(r['actor']) for r in sanctions])}"
        )
    members = engine.member
    joined = np.flatnonzero(members & ~members_before)
    left = np.flatnonzero(~members & members_before)
    names = engine.world.names
    if len(joined):
        lines.append("joined the treaty: " + ", ".join(names[int(i)] for i in joined))
    if len(left):
        lines.append("left the treaty: " + ", ".join(names[int(i)] for i in left))
    return lines


def _opening(engine: Engine) -> str:
    """Month 0: who is in the world, who is committed or held by events, who defects."""
    w = engine.world
    names = w.names
    caps = np.bincount(w.home, weights=w.capability, minlength=w.n_nations)
    order = np.argsort(-caps)[:4]
    big = ", ".join(f"{names[int(i)]} {caps[i] / caps.sum():.0%}" for i in order)
    lines = [
        f"Month   0: {plural(w.n_nations, 'nation')} and "
        f"{plural(engine.n_actors - w.n_nations, 'lab')}; "
        f"largest nations (programme and labs): {big}."
    ]
    if w.committed.any():
        lines.append(
            f"committed for the whole run: {_names(engine, np.flatnonzero(w.committed))}"
            f" ({'defect' if w.committed_defect[w.committed].all() else 'comply'})"
        )
    for start, end, idx, defect in w.events:
        until = "to the end" if end is None else f"until month {end - 1}"
        lines.append(
            f"scheduled: from month {start} {until}, {_names(engine, idx)} "
            f"{'defect' if defect else 'comply'}"
        )
    if w.initial_defect.any():
        lines.append(f"defecting at the start: {_names(engine, np.flatnonzero(w.initial_defect))}")
    if not engine.member.all():
        lines.append(
            f"outside the treaty: "
            f"{', '.join(names[int(i)] for i in np.flatnonzero(~engine.member))}"
        )
    return "\n".join(
        [lines[0]]
        + [
            textwrap.fill(x, _WIDTH, initial_indent="    ", subsequent_indent="      ")
            for x in lines[1:]
        ]
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from experiments.cli import command

    try:
        case = load_teaching(args.scenario)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if args.seed is not None and args.seed < 0:
        raise ConfigError(f"--seed={args.seed} is out of bounds; allowed: an integer >= 0")
    seed = args.seed if args.seed is not None else replicate_seed(MASTER_SEED, 0)
    scenario = case.variant(args.contrast)
    claim = case.claim
    steps = max(claim.horizon, int(scenario.params.get("steps", claim.horizon)))
    variant = "contrast" if args.contrast else "scenario"
    suffix = "-contrast" if args.contrast else ""
    out = Path(args.out) if args.out else Path("runs") / f"demo-{case.name}{suffix}-seed{seed}"
    check_out_dir(out)
    print(
        f"{case.title} ({case.name}, {variant}), seed {seed}: {plural(steps, 'month')}, one "
        "step = one month."
    )
    print(textwrap.fill(case.contrast.text if args.contrast else case.summary, _WIDTH))
    state: dict[str, Any] = {}
    threshold = 0.0

    def on_step(engine: Engine) -> None:
        t = engine.t
        prev = state.get("defect")
        if prev is None:
            prev = engine.world.initial_defect.copy()
            members_before = np.asarray(state.get("members0"), dtype=bool)
        else:
            members_before = state["members"]
        lines = narrate(engine, t, prev, members_before)
        caps = np.bincount(engine.home, weights=engine.world.capability, minlength=engine.n_nations)
        leader = int(np.argmax(caps))
        if state.get("leader") is not None and leader != state["leader"]:
            names = engine.world.names
            lines.append(
                f"{names[leader]} overtakes {names[state['leader']]} as the most "
                f"capable nation ({caps[leader] / caps.sum():.0%} of the world)"
            )
        state["leader"] = leader
        wc = engine.latest("weighted_compliance")
        members = int(engine.member.sum())
        status = "holding" if wc >= threshold else "below the threshold"
        if lines or not args.quiet_months:
            print(
                f"Month {t:3d}: compliance {wc:.2f} ({status}), members {members}"
                f"/{engine.n_nations}"
            )
            for line in lines:
                print(
                    textwrap.fill(line, _WIDTH, initial_indent="    ", subsequent_indent="      ")
                )
        state["defect"] = engine.defect.copy()
        state["members"] = engine.member.copy()

    first = Engine.from_params(dict(scenario.params), rng=seed, scenario=scenario)
    state["members0"] = first.member.copy()
    threshold = float(first.params["stability_threshold"])
    print(_opening(first))
    trace = run_trace(scenario, seed, steps=steps, event_log=True, on_step=on_step)
    if claim.outcome in PAIRED:
        trace.counterfactual = run_trace(PAIRED[claim.outcome](scenario, claim), seed, steps=steps)
    shown = OUTCOMES[claim.outcome](trace, claim)
    summary = trace.engine.summary()
    print()
    if summary.active_steps == 0:
        print(
            f"No pause bound anyone in {plural(summary.steps, 'month')} (the treaty never "
            "entered into force), so it neither held nor collapsed."
        )
    elif summary.collapse_step is None:
        print(f"The pause held for all {plural(summary.steps, 'month')}.")
    else:
        print(f"The pause collapsed at month {summary.collapse_step}.")
    print(textwrap.fill(f"The claim: {claim.text}", _WIDTH))
    verdict = "shows" if shown else "does not show"
    expected = (
        "the claim should fail here (it is the contrast)"
        if args.contrast
        else f"the claim says at least {claim.share:.0%} of runs show it"
    )
    print(
        textwrap.fill(
            f"This run {verdict} the claimed outcome; {expected}. "
            f"`{command('claims', case.name)}` checks it over 200 seeds.",
            _WIDTH,
        )
    )
    path = write_demo_plots(case, trace, out, contrast=args.contrast)
    print(f"Plots: {path}")
    return 0


def write_demo_plots(
    case: TeachingScenario, trace: Trace, out_dir: str | Path, *, contrast: bool = False
) -> Path:
    """Write ``demo.png``: compliance, the defecting share and treaty membership over months.

    The claim's horizon and level (when it has one) and the stability threshold are marked.
    """
    from matplotlib.figure import Figure

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    ts = trace.series
    months = ts["step"]
    engine = trace.engine
    fig = Figure(figsize=(9, 9), dpi=100, layout="constrained")
    top, middle, bottom = fig.subplots(3, 1, sharex=True, height_ratios=(2, 1, 1))
    top.plot(
        months,
        ts["weighted_compliance"],
        color="#0072B2",
        linewidth=1.8,
        label="capability-weighted compliance",
    )
    top.plot(
        months,
        ts["defecting_share"],
        color="#D55E00",
        linewidth=1.5,
        linestyle="--",
        label="defecting share of capability",
    )
    if "leader_share" in ts and case.scenario.params.get("rsi") == "on":
        top.plot(
            months,
            ts["leader_share"],
            color="#009E73",
            linewidth=1.2,
            linestyle=":",
            label="largest actor's share",
        )
    threshold = float(engine.params["stability_threshold"])
    top.axhline(
        threshold,
        color="#777777",
        linestyle="--",
        linewidth=1,
        label=f"stability threshold ({threshold:g})",
    )
    claim = case.claim
    top.axvline(
        claim.horizon,
        color="#CC79A7",
        linestyle="-.",
        linewidth=1,
        label=f"claim horizon (month {claim.horizon})",
    )
    collapse = engine.summary().collapse_step
    if collapse is not None:
        top.axvline(
            collapse,
            color="#D55E00",
            linestyle=":",
            linewidth=1.2,
            label=f"collapse (month {collapse})",
        )
    top.set_ylim(-0.02, 1.02)
    top.set_ylabel("share of world capability")
    variant = "contrast" if contrast else "claim"
    top.set_title(f"{case.title} ({variant}), seed {engine.seed}", fontsize=11)
    top.grid(True, alpha=0.3)
    top.legend(fontsize=8, loc="best")
    caps = trace.nation_capability
    shares = caps / caps.sum(axis=1, keepdims=True)
    for rank, i in enumerate(np.argsort(-shares[0])[:4]):
        middle.plot(
            months[: len(shares)],
            shares[:, i],
            linewidth=1.4,
            color=("#0072B2", "#D55E00", "#009E73", "#CC79A7")[rank],
            label=engine.world.names[int(i)],
        )
    middle.set_ylabel("nation's share\nof capability")
    middle.grid(True, alpha=0.3)
    middle.legend(fontsize=8, loc="best", title="largest at the start", title_fontsize=8)
    bottom.step(months, ts["members"], where="post", color="#0072B2", label="member nations")
    bottom.set_ylim(-0.5, engine.n_nations + 0.5)
    bottom.set_ylabel("treaty members")
    bottom.set_xlabel("time (months; one step = one month)")
    bottom.grid(True, alpha=0.3)
    path = folder / "demo.png"
    fig.savefig(path, format="png")
    return path


# ------------------------------------------------------------------------------ claims
def _inconclusive(n: int, needs: int | None, observed: float, claimed: float, what: str) -> str:
    if needs is None:
        side = "above" if what == "hold" else "below"
        return (
            f"inconclusive at n = {n} (the observed share {observed:.3f} is not {side} the "
            f"claimed {claimed:g}: more replicates would not make it {what})"
        )
    return f"inconclusive at n = {n} (needs at least {needs} replicates to {what})"


def claim_lines(name: str, claimed: float, result: ClaimCheck) -> list[str]:
    """What ``pausegame claims`` prints for one scenario: the claim and the contrast."""
    n = result.claim.n
    verdict = result.claim_verdict
    if verdict == "holds":
        said = "holds"
    elif verdict == "fails":
        said = f"FAILS (the interval lies below {claimed:g})"
    else:
        said = _inconclusive(n, result.claim_needs(), result.claim.share, claimed, "hold")
    cverdict = result.contrast_verdict
    if cverdict == "fails":
        csaid = "fails, as it should"
    elif cverdict == "does not fail":
        csaid = f"DOES NOT FAIL (the interval lies above {claimed:g})"
    else:
        csaid = _inconclusive(n, result.contrast_needs(), result.contrast.share, claimed, "fail")
    return [
        f"{name}: claimed share >= {claimed:g}",
        f"    claim     {result.claim.describe()}  {said}",
        f"    contrast  {result.contrast.describe()}  {csaid}",
    ]


def _cmd_claims(args: argparse.Namespace) -> int:
    """Check the claims; the exit status says how they came out.

    0 when every claim holds and every contrast fails, 1 when a claim fails or a contrast does
    not, 3 when none failed but some are inconclusive at this many replicates (2: bad input).
    """
    names = list(args.names) or teaching_names()
    if args.replicates < 1:
        raise ConfigError(
            f"--replicates={args.replicates} is out of bounds; allowed: an integer >= 1"
        )
    if args.master_seed < 0:
        raise ConfigError(
            f"--master-seed={args.master_seed} is out of bounds; allowed: an integer >= 0"
        )
    cases = []
    for name in names:  # every name checked before any run
        try:
            cases.append(load_teaching(name))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    costs = [replicate_cost(case) for case in cases]
    check_work(
        f"claims --replicates {args.replicates} ({plural(len(cases), 'scenario')}, claim "
        "and contrast)",
        args.replicates,
        "replicate",
        seconds_each=sum(seconds for seconds, _ in costs),
        bytes_each=PER_SEED,
        base_bytes=BASE + max(size for _, size in costs),
        force=args.force,
    )
    failed: list[str] = []
    undecided: dict[str, int | None] = {}
    print(
        f"{plural(args.replicates, 'replicate')} each, master seed {args.master_seed}; shares of "
        "replicates showing the claimed outcome, Wilson 95% intervals."
    )
    for name, case in zip(names, cases, strict=True):
        result = check_claim(case, args.replicates, master_seed=args.master_seed)
        for line in claim_lines(name, case.claim.share, result):
            print(line)
        if result.verdict == "failed":
            failed.append(name)
        elif result.verdict == "inconclusive":
            needs = [
                v
                for v, open_ in (
                    (result.claim_needs(), not result.claim_holds),
                    (result.contrast_needs(), not result.contrast_fails),
                )
                if open_
            ]
            undecided[name] = None if None in needs else max(n for n in needs if n is not None)
    if failed:
        print(
            f"Failed: {', '.join(failed)}"
            + (
                f"; inconclusive at n = {args.replicates}: {', '.join(undecided)}"
                if undecided
                else ""
            )
            + "."
        )
        return 1
    if undecided:
        known = [n for n in undecided.values() if n is not None]
        hint = (
            f"; run again with --replicates {max(known)} or more"
            if known and len(known) == len(undecided)
            else ""
        )
        print(
            f"Inconclusive at n = {args.replicates} (none failed): {', '.join(undecided)}"
            f"{hint}. Exit status 3."
        )
        return 3
    return 0
