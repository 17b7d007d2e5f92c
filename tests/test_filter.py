"""The Filter model: parts, chips, clearing one part, and reading text queries."""

from __future__ import annotations

import pytest

from desktop_app.core.dates import DatePrecision
from desktop_app.core.filter import (
    Filter,
    FilterError,
    Placement,
    TextTerm,
    parse_bbox,
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
    assert [str(c) for c in f.describe()] == [
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
    chips = {str(c): c for c in f.describe()}
    assert f.without(chips["Category: Strike"]) == Filter(
        categories={"diplomacy"}, text="kharkiv", actors={"A", "B"}
    )
    assert f.without("Text: kharkiv") == Filter(
        categories={"strike", "diplomacy"}, actors={"A", "B"}
    )
    assert f.without("Actor: A").actors == {"B"}
    # Clearing every chip, one by one, is the empty filter.
    g = f
    for chip in f.describe():
        g = g.without(chip)
    assert g.is_empty
    # A chip it does not have changes nothing.
    assert f.without("Place: Kyiv") == f


def test_clearing_placement_and_area_returns_them_to_any():
    f = Filter(placement=Placement.PLACED, bbox=(0, 0, 1, 1))
    assert f.without("Only: has a place").placement is Placement.ANY
    assert f.without("Area: 0, 0, 1, 1").bbox is None


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
