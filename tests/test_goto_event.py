"""Go to event… (Ctrl+G): by id or by words, it selects the event, centres the map on
it and moves the time window to it when needed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.core.window import TimeWindow
from desktop_app.ui.export.render import view_info
from desktop_app.ui.views.goto import find_events
from tests.mapping import open_window, visible_ids


def _centred_on(qtbot, window, event) -> None:
    def there() -> bool:
        info = view_info(window.map_view)
        south, west, north, east = info["bounds"]
        return south < event.place.lat < north and west < event.place.lon < east

    qtbot.waitUntil(there, timeout=10_000)


def test_find_events_by_id_and_by_words(seed_store):
    kharkiv = [e for e in seed_store.all_events() if "Kharkiv" in e.title]
    assert kharkiv
    by_id = find_events(seed_store, str(kharkiv[0].id))
    assert by_id[0].id == kharkiv[0].id
    assert find_events(seed_store, f"#{kharkiv[0].id}")[0].id == kharkiv[0].id
    by_words = find_events(seed_store, "kharkiv strikes")
    assert by_words and {e.id for e in by_words} >= {
        e.id for e in kharkiv if "strikes" in e.title.lower()
    }
    assert find_events(seed_store, "kharki*")
    assert find_events(seed_store, "zzzz nothing like it") == []
    assert find_events(seed_store, '"unclosed') == []  # a query it cannot read finds nothing


def test_go_to_an_event_by_words_moves_the_window_and_selects_it(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    # A window weeks before the talks: the event is not in it.
    window.state.set_window(TimeWindow(20100.0, 20110.0))
    target = next(e for e in window.store.all_events() if e.place and "Vilnius" in e.place.name)
    t0, _t1 = target.span
    assert not window.state.window.overlaps(*target.span)
    window.map_view.page_api.show_extent(10.0, -40.0, 5)
    dialog = window.go_to_event_dialog()
    qtbot.keyClicks(dialog.search, "Vilnius")
    assert dialog.found.count() >= 1
    texts = [dialog.found.item(r).text() for r in range(dialog.found.count())]
    row = next(r for r, text in enumerate(texts) if text.startswith(f"#{target.id} "))
    dialog.found.setCurrentRow(row)
    qtbot.keyClick(dialog.found, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    state = window.state
    assert state.current == target.id and state.selection == (target.id,)
    assert state.window.overlaps(*target.span)
    assert abs(state.window.duration - 10.0) < 1e-9
    assert abs((state.window.start + state.window.end) / 2 - t0) < 1e-9
    _centred_on(qtbot, window, target)
    assert target.id in visible_ids(qtbot, window.map_view)


def test_go_to_an_event_by_id_keeps_a_window_that_shows_it(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    shown = window.state.window
    target = next(e for e in window.store.events_between(shown) if e.place)
    window.state.select([target.id])
    # The user looked elsewhere since selecting it: going to it again centres it again.
    window.map_view.page_api.show_extent(10.0, -40.0, 5)
    qtbot.waitUntil(lambda: abs(view_info(window.map_view)["lon"] + 40.0) < 1e-6)
    dialog = window.go_to_event_dialog()
    dialog.search.setText(str(target.id))
    assert dialog.chosen_id() == target.id
    dialog.accept()
    assert window.state.window == shown
    assert window.state.current == target.id
    _centred_on(qtbot, window, target)
