"""The Filter model: parts, chips, clearing one part, and reading text queries."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop_app.cli.options import chip_words, filter_words
from desktop_app.core.dates import DatePrecision
from desktop_app.core.filter import (
    Chip,
    Filter,
    FilterError,
    Placement,
    TextTerm,
    inside_polygon,
    parse_bbox,
    parse_polygon,
    text_terms,
)


def test_the_empty_filter_is_empty_and_has_no_chips():
    assert Filter().is_empty
    assert Filter().describe() == []
    assert Filter(text="   ", place="\x00").is_empty


def test_every_part_makes_a_filter_non_empty():
    for part in (
        Filter(categories={"strike"}),
        Filter(text="kharkiv"),
        Filter(place="Kyiv"),
        Filter(precisions={DatePrecision.MONTH}),
        Filter(placement=Placement.PLACED),
        Filter(bbox=(30, 45, 40, 52)),
        Filter(actors={"Ukraine"}),
        Filter(sources={"Reuters"}),
        Filter(polygon=((30, 45), (40, 45), (35, 52))),
    ):
        assert not part.is_empty, part
        assert len(part.describe()) == 1


def test_chips_read_as_the_user_says_them():
    f = Filter(
        categories={"strike", "diplomacy"},
        text="  kharkiv   strike ",
        precisions={"month"},
        placement="timeline only",
        bbox=(30, 45.5, 40, 52),
        sources={"Reuters"},
    )
    assert filter_words(f) == [
        "Category: Diplomacy",
        "Category: Strike",
        "Text: kharkiv strike",
        "Dated to: month",
        "Only: timeline only",
        "Area: 30, 45.5, 40, 52",
        "Source: Reuters",
    ]


def test_without_clears_one_chip_and_keeps_the_rest():
    f = Filter(categories={"strike", "diplomacy"}, text="kharkiv", actors={"A", "B"})
    chips = {chip_words(c): c for c in f.describe()}
    assert f.without(chips["Category: Strike"]) == Filter(
        categories={"diplomacy"}, text="kharkiv", actors={"A", "B"}
    )
    assert f.without(Chip("text", "kharkiv")) == Filter(
        categories={"strike", "diplomacy"}, actors={"A", "B"}
    )
    assert f.without(Chip("actors", "A")).actors == {"B"}
    # Clearing every chip, one by one, is the empty filter.
    g = f
    for chip in f.describe():
        g = g.without(chip)
    assert g.is_empty
    # A chip it does not have changes nothing.
    assert f.without(Chip("place", "Kyiv")) == f


def test_clearing_placement_and_area_returns_them_to_any():
    f = Filter(placement=Placement.PLACED, bbox=(0, 0, 1, 1))
    assert f.without(Chip("placement", Placement.PLACED)).placement is Placement.ANY
    assert f.without(Chip("bbox", (0, 0, 1, 1))).bbox is None


def test_filters_that_mean_the_same_are_equal():
    assert Filter(categories=["strike"], text="a  b") == Filter(categories={"strike"}, text="a b")
    assert hash(Filter(actors=["x"])) == hash(Filter(actors={"x"}))


def test_categories_only_is_true_only_for_category_filters():
    assert Filter(categories={"strike"}).categories_only
    assert Filter().categories_only
    assert not Filter(categories={"strike"}, text="x").categories_only


def test_text_terms_read_words_prefixes_and_phrases():
    assert text_terms('kharki* "second round" talks') == (
        TextTerm(("kharki",), prefix=True),
        TextTerm(("second", "round")),
        TextTerm(("talks",)),
    )
    assert text_terms('"second rou"*') == (TextTerm(("second", "rou"), prefix=True),)
    # The search engine's own syntax is only text here.
    assert text_terms("NEAR(a b) OR -c") == (
        TextTerm(("NEAR", "a")),
        TextTerm(("b",)),
        TextTerm(("OR",)),
        TextTerm(("c",)),
    )
    assert text_terms("Харків\x00Kyiv") == (TextTerm(("Харків",)), TextTerm(("Kyiv",)))
    assert text_terms("") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"second round', 'Text: a quote is not closed ("second round)'),
        ("*", "Text: * has no word to search for"),
        ("a -*", "Text: -* has no word to search for"),
        ("a-*", "Text: a-*: a * must follow the start of a word"),
        ('""', 'Text: "" has no word to search for'),
    ],
)
def test_unreadable_text_is_a_one_line_error(text, message):
    with pytest.raises(FilterError) as raised:
        text_terms(text)
    assert str(raised.value) == message


def test_areas_are_checked():
    assert parse_bbox("22, 44,40.5,53") == (22.0, 44.0, 40.5, 53.0)
    # Across the antimeridian: west east of east is allowed.
    assert Filter(bbox=(170, -20, -170, 20)).bbox == (170, -20, -170, 20)
    for bad in ("1,2,3", "a,b,c,d", "0,10,1,5", "0,-95,1,5", "200,0,1,1", "nan,0,1,1"):
        with pytest.raises(FilterError, match="^Area: "):
            parse_bbox(bad)


TRIANGLE = ((30.0, 45.0), (40.0, 45.0), (35.0, 55.0))


def test_chips_are_parts_and_values_with_no_words_in_them():
    f = Filter(categories={"strike"}, polygon=TRIANGLE, min_corroboration=2)
    assert f.describe() == [
        Chip("categories", "strike"),
        Chip("polygon", TRIANGLE),
        Chip("min_corroboration", 2),
    ]
    assert filter_words(f) == [
        "Category: Strike", "Area: polygon of 3 points", "Outlets: at least 2"
    ]  # fmt: skip
    assert f.without(Chip("polygon", TRIANGLE)) == Filter(
        categories={"strike"}, min_corroboration=2
    )


def test_a_polygon_is_read_checked_and_round_trips_as_json():
    assert parse_polygon("30 45, 40 45 ,35 55") == TRIANGLE
    # A closed ring (the first point again, as GeoJSON writes it) is the same polygon.
    assert Filter(polygon=(*TRIANGLE, TRIANGLE[0])) == Filter(polygon=TRIANGLE)
    f = Filter(polygon=TRIANGLE, text="x")
    data = json.loads(json.dumps(f.to_json()))
    assert data["polygon"] == [[30, 45], [40, 45], [35, 55]]
    assert Filter.from_json(data) == f
    assert Filter(polygon=()).is_empty


@pytest.mark.parametrize(
    "points",
    [
        "30 45, 40 45",  # two points
        "30 45, 40 45, 30 45",  # two distinct points, closed
        "30 45, 40 45, 35",  # a point of one number
        "30 45, 40 45, 35 x",
        "30 45, 40 45, nan 50",
        "30 45, 40 45, inf 50",
        "30 45, 40 45, 181 50",
        "30 45, 40 45, 35 -91",
        "30 45, 35 50, 40 55",  # on one line: no area
        "",
    ],
)
def test_a_polygon_that_is_not_one_is_a_one_line_error(points):
    with pytest.raises(FilterError, match="^Area: ") as raised:
        parse_polygon(points)
    assert "\n" not in str(raised.value)


def test_a_polygon_from_json_is_checked_too():
    with pytest.raises(FilterError):
        Filter.from_json({"polygon": [[0, 0], [1, "a"], [2, 0]]})
    with pytest.raises(FilterError):
        Filter.from_json({"polygon": "0 0, 1 1, 2 0"})


def crossing_reference(x: float, y: float, ring) -> bool:
    """Inside by the even-odd rule, one point at a time (a point on an edge: inside)."""
    n, inside = len(ring), False
    for k in range(n):
        (x1, y1), (x2, y2) = ring[k], ring[(k + 1) % n]
        if (x2 - x1) * (y - y1) == (y2 - y1) * (x - x1) and min(x1, x2) <= x <= max(
            x1, x2
        ) and min(y1, y2) <= y <= max(y1, y2):
            return True
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_inside_a_polygon_counts_its_edges_and_corners_and_nothing_unplaced():
    lon = np.array([35, 30, 40, 35, 35, 32.5, 29.9, 35, 40.1, np.nan, 35])
    lat = np.array([50, 45, 45, 55, 45, 50, 45, 44.9, 45, 50, np.nan])
    assert inside_polygon(lon, lat, TRIANGLE).tolist() == [
        True,  # inside
        True, True, True,  # the corners
        True, True,  # on the base, on a side
        False, False, False,  # just outside
        False, False,  # no coordinates
    ]
    assert inside_polygon(np.array([]), np.array([]), TRIANGLE).tolist() == []


def test_inside_a_concave_polygon_agrees_with_a_point_by_point_reference():
    # A "C": concave, with a notch whose points lie inside its bounding box.
    ring = ((0, 0), (10, 0), (10, 2), (2, 2), (2, 8), (10, 8), (10, 10), (0, 10))
    rng = np.random.default_rng(7)
    lon = np.round(rng.uniform(-1, 11, 4000), 1)
    lat = np.round(rng.uniform(-1, 11, 4000), 1)
    found = inside_polygon(lon, lat, ring)
    expected = [crossing_reference(x, y, ring) for x, y in zip(lon, lat, strict=True)]
    assert found.tolist() == expected
    assert 0 < found.sum() < len(found)
    assert not found[(lon > 3) & (lon < 9) & (lat > 3) & (lat < 7)].any()
