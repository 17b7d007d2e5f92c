"""The filter dock's provenance and kept-field controls, and the chips' words through the
translations, in the real window; the polygon part against real stores and the CLI."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QStyleOptionViewItem

from desktop_app.cli import main
from desktop_app.core.event import Event, Place
from desktop_app.core.filter import Filter, inside_polygon
from desktop_app.core.grading import parse_grade
from desktop_app.core.window import TimeWindow
from desktop_app.store import queries
from desktop_app.store.event_store import EventStore
from desktop_app.ui.panels.filters import MAX_VALUES, find_choices
from desktop_app.ui.tasks import background_runner
from tests.mapping import filtered, js, open_window, visible_ids

WINDOW = TimeWindow(20240.0, 20243.0)  # 2025-06-01 to 06-04


@pytest.fixture
def graded_db(tmp_path):
    path = tmp_path / "graded.db"
    store = EventStore(path)
    store.add_events([
        Event(uid="a1", title="A", start="2025-06-02",
              place=Place("Belbek air base", 44.69, 33.57, "airbase", "UA"),
              sources=("Reuters", "reuters.com", "The Guardian"), grade=parse_grade("A1"),
              attributes=(("fatalities", "3"), ("notes", "x"))),
        Event(uid="b3", title="B", start="2025-06-02",
              place=Place("Kharkiv", 49.99, 36.23, "city", "UA"),
              sources=("Guardian", "Kyiv Independent"), grade=parse_grade("B3"),
              attributes=(("fatalities", "0"),)),
        Event(uid="c", title="C", start="2025-06-02",
              place=Place("Sumy region", 50.9, 34.8, "region", "UA"),
              sources=("Some Blog",), grade=parse_grade("D5")),
    ])  # fmt: skip
    store.close()
    return path


@pytest.fixture
def window(qtbot, graded_db):
    w = open_window(qtbot, graded_db)
    w.state.set_window(WINDOW)
    yield w
    background_runner().wait()


def ids_of(store: EventStore, *uids: str) -> set[int]:
    return {e.id for e in store.all_events() if e.uid in uids}


def settled(qtbot, window, flt: Filter) -> set[int]:
    """The page's visible ids once the panel's count for ``flt`` is in."""
    panel = window.filter_panel
    qtbot.waitUntil(lambda: panel.matches is not None and panel.matches.flt == flt)
    return visible_ids(qtbot, window.map_view)


def test_the_provenance_controls_set_the_filter_and_the_map_follows(qtbot, window):
    panel, store, state = window.filter_panel, window.store, window.state
    assert visible_ids(qtbot, window.map_view) == ids_of(store, "a1", "b3", "c")

    panel.min_reliability.setCurrentIndex(panel.min_reliability.findData("B"))
    assert state.filter == Filter(min_reliability="B")
    assert "Usually reliable" in panel.min_reliability.currentText()
    assert settled(qtbot, window, state.filter) == ids_of(store, "a1", "b3")
    qtbot.waitUntil(lambda: panel.count.text() == "2 events match, at any time")

    panel.min_credibility.setCurrentIndex(panel.min_credibility.findData("1"))
    assert state.filter == Filter(min_reliability="B", min_credibility="1")
    assert settled(qtbot, window, state.filter) == ids_of(store, "a1")

    state.set_filter(Filter())
    assert panel.min_reliability.currentData() == "" == panel.min_credibility.currentData()
    panel.min_corroboration.setValue(2)
    assert state.filter == Filter(min_corroboration=2)
    assert settled(qtbot, window, state.filter) == ids_of(store, "a1", "b3")
    assert panel.min_corroboration.text().startswith("2")

    panel.min_corroboration.setValue(0)
    assert state.filter.is_empty and panel.min_corroboration.text() == "Any"
    panel.exact_place.setChecked(True)
    assert state.filter == Filter(exact_place=True)
    assert settled(qtbot, window, state.filter) == ids_of(store, "a1")
    # Cleared by its chip, the box is unticked.
    (chip,) = window.chips.chips
    assert chip.text() == "Only: exact places  ×"
    chip.click()
    assert not panel.exact_place.isChecked() and state.filter.is_empty


def test_kept_fields_are_listed_with_counts_and_conditions_add_up(qtbot, window):
    panel, store, state = window.filter_panel, window.store, window.state
    qtbot.waitUntil(lambda: panel.attribute_name.count() == 2)
    assert [panel.attribute_name.itemText(k) for k in range(2)] == ["fatalities (2)", "notes (1)"]
    panel.attribute_name.setCurrentIndex(panel.attribute_name.findData("fatalities"))
    panel.attribute_value.setEditText("3")
    panel.attribute_add.click()
    assert state.filter == Filter(attributes={("fatalities", "3")})
    assert settled(qtbot, window, state.filter) == ids_of(store, "a1")
    assert panel.attributes.count() == 1 and panel.attributes.item(0).text() == "fatalities is 3"
    # A second condition: both must hold.
    panel.attribute_name.setCurrentIndex(panel.attribute_name.findData("notes"))
    # A value the field does not have can still be typed.
    qtbot.waitUntil(lambda: panel.attribute_values == [("x", 1)])
    panel.attribute_value.setEditText("y")
    panel.attribute_value.lineEdit().returnPressed.emit()
    assert state.filter.attributes == {("fatalities", "3"), ("notes", "y")}
    assert settled(qtbot, window, state.filter) == set()
    # Unticking one drops it.
    items = [panel.attributes.item(k) for k in range(2)]
    drop = next(item for item in items if item.text() == "notes is y")
    drop.setCheckState(drop.checkState().Unchecked)
    assert state.filter == Filter(attributes={("fatalities", "3")})
    assert settled(qtbot, window, state.filter) == ids_of(store, "a1")


def test_the_store_lists_kept_field_names_by_how_many_events_have_them(graded_db):
    with EventStore(graded_db) as store:
        assert queries.named_counts(store.db.conn, "attributes") == [
            ("fatalities", 2), ("notes", 1)
        ]  # fmt: skip
    assert find_choices(graded_db).attributes == (("fatalities", 2), ("notes", 1))


def test_two_changes_in_a_row_leave_the_chips_in_view(qtbot, window):
    window.state.set_filter(Filter(min_corroboration=1))
    window.state.set_filter(Filter(min_corroboration=1, exact_place=True))
    chips = window.chips
    assert [b.text() for b in chips.chips] == ["Outlets: at least 1  ×", "Only: exact places  ×"]
    # The row is as tall as its chips, not squeezed to nothing.
    assert chips._scroll.height() >= chips.chips[0].sizeHint().height() > 0


class Marked(QTranslator):
    """A catalogue for the chips' context that marks every word it translates."""

    def translate(self, context, source, disambiguation=None, n=-1):
        if context != "FilterChips":
            return None
        return "«" + source + "»"


def test_every_chip_is_worded_through_the_translations(qtbot, window):
    every = Filter(
        categories={"strike"}, text="talks", place="Kyiv", precisions={"month"},
        placement="has a place", bbox=(30, 45, 40, 52),
        polygon=((30, 45), (40, 45), (35, 52)), actors={"Ukraine"}, sources={"Reuters"},
        min_reliability="B", min_credibility="2", min_corroboration=2, exact_place=True,
        attributes={("fatalities", "3")},
    )  # fmt: skip
    assert {c.part for c in every.describe()} == {
        f for f in Filter.__dataclass_fields__
    }  # every part of the model has a chip here
    marked = Marked()
    assert QCoreApplication.installTranslator(marked)
    try:
        window.state.set_filter(every)
        texts = [b.text() for b in window.chips.chips]
    finally:
        QCoreApplication.removeTranslator(marked)
    # Every chip's words are the catalogue's (the chip row's frame "%1  ×" too); the
    # user's own values are kept as they are.
    inner = [
        "«Category: «Strike»»", "«Text: talks»", "«Place: Kyiv»", "«Dated to: «month»»",
        "«Only: has a place»", "«Area: 30, 45, 40, 52»", "«Area: polygon of 3 points»",
        "«Actor: Ukraine»", "«Source: Reuters»", "«Reliability: B or better»",
        "«Credibility: 2 or better»", "«Outlets: at least 2»", "«Only: exact places»",
        "«fatalities: 3»",
    ]  # fmt: skip
    assert texts == ["«" + text + "  ×»" for text in inner]


# -- the polygon part against the store -------------------------------------------------------

TRIANGLE = ((30.0, 46.0), (38.0, 47.0), (33.0, 52.0))


def reference(store: EventStore, polygon) -> set[int]:
    """Inside by a plain loop over every placed event (even-odd rule, edges inside)."""
    found = set()
    for e in store.all_events():
        if e.place is None:
            continue
        if inside_polygon(np.array([e.place.lon]), np.array([e.place.lat]), polygon)[0]:
            found.add(e.id)
    return found


def test_a_polygon_keeps_exactly_the_events_inside_it(seed_store):
    flt = Filter(polygon=TRIANGLE)
    expected = reference(seed_store, TRIANGLE)
    everything = seed_store.count()
    assert 0 < len(expected) < everything
    assert set(seed_store.matching_ids(flt).tolist()) == expected
    assert seed_store.count_matching(flt) == len(expected)
    assert {e.id for e in seed_store.matching_events(flt)} == expected
    # The box around the triangle holds more: the polygon, not its box, decides.
    box = Filter(bbox=(30, 46, 38, 52))
    assert seed_store.count_matching(box) > len(expected)
    # With a text query, ranked and limited to what lies inside.
    both = Filter(polygon=TRIANGLE, text="kharki*")
    ranked = queries.ranked_ids(seed_store.db.conn, both).tolist()
    assert set(ranked) == expected & set(seed_store.matching_ids(Filter(text="kharki*")).tolist())
    assert queries.ranked_ids(seed_store.db.conn, both, limit=1).tolist() == ranked[:1]


def test_the_events_command_takes_a_polygon_as_points_or_geojson(seed_db, tmp_path):
    with EventStore(seed_db) as store:
        expected = {e.title for e in store.events(sorted(reference(store, TRIANGLE)))}
    points = ", ".join(f"{lon} {lat}" for lon, lat in TRIANGLE)
    run = CliRunner().invoke
    result = run(main, ["events", "--db", str(seed_db), "--format", "json", "--polygon", points])
    assert result.exit_code == 0, result.output
    assert {r["title"] for r in json.loads(result.output)} == expected
    shape = tmp_path / "area.geojson"
    ring = [list(v) for v in TRIANGLE] + [list(TRIANGLE[0])]
    shape.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                          "coordinates": [ring]}}]}))  # fmt: skip
    args = ["events", "--db", str(seed_db), "--format", "json", "--polygon", str(shape)]
    result = run(main, args)
    assert result.exit_code == 0, result.output
    assert {r["title"] for r in json.loads(result.output)} == expected
    for bad in ("30 46, 38 47", "30 46, 38 x, 33 52", "30 46, 38 47, 33 95"):
        result = run(main, ["events", "--db", str(seed_db), "--polygon", bad])
        assert result.exit_code == 2 and "--polygon" in result.output
        assert "Area: " in result.output and "Traceback" not in result.output


# -- a polygon drawn on the map ---------------------------------------------------------------

SEED_WINDOW = TimeWindow(20000.0, 20400.0)  # every bundled event


def press(qtbot, view, corners, kinds=("mousedown", "mouseup", "click"), last=()) -> None:
    """Click the page at each ``(lat, lon)`` corner; ``last``: events after the last."""
    js(
        qtbot,
        view,
        f"""(() => {{
            const map = EventAtlas.map, c = map.getContainer(), r = c.getBoundingClientRect();
            const points = {json.dumps(corners)}.map((ll) => map.latLngToContainerPoint(ll));
            const at = (p) => ({{clientX: r.left + p.x, clientY: r.top + p.y, bubbles: true,
                                 button: 0}});
            const send = (kinds, p) => {{
                for (const kind of kinds) c.dispatchEvent(new MouseEvent(kind, at(p)));
            }};
            for (const p of points) send({json.dumps([*kinds, "mousemove"])}, p);
            send({json.dumps(list(last))}, points[points.length - 1]);
            return true;
        }})()""",
    )


def in_triangle(lon: float, lat: float, ring) -> bool:
    """Plain point-in-polygon, one point at a time (a ray to the east, even-odd)."""
    inside = False
    for k in range(len(ring)):
        (x1, y1), (x2, y2) = ring[k], ring[(k + 1) % len(ring)]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@pytest.fixture
def seed_window(qtbot, seed_db):
    w = open_window(qtbot, seed_db)
    w.state.set_window(SEED_WINDOW)
    js(qtbot, w.map_view, "EventAtlas.showExtent(45, 30, 5, null)")
    yield w
    background_runner().wait()


def test_a_triangle_drawn_on_the_map_shows_exactly_the_events_inside(qtbot, seed_window):
    window, view = seed_window, seed_window.map_view
    everything = visible_ids(qtbot, view)
    window.polygon_action.trigger()
    qtbot.waitUntil(lambda: js(qtbot, view, "EventAtlas.polygonMode") is True)
    corners = [[52.0, 29.0], [45.0, 27.0], [47.0, 39.0]]  # (lat, lon)
    press(qtbot, view, corners, last=("mousedown", "mouseup", "click", "dblclick"))
    qtbot.waitUntil(lambda: bool(window.state.filter.polygon))
    assert not window.polygon_action.isChecked()
    drawn = window.state.filter.polygon
    assert len(drawn) == 3
    for (lon, lat), (want_lat, want_lon) in zip(drawn, corners, strict=True):
        assert lon == pytest.approx(want_lon, abs=0.3) and lat == pytest.approx(want_lat, abs=0.3)
    expected = {
        e.id for e in window.store.events_between(SEED_WINDOW)
        if e.place is not None and in_triangle(e.place.lon, e.place.lat, drawn)
    }  # fmt: skip
    shown = visible_ids(qtbot, view)
    assert shown == expected and 0 < len(shown) < len(everything)
    # The timeline and the table's filter follow; the chip names the polygon and clears it.
    filtered(qtbot, window)
    assert set(window.timeline.timeline.index.ids.tolist()) == expected
    (chip,) = window.chips.chips
    assert chip.text() == "Area: polygon of 3 points  ×"
    # The map outlines the filter's polygon while it applies.
    assert js(qtbot, view, "EventAtlas.outlinedPolygon") == [list(c) for c in drawn]
    chip.click()
    assert window.state.filter.is_empty
    assert js(qtbot, view, "EventAtlas.outlinedPolygon") is None
    assert visible_ids(qtbot, view) == everything


def test_clicking_the_first_corner_closes_and_esc_gives_up(qtbot, seed_window):
    window, view = seed_window, seed_window.map_view
    window.polygon_action.trigger()
    corners = [[52.0, 29.0], [45.0, 27.0], [47.0, 39.0], [52.0, 29.0]]
    press(qtbot, view, corners)
    qtbot.waitUntil(lambda: len(window.state.filter.polygon) == 3)
    # Esc: no polygon, the mode ends, the filter stays as it was.
    before = window.state.filter
    window.polygon_action.trigger()
    press(qtbot, view, corners[:2])
    js(qtbot, view, "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
    qtbot.waitUntil(lambda: not window.polygon_action.isChecked())
    assert js(qtbot, view, "EventAtlas.polygonMode") is False
    assert window.state.filter == before
    # Two corners are no polygon: a double-click after them chooses nothing.
    window.polygon_action.trigger()
    press(qtbot, view, corners[:2], last=("dblclick",))
    qtbot.waitUntil(lambda: not window.polygon_action.isChecked())
    assert window.state.filter == before


@pytest.fixture
def acled_db(tmp_path):
    """A store of 1,000 ACLED-style rows (the benchmark's generator): many kept fields,
    one of them (``tags``) with a value of its own on every row."""
    import csv

    from tests.benchmarks.bench_import import write_acled_csv

    generated, source = tmp_path / "generated.csv", tmp_path / "acled.csv"
    write_acled_csv(generated, 1000)
    with generated.open(newline="", encoding="utf-8") as rows:
        table = list(csv.reader(rows))
    tags = table[0].index("tags")
    for k, row in enumerate(table[1:]):
        row[tags] = f"tag {k:04d}"
    with source.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(table)
    path = tmp_path / "acled.db"
    result = CliRunner().invoke(main, ["--db", str(path), "import", str(source), "--dayfirst"])
    assert result.exit_code == 0, result.output
    return path


def counted_values(path, name: str) -> list[tuple[str, int]]:
    """The values of the kept field ``name`` by how many events have each, most first,
    counted over the events themselves."""
    with EventStore(path) as store:
        counts = Counter(
            dict(e.attributes)[name] for e in store.all_events() if name in dict(e.attributes)
        )
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def test_a_kept_field_offers_its_values_with_counts_most_frequent_first(qtbot, acled_db):
    window = open_window(qtbot, acled_db)
    panel, state = window.filter_panel, window.state
    names = panel.attribute_name
    qtbot.waitUntil(lambda: names.findData("admin1") >= 0 and names.findData("tags") >= 0)
    expected = counted_values(acled_db, "admin1")
    names.setCurrentIndex(names.findData("admin1"))
    qtbot.waitUntil(lambda: panel.attribute_values == expected)
    assert len(expected) > 1 and expected[0][1] > expected[-1][1]
    # The list shows each value with its count; picking one takes the value alone.
    box = panel.attribute_value
    option = QStyleOptionViewItem()
    box.itemDelegate().initStyleOption(option, box.model().index(0, 0))
    assert option.text == f"{expected[0][0]}  ({expected[0][1]})"
    box.setCurrentIndex(1)
    assert box.currentText() == expected[1][0]
    panel.attribute_add.click()
    assert state.filter == Filter(attributes={("admin1", expected[1][0])})
    qtbot.waitUntil(lambda: panel.matches is not None and panel.matches.flt == state.filter)
    assert panel.matches.count == expected[1][1]
    # A field of more values than are listed offers the most frequent, bounded; and of
    # two fields chosen one after the other, the last one's values are listed.
    names.setCurrentIndex(names.findData("region"))
    names.setCurrentIndex(names.findData("tags"))
    every_tag = counted_values(acled_db, "tags")
    assert len(every_tag) > MAX_VALUES
    qtbot.waitUntil(lambda: panel.attribute_values == every_tag[:MAX_VALUES])
    assert not box.currentText()
    background_runner().wait()


def test_the_cli_lists_kept_fields_and_their_values(graded_db):
    runner = CliRunner()
    fields = runner.invoke(main, ["--db", str(graded_db), "fields"])
    assert fields.exit_code == 0, fields.output
    assert fields.output.splitlines() == ["        2  fatalities", "        1  notes", "2 fields"]
    values = runner.invoke(main, ["--db", str(graded_db), "fields", "fatalities", "--format",
                                  "json"])  # fmt: skip
    assert json.loads(values.output) == [{"value": "0", "events": 1}, {"value": "3", "events": 1}]
    missing = runner.invoke(main, ["--db", str(graded_db), "fields", "casualties"])
    assert missing.exit_code == 1 and "casualties" in missing.output
    assert len(missing.output.strip().splitlines()) == 1


def test_the_cli_values_of_an_acled_field_are_what_events_filters_by(acled_db):
    runner = CliRunner()
    expected = counted_values(acled_db, "admin1")
    found = runner.invoke(main, ["--db", str(acled_db), "fields", "admin1", "--limit", "3"])
    assert found.exit_code == 0, found.output
    lines = found.output.splitlines()
    assert lines == [f"{n:>9,}  {v}" for v, n in expected[:3]] + ["3 values of admin1"]
    value, count = expected[1]
    listed = runner.invoke(main, ["--db", str(acled_db), "events", "--attribute",
                                  f"admin1={value}", "--format", "json"])  # fmt: skip
    assert len(json.loads(listed.output)) == count
