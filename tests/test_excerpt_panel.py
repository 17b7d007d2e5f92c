from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from desktop_app.core.event import Article, Event, Place
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.panels.excerpt import ExcerptPanel
from desktop_app.ui.view_state import ViewState


def test_panel_shows_everything_about_the_event(qtbot, seed_store):
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, seed_store.events)
    qtbot.addWidget(panel)
    assert "Click a marker" in panel.details.toPlainText()
    vilnius = next(e for e in seed_store.all_events() if e.place and e.place.name == "Vilnius")
    state.select([vilnius.id])
    text = panel.details.toPlainText()
    for expected in (
        vilnius.title,
        vilnius.display_date,
        "Vilnius",
        "BBC",
        "Negotiations without illusions",
        "Michael K.",
        "Covalent Bond",
        "2025-06-02",
    ):
        assert expected in text
    assert not panel.choices.isVisibleTo(panel)


def test_panel_escapes_and_refuses_script_links(qtbot, tmp_path):
    store = EventStore(tmp_path / "s.db")
    store.add_events([Event(
        uid="x", title="<b>bold?</b>", start="2025-06-02", excerpt="a & b <i>c</i>",
        place=Place("<u>Town</u>", 1, 2),
        article=Article("a", "<script>alert(1)</script>", url="javascript:alert(1)"),
        sources=("<a href='https://evil.example'>x</a>",),
        attributes=(("<i>notes</i>", "<img src=x onerror=alert(1)>"), ("fatalities", "3")),
    )])  # fmt: skip
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, store.events)
    qtbot.addWidget(panel)
    state.select([store.all_events()[0].id])
    text = panel.details.toPlainText()
    assert "<b>bold?</b>" in text and "a & b <i>c</i>" in text and "<u>Town</u>" in text
    assert "<script>alert(1)</script>" in text
    # The dataset's own fields, under "More fields", as text.
    assert "More fields" in text
    assert "<i>notes</i>" in text and "<img src=x onerror=alert(1)>" in text
    assert "fatalities" in text and "3" in text
    html = panel.event_html(store.all_events()[0])
    assert "javascript:" not in html and "<script" not in html and "href='https://evil" not in html
    assert "<img" not in html
    store.close()


class _Opened(QObject):
    """Receives the URLs the desktop would open (Qt's own hook for a scheme)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_article_link_opens_as_written(qtbot, tmp_path):
    url = "https://example.org/news?a=1&b='x'\"y&c=%20d#part"
    store = EventStore(tmp_path / "s.db")
    store.add_events([Event(uid="x", title="T", start="2025-06-02",
                            article=Article("a", "The article", url=url))])  # fmt: skip
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, store.events)
    qtbot.addWidget(panel)
    panel.resize(500, 400)
    panel.show()
    qtbot.waitExposed(panel)
    state.select([store.all_events()[0].id])
    opened = _Opened()
    QDesktopServices.setUrlHandler("https", opened, "open")
    try:
        cursor = panel.details.document().find("The article")
        point = panel.details.cursorRect(cursor).center() - QPoint(8, 0)
        assert panel.details.anchorAt(point)
        qtbot.mouseClick(panel.details.viewport(), Qt.MouseButton.LeftButton, pos=point)
        qtbot.waitUntil(lambda: bool(opened.urls))
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert opened.urls == [QUrl(url)]
    assert opened.urls[0].toString(QUrl.ComponentFormattingOption.FullyEncoded) == QUrl(
        url
    ).toString(QUrl.ComponentFormattingOption.FullyEncoded)
    assert opened.urls[0].query(QUrl.ComponentFormattingOption.FullyDecoded) == (
        "a=1&b='x'\"y&c= d"
    )
    store.close()


def test_a_headline_listing_is_shown_as_a_headline_not_a_quote(qtbot, seed_store):
    from desktop_app.ui.panels.excerpt import ExcerptPanel, is_headline
    from desktop_app.ui.view_state import ViewState

    events = seed_store.all_events()
    listings = [e for e in events if is_headline(e)]
    # The bundled store: one article quoted 31 times, 20 more known by their headlines.
    assert len(listings) == 20
    assert len({e.article.uid for e in events if e.article}) == 21
    alaska = next(e for e in listings if e.excerpt.startswith("Alaska, August 15"))
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, seed_store.events)
    qtbot.addWidget(panel)
    html = panel.event_html(alaska)
    assert "From the headline" in html and "<blockquote" not in html
    text = panel_text(panel, html)
    assert "Alaska, August 15\nTrump and Putin" in text
    quoted = next(e for e in events if not is_headline(e) and e.excerpt)
    assert "<blockquote" in panel.event_html(quoted)


def panel_text(panel, html: str) -> str:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def test_a_place_read_from_the_text_says_so(qtbot, tmp_path):
    from desktop_app.geo.placing import INFERRED_KIND

    store = EventStore(tmp_path / "i.db")
    store.add_events([
        Event(uid="a", title="Shelling", start="2025-06-02",
              place=Place("Chernihiv", 51.5, 31.3, INFERRED_KIND, "UA")),
        Event(uid="b", title="Talks", start="2025-06-02", place=Place("Istanbul", 41.0, 29.0)),
    ])  # fmt: skip
    state = ViewState(TimeWindow(0, 1))
    panel = ExcerptPanel(state, store.events)
    qtbot.addWidget(panel)
    by_uid = {e.uid: e.id for e in store.all_events()}
    state.select([by_uid["a"]])
    assert "place inferred from the text" in panel.details.toPlainText()
    state.select([by_uid["b"]])
    assert "inferred" not in panel.details.toPlainText()
    store.close()


def test_a_large_selection_lists_its_first_events_and_counts_them_all(qtbot, tmp_path):
    from desktop_app.ui.panels.excerpt import LISTED_EVENTS

    kyiv = Place("Kyiv", 50.45, 30.52, "city", "UA")
    lviv = Place("Lviv", 49.84, 24.03, "city", "UA")
    store = EventStore(tmp_path / "many.db")
    store.add_events(
        Event(uid=f"e{i}", title=f"Event {i}", start="2025-06-02", place=kyiv if i % 2 else lviv)
        for i in range(1000)
    )
    ids = [e.id for e in store.all_events()]
    asked: list[int] = []

    def lookup(wanted: list[int]) -> list[Event]:
        asked.append(len(wanted))
        return store.events(wanted)

    state = ViewState(TimeWindow(0, 10**6))
    panel = ExcerptPanel(state, lookup)
    qtbot.addWidget(panel)
    state.select(ids)
    assert max(asked) <= LISTED_EVENTS
    assert panel.choices.count() == LISTED_EVENTS
    assert panel.heading.text() == f"1000 events selected; the first {LISTED_EVENTS} are listed"
    # A few at several places, then a stack of one place.
    state.select(ids[:5])
    assert panel.heading.text() == "5 events selected"
    state.select(ids[1:10:2])
    assert panel.heading.text() == "5 events at Kyiv"
    store.close()
