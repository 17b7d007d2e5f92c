"""KML and KMZ files (Google Earth): each timed Placemark is an event.

Time comes from the Placemark's ``TimeStamp`` (``when``) or ``TimeSpan`` (``begin``,
``end``) in any of KML's forms (gYear ``2011``, gYearMonth ``2004-10``, date, dateTime),
from a ``gx:Track``'s first and last ``when``, or else from the nearest Folder or
Document above it that has one (KML's time inheritance). The place is the Point (a
track's first coordinate; the middle of a line or polygon's points). ``ExtendedData``
name/value pairs are kept in the excerpt. A Placemark without any time is reported,
not guessed.

XML is parsed with ``defusedxml``: entity expansion ("billion laughs") and external
entities are refused. It is parsed as a stream (``iterparse``): each Placemark is read
when it ends and then dropped, so a file (or a KMZ's inner KML, decompressed as it is
read) of any size imports in bounded memory.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from desktop_app.core.dates import DateError, DatePrecision, Granularity, event_span, parse_iso
from desktop_app.core.event import Event, Place, event_uid
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source

_TAGS = re.compile(r"<[^>]+>")
_PRECISION = {
    Granularity.YEAR: DatePrecision.YEAR,
    Granularity.MONTH: DatePrecision.MONTH,
    Granularity.DAY: DatePrecision.DAY,
    Granularity.INSTANT: DatePrecision.DAY,
}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _time_of(element: Element) -> tuple[str, str | None] | None:
    stamp = _child(element, "TimeStamp")
    if stamp is not None and _text(stamp, "when"):
        return _text(stamp, "when"), None
    span = _child(element, "TimeSpan")
    if span is not None:
        begin, end = _text(span, "begin"), _text(span, "end")
        if begin or end:
            return (begin or end), (end if begin and end else None)
    return None


def _document_stream(source: Source) -> IO[bytes]:
    """The KML to parse: the file itself, or a KMZ's ``doc.kml`` decompressed as read."""
    handle = source.open_binary()
    if handle.read(2) != b"PK":
        handle.seek(0)
        return handle
    handle.seek(0)
    try:
        # The archive's directory is at its end, so ZipFile seeks; the member is then
        # inflated as the parser reads it, never held whole.
        kmz = zipfile.ZipFile(handle)
        names = [n for n in kmz.namelist() if n.lower().endswith(".kml")]
        if not names:
            raise ImportFailed(BadRecord(source.name, None, "a KMZ without a .kml file"))
        return kmz.open("doc.kml" if "doc.kml" in names else names[0])
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFailed(BadRecord(source.name, None, f"not a readable KMZ ({exc})")) from None


def _point(placemark: Element) -> tuple[float, float] | None:
    coords: list[tuple[float, float]] = []
    for element in placemark.iter():
        tag = _local(element.tag)
        if tag == "coord" and element.text:  # gx:Track: "lon lat alt"
            parts = element.text.split()
            return float(parts[1]), float(parts[0])
        if tag == "coordinates" and element.text:
            for chunk in element.text.split():
                parts = chunk.split(",")
                if len(parts) >= 2:
                    coords.append((float(parts[1]), float(parts[0])))
            if _local(placemark.tag) and coords and _is_point(placemark, element):
                return coords[0]
    if not coords:
        return None
    return sum(c[0] for c in coords) / len(coords), sum(c[1] for c in coords) / len(coords)


def _is_point(placemark: Element, coordinates: Element) -> bool:
    for element in placemark.iter():
        if _local(element.tag) == "Point" and coordinates in list(element):
            return True
    return False


def _track_time(placemark: Element) -> tuple[str, str | None] | None:
    whens = [e.text.strip() for e in placemark.iter() if _local(e.tag) == "when" and e.text]
    if not whens or _child(placemark, "TimeStamp") is not None:
        return None
    return whens[0], (whens[-1] if len(whens) > 1 else None)


def _extended(placemark: Element) -> list[str]:
    lines = []
    data = _child(placemark, "ExtendedData")
    if data is None:
        return lines
    for element in data.iter():
        tag = _local(element.tag)
        if tag == "Data":
            label = _text(element, "displayName") or element.get("name") or ""
            lines.append(f"{label}: {_text(element, 'value')}")
        elif tag == "SimpleData":
            lines.append(f"{element.get('name') or ''}: {(element.text or '').strip()}")
    return lines


_CONTAINERS = ("Document", "Folder")
_TIMES = ("TimeStamp", "TimeSpan")


def read_kml(source: Source, options: ReadOptions) -> Iterator[Record]:
    """The timed Placemarks of a KML or KMZ file, in file order.

    Raises :class:`ImportFailed` for a file that is not KML or not well-formed XML; a
    syntax error can sit anywhere in a streamed file, so it may come after events were
    yielded (the pipeline then rolls back).
    """
    stream = _document_stream(source)
    try:
        yield from _placemarks(source, stream)
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ImportFailed(
            BadRecord(source.name, f"line {line}" if line else None, f"not valid XML ({exc})")
        ) from None
    except DefusedXmlException as exc:
        raise ImportFailed(
            BadRecord(source.name, None, f"refused unsafe XML ({type(exc).__name__})")
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # A KMZ whose member turns out damaged (bad CRC, bad deflate data) while read.
        raise ImportFailed(BadRecord(source.name, None, f"not a readable KMZ ({exc})")) from None
    finally:
        stream.close()


def _placemarks(source: Source, stream: IO[bytes]) -> Iterator[Record]:
    # Placemarks are read where KML's own tree walk finds them: right under <kml>, a
    # Document or a Folder, through Documents and Folders only.
    number = 0
    # The open elements from the root down, each with: are Placemarks in it read (the
    # root and its Documents and Folders), and are its children kept (a Placemark's
    # until it is read; a read container's TimeStamp/TimeSpan, for inheritance).
    open_elements: list[tuple[Element, bool, bool]] = []
    for event, element in SafeET.iterparse(stream, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if not open_elements:
                if tag != "kml":
                    raise ImportFailed(
                        BadRecord(source.name, None, "not a KML document (no <kml> root)")
                    )
                open_elements.append((element, True, False))
                continue
            _parent, parent_read, parent_keeps = open_elements[-1]
            reads = parent_read and tag in _CONTAINERS
            keeps = parent_keeps or (parent_read and tag in (*_TIMES, "Placemark"))
            open_elements.append((element, reads, keeps))
            continue
        open_elements.pop()
        if not open_elements:
            continue  # the root's end; what follows it can only be a syntax error
        parent, parent_read, parent_keeps = open_elements[-1]
        if tag == "Placemark" and parent_read:
            number += 1
            try:
                yield _event(element, _inherited_time(open_elements), number)
            except (ValueError, DateError, IndexError) as exc:
                name = _text(element, "name")
                where = f"placemark {number}" + (f" ({name})" if name else "")
                yield BadRecord(source.name, where, str(exc))
        if not parent_keeps and not (parent_read and tag in _TIMES):
            # Done with it: dropping it from its parent is what keeps memory bounded. It
            # is the parent's last child (earlier ones went the same way): a short search.
            parent.remove(element)


def _inherited_time(
    open_elements: list[tuple[Element, bool, bool]],
) -> tuple[str, str | None] | None:
    """The time of the nearest enclosing Document or Folder that has one.

    A container's TimeStamp/TimeSpan comes before its features (KML's schema orders
    it so), so it has been read by the time a Placemark in it ends.
    """
    for element, reads, _keeps in reversed(open_elements):
        if reads and _local(element.tag) in _CONTAINERS:
            when = _time_of(element)
            if when is not None:
                return when
    return None


def _event(placemark: Element, inherited: tuple[str, str | None] | None, number: int) -> Event:
    when = _time_of(placemark) or _track_time(placemark) or inherited
    if when is None:
        raise ValueError("no TimeStamp or TimeSpan (here or in a folder above)")
    start, end = when
    _, granularity = parse_iso(start)
    precision = _PRECISION[granularity]
    event_span(start, end, precision)
    point = _point(placemark)
    name = _text(placemark, "name")
    place = None
    if point is not None:
        lat, lon = point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"coordinates out of range: {lon}, {lat}")
        place = Place(name or f"{lat:.4f}, {lon:.4f}", lat, lon)
    description = _TAGS.sub(" ", _text(placemark, "description"))
    excerpt = "\n".join(filter(None, [" ".join(description.split()), *_extended(placemark)]))
    ident = placemark.get("id")
    return Event(
        uid="kml:" + (ident or event_uid(name, start, end, point, excerpt, number)),
        title=name or "Placemark",
        start=start,
        end=end,
        precision=precision,
        display_date=start if not end else f"{start} – {end}",
        place=place,
        excerpt=excerpt,
    )
