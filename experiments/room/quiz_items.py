"""The room's quiz: its items and the class's gain (#33, "Measured learning").

Two kinds of item, each a multiple-choice question with one right answer:

* **one per teaching claim of the room's scenario** (:mod:`experiments.teaching`): the claim
  says its outcome is frequent in the scenario's world and its contrast says it is rare with
  the contrast's parameters, so the item asks which way changing those parameters moves the
  outcome (:data:`DIRECTIONS`). With one numeric parameter the change is said as a rise from
  the lower value to the higher; otherwise as the change from the scenario's values to the
  contrast's. The key is ``more often`` when the change goes towards the scenario's values and
  ``less often`` when it goes towards the contrast's (``no difference`` is never right: the
  claim tests show the difference);
* **the teacher's own**, from a TOML file of ``[[item]]`` tables (``question``, ``choices``,
  ``answer``: the right choice's text) validated with pydantic (:func:`teacher_items`); a bad
  file is refused with one line naming the item and the field.

A student answers every item before month 1 and again after the last month; their answers
are paired by seat. The class's gain is the mean over paired students of the share right
after minus the share right before, with a bootstrap 95% interval (``scipy.stats.bootstrap``,
percentile method, 9,999 resamples, its generator seeded from the room's seed so a room's
interval is reproducible) from :data:`MIN_PAIRS` pairs on; under that the debrief says
:data:`TOO_FEW` (:func:`class_gain`).

Example:
    >>> gain = class_gain([0.5, 0.0, 0.25], seed=1)
    >>> gain.pairs, gain.mean, gain.low is None
    (3, 0.25, True)
    >>> gain.text().split(" (")[0], TOO_FEW in gain.text()
    ('Mean gain over 3 students: +25 points of 100', True)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from scipy.stats import bootstrap

from experiments.room.names import RoomError
from model.params import resolve_run
from model.scenario import Scenario

__all__ = [
    "DIRECTIONS",
    "MIN_PAIRS",
    "TOO_FEW",
    "Gain",
    "Item",
    "claim_items",
    "class_gain",
    "teacher_items",
]

#: The choices of a claim's item, in order.
DIRECTIONS = ("more often", "less often", "no difference")
#: Fewest paired students for a bootstrap interval.
MIN_PAIRS = 8
#: What the debrief says under :data:`MIN_PAIRS` pairs.
TOO_FEW = "too few students for an interval"
#: Resamples of the bootstrap.
RESAMPLES = 9999
#: The spawn key of the quiz's bootstrap stream under the room's seed.
QUIZ_STREAM = 33
#: Most items a teacher's file may hold.
MAX_TEACHER_ITEMS = 30


@dataclass(frozen=True)
class Item:
    """One multiple-choice item.

    Attributes:
        question: The question.
        choices: The choices, in the order shown.
        answer: The right choice's index.
        source: ``claim`` (from the scenario's teaching claim) or ``teacher``.
    """

    question: str
    choices: tuple[str, ...]
    answer: int
    source: str

    def record(self) -> dict[str, Any]:
        """The item as the log's ``quiz`` record holds it."""
        return {
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
            "source": self.source,
        }


# ------------------------------------------------------------------------------ claims' items
def _outcome_words(outcome: str, claim: Any) -> str:
    """The claim's outcome in words (what the item asks about)."""
    h = int(claim.horizon)
    level = 0.0 if claim.level is None else float(claim.level)
    words = {
        "holds": f"the pause holds for {h} months",
        "collapses": f"the pause collapses within {h} months",
        "holds_then_collapses": (
            f"the pause holds through month {int(claim.options.get('hold_until', 12))} and "
            f"collapses later, within {h} months"
        ),
        "compliance_below": f"capability-weighted compliance falls below {level:g} within {h} "
        "months",
        "members_at_least": f"at least {100 * level:.0f}% of nations are still members "
        f"after {h} months",
        "veto_blocs_defect": f"the pause collapses within {h} months with the veto powers' blocs "
        "holding most of the defecting capability",
        "unilateral_futile": f"{claim.options.get('nation', 'the committed nation')}'s "
        f"unilateral pause does not stop the others' race within {h} months",
    }
    return words[outcome]


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _numeric(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def claim_items(scenario: Scenario | None) -> list[Item]:
    """One item per teaching claim of ``scenario`` (none without a claim).

    The scenario's own values are its resolved parameters (``[params]`` over the defaults).

    Example:
        >>> from experiments.scenarios import load_scenario
        >>> [item] = claim_items(load_scenario("trust_but_verify")[0])
        >>> item.question.split(" makes")[0], item.choices[item.answer]
        ('Raising p_detect from 0.3 to 0.5', 'more often')
    """
    if scenario is None or not isinstance(scenario.meta.get("claim"), Mapping):
        return []
    from experiments.teaching import load_teaching

    case = load_teaching(scenario.name)
    own = resolve_run({"seed": 0}, scenario, draw_seed=False)
    changes = {k: (own[k], v) for k, v in case.contrast.params.items()}
    if len(changes) == 1 and all(_numeric(a) and _numeric(b) for a, b in changes.values()):
        [(name, (mine, theirs))] = changes.items()
        low, high = sorted((mine, theirs))
        change = f"Raising {name} from {_value(low)} to {_value(high)}"
        towards_scenario = high == mine
    else:
        parts = [f"{k} from {_value(a)} to {_value(b)}" for k, (a, b) in changes.items()]
        change = "Changing " + ", ".join(parts)
        towards_scenario = False
    outcome = _outcome_words(case.claim.outcome, case.claim)
    question = f"{change} makes this happen in the model ({case.title}): {outcome}."
    answer = DIRECTIONS.index("more often" if towards_scenario else "less often")
    return [Item(question, DIRECTIONS, answer, "claim")]


# ------------------------------------------------------------------------------ teacher's items
class TeacherItem(BaseModel):
    """One item of the teacher's file (``[[item]]``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    question: str = Field(min_length=1, max_length=500)
    choices: list[str] = Field(min_length=2, max_length=6)
    answer: str

    @field_validator("choices")
    @classmethod
    def _distinct(cls, choices: list[str]) -> list[str]:
        if any(not c for c in choices):
            raise ValueError("a choice is empty")
        if len(set(choices)) != len(choices):
            raise ValueError("two choices are the same")
        return choices

    @field_validator("answer")
    @classmethod
    def _one_of_the_choices(cls, answer: str, info: ValidationInfo) -> str:
        choices = info.data.get("choices")
        if choices is not None and answer not in choices:
            raise ValueError(
                f"{answer!r} is not one of the item's choices ({', '.join(map(repr, choices))})"
            )
        return answer


class TeacherQuiz(BaseModel):
    """The teacher's file: one or more ``[[item]]`` tables."""

    model_config = ConfigDict(extra="forbid")

    item: list[TeacherItem] = Field(min_length=1, max_length=MAX_TEACHER_ITEMS)


def teacher_items(text: str) -> list[Item]:
    r"""The teacher's items from the TOML text of their file.

    Raises:
        RoomError: Not TOML, or an item that is not valid, in one line naming the item (its
            number and question) and the field.

    Example:
        >>> [item] = teacher_items('[[item]]\nquestion = "Who decides for a lab?"\n'
        ...                        'choices = ["The lab", "Its nation"]\nanswer = "The lab"')
        >>> item.answer, item.source
        (0, 'teacher')
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoomError(f"the quiz file is not valid TOML: {exc}") from None
    try:
        parsed = TeacherQuiz.model_validate(raw)
    except ValidationError as exc:
        raise RoomError(_one_line(exc, raw)) from None
    return [
        Item(it.question, tuple(it.choices), it.choices.index(it.answer), "teacher")
        for it in parsed.item
    ]


def _one_line(exc: ValidationError, raw: Mapping[str, Any]) -> str:
    """The first error of a teacher's file in one line: the item, the field, what is allowed."""
    err = exc.errors()[0]
    loc = err["loc"]
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "not a field of an item (the fields: question, choices, answer)"
        if len(loc) == 1:
            msg = "not allowed at the top (the file holds [[item]] tables only)"
    if len(loc) >= 2 and loc[0] == "item" and isinstance(loc[1], int):
        items = raw.get("item") or []
        question = items[loc[1]].get("question") if isinstance(items[loc[1]], Mapping) else None
        named = f" ({str(question)[:60]!r})" if question else ""
        field = f", field {loc[2]!r}" if len(loc) >= 3 else ""
        return f"the quiz file: item {loc[1] + 1}{named}{field}: {msg}"
    where = ".".join(str(x) for x in loc) or "the file"
    return f"the quiz file: {where!r}: {msg} (the file holds one or more [[item]] tables)"


# ------------------------------------------------------------------------------ the class's gain
@dataclass(frozen=True)
class Gain:
    """The class's gain: post minus pre share right, over paired students.

    Attributes:
        pairs: Students with both quizzes.
        mean: The mean gain (None: no pairs).
        low, high: The bootstrap 95% interval (None under :data:`MIN_PAIRS` pairs).
    """

    pairs: int
    mean: float | None
    low: float | None = None
    high: float | None = None

    def text(self) -> str:
        """The debrief's line (gains in points of 100: a share of 1 is 100)."""
        if self.mean is None:
            return "No student has taken both quizzes yet."
        head = (
            f"Mean gain over {self.pairs} student{'s' if self.pairs != 1 else ''}: "
            f"{100 * self.mean:+.0f} points of 100 (share right after minus before; "
        )
        if self.low is None or self.high is None:
            return head + f"{TOO_FEW})."
        return head + f"bootstrap 95% interval {100 * self.low:+.0f} to {100 * self.high:+.0f})."


def quiz_rng(seed: int) -> np.random.Generator:
    """The bootstrap's generator: a fixed child of the room's seed (the game's draws untouched)."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(QUIZ_STREAM,)))


def class_gain(gains: Sequence[float], seed: int) -> Gain:
    """The mean of ``gains`` with a bootstrap 95% interval from :data:`MIN_PAIRS` on.

    Args:
        gains: Each paired student's share right after minus before, in seat order.
        seed: The room's seed (the bootstrap's generator: :func:`quiz_rng`).
    """
    g = np.asarray(gains, dtype=float)
    if g.size == 0:
        return Gain(0, None)
    mean = float(g.mean())
    if g.size < MIN_PAIRS:
        return Gain(int(g.size), mean)
    res = bootstrap(
        (g,),
        np.mean,
        confidence_level=0.95,
        n_resamples=RESAMPLES,
        method="percentile",
        rng=quiz_rng(seed),
    )
    ci = res.confidence_interval
    return Gain(int(g.size), mean, float(ci.low), float(ci.high))
