"""Help ▸ Keyboard shortcuts, and the timeline's keys while the map has the focus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.mapping import open_window


def test_shortcuts_list_comes_from_the_menus(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    rows = dict((what, keys) for keys, what in dialog.rows())
    export = QKeySequence("Ctrl+E").toString(QKeySequence.SequenceFormat.NativeText)
    assert rows["File ▸ Export snapshot"] == export
    assert "File ▸ Quit" in rows and "Help ▸ Keyboard shortcuts" in rows
    assert any(w.startswith("Timeline ▸ Play or pause") for w in rows)
    # Every action with a shortcut is listed: none is forgotten.
    listed = set(rows.values())
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            for key in action.shortcuts():
                assert any(
                    key.toString(QKeySequence.SequenceFormat.NativeText) in keys for keys in listed
                )


def test_timeline_keys_work_while_the_map_has_the_focus(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    proxy = window.map_view.focusProxy()
    before = window.state.window
    step = window.timeline.timeline.step_days()
    qtbot.keyClick(proxy, Qt.Key.Key_Right)
    assert window.state.window.start == before.start + step
    qtbot.keyClick(proxy, Qt.Key.Key_Left)
    assert window.state.window == before
    qtbot.keyClick(proxy, Qt.Key.Key_Home)
    assert window.state.window.start <= window.index.bounds[0] + 1
    # Zoom keys stay with the map: the timeline's view does not change.
    scale = window.timeline.timeline.scale()
    qtbot.keyClick(proxy, Qt.Key.Key_Plus)
    assert window.timeline.timeline.scale() == scale
