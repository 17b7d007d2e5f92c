"""What the window tells the user: messages that can be seen, and stay when they matter."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.dates import event_span
from desktop_app.core.window import TimeWindow
from desktop_app.ui.words import last_shown, window_in_words
from tests.mapping import open_window

DAY = event_span("2025-06-02", None, "day")[0]


def test_status_messages_are_visible_beside_the_counts(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    window.resize(1000, 700)
    window.statusBar().showMessage("Wrote map.png")
    qtbot.wait(50)
    bar = window.statusBar()
    # The counts keep to their own width; the message has the rest of the bar.
    assert window.status.width() < bar.width() * 0.7
    assert bar.currentMessage() == "Wrote map.png"


def test_an_export_leaves_a_notice_with_its_folder(qtbot, seed_db, tmp_path):
    from desktop_app.ui.export.compose import SnapshotOptions
    from desktop_app.ui.export.dialog import ExportSettings

    window = open_window(qtbot, seed_db)
    out = tmp_path / "events.geojson"
    settings = ExportSettings("geojson", out, SnapshotOptions("t", None), everything=True)
    assert window._export_actions.run(settings, window)
    assert window.notice.isVisible()
    assert str(out) in window.notice.text.text()
    assert window.notice.folder == tmp_path and window.notice.folder_button.isVisible()
    window.notice.findChildren(type(window.notice.folder_button))  # still there
    window.notice.hide()
    assert not window.notice.isVisible()


def test_notice_shows_text_as_text(qtbot):
    from desktop_app.ui.panels.notice import NoticeBar

    bar = NoticeBar()
    qtbot.addWidget(bar)
    bar.show_notice("<b>not bold</b>", None)
    assert bar.text.text() == "<b>not bold</b>" and bar.text.textFormat().name == "PlainText"
    assert not bar.folder_button.isVisibleTo(bar)


def test_read_only_store_opens_with_a_notice(qtbot, seed_db):
    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow(EventStore(seed_db, read_only=True))
    qtbot.addWidget(window)
    window.show()
    assert window.notice.isVisible()
    assert "viewing only" in window.notice.text.text()


def test_one_convention_for_a_window_everywhere():
    # Whole days: the last day shown is named, and included.
    three_days = TimeWindow(DAY - 2, DAY + 1)
    assert window_in_words(three_days) == "31 May – 2 June 2025"
    assert last_shown(three_days) == DAY
    # Hours: the end time is the end.
    hours = TimeWindow(DAY + 0.25, DAY + 0.5)
    assert last_shown(hours) == DAY + 0.5


def test_timeline_names_the_last_day_shown(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    window.state.set_window(TimeWindow(DAY - 2, DAY + 1))
    description = window.timeline.timeline.accessibleDescription()
    assert "31 May – 2 June 2025" in description
    assert "3 June" not in description
    assert Path(seed_db).name in window.windowTitle()
