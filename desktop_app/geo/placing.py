"""Where each imported event is, and how sure: one call per event, one tally per import.

An event that leaves a reader with a place keeps it; the tally counts how sure the
place is when the reader found it by name (through the import's :class:`Geocoder`), or
that it came with coordinates. An event with no place whose title or text names one the
gazetteer knows gets that place, marked inferred: its kind says "inferred from text" so
the excerpt panel and exports can tell it from a given place, and the tally counts it
apart. A label ("Luogo: Chernihiv, Ukraine") is as sure as the name in it; a name met
anywhere else in the text is one step less sure (a likely place, never an exact one).

Read, in order of trust:

1. a label in any of several languages: ``Place:``, ``Location:``, ``Luogo:``,
   ``Lieu :``, ``Ort:``, ``Місце:``, ``Место:``, ``Lugar:``;
2. "in X, Country" (the country must be one the gazetteer knows X in);
3. any run of capitalised words that is a place's own name or known spelling
   (the title first, then the text; a city or region before a country).

Spelling matches (rapidfuzz) are used for labels only: elsewhere in a text a word
merely spelled like a town is no evidence of a place.

Before an import is saved the user may confirm the names placed by a guess
(:func:`place_questions` lists them); the :class:`Placer` then puts their events where
the user chose, or leaves them unplaced, and the tally counts them as "confirmed by you".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from desktop_app.core.event import Event, Place
from desktop_app.geo.gazetteer import Confidence, GazetteerEntry, GeoContext, Resolution
from desktop_app.geo.geocoder import Geocoded, Geocoder
from desktop_app.geo.names import name_key

#: The kind of a place read from an event's text rather than given by its source.
INFERRED_KIND = "inferred from text"
#: Unplaced events listed by name and record in a tally; the count covers all of them.
MAX_UNPLACED_LISTED = 200
#: Why an event has no place when the user chose to leave its place name unplaced.
LEFT_UNPLACED = "left unplaced by you"

_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯІЇЄҐЎ"
_WORD = rf"[{_UPPER}][\w’'\-]*"
_LABEL = re.compile(
    r"(?<!\w)(?:place|location|luogo|lieu|ort|місце|место|lugar|localit[àa]|plaats)"
    r"\s*:\s*(?P<name>[^\n;|<>()\[\]]+?)\s*(?=$|[\n;|<>()\[\]]|\.(?:\s|$)| [-–—] )",
    re.IGNORECASE,
)
_IN_PLACE = re.compile(
    rf"\bin (?P<place>{_WORD}(?: {_WORD}){{0,2}}), (?P<where>{_WORD}(?: {_WORD}){{0,2}})"
)
# Names and answers kept for the events after them, at most (a bound on memory).
_KEPT = 100_000
# Shorter keys ("Ur", "Ii") are more often initials or numerals than places.
_MIN_NAME = 3
_CAPITALISED = re.compile(rf"{_WORD}(?:\s+{_WORD}){{0,3}}")
# A country named in a text is a weaker clue than a city: it places the event at the
# country's centre, so it is taken only when the text names no smaller place.
_AREA_KINDS = frozenset({"country"})
_LOWER_ONE_STEP = {
    Confidence.EXACT: Confidence.LIKELY,
    Confidence.LIKELY: Confidence.GUESS,
    Confidence.GUESS: Confidence.GUESS,
}


@dataclass(frozen=True)
class Unplaced:
    """An event left with no place: where it is in the file, the names tried, and why."""

    record: int
    title: str
    names: tuple[str, ...]
    reason: str

    def __str__(self) -> str:
        named = f" ({', '.join(self.names)})" if self.names else ""
        return f"record {self.record}: {self.title}{named}: {self.reason}"


@dataclass(frozen=True)
class PlaceQuestion:
    """A place name of a file for the user to confirm before it is imported: the place
    it was resolved to (None when unplaced), how sure that is, why, the other places the
    name may mean, and how many rows name it.

    Parameters
    ----------
    name
        The name as the file writes it.
    rows
        The rows placed by this name (for an unplaced name: the rows refused for it).
    place
        The place the name was resolved to; None when no place was found.
    confidence, reason, fuzzy
        How sure, why in words a user reads, and whether matched by spelling only.
    alternatives
        The other places the name may mean, most likely first.
    """

    name: str
    rows: int
    place: Place | None
    confidence: Confidence
    reason: str
    alternatives: tuple[GazetteerEntry, ...] = ()
    fuzzy: bool = False

    def choices(self) -> list[Place]:
        """The places the user can choose for the name: the guess, then the others."""
        if self.place is None:
            return []
        return [self.place, *(entry.place() for entry in self.alternatives)]


def needs_confirming(answer: Geocoded | Resolution | None) -> bool:
    """Whether the user should confirm an answer: a guess, a spelling match, or a
    likely place among others of the same name."""
    if not isinstance(answer, Geocoded):
        return False
    if answer.confidence is Confidence.GUESS or answer.fuzzy:
        return True
    return answer.confidence is Confidence.LIKELY and bool(answer.alternatives)


def place_questions(
    answers: Mapping[str, Geocoded | Resolution],
    placed: Mapping[str, int],
    refused: Mapping[str, int],
) -> list[PlaceQuestion]:
    """What to ask the user about a file's place names, from its geocoder's answers.

    Parameters
    ----------
    answers
        The import's :attr:`Geocoder.answers`, by name.
    placed
        Rows placed by each name (as resolved, not given coordinates).
    refused
        Rows refused because no place was found for their name.

    Returns
    -------
    list of PlaceQuestion
        The names to confirm, the most rows first, then the unplaced ones with their
        reasons, the most rows first.
    """
    confirm = []
    for name, rows in placed.items():
        answer = answers.get(name)
        if rows and isinstance(answer, Geocoded) and needs_confirming(answer):
            confirm.append(
                PlaceQuestion(
                    name,
                    rows,
                    answer.place,
                    answer.confidence,
                    answer.reason,
                    answer.alternatives,
                    answer.fuzzy,
                )  # fmt: skip
            )
    unplaced = []
    for name, rows in refused.items():
        answer = answers.get(name)
        if rows and isinstance(answer, Resolution):
            unplaced.append(PlaceQuestion(name, rows, None, Confidence.UNPLACED, answer.reason))
    return sorted(confirm, key=_most_rows_first) + sorted(unplaced, key=_most_rows_first)


def _most_rows_first(question: PlaceQuestion) -> tuple[int, str]:
    return -question.rows, question.name.casefold()


def same_point(one: Place, other: Place) -> bool:
    """True when two places are at the same point (a geocoded place under the file's
    name and the geocoder's answer for it)."""
    return one.lat == other.lat and one.lon == other.lon


@dataclass
class PlaceTally:
    """How an import's events were placed: the counts the import report prints.

    Parameters
    ----------
    given
        Events whose source gave coordinates.
    from_article
        Events the article reader placed (it reads a text's places in context itself).
    exact, likely, guessed
        Events placed from a place name, by :class:`Confidence`.
    confirmed
        Events placed where the user confirmed or chose for their place name.
    inferred
        Events placed from a name in their title or text (also counted by confidence).
    unplaced
        Events left with no place; :attr:`unplaced_events` lists the first of them.
    ambiguous
        Each name placed by a choice among several places, by name: the choice and the
        alternatives, to print once.
    """

    given: int = 0
    from_article: int = 0
    exact: int = 0
    likely: int = 0
    guessed: int = 0
    confirmed: int = 0
    inferred: int = 0
    unplaced: int = 0
    unplaced_events: list[Unplaced] = field(default_factory=list)
    ambiguous: dict[str, str] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return (
            self.given + self.from_article + self.exact + self.likely + self.guessed
            + self.confirmed
        )  # fmt: skip

    def count(self, confidence: Confidence) -> None:
        if confidence is Confidence.EXACT:
            self.exact += 1
        elif confidence is Confidence.LIKELY:
            self.likely += 1
        else:
            self.guessed += 1

    def lines(self) -> list[str]:
        """The tally in the words of the import summary, one line each; none when every
        event came with its coordinates (there is nothing to tell)."""
        if self.placed + self.unplaced == self.given:
            return []
        counts = [
            (self.given, "given with coordinates"),
            (self.from_article, "read from the article"),
            (self.exact, "placed exactly"),
            (self.likely, "likely"),
            (self.guessed, "guessed"),
            (self.confirmed, "confirmed by you"),
            (self.inferred, "of them inferred from text"),
            (self.unplaced, "unplaced"),
        ]
        lines = ["places: " + ", ".join(f"{n} {what}" for n, what in counts if n)]
        lines += [f"  ambiguous: {describe}" for describe in self.ambiguous.values()]
        lines += [f"  unplaced: {item}" for item in self.unplaced_events]
        if self.unplaced > len(self.unplaced_events):
            lines.append(f"  ... and {self.unplaced - len(self.unplaced_events)} more unplaced")
        return lines


class Placer:
    """Places one import's events and keeps their tally.

    Parameters
    ----------
    geocoder
        The import's geocoder: the one its reader resolves place names with, so the
        tally knows how sure each of those was, and the context grows across the file.
    infer
        Read places from the text of events that have none (True by default).
    choices
        The user's choice for place names (by the name as the file writes it): the
        place to put its events at, or None to leave them unplaced. A choice applies
        to events placed by the name, not to those that came with coordinates.
    """

    def __init__(
        self,
        geocoder: Geocoder,
        *,
        infer: bool = True,
        choices: Mapping[str, Place | None] | None = None,
    ) -> None:
        self.geocoder = geocoder
        self.infer = infer
        self.choices = dict(choices or {})
        self.tally = PlaceTally()
        #: Whether the last event placed was left unplaced by the user's choice.
        self.left_unplaced = False
        # The same names recur across a file's events: keys and answers are kept (an
        # answer only while the context it was given in has not grown).
        self._keys: dict[str, str] = {}
        self._answers: dict[str, Resolution] = {}
        self._context_size = 0

    def place_event(self, event: Event, record: int) -> Event:
        """``event`` with its place, inferred from its text when it had none; counted."""
        tally = self.tally
        self.left_unplaced = False
        if event.place is not None:
            answer = self.geocoder.answers.get(event.place.name)
            if (
                isinstance(answer, Geocoded)
                and event.place.name in self.choices
                and same_point(event.place, answer.place)
            ):
                return self._chosen(event, record)
            if isinstance(answer, Geocoded):
                tally.count(answer.confidence)
                if answer.alternatives and answer.confidence is not Confidence.EXACT:
                    tally.ambiguous.setdefault(answer.query, _describe(answer))
            elif event.article is not None:
                tally.from_article += 1
            else:
                tally.given += 1
            return event
        # The article reader has read the text for places already.
        if self.infer and event.article is None:
            found, tried = self._from_text(event)
            if found is not None:
                tally.inferred += 1
                tally.count(found.confidence)
                return replace(event, place=found.place)
        else:
            tried = []
        tally.unplaced += 1
        if len(tally.unplaced_events) < MAX_UNPLACED_LISTED:
            # "Kremlin" and "The Kremlin" are refused for one reason, said once.
            why: dict[str, list[str]] = {}
            for refused in tried:
                named = why.setdefault(refused.reason, [])
                if refused.query not in named:
                    named.append(refused.query)
            names = tuple(n for named in why.values() for n in named)
            reason = "; ".join(why) or "no place named"
            tally.unplaced_events.append(Unplaced(record, event.title, names, reason))
        return event

    def _chosen(self, event: Event, record: int) -> Event:
        """``event`` where the user chose for its place name, or unplaced; counted."""
        name = event.place.name
        chosen = self.choices[name]
        tally = self.tally
        if chosen is None:
            self.left_unplaced = True
            tally.unplaced += 1
            if len(tally.unplaced_events) < MAX_UNPLACED_LISTED:
                tally.unplaced_events.append(Unplaced(record, event.title, (name,), LEFT_UNPLACED))
            return replace(event, place=None)
        tally.confirmed += 1
        # The file's name stays: the choice says where it is, not what it is called.
        return replace(
            event, place=Place(name, chosen.lat, chosen.lon, chosen.kind, chosen.country)
        )

    def _from_text(self, event: Event) -> tuple[Geocoded | None, list[Resolution]]:
        """The place an event's title or text names, and the names refused on the way."""
        texts = [t for t in (event.title, event.excerpt) if t]
        refused: list[Resolution] = []
        for text in texts:
            for match in _LABEL.finditer(text):
                found = self._resolve(match.group("name"), refused, fuzzy=True)
                if found is not None:
                    return found[0], refused
        for text in texts:
            for match in _IN_PLACE.finditer(text):
                where = match.group("where")
                found = self._resolve(f"{match.group('place')}, {where}", refused)
                if found is not None and self._lies_in(found[1], where):
                    return found[0], refused
        country: Geocoded | None = None
        for text in texts:
            for name in self._names_in(text):
                found = self._resolve(name, refused, lower=True)
                if found is None:
                    continue
                if found[1].kind not in _AREA_KINDS:
                    return found[0], refused
                country = country or found[0]
        return country, refused

    def _lies_in(self, entry: GazetteerEntry, where: str) -> bool:
        """True when ``where`` names the country or region ``entry`` is in."""
        named = self.geocoder.gazetteer.lookup(where, placeable=False)
        return any(
            e.country == entry.country and (e.kind == "country" or e.admin1 == entry.admin1)
            for e in named
        )

    def _names_in(self, text: str) -> list[str]:
        """Runs of capitalised words the gazetteer knows, the longest name in a run first."""
        gazetteer = self.geocoder.gazetteer
        names: list[str] = []
        for match in _CAPITALISED.finditer(text):
            words = match.group(0).split()
            i = 0
            while i < len(words):
                for size in range(len(words) - i, 0, -1):
                    name = " ".join(words[i : i + size]).removesuffix("’s").removesuffix("'s")
                    key = self._key(name)
                    if len(key) >= _MIN_NAME and gazetteer.contains(key):
                        names.append(name)
                        i += size
                        break
                else:
                    i += 1
        return names

    def _key(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            if len(self._keys) >= _KEPT:
                self._keys.clear()
            key = self._keys[name] = name_key(name)
        return key

    def _resolve(
        self, name: str, refused: list[Resolution], *, fuzzy: bool = False, lower: bool = False
    ) -> tuple[Geocoded, GazetteerEntry] | None:
        """The inferred place ``name`` means, and its gazetteer entry; None if none."""
        name = name.strip(" ,.:")
        if not name:
            return None
        resolution = self._resolve_parts(name)
        best = resolution.best
        if best is None:
            refused.append(resolution)
            return None
        if resolution.fuzzy and not fuzzy:
            return None
        confidence = _LOWER_ONE_STEP[resolution.confidence] if lower else resolution.confidence
        if confidence is Confidence.EXACT:
            self.geocoder.learn(best)
        place = Place(best.name, best.lat, best.lon, INFERRED_KIND, best.country or None)
        reason = f"inferred from text: {resolution.reason}"
        answer = Geocoded(
            name, place, "gazetteer", resolution.alternatives, confidence, reason, resolution.fuzzy
        )
        return answer, best

    def _resolve_parts(self, name: str) -> Resolution:
        """``name`` resolved; "Chernihiv, Chernihiv Oblast, Ukraine" also as its first
        and last parts, then as its first alone."""
        context = self.geocoder.context()
        size = len(context.countries) + len(context.admin1)
        if size != self._context_size or len(self._answers) >= _KEPT:
            self._answers.clear()
            self._context_size = size
        known = self._answers.get(name)
        if known is None:
            known = self._answers[name] = self._resolve_in(name, context)
        return known

    def _resolve_in(self, name: str, context: GeoContext) -> Resolution:
        gazetteer = self.geocoder.gazetteer
        parts = [p.strip() for p in name.split(",") if p.strip()]
        tries = [name]
        if len(parts) > 2:
            tries.append(f"{parts[0]}, {parts[-1]}")
        if len(parts) > 1:
            tries.append(parts[0])
        refused = []
        for attempt in tries:
            resolution = gazetteer.resolve_name(attempt, context)
            if resolution.best is not None:
                return resolution
            refused.append(resolution)
        return refused[-1]


def _describe(answer: Geocoded) -> str:
    others = ", ".join(a.label for a in answer.alternatives[:3])
    return f"{answer.query} placed at {answer.place.name} ({answer.confidence}); or {others}"
