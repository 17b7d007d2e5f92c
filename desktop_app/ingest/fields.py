"""What a value in a source means: the one place where readers turn the text of a field
into an event's date or coordinates, so every format reads them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.exporters import LIST_SEPARATOR
from desktop_app.ingest.loose_dates import (
    LooseDateError,
    numeric_date,
    parse_loose_date,
    proven_order,
)
from desktop_app.ingest.reader import ReadOptions


class DateOrderContradiction(ValueError):
    """A date whose numbers cannot be in the day/month order the user forced: the import
    is refused at it, since every other such date would be read wrong too."""


class DateReader:
    """Reads a date column, once per distinct value, in the file's day/month order.

    The order is the user's (``--dayfirst``/``--monthfirst``) or else learnt from all the
    column's values: a first number over 12 proves day/month, a second one over 12
    month/day. A value that contradicts a forced order raises
    :class:`DateOrderContradiction`.

    Parameters
    ----------
    options
        The import's options: ``dayfirst`` as the user gave it, and the list that
        warnings go to.
    name
        The file, for the warnings.
    usual
        The order a format writes (TimeMap: month/day), taken without a warning when
        no value tells; None when the format has none.
    """

    def __init__(self, options: ReadOptions, name: str, usual: bool | None = None) -> None:
        self.options = options
        self.name = name
        self.usual = usual
        self.dayfirst = bool(usual if options.dayfirst is None else options.dayfirst)
        #: Whether the order is known: forced, or proven by a value.
        self.decided = options.dayfirst is not None
        #: How dates in numbers are read and why, for the import report.
        forced = "--dayfirst" if options.dayfirst else "--monthfirst"
        self.reason = (
            "no dates in numbers to order"
            if options.dayfirst is None
            else f"{_ORDER[options.dayfirst]}, as {forced} says"
        )
        self._cache: dict[str, tuple[str, DatePrecision]] = {}

    def learn(self, values: Iterable[str | tuple[str, str]]) -> None:
        """Decide the day/month order from a column's values: texts, or ``(where, text)``
        pairs that say where each is (for the warning when they disagree)."""
        proofs: dict[bool, str] = {}
        numeric = False
        for item in values:
            where, value = item if isinstance(item, tuple) else ("", item)
            order = proven_order(value)
            numeric = numeric or numeric_date(value)
            if order is None:
                continue
            proofs.setdefault(order, f"{where}: {value.strip()!r}" if where else repr(value))
        if self.options.dayfirst is not None:
            return
        if len(proofs) == 1:
            self.dayfirst, self.decided = next(iter(proofs)), True
            self.reason = f"{_ORDER[self.dayfirst]}: {proofs[self.dayfirst]} can only be read so"
        elif len(proofs) == 2:
            self.reason = (
                f"month/day/year: the dates disagree ({proofs[True]} is day/month, "
                f"{proofs[False]} month/day)"
            )
            self.options.warnings.append(
                f"{self.name}: dates disagree ({proofs[True]} is day/month, {proofs[False]} "
                "month/day); read as month/day (use --dayfirst for day/month)"
            )
            self.dayfirst = False
        elif self.usual is not None:
            self.dayfirst = self.usual
            if numeric:
                self.reason = f"{_ORDER[self.usual]}, as the format writes them (no date tells)"
        elif numeric:
            self.reason = "month/day/year: no date tells (every day is 12 or less)"
            self.options.warnings.append(
                f"{self.name}: dates like 01/02/2020 are ambiguous; read as month/day "
                "(use --dayfirst for day/month)"
            )
            self.dayfirst = False

    def __call__(self, text: str) -> tuple[str, DatePrecision]:
        found = self._cache.get(text)
        if found is None:
            forced = self.options.dayfirst
            if forced is not None and proven_order(text) is (not forced):
                raise DateOrderContradiction(
                    f"{text.strip()!r} is {_ORDER[not forced]}, not {_ORDER[forced]} as "
                    f"{'--dayfirst' if forced else '--monthfirst'} says"
                )
            try:
                found = parse_loose_date(text, self.dayfirst)
            except LooseDateError as exc:
                raise ValueError(str(exc)) from None
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[text] = found
        return found


_ORDER = {True: "day/month/year", False: "month/day/year"}


def coordinate(text: str, low: float, high: float, what: str) -> float:
    """A latitude or longitude written as text (a decimal comma is read as a point),
    or :class:`ValueError` when it is not a number between ``low`` and ``high``."""
    value = float(text.strip().replace(",", "."))
    if not low <= value <= high:
        raise ValueError(f"{what} {value} is out of range")
    return value


def checked_point(lat: object, lon: object, what: str = "coordinates") -> tuple[float, float]:
    """``(lat, lon)`` as floats, or :class:`ValueError` when they are off the globe."""
    y, x = float(lat), float(lon)  # type: ignore[arg-type]
    if not (-90 <= y <= 90 and -180 <= x <= 180):
        raise ValueError(f"{what} out of range: {x}, {y}")
    return y, x


def split_list(text: str) -> tuple[str, ...]:
    """The items of a list cell (actors, sources) as the exporters join them."""
    return tuple(part.strip() for part in text.split(LIST_SEPARATOR.strip()) if part.strip())
