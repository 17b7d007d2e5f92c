"""What each field of a source means: the one place that gives a field its role.

Readers hand over raw records: a CSV row under its header, a GeoJSON feature's
properties. :func:`interpret` decides each field's role (date, lat, place, origin,
title, ...) from its name, through the synonym table in ``data/import/field_roles.json``,
and from its values: a field named like a latitude whose values are not latitudes gets
no role, a ``time`` holding ``14:30`` is a time of day and one holding ``2025-06-02`` a
date, a ``category`` with as many values as rows is no category, a date column of
10-digit numbers holds Unix seconds and a field of 13-digit numbers Unix milliseconds
whatever its name (:func:`number_date_form`, the one such decision for every format).
The user's mapping (``--columns``, the import dialog) overrides it. Fields without a
role are kept on the event as its attributes.

:class:`EventMaker` turns a record, read with an :class:`Interpretation`, into an event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.edtf import looks_like_edtf, parse_edtf
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.geo.gazetteer import GeoContext
from desktop_app.ingest.fields import DateReader, coordinate
from desktop_app.ingest.loose_dates import LooseDateError, parse_loose_date
from desktop_app.ingest.reader import ReadOptions
from desktop_app.paths import data_dir

#: Every role a field can have, in the order the report lists them.
ROLES = (
    "id", "date", "end", "time", "year", "lat", "lon", "place", "country", "admin",
    "origin", "origin_lat", "origin_lon", "title", "text", "category", "actors", "source",
    "url", "precision",
)  # fmt: skip
#: Roles that take every field named for them (several actor columns, several sources).
MANY = frozenset({"actors", "source"})
#: Roles the event has no field for: their fields are kept as attributes too.
KEPT_ROLES = frozenset({"admin"})
# Values looked at per field to check its role.
SAMPLE_ROWS = 200
# A category has few values: at most this many distinct, or half the rows.
MAX_CATEGORIES = 60
# Share of a field's non-empty values that must fit a role's shape when its name does
# not give the role (a name does when one of its values fits).
FIT = 0.9

_NORMAL = re.compile(r"[^0-9a-z]+")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_INTEGER = re.compile(r"^\d+(?:\.0+)?$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?$", re.I)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 after Lotus's leap-year slip
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIX_END = 4_102_444_800  # 2100-01-01 in Unix seconds


def normal_name(name: str) -> str:
    """A field name as the synonym table writes it: ``"Town/City"`` -> ``"town_city"``."""
    return _NORMAL.sub("_", name.strip().lstrip("\ufeff").lower()).strip("_")


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Role -> the names it goes by, from ``data/import/field_roles.json``."""
    table = json.loads((data_dir() / "import" / "field_roles.json").read_text("utf-8"))
    roles = {role: tuple(normal_name(n) for n in names) for role, names in table["roles"].items()}
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"field_roles.json names unknown roles: {', '.join(sorted(unknown))}")
    return roles


@dataclass(frozen=True)
class Layout:
    """A dataset's known columns (UCDP GED, GDELT): roles the names alone would not give.

    Parameters
    ----------
    name
        The dataset, as the report names it.
    roles
        Role -> the field that has it (an empty name: no field has the role); the
        user's mapping still wins.
    many
        Roles taken by several fields (actors, sources) -> those fields.
    title
        Makes the title from a record (given a function from field name to value).
    category
        Turns the category field's value into a category.
    """

    name: str
    roles: dict[str, str] = field(default_factory=dict)
    many: dict[str, tuple[str, ...]] = field(default_factory=dict)
    title: Callable[[Callable[[str], str]], str] | None = None
    category: Callable[[str], str] | None = None


@dataclass(frozen=True)
class FieldGuess:
    """What one field was taken to mean, and why (for the report and the dialog).

    Parameters
    ----------
    name
        The field's name in the source.
    role
        Its role, or None: the field is kept as an attribute.
    why
        How the role was found ("its name", "its values", "chosen"), or why the name's
        role was refused.
    samples
        A few of its values.
    """

    name: str
    role: str | None
    why: str
    samples: tuple[str, ...] = ()


@dataclass
class Interpretation:
    """Every field of a source with its role.

    ``date_forms`` says, for the date and end roles, when their values are numbers of a
    kind (``unix``, ``unix_ms``, ``excel``) rather than written dates.
    """

    fields: tuple[str, ...]
    guesses: tuple[FieldGuess, ...]
    date_forms: dict[str, str] = field(default_factory=dict)

    def columns(self, role: str) -> list[int]:
        """The positions of the fields with ``role``, in source order."""
        return [i for i, g in enumerate(self.guesses) if g.role == role]

    def column(self, role: str) -> int | None:
        found = self.columns(role)
        return found[0] if found else None

    def field_of(self, role: str) -> str | None:
        i = self.column(role)
        return None if i is None else self.fields[i]

    @property
    def roles(self) -> dict[str, int]:
        """Role -> the position of its (first) field."""
        return {g.role: i for i, g in reversed(list(enumerate(self.guesses))) if g.role}

    @property
    def kept(self) -> list[int]:
        """Positions of the fields kept as attributes: no role, or one without a field."""
        return [i for i, g in enumerate(self.guesses) if g.role is None or g.role in KEPT_ROLES]

    def used_text(self) -> str:
        """``"date_start (date), latitude (lat), ..."`` for the report."""
        return ", ".join(f"{g.name} ({g.role})" for g in self.guesses if g.role) or "none"

    def kept_text(self) -> str:
        return ", ".join(self.fields[i] for i in self.kept) or "none"


def _non_empty(values: Iterable[str]) -> list[str]:
    return [v.strip() for v in values if v is not None and str(v).strip()]


def _fits(values: list[str], test) -> bool:
    if not values:
        return True  # an empty field takes the role its name gives
    return sum(1 for v in values if test(v)) >= FIT * len(values)


def _in_range(low: float, high: float):
    def test(value: str) -> bool:
        if not _NUMBER.match(value):
            return False
        return low <= float(value.replace(",", ".")) <= high

    return test


def _is_date(value: str) -> bool:
    # Either day order will do here: which one the file uses is the date reader's call.
    for dayfirst in (False, True):
        try:
            parse_loose_date(value, dayfirst)
        except LooseDateError:
            continue
        return True
    return False


def number_date_form(values: list[str], named: bool = True) -> str | None:
    """``unix``, ``unix_ms`` or ``excel`` when every value is a number of that kind, else
    None (``20250602`` is a written date, read as such).

    This is the one decision, for every format, that a field holds dates as numbers.
    ``named`` says the field's name says it is a date or time; without it only Unix
    milliseconds of 13 digits (from September 2001: no count or code looks so) are
    taken. Each kind is taken only in its plausible range: Unix time from 1973 (9
    digits) to 2100, spreadsheet days from 1955 (20000) to 2119 (80000).
    """
    if not values or not all(_NUMBER.match(v) for v in values):
        return None
    numbers = [float(v.replace(",", ".")) for v in values]
    whole = [v.split(".")[0].split(",")[0].lstrip("+-") for v in values]
    ms_digits = (12, 13) if named else (13,)
    if all(len(w) in ms_digits for w in whole) and all(0 < n < _UNIX_END * 1000 for n in numbers):
        return "unix_ms"
    if not named or (all(len(w) == 8 for w in whole) and all(_is_date(w) for w in whole)):
        return None
    if all(len(w) in (9, 10) for w in whole) and all(0 < n < _UNIX_END for n in numbers):
        return "unix"
    # Excel's serial days, possibly with a time fraction.
    if all(20_000 <= n <= 80_000 for n in numbers):
        return "excel"
    return None


def number_date(value: object, form: str | None = None) -> tuple[str, DatePrecision] | None:
    """The date a number in a date field stands for (a JSON number or its text), in the
    ``form`` decided for the field or else by :func:`number_date_form` on this value;
    None when it is no number of a date. Raises :class:`ValueError` for a value that is
    not of the ``form`` its field was found to hold."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = property_text(value).strip()
    form = form or number_date_form([text])
    if form is None:
        return None
    try:
        return date_of_number(text, form)
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not a {FORM_NAMES[form]}") from None


def date_of_number(text: str, form: str) -> tuple[str, DatePrecision]:
    """The ISO date (and time, when it has one) of a Unix or Excel number."""
    value = float(text.strip().replace(",", "."))
    if form == "excel":
        moment = datetime.combine(_EXCEL_EPOCH, datetime.min.time()) + timedelta(days=value)
    else:
        seconds = value / 1000 if form == "unix_ms" else value
        moment = (_UNIX_EPOCH + timedelta(seconds=seconds)).replace(tzinfo=None)
    if moment.time() == datetime.min.time():
        return moment.date().isoformat(), DatePrecision.DAY
    return moment.isoformat(timespec="seconds"), DatePrecision.DAY


def _date_field(values: list[str]) -> bool:
    return number_date_form(values) is not None or _fits(values, _is_date)


_CHECKS = {
    "lat": _in_range(-90, 90),
    "lon": _in_range(-180, 180),
    "origin_lat": _in_range(-90, 90),
    "origin_lon": _in_range(-180, 180),
    "time": lambda v: bool(_CLOCK.match(v)),
    "year": lambda v: bool(_INTEGER.match(v)) and 1 <= int(float(v)) <= 9999,
    "precision": lambda v: v.lower() in {p.value for p in DatePrecision},
}
_WHY_NOT = {
    "lat": "values are not latitudes",
    "lon": "values are not longitudes",
    "origin_lat": "values are not latitudes",
    "origin_lon": "values are not longitudes",
    "time": "values are not times of day",
    "year": "values are not years",
    "precision": "values are not day, month, year or approximate",
    "date": "values are not dates",
    "end": "values are not dates",
    "category": "too many different values for a category",
}


def _fits_role(role: str, values: list[str], rows: int, strict: bool = True) -> bool:
    """Whether a field's values fit a role: nearly all of them (:data:`FIT`) when only
    the values or part of the name tell, at least one when its name does (the others are
    bad records, reported as such)."""
    if role == "category":
        distinct = len(set(values))
        return distinct <= MAX_CATEGORIES or distinct <= rows / 2
    if role in ("date", "end"):
        if number_date_form(values) is not None:
            return True
        test = _is_date
    else:
        test = _CHECKS.get(role)
    if test is None or not values:
        return True
    if strict:
        return _fits(values, test)
    return any(test(v) for v in values)


# Name fragments tried on fields no synonym names ("ActionGeo_Lat", "event_start_date"),
# in this order; the values must fit the role.
_FRAGMENTS = (
    ("lat", ("latitude", "lat")),
    ("lon", ("longitude", "long", "lon", "lng")),
    ("date", ("date", "timestamp", "epoch")),
)


#: A role's columns in the user's mapping: one header, or several for the roles of
#: :data:`MANY` (an empty header or none: no column has the role).
Chosen = str | Sequence[str]


def chosen_fields(explicit: dict[str, Chosen] | None) -> dict[str, tuple[str, ...]]:
    """The user's mapping as role -> its fields' names (none for a role unticked).

    Raises :class:`ValueError` for an unknown role, or for a role that takes one field
    (a date, a latitude) given several.
    """
    chosen: dict[str, tuple[str, ...]] = {}
    for role, given in (explicit or {}).items():
        if role not in ROLES:
            raise ValueError(f"unknown column role {role!r} (roles: {', '.join(ROLES)})")
        names = tuple(n for n in ((given,) if isinstance(given, str) else given) if n)
        if len(names) > 1 and role not in MANY:
            raise ValueError(
                f"{role} takes one column, not {len(names)} ({', '.join(names)}); "
                f"only {' and '.join(sorted(MANY))} take several"
            )
        chosen[role] = tuple(dict.fromkeys(names))
    return chosen


def interpret(
    fields: Sequence[str],
    rows: Iterable[Sequence[str]] = (),
    explicit: dict[str, str] | None = None,
    layout: Layout | None = None,
) -> Interpretation:
    """The role of every field, from its name and its values.

    Parameters
    ----------
    fields
        The field names, in source order.
    rows
        Some records' values, in the order of ``fields`` (at most
        :data:`SAMPLE_ROWS` are looked at).
    explicit
        The user's mapping, role -> field name (or names, for the roles of
        :data:`MANY`); an empty name means no field has the role. It wins over what the
        names and values say.
    layout
        A known dataset's roles, taken before the names' (the mapping still wins).

    Raises
    ------
    ValueError
        The mapping names an unknown role or a field the source does not have, or gives
        a role of one field several.
    """
    fields = tuple(fields)
    normal = [normal_name(f) for f in fields]
    sample: list[list[str]] = [[] for _ in fields]
    count = 0
    for row in rows:
        if count >= SAMPLE_ROWS:
            break
        count += 1
        for i, value in enumerate(row[: len(fields)]):
            if value is not None and str(value).strip():
                sample[i].append(str(value).strip())
    roles: list[str | None] = [None] * len(fields)
    why = ["no name or values of a role"] * len(fields)
    chosen = chosen_fields(explicit)

    def position(name: str) -> int | None:
        if name in fields:
            return fields.index(name)
        return normal.index(normal_name(name)) if normal_name(name) in normal else None

    for role, names in chosen.items():
        for name in names:
            i = position(name)
            if i is None:
                raise ValueError(f"no column {name!r} (columns: {', '.join(fields)})")
            roles[i], why[i] = role, "chosen"
    if layout is not None:
        for role, name in layout.roles.items():
            if role in chosen:
                continue
            chosen[role] = (name,) if name else ()
            i = position(name) if name else None
            if i is not None and roles[i] is None:
                roles[i], why[i] = role, f"the {layout.name} layout"
        for role, names in layout.many.items():
            if role in (explicit or {}):
                continue
            chosen[role] = tuple(names)
            for name in names:
                i = position(name)
                if i is not None and roles[i] is None:
                    roles[i], why[i] = role, f"the {layout.name} layout"
    taken = {r for r in roles if r}

    def free(role: str) -> bool:
        return role not in chosen and (role in MANY or role not in taken)

    table = synonyms()
    # Names first, in the table's order of preference within each role.
    for role in ROLES:
        for name in table.get(role, ()):
            for i, n in enumerate(normal):
                if n != name or roles[i] is not None or not free(role):
                    continue
                # A role's own name ("category", "date") is taken at its word.
                if name == table[role][0] or _fits_role(role, sample[i], count, strict=False):
                    roles[i], why[i] = role, "its name"
                    taken.add(role)
                elif why[i].startswith("no name"):
                    why[i] = f"named like {role}, but its {_WHY_NOT.get(role, 'values do not fit')}"
    # Then fragments of names, checked by the values.
    for role, fragments in _FRAGMENTS:
        for i, n in enumerate(normal):
            if roles[i] is not None or not free(role) or not sample[i]:
                continue
            parts = set(n.split("_"))
            if any(f in parts for f in fragments) and _fits_role(role, sample[i], count):
                roles[i], why[i] = role, "part of its name and its values"
                taken.add(role)
    # A date is what an event cannot do without: a field whose values are all dates is
    # taken for it even when its name says nothing.
    if free("date"):
        for i in range(len(fields)):
            if roles[i] is None and len(sample[i]) >= 1 and _fits(sample[i], _dated_text):
                roles[i], why[i] = "date", "its values"
                break
    if free("date") and "date" not in roles:
        for i in range(len(fields)):
            if roles[i] is None and number_date_form(sample[i], named=False):
                roles[i], why[i] = "date", "its values (Unix time in milliseconds)"
                break
    forms = {}
    for role in ("date", "end"):
        i = next((j for j, r in enumerate(roles) if r == role), None)
        if i is not None:
            form = number_date_form(sample[i])
            if form:
                forms[role] = form
    guesses = tuple(
        FieldGuess(fields[i], roles[i], why[i], tuple(dict.fromkeys(sample[i]))[:3])
        for i in range(len(fields))
    )
    return Interpretation(fields, guesses, forms)


def _dated_text(value: str) -> bool:
    # Numbers alone (counts, codes) are no evidence of a date without a name saying so.
    return not _NUMBER.match(value) and _is_date(value)


def split_items(text: str) -> list[str]:
    """The items of a list cell, ``;`` between them (a comma is too common inside one
    name to split on)."""
    return [part.strip() for part in text.split(";") if part.strip()]


class EventMaker:
    """Turns records read with an :class:`Interpretation` into events.

    Parameters
    ----------
    interpretation
        The roles of the record's fields.
    options
        The import's options (day order, geocoder, warnings).
    name
        The source, for messages.
    signature
        What tells this source's records from another's in their uids.
    restore
        Applied to every value first (our CSV export's spreadsheet escaping).
    """

    def __init__(
        self,
        interpretation: Interpretation,
        options: ReadOptions,
        name: str,
        signature: str,
        restore=None,
        layout: Layout | None = None,
    ) -> None:
        self.interpretation = interpretation
        self.layout = layout
        self._by_name = {n: i for i, n in enumerate(interpretation.fields)}
        self.options = options
        self.dates = DateReader(options, name)
        self.signature = signature
        self._restore = restore
        self._places: dict[tuple[str, str], Place | None] = {}
        self._index = {role: interpretation.columns(role) for role in ROLES}
        self._kept = interpretation.kept
        #: Whether :meth:`learn` has run.
        self.learnt = False

    @property
    def date_index(self) -> int | None:
        return self.interpretation.column("date")

    def learn(self, rows: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Learn the day/month order from ``(where, row)`` pairs."""
        self.learnt = True
        columns = [
            i
            for role in ("date", "end")
            if role not in self.interpretation.date_forms
            for i in self._index[role]
        ]
        self.dates.learn(
            (where, row[i]) for where, row in rows for i in columns if len(row) > i
        )

    def value(self, row: Sequence[str], role: str) -> str:
        """The first field with ``role`` in ``row`` ("" when none has it)."""
        columns = self._index[role]
        if not columns:
            return ""
        value = (row[columns[0]] or "").strip()
        return self._restore(value) if self._restore else value

    def _named(self, row: Sequence[str], name: str) -> str:
        i = self._by_name.get(name)
        return (row[i] or "").strip() if i is not None and i < len(row) else ""

    def items(self, row: Sequence[str], role: str) -> list[str]:
        """The items of every field with ``role`` in ``row`` (actors, sources)."""
        values = []
        for i in self._index[role]:
            text = (row[i] or "").strip()
            values.extend(split_items(self._restore(text) if self._restore else text))
        return values

    def sources_and_article(
        self, row: Sequence[str], title: str
    ) -> tuple[tuple[str, ...], Article | None]:
        """The outlets ``row`` cites, and the article its link names (None without one)."""
        url = self.value(row, "url")
        sources = tuple(dict.fromkeys(self.items(row, "source")))
        if not url:
            return sources, None
        article = Article(
            uid=event_uid("article", url),
            title=title,
            outlet=sources[0] if sources else None,
            url=url,
        )
        return sources, article

    def _date(self, text: str, role: str) -> tuple[str, DatePrecision]:
        form = self.interpretation.date_forms.get(role)
        if form:
            return number_date(text, form)
        return self.dates(text)

    def _geocoded(self, name: str, country: str) -> Place | None:
        key = (name, country)
        if key not in self._places:
            geocoder = self.options.geocoder_or_default()
            context = None
            if country:
                found = geocoder.gazetteer.lookup(country)
                codes = frozenset(e.country for e in found if e.kind == "country")
                context = GeoContext(countries=codes)
            result = geocoder.geocode(name, context)
            self._places[key] = result.place if result else None
        return self._places[key]

    def _point(self, row, name: str, lat_role: str, lon_role: str, what: str) -> Place | None:
        lat, lon = self.value(row, lat_role), self.value(row, lon_role)
        if not (lat or lon):
            return None
        if not (lat and lon):
            raise ValueError(f"{what}: a latitude without a longitude (or the reverse)")
        y = coordinate(lat, -90, 90, "latitude")
        x = coordinate(lon, -180, 180, "longitude")
        return Place(name or f"{y:.4f}, {x:.4f}", y, x)

    def place(self, row: Sequence[str]) -> Place | None:
        """The event's place: its coordinates, or its place name found in the gazetteer."""
        name = self.value(row, "place")
        place = self._point(row, name, "lat", "lon", "place")
        if place is not None:
            return place
        if not name:
            return None
        country = self.value(row, "country")
        found = self._geocoded(name, country)
        if found is None:
            raise ValueError(f"place {name!r} not found in the gazetteer (add coordinates)")
        return Place(name, found.lat, found.lon, found.kind, found.country)

    def origin(self, row: Sequence[str]) -> Place | None:
        """Where the event came from (a strike's launch site, a convoy's port)."""
        name = self.value(row, "origin")
        place = self._point(row, name, "origin_lat", "origin_lon", "origin")
        if place is not None or not name:
            return place
        found = self._geocoded(name, "")
        if found is None:
            raise ValueError(f"origin {name!r} not found in the gazetteer (add coordinates)")
        return Place(name, found.lat, found.lon, found.kind, found.country)

    def when(self, row: Sequence[str]) -> tuple[str, str | None, DatePrecision, str]:
        """``(start, end, precision, the date as written)``."""
        written = self.value(row, "date")
        edtf_end = None
        if written and looks_like_edtf(written):
            # "2025-06~", "2025-06-20/2025-06-30", "2025-XX": EDTF says what it knows.
            edtf = parse_edtf(written)
            start, precision, edtf_end = edtf.start, edtf.precision, edtf.end
        elif written:
            start, precision = self._date(written, "date")
        else:
            year = self.value(row, "year")
            if not year:
                raise ValueError("no date")
            start, precision, written = f"{int(float(year)):04d}", DatePrecision.YEAR, year
        if self.interpretation.column("year") is not None and written != self.value(row, "year"):
            year = self.value(row, "year")
            if year and _INTEGER.match(year) and start[:4] != f"{int(float(year)):04d}":
                raise ValueError(f"date {written!r} is not in the year {year!r} of its row")
        clock = self.value(row, "time")
        if clock and len(start) == 10:
            parsed, _ = parse_loose_date(f"{start} {clock}")
            start = parsed
            written = f"{written} {clock}"
        end_text = self.value(row, "end")
        end = edtf_end
        if end_text:
            end, end_precision = self._date(end_text, "end")
            if end == start:
                end = None
            elif end_precision != precision:
                # event_span keeps each ISO text's own period when it is coarser.
                precision = DatePrecision.DAY
        given = self.value(row, "precision").lower()
        if given in {p.value for p in DatePrecision}:
            precision = DatePrecision(given)
        if end is not None:
            try:
                event_span(start, end, precision)
            except DateError as exc:
                raise ValueError(str(exc)) from None
        return start, end, precision, written

    def attributes(
        self, row: Sequence[str], also: Iterable[str] = ()
    ) -> tuple[tuple[str, str], ...]:
        """The fields without a role, as ``(name, value)`` pairs (empty values left out),
        and those of the roles ``also`` (a date the format's own time overrides)."""
        fields = self.interpretation.fields
        pairs = []
        extra = [i for role in also for i in self._index[role]]
        for i in sorted({*self._kept, *extra}):
            value = (row[i] or "").strip() if i < len(row) else ""
            if value:
                pairs.append((fields[i], self._restore(value) if self._restore else value))
        return tuple(pairs)

    def __call__(self, row: Sequence[str], title: str | None = None) -> Event:
        start, end, precision, written = self.when(row)
        place = self.place(row)
        text = self.value(row, "text")
        actors = tuple(dict.fromkeys(self.items(row, "actors")))
        layout = self.layout
        if title is None and layout is not None and layout.title is not None:
            title = layout.title(lambda name: self._named(row, name))
        title = title or self.value(row, "title") or title_from(text, place, start, actors)
        ident = self.value(row, "id")
        uid = (
            event_uid("csv", self.signature, ident)
            if ident
            # Every field: rows alike in title, date and place but not in, say, a link
            # are different records, never merged.
            else event_uid("csv-row", self.signature, *row)
        )
        sources, article = self.sources_and_article(row, title)
        category = self.value(row, "category")
        if layout is not None and layout.category is not None:
            category = layout.category(category)
        category = category.lower().replace(" ", "_") or "other"
        return Event(
            uid=uid,
            title=title,
            start=start,
            end=end,
            precision=precision,
            display_date=written,
            category=category,
            actors=actors,
            place=place,
            excerpt=text,
            article=article,
            sources=sources,
            origin=self.origin(row),
            attributes=self.attributes(row),
        )


#: What each kind of number date is called in messages.
FORM_NAMES = {
    "unix": "Unix time",
    "unix_ms": "Unix time in milliseconds",
    "excel": "spreadsheet day number",
}


def property_text(value: object) -> str:
    """A property's value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


class PropertyRoles:
    """The roles of the properties a format gives no meaning of its own (a GeoJSON
    feature's ``when`` or ``event_type``), and those kept as attributes.

    The roles are found once per set of property names, from the names and the first
    record's values, and kept for every record with the same names.

    Parameters
    ----------
    own
        The names the format reads itself; they get no role here and are not kept.
    explicit
        The user's mapping, role -> property name (or names).
    """

    def __init__(self, own: Iterable[str], explicit: dict[str, Chosen] | None = None) -> None:
        self._own = frozenset(own)
        self._explicit = explicit or {}
        self._cache: dict[tuple[str, ...], Interpretation] = {}
        #: The interpretation of the first record, for the report.
        self.first: Interpretation | None = None

    def __call__(self, props: dict) -> Interpretation:
        names = tuple(k for k in props if k not in self._own)
        found = self._cache.get(names)
        if found is None:
            # A mapping's fields this record lacks are not asked of it; an unticked
            # role (no field) stays unticked.
            explicit = {}
            for role, given in self._explicit.items():
                wanted = chosen_fields({role: given})[role]
                present = tuple(n for n in wanted if n in names)
                if present or not wanted:
                    explicit[role] = present
            row = [property_text(props[k]) for k in names]
            found = interpret(names, [row], explicit)
            if len(self._cache) < 1000:
                self._cache[names] = found
            if self.first is None:
                self.first = found
        return found

    @staticmethod
    def value(props: dict, found: Interpretation, role: str) -> str:
        """The first property with ``role``, as text ("" when none has it)."""
        name = found.field_of(role)
        return property_text(props.get(name)).strip() if name else ""

    @staticmethod
    def kept(props: dict, found: Interpretation) -> tuple[tuple[str, str], ...]:
        """The properties without a role, as ``(name, value)`` pairs."""
        pairs = []
        for i in found.kept:
            name = found.fields[i]
            text = property_text(props.get(name)).strip()
            if text:
                pairs.append((name, text))
        return tuple(pairs)


def title_from(text: str, place: Place | None, start: str, actors: Sequence[str] = ()) -> str:
    """A title for a record without one: its text's first sentence, else who and where."""
    if text:
        first = text.split(". ")[0]
        return first if len(first) <= 90 else first[:87].rstrip() + "..."
    where = place.name if place else "Event"
    who = " – ".join(actors[:2])
    return f"{who}: {where}, {start}" if who else f"{where}, {start}"


def other_fields(item: dict, used: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The fields of a JSON record that its format does not read, as attributes: an
    object's members under ``name.member`` (TimelineJS's ``media.caption``), lists and
    deeper values as JSON."""
    skip = set(used)
    pairs = []
    for name, value in item.items():
        if name in skip:
            continue
        members = value.items() if isinstance(value, dict) else [(None, value)]
        for member, inner in members:
            text = property_text(inner).strip()
            if text:
                pairs.append((f"{name}.{member}" if member is not None else str(name), text))
    return tuple(pairs)
