"""TimelineKeys: the timeline's keys work while another view (the map) has the focus."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

from desktop_app.ui.timeline.input import SHARED_KEYS
from desktop_app.ui.timeline.widget import TimelineWidget


class TimelineKeys(QObject):
    """An event filter that hands the timeline's stepping and playing keys to ``timeline``.

    Installed on the map's focus widget: Left/Right step the window, Home/End go to the
    first and last event, Space plays, wherever the user's eyes are. Zoom keys stay with
    the map. Keys with Ctrl, Alt or Meta pass through (they belong to menus).
    """

    def __init__(self, timeline: TimelineWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeline = timeline

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        chords = (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if event.key() not in SHARED_KEYS or event.modifiers() & chords:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            # Claim the key before any shortcut does; the press comes next.
            event.accept()
            return True
        self._timeline.keyPressEvent(event)
        return event.isAccepted()
