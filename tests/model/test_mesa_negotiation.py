"""The Mesa agents show the run's negotiation (#29): each nation's proposal, vote and signature,
as agent attributes and DataCollector agent reporters."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model import PauseModel
from model.mesa_model import NEGOTIATION_AGENT_FIELDS

pytestmark = pytest.mark.mesa  # also run under Mesa 4 by .ci/run

#: Six nations that agree at once under rotating unanimity (a high shared risk makes the treaty
#: worth every nation's while).
AGREEING = dict(protocol="rotating_unanimity", risk_cost=3, n_nations=6, n_labs=6, steps=3)


@pytest.fixture(scope="module")
def agreeing():
    model = PauseModel(rng=1, **AGREEING)
    model.run_for(2)
    return model


def test_every_nation_votes_yes_and_the_first_proposer_proposed_the_adopted_terms(agreeing):
    agreement = agreeing.engine.agreement
    assert agreement.terms is not None
    first = agreement.rounds[0].proposer
    assert [n.vote for n in agreeing.nations] == [True] * 6
    assert agreeing.nations[first].proposal == agreement.terms
    assert all(n.proposal is None for n in agreeing.nations if n.index != first)
    assert [n.signed for n in agreeing.nations] == [True] * 6


def test_a_lab_shows_its_home_nations_negotiation(agreeing):
    for lab in agreeing.nations[0].labs + agreeing.nations[1].labs:
        nation = lab.nation
        assert (lab.proposal, lab.vote, lab.signed) == (nation.proposal, nation.vote, nation.signed)


def test_the_proposal_is_a_copy(agreeing):
    agreement = agreeing.engine.agreement
    nation = agreeing.nations[agreement.rounds[0].proposer]
    nation.proposal["p_detect"] = -1.0
    assert agreement.terms["p_detect"] != -1.0
    assert nation.proposal == agreement.terms


def test_the_datacollector_collects_them_each_step(agreeing):
    frame = agreeing.datacollector.get_agent_vars_dataframe()
    assert list(frame.columns) == ["action", "capability", "belief", "payoff"] + list(
        NEGOTIATION_AGENT_FIELDS
    )
    assert len(frame) == 3 * 12  # steps 0, 1 and 2, six nations and six labs
    by_agent = {a.unique_id: a for a in agreeing.agents}
    for (_, uid), row in frame.iterrows():
        agent = by_agent[uid]
        assert (row["proposal"], row["vote"], row["signed"]) == (
            agent.proposal,
            agent.vote,
            agent.signed,
        )
    assert frame["vote"].all()
    assert frame["proposal"].notna().sum() == 3 * (1 + len(agreeing.nations[0].labs))


def test_without_a_protocol_they_are_none_and_the_collected_columns_stay():
    model = PauseModel(rng=1, **{**AGREEING, "protocol": "terms_rule"})
    model.step()
    assert model.engine.agreement is None
    assert all((a.proposal, a.vote, a.signed) == (None, None, None) for a in model.agents)
    frame = model.datacollector.get_agent_vars_dataframe()
    assert list(frame.columns) == ["action", "capability", "belief", "payoff"]


def test_alternating_offers_each_nation_of_the_proposing_bloc_shows_its_proposal():
    model = PauseModel(rng=1, **{**AGREEING, "protocol": "alternating_offers", "n_blocs": 2})
    agreement = model.engine.agreement
    bloc = np.asarray(model.engine.world.bloc)
    proposer_bloc = np.unique(bloc)[agreement.rounds[0].proposer]
    shown = [n.proposal for n in model.nations]
    assert 0 < sum(p is not None for p in shown) < 6
    for nation, proposal in zip(model.nations, shown, strict=True):
        if bloc[nation.index] == proposer_bloc:
            assert proposal == agreement.terms
        else:
            assert proposal is None


def test_nash_has_no_proposer():
    model = PauseModel(rng=1, **{**AGREEING, "protocol": "nash"})
    assert model.engine.agreement.terms is not None
    assert [n.proposal for n in model.nations] == [None] * 6
    assert [n.vote for n in model.nations] == [True] * 6


def _swap(model, **changes):
    """The model with its agreement changed (cases the equilibrium play does not reach here)."""
    model.engine.agreement = dataclasses.replace(model.engine.agreement, **changes)
    return model


def test_without_an_agreement_the_vote_is_on_the_last_rounds_proposal_and_nobody_signed():
    model = PauseModel(rng=1, **AGREEING)
    agreement = model.engine.agreement
    votes = np.array([True, False, True, True, False, True])
    last = dataclasses.replace(agreement.rounds[0], number=2, month=2, votes=votes, passed=False)
    earlier = dataclasses.replace(agreement.rounds[0], passed=False)
    _swap(model, rounds=(earlier, last), terms=None)
    assert [n.vote for n in model.nations] == votes.tolist()
    assert [n.signed for n in model.nations] == [False] * 6
    proposer = model.nations[agreement.rounds[0].proposer]
    assert proposer.proposal == agreement.rounds[0].terms


def test_a_proposer_that_passed_last_shows_no_proposal_and_nobody_votes():
    model = PauseModel(rng=1, **AGREEING)
    agreement = model.engine.agreement
    first = agreement.rounds[0]
    passed = dataclasses.replace(
        first, number=2, month=2, terms=None, votes=np.zeros(6, dtype=bool), passed=False
    )
    _swap(model, rounds=(dataclasses.replace(first, passed=False), passed), terms=None)
    assert model.nations[first.proposer].proposal is None  # it passed in its last round
    assert [n.vote for n in model.nations] == [None] * 6


def test_under_negotiated_membership_signed_is_the_signatories_and_then_the_members():
    model = PauseModel(rng=1, **{**AGREEING, "membership": "negotiated", "max_transfer_share": 0.0})
    agreement = model.engine.agreement
    signed = [n.signed for n in model.nations]
    assert signed == agreement.signatories.tolist()
    model.run_for(agreement.month + 1)
    assert signed == [n.member for n in model.nations]
    mixed = np.array([True, False, True, False, True, True])
    _swap(model, signatories=mixed)
    assert [n.signed for n in model.nations] == mixed.tolist()


def test_under_fixed_membership_signed_is_the_treatys_parties():
    model = PauseModel(rng=1, **{**AGREEING, "initial_membership": 0.5})
    parties = model.engine.treaty.parties
    assert 0 < parties.sum() < 6
    assert [n.signed for n in model.nations] == parties.tolist()
