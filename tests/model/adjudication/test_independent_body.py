"""Verification regimes, inspectorates, quotas, adjudication and graduated sanctions."""

from __future__ import annotations

import numpy as np

from tests.model.adjudication.shared import scripted_veto_engine


def test_independent_body_sanctions_every_flag_in_full():
    eng = scripted_veto_engine("independent_body", 1.0)
    eng.step()
    np.testing.assert_allclose(eng.last["sanction_imposed"], eng.c * 1.0)
