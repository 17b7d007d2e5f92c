"""While a big change is saved in the background, the window takes no other write: each
way to one (another change, an undo, an open edit form, the duplicates review, an
article's review) is refused and says why, keeping what the user gave; and a window
closed meanwhile waits for the change to be written."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from test_big_changes import EVENTS, WriteLock, grade_rows, make_big_store
from test_edit_store import dump

from desktop_app.core.event import Event, Place
from desktop_app.core.grading import parse_grade
from desktop_app.ingest.article import extract_article
from desktop_app.store.event_store import EventStore
from desktop_app.ui.editing.actions import BIG_CHANGE
from tests.mapping import PAGE_TIMEOUT_MS, open_window

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "data" / "seed" / "negotiations-without-illusions.txt"
#: What the window says of a write tried while a big change is saved.
BUSY = "A change is being saved: try again when it is done."


@pytest.fixture
def big_db(tmp_path):
    return make_big_store(tmp_path / "big.db")


def start_big_grading(window) -> list[int]:
    """Grade the first events of the window, a big change: returns their ids."""
    ids = [int(i) for i in window.index.ids[: BIG_CHANGE + 10]]
    window.state.select(ids)
    window.edits.grade(ids, parse_grade("A1"))
    assert window.saving is not None
    return ids


def saved(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.edits.task.is_running(), timeout=PAGE_TIMEOUT_MS)
    assert window.saving is None


def test_a_window_closed_while_a_big_change_is_saved_waits_until_it_is_written(
    qtbot, big_db
):
    window = open_window(qtbot, big_db)
    said: list[str] = []
    with WriteLock(big_db) as lock:

        def on_message(text: str) -> None:
            said.append(text)
            # The write waits for this lock until the window says it closes once saved:
            # the close begins with the change still being written.
            if "closes once it is saved" in text:
                lock.release()

        window.statusBar().messageChanged.connect(on_message)
        ids = start_big_grading(window)
        window.close()
        # Written before the window went.
        graded = dict((row[0], row[1:]) for row in grade_rows(big_db))
        assert all(graded[i] == ("A", "1", None) for i in ids)
    assert any(text.startswith("Saving the grading of") for text in said)
    # What the write still had to tell the window (queued for the GUI thread) reaches
    # neither the closed store nor the views.
    QCoreApplication.processEvents()
    assert window.edits.stack.count() == 0
    with closing(sqlite3.connect(big_db)) as conn:
        told = conn.execute("SELECT count(*) FROM history WHERE kind = 'grade'").fetchone()
    assert told[0] == len(ids)


def test_an_edit_form_accepted_while_a_big_change_is_saved_stays_open_with_the_edit(
    qtbot, big_db
):
    window = open_window(qtbot, big_db)
    other = int(window.index.ids[-1])
    window.state.set_current(other)
    form = window.edits.edit_current()
    form.title.setText("Talks moved to Geneva")
    ok = form.buttons.button(form.buttons.StandardButton.Ok)
    with WriteLock(big_db):
        start_big_grading(window)
        assert not ok.isEnabled()
        assert form.busy_note.isVisibleTo(form) and form.busy_note.text() == BUSY
        before = dump(big_db)
        # Enter, or anything else that accepts the form.
        form.accept()
        assert form.isVisible() and form.title.text() == "Talks moved to Geneva"
        assert dump(big_db) == before
    saved(qtbot, window)
    assert ok.isEnabled() and not form.busy_note.isVisibleTo(form)
    ok.click()
    assert not form.isVisible()
    assert window.store.event(other).title == "Talks moved to Geneva"
    assert window.edits.stack.count() == 2


def test_another_change_and_an_undo_are_refused_while_a_big_change_is_saved(qtbot, big_db):
    window = open_window(qtbot, big_db)
    last = int(window.index.ids[-1])
    window.edits.grade([last], parse_grade("B2"))
    with WriteLock(big_db):
        ids = start_big_grading(window)
        before = dump(big_db)
        window.notice.hide()
        window.edits.delete_selected()
        assert window.notice.text.text() == BUSY
        window.notice.hide()
        window.edits.undo()
        assert window.notice.text.text() == BUSY
        assert dump(big_db) == before
    saved(qtbot, window)
    # The big change alone was saved; the small one before it is still there to undo.
    assert window.store.count() == EVENTS
    assert window.edits.stack.count() == 2 and window.edits.stack.index() == 2
    graded = dict((row[0], row[1:]) for row in grade_rows(big_db))
    assert graded[last] == ("B", "2", None)
    assert all(graded[i] == ("A", "1", None) for i in ids)


def test_the_duplicates_review_is_refused_while_a_big_change_is_saved(qtbot, big_db):
    place = Place("Pokrovsk", 48.28, 37.18, "city", "UA")
    with EventStore(big_db) as store:
        store.add_events(
            Event(uid=f"twice{i}", title="Shelling of Pokrovsk reported", start="2024-03-01",
                  place=place, sources=("Reuters",))
            for i in range(2)
        )  # fmt: skip
    window = open_window(qtbot, big_db)
    dialog = window.find_duplicates()
    qtbot.waitUntil(lambda: dialog.chosen() is not None, timeout=PAGE_TIMEOUT_MS)
    pair = dialog.chosen()
    with WriteLock(big_db):
        start_big_grading(window)
        # Not on the GUI thread waiting for the lock: refused at once, and said there.
        dialog.distinct.click()
        assert dialog.status.text() == BUSY
        dialog.keep_first.click()
        assert dialog.status.text() == BUSY
    saved(qtbot, window)
    with closing(sqlite3.connect(big_db)) as conn:
        assert conn.execute("SELECT count(*) FROM distinct_events").fetchone()[0] == 0
    assert {e.id for e in window.store.events(list(pair))} == set(pair)
    dialog.close()


def test_an_article_review_saved_while_a_big_change_is_saved_stays_open(qtbot, big_db):
    window = open_window(qtbot, big_db)
    draft = extract_article(SEED_ARTICLE.read_text(encoding="utf-8"), published="2025-06-02")
    review = window.imports.review(draft)
    review.set_all(True)
    kept = len(review.events())
    with WriteLock(big_db):
        start_big_grading(window)
        review.save_button.click()
        assert review.isVisible() and review.status.text() == BUSY
        # Nor does the save of reviewed events wait for the lock when it is asked directly.
        assert not window.imports.save_events(review.events())
        assert window.notice.text.text() == BUSY
    saved(qtbot, window)
    assert window.store.count() == EVENTS
    review.save_button.click()
    assert not review.isVisible()
    assert window.store.count() == EVENTS + kept
