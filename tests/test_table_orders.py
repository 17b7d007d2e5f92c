"""The event table's orders by title and place over a real store: texts compared in any
case and without their accents, as the search compares words; the progress of a title
ordering shown while the table stays in use."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop_app.core.event import Event, Place
from desktop_app.core.index import EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.panels.table import EventTablePanel
from desktop_app.ui.table import ranks
from desktop_app.ui.table.model import COLUMN_KEYS
from desktop_app.ui.view_state import ViewState

WAIT_MS = 30_000
TITLES = [
    "Zaporizhzhia strike", "Édition spéciale", "edition ordinaire", "Çırağan talks",
    "cirque", "apple", "Äpfel", "ångström", "apple",
]  # fmt: skip
#: (name, lat, lon, country) of the places of the events, in the order of TITLES; None
#: for an event without a place. Two places called Chernihiv, at different points.
PLACES = [
    ("Zaporizhzhia", 47.8, 35.2, "UA"), ("Çorlu", 41.2, 27.8, "TR"),
    ("Chernihiv", 51.5, 31.3, "UA"), None, ("Élancourt", 48.8, 1.96, "FR"),
    ("elbasan", 41.1, 20.1, "AL"), ("Chernihiv", 51.49, 31.29, "UA"),
    ("Chernihiv", 51.5, 31.3, "UA"), None,
]  # fmt: skip


def folded(text: str) -> str:
    # As the store's search compares words (desktop_app.core.filter): any case, no accents.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@pytest.fixture
def store(tmp_path):
    store = EventStore(tmp_path / "orders.db")
    # Days in an order of their own, so that the order of start is neither of the others.
    days = [7, 3, 9, 1, 5, 2, 8, 4, 6]
    store.add_events(
        Event(uid=f"e{k}", title=title, start=f"2025-06-{days[k]:02d}", category="strike",
              place=Place(p[0], p[1], p[2], "city", p[3]) if p else None)
        for k, (title, p) in enumerate(zip(TITLES, PLACES, strict=True))
    )  # fmt: skip
    yield store
    store.close()


def open_table(qtbot, store: EventStore) -> EventTablePanel:
    state = ViewState(TimeWindow(20239.0, 20250.0))
    index = EventIndex(store.arrays())
    panel = EventTablePanel(state, lambda: store, lambda: index)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitUntil(lambda: not panel.model.busy, timeout=WAIT_MS)
    return panel


def sort_by(qtbot, panel: EventTablePanel, key: str, order=Qt.SortOrder.AscendingOrder):
    panel.model.sort(COLUMN_KEYS.index(key), order)
    qtbot.waitUntil(lambda: not panel.model.busy, timeout=WAIT_MS)
    return [panel.model.event_at(r) for r in range(panel.model.rowCount())]


def test_titles_sort_in_any_case_and_without_accents(qtbot, store):
    panel = open_table(qtbot, store)
    shown = sort_by(qtbot, panel, "title")
    assert [e.title for e in shown] == [
        "ångström", "Äpfel", "apple", "apple", "cirque", "Çırağan talks",
        "edition ordinaire", "Édition spéciale", "Zaporizhzhia strike",
    ]  # fmt: skip
    # Events of one title go by start.
    apples = [e.start for e in shown if e.title == "apple"]
    assert apples == sorted(apples) and len(apples) == 2
    events = store.events(panel.model.ids.tolist())
    by_key = sorted(events, key=lambda e: (folded(e.title), e.start, e.id))
    assert [e.id for e in shown] == [e.id for e in by_key]
    descending = sort_by(qtbot, panel, "title", Qt.SortOrder.DescendingOrder)
    assert [e.id for e in descending] == [e.id for e in by_key][::-1]


def test_places_sort_by_name_then_country_and_events_without_one_last(qtbot, store):
    panel = open_table(qtbot, store)
    shown = sort_by(qtbot, panel, "place")
    names = [e.place.name if e.place else None for e in shown]
    assert names == [
        "Chernihiv", "Chernihiv", "Chernihiv", "Çorlu", "Élancourt", "elbasan",
        "Zaporizhzhia", None, None,
    ]  # fmt: skip
    # The events of the two places called Chernihiv (one name, one country) go by start.
    starts = [e.start for e in shown[:3]]
    assert starts == sorted(starts)
    assert len({(e.place.lat, e.place.lon) for e in shown[:3]}) == 2
    placeless = [e.start for e in shown[-2:]]
    assert placeless == sorted(placeless)


def test_a_title_order_shows_its_progress_and_the_table_stays_in_use(qtbot, store):
    panel = open_table(qtbot, store)
    model = panel.model
    before = model.ids.tolist()
    shares: list[tuple[str, float]] = []
    model.sortProgressed.connect(lambda key, share: shares.append((key, share)))
    model.sort(COLUMN_KEYS.index("title"))
    # Meanwhile the rows are there, in their old order, and the count says so.
    assert model.sorting == "title"
    assert "Sorting…" in panel.count.text()
    assert model.ids.tolist() == before
    assert model.data(model.index(0, COLUMN_KEYS.index("title"))) == store.event(before[0]).title
    qtbot.waitUntil(lambda: not model.busy, timeout=WAIT_MS)
    assert model.sorting is None and "Sorting" not in panel.count.text()
    assert len(shares) >= 5 and {key for key, _ in shares} == {"title"}
    values = [share for _, share in shares]
    assert values == sorted(values) and values[-1] == 1.0
    assert model.ids.tolist() != before


def test_rows_whose_events_the_store_lacks_come_last(store):
    ids = EventIndex(store.arrays()).arrays.ids
    gone = np.append(ids, int(ids.max()) + 100)
    order = ranks.title_order(store, gone, lambda _share: None, lambda: None)
    assert sorted(order.tolist()) == list(range(len(gone))) and int(order[-1]) == len(ids)
    places = ranks.place_order(store, np.array([-1, 999_999, 1], np.int64))
    assert places.tolist() == [2, 0, 1]
