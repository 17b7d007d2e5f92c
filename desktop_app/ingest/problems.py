"""How readers report bad input: where it is and what is wrong, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BadRecord:
    """One record a reader could not turn into an event.

    ``where`` says how to find it in the file ("line 12", "feature 4").
    """

    file: str
    where: str | None
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.where}: {self.reason}"
            if self.where
            else f"{self.file}: {self.reason}"
        )


class ImportFailed(Exception):
    """A file that cannot be imported at all; the message names the file and the reason."""

    def __init__(self, problem: BadRecord) -> None:
        super().__init__(str(problem))
        self.problem = problem
