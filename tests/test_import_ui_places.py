"""The import dialog lets the user confirm what the importer guessed: the places of names
placed by a guess or as one of several places, before the import is saved."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from desktop_app.geo.gazetteer import default_gazetteer
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore
from desktop_app.ui.importing.dialogs import ImportReportDialog, ImportSetupDialog, preview_table
from desktop_app.ui.importing.place_review import CHOICE, PlaceReviewDialog
from desktop_app.ui.importing.worker import ImportJob, survey_places
from desktop_app.ui.tasks import SynchronousRunner, Task
from tests.mapping import PAGE_TIMEOUT_MS, open_window

GUESSES = Path(__file__).parent / "fixtures" / "import" / "place_guesses.csv"


def engels():
    """The other Pokrovsk: Engels, Saratov region, once called Pokrovsk."""
    (entry,) = [e for e in default_gazetteer().lookup("Pokrovsk") if e.country == "RU"]
    return entry


def zaporizhzhia():
    (entry,) = [e for e in default_gazetteer().lookup("Zaporizhzhya") if e.kind == "city"]
    return entry


def read_places(store_path: Path, path: Path = GUESSES) -> list:
    """The place names of ``path`` to confirm, read as the window's worker reads them."""
    task = Task(lambda control: survey_places(ImportJob(path, store_path, "csv"), control))
    found = []
    task.succeeded.connect(found.append)
    task.failed.connect(lambda error: found.append(error))
    SynchronousRunner().start(task)
    assert found and not isinstance(found[0], BaseException), found
    return found[0]


def choose_in_editor(qtbot, dialog: PlaceReviewDialog, name: str, label: str) -> None:
    """Choose ``label`` for ``name`` as the user does: open the choice's combo box in the
    table and pick the option."""
    dialog.show()
    row = dialog.proxy.mapFromSource(dialog.model.index(dialog.row_of(name), CHOICE))
    dialog.view.setCurrentIndex(row)
    dialog.view.edit(row)
    editors = [c for c in dialog.view.findChildren(QComboBox) if c.isVisible()]
    assert len(editors) == 1  # made for the edited row only
    editor = editors[0]
    option = editor.findText(label)
    assert option >= 0, [editor.itemText(i) for i in range(editor.count())]
    editor.setCurrentIndex(option)
    editor.activated.emit(option)
    dialog.view.closePersistentEditor(row)
    dialog.view.setFocus()


def by_title(store: EventStore) -> dict:
    return {e.title: e for e in store.all_events()}


def test_guesses_are_confirmed_in_the_dialog_and_the_store_gets_the_chosen_places(
    qtbot, seed_db, tmp_path
):
    window = open_window(qtbot, seed_db)
    commands = window.imports
    try:
        setup = commands.import_path(GUESSES)
        assert isinstance(setup, ImportSetupDialog) and setup.places_to_confirm()
        setup.accept()
        qtbot.waitUntil(lambda: isinstance(commands.dialog, PlaceReviewDialog), timeout=60_000)
        review = commands.dialog
        assert window.store.count() == 51  # nothing saved while the user decides
        rows = {
            review.model.index(r, 0).data(): [
                review.model.index(r, c).data() for c in range(review.model.columnCount())
            ]
            for r in range(review.model.rowCount())
        }
        assert rows["Zaporizhia"][1:4] == [
            "2", "Zaporizhzhya (city, UA)", "guess (spelling)",
        ]  # fmt: skip
        assert rows["Pokrovsk"][1:5] == [
            "2", "Pokrovsk (city, UA)", "likely (2 places of that name)",
            "Engels (city, Saratov region, RU)",
        ]  # fmt: skip
        assert rows["Atlantis"][3] == "unplaced: a legendary place, not one on the map"
        assert rows["Nowhereville"][3] == "unplaced: no place known by that name"
        assert "Kyiv" not in rows  # exact: nothing to confirm
        review.grab().save(str(tmp_path / "review.png"))

        choose_in_editor(qtbot, review, "Pokrovsk", "Engels (city, Saratov region, RU)")
        assert review.model.index(review.row_of("Pokrovsk"), CHOICE).data() == (
            "Engels (city, Saratov region, RU)"
        )
        review.accept()
        qtbot.waitUntil(lambda: isinstance(commands.dialog, ImportReportDialog), timeout=60_000)
        qtbot.waitUntil(lambda: window.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
        report = commands.dialog
        events = by_title(window.store)
    finally:
        commands.stop()
    other, city = engels(), zaporizhzhia()
    for title in ("Shelling near the town", "Evacuation of the town"):
        place = events[title].place
        assert (place.name, place.lat, place.lon, place.country) == (
            "Pokrovsk", other.lat, other.lon, "RU"
        )  # fmt: skip
    for title in ("Strike on the city", "Second strike on the city"):
        place = events[title].place
        assert (place.name, place.lat, place.lon, place.country) == (
            "Zaporizhia", city.lat, city.lon, "UA"
        )  # fmt: skip
    assert events["Talks announced"].place.name == "Kyiv"
    assert "4 confirmed by you" in report.summary.text()
    assert "2 skipped" in report.summary.text()  # Atlantis, Nowhereville: listed, as said


def test_a_name_left_unplaced_imports_its_events_without_a_place(qtbot, tmp_path):
    store_path = tmp_path / "atlas.db"
    EventStore(store_path).close()
    dialog = PlaceReviewDialog(GUESSES.name, read_places(store_path))
    qtbot.addWidget(dialog)
    choose_in_editor(qtbot, dialog, "Zaporizhia", "Leave unplaced")
    choices = dialog.choices()
    assert choices["Zaporizhia"] is None
    assert choices["Pokrovsk"].country == "UA"  # untouched: its guess
    assert set(choices) == {"Zaporizhia", "Pokrovsk"}  # nothing to choose for unplaced
    with EventStore(store_path) as store:
        report = import_file(GUESSES, store, place_choices=choices)
        events = by_title(store)
    assert events["Strike on the city"].place is None
    assert events["Second strike on the city"].place is None
    assert events["Shelling near the town"].place.country == "UA"
    lines = report.summary_lines()
    assert any("2 left unplaced by you: on the timeline only" in line for line in lines)
    assert any("2 confirmed by you" in line for line in lines)
    assert any("unplaced: record 3: Second strike on the city (Zaporizhia): left unplaced by you"
               in line for line in lines)  # fmt: skip

    for control in [*dialog.buttons.buttons(), dialog.filter]:
        assert control.toolTip(), control.text()

    dialog.unplace_button.click()
    assert all(place is None for place in dialog.choices().values())
    dialog.guesses_button.click()
    assert dialog.choices()["Zaporizhia"].name == "Zaporizhzhya"


def test_places_are_confirmed_only_when_rows_are_placed_by_their_names(qtbot, tmp_path):
    given = tmp_path / "given.csv"
    given.write_text(
        "date,lat,lon,place,title\n2025-06-01,47.84,35.14,Zaporizhia,Strike\n", encoding="utf-8"
    )
    some = tmp_path / "some.csv"
    some.write_text(
        "date,lat,lon,place,title\n2025-06-01,47.84,35.14,Kyiv,Talks\n"
        "2025-06-02,,,Zaporizhia,Strike\n",
        encoding="utf-8",
    )
    found = []
    for path in (GUESSES, given, some):
        dialog = ImportSetupDialog(path, "csv", preview_table(path))
        qtbot.addWidget(dialog)
        found.append(dialog.places_to_confirm())
    assert found == [True, False, True]


def test_cancelling_the_review_saves_nothing(qtbot, seed_db):
    window = open_window(qtbot, seed_db)
    commands = window.imports
    try:
        commands.import_path(GUESSES).accept()
        qtbot.waitUntil(lambda: isinstance(commands.dialog, PlaceReviewDialog), timeout=60_000)
        commands.dialog.reject()
        assert not commands.busy
        assert "nothing was saved" in window.statusBar().currentMessage()
        assert window.store.count() == 51

        # Asked to abort at the first bad row, the import stops there before any review.
        setup = commands.import_path(GUESSES)
        setup.abort_radio.setChecked(True)
        setup.accept()
        qtbot.waitUntil(lambda: isinstance(commands.dialog, ImportReportDialog), timeout=60_000)
        assert "line 5" in commands.dialog.text.toPlainText()  # Atlantis
        assert window.store.count() == 51
    finally:
        commands.stop()


def test_the_review_shows_thousands_of_names_without_a_widget_per_row(qtbot, tmp_path):
    store_path = tmp_path / "atlas.db"
    EventStore(store_path).close()
    (guess, *_unplaced) = read_places(store_path)
    # 5,000 names, as a file of many misspelt villages would give.
    questions = [replace(guess, name=f"{guess.name} {i}", rows=5000 - i) for i in range(5000)]
    dialog = PlaceReviewDialog("many.csv", questions)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.view.model().rowCount() == 5000
    assert not dialog.view.findChildren(QComboBox)  # editors are made on demand
    assert dialog.model.index(4999, 1).data() == "1"
    dialog.filter.setText(f"{guess.name.lower()} 12")
    assert dialog.proxy.rowCount() == 111  # 12, 120-129, 1200-1299
    dialog.filter.clear()
    dialog.unplace_button.click()
    assert list(dialog.choices().values()) == [None] * 5000


def test_place_names_are_shown_as_plain_text(qtbot, tmp_path):
    path = tmp_path / "markup.csv"
    path.write_text(
        'date,place,title\n2025-06-01,"<b>Zaporizhia</b><img src=x>",Bold\n', encoding="utf-8"
    )
    store_path = tmp_path / "atlas.db"
    EventStore(store_path).close()
    dialog = PlaceReviewDialog(path.name, read_places(store_path, path))
    qtbot.addWidget(dialog)
    index = dialog.model.index(0, 0)
    assert index.data() == "<b>Zaporizhia</b><img src=x>"
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>" not in tip and "&lt;b&gt;Zaporizhia&lt;/b&gt;" in tip
