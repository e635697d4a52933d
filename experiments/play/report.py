"""What a month and a game look like from one nation: the month's report, the debrief, points.

Points: 100 points are the nation's gain from defecting for one month (``G c``), the unit every
page and the CLI show payoffs in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: What a caught breach costs, by the pledges' force (the end of a report's sentence).
BREACH_COST = {
    "cheap_talk": "under cheap talk that costs nothing more",
    "reviewed": "under reviewed pledges the other nations' trust in your pledges falls",
    "binding": "binding pledges add a breach sanction to the offence's",
}


@dataclass(frozen=True)
class PeriodReport:
    """What happened in one period, seen from the player's nation.

    Attributes:
        t: The period (month), from 1.
        defected: The player's choice.
        advantage: The advantage of defecting the model computed for the nation this period.
        caught_domestic: The nation's programme was caught by its own (domestic) checks.
        caught_international: Caught by international verification.
        false_alarm: Flagged while complying.
        sanction_paid: The sanction the nation paid this period.
        payoff: The nation's payoff this period.
        others_defecting: Names of the other nations whose programmes defected.
        own_labs_defecting: The nation's labs that defected (of ``own_labs``).
        own_labs: The nation's labs.
        compliance: Capability-weighted compliance of the world after the period.
        welfare: The sum of every actor's payoff this period.
        flags: Under a vote: each flag against another nation or its labs and what the vote
            made of it (with the player's vote when the player set it).
        round: The period opened with a membership round.
        member: The nation is a treaty member after the period.
        members: Member nations after the period.
        in_force: The treaty binds its members after the period.
        unit: The nation's monthly gain from defecting (100 points).
        expected: The expected payoff of what the nation did (as the player was told).
        flags_seen: With ``hidden``: the flags as verification shows them (without whether
            each caught a defector or was a false alarm).
        others_risk: The shared-risk cost the other nations' actors put on the nation this
            period (it depends on their true actions).
        hidden: The others' true actions are hidden from the player during the game
            (``information`` other than ``perfect``): :meth:`seen` is what the player sees.
        truth_left_out: This is :meth:`seen` of a hidden period (its sentence says so).
        pledged: The nation's pledge this month (True: defect); None without pledges.
        breach_detected: The nation broke its pledge (pledged comply, defected) and was caught.
        force: The pledges' force (``pledge_binding``; "" without pledges).
        others_pledged_comply: How many other nations pledged comply.
        others_breaking: Other nations that broke their pledge (their true actions: hidden).
        others_caught_breaking: Other nations caught breaking their pledge.
    """

    t: int
    defected: bool
    advantage: float
    caught_domestic: bool
    caught_international: bool
    false_alarm: bool
    sanction_paid: float
    payoff: float
    others_defecting: tuple[str, ...]
    own_labs_defecting: int
    own_labs: int
    compliance: float
    welfare: float
    flags: tuple[str, ...] = ()
    round: bool = False
    member: bool = True
    members: int = 0
    in_force: bool = True
    unit: float = 1.0
    expected: float = 0.0
    flags_seen: tuple[str, ...] = ()
    others_risk: float = 0.0
    hidden: bool = False
    truth_left_out: bool = False
    pledged: bool | None = None
    breach_detected: bool = False
    force: str = ""
    others_pledged_comply: int = 0
    others_breaking: tuple[str, ...] = ()
    others_caught_breaking: tuple[str, ...] = ()

    def seen(self) -> PeriodReport:
        """The period as the player may see it during the game.

        Without ``hidden``, the report itself. With it, nothing that depends on the other
        nations' true actions: the flags without their truth, no list of defectors, no world
        compliance or welfare, and the payoff without the shared risk the others put on the
        nation (the truth is the debrief's).
        """
        if not self.hidden:
            return self
        return replace(
            self,
            others_defecting=(),
            compliance=0.0,
            welfare=0.0,
            flags=self.flags_seen,
            flags_seen=(),
            payoff=self.payoff + self.others_risk,
            others_risk=0.0,
            others_breaking=(),
            truth_left_out=True,
        )

    @property
    def breach(self) -> bool:
        """The nation broke its pledge this month: pledged comply, then defected."""
        return self.pledged is False and self.defected

    def pledge_sentence(self) -> str:
        """The month's pledges in words: the nation's, kept or broken, and the others'."""
        if self.pledged is None:
            return ""
        said = "defect" if self.pledged else "comply"
        if not self.breach:
            mine = f"You pledged to {said} and kept your pledge."
        elif self.breach_detected:
            cost = BREACH_COST.get(self.force, "")
            mine = f"You pledged to {said} and broke your pledge: you were caught, and {cost}."
        else:
            mine = f"You pledged to {said} and broke your pledge; nobody caught it."
        caught = ", ".join(self.others_caught_breaking) or "none"
        others = f" {self.others_pledged_comply} other nations pledged comply."
        if not self.truth_left_out:
            broke = ", ".join(self.others_breaking) or "none"
            others += f" Others who broke their pledge: {broke}."
        others += f" Caught breaking a pledge: {caught}."
        return f" {mine}{others}"

    def points(self, value: float) -> str:
        """``value`` in points: 100 points are the nation's gain from defecting for a month."""
        return points_text(value, self.unit)

    def amount(self, value: float) -> str:
        """A sanction's size in points, without a sign."""
        return points_text(value, self.unit).lstrip("+")

    def sentence(self, votes: bool = True) -> str:
        """The period in words (``votes=False``: without the flags' fates, shown apart).

        Of :meth:`seen` of a hidden period: without the other nations' true actions or the
        world's compliance, the payoff said to leave out the others' shared risk.
        """
        you = "defected" if self.defected else "complied"
        if self.caught_domestic or self.caught_international:
            how = "international verification" if self.caught_international else "your own checks"
            seen = f" You were caught by {how}"
            seen += (
                f" and a sanction of {self.amount(self.sanction_paid)} points was paid this month."
                if self.sanction_paid
                else " (no sanction was paid this month)."
            )
        elif self.false_alarm:
            seen = " A false alarm flagged you"
            seen += (
                f" and you paid {self.amount(self.sanction_paid)} points."
                if self.sanction_paid
                else "."
            )
        else:
            seen = " Nobody flagged you."
        others = ", ".join(self.others_defecting) if self.others_defecting else "none"
        world = "" if self.truth_left_out else f" Other nations defecting: {others}."
        compliance = (
            ""
            if self.truth_left_out
            else f" World compliance (capability-weighted): {self.compliance:.2f}."
        )
        payoff = (
            "Your payoff, leaving out the shared risk the other nations' programmes put on "
            "you (verification cannot show it; the debrief does)"
            if self.truth_left_out
            else "Your payoff"
        )
        treaty = ""
        if self.round:
            status = "a member" if self.member else "outside the treaty"
            force = "in force" if self.in_force else "not in force"
            treaty = (
                f" Negotiation round: you are {status}; {self.members} nations are members "
                f"and the treaty is {force}."
            )
        fates = f" Sanction votes: {'; '.join(self.flags)}." if self.flags and votes else ""
        labs = (
            f" Your labs defecting: {self.own_labs_defecting} of {self.own_labs}."
            if self.own_labs
            else ""
        )
        return (
            f"Month {self.t}: you {you}.{seen}{treaty} {payoff}: "
            f"{self.points(self.payoff)} points (expected {self.points(self.expected)})."
            f"{world}{labs}{fates}{compliance}{self.pledge_sentence()}"
        )


def points_text(value: float, unit: float) -> str:
    """``value`` as points of ``unit`` (100 points = ``unit``), never "-0"."""
    x = 100.0 * value / unit if unit else 0.0
    text = f"{x:+.0f}" if abs(x) >= 0.5 else "0"
    return text.replace("-", "\u2212")


@dataclass(frozen=True)
class Debrief:
    """The end of a game: the player's total against a best responder's, and the world's.

    Attributes:
        player_total: The player's summed payoff.
        best_response_total: What a best-responding nation earned in the same place on the
            same random stream.
        world_welfare: Every actor's summed payoff in the player's game.
        best_response_world_welfare: The same in the counterfactual game.
        player_defections: Periods the player defected.
        best_response_defections: Periods the best responder defected.
        periods: Periods played.
        unit: The nation's monthly gain from defecting (100 points).
        membership: The player's membership choices in words (empty without rounds).
    """

    player_total: float
    best_response_total: float
    world_welfare: float
    best_response_world_welfare: float
    player_defections: int
    best_response_defections: int
    periods: int
    unit: float = 1.0
    membership: str = ""

    def text(self) -> str:
        """The debrief in words."""
        diff = self.player_total - self.best_response_total
        pts = points_text
        if abs(diff) <= 1e-12 * max(1.0, abs(self.best_response_total)):
            verdict = "exactly what a best-responding nation earned"
        elif diff > 0:
            verdict = (
                f"{pts(diff, self.unit).lstrip('+')} points more than a best-responding nation"
            )
        else:
            verdict = (
                f"{pts(-diff, self.unit).lstrip('+')} points less than a best-responding nation"
            )
        member = f" {self.membership}" if self.membership else ""
        return (
            f"Over {self.periods} months you earned {pts(self.player_total, self.unit)} "
            f"points: {verdict} ({pts(self.best_response_total, self.unit)}, same nation, "
            f"same seed, same random draws). You defected in {self.player_defections} "
            f"months, the best responder in {self.best_response_defections}.{member} The "
            f"whole world's welfare was {pts(self.world_welfare, self.unit)} points in your "
            f"game and {pts(self.best_response_world_welfare, self.unit)} with the best "
            "responder in your place (it votes and decides membership by the model's "
            "rules). 100 points are what defecting gains your nation in one month."
        )
