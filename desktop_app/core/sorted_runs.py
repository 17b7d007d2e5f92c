"""Integer keys kept for look-ups as a few sorted arrays, cheap to add to a block at a
time (an import's uids and row hashes: 8 bytes a key, where a set of Python integers
takes about 60)."""

from __future__ import annotations

import numpy as np


class SortedRuns:
    """Integer keys, each with an integer value if given (a block's keys get consecutive
    values: the ids of the events they belong to), as sorted runs of falling
    sizes: a run is merged with the last while that is no larger, so that each key is
    sorted a few times in all (not once per look-up) and a look-up is a binary search in
    each run. Keys added are sorted in only at the next look-up: a writer that adds every
    block and looks up rarely sorts nothing on its way."""

    def __init__(self) -> None:
        self._added: list[tuple[np.ndarray, int | None]] = []
        self._runs: list[tuple[np.ndarray, np.ndarray | None]] = []

    def add(self, keys: np.ndarray, first: int | None = None) -> None:
        """Keep ``keys`` (int64), with the values ``first``, ``first + 1``, ... when
        ``first`` is given (made only when they are sorted in)."""
        self._added.append((keys, first))

    def met(self, ordered: np.ndarray) -> bool:
        """Whether any of the sorted keys ``ordered`` is kept."""
        if not len(ordered):
            return False
        for known, _values in self._sorted():
            at = np.searchsorted(known, ordered).clip(0, len(known) - 1)
            if (known[at] == ordered).any():
                return True
        return False

    def values_of(self, key: int) -> list[int]:
        """The values kept with ``key``, in increasing order."""
        found: list[int] = []
        for known, values in self._sorted():
            begin = int(np.searchsorted(known, key, side="left"))
            end = int(np.searchsorted(known, key, side="right"))
            if values is not None:
                found.extend(values[begin:end].tolist())
        return sorted(found)

    def keys(self) -> set[int]:
        """Every key kept, as a set."""
        return {key for known, _values in self._sorted() for key in known.tolist()}

    def _sorted(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        for keys, first in self._added:
            values = None if first is None else np.arange(first, first + len(keys), dtype=np.int64)
            while self._runs and len(self._runs[-1][0]) <= len(keys):
                last_keys, last_values = self._runs.pop()
                keys = np.concatenate((last_keys, keys))
                if values is not None and last_values is not None:
                    values = np.concatenate((last_values, values))
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], None if values is None else values[order]))
        self._added.clear()
        return self._runs
