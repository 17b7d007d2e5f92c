"""Several columns for the roles that take several (actors, sources), in the import
dialog and in ``--columns``; a role of one column (a date, a latitude) given two is
refused with a message that names them."""

from __future__ import annotations

import math
from pathlib import Path

from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.ingest.command import run_import
from desktop_app.ingest.pipeline import import_file
from desktop_app.ingest.reader import ReadOptions
from desktop_app.store.event_store import EventStore
from desktop_app.ui.importing.dialogs import ImportSetupDialog, preview_table

GUESSES = Path(__file__).parent / "fixtures" / "import" / "place_guesses.csv"


def test_two_actor_columns_both_reach_the_event(qtbot, tmp_path):
    # Detected: actor1 and actor2 are both named for actors.
    setup = ImportSetupDialog(GUESSES, "csv", preview_table(GUESSES))
    qtbot.addWidget(setup)
    assert setup.roles()["actors"] == ("actor1", "actor2")
    assert setup.import_button.isEnabled()
    # Chosen: columns no name gives the role.
    path = tmp_path / "sides.csv"
    path.write_text(
        "date,lat,lon,title,first side,second side,outlet,wire\n"
        "2025-06-01,47.84,35.14,Strike,Russian forces,Ukrainian air defence,Kyiv Post,AFP\n",
        encoding="utf-8",
    )
    dialog = ImportSetupDialog(path, "csv", preview_table(path))
    qtbot.addWidget(dialog)
    for header, role in (("first side", "actors"), ("second side", "actors"),
                         ("outlet", "source"), ("wire", "source")):  # fmt: skip
        dialog.set_role(header, role)
    assert dialog.import_button.isEnabled() and not dialog.problems()
    mapping = dialog.mapping()
    assert mapping["actors"] == ("first side", "second side")
    with EventStore(tmp_path / "atlas.db") as store:
        import_file(path, store, options=ReadOptions(columns=mapping), on_error="abort")
        (event,) = store.all_events()
    assert event.actors == ("Russian forces", "Ukrainian air defence")
    assert event.sources == ("Kyiv Post", "AFP")
    assert not dict(event.attributes)  # no column of them left behind as an attribute


def test_a_role_of_one_column_given_two_is_refused_with_its_message(qtbot, tmp_path):
    path = tmp_path / "two_dates.csv"
    path.write_text(
        "reported,happened,lat,lon,title\n2025-06-02,2025-06-01,47.84,35.14,Strike\n",
        encoding="utf-8",
    )
    dialog = ImportSetupDialog(path, "csv", preview_table(path))
    qtbot.addWidget(dialog)
    dialog.set_role("reported", "date")
    dialog.set_role("happened", "date")
    # Not silently moved: both keep the role until the user picks one.
    assert dialog.columns()["date"] == ["reported", "happened"]
    assert dialog.problems() == [
        "“Date (start)” takes one column, but 2 have it: reported, happened. Choose one."
    ]
    assert not dialog.import_button.isEnabled()
    assert "takes one column" in dialog.notes.text()
    dialog.set_role("reported", "")
    assert dialog.import_button.isEnabled()

    lines: list[str] = []
    db = tmp_path / "atlas.db"
    assert run_import(path, db, columns="date=reported,happened", echo=lines.append) == 2
    assert lines == [
        "error: --columns: date takes one column, not 2 (reported, happened); "
        "only actors and source take several"
    ]
    lines.clear()
    assert run_import(path, db, columns="lat=lat,lat=lon", echo=lines.append) == 2
    assert "lat takes one column, not 2 (lat, lon)" in lines[0]


def test_columns_option_takes_several_actor_columns(tmp_path):
    path = tmp_path / "sides.csv"
    path.write_text(
        "when,lat,lon,title,a,b\n2025-06-01,47.84,35.14,Strike,Russian forces,Ukrainian army\n",
        encoding="utf-8",
    )
    db = tmp_path / "atlas.db"
    result = CliRunner().invoke(
        main,
        ["import", str(path), "--db", str(db), "--columns", "date=when,actors=a,b"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "a (actors), b (actors)" in result.output
    with EventStore(db) as store:
        (event,) = store.all_events()
    assert event.actors == ("Russian forces", "Ukrainian army")
    assert not math.isnan(event.place.lat)
