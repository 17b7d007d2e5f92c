"""File ▸ Recent stores: the latest first, eight at most, missing files greyed out, and
choosing one opens it as File ▸ Open does; and the last export folder is remembered."""

from __future__ import annotations

import shutil

from desktop_app.ui import settings as opt
from desktop_app.ui.export.compose import SnapshotOptions
from desktop_app.ui.export.dialog import ExportDialog, ExportSettings
from desktop_app.ui.settings import Settings
from desktop_app.ui.views.recent import remember_store, remembered_stores
from tests.mapping import PAGE_TIMEOUT_MS, open_window


def _entries(window) -> list[tuple[str, bool]]:
    menu = window.recent_stores.menu
    menu.aboutToShow.emit()
    return [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


def test_recent_stores_latest_first_once_each_and_at_most_eight(tmp_path):
    settings = Settings()
    paths = [tmp_path / f"s{n}.db" for n in range(10)]
    for path in paths:
        remember_store(settings, path)
    remember_store(settings, paths[3])
    recent = remembered_stores(Settings())
    assert recent == [paths[n].resolve() for n in (3, 9, 8, 7, 6, 5, 4, 2)]
    # A hand-edited file with one path reads as a list of one.
    settings.set(opt.RECENT_STORES, [str(paths[0])])
    settings.sync()
    assert remembered_stores(Settings()) == [paths[0]]


def test_the_menu_opens_a_recent_store_and_greys_out_a_missing_one(qtbot, seed_db, tmp_path):
    other, gone = tmp_path / "other.db", tmp_path / "gone.db"
    shutil.copy(seed_db, other)
    shutil.copy(seed_db, gone)
    window = open_window(qtbot, seed_db)
    assert window.open_store(gone) and window.open_store(other)
    assert window.open_store(seed_db)
    assert _entries(window) == [("&1 seed.db", True), ("&2 other.db", True), ("&3 gone.db", True)]

    gone.unlink()
    entries = _entries(window)
    assert entries[2] == ("&3 gone.db", False)
    missing = [a for a in window.recent_stores.menu.actions() if a.text() == "&3 gone.db"][0]
    assert "no longer there" in missing.toolTip()

    # Choosing one switches the store, as File ▸ Open does.
    [a for a in window.recent_stores.menu.actions() if a.text() == "&2 other.db"][0].trigger()
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    assert window.store.path == other
    assert window.windowTitle().startswith("other.db")
    assert _entries(window)[0] == ("&1 other.db", True)

    forget = [a for a in window.recent_stores.menu.actions() if "Forget" in a.text()][0]
    forget.trigger()
    assert [text for text, _on in _entries(window)] == ["&1 other.db", "&2 seed.db"]
    window.close()
    assert remembered_stores(Settings()) == [other.resolve(), seed_db.resolve()]


def test_the_last_export_folder_is_where_the_next_export_starts(qtbot, seed_db, tmp_path):
    window = open_window(qtbot, seed_db)
    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.browse_start() == ""
    folder = tmp_path / "exports"
    folder.mkdir()
    settings = ExportSettings(
        "csv", folder / "events.csv", SnapshotOptions(title="Events", size=(640, 400))
    )
    assert window._export_actions.run(settings, window)
    assert (folder / "events.csv").is_file()
    window.close()

    # Another session: a new window, its first export dialog.
    again = open_window(qtbot, seed_db)
    dialog = ExportDialog(again)
    qtbot.addWidget(dialog)
    assert dialog.browse_start() == str(folder.resolve())
    dialog.path_edit.setText(str(tmp_path / "typed.png"))
    assert dialog.browse_start() == str(tmp_path / "typed.png")
    # A folder that is gone is not offered.
    shutil.rmtree(folder)
    assert ExportDialog(again).browse_start() == ""
