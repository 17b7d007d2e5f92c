"""Filter: which events the user asked to see, beside the time window.

A filter is a value: every change makes a new one, so views compare filters instead of
tracking edits. Empty parts restrict nothing; the parts that are set all apply at once
(a strike *and* in Kharkiv). Each part is a chip, a ``(part, value)`` pair that the user
can clear on its own (:meth:`Filter.without`); the views word the chips in the user's
language ("Category: Strike"), so no word of them is here.

An area is a box (``bbox``) or a polygon (``polygon``, drawn on the map); which events
lie inside a polygon is answered for all of them at once by :func:`inside_polygon`.

The free text is a small query language over titles, excerpts, places and cited
outlets: words (all must appear), ``kharki*`` for a word's beginning and
``"second round"`` for words side by side. :func:`text_terms` reads it; everything
else in it is only text, so no input is a syntax error of the search engine below.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DatePrecision
from desktop_app.core.grading import GradeError, credibility, reliability
from desktop_app.core.text import folded


class FilterError(ValueError):
    """A filter part the user wrote cannot be read; the message is one line for them."""


class Placement(StrEnum):
    """Whether an event must have a place on the map."""

    ANY = "any"
    PLACED = "has a place"
    TIMELINE_ONLY = "timeline only"


@dataclass(frozen=True)
class TextTerm:
    """One term of a text query: a word, a phrase (words side by side) or a prefix.

    ``words`` are the term's words as typed; ``prefix`` means the last word may go on
    (``kharki*`` finds "Kharkiv").
    """

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Chip:
    """One part of a filter: ``part`` names it (a field of :class:`Filter`), ``value`` is
    what it is set to (one category key, the text, the polygon's vertices, ...)."""

    part: str
    value: object


# A quoted phrase (maybe unclosed: the error names it), or a run of anything but spaces.
_TOKEN = re.compile(r'"([^"]*)("?)(\*?)|([^\s"]+)')
# What a search word is made of: letters and digits of any script.
_WORD = re.compile(r"[^\W_]+")


def text_terms(text: str) -> tuple[TextTerm, ...]:
    """The terms of the text query ``text`` (see the module's description).

    Raises :class:`FilterError` for a quote left open or a term with no word in it.
    """
    # NUL would end the query string early in SQLite's parser: it is only a space here.
    text = text.replace("\x00", " ")
    terms: list[TextTerm] = []
    for match in _TOKEN.finditer(text):
        phrase, closed, star, bare = match.groups()
        if bare is not None:
            prefix = bare.endswith("*")
            shown = bare
            words = tuple(_WORD.findall(bare))
        else:
            if not closed:
                raise FilterError(f'Text: a quote is not closed ("{phrase.strip()})')
            prefix = bool(star)
            shown = f'"{phrase}"'
            words = tuple(_WORD.findall(phrase))
        if not words:
            raise FilterError(f"Text: {shown} has no word to search for")
        if prefix and bare is not None and not bare.rstrip("*")[-1:].isalnum():
            raise FilterError(f"Text: {shown}: a * must follow the start of a word")
        terms.append(TextTerm(words, prefix))
    return tuple(terms)


def matched_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the text query ``query`` matches ``text``: ``(start, end)`` character spans,
    in order and not overlapping, of each word, prefix or phrase it finds.

    Words are compared as the store's search compares them (any case, accents dropped),
    so what is marked is what made the event match. A query that cannot be read marks
    nothing.
    """
    try:
        terms = text_terms(query)
    except FilterError:
        return []
    tokens = [(m.start(), m.end(), folded(m.group())) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    for term in terms:
        words = [folded(w) for w in term.words]
        n = len(words)
        for i in range(len(tokens) - n + 1):
            head = all(tokens[i + j][2] == words[j] for j in range(n - 1))
            last = tokens[i + n - 1][2]
            if head and (last.startswith(words[-1]) if term.prefix else last == words[-1]):
                spans.append((tokens[i][0], tokens[i + n - 1][1]))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _words(text: str) -> str:
    return " ".join(text.replace("\x00", " ").split())


@dataclass(frozen=True)
class Filter:
    """Which events to show, besides the time window; the empty filter shows all.

    Parameters
    ----------
    categories
        Category keys ("strike"); empty: every category.
    text
        A text query over titles, excerpts, places and outlets (see :func:`text_terms`).
    place
        Words the name of the event's place (or its country) starts with.
    precisions
        How precisely events must be dated; empty: any precision.
    placement
        Whether events must have a place, must have none, or either.
    bbox
        ``(west, south, east, north)`` in degrees: only events placed inside. A west
        edge east of the east edge crosses the antimeridian.
    polygon
        ``(lon, lat)`` vertices in degrees, three or more: only events placed inside or
        on its edges. Longitudes are plain numbers, so a polygon does not cross the
        antimeridian. A last vertex repeating the first (a closed ring) is dropped.
    actors
        Events naming any of these actors; empty: any.
    sources
        Events citing any of these outlets, or read from an article of one; empty: any.
    min_reliability, min_credibility
        Events graded at least this well (``"B"``: A or B; ``"2"``: 1 or 2), by their
        own grade or the one they take from a cited outlet; empty: any grade.
    min_corroboration
        Events citing at least this many independent outlets; 0: any.
    exact_place
        Only events whose place is an exact point (a building, an air base), not a
        settlement, region or country.
    attributes
        ``(name, value)`` pairs of a dataset's kept fields: events having each.
    """

    categories: frozenset[str] = field(default_factory=frozenset)
    text: str = ""
    place: str = ""
    precisions: frozenset[DatePrecision] = field(default_factory=frozenset)
    placement: Placement = Placement.ANY
    bbox: tuple[float, float, float, float] | None = None
    polygon: tuple[tuple[float, float], ...] = ()
    actors: frozenset[str] = field(default_factory=frozenset)
    sources: frozenset[str] = field(default_factory=frozenset)
    min_reliability: str = ""
    min_credibility: str = ""
    min_corroboration: int = 0
    exact_place: bool = False
    attributes: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Normal forms, so that two filters that mean the same compare equal.
        set_ = object.__setattr__
        set_(self, "categories", frozenset(self.categories))
        set_(self, "text", _words(self.text))
        set_(self, "place", _words(self.place))
        set_(self, "precisions", frozenset(DatePrecision(p) for p in self.precisions))
        set_(self, "placement", Placement(self.placement))
        set_(self, "actors", frozenset(a for a in self.actors if a))
        set_(self, "sources", frozenset(s for s in self.sources if s))
        if self.bbox is not None:
            set_(self, "bbox", _checked_bbox(self.bbox))
        if self.polygon:
            set_(self, "polygon", checked_polygon(self.polygon))
        else:
            set_(self, "polygon", ())
        try:
            set_(self, "min_reliability", str(reliability(self.min_reliability))
                 if self.min_reliability else "")
            set_(self, "min_credibility", str(credibility(self.min_credibility))
                 if self.min_credibility else "")
        except GradeError as exc:
            raise FilterError(f"Grade: {exc}") from None
        if not isinstance(self.min_corroboration, int) or self.min_corroboration < 0:
            raise FilterError("Corroboration: a number of outlets, 0 or more")
        set_(self, "exact_place", bool(self.exact_place))
        set_(self, "attributes", frozenset((str(k), str(v)) for k, v in self.attributes))

    @property
    def is_empty(self) -> bool:
        """True when the filter lets every event through."""
        return self == Filter()

    @property
    def categories_only(self) -> bool:
        """True when nothing but categories is set: the map filters those by itself."""
        return replace(self, categories=frozenset()).is_empty

    def to_json(self) -> dict:
        """The filter as JSON-ready values; :meth:`from_json` reads it back equal.

        Only the parts that are set are written, each set sorted, so one filter always
        writes the same text (a saved view compares and diffs cleanly).
        """
        data: dict = {}
        for name, value in (
            ("categories", sorted(self.categories)),
            ("text", self.text),
            ("place", self.place),
            ("precisions", sorted(str(p) for p in self.precisions)),
            ("actors", sorted(self.actors)),
            ("sources", sorted(self.sources)),
        ):
            if value:
                data[name] = value
        if self.placement is not Placement.ANY:
            data["placement"] = self.placement.name.lower()
        if self.bbox is not None:
            data["bbox"] = list(self.bbox)
        if self.polygon:
            data["polygon"] = [list(vertex) for vertex in self.polygon]
        for name in ("min_reliability", "min_credibility", "min_corroboration", "exact_place"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.attributes:
            data["attributes"] = [list(pair) for pair in sorted(self.attributes)]
        return data

    @classmethod
    def from_json(cls, data: object) -> Filter:
        """The filter :meth:`to_json` wrote; :class:`FilterError` for anything else."""
        if not isinstance(data, dict):
            raise FilterError("Filter: expected an object of filter parts")
        unknown = sorted(set(data) - _JSON_PARTS)
        if unknown:
            raise FilterError(f"Filter: unknown part {unknown[0]!r}")
        try:
            placement = Placement[str(data.get("placement", "any")).upper()]
        except KeyError:
            raise FilterError(f"Filter: unknown placement {data['placement']!r}") from None
        try:
            return cls(
                categories=frozenset(_texts(data, "categories")),
                text=_text(data, "text"),
                place=_text(data, "place"),
                precisions=frozenset(DatePrecision(p) for p in _texts(data, "precisions")),
                placement=placement,
                bbox=tuple(data["bbox"]) if data.get("bbox") is not None else None,
                polygon=_vertices(data.get("polygon", [])),
                actors=frozenset(_texts(data, "actors")),
                sources=frozenset(_texts(data, "sources")),
                min_reliability=_text(data, "min_reliability"),
                min_credibility=_text(data, "min_credibility"),
                min_corroboration=int(data.get("min_corroboration", 0)),
                exact_place=bool(data.get("exact_place", False)),
                attributes=frozenset(
                    (str(k), str(v)) for k, v in data.get("attributes", [])
                ),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FilterError):
                raise
            raise FilterError(f"Filter: {exc}") from None

    def describe(self) -> list[Chip]:
        """The filter's parts, one chip each, in a stable order (empty: no chips)."""
        chips = [Chip("categories", key) for key in sorted(self.categories, key=_category_order)]
        for name in ("text", "place"):
            if getattr(self, name):
                chips.append(Chip(name, getattr(self, name)))
        chips += [
            Chip("precisions", p) for p in sorted(self.precisions, key=list(DatePrecision).index)
        ]
        if self.placement is not Placement.ANY:
            chips.append(Chip("placement", self.placement))
        if self.bbox is not None:
            chips.append(Chip("bbox", self.bbox))
        if self.polygon:
            chips.append(Chip("polygon", self.polygon))
        chips += [Chip("actors", a) for a in sorted(self.actors)]
        chips += [Chip("sources", s) for s in sorted(self.sources)]
        for name in ("min_reliability", "min_credibility", "min_corroboration", "exact_place"):
            if getattr(self, name):
                chips.append(Chip(name, getattr(self, name)))
        chips += [Chip("attributes", pair) for pair in sorted(self.attributes)]
        return chips

    def without(self, chip: Chip) -> Filter:
        """This filter with one part cleared: a chip of :meth:`describe`."""
        if chip not in self.describe():
            return self
        current = getattr(self, chip.part)
        if isinstance(current, frozenset):
            return replace(self, **{chip.part: current - {chip.value}})
        return replace(self, **{chip.part: getattr(Filter(), chip.part)})


_CATEGORY_KEYS = [c.key for c in CATEGORIES]
_JSON_PARTS = frozenset(
    {"categories", "text", "place", "precisions", "placement", "bbox", "polygon", "actors",
     "sources",
     "min_reliability", "min_credibility", "min_corroboration", "exact_place", "attributes"}
)


def _text(data: dict, name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise FilterError(f"Filter: {name} must be text")
    return value


def _texts(data: dict, name: str) -> list[str]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FilterError(f"Filter: {name} must be a list of texts")
    return value


def _vertices(value: object) -> tuple:
    if not isinstance(value, list) or not all(isinstance(v, list | tuple) for v in value):
        raise FilterError("Filter: polygon must be a list of [lon, lat] points")
    return tuple(tuple(v) for v in value)


def _category_order(key: str) -> tuple[int, str]:
    # The palette's order, as the legend shows them; unknown keys last.
    keys = _CATEGORY_KEYS
    return (keys.index(key) if key in keys else len(keys), key)


def _checked_bbox(box: tuple[float, ...]) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in box)
    except (TypeError, ValueError):
        raise FilterError("Area: give four numbers, west, south, east, north") from None
    if not all(-180 <= v <= 180 for v in (west, east)):
        raise FilterError("Area: west and east must lie between -180 and 180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise FilterError("Area: south and north must lie between -90 and 90")
    if south > north:
        raise FilterError("Area: the south edge lies north of the north edge")
    return (west, south, east, north)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``"W,S,E,N"`` as four degrees; :class:`FilterError` when it is not that."""
    parts = [p.strip() for p in text.split(",")]
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 4:
        raise FilterError(f"Area: {text!r} is not west,south,east,north")
    return _checked_bbox(numbers)


#: Fewest corners of a polygon.
MIN_POLYGON_POINTS = 3


def checked_polygon(points: object) -> tuple[tuple[float, float], ...]:
    """``points`` as ``(lon, lat)`` vertices of a polygon; :class:`FilterError` (one line
    for the user) unless each is two finite numbers in range and, a closing vertex that
    repeats the first dropped, at least three distinct points that enclose an area."""
    try:
        vertices = [(float(lon), float(lat)) for lon, lat in points]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise FilterError("Area: each point of a polygon is two numbers, lon lat") from None
    for lon, lat in vertices:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise FilterError("Area: a point of the polygon is not a number")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise FilterError(
                f"Area: the point {lon:g} {lat:g} lies outside -180..180, -90..90"
            )
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()
    if len(set(vertices)) < MIN_POLYGON_POINTS:
        raise FilterError(f"Area: a polygon needs at least {MIN_POLYGON_POINTS} points")
    ring = np.asarray(vertices)
    twice_area = np.dot(ring[:, 0], np.roll(ring[:, 1], -1)) - np.dot(
        ring[:, 1], np.roll(ring[:, 0], -1)
    )
    if twice_area == 0:
        raise FilterError("Area: the polygon's points lie on one line")
    return tuple(vertices)


def parse_polygon(text: str) -> tuple[tuple[float, float], ...]:
    """``"lon lat, lon lat, ..."`` as the vertices of a polygon (see
    :func:`checked_polygon`); :class:`FilterError` when it is not that."""
    points = []
    for part in text.split(","):
        numbers = part.split()
        if len(numbers) != 2:
            raise FilterError(f"Area: {part.strip()!r} is not a point 'lon lat'")
        try:
            points.append((float(numbers[0]), float(numbers[1])))
        except ValueError:
            raise FilterError(f"Area: {part.strip()!r} is not a point 'lon lat'") from None
    return checked_polygon(points)


def polygon_bounds(polygon: tuple[tuple[float, float], ...]) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of a polygon's vertices."""
    ring = np.asarray(polygon)
    west, south = ring.min(axis=0)
    east, north = ring.max(axis=0)
    return float(west), float(south), float(east), float(north)


def inside_polygon(
    lon: np.ndarray, lat: np.ndarray, polygon: tuple[tuple[float, float], ...]
) -> np.ndarray:
    """Which of the points ``(lon, lat)`` lie inside ``polygon`` or on its edges (a bool
    array); a point with no coordinates (NaN) is outside.

    The even-odd rule (a ray to the east of a point inside crosses the edges an odd
    number of times), vectorised: the points are sorted by latitude once, so each edge
    looks only at the band of points beside it (two binary searches), not at them all.
    """
    x = np.asarray(lon, float).ravel()
    y = np.asarray(lat, float).ravel()
    order = np.argsort(y, kind="stable")
    xs, ys = x[order], y[order]
    found = np.zeros(len(xs), bool)
    edges = np.zeros(len(xs), bool)
    ring = np.asarray(polygon, float)
    for (x1, y1), (x2, y2) in zip(ring, np.roll(ring, -1, axis=0), strict=True):
        # NaN latitudes sort last, beyond every band.
        a = int(np.searchsorted(ys, min(y1, y2), "left"))
        b = int(np.searchsorted(ys, max(y1, y2), "right"))
        if a == b:
            continue
        bx, by = xs[a:b], ys[a:b]
        spans = (y1 > by) != (y2 > by)
        # Where the edge is at each point's latitude (read only where it spans it).
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (by - y1) * (x2 - x1) / (y2 - y1)
        crossed = spans & (bx < at)
        # On the edge: on its line, within its ends (the band holds its latitudes).
        # Exact, so corners and edges belong to the polygon.
        on_edge = ((x2 - x1) * (by - y1) == (y2 - y1) * (bx - x1)) & (
            (min(x1, x2) <= bx) & (bx <= max(x1, x2))
        )
        found[a:b] ^= crossed
        # Kept apart from the crossings, which a later edge could toggle back.
        edges[a:b] |= on_edge
    out = np.zeros(len(x), bool)
    out[order] = found | edges
    return out.reshape(np.shape(lon))
