"""Names to places: the store's cache, then the offline gazetteer, then (only when the
user allowed it) OpenStreetMap's Nominatim through geopy.

Online answers are cached in the store, found or not, so no name is asked twice; the
gazetteer is never cached because its answer depends on the text around the name.
Every answer carries a :class:`~desktop_app.geo.gazetteer.Confidence`, the other places
the name may mean and why; online, from Nominatim's ``importance`` of several results.
One geocoder serves one import: the countries and regions of the places it resolved
surely become the context of the names after them ("Pokrovsk" after "Donetsk").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from desktop_app.core.event import Place
from desktop_app.geo.gazetteer import (
    Confidence,
    Gazetteer,
    GazetteerEntry,
    GeoContext,
    Resolution,
    default_gazetteer,
)
from desktop_app.geo.names import name_key

USER_AGENT = "event-atlas/0.1 (desktop atlas of news events; offline-first, geopy)"
# Nominatim's usage policy: at most one request per second.
MIN_DELAY_SECONDS = 1.0
#: Nominatim results asked for one name: the best and the alternatives.
ONLINE_RESULTS = 5
#: An online result this important (Nominatim's 0-1 ``importance``), ahead of the next
#: by :data:`ONLINE_LEAD`, is "exact"; one of :data:`ONLINE_LIKELY` at least, "likely";
#: anything less, a guess.
ONLINE_EXACT = 0.6
ONLINE_LEAD = 0.15
ONLINE_LIKELY = 0.3


class GeocodeCache(Protocol):
    """Where online answers are kept (:class:`desktop_app.store.event_store.EventStore`)."""

    def cached_geocode(self, provider: str, query: str) -> tuple[bool, Place | None] | None: ...

    def cache_geocode(self, provider: str, query: str, place: Place | None) -> None: ...


class GeocodeError(Exception):
    """The online geocoder could not be asked (network, refusal); the message says why."""


@dataclass(frozen=True)
class Geocoded:
    """A place found for a name, where it was found, and what else the name could mean.

    Parameters
    ----------
    query
        The name asked.
    place
        The place chosen.
    source
        ``gazetteer``, ``cache`` or the online provider's name.
    alternatives
        The other places the name may mean, most likely first.
    confidence
        How sure the choice is.
    reason
        Why, in words a user reads.
    fuzzy
        True when matched by spelling only.
    """

    query: str
    place: Place
    source: str
    alternatives: tuple[GazetteerEntry, ...] = ()
    confidence: Confidence = Confidence.EXACT
    reason: str = ""
    fuzzy: bool = False


@dataclass(frozen=True)
class OnlineResult:
    """One of Nominatim's answers for a name: the place and how important it is (0-1)."""

    place: Place
    importance: float | None
    display_name: str

    def entry(self) -> GazetteerEntry:
        """The answer as an alternative to list beside the chosen place."""
        return GazetteerEntry(
            self.display_name,
            self.place.kind or "place",
            self.place.lat,
            self.place.lon,
            self.place.country or "",
        )


def online_confidence(results: list[OnlineResult]) -> tuple[Confidence, str]:
    """How sure the first of Nominatim's ``results`` is, from their ``importance``."""
    best = results[0].importance
    if best is None:
        return Confidence.LIKELY, "the online geocoder's first answer (no importance given)"
    second = max((r.importance or 0.0 for r in results[1:]), default=0.0)
    if best >= ONLINE_EXACT and best - second >= ONLINE_LEAD:
        return Confidence.EXACT, f"the online geocoder's clear first answer (importance {best:.2f})"
    if best >= ONLINE_LIKELY:
        return Confidence.LIKELY, (
            f"the online geocoder's first of {len(results)} answers (importance {best:.2f})"
        )
    return Confidence.GUESS, f"a minor place to the online geocoder (importance {best:.2f})"


class NominatimGeocoder:
    """OpenStreetMap Nominatim through geopy, at most one request per second.

    Parameters
    ----------
    domain, scheme
        The server (``nominatim.openstreetmap.org`` over https by default).
    user_agent
        Nominatim refuses requests without a descriptive one.
    min_delay_seconds
        The pause between requests; never less than one second.
    timeout
        Seconds to wait for one answer.
    """

    provider = "nominatim"

    def __init__(
        self,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        user_agent: str = USER_AGENT,
        min_delay_seconds: float = MIN_DELAY_SECONDS,
        timeout: float = 10.0,
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        self._nominatim = Nominatim(
            user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout
        )
        self._geocode: Callable = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=max(MIN_DELAY_SECONDS, min_delay_seconds),
            max_retries=0,
            swallow_exceptions=False,
        )

    def __call__(self, name: str) -> Place | None:
        """The best place Nominatim finds for ``name``, or None."""
        results = self.search(name, limit=1)
        return results[0].place if results else None

    def search(self, name: str, limit: int = ONLINE_RESULTS) -> list[OnlineResult]:
        """Nominatim's answers for ``name``, best first, with their importance."""
        from geopy.exc import GeopyError

        try:
            locations = self._geocode(name, exactly_one=False, limit=limit, addressdetails=True)
        except GeopyError as exc:
            raise GeocodeError(f"{name}: the online geocoder failed ({exc})") from None
        results = []
        for location in locations or ():
            raw = location.raw or {}
            address = raw.get("address") or {}
            country = address.get("country_code")
            importance = raw.get("importance")
            place = Place(
                name,
                float(location.latitude),
                float(location.longitude),
                raw.get("addresstype") or raw.get("type"),
                country.upper() if country else None,
            )
            results.append(
                OnlineResult(
                    place,
                    float(importance) if importance is not None else None,
                    str(raw.get("display_name") or name),
                )
            )
        return results


class Geocoder:
    """The chain that turns a name into a place.

    Parameters
    ----------
    gazetteer
        The offline gazetteer (the shipped one when None).
    cache
        Where online answers are kept (usually the store); None keeps none.
    online
        An online geocoder (:class:`NominatimGeocoder`) or None: offline only, the default.
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        cache: GeocodeCache | None = None,
        online: NominatimGeocoder | None = None,
    ) -> None:
        self._gazetteer = gazetteer
        self.cache = cache
        self.online = online
        self._countries: set[str] = set()
        self._admin1: set[tuple[str, str]] = set()
        #: Every answer given, by the name as asked: found places and unplaced names.
        self.answers: dict[str, Geocoded | Resolution] = {}

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    def context(self, given: GeoContext | None = None) -> GeoContext:
        """``given`` together with the countries and regions of the places resolved surely."""
        given = given or GeoContext()
        return GeoContext(
            countries=given.countries | frozenset(self._countries),
            admin1=given.admin1 | frozenset(self._admin1),
        )

    def learn(self, entry: GazetteerEntry) -> None:
        """Take a surely resolved place's country and region as context for later names."""
        if entry.country:
            self._countries.add(entry.country)
            if entry.admin1:
                self._admin1.add((entry.country, entry.admin1))

    def geocode(self, name: str, context: GeoContext | None = None) -> Geocoded | None:
        """The place ``name`` most likely means, or None when no step knows it
        (:meth:`why_unplaced` then says why)."""
        name = name.strip()
        if not name:
            return None
        query = name_key(name)
        if self.cache is not None:
            # Earlier online answers stay useful after the user switches online look-ups off.
            cached = self.cache.cached_geocode(NominatimGeocoder.provider, query)
            if cached is not None:
                found, place = cached
                if found and place:
                    answer = Geocoded(
                        name, place, "cache", (), Confidence.LIKELY, "an earlier online answer"
                    )
                    self.answers[name] = answer
                    return answer
                self.answers[name] = Resolution(
                    name, None, confidence=Confidence.UNPLACED,
                    reason="the online geocoder knew no place of that name",
                )  # fmt: skip
                return None
        resolution = self.gazetteer.resolve_name(name, self.context(context))
        if resolution.best is not None:
            if resolution.confidence is Confidence.EXACT:
                self.learn(resolution.best)
            answer = Geocoded(
                name,
                resolution.best.place(),
                "gazetteer",
                resolution.alternatives,
                resolution.confidence,
                resolution.reason,
                resolution.fuzzy,
            )
            self.answers[name] = answer
            return answer
        # A name the gazetteer refuses ("Kremlin", "Atlantis") is not sent online either.
        if self.online is None or self.gazetteer.not_a_place(query) is not None:
            self.answers[name] = resolution
            return None
        results = self.online.search(name)
        place = results[0].place if results else None
        if self.cache is not None:
            self.cache.cache_geocode(self.online.provider, query, place)
        if not results:
            self.answers[name] = Resolution(
                name, None, confidence=Confidence.UNPLACED,
                reason="no place known by that name, offline or online",
            )  # fmt: skip
            return None
        confidence, reason = online_confidence(results)
        answer = Geocoded(
            name,
            results[0].place,
            self.online.provider,
            tuple(r.entry() for r in results[1:]),
            confidence,
            reason,
        )
        self.answers[name] = answer
        return answer

    def why_unplaced(self, name: str) -> str | None:
        """Why ``name`` was left unplaced, when it was asked and was."""
        answer = self.answers.get(name.strip())
        return answer.reason if isinstance(answer, Resolution) else None
