"""Whether a student's page shows another nation's true action (#33's no-leak test).

Under ``information = detected`` a student may see of the other nations only what verification
reveals: who was flagged (a flag does not say whether it caught a defector or was a false
alarm) and whose breach was caught. :func:`leaks` reads a page's text and names every sentence
that states another nation's action (defect or comply, or a pledge broken or kept) that
verification did not reveal: a defection not caught that month, or any compliance (no check
reveals one). The truth comes from the engine (:func:`true_actions`, a re-run from the room's
log), not from the pages.

A sentence states a nation's action when it names the nation and an action word
(:data:`DEFECT_WORDS`, :data:`COMPLY_WORDS`), after quoted messages are taken out (a pledge or a
message says what a nation *says*, not what it did) and a detection inject's news (a condition,
"if it defects, it is caught").

Example:
    >>> truth = {1: {"Borealis": (True, False), "Caldria": (False, False)}}
    >>> leaks("Other nations defecting: Borealis.", "Aurelia", truth)
    [(1, 'Borealis', 'defect', 'Other nations defecting: Borealis.')]
    >>> leaks("Month 1, Borealis: \u201cI pledge to comply this month\u201d", "Aurelia", truth)
    []
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Words that state a defection (or a broken pledge, which is one).
DEFECT_WORDS = re.compile(
    r"\b(defect(?:ed|ing|s|ion|ions|or|ors)?|broke|break(?:s|ing)?|breach(?:ed|es)?|cheat\w*)\b",
    re.IGNORECASE,
)
#: Words that state a compliance (or a kept pledge, which is one).
COMPLY_WORDS = re.compile(
    r"\b(compl(?:y|ied|ies|ying|ier|iers)|kept|keep(?:s|ing)?|honou?r(?:ed|s)?)\b",
    re.IGNORECASE,
)
#: Quoted text (messages and pledges): what a nation says, not what it did.
QUOTED = re.compile(r"\u201c[^\u201d]*\u201d|\"[^\"]*\"")
#: A detection inject's news: a condition on the nation's action, not a statement of it.
CONDITIONAL = re.compile(r"if it defects, it is caught", re.IGNORECASE)

#: month -> nation -> (defected, caught by international verification that month).
Truth = Mapping[int, Mapping[str, tuple[bool, bool]]]


def sentences(text: str) -> list[str]:
    """The page's text as sentences (lines, then sentences, then clauses split at ';')."""
    out = []
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            out.extend(p.strip() for p in sentence.split(";") if p.strip())
    return out


def leaks(text: str, own: str, truth: Truth) -> list[tuple[int, str, str, str]]:
    """Every (month, nation, action, sentence) of ``text`` that shows a hidden true action.

    ``own``: the student's nation (its own actions are the student's to see); ``truth``: the
    months resolved so far (:func:`true_actions`). A sentence naming another nation with a
    defect word leaks when that nation defected uncaught in a resolved month; with a comply
    word, when it complied in one.
    """
    out = []
    for sentence in sentences(QUOTED.sub(" ", text)):
        if CONDITIONAL.search(sentence):
            continue
        says_defect = bool(DEFECT_WORDS.search(sentence))
        says_comply = bool(COMPLY_WORDS.search(sentence))
        if not (says_defect or says_comply):
            continue
        for month, nations in sorted(truth.items()):
            for nation, (defected, caught) in nations.items():
                if nation == own or not re.search(rf"\b{re.escape(nation)}\b", sentence):
                    continue
                if defected and not caught and says_defect:
                    out.append((month, nation, "defect", sentence))
                if not defected and says_comply:
                    out.append((month, nation, "comply", sentence))
    return out


def true_actions(log: bytes) -> dict[int, dict[str, tuple[bool, bool]]]:
    """Each month's true action of every nation, re-run from a room's log on the engine.

    Returns month -> nation -> (its programme defected, it was caught by international
    verification). The re-run is :func:`experiments.room.replay`'s (the ``room`` record's
    engine, the ``adopted`` terms, each ``held`` record), read month by month.
    """
    import numpy as np

    from experiments.play import build_engine
    from experiments.room.replay import _held_of
    from experiments.scenarios import load_scenario
    from model.ledger import parse_lines

    records, _ = parse_lines(log.splitlines())
    header: dict[str, Any] = next(r for r in records if r.get("type") == "room")
    scenario = load_scenario(header["scenario"])[0] if header["scenario"] is not None else None
    eng = build_engine(scenario, int(header["seed"]), int(header["periods"]), header["overrides"])
    nations = np.flatnonzero(~eng.is_lab)
    out = {}
    for record in records:
        if record.get("type") == "adopted":
            eng.adopt_terms(record["terms"], protocol=record["rule"])
        elif record.get("type") == "held":
            eng.step(held=_held_of(record))
            caught = eng.last["caught_international"]
            out[eng.t] = {
                str(eng.world.names[k]): (bool(eng.defect[k]), bool(caught[k])) for k in nations
            }
    return out
