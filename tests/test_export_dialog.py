"""The export actions and dialog, on a real map view and store."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QWidget

from desktop_app.core.dates import event_span
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.actions import ExportActions
from desktop_app.ui.export.compose import caption_height
from desktop_app.ui.export.dialog import ExportDialog
from tests.mapping import open_map

DAY = event_span("2025-05-24", None, "day")[0]
WINDOW = TimeWindow(DAY, DAY + 10)


class Target(QWidget):
    """What the export actions need of a window: a store, the state, the map, notices."""

    def __init__(self, store: EventStore, map_view) -> None:
        super().__init__()
        self.store = store
        self.map_view = map_view
        self.state = map_view._state
        self.notices: list[tuple[str, object]] = []

    def notify(self, message: str, path=None) -> None:
        self.notices.append((message, path))


def test_actions_export_again_and_copy(qtbot, seed_db, tmp_path):
    with EventStore(seed_db) as store:
        view = open_map(qtbot, store, WINDOW, size=(700, 450))
        target = Target(store, view)
        qtbot.addWidget(target)
        actions = ExportActions(target)
        export, again, copy = actions.actions()
        assert copy.shortcut() == QKeySequence("Ctrl+Shift+C")
        assert not again.isEnabled()

        dialog = ExportDialog(target)
        qtbot.addWidget(dialog)
        dialog.path_edit.setText(str(tmp_path / "view.png"))
        dialog.size_box.setCurrentIndex(0)  # the current view
        settings = dialog.settings()
        assert settings.options.size is None and settings.fmt == "png"
        assert settings.options.title  # a default from the dataset

        assert actions.run(settings, None)
        assert target.notices[-1][1] == tmp_path / "view.png"
        image = QImage(str(tmp_path / "view.png"))
        assert (image.width(), image.height()) == (700, 450 + caption_height(1.0))
        assert again.isEnabled()

        (tmp_path / "view.png").unlink()
        again.trigger()
        assert (tmp_path / "view.png").exists()

        # A previous export fills the dialog in again.
        other = replace(settings, fmt="csv", path=tmp_path / "data.csv")
        assert ExportDialog(target, other).settings().fmt == "csv"
        assert actions.run(other, None)
        assert (tmp_path / "data.csv").read_text(encoding="utf-8-sig").startswith("title,")

        copy.trigger()
        assert QGuiApplication.clipboard().image().width() == 700
        actions.close_pages()


def test_every_label_shortcut_has_a_control_to_focus(qtbot, seed_db):
    from PySide6.QtWidgets import QLabel

    with EventStore(seed_db) as store:
        view = open_map(qtbot, store, WINDOW, size=(500, 350))
        target = Target(store, view)
        qtbot.addWidget(target)
        dialog = ExportDialog(target)
        qtbot.addWidget(dialog)
        labels = [w for w in dialog.findChildren(QLabel) if "&" in w.text()]
        assert len(labels) >= 8
        for label in labels:
            assert label.buddy() is not None, label.text()
        save_to = next(w for w in labels if w.text() == "&Save to:")
        assert save_to.buddy() is dialog.path_edit
        # Every control says what it is for.
        for control in (dialog.format_box, dialog.path_edit, dialog.size_box, dialog.fps_box):
            assert control.toolTip()
