"""Import in the window: the worker thread, progress and Cancel, the set-up dialog's column
mapping, the bad-row report and the article review, against real files and real stores."""

from __future__ import annotations

import csv
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.article import extract_article
from desktop_app.ingest.delimited import detect_columns
from desktop_app.ingest.pipeline import import_file
from desktop_app.ingest.reader import ReadOptions
from desktop_app.store.event_store import EventStore
from desktop_app.ui import settings as opt
from desktop_app.ui.importing.article_review import ArticleReviewDialog, ArticleTextDialog
from desktop_app.ui.importing.commands import ImportCommands
from desktop_app.ui.importing.dialogs import (
    ImportReportDialog,
    ImportSetupDialog,
    PreferencesDialog,
    preview_table,
)
from desktop_app.ui.tasks import SynchronousRunner
from tests.mapping import PAGE_TIMEOUT_MS, open_window

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "data" / "seed" / "negotiations-without-illusions.txt"


def write_csv(path: Path, rows: int, bad_every: int = 0) -> int:
    """Events near Kharkiv in March 1999 (far from the seed data); returns the good rows."""
    good = 0
    first = date(1999, 3, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "date", "latitude", "longitude", "title", "description"])
        for i in range(rows):
            if bad_every and i % bad_every == bad_every - 1:
                writer.writerow([f"r{i}", "not a date", "50.0", "36.2", f"Bad {i}", ""])
                continue
            day = first + timedelta(days=i % 20)
            writer.writerow(
                [f"r{i}", day.isoformat(), f"{49.9 + (i % 50) * 0.001:.4f}", "36.23",
                 f"Event {i}", f"Something happened near Kharkiv, number {i}."]
            )  # fmt: skip
            good += 1
    return good


def content(db_path: Path) -> list[str]:
    """Everything in a store, as SQL text, to compare before and after."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def settle(qtbot, window) -> None:
    """Wait for the map page an import reloaded: it reads the store as it loads, and the
    store closes with the window at the end of the test."""
    qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)


@pytest.fixture
def window(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    yield window
    window.imports.stop()


def test_csv_import_runs_in_the_worker_and_reloads_the_window(qtbot, window, tmp_path):
    path = tmp_path / "kharkiv.csv"
    good = write_csv(path, 400, bad_every=100)
    before = window.store.count()
    commands = window.imports
    setup = commands.import_path(path)
    assert isinstance(setup, ImportSetupDialog)
    assert setup.roles() == {
        "id": "id", "date": "date", "lat": "latitude", "lon": "longitude",
        "title": "title", "text": "description",
    }  # fmt: skip
    assert setup.on_error() == "skip"
    setup.accept()
    assert commands.busy
    assert not commands.import_action.isEnabled() and not commands.paste_action.isEnabled()
    qtbot.waitUntil(lambda: not commands.busy, timeout=30_000)
    assert commands.import_action.isEnabled() and commands.paste_action.isEnabled()
    settle(qtbot, window)

    progress = commands.last_progress
    assert progress is not None and progress.records == 400
    assert progress.fraction == 1.0
    assert window.store.count() == before + good
    assert len(window.index) == before + good  # the window read the store again
    moved = window.state.window
    assert moved.start <= (date(1999, 3, 1) - date(1970, 1, 1)).days < moved.end
    assert window.store.count_between(moved) == good
    assert "Imported 396 events" in window.statusBar().currentMessage()

    report = commands.dialog
    assert isinstance(report, ImportReportDialog)
    lines = report.text.toPlainText().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(f"{path}: line 101: ")
    assert "not a date" in lines[0]


def test_commands_connect_to_their_tasks_before_starting_them(qtbot, seed_db, tmp_path):
    # With a runner that runs the work at once, nothing the task says is lost.
    window = open_window(qtbot, seed_db)
    commands = ImportCommands(window, writes=SynchronousRunner(), background=SynchronousRunner())
    path = tmp_path / "kharkiv.csv"
    good = write_csv(path, 30)
    before = window.store.count()
    commands.import_path(path).accept()
    assert not commands.busy and commands.import_action.isEnabled()
    settle(qtbot, window)
    assert commands.last_progress is not None and commands.last_progress.records == 30
    assert window.store.count() == before + good
    assert "Imported 30 events" in window.statusBar().currentMessage()

    article = tmp_path / "talks.txt"
    article.write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert commands.import_path(article) is None
    text_dialog = commands.dialog
    assert isinstance(text_dialog, ArticleTextDialog)
    text_dialog.published.setText("2025-06-02")
    text_dialog.accept()
    assert isinstance(commands.dialog, ArticleReviewDialog)
    assert commands.task.ran_in == threading.get_ident()


def test_cancel_rolls_back_and_leaves_the_store_unchanged(qtbot, window, tmp_path):
    path = tmp_path / "many.csv"
    write_csv(path, 60_000)
    store_path = window.store.path
    before = content(store_path)
    commands = window.imports
    setup = commands.import_path(path)
    setup.accept()
    qtbot.waitUntil(lambda: commands.last_progress is not None, timeout=30_000)
    assert commands.last_progress.records < 60_000
    commands.progress_dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not commands.busy, timeout=30_000)
    assert "cancelled" in window.statusBar().currentMessage()
    assert content(store_path) == before
    assert window.store.search("Kharkiv number") == []


def test_abort_on_the_first_bad_row_saves_nothing_and_reports_it(qtbot, window, tmp_path):
    path = tmp_path / "bad.csv"
    write_csv(path, 50, bad_every=20)
    before = content(window.store.path)
    commands = window.imports
    setup = commands.import_path(path)
    setup.abort_radio.setChecked(True)
    setup.accept()
    qtbot.waitUntil(lambda: not commands.busy, timeout=30_000)
    assert content(window.store.path) == before
    report = commands.dialog
    assert isinstance(report, ImportReportDialog)
    assert "nothing was saved" in report.summary.text()
    assert report.text.toPlainText() == f"{path}: line 21: not a date: 'not a date'" or (
        report.text.toPlainText().startswith(f"{path}: line 21: ")
    )
    assert window.settings.get(opt.IMPORT_ON_ERROR) == "abort"


def test_column_mapping_dialog_gives_the_mapping_the_pipeline_uses(qtbot, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "Datum,Y,X,name,Story,Town\n"
        "03/04/2025,50.45,30.52,Anna,Talks in Kyiv,Kyiv\n"
        "05/04/2025,49.99,36.23,Oleh,Strike on Kharkiv,Kharkiv\n",
        encoding="utf-8",
    )
    preview = preview_table(path)
    dialog = ImportSetupDialog(path, "csv", preview)
    qtbot.addWidget(dialog)
    # "Datum" is not a name detection knows, but its values are dates; "name" was taken
    # for the title. Without a date column nothing can be imported.
    assert dialog.roles()["date"] == "Datum"
    assert dialog.roles()["title"] == "name"
    dialog.set_role("Datum", "")
    assert "date" not in dialog.roles()
    assert not dialog.import_button.isEnabled()
    dialog.set_role("Datum", "date")
    dialog.set_role("Story", "title")
    # A title is one column's: "name" keeps it too until the user takes it away.
    assert not dialog.import_button.isEnabled()
    dialog.set_role("name", "")
    assert dialog.roles() == {"date": "Datum", "lat": "Y", "lon": "X", "title": "Story",
                              "place": "Town"}  # fmt: skip
    assert dialog.import_button.isEnabled()
    assert dialog.preview.ambiguous_dates and dialog.dayfirst() is False
    assert "03/04" in dialog.notes.text()
    dialog.dayfirst_box.setCurrentIndex(dialog.dayfirst_box.findData(True))

    mapping = dialog.mapping()
    assert mapping["title"] == "Story" and mapping["text"] == ""
    assert detect_columns(preview.headers, mapping) == {
        "date": 0, "lat": 1, "lon": 2, "title": 4, "place": 5
    }  # fmt: skip
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(
            path,
            store,
            options=ReadOptions(columns=mapping, dayfirst=dialog.dayfirst()),
            on_error="abort",
        )
        assert report.added == 2
        events = store.all_events()
    assert [(e.title, e.start, e.place.name) for e in events] == [
        ("Talks in Kyiv", "2025-04-03", "Kyiv"),
        ("Strike on Kharkiv", "2025-04-05", "Kharkiv"),
    ]


def test_legacy_encoding_is_detected_shown_and_can_be_overridden(qtbot, tmp_path):
    path = tmp_path / "cyrillic.csv"
    path.write_bytes("date,lat,lon,title\n2025-06-02,50.45,30.52,Переговори у Києві\n".encode(
        "cp1251"
    ))  # fmt: skip
    dialog = ImportSetupDialog(path, "csv", preview_table(path))
    qtbot.addWidget(dialog)
    assert dialog.encoding() == "cp1251"
    assert "(detected)" in dialog.encoding_box.currentText()
    assert "not UTF-8" in dialog.notes.text()
    assert dialog.table.item(3, 1).text() == "Переговори у Києві"
    dialog.encoding_box.setCurrentIndex(dialog.encoding_box.findData("cp1252"))
    assert dialog.encoding() == "cp1252"
    assert dialog.table.item(3, 1).text() != "Переговори у Києві"
    assert dialog.roles()["title"] == "title"


def test_review_saves_exactly_the_kept_events_as_edited(qtbot, window):
    commands = window.imports
    text_dialog = commands.paste_article()
    assert isinstance(text_dialog, ArticleTextDialog)
    text_dialog.text.setPlainText(SEED_ARTICLE.read_text(encoding="utf-8"))
    text_dialog.published.setText("2025-06-02")
    text_dialog.accept()
    # The events are found in a worker; the review opens when they come back.
    qtbot.waitUntil(lambda: isinstance(commands.dialog, ArticleReviewDialog), timeout=30_000)
    review = commands.dialog
    count = len(review.candidates)
    assert count >= 10

    ambiguous = next(i for i, c in enumerate(review.candidates) if c.alternatives)
    other = review.candidates[ambiguous].alternatives[0]
    review.set_all(False)
    review.set_kept(0, True)
    review.set_date(0, "2025-05-30", DatePrecision.DAY)
    review.set_category(0, "humanitarian")
    review.set_kept(ambiguous, True)
    review.choose_alternative(ambiguous, 0)
    review.set_kept(2, True)
    review.set_date(2, "2025-13-45")
    assert not review.save_button.isEnabled()  # a kept row with a bad date
    review.set_kept(2, False)
    assert review.save_button.isEnabled()
    expected = review.events()
    assert len(expected) == 2

    before = window.store.count()
    saved = []
    review.accepted.connect(lambda: saved.append(True))
    review.accept()
    assert saved
    assert window.store.count() == before + 2
    stored = {e.uid: e for e in window.store.all_events()}
    first = stored[expected[0].uid]
    assert (first.start, first.precision, first.category) == ("2025-05-30", "day", "humanitarian")
    moved = stored[review.candidates[ambiguous].event.uid]
    assert (moved.place.lat, moved.place.lon) == (other.lat, other.lon)
    assert len(window.index) == before + 2

    # The same article again, everything kept: the two events are replaced, not copied.
    draft = extract_article(SEED_ARTICLE.read_text(encoding="utf-8"), published="2025-06-02")
    again = ArticleReviewDialog(draft, parent=window)
    qtbot.addWidget(again)
    assert commands.save_events(again.events())
    assert window.store.count() == before + count
    settle(qtbot, window)


def test_article_is_read_and_its_events_found_off_the_gui_thread(qtbot, window, tmp_path):
    path = tmp_path / "talks.txt"
    path.write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    commands = window.imports
    gui = threading.get_ident()

    assert commands.import_path(path) is None  # the file is read in a worker first
    qtbot.waitUntil(lambda: isinstance(commands.dialog, ArticleTextDialog), timeout=30_000)
    reading = commands.task
    text_dialog = commands.dialog
    assert text_dialog.text.toPlainText() == SEED_ARTICLE.read_text(encoding="utf-8")
    assert text_dialog.windowTitle() == "Article: talks.txt"

    text_dialog.published.setText("2025-06-02")
    text_dialog.accept()
    finding = commands.task
    assert finding is not reading and commands.busy
    assert not commands.paste_action.isEnabled()
    assert not text_dialog.find_button.isEnabled()  # waiting for the worker
    qtbot.waitUntil(lambda: isinstance(commands.dialog, ArticleReviewDialog), timeout=30_000)
    assert not commands.busy
    assert len(commands.dialog.candidates) >= 10

    # Both ran in a thread of the runner, not the GUI thread.
    assert finding.ran_in is not None and finding.ran_in != gui
    assert reading.ran_in is not None and reading.ran_in != gui


def test_bad_article_input_is_refused_before_any_work(qtbot, window):
    commands = window.imports
    text_dialog = commands.paste_article()
    text_dialog.text.setPlainText("On June 2, 2025, delegations met in Istanbul.")
    text_dialog.published.setText("June 2nd")
    text_dialog.accept()
    assert commands.task is None and text_dialog.isVisible()
    assert "2025-06-02" in text_dialog.error.text()
    assert text_dialog.find_button.isEnabled()


def test_preferences_switch_online_geocoding_for_the_next_import(qtbot, window, tmp_path):
    assert window.settings.get(opt.ONLINE_GEOCODING) is False
    dialog = PreferencesDialog(window.settings, window)
    qtbot.addWidget(dialog)
    assert not dialog.contact.isEnabled()
    dialog.online.setChecked(True)
    dialog.contact.setText("desk@example.org")
    assert "contact: desk@example.org" in dialog.agent.text()
    dialog.accept()
    path = tmp_path / "one.csv"
    write_csv(path, 3)
    setup = ImportSetupDialog(path, "csv", preview_table(path), parent=window)
    qtbot.addWidget(setup)
    job = window.imports.job_from(setup)
    assert job.online_geocoding
    assert job.user_agent.startswith("event-atlas/") and "desk@example.org" in job.user_agent
    assert job.store_path == window.store.path


def test_find_events_can_start_as_soon_as_the_article_is_read(qtbot, window, tmp_path):
    # The reading's outcome and its end reach the GUI thread together: the text dialog
    # that outcome opens may start the extraction at once, with no stale "busy" left.
    path = tmp_path / "talks.txt"
    path.write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    commands = window.imports
    commands.import_path(path)
    reading = commands.task
    started = []

    def find_at_once(_text: object) -> None:
        text_dialog = commands.dialog  # opened by the handler connected before this one
        text_dialog.published.setText("2025-06-02")
        text_dialog.accept()
        started.append((commands.task, commands.busy))

    reading.succeeded.connect(find_at_once)
    qtbot.waitUntil(lambda: bool(started), timeout=30_000)
    finding, busy = started[0]
    assert finding is not reading and busy
    qtbot.waitUntil(lambda: isinstance(commands.dialog, ArticleReviewDialog), timeout=30_000)
    assert not commands.busy


def test_waiting_for_another_import_is_shown_in_the_progress_dialog(qtbot, window, tmp_path):
    path = tmp_path / "kharkiv.csv"
    good = write_csv(path, 50)
    before = window.store.count()
    commands = window.imports
    other = sqlite3.connect(window.store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another import holds the write lock
    holding = True
    try:
        commands.import_path(path).accept()
        dialog = commands.progress_dialog
        # The store says so once it has waited its busy timeout.
        qtbot.waitUntil(
            lambda: "waiting for another import to finish" in dialog.stats.text(),
            timeout=60_000,
        )
        assert dialog.stats.text().startswith(f"{window.store.path}: ")
        assert commands.busy
        other.execute("ROLLBACK")
        holding = False
        qtbot.waitUntil(lambda: not commands.busy, timeout=60_000)
        settle(qtbot, window)
    finally:
        if holding:
            other.execute("ROLLBACK")
        other.close()
    assert window.store.count() == before + good
    assert commands.last_progress is not None and commands.last_progress.records == 50


def test_every_control_of_the_import_dialogs_says_what_it_is_for(qtbot, window, tmp_path):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QDialogButtonBox,
        QLineEdit,
        QSpinBox,
    )

    from desktop_app.ingest.article import extract_article
    from desktop_app.ui.importing.article_review import ArticleReviewDialog, ArticleTextDialog
    from desktop_app.ui.importing.dialogs import PreferencesDialog

    draft = extract_article(SEED_ARTICLE.read_text(encoding="utf-8"), published="2025-06-02")
    dialogs = [
        ArticleTextDialog(parent=window),
        ArticleReviewDialog(draft, parent=window),
        PreferencesDialog(window.settings, window),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        controls = [
            w
            for kind in (QAbstractButton, QComboBox, QLineEdit, QSpinBox)
            for w in dialog.findChildren(kind)
            if not isinstance(w.parent(), QDialogButtonBox) and w.isVisibleTo(dialog)
            and not isinstance(w.parent(), QComboBox)
            and not w.objectName().startswith("qt_")  # Qt's own parts of a table
        ]
        assert controls
        for control in controls:
            assert control.toolTip(), (type(dialog).__name__, control.accessibleName())
