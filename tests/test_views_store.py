"""Saved views in the store: the filter's JSON form, save/list/rename/delete/reorder,
read-only stores, older stores, and the ``views`` command and ``--view`` of the CLI."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.core.dates import DatePrecision
from desktop_app.core.filter import Filter, FilterError, Placement
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.store.views import (
    MapExtent,
    SavedView,
    UnknownView,
    delete_view,
    find_view,
    move_view,
    rename_view,
    reorder_views,
    save_view,
    saved_views,
    view_names,
)

WINDOW = TimeWindow(20234.0, 20242.0)  # 26 May – 3 June 2025
EVERY_PART = Filter(
    categories=frozenset({"strike", "diplomacy"}),
    text='"second round" kharki*',
    place="Istanbul",
    precisions=frozenset({DatePrecision.DAY, DatePrecision.MONTH}),
    placement=Placement.PLACED,
    bbox=(22.0, 44.0, 41.5, 53.0),
    actors=frozenset({"Zelenskyy"}),
    sources=frozenset({"Reuters", "BBC"}),
)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_filter_part_survives_its_json_form():
    for flt in (Filter(), EVERY_PART, Filter(placement=Placement.TIMELINE_ONLY)):
        text = json.dumps(flt.to_json())
        assert Filter.from_json(json.loads(text)) == flt
    # One filter, one text: sets are written sorted.
    assert json.dumps(EVERY_PART.to_json()) == json.dumps(
        Filter.from_json(EVERY_PART.to_json()).to_json()
    )
    assert EVERY_PART.to_json()["categories"] == ["diplomacy", "strike"]


@pytest.mark.parametrize(
    "data",
    [[], {"colour": "red"}, {"placement": "somewhere"}, {"categories": "strike"},
     {"bbox": [1, 2, 3]}, {"precisions": ["weekly"]}, {"text": 5}],
)  # fmt: skip
def test_a_filter_json_that_is_not_one_is_refused(data):
    with pytest.raises(FilterError):
        Filter.from_json(data)


def _view(name: str, **parts) -> SavedView:
    return SavedView(name, parts.pop("window", WINDOW), **parts)


def test_views_save_list_rename_delete_and_reorder(seed_db):
    with EventStore(seed_db) as store:
        full = _view(
            "Strikes",
            extent=MapExtent(49.0, 33.0, 6.0, (45.0, 25.0, 53.0, 41.0)),
            filter=EVERY_PART,
            selection=(16, 3),
            current=3,
            base_layer="osm",
        )
        save_view(store, full)
        save_view(store, _view("Talks"))
        save_view(store, _view("Everything", window=TimeWindow(20000.0, 20400.0)))
    with EventStore(seed_db) as store:
        views = saved_views(store)
        assert [v.name for v in views] == ["Strikes", "Talks", "Everything"]
        back = views[0]
        assert (back.window, back.extent, back.filter) == (full.window, full.extent, EVERY_PART)
        assert (back.selection, back.current, back.base_layer) == ((16, 3), 3, "osm")
        assert back.created and back.updated
        rename_view(store, "Talks", "Istanbul talks")
        move_view(store, "Everything", 0)
        delete_view(store, "Strikes")
    with EventStore(seed_db) as store:
        assert view_names(store) == ["Everything", "Istanbul talks"]
        assert [v.position for v in saved_views(store)] == [0, 1]
        assert reorder_views(store, ["Istanbul talks"]) == ["Istanbul talks", "Everything"]
    with EventStore(seed_db) as store:
        assert view_names(store) == ["Istanbul talks", "Everything"]


def test_a_taken_name_is_refused_unless_replaced(seed_db):
    with EventStore(seed_db) as store:
        save_view(store, _view("A"))
        save_view(store, _view("B"))
        with pytest.raises(StoreError, match="already exists"):
            save_view(store, _view("A", selection=(5,)))
        with pytest.raises(StoreError, match="already exists"):
            rename_view(store, "B", "A")
        save_view(store, _view("A", selection=(5,)), replace=True)
        assert find_view(store, "A").selection == (5,)
        assert view_names(store) == ["A", "B"]  # replacing keeps the place
        with pytest.raises(StoreError, match="needs a name"):
            save_view(store, _view("   "))


def test_an_unknown_view_names_the_known_ones(seed_db):
    with EventStore(seed_db) as store:
        with pytest.raises(UnknownView, match=r"\(saved views: none\)"):
            find_view(store, "Nope")
        save_view(store, _view("Talks"))
        with pytest.raises(UnknownView, match=r"no view named 'Nope' \(saved views: Talks\)"):
            find_view(store, "Nope")


def test_a_read_only_store_lists_views_but_saves_none(seed_db):
    with EventStore(seed_db) as store:
        save_view(store, _view("Talks"))
    with EventStore(seed_db, read_only=True) as store:
        assert view_names(store) == ["Talks"]
        for change in (
            lambda: save_view(store, _view("More")),
            lambda: rename_view(store, "Talks", "X"),
            lambda: delete_view(store, "Talks"),
            lambda: move_view(store, "Talks", 0),
        ):
            with pytest.raises(StoreError, match="read-only; views cannot be saved"):
                change()
        assert view_names(store) == ["Talks"]


def test_a_read_only_store_from_before_saved_views_opens_with_none(seed_db):
    with sqlite3.connect(seed_db) as conn:
        conn.execute("DROP TABLE saved_views")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_saved_views'")
    conn.close()
    with EventStore(seed_db, read_only=True) as store:
        assert saved_views(store) == []
        with pytest.raises(UnknownView):
            find_view(store, "Talks")
    # Opened for writing, it gains the table.
    with EventStore(seed_db) as store:
        save_view(store, _view("Talks"))
        assert view_names(store) == ["Talks"]


def test_the_views_command_lists_them_in_order(seed_db):
    with EventStore(seed_db) as store:
        save_view(store, _view("Talks"))
        save_view(store, _view("Strikes", filter=Filter(categories=frozenset({"strike"}))))
        move_view(store, "Strikes", 0)
    result = run("views", "--db", str(seed_db))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["1", "Strikes"] and "Category: Strike" in lines[0]
    assert lines[1].split()[:2] == ["2", "Talks"] and "no filter" in lines[1]
    assert "2025-05-26T00:00 – 2025-06-03T00:00" in lines[1]
    assert lines[-1] == "2 views"


def test_an_unknown_view_is_one_line_and_exit_2(seed_db, tmp_path):
    with EventStore(seed_db) as store:
        save_view(store, _view("Talks"))
        save_view(store, _view("Strikes"))
    for args in (
        ["snapshot", "-o", str(tmp_path / "a.png")],
        ["export", "png", "-o", str(tmp_path / "a.png")],
        ["export", "csv", "-o", str(tmp_path / "a.csv")],
    ):
        result = run(*args, "--db", str(seed_db), "--view", "Nope")
        assert result.exit_code == 2, result.output
        assert result.output.strip().splitlines() == [
            f"Error: {seed_db}: no view named 'Nope' (saved views: Talks, Strikes)"
        ]
        assert not (tmp_path / "a.png").exists() and not (tmp_path / "a.csv").exists()


def test_export_data_with_a_view_keeps_its_dates_and_filter(seed_db, tmp_path):
    strikes = Filter(categories=frozenset({"strike"}))
    with EventStore(seed_db) as store:
        save_view(store, _view("Strikes", filter=strikes))
        expected = {e.uid for e in store.matching_events(strikes, WINDOW)}
        in_window = {e.uid for e in store.events_between(WINDOW)}
    assert expected and expected < in_window
    out = tmp_path / "strikes.csv"
    result = run("export", "csv", "-o", str(out), "--db", str(seed_db), "--view", "Strikes")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["id"] for r in rows} == expected
