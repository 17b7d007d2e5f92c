"""Tests for the offline country basemap and the script that builds it (no Qt)."""

from __future__ import annotations

import importlib.util
import json
import math
from itertools import pairwise
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BASEMAP = REPO_ROOT / "data" / "basemap" / "countries.geojson"
SCRIPT = REPO_ROOT / "packaging" / "build_basemap.py"
MAX_BYTES = 3_000_000


def _load_script():
    spec = importlib.util.spec_from_file_location("build_basemap", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_basemap = _load_script()


# --- geometry helpers written for the tests (ray casting) ----------------------------------------


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in pairwise(ring):
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _contains(geometry: dict, lat: float, lon: float) -> bool:
    return any(
        _in_ring(lon, lat, poly[0]) and not any(_in_ring(lon, lat, hole) for hole in poly[1:])
        for poly in _polygons(geometry)
    )


def _distance_km(geometry: dict, lat: float, lon: float) -> float:
    """Distance from a point to a geometry's outline (0 inside), locally flat, in km."""
    if _contains(geometry, lat, lon):
        return 0.0
    kx = math.cos(math.radians(lat))
    best = math.inf
    for polygon in _polygons(geometry):
        for ring in polygon:
            for (x0, y0), (x1, y1) in pairwise(ring):
                ax, ay = (x0 - lon) * kx, y0 - lat
                bx, by = (x1 - lon) * kx, y1 - lat
                dx, dy = bx - ax, by - ay
                length2 = dx * dx + dy * dy
                t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best * 111.195


# --- the shipped file ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basemap() -> dict:
    return json.loads(BASEMAP.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_name(basemap) -> dict:
    return {f["properties"]["name"]: f for f in basemap["features"]}


def test_file_is_small_enough():
    assert BASEMAP.stat().st_size < MAX_BYTES


def test_is_feature_collection_with_attribution(basemap):
    assert basemap["type"] == "FeatureCollection"
    assert basemap["attribution"] == build_basemap.ATTRIBUTION
    assert "naturalearthdata.com" in basemap["attribution"]
    assert basemap["source"].startswith("world-atlas ")
    assert len(basemap["features"]) > 150
    for feature in basemap["features"]:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == {"name", "id"}
        assert isinstance(feature["properties"]["name"], str)
        assert feature["properties"]["id"] is None or feature["properties"]["id"].isdigit()


def test_geometries_are_closed_polygons_in_range(basemap):
    for feature in basemap["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        polygons = _polygons(geometry)
        assert polygons
        for polygon in polygons:
            assert polygon
            for ring in polygon:
                assert len(ring) >= 4
                assert ring[0] == ring[-1]
                for lon, lat in ring:
                    assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_no_edge_wraps_across_the_antimeridian(basemap):
    # A planar map draws a ring edge from 179 to -179 as a line across the whole world.
    for feature in basemap["features"]:
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                for (x0, y0), (x1, y1) in pairwise(ring):
                    along_pole = y0 == y1 and abs(y0) == 90
                    assert abs(x1 - x0) <= 180 or along_pole, feature["properties"]["name"]


def test_expected_countries_present(by_name):
    assert by_name["Ukraine"]["properties"]["id"] == "804"
    assert by_name["Russia"]["properties"]["id"] == "643"
    assert by_name["Lithuania"]["properties"]["id"] == "440"
    turkey = by_name.get("Turkey") or by_name.get("Türkiye")
    assert turkey is not None
    assert turkey["properties"]["id"] == "792"


@pytest.mark.parametrize(
    ("city", "lat", "lon", "countries"),
    [
        ("Kyiv", 50.45, 30.52, {"Ukraine"}),
        ("Vilnius", 54.687, 25.280, {"Lithuania"}),
        ("Ankara", 39.93, 32.86, {"Turkey", "Türkiye"}),
        ("Moscow", 55.75, 37.62, {"Russia"}),
        ("Chukotka", 67.0, -175.0, {"Russia"}),
        ("Antarctic interior", -80.0, 0.0, {"Antarctica"}),
    ],
)
def test_city_lies_in_its_country(basemap, city, lat, lon, countries):
    hits = {
        f["properties"]["name"] for f in basemap["features"] if _contains(f["geometry"], lat, lon)
    }
    assert len(hits) == 1 and hits <= countries, (city, hits)


def test_istanbul_is_on_turkeys_coast(basemap, by_name):
    # At 1:50m the Bosphorus shore is one straight segment, (28.957, 41.009) -> (28.996, 41.061),
    # leaving (41.01, 28.98) about 1.5 km offshore: same in the raw world-atlas data, not a
    # conversion error. Require Turkey within 5 km, nearest of all, and no other country.
    lat, lon = 41.01, 28.98
    turkey = by_name.get("Turkey") or by_name.get("Türkiye")
    assert _distance_km(turkey["geometry"], lat, lon) < 5.0
    nearest = min(basemap["features"], key=lambda f: _distance_km(f["geometry"], lat, lon))
    assert nearest is turkey
    hits = [f for f in basemap["features"] if _contains(f["geometry"], lat, lon)]
    assert hits in ([], [turkey])


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(67.0, 0.0), (66.0, -100.0), (-16.5, 0.0), (-60.0, 0.0), (0.0, -30.0)],
)
def test_stitched_countries_do_not_smear_across_the_map(basemap, lat, lon):
    # Norwegian Sea, Canada, Atlantic, Southern Ocean: not Russia, Fiji or Antarctica.
    for name in ("Russia", "Fiji", "Antarctica"):
        feature = next(f for f in basemap["features"] if f["properties"]["name"] == name)
        assert not _contains(feature["geometry"], lat, lon), (name, lat, lon)


# --- the TopoJSON decoder ------------------------------------------------------------------------

# Two unit squares side by side, quantized on a 0.5 x 0.25 grid from (10, 20). Arc 0 is their
# shared edge; square A uses it forwards, square B reversed (~0 == -1). Arc 2 repeats a point
# (delta 0, 0) that must be dropped.
TINY_TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "001", "properties": {"name": "A"}, "arcs": [[0, 1]]},
                {"type": "MultiPolygon", "properties": {"name": "B"}, "arcs": [[[~0, 2]]]},
            ],
        }
    },
    "arcs": [
        [[2, 0], [0, 4]],
        [[2, 4], [-2, 0], [0, -4], [2, 0]],
        [[2, 0], [2, 0], [0, 0], [0, 4], [-2, 0]],
    ],
}


def test_decode_arcs_applies_deltas_and_transform():
    arcs = build_basemap.decode_arcs(TINY_TOPOLOGY)
    assert arcs[0] == [(11.0, 20.0), (11.0, 21.0)]
    assert arcs[1] == [(11.0, 21.0), (10.0, 21.0), (10.0, 20.0), (11.0, 20.0)]
    assert arcs[2] == [(11.0, 20.0), (12.0, 20.0), (12.0, 20.0), (12.0, 21.0), (11.0, 21.0)]


def test_topology_to_features_exact_coordinates():
    features, dropped = build_basemap.topology_to_features(TINY_TOPOLOGY, precision=3)
    assert dropped == []
    a, b = features
    assert a == {
        "type": "Feature",
        "properties": {"name": "A", "id": "001"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[11.0, 20.0], [11.0, 21.0], [10.0, 21.0], [10.0, 20.0], [11.0, 20.0]]],
        },
    }
    # Single-polygon MultiPolygon collapses to Polygon; reversed shared arc; duplicate dropped.
    assert b["properties"] == {"name": "B", "id": None}
    assert b["geometry"] == {
        "type": "Polygon",
        "coordinates": [[[11.0, 21.0], [11.0, 20.0], [12.0, 20.0], [12.0, 21.0], [11.0, 21.0]]],
    }


def test_rounding_and_closing():
    ring = [(0.12345, 1.98765), (0.12349, 1.98761), (3.0, 1.0), (2.0, 4.0)]  # not closed
    assert build_basemap.clean_ring(ring, 3) == [
        [0.123, 1.988],
        [3.0, 1.0],
        [2.0, 4.0],
        [0.123, 1.988],
    ]
    assert build_basemap.clean_ring([(0.0001, 0.0), (0.0002, 0.0), (0.0, 0.0001)], 2) is None


def test_antimeridian_crossing_ring_is_cut():
    topology = {
        "type": "Topology",
        "objects": {"countries": {"type": "Polygon", "properties": {"name": "X"}, "arcs": [[0]]}},
        "arcs": [[[179, 0], [-179, 0], [-179, 2], [179, 2], [179, 0]]],
    }
    (feature,), _ = build_basemap.topology_to_features(topology, precision=3)
    geometry = feature["geometry"]
    assert geometry["type"] == "MultiPolygon"
    pieces = sorted(sorted(map(tuple, poly[0][:-1])) for poly in geometry["coordinates"])
    assert pieces == [
        [(-180.0, 0.0), (-180.0, 2.0), (-179.0, 0.0), (-179.0, 2.0)],
        [(179.0, 0.0), (179.0, 2.0), (180.0, 0.0), (180.0, 2.0)],
    ]


def test_pole_ring_is_closed_along_the_pole_and_pinhole_dropped():
    topology = {
        "type": "Topology",
        "objects": {
            "countries": {"type": "Polygon", "properties": {"name": "S"}, "arcs": [[0], [1]]}
        },
        "arcs": [
            # pinhole at -89.999 (westward), then an eastward coast ring: d3's stitched Antarctica
            [[-180, -89.999], [60, -89.999], [-60, -89.999], [-180, -89.999]],
            [[-180, -70], [-60, -70], [60, -70], [180, -70], [-180, -70]],
        ],
    }
    (feature,), _ = build_basemap.topology_to_features(topology, precision=3)
    geometry = feature["geometry"]
    assert geometry["type"] == "Polygon" and len(geometry["coordinates"]) == 1
    assert _contains(geometry, -80.0, 0.0)
    assert _contains(geometry, -80.0, 179.0)
    assert not _contains(geometry, -60.0, 0.0)


def test_main_writes_compact_geojson(tmp_path):
    source = tmp_path / "countries-50m.json"
    source.write_text(json.dumps(TINY_TOPOLOGY), encoding="utf-8")
    out = tmp_path / "out" / "countries.geojson"
    argv = ["--topojson", str(source), "--out", str(out), "--world-atlas-version", "9.9.9"]
    assert build_basemap.main(argv) == 0
    text = out.read_text(encoding="utf-8")
    assert ", " not in text and '": ' not in text
    data = json.loads(text)
    assert data["source"] == "world-atlas 9.9.9 countries-50m"
    assert data["attribution"] == (
        "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com."
    )
    assert [f["properties"]["name"] for f in data["features"]] == ["A", "B"]
