"""The things the atlas shows: events, the places they happened, the articles behind them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from desktop_app.core.dates import DatePrecision, event_span
from desktop_app.core.grading import Grade

#: How precisely a place is known, from its kind: an exact point (a building, an air
#: base), a settlement, a district, a region, a country. The map draws the uncertainty
#: as a halo.
PLACE_PRECISIONS = ("exact", "settlement", "district", "region", "country", "unknown")
#: The code of each precision, as the map's columns and page carry it (one byte an event).
PLACE_PRECISION_CODES = {p: code for code, p in enumerate(PLACE_PRECISIONS)}
#: How far from its mark an event of each precision may have happened, in metres on the
#: ground: the radius of the map's halo. Each is about the radius of a circle as large
#: as a typical area of that kind, so that the halo covers where the event could be:
#: a town of ~100,000 people covers ~80 km² (radius 5 km; Kharkiv's 350 km² would be
#: 10 km, a village 1 km); a district (a Ukrainian raion since 2020: 603,628 km² / 136,
#: ~4,400 km², or a county) ~25 km (its centre is rarely its middle, so not 37 km); a
#: region (a Ukrainian oblast, ~25,000 km², or a province) ~100 km; a country (Ukraine
#: 438 km, Germany 337 km, Poland 315 km) ~400 km. An exact point has none, and an
#: unknown precision none either: there is no radius to draw, and the excerpt panel
#: says "unknown".
UNCERTAINTY_METRES = {
    "exact": 0, "settlement": 5_000, "district": 25_000, "region": 100_000,
    "country": 400_000, "unknown": 0,
}  # fmt: skip
_PRECISION_OF_KIND = {
    "landmark": "exact", "airbase": "exact", "airfield": "exact", "building": "exact",
    "point": "exact", "exact": "exact",
    "city": "settlement", "town": "settlement", "village": "settlement",
    "settlement": "settlement",
    "district": "district", "county": "district", "raion": "district",
    "region": "region", "admin1": "region", "admin2": "region", "province": "region",
    "oblast": "region",
    "country": "country",
}  # fmt: skip
#: The place kinds that are an exact point.
EXACT_KINDS = frozenset(k for k, v in _PRECISION_OF_KIND.items() if v == "exact")


def kind_precisions() -> dict[str, str]:
    """Every place kind that has a precision of its own (lower case), with it; any other
    kind is "unknown"."""
    return dict(_PRECISION_OF_KIND)


@dataclass(frozen=True)
class Place:
    """A named point on the map."""

    name: str
    lat: float
    lon: float
    kind: str | None = None
    country: str | None = None

    @property
    def precision(self) -> str:
        """One of :data:`PLACE_PRECISIONS`, from the place's kind ("unknown" without one)."""
        return _PRECISION_OF_KIND.get((self.kind or "").lower(), "unknown")


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
    #: When the text was taken from its source (ISO, UTC), if known.
    retrieved: str | None = None
    #: The SHA-256 of ``text`` as the store keeps it (set on events read from a store,
    #: which leave the text itself in the store); derived, so not compared.
    sha256: str | None = field(default=None, compare=False)


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
    grade
        How far the claim can be trusted (see :mod:`desktop_app.core.grading`): F6,
        "cannot be judged", until someone grades it.
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
    grade: Grade = Grade()

    @property
    def span(self) -> tuple[float, float]:
        """``(t0, t1)`` in days since 1970-01-01: see :func:`desktop_app.core.dates.event_span`."""
        return event_span(self.start, self.end, self.precision)


def event_uid(*parts: object) -> str:
    """A stable key from the parts that make an event itself (title, date, place, excerpt, ...)."""
    digest = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return digest.hexdigest()[:20]
