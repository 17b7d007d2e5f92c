"""Forensic Architecture TimeMap exports: ``export_events.json`` with its neighbours
``export_sources.json`` and ``export_associations.json`` in the same folder.

An event (``id``, ``date`` in month/day/year, or as Unix time or spreadsheet day
numbers in every event, ``time``, ``location``, ``latitude``, ``longitude``,
``description``) becomes an event; its ``associations`` whose ``mode`` is
``FILTER`` give the category path and actors (kept as actors, e.g. "Type of area
affected / Residential"); its ``sources`` give the cited sources (the source's title
and first path, hidden sources left out).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from desktop_app.core.event import Event, Place
from desktop_app.ingest.fields import DateOrderContradiction, DateReader, coordinate
from desktop_app.ingest.interpret import (
    FORM_NAMES,
    date_of_number,
    number_date_form,
    other_fields,
    property_text,
)
from desktop_app.ingest.limits import oversized_field
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source, json_document

# The fields an event is made of; the others are kept as its attributes.
_USED = (
    "id", "date", "time", "location", "latitude", "longitude", "description",
    "associations", "sources",
)  # fmt: skip


def _sibling(source: Source, name: str, options: ReadOptions) -> Any:
    """A neighbour file's JSON, or None when it is absent or unreadable (with a warning:
    the events still import, without what it would have added)."""
    path = source.path.with_name(name)
    if not path.is_file():
        return None
    sibling = Source(path, "utf-8-sig")
    try:
        return json_document(sibling)
    except ImportFailed as exc:
        options.warnings.append(f"{exc}; left out")
        return None
    finally:
        sibling.close()


def _key(value: Any) -> str | None:
    """An id as text: ids written as numbers and as strings name the same entry, and an
    id that is neither (a list, an object) names none."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def read_timemap(source: Source, options: ReadOptions) -> Iterator[Record]:
    """The events of a TimeMap export."""
    events_source = source
    if source.path.name != "export_events.json":
        events_source = Source(source.path.with_name("export_events.json"), options.encoding)
    doc = json_document(events_source)
    if not isinstance(doc, list):
        raise ImportFailed(BadRecord(source.name, None, "not a TimeMap events export (a list)"))
    sources = _sibling(source, "export_sources.json", options)
    sources = (
        {k: v for k, v in sources.items() if isinstance(v, dict)}
        if isinstance(sources, dict)
        else {}
    )
    associations = _sibling(source, "export_associations.json", options)
    associations = {
        _key(a.get("id")): a
        for a in (associations if isinstance(associations, list) else [])
        if isinstance(a, dict) and _key(a.get("id")) is not None
    }
    written = [
        (f"event {n}", property_text(item.get("date")).strip())
        for n, item in enumerate(doc, start=1)
        if isinstance(item, dict)
    ]
    # Dates given as numbers (Unix time, spreadsheet days) are so in every event or none.
    form = number_date_form([text for _, text in written if text])
    # TimeMap's exporter writes month/day/year, unless the dates show otherwise.
    dates = DateReader(options, source.name, usual=False)
    if form is None:
        dates.learn(written)
        source.notes.date_order = dates.reason
    else:
        source.notes.date_order = f"{FORM_NAMES[form]} in the date field"
    for number, item in enumerate(doc, start=1):
        try:
            event = _event(item, dates, sources, associations, form)
        except DateOrderContradiction as exc:
            raise ImportFailed(BadRecord(source.name, f"event {number}", str(exc))) from None
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            yield BadRecord(source.name, f"event {number}", str(exc) or type(exc).__name__)
            continue
        reason = oversized_field(event)
        source.notes.where = f"event {number}"
        yield event if reason is None else BadRecord(source.name, f"event {number}", reason)


def _event(
    item: Any, dates: DateReader, sources: dict, associations: dict, form: str | None
) -> Event:
    if not isinstance(item, dict):
        raise ValueError("an event must be an object")
    written = property_text(item.get("date")).strip()
    start, precision = date_of_number(written, form) if form else dates(written)
    time = str(item.get("time") or "").strip()
    if time and time != "00:00" and len(start) == 10:
        start = f"{start}T{time}"
    place = None
    lat, lon = str(item.get("latitude") or "").strip(), str(item.get("longitude") or "").strip()
    if lat and lon:
        y, x = coordinate(lat, -90, 90, "latitude"), coordinate(lon, -180, 180, "longitude")
        place = Place(str(item.get("location") or f"{y:.4f}, {x:.4f}"), y, x)
    tags = []
    for key in _list(item.get("associations")):
        association = associations.get(_key(key))
        if association and association.get("mode", "FILTER") == "FILTER":
            path = _list(association.get("filter_paths")) or [association.get("title")]
            tags.append(" / ".join(str(p) for p in path))
    cited = []
    for key in _list(item.get("sources")):
        entry = sources.get(_key(key))
        paths = _list(entry.get("paths")) if entry else []
        if not entry or "HIDDEN" in paths:
            continue
        paths = [p for p in paths if p]
        # Everything kept is text: a number as a path is a name, not a row id.
        cited.append(str(paths[0] if paths else entry.get("title") or key))
    description = str(item.get("description") or "").strip()
    ident = _key(item.get("id"))
    title = description.split(". ")[0][:90] or str(item.get("location") or "Event")
    return Event(
        uid="timemap:" + (ident or title),
        title=title,
        start=start,
        precision=precision,
        display_date=f"{item.get('date') or ''} {time}".strip(),
        category="strike" if "civilian" in description.lower() or "hit" in description else "other",
        actors=tuple(tags),
        place=place,
        excerpt=description,
        sources=tuple(dict.fromkeys(cited)),
        attributes=other_fields(item, _USED),
    )


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
