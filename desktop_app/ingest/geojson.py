"""GeoJSON FeatureCollections of events: the format the atlas ships, imports and exports.

A feature is an event. Its properties carry the time (``start``/``end``, or ``time``,
``date``, ``times``), the date as the source wrote it (``display_date``), the category,
the actors, the verbatim ``excerpt``, the ``sources`` it cites and, for an event with an
origin and a target, ``origin`` as ``{name, lat, lon}``. A foreign member
``articles`` at the top describes the articles that features name in ``article``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.ingest.source import Source


@dataclass
class GeoJSONBatch:
    """The events read from one file and the features that could not be read."""

    events: list[Event] = field(default_factory=list)
    problems: list[BadRecord] = field(default_factory=list)


def read_geojson(path: str | Path) -> GeoJSONBatch:
    """Read a GeoJSON file of events. Raises :class:`ImportFailed` when the file as a whole
    cannot be read; features that cannot be read are reported in ``problems``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(BadRecord(str(path), None, exc.strerror or str(exc))) from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            BadRecord(str(path), f"byte {exc.start}", "not UTF-8 text (GeoJSON must be UTF-8)")
        ) from None
    except json.JSONDecodeError as exc:
        raise ImportFailed(BadRecord(str(path), f"line {exc.lineno}", exc.msg)) from None
    batch = GeoJSONBatch()
    for record in _document_records(doc, path):
        if isinstance(record, BadRecord):
            batch.problems.append(record)
        else:
            batch.events.append(record)
    return batch


def read_geojson_records(source: Source, options: ReadOptions) -> Iterator[Event | BadRecord]:
    """The events and bad features of a GeoJSON file, for the import pipeline."""
    from desktop_app.ingest.pipeline import json_document

    yield from _document_records(json_document(source), source.path)


def _document_records(doc: Any, path: Path) -> Iterator[Event | BadRecord]:
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        # A lone Feature (as Leaflet.TimeDimension's tracks come) is a collection of one.
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFailed(BadRecord(str(path), None, "not a GeoJSON FeatureCollection"))
    articles = _articles(doc.get("articles"), path)
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportFailed(BadRecord(str(path), None, "'features' is not a list"))
    for number, feature in enumerate(features, start=1):
        try:
            yield from list(_events_of(feature, articles))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            yield BadRecord(str(path), f"feature {number}", str(exc) or type(exc).__name__)


def _articles(entries: Any, path: Path) -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        text = entry.get("text")
        if text is None and entry.get("text_file"):
            text_path = path.parent / Path(entry["text_file"]).name
            if text_path.is_file():
                text = text_path.read_text(encoding="utf-8")
        articles[str(entry["id"])] = Article(
            uid=str(entry["id"]),
            title=str(entry.get("title") or entry["id"]),
            author=entry.get("author"),
            outlet=entry.get("outlet"),
            url=entry.get("url"),
            published=entry.get("published"),
            text=text,
        )
    return articles


def _events_of(feature: Any, articles: dict[str, Article]) -> Iterator[Event]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    props = feature.get("properties") or {}
    points = _points(feature.get("geometry"))
    name = props.get("place") or props.get("name") or props.get("location")
    places: list[Place | None] = [
        Place(
            str(name or f"{lat:.4f}, {lon:.4f}"),
            lat,
            lon,
            props.get("place_kind"),
            props.get("country"),
        )
        for lon, lat in points
    ] or [None]
    times = props.get("times")
    if isinstance(times, list) and times:
        if len(times) != len(places):
            raise ValueError(f"{len(times)} times for {len(places)} points")
        starts = [(str(t), None) for t in times]
    else:
        start = props.get("start") or props.get("time") or props.get("date")
        if not start:
            raise ValueError("no date (expected a start, time, date or times property)")
        starts = [(str(start), props.get("end"))] * len(places)
    precision = DatePrecision(props.get("precision") or "day")
    article = articles.get(str(props.get("article"))) if props.get("article") else None
    title = str(props.get("title") or props.get("name") or "Untitled event")
    origin = _origin(props.get("origin"))
    for i, (place, (start, end)) in enumerate(zip(places, starts, strict=True)):
        try:
            event_span(start, end, precision)
        except DateError as exc:
            raise ValueError(str(exc)) from None
        base_uid = props.get("id") or feature.get("id")
        if base_uid is None:
            base_uid = event_uid(title, start, end, place, props.get("excerpt"))
        yield Event(
            uid=str(base_uid) if len(places) == 1 else f"{base_uid}#{i}",
            title=title,
            start=start,
            end=end,
            precision=precision,
            display_date=str(props.get("display_date") or start),
            category=str(props.get("category") or "other"),
            actors=tuple(str(a) for a in props.get("actors") or ()),
            place=place,
            excerpt=str(props.get("excerpt") or props.get("description") or ""),
            article=article,
            sources=tuple(str(s) for s in props.get("sources") or ()),
            origin=origin,
        )


def _origin(value: Any) -> Place | None:
    """The ``origin`` property ``{name, lat, lon}``: where a strike or a move came from."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("'origin' must be an object with name, lat and lon")
    lat, lon = float(value["lat"]), float(value["lon"])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"origin coordinates out of range: {lon}, {lat}")
    return Place(str(value.get("name") or f"{lat:.4f}, {lon:.4f}"), lat, lon)


def _points(geometry: Any) -> list[tuple[float, float]]:
    if geometry is None:
        return []
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Point":
        coords = [coords]
    elif kind not in ("MultiPoint", "LineString"):
        raise ValueError(f"unsupported geometry {kind!r} (events are points)")
    points = []
    for pair in coords:
        lon, lat = float(pair[0]), float(pair[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"coordinates out of range: {lon}, {lat}")
        points.append((lon, lat))
    return points
