"""Odd values through a large import into a new store: the fast path (each rule once per
distinct value of the whole file, its columns' values joined into one key) gives the
events, places, outlets, report and text index of the row-by-row import."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore
from tests.benchmarks.bench_import import HEADER as ACLED_HEADER
from tests.test_staged_import import _long_notes, acled_rows, assert_same, both_ways

# Columns by name (the benchmark's ACLED header).
AT = {name: i for i, name in enumerate(ACLED_HEADER)}


def _set(row: list[str], **values: str) -> None:
    for name, value in values.items():
        row[AT[name]] = value


def _odd_rows() -> list[list[str]]:
    rows = acled_rows(6000, seed=11)
    # Several blocks: values met in a block before come back in later ones.
    _long_notes(rows, after=2000, until=4500)
    # Values that run together when a row's columns are put one after another: each
    # pair must stay two places, two kinds, two lists of actors, two sets of fields.
    pairs = [
        ({"location": "Kyiv", "latitude": "50.12"}, {"location": "Kyiv5", "latitude": "0.12"}),
        (
            {"event_type": "Protests", "sub_event_type": ""},
            {"event_type": "Protest", "sub_event_type": "s"},
        ),
        ({"actor1": "Wagner", "assoc_actor_1": ""}, {"actor1": "Wag", "assoc_actor_1": "ner"}),
        ({"admin1": "Kharkiv", "admin2": ""}, {"admin1": "Khar", "admin2": "kiv"}),
        ({"event_date": "2021-03-04", "time_precision": "1"},
         {"event_date": "2021-03-041", "time_precision": ""}),
        # Values alike but for case or spaces stay apart too.
        ({"location": "Kyiv", "source": "Reuters"}, {"location": "KYIV", "source": "reuters"}),
        ({"admin1": "Sumy"}, {"admin1": "Sumy "}),
    ]  # fmt: skip
    for k, (first, second) in enumerate(pairs):
        for at in (100 + k, 3000 + k, 5500 + k):
            _set(rows[at], **first)
            _set(rows[at + 50], **second)
    odd = [
        {"location": "", "country": ""},
        {"location": "  ", "country": " Ukraine "},
        {"location": "Київ", "country": "Україна", "admin1": "Київська область"},
        {"country": "Côte d’Ivoire", "location": "Abidjan"},
        {"country": "Atlantis"},
        {"event_type": " Battles ", "sub_event_type": "\u00a0"},
        {"event_type": "Protestas", "sub_event_type": "Manifestación pacífica"},
        {"actor1": " ; ;", "assoc_actor_1": "Akhmat;\u3000;Wagner ", "actor2": "Військо"},
        {"source": " ; Reuters ;;", "notes": ""},
        {"source": "Радіо Свобода; Reuters"},
        {"fatalities": " 3 ", "tags": "\x1f|;,"},
        {"fatalities": "", "year": ""},
        {"event_date": "2021-02-30"},
        {"event_date": " 2021-02-03 "},
        {"event_date": "2021-02"},
        {"time_precision": " 2 "},
        {"geo_precision": " 3"},
        {"latitude": " 49.99 ", "longitude": "36.2300"},
        {"notes": "Ünïcödé notes with \t tabs and “quotes”, " + "long " * 1500},
        {"location": "L" * 4000},
        {"event_id_cnty": "UKR7"},  # an id met before
    ]
    for k, values in enumerate(odd):
        for at in (200 + k, 2600 + 7 * k, 5000 + k):
            _set(rows[at], **values)
    rows.append(list(rows[2600]))  # an exact repeat of a row of another block
    return rows


def _write(path: Path, rows: list[list[str]], line_end: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator=line_end)
        writer.writerow(ACLED_HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_odd_values_come_out_as_row_by_row(tmp_path, line_end):
    path = _write(tmp_path / "acled.csv", _odd_rows(), line_end)
    staged, rowwise, fast, slow = both_ways(tmp_path, path)
    # The fast path reads pieces that end at a "\n": a file of lone "\r" goes row by row.
    assert staged["staged"] is (line_end != "\r")
    assert rowwise.skipped > 50 and rowwise.repeats > 50
    assert_same(staged, rowwise, fast, slow)
    with EventStore(fast) as store:
        events = store.all_events()
    titles = {e.title.split(" in ")[0] for e in events}
    assert {"Protests", "s"} <= titles
    actors = {e.actors for e in events}
    assert any("Wag" in a and "ner" in a for a in actors)
    assert any("Wagner" in a and "ner" not in a for a in actors)
    places = {(e.place.name, e.place.lat) for e in events if e.place is not None}
    assert {("Kyiv", 50.12), ("Kyiv5", 0.12)} <= places
    assert {"Kyiv", "KYIV"} <= {name for name, _ in places}


@pytest.mark.parametrize("line_end", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_a_lone_carriage_return_in_a_later_block_goes_row_by_row(tmp_path, line_end):
    rows = _odd_rows()
    rows[5200][AT["notes"]] = "a note\rover two lines"
    path = _write(tmp_path / "acled.csv", rows, line_end)
    staged, rowwise, fast, slow = both_ways(tmp_path, path)
    assert not staged["staged"]
    assert_same(staged, rowwise, fast, slow)


# The import of CHILD with the rules keeping at most ``sys.argv[5]`` distinct values.
_FEW_KEPT = """
import json, sys
sys.path.insert(0, sys.argv[4])
from desktop_app.ingest import columnar
columnar._KEPT_MAX = int(sys.argv[5])
from tests.test_staged_import import CHILD
sys.argv = sys.argv[:5]
exec(CHILD)
"""


def test_rules_that_begin_again_come_out_as_row_by_row(tmp_path):
    # More distinct places, dates and kept fields than a rule keeps: the rules begin
    # again with new tables in the middle of the file, and the writer with them.
    path = _write(tmp_path / "acled.csv", _odd_rows(), "\r\n")
    root = Path(__file__).resolve().parents[1]
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    done = subprocess.run(
        [sys.executable, "-c", _FEW_KEPT, str(path), str(fast), "{}", str(root), "300"],
        capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    staged = json.loads(done.stdout.strip().splitlines()[-1])
    assert staged["staged"]
    with EventStore(slow) as store:
        rowwise = import_file(path, store)
    assert_same(staged, rowwise, fast, slow)
