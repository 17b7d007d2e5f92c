"""Tools ▸ Find duplicates in the real window: the pairs found, marked distinct, merged
into either event and the merge undone."""

from __future__ import annotations

from pathlib import Path

from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore
from tests.mapping import open_window

KNOWN_PAIRS = Path(__file__).parent / "fixtures" / "duplicates" / "known_pairs.csv"


def _searched(qtbot, dialog) -> int:
    with qtbot.waitSignal(dialog.searched, timeout=30_000) as signal:
        pass
    return signal.args[0]


def test_pairs_are_reviewed_marked_distinct_and_merged_undoably(qtbot, tmp_path):
    db = tmp_path / "pairs.db"
    with EventStore(db) as store:
        import_file(KNOWN_PAIRS, store)
        store.db.execute("UPDATE events SET title = '<b>' || title || '</b>' WHERE id = 3")
        store.db.conn.commit()
    window = open_window(qtbot, db)
    dialog = window.find_duplicates()
    found = _searched(qtbot, dialog) if not dialog.pairs else len(dialog.pairs)
    assert found == len(dialog.pairs) >= 10 and dialog.list.count() == found
    first = dialog.chosen()
    assert first == (dialog.pairs[0].first, dialog.pairs[0].second)
    # Both events shown as text: the markup in a title is not markup.
    shown = dialog.sides[0].toPlainText() + dialog.sides[1].toPlainText()
    titles = [e.title for e in window.store.events(list(first))]
    assert all(t in shown for t in titles)
    # Not the same event: the pair is not offered again.
    dialog.distinct.click()
    assert _searched(qtbot, dialog) == found - 1
    assert first not in {(p.first, p.second) for p in dialog.pairs}
    # Merged into the right one: one event fewer, the kept one cites both outlets lists.
    keep, other = dialog.chosen()[1], dialog.chosen()[0]
    count = window.store.count()
    dialog.keep_second.click()
    assert _searched(qtbot, dialog) == found - 2
    assert window.store.count() == count - 1 and window.store.event(keep) is not None
    window.edits.undo_action.trigger()
    qtbot.waitUntil(lambda: window.store.count() == count, timeout=10_000)
    assert {e.id for e in window.store.events([keep, other])} == {keep, other}
    dialog.close()


def test_a_dense_store_lists_its_best_pairs_and_says_how_many_there_are(qtbot, tmp_path):
    from desktop_app.core.event import Event, Place
    from desktop_app.ui.editing.duplicates import LISTED_PAIRS

    # Sixty reports of one strike at one place on one day: 1,770 pairs.
    place = Place("Pokrovsk", 48.28, 37.18, "city", "UA")
    events = [
        Event(uid=f"r{i}", title=f"Shelling of Pokrovsk reported ({i % 3})", start="2024-03-01",
              place=place)
        for i in range(60)
    ]  # fmt: skip
    db = tmp_path / "dense.db"
    with EventStore(db) as store:
        store.add_events(events)
        everything = store.probable_duplicates()
    assert len(everything) > LISTED_PAIRS
    window = open_window(qtbot, db)
    dialog = window.find_duplicates()
    assert _searched(qtbot, dialog) == len(everything)
    assert dialog.list.count() == LISTED_PAIRS
    assert f"{len(everything):,}" in dialog.status.text()
    assert f"{LISTED_PAIRS:,}" in dialog.status.text()
    assert dialog.chosen() == (everything[0].first, everything[0].second)
    dialog.close()
