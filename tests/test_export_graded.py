"""The "graded sources" legend on exported pictures: the scale and the grades shown."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from desktop_app.core.dates import event_span
from desktop_app.core.event import Event, Place
from desktop_app.core.grading import Grade, parse_grade
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.compose import (
    SnapshotOptions,
    graded_counts_text,
    graded_legend_entries,
    layout_for,
    legend_entries,
    paint_attribution,
    paint_graded_legend,
    paint_legend,
    paint_scale_bar,
)
from desktop_app.ui.export.dialog import ExportDialog
from desktop_app.ui.export.picture import SnapshotMaker, grade_counts
from desktop_app.ui.export.render import MapExtent

DAY = event_span("2025-06-01", None, "day")[0]
WINDOW = TimeWindow(DAY, DAY + 3)
#: Events at four places, graded; Reykjavik is far from the others.
EVENTS = [
    ("kyiv-1", Place("Kyiv", 50.45, 30.52), "B2"),
    ("kyiv-2", Place("Kyiv", 50.45, 30.52), "B2"),
    ("kyiv-3", Place("Kyiv", 50.45, 30.52), "B2"),
    ("lviv-1", Place("Lviv", 49.84, 24.03), "A1"),
    ("odesa-1", Place("Odesa", 46.48, 30.72), "F6"),
    ("odesa-2", Place("Odesa", 46.48, 30.72), "F6"),
    ("far", Place("Reykjavik", 64.15, -21.94), "E5"),
]


@pytest.fixture
def graded(tmp_path):
    path = tmp_path / "graded.db"
    with EventStore(path) as store:
        store.add_events(
            Event(uid=uid, title=uid, start="2025-06-02", place=place, category="strike")
            for uid, place, _ in EVENTS
        )
        ids = {e.uid: e.id for e in store.all_events()}
        for uid, _, code in EVENTS:
            if code != "F6":
                store.set_grades([ids[uid]], parse_grade(code, "test"))
    return path


def test_entries_are_the_grades_shown_best_first_and_none_of_the_others():
    entries = graded_legend_entries({"F6": 30, "B2": 3, "A1": 0, "A2": 1})
    assert entries == [("A2", 1), ("B2", 3), ("F6", 30)]
    assert graded_counts_text(entries[1:]) == "B2 ×3, F6 ×30"
    assert graded_counts_text(graded_legend_entries({"C3": 1200})) == "C3 ×1,200"


def test_grade_counts_use_each_events_own_grade(graded):
    with EventStore(graded) as store:
        events = store.all_events()
        counts = grade_counts(store, [e.id for e in events if e.uid != "far"])
    assert counts == {"B2": 3, "A1": 1, "F6": 2}
    assert Grade().code == "F6"


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (800, 450), (640, 360)])
def test_the_graded_legend_never_covers_the_legend_scale_bar_or_credits(qtbot, size):
    options = SnapshotOptions("Title", size)
    layout = layout_for(options)
    image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        unit = layout.unit
        credit = paint_attribution(painter, layout.map, "Leaflet | Natural Earth", unit)
        scale = paint_scale_bar(painter, layout.map, {"lat": 48, "zoom": 5}, unit, credit.height())
        # Every category in view: the tallest category legend there is.
        legend = paint_legend(painter, layout.map, legend_entries({i: 5 for i in range(9)}), unit)
        cards = [credit, scale, legend]
        many = graded_legend_entries({f"{r}{c}": 1 for r in "ABCDEF" for c in "123456"})
        card = paint_graded_legend(painter, layout.map, many, unit, cards)
    finally:
        painter.end()
    assert card is not None
    assert layout.map.contains(card)
    for other in cards:
        assert not card.intersects(other), (card, other)


def test_with_no_room_the_graded_legend_gives_way(qtbot):
    image = QImage(200, 120, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        area = QRectF(0, 0, 200, 120)
        assert paint_graded_legend(painter, area, [("B2", 3)], 1.0, [area]) is None
    finally:
        painter.end()


def test_an_exported_png_prints_the_grades_of_the_events_shown(qtbot, graded, tmp_path):
    options = SnapshotOptions("Graded", (1280, 720))
    # Over Ukraine: Reykjavik's event is in the window but not on the map.
    extent = MapExtent(48.5, 30.0, 6)
    with EventStore(graded) as store, SnapshotMaker(store) as maker:
        plain = maker.snapshot(WINDOW, options, extent=extent)
        renderer = maker.renderer(WINDOW, layout_for(options).map_size, 1, extent)
        south, west, north, east = renderer.view_info()["bounds"]
        shown = grade_counts(store, renderer.shown_ids())
        with_legend = maker.snapshot(
            WINDOW, SnapshotOptions("Graded", (1280, 720), graded_legend=True), extent=extent
        )
        inside = Counter(
            e.grade.code
            for e in store.all_events()
            if south <= e.place.lat <= north and west <= e.place.lon <= east
        )
    assert shown == dict(inside) == {"B2": 3, "A1": 1, "F6": 2}
    assert graded_counts_text(graded_legend_entries(shown)) == "A1 ×1, B2 ×3, F6 ×2"
    # The legend is in the top right of the map; the rest of the picture is the same.
    layout = layout_for(options)
    corner = QRectF(layout.map.right() - 300, layout.map.top() + 12, 288, 150).toRect()
    differ = [
        (x, y)
        for x in range(corner.left(), corner.right(), 3)
        for y in range(corner.top(), corner.bottom(), 3)
        if plain.pixel(x, y) != with_legend.pixel(x, y)
    ]
    assert len(differ) > 500
    bottom_left = QRectF(0, layout.map.bottom() - 100, 300, 100).toRect()
    assert all(
        plain.pixel(x, y) == with_legend.pixel(x, y)
        for x in range(bottom_left.left(), bottom_left.right(), 4)
        for y in range(bottom_left.top(), bottom_left.bottom(), 4)
    )


def test_cli_export_graded_legend(graded, tmp_path):
    command = [sys.executable, "-m", "desktop_app", "export", "png", "--db", str(graded),
               "--from", "2025-06-01", "--to", "2025-06-03", "--size", "800x450"]  # fmt: skip
    images = {}
    for name, extra in (("plain", []), ("graded", ["--graded-legend"])):
        out = tmp_path / f"{name}.png"
        result = subprocess.run(
            [*command, "-o", str(out), *extra], capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stderr
        images[name] = QImage(str(out))
    layout = layout_for(SnapshotOptions("", (800, 450)))
    right = round(layout.map.right()) - 20
    top = round(layout.map.top()) + 30
    changed = sum(
        images["plain"].pixel(x, y) != images["graded"].pixel(x, y)
        for x in range(right - 200, right)
        for y in range(top, top + 60)
    )
    assert changed > 300


def test_the_export_dialog_offers_the_graded_legend_for_pictures(qtbot, graded, tmp_path):
    from tests.mapping import open_map
    from tests.test_export_dialog import Target

    with EventStore(graded) as store:
        view = open_map(qtbot, store, WINDOW, size=(700, 450))
        target = Target(store, view)
        qtbot.addWidget(target)
        dialog = ExportDialog(target)
        qtbot.addWidget(dialog)
        dialog.path_edit.setText(str(tmp_path / "map.png"))
        assert dialog.graded_box.isEnabled() and not dialog.settings().options.graded_legend
        dialog.graded_box.setChecked(True)
        assert dialog.settings().options.graded_legend
        dialog.format_box.setCurrentIndex(dialog.format_box.findData("csv"))
        assert not dialog.graded_box.isEnabled()
