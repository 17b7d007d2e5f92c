"""The geocoder chain: cache, gazetteer, and Nominatim (through geopy, against a local
HTTP server that speaks Nominatim's /search JSON API)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from desktop_app.geo.gazetteer import Confidence
from desktop_app.geo.geocoder import (
    ONLINE_EXACT,
    ONLINE_LIKELY,
    GeocodeError,
    Geocoder,
    NominatimGeocoder,
)
from desktop_app.store.event_store import EventStore

KNOWN = {
    "hostomel airport": {
        "place_id": 1,
        "lat": "50.6036",
        "lon": "30.1919",
        "display_name": "Hostomel Airport, Kyiv Oblast, Ukraine",
        "type": "aerodrome",
        "addresstype": "aeroway",
        "address": {"country": "Ukraine", "country_code": "ua"},
    }
}


def _result(place_id: int, lat: str, lon: str, name: str, code: str, importance: float) -> dict:
    return {
        "place_id": place_id,
        "lat": lat,
        "lon": lon,
        "display_name": name,
        "type": "village",
        "addresstype": "village",
        "importance": importance,
        "address": {"country_code": code},
    }


# Names the gazetteer does not know, each with several of Nominatim's answers.
SEVERAL = {
    # One clearly first answer, and a minor namesake.
    "chasiv yar": [
        _result(2, "48.5867", "37.8350", "Chasiv Yar, Donetsk Oblast, Ukraine", "ua", 0.72),
        _result(3, "49.1000", "36.9000", "Chasiv Yar, Kharkiv Oblast, Ukraine", "ua", 0.21),
    ],
    # Two villages of one name, alike in importance.
    "novoselivka druha": [
        _result(4, "48.4000", "37.5000", "Novoselivka Druha, Donetsk Oblast, Ukraine", "ua", 0.41),
        _result(
            5, "47.6000", "36.1000", "Novoselivka Druha, Zaporizhzhia Oblast, Ukraine", "ua", 0.39
        ),
    ],
    # A hamlet nobody has heard of.
    "khutir lisovyi": [
        _result(6, "50.1000", "33.2000", "Khutir Lisovyi, Poltava Oblast, Ukraine", "ua", 0.08),
    ],
}


class _Nominatim(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append({"path": url.path, **query, "agent": self.headers["User-Agent"]})
        if url.path != "/search":
            self.send_error(404)
            return
        if query.get("q") == "broken":
            self.send_error(500)
            return
        found = KNOWN.get(query.get("q", "").lower())
        several = SEVERAL.get(query.get("q", "").lower(), [])
        answers = ([found] if found else several)[: int(query.get("limit", 1))]
        body = json.dumps(answers).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def nominatim() -> Iterator[str]:
    _Nominatim.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_offline_by_default_and_gazetteer_first(tmp_path) -> None:
    with EventStore(tmp_path / "atlas.db") as store:
        geocoder = Geocoder(cache=store)
        found = geocoder.geocode("Kherson region")
        assert found is not None and found.source == "gazetteer"
        assert geocoder.geocode("Hostomel Airport") is None


def test_nominatim_through_geopy_asked_once_and_cached(tmp_path, nominatim: str) -> None:
    online = NominatimGeocoder(domain=nominatim, scheme="http", timeout=5)
    with EventStore(tmp_path / "atlas.db") as store:
        geocoder = Geocoder(cache=store, online=online)
        found = geocoder.geocode("Hostomel Airport")
        assert found is not None and found.source == "nominatim"
        assert (found.place.lat, found.place.lon, found.place.country) == (50.6036, 30.1919, "UA")
        again = geocoder.geocode("hostomel  airport")
        assert again is not None and again.source == "cache"
        assert geocoder.geocode("Nowhere Special") is None
        assert geocoder.geocode("Nowhere Special") is None
    searches = [r for r in _Nominatim.requests if r["path"] == "/search"]
    assert [r["q"] for r in searches] == ["Hostomel Airport", "Nowhere Special"]
    assert all(r["format"] == "json" and "event-atlas" in r["agent"] for r in searches)
    # The answers outlive the session, and stay usable with online look-ups off.
    with EventStore(tmp_path / "atlas.db") as store:
        cached = Geocoder(cache=store).geocode("Hostomel Airport")
        assert cached is not None and cached.source == "cache"


def test_gazetteer_names_never_go_online(tmp_path, nominatim: str) -> None:
    online = NominatimGeocoder(domain=nominatim, scheme="http", timeout=5)
    with EventStore(tmp_path / "atlas.db") as store:
        assert Geocoder(cache=store, online=online).geocode("Kyiv").source == "gazetteer"
    assert _Nominatim.requests == []


def test_server_errors_are_reported_not_raised_raw(tmp_path, nominatim: str) -> None:
    online = NominatimGeocoder(domain=nominatim, scheme="http", timeout=5)
    with pytest.raises(GeocodeError, match="broken"):
        Geocoder(online=online).geocode("broken")


def test_rate_is_never_above_one_request_per_second() -> None:
    online = NominatimGeocoder(domain="127.0.0.1:9", scheme="http", min_delay_seconds=0.01)
    assert online._geocode.min_delay_seconds >= 1.0


@pytest.mark.parametrize(
    ("name", "confidence", "alternatives"),
    [
        ("Chasiv Yar", Confidence.EXACT, ["Chasiv Yar, Kharkiv Oblast, Ukraine"]),
        (
            "Novoselivka Druha",
            Confidence.LIKELY,
            ["Novoselivka Druha, Zaporizhzhia Oblast, Ukraine"],
        ),
        ("Khutir Lisovyi", Confidence.GUESS, []),
    ],
)
def test_online_answers_carry_alternatives_and_a_confidence_from_importance(
    nominatim: str, name: str, confidence: Confidence, alternatives: list[str]
) -> None:
    online = NominatimGeocoder(domain=nominatim, scheme="http", timeout=5)
    found = Geocoder(online=online).geocode(name)
    assert found is not None and found.source == "nominatim"
    assert found.confidence is confidence, found.reason
    assert [a.name for a in found.alternatives] == alternatives
    assert all(a.country == "UA" for a in found.alternatives)
    assert "importance" in found.reason
    assert [r["limit"] for r in _Nominatim.requests] == ["5"]


def test_online_thresholds_are_ordered() -> None:
    assert 0 < ONLINE_LIKELY < ONLINE_EXACT <= 1


def test_names_that_are_not_places_are_not_sent_online(nominatim: str) -> None:
    online = NominatimGeocoder(domain=nominatim, scheme="http", timeout=5)
    geocoder = Geocoder(online=online)
    for name in ("Atlantis", "the Kremlin", "State Department"):
        assert geocoder.geocode(name) is None
        assert geocoder.why_unplaced(name)
    assert _Nominatim.requests == []


def test_places_resolved_surely_are_the_context_of_later_names() -> None:
    geocoder = Geocoder()
    assert geocoder.geocode("Odessa").confidence is Confidence.LIKELY
    kramatorsk = geocoder.geocode("Kramatorsk")
    assert kramatorsk is not None and kramatorsk.confidence is Confidence.EXACT
    odessa = geocoder.geocode("Odessa")
    assert odessa is not None and odessa.confidence is Confidence.EXACT
    assert odessa.place.country == "UA"
