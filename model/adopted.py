"""Terms agreed outside the engine, adopted before month 1 (:func:`adopt`; a classroom's vote).

What the engine does after its own negotiation (:func:`model.negotiation.session.negotiate`),
for terms agreed by players: ``params`` becomes ``given_params`` with the terms replaced
(``given_params`` and the event log's ``run`` record stay as given), and the treaty and
everything the months read are set up again from the run's generator in its state after the
world's construction. So the run is exactly ``Engine(given_params.replace(**terms), seed)``
(terms that change what the world's construction reads are the caller's to refuse: the
world is not built again). Without an agreement (``terms`` None) no nation is ever bound, as
after a run's negotiation without one (model/ODD.md 3.9): the engine's ``agreement`` is then
one without terms, rounds or signatories.

Example:
    >>> from model.engine import Engine
    >>> e = Engine.from_params(rng=1, n_nations=3, n_labs=0, steps=2)
    >>> e.adopt_terms({"p_detect": 0.9})
    >>> e.params["p_detect"], e.given_params["p_detect"], e.treaty.p_detect
    (0.9, 0.3, 0.9)
    >>> e.adopt_terms(None)
    >>> bool(e.bound.any()), e.agreement.terms
    (False, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from model.errors import ConfigError, ParameterError
from model.negotiation.session import Agreement
from model.params.negotiation import TERMS_RULE

if TYPE_CHECKING:
    from model.engine import Engine


def adopt(engine: Engine, terms: Mapping[str, Any] | None, *, protocol: str = "held") -> None:
    """Adopt ``terms`` (parameter values) before month 1; None: no agreement, nobody bound.

    Adopting again replaces what was adopted (each adoption starts from ``given_params``).

    Args:
        engine: A run at month 0 whose ``protocol`` is ``terms_rule``.
        terms: The adopted terms (parameter name -> value), or None.
        protocol: The name the agreement without terms carries (how it was negotiated).

    Raises:
        ConfigError: The run is past month 0, negotiates its own terms (``protocol`` other
            than ``terms_rule``), or a term is not a valid parameter value.
    """
    if engine.t != 0:
        raise ConfigError(
            f"terms are adopted before month 1; this run has played {engine.t} month(s)"
        )
    given = engine.given_params
    if given["protocol"] != TERMS_RULE:
        raise ConfigError(
            f"this run negotiates its own terms (protocol = {given['protocol']}); adopting "
            "terms needs protocol = terms_rule"
        )
    try:
        params = given.replace(**dict(terms or {}))
    except ParameterError as err:
        raise ConfigError(f"terms {dict(terms or {})!r}: {err}") from None
    n = engine.n_nations
    engine.agreement = None
    if terms is None:
        engine.agreement = Agreement(
            protocol=protocol,
            source="held",
            n_points=0,
            deltas=np.zeros(0),
            rounds=(),
            terms=None,
            transfers=np.zeros(n),
            surplus=np.zeros(n),
            signatories=np.zeros(n, dtype=bool),
        )
    engine.params = params
    engine.rng.bit_generator.state = engine._before_treaty
    engine._latest_t = -1
    engine._start(params)
