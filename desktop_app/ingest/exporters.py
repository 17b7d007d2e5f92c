"""Data exports of events: GeoJSON, CSV and KML, each written atomically.

GeoJSON is the atlas's own format (the one the seed dataset ships in), so an export
reads back through :func:`desktop_app.ingest.geojson.read_geojson` into the same events,
article texts included. CSV has one row per event, under column names the CSV importer
detects. KML gives each event a Placemark with a ``TimeSpan`` or ``TimeStamp`` so that
Google Earth's time slider plays it.

Every writer goes through :func:`desktop_app.files.atomic_output`: the file appears whole
or not at all.

A CSV file is opened in spreadsheets, which run a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)`` from an
imported title would be a live link). :func:`spreadsheet_text` prefixes such text cells
with ``'``, as OWASP advises; the CSV importer takes the mark off again in files this
module wrote (:func:`restore_spreadsheet_text`).
"""

from __future__ import annotations

import csv
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

from desktop_app.core.categories import CATEGORIES, Category, drawn_category
from desktop_app.core.dates import DatePrecision
from desktop_app.core.edtf import to_edtf
from desktop_app.core.event import Event
from desktop_app.core.export_formats import DATA_FORMATS
from desktop_app.core.grading import Grade, GradeError, credibility, reliability
from desktop_app.core.originals import text_sha256
from desktop_app.core.outlets import corroboration
from desktop_app.core.text import xml_text
from desktop_app.files import atomic_output

#: Version of the atlas's GeoJSON conventions (the foreign member ``event_atlas``).
GEOJSON_FORMAT = 1

CSV_COLUMNS = (
    "title", "start", "end", "precision", "display_date", "place", "latitude", "longitude",
    "place_kind", "country", "category", "actors", "excerpt", "article_id", "article_title",
    "article_author", "article_outlet", "article_published", "article_url", "sources",
    "origin", "origin_latitude", "origin_longitude", "origin_kind", "origin_country", "id",
    "edtf", "reliability", "credibility", "grade_reason", "grade_from_outlet", "corroboration",
    "article_sha256", "place_precision", "attributes",
)  # fmt: skip
#: The columns every CSV file this module ever wrote has: how the importer knows one.
CSV_OWN_COLUMNS = frozenset({
    "title", "start", "end", "precision", "display_date", "place", "latitude", "longitude",
    "category", "actors", "excerpt", "article_title", "article_author", "article_outlet",
    "article_published", "article_url", "sources",
})  # fmt: skip
#: Columns of :data:`CSV_COLUMNS` that hold numbers: they are written as they are.
CSV_NUMBER_COLUMNS = frozenset(
    {"latitude", "longitude", "origin_latitude", "origin_longitude", "corroboration"}
)
#: How lists (actors, sources) are joined in one CSV cell; the CSV importer splits on ";".
LIST_SEPARATOR = "; "

# A text that a spreadsheet reads as a formula once any marks of ours are taken off: so a
# text that really begins with "'=" gets a mark too, and restoring is exact.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_MARKED_FORMULA = re.compile(r"'+[=+\-@\t\r]")

KML_NS = "http://www.opengis.net/kml/2.2"
#: A KML ``Data`` element named so holds one of the event's kept source fields, under the
#: field's own name after the prefix (the other names are the event's own fields).
KML_ATTRIBUTE_PREFIX = "attribute:"


def provenance_fields(event: Event) -> dict[str, str | int | None]:
    """What every export says of how far an event can be trusted: its dates in EDTF
    (with what is uncertain about them), its grade (and why), how many independent
    outlets it cites, the article's address and text hash, and how precisely its place
    is known."""
    grade, article = event.grade, event.article
    return {
        "edtf": to_edtf(event.start, event.end, event.precision),
        "reliability": str(grade.reliability),
        "credibility": str(grade.credibility),
        "grade_reason": grade.reason or None,
        "grade_from_outlet": grade.from_outlet or None,
        "corroboration": corroboration(event.sources),
        "article_url": article.url if article else None,
        "article_sha256": article.sha256 if article else None,
        "place_precision": event.place.precision if event.place else None,
    }


def read_grade(fields: Callable[[str], object]) -> Grade:
    """The grade an export of ours wrote (``reliability``, ``credibility`` and
    ``grade_reason`` fields, read through ``fields``); a grade taken from an outlet is
    not the event's own, so it reads back as none. Raises ValueError for a bad grade."""
    letter, digit = fields("reliability"), fields("credibility")
    if not letter and not digit:
        return Grade()
    if fields("grade_from_outlet"):
        return Grade()
    try:
        return Grade(reliability(str(letter or "F")), credibility(str(digit or "6")),
                     str(fields("grade_reason") or ""))  # fmt: skip
    except GradeError as exc:
        raise ValueError(str(exc)) from None


def attributes_object(attributes: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """An event's kept source fields as the JSON object GeoJSON and CSV exports write."""
    return dict(attributes)


def read_attributes(value: object) -> tuple[tuple[str, str], ...]:
    """The kept source fields an export of ours wrote (a JSON object, or its text), back
    as ``(name, value)`` pairs; raises ValueError for anything else."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"'attributes' is not a JSON object ({exc.msg})") from None
    if not isinstance(value, dict) or any(
        isinstance(v, (dict, list)) for v in value.values()
    ):
        raise ValueError("'attributes' must be an object of names to texts or numbers")
    return tuple((str(k), "" if v is None else str(v)) for k, v in value.items())

# -- GeoJSON --------------------------------------------------------------------------------

ArticleText = Callable[[str], str | None]


def geojson_document(
    events: Iterable[Event], *, name: str | None = None, article_text: ArticleText | None = None
) -> dict:
    """The events as an RFC 7946 FeatureCollection in the atlas's own conventions.

    Parameters
    ----------
    events
        What to export.
    name
        The collection's name (a foreign member, as in the seed file).
    article_text
        Looks up an article's full text by its uid, for events whose ``Article`` does not
        carry it (events read from a store leave the text in the store).
    """
    features = []
    articles: dict[str, dict] = {}
    for event in events:
        article = event.article
        if article is not None and article.uid not in articles:
            text = article.text
            if text is None and article_text is not None:
                text = article_text(article.uid)
            articles[article.uid] = {
                "id": article.uid,
                "title": article.title,
                "author": article.author,
                "outlet": article.outlet,
                "url": article.url,
                "published": article.published,
                "retrieved": article.retrieved,
                "sha256": article.sha256 or (text_sha256(text) if text else None),
                "text": text,
            }
        place = event.place
        geometry = (
            {"type": "Point", "coordinates": [place.lon, place.lat]} if place is not None else None
        )
        properties = {
            "id": event.uid,
            "title": event.title,
            "start": event.start,
            "end": event.end,
            "precision": str(event.precision),
            "display_date": event.display_date,
            "category": event.category,
            "actors": list(event.actors),
            "place": place.name if place else None,
            "place_kind": place.kind if place else None,
            "country": place.country if place else None,
            "excerpt": event.excerpt,
            "article": article.uid if article else None,
            "sources": list(event.sources),
        }
        properties.update(provenance_fields(event))
        if event.attributes:
            properties["attributes"] = attributes_object(event.attributes)
        # Where a strike or a move came from, for the events that have one.
        origin = event.origin
        if origin is not None:
            properties["origin"] = {
                "name": origin.name,
                "lat": origin.lat,
                "lon": origin.lon,
                "kind": origin.kind,
                "country": origin.country,
            }
        features.append(
            {"type": "Feature", "id": event.uid, "geometry": geometry, "properties": properties}
        )
    document: dict = {"type": "FeatureCollection"}
    if name:
        document["name"] = name
    document["event_atlas"] = {"format": GEOJSON_FORMAT}
    document["articles"] = list(articles.values())
    document["features"] = features
    return document


def write_geojson(
    path: str | Path,
    events: Iterable[Event],
    *,
    name: str | None = None,
    article_text: ArticleText | None = None,
) -> int:
    """Write the events as GeoJSON (see :func:`geojson_document`); returns how many."""
    document = geojson_document(events, name=name, article_text=article_text)
    with atomic_output(path) as temporary, open(temporary, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=1)
        out.write("\n")
    return len(document["features"])


# -- CSV ------------------------------------------------------------------------------------


def spreadsheet_text(value: str) -> str:
    """A CSV text cell that no spreadsheet runs as a formula.

    A text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (OWASP's advice against CSV injection); so does one that begins with
    ``'`` followed by those, so that :func:`restore_spreadsheet_text` can tell them apart.
    Only text cells go through it: a number such as a longitude of -3.5 stays a number.
    """
    return "'" + value if _FORMULA_START.match(value) else value


def restore_spreadsheet_text(value: str) -> str:
    """The text :func:`spreadsheet_text` was given, from the cell it returned."""
    return value[1:] if _MARKED_FORMULA.match(value) else value


def event_fields(event: Event) -> dict[str, str | int | None]:
    """The fields of an event as CSV columns and KML ``Data`` name them, besides the
    title and the place's point (which each format writes its own way) and the kept
    source fields."""
    place, article, origin = event.place, event.article, event.origin
    return {
        "id": event.uid,
        "start": event.start,
        "end": event.end,
        "precision": str(event.precision),
        "display_date": event.display_date,
        "category": event.category,
        "actors": LIST_SEPARATOR.join(event.actors),
        "place": place.name if place else None,
        "place_kind": place.kind if place else None,
        "country": place.country if place else None,
        "excerpt": event.excerpt,
        "sources": LIST_SEPARATOR.join(event.sources),
        "article_id": article.uid if article else None,
        "article_title": article.title if article else None,
        "article_author": article.author if article else None,
        "article_outlet": article.outlet if article else None,
        "article_published": article.published if article else None,
        "article_url": article.url if article else None,
        # repr keeps every digit of the float, so coordinates survive the round trip.
        "origin": origin.name if origin else None,
        "origin_latitude": repr(origin.lat) if origin else None,
        "origin_longitude": repr(origin.lon) if origin else None,
        "origin_kind": origin.kind if origin else None,
        "origin_country": origin.country if origin else None,
        **provenance_fields(event),
    }


def csv_row(event: Event) -> dict[str, str]:
    """One event as a CSV row: every value a string, lists joined by ``"; "``, text cells
    kept from running as formulas (:func:`spreadsheet_text`)."""
    place = event.place
    values = {
        "title": event.title,
        **event_fields(event),
        "latitude": repr(place.lat) if place else None,
        "longitude": repr(place.lon) if place else None,
        "attributes": (
            json.dumps(attributes_object(event.attributes), ensure_ascii=False)
            if event.attributes
            else None
        ),
    }
    row = {}
    for key, value in values.items():
        text = "" if value is None else str(value)
        row[key] = text if key in CSV_NUMBER_COLUMNS else spreadsheet_text(text)
    return row


def write_csv(path: str | Path, events: Iterable[Event]) -> int:
    """Write one row per event under :data:`CSV_COLUMNS`; returns how many rows.

    The file is UTF-8 with a byte-order mark, so spreadsheets read its accents right; the
    importer skips the mark.
    """
    count = 0
    with (
        atomic_output(path) as temporary,
        open(temporary, "w", encoding="utf-8-sig", newline="") as out,
    ):
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for event in events:
            writer.writerow(csv_row(event))
            count += 1
    return count


# -- KML ------------------------------------------------------------------------------------


def kml_time(iso: str, precision: DatePrecision | str) -> str:
    """An ISO date of the atlas as a KML time (``gYear``, ``gYearMonth``, ``date`` or a UTC
    ``dateTime``), no finer than the event's precision."""
    precision = DatePrecision(precision)
    text = iso.strip()
    if precision is DatePrecision.YEAR:
        return text[:4]
    if precision is DatePrecision.MONTH:
        return text[:7]
    if "T" in text or " " in text:
        day, _, clock = text.replace(" ", "T").partition("T")
        zone = ""
        for mark in ("Z", "+", "-"):
            at = clock.find(mark)
            if at > 0:
                clock, zone = clock[:at], clock[at:]
                break
        if clock.count(":") == 1:
            clock += ":00"
        return f"{day}T{clock}{zone or 'Z'}"
    return text


def _kml_colour(hex_colour: str) -> str:
    """``#RRGGBB`` as KML's ``aabbggrr``."""
    rgb = hex_colour.lstrip("#")
    return f"ff{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".lower()


def _description(event: Event) -> str:
    """The balloon text: HTML whose every piece of data is escaped as HTML.

    ElementTree escapes it once more as XML, so the data can never become markup: a
    viewer unescapes the XML and shows the HTML, in which the data is text.
    """
    parts = [f"<p>{html.escape(event.excerpt)}</p>"] if event.excerpt else []
    if event.display_date:
        parts.append(f"<p><i>{html.escape(event.display_date)}</i></p>")
    if event.sources:
        parts.append(f"<p>Sources: {html.escape(LIST_SEPARATOR.join(event.sources))}</p>")
    article = event.article
    if article is not None:
        by = ", ".join(
            html.escape(p) for p in (article.author, article.outlet, article.published) if p
        )
        title = html.escape(article.title)
        if article.url and article.url.startswith(("http://", "https://")):
            title = f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
        parts.append(f"<p>Article: {title}{' — ' + by if by else ''}</p>")
    return "\n".join(parts)


def kml_fields(event: Event) -> dict[str, str | None]:
    """The fields of an event as a Placemark's ``ExtendedData`` holds them: the CSV row's
    columns, with the event's own texts (no spreadsheet marks), then each kept source
    field under :data:`KML_ATTRIBUTE_PREFIX` and its name."""
    kept = {KML_ATTRIBUTE_PREFIX + name: value for name, value in event.attributes}
    fields = {k: None if v is None else str(v) for k, v in event_fields(event).items()}
    return {**fields, **kept}


def kml_tree(
    events: Iterable[Event], *, name: str | None = None, own: tuple[Category, ...] = ()
) -> ET.ElementTree:
    """The events as a KML document: one Placemark each, one Style per category.

    ``own`` are the dataset's own categories (see
    :func:`~desktop_app.core.categories.dataset_categories`): each gets a Style in the
    colour the map gives it, instead of Other's.
    """
    ET.register_namespace("", KML_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        attrs = {key: xml_text(value) for key, value in attrs.items()}
        element = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    root = ET.Element(f"{{{KML_NS}}}kml")
    document = sub(root, "Document")
    sub(document, "name", name or "Event Atlas export")
    styles = {c.key: f"category-{c.key}" for c in CATEGORIES}
    # A dataset's own keys are the data's text ("Missile Strike"): numbered ids keep
    # the Style ids valid XML names whatever they say.
    styles.update({c.key: f"category-own-{k + 1}" for k, c in enumerate(own)})
    for c in (*CATEGORIES, *own):
        style = sub(document, "Style", id=styles[c.key])
        icon_style = sub(style, "IconStyle")
        sub(icon_style, "color", _kml_colour(c.colour))
        sub(icon_style, "scale", "0.9")
        icon = sub(icon_style, "Icon")
        sub(icon, "href", "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")
    for event in events:
        mark = sub(document, "Placemark", id=f"event-{event.uid}")
        sub(mark, "name", event.title)
        if event.end:
            span = sub(mark, "TimeSpan")
            sub(span, "begin", kml_time(event.start, event.precision))
            sub(span, "end", kml_time(event.end, event.precision))
        else:
            stamp = sub(mark, "TimeStamp")
            sub(stamp, "when", kml_time(event.start, event.precision))
        sub(mark, "styleUrl", "#" + styles[drawn_category(event.category, own).key])
        sub(mark, "description", _description(event))
        # The raw fields, for programs (and importers) that want data, not a balloon.
        # The importer reads them back into the same event (see kml.read_kml).
        extended = sub(mark, "ExtendedData")
        for key, value in kml_fields(event).items():
            # An empty kept field is the source's own (a blank cell): it is kept too.
            if value or (value is not None and key.startswith(KML_ATTRIBUTE_PREFIX)):
                data = sub(extended, "Data", name=key)
                sub(data, "value", value)
        if event.place is not None:
            point = sub(mark, "Point")
            sub(point, "coordinates", f"{event.place.lon!r},{event.place.lat!r}")
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_kml(
    path: str | Path,
    events: Iterable[Event],
    *,
    name: str | None = None,
    own: tuple[Category, ...] = (),
) -> int:
    """Write the events as KML (see :func:`kml_tree`); returns how many Placemarks."""
    tree = kml_tree(events, name=name, own=own)
    count = sum(1 for _ in tree.getroot().iter(f"{{{KML_NS}}}Placemark"))
    with atomic_output(path) as temporary:
        tree.write(temporary, encoding="utf-8", xml_declaration=True)
    return count


#: Formats this module writes, by the name the CLI uses.


def write_data(
    fmt: str,
    path: str | Path,
    events: Iterable[Event],
    *,
    name: str | None = None,
    article_text: ArticleText | None = None,
    own: tuple[Category, ...] = (),
) -> int:
    """Write ``events`` to ``path`` in ``fmt`` (one of :data:`DATA_FORMATS`); ``own``,
    the dataset's own categories, give KML their styles."""
    if fmt == "geojson":
        return write_geojson(path, events, name=name, article_text=article_text)
    if fmt == "csv":
        return write_csv(path, events)
    if fmt == "kml":
        return write_kml(path, events, name=name, own=own)
    raise ValueError(f"unknown data format {fmt!r} (one of {', '.join(DATA_FORMATS)})")
