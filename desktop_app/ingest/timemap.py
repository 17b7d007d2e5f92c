"""Forensic Architecture TimeMap exports: ``export_events.json`` with its neighbours
``export_sources.json`` and ``export_associations.json`` in the same folder.

An event (``id``, ``date`` in month/day/year, ``time``, ``location``, ``latitude``,
``longitude``, ``description``) becomes an event; its ``associations`` whose ``mode`` is
``FILTER`` give the category path and actors (kept as actors, e.g. "Type of area
affected / Residential"); its ``sources`` give the cited sources (the source's title
and first path, hidden sources left out).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from desktop_app.core.event import Event, Place
from desktop_app.ingest.delimited import DateReader, coordinate
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source


def _sibling(source: Source, name: str) -> Any:
    path = source.path.with_name(name)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig", errors="replace"))
    except json.JSONDecodeError:
        return None


def read_timemap(source: Source, options: ReadOptions) -> Iterator[Record]:
    """The events of a TimeMap export."""
    from desktop_app.ingest.pipeline import json_document

    events_source = source
    if source.path.name != "export_events.json":
        events_source = Source(source.path.with_name("export_events.json"), options.encoding)
    doc = json_document(events_source)
    if not isinstance(doc, list):
        raise ImportFailed(BadRecord(source.name, None, "not a TimeMap events export (a list)"))
    sources = _sibling(source, "export_sources.json") or {}
    associations = {
        a.get("id"): a
        for a in (_sibling(source, "export_associations.json") or [])
        if isinstance(a, dict)
    }
    if options.dayfirst is None:
        # TimeMap's exporter writes month/day/year.
        options.dayfirst = False
    dates = DateReader(options, source.name)
    for number, item in enumerate(doc, start=1):
        try:
            yield _event(item, dates, sources, associations)
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            yield BadRecord(source.name, f"event {number}", str(exc))


def _event(item: Any, dates: DateReader, sources: dict, associations: dict) -> Event:
    if not isinstance(item, dict):
        raise ValueError("an event must be an object")
    start, precision = dates(str(item.get("date") or ""))
    time = str(item.get("time") or "").strip()
    if time and time != "00:00" and len(start) == 10:
        start = f"{start}T{time}"
    place = None
    lat, lon = str(item.get("latitude") or "").strip(), str(item.get("longitude") or "").strip()
    if lat and lon:
        y, x = coordinate(lat, -90, 90, "latitude"), coordinate(lon, -180, 180, "longitude")
        place = Place(str(item.get("location") or f"{y:.4f}, {x:.4f}"), y, x)
    tags = []
    for key in item.get("associations") or ():
        association = associations.get(key)
        if association and association.get("mode", "FILTER") == "FILTER":
            tags.append(" / ".join(association.get("filter_paths") or [association.get("title")]))
    cited = []
    for key in item.get("sources") or ():
        entry = sources.get(key) if isinstance(sources, dict) else None
        if not entry or "HIDDEN" in (entry.get("paths") or []):
            continue
        paths = [p for p in entry.get("paths") or [] if p]
        cited.append(paths[0] if paths else str(entry.get("title") or key))
    description = str(item.get("description") or "").strip()
    title = description.split(". ")[0][:90] or str(item.get("location") or "Event")
    return Event(
        uid="timemap:" + str(item.get("id") or title),
        title=title,
        start=start,
        precision=precision,
        display_date=f"{item.get('date')} {time}".strip(),
        category="strike" if "civilian" in description.lower() or "hit" in description else "other",
        actors=tuple(tags),
        place=place,
        excerpt=description,
        sources=tuple(dict.fromkeys(cited)),
    )
