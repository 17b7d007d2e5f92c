"""Hostile text from every importer, through a real store, into every surface.

One corpus (:mod:`tests.security.payloads`) goes into files of every format the atlas
imports, in the fields each reads, and each file is imported by the ``event-atlas import``
command into a real store: the stored text must be the payload itself. Events carrying
the payloads are then shown on the live map page, in the excerpt panel and its list of
the events at one place, and exported to every format. Everywhere: no request reaches
the local beacon, no marker file appears, ``window.__pwned`` stays undefined, and the text
reads as the payload, never evaluated (``{{7*7}}`` stays ``{{7*7}}``, never ``49``).
"""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.core.dates import event_span
from desktop_app.core.event import Event
from desktop_app.core.text import xml_text
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from tests.security.beacon import BeaconServer
from tests.security.payloads import Payload, corpus

DAY = "2025-06-02"
WINDOW = TimeWindow(
    event_span("2025-06-01", None, "day")[0], event_span("2025-06-04", None, "day")[0]
)
KML = "{http://www.opengis.net/kml/2.2}"


# -- the corpus, the beacon, the markers ------------------------------------------------------


@pytest.fixture(scope="module")
def beacon():
    with BeaconServer() as server:
        yield server


@pytest.fixture(scope="module")
def markers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("markers")


@pytest.fixture(scope="module")
def payloads(beacon: BeaconServer, markers: Path) -> list[Payload]:
    return corpus(beacon.url, markers)


def start_clean(beacon: BeaconServer, markers: Path) -> None:
    """Forget earlier hits and markers, so what is found belongs to this test."""
    beacon.clear()
    for marker in markers.iterdir():
        marker.unlink()


def assert_nothing_ran(beacon: BeaconServer, markers: Path) -> None:
    """No payload phoned home and none wrote its marker file."""
    assert beacon.hits == [], f"payloads that made a request: {beacon.hits}"
    assert sorted(p.name for p in markers.iterdir()) == [], "payloads that ran a command"


def grid_point(k: int) -> tuple[float, float]:
    """``(lat, lon)`` of the k-th payload: a grid over Ukraine and its neighbours, each
    point its own marker in a 1000x700 map at the default view."""
    return round(41.0 + 1.8 * (k // 10), 4), round(16.0 + 3.5 * (k % 10), 4)


def split_list(text: str) -> tuple[str, ...]:
    """A cell of ``;``-separated names as the CSV readers split it."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


def cli(*args: str):
    """Run the ``event-atlas`` command as a user does; exceptions become exit codes."""
    return CliRunner().invoke(main, list(args))


def cli_ok(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, (
        f"event-atlas {' '.join(args[:4])} failed: {result.exception!r}\n{result.output}"
    )
    return result.output


def import_into(db: Path, path: Path, *extra: str) -> list[Event]:
    """Import ``path`` with the ``import`` command into the store ``db``; its events."""
    cli_ok("import", str(path), "--db", str(db), *extra)
    with EventStore(db) as store:
        return store.all_events()


def by_point(events: Iterable[Event]) -> dict[tuple[float, float], Event]:
    return {(round(e.place.lat, 4), round(e.place.lon, 4)): e for e in events if e.place}


def differences(checks: Iterable[tuple[Payload, str, object, object]]) -> list[str]:
    """``payload.field: got`` for every check whose value is not the expected one."""
    return [f"{p.id}.{field}: {got!r}" for p, field, want, got in checks if want != got]


# -- importers ------------------------------------------------------------------------------


def write_geojson(path: Path, payloads: list[Payload], *, one_day_each: bool = False) -> Path:
    """Every payload in every field of one feature (and its article) each; all on
    :data:`DAY`, or with ``one_day_each`` on consecutive days from it."""
    features, articles = [], []
    first = date.fromisoformat(DAY)
    for k, p in enumerate(payloads):
        lat, lon = grid_point(k)
        start = (first + timedelta(days=k)).isoformat() if one_day_each else DAY
        articles.append({
            "id": f"article-{p.id}", "title": p.text, "author": p.text, "outlet": p.text,
            "url": p.text, "published": DAY, "text": p.text,
        })  # fmt: skip
        features.append({
            "type": "Feature",
            "id": f"payload-{p.id}",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "title": p.text, "start": start, "display_date": p.text, "category": p.text,
                "actors": [p.text], "place": p.text, "excerpt": p.text,
                "article": f"article-{p.id}", "sources": [p.text],
            },
        })  # fmt: skip
    document = {
        "type": "FeatureCollection", "name": "payloads", "articles": articles,
        "features": features,
    }  # fmt: skip
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def geojson_checks(p: Payload, e: Event, store: EventStore) -> list:
    a = e.article
    return [
        (p, "title", p.text, e.title),
        (p, "display_date", p.text, e.display_date),
        (p, "category", p.text, e.category),
        (p, "actors", (p.text,), e.actors),
        (p, "place", p.text, e.place.name),
        (p, "excerpt", p.text, e.excerpt),
        (p, "sources", (p.text,), e.sources),
        (p, "article.title", p.text, a.title if a else None),
        (p, "article.author", p.text, a.author if a else None),
        (p, "article.outlet", p.text, a.outlet if a else None),
        (p, "article.url", p.text, a.url if a else None),
        (p, "article.text", p.text, store.article_text(a.uid) if a else None),
    ]


@pytest.fixture(scope="module")
def payload_db(tmp_path_factory: pytest.TempPathFactory, payloads: list[Payload]) -> Path:
    """A store holding one event per payload, imported from GeoJSON by the CLI."""
    folder = tmp_path_factory.mktemp("payload-store")
    db = folder / "payloads.db"
    import_into(db, write_geojson(folder / "payloads.geojson", payloads))
    return db


def payload_events(store: EventStore, payloads: list[Payload]) -> dict[str, Event]:
    """The stored event of each payload, by payload id."""
    stored = {e.uid: e for e in store.all_events()}
    return {p.id: stored[f"payload-{p.id}"] for p in payloads}


def test_corpus_has_every_kind_of_payload(payloads: list[Payload]) -> None:
    kinds = {p.kind for p in payloads}
    assert len(payloads) >= 60 and kinds == {"markup", "template", "unicode", "text"}
    texts = " ".join(p.text for p in payloads)
    for form in ("onerror", "<svg", "<script", "javascript:", "<ScRiPt", "&lt;script&gt;",
                 "&#x3C;", "\x00", "</script>", "<!--", "CDATA", "{{", "{%", "{#", "${",
                 "{{7*7}}", "cycler.__init__", "url(", "expression(", "<base", "http-equiv",
                 "rel=import", "<iframe", "<object", "<form", "\u202e", "\u200b"):  # fmt: skip
        assert form in texts, form


def test_geojson_import_keeps_every_field_verbatim(payload_db: Path, payloads) -> None:
    with EventStore(payload_db) as store:
        events = payload_events(store, payloads)
        checks = [c for p in payloads for c in geojson_checks(p, events[p.id], store)]
        assert store.count() == len(payloads)
    assert differences(checks) == []


def test_csv_import_keeps_text_verbatim(tmp_path: Path, payloads) -> None:
    path = tmp_path / "payloads.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "date", "latitude", "longitude", "description", "place",
                         "category", "source"])  # fmt: skip
        for k, p in enumerate(payloads):
            writer.writerow([p.text, DAY, *grid_point(k), p.text, p.text, p.text, p.text])
    events = by_point(import_into(tmp_path / "csv.db", path))
    checks = []
    for k, p in enumerate(payloads):
        e = events.get(grid_point(k))
        if e is None:
            checks.append((p, "imported", True, False))
            continue
        checks += [
            (p, "title", p.text, e.title),
            (p, "excerpt", p.text, e.excerpt),
            (p, "place", p.text, e.place.name),
            # The importer's documented normalisations: keys in lower case, ";" splits.
            (p, "category", p.text.lower().replace(" ", "_"), e.category),
            (p, "sources", split_list(p.text), e.sources),
        ]
    assert differences(checks) == []


def test_acled_import_keeps_text_verbatim(tmp_path: Path, payloads) -> None:
    path = tmp_path / "acled.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["event_id_cnty", "event_date", "time_precision", "event_type",
                         "sub_event_type", "actor1", "assoc_actor_1", "actor2", "location",
                         "latitude", "longitude", "geo_precision", "source", "notes",
                         "fatalities", "country"])  # fmt: skip
        for k, p in enumerate(payloads):
            lat, lon = grid_point(k)
            writer.writerow([f"PAY{k}", DAY, "1", "Battles", p.text, p.text, "", "", p.text,
                             lat, lon, "1", p.text, p.text, "0", "Ukraine"])  # fmt: skip
    events = {e.uid: e for e in import_into(tmp_path / "acled.db", path)}
    checks = []
    for k, p in enumerate(payloads):
        e = events.get(f"acled:PAY{k}")
        if e is None:
            checks.append((p, "imported", True, False))
            continue
        checks += [
            (p, "title", f"{p.text} in {p.text}", e.title),
            (p, "excerpt", p.text, e.excerpt),
            (p, "place", p.text, e.place.name),
            (p, "actors", split_list(p.text), e.actors),
            (p, "sources", split_list(p.text), e.sources),
        ]
    assert differences(checks) == []


def test_kml_import_keeps_names_and_data_verbatim(tmp_path: Path, payloads) -> None:
    # XML cannot carry NUL or other C0 controls at all: those payloads stay out.
    usable = [(k, p) for k, p in enumerate(payloads) if p.xml_safe]
    root = ET.Element(f"{KML}kml")
    document = ET.SubElement(root, f"{KML}Document")
    for k, p in usable:
        mark = ET.SubElement(document, f"{KML}Placemark", id=f"p{k}")
        ET.SubElement(mark, f"{KML}name").text = p.text
        ET.SubElement(ET.SubElement(mark, f"{KML}TimeStamp"), f"{KML}when").text = DAY
        ET.SubElement(mark, f"{KML}description").text = p.text
        data = ET.SubElement(ET.SubElement(mark, f"{KML}ExtendedData"), f"{KML}Data", name="remark")
        ET.SubElement(data, f"{KML}value").text = p.text
        lat, lon = grid_point(k)
        ET.SubElement(ET.SubElement(mark, f"{KML}Point"), f"{KML}coordinates").text = f"{lon},{lat}"
    path = tmp_path / "payloads.kml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    events = {e.uid: e for e in import_into(tmp_path / "kml.db", path)}
    checks = []
    for k, p in usable:
        e = events.get(f"kml:p{k}")
        if e is None:
            checks.append((p, "imported", True, False))
            continue
        checks += [
            (p, "title", p.text, e.title),
            (p, "place", p.text, e.place.name),
            # A field of no role is kept as the event's attribute.
            (p, "extended data", p.text, dict(e.attributes).get("remark")),
        ]
    assert len(usable) >= len(payloads) - 3
    assert differences(checks) == []


def plain(text: str) -> bool:
    """Text that an HTML-reading importer has no reason to change: no tags, no entities,
    single spaces."""
    return not re.search(r"[<>&]", text) and " ".join(text.split()) == text


def test_timelinejs_import_keeps_text_verbatim(tmp_path: Path, payloads) -> None:
    items = []
    for k, p in enumerate(payloads):
        lat, lon = grid_point(k)
        items.append({
            "unique_id": f"p{k}",
            "start_date": {"year": 2025, "month": 6, "day": 2, "display_date": p.text},
            "text": {"headline": p.text, "text": p.text},
            "location": {"lat": lat, "lon": lon, "name": p.text},
            "group": p.text,
        })  # fmt: skip
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps({"events": items}, ensure_ascii=False), encoding="utf-8")
    events = {e.uid: e for e in import_into(tmp_path / "tl.db", path)}
    checks = []
    for k, p in enumerate(payloads):
        e = events.get(f"timelinejs:p{k}")
        if e is None:
            checks.append((p, "imported", True, False))
            continue
        checks += [
            (p, "place", p.text, e.place.name),
            (p, "display_date", p.text, e.display_date),
            (p, "actors", (p.text,), e.actors),
        ]
        # Headline and text are HTML in TimelineJS: only plain text must come through as is.
        if plain(p.text):
            checks += [(p, "title", p.text, e.title), (p, "excerpt", p.text, e.excerpt)]
    assert differences(checks) == []


def test_timemap_import_keeps_text_verbatim(tmp_path: Path, payloads) -> None:
    events_doc, associations, sources = [], [], {}
    for k, p in enumerate(payloads):
        lat, lon = grid_point(k)
        events_doc.append({
            "id": f"PAY{k}", "date": "06/02/2025", "time": "", "location": p.text,
            "latitude": str(lat), "longitude": str(lon), "description": p.text,
            "associations": [f"a{k}"], "sources": [f"s{k}"],
        })  # fmt: skip
        associations.append({"id": f"a{k}", "mode": "FILTER", "filter_paths": [p.text]})
        sources[f"s{k}"] = {"id": f"s{k}", "title": "source", "paths": [p.text]}
    for name, doc in (("export_events.json", events_doc),
                      ("export_associations.json", associations),
                      ("export_sources.json", sources)):  # fmt: skip
        (tmp_path / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    events = {e.uid: e for e in import_into(tmp_path / "tm.db", tmp_path / "export_events.json")}
    checks = []
    for k, p in enumerate(payloads):
        e = events.get(f"timemap:PAY{k}")
        if e is None:
            checks.append((p, "imported", True, False))
            continue
        checks += [
            (p, "excerpt", p.text, e.excerpt),
            (p, "place", p.text, e.place.name),
            (p, "actors", (p.text,), e.actors),
            (p, "sources", (p.text,), e.sources),
        ]
    assert differences(checks) == []


def sentence(p: Payload) -> str:
    return f"On June 2, 2025, {p.text} struck Kharkiv."


def one_sentence(p: Payload) -> bool:
    """A payload that stays inside one sentence of an article (no end of sentence or line
    break of its own, single spaces)."""
    return not re.search(r"[.!?…][\"”’)]?\s", p.text) and " ".join(p.text.split()) == p.text


def article_excerpts_missing(events: list[Event], payloads: list[Payload]) -> list[str]:
    excerpts = {e.excerpt for e in events}
    return [p.id for p in payloads if one_sentence(p) and sentence(p) not in excerpts]


def by_id(payloads: list[Payload], ident: str) -> Payload:
    return next(p for p in payloads if p.id == ident)


#: The payloads a plain-text article is titled and signed with.
TEXT_TITLE, TEXT_AUTHOR = "img-onerror", "jinja-arith"


def text_article(payloads: list[Payload]) -> str:
    """A plain-text article: a payload as its title, one as its author, and a sentence
    with each payload in it, each sentence its own paragraph."""
    body = "\n\n".join(sentence(p) for p in payloads)
    title, author = by_id(payloads, TEXT_TITLE), by_id(payloads, TEXT_AUTHOR)
    return f"{title.text}\nBy {author.text}\n\n{body}\n"


def test_text_article_import_keeps_title_author_and_sentences(tmp_path: Path, payloads) -> None:
    path = tmp_path / "article.txt"
    path.write_text(text_article(payloads), encoding="utf-8")
    events = import_into(tmp_path / "txt.db", path, "--yes", "--published", DAY)
    article = events[0].article
    title, author = by_id(payloads, TEXT_TITLE), by_id(payloads, TEXT_AUTHOR)
    assert (article.title, article.author) == (title.text, author.text)
    assert article_excerpts_missing(events, payloads) == []


def test_markdown_article_import_keeps_its_heading(tmp_path: Path, payloads) -> None:
    title, author = by_id(payloads, "jinja-rce-cycler"), by_id(payloads, "jinja-citation")
    path = tmp_path / "article.md"
    path.write_text(
        f"# {title.text}\n\nBy {author.text}\n\n{sentence(by_id(payloads, 'jinja-if-open'))}\n",
        encoding="utf-8",
    )
    events = import_into(tmp_path / "md.db", path, "--yes", "--published", DAY)
    assert (events[0].article.title, events[0].article.author) == (title.text, author.text)
    assert sentence(by_id(payloads, "jinja-if-open")) in {e.excerpt for e in events}


def test_html_article_import_reads_text_not_markup(tmp_path: Path, payloads) -> None:
    """The page's visible text (payloads written escaped, as a browser shows them) and its
    metadata become the article's text, never markup, and are never unescaped twice."""
    title, author = by_id(payloads, "script-breakout"), by_id(payloads, "attribute-breakout")
    outlet = by_id(payloads, "title-breakout")
    # A browser shows no NUL or C0 control of a page's text: those payloads stay out.
    body = "".join(f"<p>{html.escape(sentence(p))}</p>\n" for p in payloads if p.xml_safe)
    path = tmp_path / "article.html"
    path.write_text(
        "<!DOCTYPE html><html><head>"
        f"<title>{html.escape(by_id(payloads, 'jinja-self').text)}</title>"
        f'<meta property="og:title" content="{html.escape(title.text)}">'
        f'<meta name="author" content="{html.escape(author.text)}">'
        f'<meta property="og:site_name" content="{html.escape(outlet.text)}">'
        f'<meta property="article:published_time" content="{DAY}">'
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    events = import_into(tmp_path / "html.db", path, "--yes")
    article = events[0].article
    assert (article.title, article.author, article.outlet) == (
        title.text, author.text, outlet.text,
    )  # fmt: skip
    assert article_excerpts_missing(events, [p for p in payloads if p.xml_safe]) == []


def test_search_takes_every_payload_as_words(payload_db: Path, payloads) -> None:
    with EventStore(payload_db) as store:
        events = payload_events(store, payloads)
        failed = []
        for p in payloads:
            try:
                found = store.search(p.text)
            except Exception as exc:  # any error: the failure names every payload that raised
                failed.append(f"{p.id}: {exc!r}")
                continue
            if p.text.split() and events[p.id].id not in {e.id for e in found}:
                failed.append(f"{p.id}: not found")
    assert failed == []


# -- the live map page ------------------------------------------------------------------------


def wait_for(qtbot, read: Callable[[], object], want: object, timeout_ms: int = 3000) -> object:
    """``read()`` once it gives ``want``, or whatever it gives after ``timeout_ms``."""
    got = read()
    waited = 0
    while got != want and waited < timeout_ms:
        qtbot.wait(25)
        waited += 25
        got = read()
    return got


#: Elements the page itself puts in the label, tooltip and legend (its rows are labels
#: around a checkbox); anything else came from data parsed as markup.
PAGE_TAGS = {"DIV", "B", "SPAN", "CANVAS", "LABEL", "INPUT"}


def test_live_map_shows_payloads_as_text(qtbot, payload_db: Path, payloads, beacon, markers):
    from tests.mapping import js, mouse_at_event, open_map

    start_clean(beacon, markers)
    store = EventStore(payload_db)
    try:
        events = payload_events(store, payloads)
        view = open_map(qtbot, store, WINDOW, size=(1000, 700))
        label = "document.querySelector('.ea-label').textContent"
        tip = "EventAtlas.tooltip.textContent"
        wrong = []
        for p in payloads:
            event_id = events[p.id].id
            view._state.select([event_id])
            shown = wait_for(qtbot, lambda: js(qtbot, view, label), p.text)
            if shown != p.text:
                wrong.append(f"{p.id}.label: {shown!r}")
            mouse_at_event(qtbot, view, event_id, ("mousemove",))
            hover = f"{p.text} · {p.text}"  # the title, then the date as the source gave it
            shown = wait_for(qtbot, lambda: js(qtbot, view, tip), hover)
            if shown != hover:
                wrong.append(f"{p.id}.tooltip: {shown!r}")
        tags = js(
            qtbot,
            view,
            "Array.from(document.querySelectorAll('.ea-label *, .ea-tooltip *, .ea-legend *'),"
            " (e) => e.tagName)",
        )
        legend = js(qtbot, view, "EventAtlas.legend.shown()")
        pwned = js(qtbot, view, "typeof window.__pwned")
        # A payload the page's CSP stopped would show here as a refused load.
        errors = [m for m in view.console_messages if m[0] >= 2]
    finally:
        store.close()
    assert wrong == []
    assert errors == []
    assert set(tags) <= PAGE_TAGS
    # Every payload category is unknown to the atlas: drawn and counted as "Other".
    assert legend == ["Other"]
    assert pwned == "undefined"
    qtbot.wait(300)
    assert_nothing_ran(beacon, markers)


def test_place_names_reach_the_page_as_data_when_read_and_after_an_edit(
    qtbot, tmp_path: Path, payload_db: Path, payloads, beacon, markers
):
    """The names the map prints come from a worker (``setPlaceNames``) and, after an edit,
    with the refreshed events (``reloadEvents``): both as JSON, never as code."""
    import dataclasses
    import shutil

    from tests.mapping import js, open_window

    start_clean(beacon, markers)
    db = tmp_path / "edited.db"
    shutil.copy(payload_db, db)
    window = open_window(qtbot, db)
    view = window.map_view
    qtbot.waitUntil(lambda: view.has_place_names, timeout=30_000)
    expected = {e.place.name for e in window.store.all_events() if e.place}
    names = "EventAtlas.placeName.filter((n) => typeof n === 'string')"
    qtbot.waitUntil(lambda: set(js(qtbot, view, names) or []) == expected, timeout=30_000)
    # An edit sends the changed events' names with the new buffer.
    first = payload_events(window.store, payloads)[payloads[0].id]
    moved = dataclasses.replace(
        first, place=dataclasses.replace(first.place, name=payloads[-1].text, lat=10.5, lon=20.5)
    )
    window.store.update_event(moved)
    with qtbot.waitSignal(view.eventsRefreshed, timeout=30_000):
        window.show_edited([first.id])
    assert payloads[-1].text in set(js(qtbot, view, names) or [])
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    assert [m for m in view.console_messages if m[0] >= 2] == []
    qtbot.wait(300)
    assert_nothing_ran(beacon, markers)


# -- the excerpt panel and the events at one place --------------------------------------------


class _Markup(HTMLParser):
    """Every tag and attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, attrs))


#: The panel's own markup: any other tag, an event handler or a link that is not http(s)
#: came from the data.
PANEL_TAGS = {"h3", "p", "b", "span", "br", "i", "blockquote", "ul", "li", "a"}


def live_markup(fragment: str) -> list[str]:
    parser = _Markup()
    parser.feed(fragment)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag not in PANEL_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name == "href" and not (value or "").startswith(("http://", "https://")):
                found.append(f"<{tag} href={value!r}>")
            elif name not in ("style", "href"):
                found.append(f"<{tag} {name}>")
    return found


def as_read(text: str) -> str:
    """What a Qt widget shows for ``text``: Qt renders text that looks like HTML as rich
    text (tooltips, labels in AutoText), so this is the text the user reads."""
    from PySide6.QtGui import Qt, QTextDocument

    if not Qt.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def as_lines(text: str) -> str:
    """``text`` as a reader sees its line breaks: Unicode's line and paragraph separators
    are breaks too."""
    return text.replace("\u2028", "\n").replace("\u2029", "\n")


def spaced(text: str) -> str:
    return " ".join(text.split())


def test_excerpt_panel_shows_every_field_as_text(qtbot, payload_db: Path, payloads, beacon):
    from desktop_app.ui.panels.excerpt import ExcerptPanel
    from desktop_app.ui.view_state import ViewState

    store = EventStore(payload_db)
    try:
        events = payload_events(store, payloads)
        state = ViewState(WINDOW)
        panel = ExcerptPanel(state, store.events)
        qtbot.addWidget(panel)
        missing, markup = [], []
        for p in payloads:
            event = events[p.id]
            state.select([event.id])
            # Rich text lays out line and paragraph separators as white space.
            text, want = spaced(panel.details.toPlainText()), spaced(p.text)
            # Title, date, place, actors, excerpt, article title, author, outlet, sources.
            if text.count(want) < 9:
                missing.append(f"{p.id}: {text.count(want)} of 9 in {text!r}")
            markup += [f"{p.id}: {m}" for m in live_markup(panel.event_html(event))]
    finally:
        store.close()
    assert markup == []
    assert missing == []


def test_events_at_one_place_are_listed_as_text(qtbot, payload_db: Path, payloads) -> None:
    from desktop_app.ui.panels.excerpt import ExcerptPanel
    from desktop_app.ui.view_state import ViewState

    store = EventStore(payload_db)
    try:
        events = payload_events(store, payloads)
        state = ViewState(WINDOW)
        panel = ExcerptPanel(state, store.events)
        qtbot.addWidget(panel)
        panel.show()
        ids = [events[p.id].id for p in payloads]
        state.select(ids)
        assert panel.choices.count() == len(payloads)
        # Each at its own place: the heading names none.
        assert panel.heading.text() == f"{len(payloads)} events selected"
        by_event = {events[p.id].id: p for p in payloads}
        wrong = []
        for row in range(panel.choices.count()):
            item = panel.choices.item(row)
            p = by_event[item.data(256)]
            if item.text() != f"{p.text} — {p.text}":
                wrong.append(f"{p.id}.item: {item.text()!r}")
            if as_read(item.toolTip()) != as_lines(p.text):
                wrong.append(f"{p.id}.tooltip reads {as_read(item.toolTip())!r}")
        # A stack at one place names it in the heading, as text: every hostile name.
        for p in payloads:
            place = events[p.id].place

            def at_one_place(wanted, place=place):
                return [dataclasses.replace(e, place=place) for e in store.events(wanted)]

            stacked = ExcerptPanel(ViewState(WINDOW), at_one_place)
            stacked._state.select(ids[:3])
            if stacked.heading.text() != f"3 events at {place.name}":
                wrong.append(f"{p.id}.heading reads {stacked.heading.text()!r}")
            stacked.deleteLater()
    finally:
        store.close()
    assert wrong == []


# -- data exports -----------------------------------------------------------------------------


def export(db: Path, fmt: str, out: Path, *extra: str) -> Path:
    cli_ok("export", fmt, "--db", str(db), "-o", str(out), *extra)
    return out


def test_geojson_export_reads_back_equal(tmp_path: Path, payload_db: Path, payloads) -> None:
    out = export(payload_db, "geojson", tmp_path / "out.geojson")
    document = json.loads(out.read_text(encoding="utf-8"))
    features = {f["id"]: f["properties"] for f in document["features"]}
    articles = {a["id"]: a for a in document["articles"]}
    checks = []
    for p in payloads:
        props = features[f"payload-{p.id}"]
        article = articles[props["article"]]
        checks += [
            (p, f"properties.{key}", p.text, props[key])
            for key in ("title", "display_date", "category", "place", "excerpt")
        ]
        checks += [(p, f"properties.{key}", [p.text], props[key]) for key in ("actors", "sources")]
        checks += [(p, f"article.{key}", p.text, article[key])
                   for key in ("title", "author", "outlet", "url", "text")]  # fmt: skip
    assert differences(checks) == []
    # The atlas's own format: imported again, every field comes back as it was.
    db = tmp_path / "again.db"
    import_into(db, out)
    with EventStore(db) as store:
        events = payload_events(store, payloads)
        again = [c for p in payloads for c in geojson_checks(p, events[p.id], store)]
    assert differences(again) == []


def test_csv_export_reads_back_equal(tmp_path: Path, payload_db: Path, payloads) -> None:
    from desktop_app.ingest.exporters import restore_spreadsheet_text

    out = export(payload_db, "csv", tmp_path / "out.csv")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {
            (round(float(r["latitude"]), 4), round(float(r["longitude"]), 4)): r
            for r in csv.DictReader(handle)
        }
    checks = []
    for k, p in enumerate(payloads):
        row = rows[grid_point(k)]
        for column in (
            "title", "display_date", "place", "category", "actors", "excerpt", "article_title",
            "article_author", "article_outlet", "article_url", "sources",
        ):  # fmt: skip
            # A spreadsheet runs a cell that starts like a formula (OWASP CSV injection).
            checks.append(
                (p, f"{column} is a formula", None, re.match(r"[=+\-@\t\r]", row[column]))
            )
            checks.append((p, column, p.text, restore_spreadsheet_text(row[column])))
    assert differences(checks) == []
    # Imported again, the marks against formulas come off.
    events = by_point(import_into(tmp_path / "again.db", out))
    again = []
    for k, p in enumerate(payloads):
        e = events[grid_point(k)]
        again += [(p, "title", p.text, e.title), (p, "excerpt", p.text, e.excerpt),
                  (p, "place", p.text, e.place.name)]  # fmt: skip
    assert differences(again) == []


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def test_kml_export_reads_back_equal(tmp_path: Path, payload_db: Path, payloads) -> None:
    out = export(payload_db, "kml", tmp_path / "out.kml")
    # A KML viewer must be able to read the file at all, whatever the events hold.
    root = SafeET.parse(out).getroot()
    marks = {m.get("id"): m for m in root.iter(f"{KML}Placemark")}
    checks = []
    for p in payloads:
        mark = marks[f"event-payload-{p.id}"]
        data = {d.get("name"): d.findtext(f"{KML}value") for d in mark.iter(f"{KML}Data")}
        # XML 1.0 cannot hold control characters: those, and only those, are replaced.
        expected = xml_text(p.text)
        checks.append((p, "name", expected, mark.findtext(f"{KML}name")))
        checks += [(p, f"data.{key}", expected, data.get(key)) for key in (
            "display_date", "category", "actors", "place", "excerpt", "sources", "article_title",
            "article_url",
        )]  # fmt: skip
        # The balloon is HTML in which every piece of data is text.
        balloon = _Text()
        balloon.feed(mark.findtext(f"{KML}description") or "")
        balloon.close()
        checks.append((p, "description tags", True, balloon.tags <= {"p", "i", "a"}))
        checks.append((p, "description text", True, expected in "".join(balloon.parts)))
    assert differences(checks) == []


# -- pictures: PNG and PDF --------------------------------------------------------------------


def test_png_export_captions_any_title(qtbot, tmp_path: Path, payload_db: Path, payloads):
    from PySide6.QtGui import QImage

    from desktop_app.ui.export.compose import SnapshotOptions
    from desktop_app.ui.export.picture import SnapshotMaker

    with EventStore(payload_db) as store, SnapshotMaker(store) as maker:
        # To the painter all text is text; markup payloads add nothing over the rest here.
        sizes = {
            p.id: maker.snapshot(WINDOW, SnapshotOptions(p.text, (640, 360))).size().toTuple()
            for p in payloads
            if p.kind != "markup"
        }
    assert set(sizes.values()) == {(640, 360)}
    # And through the command, as a user exports.
    title = by_id(payloads, "jinja-rce-cycler").text
    out = export(payload_db, "png", tmp_path / "map.png", "--title", title,
                 "--from", "2025-06-01", "--to", "2025-06-03", "--size", "800x450")  # fmt: skip
    assert QImage(str(out)).size().toTuple() == (800, 450)


#: Short payloads joined into PDF titles (a long title is cut at the page's edge).
PDF_TITLES = (
    ("jinja-arith", "jinja-if-open", "jinja-comment-open"),
    ("jinja-citation", "jinja-set"),
    ("other-engines", "jinja-comment"),
    ("sql", "format-strings"),
)


def test_pdf_export_prints_the_title_as_text(qtbot, tmp_path: Path, payload_db: Path, payloads):
    import pypdf

    for k, ids in enumerate(PDF_TITLES):
        title = " ".join(by_id(payloads, i).text for i in ids)
        out = export(payload_db, "pdf", tmp_path / f"map{k}.pdf", "--title", title,
                     "--from", "2025-06-01", "--to", "2025-06-03")  # fmt: skip
        text = pypdf.PdfReader(out).pages[0].extract_text()
        assert title in text, text
    tag = by_id(payloads, "img-onerror-bare").text
    out = export(payload_db, "pdf", tmp_path / "tag.pdf", "--title", tag[:40])
    assert tag[:40] in pypdf.PdfReader(out).pages[0].extract_text()


# -- the standalone HTML page -----------------------------------------------------------------

#: Template payloads Jinja2 can parse and run: evaluated, they print 49, run a shell
#: command, or close the page's JSON string and run script.
EVALUABLE = (
    "jinja-arith", "jinja-string-mul", "jinja-set", "jinja-comment", "jinja-self",
    "jinja-rce-cycler", "jinja-rce-lipsum", "jinja-rce-joiner", "jinja-to-js",
)  # fmt: skip


def popup_text(p: Payload) -> str:
    """A popup's text: title, date, place, excerpt, sources, and article with outlet."""
    t = p.text
    return f"{t}{t}{t}{t}Sources: {t}Article: {t}, {t}"


def standalone_problems(qtbot, db: Path, out: Path, title: str, payloads, beacon, markers):
    """Export ``db`` as a standalone page with the command, open it in QtWebEngine and
    list everything that is not the payloads shown as text."""
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineCore import QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from tests.mapping import js

    start_clean(beacon, markers)
    result = cli("export", "html", "--db", str(db), "-o", str(out), "--title", title,
                 "--from", "2025-06-01", "--to", "2025-06-03")  # fmt: skip
    problems = []
    if result.exit_code != 0:
        return [f"export failed: {result.exception!r} {result.output.strip()}"]
    ran = sorted(p.name for p in markers.iterdir())
    if ran:
        problems.append(f"the export ran the commands of {ran}")
    view = QWebEngineView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    # As a browser opens a saved page: a file may load pictures and scripts from the web.
    view.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True
    )
    with qtbot.waitSignal(view.loadFinished, timeout=30_000):
        view.load(QUrl.fromLocalFile(str(out)))
    if (
        wait_for(qtbot, lambda: js(qtbot, view, "Array.isArray(window.eaMarkers)"), True)
        is not True
    ):
        return [*problems, "the page's markers never appeared"]
    shown = js(
        qtbot,
        view,
        """window.eaMarkers.map((m) => {
            // Popups left open fade out for a while: read the one just opened.
            m.getPopup().options.autoPan = false;
            m.openPopup();
            const box = m.getPopup().getElement().querySelector('.leaflet-popup-content');
            return [m.options.title, box.textContent,
                    Array.from(box.querySelectorAll('*'), (e) => e.tagName)];
        })""",
    )
    titles = {row[0] for row in shown}
    popups = {row[1] for row in shown}
    tags = {tag for row in shown for tag in row[2]}
    problems += [f"{p.id}: marker title reads otherwise" for p in payloads if p.text not in titles]
    problems += [f"{p.id}: popup reads otherwise" for p in payloads if popup_text(p) not in popups]
    strangers = sorted(titles - {p.text for p in payloads})
    if strangers:
        problems.append(f"marker titles that no payload has: {strangers}")
    if not tags <= {"DIV", "B", "BLOCKQUOTE"}:
        problems.append(f"popup elements {sorted(tags)}")
    if js(qtbot, view, "document.title") != title:
        problems.append(f"document.title reads {js(qtbot, view, 'document.title')!r}")
    if js(qtbot, view, "document.querySelector('.ea-title').textContent") != title:
        problems.append("legend title not shown as text")
    if js(qtbot, view, "typeof window.__pwned") != "undefined":
        problems.append("a payload set window.__pwned")
    qtbot.wait(300)
    if beacon.hits:
        problems.append(f"requests: {beacon.hits}")
    return problems


def test_standalone_html_shows_every_payload_as_text(
    qtbot, tmp_path: Path, payload_db: Path, payloads, beacon, markers
):
    title = f"{by_id(payloads, 'title-breakout').text} {by_id(payloads, 'jinja-arith').text}"
    out = tmp_path / "map.html"
    assert standalone_problems(qtbot, payload_db, out, title, payloads, beacon, markers) == []


def test_standalone_html_never_evaluates_template_text(
    qtbot, tmp_path: Path, payloads, beacon, markers
):
    chosen = [by_id(payloads, ident) for ident in EVALUABLE]
    db = tmp_path / "templates.db"
    import_into(db, write_geojson(tmp_path / "templates.geojson", chosen))
    title = by_id(payloads, "jinja-string-mul").text
    out = tmp_path / "map.html"
    assert standalone_problems(qtbot, db, out, title, chosen, beacon, markers) == []


# -- the article review, before anything is saved --------------------------------------------


def test_article_review_shows_candidates_as_text(qtbot, payloads) -> None:
    from PySide6.QtWidgets import QLabel

    from desktop_app.ingest.article import extract_article
    from desktop_app.ui.importing.article_review import ArticleReviewDialog

    draft = extract_article(text_article(payloads), published=DAY)
    dialog = ArticleReviewDialog(draft)
    qtbot.addWidget(dialog)
    header = dialog.findChild(QLabel)
    title, author = by_id(payloads, TEXT_TITLE), by_id(payloads, TEXT_AUTHOR)
    assert as_read(header.text()).startswith(f"{title.text}\n{author.text} · {DAY}")
    wrong = []
    for row, candidate in enumerate(dialog.candidates):
        excerpt = dialog.table.item(row, 5)
        payload = next((p for p in payloads if sentence(p) == candidate.event.excerpt), None)
        name = payload.id if payload else f"row {row}"
        if excerpt.text() != candidate.event.excerpt:
            wrong.append(f"{name}.excerpt: {excerpt.text()!r}")
        if as_read(excerpt.toolTip()) != as_lines(candidate.event.excerpt):
            wrong.append(f"{name}.excerpt tooltip reads {as_read(excerpt.toolTip())!r}")
    assert len(dialog.candidates) >= len([p for p in payloads if one_sentence(p)])
    assert wrong == []


# -- the terminal -----------------------------------------------------------------------------

#: Characters that make a terminal do something (colour, retitle, hidden links, erase).
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def test_terminal_output_carries_no_control_characters(tmp_path: Path, payload_db, payloads):
    """What the commands print for people (the events table, an article's candidates) is
    read in a terminal, which obeys escape sequences in it."""
    listing = cli_ok("events", "--db", str(payload_db))
    path = tmp_path / "article.txt"
    path.write_text(text_article(payloads), encoding="utf-8")
    review = cli_ok(
        "import", str(path), "--db", str(tmp_path / "a.db"), "--published", DAY, "--yes"
    )
    found = {
        name: sorted({repr(c) for c in TERMINAL_CONTROLS.findall(text)})
        for name, text in (("events table", listing), ("article review", review))
    }
    assert found == {"events table": [], "article review": []}


# -- the timeline -----------------------------------------------------------------------------


def test_timeline_tooltip_names_each_event_as_text(qtbot, tmp_path: Path, payloads) -> None:
    from PySide6.QtCore import QPointF

    from desktop_app.core.index import EventIndex
    from desktop_app.ui.map.describe import describe_events
    from desktop_app.ui.timeline.widget import TimelineWidget
    from desktop_app.ui.view_state import ViewState

    db = tmp_path / "days.db"
    import_into(db, write_geojson(tmp_path / "days.geojson", payloads, one_day_each=True))
    store = EventStore(db)
    try:
        events = payload_events(store, payloads)
        index = EventIndex(store.arrays())
        describe = describe_events(store)
        widget = TimelineWidget(
            ViewState(WINDOW), index, titles=lambda ids: [d["title"] for d in describe(ids)]
        )
        qtbot.addWidget(widget)
        widget.resize(len(payloads) * 30, 200)
        widget.show()
        first = event_span(DAY, None, "day")[0]
        widget.set_view(first - 1, first + len(payloads) + 1)
        marks = widget.layer().marks
        assert marks is not None, "zoomed in far enough to draw events one by one"
        wrong = []
        for p in payloads:
            at = marks.position_of(index.row_of(events[p.id].id))
            centre = QPointF((marks.x0[at] + marks.x1[at]) / 2, marks.y[at] + marks.height / 2)
            # The title is the tooltip's first line; Qt shows the tooltip as rich text when
            # that line looks like HTML.
            shown = as_read(widget.tooltip_at(centre))
            if not shown.startswith(as_lines(p.text) + "\n"):
                wrong.append(f"{p.id}.tooltip reads {shown!r}")
    finally:
        store.close()
    assert wrong == []
