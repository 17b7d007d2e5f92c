"""How far a claim can be trusted: the Admiralty (NATO) grading of sources and information.

Each event carries two grades. **Reliability** (A–F) is about the source: how it has
done before. **Credibility** (1–6) is about the claim itself: whether other sources
confirm it. F and 6 mean "cannot be judged"; they are what an event gets until someone
grades it, so an ungraded event never looks better than it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Reliability(StrEnum):
    """Source reliability, A (completely reliable) to F (cannot be judged)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"

    @property
    def label(self) -> str:
        return _RELIABILITY_LABELS[self]


class Credibility(StrEnum):
    """Information credibility, 1 (confirmed by other sources) to 6 (cannot be judged)."""

    CONFIRMED = "1"
    PROBABLY_TRUE = "2"
    POSSIBLY_TRUE = "3"
    DOUBTFUL = "4"
    IMPROBABLE = "5"
    CANNOT_BE_JUDGED = "6"

    @property
    def label(self) -> str:
        return _CREDIBILITY_LABELS[self]


_RELIABILITY_LABELS = {
    Reliability.A: "Completely reliable",
    Reliability.B: "Usually reliable",
    Reliability.C: "Fairly reliable",
    Reliability.D: "Not usually reliable",
    Reliability.E: "Unreliable",
    Reliability.F: "Reliability cannot be judged",
}
_CREDIBILITY_LABELS = {
    Credibility.CONFIRMED: "Confirmed by other sources",
    Credibility.PROBABLY_TRUE: "Probably true",
    Credibility.POSSIBLY_TRUE: "Possibly true",
    Credibility.DOUBTFUL: "Doubtful",
    Credibility.IMPROBABLE: "Improbable",
    Credibility.CANNOT_BE_JUDGED: "Truth cannot be judged",
}

# "B2", "b-2", "B 2": a letter and a digit, as analysts write a grade.
_CODE = re.compile(r"\s*([A-Fa-f])\s*[-/ ]?\s*([1-6])\s*")


class GradeError(ValueError):
    """A grade that cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class Grade:
    """An event's grading: its source's reliability, its claim's credibility, and why.

    The default is F6, "cannot be judged" on both counts. ``from_outlet`` names the
    cited outlet whose grade an ungraded event takes (empty for the event's own grade).
    """

    reliability: Reliability = Reliability.F
    credibility: Credibility = Credibility.CANNOT_BE_JUDGED
    reason: str = ""
    from_outlet: str = ""

    @property
    def code(self) -> str:
        """The grade as analysts write it: ``"B2"``."""
        return f"{self.reliability}{self.credibility}"

    @property
    def is_judged(self) -> bool:
        """False for F6: nobody has graded the event."""
        return not (
            self.reliability is Reliability.F
            and self.credibility is Credibility.CANNOT_BE_JUDGED
        )

    def describe(self) -> str:
        """``"B2 – Usually reliable, probably true"``."""
        return f"{self.code} – {self.reliability.label}, {self.credibility.label.lower()}"


def parse_grade(text: str, reason: str = "") -> Grade:
    """A grade from its code (``"B2"``, ``"b-2"``); raises :class:`GradeError`."""
    found = _CODE.fullmatch(text or "")
    if not found:
        raise GradeError(
            f"{text!r} is not a grade: a letter A–F (reliability) and a digit 1–6 "
            "(credibility), such as B2"
        )
    return Grade(Reliability(found[1].upper()), Credibility(found[2]), reason)


def reliability(text: str) -> Reliability:
    """A reliability letter, in either case; raises :class:`GradeError`."""
    try:
        return Reliability(text.strip().upper())
    except ValueError:
        raise GradeError(f"{text!r} is not a reliability: one of A, B, C, D, E, F") from None


def credibility(text: str) -> Credibility:
    """A credibility digit; raises :class:`GradeError`."""
    try:
        return Credibility(text.strip())
    except ValueError:
        raise GradeError(f"{text!r} is not a credibility: one of 1, 2, 3, 4, 5, 6") from None


def at_least(grade: str, bar: str) -> bool:
    """Whether a reliability letter or credibility digit is as good as ``bar`` or
    better: A and 1 are the best, so better means earlier."""
    return grade <= bar
