"""The time window ``[start, end)`` the user is looking at."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.timescale import datetime_from_days


@dataclass(frozen=True)
class TimeWindow:
    """A half-open span of time in days since 1970-01-01: ``start <= t < end``."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise ValueError(f"a time window must end after it starts ({self.start}, {self.end})")

    @property
    def duration(self) -> float:
        return self.end - self.start

    def shifted(self, days: float) -> TimeWindow:
        return TimeWindow(self.start + days, self.end + days)

    def moved_to(self, start: float) -> TimeWindow:
        return TimeWindow(start, start + self.duration)

    def overlaps(self, t0: float, t1: float) -> bool:
        """Whether an event spanning ``[t0, t1)`` (an instant when ``t1 == t0``) shows."""
        return t0 < self.end and (t1 > self.start or t0 >= self.start)

    def iso(self) -> tuple[str, str]:
        return (
            datetime_from_days(self.start).isoformat(timespec="minutes"),
            datetime_from_days(self.end).isoformat(timespec="minutes"),
        )
