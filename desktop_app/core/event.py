"""The things the atlas shows: events, the places they happened, the articles behind them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from desktop_app.core.dates import DatePrecision, event_span


@dataclass(frozen=True)
class Place:
    """A named point on the map."""

    name: str
    lat: float
    lon: float
    kind: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Article:
    """The article an event was read from."""

    uid: str
    title: str
    author: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened, as one article tells it.

    Parameters
    ----------
    uid
        A stable key: re-importing the same event replaces it instead of adding a copy.
    start, end
        ISO dates at the precision the source gave (``end`` is inclusive, may be None).
    precision
        How precisely the source dates the event.
    display_date
        The date in the source's own words ("two days before the talks").
    place
        Where it happened, or None: the event then lives on the timeline only.
    origin
        Where it came from, for events with an origin and a target (a strike launched
        from one place at ``place``); None for most events.
    excerpt
        The verbatim words of the article that state the claim.
    sources
        The outlets the article cites for this claim.
    id
        The row id once the event is in a store.
    attributes
        The source's own fields that no part of the event holds (a dataset's
        ``fatalities`` or ``notes``), as ``(name, value)`` pairs in the source's order:
        kept so that an import loses nothing, shown in the excerpt panel, written by
        every export.
    """

    uid: str
    title: str
    start: str
    end: str | None = None
    precision: DatePrecision = DatePrecision.DAY
    display_date: str = ""
    category: str = "other"
    actors: tuple[str, ...] = ()
    place: Place | None = None
    excerpt: str = ""
    article: Article | None = None
    sources: tuple[str, ...] = ()
    id: int | None = field(default=None, compare=False)
    origin: Place | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def span(self) -> tuple[float, float]:
        """``(t0, t1)`` in days since 1970-01-01: see :func:`desktop_app.core.dates.event_span`."""
        return event_span(self.start, self.end, self.precision)


def event_uid(*parts: object) -> str:
    """A stable key from the parts that make an event itself (title, date, place, excerpt, ...)."""
    digest = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return digest.hexdigest()[:20]
