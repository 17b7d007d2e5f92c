"""The geocoder chain: cache, gazetteer, and Nominatim (through geopy, against a local
HTTP server that speaks Nominatim's /search JSON API)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from desktop_app.geo.geocoder import GeocodeError, Geocoder, NominatimGeocoder
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
        body = json.dumps([found] if found else []).encode()
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
