"""Every reader, fed documents that are nearly right (the format's own structure with
hostile values in it, then bytes cut, inserted or flipped), only ever reports its own
errors: events, bad records, or one ImportFailed. Never another exception, and never
much time or memory for a small file.

A quick run is part of the suite; ``pytest -m fuzz`` runs the long one.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.event import Event
from desktop_app.geo.gazetteer import default_gazetteer
from desktop_app.geo.geocoder import Geocoder
from desktop_app.ingest.pipeline import read_records
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions

QUICK_EXAMPLES = 30
LONG_EXAMPLES = 1500
# Generous: a slow shared machine must not fail a correct reader.
DEADLINE = timedelta(seconds=10)
PEAK_BYTES = 64 * 1024 * 1024

# Values a field might hold: near-valid dates, numbers at and past every range, text
# with markup, quotes and separators.
DATES = st.sampled_from(
    ["2024-02-16", "16/02/2024", "02/16/2024", "02/30/2024", "2024", "Feb 2024", "", "0",
     "2024-13-01", "9999-12-31T23:59:59Z", "0000-01-01", "1e400", "June 2, 2025", "-1",
     "2024-02-16T25:61:00", "16 February 2024", "31/12/99 00:00:00", "\ufffd"]
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 90, 90.0001, -180, 181, 2**63, -(2**63) - 1, 10**400]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<b>x</b>", "]]>", "&amp;", '"', "\\", "\n", "\r\n", ",", ";", "\x00",
                     "Kharkiv", "Sumy, Kharkiv, and Odesa regions", "\ud7ff", "A" * 300]),
)  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, DATES)


def json_values(keys: list[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), inner, max_size=5),
        ),
        max_leaves=12,
    )


def dump(value: Any) -> bytes:
    # Python's JSON writes NaN and Infinity, which are not JSON: good hostile input too.
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def mutated(draw: st.DrawFn, documents: st.SearchStrategy[bytes]) -> bytes:
    """A document, sometimes with a few bytes cut, inserted or flipped."""
    data = bytearray(draw(documents))
    for op, at, junk in draw(
        st.lists(
            st.tuples(
                st.sampled_from(["cut", "insert", "flip"]),
                st.floats(min_value=0, max_value=1),
                st.binary(min_size=1, max_size=8),
            ),
            max_size=3,
        )
    ):
        where = int(at * len(data))
        if op == "cut":
            del data[where:]
        elif op == "insert":
            data[where:where] = junk
        elif data:
            data[min(where, len(data) - 1)] ^= junk[0] or 1
    return bytes(data)


def raw_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=512)


GEOJSON_KEYS = ["type", "features", "geometry", "coordinates", "properties", "start",
                "end", "time", "date", "times", "title", "name", "precision", "category",
                "origin", "lat", "lon", "articles", "article", "id", "text", "text_file",
                "actors", "sources", "excerpt", "display_date", "place"]  # fmt: skip
GEOMETRY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Point", "MultiPoint", "LineString", "Polygon"]) | TEXT,
        "coordinates": json_values(GEOJSON_KEYS)
        | st.lists(NUMBERS, max_size=3)
        | st.lists(st.lists(NUMBERS, max_size=3), max_size=3),
    }
)
FEATURE = st.fixed_dictionaries(
    {"type": st.just("Feature"), "geometry": st.none() | GEOMETRY},
    optional={
        "properties": st.dictionaries(
            st.sampled_from(GEOJSON_KEYS), SCALARS | json_values(GEOJSON_KEYS), max_size=8
        ),
        "id": SCALARS,
    },
)
GEOJSON = mutated(
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection"), "features": st.lists(FEATURE, max_size=4)},
        optional={"articles": json_values(GEOJSON_KEYS), "name": TEXT},
    ).map(dump)
    | json_values(GEOJSON_KEYS).map(dump)
) | raw_bytes()

TIMELINE_KEYS = ["events", "start_date", "end_date", "year", "month", "day", "hour",
                 "minute", "second", "millisecond", "display_date", "text", "headline",
                 "group", "location", "lat", "lon", "lng", "name", "unique_id",
                 "timeline"]  # fmt: skip
TIMELINE_DATE = st.dictionaries(
    st.sampled_from(TIMELINE_KEYS[2:9]), SCALARS | st.integers(-100, 13000), max_size=6
)
TIMELINE_EVENT = st.fixed_dictionaries(
    {"start_date": TIMELINE_DATE | SCALARS},
    optional={
        "end_date": TIMELINE_DATE | SCALARS,
        "text": st.dictionaries(st.sampled_from(["headline", "text"]), SCALARS) | SCALARS,
        "location": st.dictionaries(st.sampled_from(["lat", "lon", "lng", "name"]), SCALARS),
        "group": SCALARS,
        "unique_id": SCALARS,
    },
)
TIMELINEJS = mutated(
    st.fixed_dictionaries({"events": st.lists(TIMELINE_EVENT | SCALARS, max_size=4)}).map(dump)
    | json_values(TIMELINE_KEYS).map(lambda v: dump({"events": v}))
) | raw_bytes().map(lambda b: b'{"events": ' + b)

TIMEMAP_KEYS = ["id", "date", "time", "location", "latitude", "longitude", "description",
                "associations", "sources", "mode", "filter_paths", "title", "paths"]  # fmt: skip
TIMEMAP_EVENT = st.dictionaries(
    st.sampled_from(TIMEMAP_KEYS), SCALARS | json_values(TIMEMAP_KEYS), max_size=9
)
TIMEMAP = st.tuples(
    mutated(st.lists(TIMEMAP_EVENT | SCALARS, max_size=4).map(dump)),
    mutated(json_values(TIMEMAP_KEYS).map(dump)),
    mutated(json_values(TIMEMAP_KEYS).map(dump)),
)

CSV_HEADERS = ["id", "date", "end", "latitude", "longitude", "title", "description",
               "place", "category", "source", "country", "event_id_cnty", "event_date",
               "time_precision", "event_type", "sub_event_type", "actor1", "location",
               "geo_precision", "notes", "fatalities", "x", ""]  # fmt: skip
ACLED_HEADER = ["event_id_cnty", "event_date", "latitude", "longitude", "time_precision",
                "event_type", "sub_event_type", "actor1", "country", "location", "notes",
                "source", "fatalities", "geo_precision"]  # fmt: skip
CELL = st.one_of(DATES, NUMBERS.map(str), TEXT)


def table(header: st.SearchStrategy[list[str]]) -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        names = draw(header)
        width = len(names)
        rows = draw(st.lists(st.lists(CELL, min_size=max(0, width - 1), max_size=width + 1),
                             max_size=6))  # fmt: skip
        delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)
        for row in [names, *rows]:
            writer.writerow(row)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251", "latin-1"]))
        return out.getvalue().encode(encoding, errors="replace")

    return mutated(build())


CSV = table(st.lists(st.sampled_from(CSV_HEADERS), min_size=1, max_size=8)) | raw_bytes()
ACLED = table(st.permutations(ACLED_HEADER))

KML_TAGS = ["kml", "Document", "Folder", "Placemark", "name", "description", "TimeStamp",
            "when", "TimeSpan", "begin", "end", "Point", "coordinates", "ExtendedData",
            "Data", "value", "SimpleData", "gx:Track", "gx:coord", "LineString"]  # fmt: skip


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


XML_TEXT = st.one_of(
    DATES,
    st.sampled_from(["30,50,0", "30,50 31,51", "1e400,5", "nan,nan", "30 50 0", ",,,", ""]),
    TEXT.map(_xml_text),
    st.sampled_from(["<![CDATA[<b>x</b>]]>", "&#0;", "&#x110000;", "&unknown;", "<!-- c -->"]),
)
XML_NODES = st.recursive(
    XML_TEXT,
    lambda inner: st.builds(
        lambda tag, children, ident: f"<{tag}{ident}>{''.join(children)}</{tag}>",
        st.sampled_from(KML_TAGS[1:]),
        st.lists(inner, max_size=4),
        st.sampled_from(["", ' id="p"', ' id="&lt;"', ' name="n"']),
    ),
    max_leaves=16,
)
DECLARATIONS = st.sampled_from(
    ["", '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="latin-1"?>',
     '<?xml version="1.0" encoding="x-unknown"?>', '<?xml version="1.0" encoding="utf-16"?>',
     '<!DOCTYPE kml [<!ENTITY a "b">]>']
)  # fmt: skip
KML_DOCUMENT = st.builds(
    lambda declaration, body: (
        f'{declaration}<kml xmlns="http://www.opengis.net/kml/2.2" '
        f'xmlns:gx="http://www.google.com/kml/ext/2.2">{body}</kml>'
    ).encode("utf-8", "surrogatepass"),
    DECLARATIONS,
    st.lists(XML_NODES, max_size=4).map("".join),
)
KML = mutated(KML_DOCUMENT) | raw_bytes()


def _kmz(kml: bytes, name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as kmz:
        kmz.writestr(name, kml)
    return out.getvalue()


KMZ = mutated(st.builds(_kmz, KML_DOCUMENT, st.sampled_from(["doc.kml", "a.KML", "x.txt"])))

ARTICLE_TEXT = st.lists(
    st.one_of(
        TEXT,
        st.sampled_from(["On June 2, 2025, drones struck Kharkiv, according to Reuters.",
                         "Two days before the talks in Istanbul", "Mr. A. B. Smith said.",
                         "between June 20 and 30", "in early 2022", "last week", "\n\n",
                         "# Heading", "**bold** _it_", "By Jane Doe", "2025-06-02",
                         "Sumy, Kharkiv, and Zaporizhzhia regions", "May 2", "6/2/25"]),
    ),
    max_size=12,
).map(" ".join)  # fmt: skip
HTML = st.builds(
    lambda head, body: (
        f"<html><head>{head}</head><body>{body}</body></html>".encode("utf-8", "surrogatepass")
    ),
    st.lists(
        st.sampled_from(['<meta property="og:title" content="T">', "<title>A</title>",
                         '<meta name="date" content="2025-13-45">', "<script>x<y</script>",
                         '<meta property="article:published_time" content="6/2/25">']),
        max_size=4,
    ).map("".join),
    st.lists(ARTICLE_TEXT | st.sampled_from(["<p>", "</p>", "<br>", "<nav>", "&amp;",
                                             "&#xD800;", "<", "<!--", "<![CDATA["]),
             max_size=10).map("".join),
)  # fmt: skip


def _text_file(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


READERS: dict[str, tuple[str, str, st.SearchStrategy]] = {
    "csv": ("csv", "events.csv", CSV),
    "acled": ("acled", "acled.csv", ACLED),
    "geojson": ("geojson", "events.geojson", GEOJSON),
    "kml": ("kml", "events.kml", KML),
    "kmz": ("kml", "events.kmz", KMZ),
    "timelinejs": ("timelinejs", "timeline.json", TIMELINEJS),
    "timemap": ("timemap", "export_events.json", TIMEMAP),
    "article-txt": ("article", "article.txt", mutated(ARTICLE_TEXT.map(_text_file))),
    "article-md": ("article", "article.md", mutated(ARTICLE_TEXT.map(_text_file))),
    "article-html": ("article", "article.html", mutated(HTML)),
}


@pytest.fixture(scope="module")
def folder() -> Any:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture(scope="module")
def geocoder() -> Geocoder:
    # Loaded before memory is traced: the offline gazetteer is not the reader's memory.
    return Geocoder(gazetteer=default_gazetteer())


def read_all(fmt: str, name: str, document: Any, folder: Path, geocoder: Geocoder) -> None:
    """Read one document as the import would; fail on anything but our own reports."""
    if fmt == "timemap":
        events, sources, associations = document
        (folder / "export_sources.json").write_bytes(sources)
        (folder / "export_associations.json").write_bytes(associations)
        document = events
    path = folder / name
    path.write_bytes(document)
    options = ReadOptions(geocoder=geocoder, published="2025-06-01")
    tracemalloc.start()
    try:
        for record in read_records(path, fmt, options):
            assert isinstance(record, Event | BadRecord), record
            if isinstance(record, BadRecord):
                assert str(record).startswith(f"{path}"), record
        peak = tracemalloc.get_traced_memory()[1]
    except ImportFailed as failed:
        peak = tracemalloc.get_traced_memory()[1]
        message = str(failed)
        assert message.startswith(f"{path}: ") or "export_events.json" in message, message
        assert "\n" not in message, message
    finally:
        tracemalloc.stop()
    assert peak <= PEAK_BYTES, f"{peak / 2**20:.0f} MiB for {len(document)} bytes"


def _fuzz(examples: int) -> Callable:
    return settings(
        max_examples=examples,
        deadline=DEADLINE,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("reader", READERS)
@_fuzz(QUICK_EXAMPLES)
@given(data=st.data())
def test_reader_reports_only_its_own_errors(reader, data, folder, geocoder) -> None:
    fmt, name, documents = READERS[reader]
    read_all(fmt, name, data.draw(documents), folder, geocoder)


@pytest.mark.fuzz
@pytest.mark.parametrize("reader", READERS)
@_fuzz(LONG_EXAMPLES)
@given(data=st.data())
def test_reader_reports_only_its_own_errors_long_run(reader, data, folder, geocoder) -> None:
    fmt, name, documents = READERS[reader]
    read_all(fmt, name, data.draw(documents), folder, geocoder)
