#!/usr/bin/env python3
"""Regenerate the offline country-outline basemap (data/basemap/countries.geojson).

The input is a ``countries-*.json`` TopoJSON file from the npm package
``world-atlas`` (Mike Bostock's redistribution of Natural Earth's Admin 0
country boundaries; Natural Earth data is in the public domain). Only the
standard library is used: the TopoJSON is decoded here (quantized,
delta-encoded arcs plus the topology transform), stitched into Polygon and
MultiPolygon rings, rounded and written as compact GeoJSON.

How to obtain the input (npm only needs to reach the registry)::

    mkdir -p /tmp/basemap-work && cd /tmp/basemap-work
    npm pack world-atlas@2            # -> world-atlas-2.0.2.tgz
    tar xzf world-atlas-2.0.2.tgz     # -> package/countries-50m.json, package/package.json
    # (or: npm install world-atlas@2  -> node_modules/world-atlas/countries-50m.json)

Then, from the repository root::

    python packaging/build_basemap.py \\
        --topojson /tmp/basemap-work/package/countries-50m.json --precision 3

The world-atlas version recorded in the output's "source" member is read from
the ``package.json`` next to the TopoJSON file (pass ``--world-atlas-version``
when the file was copied elsewhere).

Antimeridian and poles: world-atlas v2 ships *spherical* geometry that has
been stitched across the antimeridian (``geostitch``), meant for d3's
spherical rendering; see https://github.com/topojson/world-atlas/issues/38.
Drawn as plain lon/lat (Leaflet, folium, ray casting) Russia (Chukotka and
Wrangel Island), Fiji and Antarctica would smear across the whole map. This
script therefore cuts every ring that crosses +/-180 into planar pieces
(Polygon -> MultiPolygon where needed) and closes pole-enclosing rings
(Antarctica) along the pole, using d3's winding convention (clockwise
exterior: an eastward pole ring encloses the south pole). A degenerate ring
hugging a pole (50m Antarctica has one at -89.999, encircling nothing) is
dropped. Every output ring is closed (first == last) and inside
[-180, 180] x [-90, 90].

Other notes:

* Rings keep world-atlas winding order; the RFC 7946 winding rule is a SHOULD
  and Leaflet ignores winding.
* Rounding can collapse tiny islands; rings with fewer than four positions
  after rounding are dropped (a dropped exterior ring drops its holes too), and
  features left without any polygon are dropped; their names go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import pairwise
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "data" / "basemap" / "countries.geojson"

ATTRIBUTION = "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com."

Position = list[float]
Ring = list[Position]


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc of *topology* as absolute (lon, lat) positions.

    Quantized topologies (with a ``transform``) store each arc as a first
    absolute quantized position followed by deltas; positions are then mapped
    with ``x * scale + translate``. Without a transform arcs are absolute.
    """
    transform = topology.get("transform")
    arcs_out: list[list[tuple[float, float]]] = []
    if transform is None:
        for arc in topology["arcs"]:
            arcs_out.append([(float(p[0]), float(p[1])) for p in arc])
        return arcs_out
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for p in arc:
            x += p[0]
            y += p[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs_out.append(points)
    return arcs_out


def stitch_ring(arc_indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list:
    """Concatenate the arcs of one ring; a negative index ``~i`` means arc ``i`` reversed.

    Consecutive arcs share their junction point, which is emitted only once.
    """
    ring: list[tuple[float, float]] = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        if ring:
            ring.extend(points[1:])
        else:
            ring.extend(points)
    return ring


# --- antimeridian / pole handling -------------------------------------------------------------

POLAR_PINHOLE_LAT = 89.9  # a pole-enclosing ring entirely beyond this encloses nothing planar

Point = tuple[float, float]


def _close(ring: list[Point]) -> list[Point]:
    return ring if ring and ring[0] == ring[-1] else [*ring, ring[0]]


def _unwrap(ring: list[Point]) -> tuple[list[Point], int]:
    """Make longitudes continuous (shift by multiples of 360 at each jump > 180 degrees).

    Returns the unwrapped ring and the net number of turns around the pole
    (0 for an ordinary ring, +1 eastward / -1 westward for a pole-enclosing ring).
    """
    turns = 0
    out = [ring[0]]
    for (x0, _), (x1, y1) in pairwise(ring):
        step = x1 - x0
        if step > 180:
            turns -= 1
        elif step < -180:
            turns += 1
        out.append((x1 + 360 * turns, y1))
    return out, turns


def _close_around_pole(ring: list[Point], turns: int) -> list[Point]:
    """Planar ring for a closed ring that encircles a pole (d3 winding: east -> south pole)."""
    open_ring = ring[:-1]
    n = len(open_ring)
    start = 0
    for i in range(n):  # start right after an antimeridian jump so x runs -180..180
        if abs(open_ring[(i + 1) % n][0] - open_ring[i][0]) > 180:
            start = (i + 1) % n
            break
    rotated = open_ring[start:] + open_ring[:start]
    unwrapped, _ = _unwrap([*rotated, rotated[0]])
    (x0, y0), (x_end, _) = unwrapped[0], unwrapped[-1]
    pole = -90.0 if turns > 0 else 90.0
    return [*unwrapped, (x_end, pole), (x0, pole), (x0, y0)]


def _in_ring(x: float, y: float, ring: list[Point]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _cut(rings: list[list[Point]], cut_x: float) -> tuple[list, list]:
    """Cut a planar polygon (closed rings, exterior first) along the line x = cut_x.

    Returns (left_polygons, right_polygons). Points on the line count as left.
    Rings crossing the line are split into chains that are rejoined along the
    line: sorted by latitude, the crossings bound alternating inside/outside
    intervals, so a chain ending at one crossing continues at its partner.
    """

    def side(p: Point) -> int:
        return 1 if p[0] > cut_x else 0

    def crosses(ring: list[Point]) -> bool:
        return len({side(p) for p in ring}) == 2

    if not crosses(rings[0]):
        return ([rings], []) if side(rings[0][0]) == 0 else ([], [rings])

    crossings: list[Point] = []
    chains: list[tuple[int, int, int, list[Point]]] = []  # (side, start id, end id, points)
    whole: list[list[Point]] = []
    for ring in rings:
        if not crosses(ring):
            whole.append(ring)
            continue
        pts = ring[:-1]
        n = len(pts)
        first = next(i for i in range(n) if side(pts[i - 1]) != side(pts[i]))
        pts = pts[first:] + pts[:first]  # pts[-1] -> pts[0] crosses the line
        ring_chains: list[tuple[int, int, int, list[Point]]] = []
        current: list[Point] = []
        start_id = -1  # patched below: the crossing between pts[-1] and pts[0]
        for j in range(n):
            p, q = pts[j], pts[(j + 1) % n]
            current.append(p)
            if side(p) != side(q):
                t = (cut_x - p[0]) / (q[0] - p[0])
                crossings.append((cut_x, p[1] + t * (q[1] - p[1])))
                end_id = len(crossings) - 1
                current.append(crossings[end_id])
                ring_chains.append((side(p), start_id, end_id, current))
                start_id, current = end_id, [crossings[end_id]]
        s0, _, e0, pts0 = ring_chains[0]
        ring_chains[0] = (s0, start_id, e0, [crossings[start_id], *pts0])
        chains.extend(ring_chains)

    order = sorted(range(len(crossings)), key=lambda i: crossings[i][1])
    partner = {}
    for a, b in zip(order[::2], order[1::2], strict=True):
        partner[a], partner[b] = b, a

    result: tuple[list, list] = ([], [])
    for s in (0, 1):
        by_start = {c[1]: c for c in chains if c[0] == s}
        used: set[int] = set()
        pieces: list[list[list[Point]]] = []
        for chain in chains:
            if chain[0] != s or chain[1] in used:
                continue
            ring: list[Point] = []
            c = chain
            while c[1] not in used:
                used.add(c[1])
                ring.extend(c[3])
                nxt = partner.get(c[2])
                if nxt not in by_start:
                    raise ValueError("cannot cut polygon at the antimeridian: bad ring orientation")
                c = by_start[nxt]
            pieces.append([_close(ring)])
        for hole in whole:
            if side(hole[0]) != s:
                continue
            probe = next((p for p in hole if p[0] != cut_x), hole[0])
            owner = next((pc for pc in pieces if _in_ring(*probe, pc[0])), None)
            if owner is None:
                raise ValueError("hole outside every piece after antimeridian cut")
            owner.append(hole)
        result[s].extend(pieces)
    return result


def _shift(polygon: list[list[Point]], dx: float) -> list[list[Point]]:
    return [[(x + dx, y) for x, y in ring] for ring in polygon]


def planar_polygons(rings: list[list[Point]]) -> list[list[list[Point]]]:
    """Turn one spherical world-atlas polygon into planar lon/lat polygons.

    Rings that do not cross the antimeridian are returned unchanged (closed);
    crossing rings are cut at +/-180 and pole-enclosing rings closed along the
    pole (see the module docstring).
    """
    rings = [_close(r) for r in rings if r]
    unwrapped = [_unwrap(r) for r in rings]
    if all(turns == 0 and u == r for r, (u, turns) in zip(rings, unwrapped, strict=True)):
        return [rings] if rings else []

    kept = []
    for ring, (unwrapped_ring, turns) in zip(rings, unwrapped, strict=True):
        if turns and all(abs(y) >= POLAR_PINHOLE_LAT for _, y in ring):
            continue  # a pinhole around the pole: encloses no planar area
        kept.append((ring, unwrapped_ring, turns))
    if not kept:
        return []
    if any(turns for _, _, turns in kept[1:]):
        raise ValueError("pole-enclosing hole rings are not supported")

    ring0, unwrapped0, turns0 = kept[0]
    exterior = _close_around_pole(ring0, turns0) if turns0 else unwrapped0
    lo, hi = min(x for x, _ in exterior), max(x for x, _ in exterior)
    polygon = [exterior]
    for _, hole, _ in kept[1:]:  # put each hole on the same 360-degree sheet as the exterior
        dx = min((-360, 0, 360), key=lambda d: max(lo - (hole[0][0] + d), hole[0][0] + d - hi, 0))
        polygon.append([(x + dx, y) for x, y in hole])

    left, right = _cut(polygon, 180.0)
    pieces = left + [_shift(p, -360.0) for p in right]
    out = []
    for piece in pieces:
        if min(x for x, _ in piece[0]) < -180:
            west, east = _cut(piece, -180.0)
            out.extend(_shift(p, 360.0) for p in west)
            out.extend(east)
        else:
            out.append(piece)
    return out


# --- rounding and GeoJSON assembly -------------------------------------------------------------


def _round(value: float, precision: int) -> float:
    rounded = round(value, precision)
    return 0.0 if rounded == 0 else rounded  # no "-0.0" in the output


def clean_ring(points: list, precision: int) -> Ring | None:
    """Round, clamp to lon/lat range, drop consecutive duplicates and close the ring.

    Returns None when fewer than four positions (three distinct) remain.
    """
    ring: Ring = []
    for lon, lat in points:
        lon = min(180.0, max(-180.0, _round(lon, precision)))
        lat = min(90.0, max(-90.0, _round(lat, precision)))
        if not ring or ring[-1] != [lon, lat]:
            ring.append([lon, lat])
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < 3:
        return None
    ring.append(list(ring[0]))
    return ring


def convert_polygon(rings: list[list[int]], arcs: list, precision: int) -> list[list[Ring]]:
    """Convert one TopoJSON polygon (rings of arc indexes) to planar GeoJSON polygons."""
    out: list[list[Ring]] = []
    for polygon in planar_polygons([stitch_ring(r, arcs) for r in rings]):
        exterior = clean_ring(polygon[0], precision)
        if exterior is None:
            continue  # exterior collapsed: drop the polygon and its holes
        holes = [h for h in (clean_ring(r, precision) for r in polygon[1:]) if h is not None]
        out.append([exterior, *holes])
    return out


def convert_geometry(geometry: dict, arcs: list, precision: int) -> dict | None:
    """Convert a TopoJSON Polygon/MultiPolygon object to a GeoJSON geometry (or None)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return None
    converted = [p for rings in polygons for p in convert_polygon(rings, arcs, precision)]
    if not converted:
        return None
    if len(converted) == 1:
        return {"type": "Polygon", "coordinates": converted[0]}
    return {"type": "MultiPolygon", "coordinates": converted}


def topology_to_features(
    topology: dict, object_name: str = "countries", precision: int = 3
) -> tuple[list[dict], list[str]]:
    """Convert ``topology.objects[object_name]`` to GeoJSON features.

    Returns ``(features, dropped_names)``. Each feature keeps the properties
    ``name`` and ``id`` (the world-atlas ISO 3166-1 numeric code, a string, or
    None where Natural Earth has none, e.g. Kosovo or Somaliland).
    """
    if topology.get("type") != "Topology":
        raise ValueError("input is not a TopoJSON Topology")
    arcs = decode_arcs(topology)
    collection = topology["objects"][object_name]
    geometries = (
        collection["geometries"] if collection.get("type") == "GeometryCollection" else [collection]
    )
    features: list[dict] = []
    dropped: list[str] = []
    for geometry in geometries:
        properties = geometry.get("properties") or {}
        name = properties.get("name")
        converted = convert_geometry(geometry, arcs, precision)
        if converted is None:
            dropped.append(str(name))
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "id": geometry.get("id")},
                "geometry": converted,
            }
        )
    return features, dropped


def world_atlas_version(topojson_path: Path) -> str:
    """Read the world-atlas version from the package.json beside the TopoJSON file."""
    package_json = topojson_path.resolve().parent / "package.json"
    try:
        package = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unknown"
    if package.get("name") != "world-atlas":
        return "unknown"
    return str(package.get("version", "unknown"))


def build_feature_collection(features: list[dict], source: str) -> dict:
    return {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "source": source,
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--topojson",
        required=True,
        type=Path,
        help="a countries-*.json TopoJSON file from the world-atlas npm package",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output GeoJSON path (default: data/basemap/countries.geojson in the repo)",
    )
    parser.add_argument("--precision", type=int, default=3, help="decimal places kept (default: 3)")
    parser.add_argument(
        "--world-atlas-version",
        default=None,
        help="version for the 'source' member (default: read package.json beside --topojson)",
    )
    parser.add_argument(
        "--object", default="countries", help="TopoJSON object to convert (default: countries)"
    )
    args = parser.parse_args(argv)
    if args.precision < 0:
        parser.error("--precision must be >= 0")

    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    features, dropped = topology_to_features(topology, args.object, args.precision)
    version = args.world_atlas_version or world_atlas_version(args.topojson)
    source = f"world-atlas {version} {args.topojson.stem}"
    collection = build_feature_collection(features, source)

    text = json.dumps(collection, separators=(",", ":"))  # ASCII-only: safe with any decoder
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    size = args.out.stat().st_size
    print(
        f"wrote {args.out} ({size:,} bytes, {len(features)} features, "
        f"source {source!r}, precision {args.precision})",
        file=sys.stderr,
    )
    if dropped:
        print(f"dropped (collapsed at this precision): {', '.join(dropped)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
