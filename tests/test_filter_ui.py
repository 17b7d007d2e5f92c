"""The filter a user sees and uses, in the real window: the legend's checklist, the chip
row, the filter panel, marked matches in the excerpt, an area dragged on the map, and
exports that follow the filter."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.core.categories import CATEGORIES, category
from desktop_app.core.event import Event, Place
from desktop_app.core.filter import Chip, Filter, Placement
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.compose import SnapshotOptions
from desktop_app.ui.export.job import ExportJob, run_export
from desktop_app.ui.panels.filters import chip_text
from desktop_app.ui.tasks import background_runner
from tests.mapping import js, open_window, visible_ids

SEED_WINDOW = TimeWindow(20000.0, 20400.0)  # every bundled event


def shown_on_map(store, flt: Filter, window: TimeWindow) -> set[int]:
    return set(store.matching_ids(dataclasses.replace(flt, placement=Placement.PLACED), window))


def legend_counts(store, flt: Filter, window: TimeWindow) -> dict[str, int]:
    """What the legend should count: the window's placed events per category, under the
    filter less its categories."""
    rest = dataclasses.replace(flt, categories=frozenset(), placement=Placement.PLACED)
    counts = {}
    for c in CATEGORIES:
        n = store.count_matching(dataclasses.replace(rest, categories={c.key}), window)
        if n:
            counts[c.key] = n
    return counts


def legend(qtbot, window) -> dict[str, dict]:
    return {e["key"]: e for e in js(qtbot, window.map_view, "EventAtlas.legend.entries()")}


def tick(qtbot, window, key: str) -> None:
    """Click the legend's checkbox of category ``key`` in the page."""
    clicked = js(
        qtbot,
        window.map_view,
        f"""(() => {{
            const box = document.querySelector(
                '.ea-legend-row[data-category={json.dumps(key)}] input');
            box.click();
            return true;
        }})()""",
    )
    assert clicked


@pytest.fixture
def window(qtbot, seed_db):
    w = open_window(qtbot, seed_db)
    w.state.set_window(SEED_WINDOW)
    yield w
    background_runner().wait()


def test_a_legend_tick_filters_the_map_and_keeps_its_count(qtbot, window):
    store, view = window.store, window.map_view
    everything = visible_ids(qtbot, view)
    entries = legend(qtbot, window)
    assert {k: e["count"] for k, e in entries.items()} == legend_counts(
        store, Filter(), SEED_WINDOW
    )
    assert all(e["ticked"] for e in entries.values())
    strikes = entries["strike"]["count"]
    assert strikes > 0

    # The categories the store has: unticking one filters by the others.
    every = {category(e.category).key for e in store.all_events()}
    assert 1 < len(every) < len(CATEGORIES)
    tick(qtbot, window, "strike")
    qtbot.waitUntil(lambda: window.state.filter.categories == every - {"strike"})
    flt = window.state.filter
    shown = visible_ids(qtbot, view)
    assert shown == shown_on_map(store, flt, SEED_WINDOW)
    assert len(everything) - len(shown) == strikes
    # Unticked, the category stays listed with what it would bring back.
    after = legend(qtbot, window)
    assert after["strike"] == {**entries["strike"], "ticked": False}
    assert window.status.text().startswith(f"{len(shown):,} on the map")
    # More than three categories read as one chip, which clears them all.
    (chip,) = [c for c in window.chips.chips if c.text().startswith("Category:")]
    assert chip.text().endswith(f" and {len(every) - 3} more  ×")

    # Ticked again, every category shows: no category filter is left.
    tick(qtbot, window, "strike")
    qtbot.waitUntil(lambda: window.state.filter.is_empty)
    assert visible_ids(qtbot, view) == everything


def test_the_legend_counts_follow_the_filter_and_the_window(qtbot, window):
    store = window.store
    window.state.set_filter(Filter(text="russia*", categories={"diplomacy"}))
    flt = window.state.filter
    expected = legend_counts(store, flt, SEED_WINDOW)
    qtbot.waitUntil(lambda: {k: e["count"] for k, e in legend(qtbot, window).items()} == expected)
    ticked = {k for k, e in legend(qtbot, window).items() if e["ticked"]}
    assert ticked == {"diplomacy"} and len(expected) > 1
    # A scrub counts the new window's events.
    narrow = TimeWindow(20241.0, 20242.0)
    window.state.set_window(narrow)
    expected = legend_counts(store, flt, narrow)
    assert expected != legend_counts(store, flt, SEED_WINDOW)
    assert {k: e["count"] for k, e in legend(qtbot, window).items()} == expected


def test_the_last_ticked_category_cannot_be_unticked(qtbot, window):
    window.state.set_filter(Filter(categories={"diplomacy"}))
    tick(qtbot, window, "diplomacy")
    qtbot.waitUntil(lambda: legend(qtbot, window)["diplomacy"]["ticked"])
    assert window.state.filter == Filter(categories={"diplomacy"})
    assert visible_ids(qtbot, window.map_view)


def test_chips_clear_their_part_and_clear_all_clears_every_part(qtbot, window):
    chips = window.chips
    assert chips.unfiltered.isVisibleTo(window) and not chips.clear_all.isVisibleTo(window)
    map_height = window.map_view.height()
    window.state.set_filter(Filter(text="talks", categories={"diplomacy"}, place="istanb"))
    assert not chips.unfiltered.isVisibleTo(window) and chips.clear_all.isVisibleTo(window)
    # The map keeps its size: no jump, no new drawing at another size.
    QApplication.processEvents()
    assert window.map_view.height() == map_height
    texts = [b.text() for b in chips.chips]
    assert texts == ["Category: Diplomacy  ×", "Text: talks  ×", "Place: istanb  ×"]
    qtbot.mouseClick(chips.chips[1], Qt.MouseButton.LeftButton)
    assert window.state.filter == Filter(categories={"diplomacy"}, place="istanb")
    assert [b.text() for b in chips.chips] == ["Category: Diplomacy  ×", "Place: istanb  ×"]
    assert visible_ids(qtbot, window.map_view) == shown_on_map(
        window.store, window.state.filter, SEED_WINDOW
    )
    qtbot.mouseClick(chips.clear_all, Qt.MouseButton.LeftButton)
    assert window.state.filter.is_empty
    assert chips.unfiltered.isVisibleTo(window) and chips.chips == []
    QApplication.processEvents()
    assert window.map_view.height() == map_height
    # Many categories are one chip; its × clears the categories and nothing else.
    many = {"diplomacy", "strike", "military", "statement"}
    window.state.set_filter(Filter(categories=many, text="talks"))
    assert [b.text() for b in chips.chips] == [
        "Category: Diplomacy, Strike and 2 more  ×",
        "Text: talks  ×",
    ]
    qtbot.mouseClick(chips.chips[0], Qt.MouseButton.LeftButton)
    assert window.state.filter == Filter(text="talks")


def test_typing_in_the_panel_filters_after_a_pause_and_counts(qtbot, window):
    panel = window.filter_panel
    qtbot.keyClicks(panel.text, "kharki*")
    # Nothing yet: the filter waits for typing to pause.
    assert window.state.filter.is_empty
    qtbot.waitUntil(lambda: window.state.filter.text == "kharki*")
    flt = window.state.filter
    count = window.store.count_matching(flt)
    qtbot.waitUntil(lambda: panel.count.text() == f"{count:,} events match, at any time")
    assert panel.matches.best and panel.best.count() == len(panel.matches.best)
    assert visible_ids(qtbot, window.map_view) == shown_on_map(window.store, flt, SEED_WINDOW)
    # A quote left open is named, and the filter stays as it was.
    panel.text.setText('"second round')
    panel.text.returnPressed.emit()
    assert panel.problem.isVisibleTo(panel) and "quote" in panel.problem.text()
    assert window.state.filter == flt


def test_the_panel_s_lists_set_the_filter_and_follow_it(qtbot, window):
    panel = window.filter_panel
    qtbot.waitUntil(lambda: panel.actors.count() > 0 and panel.sources.count() > 0)
    reuters = next(
        panel.sources.item(k)
        for k in range(panel.sources.count())
        if panel.sources.item(k).data(Qt.ItemDataRole.UserRole) == "Reuters"
    )
    reuters.setCheckState(Qt.CheckState.Checked)
    assert window.state.filter == Filter(sources={"Reuters"})
    panel.precisions[next(iter(panel.precisions))].setChecked(True)
    panel.placement.setCurrentIndex(panel.placement.findData(Placement.PLACED))
    flt = window.state.filter
    assert flt.sources == {"Reuters"} and flt.precisions and flt.placement is Placement.PLACED
    assert visible_ids(qtbot, window.map_view) == shown_on_map(window.store, flt, SEED_WINDOW)
    # Cleared elsewhere (a chip), the panel shows it cleared.
    window.state.set_filter(flt.without(Chip("sources", "Reuters")))
    assert reuters.checkState() == Qt.CheckState.Unchecked
    window.state.set_filter(Filter())
    assert panel.placement.currentData() == Placement.ANY
    assert not any(box.isChecked() for box in panel.precisions.values())


def test_the_filter_dock_is_in_the_view_menu_with_a_shortcut(qtbot, window):
    action = window.filter_dock.toggleViewAction()
    assert action.shortcut().toString() == "Ctrl+Shift+F"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions() and window.area_action in view_menu.actions()


def test_the_excerpt_marks_the_matches_of_the_text_filter_escaped(qtbot, seed_db, tmp_path):
    store = EventStore(seed_db)
    store.add_events(
        [
            Event(
                uid="marked",
                title="<b>x</b> talks resume",
                start="2025-06-03",
                excerpt="The talks <i>resumed</i> & talked on.",
                place=Place("Istanbul", 41.01, 28.97),
            )
        ]
    )
    store.close()
    window = open_window(qtbot, seed_db)
    event_id = int(window.store.matching_ids(Filter(text="resume"))[0])
    window.state.select([event_id])
    details = window.panel.details
    assert "<b>x</b> talks resume" in details.toPlainText()
    assert "#ffe27a" not in details.toHtml()
    window.state.set_filter(Filter(text="talk*"))
    html = details.toHtml()
    # "talks" in the title, "talks" and "talked" in the excerpt.
    assert html.count("#ffe27a") == 3
    # The title's tags are text, still: escaped before it was marked.
    assert "<b>x</b> talks resume" in details.toPlainText()
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    background_runner().wait()


def drag(qtbot, view, corners, shift=True) -> None:
    """Drag a rectangle on the page between two ``(lat, lon)`` corners."""
    js(
        qtbot,
        view,
        f"""(() => {{
            const map = EventAtlas.map, c = map.getContainer(), r = c.getBoundingClientRect();
            const [a, b] = {json.dumps(corners)}.map((ll) => map.latLngToContainerPoint(ll));
            const at = (p) => ({{clientX: r.left + p.x, clientY: r.top + p.y, bubbles: true,
                                 button: 0, shiftKey: {json.dumps(shift)}}});
            c.dispatchEvent(new MouseEvent("mousedown", at(a)));
            document.dispatchEvent(new MouseEvent("mousemove", at(b)));
            document.dispatchEvent(new MouseEvent("mouseup", at(b)));
            return true;
        }})()""",
    )


def test_a_rectangle_dragged_on_the_map_filters_to_its_area(qtbot, window):
    view = window.map_view
    js(qtbot, view, "EventAtlas.showExtent(45, 30, 4, null)")
    everything = visible_ids(qtbot, view)
    drag(qtbot, view, [[50.0, 26.0], [40.0, 34.0]])
    qtbot.waitUntil(lambda: window.state.filter.bbox is not None)
    west, south, east, north = window.state.filter.bbox
    assert west == pytest.approx(26, abs=0.3) and east == pytest.approx(34, abs=0.3)
    assert south == pytest.approx(40, abs=0.3) and north == pytest.approx(50, abs=0.3)
    flt = window.state.filter
    shown = visible_ids(qtbot, view)
    assert shown == shown_on_map(window.store, flt, SEED_WINDOW)
    assert 0 < len(shown) < len(everything)
    # The timeline follows, and the area's chip clears it.
    assert sorted(window.timeline.timeline.index.ids.tolist()) == (
        window.store.matching_ids(flt).tolist()
    )
    (chip,) = [b for b in window.chips.chips if b.text().startswith("Area: ")]
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert window.state.filter.is_empty
    assert visible_ids(qtbot, view) == everything


def test_area_mode_lets_a_plain_drag_choose_an_area_once(qtbot, window):
    view = window.map_view
    js(qtbot, view, "EventAtlas.showExtent(45, 30, 4, null)")
    drag(qtbot, view, [[50.0, 26.0], [40.0, 34.0]], shift=False)
    assert window.state.filter.bbox is None  # a plain drag pans
    window.area_action.trigger()
    qtbot.waitUntil(lambda: js(qtbot, view, "EventAtlas.areaMode") is True)
    drag(qtbot, view, [[50.0, 26.0], [40.0, 34.0]], shift=False)
    qtbot.waitUntil(lambda: window.state.filter.bbox is not None)
    assert not window.area_action.isChecked()
    assert js(qtbot, view, "EventAtlas.areaMode") is False


@pytest.mark.parametrize("fmt", ["csv", "geojson", "html"])
def test_data_and_page_exports_follow_the_filter(qtbot, seed_store, tmp_path, fmt):
    flt = Filter(text="talks")
    path = tmp_path / f"out.{fmt}"
    job = ExportJob(fmt, path, SEED_WINDOW, SnapshotOptions(title="T"), filter=flt)
    result = run_export(job, seed_store)
    matching = seed_store.count_matching(flt, SEED_WINDOW)
    everything = seed_store.count_between(SEED_WINDOW)
    assert matching < everything
    text = path.read_text(encoding="utf-8")
    if fmt == "csv":
        assert result.events == matching == len(text.strip().splitlines()) - 1
    elif fmt == "geojson":
        assert result.events == matching == len(json.loads(text)["features"])
    else:
        placed = len(shown_on_map(seed_store, flt, SEED_WINDOW))
        assert result.events == placed


def test_a_picture_export_draws_only_the_filter_s_events(qtbot, seed_store, tmp_path):
    from desktop_app.ui.export.picture import SnapshotMaker

    flt = Filter(categories={"strike"})
    maker = SnapshotMaker(seed_store)
    try:
        job = ExportJob(
            "png", tmp_path / "a.png", SEED_WINDOW, SnapshotOptions(title="T", size=(640, 400)),
            filter=flt,
        )
        result = run_export(job, seed_store, maker=maker)
        assert result.events == seed_store.count_matching(flt, SEED_WINDOW)
        renderer = maker._renderer
        shown = {int(i) for i in js(qtbot, renderer.view, "EventAtlas.visibleIds()")}
        assert shown == shown_on_map(seed_store, flt, SEED_WINDOW)
        counts = renderer.view_info()["categories"]
        assert set(counts) <= {str(CATEGORIES.index(category("strike")))}
    finally:
        maker.close()


def test_the_export_dialog_s_job_carries_the_window_s_filter(qtbot, window, tmp_path):
    from desktop_app.ui.export.dialog import ExportSettings, job_for

    window.state.set_filter(Filter(text="talks"))
    settings = ExportSettings(fmt="csv", path=tmp_path / "x.csv", options=SnapshotOptions())
    job = job_for(window, settings)
    assert job.filter == Filter(text="talks")


def test_the_export_dialog_s_job_draws_the_events_as_the_window_does(qtbot, window, tmp_path):
    from desktop_app.mapgen.page import MapLook
    from desktop_app.ui.export.dialog import ExportSettings, job_for

    settings = ExportSettings(fmt="png", path=tmp_path / "x.png", options=SnapshotOptions())
    assert job_for(window, settings).look == MapLook()
    window.set_mark_style("dots")
    window.map_view.set_halos(False)
    window.map_view.set_fade(False)
    assert job_for(window, settings).look == MapLook(fade=False, halos=False, mark_style="dots")


def test_a_store_copy_is_left_alone(seed_db, tmp_path):
    # The panel's questions open the store read-only: its file is not written to.
    from desktop_app.ui.panels.filters import find_choices, find_matches

    copy = tmp_path / "copy.db"
    shutil.copy(seed_db, copy)
    before = copy.read_bytes()
    find_matches(copy, Filter(text="talks"))
    find_choices(copy)
    assert copy.read_bytes() == before


def test_a_dataset_s_own_categories_are_listed_drawn_and_filtered(qtbot, tmp_path):
    kinds = ["Missile Strike"] * 4 + ["drones"] * 3 + ["civilian_infrastructure_damage"] * 2
    kinds += ["strike", "misc"]  # a fourth category of its own is drawn as "Other"
    store = EventStore(tmp_path / "own.db")
    store.add_events(
        Event(
            uid=f"e{k}",
            title=f"event {k}",
            start="2025-06-02",
            category=kind,
            place=Place(f"P{k}", 48 + k * 0.5, 30 + k),
        )
        for k, kind in enumerate(kinds)
    )
    store.close()
    window = open_window(qtbot, tmp_path / "own.db")
    window.state.set_window(TimeWindow(20200.0, 20300.0))
    entries = legend(qtbot, window)
    assert {k: (e["label"], e["count"]) for k, e in entries.items()} == {
        "Missile Strike": ("Missile Strike", 4),
        "drones": ("Drones", 3),
        "civilian_infrastructure_damage": ("Civilian infrastructure damage", 2),
        "strike": ("Strike", 1),
        "other": ("Other", 1),
    }
    marks = js(qtbot, window.map_view, "EventAtlas.drawnMarks()")
    assert {s[0] for m in marks for s in m["segments"]} == set(entries)
    tick(qtbot, window, "drones")
    qtbot.waitUntil(lambda: "drones" not in window.state.filter.categories)
    flt = window.state.filter
    assert [b.text() for b in window.chips.chips] == [
        "Category: Strike, Other and 2 more  ×"
    ]
    assert chip_text(flt.describe()[2]) == "Category: Missile Strike"
    # The map, the timeline and the store agree on what the filter shows.
    shown = visible_ids(qtbot, window.map_view)
    assert shown == set(window.store.matching_ids(flt).tolist())
    assert len(shown) == len(kinds) - 3
    assert sorted(window.timeline.timeline.index.ids.tolist()) == sorted(shown)
    panel = window.filter_panel
    qtbot.waitUntil(lambda: panel.categories.count() == 5)
    labels = [panel.categories.item(k).text() for k in range(panel.categories.count())]
    assert "Drones (3)" in labels and "Other (1)" in labels
    background_runner().wait()


def test_counts_do_not_queue_up_behind_a_slow_one(qtbot, seed_store):
    import threading

    from desktop_app.ui.panels.filters import FilterPanel
    from desktop_app.ui.tasks import Task, TaskRunner
    from desktop_app.ui.view_state import ViewState

    runner = TaskRunner(max_threads=1)
    gate = threading.Event()
    # The one thread is busy, as with a count over a million events.
    runner.start(Task(lambda _control: gate.wait(30)))
    state = ViewState(SEED_WINDOW)
    panel = FilterPanel(state, lambda: seed_store.path, runner=runner)
    qtbot.addWidget(panel)
    asked = []
    for text in ("talks", "kharki*", "strike*", "istanbul"):
        state.set_filter(Filter(text=text))
        asked.append(panel._counting)
    gate.set()
    assert runner.wait()
    qtbot.waitUntil(lambda: panel.matches is not None and panel.matches.flt.text == "istanbul")
    assert [t.is_cancelled() for t in asked] == [True, True, True, False]
    assert panel.count.text() == (
        f"{seed_store.count_matching(Filter(text='istanbul')):,} events match, at any time"
    )
