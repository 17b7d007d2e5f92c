"""Names to places: the store's cache, then the offline gazetteer, then (only when the
user allowed it) OpenStreetMap's Nominatim through geopy.

Online answers are cached in the store, found or not, so no name is asked twice; the
gazetteer is never cached because its answer depends on the text around the name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from desktop_app.core.event import Place
from desktop_app.geo.gazetteer import Gazetteer, GazetteerEntry, GeoContext, default_gazetteer
from desktop_app.geo.names import name_key

USER_AGENT = "event-atlas/0.1 (desktop atlas of news events; offline-first, geopy)"
# Nominatim's usage policy: at most one request per second.
MIN_DELAY_SECONDS = 1.0


class GeocodeCache(Protocol):
    """Where online answers are kept (:class:`desktop_app.store.event_store.EventStore`)."""

    def cached_geocode(self, provider: str, query: str) -> tuple[bool, Place | None] | None: ...

    def cache_geocode(self, provider: str, query: str, place: Place | None) -> None: ...


class GeocodeError(Exception):
    """The online geocoder could not be asked (network, refusal); the message says why."""


@dataclass(frozen=True)
class Geocoded:
    """A place found for a name, where it was found, and what else the name could mean."""

    query: str
    place: Place
    source: str
    alternatives: tuple[GazetteerEntry, ...] = ()


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
        from geopy.exc import GeopyError

        try:
            location = self._geocode(name, exactly_one=True, addressdetails=True)
        except GeopyError as exc:
            raise GeocodeError(f"{name}: the online geocoder failed ({exc})") from None
        if location is None:
            return None
        raw = location.raw or {}
        address = raw.get("address") or {}
        country = address.get("country_code")
        return Place(
            name,
            float(location.latitude),
            float(location.longitude),
            raw.get("addresstype") or raw.get("type"),
            country.upper() if country else None,
        )


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

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    def geocode(self, name: str, context: GeoContext | None = None) -> Geocoded | None:
        """The place ``name`` most likely means, or None when no step knows it."""
        name = name.strip()
        if not name:
            return None
        query = name_key(name)
        if self.cache is not None:
            # Earlier online answers stay useful after the user switches online look-ups off.
            cached = self.cache.cached_geocode(NominatimGeocoder.provider, query)
            if cached is not None:
                found, place = cached
                return Geocoded(name, place, "cache") if found and place else None
        resolution = self.gazetteer.resolve(name, context)
        if resolution is not None:
            return Geocoded(name, resolution.best.place(), "gazetteer", resolution.alternatives)
        if self.online is None:
            return None
        place = self.online(name)
        if self.cache is not None:
            self.cache.cache_geocode(self.online.provider, query, place)
        return Geocoded(name, place, self.online.provider) if place else None
