"""The review of an article shows the date its events are counted from and where it was
found, and lets the user change it: every relative date moves with it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.ingest.article import extract_article
from desktop_app.ui.importing.article_review import ArticleReviewDialog

SEED = Path(__file__).resolve().parents[1] / "data" / "seed"
SEED_ARTICLE = SEED / "negotiations-without-illusions.txt"
UNDATED = (
    "Drones hit Kharkiv\n\n"
    "Russian drones struck Kharkiv yesterday, the regional governor said.\n\n"
    "Two days later a missile hit Odesa, according to Reuters.\n"
)


def _dialog(qtbot, draft) -> ArticleReviewDialog:
    dialog = ArticleReviewDialog(draft)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _yesterday(dialog: ArticleReviewDialog) -> str:
    (row,) = (i for i, c in enumerate(dialog.candidates) if "yesterday" in c.event.excerpt)
    return dialog.events()[row].start


def test_the_review_shows_the_dateline_it_found(qtbot) -> None:
    draft = extract_article(SEED_ARTICLE.read_text(encoding="utf-8"))
    dialog = _dialog(qtbot, draft)
    assert dialog.published.text() == "2025-06-02"
    assert "From the line “6/2/25”" in dialog.date_origin.text()
    assert dialog.save_button.isEnabled()
    assert "2025-06-02" in dialog.header.text()


def test_an_undated_article_asks_for_its_date_and_takes_the_one_typed(qtbot) -> None:
    draft = extract_article(UNDATED, today=date(2026, 12, 1))
    dialog = _dialog(qtbot, draft)
    assert dialog.published.text() == "2026-12-01"
    assert "Today's date" in dialog.date_origin.text()
    # Nothing is saved under today's date until the user says which date it is.
    assert not dialog.save_button.isEnabled()
    assert _yesterday(dialog) == "2026-11-30"

    dialog.published.clear()
    qtbot.keyClicks(dialog.published, "2025-06-10")
    qtbot.mouseClick(dialog.use_date, Qt.MouseButton.LeftButton)
    assert dialog.save_button.isEnabled()
    assert _yesterday(dialog) == "2025-06-09"
    assert {e.uid for e in dialog.events()} == {c.event.uid for c in draft.candidates}
    assert "2025-06-10" in dialog.header.text()
    assert dialog.events()[0].article.published == "2025-06-10"


def test_today_can_be_confirmed_as_the_date(qtbot) -> None:
    dialog = _dialog(qtbot, extract_article(UNDATED, today=date(2026, 12, 1)))
    qtbot.mouseClick(dialog.use_date, Qt.MouseButton.LeftButton)
    assert dialog.save_button.isEnabled()
    assert _yesterday(dialog) == "2026-11-30"


def test_a_date_that_is_not_one_is_refused_and_changes_nothing(qtbot) -> None:
    draft = extract_article(SEED_ARTICLE.read_text(encoding="utf-8"))
    dialog = _dialog(qtbot, draft)
    before = [e.start for e in dialog.events()]
    dialog.published.setText("June 2nd")
    qtbot.keyClick(dialog.published, Qt.Key.Key_Return)
    assert "must look like 2025-06-02" in dialog.status.text()
    assert [e.start for e in dialog.events()] == before
