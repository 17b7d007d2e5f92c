"""GeoJSON and KML/KMZ are read as streams: memory does not grow with the file, the
``articles`` member may come after the features, and a syntax error anywhere is one
clear failure with its position that leaves the store as it was."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop_app.ingest.geojson import read_geojson
from desktop_app.ingest.pipeline import CHUNK, Progress, import_file, read_records
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.store.event_store import EventStore

KML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Many</name>\n'
    "<Folder><TimeSpan><begin>1999-03</begin></TimeSpan>\n"
)
KML_TAIL = "</Folder></Document></kml>\n"


def _lon(i: int) -> float:
    return 30 + (i % 100) * 0.01


def write_geojson(path: Path, features: int, *, articles_after: bool = False) -> None:
    """``features`` events near Kharkiv in March 1999, one feature a line, written as a
    stream (the file is never held whole here either)."""
    articles = '"articles": [{"id": "a1", "title": "Talks", "text": "Full text."}]'
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection",\n')
        if not articles_after:
            out.write(articles + ",\n")
        out.write('"features": [\n')
        for i in range(features):
            feature = {
                "type": "Feature",
                "id": f"g{i}",
                "geometry": {"type": "Point", "coordinates": [_lon(i), 50.0]},
                "properties": {
                    "title": f"Event {i}",
                    "start": f"1999-03-{1 + i % 28:02d}",
                    "category": "strike",
                    "excerpt": f"Something happened near Kharkiv, number {i}.",
                    "sources": ["Reuters"],
                    **({"article": "a1"} if i % 1000 == 0 else {}),
                },
            }
            out.write(("," if i else "") + json.dumps(feature) + "\n")
        out.write("]")
        out.write(",\n" + articles + "}\n" if articles_after else "}\n")


def write_kml(path: Path, placemarks: int) -> None:
    """``placemarks`` Placemarks in a Folder whose TimeSpan odd ones inherit."""
    with path.open("w", encoding="utf-8") as out:
        out.write(KML_HEAD)
        for i in range(placemarks):
            when = f"<TimeStamp><when>1999-03-{1 + i % 28:02d}</when></TimeStamp>" if i % 2 else ""
            out.write(
                f'<Placemark id="k{i}"><name>Event {i}</name><description><![CDATA[<b>Some'
                f"thing</b> happened near Kharkiv, number {i}.]]></description>{when}"
                f'<ExtendedData><Data name="n"><value>{i}</value></Data></ExtendedData>'
                f"<Point><coordinates>{_lon(i):.2f},50.0,0</coordinates></Point></Placemark>\n"
            )
        out.write(KML_TAIL)


def write_csv(path: Path, rows: int) -> None:
    """The same events as CSV: the control, whose reader is known to stream."""
    with path.open("w", encoding="utf-8") as out:
        out.write("id,date,latitude,longitude,title,description\n")
        for i in range(rows):
            out.write(
                f"c{i},1999-03-{1 + i % 28:02d},50.0,{_lon(i):.2f},Event {i},"
                f"Something happened near Kharkiv number {i}.\n"
            )


PEAK_RSS = """
import resource, sys
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore
with EventStore(sys.argv[2]) as store:
    report = import_file(sys.argv[1], store, on_error="abort")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(report.added, peak / (1024 * 1024 if sys.platform == "darwin" else 1024))
"""


def peak_rss_mb(data: Path, rows: int) -> float:
    """Peak resident memory (MB) of a fresh process that imports ``data`` into a new
    store: apart from this one, so that nothing the test process holds counts."""
    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(data), str(data.with_suffix(".db"))],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    added, peak = result.stdout.split()
    assert int(added) == rows
    return float(peak)


WRITERS = {"geojson": write_geojson, "kml": write_kml, "csv": write_csv}
SIZES = {"geojson": (20_000, 200_000), "kml": (10_000, 100_000)}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["geojson", "kml"])
def test_import_memory_does_not_grow_with_the_file(tmp_path: Path, fmt: str) -> None:
    # The store's own memory grows with an import too, up to bounds of its own (a 64 MB
    # page cache, a cache of up to 200,000 places): measured on the same events as CSV,
    # whose reader streams, it is allowed for on top of the reader's margin.
    peaks: dict[tuple[str, int], float] = {}
    for rows in SIZES[fmt]:
        for kind in (fmt, "csv"):
            data = tmp_path / f"{rows}.{kind}"
            WRITERS[kind](data, rows)
            peaks[kind, rows] = peak_rss_mb(data, rows)
            data.unlink()
    small, large = SIZES[fmt]
    store_growth = max(0.0, peaks["csv", large] - peaks["csv", small])
    assert peaks[fmt, large] < 1.5 * peaks[fmt, small] + 50 + store_growth, peaks


def test_articles_after_the_features_are_found(tmp_path: Path) -> None:
    path = tmp_path / "late.geojson"
    write_geojson(path, 1001, articles_after=True)
    for events in (
        [r for r in read_records(path) if not isinstance(r, BadRecord)],
        read_geojson(path).events,
    ):
        assert len(events) == 1001
        named = [e for e in events if e.article is not None]
        assert [e.uid for e in named] == ["g0", "g1000"]
        assert named[0].article.title == "Talks" and named[0].article.text == "Full text."
    with EventStore(tmp_path / "atlas.db") as store:
        assert import_file(path, store).added == 1001
        assert store.article_text("a1") == "Full text."


def test_type_after_the_features_and_a_bad_feature(tmp_path: Path) -> None:
    path = tmp_path / "odd.geojson"
    good = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
            "properties": {"title": "Kyiv", "start": "2024-02"}}  # fmt: skip
    bad = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
           "properties": {"start": "2024-02"}}  # fmt: skip
    path.write_text(
        json.dumps({"features": [good, bad, good], "type": "FeatureCollection"}),
        encoding="utf-8",
    )
    records = list(read_records(path))
    assert [getattr(r, "title", None) for r in records] == ["Kyiv", None, "Kyiv"]
    assert records[1] == BadRecord(
        str(path), "feature 2", "unsupported geometry 'Polygon' (events are points)"
    )
    path.write_text(json.dumps({"features": [good], "type": "Topology"}), encoding="utf-8")
    with pytest.raises(ImportFailed, match="not a GeoJSON FeatureCollection"):
        list(read_records(path))


def _dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_malformed_json_is_one_failure_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    write_geojson(path, CHUNK + 500)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # Line 3 is the first feature; break one well past the first chunk of events.
    number = 3 + CHUNK + 100
    lines[number - 1] = lines[number - 1].replace('"title": ', '"title" ', 1)
    path.write_text("".join(lines), encoding="utf-8")
    # Where the error is: the title's value, where a colon should have been.
    start = len("".join(lines[: number - 1]).encode()) + lines[number - 1].index('"title" ') + 8
    end = start + len(f'"Event {number - 3}"')

    db = tmp_path / "atlas.db"
    with EventStore(db) as store:
        store.add_events(read_geojson(Path(__file__).parents[1] / "data" / "seed" /
                                      "istanbul-talks-2025.geojson").events)  # fmt: skip
    before = _dump(db)
    with EventStore(db) as store, pytest.raises(ImportFailed) as failed:
        import_file(path, store)
    problem = failed.value.problem
    assert problem.file == str(path)
    line, byte = re.fullmatch(r"line (\d+), byte (\d+)", problem.where).groups()
    # ijson's parser (yajl) notices the error once it has read the whole token.
    assert int(line) == number and start <= int(byte) < end
    assert problem.reason.startswith("not valid JSON (") and "\n" not in problem.reason
    assert _dump(db) == before

    write_geojson(path, CHUNK + 500)
    path.write_bytes(path.read_bytes()[:-10_000])
    with pytest.raises(ImportFailed, match=r"end of file \(byte \d+\): not valid JSON"):
        list(read_records(path))


def test_geojson_in_utf16_and_with_a_byte_order_mark(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
         "properties": {"title": "Київ", "start": "2024-02-03"}}]}  # fmt: skip
    for encoding in ("utf-8-sig", "utf-16"):
        path = tmp_path / f"{encoding}.geojson"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding=encoding)
        assert [e.title for e in read_geojson(path).events] == ["Київ"]


def test_kmz_is_streamed_from_its_inner_document(tmp_path: Path) -> None:
    kml = tmp_path / "doc.kml"
    placemarks = 3 * CHUNK
    write_kml(kml, placemarks)
    kmz = tmp_path / "many.kmz"
    with zipfile.ZipFile(kmz, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("files/other.kml", KML_HEAD + KML_TAIL)
        archive.write(kml, "doc.kml")
    seen: list[Progress] = []
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(kmz, store, progress=seen.append)
        assert (report.format, report.added, report.skipped) == ("kml", placemarks, 0)
        events = {e.uid: e for e in store.all_events()}
    # Read as it was decompressed: the file was not all read when the first chunk of
    # events was written.
    assert seen[0].fraction < 0.9 and seen[-1].fraction == 1.0
    inherited, own = events["kml:k0"], events["kml:k1"]
    assert (inherited.start, inherited.precision) == ("1999-03", "month")
    assert (own.start, own.precision) == ("1999-03-02", "day")
    assert own.excerpt == "Something happened near Kharkiv, number 1."
    assert own.attributes == (("n", "1"),)


def test_malformed_kml_fails_with_its_line_and_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "broken.kml"
    write_kml(path, CHUNK + 100)
    text = path.read_text(encoding="utf-8").replace("<name>Event 5050</name>", "<name>", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if 'id="k5050"' in t)
    with EventStore(tmp_path / "atlas.db") as store:
        with pytest.raises(ImportFailed, match=rf"line {line}: not valid XML"):
            import_file(path, store)
        assert store.count() == 0
