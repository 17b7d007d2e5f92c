"""The event table's model and panel over a real 100k-event store: rows, orders, data,
window and filter, copying, exporting and how untrusted text is shown."""

from __future__ import annotations

import csv
import io
import random
import shutil

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.core.categories import category
from desktop_app.core.event import Event, Place
from desktop_app.core.filter import Filter
from desktop_app.core.index import EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.exporters import restore_spreadsheet_text
from desktop_app.ingest.geojson import read_geojson
from desktop_app.store.event_store import EventStore
from desktop_app.ui.panels.table import EventTablePanel
from desktop_app.ui.table.model import COLUMN_KEYS, KEPT_PAGES, PAGE_ROWS, EventTableModel
from desktop_app.ui.view_state import ViewState
from tests.mapping import FIRST_DAY, synthetic_store

# The 100k-event store takes tens of seconds to make, once per session.
pytestmark = pytest.mark.slow

N = 100_000
WAIT_MS = 60_000
#: 40 days in the busy last year of the synthetic store: a few thousand events.
WINDOW = TimeWindow(FIRST_DAY + 800, FIRST_DAY + 840)


@pytest.fixture(scope="session")
def _big_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("table") / "100k.db"
    with synthetic_store(path, N) as store:
        # A few events without a place, as real data has ("timeline only").
        store.add_events(
            Event(uid=f"noplace-{k}", title=f"Statement without a place {k}",
                  start=f"2024-05-{10 + k:02d}", category="statement", sources=("Reuters",))
            for k in range(5)
        )  # fmt: skip
        store.arrays()
    return path


@pytest.fixture
def big_store(tmp_path, _big_template):
    path = tmp_path / "100k.db"
    shutil.copy(_big_template, path)
    store = EventStore(path)
    yield store
    store.close()


def open_table(qtbot, store: EventStore, window: TimeWindow = WINDOW):
    state = ViewState(window)
    index = EventIndex(store.arrays())
    panel = EventTablePanel(state, lambda: store, lambda: index)
    qtbot.addWidget(panel)
    panel.resize(1000, 500)
    panel.show()
    settle(qtbot, panel.model)
    return state, panel


def settle(qtbot, model: EventTableModel) -> None:
    qtbot.waitUntil(lambda: not model.busy, timeout=WAIT_MS)


def ordered_in_sql(store: EventStore, window: TimeWindow, order: str) -> list[int]:
    sql = f"""SELECT e.id FROM events e LEFT JOIN places p ON p.id = e.place_id
              WHERE e.t0 < ? AND (e.t1 > ? OR e.t0 >= ?) ORDER BY {order}"""
    rows = store.db.execute(sql, [window.end, window.start, window.start])
    return [r[0] for r in rows]


def test_rows_are_the_window_and_sorts_match_the_store(qtbot, big_store):
    state, panel = open_table(qtbot, big_store)
    model = panel.model
    assert 1000 < model.rowCount() == big_store.count_between(WINDOW)
    assert model.ids.tolist() == ordered_in_sql(big_store, WINDOW, "e.t0, e.id")
    column = COLUMN_KEYS.index
    desc = Qt.SortOrder.DescendingOrder
    model.sort(column("title"))
    settle(qtbot, model)
    by_title = ordered_in_sql(big_store, WINDOW, "e.title COLLATE NOCASE, e.t0, e.id")
    assert model.ids.tolist() == by_title
    model.sort(column("title"), desc)
    assert model.ids.tolist() == by_title[::-1]
    model.sort(column("place"))
    settle(qtbot, model)
    by_place = ordered_in_sql(
        big_store, WINDOW, "p.name IS NULL, p.name COLLATE NOCASE, e.t0, e.id"
    )
    assert model.ids.tolist() == by_place
    model.sort(column("category"), desc)
    events = big_store.events(model.ids.tolist())
    labels = [category(e.category).label.casefold() for e in events]
    assert labels == sorted(labels, reverse=True) and len(set(labels)) > 3
    for label in set(labels):
        # Within a category, in order of start.
        starts = [e.start for e, lab in zip(events, labels, strict=True) if lab == label]
        assert starts == sorted(starts)
    # A column that cannot be sorted by leaves the order as it was.
    before = model.ids.tolist()
    model.sort(column("sources"))
    assert model.ids.tolist() == before


def test_data_at_random_rows_is_the_store_event(qtbot, big_store):
    _state, panel = open_table(qtbot, big_store, TimeWindow(FIRST_DAY, FIRST_DAY + 3 * 365))
    model = panel.model
    assert model.rowCount() == N + 5
    rng = random.Random(7)
    rows = rng.sample(range(model.rowCount()), 300)
    for row in rows:
        event = big_store.event(int(model.ids[row]))
        shown = [model.data(model.index(row, c)) for c in range(len(COLUMN_KEYS))]
        place = event.place
        assert shown == [
            event.start,
            event.title,
            (f"{place.name}, {place.country}" if place.country else place.name)
            if place
            else "timeline only",
            category(event.category).label,
            "; ".join(event.sources),
            str(event.precision),
        ]
    # Read a page at a time and only the last pages kept: never a row per event.
    assert len(model._pages) <= KEPT_PAGES
    assert sum(len(p) for p in model._pages.values()) <= KEPT_PAGES * PAGE_ROWS


def test_window_and_filter_changes_refill_the_rows(qtbot, big_store):
    state, panel = open_table(qtbot, big_store)
    model = panel.model
    later = TimeWindow(WINDOW.start + 100, WINDOW.start + 103)
    state.set_window(later)
    assert model.rowCount() == big_store.count_between(later)
    flt = Filter(categories={"strike"}, text="kharkiv")
    with qtbot.waitSignal(model.filled, timeout=WAIT_MS):
        state.set_filter(flt)
    settle(qtbot, model)
    expected = big_store.matching_ids(flt, later).tolist()
    assert 0 < len(expected) == model.rowCount()
    assert sorted(model.ids.tolist()) == expected
    state.set_window(WINDOW)
    assert sorted(model.ids.tolist()) == big_store.matching_ids(flt, WINDOW).tolist()
    # The search box sets the filter's text and keeps its other parts.
    panel.search.setText("zaporizhzhia")
    panel.apply_search()
    assert state.filter == Filter(categories={"strike"}, text="zaporizhzhia")
    settle(qtbot, model)
    assert sorted(model.ids.tolist()) == big_store.matching_ids(state.filter, WINDOW).tolist()
    # A query that cannot be read is said in one line, and changes nothing.
    panel.search.setText('"open quote')
    panel.apply_search()
    assert state.filter.text == "zaporizhzhia"
    assert panel.problem.isVisibleTo(panel) and "\n" not in panel.problem.text()
    state.set_filter(Filter())
    settle(qtbot, model)
    assert model.rowCount() == big_store.count_between(WINDOW)
    assert panel.search.text() == ""
    # The placeless events are rows too.
    may = TimeWindow(FIRST_DAY + 806, FIRST_DAY + 816)
    state.set_window(may)
    placeless = [
        r for r in range(model.rowCount()) if model.event_at(r).place is None
    ]
    assert len(placeless) == 5
    cell = model.index(placeless[0], COLUMN_KEYS.index("place"))
    assert model.data(cell) == "timeline only"


def test_a_hidden_table_catches_up_when_shown(qtbot, big_store):
    state, panel = open_table(qtbot, big_store)
    panel.hide()
    later = TimeWindow(WINDOW.start + 10, WINDOW.start + 12)
    state.set_window(later)
    assert panel.model.rowCount() == big_store.count_between(WINDOW)
    panel.show()
    assert panel.model.rowCount() == big_store.count_between(later)
    # Nor does a hidden table query the store for a filter: it does when shown.
    panel.hide()
    flt = Filter(text="kherson")
    state.set_filter(flt)
    assert not panel.model.busy
    panel.show()
    assert panel.model.busy
    settle(qtbot, panel.model)
    assert sorted(panel.model.ids.tolist()) == big_store.matching_ids(flt, later).tolist()


def select_rows(panel, rows) -> None:
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        panel.view.selectionModel().select(panel.model.index(row, 0), flags)


def test_copy_puts_the_selected_rows_as_tab_separated_text(qtbot, big_store):
    state, panel = open_table(qtbot, big_store)
    select_rows(panel, [4, 2, 9])
    ids = [int(panel.model.ids[r]) for r in (2, 4, 9)]
    assert set(state.selection) == set(ids)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    lines = list(csv.reader(io.StringIO(text), delimiter="\t"))
    assert lines[0] == ["Date", "Title", "Place", "Category", "Sources", "Precision"]
    events = big_store.events(ids)
    assert [line[1] for line in lines[1:]] == [e.title for e in events]
    assert [line[0] for line in lines[1:]] == [e.start for e in events]


def hostile_store(tmp_path) -> EventStore:
    store = EventStore(tmp_path / "hostile.db")
    store.add_events([
        Event(uid="h1", title="<b>bold</b> <img src=x onerror=alert(1)>\u202eexe.txt\x07\nnext",
              start="2025-06-01", category="strike", place=Place("=HYPERLINK(\"x\")", 50, 30),
              sources=("@evil", "Reuters\tTab")),
        Event(uid="h2", title="تقرير عن الضربة", start="2025-06-02", category="statement"),
    ])  # fmt: skip
    return store


def test_untrusted_text_shows_and_copies_as_plain_text(qtbot, tmp_path):
    store = hostile_store(tmp_path)
    _state, panel = open_table(qtbot, store, TimeWindow(20240.0, 20242.0))
    model = panel.model
    title = model.data(model.index(0, COLUMN_KEYS.index("title")))
    # Markup is only text; controls and bidi overrides are shown as U+FFFD, one line.
    assert title == "<b>bold</b> <img src=x onerror=alert(1)>\ufffdexe.txt\ufffd next"
    tip = model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>" not in tip
    # A right-to-left title is shown as it is.
    assert model.data(model.index(1, 1)) == "تقرير عن الضربة"
    select_rows(panel, [0, 1])
    text = panel.copy_rows()
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    assert len(rows) == 3 and all(len(r) == len(COLUMN_KEYS) for r in rows)
    first = rows[1]
    # Spreadsheet-safe: a formula-looking cell starts with ', and no cell breaks the row.
    assert first[2] == "'=HYPERLINK(\"x\")"
    assert first[4] == "'@evil; Reuters Tab"
    assert restore_spreadsheet_text(first[2]) == '=HYPERLINK("x")'
    store.close()


def test_export_writes_exactly_the_rows_shown(qtbot, big_store, tmp_path):
    state, panel = open_table(qtbot, big_store)
    flt = Filter(categories={"diplomacy"})
    state.set_filter(flt)
    settle(qtbot, panel.model)
    panel.model.sort(COLUMN_KEYS.index("date"), Qt.SortOrder.DescendingOrder)
    shown = panel.model.ids.tolist()
    assert 10 < len(shown) < big_store.count_between(WINDOW)
    uids = [e.uid for e in big_store.events(shown)]
    for fmt in ("csv", "geojson"):
        path = tmp_path / f"rows.{fmt}"
        with qtbot.waitSignal(panel.told, timeout=WAIT_MS) as told:
            panel.export_rows(fmt, path)
        assert told.args[1] == path and f"{len(shown):,} rows" in told.args[0]
        if fmt == "geojson":
            batch = read_geojson(path)
            assert [e.uid for e in batch.events] == uids
        else:
            with open(path, encoding="utf-8-sig", newline="") as f:
                titles = [row["title"] for row in csv.DictReader(f)]
            assert titles == [e.title for e in big_store.events(shown)]
    # A place that cannot be written is told in one line.
    with qtbot.waitSignal(panel.told, timeout=WAIT_MS) as told:
        panel.export_rows("csv", tmp_path / "missing" / "folder" / "rows.csv")
    assert told.args[1] is None and "\n" not in told.args[0] and "rows.csv" in told.args[0]


def test_the_filter_mask_agrees_with_the_store(qtbot, big_store):
    """The filter runs off the GUI thread, on a connection of its own, and its answer
    lines up with the index's rows."""
    state, panel = open_table(qtbot, big_store)
    flt = Filter(text="kupiansk")
    state.set_filter(flt)
    assert panel.model.busy
    settle(qtbot, panel.model)
    index = EventIndex(big_store.arrays())
    whole = TimeWindow(FIRST_DAY, FIRST_DAY + 3 * 365)
    state.set_window(whole)
    expected = big_store.matching_ids(flt)
    assert np.array_equal(np.sort(panel.model.ids), expected)
    assert len(expected) > 1000 and len(index) == N + 5


@pytest.mark.parametrize(
    "text", ["kupiansk", "kharki*", '"strike near"', "reuters", "12345", "vilnius strike", "zzz"]
)
def test_the_text_indexes_find_what_the_filter_finds(big_store, text):
    """The table's search reads the text indexes alone: the same events as the filter."""
    expected = big_store.matching_ids(Filter(text=text))
    assert np.array_equal(big_store.text_ids(text), expected)
    assert (len(expected) == 0) == (text == "zzz")
