"""Opening a big store: the window shows at once, says it is loading, stays responsive,
and fills in with the events read in a worker; a damaged store says so; a store opened
while another is still being read never shows the other's events."""

from __future__ import annotations

import os
import shutil
import sqlite3

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from desktop_app.store.event_store import EventStore
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.tasks import background_runner
from tests.mapping import PAGE_TIMEOUT_MS, js, synthetic_store, visible_ids

BIG = 200_000
#: Generous: a 200,000-event store is read in a few hundred milliseconds on a quiet
#: machine, and the loop ticks every 20 ms meanwhile; a blocked GUI thread ticks never.
MIN_TICKS_WHILE_READING = 2


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory):
    """A real store of 200,000 synthetic events (made once for this file)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    with synthetic_store(path, BIG) as store:
        store.arrays()
    return path


class Ticks:
    """A 20 ms timer on the GUI thread, counting its ticks and what the timeline said."""

    def __init__(self, window_getter) -> None:
        self.count = 0
        self.while_reading = 0
        self.said: list[str] = []
        self._window = window_getter
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.count += 1
        window = self._window()
        if window is not None and window.is_reading:
            self.while_reading += 1
            text = window.timeline.timeline.loading
            if text and text not in self.said:
                self.said.append(text)


def _open(qtbot, path) -> tuple[MainWindow, Ticks]:
    holder: list[MainWindow] = []
    ticks = Ticks(lambda: holder[0] if holder else None)
    window = MainWindow(EventStore(path))
    holder.append(window)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    return window, ticks


def test_a_big_store_shows_loading_then_its_events_and_the_loop_keeps_ticking(
    qtbot, big_db, tmp_path
):
    window, ticks = _open(qtbot, big_db)
    # The window is up before the events are: empty views that say they are coming.
    assert window.is_reading
    assert len(window.index) == 0
    assert window.timeline.timeline.loading.startswith("Loading")
    assert window.status.text().startswith("Loading")
    window.grab().save(str(tmp_path / "loading.png"))
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    # The count comes first, from the store's kept columns, before they are read.
    assert ticks.said[-1] == "Loading 200,000 events…", ticks.said
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    ticks.timer.stop()
    assert ticks.while_reading >= MIN_TICKS_WHILE_READING, ticks.while_reading
    # Every view shows the store's events now.
    assert len(window.index) == BIG
    assert window.timeline.timeline.loading is None
    assert len(window.timeline.timeline.index) == BIG
    assert js(qtbot, window.map_view, "EventAtlas.n") == BIG
    shown = visible_ids(qtbot, window.map_view)
    assert shown and shown <= set(window.index.ids_in(window.state.window).tolist())
    assert window.status.text().startswith(f"{len(shown):,} on the map")
    # The place names come after the first paint, found in a worker.
    qtbot.waitUntil(lambda: window.map_view.has_place_names, timeout=PAGE_TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: js(qtbot, window.map_view, "EventAtlas.drawnLabels().length") > 0,
        timeout=PAGE_TIMEOUT_MS,
    )
    labels = js(qtbot, window.map_view, "EventAtlas.drawnLabels()")
    names = {box["text"] for box in labels if not box.get("country")}
    assert names and all(" " in name for name in names)  # "Kharkiv 17": the synthetic places
    window.grab().save(str(tmp_path / "loaded.png"))


def test_the_timeline_density_is_read_once_with_the_events(qtbot, big_db):
    window, ticks = _open(qtbot, big_db)
    ticks.timer.stop()
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    data = window.timeline.timeline.data
    # The timeline shows the data the worker made, not a copy rebuilt on the GUI thread.
    assert data.index is window.index
    assert data.density.total == BIG
    counts = data.density.counts(np.array([data.index.bounds[0] - 1, data.index.bounds[1] + 1]))
    assert round(float(counts.sum())) == BIG


def test_a_window_never_shown_still_gets_its_timeline(qtbot, big_db):
    # No frame comes from a page never shown: the timeline does not wait for one.
    window = MainWindow(EventStore(big_db))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    assert len(window.timeline.timeline.index) == len(window.index) > 0


def _damaged_copy(source, target):
    """A copy of ``source`` whose last fifth is overwritten: it opens (its first pages are
    whole) but its events cannot be read."""
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copy(source, target)
    size = os.path.getsize(target)
    with open(target, "r+b") as file:
        at = int(size * 0.8) // 4096 * 4096
        file.seek(at)
        file.write(b"\xff" * (size - at))
    return target


def test_a_store_whose_events_cannot_be_read_says_so_in_one_line(qtbot, tmp_path):
    with synthetic_store(tmp_path / "small.db", 5000) as store:
        store.arrays()
    bad = _damaged_copy(tmp_path / "small.db", tmp_path / "damaged.db")
    window, ticks = _open(qtbot, bad)
    ticks.timer.stop()
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    message = window.notice.text.text()
    assert message.startswith(f"{bad}: cannot be read")
    assert "\n" not in message and "Traceback" not in message
    assert len(window.index) == 0
    assert window.timeline.timeline.loading is None
    # The page does not wait for events that will never come.
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    assert visible_ids(qtbot, window.map_view) == set()


def test_opening_another_store_while_one_is_read_shows_only_the_other(qtbot, big_db, seed_db):
    window, ticks = _open(qtbot, big_db)
    ticks.timer.stop()
    assert window.is_reading
    assert window.open_store(seed_db)
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    # The big store's reading may end after the seed store's: it must change nothing.
    assert background_runner().wait()
    qtbot.wait(200)
    with EventStore(seed_db) as seed:
        seed_ids = set(seed.arrays().ids.tolist())
    assert set(window.index.arrays.ids.tolist()) == seed_ids
    assert set(window.timeline.timeline.index.arrays.ids.tolist()) == seed_ids
    assert js(qtbot, window.map_view, "EventAtlas.n") == len(seed_ids)
    assert visible_ids(qtbot, window.map_view) <= seed_ids
    assert window.windowTitle().startswith("seed.db")
    qtbot.waitUntil(lambda: window.map_view.has_place_names, timeout=PAGE_TIMEOUT_MS)
    labels = js(qtbot, window.map_view, "EventAtlas.drawnLabels()")
    assert not any("#" in box["text"] or box["text"][-1:].isdigit() for box in labels)


def test_opening_a_big_store_from_the_window_shows_loading_then_its_events(qtbot, big_db, seed_db):
    window, ticks = _open(qtbot, seed_db)
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    before = ticks.while_reading
    assert window.open_store(big_db)
    assert window.is_reading and len(window.index) == 0
    assert window.timeline.timeline.loading.startswith("Loading")
    with qtbot.waitSignal(window.eventsRead, timeout=PAGE_TIMEOUT_MS):
        pass
    ticks.timer.stop()
    assert ticks.while_reading - before >= MIN_TICKS_WHILE_READING
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    assert len(window.index) == BIG
    assert js(qtbot, window.map_view, "EventAtlas.n") == BIG

