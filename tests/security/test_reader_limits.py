"""Hostile files built to exhaust memory are refused with one line, not a crash: each
import runs as the real command in a process of its own, whose peak memory is measured.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop_app.ingest.limits import (
    MAX_ARTICLE_BYTES,
    MAX_JSON_DEPTH,
    MAX_JSON_DOCUMENT_BYTES,
    MAX_JSON_TOKEN_CHARS,
    MAX_LINE_CHARS,
    MAX_XML_TEXT_CHARS,
    MAX_XML_TOKEN_BYTES,
    JsonDepthGuard,
    LimitExceeded,
)

PEAK_MB = 400
DEEP = 200_000

# Runs the command in a child of its own, under a cap on address space so that a reader
# without limits fails here instead of taking the machine's memory, and reports the
# child's peak resident memory.
RUN_MEASURED = """
import json, resource, subprocess, sys
cap = 3 * 1024 ** 3
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
run = subprocess.run(sys.argv[1:], capture_output=True, text=True, preexec_fn=limit)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": run.returncode, "out": run.stdout, "err": run.stderr, "peak": peak}))
"""
CLI = "from desktop_app.cli import main; main()"
GOOD_CSV = "id,date,latitude,longitude,title\ng1,1999-03-01,50.0,30.0,Known event\n"


def run_import(path: Path, db: Path) -> dict:
    """``event-atlas import --db DB PATH`` in a measured child process."""
    command = [sys.executable, "-c", CLI, "import", "--db", str(db), str(path)]
    # Whatever happens, the user's own store is never the one written.
    env = {**os.environ, "EVENT_ATLAS_DATA_DIR": str(db.parent / "data")}
    result = subprocess.run(
        [sys.executable, "-c", RUN_MEASURED, *command],
        capture_output=True, text=True, check=True, timeout=300, env=env,
    )  # fmt: skip
    return json.loads(result.stdout)


def event_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store holding one event, to show that a refused import leaves it as it was."""
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    db = tmp_path / "store.db"
    assert run_import(good, db)["code"] == 0
    assert event_count(db) == 1
    return db


def assert_refused(result: dict, path: Path, reason: str, db: Path) -> None:
    assert result["peak"] <= PEAK_MB, f"peak {result['peak']:.0f} MB"
    assert "Traceback" not in result["err"] + result["out"]
    errors = result["err"].splitlines()
    assert len(errors) == 1, result
    assert errors[0].startswith(f"error: {path}: ") and reason in errors[0], errors[0]
    assert result["code"] == 1
    assert event_count(db) == 1


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def write_deep_geojson(path: Path) -> None:
    feature = (
        '{"type": "Feature", "geometry": null, "properties": {"start": "2020", "x": '
        + nested(DEEP)
        + "}}"
    )
    path.write_text('{"type": "FeatureCollection", "features": [' + feature + "]}")


def write_deep_member(path: Path) -> None:
    path.write_text('{"type": "FeatureCollection", "x": ' + nested(DEEP) + ', "features": []}')


def write_deep_timelinejs(path: Path) -> None:
    path.write_text('{"events": [' + nested(DEEP) + "]}")


def write_deep_timemap(path: Path) -> None:
    path.write_text('[{"id": 1, "date": "03/01/2024", "x": ' + nested(DEEP) + "}]")


def write_long_string_geojson(path: Path) -> None:
    text = "a" * (MAX_JSON_TOKEN_CHARS + 1024)
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null,'
        f' "properties": {{"start": "2020", "title": "{text}"}}}}]}}'
    )


def write_huge_timelinejs(path: Path) -> None:
    # Sparse: the size alone refuses it, nothing of it is read.
    with path.open("wb") as out:
        out.write(b'{"events": [')
        out.truncate(MAX_JSON_DOCUMENT_BYTES + 1)


def write_huge_article(path: Path) -> None:
    with path.open("wb") as out:
        out.write(b"On June 2, 2025, drones struck Kharkiv. ")
        out.truncate(MAX_ARTICLE_BYTES + 1)


def write_kmz_bomb(path: Path) -> None:
    """A KMZ of about 100 KB whose KML inflates to 100 MB: one Placemark name."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as kmz, kmz.open("doc.kml", "w") as kml:
        kml.write(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>')
        block = b"A" * (1 << 20)
        for _ in range(100):
            kml.write(block)
        kml.write(b"</name><TimeStamp><when>2020</when></TimeStamp></Placemark></kml>")


def write_long_attribute_kml(path: Path) -> None:
    with path.open("wb") as out:
        out.write(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark id="')
        out.write(b"A" * (MAX_XML_TOKEN_BYTES + 1024))
        out.write(b'"><TimeStamp><when>2020</when></TimeStamp></Placemark></kml>')


HOSTILE = {
    "deep.geojson": (write_deep_geojson, f"JSON nested more than {MAX_JSON_DEPTH} levels"),
    "deep-member.geojson": (write_deep_member, f"JSON nested more than {MAX_JSON_DEPTH}"),
    "deep-timeline.json": (write_deep_timelinejs, f"JSON nested more than {MAX_JSON_DEPTH}"),
    "export_events.json": (write_deep_timemap, f"JSON nested more than {MAX_JSON_DEPTH}"),
    "long-string.geojson": (write_long_string_geojson, "a JSON value longer than"),
    "huge-timeline.json": (write_huge_timelinejs, "too large to read whole"),
    "huge-article.txt": (write_huge_article, "too large to read whole"),
    "bomb.kmz": (write_kmz_bomb, "refused as a zip bomb"),
    "long-attribute.kml": (write_long_attribute_kml, "bytes without a tag"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_refused_in_bounded_memory(tmp_path: Path, store: Path, name: str):
    write, reason = HOSTILE[name]
    path = tmp_path / name
    write(path)
    assert_refused(run_import(path, store), path, reason, store)


def test_kml_text_past_the_limit_refuses_its_placemark_only(tmp_path: Path, store: Path):
    path = tmp_path / "long-text.kml"
    with path.open("w", encoding="utf-8") as out:
        out.write('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>')
        out.write("<Placemark><name>Kept</name><TimeStamp><when>2020</when></TimeStamp>")
        out.write("<Point><coordinates>30,50</coordinates></Point></Placemark>")
        # CDATA full of "<": no tag boundary check sees it, the text limit does.
        out.write("<Placemark><name>Cut</name><description><![CDATA[")
        out.write("<b>" * (MAX_XML_TEXT_CHARS // 2))
        out.write("]]></description><TimeStamp><when>2020</when></TimeStamp></Placemark>")
        out.write("</Document></kml>")
    result = run_import(path, store)
    assert result["peak"] <= PEAK_MB and "Traceback" not in result["err"] + result["out"]
    assert result["code"] == 0, result
    assert f"skipped: {path}: placemark 2 (Cut): a text longer than" in result["out"]
    assert event_count(store) == 2


def test_csv_line_past_the_limit_is_one_bad_row(tmp_path: Path, store: Path):
    path = tmp_path / "long-line.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,date,latitude,longitude,title\n")
        out.write("c1,1999-03-02,50.0,30.0,Before\n")
        out.write("c2,1999-03-03,50.0,30.0," + "x" * (MAX_LINE_CHARS + 10) + "\n")
        out.write("c3,1999-03-04,50.0,30.0,After\n")
    result = run_import(path, store)
    assert result["peak"] <= PEAK_MB and "Traceback" not in result["err"] + result["out"]
    assert f"skipped: {path}: line 3: longer than {MAX_LINE_CHARS:,} characters" in result["out"]
    assert "imported 2 events, skipped 1" in result["out"]


def test_field_past_the_limit_refuses_the_record(tmp_path: Path, store: Path):
    path = tmp_path / "long-title.geojson"
    features = [
        {"type": "Feature", "geometry": None, "properties": {"start": "2020", "title": title}}
        for title in ("Short", "t" * 20_000)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = run_import(path, store)
    assert result["code"] == 0, result
    assert f"skipped: {path}: feature 2: the title is 20,000 characters long" in result["out"]
    assert event_count(store) == 2


def test_depth_guard_reads_strings_split_across_pieces() -> None:
    # Brackets inside strings (and escaped quotes) do not count, wherever pieces split.
    text = json.dumps({"a": ["[[[[\\\"{{{{"] * 50, "b": [[[[[1]]]]]})
    for size in (1, 2, 3, 7, 64):
        guard = JsonDepthGuard()
        for start in range(0, len(text), size):
            guard.feed(text[start : start + size])
        assert guard.depth == 0
    guard = JsonDepthGuard()
    with pytest.raises(LimitExceeded) as raised:
        guard.feed('{"a":\n' + "[" * (MAX_JSON_DEPTH + 1))
    assert raised.value.line == 2


def test_preview_reads_a_bounded_number_of_rows(tmp_path: Path) -> None:
    from desktop_app.ui.importing.dialogs import PREVIEW_ROWS, preview_table

    path = tmp_path / "bad-rows.csv"
    with path.open("wb") as out:
        out.write(b"id,date,latitude,longitude,title\n")
        out.write(b"c0,1999-03-01,50.0,30.0,Good\n")
        for i in range(50_000):
            out.write(b"c%d,1999-03-01,50.0,30.0,Bad \xff\xfe row\n" % i)
    preview = preview_table(path, encoding="utf-8")
    assert len(preview.rows) + len(preview.problems) <= PREVIEW_ROWS + 1
