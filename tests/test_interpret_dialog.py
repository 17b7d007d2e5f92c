"""The import dialogs show what the interpretation made of every column and what every
row became, and let the user keep or drop repeated rows."""

from __future__ import annotations

from pathlib import Path

from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore
from desktop_app.ui.importing.dialogs import ImportReportDialog, ImportSetupDialog, preview_table

IMPORT = Path(__file__).parent / "fixtures" / "import"


def test_the_setup_dialog_shows_each_columns_role_and_why(qtbot) -> None:
    path = IMPORT / "corridors.csv"
    dialog = ImportSetupDialog(path, "csv", preview_table(path))
    qtbot.addWidget(dialog)
    roles = dialog.roles()
    assert roles["origin_lat"] == "from_latitude" and roles["place"] == "to_place"
    assert roles["text"] == "brief description" and roles["url"] == "link"
    row = dialog.preview.headers.index("from_latitude")
    assert "its name" in dialog.table.cellWidget(row, 2).toolTip()
    assert "46.4825" in dialog.table.item(row, 1).text()


def test_a_gdelt_file_is_previewed_under_its_own_column_names(qtbot) -> None:
    path = IMPORT / "gdelt_events_58.tsv"
    preview = preview_table(path)
    assert preview.headers[:2] == ["GLOBALEVENTID", "SQLDATE"]
    assert len(preview.rows) == 20  # the first line is an event, not a header
    dialog = ImportSetupDialog(path, "csv", preview)
    qtbot.addWidget(dialog)
    assert dialog.roles()["lat"] == "ActionGeo_Lat" and dialog.roles()["date"] == "SQLDATE"


def test_repeated_rows_are_dropped_unless_the_user_keeps_them(qtbot) -> None:
    path = IMPORT / "exact_repeats.csv"
    dialog = ImportSetupDialog(path, "csv", preview_table(path))
    qtbot.addWidget(dialog)
    assert dialog.repeats() == "drop"
    dialog.keep_repeats_radio.setChecked(True)
    assert dialog.repeats() == "keep"


def test_the_report_dialog_says_what_every_row_became(qtbot, tmp_path: Path) -> None:
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(IMPORT / "exact_repeats.csv", store)
    dialog = ImportReportDialog("Imported 5 events.", report, report.problems)
    qtbot.addWidget(dialog)
    text = dialog.summary.text()
    assert text.startswith("Imported 5 events.\nread 8 rows: 5 new")
    assert "3 rows repeat an earlier row exactly: lines 4, 6, 9" in text
    assert "columns used: date (date), title (title)" in text
