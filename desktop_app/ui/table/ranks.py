"""The orders of the event table by title and by place, as index rows in that order.

An order is made once per index (in a background task) and then orders any window's
rows by numpy. Texts are compared as the store's search compares words: in any case and
with their accents dropped ("Élancourt" sorts with "elancourt", "Äpfel" with "apfel"); events
of the same title or place keep the index's order, by start and id.

By place, the store's places are ranked (a few thousand) and each event takes its
place's rank. By title, SQLite sorts every event by its title folded here, a function
it calls once per event: the sort itself runs without Python's lock, so the window stays
responsive, and the calls tell how far it is.

No Qt here: the table model runs these functions in its tasks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from desktop_app.core.text import folded
from desktop_app.store.event_store import EventStore, StoreError

#: How many reports of the progress (and looks for a cancel) folding the titles makes.
PROGRESS_STEPS = 100
#: What folding the titles counts for in the progress (SQLite's sort is the rest).
FOLDING_SHARE = 0.9


def rows_in_order(ordered_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The index rows (of an index whose events have ``ids``) in the order of
    ``ordered_ids``; rows whose id is not there follow, in the index's order."""
    by_id = np.argsort(ids, kind="stable")
    sorted_ids = ids[by_id]
    if len(sorted_ids) and len(ordered_ids):
        at = np.minimum(np.searchsorted(sorted_ids, ordered_ids), len(sorted_ids) - 1)
        found = by_id[at[sorted_ids[at] == ordered_ids]]
    else:
        found = np.empty(0, np.int64)
    seen = np.zeros(len(ids), bool)
    seen[found] = True
    return np.concatenate([found, np.flatnonzero(~seen)]).astype(np.int64)


def title_order(
    store: EventStore,
    ids: np.ndarray,
    progress: Callable[[float], None],
    check: Callable[[], None],
) -> np.ndarray:
    """The index rows (whose events have ``ids``) in order of title.

    ``progress`` is told the share done (0 to 1) as the titles are folded, and ``check``
    called as often to see a cancel (it raises, which stops SQLite's query too).
    """
    n = max(len(ids), 1)
    step = max(1, n // PROGRESS_STEPS)
    folding = 0

    def key(title: str) -> str:
        nonlocal folding
        folding += 1
        if folding % step == 0:
            check()
            progress(FOLDING_SHARE * min(1.0, folding / n))
        return folded(title)

    try:
        ordered = store.ids_by_title(key)
    except StoreError:
        check()  # a cancel, raised inside the query, ends it as an error
        raise
    progress(1.0)
    return rows_in_order(ordered, ids)


def place_order(store: EventStore, place_ids: np.ndarray) -> np.ndarray:
    """The index rows (whose events' places have ``place_ids``, -1 for none) in order of
    place: by name, then country; events without a place (or whose place has no name)
    last. The index is in order of start, and a stable sort keeps each place's events so.
    """
    named = [p for p in store.place_names() if p[1] is not None]
    keys = [(folded(name), folded(country or "")) for _id, name, country in named]
    order = sorted(range(len(named)), key=keys.__getitem__)
    # Places of the same name and country share a rank: their events go by start.
    dense = np.zeros(len(named), np.int64)
    for k in range(1, len(order)):
        same = keys[order[k]] == keys[order[k - 1]]
        dense[order[k]] = dense[order[k - 1]] + (0 if same else 1)
    ids = np.array([p[0] for p in named], np.int64)
    by_id = np.argsort(ids, kind="stable")
    sorted_ids = ids[by_id]
    of_row = np.full(len(place_ids), len(named), np.int64)
    if len(sorted_ids):
        at = np.minimum(np.searchsorted(sorted_ids, place_ids), len(sorted_ids) - 1)
        known = sorted_ids[at] == place_ids
        of_row[known] = dense[by_id[at[known]]]
    return np.argsort(of_row, kind="stable").astype(np.int64)
