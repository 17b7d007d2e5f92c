"""Saved views in the real window: save, reopen the store, recall from the menu; the
Views panel's rename, delete and reorder; snapshot and export with ``--view``; View ▸
Fit map to events."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit, QMessageBox

from desktop_app.cli import main
from desktop_app.core.filter import Filter
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.store.views import SavedView, find_view, save_view, view_names
from desktop_app.ui.export.render import view_info
from desktop_app.ui.panels.shortcuts import menu_shortcuts
from tests.mapping import PAGE_TIMEOUT_MS, open_window, visible_ids

STRIKES = Filter(categories=frozenset({"strike"}))


def _wait_extent(
    qtbot, window, lat: float, lon: float, zoom: float, pixels: float = 0.0
) -> dict:
    """Wait until the page shows ``zoom`` centred on ``lat``, ``lon``: exactly, or within
    ``pixels`` screen pixels (Leaflet keeps its map's origin on whole pixels)."""
    found: list[dict] = []
    # Degrees of longitude per screen pixel at ``zoom`` (256-pixel tiles).
    near = max(1e-6, pixels * 360 / (256 * 2**zoom))

    def there() -> bool:
        info = view_info(window.map_view)
        found[:] = [info]
        return (
            info["zoom"] == zoom and abs(info["lat"] - lat) < near and abs(info["lon"] - lon) < near
        )

    try:
        qtbot.waitUntil(there, timeout=10_000)
    except Exception:
        raise AssertionError(f"the map shows {found}") from None
    return found[0]


def _resize(qtbot, window) -> None:
    """Give ``window`` one size and wait until the page has measured its map."""
    window.resize(900, 650)
    view = window.map_view

    def measured() -> bool:
        return view_info(view)["size"] == [view.width(), view.height()]

    qtbot.waitUntil(measured, timeout=10_000)


def _menu(window, title: str):
    return next(a.menu() for a in window.menuBar().actions() if a.text() == title)


def test_a_saved_view_comes_back_in_a_new_window(qtbot, seed_db):
    first = open_window(qtbot, seed_db)
    _resize(qtbot, first)
    chosen = TimeWindow(first.state.window.start - 3, first.state.window.end - 2)
    first.state.set_window(chosen)
    first.state.set_filter(STRIKES)
    strikes = [e.id for e in first.store.matching_events(STRIKES, chosen) if e.place]
    assert len(strikes) >= 2
    first.state.select(strikes[:2])
    first.state.set_current(strikes[1])
    first.map_view.page_api.show_extent(49.5, 34.25, 7)
    map_size = _wait_extent(qtbot, first, 49.5, 34.25, 7)["size"]
    assert first.views.save_current("Strikes near Kharkiv") is not None
    # The window then shows something else, which the next window starts from.
    first.state.set_filter(Filter())
    first.state.select([])
    first.state.set_window(chosen.shifted(-40))
    first.map_view.page_api.show_extent(41.0, 29.0, 5)
    _wait_extent(qtbot, first, 41.0, 29.0, 5)
    first.close()

    second = open_window(qtbot, seed_db)
    # A map of another size would zoom out to keep the saved bounds in view.
    _resize(qtbot, second)
    assert view_info(second.map_view)["size"] == map_size
    assert second.state.window != chosen and second.state.filter.is_empty
    recall = second.views.recall_actions()
    assert [a.text() for a in recall] == ["&1 Strikes near Kharkiv"]
    assert recall[0].shortcut().toString() == "Ctrl+1"
    recall[0].trigger()
    assert second.state.window == chosen
    assert second.state.filter == STRIKES
    assert set(second.state.selection) == set(strikes[:2])
    assert second.state.current == strikes[1]
    # Read back from the real page: the centre and zoom that were saved, to a pixel.
    info = _wait_extent(qtbot, second, 49.5, 34.25, 7, pixels=1)
    assert visible_ids(qtbot, second.map_view) == set(strikes) & {
        e.id for e in second.store.events_between(chosen) if e.place
    }
    assert info["zoom"] == 7


def test_the_views_menu_numbers_views_and_its_keys_are_free(qtbot, seed_db):
    with EventStore(seed_db) as store:
        for n in range(11):
            save_view(store, SavedView(f"View {n + 1}", TimeWindow(20234.0 + n, 20240.0 + n)))
    window = open_window(qtbot, seed_db)
    menu = _menu(window, "Vie&ws")
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[:2] == ["&Save view…", "Saved views &panel"]
    assert texts[2:4] == ["&1 View 1", "&2 View 2"] and texts[-1] == "View 11"
    keys = [a.shortcut().toString() for a in window.views.recall_actions()]
    assert keys[:9] == [f"Ctrl+{n}" for n in range(1, 10)] and keys[9:] == ["", ""]
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    shortcuts = [keys for keys, _what in menu_shortcuts(menus)]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"
    for key in ("Ctrl+Shift+S", "Ctrl+0", "Ctrl+G", "Ctrl+9"):
        assert key in shortcuts
    window.views.recall_actions()[10].trigger()
    assert window.state.window == TimeWindow(20244.0, 20250.0)


def test_the_views_panel_renames_deletes_and_reorders_for_good(qtbot, seed_db, monkeypatch):
    with EventStore(seed_db) as store:
        for name in ("Talks", "Strikes", "Summit"):
            save_view(store, SavedView(name, TimeWindow(20234.0, 20240.0)))
    window = open_window(qtbot, seed_db)
    window.views_dock.show()
    panel = window.views_panel
    assert panel.names() == ["Talks", "Strikes", "Summit"]
    # Each entry says what its view shows.
    assert "May 2025" in panel.list.item(1).toolTip()

    # F2 edits the name in place; Enter keeps it.
    panel.list.setCurrentRow(0)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_F2)
    editor = panel.list.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Istanbul talks")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.names()[0] == "Istanbul talks")

    # Del asks, then deletes.
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    panel.list.setCurrentRow(1)
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert panel.names() == ["Istanbul talks", "Summit"]

    # Down moves the chosen view; a drop moves the list's row, which is kept too.
    panel.list.setCurrentRow(0)
    panel.down_button.click()
    assert panel.names() == ["Summit", "Istanbul talks"]
    assert panel.list.currentItem().text() == "Istanbul talks"
    window.views.save_current("Later")
    assert panel.names() == ["Summit", "Istanbul talks", "Later"]
    panel.list.model().moveRow(panel.list.rootIndex(), 2, panel.list.rootIndex(), 0)
    qtbot.waitUntil(lambda: window.views.names() == ["Later", "Summit", "Istanbul talks"])
    menu_names = [a.text() for a in window.views.recall_actions()]
    assert menu_names == ["&1 Later", "&2 Summit", "&3 Istanbul talks"]
    window.close()
    with EventStore(seed_db) as store:
        assert view_names(store) == ["Later", "Summit", "Istanbul talks"]


def test_a_read_only_store_refuses_to_save_a_view_and_says_why(qtbot, seed_db):
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(EventStore(seed_db, read_only=True))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    window.views.save_dialog()  # says so at once: no name is asked for
    message = window.notice.text.text()
    assert "The view was not saved" in message and "read-only; views cannot be saved" in message
    assert window.views.save_current("Anything") is None
    assert view_names(window.store) == []


def test_fit_map_to_events_shows_every_visible_event(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    span = window.index.bounds
    window.state.set_window(TimeWindow(span[0], span[1] + 1))
    window.map_view.page_api.show_extent(0.0, -60.0, 6)
    _wait_extent(qtbot, window, 0.0, -60.0, 6)
    shown = visible_ids(qtbot, window.map_view)
    assert len(shown) > 20
    window.fit_action.trigger()
    qtbot.waitUntil(lambda: view_info(window.map_view)["zoom"] != 6, timeout=10_000)
    south, west, north, east = view_info(window.map_view)["bounds"]
    for event in window.store.events(sorted(shown)):
        assert south <= event.place.lat <= north and west <= event.place.lon <= east, event.title
    # With a filter, the map fits only what the filter shows.
    window.state.set_filter(Filter(place="Vilnius"))
    qtbot.waitUntil(lambda: len(visible_ids(qtbot, window.map_view)) >= 1)
    window.fit_action.trigger()
    qtbot.waitUntil(lambda: view_info(window.map_view)["zoom"] == 9, timeout=10_000)
    info = view_info(window.map_view)
    assert abs(info["lat"] - 54.69) < 0.5 and abs(info["lon"] - 25.28) < 0.5


def _image(path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _differing_pixels(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    return sum(
        1
        for y in range(0, a.height(), 4)
        for x in range(0, a.width(), 4)
        if a.pixel(x, y) != b.pixel(x, y)
    )


@pytest.mark.parametrize("size", ["640x400"])
def test_snapshot_with_a_view_renders_its_window(qtbot, seed_db, tmp_path, size):
    runner = CliRunner()
    with EventStore(seed_db) as store:
        # The dates --from 2025-05-31 --to 2025-06-02 name, as a view without an extent.
        save_view(store, SavedView("Last days", TimeWindow(20239.0, 20242.0)))
        save_view(store, SavedView("Earlier", TimeWindow(20200.0, 20230.0)))
    by_dates, by_view, other = tmp_path / "dates.png", tmp_path / "view.png", tmp_path / "o.png"
    for args in (
        ["-o", str(by_dates), "--from", "2025-05-31", "--to", "2025-06-02"],
        ["-o", str(by_view), "--view", "Last days"],
        ["-o", str(other), "--view", "Earlier"],
    ):
        result = runner.invoke(
            main, ["snapshot", "--db", str(seed_db), "--size", size, *args], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
    assert _differing_pixels(_image(by_dates), _image(by_view)) == 0
    assert _differing_pixels(_image(by_dates), _image(other)) > 100


def test_export_with_a_view_uses_its_dates_and_extent(qtbot, seed_db, tmp_path):
    window = open_window(qtbot, seed_db)
    _resize(qtbot, window)
    window.state.set_window(TimeWindow(20239.0, 20242.0))
    window.map_view.page_api.show_extent(46.5, 31.0, 8)
    _wait_extent(qtbot, window, 46.5, 31.0, 8)
    window.views.save_current("Mykolaiv")
    saved = find_view(window.store, "Mykolaiv")
    window.close()
    out = tmp_path / "mykolaiv.png"
    result = CliRunner().invoke(
        main,
        ["export", "png", "-o", str(out), "--db", str(seed_db), "--view", "Mykolaiv",
         "--size", "900x650", "--no-caption"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert saved.extent is not None and saved.extent.zoom == 8
    fitted = tmp_path / "fitted.png"
    result = CliRunner().invoke(
        main,
        ["export", "png", "-o", str(fitted), "--db", str(seed_db), "--from", "2025-05-31",
         "--to", "2025-06-02", "--size", "900x650", "--no-caption"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # Same dates, another extent: the view's zoom 8 over Mykolaiv is not the fitted map.
    assert _differing_pixels(_image(out), _image(fitted)) > 1000
