"""Whatever is wrong with a file, ``event-atlas import`` says so in one line naming the
file, and never shows a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_app.cli import main


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_ATLAS_DATA_DIR", str(tmp_path / "data"))


def run_import(path: Path, db: Path):
    result = CliRunner().invoke(main, ["import", "--db", str(db), str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output
    return result


def saved(db: Path, column: str = "uid") -> list:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute(f"SELECT {column} FROM events")]


def write_timemap(folder: Path, events: list, **siblings: object) -> Path:
    folder.mkdir()
    path = folder / "export_events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    for name, content in siblings.items():
        text = content if isinstance(content, str) else json.dumps(content)
        (folder / f"export_{name}.json").write_text(text, encoding="utf-8")
    return path


EVENT = {"id": 7, "date": "03/01/2024", "latitude": "50", "longitude": "30",
         "description": "Something happened. More words."}  # fmt: skip


def test_timemap_association_with_a_list_for_an_id(tmp_path: Path) -> None:
    path = write_timemap(
        tmp_path / "tm",
        [{**EVENT, "associations": [[1], "a"]}],
        associations=[{"id": [1], "title": "Bad"}, {"id": "a", "filter_paths": ["Kind", 5]}],
        sources={},
    )
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    assert "imported 1 events, skipped 0" in result.output
    with sqlite3.connect(tmp_path / "s.db") as conn:
        actors = conn.execute("SELECT actors FROM events").fetchone()[0]
    assert "Kind / 5" in actors


def test_timemap_numbers_too_large_for_the_store_are_kept_as_text(tmp_path: Path) -> None:
    huge = 10**30
    path = write_timemap(
        tmp_path / "tm",
        [{**EVENT, "id": huge, "sources": ["s1", "s2"]}],
        sources={"s1": {"paths": [huge]}, "s2": {"paths": [], "title": huge + 1}},
        associations=[],
    )
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    assert saved(tmp_path / "s.db") == [f"timemap:{huge}"]


def test_timemap_sibling_nested_too_deeply_is_left_out_with_a_warning(tmp_path: Path) -> None:
    path = write_timemap(
        tmp_path / "tm",
        [EVENT],
        associations="[" * 100_000 + "]" * 100_000,
        sources="{" * 50_000,
    )
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert all("JSON nested more than" in w and "left out" in w for w in warnings)
    assert "export_associations.json: line 1:" in result.output
    assert saved(tmp_path / "s.db") == ["timemap:7"]


def test_timemap_events_nested_too_deeply_save_nothing(tmp_path: Path) -> None:
    path = write_timemap(tmp_path / "tm", [])
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: line 1: JSON nested more than 128 levels deep"
    ]


def test_kml_with_an_unknown_encoding_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "odd.kml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="x-no-such-charset"?>\n'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>A</name>'
        b"<TimeStamp><when>2020</when></TimeStamp></Placemark></kml>"
    )
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"error: {path}: not valid XML (")
    assert "x-no-such-charset" in errors[0]
    assert "nothing was saved" in result.output


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"events": [{"start_date": {"year": 2020}, "location": {"lat": 1e400}}]}', ""),
        ('{"events": [{"start_date": {"year": 2020}, "location": {"lat": %s}}]}' % ("9" * 400),
         "int too large"),  # fmt: skip
        ('{"events": [{"start_date": {"year": %s}}]}' % ("9" * 5000), ""),
    ],
)
def test_timelinejs_numbers_out_of_range_are_reported(tmp_path: Path, body: str, reason: str):
    path = tmp_path / "timeline.json"
    path.write_text(body, encoding="utf-8")
    result = run_import(path, tmp_path / "s.db")
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith(("skipped", "error")) and "nothing was saved" not in line
    ]
    assert len(lines) == 1 and str(path) in lines[0] and reason in lines[0], result.output
    assert result.exit_code == 1  # the file's one event was not saved


def test_html_article_with_a_malformed_marked_section_is_read(tmp_path: Path) -> None:
    path = tmp_path / "article.html"
    path.write_bytes(
        b"<html><body><p>On June 2, 2025, drones struck Kharkiv.</p>"
        b"<![CD\x00ATA[</body></html>"
    )
    result = CliRunner().invoke(
        main, ["import", "--db", str(tmp_path / "s.db"), "--yes", str(path)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code == 0, result.output
    assert "Kharkiv" in " ".join(saved(tmp_path / "s.db", "excerpt"))


def test_an_import_that_saves_nothing_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,lat,lon,title\nnot a date,50,30,A\n2024-01-02,95,30,B\n", encoding="utf-8"
    )
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 1, result.output
    assert "imported 0 events, skipped 2" in result.output
    assert result.stderr.splitlines()[-1] == (
        f"error: {path}: nothing was saved (all 2 records were skipped)"
    )
    assert saved(tmp_path / "s.db") == []


def test_an_import_that_saves_some_rows_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "half.csv"
    path.write_text("date,lat,lon,title\nnot a date,50,30,A\n2024-01-02,50,30,B\n")
    result = run_import(path, tmp_path / "s.db")
    assert result.exit_code == 0, result.output
    assert "imported 1 events, skipped 1" in result.output
