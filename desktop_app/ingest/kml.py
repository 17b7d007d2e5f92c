"""KML and KMZ files (Google Earth): each timed Placemark is an event.

Time comes from the Placemark's ``TimeStamp`` (``when``) or ``TimeSpan`` (``begin``,
``end``) in any of KML's forms (gYear ``2011``, gYearMonth ``2004-10``, date, dateTime),
from a ``gx:Track``'s first and last ``when``, or else from the nearest Folder or
Document above it that has one (KML's time inheritance). The place is the Point (a
track's first coordinate; the middle of a line or polygon's points).

``ExtendedData`` fields (``Data`` and ``SimpleData``) are read as a GeoJSON feature's
properties are: the interpretation layer gives each a role from its name and value
(date, end, category, actors, source, url, id, place, country, precision, ...), and a
field no role takes is kept as one of the event's attributes. A date field dates a
Placemark that has no ``TimeStamp``, ``TimeSpan`` or track of its own (before a folder's
time, which is less its own). A Placemark whose ``ExtendedData`` holds the fields that
``export kml`` writes (``start`` and ``precision`` among them) is read from those
fields, into the event it was exported from. A Placemark without any time is reported,
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
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from desktop_app.core.dates import DateError, DatePrecision, Granularity, event_span, parse_iso
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.ingest.exporters import KML_ATTRIBUTE_PREFIX, read_grade
from desktop_app.ingest.fields import checked_point, split_list
from desktop_app.ingest.interpret import EventMaker, PropertyRoles
from desktop_app.ingest.limits import (
    MAX_XML_TEXT_CHARS,
    MAX_XML_TOKEN_BYTES,
    MAX_ZIP_MEMBER_BYTES,
    MAX_ZIP_RATIO,
    oversized_field,
)
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source

_TAGS = re.compile(r"<[^>]+>")
PRECISIONS = frozenset(str(p) for p in DatePrecision)
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
        return _BoundedXml(handle, source.name)
    handle.seek(0)
    try:
        # The archive's directory is at its end, so ZipFile seeks; the member is then
        # inflated as the parser reads it, never held whole.
        kmz = zipfile.ZipFile(handle)
        names = [n for n in kmz.namelist() if n.lower().endswith(".kml")]
        if not names:
            raise ImportFailed(BadRecord(source.name, None, "a KMZ without a .kml file"))
        info = kmz.getinfo("doc.kml" if "doc.kml" in names else names[0])
        # The sizes in the directory are checked first; they can lie, so the bytes
        # are counted again as they are inflated.
        limit = _member_limit(info.compress_size)
        if info.file_size > limit:
            raise ImportFailed(BadRecord(source.name, None, _too_big(info, limit)))
        return _BoundedXml(kmz.open(info), source.name, info, limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            EOFError, RuntimeError, ValueError) as exc:  # fmt: skip
        # NotImplementedError: a compression method zipfile lacks; RuntimeError: an
        # encrypted member; ValueError: a damaged directory.
        raise ImportFailed(BadRecord(source.name, None, f"not a readable KMZ ({exc})")) from None


def _member_limit(compressed: int) -> int:
    return min(MAX_ZIP_MEMBER_BYTES, max(compressed, 1) * MAX_ZIP_RATIO)


def _too_big(info: zipfile.ZipInfo, limit: int) -> str:
    if limit < MAX_ZIP_MEMBER_BYTES:
        return (
            f"{info.filename} inflates more than {MAX_ZIP_RATIO} times its compressed size "
            f"({info.compress_size:,} bytes): refused as a zip bomb"
        )
    return f"{info.filename} is larger than {MAX_ZIP_MEMBER_BYTES:,} bytes uncompressed"


class _BoundedXml:
    """The KML's bytes as the parser reads them, refused past the limits.

    A KMZ member is counted as it is inflated (its directory entry may understate it).
    Every piece is checked for a run of bytes without a tag boundary longer than
    :data:`MAX_XML_TOKEN_BYTES`: the XML parser holds an attribute, a comment or a
    name whole, however long.
    """

    def __init__(
        self,
        stream: IO[bytes],
        name: str,
        member: zipfile.ZipInfo | None = None,
        limit: int = 0,
    ) -> None:
        self._stream = stream
        self._name = name
        self._member = member
        self._limit = limit
        self._read = 0
        self._since_open = 0  # bytes since the last "<"
        self._since_close = 0  # bytes since the last ">"
        self._lines = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._read += len(data)
        if self._member is not None and self._read > self._limit:
            raise ImportFailed(BadRecord(self._name, None, _too_big(self._member, self._limit)))
        self._since_open = _run(data, b"<", self._since_open)
        self._since_close = _run(data, b">", self._since_close)
        if max(self._since_open, self._since_close) > MAX_XML_TOKEN_BYTES:
            raise ImportFailed(
                BadRecord(
                    self._name,
                    f"line {self._lines + 1}",
                    f"more than {MAX_XML_TOKEN_BYTES:,} bytes without a tag",
                )
            )
        self._lines += data.count(b"\n")
        return data

    def close(self) -> None:
        self._stream.close()


def _run(data: bytes, mark: bytes, before: int) -> int:
    """The run without ``mark`` that ends ``data`` (continuing the ``before`` bytes of
    the run it starts in), or the run it starts in when that one is too long already.
    Runs inside one piece are shorter than the piece, itself far under the limit."""
    first = data.find(mark)
    if first < 0:
        return before + len(data)
    if before + first > MAX_XML_TOKEN_BYTES:
        return before + first
    return len(data) - data.rfind(mark) - 1


class _BoundedTreeBuilder(TreeBuilder):
    """ElementTree's builder, keeping at most :data:`MAX_XML_TEXT_CHARS` of one text.

    The text past the limit is dropped as it arrives (never held); ``oversized`` counts
    the texts cut, so the Placemark that held one is refused instead of imported cut.
    """

    def __init__(self) -> None:
        super().__init__()
        self.oversized = 0
        self._chars = 0
        self._cut = False

    def data(self, data: str) -> None:
        self._chars += len(data)
        if self._chars > MAX_XML_TEXT_CHARS:
            if not self._cut:
                self._cut = True
                self.oversized += 1
            return
        super().data(data)

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._chars, self._cut = 0, False
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._chars, self._cut = 0, False
        return super().end(tag)


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


def extended_fields(placemark: Element) -> dict[str, str]:
    """The name/value pairs of a Placemark's ``ExtendedData``, in file order: its
    ``Data`` (named by ``name``, else by ``displayName``) and the ``SimpleData`` of its
    ``SchemaData``."""
    fields: dict[str, str] = {}
    data = _child(placemark, "ExtendedData")
    if data is None:
        return fields
    for element in data.iter():
        tag = _local(element.tag)
        if tag == "Data":
            name = element.get("name") or _text(element, "displayName")
            fields.setdefault(name, _text(element, "value"))
        elif tag == "SimpleData":
            fields.setdefault(element.get("name") or "", (element.text or "").strip())
    return fields


class _FieldRoles:
    """What a file's ExtendedData fields mean: a role for each from the interpretation
    layer (as a GeoJSON feature's properties get theirs), read by one :class:`EventMaker`
    per set of field names.

    The day/month order of dates written in numbers is learnt the first time a date
    field is read, from that field in every Placemark of the file (a second, streamed
    pass that holds only the fields' texts).
    """

    def __init__(self, source: Source, options: ReadOptions) -> None:
        self.roles = PropertyRoles((), options.columns)
        self._source = source
        self._options = options
        self._makers: dict[tuple[str, ...], EventMaker] = {}

    def __call__(self, fields: dict[str, str]) -> tuple[EventMaker, list[str]]:
        """The maker of events from these fields, and their values in its order."""
        found = self.roles(fields)
        maker = self._makers.get(found.fields)
        if maker is None:
            maker = EventMaker(found, self._options, self._source.name, "kml")
            if len(self._makers) < 1000:
                self._makers[found.fields] = maker
            if self._source.notes.interpretation is None:
                self._source.notes.interpretation = found
        return maker, [fields.get(name, "") for name in found.fields]

    def learn(self, maker: EventMaker) -> None:
        """Learn the day/month order of ``maker``'s date fields from the whole file."""
        if maker.learnt or len(self._makers) >= 1000:
            # A file of a thousand different field sets is read in the default order
            # rather than scanned once per set.
            return
        names = maker.interpretation.fields
        rows = (
            (f"placemark {number}", [fields.get(name, "") for name in names])
            for number, fields in enumerate(_every_fields(self._source), start=1)
        )
        maker.learn(rows)
        self._source.notes.date_order = maker.dates.reason


def _every_fields(source: Source) -> Iterator[dict[str, str]]:
    """The ExtendedData fields of every Placemark of the file, one Placemark at a time
    (each dropped once read: memory holds one)."""
    stream = _document_stream(source)
    parents: list[Element] = []
    try:
        parser = DefusedXMLParser(target=_BoundedTreeBuilder())
        for event, element in SafeET.iterparse(stream, events=("start", "end"), parser=parser):
            if event == "start":
                parents.append(element)
                continue
            parents.pop()
            if _local(element.tag) == "Placemark":
                yield extended_fields(element)
            # A container's finished children are dropped; a Placemark's stay until it ends.
            if (
                parents
                and _local(parents[-1].tag) in (*_CONTAINERS, "kml")
                and _local(element.tag) not in _CONTAINERS
            ):
                parents[-1].remove(element)
    except (ParseError, LookupError, DefusedXmlException, ImportFailed, zipfile.BadZipFile,
            zlib.error, EOFError):  # fmt: skip
        return  # the reading itself reports where the file is broken
    finally:
        stream.close()


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
        yield from _placemarks(source, stream, _FieldRoles(source, options))
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ImportFailed(
            BadRecord(source.name, f"line {line}" if line else None, f"not valid XML ({exc})")
        ) from None
    except LookupError as exc:
        # An encoding the XML declaration names that Python does not know.
        raise ImportFailed(BadRecord(source.name, None, f"not valid XML ({exc})")) from None
    except DefusedXmlException as exc:
        raise ImportFailed(
            BadRecord(source.name, None, f"refused unsafe XML ({type(exc).__name__})")
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # A KMZ whose member turns out damaged (bad CRC, bad deflate data) while read.
        raise ImportFailed(BadRecord(source.name, None, f"not a readable KMZ ({exc})")) from None
    finally:
        stream.close()


def _placemarks(source: Source, stream: IO[bytes], roles: _FieldRoles) -> Iterator[Record]:
    # Placemarks are read where KML's own tree walk finds them: right under <kml>, a
    # Document or a Folder, through Documents and Folders only.
    number = 0
    # The open elements from the root down, each with: are Placemarks in it read (the
    # root and its Documents and Folders), and are its children kept (a Placemark's
    # until it is read; a read container's TimeStamp/TimeSpan, for inheritance).
    open_elements: list[tuple[Element, bool, bool]] = []
    builder = _BoundedTreeBuilder()
    parser = DefusedXMLParser(target=builder)
    cut_before = 0  # texts cut before the current Placemark began
    for event, element in SafeET.iterparse(stream, events=("start", "end"), parser=parser):
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
            if tag == "Placemark" and parent_read:
                cut_before = builder.oversized
            open_elements.append((element, reads, keeps))
            continue
        open_elements.pop()
        if not open_elements:
            continue  # the root's end; what follows it can only be a syntax error
        parent, parent_read, parent_keeps = open_elements[-1]
        if tag == "Placemark" and parent_read:
            number += 1
            try:
                if builder.oversized > cut_before:
                    raise ValueError(f"a text longer than {MAX_XML_TEXT_CHARS:,} characters")
                placemark = _event(element, _inherited_time(open_elements), number, roles)
                source.notes.where = f"placemark {number}"
                reason = oversized_field(placemark)
                if reason is not None:
                    raise ValueError(reason)
                yield placemark
            except (ValueError, DateError, IndexError, OverflowError) as exc:
                name = _text(element, "name")[:80]
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


def _data(placemark: Element) -> dict[str, str]:
    """The ``Data`` name/value pairs of a Placemark's ``ExtendedData``."""
    data = _child(placemark, "ExtendedData")
    if data is None:
        return {}
    return {
        element.get("name") or "": _text(element, "value")
        for element in data
        if _local(element.tag) == "Data"
    }


def _exported_place(fields: dict[str, str], point: tuple[float, float] | None) -> Place | None:
    if point is None:
        return None
    lat, lon = checked_point(*point)
    return Place(
        fields.get("place") or f"{lat:.4f}, {lon:.4f}",
        lat,
        lon,
        fields.get("place_kind") or None,
        fields.get("country") or None,
    )


def _exported_event(placemark: Element, fields: dict[str, str]) -> Event:
    """A Placemark that ``export kml`` wrote: the event from its ExtendedData fields."""
    start, end = fields["start"], fields.get("end") or None
    precision = DatePrecision(fields["precision"])
    event_span(start, end, precision)
    place = _exported_place(fields, _point(placemark))
    article = None
    if fields.get("article_title") or fields.get("article_id"):
        title = fields.get("article_title") or fields["article_id"]
        url = fields.get("article_url") or None
        article = Article(
            uid=fields.get("article_id") or event_uid("article", title, url),
            title=title,
            author=fields.get("article_author") or None,
            outlet=fields.get("article_outlet") or None,
            url=url,
            published=fields.get("article_published") or None,
        )
    origin = None
    if fields.get("origin_latitude") or fields.get("origin_longitude"):
        lat, lon = checked_point(
            fields.get("origin_latitude"), fields.get("origin_longitude"), "origin coordinates"
        )
        origin = Place(
            fields.get("origin") or f"{lat:.4f}, {lon:.4f}",
            lat,
            lon,
            fields.get("origin_kind") or None,
            fields.get("origin_country") or None,
        )
    title = _text(placemark, "name")
    excerpt = fields.get("excerpt", "")
    return Event(
        uid=fields.get("id") or "kml:" + event_uid(title, start, end, place, excerpt),
        title=title,
        start=start,
        end=end,
        precision=precision,
        display_date=fields.get("display_date", ""),
        category=fields.get("category") or "other",
        actors=split_list(fields.get("actors", "")),
        place=place,
        excerpt=excerpt,
        article=article,
        sources=split_list(fields.get("sources", "")),
        origin=origin,
        attributes=tuple(
            (name.removeprefix(KML_ATTRIBUTE_PREFIX), value)
            for name, value in fields.items()
            if name.startswith(KML_ATTRIBUTE_PREFIX)
        ),
        grade=read_grade(fields.get),
    )


def _event(
    placemark: Element,
    inherited: tuple[str, str | None] | None,
    number: int,
    roles: _FieldRoles,
) -> Event:
    exported = _data(placemark)
    if exported.get("start") and exported.get("precision") in PRECISIONS:
        return _exported_event(placemark, exported)
    fields = extended_fields(placemark)
    maker, row = roles(fields)
    name = _text(placemark, "name")
    when = _time_of(placemark) or _track_time(placemark)
    # The date fields a time of KML's own overrides are kept, not lost.
    overridden: tuple[str, ...] = ()
    if when is None and maker.interpretation.column("date") is not None and maker.value(
        row, "date"
    ):
        # No time of KML's own: the date field of the ExtendedData, read as any
        # format's date field is (written dates, Unix time, spreadsheet day numbers).
        if maker.interpretation.date_forms.get("date") is None:
            roles.learn(maker)
        start, end, precision, display = maker.when(row)
    else:
        overridden = ("date", "end", "time", "year")
        when = when or inherited
        if when is None:
            raise ValueError(
                "no TimeStamp or TimeSpan (here or in a folder above) and no date field"
            )
        start, end = when
        _, granularity = parse_iso(start)
        precision = _PRECISION[granularity]
        display = start if not end else f"{start} – {end}"
        given = maker.value(row, "precision").lower()
        if given in PRECISIONS:
            precision = DatePrecision(given)
    event_span(start, end, precision)
    point = _point(placemark)
    title = name or maker.value(row, "title") or "Placemark"
    place_name = maker.value(row, "place") or name
    if point is not None:
        lat, lon = checked_point(*point)
        country = maker.value(row, "country") or None
        place = Place(place_name or f"{lat:.4f}, {lon:.4f}", lat, lon, None, country)
    else:
        # No geometry: the fields' coordinates, or their place name in the gazetteer.
        place = maker.place(row)
    description = " ".join(_TAGS.sub(" ", _text(placemark, "description")).split())
    excerpt = "\n".join(filter(None, [description, maker.value(row, "text")]))
    url = maker.value(row, "url")
    sources, article = maker.sources_and_article(row, title)
    attributes = maker.attributes(row, overridden)
    ident = placemark.get("id") or maker.value(row, "id")
    category = maker.value(row, "category").lower().replace(" ", "_")
    return Event(
        uid="kml:"
        + (ident or event_uid(name, start, end, point, excerpt, number, url, *attributes)),
        title=title,
        start=start,
        end=end,
        precision=precision,
        display_date=display,
        category=category or "other",
        actors=tuple(dict.fromkeys(maker.items(row, "actors"))),
        place=place,
        excerpt=excerpt,
        article=article,
        sources=sources,
        origin=maker.origin(row),
        attributes=attributes,
    )
