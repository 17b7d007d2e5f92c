"""What every reader shares: the options a user can give, and what a reader yields.

A reader is a generator of :class:`~desktop_app.core.event.Event` and
:class:`~desktop_app.ingest.problems.BadRecord` items, in file order. It raises only
:class:`~desktop_app.ingest.problems.ImportFailed`, for a file that cannot be read at
all; everything wrong with one record is yielded as a ``BadRecord`` and reading goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_app.core.event import Event
from desktop_app.ingest.problems import BadRecord

if TYPE_CHECKING:
    from desktop_app.geo.geocoder import Geocoder
    from desktop_app.ingest.source import Source

Record = Event | BadRecord


@dataclass
class ReadOptions:
    """What the user told the import, beyond the file.

    Parameters
    ----------
    columns
        For CSV: which column holds each role (``date``, ``end``, ``lat``, ``lon``,
        ``title``, ``text``, ``place``, ``id``, ``category``, ``source``, ``country``),
        overriding detection. Keys are roles, values are header names (a tuple of them
        for the roles that take several columns: actors, source).
    dayfirst
        For dates like 02/06/2025: True reads day/month, False month/day, None detects
        from the data (and falls back to month/day, with a warning, when nothing tells).
    encoding
        The text encoding, or None to detect it.
    geocoder
        Turns place names into points for rows without coordinates; None uses the
        offline gazetteer.
    published
        For articles: the publication date (ISO) when the file does not give one.
    notes
        What a reader tells the user about the file before its records are saved (an
        article's date and where it was found).
    """

    columns: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    dayfirst: bool | None = None
    encoding: str | None = None
    geocoder: Geocoder | None = None
    published: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def geocoder_or_default(self) -> Geocoder:
        if self.geocoder is None:
            from desktop_app.geo.geocoder import Geocoder

            self.geocoder = Geocoder()
        return self.geocoder


ReaderFunction = Callable[["Source", ReadOptions], Iterator[Record]]
