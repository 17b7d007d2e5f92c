"""The real map page in offscreen QtWebEngine: loading, scrubbing, clicking, safety."""

from __future__ import annotations

import json

from desktop_app.core.dates import event_span
from desktop_app.core.event import Event, Place
from desktop_app.core.index import EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.ui.panels.excerpt import ExcerptPanel
from tests.mapping import click_event, js, mouse_at_event, open_map, visible_ids

SEED_PLACES = [
    "Istanbul", "Saratov", "Krasnodar", "Sumy", "Kharkiv", "Zaporizhzhia", "Vilnius",
    "Mykolaiv", "Crimea",
]  # fmt: skip


def day(text: str) -> float:
    return event_span(text, None, "day")[0]


def placed_ids(store, window: TimeWindow) -> set[int]:
    return {e.id for e in store.events_between(window) if e.place is not None}


def test_page_loads_offline_with_every_seed_place(qtbot, seed_store):
    everything = TimeWindow(day("2020-01-01"), day("2026-01-01"))
    view = open_map(qtbot, seed_store, everything)
    shown = visible_ids(qtbot, view)
    assert shown == placed_ids(seed_store, everything)
    names = {e.place.name for e in seed_store.events(sorted(shown))}
    for place in SEED_PLACES:
        assert any(place in name for name in names), place
    assert js(qtbot, view, "typeof L.version") == "string"
    errors = [m for m in view.console_messages if m[0] >= 2]
    assert errors == []


def test_scrub_changes_visible_markers_without_reload(qtbot, seed_store):
    view = open_map(qtbot, seed_store, TimeWindow(day("2025-05-30"), day("2025-06-03")))
    loads = []
    view.loadStarted.connect(lambda: loads.append(1))
    cases = [
        ("2025-06-02", "2025-06-03"),
        ("2025-05-31", "2025-06-01"),
        ("2025-07-01", "2025-08-01"),
        ("2019-01-01", "2019-02-01"),
    ]
    counts = []
    for start, end in cases:
        window = TimeWindow(day(start), day(end))
        view._state.set_window(window)
        qtbot.waitUntil(lambda w=window: js(qtbot, view, "EventAtlas.window[0]") == w.start)
        expected = placed_ids(seed_store, window)
        assert visible_ids(qtbot, view) == expected
        counts.append(len(expected))
    assert counts[-1] == 0 and len(set(counts)) > 2
    assert loads == []


def test_click_on_marker_fills_panel(qtbot, seed_store):
    window = TimeWindow(day("2025-06-02"), day("2025-06-03"))
    view = open_map(qtbot, seed_store, window)
    panel = ExcerptPanel(view._state, seed_store.events)
    qtbot.addWidget(panel)
    kharkiv = next(
        e for e in seed_store.events_between(window) if e.place and "Kharkiv" in e.place.name
    )
    click_event(qtbot, view, kharkiv.id)
    qtbot.waitUntil(lambda: view._state.current == kharkiv.id)
    text = panel.details.toPlainText()
    assert kharkiv.excerpt[:60] in text
    assert "The Guardian" in text
    assert kharkiv.article.title in text
    assert js(qtbot, view, "Array.from(EventAtlas.selection)") == [kharkiv.id]


def test_click_on_shared_place_lists_every_event(qtbot, seed_store):
    window = TimeWindow(day("2025-06-02"), day("2025-06-03"))
    view = open_map(qtbot, seed_store, window)
    panel = ExcerptPanel(view._state, seed_store.events)
    qtbot.addWidget(panel)
    palace = [e for e in seed_store.events_between(window) if e.place and "Çırağan" in e.place.name]
    assert len(palace) > 3
    click_event(qtbot, view, palace[0].id)
    # At this zoom the palace and the city centre of Istanbul share one spot: one click
    # picks up everything drawn there.
    qtbot.waitUntil(lambda: {e.id for e in palace} <= set(view._state.selection))
    assert panel.choices.count() == len(view._state.selection)
    panel.choices.setCurrentRow(2)
    chosen = panel.choices.currentItem().data(256)
    assert view._state.current == chosen
    assert js(qtbot, view, "Array.from(EventAtlas.selection)")[0] == chosen


HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">'
HOSTILE_EXCERPT = "<script>window.__pwned=1</script>"


def test_hostile_text_is_shown_never_run(qtbot, tmp_path):
    from desktop_app.store.event_store import EventStore

    store = EventStore(tmp_path / "hostile.db")
    event = Event(
        uid="x",
        title=HOSTILE_TITLE,
        start="2025-06-02",
        excerpt=HOSTILE_EXCERPT,
        place=Place('<b onmouseover="window.__pwned=1">Kyiv</b>', 50.45, 30.52),
        sources=("<script>window.__pwned=1</script>",),
    )
    store.add_events([event])
    event_id = store.all_events()[0].id
    window = TimeWindow(day("2025-06-01"), day("2025-06-04"))
    view = open_map(qtbot, store, window)
    panel = ExcerptPanel(view._state, store.events)
    qtbot.addWidget(panel)
    click_event(qtbot, view, event_id)
    qtbot.waitUntil(lambda: view._state.current == event_id)
    qtbot.waitUntil(
        lambda: js(qtbot, view, "document.querySelector('.ea-label').textContent") == HOSTILE_TITLE
    )
    # Hover shows the tooltip with the title as text.
    mouse_at_event(qtbot, view, event_id, ("mousemove",))
    qtbot.waitUntil(
        lambda: HOSTILE_TITLE in (js(qtbot, view, "EventAtlas.tooltip.textContent") or "")
    )
    assert (
        js(qtbot, view, "document.querySelectorAll('.ea-label img, .ea-tooltip img').length") == 0
    )
    # The place's name is printed on the map as canvas text, markup and all.
    labels = js(qtbot, view, "EventAtlas.drawnLabels().map((b) => b.text)")
    assert event.place.name in labels
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    assert HOSTILE_TITLE in panel.details.toPlainText()
    assert HOSTILE_EXCERPT in panel.details.toPlainText()
    assert "<img" not in panel.event_html(store.event(event_id)).replace("&lt;img", "")
    store.close()


def test_page_runs_no_foreign_script_and_never_navigates(qtbot, seed_store):
    view = open_map(qtbot, seed_store, TimeWindow(day("2025-06-01"), day("2025-06-03")))
    js(
        qtbot,
        view,
        """(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = 1';
        document.head.appendChild(s);
        return 1; })()""",
    )
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    start_url = view.url().toString()
    js(qtbot, view, "(window.location.href = 'https://example.org/', 1)")
    js(
        qtbot,
        view,
        """(() => { const a = document.createElement('a');
        a.href = 'https://example.org/'; document.body.appendChild(a); a.click(); return 1; })()""",
    )
    qtbot.wait(300)
    assert view.url().toString() == start_url
    assert js(qtbot, view, "EventAtlas.ready") is True


def test_index_and_page_agree_on_counts(qtbot, seed_store):
    index = EventIndex(seed_store.arrays())
    window = index.suggested_window()
    view = open_map(qtbot, seed_store, window)
    placed = {e.id for e in seed_store.events_between(window) if e.place}
    assert visible_ids(qtbot, view) == placed
    assert index.count_in(window) == seed_store.count_between(window)


def test_selection_ring_shows_only_while_its_event_is_in_the_window(qtbot, seed_store):
    june_2 = TimeWindow(day("2025-06-02"), day("2025-06-03"))
    view = open_map(qtbot, seed_store, june_2)
    kharkiv = next(
        e.id for e in seed_store.events_between(june_2) if e.place and "Kharkiv" in e.place.name
    )
    click_event(qtbot, view, kharkiv)
    qtbot.waitUntil(lambda: view._state.current == kharkiv)
    selection = "EventAtlas.drawnSelection()"
    qtbot.waitUntil(lambda: js(qtbot, view, selection) == {"ringed": [kharkiv], "label": True})
    for start, end, shown in [
        ("2025-05-25", "2025-05-31", False),
        ("2025-06-02", "2025-06-03", True),
        ("2025-07-01", "2025-08-01", False),
        ("2025-05-25", "2025-06-05", True),
    ]:
        window = TimeWindow(day(start), day(end))
        view._state.set_window(window)
        qtbot.waitUntil(lambda w=window: js(qtbot, view, "EventAtlas.window[0]") == w.start)
        assert view._state.selection == (kharkiv,)  # scrubbing keeps the selection
        expected = {"ringed": [kharkiv], "label": True} if shown else {"ringed": [], "label": False}
        assert js(qtbot, view, selection) == expected, (start, end)


def test_tooltip_goes_when_the_pointer_leaves_the_map_from_a_marker(qtbot, seed_store):
    view = open_map(qtbot, seed_store, TimeWindow(day("2025-06-02"), day("2025-06-03")))
    tooltip_shown = "EventAtlas.tooltip.style.display === 'block'"
    x, y = js(qtbot, view, "EventAtlas.pixelOf(16)")

    def pointer(*moves: str) -> None:
        """Dispatch ``moves`` in one go: "on" the marker, or "off" (leaving the map)."""
        js(
            qtbot,
            view,
            f"""(() => {{
                const c = EventAtlas.map.getContainer(), r = c.getBoundingClientRect();
                const on = {{clientX: r.left + {x}, clientY: r.top + {y}, bubbles: true}};
                const off = {{clientX: r.left - 5, clientY: r.top + {y},
                              relatedTarget: document.body}};
                for (const move of {json.dumps(list(moves))}) {{
                    if (move === "on") c.dispatchEvent(new MouseEvent("mousemove", on));
                    else c.dispatchEvent(new MouseEvent("mouseleave", off));
                }}
                return true;
            }})()""",
        )

    pointer("on")
    qtbot.waitUntil(lambda: js(qtbot, view, tooltip_shown))
    pointer("off")
    assert not js(qtbot, view, tooltip_shown)
    # Onto the marker and off the map at once: the titles asked for on the way must not
    # bring the tooltip back when they arrive (a round trip takes milliseconds).
    pointer("on", "off")
    qtbot.wait(500)
    assert not js(qtbot, view, tooltip_shown)
    # Hovering again shows it again.
    pointer("on")
    qtbot.waitUntil(lambda: js(qtbot, view, tooltip_shown))


def test_current_event_s_label_goes_with_it_when_others_of_its_stack_stay(qtbot, seed_store):
    # Every event in Istanbul is selected: talks on 2 June, statements, and one that runs
    # through May.
    view = open_map(qtbot, seed_store, TimeWindow(day("2025-06-01"), day("2025-06-04")))
    istanbul = sorted(
        e.id for e in seed_store.all_events() if e.place and e.place.name == "Istanbul"
    )
    month_long = next(e.id for e in seed_store.events(istanbul) if e.precision == "month")
    current = next(e.id for e in seed_store.events(istanbul) if e.start == "2025-06-02")
    view._state.select(istanbul)
    view._state.set_current(current)
    selection = "EventAtlas.drawnSelection()"
    qtbot.waitUntil(lambda: js(qtbot, view, selection)["label"])
    assert current in js(qtbot, view, selection)["ringed"]
    # Back to mid-May: only the month-long event of the selection is in the window. It
    # keeps its ring; the current event's ring and its title go, rather than showing
    # that title beside another event.
    window = TimeWindow(day("2025-05-10"), day("2025-05-20"))
    view._state.set_window(window)
    qtbot.waitUntil(lambda: js(qtbot, view, "EventAtlas.window[0]") == window.start)
    assert js(qtbot, view, selection) == {"ringed": [month_long], "label": False}
    view._state.set_window(TimeWindow(day("2025-06-01"), day("2025-06-04")))
    qtbot.waitUntil(lambda: js(qtbot, view, selection)["label"])


def test_the_page_takes_its_events_once_a_load_and_keeps_drawing_them(qtbot, seed_store):
    # The view keeps the ids and categories it needs, not the buffer: whoever gives the
    # events may hand the buffer over and forget it.
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.ui.map.describe import describe_events
    from desktop_app.ui.map.view import MapView
    from desktop_app.ui.view_state import ViewState

    payload = encode_events(seed_store.arrays())
    asked: list[bool] = []
    ready = [False]

    def events() -> bytes | None:
        asked.append(ready[0])
        return payload if ready[0] else None

    index = EventIndex(seed_store.arrays())
    state = ViewState(index.suggested_window())
    view = MapView(state, events, describe_events(seed_store))
    qtbot.addWidget(view)
    view.resize(900, 650)
    view.show()
    qtbot.waitUntil(lambda: bool(asked), timeout=30_000)
    ready[0] = True
    view.reload_events()
    qtbot.waitUntil(lambda: view.is_ready, timeout=30_000)
    assert asked.count(True) == 1
    assert visible_ids(qtbot, view) == set(index.ids_in(state.window).tolist())
    kinds = {e.category for e in seed_store.all_events()}
    assert view.present_categories() == {c.key for c in view.categories if c.key in kinds}
    assert asked.count(True) == 1


def test_events_are_described_as_the_events_read_whole_say(seed_store):
    from desktop_app.ui.map.describe import describe_events

    events = seed_store.all_events()
    ids = [e.id for e in events][::-1] + [10**9, events[0].id]
    expected = [
        {
            "id": e.id,
            "title": e.title,
            "date": e.display_date or e.start,
            "place": e.place.name if e.place else None,
            "place_kind": e.place.kind if e.place else None,
        }
        for e in seed_store.events(ids)
    ]
    assert any(row["place"] is None for row in expected)
    assert describe_events(seed_store)(ids) == expected
