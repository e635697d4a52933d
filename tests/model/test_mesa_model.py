"""The Mesa front shows the treaty: agent and model reporters for membership, binding and
verification read the engine's state, step by step, through a ``mesa.DataCollector``.
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from agents.actors import Lab, Nation
from experiments.scenarios import load_scenario
from model import PauseModel

pytestmark = pytest.mark.mesa  # also run under Mesa 4 by .ci/run

#: Membership changes at the rounds (every 3 months), the pause starts at month 3 and lifts
#: at month 15, sanctions escalate and are paid a month after they are imposed, compliers
#: suffer false alarms and labs are caught at home: the reporters below take more than one
#: value, and flagged differs from caught, sanctioned from paying a sanction.
CHANGING = dict(
    membership="negotiated",
    initial_membership=0.5,
    negotiation_interval=3,
    trigger="date",
    trigger_step=3,
    lift="duration",
    pause_duration=12,
    sanction_escalation=0.5,
    p_detect=0.6,
    outsider_penalty=1.0,
    n_labs=12,
    verification_lag=1,
    p_false_alarm=0.1,
    p_domestic=0.5,
    steps=24,
)

SEED = 2

AGENT_FIELDS = (
    "member",
    "bound",
    "inspected",
    "flagged",
    "caught",
    "false_alarm",
    "sanctioned",
    "sanction_imposed",
    "sanction_paid",
    "flagged_ever",
    "offences",
    "penalty_next",
    "would_leave",
    "would_join",
    "membership_gain",
)

MODEL_FIELDS = (
    "in_force",
    "pause_active",
    "members",
    "member_share",
    "n_bound",
    "terms_p_detect",
    "safety_progress",
    "n_flagged",
    "n_caught",
    "n_sanctioned",
    "members_would_leave",
    "outsiders_would_join",
)


def expected_agents(engine) -> dict[str, np.ndarray]:
    """Each agent reporter straight from the engine's arrays (actor order)."""
    n = engine.n_actors
    last = engine.last
    imposed = last.get("sanction_imposed", np.zeros(n))
    return {
        "member": engine.member[engine.home],
        "bound": engine.bound & engine.pause_active,
        "inspected": last.get("inspected", np.zeros(n, dtype=bool)),
        "flagged": engine.flagged_last,
        "caught": engine.caught_last,
        "false_alarm": last.get("false_alarm", np.zeros(n, dtype=bool)),
        "sanctioned": imposed > 0,
        "sanction_imposed": imposed,
        "sanction_paid": last.get("sanction_paid", np.zeros(n)),
        "flagged_ever": engine.flagged_ever,
        "offences": engine.offences,
        "penalty_next": engine.penalty_next,
        "would_leave": engine.would_leave[engine.home],
        "would_join": engine.would_join[engine.home],
        "membership_gain": engine.membership_gain[engine.home],
    }


def expected_model(engine) -> dict[str, float]:
    imposed = engine.last.get("sanction_imposed", np.zeros(engine.n_actors))
    return {
        "in_force": engine.in_force,
        "pause_active": engine.pause_active,
        "members": int(engine.member.sum()),
        "member_share": engine.latest("member_share"),
        "n_bound": int((engine.bound & engine.pause_active).sum()),
        "terms_p_detect": engine.p_detect,
        "safety_progress": engine.safety,
        "n_flagged": int(engine.flagged_last.sum()),
        "n_caught": int(engine.caught_last.sum()),
        "n_sanctioned": int((imposed > 0).sum()),
        "members_would_leave": int(engine.would_leave.sum()),
        "outsiders_would_join": int(engine.would_join.sum()),
    }


def collect_run(model: PauseModel, steps: int):
    """Run with a DataCollector of the new reporters; the engine's values at every step."""
    dc = mesa.DataCollector(
        model_reporters={f: f for f in MODEL_FIELDS},
        agent_reporters={"index": "index", **{f: f for f in AGENT_FIELDS}},
    )
    dc.collect(model)
    agents_seen = [{k: np.array(v, copy=True) for k, v in expected_agents(model.engine).items()}]
    model_seen = [expected_model(model.engine)]
    for _ in range(steps):
        model.step()
        dc.collect(model)
        agents_seen.append(
            {k: np.array(v, copy=True) for k, v in expected_agents(model.engine).items()}
        )
        model_seen.append(expected_model(model.engine))
    return dc, agents_seen, model_seen


def collected_by_step(dc: mesa.DataCollector, n_actors: int) -> list:
    """The agent frame as one frame per step, rows in actor order."""
    frame = dc.get_agent_vars_dataframe()
    out = []
    for _, rows in frame.groupby(level=0, sort=True):
        rows = rows.sort_values("index")
        np.testing.assert_array_equal(rows["index"].to_numpy(), np.arange(n_actors))
        out.append(rows)
    return out


def critical_mass_contrast() -> PauseModel:
    scenario, _ = load_scenario("critical_mass_club")
    # theory's contrast: an outsider penalty below the critical value, members leave
    return PauseModel(
        rng=2, scenario_spec=scenario, outsider_penalty=1.5, negotiation_interval=3, steps=12
    )


@pytest.fixture(scope="module")
def changing_run():
    model = PauseModel(rng=SEED, collect_agents=False, **CHANGING)
    return (model, *collect_run(model, 24))


@pytest.mark.parametrize(
    "make",
    [lambda: PauseModel(rng=SEED, collect_agents=False, **CHANGING), critical_mass_contrast],
    ids=["negotiated", "critical_mass"],
)
def test_agent_and_model_reporters_equal_the_engine_step_by_step(make):
    model = make()
    steps = int(model.engine.params["steps"])
    dc, agents_seen, model_seen = collect_run(model, steps)
    per_step = collected_by_step(dc, model.engine.n_actors)
    assert len(per_step) == steps + 1
    for t, (rows, want) in enumerate(zip(per_step, agents_seen, strict=True)):
        for field in AGENT_FIELDS:
            np.testing.assert_array_equal(
                rows[field].to_numpy(), want[field], err_msg=f"{field} at step {t}"
            )
    frame = dc.get_model_vars_dataframe()
    assert len(frame) == steps + 1
    for field in MODEL_FIELDS:
        np.testing.assert_array_equal(
            frame[field].to_numpy(), [row[field] for row in model_seen], err_msg=field
        )
    # membership really changes in both runs, and the collected column shows it
    members = frame["members"].to_numpy()
    assert len(set(members)) > 1
    member_cols = np.array([rows["member"].to_numpy() for rows in per_step])
    assert (member_cols != member_cols[0]).any()
    np.testing.assert_array_equal(member_cols.sum(axis=1)[:, None] > 0, members[:, None] > 0)


def test_the_changing_run_varies_in_every_verification_reporter(changing_run):
    model, dc, agents_seen, _ = changing_run
    per_step = collected_by_step(dc, model.engine.n_actors)
    for field in (
        "member",
        "bound",
        "flagged",
        "caught",
        "sanctioned",
        "sanction_paid",
        "offences",
        "penalty_next",
        "membership_gain",
    ):
        values = np.concatenate([rows[field].to_numpy() for rows in per_step])
        assert len(set(values.tolist())) > 1, field
    frame = dc.get_model_vars_dataframe()
    for field in (
        "pause_active",
        "members",
        "member_share",
        "n_bound",
        "n_flagged",
        "n_sanctioned",
    ):
        assert frame[field].nunique() > 1, field
    # the reporters are distinct: false alarms are flags without a catch, domestic catches
    # are catches without a flag, a sanction is paid the period after it is imposed
    stacked = {
        f: np.array([rows[f].to_numpy() for rows in per_step])
        for f in ("flagged", "caught", "false_alarm", "sanctioned", "sanction_paid")
    }
    assert (stacked["flagged"] & ~stacked["caught"]).any()
    assert (stacked["caught"] & ~stacked["flagged"]).any()
    assert stacked["false_alarm"].any()
    assert (stacked["sanctioned"] != (stacked["sanction_paid"] > 0)).any()
    np.testing.assert_array_equal(stacked["sanction_paid"][1:] > 0, stacked["sanctioned"][:-1])
    # the graduated penalty follows the offences counted so far
    last = agents_seen[-1]
    assert last["offences"].max() > 0
    np.testing.assert_allclose(
        last["penalty_next"],
        CHANGING.get("penalty", 4.0) * np.minimum(1 + 0.5 * last["offences"], 5.0),
    )


def test_the_club_falls_below_its_entry_threshold_and_the_reporters_show_it():
    model = critical_mass_contrast()
    dc = mesa.DataCollector(
        model_reporters={f: f for f in MODEL_FIELDS},
        agent_reporters={"member": "member", "bound": "bound"},
    )
    dc.collect(model)
    for _ in range(6):
        model.step()
        dc.collect(model)
    frame = dc.get_model_vars_dataframe()
    # everyone signed and the treaty binds; the first round leaves a club too small to bind
    assert frame["in_force"].tolist() == [True] + [False] * 6
    assert frame["members"].iloc[0] == 12 and frame["members"].iloc[-1] < 6
    assert frame["member_share"].iloc[-1] == pytest.approx(frame["members"].iloc[-1] / 12)
    assert frame["n_bound"].iloc[0] == 12 and (frame["n_bound"].iloc[1:] == 0).all()
    agents = dc.get_agent_vars_dataframe()
    last = agents.xs(agents.index.get_level_values(0).max(), level=0)
    assert int(last["member"].sum()) == frame["members"].iloc[-1]
    assert not last["bound"].any()


def test_model_reporters_agree_with_the_timeseries(changing_run):
    model, dc, _, _ = changing_run
    ts = model.engine.timeseries()
    frame = dc.get_model_vars_dataframe()
    for ours, column in (
        ("members", "members"),
        ("member_share", "member_share"),
        ("in_force", "in_force"),
        ("pause_active", "pause_active"),
        ("terms_p_detect", "terms_p_detect"),
        ("safety_progress", "safety_progress"),
        ("members_would_leave", "members_would_leave"),
        ("outsiders_would_join", "outsiders_would_join"),
    ):
        np.testing.assert_array_equal(frame[ours].to_numpy(dtype=float), ts[column], err_msg=ours)
    np.testing.assert_array_equal(frame["n_sanctioned"].to_numpy(), ts["sanctions_applied"])
    np.testing.assert_array_equal(frame["n_caught"].to_numpy(), ts["detections"])


def test_before_the_first_step_nobody_is_flagged_or_sanctioned():
    model = PauseModel(rng=SEED, collect_agents=False, **CHANGING)
    assert model.engine.last == {}
    for agent in model.agents:
        assert not (
            agent.flagged
            or agent.caught
            or agent.sanctioned
            or agent.inspected
            or agent.false_alarm
        )
        assert agent.sanction_paid == 0.0 and agent.sanction_imposed == 0.0
    assert model.n_sanctioned == model.n_flagged == model.n_caught == 0
    assert not model.pause_active and model.n_bound == 0  # the pause starts at month 3


def test_agentset_select_and_groupby_see_the_treaty():
    model = PauseModel(rng=SEED, collect_agents=False, **CHANGING)
    engine = model.engine
    seen_sanctioned = seen_outsiders = False
    for _ in range(12):
        model.step()
        member_actor = engine.member[engine.home]
        members = model.agents.select(lambda a: a.member)
        assert sorted(a.index for a in members) == np.flatnonzero(member_actor).tolist()
        nations = model.agents_by_type[Nation].select(lambda a: a.member)
        assert sorted(a.index for a in nations) == np.flatnonzero(engine.member).tolist()
        assert [n.index for n in model.member_nations] == np.flatnonzero(engine.member).tolist()
        assert model.members == len(nations)
        # a lab is a member exactly when its home nation is
        for lab in model.agents_by_type[Lab]:
            assert lab.member == lab.nation.member
        counts = model.agents.groupby("member").count()
        assert counts.get(True, 0) == int(member_actor.sum())
        assert counts.get(False, 0) == int((~member_actor).sum())
        seen_outsiders |= counts.get(False, 0) > 0
        bound = model.agents.select(lambda a: a.bound)
        assert len(bound) == model.n_bound
        assert all(a.member for a in bound)
        sanctioned = model.agents.select(lambda a: a.sanctioned)
        assert (
            sorted(a.index for a in sanctioned)
            == np.flatnonzero(engine.last["sanction_imposed"] > 0).tolist()
        )
        seen_sanctioned |= len(sanctioned) > 0
        paid = model.agents.groupby("member").agg("sanction_paid", sum)
        for is_member, total in paid.items():
            want = engine.last["sanction_paid"][member_actor == is_member].sum()
            assert total == pytest.approx(want)
        flagged = model.agents.select(lambda a: a.flagged)
        assert sorted(a.index for a in flagged) == np.flatnonzero(engine.flagged_last).tolist()
    assert seen_sanctioned and seen_outsiders
