"""ACLED exports: the Armed Conflict Location & Event Data Project's CSV columns.

Mapping (ACLED codebook -> event):

- ``event_id_cnty`` -> uid ``acled:<id>`` (re-importing an export replaces, never adds);
- ``event_date`` (``YYYY-MM-DD``, or ``DD/MM/YYYY HH:MM:SS`` in some exports; the day
  order is detected from the data) with ``time_precision``:

  * 1 (the source gives the day) -> that day, precision ``day``;
  * 2 (the source gives a week or a few days) -> ``approximate``, the coded date +-3 days,
    i.e. the week around it;
  * 3 (the source gives only the month) -> the month, precision ``month``;
- ``event_type`` / ``sub_event_type`` -> the category (battles: military; explosions and
  remote violence: strike; protests, riots: politics; agreements: diplomacy; ...) and the
  title, with the location and any fatalities;
- ``actor1``, ``assoc_actor_1``, ``actor2``, ``assoc_actor_2`` -> actors;
- ``location``, ``latitude``, ``longitude``, ``country`` -> the place, whose kind says
  how precisely it is known (``geo_precision``): 1, the town itself, a city; 2, "part of
  a region or near a town", a district; 3, "only the region is known", a region;
- ``notes`` -> the excerpt; ``source`` (``;``-separated) -> the cited sources;
- every other column (``fatalities``, ``admin1``, ``inter1``, ``tags``, ...) -> the
  event's attributes, under its own name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from desktop_app.core.dates import DatePrecision
from desktop_app.core.event import Event, Place
from desktop_app.geo.gazetteer import country_code
from desktop_app.ingest.fields import DateReader, coordinate
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.ingest.source import Source

REQUIRED = ("event_id_cnty", "event_date", "latitude", "longitude")
#: The columns that make up the event itself; the others are kept as its attributes.
USED = frozenset({
    *REQUIRED, "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
    "actor2", "assoc_actor_2", "location", "country", "geo_precision", "notes", "source",
})  # fmt: skip
# The place kind of each ``geo_precision`` (the kind gives the place its precision, see
# desktop_app/core/event.py); an export without the column codes towns.
_KIND_OF_GEO_PRECISION = {"1": "city", "2": "district", "3": "region"}
# Half the "within a week" window of time_precision 2.
_WEEK_HALF = timedelta(days=3)

_CATEGORIES = {
    "battles": "military",
    "explosions/remote violence": "strike",
    "violence against civilians": "military",
    "protests": "politics",
    "riots": "politics",
}
_STRATEGIC = {
    "agreement": "diplomacy",
    "arrests": "politics",
    "change to group/activity": "military",
    "headquarters or base established": "military",
    "non-violent transfer of territory": "military",
    "disrupted weapons use": "military",
    "looting/property destruction": "other",
}


def is_acled(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return all(column in names for column in REQUIRED)


#: What an event's uid is: this, then its ``event_id_cnty`` without the spaces around it.
UID_PREFIX = "acled:"


def category_of(event_type: str, sub_event_type: str) -> str:
    kind = event_type.strip().lower()
    if kind == "strategic developments":
        return _STRATEGIC.get(sub_event_type.strip().lower(), "other")
    return _CATEGORIES.get(kind, "other")


class _AcledMapper:
    def __init__(self, header: list[str], source: Source, options: ReadOptions) -> None:
        index = {h.strip().lower(): i for i, h in enumerate(header)}
        missing = [c for c in REQUIRED if c not in index]
        if missing:
            raise ImportFailed(BadRecord(source.name, "line 1", f"no column {missing[0]!r}"))
        self.index = index
        self.dates = DateReader(options, source.name)
        self.date_index = index["event_date"]
        self._dates: dict[tuple[str, str], tuple[str, str | None, DatePrecision]] = {}
        self._places: dict[tuple[str, str, str, str, str], Place] = {}
        self._categories: dict[tuple[str, str], str] = {}
        self._countries: dict[str, str | None] = {}
        self.convert = self._build_convert()

    def prepare(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        i = self.date_index
        self.dates.learn((f"line {n}", row[i]) for n, row in rows if len(row) > i)

    def when(self, text: str, precision_code: str) -> tuple[str, str | None, DatePrecision]:
        key = (text, precision_code)
        found = self._dates.get(key)
        if found is None:
            iso, precision = self.dates(text)
            day = iso[:10]
            code = precision_code.strip() or "1"
            if code == "2" and len(day) == 10:
                middle = date.fromisoformat(day)
                found = (
                    (middle - _WEEK_HALF).isoformat(),
                    (middle + _WEEK_HALF).isoformat(),
                    DatePrecision.APPROXIMATE,
                )
            elif code == "3" and len(day) == 10:
                found = (day[:7], None, DatePrecision.MONTH)
            elif code in ("1", "2", "3"):
                found = (iso, None, precision)
            else:
                raise ValueError(f"time_precision {precision_code!r} is not 1, 2 or 3")
            if len(self._dates) > 100_000:
                self._dates.clear()
            self._dates[key] = found
        return found

    def _country(self, name: str) -> str | None:
        if name not in self._countries:
            self._countries[name] = country_code(name)
        return self._countries[name]

    # The rules of one field, each applied once per distinct value: the row reader
    # below calls them for each row, the column reader (desktop_app/ingest/columnar.py)
    # once per distinct value of a column.

    def place(self, location: str, lat_text: str, lon_text: str, country: str, geo: str) -> Place:
        """The place of a row's ``location``, coordinates, ``country`` and ``geo_precision``."""
        key = (location, lat_text, lon_text, country, geo)
        place = self._places.get(key)
        if place is None:
            lat = coordinate(lat_text, -90, 90, "latitude")
            lon = coordinate(lon_text, -180, 180, "longitude")
            place = Place(
                location or f"{lat:.4f}, {lon:.4f}",
                lat,
                lon,
                _KIND_OF_GEO_PRECISION.get(geo.strip(), "city"),
                self._country(country) if country else None,
            )
            if len(self._places) > 200_000:
                self._places.clear()
            self._places[key] = place
        return place

    def category(self, event_type: str, sub: str) -> str:
        """The category of an ``event_type`` and ``sub_event_type``."""
        category = self._categories.get((event_type, sub))
        if category is None:
            category = self._categories[(event_type, sub)] = category_of(event_type, sub)
        return category

    @staticmethod
    def actors(values: Iterable[str]) -> tuple[str, ...]:
        """The actors of the actor columns' values (each ``;``-separated)."""
        found = []
        for value in values:
            if value:
                found.extend(a.strip() for a in value.split(";") if a.strip())
        return tuple(found)

    @staticmethod
    def sources(text: str) -> tuple[str, ...]:
        """The cited sources of a ``source`` value (``;``-separated)."""
        return tuple(s.strip() for s in text.split(";") if s.strip())

    @staticmethod
    def title_head(event_type: str, sub: str) -> str:
        """What a title says first: the kind of event."""
        return sub or event_type or "Event"

    @staticmethod
    def title_tail(fatalities_text: str) -> str:
        """What a title says last: how many were killed (nothing for none)."""
        fatalities = fatalities_text.strip()
        if fatalities and fatalities != "0":
            if not fatalities.isdigit():
                raise ValueError(f"fatalities {fatalities!r} is not a number")
            return f" ({fatalities} killed)"
        return ""

    @classmethod
    def title(cls, event_type: str, sub: str, place_name: str, fatalities_text: str) -> str:
        """The title: the kind of event, where, and how many were killed."""
        return f"{cls.title_head(event_type, sub)} in {place_name}{cls.title_tail(fatalities_text)}"

    @staticmethod
    def uid(ident_text: str) -> str:
        ident = ident_text.strip()
        if not ident:
            raise ValueError("no event_id_cnty")
        return UID_PREFIX + ident

    @property
    def kept(self) -> list[tuple[int, str]]:
        """``(position, name)`` of the columns kept as attributes, in the file's order."""
        ix = self.index
        return [(i, name) for name, i in sorted(ix.items(), key=lambda p: p[1]) if name not in USED]

    def positions(self) -> dict[str, int | None]:
        """The position of each column the event is made of (None: the file has none)."""
        names = (
            *REQUIRED, "time_precision", "event_type", "sub_event_type", "actor1",
            "assoc_actor_1", "actor2", "assoc_actor_2", "location", "country",
            "geo_precision", "notes", "source", "fatalities",
        )  # fmt: skip
        return {name: self.index.get(name) for name in names}

    def _build_convert(self):
        # Column positions are looked up once; the per-row function only indexes lists,
        # because this runs a million times for a large export.
        at = self.positions()
        i_id, i_date, i_lat, i_lon = (at[c] for c in REQUIRED)
        i_prec, i_type, i_sub = at["time_precision"], at["event_type"], at["sub_event_type"]
        i_loc, i_country, i_geo = at["location"], at["country"], at["geo_precision"]
        i_notes, i_source, i_fat = at["notes"], at["source"], at["fatalities"]
        when, place_of, category_of_row = self.when, self.place, self.category
        title_of, uid_of = self.title, self.uid
        # Exports repeat the same actor columns and source lists on thousands of rows:
        # split each distinct text once.
        actor_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        source_cache: dict[str, tuple[str, ...]] = {}
        actor_columns = [
            at[c]
            for c in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
            if at[c] is not None
        ]
        kept = self.kept

        def get(row: list[str], i: int | None) -> str:
            return row[i] if i is not None else ""

        def convert(row: list[str]) -> Event:
            uid = uid_of(row[i_id])
            date_text = row[i_date]
            start, end, precision = when(date_text, get(row, i_prec))
            place = place_of(
                get(row, i_loc), row[i_lat], row[i_lon], get(row, i_country), get(row, i_geo)
            )
            event_type, sub = get(row, i_type), get(row, i_sub)
            category = category_of_row(event_type, sub)
            actor_key = tuple([row[i] for i in actor_columns])
            actors = actor_cache.get(actor_key)
            if actors is None:
                actors = self.actors(actor_key)
                if len(actor_cache) > 50_000:
                    actor_cache.clear()
                actor_cache[actor_key] = actors
            title = title_of(event_type, sub, place.name, get(row, i_fat))
            source = get(row, i_source)
            sources = source_cache.get(source)
            if sources is None:
                sources = self.sources(source)
                if len(source_cache) > 50_000:
                    source_cache.clear()
                source_cache[source] = sources
            return Event(
                uid=uid,
                title=title,
                start=start,
                end=end,
                precision=precision,
                display_date=date_text,
                category=category,
                actors=actors,
                place=place,
                excerpt=get(row, i_notes),
                sources=sources,
                attributes=tuple((name, row[i]) for i, name in kept if row[i]),
            )

        return convert


def row_mapper(header: list[str], source: Source, options: ReadOptions) -> _AcledMapper:
    return _AcledMapper(header, source, options)
