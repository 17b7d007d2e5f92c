"""What a value in a source means: the one place where readers turn the text of a field
into an event's date or coordinates, so every format reads them the same way.
"""

from __future__ import annotations

from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.exporters import LIST_SEPARATOR
from desktop_app.ingest.loose_dates import LooseDateError, detect_dayfirst, parse_loose_date
from desktop_app.ingest.reader import ReadOptions


class DateReader:
    """Reads a date column, once per distinct value, in the file's day/month order.

    Parameters
    ----------
    options
        The import's options: ``dayfirst`` as the user gave it, and the list that
        warnings go to.
    name
        The file, for the warnings.
    """

    def __init__(self, options: ReadOptions, name: str) -> None:
        self.options = options
        self.name = name
        self.dayfirst = bool(options.dayfirst)
        self._cache: dict[str, tuple[str, DatePrecision]] = {}

    def learn(self, values: list[str]) -> None:
        if self.options.dayfirst is not None:
            return
        found = detect_dayfirst(values)
        if found is None:
            if any("/" in v for v in values):
                self.options.warnings.append(
                    f"{self.name}: dates like 01/02/2020 are ambiguous; read as month/day "
                    "(use --dayfirst for day/month)"
                )
            found = False
        self.dayfirst = found

    def __call__(self, text: str) -> tuple[str, DatePrecision]:
        found = self._cache.get(text)
        if found is None:
            try:
                found = parse_loose_date(text, self.dayfirst)
            except LooseDateError as exc:
                raise ValueError(str(exc)) from None
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[text] = found
        return found


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
